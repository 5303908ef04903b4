//! What the benchmarks share: percentiles, and a synthetic case file of any size.
#![allow(dead_code)] // Each benchmark uses part of it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use casebook_vault::{CaseFile, Founder, Identity, PassphraseSource, synthetic};

/// p50 and p99 of `samples`, in milliseconds.
pub fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    (at(0.50).as_secs_f64() * 1e3, at(0.99).as_secs_f64() * 1e3)
}

/// A new member key and a case file in `dir` filled by `spec` (not saved yet).
pub fn synthetic_file(dir: &Path, spec: &synthetic::Spec) -> (Identity, PathBuf, CaseFile) {
    let key = dir.join("bench.key");
    casebook_vault::keygen(&key, "bench", None).expect("keygen");
    let identity = Identity::load(&key, &PassphraseSource::Terminal).expect("identity");
    let path = dir.join("big.cases.age");
    let founder = Founder {
        name: "Bench".into(),
        email: None,
    };
    let now = chrono::Utc::now();
    let mut file = CaseFile::create(&path, &identity, &founder, &[], false, now).expect("create");
    synthetic::fill(&mut file, spec, now, &identity).expect("fill");
    (identity, path, file)
}

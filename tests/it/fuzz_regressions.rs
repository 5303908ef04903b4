//! What fuzzing found, replayed on stable Rust by plain `cargo test`: every seed of every fuzz
//! target (`fuzz/corpus/TARGET/seed-*`) and every input that once crashed or broke an
//! assertion (`fuzz/regressions/TARGET/*`) runs through exactly the code the target runs
//! (`casebook::fuzzing`). The seeds are checked to reach deep: the databases open and verify,
//! the copy merges, the signatures verify.

use std::path::{Path, PathBuf};

use casebook::fuzzing;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files(dir: &Path, seeds_only: bool) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            !seeds_only
                || p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("seed-"))
        })
        .collect();
    found.sort();
    found
}

fn merge_base() -> Vec<u8> {
    std::fs::read(fuzz_dir().join(fuzzing::MERGE_BASE)).unwrap()
}

#[test]
fn every_seed_and_every_past_finding_runs_clean() {
    let base = merge_base();
    let mut ran = 0;
    for target in fuzzing::TARGETS {
        let seeds = files(&fuzz_dir().join("corpus").join(target), true);
        assert!(!seeds.is_empty(), "{target} has no committed seed");
        let found = files(&fuzz_dir().join("regressions").join(target), false);
        for input in seeds.iter().chain(&found) {
            let data = std::fs::read(input).unwrap();
            fuzzing::run(target, &data, &base);
            ran += 1;
        }
    }
    assert!(ran >= fuzzing::TARGETS.len());
}

#[test]
fn the_database_seeds_open_verify_and_merge() {
    let corpus = fuzz_dir().join("corpus");
    for seed in files(&corpus.join("open_database"), true) {
        let data = std::fs::read(&seed).unwrap();
        casebook_vault::fuzzing::open_plaintext(&data)
            .unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
    }
    let base = merge_base();
    casebook_vault::fuzzing::open_plaintext(&base).unwrap();
    for seed in files(&corpus.join("merge_databases"), true) {
        let data = std::fs::read(&seed).unwrap();
        casebook_vault::fuzzing::merge_plaintext(&base, &data)
            .unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
    }
}

#[test]
fn the_signature_seeds_verify() {
    for seed in files(&fuzz_dir().join("corpus").join("signature"), true) {
        let data = std::fs::read(&seed).unwrap();
        let at = data.iter().position(|b| *b == 0).unwrap();
        let checked = casebook::export::signature::check(
            &data[..at],
            &String::from_utf8_lossy(&data[at + 1..]),
        );
        assert!(
            matches!(checked, casebook::export::signature::Checked::Valid { .. }),
            "{}: {checked:?}",
            seed.display()
        );
    }
}

/// A corpus a fuzzing run grew, replayed in a debug build (the fuzzer's optimised build
/// leaves out debug assertions, such as each merge's check against a full replay):
/// `CASEBOOK_FUZZ_CORPUS=fuzz/corpus cargo test --test it fuzz_regressions::grown -- --nocapture`.
/// Without the variable it says so and checks nothing.
#[test]
fn a_grown_corpus_replays_in_a_debug_build() {
    let Some(dir) = std::env::var_os("CASEBOOK_FUZZ_CORPUS") else {
        eprintln!("skipped: set CASEBOOK_FUZZ_CORPUS to a grown corpus folder to replay it");
        return;
    };
    let base = merge_base();
    for target in fuzzing::TARGETS {
        let inputs = files(&Path::new(&dir).join(target), false);
        for input in &inputs {
            let data = std::fs::read(input).unwrap();
            fuzzing::run(target, &data, &base);
        }
        eprintln!("{target}: {} inputs replayed", inputs.len());
    }
}

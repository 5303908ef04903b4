//! Case file benchmark: open and save against the `age` CLI on the same file, and peak memory.
//!
//! Run with `cargo bench --bench vault` (add `-- --quick` for the 10 MB file only). For each
//! size it generates a synthetic case file, then measures in the same run:
//!
//! - open: casebook (decrypt + deserialise + checks, in process, and as a whole `casebook info`
//!   process) against `age -d -o /dev/null` on the same file;
//! - save: casebook (serialise + encrypt + fsync + read back and decrypt + rename) against
//!   `age -e` of the same plaintext to the same recipient (which neither fsyncs nor verifies);
//! - peak memory (max RSS) of `casebook info` and of a `casebook synth --cases 0` open+save,
//!   against the plaintext database size.
//!
//! It prints figures; it asserts nothing.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casebook_vault::{CaseFile, Founder, Identity, OpenMode, PassphraseSource, synthetic};

const BIN: &str = env!("CARGO_BIN_EXE_casebook");

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    f(); // warm the page cache
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

/// Run a command and return its wall time and peak RSS in bytes.
///
/// The peak is measured by a small helper process (this benchmark re-run with `--max-rss`):
/// a child spawned straight from this process would inherit this process's own high-water
/// mark (Linux carries it over the vfork + exec that spawns children).
fn run_measured(cmd: &mut Command) -> (Duration, u64) {
    let mut helper = Command::new(std::env::current_exe().expect("current exe"));
    helper
        .arg("--max-rss")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    let start = Instant::now();
    let out = helper
        .stderr(Stdio::inherit())
        .output()
        .expect("spawn helper");
    let elapsed = start.elapsed();
    assert!(out.status.success(), "{cmd:?} failed");
    let rss = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("rss");
    (elapsed, rss)
}

/// The helper: run the command, print its peak RSS in bytes.
fn max_rss_helper(command: &[String]) -> ! {
    let child = Command::new(&command[0])
        .args(&command[1..])
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    println!("{}", usage.ru_maxrss as u64 * 1024);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    std::process::exit(if ok { 0 } else { 1 });
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bench(label: &str, target_bytes: u64, runs: usize, dir: &Path) {
    let key_path = dir.join(format!("{label}.key"));
    casebook_vault::keygen(&key_path, "bench", None).expect("keygen");
    let identity = Identity::load(&key_path, &PassphraseSource::Terminal).expect("identity");
    let file = dir.join(format!("{label}.cases.age"));
    let founder = Founder {
        name: "Bench".into(),
        email: None,
    };
    let mut case_file =
        CaseFile::create(&file, &identity, &founder, &[], false, chrono::Utc::now())
            .expect("create");
    // About 7.5 kB of database per synthetic case (10 events of 400 bytes, with indexes).
    let spec = synthetic::Spec {
        cases: (target_bytes / 7_500) as usize,
        events_per_case: 10,
        note_bytes: 400,
        canary: None,
        seed: 7,
    };
    synthetic::fill(&mut case_file, &spec, chrono::Utc::now(), &identity).expect("fill");
    case_file.save(&identity).expect("save");
    drop(case_file);
    let ciphertext = std::fs::metadata(&file).unwrap().len();

    // The plaintext, for `age -e` (synthetic data: fine to have on disk here).
    let plain = dir.join(format!("{label}.plain.db"));
    let status = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key_path)
        .arg("-o")
        .arg(&plain)
        .arg(&file)
        .status();
    assert!(status.expect("age -d").success());
    let plaintext = std::fs::metadata(&plain).unwrap().len();
    println!(
        "\n== {label}: database {:.1} MB, case file {:.1} MB, {} cases, {} events",
        mb(plaintext),
        mb(ciphertext),
        spec.cases,
        spec.cases * spec.events_per_case
    );

    let age_d = time(runs, || {
        let status = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key_path)
            .arg("-o")
            .arg("/dev/null")
            .arg(&file)
            .status();
        assert!(status.unwrap().success());
    });
    let open = time(runs, || {
        let f = CaseFile::open(&file, &identity, OpenMode::ReadOnly).expect("open");
        drop(f);
    });
    let info_process = time(runs, || {
        run_measured(
            Command::new(BIN)
                .arg("-i")
                .arg(&key_path)
                .arg("info")
                .arg(&file),
        );
    });
    println!("open   age -d (Go CLI)              {:>9.1} ms", ms(age_d));
    println!(
        "open   casebook, in process         {:>9.1} ms   {:.2}x age -d   (target <= 2x)",
        ms(open),
        open.as_secs_f64() / age_d.as_secs_f64()
    );
    println!(
        "open   `casebook info`, process     {:>9.1} ms   {:.2}x age -d",
        ms(info_process),
        info_process.as_secs_f64() / age_d.as_secs_f64()
    );

    let pubkey = dir.join(format!("{label}.key.pub"));
    let encrypted = dir.join(format!("{label}.age-e.age"));
    let age_e = time(runs, || {
        let _ = std::fs::remove_file(&encrypted);
        let status = Command::new("age")
            .arg("-R")
            .arg(&pubkey)
            .arg("-o")
            .arg(&encrypted)
            .arg(&plain)
            .status();
        assert!(status.unwrap().success());
    });
    let mut case_file = CaseFile::open(&file, &identity, OpenMode::ReadWrite).expect("open");
    let save = time(runs, || {
        case_file.save(&identity).expect("save");
    });
    drop(case_file);
    println!("save   age -e (Go CLI, no fsync)     {:>9.1} ms", ms(age_e));
    println!(
        "save   casebook (fsync + verify)    {:>9.1} ms   {:.2}x age -e   (target <= 1.5x)",
        ms(save),
        save.as_secs_f64() / age_e.as_secs_f64()
    );

    let (_, info_rss) = run_measured(
        Command::new(BIN)
            .arg("-i")
            .arg(&key_path)
            .arg("info")
            .arg(&file),
    );
    let (_, save_rss) = run_measured(
        Command::new(BIN)
            .arg("-i")
            .arg(&key_path)
            .arg("synth")
            .arg(&file)
            .args(["--cases", "0"]),
    );
    let (_, age_rss) = run_measured(
        Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key_path)
            .arg("-o")
            .arg("/dev/null")
            .arg(&file),
    );
    println!(
        "memory `casebook info` peak RSS     {:>9.1} MB   {:.2}x database   (target < 2.5x)",
        mb(info_rss),
        info_rss as f64 / plaintext as f64
    );
    println!(
        "memory open + save peak RSS         {:>9.1} MB   {:.2}x database   (target < 2.5x)",
        mb(save_rss),
        save_rss as f64 / plaintext as f64
    );
    println!(
        "memory age -d peak RSS (streams)    {:>9.1} MB",
        mb(age_rss)
    );
    for path in [&plain, &encrypted] {
        let _ = std::fs::remove_file(path);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--max-rss") {
        max_rss_helper(&args[at + 1..]);
    }
    if Command::new("age").arg("--version").output().is_err() {
        eprintln!("the benchmark compares against the `age` CLI: apt-get install age");
        std::process::exit(1);
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().expect("tempdir");
    println!("casebook vault benchmark (median of runs; same machine, same files)");
    bench("10MB", 10_000_000, 7, dir.path());
    if !quick {
        bench("200MB", 200_000_000, 3, dir.path());
    }
}

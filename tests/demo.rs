//! The built-in demo: the embedded file holds exactly what the generator makes, and
//! `casebook demo` shows it without any key or setup.

mod common;

use casebook::vault::{CaseFile, demo};
use common::casebook;

#[test]
fn embedded_demo_file_matches_the_generator() {
    let identity = demo::identity().unwrap();
    let generated = demo::generate(&identity).unwrap();
    if std::env::var_os("CASEBOOK_REGENERATE_DEMO").is_some() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/demo.cases.age");
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("demo.cases.age");
        let mut generated = generated;
        generated.save_as(&fresh, &identity).unwrap();
        std::fs::copy(&fresh, &path).unwrap();
        eprintln!("regenerated {}", path.display());
        return;
    }
    let embedded = CaseFile::open_bytes(demo::CIPHERTEXT, demo::LABEL, &identity).unwrap();
    assert_eq!(
        embedded.dump().unwrap(),
        generated.dump().unwrap(),
        "assets/demo/demo.cases.age is stale: run CASEBOOK_REGENERATE_DEMO=1 cargo test --test demo"
    );
}

#[test]
fn demo_prints_the_fictional_committee_and_its_cases() {
    let out = casebook()
        .arg("demo")
        .env_remove("CASEBOOK_IDENTITY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("file       built-in demo"), "{stdout}");
    assert!(stdout.contains("opened as  Robin Okafor"), "{stdout}");
    assert!(stdout.contains("roster: 5 members (5 active)"), "{stdout}");
    assert!(stdout.contains("cases      12"), "{stdout}");
    for status in [
        "new",
        "triage",
        "investigating",
        "deliberating",
        "decided",
        "closed",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(status))
            .unwrap();
        let count: u64 = line.split_whitespace().last().unwrap().parse().unwrap();
        assert!(count >= 1, "no demo case is {status}: {line}");
    }
}

#[test]
fn demo_saves_only_to_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("mine.cases.age");
    let out = casebook()
        .arg("demo")
        .arg("--save-as")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read(&copy)
            .unwrap()
            .starts_with(b"age-encryption.org/v1\n")
    );

    // The demo never overwrites anything, not even its own earlier copy.
    let before = std::fs::read(&copy).unwrap();
    let out = casebook()
        .arg("demo")
        .arg("--save-as")
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exists; casebook will not overwrite it"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}

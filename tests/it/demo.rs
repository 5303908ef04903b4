//! The built-in demo: the embedded file holds exactly what the generator makes, and
//! `casebook demo` shows it without any key or setup.

use crate::common;

use casebook_vault::{CaseFile, demo};
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
        "assets/demo/demo.cases.age is stale: run CASEBOOK_REGENERATE_DEMO=1 cargo test --test it demo::"
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
    let cases: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("cases      "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!((35..=45).contains(&cases), "about forty cases: {cases}");
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

#[test]
fn the_demo_covers_what_a_committee_meets() {
    use casebook::core::event::{ConflictKind, EventKind};
    use casebook::core::party::{Disclosure, PartyRole};
    use std::collections::HashSet;

    let (mut file, _) = demo::open().unwrap();
    let cases: Vec<_> = file.cases().unwrap().values().cloned().collect();
    let outcomes: HashSet<String> = cases
        .iter()
        .filter_map(|c| c.decision.as_ref().map(|d| d.outcome.clone()))
        .collect();
    for outcome in casebook::core::decision::Ladder::default().outcomes() {
        assert!(outcomes.contains(outcome), "no demo case decided {outcome}");
    }
    let conflicts: Vec<ConflictKind> = cases
        .iter()
        .flat_map(|c| c.conflicts.values().map(|x| x.kind))
        .collect();
    assert!(conflicts.contains(&ConflictKind::Hard) && conflicts.contains(&ConflictKind::Soft));
    assert!(cases.iter().any(|c| {
        c.parties
            .iter()
            .any(|p| matches!(p.identity, Disclosure::Anonymous { .. }))
    }));
    assert!(
        cases.iter().any(|c| c.parties.len() >= 4),
        "a multi-party case"
    );
    assert!(
        cases.iter().any(|c| c.unreviewed_emergencies().count() > 0),
        "an emergency action awaiting review"
    );
    assert!(cases.iter().any(|c| {
        c.decision
            .as_ref()
            .is_some_and(|d| d.override_reason.is_some())
    }));
    let roster = file.roster().unwrap();
    assert!(
        cases.iter().any(|c| c.parties.iter().any(|p| p.role == PartyRole::Reported
            && matches!(&p.identity, Disclosure::Named { name, .. } if roster.members().iter().any(|m| &m.name == name)))),
        "a case about a committee member"
    );
    let people: Vec<_> = cases
        .iter()
        .flat_map(|c| c.parties.iter().map(|p| p.person))
        .collect();
    assert!(
        people
            .iter()
            .any(|p| people.iter().filter(|q| *q == p).count() > 1),
        "repeat behaviour"
    );
    let mut attachment = false;
    let mut long_note = false;
    for case in &cases {
        for event in file.timeline(case.id).unwrap() {
            match &event.kind {
                EventKind::ReportReceived { attachments, .. } => {
                    attachment |= !attachments.is_empty()
                }
                EventKind::NoteAdded { body, .. } => long_note |= body.matches("\n\n").count() >= 2,
                _ => {}
            }
        }
    }
    assert!(attachment && long_note);
}

//! A laptop whose clock is earlier than the newest change it holds warns before it signs, and
//! says by how much (another member's laptop, its clock years ahead, signed that change).

mod common;

use casebook::ops::OpenFile;
use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource};
use chrono::{Duration, Utc};
use common::Laptop;

/// Ada (chair) and Bo, with one case, in `dir`.
struct Committee {
    ada_key: std::path::PathBuf,
    bo_key: std::path::PathBuf,
    ada: Laptop,
    file: std::path::PathBuf,
    code: String,
}

fn committee(dir: &std::path::Path) -> Committee {
    let ada_key = common::member_key(dir, "ada");
    let bo_key = common::member_key(dir, "bo");
    let ada = Laptop::with_key(&ada_key);
    let file = dir.join("committee.cases.age");
    ada.ok(&[&"init", &file, &"--name", &"Ada"]);
    ada.ok(&[
        &"member",
        &"add",
        &file,
        &"--name",
        &"Bo",
        &"--key",
        &dir.join("bo.pub"),
    ]);
    let code = ada
        .ok(&[&"case", &"new", &file, &"--title", &"Hostile replies"])
        .trim()
        .to_string();
    Committee {
        ada_key,
        bo_key,
        ada,
        file,
        code,
    }
}

/// Bo's laptop, its clock at `ahead`, adds the note `body` to case `code` in `path` and signs
/// it. The library runs in this test's process: `XDG_STATE_HOME` must already be its own.
fn note_from_a_fast_clock(
    path: &std::path::Path,
    bo_key: &std::path::Path,
    code: &str,
    body: &str,
    ahead: chrono::DateTime<Utc>,
) {
    let bo = Identity::load(bo_key, &PassphraseSource::Terminal).unwrap();
    let mut copy = CaseFile::open(path, &bo, OpenMode::ReadWrite).unwrap();
    casebook::ops::cases::change(
        OpenFile::of(&mut copy),
        code,
        casebook::ops::cases::CaseChange::Note {
            kind: Default::default(),
            body: body.into(),
            amends: None,
        },
    )
    .unwrap();
    copy.commit(&bo, ahead).unwrap();
    copy.save(&bo).unwrap();
}

#[test]
fn a_clock_behind_the_newest_change_warns_before_signing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let Committee {
        ada_key,
        bo_key,
        ada,
        file,
        code,
    } = committee(dir);
    // A laptop that never signed anything ahead of its clock says nothing.
    let out = ada.run(&[&"note", &"add", &file, &code, &"--text", &"on time"]);
    common::ok(&out);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("clock"));

    // Bo's laptop, its clock three years and two days ahead, signs a note.
    let state = tempfile::tempdir().unwrap();
    // SAFETY: this test binary has one test; the variable only decides where pins go.
    unsafe { std::env::set_var("XDG_STATE_HOME", state.path()) };
    let ahead = Utc::now() + Duration::days(3 * 365 + 2) + Duration::minutes(5);
    note_from_a_fast_clock(&file, &bo_key, &code, "from the future", ahead);

    // Reading says nothing: nothing is signed.
    let out = ada.run(&[&"info", &file]);
    common::ok(&out);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("clock"));
    // Signing warns, with how much and whose change.
    let out = ada.run(&[&"note", &"add", &file, &code, &"--text", &"now"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        said.contains("this laptop's clock is 3 years 2 days behind the newest change"),
        "{said}"
    );
    assert!(said.contains("by Bo, dated"), "{said}");
    assert!(
        said.contains(&ahead.format("%Y-%m-%d").to_string()),
        "{said}"
    );
    assert!(said.contains("dated as that change"), "{said}");
    // Recorded, not refused: a clock ahead of everyone else's does not stop the others, and
    // the note is dated as the change it follows, so every copy applies it.
    common::ok(&out);
    let fresh = Laptop::with_key(&ada_key);
    let log = fresh.ok(&[&"log", &file, &code]);
    assert!(!log.contains("not applied"), "{log}");
    assert!(
        log.contains("WARNING: dated after this laptop's clock"),
        "{log}"
    );
    let json = fresh.ok(&[&"log", &file, &"--json"]);
    let commits: serde_json::Value = serde_json::from_str(&json).unwrap();
    let last = commits.as_array().unwrap().last().unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(last["at"].as_str().unwrap()).unwrap();
    assert!(at.to_utc() >= ahead, "{last}");
    let shown = fresh.ok(&[&"case", &"show", &file, &code]);
    assert!(
        shown.contains("now") && shown.contains("from the future"),
        "{shown}"
    );
}

/// A copy written on a laptop whose clock ran ahead, merged into a file that has changes of
/// its own: the merge commit is dated as the newest commit it follows, so no copy holds it
/// (or anything after it) as dated before its parents.
#[test]
fn merging_a_copy_from_a_fast_clock_holds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let Committee {
        ada_key,
        bo_key,
        ada,
        file,
        code,
    } = committee(dir);
    let copy = dir.join("bo-copy.cases.age");
    std::fs::copy(&file, &copy).unwrap();
    ada.ok(&[&"note", &"add", &file, &code, &"--text", &"ada on time"]);

    let state = tempfile::tempdir().unwrap();
    // SAFETY: set before the library opens anything in this test; it only decides where
    // this test's pins go (the binary runs get their own through `Laptop`).
    unsafe { std::env::set_var("XDG_STATE_HOME", state.path()) };
    let ahead = Utc::now() + Duration::days(400);
    note_from_a_fast_clock(&copy, &bo_key, &code, "bo from the future", ahead);

    ada.ok(&[&"merge", &file, &copy]);
    let fresh = Laptop::with_key(&ada_key);
    let log = fresh.ok(&[&"log", &file]);
    assert!(!log.contains("not applied"), "{log}");
    let attention = fresh.ok(&[&"attention", &file]);
    assert!(attention.contains("nothing needs attention"), "{attention}");
    let shown = fresh.ok(&[&"case", &"show", &file, &code]);
    assert!(
        shown.contains("ada on time") && shown.contains("bo from the future"),
        "{shown}"
    );
    // The merge commit (the newest) is dated no earlier than Bo's commit it follows.
    let json = fresh.ok(&[&"log", &file, &"--json"]);
    let commits: serde_json::Value = serde_json::from_str(&json).unwrap();
    let merge = commits
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["merges"].as_bool() == Some(true))
        .expect("a merge commit");
    let at = chrono::DateTime::parse_from_rfc3339(merge["at"].as_str().unwrap()).unwrap();
    assert!(at.to_utc() >= ahead, "{merge}");
}

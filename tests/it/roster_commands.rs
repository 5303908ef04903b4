//! Commands a committee was missing: changing a member's role, re-adding a removed member,
//! withdrawing a conflict of interest, and recording what an emergency review decided. Each is
//! a signed event, so the file still verifies (and `age` agrees on who can read it).

use crate::common;

use std::path::Path;

use common::{fails, have, member_key, ok, run};

fn as_(key: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> std::process::Output {
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"-i", &key];
    all.extend_from_slice(args);
    run(&all)
}

fn members_json(key: &Path, file: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&as_(key, &[&"member", &"list", &file, &"--json"]))).unwrap()
}

#[test]
fn a_chair_hands_over_and_the_last_chair_refusal_names_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let ada = member_key(dir.path(), "ada");
    let bo = member_key(dir.path(), "bo");
    let file = common::case_file(dir.path(), &ada);
    let bo_pub = dir.path().join("bo.pub");
    ok(&as_(
        &ada,
        &[
            &"member", &"add", &file, &"--name", &"Bo", &"--key", &bo_pub,
        ],
    ));

    let err = fails(&as_(
        &ada,
        &[&"member", &"role", &file, &"Ada Chair", &"member"],
    ));
    assert!(
        err.contains("last chair") && err.contains("casebook member role"),
        "{err}"
    );
    let err = fails(&as_(&bo, &[&"member", &"role", &file, &"Bo", &"chair"]));
    assert!(err.contains("only a chair"), "{err}");

    ok(&as_(&ada, &[&"member", &"role", &file, &"Bo", &"chair"]));
    // One chair does not demote another alone: a motion, which a majority passes.
    let out = ok(&as_(
        &bo,
        &[&"member", &"role", &file, &"Ada Chair", &"member"],
    ));
    assert!(out.contains("waits for a majority"), "{out}");
    assert_eq!(
        members_json(&bo, &file)
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "Ada Chair")
            .unwrap()["role"],
        "chair",
        "not yet"
    );
    let item = out.rsplit("--item ").next().unwrap().trim().to_string();
    let approved = ok(&as_(&ada, &[&"approve", &file, &"--item", &item]));
    assert!(approved.contains("takes effect now"), "{approved}");
    let roster = members_json(&bo, &file);
    let role = |name: &str| {
        roster
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["role"]
            .clone()
    };
    assert_eq!(role("Bo"), "chair");
    assert_eq!(role("Ada Chair"), "member");
    // The history verifies, and says what happened.
    let log = ok(&as_(&bo, &[&"log", &file]));
    assert!(log.contains("made Bo a chair"), "{log}");
    // Ada is an ordinary member now: the roster is hers no more.
    let err = fails(&as_(&ada, &[&"member", &"remove", &file, &"Bo"]));
    assert!(err.contains("only a chair"), "{err}");
}

#[test]
fn a_removed_member_can_be_added_again() {
    let dir = tempfile::tempdir().unwrap();
    let ada = member_key(dir.path(), "ada");
    let bo = member_key(dir.path(), "bo");
    let file = common::case_file(dir.path(), &ada);
    let bo_pub = dir.path().join("bo.pub");
    ok(&as_(
        &ada,
        &[
            &"member", &"add", &file, &"--name", &"Bo", &"--key", &bo_pub,
        ],
    ));
    ok(&as_(&ada, &[&"member", &"remove", &file, &"Bo"]));
    fails(&as_(&bo, &[&"info", &file]));

    let bo2 = member_key(dir.path(), "bo2");
    let bo2_pub = dir.path().join("bo2.pub");
    let out = ok(&as_(
        &ada,
        &[
            &"member", &"add", &file, &"--name", &"Bo", &"--key", &bo2_pub,
        ],
    ));
    assert!(out.contains("re-added Bo"), "{out}");
    ok(&as_(
        &bo2,
        &[&"case", &"new", &file, &"--title", &"Bo is back"],
    ));
    let roster = members_json(&ada, &file);
    let bos: Vec<_> = roster
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["name"] == "Bo")
        .collect();
    assert_eq!(bos.len(), 1, "the same member, not a second Bo");
    assert_eq!(bos[0]["active"], true);
    if have("age") {
        let status = std::process::Command::new("age")
            .args(["-d", "-o", "/dev/null", "-i"])
            .arg(&bo2)
            .arg(&file)
            .status()
            .unwrap();
        assert!(status.success(), "the file is encrypted to Bo's new key");
    }
}

#[test]
fn a_conflict_is_withdrawn_and_a_review_records_its_result() {
    let dir = tempfile::tempdir().unwrap();
    let ada = member_key(dir.path(), "ada");
    let bo = member_key(dir.path(), "bo");
    let file = common::case_file(dir.path(), &ada);
    let bo_pub = dir.path().join("bo.pub");
    ok(&as_(
        &ada,
        &[
            &"member", &"add", &file, &"--name", &"Bo", &"--key", &bo_pub,
        ],
    ));
    let code = ok(&as_(&ada, &[&"case", &"new", &file, &"--title", &"Report"]));
    let code = code.trim();

    // Neither flag: the message names all three choices.
    let out = as_(&ada, &[&"conflict", &file, &code]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--withdraw") && err.contains("--soft"),
        "{err}"
    );

    let err = fails(&as_(&ada, &[&"conflict", &file, &code, &"--withdraw"]));
    assert!(err.contains("no conflict"), "{err}");
    ok(&as_(&ada, &[&"conflict", &file, &code, &"--soft"]));
    ok(&as_(
        &ada,
        &[
            &"conflict",
            &file,
            &code,
            &"--withdraw",
            &"--reason",
            &"misread the names",
        ],
    ));
    let shown: serde_json::Value = serde_json::from_str(&ok(&as_(
        &ada,
        &[&"case", &"show", &file, &code, &"--json"],
    )))
    .unwrap();
    let conflicts = &shown["case"]["conflicts"];
    assert!(
        conflicts.is_null() || conflicts.as_object().is_some_and(|c| c.is_empty()),
        "{conflicts}"
    );

    ok(&as_(
        &ada,
        &[
            &"emergency",
            &"record",
            &file,
            &code,
            &"--action",
            &"muted the account",
        ],
    ));
    let out = as_(
        &bo,
        &[&"emergency", &"review", &file, &code, &"--note", &"fine"],
    );
    assert!(!out.status.success(), "a review says its result");
    let out = ok(&as_(
        &bo,
        &[
            &"emergency",
            &"review",
            &file,
            &code,
            &"--note",
            &"too broad",
            &"--result",
            &"lifted",
        ],
    ));
    assert!(out.contains("lifted"), "{out}");
    let shown = ok(&as_(&ada, &[&"case", &"show", &file, &code]));
    assert!(shown.contains("(lifted)"), "{shown}");
    // Everything still verifies on a fresh open.
    ok(&as_(&bo, &[&"log", &file]));
}

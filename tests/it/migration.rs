//! Opening a file written by an older casebook migrates it in memory only: the file on disk
//! is untouched until a save, and the derived case state is rebuilt from the events.

use crate::common;

use std::fs;
use std::path::Path;

use common::{ok, run};

#[test]
fn a_schema_1_file_opens_migrated_and_is_unchanged_on_disk() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1-demo.cases.age");
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/identity");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.cases.age");
    fs::copy(&fixture, &file).unwrap();
    let before = fs::read(&file).unwrap();

    let stdout = ok(&run(&[&"-i", &key, &"info", &file]));
    assert!(
        stdout.contains(&format!(
            "schema     version {}",
            casebook_vault::SCHEMA_VERSION
        )),
        "{stdout}"
    );
    assert!(stdout.contains("cases      12"), "{stdout}");
    assert_eq!(fs::read(&file).unwrap(), before, "opening must not write");

    // Its cases, rebuilt from the events, are listed like any others.
    let list = ok(&run(&[
        &"-i", &key, &"case", &"list", &file, &"--queue", &"closed", &"--json",
    ]));
    let cases: serde_json::Value = serde_json::from_str(&list).unwrap();
    let names: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code_name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"slate-orchard"), "{names:?}");
}

/// Event ids of a case file, read with the independent tools (age, sqlite3).
fn event_ids(key: &Path, file: &Path) -> Vec<String> {
    let db = file.with_extension("plain.db");
    common::age_decrypt(key, file, &db);
    let out = common::sqlite(&db, "SELECT id FROM events ORDER BY seq;");
    fs::remove_file(&db).unwrap();
    out.lines().map(str::to_string).collect()
}

#[test]
fn files_from_before_signed_history_are_adopted_by_a_chair_and_keep_every_event() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chair = root.join("assets/demo/identity");
    let member = root.join("assets/demo/members/sam");
    for fixture in ["v1-demo.cases.age", "v2-demo.cases.age"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("old.cases.age");
        fs::copy(root.join("tests/fixtures").join(fixture), &file).unwrap();
        let before = event_ids(&chair, &file);
        assert!(before.len() > 50, "{fixture}: {} events", before.len());

        // A member cannot adopt it; nothing is written.
        let bytes = fs::read(&file).unwrap();
        let code = "slate-orchard";
        let refused = common::fails(&run(&[
            &"-i",
            &member,
            &"note",
            &"add",
            &file,
            &code,
            &"--text",
            &"by a member",
        ]));
        assert!(refused.contains("only a chair can adopt it"), "{refused}");
        assert_eq!(fs::read(&file).unwrap(), bytes);

        let refused = common::fails(&run(&[&"-i", &member, &"adopt", &file]));
        assert!(refused.contains("only a chair can adopt it"), "{refused}");
        // A chair adopts it with one signed commit; then changes are recorded as usual.
        let out = run(&[&"-i", &chair, &"adopt", &file]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("written before casebook signed its history"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let after = event_ids(&chair, &file);
        assert!(
            before.iter().all(|id| after.contains(id)),
            "{fixture}: every event is kept"
        );
        assert!(after.len() > before.len());
        let log = ok(&run(&[&"-i", &chair, &"log", &file]));
        assert!(
            log.contains("adopts the history written before signing"),
            "{log}"
        );

        // A laptop that never saw it verifies the adopted history in full.
        let fresh = tempfile::tempdir().unwrap();
        let out = common::casebook()
            .env("XDG_STATE_HOME", fresh.path())
            .args(["-i"])
            .arg(&member)
            .arg("info")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("committee  SHA256:"));
        assert!(String::from_utf8_lossy(&out.stderr).contains("first time this laptop"));
    }
}

//! Opening a file written by an older casebook migrates it in memory only: the file on disk
//! is untouched until a save, and the derived case state is rebuilt from the events.

mod common;

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
            casebook::vault::SCHEMA_VERSION
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

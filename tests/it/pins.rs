//! What a laptop remembers (its pins, like SSH's known_hosts) survives damage: a damaged pins
//! file is named, moved aside and restored from its backup; the member is told what trust was
//! lost; and pins are written atomically, with nothing left behind by a killed writer.

use crate::common;

use std::path::{Path, PathBuf};

use common::Laptop;

fn state(laptop: &Laptop) -> PathBuf {
    laptop.home.path().join("state").join("casebook")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: Laptop,
    code: String,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let key = common::member_key(&dir, "ada");
    let ada = Laptop::with_key(&key);
    let file = dir.join("committee.cases.age");
    ada.ok(&[&"init", &file, &"--name", &"Ada"]);
    let code = ada
        .ok(&[&"case", &"new", &file, &"--title", &"Hostile replies"])
        .trim()
        .to_string();
    Setup {
        _tmp: tmp,
        dir,
        file,
        ada,
        code,
    }
}

/// A damaged pins file: `info` still works, says what happened, and the backup's trust holds
/// (an older copy is still refused).
#[test]
fn a_damaged_pins_file_is_moved_aside_and_restored_from_its_backup() {
    let s = setup();
    let old = s.dir.join("old.cases.age");
    std::fs::copy(&s.file, &old).unwrap();
    s.ada
        .ok(&[&"note", &"add", &s.file, &s.code, &"--text", &"one"]);
    s.ada
        .ok(&[&"note", &"add", &s.file, &s.code, &"--text", &"two"]);
    let pins = state(&s.ada).join("pins.json");
    assert!(
        state(&s.ada).join("pins.json.bak").exists(),
        "a backup is kept"
    );
    std::fs::write(&pins, b"{\"committees\": {\"SHA256:tru").unwrap();

    let out = s.ada.run(&[&"info", &s.file]);
    common::ok(&out);
    let said = stderr(&out);
    assert!(
        said.contains("pins file") && said.contains("was damaged"),
        "{said}"
    );
    assert!(said.contains("restored from its backup"), "{said}");
    assert!(said.contains("is lost"), "what trust was lost: {said}");
    let kept: Vec<String> = names(&state(&s.ada))
        .into_iter()
        .filter(|n| n.starts_with("pins.json.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept aside");
    assert_eq!(
        std::fs::read(state(&s.ada).join(&kept[0])).unwrap(),
        b"{\"committees\": {\"SHA256:tru"
    );
    let text = std::fs::read_to_string(&pins).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).expect("pins.json parses again");
    // Said once: the next command finds nothing to repair.
    let again = s.ada.run(&[&"info", &s.file]);
    assert!(!stderr(&again).contains("damaged"), "{}", stderr(&again));

    // The restored pins still know this file's history: an older copy put in its place is
    // refused, not trusted.
    std::fs::copy(&old, &s.file).unwrap();
    std::fs::copy(&old, common::backup(&s.file)).unwrap();
    let refused = common::fails_with(
        &s.ada
            .run(&[&"note", &"add", &s.file, &s.code, &"--text", &"x"]),
        common::exit::OLDER_COPY,
    );
    assert!(refused.contains("is an older copy"), "{refused}");
}

/// Without a usable backup every pin is lost, and the member is told exactly that; nothing is
/// blocked.
#[test]
fn a_damaged_pins_file_without_a_backup_says_every_pin_is_lost() {
    let s = setup();
    let dir = state(&s.ada);
    std::fs::write(dir.join("pins.json"), [0xff, 0xfe, 0x00]).unwrap();
    std::fs::write(dir.join("pins.json.bak"), b"not json either").unwrap();
    let out = s.ada.run(&[&"info", &s.file]);
    common::ok(&out);
    let said = stderr(&out);
    assert!(said.contains("had no usable backup"), "{said}");
    assert!(said.contains("forgotten"), "{said}");
    // The committee is new to the laptop again: the member is asked to check the fingerprint.
    assert!(
        said.contains("first time this laptop opens this committee"),
        "{said}"
    );
    // And changes go on.
    s.ada
        .ok(&[&"note", &"add", &s.file, &s.code, &"--text", &"goes on"]);
}

/// A writer killed while writing the pins leaves a temporary file; the next write removes
/// exactly those, and nothing else.
#[test]
fn pins_leave_no_temporary_files_behind() {
    let s = setup();
    let dir = state(&s.ada);
    for leftover in [
        ".pins.json.4242.tmp",
        ".pins.json.Ab3dE9.tmp",
        ".pins.json.Ab3dE9.bak.tmp",
    ] {
        std::fs::write(dir.join(leftover), b"{}").unwrap();
    }
    let unrelated = ".pins.json.notes.txt";
    std::fs::write(dir.join(unrelated), b"mine").unwrap();
    s.ada
        .ok(&[&"note", &"add", &s.file, &s.code, &"--text", &"one"]);
    assert_eq!(
        names(&dir),
        [unrelated, "pins.json", "pins.json.bak", "pins.lock"]
    );
}

//! Invariant 5 on the command line: text stored in the file (code names, titles, member names,
//! notes, party names) and text in files beside it (the lock's holder note, a planted table's
//! name) never reaches the terminal raw, in plain output or in `--json`.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::{have, member_key, run};

/// An OSC 52 clipboard write, a screen clear, a C1 CSI, a bidi override and a zero-width
/// space: each would act on a terminal if printed raw.
const HOSTILE: &str = "X\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J\u{9b}31m\u{202e}\u{200b}\u{1d173}Y";

/// Raw characters that must never be printed.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| c != '\n' && c != '\t' && casebook::core::sanitize::is_unsafe(c))
        .collect()
}

fn check(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let raw = raw_controls(&text);
        assert!(raw.is_empty(), "{what}: raw {raw:?} on {stream}: {text}");
    }
}

fn as_key(key: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"-i", &key];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn no_cli_output_carries_stored_hostile_text_raw() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "chair");
    let file = dir.path().join("c.cases.age");
    let name = format!("Ada {HOSTILE}");
    common::ok(&run(&[&"-i", &key, &"init", &file, &"--name", &name]));
    let other = member_key(dir.path(), "other");
    let other_pub = format!("{}.pub", other.display());
    common::ok(&as_key(
        &key,
        &[
            &"member", &"add", &file, &"--name", &HOSTILE, &"--key", &other_pub,
        ],
    ));
    let code = common::ok(&as_key(
        &key,
        &[
            &"case",
            &"new",
            &file,
            &"--title",
            &HOSTILE,
            &"--summary",
            &HOSTILE,
        ],
    ));
    let code = code.trim().to_string();
    check(
        "case new",
        &as_key(&key, &[&"note", &"add", &file, &code, &"--text", &HOSTILE]),
    );
    check(
        "party add",
        &as_key(
            &key,
            &[
                &"party",
                &"add",
                &file,
                &code,
                &"--role",
                &"reporter",
                &"--name",
                &HOSTILE,
            ],
        ),
    );
    check(
        "edit",
        &as_key(
            &key,
            &[&"case", &"edit", &file, &code, &"--venue", &HOSTILE],
        ),
    );

    let code_ref: &str = &code;
    let runs: Vec<(&str, Vec<&dyn AsRef<std::ffi::OsStr>>)> = vec![
        ("info", vec![&"info", &file]),
        ("info --json", vec![&"info", &file, &"--json"]),
        ("case list", vec![&"case", &"list", &file]),
        ("case list --json", vec![&"case", &"list", &file, &"--json"]),
        ("case show", vec![&"case", &"show", &file, &code_ref]),
        (
            "case show --json",
            vec![&"case", &"show", &file, &code_ref, &"--json"],
        ),
        ("search", vec![&"search", &file, &"Y"]),
        ("search --json", vec![&"search", &file, &"Y", &"--json"]),
        ("member list", vec![&"member", &"list", &file]),
        (
            "member list --json",
            vec![&"member", &"list", &file, &"--json"],
        ),
        ("log", vec![&"log", &file]),
        ("log --json", vec![&"log", &file, &"--json"]),
        ("assign error", vec![&"assign", &file, &code_ref, &HOSTILE]),
        ("unknown case", vec![&"case", &"show", &file, &HOSTILE]),
        ("settings --json", vec![&"settings", &file, &"--json"]),
    ];
    for (what, args) in runs {
        let out = as_key(&key, &args);
        check(what, &out);
        if what.ends_with("--json") {
            let text = common::ok(&out);
            let value: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"));
            // Escaped, not altered: the stored text comes back whole.
            if what != "settings --json" && what != "log --json" {
                assert!(value.to_string().contains("\\u001b]52"), "{what}: {value}");
            }
        }
    }
    // The "similar:" list of an unknown code name quotes stored code names.
    let first = code.split('-').next().unwrap().to_string();
    check(
        "similar",
        &as_key(
            &key,
            &[&"case", &"show", &file, &format!("{first}-{HOSTILE}")],
        ),
    );
}

#[test]
fn the_lock_holders_note_is_shown_sanitised() {
    if !have("flock") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "chair");
    let file = common::case_file(dir.path(), &key);
    let lock = format!("{}.lock", file.display());
    std::fs::write(&lock, HOSTILE).unwrap();
    // Someone holds the lock (flock(1) takes the same kind of lock casebook does).
    let mut holder = Command::new("flock")
        .arg(&lock)
        .args(["sleep", "5"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = as_key(&key, &[&"case", &"new", &file, &"--title", &"t"]);
    let _ = holder.kill();
    let _ = holder.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("open in another casebook"), "{stderr}");
    check("lock holder", &out);
}

#[test]
fn a_planted_table_with_a_hostile_name_is_refused_in_visible_words() {
    if !(have("age") && have("sqlite3")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "chair");
    let file = common::case_file(dir.path(), &key);
    let db = dir.path().join("plain.db");
    common::age_decrypt(&key, &file, &db);
    let sql = format!("CREATE TABLE \"{}\" (x);", HOSTILE.replace('"', "\"\""));
    common::sqlite(&db, &sql);
    let forged = dir.path().join("forged.cases.age");
    common::age_encrypt(&dir.path().join("chair.pub"), &db, &forged);
    let _ = std::fs::remove_file(&db);
    let out = as_key(&key, &[&"info", &forged]);
    assert!(!out.status.success());
    check("planted table", &out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("␛]52"), "shown visibly: {stderr}");
}

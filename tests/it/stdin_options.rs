//! Every free-text option reads `-` from standard input (case text on the command line is seen
//! by `ps` and kept in shell history): one test per option, each running the real binary with
//! the text piped in and then finding it in the decrypted file, never a literal "-".

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{casebook, demo_key, ok, query_decrypted};

/// The demo committee saved to a file in `dir`, opened as Robin (the chair).
fn demo(dir: &Path) -> PathBuf {
    let file = dir.join("demo.cases.age");
    ok(&common::run(&[&"demo", &"--save-as", &file]));
    file
}

/// Run casebook as `member` on `dir`'s own laptop with `args`, `text` piped to standard input.
fn piped(dir: &Path, member: &str, args: &[&str], file: &Path, text: &str) -> String {
    let mut cmd = casebook();
    cmd.env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .arg("-i")
        .arg(demo_key(member));
    // The case file goes where FILE stands: after the subcommand words.
    let words = args
        .iter()
        .take_while(|a| !a.starts_with("--") && **a != "FILE");
    let words: Vec<&str> = words.copied().collect();
    cmd.args(&words).arg(file).args(&args[words.len() + 1..]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{text}\n").as_bytes())
        .unwrap();
    ok(&child.wait_with_output().unwrap())
}

/// How many stored events' payloads hold `text`, read with `age` and `sqlite3`.
fn events_holding(file: &Path, text: &str) -> u32 {
    query_decrypted(
        &demo_key("robin"),
        file,
        &format!("SELECT count(*) FROM events WHERE payload LIKE '%{text}%'"),
    )
    .trim()
    .parse()
    .unwrap()
}

/// `args` (with `FILE` where the case file goes and `-` for the option under test) run with
/// a marker piped in; the marker must then be in the file's events.
fn reads_stdin(member: &str, args: &[&str]) {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path());
    let marker = format!("piped-{}", uuid::Uuid::new_v4().simple());
    piped(dir.path(), member, args, &file, &marker);
    assert!(
        events_holding(&file, &marker) >= 1,
        "{args:?}: the piped text is not in the file"
    );
}

#[test]
fn note_add_text() {
    reads_stdin(
        "robin",
        &["note", "add", "FILE", "ember-tundra", "--text", "-"],
    );
}

#[test]
fn case_new_title() {
    reads_stdin("robin", &["case", "new", "FILE", "--title", "-"]);
}

#[test]
fn case_new_summary() {
    reads_stdin(
        "robin",
        &["case", "new", "FILE", "--title", "t", "--summary", "-"],
    );
}

#[test]
fn case_edit_title() {
    reads_stdin(
        "robin",
        &["case", "edit", "FILE", "ember-tundra", "--title", "-"],
    );
}

#[test]
fn case_edit_summary() {
    reads_stdin(
        "robin",
        &["case", "edit", "FILE", "ember-tundra", "--summary", "-"],
    );
}

#[test]
fn case_edit_venue() {
    reads_stdin(
        "robin",
        &["case", "edit", "FILE", "ember-tundra", "--venue", "-"],
    );
}

#[test]
fn case_edit_scope_reason() {
    reads_stdin(
        "robin",
        &[
            "case",
            "edit",
            "FILE",
            "ember-tundra",
            "--scope",
            "in",
            "--scope-reason",
            "-",
        ],
    );
}

#[test]
fn case_edit_clause() {
    reads_stdin(
        "robin",
        &["case", "edit", "FILE", "ember-tundra", "--clause", "-"],
    );
}

#[test]
fn case_edit_label() {
    reads_stdin(
        "robin",
        &["case", "edit", "FILE", "ember-tundra", "--label", "-"],
    );
}

#[test]
fn conflict_reason() {
    reads_stdin(
        "robin",
        &[
            "conflict",
            "FILE",
            "ember-tundra",
            "--soft",
            "--reason",
            "-",
        ],
    );
}

#[test]
fn decide_rationale() {
    reads_stdin(
        "robin",
        &[
            "decide",
            "FILE",
            "willow-compass",
            "--outcome",
            "warning",
            "--override",
            "--reason",
            "the weekly call agreed",
            "--rationale",
            "-",
        ],
    );
}

#[test]
fn decide_override_reason() {
    reads_stdin(
        "robin",
        &[
            "decide",
            "FILE",
            "willow-compass",
            "--outcome",
            "warning",
            "--rationale",
            "a clear breach",
            "--override",
            "--reason",
            "-",
        ],
    );
}

#[test]
fn comms_log_summary() {
    reads_stdin(
        "robin",
        &[
            "comms",
            "log",
            "FILE",
            "linen-falcon",
            "--to",
            "reporter",
            "--summary",
            "-",
        ],
    );
}

#[test]
fn emergency_record_action() {
    reads_stdin(
        "robin",
        &[
            "emergency",
            "record",
            "FILE",
            "ember-tundra",
            "--action",
            "-",
        ],
    );
}

#[test]
fn emergency_review_note() {
    reads_stdin(
        "robin",
        &[
            "emergency",
            "review",
            "FILE",
            "saffron-bridge",
            "--result",
            "upheld",
            "--note",
            "-",
        ],
    );
}

#[test]
fn party_add_name() {
    reads_stdin(
        "robin",
        &[
            "party",
            "add",
            "FILE",
            "ember-tundra",
            "--role",
            "witness",
            "--name",
            "-",
        ],
    );
}

#[test]
fn party_add_handle() {
    reads_stdin(
        "robin",
        &[
            "party",
            "add",
            "FILE",
            "ember-tundra",
            "--role",
            "witness",
            "--name",
            "W",
            "--handle",
            "-",
        ],
    );
}

#[test]
fn party_add_email() {
    reads_stdin(
        "robin",
        &[
            "party",
            "add",
            "FILE",
            "ember-tundra",
            "--role",
            "witness",
            "--name",
            "W",
            "--email",
            "-",
        ],
    );
}

#[test]
fn party_add_alias() {
    reads_stdin(
        "robin",
        &[
            "party",
            "add",
            "FILE",
            "ember-tundra",
            "--role",
            "witness",
            "--alias",
            "-",
        ],
    );
}

#[test]
fn member_remove_reason() {
    reads_stdin(
        "robin",
        &[
            "member",
            "remove",
            "FILE",
            "Tomás Ferreira",
            "--reason",
            "-",
        ],
    );
}

#[test]
fn record_text_title() {
    reads_stdin(
        "robin",
        &[
            "record-text",
            "FILE",
            "linen-falcon",
            "--for",
            "reporter",
            "--title",
            "-",
        ],
    );
}

#[test]
fn record_text_summary() {
    reads_stdin(
        "robin",
        &[
            "record-text",
            "FILE",
            "linen-falcon",
            "--for",
            "reported",
            "--title",
            "What happens now",
            "--summary",
            "-",
        ],
    );
}

#[test]
fn resolve_note() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path());
    let other = dir.path().join("other.cases.age");
    std::fs::copy(&file, &other).unwrap();
    let robin = demo_key("robin");
    let laptop = |args: &[&dyn AsRef<std::ffi::OsStr>]| {
        let mut cmd = casebook();
        cmd.env("XDG_STATE_HOME", dir.path().join("state"))
            .arg("-i")
            .arg(&robin);
        for a in args {
            cmd.arg(a);
        }
        ok(&cmd.output().unwrap())
    };
    // Two copies move the same case from where it stood to two places: the merge keeps both
    // moves and asks for attention.
    laptop(&[&"status", &file, &"ember-tundra", &"deliberating"]);
    laptop(&[&"status", &other, &"ember-tundra", &"out-of-scope"]);
    laptop(&[&"merge", &file, &other]);
    let listed: serde_json::Value =
        serde_json::from_str(&laptop(&[&"attention", &file, &"--json"])).unwrap();
    let item = listed[0]["item"]
        .as_str()
        .expect("an item needing attention")
        .to_string();
    let marker = format!("piped-{}", uuid::Uuid::new_v4().simple());
    piped(
        dir.path(),
        "robin",
        &[
            "resolve",
            "FILE",
            "ember-tundra",
            "--item",
            &item,
            "--note",
            "-",
        ],
        &file,
        &marker,
    );
    assert!(events_holding(&file, &marker) >= 1);
}

#[test]
fn a_dash_is_never_stored_as_the_text() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path());
    let before = events_holding(&file, "\"-\"");
    piped(
        dir.path(),
        "robin",
        &[
            "record-text",
            "FILE",
            "linen-falcon",
            "--for",
            "reporter",
            "--title",
            "Told",
            "--summary",
            "-",
        ],
        &file,
        "What you wrote for the reporter",
    );
    assert_eq!(
        events_holding(&file, "\"-\""),
        before,
        "no literal dash stored"
    );
    assert_eq!(events_holding(&file, "What you wrote for the reporter"), 1);
}

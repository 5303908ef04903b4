//! Scripts tell failures apart by exit code, one per class (the README's table), and can wait
//! for another writer instead of being refused: `--wait SECONDS`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{Laptop, exit, fails_with};

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
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
        key,
        file,
        ada,
        code,
    }
}

fn lock_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

#[test]
fn usage_errors_exit_2() {
    let s = setup();
    let out = s.ada.run(&[&"info", &s.file, &"--no-such-option"]);
    assert_eq!(out.status.code(), Some(exit::USAGE));
    // Arguments that parse but make no sense are usage errors too.
    let other = s.dir.join("other.cases.age");
    let said = fails_with(
        &s.ada.run(&[
            &"init",
            &other,
            &"--name",
            &"X",
            &"--email",
            &"not an address",
        ]),
        exit::USAGE,
    );
    assert!(said.contains("not a plain email address"), "{said}");
}

#[test]
fn a_missing_or_unreadable_file_exits_5() {
    let s = setup();
    let said = fails_with(
        &s.ada.run(&[&"info", &s.dir.join("nope.cases.age")]),
        exit::UNREADABLE,
    );
    assert!(said.contains("does not exist"), "{said}");
    // A key that is not a recipient cannot read it either.
    let stranger = common::member_key(&s.dir, "stranger");
    fails_with(
        &Laptop::with_key(&stranger).run(&[&"info", &s.file]),
        exit::UNREADABLE,
    );
}

#[test]
fn a_locked_file_exits_6_and_nothing_is_written() {
    let s = setup();
    // Another writer holds the lock (here: this test, as casebook would).
    let sidecar = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(&s.file))
        .unwrap();
    sidecar.lock().unwrap();
    let before = std::fs::read(&s.file).unwrap();
    let said = fails_with(
        &s.ada
            .run(&[&"note", &"add", &s.file, &s.code, &"--text", &"canary"]),
        exit::BUSY,
    );
    assert!(said.contains("open in another casebook"), "{said}");
    assert!(said.contains("--wait"), "{said}");
    // Waiting a little is not enough while it is held: still 6, still nothing written.
    fails_with(
        &s.ada.run(&[
            &"--wait", &"1", &"note", &"add", &s.file, &s.code, &"--text", &"canary",
        ]),
        exit::BUSY,
    );
    assert_eq!(std::fs::read(&s.file).unwrap(), before);
}

#[test]
fn an_older_copy_exits_7() {
    let s = setup();
    let old = s.dir.join("old.cases.age");
    std::fs::copy(&s.file, &old).unwrap();
    s.ada
        .ok(&[&"note", &"add", &s.file, &s.code, &"--text", &"newer"]);
    std::fs::copy(&old, &s.file).unwrap();
    std::fs::copy(&old, common::backup(&s.file)).unwrap();
    let said = fails_with(
        &s.ada
            .run(&[&"note", &"add", &s.file, &s.code, &"--text", &"x"]),
        exit::OLDER_COPY,
    );
    assert!(said.contains("is an older copy"), "{said}");
}

#[test]
fn a_file_that_fails_verification_exits_8() {
    let s = setup();
    let intact = std::fs::read(&s.file).unwrap();
    let mut bytes = intact.clone();
    let n = bytes.len();
    bytes[n - 40] ^= 0x01;
    std::fs::write(&s.file, &bytes).unwrap();
    let said = fails_with(&s.ada.run(&[&"info", &s.file]), exit::UNTRUSTED);
    assert!(said.contains("damaged"), "{said}");
    // Intact, but not the committee the chair named.
    std::fs::write(&s.file, &intact).unwrap();
    let said = fails_with(
        &s.ada.run(&[
            &"--committee",
            &"SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &"info",
            &s.file,
        ]),
        exit::UNTRUSTED,
    );
    assert!(said.contains("not the expected"), "{said}");
}

#[test]
fn a_change_the_rules_refuse_exits_9_and_nothing_is_written() {
    let s = setup();
    let before = std::fs::read(&s.file).unwrap();
    // A new case cannot be closed before it is acknowledged and worked on.
    let said = fails_with(
        &s.ada.run(&[&"status", &s.file, &s.code, &"deliberating"]),
        exit::RULE_REFUSED,
    );
    assert!(said.contains("hint: "), "{said}");
    assert_eq!(std::fs::read(&s.file).unwrap(), before);
}

#[test]
fn any_other_error_exits_1() {
    let s = setup();
    let said = fails_with(
        &s.ada.run(&[&"init", &s.file, &"--name", &"Ada"]),
        exit::FAILURE,
    );
    assert!(said.contains("already exists"), "{said}");
}

#[test]
fn the_manual_page_lists_every_exit_code() {
    let man = common::ok(&common::run(&[&"man"]));
    let section = man
        .split("EXIT STATUS")
        .nth(1)
        .expect("an EXIT STATUS section");
    for code in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] {
        assert!(
            section.contains(&format!("\\fB{code}\\fR")),
            "{code}: {section}"
        );
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for code in [5, 6, 7, 8, 9] {
        assert!(
            readme.contains(&format!("| {code} |")),
            "README lacks exit code {code}"
        );
    }
}

/// Ten writers at once, each waiting for the lock: none is refused, and all ten notes are in
/// the file, as a second laptop and `age` + `sqlite3` find it.
#[test]
fn ten_concurrent_writers_that_wait_all_get_their_change_in() {
    let s = setup();
    let children: Vec<_> = (0..10)
        .map(|n| {
            let mut cmd = common::casebook();
            cmd.env("HOME", s.ada.home.path())
                .env("XDG_CONFIG_HOME", s.ada.home.path().join("config"))
                .env("XDG_STATE_HOME", s.ada.home.path().join("state"))
                .arg("-i")
                .arg(&s.key)
                .args(["--wait", "600", "note", "add"])
                .arg(&s.file)
                .arg(&s.code)
                .args(["--text", &format!("canary-writer-{n}")])
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "a writer was refused: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let shown = Laptop::with_key(&s.key).ok(&[&"case", &"show", &s.file, &s.code]);
    for n in 0..10 {
        assert!(
            shown.contains(&format!("canary-writer-{n}")),
            "note {n} missing: {shown}"
        );
    }
    if common::have("age") && common::have("sqlite3") {
        let count = common::query_decrypted(
            &s.key,
            &s.file,
            "SELECT count(*) FROM events WHERE kind = 'note-added';",
        );
        assert_eq!(count.trim(), "10");
    }
}

//! `casebook keygen`: a member key that OpenSSH accepts, with the passphrase typed twice on a
//! real terminal (script(1) provides one), never taken from the command line.

use crate::common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{case_file, have, ok, run};

/// Run `casebook keygen -o KEY --passphrase` on a pseudo-terminal, typing `answers`.
fn keygen_on_a_terminal(key: &Path, answers: &[&str]) -> (bool, String) {
    let command = format!(
        "HOME=/nonexistent '{}' keygen -o '{}' --passphrase",
        env!("CARGO_BIN_EXE_casebook"),
        key.display()
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for answer in answers {
        std::thread::sleep(Duration::from_millis(300));
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_passphrase_typed_twice_protects_the_key_and_openssh_agrees() {
    if !have("script") || !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("member");
    let (success, screen) = keygen_on_a_terminal(&key, &["tea and biscuits", "tea and biscuits"]);
    assert!(success, "{screen}");
    assert!(
        screen.contains(&format!("New passphrase for {}:", key.display())),
        "{screen}"
    );
    assert!(screen.contains("Repeat the passphrase:"), "{screen}");
    assert!(
        !screen.contains("tea and biscuits"),
        "the passphrase was echoed: {screen}"
    );
    assert!(screen.contains("ssh-ed25519 AAAA"), "{screen}");
    assert_eq!(
        fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let derive = |passphrase: &str| {
        Command::new("ssh-keygen")
            .arg("-y")
            .arg("-P")
            .arg(passphrase)
            .arg("-f")
            .arg(&key)
            .output()
            .unwrap()
    };
    let out = derive("tea and biscuits");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = fs::read_to_string(dir.path().join("member.pub")).unwrap();
    let derived = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        derived.split_whitespace().nth(1),
        public.split_whitespace().nth(1)
    );
    assert!(
        !derive("").status.success(),
        "the key must not open without its passphrase"
    );

    // The protected key opens case files with the passphrase from a file (for scripts).
    let pass = dir.path().join("pass");
    fs::write(&pass, "tea and biscuits\n").unwrap();
    let file = dir.path().join("c.cases.age");
    ok(&run(&[
        &"-i",
        &key,
        &"--passphrase-file",
        &pass,
        &"init",
        &file,
        &"--name",
        &"Ada",
    ]));
}

#[test]
fn mismatched_passphrases_write_no_key() {
    if !have("script") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("member");
    let (success, screen) = keygen_on_a_terminal(&key, &["one thing", "another"]);
    assert!(!success, "{screen}");
    assert!(
        screen.contains("error: the passphrases did not match"),
        "{screen}"
    );
    assert!(!key.exists());
    assert!(!dir.path().join("member.pub").exists());
}

#[test]
fn an_unprotected_key_prints_its_public_line_and_opens_files() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("member");
    let stdout = ok(&run(&[
        &"keygen",
        &"-o",
        &key,
        &"--comment",
        &"ada@example.org",
    ]));
    let public = fs::read_to_string(dir.path().join("member.pub")).unwrap();
    assert_eq!(stdout, public);
    assert!(
        stdout.starts_with("ssh-ed25519 AAAA") && stdout.trim_end().ends_with("ada@example.org")
    );
    let file = case_file(dir.path(), &key);
    assert!(ok(&run(&[&"-i", &key, &"info", &file])).contains("opened as  Ada Chair"));
}

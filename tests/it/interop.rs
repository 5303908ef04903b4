//! casebook against independent implementations: the Go `age` CLI decrypts our files and we
//! decrypt its; `sqlite3` reads the decrypted database; keys made by `age-keygen`, `age -p`
//! and `ssh-keygen` open case files.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{age_decrypt, age_encrypt, case_file, fails, have, member_key, ok, run, sqlite};

#[test]
fn age_cli_decrypts_our_file_and_sqlite3_reads_it() {
    if !have("age") || !have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "ada.key");
    let file = case_file(dir.path(), &key);
    let plain = dir.path().join("plain.db");
    age_decrypt(&key, &file, &plain);
    assert_eq!(sqlite(&plain, "PRAGMA application_id").trim(), "1128418097");
    assert_eq!(
        sqlite(&plain, "PRAGMA user_version").trim(),
        casebook_vault::SCHEMA_VERSION.to_string()
    );
    assert_eq!(
        sqlite(&plain, "SELECT name, role FROM members").trim(),
        "Ada Chair|chair"
    );
    assert_eq!(sqlite(&plain, "PRAGMA integrity_check").trim(), "ok");
}

#[test]
fn armored_files_decrypt_with_age_too() {
    if !have("age") || !have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "ada.key");
    let file = dir.path().join("armored.cases.age");
    ok(&run(&[
        &"-i", &key, &"init", &file, &"--name", &"Ada", &"--armor",
    ]));
    assert!(
        fs::read(&file)
            .unwrap()
            .starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
    );
    let plain = dir.path().join("plain.db");
    age_decrypt(&key, &file, &plain);
    assert_eq!(
        sqlite(&plain, "PRAGMA user_version").trim(),
        casebook_vault::SCHEMA_VERSION.to_string()
    );
    // A later save keeps the armor.
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"3"]));
    assert!(
        fs::read(&file)
            .unwrap()
            .starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
    );
    assert!(ok(&run(&[&"-i", &key, &"info", &file])).contains("cases      3"));
}

#[test]
fn we_open_a_case_file_that_the_age_cli_encrypted() {
    if !have("age") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "ada.key");
    let file = case_file(dir.path(), &key);
    let plain = dir.path().join("plain.db");
    age_decrypt(&key, &file, &plain);
    let reencrypted = dir.path().join("by-age.cases.age");
    age_encrypt(&dir.path().join("ada.key.pub"), &plain, &reencrypted);
    let stdout = ok(&run(&[&"-i", &key, &"info", &reencrypted]));
    assert!(stdout.contains("opened as  Ada Chair"), "{stdout}");
}

/// A committee founded by an ssh-ed25519 chair, with the age identity `reader` added as a
/// member: age X25519 identities decrypt and read, they cannot sign changes.
fn case_file_with_age_reader(dir: &Path, reader: &Path) -> PathBuf {
    let chair = member_key(dir, "chair");
    let file = case_file(dir, &chair);
    let recipient = Command::new("age-keygen")
        .arg("-y")
        .arg(reader)
        .output()
        .unwrap();
    assert!(recipient.status.success());
    let recipient = String::from_utf8(recipient.stdout).unwrap();
    ok(&run(&[
        &"-i",
        &chair,
        &"member",
        &"add",
        &file,
        &"--name",
        &"Ada Reader",
        &"--key",
        &recipient.trim(),
    ]));
    // Recording with the age key is refused, with the reason and what to do.
    let refused = fails(&run(&[
        &"-i", &reader, &"case", &"new", &file, &"--title", &"t",
    ]));
    assert!(
        refused.contains("cannot sign changes: only OpenSSH ed25519 keys sign"),
        "{refused}"
    );
    let init = fails(&run(&[
        &"-i",
        &reader,
        &"init",
        &dir.join("other.cases.age"),
        &"--name",
        &"Ada",
    ]));
    assert!(init.contains("cannot sign changes"), "{init}");
    file
}

#[test]
fn an_age_keygen_identity_opens_case_files_read_only() {
    if !have("age-keygen") || !have("age") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let identity = dir.path().join("age.txt");
    let status = Command::new("age-keygen")
        .arg("-o")
        .arg(&identity)
        .stderr(Stdio::null())
        .status();
    assert!(status.unwrap().success());
    let file = case_file_with_age_reader(dir.path(), &identity);
    let stdout = ok(&run(&[&"-i", &identity, &"info", &file]));
    assert!(stdout.contains("age-x25519 age1"), "{stdout}");
    assert!(stdout.contains("opened as  Ada Reader"), "{stdout}");
    age_decrypt(&identity, &file, &dir.path().join("plain.db"));
}

#[test]
fn a_passphrase_protected_age_identity_opens_case_files() {
    if !have("age-keygen") || !have("age") || !have("script") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain_identity = dir.path().join("age.txt");
    let status = Command::new("age-keygen")
        .arg("-o")
        .arg(&plain_identity)
        .stderr(Stdio::null())
        .status();
    assert!(status.unwrap().success());
    let file = case_file_with_age_reader(dir.path(), &plain_identity);

    // `age -p` reads the passphrase only from a terminal: give it one with script(1).
    let protected = dir.path().join("age.txt.age");
    let command = format!(
        "age -p -o '{}' '{}'",
        protected.display(),
        plain_identity.display()
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for _ in 0..2 {
            std::thread::sleep(std::time::Duration::from_millis(300));
            stdin.write_all(b"correct horse battery\n").unwrap();
        }
    }
    assert!(child.wait().unwrap().success());
    assert!(
        fs::read(&protected)
            .unwrap()
            .starts_with(b"age-encryption.org/v1\n-> scrypt")
    );

    let passphrase = dir.path().join("pass");
    fs::write(&passphrase, "correct horse battery\n").unwrap();
    let stdout = ok(&run(&[
        &"-i",
        &protected,
        &"--passphrase-file",
        &passphrase,
        &"info",
        &file,
    ]));
    assert!(stdout.contains("opened as  Ada Reader"), "{stdout}");

    fs::write(&passphrase, "wrong\n").unwrap();
    let stderr = fails(&run(&[
        &"-i",
        &protected,
        &"--passphrase-file",
        &passphrase,
        &"info",
        &file,
    ]));
    assert!(stderr.contains("wrong passphrase for"), "{stderr}");
}

#[test]
fn ssh_keygen_ed25519_keys_work_plain_and_with_a_passphrase() {
    if !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("id_plain");
    let protected = dir.path().join("id_protected");
    for (key, passphrase) in [(&plain, ""), (&protected, "s3cret words")] {
        let status = Command::new("ssh-keygen")
            .args([
                "-q",
                "-t",
                "ed25519",
                "-C",
                "ada@example.org",
                "-N",
                passphrase,
                "-f",
            ])
            .arg(key)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let file = case_file(dir.path(), &plain);
    let public = fs::read_to_string(dir.path().join("id_protected.pub")).unwrap();
    let other = dir.path().join("second.cases.age");
    ok(&run(&[
        &"-i",
        &plain,
        &"init",
        &other,
        &"--name",
        &"Ada",
        &"--recipient",
        &public.trim(),
    ]));

    let pass = dir.path().join("pass");
    fs::write(&pass, "s3cret words\n").unwrap();
    let stdout = ok(&run(&[
        &"-i",
        &protected,
        &"--passphrase-file",
        &pass,
        &"info",
        &other,
    ]));
    assert!(
        stdout.contains("other recipients (not members):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("opened as  (a key that is not on the active roster)"),
        "{stdout}"
    );

    // The same key made by casebook's keygen is accepted by ssh-keygen.
    let ours = member_key(dir.path(), "ours");
    let out = Command::new("ssh-keygen")
        .arg("-y")
        .arg("-f")
        .arg(&ours)
        .output()
        .unwrap();
    assert!(out.status.success());
    let derived = String::from_utf8(out.stdout).unwrap();
    let written = fs::read_to_string(dir.path().join("ours.pub")).unwrap();
    assert_eq!(
        derived.split_whitespace().nth(1),
        written.split_whitespace().nth(1)
    );

    let stdout = ok(&run(&[&"-i", &plain, &"info", &file]));
    let fingerprint = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(dir.path().join("id_plain.pub"))
        .output();
    let fingerprint = String::from_utf8(fingerprint.unwrap().stdout).unwrap();
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap();
    assert!(
        stdout.contains(fingerprint),
        "info shows ssh-keygen's fingerprint {fingerprint}:\n{stdout}"
    );
}

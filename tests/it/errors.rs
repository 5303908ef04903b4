//! Every error a user can cause with a case file or a key: a one-line message naming the file,
//! a hint, exit code 1, no panic, and the file's bytes unchanged.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use common::{
    age_decrypt, age_encrypt, case_file, casebook, fails, have, member_key, ok, run, sqlite,
};

/// Run `casebook info FILE` with `key` and return stderr, checking the file is untouched.
fn info_fails(key: &Path, file: &Path) -> String {
    let before = fs::read(file).unwrap();
    let stderr = fails(&run(&[&"-i", &key, &"info", &file]));
    assert_eq!(
        fs::read(file).unwrap(),
        before,
        "{} was modified",
        file.display()
    );
    stderr
}

/// A case file big enough to span many age chunks (about 1 MB).
fn sizeable_case_file(dir: &Path, key: &Path) -> std::path::PathBuf {
    let file = case_file(dir, key);
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"150"]));
    file
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let missing = dir.path().join("nope.cases.age");
    let stderr = fails(&run(&[&"-i", &key, &"info", &missing]));
    assert!(
        stderr.contains(&format!("error: {} does not exist", missing.display())),
        "{stderr}"
    );
    assert!(!dir.path().join("nope.cases.age.lock").exists());
}

#[test]
fn a_file_that_is_not_age_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = dir.path().join("notes.txt");
    fs::write(&file, "just some notes\n").unwrap();
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("notes.txt is not an age-encrypted file"),
        "{stderr}"
    );
}

#[test]
fn a_plaintext_sqlite_database_is_called_out() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = dir.path().join("leaked.cases.age");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(4096, 0);
    fs::write(&file, bytes).unwrap();
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("is a plaintext SQLite database, not an encrypted case file"),
        "{stderr}"
    );
    assert!(stderr.contains("delete it securely"), "{stderr}");
}

#[test]
fn a_key_that_is_not_a_recipient_is_told_so() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "ada");
    let stranger = member_key(dir.path(), "stranger");
    let file = case_file(dir.path(), &key);
    let stderr = info_fails(&stranger, &file);
    assert!(
        stderr.contains(&format!(
            "committee.cases.age is not encrypted to the identity {}",
            stranger.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("casebook member add"), "{stderr}");
}

#[test]
fn a_wrong_passphrase_is_named_and_the_key_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "the right one\n").unwrap();
    let key = dir.path().join("protected");
    ok(&run(&[&"--passphrase-file", &pass, &"keygen", &"-o", &key]));
    let key_bytes = fs::read(&key).unwrap();
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

    fs::write(&pass, "the wrong one\n").unwrap();
    let before = fs::read(&file).unwrap();
    let stderr = fails(&run(&[
        &"-i",
        &key,
        &"--passphrase-file",
        &pass,
        &"info",
        &file,
    ]));
    assert!(
        stderr.contains(&format!("wrong passphrase for {}", key.display())),
        "{stderr}"
    );
    assert_eq!(fs::read(&file).unwrap(), before);
    assert_eq!(fs::read(&key).unwrap(), key_bytes);
}

#[test]
fn a_protected_key_without_a_terminal_says_how_to_give_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "pw\n").unwrap();
    let key = dir.path().join("protected");
    ok(&run(&[&"--passphrase-file", &pass, &"keygen", &"-o", &key]));
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

    // A new session has no controlling terminal, as under cron or CI.
    let mut cmd = casebook();
    cmd.arg("-i").arg(&key).arg("info").arg(&file);
    // SAFETY: setsid is async-signal-safe and only detaches the child from the terminal.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let stderr = fails(&cmd.output().unwrap());
    assert!(
        stderr.contains("is passphrase-protected and there is no terminal"),
        "{stderr}"
    );
    assert!(stderr.contains("--passphrase-file"), "{stderr}");
}

#[test]
fn a_truncated_file_is_reported_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = sizeable_case_file(dir.path(), &key);
    let bytes = fs::read(&file).unwrap();
    fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("is truncated or damaged at its end"),
        "{stderr}"
    );
    assert!(stderr.contains("casebook recover "), "{stderr}");

    // Cut inside the header, too.
    fs::write(&file, &bytes[..40]).unwrap();
    let stderr = info_fails(&key, &file);
    assert!(stderr.contains("is truncated"), "{stderr}");
}

#[test]
fn tampered_ciphertext_is_not_mistaken_for_a_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = sizeable_case_file(dir.path(), &key);
    let original = fs::read(&file).unwrap();

    let mut payload = original.clone();
    let middle = payload.len() / 2;
    payload[middle] ^= 0x01;
    fs::write(&file, &payload).unwrap();
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("is damaged or was tampered with"),
        "{stderr}"
    );
    assert!(!stderr.contains("not encrypted to"), "{stderr}");

    // The header's MAC line: change one character of it.
    let mut header = original.clone();
    let mac = original.windows(4).position(|w| w == b"\n---").unwrap() + 6;
    header[mac] = if header[mac] == b'A' { b'B' } else { b'A' };
    fs::write(&file, &header).unwrap();
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("tampered with: its header fails authentication"),
        "{stderr}"
    );
}

#[test]
fn an_age_file_that_is_not_a_case_file_is_refused() {
    if !have("age") || !have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let recipients = dir.path().join("k.pub");
    let encrypt = |input: &Path, output: &Path| age_encrypt(&recipients, input, output);

    let text = dir.path().join("text");
    fs::write(&text, "a letter, not a database").unwrap();
    let file = dir.path().join("letter.age");
    encrypt(&text, &file);
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("decrypts, but is not a casebook file"),
        "{stderr}"
    );

    let db = dir.path().join("other.db");
    sqlite(&db, "CREATE TABLE t(x); PRAGMA application_id = 42;");
    let file = dir.path().join("other.cases.age");
    encrypt(&db, &file);
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("not a casebook file (SQLite application_id is 0x2a)"),
        "{stderr}"
    );
}

#[test]
fn a_newer_schema_is_never_opened_or_written() {
    if !have("age") || !have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    let plain = dir.path().join("plain.db");
    age_decrypt(&key, &file, &plain);
    sqlite(&plain, "PRAGMA user_version = 99");
    fs::remove_file(&file).unwrap();
    age_encrypt(&dir.path().join("k.pub"), &plain, &file);

    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains(&format!(
            "uses schema version 99, newer than this casebook supports ({})",
            casebook_vault::SCHEMA_VERSION
        )),
        "{stderr}"
    );
    assert!(stderr.contains("upgrade casebook"), "{stderr}");
    let before = fs::read(&file).unwrap();
    let stderr = fails(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"1"]));
    assert!(stderr.contains("schema version 99"), "{stderr}");
    assert_eq!(fs::read(&file).unwrap(), before);
}

#[test]
fn init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    let before = fs::read(&file).unwrap();
    let stderr = fails(&run(&[&"-i", &key, &"init", &file, &"--name", &"Mallory"]));
    assert!(
        stderr.contains("already exists; casebook will not overwrite it"),
        "{stderr}"
    );
    assert_eq!(fs::read(&file).unwrap(), before);
}

#[test]
fn keygen_never_overwrites_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let before = fs::read(&key).unwrap();
    let stderr = fails(&run(&[&"keygen", &"-o", &key]));
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(fs::read(&key).unwrap(), before);
    assert_eq!(
        fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn keys_casebook_cannot_use_are_named_precisely() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);

    let stderr = info_fails(&dir.path().join("k.pub"), &file);
    assert!(
        stderr.contains("k.pub is a public key; casebook needs the private key"),
        "{stderr}"
    );
    assert!(stderr.contains("the one without .pub"), "{stderr}");

    let junk = dir.path().join("junk");
    fs::write(&junk, "not a key").unwrap();
    let stderr = info_fails(&junk, &file);
    assert!(
        stderr.contains("is not an OpenSSH private key or an age identity"),
        "{stderr}"
    );

    if have("ssh-keygen") {
        for (kind, bits, expect) in [
            (
                "rsa",
                "1024",
                "an RSA key of 1024 bits (too weak; under 2048)",
            ),
            (
                "rsa",
                "3072",
                "an RSA key (3072 bits); member keys are ed25519",
            ),
            (
                "ecdsa",
                "256",
                "ecdsa-sha2-nistp256 key; member keys are ed25519",
            ),
        ] {
            let other = dir.path().join(format!("id_{kind}_{bits}"));
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", kind, "-b", bits, "-N", "", "-f"])
                .arg(&other)
                .status()
                .unwrap();
            assert!(status.success());
            let stderr = info_fails(&other, &file);
            assert!(stderr.contains(expect), "{kind} {bits}: {stderr}");
            assert!(
                stderr.contains("which casebook does not support"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn a_missing_identity_explains_the_defaults_and_ssh_agent() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    // No -i, an empty home: the default ~/.ssh/id_ed25519 does not exist.
    let stderr = fails(&run(&[&"info", &file]));
    assert!(
        stderr.contains(".ssh/id_ed25519 does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("CASEBOOK_IDENTITY"), "{stderr}");

    let out = casebook()
        .arg("info")
        .arg(&file)
        .env("SSH_AUTH_SOCK", "/tmp/agent.sock")
        .output();
    let stderr = fails(&out.unwrap());
    assert!(
        stderr.contains("keys held only in ssh-agent cannot decrypt"),
        "{stderr}"
    );

    // The environment variable is the second choice.
    let out = casebook()
        .arg("info")
        .arg(&file)
        .env("CASEBOOK_IDENTITY", &key)
        .output()
        .unwrap();
    assert!(ok(&out).contains("opened as  Ada Chair"));
}

#[test]
fn the_config_file_can_name_the_identity() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    let config_home = dir.path().join("config");
    fs::create_dir_all(config_home.join("casebook")).unwrap();
    let config = config_home.join("casebook/config.toml");

    fs::write(
        &config,
        format!("identity = {:?}\n", key.display().to_string()),
    )
    .unwrap();
    let out = casebook()
        .arg("info")
        .arg(&file)
        .env("XDG_CONFIG_HOME", &config_home)
        .output();
    assert!(ok(&out.unwrap()).contains("opened as  Ada Chair"));

    fs::write(&config, "identity = \"/nowhere/key\"\n").unwrap();
    let out = casebook()
        .arg("info")
        .arg(&file)
        .env("XDG_CONFIG_HOME", &config_home)
        .output();
    let stderr = fails(&out.unwrap());
    assert!(stderr.contains("identity /nowhere/key (set in"), "{stderr}");

    fs::write(&config, "identiy = \"typo\"\n").unwrap();
    let out = casebook()
        .arg("info")
        .arg(&file)
        .env("XDG_CONFIG_HOME", &config_home)
        .output();
    // The typo leaves no identity set: the command fails for the want of one, and the
    // warning above says why.
    let stderr = fails(&out.unwrap());
    assert!(
        stderr.contains("warning: config file") && stderr.contains("unknown setting `identiy`"),
        "{stderr}"
    );
}

#[test]
fn permission_denied_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    let before = fs::read(&file).unwrap();
    let mut cmd = casebook();
    cmd.arg("-i").arg(&key).arg("info").arg(&file);
    if unsafe { libc::geteuid() } == 0 {
        // Root reads anything: run as nobody, who may traverse the directory and read the key
        // but not the 0600 case file.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        cmd.uid(65534).gid(65534);
    } else {
        fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let stderr = fails(&cmd.output().unwrap());
    assert!(
        stderr.contains(&format!("permission denied: {}", file.display())),
        "{stderr}"
    );
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(fs::read(&file).unwrap(), before);
}

#[test]
fn new_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"2"]));
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let backup = dir.path().join("committee.cases.age.bak");
    assert_eq!(
        fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn tampering_is_caught_in_either_half_of_a_large_file() {
    // Above 4 MB the two halves are decrypted by two threads; both must authenticate.
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"900"]));
    let original = fs::read(&file).unwrap();
    assert!(original.len() > 6_000_000, "{} bytes", original.len());
    for at in [original.len() / 4, original.len() * 3 / 4] {
        let mut bytes = original.clone();
        bytes[at] ^= 0x80;
        fs::write(&file, &bytes).unwrap();
        let stderr = info_fails(&key, &file);
        assert!(
            stderr.contains("its encrypted data fails authentication"),
            "at {at}: {stderr}"
        );
    }
    // The last byte belongs to the final chunk, which is what a cut-off copy damages.
    let mut bytes = original.clone();
    *bytes.last_mut().unwrap() ^= 0x01;
    fs::write(&file, &bytes).unwrap();
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("truncated or damaged at its end"),
        "{stderr}"
    );
    fs::write(&file, &original).unwrap();
    ok(&run(&[&"-i", &key, &"info", &file]));
}

#[test]
fn a_corrupt_database_inside_a_valid_age_file_is_caught_by_the_integrity_check() {
    if !have("age") || !have("sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = sizeable_case_file(dir.path(), &key);
    let plain = dir.path().join("plain.db");
    age_decrypt(&key, &file, &plain);
    // Scribble over a leaf page of the events table, then encrypt it properly again: age is
    // satisfied, SQLite's check must not be.
    let page: usize = sqlite(
        &plain,
        "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' LIMIT 1 OFFSET 3",
    )
    .trim()
    .parse()
    .unwrap();
    let mut bytes = fs::read(&plain).unwrap();
    let start = (page - 1) * 4096;
    for b in &mut bytes[start + 8..start + 64] {
        *b = 0xff;
    }
    fs::write(&plain, &bytes).unwrap();
    fs::remove_file(&file).unwrap();
    age_encrypt(&dir.path().join("k.pub"), &plain, &file);
    let stderr = info_fails(&key, &file);
    assert!(
        stderr.contains("fails SQLite's integrity check"),
        "{stderr}"
    );
    assert!(stderr.contains("casebook recover "), "{stderr}");
}

//! What a new user meets on the command line: keygen on a fresh machine, passphrase files
//! from the environment and the config file, rotating between two protected keys, `-` for
//! standard input, shell completions and the man page.

use crate::common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use common::{casebook, fails, ok, run};

#[test]
fn keygen_creates_missing_folders_private() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("fresh-home/.ssh/casebook");
    ok(&run(&[&"keygen", &"-o", &key]));
    let ssh = dir.path().join("fresh-home/.ssh");
    assert_eq!(
        fs::metadata(&ssh).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert!(key.is_file());
}

#[test]
fn keygen_without_a_terminal_does_not_call_the_new_key_protected() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    let out = casebook()
        .args(["keygen", "--passphrase", "-o"])
        .arg(&key)
        .stdin(Stdio::null())
        .env_remove("CASEBOOK_PASSPHRASE_FILE")
        .output()
        .unwrap();
    // Running with a terminal (a developer's shell) asks instead; only judge the no-terminal case.
    if out.status.success() {
        return;
    }
    let err = fails(&out);
    assert!(!err.contains("is passphrase-protected"), "{err}");
    assert!(
        err.contains("new key") && err.contains("nothing was written"),
        "{err}"
    );
    assert!(!key.exists());
}

fn secret(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("{text}\n")).unwrap();
    path
}

#[test]
fn the_passphrase_file_comes_from_the_environment_or_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let p1 = secret(dir.path(), "p1", "first secret");
    let key = dir.path().join("k1");
    ok(&run(&[&"--passphrase-file", &p1, &"keygen", &"-o", &key]));
    let file = dir.path().join("c.cases.age");
    ok(&casebook()
        .env("CASEBOOK_PASSPHRASE_FILE", &p1)
        .arg("-i")
        .arg(&key)
        .args(["init"])
        .arg(&file)
        .args(["--name", "Ada"])
        .output()
        .unwrap());
    let config = dir.path().join("config");
    fs::create_dir_all(config.join("casebook")).unwrap();
    fs::write(
        config.join("casebook/config.toml"),
        format!("passphrase_file = {:?}\n", p1.display().to_string()),
    )
    .unwrap();
    let listed = ok(&casebook()
        .env("XDG_CONFIG_HOME", &config)
        .arg("-i")
        .arg(&key)
        .args(["case", "list"])
        .arg(&file)
        .output()
        .unwrap());
    assert!(
        listed.contains("no cases") || listed.is_empty() || listed.contains("CODE"),
        "{listed}"
    );
}

#[test]
fn rotating_between_two_protected_keys() {
    let dir = tempfile::tempdir().unwrap();
    let p1 = secret(dir.path(), "p1", "first secret");
    let p2 = secret(dir.path(), "p2", "second secret");
    let k1 = dir.path().join("k1");
    let k2 = dir.path().join("k2");
    ok(&run(&[&"--passphrase-file", &p1, &"keygen", &"-o", &k1]));
    ok(&run(&[&"--passphrase-file", &p2, &"keygen", &"-o", &k2]));
    let file = dir.path().join("c.cases.age");
    ok(&run(&[
        &"--passphrase-file",
        &p1,
        &"-i",
        &k1,
        &"init",
        &file,
        &"--name",
        &"Ada",
    ]));
    ok(&run(&[
        &"--passphrase-file",
        &p1,
        &"-i",
        &k1,
        &"member",
        &"rotate-key",
        &file,
        &"--new-identity",
        &k2,
        &"--new-passphrase-file",
        &p2,
    ]));
    ok(&run(&[
        &"--passphrase-file",
        &p2,
        &"-i",
        &k2,
        &"info",
        &file,
    ]));
}

#[test]
fn a_dash_reads_case_text_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let key = common::member_key(dir.path(), "k");
    let file = common::case_file(dir.path(), &key);
    let mut child = casebook()
        .arg("-i")
        .arg(&key)
        .args(["case", "new"])
        .arg(&file)
        .args(["--title", "Piped", "--summary", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"never in argv\n")
        .unwrap();
    let code = ok(&child.wait_with_output().unwrap());
    let shown = ok(&run(&[
        &"-i",
        &key,
        &"case",
        &"show",
        &file,
        &code.trim(),
        &"--json",
    ]));
    assert!(shown.contains("never in argv"), "{shown}");

    let err = fails(&run(&[&"-i", &key, &"note", &"add", &file, &code.trim()]));
    assert!(err.contains("--text -") && err.contains("--stdin"), "{err}");
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(&run(&[&"completions", &shell]));
        assert!(
            script.contains("casebook") && script.contains("rotate-key"),
            "{shell}"
        );
    }
    let man = ok(&run(&[&"man"]));
    assert!(
        man.contains(".TH casebook"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("keygen"));
    // A reader that leaves early (`| head -c1`) is no error, and nothing panics.
    for args in [["completions", "bash"], ["man", ""]] {
        let mut cmd = common::casebook();
        cmd.args(args.iter().filter(|a| !a.is_empty()))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn rough_edges_a_new_user_meets() {
    let dir = tempfile::tempdir().unwrap();
    let key = common::member_key(dir.path(), "k");
    let file = common::case_file(dir.path(), &key);
    let code = ok(&run(&[
        &"-i", &key, &"case", &"new", &file, &"--title", &"First",
    ]));
    let code = code.trim();
    ok(&run(&[&"-i", &key, &"status", &file, &code, &"triage"]));

    // Lists start with a header row.
    let list = ok(&run(&[&"-i", &key, &"case", &"list", &file]));
    assert!(list.lines().next().unwrap().starts_with("CODE"), "{list}");
    let members = ok(&run(&[&"-i", &key, &"member", &"list", &file]));
    assert!(
        members.lines().next().unwrap().starts_with("NAME"),
        "{members}"
    );

    // settings --json names the ladder as --ladder takes it.
    let settings: serde_json::Value =
        serde_json::from_str(&ok(&run(&[&"-i", &key, &"settings", &file, &"--json"]))).unwrap();
    assert_eq!(settings["ladder"], "contributor-covenant-2.1");
    assert_eq!(settings["quorum"], "simple-majority");

    // --amends names text, not a status move.
    let shown: serde_json::Value = serde_json::from_str(&ok(&run(&[
        &"-i", &key, &"case", &"show", &file, &code, &"--json",
    ])))
    .unwrap();
    let text = shown.to_string();
    let at = text.find("status-changed").expect("a status entry");
    let id_at = text[..at].rfind("\"id\":\"").expect("its id") + 6;
    let status_id = &text[id_at..id_at + 8];
    let err = fails(&run(&[
        &"-i",
        &key,
        &"note",
        &"add",
        &file,
        &code,
        &"--text",
        &"fix",
        &"--amends",
        &status_id,
    ]));
    assert!(err.contains("cannot correct"), "{err}");
}

#[test]
fn a_passphrase_file_from_the_environment_never_protects_a_new_key() {
    if !common::have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let chair = secret(dir.path(), "chair", "the chair's own secret");
    let key = dir.path().join("sam");
    let out = casebook()
        .env("CASEBOOK_PASSPHRASE_FILE", &chair)
        .args(["keygen", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("passphrase-protected"), "{said}");
    // Sam's key opens without any passphrase, not with the chair's.
    let opened = std::process::Command::new("ssh-keygen")
        .args(["-y", "-P", "", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
}

#[test]
fn rotating_to_a_key_not_made_yet_says_to_make_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = common::member_key(dir.path(), "k");
    let file = common::case_file(dir.path(), &key);
    let missing = dir.path().join("new-key");
    let said = fails(&run(&[
        &"-i",
        &key,
        &"member",
        &"rotate-key",
        &file,
        &"--new-identity",
        &missing,
    ]));
    assert!(
        said.contains("does not exist") && said.contains("casebook keygen -o"),
        "{said}"
    );
}

//! Committee membership and key rotation, checked with the `age` CLI as the independent
//! judge of who can decrypt what: the file and its backup are readable by exactly the current
//! roster after every change, and every refusal leaves the file as it was.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{casebook, fails, have, member_key, ok, run};

/// Whether the `age` CLI can decrypt `file` with `key`.
fn age_opens(key: &Path, file: &Path) -> bool {
    Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(key)
        .arg("-o")
        .arg("/dev/null")
        .arg(file)
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

fn backup(file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.bak", file.display()))
}

struct Committee {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: PathBuf,
    bo: PathBuf,
}

/// Ada (chair) and Bo (member).
fn committee() -> Committee {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let ada = member_key(&dir, "ada");
    let bo = member_key(&dir, "bo");
    let file = dir.join("committee.cases.age");
    ok(&run(&[&"-i", &ada, &"init", &file, &"--name", &"Ada"]));
    ok(&run(&[
        &"-i",
        &ada,
        &"member",
        &"add",
        &file,
        &"--name",
        &"Bo",
        &"--key",
        &dir.join("bo.pub"),
    ]));
    Committee {
        _dir: tmp,
        dir,
        file,
        ada,
        bo,
    }
}

#[test]
fn adding_a_member_lets_their_key_decrypt_the_file_at_once() {
    if !have("age") || !have("age-keygen") {
        return;
    }
    let c = committee();
    assert!(age_opens(&c.bo, &c.file), "an ssh-ed25519 member");
    let dee = c.dir.join("dee.txt");
    assert!(
        Command::new("age-keygen")
            .arg("-o")
            .arg(&dee)
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
    );
    let recipient = String::from_utf8(
        Command::new("age-keygen")
            .arg("-y")
            .arg(&dee)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let out = ok(&run(&[
        &"-i",
        &c.ada,
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Dee",
        &"--key",
        &recipient.trim(),
        &"--role",
        &"chair",
    ]));
    assert!(out.contains("is now encrypted to 3 recipients"), "{out}");
    assert!(age_opens(&dee, &c.file), "an age X25519 member");

    let listed: serde_json::Value = serde_json::from_str(&ok(&run(&[
        &"-i", &c.ada, &"member", &"list", &c.file, &"--json",
    ])))
    .unwrap();
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap(),
                m["role"].as_str().unwrap(),
                m["key_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Ada", "chair", "ssh-ed25519"),
            ("Bo", "member", "ssh-ed25519"),
            ("Dee", "chair", "age-x25519")
        ]
    );
    let info = ok(&run(&[&"-i", &c.ada, &"info", &c.file]));
    assert!(
        info.contains("Bo    member  ssh-ed25519") && info.contains("active  yes"),
        "{info}"
    );
}

#[test]
fn removing_a_member_locks_them_out_of_the_file_and_its_backup() {
    if !have("age") {
        return;
    }
    let c = committee();
    // A save before the removal leaves a backup that Bo can read.
    ok(&run(&[&"-i", &c.ada, &"rekey", &c.file]));
    ok(&run(&[
        &"-i", &c.ada, &"case", &"new", &c.file, &"--title", &"x",
    ]));
    assert!(age_opens(&c.bo, &backup(&c.file)));

    let out = ok(&run(&[
        &"-i",
        &c.ada,
        &"member",
        &"remove",
        &c.file,
        &"Bo",
        &"--reason",
        &"left the project",
    ]));
    assert!(out.contains("removed Bo"), "{out}");
    assert!(out.contains("Copies of the file the removed member already holds, exports they received, and history synced elsewhere stay readable to them"), "{out}");
    assert!(
        !age_opens(&c.bo, &c.file),
        "the removed member cannot decrypt the file"
    );
    assert!(!age_opens(&c.bo, &backup(&c.file)), "nor its backup");
    assert!(age_opens(&c.ada, &c.file) && age_opens(&c.ada, &backup(&c.file)));

    let stderr = fails(&run(&[&"-i", &c.bo, &"info", &c.file]));
    assert!(
        stderr.contains("is not encrypted to the identity"),
        "{stderr}"
    );
    let info = ok(&run(&[&"-i", &c.ada, &"info", &c.file]));
    assert!(info.contains("removed  NO"), "{info}");
    let listed = ok(&run(&[&"-i", &c.ada, &"member", &"list", &c.file]));
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("Bo") && l.contains("removed 20")),
        "{listed}"
    );
}

#[test]
fn rotating_a_key_switches_the_file_and_backup_to_the_new_key() {
    if !have("age") {
        return;
    }
    let c = committee();
    let new = member_key(&c.dir, "bo-new");
    let out = ok(&run(&[
        &"-i",
        &c.bo,
        &"member",
        &"rotate-key",
        &c.file,
        &"--new-identity",
        &new,
    ]));
    assert!(
        out.contains("the old key no longer opens it or its backup"),
        "{out}"
    );
    assert!(!age_opens(&c.bo, &c.file) && !age_opens(&c.bo, &backup(&c.file)));
    assert!(age_opens(&new, &c.file) && age_opens(&new, &backup(&c.file)));
    assert!(age_opens(&c.ada, &c.file));
    let info = ok(&run(&[&"-i", &new, &"info", &c.file]));
    assert!(info.contains("opened as  Bo"), "{info}");
}

#[test]
fn refusals_name_the_reason_and_change_nothing() {
    let c = committee();
    let before = fs::read(&c.file).unwrap();
    let unchanged = |stderr: String| {
        assert_eq!(
            fs::read(&c.file).unwrap(),
            before,
            "changed after: {stderr}"
        );
        stderr
    };
    let stderr = unchanged(fails(&run(&[
        &"-i", &c.ada, &"member", &"remove", &c.file, &"Ada",
    ])));
    assert!(stderr.contains("Ada is the last chair"), "{stderr}");
    let stderr = unchanged(fails(&run(&[
        &"-i", &c.bo, &"member", &"remove", &c.file, &"Ada",
    ])));
    assert!(
        stderr.contains("only a chair may change the roster; Bo is a member"),
        "{stderr}"
    );
    let stderr = unchanged(fails(&run(&[
        &"-i",
        &c.ada,
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Bo again",
        &"--key",
        &c.dir.join("bo.pub"),
    ])));
    assert!(
        stderr.contains("that key already belongs to Bo"),
        "{stderr}"
    );
    let stderr = unchanged(fails(&run(&[
        &"-i",
        &c.ada,
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"X",
        &"--key",
        &"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC",
    ])));
    assert!(stderr.contains("invalid recipient"), "{stderr}");
    let junk = c.dir.join("junk");
    fs::write(&junk, "not a key").unwrap();
    let stderr = unchanged(fails(&run(&[
        &"-i",
        &c.bo,
        &"member",
        &"rotate-key",
        &c.file,
        &"--new-identity",
        &junk,
    ])));
    assert!(
        stderr.contains("is not an OpenSSH private key or an age identity"),
        "{stderr}"
    );
    let stderr = unchanged(fails(&run(&[
        &"-i",
        &c.bo,
        &"member",
        &"rotate-key",
        &c.file,
        &"--new-identity",
        &c.dir.join("bo-missing"),
    ])));
    assert!(stderr.contains("does not exist"), "{stderr}");
    let stderr = unchanged(fails(&run(&[
        &"-i",
        &c.bo,
        &"member",
        &"rotate-key",
        &c.file,
        &"--new-identity",
        &c.ada,
    ])));
    assert!(
        stderr.contains("that key already belongs to Ada"),
        "{stderr}"
    );

    // With two chairs, removing yourself needs an explicit flag.
    let cy = member_key(&c.dir, "cy");
    ok(&run(&[
        &"-i",
        &c.ada,
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Cy",
        &"--role",
        &"chair",
        &"--key",
        &c.dir.join("cy.pub"),
    ]));
    let before = fs::read(&c.file).unwrap();
    let stderr = fails(&run(&[
        &"-i", &c.ada, &"member", &"remove", &c.file, &"Ada",
    ]));
    assert!(
        stderr.contains("removing Ada would produce a file you can no longer open"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-self-removal"), "{stderr}");
    assert_eq!(fs::read(&c.file).unwrap(), before);
    ok(&run(&[
        &"-i",
        &c.ada,
        &"member",
        &"remove",
        &c.file,
        &"Ada",
        &"--allow-self-removal",
    ]));
    fails(&run(&[&"-i", &c.ada, &"info", &c.file]));
    assert!(ok(&run(&[&"-i", &cy, &"info", &c.file])).contains("opened as  Cy"));
    ok(&run(&[&"-i", &cy, &"member", &"remove", &c.file, &"Bo"]));
    let stderr = fails(&run(&[
        &"-i",
        &cy,
        &"member",
        &"remove",
        &c.file,
        &"Cy",
        &"--allow-self-removal",
    ]));
    assert!(stderr.contains("Cy is the last"), "{stderr}");
}

#[test]
fn kill_9_during_a_removal_leaves_the_old_or_the_new_roster_never_an_unreadable_file() {
    if !have("age") {
        return;
    }
    let c = committee();
    ok(&run(&[
        &"-i", &c.ada, &"synth", &c.file, &"--cases", &"1200",
    ]));
    // How long a whole rekey takes; kills land uniformly inside that window.
    let started = Instant::now();
    ok(&run(&[&"-i", &c.ada, &"rekey", &c.file]));
    let window = started.elapsed();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut delay = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        window.mul_f64((state % 1000) as f64 / 1000.0)
    };
    let killed = |args: &[&str], delay: std::time::Duration| {
        let mut child = casebook()
            .arg("-i")
            .arg(&c.ada)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
    };
    let file = c.file.to_str().unwrap();
    for round in 0..20 {
        killed(&["rekey", file], delay());
        for key in [&c.ada, &c.bo] {
            assert!(
                age_opens(key, &c.file),
                "rekey round {round}: file unreadable"
            );
            assert!(
                age_opens(key, &backup(&c.file)),
                "rekey round {round}: backup unreadable"
            );
        }
    }
    // Removal rounds: kills spread over a longer window (a removal does a little more than a
    // rekey); the last round is never killed, so the removal always lands in the end.
    for round in 0..=20 {
        if round < 20 {
            killed(&["member", "remove", file, "Bo"], delay().mul_f64(1.5));
        } else {
            ok(&run(&[&"-i", &c.ada, &"member", &"remove", &c.file, &"Bo"]));
        }
        assert!(
            age_opens(&c.ada, &c.file),
            "removal round {round}: the chair lost the file"
        );
        assert!(
            age_opens(&c.ada, &backup(&c.file)),
            "removal round {round}: and the backup"
        );
        let roster = ok(&run(&[&"-i", &c.ada, &"member", &"list", &c.file]));
        let removed = roster
            .lines()
            .any(|l| l.starts_with("Bo") && l.contains("removed"));
        // The header always matches the roster inside: the old version or the new one; and
        // once the file is the new version, the backup is never readable by the removed key.
        assert_eq!(
            age_opens(&c.bo, &c.file),
            !removed,
            "removal round {round}: {roster}"
        );
        if removed {
            assert!(
                !age_opens(&c.bo, &backup(&c.file)),
                "removal round {round}: backup still open to Bo"
            );
            eprintln!("the removal landed in round {round}");
            return;
        }
    }
}

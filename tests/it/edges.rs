//! The edges of the folder a case file lives in: another version renamed in at the very moment
//! a save puts its own in place, temporary files of a neighbouring file, a backup that must
//! not share the file's inode, a read-only filesystem, and a config file with a mistake in it.
//! Each runs the real binary and checks the world afterwards.

use crate::common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::Laptop;

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: Laptop,
    bo: Laptop,
    code: String,
}

/// Ada (chair) and Bo with one case, both laptops having seen it.
fn setup_in(dir: &Path, tmp: tempfile::TempDir) -> Setup {
    let keys = tmp.path();
    let ada_key = common::member_key(keys, "ada");
    let bo_key = common::member_key(keys, "bo");
    let ada = Laptop::with_key(&ada_key);
    let file = dir.join("committee.cases.age");
    ada.ok(&[&"init", &file, &"--name", &"Ada"]);
    ada.ok(&[
        &"member",
        &"add",
        &file,
        &"--name",
        &"Bo",
        &"--key",
        &keys.join("bo.pub"),
    ]);
    let code = ada
        .ok(&[&"case", &"new", &file, &"--title", &"Hostile replies"])
        .trim()
        .to_string();
    let bo = Laptop::with_key(&bo_key);
    bo.ok(&[&"info", &file]);
    Setup {
        dir: dir.to_path_buf(),
        _tmp: tmp,
        file,
        ada,
        bo,
        code,
    }
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    setup_in(&dir, tmp)
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

fn shown_on_a_fresh_laptop(key: &Path, file: &Path, code: &str) -> String {
    Laptop::with_key(key).ok(&[&"case", &"show", &file, &code])
}

/// A `note add` on `laptop` that stops (debug builds) just before it puts its new version in
/// place, until the test says go.
fn paused_note(laptop: &Laptop, s: &Setup, pause: &Path, text: &str) -> Child {
    let mut cmd = common::casebook();
    cmd.env("HOME", laptop.home.path())
        .env("XDG_CONFIG_HOME", laptop.home.path().join("config"))
        .env("XDG_STATE_HOME", laptop.home.path().join("state"))
        .env("CASEBOOK_TEST_PAUSE_DIR", pause)
        .arg("-i")
        .arg(laptop.key.as_ref().unwrap())
        .args(["note", "add"])
        .arg(&s.file)
        .arg(&s.code)
        .args(["--text", text])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Another member's version renamed in (as a sync tool does) after the saver last looked and
/// before its own goes in: the exchange keeps it, the save merges it, nothing is lost.
#[test]
fn a_version_renamed_in_during_the_save_is_kept_and_merged() {
    let s = setup();
    // Bo's version arrives the way a sync tool writes one: beside, then renamed in.
    let bo_copy = s.dir.parent().unwrap().join("incoming.cases.age");
    std::fs::copy(&s.file, &bo_copy).unwrap();
    s.bo.ok(&[
        &"note",
        &"add",
        &bo_copy,
        &s.code,
        &"--text",
        &"canary-bo-synced-in",
    ]);
    let pause = tempfile::tempdir().unwrap();
    let writer = paused_note(&s.ada, &s, pause.path(), "canary-ada-saving");
    wait_for(&pause.path().join("before-replace.paused"));
    std::fs::rename(&bo_copy, &s.file).unwrap();
    std::fs::write(pause.path().join("before-replace.go"), b"").unwrap();
    let out = writer.wait_with_output().unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("was put in place while this one was saved") && said.contains("merged"),
        "{said}"
    );
    let shown = shown_on_a_fresh_laptop(s.bo.key.as_ref().unwrap(), &s.file, &s.code);
    assert!(
        shown.contains("canary-bo-synced-in") && shown.contains("canary-ada-saving"),
        "{shown}"
    );
    // The copy it was kept as was deleted once its changes were saved: the file holds them.
    assert!(said.contains("then deleted"), "{said}");
    assert_eq!(
        names(&s.dir),
        ["committee.cases.age", "committee.cases.age.bak"]
    );
}

/// What was renamed in cannot be merged (it is not a case file at all): it is kept beside the
/// file as a conflict copy, byte for byte, and the member told.
#[test]
fn a_version_renamed_in_that_cannot_be_merged_is_kept_as_a_conflict_copy() {
    let s = setup();
    let pause = tempfile::tempdir().unwrap();
    let writer = paused_note(&s.ada, &s, pause.path(), "canary-ada");
    wait_for(&pause.path().join("before-replace.paused"));
    let junk = s.dir.join(".incoming");
    std::fs::write(&junk, b"someone else's bytes").unwrap();
    std::fs::rename(&junk, &s.file).unwrap();
    std::fs::write(pause.path().join("before-replace.go"), b"").unwrap();
    let out = writer.wait_with_output().unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("not merged yet"), "{said}");
    let kept: Vec<String> = names(&s.dir)
        .into_iter()
        .filter(|n| n.contains("casebook conflicted copy"))
        .collect();
    assert_eq!(kept.len(), 1, "{:?}", names(&s.dir));
    assert_eq!(
        std::fs::read(s.dir.join(&kept[0])).unwrap(),
        b"someone else's bytes"
    );
    let shown = shown_on_a_fresh_laptop(s.ada.key.as_ref().unwrap(), &s.file, &s.code);
    assert!(shown.contains("canary-ada"), "{shown}");
}

/// The sweep of a writer's leftover temporary files never touches another case file's.
#[test]
fn the_temp_sweep_leaves_a_neighbouring_files_temporary_file_alone() {
    let s = setup();
    let neighbours = [
        ".committee.cases.age.2025.Ab3dE9.tmp",
        ".committee.cases.age.2025.Ab3dE9.bak.tmp",
        ".committee.cases.age.notes.tmp",
    ];
    for name in neighbours {
        std::fs::write(s.dir.join(name), b"in progress").unwrap();
    }
    let ours = ".committee.cases.age.Zz9Yy8.tmp";
    std::fs::write(s.dir.join(ours), b"left by a killed writer").unwrap();
    s.ada
        .ok(&[&"note", &"add", &s.file, &s.code, &"--text", &"x"]);
    for name in neighbours {
        assert_eq!(
            std::fs::read(s.dir.join(name)).unwrap(),
            b"in progress",
            "{name} was touched"
        );
    }
    assert!(
        !s.dir.join(ours).exists(),
        "casebook's own leftover is swept"
    );
}

/// After a roster change the backup is the new version (no old key opens it), but a copy of
/// it, never a second name: writing over the file does not change the backup.
#[test]
fn after_a_roster_change_the_backup_is_not_a_hard_link_to_the_file() {
    let s = setup();
    s.ada
        .ok(&[&"member", &"remove", &s.file, &"Bo", &"--reason", &"left"]);
    let backup = common::backup(&s.file);
    let (file_meta, backup_meta) = (
        std::fs::metadata(&s.file).unwrap(),
        std::fs::metadata(&backup).unwrap(),
    );
    assert_ne!(file_meta.ino(), backup_meta.ino(), "one inode, two names");
    assert_eq!(file_meta.nlink(), 1);
    let before = std::fs::read(&backup).unwrap();
    // `cp OTHER FILE` writes into the file's inode.
    std::fs::write(&s.file, b"overwritten in place").unwrap();
    assert_eq!(std::fs::read(&backup).unwrap(), before);
    // And the backup still opens, without the removed member's key.
    Laptop::with_key(s.ada.key.as_ref().unwrap()).ok(&[&"info", &backup]);
}

/// A small filesystem of our own (root only, as CI runs), mounted read-only after the case
/// file is put on it.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(path: &Path) -> Option<Mount> {
        std::fs::create_dir_all(path).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs"])
            .arg(path)
            .stderr(Stdio::null())
            .status();
        if status.is_ok_and(|s| s.success()) {
            return Some(Mount(path.to_path_buf()));
        }
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI runs as root and must be able to mount a tmpfs for this test");
        }
        eprintln!("SKIPPED: cannot mount a tmpfs here (not root?)");
        None
    }

    fn read_only(&self) {
        let status = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_filesystem_is_named_and_save_as_goes_elsewhere() {
    if !common::have("mount") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&tmp.path().join("ro")) else {
        return;
    };
    let s = setup_in(&mount.0, tempfile::tempdir().unwrap());
    mount.read_only();
    let said = common::fails(
        &s.ada
            .run(&[&"note", &"add", &s.file, &s.code, &"--text", &"canary"]),
    );
    assert!(said.contains("read-only filesystem"), "{said}");
    assert!(
        !said.contains("mode 0600"),
        "not a question of file modes: {said}"
    );
    assert!(said.contains("--save-as"), "{said}");
    // Reading still works, and the change goes to a writable folder.
    s.ada.ok(&[&"info", &s.file]);
    let elsewhere = tmp.path().join("elsewhere.cases.age");
    s.ada.ok(&[
        &"note",
        &"add",
        &s.file,
        &s.code,
        &"--text",
        &"canary-saved-elsewhere",
        &"--save-as",
        &elsewhere,
    ]);
    let shown = shown_on_a_fresh_laptop(s.bo.key.as_ref().unwrap(), &elsewhere, &s.code);
    assert!(shown.contains("canary-saved-elsewhere"), "{shown}");
    assert!(!names(&mount.0).iter().any(|n| n.ends_with(".lock")));
}

/// A key bound to two actions in config.toml stops only the interface: `info`, `merge` and
/// the git merge driver go on, with one warning.
#[test]
fn a_config_mistake_only_stops_the_interface() {
    let s = setup();
    let config = s.ada.home.path().join("config").join("casebook");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "theme = \"neon\"\n[keys]\nvote = \"n\"\n",
    )
    .unwrap();
    let out = s.ada.run(&[&"info", &s.file]);
    common::ok(&out);
    let said = stderr(&out);
    assert_eq!(said.matches("warning: config file").count(), 1, "{said}");
    assert!(
        said.contains("bound to both") || said.contains("neon"),
        "{said}"
    );

    let bo_copy = s.dir.join("from-bo.cases.age");
    std::fs::copy(&s.file, &bo_copy).unwrap();
    s.bo.ok(&[&"note", &"add", &bo_copy, &s.code, &"--text", &"canary-bo"]);
    s.ada.ok(&[&"merge", &s.file, &bo_copy]);
    // The merge driver, as git runs it (%O %A %B): the result lands in %A.
    let ours = s.dir.join("ours.cases.age");
    std::fs::copy(&s.file, &ours).unwrap();
    s.bo.ok(&[
        &"note",
        &"add",
        &bo_copy,
        &s.code,
        &"--text",
        &"canary-bo-2",
    ]);
    s.ada.ok(&[&"merge-driver", &s.file, &ours, &bo_copy]);
    let shown = shown_on_a_fresh_laptop(s.ada.key.as_ref().unwrap(), &ours, &s.code);
    assert!(
        shown.contains("canary-bo") && shown.contains("canary-bo-2"),
        "{shown}"
    );
    // The interface is refused before anything opens, with the reason.
    let refused = common::fails(&s.ada.run(&[&"open", &s.file]));
    assert!(refused.contains("config file"), "{refused}");

    // A config file that is not TOML at all does not stop a command given its key with -i.
    std::fs::write(config.join("config.toml"), "theme = \n").unwrap();
    common::ok(&s.ada.run(&[&"info", &s.file]));
}

/// After a member is removed, no file casebook left beside the case file opens with their
/// key: a conflict copy an earlier casebook moved to `.casebook-merged/` and a damaged
/// version `recover` kept there are deleted, and the member is told which.
#[test]
fn removing_a_member_deletes_the_older_copies_casebook_left_beside_the_file() {
    let s = setup();
    let aside = s.dir.join(".casebook-merged");
    std::fs::create_dir(&aside).unwrap();
    for name in [
        "committee.cases.sync-conflict-20261201-101500-ABCDEF7.age",
        "committee.cases.age.damaged-20261201T101500Z",
    ] {
        std::fs::copy(&s.file, aside.join(name)).unwrap();
    }
    let out = s.ada.ok(&[&"member", &"remove", &s.file, &"Bo"]);
    assert!(out.contains("deleted 2 older copies"), "{out}");
    assert!(!aside.exists(), "nothing casebook wrote is left there");
    assert_eq!(
        names(&s.dir),
        ["committee.cases.age", "committee.cases.age.bak"]
    );
    // What is left opens with Ada's key only.
    if common::have("age") {
        let bo_key = s.bo.key.clone().unwrap();
        for file in [s.file.clone(), common::backup(&s.file)] {
            let opened = std::process::Command::new("age")
                .arg("-d")
                .arg("-i")
                .arg(&bo_key)
                .arg("-o")
                .arg("/dev/null")
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                !opened.status.success(),
                "{} opens with Bo's key",
                file.display()
            );
        }
    }
}

/// An outsider who can write to the synced folder names a conflict copy with terminal escape
/// sequences (set the window title, then ring). Every message that names it, on stdout and
/// stderr, shows them visibly instead of sending them to the terminal: the note a read-only
/// command gives, the merge a change makes, and `casebook merge`.
#[test]
fn a_planted_file_name_never_reaches_the_terminal_raw() {
    let s = setup();
    let copy = s
        .dir
        .join("committee.cases (\u{1b}]0;owned\u{7}'s conflicted copy 2026-12-01).age");
    std::fs::copy(&s.file, &copy).unwrap();
    let raw = |out: &std::process::Output| {
        out.stdout
            .iter()
            .chain(out.stderr.iter())
            .any(|b| *b == 0x1b || *b == 0x07)
    };
    let info = s.ada.run(&[&"info", &s.file]);
    common::ok(&info);
    assert!(
        stderr(&info).contains("conflicted copy"),
        "{}",
        stderr(&info)
    );
    assert!(!raw(&info), "{}", stderr(&info));
    let merged = s.ada.run(&[&"merge", &s.file, &copy]);
    common::ok(&merged);
    assert!(!raw(&merged), "{}", stderr(&merged));
    // A second planted copy, merged by an ordinary change.
    let again = s
        .dir
        .join("committee.cases (\u{1b}[2J's conflicted copy 2026-12-02).age");
    std::fs::copy(&s.file, &again).unwrap();
    let note = s
        .ada
        .run(&[&"note", &"add", &s.file, &s.code, &"--text", &"after"]);
    common::ok(&note);
    assert!(
        stderr(&note).contains("sync conflict copy"),
        "{}",
        stderr(&note)
    );
    assert!(!raw(&note), "{}", stderr(&note));
}

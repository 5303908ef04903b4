//! Attacks on the files around a case file, built with the tools an attacker would use (`ln -s`,
//! `mkfifo`): a lock sidecar planted as a symbolic link, a case file that is a link, a FIFO in
//! place of the case file.

use crate::common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fails, member_key, ok, run};

fn committee(dir: &Path) -> (PathBuf, PathBuf) {
    let key = member_key(dir, "key");
    let file = common::case_file(dir, &key);
    (key, file)
}

fn new_case(key: &Path, file: &Path) -> std::process::Output {
    run(&[&"-i", &key, &"case", &"new", &file, &"--title", &"A report"])
}

fn lock_of(file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.lock", file.display()))
}

#[test]
fn a_symlinked_lock_never_touches_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let (key, file) = committee(dir.path());
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious words\n").unwrap();
    symlink(&victim, lock_of(&file)).unwrap();

    let err = fails(&new_case(&key, &file));
    assert!(err.contains("symbolic link"), "{err}");
    assert!(err.contains(".lock"), "names the lock file: {err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious words\n");
    assert!(
        fs::symlink_metadata(lock_of(&file))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the planted link is left for the member to look at"
    );
}

#[test]
fn a_lock_linked_to_a_missing_file_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (key, file) = committee(dir.path());
    let target = dir.path().join("created-by-casebook");
    symlink(&target, lock_of(&file)).unwrap();
    let err = fails(&new_case(&key, &file));
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!target.exists(), "nothing was created through the link");
}

#[test]
fn a_lock_that_is_a_fifo_or_a_hard_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (key, file) = committee(dir.path());
    let other = dir.path().join("other.txt");
    fs::write(&other, "keep me").unwrap();
    fs::hard_link(&other, lock_of(&file)).unwrap();
    let err = fails(&new_case(&key, &file));
    assert!(err.contains("hard link"), "{err}");
    assert_eq!(fs::read_to_string(&other).unwrap(), "keep me");
    fs::remove_file(lock_of(&file)).unwrap();

    let status = Command::new("mkfifo").arg(lock_of(&file)).status().unwrap();
    assert!(status.success());
    // Refused, not waited on: a FIFO lock would block an open forever (a minute is a hang).
    let err = fails(&within(
        HANG,
        &[&"-i", &key, &"case", &"new", &file, &"--title", &"A report"],
    ));
    assert!(
        err.contains("FIFO") || err.contains("not a regular file"),
        "{err}"
    );
}

#[test]
fn a_symlinked_case_file_is_saved_through_to_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let (key, real) = committee(dir.path());
    let synced = dir.path().join("synced");
    fs::create_dir(&synced).unwrap();
    let target = synced.join("committee.cases.age");
    fs::rename(&real, &target).unwrap();
    let link = dir.path().join("link.cases.age");
    symlink(&target, &link).unwrap();

    let out = new_case(&key, &link);
    ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("symbolic link") && stderr.contains(&target.display().to_string()),
        "says so: {stderr}"
    );
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert!(
        synced.join("committee.cases.age.bak").is_file(),
        "the backup is beside the target"
    );
    assert!(!dir.path().join("link.cases.age.bak").exists());
    assert!(!lock_of(&target).exists() && !lock_of(&link).exists());
    // The real file has the case, whichever way it is opened.
    for path in [&target, &link] {
        let list = ok(&run(&[&"-i", &key, &"case", &"list", path, &"--json"]));
        assert!(list.contains("A report"), "{list}");
    }
}

/// How long a command may run before it counts as hung: no timing claim, only the difference
/// between refusing a FIFO and waiting on it forever.
const HANG: Duration = Duration::from_secs(60);

/// Run casebook with `args` and give up after `limit`, killing it: a FIFO must never block.
fn within(limit: Duration, args: &[&dyn AsRef<std::ffi::OsStr>]) -> std::process::Output {
    let mut cmd = common::casebook();
    for arg in args {
        cmd.arg(arg);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!(
                "casebook {:?} still running after {limit:?}",
                cmd.get_args().collect::<Vec<_>>()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "key");
    let fifo = dir.path().join("fifo.cases.age");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let link = dir.path().join("link-to-fifo.cases.age");
    symlink(&fifo, &link).unwrap();
    for path in [&fifo, &link] {
        for args in [vec!["info"], vec!["case", "list"], vec!["note", "add"]] {
            let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"-i", &key];
            for a in &args {
                all.push(a);
            }
            all.push(path);
            if args[0] == "note" {
                all.extend([
                    &"amber-kettle" as &dyn AsRef<std::ffi::OsStr>,
                    &"--text",
                    &"x",
                ]);
            }
            let err = fails(&within(HANG, &all));
            assert!(err.contains("FIFO"), "{args:?}: {err}");
        }
    }
}

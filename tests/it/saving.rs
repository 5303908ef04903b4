//! Saving never loses anything: one writer at a time, no overwriting a file that changed on
//! disk, a full disk leaves the original intact, and the previous version stays as a backup.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{case_file, casebook, fails, have, member_key, ok, run};

/// Start a long-running writer (synthetic data, then a save) on `file`.
fn start_long_writer(key: &Path, file: &Path, cases: &str) -> Child {
    casebook()
        .arg("-i")
        .arg(key)
        .arg("synth")
        .arg(file)
        .args(["--cases", cases])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until the writer holds the lock (its sidecar names the process).
fn wait_for_lock(file: &Path, child: &Child) -> PathBuf {
    let lock = PathBuf::from(format!("{}.lock", file.display()));
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(text) = fs::read_to_string(&lock)
            && text.contains(&format!("process {}", child.id()))
        {
            return lock;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the writer never took the lock");
}

fn case_count(key: &Path, file: &Path) -> u64 {
    let json = ok(&run(&[&"-i", &key, &"info", &file, &"--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["case_count"].as_u64().unwrap()
}

#[test]
fn a_second_writer_is_refused_and_a_dead_writers_lock_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    let mut first = start_long_writer(&key, &file, "200000");
    let lock = wait_for_lock(&file, &first);

    let before = fs::read(&file).unwrap();
    let stderr = fails(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"1"]));
    assert!(
        stderr.contains(&format!(
            "committee.cases.age is open in another casebook (process {} on",
            first.id()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("close the other casebook first"),
        "{stderr}"
    );
    // Readers are not blocked by a writer.
    ok(&run(&[&"-i", &key, &"info", &file]));

    // The writer dies without cleaning up: its sidecar stays, but the kernel released the lock.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(lock.exists(), "a killed writer leaves its sidecar behind");
    assert_eq!(
        fs::read(&file).unwrap(),
        before,
        "the killed writer never saved"
    );
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"1"]));
    assert_eq!(case_count(&key, &file), 1);
    assert!(
        !lock.exists(),
        "a writer that exits normally removes its sidecar"
    );
}

#[test]
fn a_file_changed_on_disk_is_merged_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    // Another member's copy, synced over ours while we work.
    let theirs = dir.path().join("theirs.cases.age");
    ok(&run(&[
        &"-i",
        &key,
        &"synth",
        &file,
        &"--cases",
        &"3",
        &"--save-as",
        &theirs,
    ]));

    let mut writer = start_long_writer(&key, &file, "2000");
    wait_for_lock(&file, &writer);
    let synced = dir.path().join(".sync-tmp");
    fs::copy(&theirs, &synced).unwrap();
    fs::rename(&synced, &file).unwrap();

    let status = writer.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut writer.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("had changed on disk since it was opened") && stderr.contains("merged"),
        "{stderr}"
    );
    // Nothing is lost: their cases and ours are both in the file.
    assert_eq!(case_count(&key, &file), 2003);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn each_save_keeps_the_previous_version_as_an_encrypted_backup() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    let backup = dir.path().join("committee.cases.age.bak");
    assert!(!backup.exists(), "a new file has no previous version");

    let first = fs::read(&file).unwrap();
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"2"]));
    assert_eq!(fs::read(&backup).unwrap(), first);
    assert!(first.starts_with(b"age-encryption.org/v1\n"));
    let second = fs::read(&file).unwrap();
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"2"]));
    assert_eq!(
        fs::read(&backup).unwrap(),
        second,
        "only the last version is kept"
    );
    assert_eq!(case_count(&key, &backup), 2);
    assert_eq!(case_count(&key, &file), 4);
}

/// A small filesystem of our own, to fill up.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(path).unwrap();
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(path)
            .stderr(Stdio::null())
            .status();
        if status.is_ok_and(|s| s.success()) {
            return Some(Tmpfs(path.to_path_buf()));
        }
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI runs as root and must be able to mount a tmpfs for the disk-full test");
        }
        eprintln!("SKIPPED: cannot mount a tmpfs here (not root?)");
        None
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_original_intact_and_no_temporary_file() {
    if !have("mount") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let Some(small) = Tmpfs::mount(&dir.path().join("small"), "1m") else {
        return;
    };
    let file = case_file(&small.0, &key);
    let before = fs::read(&file).unwrap();

    let stderr = fails(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"400"]));
    assert!(
        stderr.contains(&format!(
            "disk full while saving {}; the file on disk is unchanged",
            file.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("free some space"), "{stderr}");
    assert_eq!(fs::read(&file).unwrap(), before);
    let mut names: Vec<_> = fs::read_dir(&small.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["committee.cases.age"], "only the original remains");
    ok(&run(&[&"-i", &key, &"info", &file]));
}

#[test]
fn a_backup_that_already_is_the_current_file_leaves_no_staging_link() {
    // What a writer killed between making the backup and replacing the file leaves behind:
    // FILE.bak is a second link to FILE. rename() between two links of one inode does nothing.
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    let backup = dir.path().join("committee.cases.age.bak");
    fs::hard_link(&file, &backup).unwrap();
    let before = fs::read(&file).unwrap();

    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"1"]));
    assert_eq!(fs::read(&backup).unwrap(), before);
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "left behind: {names:?}");
}

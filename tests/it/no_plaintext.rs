//! Invariant 1: plaintext case data never touches the disk.
//!
//! The whole life of a case file (create, several saves of a sizeable database, an index
//! rebuild, opening, the demo) runs while inotify watches the test's directory, `$TMPDIR`,
//! /tmp and /var/tmp. SQLite's temporary files are unlinked as soon as they are opened, so a
//! scan afterwards would miss them; inotify sees them being created. casebook runs with a
//! private `$TMPDIR`, so that whatever is created there is casebook's: nothing may be. Afterwards
//! no file in the test's directories may contain the SQLite header or the canary, and no file
//! created anywhere watched may contain the canary (which holds this run's process id). Other
//! processes' files in /tmp and /var/tmp are theirs: only a SQLite temporary file (`etilqs_`)
//! created in /var/tmp, SQLite's fallback, counts against casebook.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use inotify::{EventMask, Inotify, WatchMask};

use common::{casebook, ok};

/// A string of this run's only, put in the data: no other process writes it.
fn canary() -> String {
    format!("CANARY-7f3a9c-{}-never-on-disk", std::process::id())
}
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The paths created in the folders `watcher` watches (and whether its queue overflowed).
fn created_in(
    watcher: (Inotify, Vec<(inotify::WatchDescriptor, PathBuf)>),
) -> (BTreeSet<PathBuf>, bool) {
    let (mut inotify, descriptors) = watcher;
    let mut created = BTreeSet::new();
    let mut overflowed = false;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match inotify.read_events(&mut buffer) {
            Ok(events) => {
                for event in events {
                    overflowed |= event.mask.contains(EventMask::Q_OVERFLOW);
                    let Some(name) = event.name else { continue };
                    let dir = descriptors.iter().find(|(wd, _)| *wd == event.wd);
                    if let Some((_, dir)) = dir {
                        created.insert(dir.join(name));
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("inotify: {e}"),
        }
    }
    (created, overflowed)
}

#[test]
fn no_plaintext_reaches_the_disk_during_create_save_reindex_and_open() {
    let canary = canary();
    let canary = canary.as_str();
    let dir = tempfile::tempdir().unwrap();
    let tmpdir = dir.path().join("tmp");
    fs::create_dir(&tmpdir).unwrap();

    // Two watchers: the test's own folders, where every event counts, and the shared ones
    // (/tmp, /var/tmp), where other processes may create so much that the queue overflows;
    // that must not fail the test, and then /var/tmp is scanned for SQLite's files instead.
    let mask = WatchMask::CREATE | WatchMask::MOVED_TO | WatchMask::CLOSE_WRITE;
    let watch = |dirs: &[&Path]| {
        let inotify = Inotify::init().unwrap();
        let mut descriptors = Vec::new();
        for path in dirs.iter().filter(|p| p.is_dir()) {
            descriptors.push((
                inotify.watches().add(path, mask).unwrap(),
                path.to_path_buf(),
            ));
        }
        (inotify, descriptors)
    };
    let private = watch(&[dir.path(), &tmpdir]);
    let shared = watch(&[Path::new("/tmp"), Path::new("/var/tmp")]);
    let started = std::time::SystemTime::now();

    let casebook = || {
        let mut cmd = casebook();
        cmd.env("TMPDIR", &tmpdir).env_remove("SQLITE_TMPDIR");
        cmd
    };
    let key = dir.path().join("key");
    let file = dir.path().join("committee.cases.age");
    ok(&casebook()
        .arg("keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .unwrap());
    let name = format!("Member {canary}");
    ok(&casebook()
        .arg("-i")
        .arg(&key)
        .arg("init")
        .arg(&file)
        .args(["--name", &name])
        .output()
        .unwrap());
    // About 20 MB of cases: larger than SQLite's page cache, so sorts and the index rebuild
    // would spill to temporary files if anything let them.
    for (cases, seed) in [("4000", "1"), ("1000", "2"), ("1000", "3")] {
        let out = casebook()
            .arg("-i")
            .arg(&key)
            .arg("synth")
            .arg(&file)
            .args(["--cases", cases, "--seed", seed, "--canary", canary])
            .output()
            .unwrap();
        ok(&out);
    }
    let info = ok(&casebook()
        .arg("-i")
        .arg(&key)
        .arg("info")
        .arg(&file)
        .output()
        .unwrap());
    assert!(info.contains("cases      6000"), "{info}");
    ok(&casebook()
        .arg("demo")
        .arg("--save-as")
        .arg(dir.path().join("demo.cases.age"))
        .output()
        .unwrap());

    // Everything that was created anywhere we watched.
    let (mut created, overflowed) = created_in(private);
    assert!(
        !overflowed,
        "inotify's queue overflowed on the test's own folders"
    );
    let (elsewhere, overflowed) = created_in(shared);
    created.extend(elsewhere);
    if overflowed {
        eprintln!(
            "note: other processes filled inotify's queue on /tmp and /var/tmp; /var/tmp is \
             scanned for SQLite's temporary files instead"
        );
        for entry in fs::read_dir("/var/tmp").unwrap().flatten() {
            let recent = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= started);
            if recent {
                created.insert(entry.path());
            }
        }
    }

    // SQLite puts temporary files in $TMPDIR, else /var/tmp (checked: with temp_store=FILE
    // and without SQLITE_TEMP_STORE=3 this test fails here, naming files like `#10043595`).
    let temporary: Vec<_> = created
        .iter()
        .filter(|p| {
            p.starts_with(&tmpdir)
                || (p.starts_with("/var/tmp")
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("etilqs_")))
        })
        .collect();
    assert!(
        temporary.is_empty(),
        "temporary files were created: {temporary:?}"
    );
    let ours: Vec<_> = created
        .iter()
        .filter(|p| p.starts_with(dir.path()))
        .collect();
    assert!(
        !ours.is_empty(),
        "inotify saw nothing: the test is not watching"
    );

    // The test's own folders: neither the canary nor a database.
    let mut files = Vec::new();
    files_under(dir.path(), &mut files);
    for path in files {
        let Ok(bytes) = fs::read(&path) else { continue };
        assert!(
            !contains(&bytes, canary.as_bytes()),
            "canary found in {}",
            path.display()
        );
        assert!(
            !contains(&bytes, SQLITE_MAGIC),
            "SQLite header found in {}",
            path.display()
        );
    }
    // Anything created elsewhere while it ran: not the canary.
    for path in created.iter().filter(|p| p.is_file()) {
        let Ok(bytes) = fs::read(path) else { continue };
        assert!(
            !contains(&bytes, canary.as_bytes()),
            "canary found in {}",
            path.display()
        );
    }
}

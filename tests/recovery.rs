//! When something went wrong, casebook never loses a copy and never strands a member:
//! `casebook merge` of sync conflict copies, restoring a backup, merging into an older copy,
//! and the hints that lead there. Each test runs the real binary on separate laptops and
//! checks the world (another laptop's view, or the file decrypted with `age` and read with
//! `sqlite3`), not only what a command printed.

mod common;

use std::path::{Path, PathBuf};

use common::Laptop;

struct Committee {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: Laptop,
    bo: Laptop,
    code: String,
}

/// Ada (chair) and Bo with one case; both laptops have seen the file.
fn committee() -> Committee {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let ada_key = common::member_key(&dir, "ada");
    let bo_key = common::member_key(&dir, "bo");
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
        &dir.join("bo.pub"),
    ]);
    let code = ada
        .ok(&[&"case", &"new", &file, &"--title", &"Hostile replies"])
        .trim()
        .to_string();
    let bo = Laptop::with_key(&bo_key);
    bo.ok(&[&"info", &file]);
    Committee {
        _tmp: tmp,
        dir,
        file,
        ada,
        bo,
        code,
    }
}

fn note(laptop: &Laptop, file: &Path, code: &str, text: &str) {
    laptop.ok(&[&"note", &"add", &file, &code, &"--text", &text]);
}

/// The notes in `file` as a laptop that never saw it reads them (a fresh laptop verifies
/// everything from scratch).
fn notes_on_a_fresh_laptop(key: &Path, file: &Path, code: &str) -> String {
    Laptop::with_key(key).ok(&[&"case", &"show", &file, &code])
}

/// The note bodies in `file`, read with the `age` CLI and `sqlite3` (the independent tools).
fn notes_in(key: &Path, file: &Path) -> Option<String> {
    if !(common::have("age") && common::have("sqlite3")) {
        return None;
    }
    Some(common::query_decrypted(
        key,
        file,
        "SELECT payload FROM events WHERE kind = 'note-added';",
    ))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `casebook merge FILE COPY` on the sync conflict copy casebook's own note points at: the
/// copy's changes are in the saved file, and the copy goes aside only after that.
#[test]
fn merging_a_sync_conflict_copy_by_name_keeps_its_changes() {
    let c = committee();
    let copy = c
        .dir
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    std::fs::copy(&c.file, &copy).unwrap();
    note(&c.bo, &copy, &c.code, "canary-bo-in-conflict-copy");
    // A read-only command points at it.
    let out = c.ada.run(&[&"info", &c.file]);
    assert!(stderr(&out).contains("casebook merge"), "{}", stderr(&out));

    let said = c.ada.ok(&[&"merge", &c.file, &copy]);
    assert!(said.contains("1 change from Bo"), "{said}");
    assert!(said.contains("merged into"), "{said}");
    assert!(!copy.exists(), "the merged copy is moved aside");
    assert_eq!(
        files_in(&c.dir.join(".casebook-merged")),
        ["committee.cases.sync-conflict-20261201-101500-ABCDEF7.age"]
    );
    let shown = notes_on_a_fresh_laptop(&c.dir.join("ada"), &c.file, &c.code);
    assert!(shown.contains("canary-bo-in-conflict-copy"), "{shown}");
    if let Some(notes) = notes_in(&c.dir.join("bo"), &c.file) {
        assert!(notes.contains("canary-bo-in-conflict-copy"), "{notes}");
    }
    // Merging it again (from where it went) changes nothing and says so.
    let moved = c
        .dir
        .join(".casebook-merged")
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    let again = c.ada.ok(&[&"merge", &c.file, &moved]);
    assert!(
        again.contains("nothing new") && again.contains("unchanged"),
        "{again}"
    );
}

/// Two conflict copies named at once: both are merged, neither is moved before the save.
#[test]
fn merging_two_sync_conflict_copies_by_name_keeps_both() {
    let c = committee();
    let syncthing = c
        .dir
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    let dropbox = c
        .dir
        .join("committee.cases (Bo's conflicted copy 2026-12-01).age");
    std::fs::copy(&c.file, &syncthing).unwrap();
    std::fs::copy(&c.file, &dropbox).unwrap();
    note(&c.bo, &syncthing, &c.code, "canary-syncthing");
    note(&c.bo, &dropbox, &c.code, "canary-dropbox");
    let said = c.ada.ok(&[&"merge", &c.file, &syncthing, &dropbox]);
    assert!(said.contains("merged into"), "{said}");
    assert!(!syncthing.exists() && !dropbox.exists());
    assert_eq!(files_in(&c.dir.join(".casebook-merged")).len(), 2);
    let shown = notes_on_a_fresh_laptop(&c.dir.join("bo"), &c.file, &c.code);
    assert!(
        shown.contains("canary-syncthing") && shown.contains("canary-dropbox"),
        "{shown}"
    );
    // Ada's laptop can go on working: it is not left holding "an older copy".
    note(&c.ada, &c.file, &c.code, "canary-ada-after");
}

/// A named copy merged while another conflict copy sits beside the file: the one beside it
/// comes in too, and is saved before it is moved.
#[test]
fn merge_saves_the_conflict_copies_it_finds_beside_the_file_too() {
    let c = committee();
    let beside = c
        .dir
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    let usb = c.dir.join("usb").join("committee.cases.age");
    std::fs::create_dir_all(usb.parent().unwrap()).unwrap();
    std::fs::copy(&c.file, &beside).unwrap();
    std::fs::copy(&c.file, &usb).unwrap();
    note(&c.bo, &beside, &c.code, "canary-beside");
    // The copy on the stick holds nothing new: the merge must still save what came in beside.
    let said = c.ada.run(&[&"merge", &c.file, &usb]);
    let out = common::ok(&said);
    assert!(out.contains("nothing new"), "{out}");
    assert!(stderr(&said).contains("moved it to"), "{}", stderr(&said));
    assert!(!beside.exists());
    assert!(
        usb.exists(),
        "a named copy that is not a conflict copy stays where it is"
    );
    let shown = notes_on_a_fresh_laptop(&c.dir.join("ada"), &c.file, &c.code);
    assert!(shown.contains("canary-beside"), "{shown}");
}

/// A merge that fails writes nothing and moves nothing.
#[test]
fn a_merge_that_fails_leaves_every_copy_where_it_was() {
    let c = committee();
    let beside = c
        .dir
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    std::fs::copy(&c.file, &beside).unwrap();
    note(&c.bo, &beside, &c.code, "canary-beside");
    let missing = c.dir.join("no-such-copy.cases.age");
    let before = std::fs::read(&c.file).unwrap();
    let out = c.ada.run(&[&"merge", &c.file, &missing]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no-such-copy.cases.age"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&c.file).unwrap(), before, "nothing written");
    assert!(beside.exists(), "the conflict copy stays where it was");
    assert!(!c.dir.join(".casebook-merged").exists());
}

/// A truncated file, the backup put back as casebook advises, and a newer copy from another
/// member: merging that copy into the restored backup recovers, since the result holds
/// everything this laptop verified.
#[test]
fn a_restored_backup_recovers_by_merging_a_newer_copy() {
    let c = committee();
    note(&c.ada, &c.file, &c.code, "canary-ada-1");
    note(&c.ada, &c.file, &c.code, "canary-ada-2");
    // Bo's laptop synced the newest version, and Bo worked on it.
    let bo_copy = c.dir.join("from-bo.cases.age");
    std::fs::copy(&c.file, &bo_copy).unwrap();
    note(&c.bo, &bo_copy, &c.code, "canary-bo");
    // Ada's file is cut short (an interrupted sync).
    let bytes = std::fs::read(&c.file).unwrap();
    std::fs::write(&c.file, &bytes[..bytes.len() - 100]).unwrap();
    let out = c.ada.run(&[&"info", &c.file]);
    assert!(stderr(&out).contains("truncated"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("casebook recover"),
        "{}",
        stderr(&out)
    );

    // The backup goes back in its place; it lacks Ada's last note.
    let backup = common::backup(&c.file);
    std::fs::copy(&backup, &c.file).unwrap();
    let out = c
        .ada
        .run(&[&"note", &"add", &c.file, &c.code, &"--text", &"x"]);
    let said = common::fails(&out);
    assert!(said.contains("is an older copy"), "{said}");
    let hint = said.split("hint: ").nth(1).unwrap();
    assert!(
        !hint.contains(".bak"),
        "the backup is not newer than the file: {said}"
    );
    assert!(
        said.contains("casebook merge") && said.contains("casebook recover"),
        "{said}"
    );

    let merged = c.ada.ok(&[&"merge", &c.file, &bo_copy]);
    assert!(merged.contains("merged into"), "{merged}");
    note(&c.ada, &c.file, &c.code, "canary-ada-3");
    let shown = notes_on_a_fresh_laptop(&c.dir.join("bo"), &c.file, &c.code);
    for canary in ["canary-ada-1", "canary-ada-2", "canary-bo", "canary-ada-3"] {
        assert!(shown.contains(canary), "{canary} missing: {shown}");
    }
}

/// Merging a copy that still lacks what this laptop verified is refused, and writes nothing.
#[test]
fn merging_into_an_older_copy_is_refused_when_the_result_still_lacks_the_pinned_history() {
    let c = committee();
    let old = c.dir.join("old.cases.age");
    std::fs::copy(&c.file, &old).unwrap();
    note(&c.ada, &c.file, &c.code, "canary-ada-pinned");
    // Bo's copy is from before Ada's note.
    let bo_copy = c.dir.join("from-bo.cases.age");
    std::fs::copy(&old, &bo_copy).unwrap();
    note(&c.bo, &bo_copy, &c.code, "canary-bo");
    // An older copy takes the file's place (and the backup too: a sync tool swept both).
    std::fs::copy(&old, &c.file).unwrap();
    std::fs::copy(&old, common::backup(&c.file)).unwrap();
    let before = std::fs::read(&c.file).unwrap();
    let said = common::fails(&c.ada.run(&[&"merge", &c.file, &bo_copy]));
    assert!(said.contains("is an older copy"), "{said}");
    assert!(said.contains("casebook recover"), "{said}");
    assert_eq!(std::fs::read(&c.file).unwrap(), before, "nothing written");
}

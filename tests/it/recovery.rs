//! When something went wrong, casebook never loses a copy and never strands a member:
//! `casebook merge` of sync conflict copies, restoring a backup, merging into an older copy,
//! and the hints that lead there. Each test runs the real binary on separate laptops and
//! checks the world (another laptop's view, or the file decrypted with `age` and read with
//! `sqlite3`), not only what a command printed.

use crate::common;

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

impl Committee {
    /// A Syncthing conflict copy of the file beside it.
    fn conflict_copy(&self) -> PathBuf {
        self.dir
            .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age")
    }

    /// A conflict copy beside the file, holding a note of Bo's that the file lacks.
    fn conflict_copy_with_note(&self, text: &str) -> PathBuf {
        let copy = self.conflict_copy();
        std::fs::copy(&self.file, &copy).unwrap();
        note(&self.bo, &copy, &self.code, text);
        copy
    }
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
    let copy = c.conflict_copy_with_note("canary-bo-in-conflict-copy");
    // A read-only command points at it.
    let out = c.ada.run(&[&"info", &c.file]);
    assert!(stderr(&out).contains("casebook merge"), "{}", stderr(&out));

    let said = c.ada.ok(&[&"merge", &c.file, &copy]);
    assert!(said.contains("1 change from Bo"), "{said}");
    assert!(said.contains("merged into"), "{said}");
    assert!(
        !copy.exists(),
        "the merged copy is deleted: the file holds it"
    );
    assert!(!c.dir.join(".casebook-merged").exists());
    let shown = notes_on_a_fresh_laptop(&c.dir.join("ada"), &c.file, &c.code);
    assert!(shown.contains("canary-bo-in-conflict-copy"), "{shown}");
    if let Some(notes) = notes_in(&c.dir.join("bo"), &c.file) {
        assert!(notes.contains("canary-bo-in-conflict-copy"), "{notes}");
    }
    // Merging the same copy again (Bo's copy of it, kept elsewhere) changes nothing and says
    // so; a copy that is not a conflict copy of the file is only read, never deleted.
    let moved = c.dir.join("bo-kept-a-copy.cases.age");
    std::fs::copy(&c.file, &moved).unwrap();
    let again = c.ada.ok(&[&"merge", &c.file, &moved]);
    assert!(
        again.contains("nothing new") && again.contains("unchanged"),
        "{again}"
    );
    assert!(
        moved.exists(),
        "a copy that is not a conflict copy is only read"
    );
}

/// A roster change saves at once, through the save every change takes: the sync conflict copy
/// merged when the file was opened is in what it saves, and is deleted by it, not left beside
/// the file to be merged again at every open.
#[test]
fn a_roster_change_saves_the_conflict_copy_it_merged_and_deletes_it() {
    let c = committee();
    let copy = c.conflict_copy_with_note("canary-bo-before-the-roster-change");
    common::member_key(&c.dir, "cy");
    let out = c.ada.run(&[
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Cy",
        &"--key",
        &c.dir.join("cy.pub"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("added Cy"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !copy.exists(),
        "the merged copy is deleted once the roster change saved it: {:?}\n{}",
        files_in(&c.dir),
        stderr(&out)
    );
    assert!(!c.dir.join(".casebook-merged").exists());
    // The file holds what the copy brought, for a laptop that never saw either, and Cy can
    // open it (the save was encrypted to the new roster).
    let shown = notes_on_a_fresh_laptop(&c.dir.join("cy"), &c.file, &c.code);
    assert!(
        shown.contains("canary-bo-before-the-roster-change"),
        "{shown}"
    );
    if let Some(notes) = notes_in(&c.dir.join("ada"), &c.file) {
        assert!(
            notes.contains("canary-bo-before-the-roster-change"),
            "{notes}"
        );
    }
}

/// Two conflict copies named at once: both are merged, neither is moved before the save.
#[test]
fn merging_two_sync_conflict_copies_by_name_keeps_both() {
    let c = committee();
    let syncthing = c.conflict_copy();
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
    assert!(!c.dir.join(".casebook-merged").exists());
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
    let beside = c.conflict_copy();
    let usb = c.dir.join("usb").join("committee.cases.age");
    std::fs::create_dir_all(usb.parent().unwrap()).unwrap();
    std::fs::copy(&c.file, &beside).unwrap();
    std::fs::copy(&c.file, &usb).unwrap();
    note(&c.bo, &beside, &c.code, "canary-beside");
    // The copy on the stick holds nothing new: the merge must still save what came in beside.
    let said = c.ada.run(&[&"merge", &c.file, &usb]);
    let out = common::ok(&said);
    assert!(out.contains("nothing new"), "{out}");
    assert!(
        stderr(&said).contains("and deleted it"),
        "{}",
        stderr(&said)
    );
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
    let beside = c.conflict_copy_with_note("canary-beside");
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

/// The newest commit `casebook recover` offers to accept, from what it printed.
fn offered(said: &str) -> String {
    said.split("The newest history found: newest commit ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no head offered: {said}"))
        .to_string()
}

/// Nothing newer exists anywhere: `casebook recover` shows what is lost, writes nothing without
/// the member's word, and with it signs a recovery event every copy shows.
#[test]
fn recover_accepts_an_older_history_only_on_the_members_word() {
    let c = committee();
    note(&c.ada, &c.file, &c.code, "canary-kept");
    note(&c.ada, &c.file, &c.code, "canary-lost");
    // The file is lost; the backup (from before the last note) is all there is.
    std::fs::copy(common::backup(&c.file), &c.file).unwrap();
    common::fails_with(
        &c.ada
            .run(&[&"note", &"add", &c.file, &c.code, &"--text", &"x"]),
        common::exit::OLDER_COPY,
    );
    let before = std::fs::read(&c.file).unwrap();
    let out = c.ada.run(&[&"recover", &c.file]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let told = common::fails_with(&out, common::exit::OLDER_COPY);
    assert!(said.contains("this laptop verified"), "{said}");
    assert!(said.contains("lacks what this laptop verified"), "{said}");
    assert!(
        said.contains("committee.cases.age.bak: newest commit"),
        "{said}"
    );
    assert!(
        told.contains("nothing was written") && told.contains("--accept"),
        "{told}"
    );
    assert_eq!(std::fs::read(&c.file).unwrap(), before);

    let head = offered(&said);
    let wrong = common::fails_with(
        &c.ada.run(&[&"recover", &c.file, &"--accept", &"00000000"]),
        common::exit::USAGE,
    );
    assert!(wrong.contains("does not name the newest commit"), "{wrong}");
    let accepted = c.ada.ok(&[&"recover", &c.file, &"--accept", &head]);
    assert!(accepted.contains("recovery event"), "{accepted}");
    // The laptop is not stranded: changes go on.
    note(&c.ada, &c.file, &c.code, "canary-after");
    // Every copy shows the recovery: Bo's laptop, which never saw the lost note.
    let log = c.bo.ok(&[&"log", &c.file]);
    assert!(
        log.contains("recovered the file from an older copy"),
        "{log}"
    );
    let shown = notes_on_a_fresh_laptop(&c.dir.join("bo"), &c.file, &c.code);
    assert!(
        shown.contains("canary-kept") && shown.contains("canary-after"),
        "{shown}"
    );
    assert!(!shown.contains("canary-lost"), "{shown}");
    if common::have("age") && common::have("sqlite3") {
        let kinds = common::query_decrypted(
            &c.dir.join("bo"),
            &c.file,
            "SELECT count(*) FROM events WHERE kind = 'history-recovered';",
        );
        assert_eq!(kinds.trim(), "1");
    }
}

/// A truncated file whose newest version survives as a sync conflict copy: recover puts it
/// back without asking (nothing is lost), keeps the damaged file aside and the backup as it was.
#[test]
fn recover_puts_back_a_damaged_file_from_the_copy_that_holds_everything() {
    let c = committee();
    note(&c.ada, &c.file, &c.code, "canary-newest");
    let copy = c.conflict_copy();
    std::fs::copy(&c.file, &copy).unwrap();
    let backup_before = std::fs::read(common::backup(&c.file)).unwrap();
    let bytes = std::fs::read(&c.file).unwrap();
    std::fs::write(&c.file, &bytes[..bytes.len() / 2]).unwrap();
    let said = c.ada.ok(&[&"recover", &c.file]);
    assert!(said.contains("cannot be opened"), "{said}");
    assert!(said.contains("holds what this laptop verified"), "{said}");
    assert!(said.contains("recovered"), "{said}");
    let shown = notes_on_a_fresh_laptop(&c.dir.join("bo"), &c.file, &c.code);
    assert!(shown.contains("canary-newest"), "{shown}");
    assert_eq!(
        std::fs::read(common::backup(&c.file)).unwrap(),
        backup_before,
        "the backup is not replaced by the damaged file"
    );
    let aside = files_in(&c.dir.join(".casebook-merged"));
    assert!(
        aside
            .iter()
            .any(|n| n.starts_with("committee.cases.age.damaged-")),
        "{aside:?}"
    );
    note(&c.ada, &c.file, &c.code, "canary-after");
}

/// An older copy from before a member's removal: recover never lets it bring the removed
/// member back. A member who is not a chair is refused; a chair carries the removal forward.
#[test]
fn recover_carries_a_removal_forward_or_refuses() {
    let c = committee();
    let cy_key = common::member_key(&c.dir, "cy");
    c.ada.ok(&[
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Cy",
        &"--key",
        &c.dir.join("cy.pub"),
    ]);
    let cy = Laptop::with_key(&cy_key);
    let before_removal = c.dir.join("before-removal.cases.age");
    std::fs::copy(&c.file, &before_removal).unwrap();
    c.ada
        .ok(&[&"member", &"remove", &c.file, &"Bo", &"--reason", &"left"]);
    cy.ok(&[&"info", &c.file]);
    note(&cy, &c.file, &c.code, "canary-cy");
    // Only the copy from before the removal is left, for both laptops.
    std::fs::copy(&before_removal, &c.file).unwrap();
    std::fs::copy(&before_removal, common::backup(&c.file)).unwrap();

    let said = cy.run(&[&"recover", &c.file]);
    let head = offered(&String::from_utf8_lossy(&said.stdout));
    let refused = common::fails_with(
        &cy.run(&[&"recover", &c.file, &"--accept", &head]),
        common::exit::RULE_REFUSED,
    );
    assert!(refused.contains("only a chair may"), "{refused}");
    assert_eq!(
        std::fs::read(&c.file).unwrap(),
        std::fs::read(&before_removal).unwrap()
    );

    let said = c.ada.run(&[&"recover", &c.file]);
    let out = String::from_utf8_lossy(&said.stdout).into_owned();
    assert!(out.contains("lacks the removal of Bo"), "{out}");
    c.ada
        .ok(&[&"recover", &c.file, &"--accept", &offered(&out)]);
    let members = c.ada.ok(&[&"member", &"list", &c.file]);
    assert!(
        members.contains("Bo") && members.contains("removed"),
        "{members}"
    );
    if common::have("age") {
        let out = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(c.dir.join("bo"))
            .arg(&c.file)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the removed member can read the recovered file"
        );
        let out = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(c.dir.join("bo"))
            .arg(common::backup(&c.file))
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the removed member can read its backup"
        );
    }
}

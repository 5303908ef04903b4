//! Several members, several copies: `casebook merge`, sync conflict copies, changes on disk,
//! git as a transport, removals against older copies, and what needs attention.

mod common;

use casebook::ops::OpenFile;
use std::path::{Path, PathBuf};

use common::Laptop;

/// What a laptop's command printed on both streams (it must succeed).
trait Both {
    fn both(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String;
}

impl Both for Laptop {
    fn both(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "casebook failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}

struct Committee {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: Laptop,
    bo: Laptop,
    cy: Laptop,
    code: String,
}

/// Ada (chair), Bo and Cy (members) with one case in deliberation.
fn committee() -> Committee {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let key = |name: &str| common::member_key(&dir, name);
    let (ada_key, bo_key, cy_key) = (key("ada"), key("bo"), key("cy"));
    let ada = Laptop::with_key(&ada_key);
    let file = dir.join("committee.cases.age");
    ada.ok(&[&"init", &file, &"--name", &"Ada"]);
    for (name, k) in [("Bo", "bo.pub"), ("Cy", "cy.pub")] {
        ada.ok(&[
            &"member",
            &"add",
            &file,
            &"--name",
            &name,
            &"--key",
            &dir.join(k),
        ]);
    }
    let code = ada
        .ok(&[&"case", &"new", &file, &"--title", &"Hostile replies"])
        .trim()
        .to_string();
    for step in ["triage", "investigating", "deliberating"] {
        ada.ok(&[&"status", &file, &code, &step]);
    }
    let bo = Laptop::with_key(&bo_key);
    let cy = Laptop::with_key(&cy_key);
    // Each laptop sees the committee once, as it would when the folder first syncs.
    bo.ok(&[&"info", &file]);
    cy.ok(&[&"info", &file]);
    Committee {
        _tmp: tmp,
        dir,
        file,
        ada,
        bo,
        cy,
        code,
    }
}

fn note(laptop: &Laptop, file: &Path, code: &str, text: &str) {
    laptop.ok(&[&"note", &"add", &file, &code, &"--text", &text]);
}

fn shows(laptop: &Laptop, file: &Path, code: &str) -> String {
    laptop.ok(&[&"case", &"show", &file, &code])
}

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
}

#[test]
fn two_laptops_merge_both_ways_and_converge() {
    let c = committee();
    let bo_copy = c.dir.join("bo-copy.cases.age");
    copy(&c.file, &bo_copy);
    // Ada: a note, a new case and a status move; Bo: a note, a vote and a new case.
    note(&c.ada, &c.file, &c.code, "canary-ada-note");
    let ada_case = c
        .ada
        .ok(&[&"case", &"new", &c.file, &"--title", &"Ada's case"]);
    c.ada.ok(&[&"status", &c.file, &ada_case.trim(), &"triage"]);
    note(&c.bo, &bo_copy, &c.code, "canary-bo-note");
    c.bo.ok(&[
        &"vote",
        &bo_copy,
        &c.code,
        &"--outcome",
        &"warning",
        &"--for",
    ]);
    let bo_case =
        c.bo.ok(&[&"case", &"new", &bo_copy, &"--title", &"Bo's case"]);

    let before = std::fs::read(&bo_copy).unwrap();
    let merged = c.ada.ok(&[&"merge", &c.file, &bo_copy]);
    assert!(merged.contains("4 changes from Bo"), "{merged}");
    assert_eq!(
        std::fs::read(&bo_copy).unwrap(),
        before,
        "OTHER was changed"
    );
    // Everything is there, for Ada.
    let shown = shows(&c.ada, &c.file, &c.code);
    assert!(
        shown.contains("canary-ada-note") && shown.contains("canary-bo-note"),
        "{shown}"
    );
    assert!(shows(&c.ada, &c.file, bo_case.trim()).contains("Bo's case"));
    // Bo merges Ada's merged file back: both now show the same head and derived state.
    c.bo.ok(&[&"merge", &bo_copy, &c.file]);
    assert_eq!(c.ada.head(&c.file), c.bo.head(&bo_copy));
    // Merging again, or merging a file into itself, changes nothing and says so.
    let again = c.ada.ok(&[&"merge", &c.file, &bo_copy]);
    assert!(again.contains("nothing new"), "{again}");
    let itself = c.ada.ok(&[&"merge", &c.file, &c.file]);
    assert!(itself.contains("itself"), "{itself}");
    assert_eq!(c.ada.head(&c.file), c.bo.head(&bo_copy));
    // Every member decrypts both merged copies with the age CLI.
    if common::have("age") {
        for member in ["ada", "bo", "cy"] {
            for file in [&c.file, &bo_copy] {
                assert!(
                    !age_cannot_decrypt(&c.dir.join(member), file),
                    "{member} cannot decrypt {}",
                    file.display()
                );
            }
        }
    }
}

/// A merge settles only the cases it changes (see `history::rederive`): one that took events
/// between its own (replayed), one that took events after its own (extended), one whose own
/// events only moved (unchanged). Whatever it settled, a laptop that never saw the file
/// verifies it from scratch and derives the same state, digest for digest.
#[test]
fn a_merged_file_verifies_from_scratch_on_a_fresh_laptop() {
    let c = committee();
    let new_case = |title: &str| {
        c.ada
            .ok(&[&"case", &"new", &c.file, &"--title", &title])
            .trim()
            .to_string()
    };
    let (between, after, moved) = (new_case("Between"), new_case("After"), new_case("Moved"));
    let bo_copy = c.dir.join("bo-copy.cases.age");
    copy(&c.file, &bo_copy);
    // In time: Ada, then Bo, then Ada again; the merge puts Bo's commits between Ada's.
    note(&c.ada, &c.file, &between, "canary-ada-first");
    note(&c.bo, &bo_copy, &between, "canary-bo-between");
    note(&c.bo, &bo_copy, &after, "canary-bo-after");
    c.bo.ok(&[&"status", &bo_copy, &after, &"triage"]);
    note(&c.ada, &c.file, &between, "canary-ada-last");
    note(&c.ada, &c.file, &moved, "canary-ada-moved");
    c.ada.ok(&[&"merge", &c.file, &bo_copy]);
    c.bo.ok(&[&"merge", &bo_copy, &c.file]);
    let ada_key = c.dir.join("ada");
    for (file, case, canaries) in [
        (
            &c.file,
            &between,
            &["canary-ada-first", "canary-bo-between", "canary-ada-last"][..],
        ),
        (&c.file, &after, &["canary-bo-after", "triage"][..]),
        (&c.file, &moved, &["canary-ada-moved"][..]),
    ] {
        let shown = shows(&c.ada, file, case);
        for canary in canaries {
            assert!(shown.contains(canary), "{canary} missing from {shown}");
        }
    }
    // Every derived table checked against a replay of every event, on a laptop that never
    // saw either copy, and on one that saw the file before either changed.
    let fresh = Laptop::with_key(&ada_key);
    let head = c.ada.head(&c.file);
    assert_eq!(fresh.head(&c.file), head);
    assert_eq!(c.cy.head(&c.file), head);
    assert_eq!(c.bo.head(&bo_copy), head);
    assert_eq!(Laptop::with_key(&ada_key).head(&bo_copy), head);
}

/// A member added on one copy, and what they wrote there, come in with the merge: their
/// events name a member the other copy's roster did not have before it.
#[test]
fn a_member_added_on_another_copy_comes_in_with_their_work() {
    let c = committee();
    let bo_copy = c.dir.join("bo-copy.cases.age");
    copy(&c.file, &bo_copy);
    let dee_key = common::member_key(&c.dir, "dee");
    c.ada.ok(&[
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Dee",
        &"--key",
        &c.dir.join("dee.pub"),
    ]);
    let dee = Laptop::with_key(&dee_key);
    note(&dee, &c.file, &c.code, "canary-dee-note");
    note(&c.bo, &bo_copy, &c.code, "canary-bo-note");
    let merged = c.bo.both(&[&"merge", &bo_copy, &c.file]);
    assert!(merged.contains("from Dee"), "{merged}");
    let shown = shows(&c.bo, &bo_copy, &c.code);
    assert!(
        shown.contains("canary-dee-note") && shown.contains("canary-bo-note"),
        "{shown}"
    );
    assert!(c.bo.ok(&[&"member", &"list", &bo_copy]).contains("Dee"));
    assert_eq!(
        Laptop::with_key(&dee_key).head(&bo_copy),
        c.bo.head(&bo_copy)
    );
}

#[test]
fn another_committees_file_is_refused_and_nothing_is_written() {
    let c = committee();
    let other_key = common::member_key(&c.dir, "eve");
    let eve = Laptop::with_key(&other_key);
    let foreign = c.dir.join("foreign.cases.age");
    eve.ok(&[&"init", &foreign, &"--name", &"Eve"]);
    // Ada can decrypt it (Eve adds her), but it is another committee.
    eve.ok(&[
        &"member",
        &"add",
        &foreign,
        &"--name",
        &"Ada",
        &"--key",
        &c.dir.join("ada.pub"),
    ]);
    let before = std::fs::read(&c.file).unwrap();
    let refused = common::fails(&c.ada.run(&[&"merge", &c.file, &foreign]));
    assert!(
        refused.contains("another committee") || refused.contains("committee"),
        "{refused}"
    );
    assert_eq!(std::fs::read(&c.file).unwrap(), before);
}

#[test]
fn sync_conflict_copies_beside_the_file_are_merged_and_moved_aside() {
    let c = committee();
    let syncthing = c
        .dir
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    let dropbox = c
        .dir
        .join("committee.cases (Cy's conflicted copy 2026-12-01).age");
    copy(&c.file, &syncthing);
    copy(&c.file, &dropbox);
    note(&c.bo, &syncthing, &c.code, "canary-syncthing-note");
    note(&c.cy, &dropbox, &c.code, "canary-dropbox-note");
    // The next change Ada makes finds both copies, merges them, and moves them aside.
    let said = c.ada.both(&[
        &"note",
        &"add",
        &c.file,
        &c.code,
        &"--text",
        &"canary-ada-note",
    ]);
    assert!(said.contains("sync conflict copy"), "{said}");
    assert!(!syncthing.exists() && !dropbox.exists());
    assert!(
        !c.dir.join(".casebook-merged").exists(),
        "deleted, not moved"
    );
    let shown = shows(&c.ada, &c.file, &c.code);
    for canary in [
        "canary-syncthing-note",
        "canary-dropbox-note",
        "canary-ada-note",
    ] {
        assert!(shown.contains(canary), "{canary} missing: {shown}");
    }
    if common::have("age") {
        for member in ["ada", "bo", "cy"] {
            assert!(
                !age_cannot_decrypt(&c.dir.join(member), &c.file),
                "{member}"
            );
        }
    }
}

#[test]
fn a_save_that_finds_the_file_changed_on_disk_merges_it() {
    use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource};
    let c = committee();
    let state = tempfile::tempdir().unwrap();
    // SAFETY: this test binary's tests all point the state at their own temp dirs; the
    // process-wide variable only decides where pins go.
    unsafe { std::env::set_var("XDG_STATE_HOME", state.path()) };
    let ada = Identity::load(&c.dir.join("ada"), &PassphraseSource::Terminal).unwrap();
    let mut file = CaseFile::open(&c.file, &ada, OpenMode::ReadWrite).unwrap();
    casebook::ops::cases::change(
        OpenFile::of(&mut file),
        &c.code,
        casebook::ops::cases::CaseChange::Note {
            kind: Default::default(),
            body: "canary-in-memory".into(),
            amends: None,
        },
    )
    .unwrap();
    // Meanwhile a sync tool puts Bo's version in place (Bo's laptop holds no lock here).
    let bo_copy = c.dir.join("bo.cases.age");
    copy(&c.file, &bo_copy);
    note(&c.bo, &bo_copy, &c.code, "canary-from-disk");
    std::fs::rename(&bo_copy, &c.file).unwrap();
    let report = file.save(&ada).unwrap();
    assert!(report.merged.is_some_and(|m| m.events() == 1));
    drop(file);
    let shown = shows(&c.ada, &c.file, &c.code);
    assert!(
        shown.contains("canary-in-memory") && shown.contains("canary-from-disk"),
        "{shown}"
    );
}

fn age_cannot_decrypt(key: &Path, file: &Path) -> bool {
    !std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(key)
        .arg(file)
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn a_removal_holds_against_a_copy_from_before_it_in_every_order() {
    if !common::have("age") {
        return;
    }
    for order in ["chair-merges", "old-copy-merges"] {
        let c = committee();
        let old = c.dir.join("cy-old.cases.age");
        copy(&c.file, &old);
        // Cy works offline on the old copy; meanwhile Ada removes Cy.
        note(&c.cy, &old, &c.code, "canary-cy-offline");
        c.ada.ok(&[&"member", &"remove", &c.file, &"Cy"]);
        let result = match order {
            "chair-merges" => {
                c.ada.ok(&[&"merge", &c.file, &old]);
                c.file.clone()
            }
            _ => {
                // Bo starts from Cy's old copy and merges the chair's file into it.
                let bo_file = c.dir.join("bo.cases.age");
                copy(&old, &bo_file);
                c.bo.ok(&[&"merge", &bo_file, &c.file]);
                bo_file
            }
        };
        let cy_key = c.dir.join("cy");
        assert!(
            age_cannot_decrypt(&cy_key, &result),
            "{order}: Cy decrypts it"
        );
        let backup = PathBuf::from(format!("{}.bak", result.display()));
        if backup.exists() {
            assert!(
                age_cannot_decrypt(&cy_key, &backup),
                "{order}: Cy decrypts the backup"
            );
        }
        let shown = c.bo.ok(&[&"case", &"show", &result, &c.code]);
        assert!(
            shown.contains("canary-cy-offline"),
            "{order}: Cy's change lost"
        );
        let info = c.bo.ok(&[&"member", &"list", &result]);
        assert!(info.contains("removed"), "{order}: {info}");
        let attention = c.bo.ok(&[&"attention", &result]);
        assert!(
            attention.contains("removed from the committee on another copy"),
            "{order}: {attention}"
        );
    }
}

#[test]
fn two_decisions_need_attention_until_resolved() {
    let c = committee();
    let bo_copy = c.dir.join("bo.cases.age");
    copy(&c.file, &bo_copy);
    let decide = |laptop: &Laptop, file: &Path, outcome: &str| {
        laptop.ok(&[
            &"decide",
            &file,
            &c.code,
            &"--outcome",
            &outcome,
            &"--rationale",
            &"Because.",
            &"--override",
            &"--reason",
            &"Chair decides alone in this test.",
        ]);
    };
    decide(&c.ada, &c.file, "warning");
    // Bo is no chair: Ada decides on a second copy, as if on another laptop.
    decide(&c.ada, &bo_copy, "correction");
    let merged = c.bo.ok(&[&"merge", &bo_copy, &c.file]);
    // Made at the same time on two copies: neither stands until a member says which does.
    assert!(merged.contains("2 need attention"), "{merged}");
    let shown = c.bo.ok(&[&"case", &"show", &bo_copy, &c.code, &"--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert!(shown["case"]["decision"].is_null(), "{shown}");
    let listed =
        c.bo.ok(&[&"case", &"list", &bo_copy, &"--queue", &"needs-attention"]);
    assert!(listed.contains(&c.code), "{listed}");
    let attention = c.bo.ok(&[&"attention", &bo_copy, &"--json"]);
    let items: serde_json::Value = serde_json::from_str(&attention).unwrap();
    let item = items[0]["item"].as_str().unwrap()[..8].to_string();
    let other = items[1]["item"].as_str().unwrap()[..8].to_string();
    assert!(
        items[0]["what"]
            .as_str()
            .unwrap()
            .contains("at the same time as another")
    );
    c.bo.ok(&[
        &"resolve",
        &bo_copy,
        &c.code,
        &"--item",
        &item,
        &"--item",
        &other,
        &"--note",
        &"The committee kept it.",
        &"--keep",
        &item,
    ]);
    let attention = c.bo.ok(&[&"attention", &bo_copy]);
    assert!(attention.contains("nothing needs attention"), "{attention}");
    let listed =
        c.bo.ok(&[&"case", &"list", &bo_copy, &"--queue", &"needs-attention"]);
    assert!(!listed.contains(&c.code), "{listed}");
    let shown = c.bo.ok(&[&"case", &"show", &bo_copy, &c.code, &"--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        shown["case"]["status"], "decided",
        "the decision kept stands"
    );
}

#[test]
fn git_pull_merges_the_case_file_with_the_merge_driver() {
    if !common::have("git") {
        return;
    }
    let c = committee();
    let git = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .env("HOME", c.ada.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let origin = c.dir.join("origin");
    std::fs::create_dir(&origin).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    copy(&c.file, &origin.join("committee.cases.age"));
    std::fs::write(
        origin.join(".gitattributes"),
        "*.cases.age merge=casebook\n",
    )
    .unwrap();
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-qm", "case file"]);
    let driver = |key: &str| {
        format!(
            "{} -i {} merge-driver %O %A %B",
            env!("CARGO_BIN_EXE_casebook"),
            c.dir.join(key).display()
        )
    };
    let (one, two) = (c.dir.join("one"), c.dir.join("two"));
    for (clone, key) in [(&one, "ada"), (&two, "bo")] {
        git(
            &c.dir,
            &[
                "clone",
                "-q",
                origin.to_str().unwrap(),
                clone.to_str().unwrap(),
            ],
        );
        git(clone, &["config", "merge.casebook.driver", &driver(key)]);
        git(clone, &["config", "pull.rebase", "false"]);
    }
    note(
        &c.ada,
        &one.join("committee.cases.age"),
        &c.code,
        "canary-clone-one",
    );
    git(&one, &["commit", "-qam", "one"]);
    git(&one, &["push", "-q", "origin", "HEAD:refs/heads/one"]);
    note(
        &c.bo,
        &two.join("committee.cases.age"),
        &c.code,
        "canary-clone-two",
    );
    git(&two, &["commit", "-qam", "two"]);
    git(&two, &["pull", "-q", "--no-edit", "origin", "one"]);
    let shown = shows(&c.bo, &two.join("committee.cases.age"), &c.code);
    assert!(
        shown.contains("canary-clone-one") && shown.contains("canary-clone-two"),
        "{shown}"
    );
    // The driver leaves nothing of its own in the work tree.
    let left: Vec<String> = std::fs::read_dir(&two)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".merge_file"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn incompatible_status_moves_and_a_conflicted_vote_need_attention() {
    let c = committee();
    let bo_copy = c.dir.join("bo.cases.age");
    copy(&c.file, &bo_copy);
    // On Ada's copy: Bo declares a soft conflict, then Ada decides.
    c.bo.ok(&[
        &"conflict",
        &c.file,
        &c.code,
        &"--soft",
        &"--reason",
        &"Works with them",
    ]);
    c.ada.ok(&[
        &"decide",
        &c.file,
        &c.code,
        &"--outcome",
        &"warning",
        &"--rationale",
        &"Because.",
        &"--override",
        &"--reason",
        &"Chair decides alone in this test.",
    ]);
    // On Bo's copy, later: Bo votes, and the case goes back to investigating.
    c.bo.ok(&[
        &"vote",
        &bo_copy,
        &c.code,
        &"--outcome",
        &"warning",
        &"--for",
    ]);
    c.ada.ok(&[&"status", &bo_copy, &c.code, &"investigating"]);
    let merged = c.ada.ok(&[&"merge", &c.file, &bo_copy]);
    assert!(merged.contains("need attention"), "{merged}");
    let shown = shows(&c.ada, &c.file, &c.code);
    // The proposal and the vote of a member with a conflict, and a move from a status the
    // case had left on the other copy: none applied, each named.
    assert!(shown.contains("NEEDS ATTENTION (3)"), "{shown}");
    assert!(
        shown.contains("soft conflict of interest on") && shown.contains("may not vote"),
        "{shown}"
    );
    assert!(
        shown.contains("a move from deliberating does not apply"),
        "{shown}"
    );
    assert!(shown.contains("status     decided"), "{shown}");
}

#[test]
fn two_cases_opened_with_one_code_name_are_told_apart() {
    use casebook::core::case::{CaseId, Channel};
    use casebook::core::event::{Event, EventKind};
    use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource};
    let c = committee();
    let state = tempfile::tempdir().unwrap();
    // SAFETY: this test binary's tests all point the state at their own temp dirs.
    unsafe { std::env::set_var("XDG_STATE_HOME", state.path()) };
    let ada = Identity::load(&c.dir.join("ada"), &PassphraseSource::Terminal).unwrap();
    let other = c.dir.join("other.cases.age");
    copy(&c.file, &other);
    let mut ids = Vec::new();
    for (path, minute) in [(&c.file, 1), (&other, 2)] {
        let mut file = CaseFile::open(path, &ada, OpenMode::ReadWrite).unwrap();
        let me = file.me().unwrap().unwrap().id;
        let id = CaseId(uuid::Uuid::new_v4());
        ids.push(id);
        let at = chrono::Utc::now() + chrono::Duration::minutes(minute);
        file.record(&[Event {
            id: uuid::Uuid::new_v4(),
            case: Some(id),
            author: me,
            at,
            amends: None,
            kind: EventKind::CaseOpened {
                code_name: "twin-heron".into(),
                title: format!("opened at minute {minute}"),
                summary: String::new(),
                channel: Channel::Email,
                received_at: at,
            },
        }])
        .unwrap();
        file.save(&ada).unwrap();
    }
    let mut file = CaseFile::open(&c.file, &ada, OpenMode::ReadWrite).unwrap();
    file.merge_file(&other, &ada).unwrap();
    file.save(&ada).unwrap();
    let cases = file.cases().unwrap();
    let first = &cases[&ids[0]];
    let later = &cases[&ids[1]];
    assert_eq!(first.code_name, "twin-heron");
    assert!(
        later.code_name.starts_with("twin-heron-"),
        "{}",
        later.code_name
    );
    assert_eq!(first.attention.len(), 1);
    assert_eq!(later.attention.len(), 1);
    drop(file);
    // The same on a fresh verification, from the CLI.
    let shown = shows(&c.ada, &c.file, "twin-heron");
    assert!(shown.contains("renamed"), "{shown}");
}

#[test]
fn a_key_rotation_holds_against_a_copy_from_before_it_in_every_order() {
    if !common::have("age") {
        return;
    }
    for order in [
        "rotated-merges",
        "old-copy-merges",
        "rotating-member-merges",
    ] {
        let c = committee();
        let old = c.dir.join("cy-old.cases.age");
        copy(&c.file, &old);
        // Cy's old key works on the old copy (offline, or stolen); meanwhile Cy rotates.
        note(&c.cy, &old, &c.code, "canary-old-key");
        let new_key = common::member_key(&c.dir, "cy-new");
        c.cy.ok(&[
            &"member",
            &"rotate-key",
            &c.file,
            &"--new-identity",
            &new_key,
        ]);
        let result = match order {
            "rotated-merges" => {
                c.ada.ok(&[&"merge", &c.file, &old]);
                c.file.clone()
            }
            "rotating-member-merges" => {
                // Cy, now with the new key, merges the copy encrypted to the old one.
                let cy_now = Laptop::with_key(&new_key);
                let refused = common::fails(&cy_now.run(&[&"merge", &c.file, &old]));
                assert!(refused.contains("not encrypted to"), "{refused}");
                cy_now.ok(&[
                    &"merge",
                    &c.file,
                    &old,
                    &"--other-identity",
                    &c.dir.join("cy"),
                ]);
                c.file.clone()
            }
            _ => {
                let bo_file = c.dir.join("bo.cases.age");
                copy(&old, &bo_file);
                c.bo.ok(&[&"merge", &bo_file, &c.file]);
                bo_file
            }
        };
        let old_key = c.dir.join("cy");
        assert!(
            age_cannot_decrypt(&old_key, &result),
            "{order}: the old key decrypts it"
        );
        let backup = PathBuf::from(format!("{}.bak", result.display()));
        if backup.exists() {
            assert!(
                age_cannot_decrypt(&old_key, &backup),
                "{order}: the old key decrypts the backup"
            );
        }
        let shown = c.bo.ok(&[&"case", &"show", &result, &c.code]);
        assert!(
            shown.contains("canary-old-key"),
            "{order}: the change was lost"
        );
        let attention = c.bo.ok(&[&"attention", &result]);
        assert!(
            attention.contains("key that was replaced"),
            "{order}: {attention}"
        );
    }
}

//! Property: a member records random changes without saving, then drops random ones of them
//! (each drop takes the change and every later unsaved change of the same case, or, for a
//! committee-wide one, every later committee-wide one), and saves. The saved file holds
//! exactly the changes that were kept, and derives exactly what a file that never had the
//! dropped ones derives: the same events and the same derived-state digest as a second copy
//! on which only the kept changes were recorded (the files' bytes differ by salts, keys and
//! signatures). A drop that is refused (a case was sealed since the last save) changes
//! nothing, and says so before anything claims success. Checked on the file as saved, opened
//! again from disk.

mod common;

use casebook::ops::OpenFile;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use casebook::core::case::{Channel, Status};
use casebook::core::decision::Ballot;
use casebook::core::event::{Audience, ConflictKind, Event, ExcludeWhy, NoteKind};
use casebook::ops::cases::{self as case_ops, CaseChange, NewCase};
use casebook_vault::{CaseFile, Error, Identity, OpenMode, PassphraseSource};
use proptest::prelude::*;

const MEMBERS: [&str; 3] = ["robin", "sam", "priya"];
/// Their names on the roster.
const NAMES: [&str; 3] = ["Robin", "Sam", "Priya"];

fn key_path(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    if name == "robin" {
        root.join("identity")
    } else {
        root.join("members").join(name)
    }
}

#[derive(Clone, Debug)]
enum Step {
    Note(usize),
    NewCase,
    Status(usize, usize),
    Vote(usize, bool),
    SoftConflict(usize),
    Emergency(usize),
    Message(usize),
    Assign(usize, usize),
    Settings(u32),
    /// Keep a member out of a case (a seal: no drop is possible until the next save).
    Seal(usize, usize),
    /// Drop the unsaved change at this position (modulo how many there are).
    Drop(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..4usize).prop_map(Step::Note),
        2 => Just(Step::NewCase),
        3 => (0..4usize, 0..Status::ALL.len()).prop_map(|(c, s)| Step::Status(c, s)),
        2 => (0..4usize, any::<bool>()).prop_map(|(c, p)| Step::Vote(c, p)),
        1 => (0..4usize).prop_map(Step::SoftConflict),
        1 => (0..4usize).prop_map(Step::Emergency),
        1 => (0..4usize).prop_map(Step::Message),
        1 => (0..4usize, 0..3usize).prop_map(|(c, m)| Step::Assign(c, m)),
        1 => (24..200u32).prop_map(Step::Settings),
        1 => (0..4usize, 1..3usize).prop_map(|(c, m)| Step::Seal(c, m)),
        4 => (0..64usize).prop_map(Step::Drop),
    ]
}

/// A committee of three with two saved cases: the file every run starts from.
fn base(dir: &Path) -> PathBuf {
    let file = dir.join("base.cases.age");
    let robin = key_path("robin");
    common::ok(&common::run(&[
        &"-i", &robin, &"init", &file, &"--name", &"Robin",
    ]));
    for (key, name) in MEMBERS.iter().zip(NAMES).skip(1) {
        let key = format!("{}.pub", key_path(key).display());
        common::ok(&common::run(&[
            &"-i", &robin, &"member", &"add", &file, &"--name", &name, &"--key", &key,
        ]));
    }
    for title in ["First report", "Second report"] {
        common::ok(&common::run(&[
            &"-i", &robin, &"case", &"new", &file, &"--title", &title,
        ]));
    }
    file
}

/// Record `step` as Robin, without saving; refusals by the rules are expected and skipped.
fn apply(file: &mut CaseFile, step: &Step) {
    let codes: Vec<String> = file
        .cases()
        .unwrap()
        .values()
        .map(|c| c.code_name.clone())
        .collect();
    let code = |n: usize| codes[n % codes.len()].clone();
    let change = |file: &mut CaseFile, n: usize, change: CaseChange| {
        case_ops::change(OpenFile::of(file), &code(n), change).map(|_| ())
    };
    let result = match step {
        Step::Note(n) => change(
            file,
            *n,
            CaseChange::Note {
                kind: NoteKind::General,
                body: format!("note {}", rand::random::<u32>()),
                amends: None,
            },
        ),
        Step::NewCase => case_ops::open(
            OpenFile::of(file),
            NewCase {
                title: format!("case {}", rand::random::<u32>()),
                summary: String::new(),
                channel: Channel::Email,
                received_at: None,
                exclude: Vec::new(),
            },
        )
        .map(|_| ()),
        Step::Status(n, s) => change(file, *n, CaseChange::Status(Status::ALL[*s])),
        Step::Vote(n, propose) => change(
            file,
            *n,
            CaseChange::Vote {
                outcome: "warning".into(),
                ballot: Ballot::For,
                propose: *propose,
            },
        ),
        Step::SoftConflict(n) => change(
            file,
            *n,
            CaseChange::Conflict {
                kind: ConflictKind::Soft,
                reason: Some("knows them".into()),
            },
        ),
        Step::Emergency(n) => change(
            file,
            *n,
            CaseChange::Emergency {
                action: "Muted them.".into(),
            },
        ),
        Step::Message(n) => change(
            file,
            *n,
            CaseChange::Message {
                to: Audience::Reporter,
                summary: "Told them.".into(),
                next_update_by: None,
                template: None,
                review: false,
            },
        ),
        Step::Assign(n, m) => change(file, *n, CaseChange::Assign(NAMES[*m].to_string())),
        Step::Settings(hours) => case_ops::change_settings(
            OpenFile::of(file),
            case_ops::SettingsChange {
                acknowledge_hours: Some(*hours),
                ..Default::default()
            },
        )
        .map(|_| ()),
        Step::Seal(n, m) => change(
            file,
            *n,
            CaseChange::Exclude {
                members: vec![NAMES[*m].to_string()],
                why: ExcludeWhy::Request,
            },
        ),
        Step::Drop(_) => Ok(()),
    };
    match result {
        Ok(()) | Err(casebook::ops::Error::Rule(_)) => {}
        Err(e) => panic!("{step:?}: {e}"),
    }
}

/// The events of `file`'s history, oldest first, as this copy reads them.
fn events(file: &CaseFile) -> Vec<Event> {
    file.log()
        .unwrap()
        .into_iter()
        .flat_map(|commit| commit.events)
        .collect()
}

fn open(path: &Path, identity: &Identity) -> CaseFile {
    CaseFile::open(path, identity, OpenMode::ReadWrite).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 0, .. ProptestConfig::default() })]
    #[test]
    fn dropping_unsaved_changes_saves_exactly_what_was_kept(
        steps in prop::collection::vec(step(), 4..30),
    ) {
        let state = tempfile::tempdir().unwrap();
        // SAFETY: every test in this binary points the state at a temp dir of its own.
        unsafe { std::env::set_var("XDG_STATE_HOME", state.path()) };
        let dir = tempfile::tempdir().unwrap();
        let base = base(dir.path());
        let (dropped_path, kept_path) = (dir.path().join("a.cases.age"), dir.path().join("b.cases.age"));
        std::fs::copy(&base, &dropped_path).unwrap();
        std::fs::copy(&base, &kept_path).unwrap();
        let identity = Identity::load(&key_path("robin"), &PassphraseSource::Terminal).unwrap();

        let mut file = open(&dropped_path, &identity);
        let saved = events(&file);
        let mut dropped_ids: BTreeSet<uuid::Uuid> = BTreeSet::new();
        for step in &steps {
            let Step::Drop(at) = step else {
                apply(&mut file, step);
                continue;
            };
            let unsaved = file.unsaved_events().unwrap();
            if unsaved.is_empty() {
                continue;
            }
            let target = &unsaved[*at % unsaved.len()];
            let (_, digest_before) = file.head().unwrap();
            match file.drop_unsaved(target.id) {
                Ok(dropped) => {
                    // The change and every later unsaved one of its case (or, committee-wide,
                    // every later committee-wide one), nothing else.
                    let from = unsaved.iter().position(|e| e.id == target.id).unwrap();
                    let expected: Vec<uuid::Uuid> = unsaved[from..]
                        .iter()
                        .filter(|e| e.case == target.case)
                        .map(|e| e.id)
                        .collect();
                    let got: Vec<uuid::Uuid> = dropped.iter().map(|e| e.id).collect();
                    prop_assert_eq!(&got, &expected);
                    let left: Vec<uuid::Uuid> =
                        file.unsaved_events().unwrap().iter().map(|e| e.id).collect();
                    let wanted: Vec<uuid::Uuid> = unsaved
                        .iter()
                        .map(|e| e.id)
                        .filter(|id| !expected.contains(id))
                        .collect();
                    prop_assert_eq!(left, wanted);
                    dropped_ids.extend(expected);
                }
                Err(Error::SealedSinceSave { .. }) => {
                    // Refused with nothing changed.
                    let left: Vec<uuid::Uuid> =
                        file.unsaved_events().unwrap().iter().map(|e| e.id).collect();
                    prop_assert_eq!(left, unsaved.iter().map(|e| e.id).collect::<Vec<_>>());
                    prop_assert_eq!(file.head().unwrap().1, digest_before);
                }
                Err(e) => prop_assert!(false, "dropping {:?}: {e}", target.kind),
            }
        }
        let kept = file.unsaved_events().unwrap();
        prop_assert!(kept.iter().all(|e| !dropped_ids.contains(&e.id)));
        if file.is_dirty() {
            file.save(&identity).unwrap();
        }
        drop(file);

        // The copy on which only the kept changes were recorded.
        let mut reference = open(&kept_path, &identity);
        if !kept.is_empty() {
            reference.record(&kept).unwrap();
            reference.save(&identity).unwrap();
        }
        drop(reference);

        // Both as saved, opened again from disk on a laptop that never saw them.
        let fresh = tempfile::tempdir().unwrap();
        unsafe { std::env::set_var("XDG_STATE_HOME", fresh.path()) };
        let dropped_file = CaseFile::open(&dropped_path, &identity, OpenMode::ReadOnly).unwrap();
        let kept_file = CaseFile::open(&kept_path, &identity, OpenMode::ReadOnly).unwrap();
        let got = events(&dropped_file);
        prop_assert_eq!(&got[..saved.len()], &saved[..]);
        prop_assert_eq!(&got[saved.len()..], &kept[..]);
        prop_assert!(got.iter().all(|e| !dropped_ids.contains(&e.id)));
        prop_assert_eq!(&got, &events(&kept_file));
        prop_assert_eq!(dropped_file.head().unwrap().1, kept_file.head().unwrap().1);
    }
}

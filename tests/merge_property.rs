//! Property: members change their own copies at random and exchange files in any order, and
//! some of them break the committee's rules by hand (`age -d`, `sqlite3`, `ssh-keygen -Y
//! sign`) at random points; at the end every copy has every event ever recorded, the same
//! head and the same derived state, and every rule-breaking event is kept and not applied on
//! every copy that can read it. Some runs start from copies an older casebook wrote (schema
//! version 6, `tests/fixtures/v6`), and any run may merge such a copy at any point: old and new
//! writers' histories mixed converge the same way.

mod common;

use casebook::ops::OpenFile;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use casebook::core::case::{Channel, Status};
use casebook::core::decision::Ballot;
use casebook::core::event::{Audience, ConflictKind, NoteKind};
use casebook::ops::cases::{self as case_ops, CaseChange, NewCase};
use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource};
use common::forge::{Forged, Forgery};
use proptest::prelude::*;

const MEMBERS: [&str; 5] = ["robin", "sam", "priya", "mei", "tomas"];

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
    Conflict(usize, bool),
    Decide(usize),
    Message(usize),
    Emergency(usize),
    Settings(u32),
    Assign(usize, usize),
    Remove(usize),
    Exchange(usize),
    /// Merge the copy an older casebook wrote for a member (runs that start from old copies).
    OldCopy(usize),
    /// A rule-breaking event written by hand into the member's own copy.
    Forge(usize, Breach),
}

/// Events no state of the history can allow, signed by the member who writes them.
#[derive(Clone, Copy, Debug)]
enum Breach {
    /// A member who is not a chair makes themselves one.
    SelfPromotion,
    /// A case closed from `new` (closing needs a decision or a reason).
    CloseFromNew,
    /// A decision whose outcome is not on the ladder, with an invented tally.
    OffLadder,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..4usize).prop_map(Step::Note),
        2 => Just(Step::NewCase),
        3 => (0..4usize, 0..Status::ALL.len()).prop_map(|(c, s)| Step::Status(c, s)),
        2 => (0..4usize, any::<bool>()).prop_map(|(c, f)| Step::Vote(c, f)),
        1 => (0..4usize, any::<bool>()).prop_map(|(c, h)| Step::Conflict(c, h)),
        1 => (0..4usize).prop_map(Step::Decide),
        1 => (0..4usize).prop_map(Step::Message),
        1 => (0..4usize).prop_map(Step::Emergency),
        1 => (24..200u32).prop_map(Step::Settings),
        1 => (0..4usize, 0..5usize).prop_map(|(c, m)| Step::Assign(c, m)),
        1 => (1..5usize).prop_map(Step::Remove),
        4 => (0..5usize).prop_map(Step::Exchange),
        1 => (0..5usize).prop_map(Step::OldCopy),
        2 => (0..4usize, prop_oneof![
            Just(Breach::SelfPromotion),
            Just(Breach::CloseFromNew),
            Just(Breach::OffLadder),
        ]).prop_map(|(c, b)| Step::Forge(c, b)),
    ]
}

struct Copy {
    path: PathBuf,
    identity: Identity,
    file: CaseFile,
}

/// Apply `step` by member `who`; refusals by the process rules are expected and skipped. A
/// member removed on some copy may find they can no longer read or sign: `Err` then.
fn apply(copies: &mut [Copy], who: usize, step: &Step) -> Result<(), String> {
    let codes: Vec<String> = {
        let file = &mut copies[who].file;
        file.cases()
            .unwrap()
            .values()
            .map(|c| c.code_name.clone())
            .collect()
    };
    let code = |n: usize| codes.get(n % codes.len().max(1)).cloned();
    let copies_len = copies.len();
    let result = {
        let copy = &mut copies[who];
        let change = |code: Option<String>, change: CaseChange, file: &mut CaseFile| match code {
            Some(code) => case_ops::change(OpenFile::of(file), &code, change).map(|_| ()),
            None => Ok(()),
        };
        match step {
            Step::Note(n) => change(
                code(*n),
                CaseChange::Note {
                    kind: NoteKind::General,
                    body: format!("note by {} #{}", MEMBERS[who], rand_id()),
                    amends: None,
                },
                &mut copy.file,
            ),
            Step::NewCase => case_ops::open(
                OpenFile::of(&mut copy.file),
                NewCase {
                    title: format!("case by {}", MEMBERS[who]),
                    summary: String::new(),
                    channel: Channel::Email,
                    received_at: None,
                    exclude: Vec::new(),
                },
            )
            .map(|_| ()),
            Step::Status(n, s) => change(
                code(*n),
                CaseChange::Status(Status::ALL[*s]),
                &mut copy.file,
            ),
            Step::Vote(n, propose) => change(
                code(*n),
                CaseChange::Vote {
                    outcome: "warning".into(),
                    ballot: Ballot::For,
                    propose: *propose,
                },
                &mut copy.file,
            ),
            Step::Conflict(n, hard) => change(
                code(*n),
                CaseChange::Conflict {
                    kind: if *hard {
                        ConflictKind::Hard
                    } else {
                        ConflictKind::Soft
                    },
                    reason: None,
                },
                &mut copy.file,
            ),
            Step::Decide(n) => change(
                code(*n),
                CaseChange::Decide {
                    outcome: "warning".into(),
                    rationale: "Because.".into(),
                    override_reason: Some("Test".into()),
                },
                &mut copy.file,
            ),
            Step::Message(n) => change(
                code(*n),
                CaseChange::Message {
                    to: Audience::Reporter,
                    summary: "Told them.".into(),
                    next_update_by: None,
                    template: None,
                    review: false,
                },
                &mut copy.file,
            ),
            Step::Emergency(n) => change(
                code(*n),
                CaseChange::Emergency {
                    action: "Muted.".into(),
                },
                &mut copy.file,
            ),
            Step::Settings(hours) => case_ops::change_settings(
                OpenFile::of(&mut copy.file),
                case_ops::SettingsChange {
                    acknowledge_hours: Some(*hours),
                    ..Default::default()
                },
            )
            .map(|_| ()),
            Step::Assign(n, m) => change(
                code(*n),
                CaseChange::Assign(MEMBERS[*m % copies_len].to_string()),
                &mut copy.file,
            ),
            Step::Remove(m) if who == 0 && *m < copies_len => casebook::ops::members::remove(
                OpenFile::of(&mut copy.file),
                &copy.identity,
                MEMBERS[*m],
                None,
                false,
                casebook::ops::members::Finish {
                    export_dir: std::path::Path::new("exports"),
                    merged: Vec::new(),
                },
            )
            .map(|_| ()),
            Step::Remove(_) | Step::Exchange(_) | Step::OldCopy(_) | Step::Forge(..) => Ok(()),
        }
    };
    match result {
        Ok(())
        | Err(casebook::ops::Error::Rule(_))
        | Err(casebook::ops::Error::UnknownMember { .. }) => {}
        Err(e) => return Err(format!("{} {step:?}: {e}", MEMBERS[who])),
    }
    if let Step::Exchange(other) = step {
        let other = other % copies.len();
        if other != who {
            let path = copies[other].path.clone();
            let copy = &mut copies[who];
            copy.file
                .merge_file(&path, &copy.identity)
                .map_err(|e| format!("{} merging {}: {e}", MEMBERS[who], MEMBERS[other]))?;
        }
    }
    if let Step::OldCopy(other) = step {
        let path = old_copy(*other);
        let copy = &mut copies[who];
        copy.file.merge_file(&path, &copy.identity).map_err(|e| {
            format!(
                "{} merging the old copy of {}: {e}",
                MEMBERS[who], MEMBERS[*other]
            )
        })?;
    }
    let copy = &mut copies[who];
    if copy.file.is_dirty() {
        copy.file
            .save(&copy.identity)
            .map_err(|e| format!("{} saving: {e}", MEMBERS[who]))?;
    }
    Ok(())
}

/// The member `who` breaks a rule on their own copy by hand: save it, decrypt it with the
/// `age` CLI, append `breach` (on the case `code`) in a commit they sign with `ssh-keygen`,
/// encrypt it again to the copy's recipients, and open it again. The forged event's id and
/// its case's, or `None` when there is nothing to forge on (no case, a removed member, the
/// founder, who is a chair already).
fn forge(
    copy: &mut Copy,
    who: usize,
    code: Option<&str>,
    breach: Breach,
) -> Option<(String, Option<String>)> {
    let roster = copy.file.roster().unwrap();
    let me = roster
        .members()
        .iter()
        .find(|m| member_index(&m.name) == Some(who))?;
    if !me.is_active()
        || (matches!(breach, Breach::SelfPromotion) && who == 0)
        || (breach_needs_case(breach) && code.is_none())
    {
        return None;
    }
    let recipients: Vec<PathBuf> = roster
        .members()
        .iter()
        .filter(|m| m.is_active())
        .filter_map(|m| member_index(&m.name))
        .map(|i| PathBuf::from(format!("{}.pub", key_path(MEMBERS[i]).display())))
        .collect();
    let name = me.name.clone();
    let my_id = me.id.to_string();
    if copy.file.is_dirty() {
        copy.file.save(&copy.identity).ok()?;
    }
    // Closed first, so that nothing holds the file while it is forged.
    let reader = CaseFile::open(&copy.path, &copy.identity, OpenMode::ReadOnly).ok()?;
    drop(std::mem::replace(&mut copy.file, reader));
    let key = key_path(MEMBERS[who]);
    let mut forgery = Forgery::open(&key, &copy.path);
    let case = code.map(|c| forgery.case(c));
    let (case, kind, payload) = match breach {
        Breach::SelfPromotion => (
            None,
            "member-role-changed",
            format!(r#"{{"kind":"member-role-changed","member":"{my_id}","role":"chair"}}"#),
        ),
        Breach::CloseFromNew => (
            case,
            "status-changed",
            r#"{"kind":"status-changed","from":"new","to":"closed"}"#.to_string(),
        ),
        Breach::OffLadder => (
            case,
            "decision-recorded",
            r#"{"kind":"decision-recorded","outcome":"other: zqx","rationale":"r","tally":{"eligible":5,"for":5,"against":0,"abstain":0,"needed":3,"rule":"simple-majority","met":true},"override_reason":null}"#.to_string(),
        ),
    };
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    forgery.commit(
        &name,
        &key,
        &at,
        &[Forged {
            case: case.as_deref(),
            kind,
            payload,
        }],
    );
    let id = forgery.one("SELECT id FROM events ORDER BY seq DESC LIMIT 1;");
    forgery.seal(&recipients);
    copy.file = CaseFile::open(&copy.path, &copy.identity, OpenMode::ReadWrite).unwrap();
    Some((id, case))
}

fn breach_needs_case(breach: Breach) -> bool {
    !matches!(breach, Breach::SelfPromotion)
}

fn member_index(name: &str) -> Option<usize> {
    MEMBERS.iter().position(|n| n.eq_ignore_ascii_case(name))
}

/// Every event the rules did not apply on `file`'s copy, and the cases it cannot read.
fn held(file: &mut CaseFile) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut held: BTreeSet<String> = file
        .held()
        .unwrap()
        .iter()
        .map(|h| h.0.to_string())
        .collect();
    let me = file.me().unwrap().map(|m| m.id);
    let mut unreadable = BTreeSet::new();
    for case in file.cases().unwrap().values() {
        held.extend(case.held.iter().map(|h| h.event.to_string()));
        if me.is_none_or(|me| !case.readable_by(me)) {
            unreadable.insert(case.id.0.to_string());
        }
    }
    (held, unreadable)
}

/// The members removed on some copy: what they do may fail from then on.
fn removed(copies: &mut [Copy]) -> BTreeSet<usize> {
    let mut gone = BTreeSet::new();
    for copy in copies.iter() {
        for member in copy.file.roster().unwrap().members() {
            if member.removed_at.is_some()
                && let Some(i) = MEMBERS.iter().position(|n| *n == member.name)
            {
                gone.insert(i);
            }
        }
    }
    gone
}

fn rand_id() -> u64 {
    rand::random()
}

fn event_ids(file: &CaseFile) -> BTreeSet<String> {
    file.log()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c.events
                .iter()
                .map(|e| e.id.to_string())
                .chain(c.sealed.iter().map(|id| id.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The copy of member `n` that casebook wrote at schema version 6, before this version's
/// format: every member's changes of their own on one shared start.
fn old_copy(n: usize) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v6")
        .join(format!("{}.cases.age", MEMBERS[n % MEMBERS.len()]))
}

fn setup(dir: &Path, members: usize, old: bool) -> Vec<Copy> {
    let file = dir.join("committee.cases.age");
    if old {
        return (0..members)
            .map(|i| {
                let path = dir.join(format!("{}.cases.age", MEMBERS[i]));
                std::fs::copy(old_copy(i), &path).unwrap();
                let identity =
                    Identity::load(&key_path(MEMBERS[i]), &PassphraseSource::Terminal).unwrap();
                let file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).unwrap();
                Copy {
                    path,
                    identity,
                    file,
                }
            })
            .collect();
    }
    let robin = key_path("robin");
    common::ok(&common::run(&[
        &"-i", &robin, &"init", &file, &"--name", &"Robin",
    ]));
    for name in &MEMBERS[1..members] {
        let key = format!("{}.pub", key_path(name).display());
        common::ok(&common::run(&[
            &"-i", &robin, &"member", &"add", &file, &"--name", name, &"--key", &key,
        ]));
    }
    (0..members)
        .map(|i| {
            let path = dir.join(format!("{}.cases.age", MEMBERS[i]));
            std::fs::copy(&file, &path).unwrap();
            let identity =
                Identity::load(&key_path(MEMBERS[i]), &PassphraseSource::Terminal).unwrap();
            let file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).unwrap();
            Copy {
                path,
                identity,
                file,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 0, .. ProptestConfig::default() })]
    #[test]
    fn copies_converge_whatever_the_order_of_exchanges(
        members in 3..=5usize,
        steps in prop::collection::vec((0..5usize, step()), 10..40),
        old in any::<bool>(),
    ) {
        let state = tempfile::tempdir().unwrap();
        // SAFETY: every test in this binary points the state at a temp dir of its own.
        unsafe { std::env::set_var("XDG_STATE_HOME", state.path()) };
        let dir = tempfile::tempdir().unwrap();
        let mut copies = setup(dir.path(), members, old);
        let mut recorded: BTreeSet<String> = BTreeSet::new();
        for copy in &copies {
            recorded.extend(event_ids(&copy.file));
        }
        let mut forged: Vec<(String, Option<String>)> = Vec::new();
        for (who, step) in &steps {
            let who = who % members;
            let step = match step {
                Step::Exchange(o) => Step::Exchange(o % members),
                // Old copies belong to the committee the old runs start from.
                Step::OldCopy(_) if !old => continue,
                s => s.clone(),
            };
            if let Step::Forge(n, breach) = step {
                let codes: Vec<String> = copies[who]
                    .file
                    .cases()
                    .unwrap()
                    .values()
                    .map(|c| c.code_name.clone())
                    .collect();
                let code = codes.get(n % codes.len().max(1)).cloned();
                if let Some(made) = forge(&mut copies[who], who, code.as_deref(), breach) {
                    forged.push(made);
                    recorded.extend(event_ids(&copies[who].file));
                }
                continue;
            }
            match apply(&mut copies, who, &step) {
                // What is saved on their copy can reach the others.
                Ok(()) => recorded.extend(event_ids(&copies[who].file)),
                Err(e) => prop_assert!(removed(&mut copies).contains(&who), "{}", e),
            }
        }
        // Everyone exchanges with everyone until nothing new comes in.
        // Removed members' copies are merged by the others, never the other way round.
        for _round in 0..3 {
            for i in 0..members {
                for j in 0..members {
                    let gone = removed(&mut copies);
                    if i != j && !gone.contains(&i) {
                        let result = apply(&mut copies, i, &Step::Exchange(j));
                        prop_assert!(result.is_ok(), "{:?}", result);
                    }
                }
            }
        }
        let gone = removed(&mut copies);
        let active: Vec<usize> = (0..members).filter(|i| !gone.contains(i)).collect();
        let heads: Vec<(Option<String>, String)> =
            active.iter().map(|&i| copies[i].file.head().unwrap()).collect();
        for (n, head) in heads.iter().enumerate() {
            prop_assert_eq!(head, &heads[0], "copy {} differs", MEMBERS[active[n]]);
        }
        for &i in &active {
            let ids = event_ids(&copies[i].file);
            prop_assert!(recorded.is_subset(&ids), "an event is missing");
        }
        // Nothing a member forged against the rules is applied, on any copy that can judge it.
        for &i in &active {
            let (held, unreadable) = held(&mut copies[i].file);
            for (event, case) in &forged {
                if case.as_ref().is_some_and(|c| unreadable.contains(c)) {
                    continue;
                }
                prop_assert!(
                    held.contains(event),
                    "{}'s copy applied the forged event {} (case {:?})",
                    MEMBERS[i],
                    event,
                    case
                );
            }
        }
        // Each copy, opened afresh, verifies in full.
        let fresh = tempfile::tempdir().unwrap();
        unsafe { std::env::set_var("XDG_STATE_HOME", fresh.path()) };
        for &i in &active {
            CaseFile::open(&copies[i].path, &copies[i].identity, OpenMode::ReadOnly).unwrap();
        }
    }
}

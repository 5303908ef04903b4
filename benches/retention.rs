//! Expunging at scale: 1,000 cases of the 10,000-case, 1,000,000-event bench file expunged
//! at once (proposed by one member, approved by another), against one ordinary save of the
//! same file, and the open after it against `age -d`, in the same run.
//!
//! Run with `cargo bench --bench retention` (`-- --quick` for 1,000 cases, 100 expunged). It
//! prints figures and asserts nothing but that the cases were expunged. Goals: the save that
//! erases within 2x of a one-note save; the open after it within 1.5x of `age -d` (the
//! vault benchmark says how far every open already is from that).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casebook::core::case::Status;
use casebook::core::event::{Event, EventKind, NoteKind};
use casebook::core::process::{self, Actor};
use casebook::core::retention::{self, Reason};
use casebook::core::roster::{Member, MemberId, Role};
use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource, synthetic};
use uuid::Uuid;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn age_d(key: &Path, file: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(key)
        .arg("-o")
        .arg("/dev/null")
        .arg(file)
        .stdout(Stdio::null())
        .status()
        .expect("age");
    assert!(status.success());
    start.elapsed()
}

fn event(author: MemberId, case: casebook::core::case::CaseId, kind: EventKind) -> Event {
    Event {
        id: Uuid::new_v4(),
        case: Some(case),
        author,
        at: chrono::Utc::now(),
        amends: None,
        kind,
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (cases, expunged) = if quick { (1_000, 100) } else { (10_000, 1_000) };
    let runs = if quick { 5 } else { 3 };
    let dir = tempfile::tempdir().expect("tempdir");
    // SAFETY: single-threaded here; the pins of this benchmark's own laptop.
    unsafe { std::env::set_var("XDG_STATE_HOME", dir.path().join("state")) };
    let started = Instant::now();
    let spec = synthetic::Spec {
        cases,
        events_per_case: 100,
        note_bytes: 120,
        canary: None,
        seed: 5,
    };
    let (identity, path, mut file) = common::synthetic_file(dir.path(), &spec);
    let key = dir.path().join("bench.key");
    // A second member, who approves.
    let second_key = dir.path().join("second.key");
    casebook_vault::keygen(&second_key, "second", None).expect("keygen");
    let second = Identity::load(&second_key, &PassphraseSource::Terminal).expect("identity");
    let me = file.me().expect("me").expect("member");
    let now = chrono::Utc::now();
    let member = Member {
        id: MemberId(Uuid::new_v4()),
        name: "Second".into(),
        email: None,
        role: Role::Member,
        recipient: second.recipient().to_string(),
        added_at: now,
        removed_at: None,
    };
    file.add_member(&member, me.id, Uuid::new_v4(), now)
        .expect("add member");
    file.save(&identity).expect("save");
    drop(file);

    // One ordinary save of the same file: the reference.
    let save = median(
        (0..runs)
            .map(|_| {
                let mut file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).expect("open");
                let case = *file.cases().expect("cases").keys().next().expect("a case");
                file.record(&[event(
                    me.id,
                    case,
                    EventKind::NoteAdded {
                        body: "a note to save".into(),
                        note: NoteKind::General,
                    },
                )])
                .expect("note");
                let start = Instant::now();
                file.save(&identity).expect("save");
                start.elapsed()
            })
            .collect(),
    );

    // The proposals: the first `expunged` cases the rules let the member expunge now.
    let mut file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).expect("open");
    let roster = file.roster().expect("roster");
    let settings = file.settings();
    let actor = Actor {
        member: &me,
        roster: &roster,
        settings: &settings,
    };
    // The synthetic cases are all new: the committee closes the first ones as out of scope.
    let targets: Vec<_> = file
        .cases()
        .expect("cases")
        .keys()
        .take(expunged)
        .copied()
        .collect();
    let mut moves = Vec::new();
    for case in &targets {
        for (from, to) in [
            (Status::New, Status::Triage),
            (Status::Triage, Status::OutOfScope),
        ] {
            moves.push(event(me.id, *case, EventKind::StatusChanged { from, to }));
        }
    }
    file.record(&moves).expect("close");
    file.save(&identity).expect("save");
    let all: Vec<_> = file.cases().expect("cases").values().cloned().collect();
    let mut proposals = Vec::new();
    for case in &all {
        if proposals.len() == expunged {
            break;
        }
        let (manifest, seen) = file.expunge_manifest(case.id).expect("manifest");
        let kind = EventKind::CaseExpunged {
            reason: Reason::Retention,
            note: String::new(),
            seen,
            manifest,
            retained: Box::new(retention::retained(case)),
        };
        if let Ok(kind) = process::after_decision(actor, case, kind, chrono::Utc::now()) {
            proposals.push(event(me.id, case.id, kind));
        }
    }
    assert_eq!(proposals.len(), expunged, "cases the rules let be expunged");
    let proposing = Instant::now();
    file.record(&proposals).expect("propose");
    file.save(&identity).expect("save");
    let proposing = proposing.elapsed();
    drop(file);

    // The approvals, by the second member, and the save that erases.
    let mut file = CaseFile::open(&path, &second, OpenMode::ReadWrite).expect("open");
    let approvals: Vec<Event> = proposals
        .iter()
        .map(|p| {
            event(
                member.id,
                p.case.expect("case"),
                EventKind::ExpungeApproved { tombstone: p.id },
            )
        })
        .collect();
    let approving = Instant::now();
    file.record(&approvals).expect("approve");
    let recorded = approving.elapsed();
    let erasing = Instant::now();
    file.save(&second).expect("save");
    let erasing = erasing.elapsed();
    let gone = file
        .cases()
        .expect("cases")
        .values()
        .filter(|c| c.expunged.is_some())
        .count();
    assert_eq!(gone, expunged, "cases expunged");
    drop(file);

    let age = median((0..runs).map(|_| age_d(&key, &path)).collect());
    let open = median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                let file = CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("open");
                let elapsed = start.elapsed();
                drop(file);
                elapsed
            })
            .collect(),
    );
    let fresh = {
        // SAFETY: single-threaded here; a laptop that never saw the file.
        unsafe { std::env::set_var("XDG_STATE_HOME", dir.path().join("fresh")) };
        let start = Instant::now();
        let file = CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("open");
        let elapsed = start.elapsed();
        drop(file);
        elapsed
    };
    let size = std::fs::metadata(&path).expect("size").len() as f64 / 1e6;
    println!(
        "retention benchmark: {cases} cases, {} events, {size:.0} MB after the expunge \
         (generated in {:.0} s); {expunged} cases expunged",
        cases * 100,
        started.elapsed().as_secs_f64()
    );
    println!("one-note save (reference)         {:>9.1} ms", ms(save));
    println!(
        "proposing {expunged} expunges (record + save) {:>9.1} ms",
        ms(proposing)
    );
    println!("approving them: record            {:>9.1} ms", ms(recorded));
    println!(
        "  save that erases their events   {:>9.1} ms ({:.2}x the one-note save; goal within 2x)",
        ms(erasing),
        erasing.as_secs_f64() / save.as_secs_f64()
    );
    println!("age -d of the file after          {:>9.1} ms", ms(age));
    println!(
        "open after (this laptop)          {:>9.1} ms ({:.2}x age -d; goal within 1.5x)",
        ms(open),
        open.as_secs_f64() / age.as_secs_f64()
    );
    println!(
        "first open on a fresh laptop      {:>9.1} ms ({:.2}x age -d)",
        ms(fresh),
        fresh.as_secs_f64() / age.as_secs_f64()
    );
}

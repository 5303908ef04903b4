//! Sealed cases at scale: the 10,000-case, 1,000,000-event bench file with 500 cases sealed
//! from one member, against the same file with none, in the same run.
//!
//! Run with `cargo bench --bench sealed` (`-- --quick` for 1,000 cases, 50 of them sealed).
//! For each file it times, as a member who may read every case: `age -d` of the file (the
//! reference), open (decrypt, verify, and for sealed cases unwrap their keys and decrypt their
//! content into memory), ranked search, and a one-note save; then open as the member the cases
//! are sealed from. The lower of two passes' medians (the files alternating); it prints
//! figures and asserts nothing. Goal: open, search and save within 1.3x of the file without
//! sealed cases.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casebook::core::event::{Event, EventKind, ExcludeWhy, NoteKind};
use casebook::core::party::{Disclosure, Party, PartyId, PartyRole, PersonId};
use casebook::core::process::{self, Actor};
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

fn age_d(key: &Path, file: &Path) {
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
}

struct Figures {
    age: Duration,
    open: Duration,
    first_search: Duration,
    search: Duration,
    save: Duration,
    open_excluded: Duration,
}

const QUERIES: [&str; 4] = ["committee", "kalo", "moderator thread", "rumi"];

fn measure(
    runs: usize,
    path: &Path,
    key: &Path,
    identity: &Identity,
    excluded: &Identity,
) -> Figures {
    let timed = |f: &mut dyn FnMut() -> Duration| {
        f();
        median((0..runs).map(|_| f()).collect())
    };
    let age = timed(&mut || {
        let start = Instant::now();
        age_d(key, path);
        start.elapsed()
    });
    let open = timed(&mut || {
        let start = Instant::now();
        let file = CaseFile::open(path, identity, OpenMode::ReadOnly).expect("open");
        let elapsed = start.elapsed();
        drop(file);
        elapsed
    });
    // The first search after an open also indexes the sealed cases in memory.
    let first_search = timed(&mut || {
        let file = CaseFile::open(path, identity, OpenMode::ReadOnly).expect("open");
        let start = Instant::now();
        file.search(QUERIES[1], 50).expect("search");
        start.elapsed()
    });
    let file = CaseFile::open(path, identity, OpenMode::ReadOnly).expect("open");
    let mut searches = Vec::new();
    for _ in 0..runs.max(3) {
        for query in QUERIES {
            let start = Instant::now();
            let hits = file.search(query, 50).expect("search");
            searches.push(start.elapsed());
            assert!(!hits.is_empty(), "{query}");
        }
    }
    drop(file);
    let search = median(searches);
    let save = timed(&mut || {
        let mut file = CaseFile::open(path, identity, OpenMode::ReadWrite).expect("open");
        let me = file.me().expect("me").expect("member").id;
        let case = *file.cases().expect("cases").keys().next().expect("a case");
        note(&mut file, me, case);
        let start = Instant::now();
        file.save(identity).expect("save");
        start.elapsed()
    });
    let open_excluded = timed(&mut || {
        let start = Instant::now();
        let file = CaseFile::open(path, excluded, OpenMode::ReadOnly).expect("open");
        let elapsed = start.elapsed();
        drop(file);
        elapsed
    });
    Figures {
        age,
        open,
        first_search,
        search,
        save,
        open_excluded,
    }
}

fn note(file: &mut CaseFile, me: MemberId, case: casebook::core::case::CaseId) {
    file.record(&[Event {
        id: Uuid::new_v4(),
        case: Some(case),
        author: me,
        at: chrono::Utc::now(),
        amends: None,
        kind: EventKind::NoteAdded {
            body: "a note to save".into(),
            note: NoteKind::General,
        },
    }])
    .expect("note");
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (cases, sealed) = if quick { (1_000, 50) } else { (10_000, 500) };
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
        seed: 3,
    };
    let (identity, plain_path, mut file) = common::synthetic_file(dir.path(), &spec);
    let out_key = dir.path().join("kept-out.key");
    casebook_vault::keygen(&out_key, "kept out", None).expect("keygen");
    let excluded = Identity::load(&out_key, &PassphraseSource::Terminal).expect("identity");
    let me = file.me().expect("me").expect("member");
    let now = chrono::Utc::now();
    let kept_out = Member {
        id: MemberId(Uuid::new_v4()),
        name: "Kept Out".into(),
        email: None,
        role: Role::Member,
        recipient: excluded.recipient().to_string(),
        added_at: now,
        removed_at: None,
    };
    file.add_member(&kept_out, me.id, Uuid::new_v4(), now)
        .expect("add member");
    file.save(&identity).expect("save");
    drop(file);

    // The same file, with `sealed` cases (one in twenty) sealed from the new member.
    let sealed_path = dir.path().join("sealed.cases.age");
    std::fs::copy(&plain_path, &sealed_path).expect("copy");
    let mut file = CaseFile::open(&sealed_path, &identity, OpenMode::ReadWrite).expect("open");
    let roster = file.roster().expect("roster");
    let settings = file.settings();
    let targets: Vec<_> = file
        .cases()
        .expect("cases")
        .values()
        .step_by(cases / sealed)
        .take(sealed)
        .cloned()
        .collect();
    // Each case records the new member as its reported party, which keeps them out in the
    // same change (a keeping-out the rules apply at once: a late request would wait for a
    // second reader).
    let person = PersonId(Uuid::new_v4());
    let mut events = Vec::new();
    for case in &targets {
        let actor = Actor {
            member: &me,
            roster: &roster,
            settings: &settings,
        };
        let party = Party {
            id: PartyId(Uuid::new_v4()),
            role: PartyRole::Reported,
            person,
            identity: Disclosure::Named {
                name: "Kept Out".into(),
                handle: None,
                email: None,
            },
            member: Some(kept_out.id),
        };
        let mut recorded = case.clone();
        recorded.links.insert(kept_out.id, PartyRole::Reported);
        recorded.parties.push(party.clone());
        let change =
            process::exclude(actor, &recorded, &[&kept_out], ExcludeWhy::Party).expect("exclude");
        let kind = file.reseal(case.id, change).expect("reseal");
        for kind in [EventKind::PartyAdded { party }, kind] {
            events.push(Event {
                id: Uuid::new_v4(),
                case: Some(case.id),
                author: me.id,
                at: chrono::Utc::now(),
                amends: None,
                kind,
            });
        }
    }
    let sealing = Instant::now();
    file.record(&events).expect("seal");
    let sealing = sealing.elapsed();
    let sealed_now = file
        .cases()
        .expect("cases")
        .values()
        .filter(|c| c.sealed.is_some())
        .count();
    assert_eq!(sealed_now, sealed, "cases sealed");
    file.save(&identity).expect("save");
    drop(file);
    let size = |p: &Path| std::fs::metadata(p).expect("size").len() as f64 / 1e6;
    println!(
        "sealed cases benchmark: {cases} cases, {} events; {sealed} sealed (in {:.1} s, one \
         batch); files {:.0} MB and {:.0} MB (generated in {:.0} s)",
        cases * 100,
        sealing.as_secs_f64(),
        size(&plain_path),
        size(&sealed_path),
        started.elapsed().as_secs_f64()
    );
    let key = dir.path().join("bench.key");
    // Two passes, alternating the files, and the lower median of each: the machine's drift
    // (other work, the page cache) then weighs on both files alike.
    let mut none = measure(runs, &plain_path, &key, &identity, &excluded);
    let mut some = measure(runs, &sealed_path, &key, &identity, &excluded);
    for (figures, path) in [(&mut none, &plain_path), (&mut some, &sealed_path)] {
        let again = measure(runs, path, &key, &identity, &excluded);
        figures.age = figures.age.min(again.age);
        figures.open = figures.open.min(again.open);
        figures.first_search = figures.first_search.min(again.first_search);
        figures.search = figures.search.min(again.search);
        figures.save = figures.save.min(again.save);
        figures.open_excluded = figures.open_excluded.min(again.open_excluded);
    }
    println!(
        "{:<44} {:>12} {:>14} {:>8}",
        "",
        "no sealed",
        format!("{sealed} sealed"),
        "ratio"
    );
    let row = |what: &str, a: Duration, b: Duration| {
        println!(
            "{what:<44} {:>9.1} ms {:>11.1} ms {:>7.2}x",
            ms(a),
            ms(b),
            b.as_secs_f64() / a.as_secs_f64()
        );
    };
    row("age -d (reference)", none.age, some.age);
    row(
        "open, as a member who reads every case",
        none.open,
        some.open,
    );
    row(
        "first search after open",
        none.first_search,
        some.first_search,
    );
    row("search, 50 ranked hits (p50)", none.search, some.search);
    row("one-note save", none.save, some.save);
    row(
        "open, as the member they are sealed from",
        none.open_excluded,
        some.open_excluded,
    );
}

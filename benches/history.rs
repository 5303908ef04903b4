//! The signed history's cost, against the `age` CLI on the same file in the same run: a
//! laptop's first open (every signature, every derived table replayed), later opens (what
//! this laptop verified is not verified again), and a one-note save (one new commit).
//!
//! Merging two copies that each diverged by 1,000 events (two members, commits of ten
//! events) is measured against opening and saving the same file, in the same run: open
//! (reading the other copy meanwhile, as `casebook merge` does), merge, save.
//!
//! Run with `cargo bench --bench history` (`-- --quick` for 1,000 cases and 100,000 events;
//! `-- --merge-only` for the merge figures alone). Generating the full-size file takes most
//! of half an hour: with `CASEBOOK_BENCH_CACHE=DIR` it is kept in DIR and reused.
//! The file has 10,000 cases and 1,000,000 events in commits of ten events. It prints
//! medians; it asserts nothing. Goals: later opens within 2x of `age -d`; a one-note save
//! within 2x of `age -d` + `age -e`; `casebook merge` (open, merge, save) within 1.5x of open
//! and a one-note save; the first open reported as it is.

mod common;

use casebook::ops::OpenFile;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casebook::core::case::CaseId;
use casebook::core::event::{Event, EventKind, NoteKind};
use casebook::core::roster::{MemberId, Role};
use casebook::ops::members::{Finish, NewMember, add};
use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource, synthetic};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    timed(runs, || {
        let start = Instant::now();
        f();
        start.elapsed()
    })
}

/// The median of `runs` runs of `f`, which times itself (to leave its set-up out).
fn timed(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    median((0..runs).map(|_| f()).collect())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn age(args: &[&dyn AsRef<std::ffi::OsStr>]) {
    let mut cmd = Command::new("age");
    for a in args {
        cmd.arg(a);
    }
    let status = cmd.stdout(Stdio::null()).status().expect("age");
    assert!(status.success());
}

/// Point this process's pins at `dir` (a fresh laptop when `dir` is new).
fn laptop(dir: &Path) {
    // SAFETY: the benchmark is single-threaded whenever it changes the environment.
    unsafe { std::env::set_var("XDG_STATE_HOME", dir) };
}

/// `events` notes by `me` on cases spread over `cases`, signed in commits of ten, then saved.
fn diverge(
    file: &mut CaseFile,
    identity: &Identity,
    me: MemberId,
    cases: &[CaseId],
    events: usize,
    salt: usize,
) {
    for start in (0..events).step_by(10) {
        let notes: Vec<Event> = (start..(start + 10).min(events))
            .map(|i| Event {
                id: uuid::Uuid::new_v4(),
                case: Some(cases[(i * 7919 + salt) % cases.len()]),
                author: me,
                at: chrono::Utc::now(),
                amends: None,
                kind: EventKind::NoteAdded {
                    body: format!(
                        "note {i} from copy {salt}: the member followed up on the thread, \
                         asked for context and noted the reply for the committee's review"
                    ),
                    note: NoteKind::General,
                },
            })
            .collect();
        file.record(&notes).expect("record");
        file.commit(identity, chrono::Utc::now()).expect("commit");
    }
    file.save(identity).expect("save");
}

/// Copy the directory `from` (a laptop's state) to `to`, replacing it.
fn restore(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success());
}

/// The generated file, its key and the time it took: from `cache` when it holds them (a
/// file of this size generated before), else generated (and kept in `cache`, if given).
fn generated(
    dir: &Path,
    cases: usize,
    cache: Option<&Path>,
) -> (Identity, std::path::PathBuf, f64) {
    let names = ["bench.key", "bench.key.pub", "big.cases.age"];
    let kept = cache.map(|c| c.join(format!("history-{cases}")));
    if let Some(kept) = &kept
        && names.iter().all(|n| kept.join(n).exists())
    {
        for n in names {
            std::fs::copy(kept.join(n), dir.join(n)).expect("copy from the cache");
        }
        let identity =
            Identity::load(&dir.join("bench.key"), &PassphraseSource::Terminal).expect("identity");
        return (identity, dir.join("big.cases.age"), 0.0);
    }
    let started = Instant::now();
    let spec = synthetic::Spec {
        cases,
        events_per_case: 100,
        note_bytes: 120,
        canary: None,
        seed: 3,
    };
    let (identity, path, mut file) = common::synthetic_file(dir, &spec);
    file.save(&identity).expect("save");
    drop(file);
    let took = started.elapsed().as_secs_f64();
    if let Some(kept) = &kept {
        std::fs::create_dir_all(kept).expect("cache");
        for n in names {
            std::fs::copy(dir.join(n), kept.join(n)).expect("copy to the cache");
        }
    }
    (identity, path, took)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // Only the merge against open and save (the other figures take most of a run).
    let merge_only = std::env::args().any(|a| a == "--merge-only");
    let cases = if quick { 1_000 } else { 10_000 };
    let runs = if quick { 5 } else { 3 };
    let dir = tempfile::tempdir().expect("tempdir");
    laptop(&dir.path().join("generator"));
    let cache = std::env::var_os("CASEBOOK_BENCH_CACHE").map(std::path::PathBuf::from);
    let (identity, path, took) = generated(dir.path(), cases, cache.as_deref());
    let commits = CaseFile::open(&path, &identity, OpenMode::ReadOnly)
        .expect("open")
        .log()
        .expect("log")
        .len();
    let size = std::fs::metadata(&path).expect("size").len();
    println!(
        "signed history benchmark: {cases} cases, {} events in {commits} commits, file {:.0} MB \
         ({})",
        cases * 100,
        size as f64 / 1e6,
        if took > 0.0 {
            format!("generated in {took:.0} s")
        } else {
            "from CASEBOOK_BENCH_CACHE".to_string()
        }
    );
    let key = dir.path().join("bench.key");
    let plain = dir.path().join("plain.db");
    let out = dir.path().join("again.age");
    let pubkey = dir.path().join("bench.key.pub");

    laptop(&dir.path().join("member"));
    let (me, case) = {
        let mut file = CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("open");
        let me = file.me().expect("me").expect("member").id;
        (
            me,
            *file.cases().expect("cases").keys().next().expect("a case"),
        )
    };
    let earlier = (!merge_only).then(|| {
        let age_d = time(runs, || {
            age(&[&"-d", &"-i", &key, &"-o", &"/dev/null", &path])
        });
        age(&[&"-d", &"-i", &key, &"-o", &plain, &path]);
        let age_e = time(runs, || {
            let _ = std::fs::remove_file(&out);
            age(&[&"-e", &"-R", &pubkey, &"-o", &out, &plain]);
        });
        let _ = std::fs::remove_file(&plain);

        let mut n = 0;
        let first = time(runs, || {
            n += 1;
            laptop(&dir.path().join(format!("fresh-{n}")));
            drop(CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("first open"));
        });
        laptop(&dir.path().join("member"));
        drop(CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("open"));
        let later = time(runs, || {
            drop(CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("later open"));
        });
        let mut file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).expect("open");
        let save = time(runs, || {
            let note = Event {
                id: uuid::Uuid::new_v4(),
                case: Some(case),
                author: me,
                at: chrono::Utc::now(),
                amends: None,
                kind: EventKind::NoteAdded {
                    body: "one more note".into(),
                    note: NoteKind::General,
                },
            };
            file.record(&[note]).expect("record");
            file.save(&identity).expect("save");
        });
        drop(file);
        let reopen = time(runs, || {
            drop(CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("open"));
        });
        (age_d, age_e, first, later, save, reopen)
    });

    // Two copies that diverged: a second member joins, takes a copy, and each adds 1,000
    // events on their own copy.
    let second_key = dir.path().join("second.key");
    casebook_vault::keygen(&second_key, "second", None).expect("keygen");
    let second = Identity::load(&second_key, &PassphraseSource::Terminal).expect("identity");
    let mut file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).expect("open");
    let new = NewMember {
        name: "Second".into(),
        email: None,
        role: Role::Member,
        key: dir.path().join("second.key.pub").display().to_string(),
    };
    let finish = Finish {
        export_dir: dir.path(),
        merged: Vec::new(),
    };
    add(OpenFile::of(&mut file), &identity, &new, finish).expect("add a member");
    let cases: Vec<CaseId> = file.cases().expect("cases").keys().copied().collect();
    drop(file);
    let theirs = dir.path().join("theirs.cases.age");
    std::fs::copy(&path, &theirs).expect("copy");
    laptop(&dir.path().join("second"));
    let mut file = CaseFile::open(&theirs, &second, OpenMode::ReadWrite).expect("open theirs");
    let them = file.me().expect("me").expect("member").id;
    diverge(&mut file, &second, them, &cases, 1_000, 2);
    drop(file);
    laptop(&dir.path().join("member"));
    let mut file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).expect("open");
    diverge(&mut file, &identity, me, &cases, 1_000, 1);
    drop(file);
    drop(CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("open"));
    // Every run starts from this copy and this laptop state.
    let ours = std::fs::read(&path).expect("read");
    let state = dir.path().join("member");
    let template = dir.path().join("member-template");
    restore(&state, &template);
    // A virtual machine may hand memory a process freed back to its host (free page
    // reporting, as on the machine these figures were first taken on), and then every first
    // touch of a page costs ten or more times what it does on a laptop: a merge, which holds
    // two databases where open and save hold one, would pay that for the second. Before each
    // run, as much memory as a merge holds is touched and freed, for both alike.
    let warm = 3 * ours.len();
    let fresh = || {
        std::fs::write(&path, &ours).expect("write");
        restore(&template, &state);
        drop(std::hint::black_box(vec![1u8; warm]));
    };
    let open_save = timed(runs, || {
        fresh();
        let start = Instant::now();
        let mut file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).expect("open");
        let note = Event {
            id: uuid::Uuid::new_v4(),
            case: Some(case),
            author: me,
            at: chrono::Utc::now(),
            amends: None,
            kind: EventKind::NoteAdded {
                body: "one more note".into(),
                note: NoteKind::General,
            },
        };
        file.record(&[note]).expect("record");
        file.save(&identity).expect("save");
        drop(file);
        start.elapsed()
    });
    let mut came_in = 0;
    let merge = timed(runs, || {
        fresh();
        let start = Instant::now();
        // As `casebook merge` does: the other copy is read while the file is opened.
        let (file, copy) = casebook::ops::merge::read_while_opening(&theirs, &identity, || {
            CaseFile::open(&path, &identity, OpenMode::ReadWrite)
        });
        let mut file = file.expect("open");
        let merged = file
            .merge_copy(&copy.expect("read the other copy"), &identity)
            .expect("merge");
        came_in = merged.events();
        assert!(merged.merge_commit);
        file.save(&identity).expect("save");
        drop(file);
        start.elapsed()
    });

    if let Some((age_d, age_e, first, later, save, reopen)) = earlier {
        println!(
            "age -d (Go)                                  {:>8.0} ms",
            ms(age_d)
        );
        println!(
            "age -e (Go)                                  {:>8.0} ms",
            ms(age_e)
        );
        println!(
            "first open on a fresh laptop (all verified)  {:>8.0} ms  ({:.2}x age -d)",
            ms(first),
            ms(first) / ms(age_d)
        );
        println!(
            "later open (nothing new since)               {:>8.0} ms  ({:.2}x age -d; goal 2x)",
            ms(later),
            ms(later) / ms(age_d)
        );
        println!(
            "one-note save (one new commit)               {:>8.0} ms  ({:.2}x age -d + age -e; goal 2x)",
            ms(save),
            ms(save) / (ms(age_d) + ms(age_e))
        );
        println!(
            "open after those saves (own commits pinned)  {:>8.0} ms  ({:.2}x age -d)",
            ms(reopen),
            ms(reopen) / ms(age_d)
        );
    }
    println!(
        "open + one-note save, diverged copy          {:>8.0} ms",
        ms(open_save)
    );
    println!(
        "merge: open, merge 1,000 events, save        {:>8.0} ms  ({:.2}x open + save; goal 1.5x; \
         {came_in} events came in)",
        ms(merge),
        ms(merge) / ms(open_save)
    );
}

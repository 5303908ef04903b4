//! Case work at scale: a synthetic file of 10,000 cases and 1,000,000 events, and the
//! latency of what a member does all day: queue counts, loading a case, searching.
//!
//! Run with `cargo bench --bench cases` (`-- --quick` for 1,000 cases and 100,000 events).
//! It prints p50/p99 figures; it asserts nothing. Targets: queue counts and case load under
//! 10 ms, search under 30 ms.

mod common;

use std::time::Instant;

use casebook::core::queue::{self, View};
use casebook_vault::{CaseFile, OpenMode, synthetic};
use common::percentiles;

fn measure(runs: usize, mut f: impl FnMut(usize)) -> (f64, f64) {
    f(0);
    percentiles(
        (0..runs)
            .map(|i| {
                let start = Instant::now();
                f(i);
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (cases, events_per_case) = if quick { (1_000, 100) } else { (10_000, 100) };
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let spec = synthetic::Spec {
        cases,
        events_per_case,
        note_bytes: 120,
        canary: None,
        seed: 3,
    };
    let (identity, path, mut file) = common::synthetic_file(dir.path(), &spec);
    file.save(&identity).expect("save");
    drop(file);
    let size = std::fs::metadata(&path).expect("size").len();
    println!(
        "casebook case benchmark: {cases} cases, {} events, file {:.0} MB (generated in {:.0} s)",
        cases * events_per_case,
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let mut file = CaseFile::open(&path, &identity, OpenMode::ReadOnly).expect("open");
    println!(
        "open (decrypt, deserialise, check)        {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let ids: Vec<_> = file.cases().expect("cases").keys().copied().collect();
    println!(
        "load every case's state (once per open)   {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let roster = file.roster().expect("roster");
    let me = file.me().expect("me").map(|m| m.id);
    let settings = file.settings();
    // After the decision: one case in ten carries two sanctions (one ending within the
    // notice days, one until reviewed, half their checklist told) and a message promising
    // the next update, so the queues that read them do their whole work.
    let mut after = file.cases().expect("cases").clone();
    let today = chrono::Utc::now().date_naive();
    for (n, case) in after.values_mut().enumerate().filter(|(n, _)| n % 10 == 0) {
        for (i, ends) in [Some(today + chrono::Days::new(5)), None]
            .into_iter()
            .enumerate()
        {
            let id = uuid::Uuid::from_u128((n * 2 + i) as u128 + 1);
            case.sanctions.push(casebook::core::sanction::Sanction {
                id,
                kind: "temporary-ban".into(),
                subject: "@someone".into(),
                spaces: vec!["chat".into(), "events".into(), "repositories".into()],
                starts: today - chrono::Days::new(30),
                ends,
                conditions: String::new(),
                tell: Vec::new(),
                by: case
                    .assignees
                    .iter()
                    .next()
                    .copied()
                    .unwrap_or(casebook::core::roster::MemberId(uuid::Uuid::nil())),
                at: case.updated_at,
                news: id,
                told: Vec::new(),
                history: Vec::new(),
                lifted: None,
            });
        }
        case.communications
            .push(casebook::core::case::Communication {
                to: casebook::core::event::Audience::Reporter,
                summary: "We are looking into it.".into(),
                by: casebook::core::roster::MemberId(uuid::Uuid::nil()),
                at: case.updated_at,
                next_update_by: Some(today - chrono::Days::new(1)),
            });
    }
    let (p50, p99) = measure(100, |_| {
        let view = View {
            me,
            roster: &roster,
            settings: &settings,
            now: chrono::Utc::now(),
        };
        let counts = queue::counts(&view, after.values());
        assert_eq!(counts.last().map(|c| c.1), Some(cases));
    });
    println!(
        "all {} queue counts                    p50 {p50:>6.2} ms   p99 {p99:>6.2} ms   (target < 10 ms)",
        queue::Queue::ALL.len()
    );

    let codes: Vec<String> = {
        let all = file.cases().expect("cases");
        ids.iter()
            .step_by((ids.len() / 200).max(1))
            .map(|id| all[id].code_name.clone())
            .collect()
    };
    let (p50, p99) = measure(codes.len(), |i| {
        let case = file.case_by_code(&codes[i % codes.len()]).expect("case");
        let timeline = file.timeline(case.id).expect("timeline");
        assert_eq!(timeline.len(), events_per_case);
    });
    println!(
        "load a case with its {events_per_case}-event timeline   p50 {p50:>6.2} ms   p99 {p99:>6.2} ms   (target < 10 ms)"
    );

    // Words at different frequency ranks of the synthetic vocabulary, a prefix, word pairs, a
    // common function word (in about a tenth of all entries), and a word that is nowhere.
    let frequent = synthetic::content_word(3);
    let middling = synthetic::content_word(300);
    let rare = synthetic::content_word(9_000);
    let prefix: String = synthetic::content_word(40).chars().take(4).collect();
    let pair = format!(
        "{} {}",
        synthetic::content_word(20),
        synthetic::content_word(50)
    );
    let with_common = format!("committee {}", synthetic::content_word(100));
    let owned = [
        frequent,
        middling,
        rare,
        prefix,
        pair,
        with_common,
        "warning".to_string(),
        "zzzz-nothing".to_string(),
    ];
    let queries: Vec<&str> = owned.iter().map(String::as_str).collect();
    let (p50, p99) = measure(120, |i| {
        let _ = file.search(queries[i % queries.len()], 50).expect("search");
    });
    println!(
        "search, 50 ranked hits with snippets      p50 {p50:>6.2} ms   p99 {p99:>6.2} ms   (target < 30 ms)"
    );
    for q in queries {
        let start = Instant::now();
        let hits = file.search(q, 50).expect("search");
        println!(
            "  {q:<24} {:>3} hits  {:>7.2} ms",
            hits.len(),
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}

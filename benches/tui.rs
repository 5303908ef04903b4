//! The interface at scale: frame render time for the queue view and the case view with 10,000
//! cases and a 2,000-event timeline, and key-press-to-frame latency (model update, the
//! effect against the vault, and the frame).
//!
//! Run with `cargo bench --bench tui`. It prints p50/p99 figures; it asserts nothing. Target:
//! p99 under 4 ms per frame. Frames are drawn into ratatui's TestBackend: this is the cost of
//! building and diffing the frame, without the terminal's own work of displaying it.

mod common;

use casebook::ops::OpenFile;
use std::time::Instant;

use casebook::core::event::{Event, EventKind, NoteKind};
use casebook::tui::app::{App, Effect};
use casebook::tui::{Runner, action::Action, view};
use casebook_vault::{Identity, PassphraseSource, synthetic};
use common::percentiles;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// What the event loop does for each frame (the case wrapped once per case and width).
fn draw(terminal: &mut Terminal<TestBackend>, app: &mut App, layout: &mut view::CaseLayout) {
    casebook::tui::draw(terminal, app, layout).expect("draw");
}

fn frames(
    terminal: &mut Terminal<TestBackend>,
    app: &mut App,
    layout: &mut view::CaseLayout,
    runs: usize,
    mut step: impl FnMut(&mut App, usize),
) -> (f64, f64) {
    draw(terminal, app, layout);
    percentiles(
        (0..runs)
            .map(|i| {
                step(app, i);
                let start = Instant::now();
                draw(terminal, app, layout);
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = synthetic::Spec {
        cases: 10_000,
        events_per_case: 10,
        note_bytes: 120,
        canary: None,
        seed: 5,
    };
    let (identity, _, mut file) = common::synthetic_file(dir.path(), &spec);
    let key = dir.path().join("bench.key");
    let reload = |_: PassphraseSource| Identity::load(&key, &PassphraseSource::Terminal);
    let mut runner = Runner::new(identity, &reload);
    let now = chrono::Utc::now();
    // One case with a long history: 2,000 events, notes of a few lines each.
    let me = file.me().expect("me").expect("member");
    let long = file
        .cases()
        .expect("cases")
        .values()
        .next()
        .expect("a case")
        .clone();
    let notes: Vec<Event> = (0..1_990)
        .map(|i| Event {
            id: uuid::Uuid::new_v4(),
            case: Some(long.id),
            author: me.id,
            at: now + chrono::Duration::seconds(i),
            amends: None,
            kind: EventKind::NoteAdded {
                body: format!(
                    "Note {i}: {}\nSecond line of the note, long enough to wrap on a narrow \
                     terminal when the case view is drawn at eighty columns wide.",
                    synthetic::content_word(i as usize)
                ),
                note: NoteKind::General,
            },
        })
        .collect();
    file.record(&notes).expect("record");
    let timeline_len = file.timeline(long.id).expect("timeline").len();
    println!(
        "casebook interface benchmark: {} cases, a {timeline_len}-event timeline",
        spec.cases
    );

    for (width, height) in [(80u16, 24u16), (160, 48)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let mut app = App::new(file.label(), Some(me.name.clone()), now);
        let mut layout = view::CaseLayout::default();
        runner.run(&mut app, OpenFile::of(&mut file), Effect::Refresh);
        assert_eq!(app.rows.len(), spec.cases);

        let (p50, p99) = frames(&mut terminal, &mut app, &mut layout, 2_000, |app, i| {
            app.update(if i % 400 < 200 {
                Action::PageDown
            } else {
                Action::Up
            });
        });
        println!(
            "{width}x{height} queue view frame (10,000 rows)     p50 {p50:>6.3} ms   p99 {p99:>6.3} ms   (target p99 < 4 ms)"
        );

        runner.run(
            &mut app,
            OpenFile::of(&mut file),
            Effect::OpenCase(long.code_name.clone()),
        );
        let (p50, p99) = frames(&mut terminal, &mut app, &mut layout, 1_000, |app, i| {
            app.update(if i % 100 < 50 {
                Action::PageDown
            } else {
                Action::PageUp
            });
        });
        println!(
            "{width}x{height} case view frame ({timeline_len} events)     p50 {p50:>6.3} ms   p99 {p99:>6.3} ms   (target p99 < 4 ms)"
        );
        // Jumping entry to entry through the timeline (the selection scrolls into view).
        let (p50, p99) = frames(&mut terminal, &mut app, &mut layout, 1_000, |app, i| {
            app.update(if i % 500 < 250 {
                Action::NextEntry
            } else {
                Action::PreviousEntry
            });
        });
        println!(
            "{width}x{height} case view frame, entry to entry      p50 {p50:>6.3} ms   p99 {p99:>6.3} ms   (target p99 < 4 ms)"
        );
        // Enter shows an entry whole: the case is laid out again.
        let mut samples = Vec::new();
        for _ in 0..50 {
            let start = Instant::now();
            app.update(Action::Open);
            draw(&mut terminal, &mut app, &mut layout);
            samples.push(start.elapsed());
        }
        let (p50, p99) = percentiles(samples);
        println!(
            "{width}x{height} key to frame: Enter on an entry      p50 {p50:>6.3} ms   p99 {p99:>6.3} ms"
        );

        // Key press to frame: the model, the effect against the vault, and the frame.
        let mut samples = Vec::new();
        for i in 0..200 {
            app.update(Action::Back);
            runner.run(&mut app, OpenFile::of(&mut file), Effect::Refresh);
            let key = if i % 2 == 0 {
                KeyCode::Tab
            } else {
                KeyCode::BackTab
            };
            let start = Instant::now();
            if let Some(effect) = app.on_key(KeyEvent::from(key)) {
                runner.run(&mut app, OpenFile::of(&mut file), effect);
            }
            draw(&mut terminal, &mut app, &mut layout);
            samples.push(start.elapsed());
        }
        let (p50, p99) = percentiles(samples);
        println!(
            "{width}x{height} key to frame: switch queue           p50 {p50:>6.3} ms   p99 {p99:>6.3} ms"
        );
        let codes: Vec<String> = app.rows.iter().take(200).map(|r| r.code.clone()).collect();
        let mut samples = Vec::new();
        for code in &codes {
            app.update(Action::Back);
            let start = Instant::now();
            runner.run(
                &mut app,
                OpenFile::of(&mut file),
                Effect::OpenCase(code.clone()),
            );
            draw(&mut terminal, &mut app, &mut layout);
            samples.push(start.elapsed());
        }
        let (p50, p99) = percentiles(samples);
        println!(
            "{width}x{height} key to frame: open a case            p50 {p50:>6.3} ms   p99 {p99:>6.3} ms"
        );
        let mut samples = Vec::new();
        for _ in 0..50 {
            app.update(Action::Back);
            let start = Instant::now();
            runner.run(
                &mut app,
                OpenFile::of(&mut file),
                Effect::OpenCase(long.code_name.clone()),
            );
            draw(&mut terminal, &mut app, &mut layout);
            samples.push(start.elapsed());
        }
        let (p50, p99) = percentiles(samples);
        println!(
            "{width}x{height} key to frame: open the {timeline_len}-event case  p50 {p50:>6.3} ms   p99 {p99:>6.3} ms"
        );
    }
}

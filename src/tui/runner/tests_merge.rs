//! The runner with other copies of the file: a copy synced over it while it is open, sync
//! conflict copies beside it, and what needs attention afterwards; dropping an unsaved change;
//! the record text and import forms.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::{case_in, done, press, setup, typing};
use super::*;
use crate::core::case::Status;
use crate::core::event::{EventKind, NoteKind};
use crate::tui::app::{Overlay, Screen};

fn ctrl(app: &mut App, file: &mut OpenFile, runner: &mut Runner, c: char) {
    if let Some(effect) = app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)) {
        runner.run(app, file, effect);
    }
}

fn note(body: &str) -> CaseChange {
    CaseChange::Note {
        kind: NoteKind::General,
        body: body.into(),
        amends: None,
    }
}

fn decide(outcome: &str) -> CaseChange {
    CaseChange::Decide {
        outcome: outcome.into(),
        rationale: format!("{outcome}, on this copy"),
        override_reason: Some("the chair decides".into()),
    }
}

/// Another laptop's copy of the file at `path`: copied, changed with `change` on `code` (as
/// the demo chair), saved, and synced back over `path` (renamed over it, as a sync tool does).
fn synced_over(path: &std::path::Path, code: &str, change: CaseChange) {
    let identity = vault::demo_identity().unwrap();
    let other = path.with_file_name("other-laptop.cases.age");
    std::fs::copy(path, &other).unwrap();
    {
        let mut theirs = OpenFile::open(&other, &identity, vault::OpenMode::ReadWrite).unwrap();
        ops::cases::change(&mut theirs, code, change).unwrap();
        theirs.vault().save(&identity).unwrap();
    }
    std::fs::rename(&other, path).unwrap();
}

fn notes_of(file: &mut OpenFile, code: &str) -> Vec<String> {
    let id = file.case_by_code(code).unwrap().id;
    file.timeline(id)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::NoteAdded { body, .. } => Some(body),
            _ => None,
        })
        .collect()
}

#[test]
fn changed_on_disk_offers_merge_which_keeps_both_copies_and_says_what_came_in() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let path = std::path::PathBuf::from(file.label());
    let code = case_in(&mut file, Status::Triage);
    synced_over(&path, &code, note("written on the other laptop"));
    // Mine, not saved yet.
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('n')]);
    press(&mut app, &mut file, &mut runner, &typing("written here"));
    ctrl(&mut app, &mut file, &mut runner, 'd');
    assert!(app.dirty);
    runner.run(&mut app, &mut file, Effect::CheckDisk);
    assert!(app.disk_changed);
    ctrl(&mut app, &mut file, &mut runner, 's');
    assert!(matches!(app.overlay, Some(Overlay::ChangedOnDisk)));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('m')]);
    assert!(
        app.status.starts_with("merged 1 change from Robin Okafor") && app.status.contains("saved"),
        "{}",
        app.status
    );
    let Some(Overlay::Message { title, text, .. }) = &app.overlay else {
        panic!("what came in is shown until dismissed")
    };
    assert_eq!(title, "Merged");
    assert!(text.contains("merged 1 change from Robin Okafor"), "{text}");
    assert!(!app.dirty && !app.disk_changed && app.pending.is_empty());
    // Both notes, in memory and in the file on disk.
    let mut notes = notes_of(&mut file, &code);
    notes.sort();
    assert!(notes.contains(&"written here".to_string()), "{notes:?}");
    assert!(notes.contains(&"written on the other laptop".to_string()));
    let identity = vault::demo_identity().unwrap();
    let mut on_disk = OpenFile::open(&path, &identity, vault::OpenMode::ReadOnly).unwrap();
    let on_disk_notes = notes_of(&mut on_disk, &code);
    assert!(on_disk_notes.contains(&"written here".to_string()));
    assert!(on_disk_notes.contains(&"written on the other laptop".to_string()));
    // The case on screen was loaded again with both.
    let Screen::Case { data, .. } = &app.screen else {
        panic!("still on the case")
    };
    assert!(data.timeline.iter().any(|e| matches!(&e.kind,
        EventKind::NoteAdded { body, .. } if body == "written on the other laptop")));
}

#[test]
fn a_plain_save_that_merged_says_so() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let path = std::path::PathBuf::from(file.label());
    let code = case_in(&mut file, Status::Triage);
    ops::cases::change(&mut file, &code, note("mine")).unwrap();
    app.dirty = true;
    synced_over(&path, &code, note("theirs"));
    // Saved before the disk check noticed.
    ctrl(&mut app, &mut file, &mut runner, 's');
    assert!(
        app.status.starts_with("merged 1 change from"),
        "{}",
        app.status
    );
    assert!(matches!(&app.overlay, Some(Overlay::Message { title, .. }) if title == "Merged"));
}

#[test]
fn two_decisions_need_attention_on_the_case_and_a_member_resolves_them_from_the_form() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let path = std::path::PathBuf::from(file.label());
    let code = case_in(&mut file, Status::Deliberating);
    synced_over(&path, &code, decide("warning"));
    ops::cases::change(&mut file, &code, decide("correction")).unwrap();
    ctrl(&mut app, &mut file, &mut runner, 's');
    // Made at the same time on two copies: neither stands until a member says which does.
    assert!(
        app.status.contains("; 2 need attention"),
        "the count of what needs attention is said: {}",
        app.status
    );
    // The needs-attention queue lists the case.
    let attention = app
        .queues
        .iter()
        .find(|(q, _)| *q == crate::core::queue::Queue::NeedsAttention)
        .expect("a needs-attention queue");
    assert_eq!(attention.1, 1);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    let Screen::Case { data, .. } = &app.screen else {
        panic!("on the case")
    };
    assert_eq!(data.case.attention.len(), 2);
    assert!(data.case.decision.is_none(), "neither decision stands");
    let second = data.case.attention[0].event;
    let crate::core::attention::Trouble::Decision { outcome: its, .. } =
        data.case.attention[0].what.clone()
    else {
        panic!("a second decision")
    };
    app.overlay = None;
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('z')]);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("z opens the resolve form: {}", app.status)
    };
    assert!(form.title.contains(&code));
    // item (all) → how → which decision stands: the one listed first.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Tab]);
    press(
        &mut app,
        &mut file,
        &mut runner,
        &typing("Agreed on a call: the second stands."),
    );
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Tab, KeyCode::Right],
    );
    done(&mut app, &mut file, &mut runner);
    assert!(app.overlay.is_none(), "{}", app.status);
    assert!(app.status.contains("resolved 2 items"), "{}", app.status);
    let case = file.case_by_code(&code).unwrap();
    assert!(case.attention.is_empty(), "{:?}", case.attention);
    let resolved = file
        .timeline(case.id)
        .unwrap()
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::AttentionResolved { keep, note, .. } => Some((keep, note)),
            _ => None,
        })
        .unwrap();
    assert_eq!(resolved.0, Some(second), "the second decision stands");
    assert_eq!(resolved.1, "Agreed on a call: the second stands.");
    assert_eq!(case.decision.as_ref().unwrap().outcome, its);
    // The queue strip counts it at once, on the case screen, and after the save.
    let needing = |app: &App| {
        app.queues
            .iter()
            .find(|(q, _)| *q == crate::core::queue::Queue::NeedsAttention)
            .map(|(_, n)| *n)
    };
    assert_eq!(needing(&app), Some(0), "counted again after resolving");
    assert!(app.dirty);
    ctrl(&mut app, &mut file, &mut runner, 's');
    assert_eq!(needing(&app), Some(0));
    assert!(!app.dirty, "saved");
}

#[test]
fn sync_conflict_copies_beside_the_file_are_offered_merged_moved_aside_and_saved() {
    let (dir, mut file, mut runner, mut app) = setup();
    let path = std::path::PathBuf::from(file.label());
    let code = case_in(&mut file, Status::Triage);
    // The other laptop's version, left beside the file by Syncthing.
    let copy = dir
        .path()
        .join("c.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    {
        let saved = std::fs::read(&path).unwrap();
        synced_over(&path, &code, note("from the conflict copy"));
        std::fs::rename(&path, &copy).unwrap();
        std::fs::write(&path, saved).unwrap();
    }
    // Our file was replaced by its own bytes: open it again as the interface does.
    drop(file);
    let identity = vault::demo_identity().unwrap();
    let mut file = OpenFile::open(&path, &identity, vault::OpenMode::ReadWrite).unwrap();
    runner.run(&mut app, &mut file, Effect::FindCopies);
    let Some(Overlay::Confirm { question, .. }) = &app.overlay else {
        panic!("the copies are offered: {}", app.status)
    };
    assert!(question.contains("sync-conflict"), "{question}");
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    assert!(!copy.exists(), "the merged copy was deleted once saved");
    assert!(
        app.status.starts_with("merged 1 change from") && app.status.contains("saved"),
        "{}",
        app.status
    );
    assert!(!file.is_dirty(), "saved at once");
    assert!(notes_of(&mut file, &code).contains(&"from the conflict copy".to_string()));
}

#[test]
fn an_unsaved_change_is_dropped_from_the_pending_list_and_the_rest_is_kept() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = case_in(&mut file, Status::Triage);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    for text in ["keep me", "drop me"] {
        press(&mut app, &mut file, &mut runner, &[KeyCode::Char('n')]);
        press(&mut app, &mut file, &mut runner, &typing(text));
        ctrl(&mut app, &mut file, &mut runner, 'd');
    }
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('u')]);
    let Some(Overlay::Pending { changes, .. }) = &app.overlay else {
        panic!("u lists the unsaved changes")
    };
    assert_eq!(changes.len(), 2);
    // The second one: x asks, y drops it.
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Down, KeyCode::Char('x')],
    );
    let Some(Overlay::Confirm { question, .. }) = &app.overlay else {
        panic!("dropping asks first")
    };
    assert!(question.contains("note"), "{question}");
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    assert!(app.status.starts_with("dropped"), "{}", app.status);
    assert_eq!(app.pending.len(), 1);
    assert_eq!(notes_of(&mut file, &code).last().unwrap(), "keep me");
    let Screen::Case { data, .. } = &app.screen else {
        panic!("still on the case")
    };
    assert!(!data.timeline.iter().any(|e| matches!(&e.kind,
        EventKind::NoteAdded { body, .. } if body == "drop me")));
    // What is left saves and opens again.
    app.overlay = None;
    ctrl(&mut app, &mut file, &mut runner, 's');
    assert!(app.status.starts_with("saved"), "{}", app.status);
}

#[test]
fn a_record_text_is_written_for_one_audience_from_its_form() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = file
        .cases()
        .unwrap()
        .values()
        .find(|c| c.decision.is_some() && c.conflicts.is_empty())
        .map(|c| c.code_name.clone())
        .unwrap();
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('T')]);
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "{}",
        app.status
    );
    // For: reporter; the default title; a summary.
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Right, KeyCode::Tab, KeyCode::Tab],
    );
    press(
        &mut app,
        &mut file,
        &mut runner,
        &typing("The committee acted on your report."),
    );
    done(&mut app, &mut file, &mut runner);
    assert!(app.overlay.is_none(), "{}", app.status);
    let id = file.case_by_code(&code).unwrap().id;
    let written = file
        .timeline(id)
        .unwrap()
        .into_iter()
        .rev()
        .find_map(|e| match e.kind {
            EventKind::RecordTextWritten {
                profile,
                title,
                summary,
            } => Some((profile, title, summary)),
            _ => None,
        })
        .unwrap();
    assert_eq!(written.0, crate::export::Profile::Reporter);
    assert_eq!(written.1, format!("Decision record for {code}"));
    assert_eq!(written.2, "The committee acted on your report.");
}

#[test]
fn the_import_form_maps_a_column_to_a_field() {
    let (dir, mut file, mut runner, mut app) = setup();
    let csv = dir.path().join("form.csv");
    std::fs::write(
        &csv,
        "Submitted,Tell us more\n2026-11-01 09:15:00,A canary-body-text about what happened.\n",
    )
    .unwrap();
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('i')]);
    let mut keys = typing(&csv.display().to_string());
    keys.push(KeyCode::Tab);
    keys.extend(typing("body=Tell us more"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    assert!(
        app.status.starts_with("imported 1 reports"),
        "{}",
        app.status
    );
    let Some(Overlay::Message { text, .. }) = &app.overlay else {
        panic!("which column went where is shown")
    };
    assert!(text.contains("\"Tell us more\" -> body"), "{text}");
    let code = app.status.rsplit(' ').next().unwrap().to_string();
    let id = file.case_by_code(&code).unwrap().id;
    let body = file
        .timeline(id)
        .unwrap()
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::ReportReceived { body, .. } => Some(body),
            _ => None,
        })
        .unwrap();
    assert!(body.contains("canary-body-text"), "{body}");
}

#[test]
fn a_clock_behind_the_newest_change_shows_in_the_status_bar() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let path = std::path::PathBuf::from(file.label());
    runner.run(&mut app, &mut file, Effect::CheckClock);
    assert_eq!(
        app.clock_behind, None,
        "the clock is not behind a file made now"
    );
    // Another laptop, its clock two days ahead, signs a change that comes in.
    let code = case_in(&mut file, Status::Triage);
    let identity = vault::demo_identity().unwrap();
    let other = path.with_file_name("ahead.cases.age");
    std::fs::copy(&path, &other).unwrap();
    {
        let mut theirs = OpenFile::open(&other, &identity, vault::OpenMode::ReadWrite).unwrap();
        ops::cases::change(&mut theirs, &code, note("from ahead")).unwrap();
        theirs
            .vault()
            .commit(&identity, chrono::Utc::now() + chrono::Duration::hours(50))
            .unwrap();
        theirs.vault().save(&identity).unwrap();
    }
    std::fs::rename(&other, &path).unwrap();
    file.vault().save(&identity).unwrap();
    runner.run(&mut app, &mut file, Effect::CheckClock);
    assert_eq!(app.clock_behind.as_deref(), Some("2 days 1 hour"));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 24)).unwrap();
    terminal
        .draw(|frame| crate::tui::view::render(&app, frame))
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("clock 2 days 1 hour behind"), "{screen}");
}

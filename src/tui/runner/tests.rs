//! The runner against the demo file in a temporary directory: forms carried out through
//! their keys, what they record, the lock and unlock.

use crate::core::event::EventKind;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::core::case::Status;
use crate::tui::app::{Overlay, Screen};

/// The demo key, loaded again to unlock.
pub(super) fn demo_key(_: PassphraseSource) -> std::result::Result<Identity, vault::Error> {
    vault::demo_identity()
}

/// The demo file, saved to a temporary directory so that saves work, and the interface on it.
pub(super) fn setup() -> (tempfile::TempDir, OpenFile, Runner<'static>, App) {
    let dir = tempfile::tempdir().unwrap();
    let (mut file, identity) = OpenFile::demo().unwrap();
    file.save_as(&dir.path().join("c.cases.age"), &identity)
        .unwrap();
    let me = file.me().unwrap().map(|m| m.name);
    let mut app = App::new(file.label(), me, Utc::now());
    let mut runner = Runner::new(identity, &demo_key);
    runner.run(&mut app, &mut file, Effect::Refresh);
    (dir, file, runner, app)
}

pub(super) fn press(app: &mut App, file: &mut OpenFile, runner: &mut Runner, keys: &[KeyCode]) {
    for code in keys {
        if let Some(effect) = app.on_key(KeyEvent::new(*code, KeyModifiers::NONE)) {
            runner.run(app, file, effect);
        }
    }
}

/// Ctrl-D: carry the form out.
pub(super) fn done(app: &mut App, file: &mut OpenFile, runner: &mut Runner) {
    if let Some(effect) = app.on_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)) {
        runner.run(app, file, effect);
    }
}

pub(super) fn typing(text: &str) -> Vec<KeyCode> {
    text.chars().map(KeyCode::Char).collect()
}

/// A case of the demo in `status` that the chair may work on.
pub(super) fn case_in(file: &mut OpenFile, status: Status) -> String {
    file.cases()
        .unwrap()
        .values()
        .find(|c| c.status == status && c.conflicts.is_empty() && c.decision.is_none())
        .map(|c| c.code_name.clone())
        .unwrap()
}

#[test]
fn a_vote_and_a_decision_are_recorded_through_their_forms() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = case_in(&mut file, Status::Deliberating);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    // Vote for the second outcome of the ladder.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('v')]);
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('w')]);
    done(&mut app, &mut file, &mut runner);
    assert!(app.overlay.is_none(), "the form closes: {}", app.status);
    assert!(app.dirty);
    let case = file.case_by_code(&code).unwrap();
    let proposal = case.proposal.as_ref().unwrap();
    assert_eq!(proposal.outcome, "warning");
    // Without the quorum, a decision with no override reason is refused and the form says so.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('d')]);
    let mut keys = vec![KeyCode::Tab];
    keys.extend(typing("Repeated after a warning."));
    keys.push(KeyCode::Tab);
    // Enter on the last field submits; a decision is confirmed first.
    keys.push(KeyCode::Enter);
    press(&mut app, &mut file, &mut runner, &keys);
    assert!(
        matches!(&app.overlay, Some(Overlay::Confirm { question, .. }) if question.contains("Record the decision warning")),
        "a decision asks first"
    );
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the refused form stays open")
    };
    assert!(
        form.error
            .as_deref()
            .unwrap_or_default()
            .contains("does not meet"),
        "{:?}",
        form.error
    );
    // The chair overrides, with a reason.
    let mut keys = typing("Two members are away; the chair decides.");
    keys.push(KeyCode::Enter);
    keys.push(KeyCode::Char('y'));
    press(&mut app, &mut file, &mut runner, &keys);
    assert!(app.overlay.is_none(), "{}", app.status);
    let case = file.case_by_code(&code).unwrap();
    let decision = case.decision.as_ref().unwrap();
    assert_eq!(decision.outcome, "warning");
    assert_eq!(case.status, Status::Decided);
    let Screen::Case { data, .. } = &app.screen else {
        panic!("still on the case")
    };
    assert!(
        data.timeline
            .iter()
            .any(|e| matches!(&e.kind, EventKind::DecisionRecorded { override_reason: Some(r), .. } if r.contains("away")))
    );
}

#[test]
fn assign_party_message_and_emergency_forms_record_events() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = case_in(&mut file, Status::Investigating);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    let id = file.case_by_code(&code).unwrap().id;
    let before = file.timeline(id).unwrap().len();
    // Assign the second active member.
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Char('a'), KeyCode::Right],
    );
    done(&mut app, &mut file, &mut runner);
    // A named witness (Enter moves from field to field).
    let mut keys = vec![
        KeyCode::Char('p'),
        KeyCode::Char('w'),
        KeyCode::Enter,
        KeyCode::Enter,
    ];
    keys.extend(typing("Canary Witness"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    // A message to the reporter.
    let mut keys = vec![KeyCode::Char('m'), KeyCode::Tab];
    keys.extend(typing("told them we are looking into it"));
    // Past the template (none) and "next update by" (empty).
    keys.extend([KeyCode::Enter, KeyCode::Enter, KeyCode::Enter]);
    press(&mut app, &mut file, &mut runner, &keys);
    // An emergency action.
    let mut keys = vec![KeyCode::Char('!')];
    keys.extend(typing("muted in chat for 48 hours"));
    keys.push(KeyCode::Enter);
    press(&mut app, &mut file, &mut runner, &keys);
    let case = file.case_by_code(&code).unwrap();
    let timeline = file.timeline(case.id).unwrap();
    assert_eq!(timeline.len(), before + 4, "{}", app.status);
    assert!(
        case.parties
            .iter()
            .any(|p| p.label().contains("Canary Witness"))
    );
    assert_eq!(case.unreviewed_emergencies().count(), 1);
    // The member who recorded it cannot review it: said before any form opens.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('r')]);
    assert!(app.overlay.is_none());
    assert!(
        app.status.contains("another member reviews it"),
        "{}",
        app.status
    );
}

#[test]
fn a_party_can_be_the_same_person_as_in_another_case() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let (other, person) = file
        .cases()
        .unwrap()
        .values()
        .find(|c| c.parties.len() >= 2)
        .map(|c| (c.code_name.clone(), c.parties[1].person))
        .unwrap();
    let code = case_in(&mut file, Status::Investigating);
    assert_ne!(code, other);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    // Reported, "same person as", then the reference in its field.
    let mut keys = vec![KeyCode::Char('p'), KeyCode::Tab, KeyCode::Char('s')];
    keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    keys.extend(typing(&format!("{other}:2")));
    // Past the custodian (nobody), the last field: Enter there sends the form.
    keys.extend([KeyCode::Enter, KeyCode::Enter]);
    press(&mut app, &mut file, &mut runner, &keys);
    assert!(app.overlay.is_none(), "{}", app.status);
    let case = file.case_by_code(&code).unwrap();
    assert_eq!(case.parties.last().unwrap().person, person);
    let Screen::Case { data, .. } = &app.screen else {
        panic!("case")
    };
    let (_, also_in) = data.elsewhere.last().unwrap();
    assert!(also_in.iter().any(|c| c.starts_with(&other)), "{also_in:?}");
    // A reference to nothing is refused in the form.
    let mut keys = vec![KeyCode::Char('p'), KeyCode::Tab, KeyCode::Char('s')];
    keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    keys.extend(typing(&format!("{other}:99")));
    keys.extend([KeyCode::Enter, KeyCode::Enter]);
    press(&mut app, &mut file, &mut runner, &keys);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the form stays open")
    };
    assert!(
        form.error
            .as_deref()
            .unwrap_or_default()
            .contains("has no party 99"),
        "{:?}",
        form.error
    );
}

#[test]
fn a_correction_amends_the_chosen_entry() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = case_in(&mut file, Status::Investigating);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    runner.run(
        &mut app,
        &mut file,
        Effect::AddNote {
            code: code.clone(),
            body: "Met the reporter on Tuesday.".into(),
        },
    );
    let id = file.case_by_code(&code).unwrap().id;
    let note = file.timeline(id).unwrap().last().unwrap().id;
    let mut keys = vec![KeyCode::Char('A'), KeyCode::Tab];
    keys.extend(typing("It was Wednesday."));
    press(&mut app, &mut file, &mut runner, &keys);
    if let Some(effect) = app.on_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)) {
        runner.run(&mut app, &mut file, effect);
    }
    let last = file.timeline(id).unwrap().last().unwrap().clone();
    assert_eq!(last.amends, Some(note), "{}", app.status);
    assert!(matches!(&last.kind, EventKind::NoteAdded { body, .. } if body == "It was Wednesday."));
    // Shown right under what it amends.
    let Screen::Case { data, .. } = &app.screen else {
        panic!("case")
    };
    let laid =
        crate::tui::view::case_rows(data, None, &Default::default(), &app.zone, app.theme, 100);
    let text: Vec<String> = laid.rows.iter().map(|r| r.to_string()).collect();
    let at = text
        .iter()
        .position(|l| l.contains("Met the reporter"))
        .unwrap();
    assert!(text[at + 1].contains("amends the entry above"), "{text:#?}");
}

#[test]
fn a_new_case_and_the_roster_changes_save_at_once() {
    let (dir, mut file, mut runner, mut app) = setup();
    let mut keys = vec![KeyCode::Char('N')];
    keys.extend(typing("Spam in the forum"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    let Screen::Case { data, .. } = &app.screen else {
        panic!("the new case opens: {}", app.status)
    };
    assert_eq!(data.case.title, "Spam in the forum");
    // Add a member with a fresh age key; the file is saved at once.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('M')]);
    let new_key = age::x25519::Identity::generate().to_public().to_string();
    let mut keys = vec![KeyCode::Char('a')];
    keys.extend(typing("Ana Newcomer"));
    keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    keys.extend(typing(&new_key));
    keys.push(KeyCode::Enter);
    press(&mut app, &mut file, &mut runner, &keys);
    // The key's fingerprint is shown before anything is changed.
    let fingerprint = vault::fingerprint(&new_key);
    assert!(
        matches!(&app.overlay, Some(Overlay::Confirm { question, .. }) if question.contains(&fingerprint)),
        "adding a member shows the fingerprint first"
    );
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    assert!(!app.dirty, "saved with the roster change: {}", app.status);
    let Screen::Roster { members, .. } = &app.screen else {
        panic!("roster")
    };
    assert!(members.iter().any(|m| m.name == "Ana Newcomer" && m.active));
    // Remove her again: a confirmation that states the limit, then the save.
    let index = members
        .iter()
        .position(|m| m.name == "Ana Newcomer")
        .unwrap();
    let mut keys = vec![KeyCode::Down; index];
    keys.push(KeyCode::Char('x'));
    press(&mut app, &mut file, &mut runner, &keys);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("removal asks first")
    };
    assert!(
        form.notes
            .iter()
            .any(|n| n.contains("future versions only"))
    );
    press(&mut app, &mut file, &mut runner, &[KeyCode::Enter]);
    let Screen::Roster { members, .. } = &app.screen else {
        panic!("roster")
    };
    assert!(
        members
            .iter()
            .any(|m| m.name == "Ana Newcomer" && !m.active)
    );
    assert!(app.status.contains("removed"), "{}", app.status);
    // The new case survived in the saved file.
    let reopened = OpenFile::open(
        &dir.path().join("c.cases.age"),
        &vault::demo_identity().unwrap(),
        vault::OpenMode::ReadOnly,
    )
    .unwrap();
    let mut reopened = reopened;
    assert!(
        reopened
            .cases()
            .unwrap()
            .values()
            .any(|c| c.title == "Spam in the forum")
    );
}

#[test]
fn exports_ask_before_writing_plaintext() {
    let (dir, mut file, mut runner, mut app) = setup();
    let code = file
        .cases()
        .unwrap()
        .values()
        .find(|c| c.decision.is_some() && c.conflicts.is_empty())
        .map(|c| c.code_name.clone())
        .unwrap();
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    let out = dir.path().join("record.md");
    let mut keys = vec![KeyCode::Char('e'), KeyCode::Tab, KeyCode::Tab];
    keys.extend(typing(&out.display().to_string()));
    keys.extend([KeyCode::Enter, KeyCode::Enter]);
    press(&mut app, &mut file, &mut runner, &keys);
    assert!(
        matches!(&app.overlay, Some(Overlay::Confirm { question, .. }) if question.contains("PLAINTEXT"))
    );
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('n')]);
    assert!(!out.exists(), "no means nothing written");
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("no goes back to the form")
    };
    assert_eq!(
        form.value("output"),
        out.display().to_string(),
        "with its values"
    );
    done(&mut app, &mut file, &mut runner);
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    assert!(out.exists(), "{}", app.status);
    assert!(dir.path().join("record.md.sig").exists());
    assert!(
        matches!(&app.overlay, Some(Overlay::Message { text, .. }) if text.contains("ssh-keygen") && text.contains("casebook -i")),
        "{}",
        app.status
    );
    // The result stays until dismissed: a key that is not Esc/Enter/q scrolls or does nothing.
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Char('x'), KeyCode::Down],
    );
    assert!(matches!(&app.overlay, Some(Overlay::Message { .. })));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Esc]);
    assert!(app.overlay.is_none());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains(&code));
}

fn lock_now(app: &mut App, file: &mut OpenFile, runner: &mut Runner, minutes: u64) {
    let limit = std::time::Duration::from_secs(minutes * 60);
    let lock = app.update(crate::tui::app::Msg::Idle { idle: limit, limit });
    runner.run(app, file, lock.expect("the idle limit locks"));
}

#[test]
fn locking_saves_seals_and_unlocking_needs_the_same_key() {
    use crate::core::event::{Event, NoteKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.cases.age");
    let (mut file, identity) = OpenFile::demo().unwrap();
    file.save_as(&path, &identity).unwrap();
    let other = dir.path().join("other");
    vault::keygen(&other, "other", None).unwrap();
    // Typing "other" on the lock screen loads another member's key.
    let reload = |typed: PassphraseSource| match typed {
        PassphraseSource::Typed(t) if t.as_str() == "other" => {
            Identity::load(&other, &PassphraseSource::Terminal)
        }
        _ => vault::demo_identity(),
    };
    let mut app = App::new(file.label(), None, Utc::now());
    let mut runner = Runner::new(identity, &reload);
    runner.run(&mut app, &mut file, Effect::Refresh);
    let me = file.me().unwrap().unwrap();
    let case = file.cases().unwrap().values().next().unwrap().clone();
    file.vault()
        .record(&[Event {
            id: uuid::Uuid::new_v4(),
            case: Some(case.id),
            author: me.id,
            at: chrono::Utc::now(),
            amends: None,
            kind: EventKind::NoteAdded {
                body: "canary-unsaved-note".into(),
                note: NoteKind::General,
            },
        }])
        .unwrap();
    app.dirty = true;
    app.update(crate::tui::action::Action::Open);
    lock_now(&mut app, &mut file, &mut runner, 5);
    assert!(file.is_screen_locked() && runner.is_screen_locked());
    assert!(app.screen_lock.is_some() && app.rows.is_empty());
    assert!(!app.dirty, "saved before locking");
    assert!(
        file.cases().unwrap().is_empty(),
        "nothing readable while locked"
    );
    assert!(
        !file
            .vault()
            .dump()
            .unwrap()
            .iter()
            .any(|row| row.contains("canary-unsaved-note")),
        "no case text in memory"
    );
    assert!(matches!(
        file.save(
            &vault::demo_identity().unwrap(),
            std::path::Path::new("exports"),
            Vec::new()
        ),
        Err(ops::Error::Vault(vault::Error::ScreenLocked { .. }))
    ));
    // Another key does not unlock it.
    let mut keys = typing("other");
    keys.push(KeyCode::Enter);
    press(&mut app, &mut file, &mut runner, &keys);
    let message = &app.screen_lock.as_ref().expect("still locked").message;
    assert!(message.contains("not the key that opened"), "{message}");
    assert!(file.is_screen_locked());
    press(&mut app, &mut file, &mut runner, &[KeyCode::Enter]);
    assert!(app.screen_lock.is_none() && !runner.is_screen_locked());
    assert!(app.overlay.is_none(), "no draft");
    assert!(!file.is_screen_locked());
    assert!(!app.rows.is_empty(), "the queues are back");
    let timeline = file.timeline(case.id).unwrap();
    assert!(timeline.iter().any(
        |e| matches!(&e.kind, EventKind::NoteAdded { body, .. } if body == "canary-unsaved-note")
    ));
    // And the save before locking reached the disk.
    let identity = vault::demo_identity().unwrap();
    let mut reopened = OpenFile::open(&path, &identity, vault::OpenMode::ReadOnly).unwrap();
    let case_again = reopened.case_by_code(&case.code_name).unwrap();
    assert!(reopened.timeline(case_again.id).unwrap().iter().any(
        |e| matches!(&e.kind, EventKind::NoteAdded { body, .. } if body == "canary-unsaved-note")
    ));
}

#[test]
fn a_refused_save_keeps_changes_and_the_draft_encrypted_in_memory() {
    // The demo cannot be saved over: the changes stay, encrypted, until unlocked.
    let (mut file, identity) = OpenFile::demo().unwrap();
    let mut app = App::new(file.label(), None, Utc::now());
    let mut runner = Runner::new(identity, &demo_key);
    runner.run(&mut app, &mut file, Effect::Refresh);
    let code = app.rows[0].code.clone();
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    runner.run(
        &mut app,
        &mut file,
        Effect::AddNote {
            code: code.clone(),
            body: "kept across the lock".into(),
        },
    );
    assert!(app.dirty);
    app.update(crate::tui::action::Action::AddNote);
    if let Some(Overlay::Note(editor)) = &mut app.overlay {
        editor.insert_str("half-written draft");
    }
    lock_now(&mut app, &mut file, &mut runner, 1);
    assert!(file.is_screen_locked() && app.dirty);
    let message = &app.screen_lock.as_ref().unwrap().message;
    assert!(message.contains("kept, encrypted, in memory"), "{message}");
    press(&mut app, &mut file, &mut runner, &[KeyCode::Enter]);
    assert!(
        matches!(&app.overlay, Some(Overlay::Note(e)) if e.lines().join("") == "half-written draft")
    );
    let case = file.case_by_code(&code).unwrap();
    assert!(file.timeline(case.id).unwrap().iter().any(
        |e| matches!(&e.kind, EventKind::NoteAdded { body, .. } if body == "kept across the lock")
    ));
}

#[test]
fn a_text_attachment_reads_in_the_pager_and_saves_only_after_asking() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, mut file, mut runner, mut app) = setup();
    app.export_dir = dir.path().join("exports");
    let cases: Vec<_> = file.cases().unwrap().values().cloned().collect();
    let code = cases
        .iter()
        .find(|c| {
            file.timeline(c.id).unwrap().iter().any(|e| {
                matches!(&e.kind, EventKind::ReportReceived { attachments, .. } if !attachments.is_empty())
            })
        })
        .map(|c| c.code_name.clone())
        .unwrap();
    runner.run(&mut app, &mut file, Effect::OpenCase(code));
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Char('t'), KeyCode::Enter],
    );
    let Some(Overlay::Pager { text, .. }) = &app.overlay else {
        panic!("the pager: {}", app.status)
    };
    assert!(!text.is_empty());
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Esc, KeyCode::Char('t'), KeyCode::Char('w')],
    );
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "{}",
        app.status
    );
    done(&mut app, &mut file, &mut runner);
    let Some(Overlay::Confirm { question, .. }) = &app.overlay else {
        panic!("asks before writing plaintext")
    };
    assert!(question.contains("PLAINTEXT"), "{question}");
    assert!(!app.export_dir.exists(), "nothing written before yes");
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    let written: Vec<_> = std::fs::read_dir(&app.export_dir).unwrap().collect();
    assert_eq!(written.len(), 1, "{}", app.status);
    let path = written[0].as_ref().unwrap().path();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&app.export_dir), 0o700);
    assert!(
        app.status.contains("saved the attachment"),
        "{}",
        app.status
    );
}

#[test]
fn quitting_the_read_only_demo_with_changes_offers_a_copy_not_a_save_that_fails() {
    let (mut file, identity) = OpenFile::demo().unwrap();
    let me = file.me().unwrap().map(|m| m.name);
    let mut app = App::new(file.label(), me, Utc::now());
    let mut runner = Runner::new(identity, &demo_key);
    runner.run(&mut app, &mut file, Effect::Refresh);
    assert!(app.read_only);
    let code = case_in(&mut file, Status::Triage);
    runner.run(&mut app, &mut file, Effect::OpenCase(code));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('n')]);
    press(&mut app, &mut file, &mut runner, &typing("a note"));
    done(&mut app, &mut file, &mut runner);
    assert!(app.dirty, "{}", app.status);
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Esc, KeyCode::Char('q')],
    );
    assert!(
        matches!(app.overlay, Some(Overlay::ConfirmQuit)),
        "{}",
        app.status
    );
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|frame| crate::tui::view::render(&app, frame))
        .unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("cannot be written"), "{screen}");
    assert!(screen.contains("save them as a new file"), "{screen}");
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('s')]);
    assert!(matches!(app.overlay, Some(Overlay::SaveAs { .. })));
    assert!(!app.quit);
}

#[test]
fn a_sanction_its_checklist_and_an_appeal_are_recorded_through_their_forms() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = file
        .cases()
        .unwrap()
        .values()
        .find(|c| c.status == Status::Decided && c.conflicts.is_empty() && c.sanctions.is_empty())
        .map(|c| c.code_name.clone())
        .unwrap();
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    // b: the kind (t: temporary-ban), the person, the spaces, the first day as offered, the
    // last day, the conditions.
    let mut keys = vec![KeyCode::Char('b'), KeyCode::Char('t'), KeyCode::Tab];
    keys.extend(typing("@ravi"));
    keys.push(KeyCode::Tab);
    keys.extend(typing("chat, events"));
    keys.extend([KeyCode::Tab, KeyCode::Tab]);
    keys.extend(typing("2099-06-30"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    let case = file.case_by_code(&code).unwrap();
    let sanction = case
        .sanctions
        .first()
        .unwrap_or_else(|| panic!("{}", app.status));
    assert_eq!(sanction.kind, "temporary-ban");
    assert_eq!(sanction.spaces, ["chat", "events"]);
    assert_eq!(
        sanction.ends.map(|d| d.to_string()).as_deref(),
        Some("2099-06-30")
    );
    // I: everyone still to tell.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('I')]);
    done(&mut app, &mut file, &mut runner);
    let case = file.case_by_code(&code).unwrap();
    assert!(case.sanctions[0].to_tell().is_empty(), "{}", app.status);
    // Nobody is left to tell: said before any form opens.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('I')]);
    assert!(app.overlay.is_none());
    assert!(
        app.status.contains("nobody is left to tell"),
        "{}",
        app.status
    );
    // B: extend it (e), to a new last day, with a note.
    let mut keys = vec![
        KeyCode::Char('B'),
        KeyCode::Tab,
        KeyCode::Char('e'),
        KeyCode::Tab,
    ];
    keys.extend(typing("2099-12-31"));
    keys.push(KeyCode::Tab);
    keys.extend(typing("A second incident"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    let case = file.case_by_code(&code).unwrap();
    assert_eq!(
        case.sanctions[0].ends.map(|d| d.to_string()).as_deref(),
        Some("2099-12-31"),
        "{}",
        app.status
    );
    assert_eq!(
        case.sanctions[0].to_tell(),
        ["chat", "events", "reported person"]
    );
    // Past the committee's window the form is not offered, and says why.
    let window = |file: &mut OpenFile, days| {
        crate::ops::cases::change_settings(
            file,
            crate::ops::cases::SettingsChange {
                appeal_days: Some(days),
                ..Default::default()
            },
        )
        .unwrap();
    };
    window(&mut file, 0);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('P')]);
    assert!(app.overlay.is_none());
    assert!(
        app.status.contains("the appeal window closed on"),
        "{}",
        app.status
    );
    window(&mut file, 36_500);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    // P: the grounds (d: disproportionate) and what the appellant says.
    let mut keys = vec![KeyCode::Char('P'), KeyCode::Char('d'), KeyCode::Tab];
    keys.extend(typing("Too harsh for a first report"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    let case = file.case_by_code(&code).unwrap();
    let appeal = case
        .appeal
        .as_ref()
        .unwrap_or_else(|| panic!("{}", app.status));
    assert_eq!(
        appeal.grounds,
        crate::core::sanction::Ground::Disproportionate
    );
    assert_eq!(case.status, Status::Reopened);
    // A second appeal: said before any form opens.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('P')]);
    assert!(app.overlay.is_none());
}

#[test]
fn an_expunge_is_proposed_through_its_form_and_waits_for_a_second_member() {
    let (_dir, mut file, mut runner, mut app) = setup();
    // A case the committee is done with: closed, nothing in force, no decision to appeal.
    let code = file
        .cases()
        .unwrap()
        .values()
        .find(|c| {
            let long_ago = chrono::Utc::now() - chrono::Duration::days(60);
            c.status.is_finished()
                && c.decision.as_ref().is_none_or(|d| d.at < long_ago)
                && c.appeal.is_none()
                && c.sealed.is_none()
                && c.sanctions.is_empty()
                && c.conflicts.is_empty()
        })
        .map(|c| c.code_name.clone())
        .unwrap();
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    // E: the form says what goes and what stays before anything is chosen.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('E')]);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| crate::tui::view::render(&app, frame))
        .unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("Propose to expunge"), "{screen}");
    assert!(screen.contains("retained record"), "{screen}");
    // q: request, and the note.
    let mut keys = vec![KeyCode::Char('q'), KeyCode::Tab];
    keys.extend(typing("The reporter asked for erasure"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    let case = file.case_by_code(&code).unwrap();
    assert!(
        case.pending
            .iter()
            .any(|p| matches!(p.kind, crate::core::event::EventKind::CaseExpunged { .. })),
        "{}",
        app.status
    );
    assert!(case.expunged.is_none());
    // The proposer cannot approve it: said before any form opens.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('E')]);
    assert!(app.overlay.is_none());
    assert!(
        app.status.contains("a second member approves it"),
        "{}",
        app.status
    );
}

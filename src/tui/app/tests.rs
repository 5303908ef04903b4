//! The model's state machine as key and action sequences.

use super::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn row(code: &str) -> Row {
    Row {
        code: code.into(),
        title: Some("t".into()),
        sealed: false,
        status: Status::New,
        severity: None,
        age_days: 1,
        assignees: String::new(),
        due: None,
    }
}

#[test]
fn navigation_stays_within_the_list_and_queues_wrap() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.loaded(app.queues.clone(), vec![row("a"), row("b"), row("c")]);
    app.on_key(key(KeyCode::Char('j')));
    app.on_key(key(KeyCode::Down));
    app.on_key(key(KeyCode::Down));
    assert_eq!(app.selected, 2);
    app.on_key(key(KeyCode::Char('g')));
    assert_eq!(app.selected, 0);
    assert_eq!(
        app.on_key(key(KeyCode::Enter)),
        Some(Effect::OpenCase("a".into()))
    );
    assert_eq!(app.on_key(key(KeyCode::Tab)), Some(Effect::Refresh));
    assert_eq!(
        app.current_queue(),
        Queue::NeedsAcknowledgement,
        "from `all`, Tab wraps to the first"
    );
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.changed("note added".into());
    app.on_key(key(KeyCode::Char('q')));
    assert!(!app.quit && matches!(app.overlay, Some(Overlay::ConfirmQuit)));
    app.on_key(key(KeyCode::Char('c')));
    assert!(!app.quit && app.overlay.is_none());
    app.on_key(key(KeyCode::Char('q')));
    assert_eq!(
        app.on_key(key(KeyCode::Char('s'))),
        Some(Effect::SaveAndQuit)
    );
    app.on_key(key(KeyCode::Char('q')));
    app.on_key(key(KeyCode::Char('d')));
    assert!(app.quit, "discard quits");
}

#[test]
fn search_updates_as_you_type_and_enter_opens_the_hit() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.on_key(key(KeyCode::Char('/')));
    assert_eq!(
        app.on_key(key(KeyCode::Char('v'))),
        Some(Effect::Search("v".into()))
    );
    assert_eq!(
        app.on_key(key(KeyCode::Char('i'))),
        Some(Effect::Search("vi".into()))
    );
    app.found(
        "v",
        vec![Hit {
            code: "stale".into(),
            snippet: String::new(),
            event: None,
        }],
    );
    app.found(
        "vi",
        vec![
            Hit {
                code: "amber-kettle".into(),
                snippet: "\u{1}vi\u{2}deo".into(),
                event: None,
            },
            Hit {
                code: "quiet-heron".into(),
                snippet: String::new(),
                event: Some(uuid::Uuid::from_u128(7)),
            },
        ],
    );
    app.on_key(key(KeyCode::Down));
    assert_eq!(
        app.on_key(key(KeyCode::Enter)),
        Some(Effect::OpenCaseAt(
            "quiet-heron".into(),
            uuid::Uuid::from_u128(7)
        ))
    );
}

#[test]
fn only_allowed_status_moves_are_offered_and_decided_never() {
    use crate::core::case::{CaseId, Channel};
    use crate::core::event::EventKind;
    let id = CaseId(uuid::Uuid::from_u128(1));
    let opened = Event {
        id: uuid::Uuid::from_u128(2),
        case: Some(id),
        author: MemberId(uuid::Uuid::from_u128(3)),
        at: chrono::Utc::now(),
        amends: None,
        kind: EventKind::CaseOpened {
            code_name: "amber-kettle".into(),
            title: "t".into(),
            summary: String::new(),
            channel: Channel::Email,
            received_at: chrono::Utc::now(),
        },
    };
    let mut case = Case::opened(id, &opened).unwrap();
    case.status = Status::Deliberating;
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.case_loaded(
        case_data(case, vec![opened], &Roster::default(), &Settings::default()),
        false,
    );
    app.on_key(key(KeyCode::Char('s')));
    let Some(Overlay::Status { options, .. }) = &app.overlay else {
        panic!("no status chooser")
    };
    assert_eq!(
        options,
        &[Status::Investigating],
        "deliberating -> investigating only; decided comes from a decision"
    );
    assert_eq!(
        app.on_key(key(KeyCode::Enter)),
        Some(Effect::ChangeStatus {
            code: "amber-kettle".into(),
            to: Status::Investigating
        })
    );
}

#[test]
fn the_help_runs_the_chosen_action_where_it_applies() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.loaded(app.queues.clone(), vec![row("a"), row("b")]);
    app.on_key(key(KeyCode::Char('?')));
    let entries = keymap::help_entries(&app.bindings);
    let at = |action: Action| entries.iter().position(|e| e.action == action).unwrap();
    // A case action is listed but does not run on the queue screen.
    for _ in 0..at(Action::AddNote) {
        app.on_key(key(KeyCode::Down));
    }
    assert_eq!(app.on_key(key(KeyCode::Enter)), None);
    assert!(app.status.contains("case screen"), "{}", app.status);
    // Sorting does.
    app.on_key(key(KeyCode::Char('?')));
    for _ in 0..at(Action::Sort) {
        app.on_key(key(KeyCode::Down));
    }
    assert_eq!(app.on_key(key(KeyCode::Enter)), Some(Effect::Refresh));
    assert_eq!(app.sort, Sort::Newest);
}

#[test]
fn a_hidden_case_does_not_open() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    let mut hidden = row("secret-case");
    hidden.title = None;
    app.loaded(app.queues.clone(), vec![hidden]);
    assert_eq!(app.on_key(key(KeyCode::Enter)), None);
    assert!(app.status.contains("hard conflict"), "{}", app.status);
}

/// The interface on a demo case picked by `pick`, as the demo's chair (Robin Okafor).
fn on_demo_case(pick: impl Fn(&Case) -> bool) -> (App, CaseData) {
    let (mut file, _) = crate::ops::OpenFile::demo().unwrap();
    let roster = file.roster().unwrap();
    let me = file.me().unwrap().unwrap();
    let case = file
        .cases()
        .unwrap()
        .values()
        .find(|c| pick(c))
        .cloned()
        .expect("a demo case like that");
    let timeline = file.timeline(case.id).unwrap();
    let mut data = case_data(case, timeline, &roster, &file.settings());
    data.me = Some((me.id, me.role));
    let mut app = App::new("f".into(), Some(me.name.clone()), chrono::Utc::now());
    app.role = Some(me.role);
    app.case_loaded(data.clone(), false);
    (app, data)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
}

#[test]
fn a_final_status_is_confirmed_and_no_keeps_the_chooser() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Triage);
    app.on_key(key(KeyCode::Char('s')));
    let Some(Overlay::Status { options, .. }) = &app.overlay else {
        panic!("chooser")
    };
    let final_at = options
        .iter()
        .position(|s| s.is_finished())
        .expect("a final one");
    for _ in 0..final_at {
        app.on_key(key(KeyCode::Down));
    }
    assert_eq!(app.on_key(key(KeyCode::Enter)), None, "nothing happens yet");
    assert!(
        matches!(&app.overlay, Some(Overlay::Confirm { question, .. }) if question.contains("final status"))
    );
    app.on_key(key(KeyCode::Char('n')));
    assert!(
        matches!(app.overlay, Some(Overlay::Status { .. })),
        "no: back to the chooser"
    );
    app.on_key(key(KeyCode::Enter));
    assert!(matches!(
        app.on_key(key(KeyCode::Char('y'))),
        Some(Effect::ChangeStatus { to, .. }) if to.is_finished()
    ));
    assert!(app.overlay.is_none(), "the chooser closes");
}

#[test]
fn a_hard_conflict_is_confirmed_and_h_chooses_hard() {
    let (mut app, _) =
        on_demo_case(|c| c.status == Status::Investigating && c.conflicts.is_empty());
    app.on_key(key(KeyCode::Char('c')));
    app.on_key(key(KeyCode::Char('h')));
    app.on_key(key(KeyCode::Enter));
    type_text(&mut app, "my sibling");
    assert_eq!(app.on_key(key(KeyCode::Enter)), None, "asks first");
    let Some(Overlay::Confirm {
        question, effect, ..
    }) = &app.overlay
    else {
        panic!("a hard conflict asks first")
    };
    assert!(question.contains("HARD conflict"), "{question}");
    assert!(matches!(
        effect,
        Effect::Submit(Request::Change {
            change: crate::ops::cases::CaseChange::Conflict {
                kind: ConflictKind::Hard,
                ..
            },
            ..
        })
    ));
    app.on_key(key(KeyCode::Char('n')));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("no: back to the form")
    };
    assert_eq!(form.value("reason"), "my sibling");
}

#[test]
fn a_decision_is_confirmed() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Deliberating && c.decision.is_none());
    app.on_key(key(KeyCode::Char('d')));
    app.on_key(key(KeyCode::Tab));
    type_text(&mut app, "Because.");
    assert_eq!(app.on_key(ctrl('d')), None);
    assert!(
        matches!(&app.overlay, Some(Overlay::Confirm { question, .. }) if question.contains("Record the decision"))
    );
    assert!(matches!(
        app.on_key(key(KeyCode::Char('y'))),
        Some(Effect::Submit(_))
    ));
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "kept until it worked"
    );
}

#[test]
fn forms_that_cannot_succeed_do_not_open_and_say_why() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Triage);
    app.on_key(key(KeyCode::Char('v')));
    assert!(app.overlay.is_none());
    assert!(
        app.status.contains("only while deliberating"),
        "{}",
        app.status
    );
    let (mut app, _) = on_demo_case(|c| c.decision.is_some() && c.status == Status::Decided);
    app.on_key(key(KeyCode::Char('d')));
    assert!(app.overlay.is_none());
    assert!(app.status.contains("already decided"), "{}", app.status);
    // Export: only decided, and only saved.
    app.dirty = true;
    app.on_key(key(KeyCode::Char('e')));
    assert!(app.overlay.is_none());
    assert!(app.status.contains("save first"), "{}", app.status);
    app.dirty = false;
    app.on_key(key(KeyCode::Char('e')));
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    let (mut app, _) = on_demo_case(|c| c.decision.is_none() && c.status == Status::Triage);
    app.on_key(key(KeyCode::Char('e')));
    assert!(app.status.contains("record the decision"), "{}", app.status);
    // Reviewing: nothing to review.
    let (mut app, _) = on_demo_case(|c| c.unreviewed_emergencies().next().is_none());
    app.on_key(key(KeyCode::Char('r')));
    assert!(app.overlay.is_none());
    assert!(app.status.contains("no emergency action"), "{}", app.status);
    // The key hints leave out what is not possible; the help lists it dimmed with why.
    assert!(app.unavailable(Action::ReviewEmergency).is_some());
}

#[test]
fn esc_and_ctrl_c_ask_before_dropping_a_draft() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Investigating);
    app.on_key(key(KeyCode::Char('n')));
    type_text(&mut app, "half a thought");
    app.on_key(key(KeyCode::Esc));
    assert!(
        matches!(app.overlay, Some(Overlay::Discard { .. })),
        "Esc asks"
    );
    app.on_key(key(KeyCode::Char('x')));
    assert!(
        matches!(&app.overlay, Some(Overlay::Note(e)) if e.lines().join("") == "half a thought"),
        "any other key goes back to it"
    );
    app.on_key(ctrl('c'));
    assert!(!app.quit, "Ctrl-C asks first");
    assert!(matches!(app.overlay, Some(Overlay::Discard { .. })));
    app.on_key(key(KeyCode::Esc));
    assert!(matches!(app.overlay, Some(Overlay::Note(_))), "kept");
    app.on_key(ctrl('c'));
    app.on_key(key(KeyCode::Char('y')));
    assert!(
        !app.quit && app.overlay.is_none(),
        "yes drops the note only: the interface stays"
    );
    assert!(matches!(app.screen, Screen::Case { .. }));
    // A form with text typed asks too; an empty one just closes.
    let (mut app, _) = on_demo_case(|c| c.status == Status::Investigating);
    app.on_key(key(KeyCode::Char('m')));
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlay.is_none(), "nothing typed: closes");
    app.on_key(key(KeyCode::Char('m')));
    app.on_key(key(KeyCode::Tab));
    type_text(&mut app, "called them");
    app.on_key(key(KeyCode::Esc));
    assert!(matches!(app.overlay, Some(Overlay::Discard { .. })));
}

#[test]
fn a_paste_is_text_never_commands() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Investigating);
    // On the case screen, a paste starts a note; its `s` and line breaks are text.
    assert_eq!(
        app.update(Msg::Paste("first s line\nsecond\n\nq third".into())),
        None
    );
    let Some(Overlay::Note(editor)) = &app.overlay else {
        panic!("a note")
    };
    assert_eq!(editor.lines().join("\n"), "first s line\nsecond\n\nq third");
    assert!(!app.quit && matches!(app.screen, Screen::Case { .. }));
    // Into a message's one-line field: every line kept, as spaces.
    app.overlay = None;
    app.on_key(key(KeyCode::Char('m')));
    app.on_key(key(KeyCode::Tab));
    app.update(Msg::Paste("told them s\nand more\n".into()));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("form")
    };
    assert_eq!(form.value("summary"), "told them s and more");
}

#[test]
fn q_on_a_case_goes_back_and_the_roster_returns_to_the_case() {
    let (mut app, data) = on_demo_case(|c| c.status == Status::Investigating);
    assert_eq!(
        app.on_key(key(KeyCode::Char('M'))),
        Some(Effect::ShowRoster)
    );
    app.update(Outcome::Roster {
        members: Vec::new(),
        attention: Vec::new(),
    });
    assert_eq!(
        app.on_key(key(KeyCode::Esc)),
        Some(Effect::OpenCase(data.case.code_name.clone()))
    );
    app.case_loaded(data, false);
    assert_eq!(app.on_key(key(KeyCode::Char('q'))), Some(Effect::Refresh));
    assert!(!app.quit && matches!(app.screen, Screen::Queues));
}

#[test]
fn the_idle_lock_keeps_an_open_decision_form_and_puts_it_back_on_its_case() {
    let (mut app, data) =
        on_demo_case(|c| c.status == Status::Deliberating && c.decision.is_none());
    let code = data.case.code_name.clone();
    app.on_key(key(KeyCode::Char('d')));
    app.on_key(key(KeyCode::Tab));
    type_text(&mut app, "A long rationale");
    let limit = std::time::Duration::from_secs(15);
    let Some(Effect::LockScreen { idle_secs, draft }) =
        app.update(Msg::Idle { idle: limit, limit })
    else {
        panic!("locks")
    };
    assert_eq!(idle_secs, Some(15));
    let draft = draft.expect("the form is kept");
    app.update(Outcome::ScreenLocked {
        idle_secs,
        saved: None,
        locked: Ok(()),
    });
    let message = &app.screen_lock.as_ref().unwrap().message;
    assert!(message.contains("15 seconds"), "{message}");
    assert!(
        app.overlay.is_none() && matches!(app.screen, Screen::Queues),
        "nothing shown"
    );
    // Unlocked: the case loads, and the form comes back on it with what was typed.
    assert_eq!(
        app.update(Outcome::ScreenUnlocked {
            draft: Some(draft.to_string())
        }),
        Some(Effect::OpenCase(code.clone()))
    );
    app.update(Outcome::Case {
        data: Box::new(data),
        shown: Shown::Fresh,
    });
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the decision form is back")
    };
    assert!(matches!(form.purpose, Purpose::Decide(ref c) if *c == code));
    assert_eq!(form.value("rationale"), "A long rationale");
    assert_eq!(form.focus, 1);
}

#[test]
fn the_palette_finds_actions_fuzzily_and_runs_them() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Investigating);
    app.on_key(ctrl('p'));
    assert!(matches!(app.overlay, Some(Overlay::Palette { .. })));
    type_text(&mut app, "wrnote");
    let entries = app.palette("wrnote");
    assert_eq!(
        entries.first().map(|e| e.action),
        Some(Action::AddNote),
        "{entries:?}"
    );
    app.on_key(key(KeyCode::Enter));
    assert!(matches!(app.overlay, Some(Overlay::Note(_))), "it ran");
    // What cannot run now is listed last, with why, and does not run.
    app.overlay = None;
    let entries = app.palette("vote");
    let vote = entries.iter().find(|e| e.action == Action::Vote).unwrap();
    assert!(vote.unavailable.is_some());
    assert!(fuzzy_score("xyz", "add a note").is_none());
}

#[test]
fn the_palette_ranks_by_name_and_lists_no_cursor_moves() {
    let (app, _) = on_demo_case(|c| c.status == Status::Deliberating && c.decision.is_none());
    let first = |query: &str| app.palette(query).first().map(|e| e.action);
    assert_eq!(first("vote"), Some(Action::Vote));
    assert_eq!(first("lock"), Some(Action::LockScreen));
    assert_eq!(first("dec"), Some(Action::Decide));
    assert_eq!(first("exp"), Some(Action::Export));
    assert_eq!(first("note"), Some(Action::AddNote));
    for query in ["", "previous", "entry", "down", "page"] {
        let entries = app.palette(query);
        assert!(
            !entries.iter().any(|e| matches!(
                e.action,
                Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::Top
                    | Action::Bottom
                    | Action::NextEntry
                    | Action::PreviousEntry
            )),
            "{query:?}: {entries:?}"
        );
    }
}

#[test]
fn colon_jumps_to_a_case_by_code_name_with_fuzzy_completion() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.codes = [
        "cedar-falcon",
        "cobalt-meadow",
        "amber-kettle",
        "frosty-kettle",
    ]
    .map(String::from)
    .to_vec();
    app.on_key(key(KeyCode::Char(':')));
    assert!(matches!(app.overlay, Some(Overlay::Jump { .. })));
    type_text(&mut app, "ket");
    assert_eq!(app.jump_matches("ket"), ["amber-kettle", "frosty-kettle"]);
    assert_eq!(app.jump_matches("cdfl"), ["cedar-falcon"], "fuzzy");
    assert_eq!(
        app.jump_matches("c")[..2],
        ["cedar-falcon", "cobalt-meadow"]
    );
    app.on_key(key(KeyCode::Down));
    app.on_key(key(KeyCode::Tab));
    let Some(Overlay::Jump { query, .. }) = &app.overlay else {
        panic!("still jumping")
    };
    assert_eq!(
        query.text(),
        "frosty-kettle",
        "Tab completes the chosen one"
    );
    assert_eq!(
        app.on_key(key(KeyCode::Enter)),
        Some(Effect::OpenCase("frosty-kettle".into()))
    );
    // Nothing matches: it says so and stays.
    app.overlay = None;
    app.on_key(key(KeyCode::Char(':')));
    type_text(&mut app, "zzz");
    assert_eq!(app.on_key(key(KeyCode::Enter)), None);
    assert!(app.status.contains("no case matches"), "{}", app.status);
}

#[test]
fn a_refused_save_as_keeps_the_name() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.on_key(key(KeyCode::Char('S')));
    type_text(&mut app, "/nowhere/x.cases.age");
    assert!(matches!(
        app.on_key(key(KeyCode::Enter)),
        Some(Effect::SaveAs(_))
    ));
    app.update(Outcome::Failed("cannot write /nowhere".into()));
    let Some(Overlay::SaveAs { path, error }) = &app.overlay else {
        panic!("kept open")
    };
    assert_eq!(path.text(), "/nowhere/x.cases.age");
    assert!(error.is_some());
}

#[test]
fn status_messages_clear_after_a_while() {
    let now = chrono::Utc::now();
    let mut app = App::new("f".into(), None, now);
    app.status = "saved".into();
    app.update(Msg::Tick(now));
    app.update(Msg::Tick(now + chrono::Duration::seconds(5)));
    assert_eq!(app.status, "saved");
    app.update(Msg::Tick(now + STATUS_LIFE + chrono::Duration::seconds(1)));
    assert_eq!(app.status, "", "the hints have the bar again");
}

#[test]
fn the_urgency_order_puts_a_pending_emergency_on_a_high_safety_risk_case_first() {
    let (mut file, _) = crate::ops::OpenFile::demo().unwrap();
    let roster = file.roster().unwrap();
    let me = file.me().unwrap().map(|m| m.id);
    let settings = file.settings();
    let view = View {
        me,
        roster: &roster,
        settings: &settings,
        now: chrono::Utc::now(),
    };
    let cases = file.cases().unwrap();
    let (_, rows) = snapshot(
        cases.values(),
        &view,
        Queue::All,
        &Filter::default(),
        Sort::Urgency,
    );
    let first = &cases
        .values()
        .find(|c| c.code_name == rows[0].code)
        .unwrap();
    assert!(
        first.unreviewed_emergencies().next().is_some(),
        "first: {}",
        rows[0].code
    );
}

#[test]
fn the_changed_on_disk_dialog_offers_saving_apart() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.disk_changed = true;
    assert_eq!(app.on_key(ctrl('s')), None);
    assert!(matches!(app.overlay, Some(Overlay::ChangedOnDisk)));
    app.on_key(key(KeyCode::Char('s')));
    assert!(matches!(app.overlay, Some(Overlay::SaveAs { .. })));
}

#[test]
fn a_draft_is_kept_per_case_and_comes_back_with_the_same_form_there() {
    let (mut app, data) = on_demo_case(|c| c.status == Status::Triage);
    // A message half written, then Esc: k keeps it aside instead of dropping it.
    app.on_key(key(KeyCode::Char('m')));
    app.on_key(key(KeyCode::Tab));
    type_text(&mut app, "told the reporter");
    app.on_key(key(KeyCode::Esc));
    assert!(matches!(app.overlay, Some(Overlay::Discard { .. })));
    app.on_key(key(KeyCode::Char('k')));
    assert!(app.overlay.is_none(), "{}", app.status);
    assert_eq!(app.kept.len(), 1);
    // A note on the same case starts empty: only the message form brings its draft back.
    app.on_key(key(KeyCode::Char('n')));
    let Some(Overlay::Note(editor)) = &app.overlay else {
        panic!("a note")
    };
    assert!(editor.is_empty());
    app.on_key(key(KeyCode::Esc));
    app.on_key(key(KeyCode::Char('m')));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the message form")
    };
    assert_eq!(form.value("summary"), "told the reporter");
    assert_eq!(app.status, "your draft is back");
    assert!(app.kept.is_empty());
    // Kept again, then quitting asks (nothing else is unsaved), and the lock seals it.
    app.on_key(key(KeyCode::Esc));
    app.on_key(key(KeyCode::Char('k')));
    app.on_key(key(KeyCode::Esc));
    app.on_key(key(KeyCode::Char('q')));
    assert!(!app.quit && matches!(app.overlay, Some(Overlay::ConfirmQuit)));
    app.overlay = None;
    let limit = std::time::Duration::from_secs(15);
    let Some(Effect::LockScreen { draft, .. }) = app.update(Msg::Idle { idle: limit, limit })
    else {
        panic!("locks")
    };
    let sealed = draft.expect("the kept draft is encrypted with the file");
    app.update(Outcome::ScreenLocked {
        idle_secs: Some(15),
        saved: None,
        locked: Ok(()),
    });
    assert!(
        app.kept.is_empty(),
        "nothing typed stays in the clear while locked"
    );
    app.update(Outcome::ScreenUnlocked {
        draft: Some(sealed.to_string()),
    });
    assert_eq!(app.kept.len(), 1);
    app.case_loaded(data, false);
    app.on_key(key(KeyCode::Char('m')));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the message form")
    };
    assert_eq!(form.value("summary"), "told the reporter");
}

#[test]
fn changed_on_disk_offers_merge_and_save_as() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.disk_changed = true;
    app.on_key(ctrl('s'));
    assert!(matches!(app.overlay, Some(Overlay::ChangedOnDisk)));
    // m merges: the save merges the copy on disk before writing.
    assert_eq!(app.on_key(key(KeyCode::Char('m'))), Some(Effect::Save));
    app.on_key(ctrl('s'));
    app.on_key(key(KeyCode::Char('s')));
    assert!(matches!(app.overlay, Some(Overlay::SaveAs { .. })));
    app.overlay = None;
    app.on_key(ctrl('s'));
    app.on_key(key(KeyCode::Char('x')));
    assert!(app.overlay.is_none() && app.status.contains("still in memory"));
}

#[test]
fn resolving_needs_something_to_resolve_and_roster_changes_a_chair() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Triage);
    app.on_key(key(KeyCode::Char('z')));
    assert!(app.overlay.is_none());
    assert!(
        app.status.contains("nothing on it needs attention"),
        "{}",
        app.status
    );
    // Record text is for decided cases.
    app.on_key(key(KeyCode::Char('T')));
    assert!(app.overlay.is_none() && app.status.contains("record the decision"));
    // On the committee screen, only a chair resolves roster changes.
    use crate::core::attention::{Attention, Trouble};
    let item = Attention {
        event: uuid::Uuid::from_u128(7),
        by: MemberId(uuid::Uuid::from_u128(8)),
        at: chrono::Utc::now(),
        what: Trouble::RosterChange { why: "x".into() },
    };
    app.update(Outcome::Roster {
        members: Vec::new(),
        attention: vec![(item, "Sam".into())],
    });
    app.role = Some(Role::Member);
    app.on_key(key(KeyCode::Char('z')));
    assert!(app.overlay.is_none() && app.status.contains("only a chair"));
    app.role = Some(Role::Chair);
    app.on_key(key(KeyCode::Char('z')));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the resolve form")
    };
    assert!(matches!(&form.purpose, Purpose::Resolve { code: None, items } if items.len() == 1));
}

/// `data`'s case sealed from the member who opened the file (the demo's chair), as their
/// copy holds it; with a hard conflict of theirs when `conflicted`.
fn sealed_from_me(mut data: CaseData, conflicted: bool) -> CaseData {
    use crate::core::case::{Conflict, Sealing};
    use crate::core::event::ExcludeWhy;
    let (me, _) = data.me.unwrap();
    data.case.sealed = Some(Sealing {
        since: chrono::Utc::now(),
        changed_at: chrono::Utc::now(),
        key_by: me,
        readers: data
            .members
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| *id != me)
            .collect(),
        excluded: [(me, Some(ExcludeWhy::Conflict))].into_iter().collect(),
        recipient: "age1example".into(),
        key_exact: true,
    });
    if conflicted {
        data.case.conflicts.insert(
            me,
            Conflict {
                kind: ConflictKind::Hard,
                reason: None,
            },
        );
    }
    data.case = data.case.sealed_summary();
    data
}

#[test]
fn a_sealed_row_opens_and_a_hidden_one_does_not() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    let mut sealed = row("sealed-case");
    sealed.title = None;
    sealed.sealed = true;
    app.loaded(app.queues.clone(), vec![sealed]);
    assert_eq!(
        app.on_key(key(KeyCode::Enter)),
        Some(Effect::OpenCase("sealed-case".into()))
    );
}

#[test]
fn on_a_case_sealed_from_me_only_my_own_conflict_can_be_withdrawn() {
    let (mut app, data) = on_demo_case(|c| c.status == Status::Investigating);
    app.case_loaded(sealed_from_me(data.clone(), false), false);
    for c in ['n', 's', 'a', 'c', 'p', '!', 'm', 'A', 'T'] {
        assert_eq!(app.on_key(key(KeyCode::Char(c))), None);
        assert!(app.overlay.is_none(), "{c} opened something");
        assert!(
            app.status.contains("sealed from you"),
            "{c}: {}",
            app.status
        );
    }
    app.case_loaded(sealed_from_me(data, true), false);
    app.on_key(key(KeyCode::Char('c')));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the withdrawal form: {}", app.status)
    };
    assert!(form.title.starts_with("Withdraw"), "{}", form.title);
    type_text(&mut app, "resolved");
    let Some(Effect::Submit(Request::Change { change, .. })) = app.on_key(ctrl('d')) else {
        panic!("a change")
    };
    assert_eq!(
        change,
        crate::ops::cases::CaseChange::WithdrawConflict {
            reason: Some("resolved".into())
        }
    );
}

#[test]
fn a_letter_chooses_the_same_audience_in_every_form() {
    let (mut app, _) = on_demo_case(|c| c.decision.is_some() && c.sealed.is_none());
    // T (record text), e (export), m (message sent) and p (party): r is always the reporter,
    // d always the reported person, whatever the form lists first.
    for (open, field) in [
        ('T', "profile"),
        ('e', "profile"),
        ('m', "to"),
        ('p', "role"),
    ] {
        for (letter, words) in [('r', "reporter"), ('d', "reported")] {
            app.overlay = None;
            app.on_key(key(KeyCode::Char(open)));
            let Some(Overlay::Form(form)) = &mut app.overlay else {
                panic!("{open} opens a form")
            };
            form.focus = form.fields.iter().position(|f| f.key == field).unwrap();
            app.on_key(key(KeyCode::Char(letter)));
            let Some(Overlay::Form(form)) = &app.overlay else {
                panic!("still the form")
            };
            assert_eq!(form.value(field), words, "{open} then {letter}");
        }
    }
}

#[test]
fn exporting_for_an_audience_without_its_own_text_says_so_first() {
    let (mut app, data) = on_demo_case(|c| c.decision.is_some() && c.sealed.is_none());
    assert!(
        crate::core::process::record_text(
            &data.case,
            &data.timeline,
            crate::export::Profile::Reported
        )
        .is_none()
    );
    app.on_key(key(KeyCode::Char('e')));
    app.on_key(key(KeyCode::Char('d')));
    assert_eq!(app.on_key(ctrl('d')), None, "asks first");
    let Some(Overlay::Confirm { question, .. }) = &app.overlay else {
        panic!("a question")
    };
    assert!(
        question.contains("No member wrote the text of the reported record"),
        "{question}"
    );
    // The committee's own record needs no such text.
    app.overlay = None;
    app.on_key(key(KeyCode::Char('e')));
    app.on_key(key(KeyCode::Char('i')));
    app.on_key(ctrl('d'));
    let Some(Overlay::Confirm { question, .. }) = &app.overlay else {
        panic!("the plaintext question")
    };
    assert!(!question.contains("No member wrote"), "{question}");
}

#[test]
fn ctrl_j_is_a_new_line_and_ctrl_z_undoes_a_deletion() {
    let (mut app, _) = on_demo_case(|c| c.status == Status::Investigating);
    app.on_key(key(KeyCode::Char('n')));
    type_text(&mut app, "first line");
    app.on_key(ctrl('j'));
    type_text(&mut app, "second line");
    app.on_key(ctrl('j'));
    type_text(&mut app, "third");
    let Some(Overlay::Note(editor)) = &app.overlay else {
        panic!("the note")
    };
    assert_eq!(editor.lines(), ["first line", "second line", "third"]);
    app.on_key(ctrl('w'));
    app.on_key(ctrl('z'));
    let Some(Overlay::Note(editor)) = &app.overlay else {
        panic!("the note")
    };
    assert_eq!(editor.lines(), ["first line", "second line", "third"]);
    // A one-line field: Ctrl-U empties it, Ctrl-Z brings the text back.
    app.overlay = None;
    app.on_key(key(KeyCode::Char('m')));
    app.on_key(key(KeyCode::Tab));
    type_text(&mut app, "called them");
    app.on_key(ctrl('u'));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the form")
    };
    assert_eq!(form.value("summary"), "");
    app.on_key(ctrl('z'));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the form")
    };
    assert_eq!(form.value("summary"), "called them");
}

#[test]
fn dropping_the_only_unsaved_change_clears_the_unsaved_mark() {
    let mut app = App::new("f".into(), None, chrono::Utc::now());
    app.changed("note added".into());
    assert!(app.dirty);
    app.update(Outcome::Dropped {
        dropped: vec!["amber-kettle: note added".into()],
        left: Vec::new(),
        case_gone: false,
    });
    assert!(!app.dirty, "nothing is left to save");
}

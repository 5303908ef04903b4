//! The model's state machine as key and action sequences.

use super::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn row(code: &str) -> Row {
    Row {
        code: code.into(),
        title: Some("t".into()),
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
        Queue::NeedsAttention,
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

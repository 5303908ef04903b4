//! Sealed cases through the interface, on the demo file in a temporary directory: what a
//! member the case is sealed from can open (and withdraw), sealing and giving access from the
//! case screen, a party who looks like a member, details held by one member.

use crossterm::event::KeyCode;

use super::tests::{done, press, setup, typing};
use super::*;
use crate::core::case::Status;
use crate::core::event::ExcludeWhy;
use crate::tui::app::{Overlay, Screen};

/// Sam Lindqvist's demo key.
fn sam_key(_: PassphraseSource) -> std::result::Result<Identity, vault::Error> {
    Identity::from_bytes(
        include_bytes!("../../../assets/demo/members/sam"),
        std::path::Path::new("sam"),
        &PassphraseSource::Terminal,
    )
}

/// The file at `path` opened by Sam, and the interface on it.
fn as_sam(path: &std::path::Path) -> (OpenFile, Runner<'static>, App) {
    let identity = sam_key(PassphraseSource::Terminal).unwrap();
    let mut file = OpenFile::open(path, &identity, vault::OpenMode::ReadWrite).unwrap();
    let me = file.me().unwrap().map(|m| m.name);
    assert_eq!(me.as_deref(), Some("Sam Lindqvist"));
    let mut app = App::new(file.label(), me, Utc::now());
    let mut runner = Runner::new(identity, &sam_key);
    runner.run(&mut app, &mut file, Effect::Refresh);
    (file, runner, app)
}

/// A case of the demo in `status` that nobody declared a conflict on.
fn open_case_in(file: &mut OpenFile, status: Status) -> String {
    super::tests::case_in(file, status)
}

/// Priya Raman's demo key.
fn priya() -> Identity {
    Identity::from_bytes(
        include_bytes!("../../../assets/demo/members/priya"),
        std::path::Path::new("priya"),
        &PassphraseSource::Terminal,
    )
    .unwrap()
}

#[test]
fn a_case_sealed_from_the_member_opens_as_its_summary_and_their_conflict_can_be_withdrawn() {
    let (dir, mut file, mut runner, mut app) = setup();
    let path = dir.path().join("c.cases.age");
    // Robin opens a case the reporter asked to keep Sam out of: sealed from its first event.
    let requested = ops::cases::open(
        &mut file,
        ops::cases::NewCase {
            title: "Reported by a contributor".into(),
            summary: "They asked that Sam not see it.".into(),
            channel: crate::core::case::Channel::Email,
            received_at: None,
            exclude: vec!["Sam Lindqvist".into()],
        },
    )
    .unwrap();
    runner.run(&mut app, &mut file, Effect::Save);
    drop((file, runner, app));

    let (mut file, mut runner, mut app) = as_sam(&path);
    app.selected = app.rows.iter().position(|r| r.code == requested).unwrap();
    let row = &app.rows[app.selected];
    assert!(row.sealed && row.title.is_none(), "{row:?}");
    press(&mut app, &mut file, &mut runner, &[KeyCode::Enter]);
    let Screen::Case { data, .. } = &app.screen else {
        panic!("the sealed case opens: {}", app.status)
    };
    assert!(data.sealed_from_me());
    assert_eq!(data.case.title, "", "the copy holds no title");
    // Nothing of it can be changed, and saying so opens no form.
    for key in ['n', 'p', 's', 'c'] {
        press(&mut app, &mut file, &mut runner, &[KeyCode::Char(key)]);
        assert!(app.overlay.is_none(), "{key}");
        assert!(app.status.contains("sealed from you"), "{}", app.status);
    }
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('q')]);

    // Sam declares a hard conflict on another case: it is sealed from him at once.
    let conflicted = open_case_in(&mut file, Status::Triage);
    runner.run(&mut app, &mut file, Effect::OpenCase(conflicted.clone()));
    let mut keys = vec![KeyCode::Char('c'), KeyCode::Char('h'), KeyCode::Enter];
    keys.extend(typing("my sibling"));
    keys.extend([KeyCode::Enter, KeyCode::Char('y')]);
    press(&mut app, &mut file, &mut runner, &keys);
    assert!(matches!(app.screen, Screen::Queues), "{}", app.status);
    let me = file.me().unwrap().unwrap().id;
    assert!(!file.case_by_code(&conflicted).unwrap().readable_by(me));
    // Opened again, it offers the withdrawal.
    runner.run(&mut app, &mut file, Effect::OpenCase(conflicted.clone()));
    assert!(matches!(&app.screen, Screen::Case { data, .. } if data.sealed_from_me()));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('c')]);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the withdrawal form: {}", app.status)
    };
    assert!(form.title.contains("Withdraw"), "{}", form.title);
    press(
        &mut app,
        &mut file,
        &mut runner,
        &typing("not related after all"),
    );
    done(&mut app, &mut file, &mut runner);
    assert!(app.overlay.is_none(), "{}", app.status);
    assert!(app.status.contains("withdr"), "{}", app.status);
    let case = file.case_by_code(&conflicted).unwrap();
    assert_eq!(case.conflict_of(me), None);
    assert!(
        !case.readable_by(me),
        "a reader gives access back, not the withdrawal"
    );
}

#[test]
fn a_member_is_kept_out_only_for_a_reason_the_rules_can_check_and_two_readers_give_it_back() {
    let (dir, mut file, mut runner, mut app) = setup();
    let path = dir.path().join("c.cases.age");
    let code = open_case_in(&mut file, Status::Investigating);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    // Give access is refused before it is sealed.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('X')]);
    assert!(app.overlay.is_none());
    assert!(app.status.contains("not sealed"), "{}", app.status);
    // "A party to the case", of a member the case records as no party: refused, the form
    // stays with what was chosen.
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('x')]);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the seal form: {}", app.status)
    };
    let member = form.value("member");
    assert_ne!(
        member, "Robin Okafor",
        "not oneself: that is a hard conflict"
    );
    press(
        &mut app,
        &mut file,
        &mut runner,
        &[KeyCode::Tab, KeyCode::Right],
    );
    done(&mut app, &mut file, &mut runner);
    if matches!(&app.overlay, Some(Overlay::Confirm { .. })) {
        press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    }
    let roster = file.roster().unwrap();
    let id = roster
        .members()
        .iter()
        .find(|m| m.name == member)
        .unwrap()
        .id;
    assert!(
        file.case_by_code(&code).unwrap().readable_by(id),
        "not sealed: {}",
        app.status
    );
    app.overlay = None;
    // Recorded as the reported party, the member is kept out in the same change.
    let reported = CaseChange::AddParty {
        role: crate::core::party::PartyRole::Reported,
        who: ops::cases::NewParty::Named {
            name: member.clone(),
            handle: None,
            email: None,
        },
    };
    ops::cases::change(&mut file, &code, reported).unwrap();
    let case = file.case_by_code(&code).unwrap();
    assert!(!case.readable_by(id));
    assert_eq!(
        case.sealed.as_ref().unwrap().excluded.get(&id),
        Some(&Some(ExcludeWhy::Party))
    );
    // Giving it back from the case screen only asks: a second reader gives it.
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('X')]);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the give-access form: {}", app.status)
    };
    assert_eq!(form.value("member"), member);
    done(&mut app, &mut file, &mut runner);
    if matches!(&app.overlay, Some(Overlay::Confirm { .. })) {
        press(&mut app, &mut file, &mut runner, &[KeyCode::Char('y')]);
    }
    assert!(
        !file.case_by_code(&code).unwrap().readable_by(id),
        "{}",
        app.status
    );
    runner.run(&mut app, &mut file, Effect::Save);
    drop((file, runner, app));
    // Priya, another reader, gives it.
    let priya = priya();
    let mut file = OpenFile::open(&path, &priya, vault::OpenMode::ReadWrite).unwrap();
    ops::cases::change(&mut file, &code, CaseChange::GiveAccess(member.clone())).unwrap();
    assert!(file.case_by_code(&code).unwrap().readable_by(id));
}

#[test]
fn a_reported_party_who_looks_like_a_member_is_kept_out_at_once() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = open_case_in(&mut file, Status::Investigating);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    // The reported person, named as a member is on the roster (other case and spacing).
    let mut keys = vec![KeyCode::Char('p'), KeyCode::Enter, KeyCode::Enter];
    keys.extend(typing("sam  lindqvist"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    let case = file.case_by_code(&code).unwrap();
    let sam = file
        .roster()
        .unwrap()
        .members()
        .iter()
        .find(|m| m.name == "Sam Lindqvist")
        .unwrap()
        .id;
    assert_eq!(
        case.sealed.as_ref().map(|s| s.excluded.get(&sam).copied()),
        Some(Some(Some(ExcludeWhy::Party))),
        "{}",
        app.status
    );
    assert_eq!(
        case.links.get(&sam),
        Some(&crate::core::party::PartyRole::Reported)
    );
    // A party named like the member adding them is not asked about.
    let mut keys = vec![KeyCode::Char('p'), KeyCode::Enter, KeyCode::Enter];
    keys.extend(typing("Robin Okafor"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    assert!(
        !matches!(&app.overlay, Some(Overlay::Confirm { .. })),
        "{}",
        app.status
    );
}

#[test]
fn the_custodian_opens_held_contact_details_and_the_opening_is_recorded() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = open_case_in(&mut file, Status::Investigating);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('o')]);
    assert!(app.status.contains("you hold no party"), "{}", app.status);
    let held = CaseChange::AddParty {
        role: crate::core::party::PartyRole::Reporter,
        who: ops::cases::NewParty::Held {
            held_by: "Robin Okafor".into(),
            name: "Canary Reporter".into(),
            handle: None,
            email: Some("canary@example.org".into()),
        },
    };
    runner.run(
        &mut app,
        &mut file,
        Effect::Submit(Request::Change {
            code: code.clone(),
            change: held,
        }),
    );
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 40)).unwrap();
    terminal
        .draw(|frame| crate::tui::view::render(&app, frame))
        .unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("contact held by Robin Okafor"), "{screen}");
    assert!(!screen.contains("Canary Reporter"), "{screen}");
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('o')]);
    done(&mut app, &mut file, &mut runner);
    let Some(Overlay::Message { text, .. }) = &app.overlay else {
        panic!("the details: {}", app.status)
    };
    assert!(
        text.contains("Canary Reporter") && text.contains("canary@example.org"),
        "{text}"
    );
    assert!(text.contains("recorded"), "{text}");
    let case = file.case_by_code(&code).unwrap();
    assert!(
        file.timeline(case.id)
            .unwrap()
            .iter()
            .any(|e| matches!(e.kind, EventKind::ContactOpened { .. }))
    );
    assert!(app.dirty);
}

#[test]
fn a_new_case_keeps_out_the_members_named_and_a_name_not_on_the_committee_is_said() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let mut keys = vec![KeyCode::Char('N')];
    keys.extend(typing("Canary case"));
    keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    keys.extend(typing("Sam Lindkvist"));
    press(&mut app, &mut file, &mut runner, &keys);
    done(&mut app, &mut file, &mut runner);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the form stays")
    };
    let error = form.error.clone().unwrap_or_default();
    assert!(
        error.contains("Sam Lindkvist is not a member of the committee")
            && error.contains("Sam Lindqvist"),
        "{error}"
    );
    // Corrected (in any case): the case is sealed from him from its first entry.
    for _ in 0.."Sam Lindkvist".len() {
        press(&mut app, &mut file, &mut runner, &[KeyCode::Backspace]);
    }
    press(&mut app, &mut file, &mut runner, &typing("sam lindqvist"));
    done(&mut app, &mut file, &mut runner);
    let Screen::Case { data, .. } = &app.screen else {
        panic!("the new case opens: {}", app.status)
    };
    let sealed = data.case.sealed.clone().expect("sealed");
    let sam = data
        .members
        .iter()
        .find(|(_, n)| n == "Sam Lindqvist")
        .unwrap()
        .0;
    assert_eq!(sealed.excluded.get(&sam), Some(&Some(ExcludeWhy::Request)));
}

#[test]
fn nothing_is_dropped_or_said_dropped_while_a_sealing_is_unsaved() {
    let (_dir, mut file, mut runner, mut app) = setup();
    let code = super::tests::case_in(&mut file, Status::Triage);
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('n')]);
    press(
        &mut app,
        &mut file,
        &mut runner,
        &typing("a note before the seal"),
    );
    done(&mut app, &mut file, &mut runner);
    // Mei recorded as the reported party: she is kept out in the same (unsaved) change.
    let reported = CaseChange::AddParty {
        role: crate::core::party::PartyRole::Reported,
        who: ops::cases::NewParty::Named {
            name: "Mei Chen".into(),
            handle: None,
            email: None,
        },
    };
    ops::cases::change(&mut file, &code, reported).unwrap();
    runner.run(&mut app, &mut file, Effect::OpenCase(code.clone()));
    let before = file.unsaved_events().unwrap().len();
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('u')]);
    let Some(Overlay::Pending { changes, .. }) = &app.overlay else {
        panic!("u lists the unsaved changes: {}", app.status)
    };
    assert!(changes.iter().any(|c| c.seals), "{changes:?}");
    // x on the note: refused in a dialog at once, never "nothing of it stays".
    press(&mut app, &mut file, &mut runner, &[KeyCode::Char('x')]);
    let Some(Overlay::Failure { text, .. }) = &app.overlay else {
        panic!("refused in a dialog: {:?}", app.status)
    };
    assert!(text.contains("Nothing can be dropped"), "{text}");
    assert!(!text.contains("nothing of it stays"), "{text}");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|frame| crate::tui::view::render(&app, frame))
        .unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("Not done"), "{screen}");
    assert_eq!(
        file.unsaved_events().unwrap().len(),
        before,
        "nothing dropped"
    );
}

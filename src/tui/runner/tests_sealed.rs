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
fn as_sam(path: &std::path::Path) -> (CaseFile, Runner<'static>, App) {
    let identity = sam_key(PassphraseSource::Terminal).unwrap();
    let mut file = CaseFile::open(path, &identity, vault::OpenMode::ReadWrite).unwrap();
    let me = file.me().unwrap().map(|m| m.name);
    assert_eq!(me.as_deref(), Some("Sam Lindqvist"));
    let mut app = App::new(file.label(), me, Utc::now());
    let mut runner = Runner::new(identity, &sam_key);
    runner.run(&mut app, &mut file, Effect::Refresh);
    (file, runner, app)
}

/// A case of the demo in `status` that nobody declared a conflict on.
fn open_case_in(file: &mut CaseFile, status: Status) -> String {
    super::tests::case_in(file, status)
}

#[test]
fn a_case_sealed_from_the_member_opens_as_its_summary_and_their_conflict_can_be_withdrawn() {
    let (dir, mut file, mut runner, mut app) = setup();
    let path = dir.path().join("c.cases.age");
    // Robin seals one case from Sam (at the reporter's request).
    let requested = open_case_in(&mut file, Status::Investigating);
    let change = CaseChange::Exclude {
        members: vec!["Sam Lindqvist".into()],
        why: ExcludeWhy::Request,
    };
    runner.run(
        &mut app,
        &mut file,
        Effect::Submit(Request::Change {
            code: requested.clone(),
            change,
        }),
    );
    assert!(
        app.status.contains("sealed the case from"),
        "{}",
        app.status
    );
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

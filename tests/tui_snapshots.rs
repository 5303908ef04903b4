//! What the interface draws, at 80x24 and 160x48, with the demo data and a fixed clock.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test`).

use casebook::core::queue::{Queue, View};
use casebook::tui::app::{self, App, Outcome, Shown};
use casebook::tui::{action::Action, view};
use casebook_vault::demo;
use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

fn demo_app(queue: Queue) -> (App, casebook_vault::CaseFile) {
    let (mut file, _) = demo::open().unwrap();
    let roster = file.roster().unwrap();
    let me = file.me().unwrap();
    let settings = file.settings();
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
    let view = View {
        me: me.as_ref().map(|m| m.id),
        roster: &roster,
        settings: &settings,
        now,
    };
    let (counts, rows) = app::snapshot(
        file.cases().unwrap().values(),
        &view,
        queue,
        &app::Filter::default(),
        app::Sort::default(),
    );
    let mut app = App::new(demo::LABEL.into(), me.map(|m| m.name), now);
    app.queue = Queue::ALL.iter().position(|q| *q == queue).unwrap();
    app.update(Outcome::Listed {
        queues: counts,
        rows,
        choices: Default::default(),
        codes: Vec::new(),
    });
    (app, file)
}

/// A demo case picked by `pick`, with everything its screen shows, as the runner loads it.
fn demo_case(
    file: &mut casebook_vault::CaseFile,
    pick: impl Fn(&casebook::core::case::Case) -> bool,
) -> app::CaseData {
    let case = file
        .cases()
        .unwrap()
        .values()
        .find(|c| pick(c))
        .cloned()
        .expect("a demo case like that");
    let timeline = file.timeline(case.id).unwrap();
    let mut data = app::case_data(case, timeline, &file.roster().unwrap(), &file.settings());
    data.me = file.me().unwrap().map(|m| (m.id, m.role));
    data
}

#[test]
fn case_screen_decided_emergency_and_attachments() {
    use casebook::core::event::EventKind;
    let (mut app, mut file) = demo_app(Queue::All);
    let decided = demo_case(&mut file, |c| {
        c.decision.is_some() && c.conflicts.is_empty()
    });
    let code = decided.case.code_name.clone();
    show(&mut app, decided);
    let screen = draw(&app, 160, 48);
    insta::assert_snapshot!("case_decided_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("case_decided_160x48", screen.clone());
    assert!(screen.contains("Decision:"), "{screen}");
    let _ = code;
    let emergency = demo_case(&mut file, |c| !c.emergencies.is_empty());
    show(&mut app, emergency);
    insta::assert_snapshot!("case_emergency_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("case_emergency_160x48", draw(&app, 160, 48));
    let with_files = demo_case(&mut file, |_| true);
    let with_files = {
        let cases: Vec<_> = file.cases().unwrap().values().cloned().collect();
        let found = cases.into_iter().find(|c| {
            file.timeline(c.id).unwrap().iter().any(|e| {
                matches!(&e.kind, EventKind::ReportReceived { attachments, .. } if !attachments.is_empty())
            })
        });
        match found {
            Some(c) => demo_case(&mut file, |d| d.id == c.id),
            None => with_files,
        }
    };
    assert!(
        !with_files.attachments.is_empty(),
        "the demo has an attachment"
    );
    show(&mut app, with_files);
    insta::assert_snapshot!("case_attachments_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("case_attachments_160x48", draw(&app, 160, 48));
    app.update(Action::Attachments);
    insta::assert_snapshot!("attachments_list_80x24", draw(&app, 80, 24));
}

#[test]
fn the_quit_dialog_lists_what_is_not_saved() {
    let (mut app, _) = demo_app(Queue::All);
    app.update(Outcome::Changed {
        code: "amber-kettle".into(),
        said: "note".into(),
        hides: false,
        linked: None,
    });
    app.update(Outcome::Changed {
        code: "saffron-bridge".into(),
        said: "assigned Mei Chen to the case".into(),
        hides: false,
        linked: None,
    });
    app.update(Action::Quit);
    let screen = draw(&app, 80, 24);
    assert!(
        screen.contains("saffron-bridge: assigned Mei Chen"),
        "{screen}"
    );
    insta::assert_snapshot!("quit_pending_80x24", screen);
}

#[test]
fn palette_and_export_result() {
    let (mut app, mut file) = demo_app(Queue::All);
    let decided = demo_case(&mut file, |c| {
        c.decision.is_some() && c.conflicts.is_empty()
    });
    show(&mut app, decided);
    app.update(Action::Palette);
    insta::assert_snapshot!("palette_80x24", draw(&app, 80, 24));
    app.overlay = None;
    app.update(Outcome::Exported {
        output: "/home/m/.local/share/casebook/exports/saffron-bridge-reported.md".into(),
        signature: "/home/m/.local/share/casebook/exports/saffron-bridge-reported.md.sig".into(),
        profile: casebook::export::Profile::Reported,
        exposure: None,
        verify: [
            r"casebook -i /home/m/.ssh/id_ed25519 member list /home/m/sync/c.cases.age \",
            r"  --allowed-signers > /home/m/.local/share/casebook/exports/allowed_signers \",
            r"  && ssh-keygen -Y verify -f \",
            r"  /home/m/.local/share/casebook/exports/allowed_signers -I robin@casebook \",
            r"  -n casebook -s \",
            r"  /home/m/.local/share/casebook/exports/saffron-bridge-reported.md.sig < \",
            r"  /home/m/.local/share/casebook/exports/saffron-bridge-reported.md",
        ]
        .join("\n"),
    });
    insta::assert_snapshot!("export_result_80x24", draw(&app, 80, 24));
}

/// Show a case, as the runner hands it over.
fn show(app: &mut App, data: app::CaseData) {
    app.update(Outcome::Case {
        data: Box::new(data),
        shown: Shown::Fresh,
    });
}

#[test]
fn queue_view() {
    let (app, _) = demo_app(Queue::Overdue);
    insta::assert_snapshot!("queues_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("queues_160x48", draw(&app, 160, 48));
}

#[test]
fn case_view_and_help() {
    let (mut app, mut file) = demo_app(Queue::All);
    let case = file.case_by_code("saffron-bridge").unwrap();
    let timeline = file.timeline(case.id).unwrap();
    let data = app::case_data(case, timeline, &file.roster().unwrap(), &file.settings());
    show(&mut app, data);
    insta::assert_snapshot!("case_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("case_160x48", draw(&app, 160, 48));
    app.update(Action::Help);
    insta::assert_snapshot!("help_80x24", draw(&app, 80, 24));
}

#[test]
fn help_scrolls_to_its_end() {
    let (mut app, _) = demo_app(Queue::All);
    app.update(Action::Help);
    app.page = 20;
    for _ in 0..5 {
        app.on_key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::PageDown,
        ));
    }
    insta::assert_snapshot!("help_80x24_end", draw(&app, 80, 24));
}

#[test]
fn roster_screen() {
    let (mut app, file) = demo_app(Queue::All);
    app.update(Outcome::Roster {
        members: app::roster_rows(file.summary().unwrap().members),
        attention: Vec::new(),
    });
    insta::assert_snapshot!("roster_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("roster_160x48", draw(&app, 160, 48));
    app.update(Action::RemoveMember);
    insta::assert_snapshot!("roster_remove_80x24", draw(&app, 80, 24));
}

#[test]
fn decision_form_shows_the_quorum_live() {
    let (mut app, mut file) = demo_app(Queue::All);
    // A deliberating case with votes cast.
    let code = file
        .cases()
        .unwrap()
        .values()
        .filter(|c| c.proposal.as_ref().is_some_and(|p| !p.votes.is_empty()))
        .find(|c| c.decision.is_none())
        .map(|c| c.code_name.clone())
        .unwrap();
    let case = file.case_by_code(&code).unwrap();
    let timeline = file.timeline(case.id).unwrap();
    let data = app::case_data(case, timeline, &file.roster().unwrap(), &file.settings());
    show(&mut app, data);
    app.update(Action::Decide);
    insta::assert_snapshot!("decide_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("decide_160x48", draw(&app, 160, 48));
    // Another outcome: nobody voted for it, so the line says the quorum is not met.
    app.on_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Right,
    ));
    let other = draw(&app, 160, 48);
    assert!(other.contains("quorum NOT met"), "{other}");
}

#[test]
fn export_form() {
    let (mut app, mut file) = demo_app(Queue::All);
    // Only a decided case can be exported.
    let data = demo_case(&mut file, |c| {
        c.decision.is_some() && c.conflicts.is_empty()
    });
    show(&mut app, data);
    app.update(Action::Export);
    insta::assert_snapshot!("export_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("export_160x48", draw(&app, 160, 48));
}

#[test]
fn mono_theme_uses_no_colour_and_the_default_does() {
    use ratatui::style::Color;
    let (mut app, mut file) = demo_app(Queue::All);
    let case = file.case_by_code("saffron-bridge").unwrap();
    let timeline = file.timeline(case.id).unwrap();
    let data = app::case_data(case, timeline, &file.roster().unwrap(), &file.settings());
    show(&mut app, data);
    let coloured = |app: &App| {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|frame| view::render(app, frame)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        buffer
            .content()
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count()
    };
    assert!(coloured(&app) > 0, "the default theme has colours");
    app.theme = casebook::tui::theme::Theme::mono();
    assert_eq!(coloured(&app), 0, "mono (NO_COLOR) has none");
}

#[test]
fn ten_thousand_cases_render_only_the_visible_rows() {
    let (mut app, _) = demo_app(Queue::All);
    let row = app.rows[0].clone();
    app.rows = (0..10_000)
        .map(|i| app::Row {
            code: format!("case-{i:05}"),
            ..row.clone()
        })
        .collect();
    app.page = 19;
    app.update(casebook::tui::action::Action::Bottom);
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("case-09999"), "{screen}");
    assert!(!screen.contains("case-09979"), "{screen}");
    app.update(casebook::tui::action::Action::PageUp);
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("case-09980"), "{screen}");
}

#[test]
fn search_lock_and_confirm_screens() {
    use casebook::tui::app::{Hit, Overlay};
    let (mut app, mut file) = demo_app(Queue::All);
    insta::assert_snapshot!("help_160x48", {
        app.update(Action::Help);
        let screen = draw(&app, 160, 48);
        app.overlay = None;
        screen
    });
    app.update(Action::Search);
    let hits: Vec<Hit> = file
        .search("warning", 5)
        .unwrap()
        .into_iter()
        .map(|hit| Hit {
            code: file.cases().unwrap()[&hit.case].code_name.clone(),
            snippet: hit.snippet,
            event: Some(hit.event),
        })
        .collect();
    if let Some(Overlay::Search { query, .. }) = &mut app.overlay {
        query.insert("warning");
    }
    app.update(Outcome::Found {
        query: "warning".into(),
        hits,
    });
    insta::assert_snapshot!("search_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("search_160x48", draw(&app, 160, 48));
    app.overlay = None;
    app.update(Action::Report);
    app.on_key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('d'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    insta::assert_snapshot!("confirm_plaintext_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("confirm_plaintext_160x48", draw(&app, 160, 48));
    app.overlay = None;
    // "Locked after 5 minutes without a key press. Your changes were saved first."
    app.update(Outcome::ScreenLocked {
        idle_secs: Some(300),
        saved: Some(Ok(())),
        locked: Ok(()),
    });
    let locked = draw(&app, 80, 24);
    assert!(!locked.contains("copper-heron"), "{locked}");
    insta::assert_snapshot!("locked_80x24", locked);
    insta::assert_snapshot!("locked_160x48", draw(&app, 160, 48));
}

/// A second decision that a merge brought, on `data`'s case (fixed ids and times).
fn with_second_decision(data: &mut app::CaseData) {
    use casebook::core::attention::{Attention, Trouble};
    let by = *data.names.keys().next().unwrap();
    data.case.attention.push(Attention {
        event: uuid::Uuid::from_u128(0x1339_02f8_0000_4000_8000_0000_0000_0001),
        by,
        at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap(),
        what: Trouble::Decision {
            outcome: "correction".into(),
            rationale: "Decided on the other laptop".into(),
            override_reason: None,
            found: casebook::core::case::Status::Decided,
        },
    });
}

#[test]
fn merged_copies_and_what_needs_attention() {
    let (mut app, mut file) = demo_app(Queue::All);
    // The file changed on disk: the dialog offers merge first.
    app.disk_changed = true;
    app.update(Action::Save);
    insta::assert_snapshot!("changed_on_disk_80x24", draw(&app, 80, 24));
    app.overlay = None;
    // The save merged: the status bar and a dialog say what came in.
    app.update(Outcome::Saved {
        path: "/tmp/c.cases.age".into(),
        renamed: None,
        merged: Some(app::MergeNews {
            came_in: "3 changes from Sam Lindqvist, 1 from Mei Chen".into(),
            new_attention: 1,
        }),
        displaced: Vec::new(),
    });
    insta::assert_snapshot!("merged_80x24", draw(&app, 80, 24));
    app.overlay = None;
    // The case shows the item first, and z opens the resolve form.
    let mut data = demo_case(&mut file, |c| {
        c.decision.is_some() && c.conflicts.is_empty()
    });
    with_second_decision(&mut data);
    show(&mut app, data);
    insta::assert_snapshot!("case_attention_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("case_attention_120x35", draw(&app, 120, 35));
    app.update(Action::Resolve);
    insta::assert_snapshot!("resolve_120x35", draw(&app, 120, 35));
}

#[test]
fn roster_changes_that_need_attention_show_under_the_members() {
    use casebook::core::attention::{Attention, Trouble};
    let (mut app, file) = demo_app(Queue::All);
    let roster = file.roster().unwrap();
    let by = roster.members()[1].id;
    app.update(Outcome::Roster {
        members: app::roster_rows(file.summary().unwrap().members),
        attention: vec![(
            Attention {
                event: uuid::Uuid::from_u128(0x77aa_0000_0000_4000_8000_0000_0000_0002),
                by,
                at: Utc.with_ymd_and_hms(2026, 11, 21, 14, 0, 0).unwrap(),
                what: Trouble::RosterChange {
                    why: "two members would have the address sam@example.org".into(),
                },
            },
            roster.members()[1].name.clone(),
        )],
    });
    insta::assert_snapshot!("roster_attention_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("roster_attention_120x35", draw(&app, 120, 35));
}

#[test]
fn pending_list_record_text_and_import_forms() {
    let (mut app, mut file) = demo_app(Queue::All);
    app.update(Outcome::Unsaved(vec![
        app::PendingChange {
            event: uuid::Uuid::from_u128(1),
            case: Some("amber-kettle".into()),
            said: "amber-kettle: note".into(),
            seals: false,
        },
        app::PendingChange {
            event: uuid::Uuid::from_u128(2),
            case: Some("amber-kettle".into()),
            said: "amber-kettle: status new -> triage".into(),
            seals: false,
        },
    ]));
    insta::assert_snapshot!("pending_80x24", draw(&app, 80, 24));
    app.overlay = None;
    app.update(Action::Import);
    insta::assert_snapshot!("import_80x24", draw(&app, 80, 24));
    app.overlay = None;
    let data = demo_case(&mut file, |c| {
        c.decision.is_some() && c.conflicts.is_empty()
    });
    show(&mut app, data);
    app.update(Action::RecordText);
    insta::assert_snapshot!("record_text_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("record_text_120x35", draw(&app, 120, 35));
}

#[test]
fn dropping_typed_text_offers_to_keep_it_as_a_draft() {
    use crossterm::event::{KeyCode, KeyEvent};
    let (mut app, mut file) = demo_app(Queue::All);
    let data = demo_case(&mut file, |c| {
        c.status == casebook::core::case::Status::Triage
    });
    show(&mut app, data);
    app.update(Action::AddNote);
    app.update(app::Msg::Paste("Half a note".into()));
    app.on_key(KeyEvent::from(KeyCode::Esc));
    insta::assert_snapshot!("discard_or_keep_80x24", draw(&app, 80, 24));
    app.on_key(KeyEvent::from(KeyCode::Char('k')));
    app.update(Action::Quit);
    app.update(Action::Quit);
    insta::assert_snapshot!("quit_with_a_kept_draft_80x24", draw(&app, 80, 24));
}

/// `data`'s case sealed since a fixed day, readable by every active member but `out` (kept out
/// for `why`); as the copy of a member who cannot read it holds it when `summary`.
fn sealed(
    mut data: app::CaseData,
    out: &str,
    why: casebook::core::event::ExcludeWhy,
    summary: bool,
) -> app::CaseData {
    use casebook::core::case::Sealing;
    let out = data.members.iter().find(|(_, n)| n == out).unwrap().0;
    let since = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap();
    data.case.sealed = Some(Sealing {
        since,
        changed_at: since,
        key_by: data.members[0].0,
        readers: data
            .members
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| *id != out)
            .collect(),
        excluded: [(out, Some(why))].into_iter().collect(),
        recipient: "age1example".into(),
        key_exact: true,
    });
    if summary {
        data.case = data.case.sealed_summary();
        data.timeline.clear();
        data.order.clear();
        data.attachments.clear();
    }
    data
}

#[test]
fn sealed_cases_say_who_reads_them_and_hold_nothing_for_the_member_kept_out() {
    use casebook::core::event::ExcludeWhy;
    let (mut app, mut file) = demo_app(Queue::All);
    let me = app.me.clone().unwrap();
    // Readable: who is kept out and why, who reads it.
    let data = demo_case(&mut file, |c| {
        c.status == casebook::core::case::Status::Investigating && c.conflicts.is_empty()
    });
    show(
        &mut app,
        sealed(data.clone(), "Sam Lindqvist", ExcludeWhy::Party, false),
    );
    let screen = draw(&app, 80, 24);
    insta::assert_snapshot!("case_sealed_readable_80x24", screen.clone());
    assert!(screen.contains("Sealed since"), "{screen}");
    // Sealed from the member: what the copy holds, and no timeline.
    show(&mut app, sealed(data, &me, ExcludeWhy::Request, true));
    let screen = draw(&app, 80, 24);
    insta::assert_snapshot!("case_sealed_from_me_80x24", screen.clone());
    assert!(screen.contains("Sealed from you since"), "{screen}");
    assert!(!screen.contains("Timeline"), "{screen}");
    // Not why, nor who reads it: that is for its readers.
    for hidden in ["request", "Sam Lindqvist", "Priya"] {
        assert!(!screen.contains(hidden), "{hidden} in {screen}");
    }
    // In the list: code name and status, "sealed" where the title would be.
    app.update(Action::Back);
    app.rows[0].title = None;
    app.rows[0].sealed = true;
    let screen = draw(&app, 80, 24);
    insta::assert_snapshot!("queues_sealed_80x24", screen.clone());
    assert!(screen.contains("(sealed from you)"), "{screen}");
}

#[test]
fn the_new_case_form_offers_to_keep_members_out_and_a_party_like_a_member_asks() {
    let (mut app, mut file) = demo_app(Queue::All);
    app.update(Action::NewCase);
    let screen = draw(&app, 80, 24);
    insta::assert_snapshot!("new_case_80x24", screen.clone());
    assert!(screen.contains("keep out"), "{screen}");
    app.update(Action::Back);
    let data = demo_case(&mut file, |c| {
        c.status == casebook::core::case::Status::Investigating && c.conflicts.is_empty()
    });
    let code = data.case.code_name.clone();
    show(&mut app, data);
    app.update(Outcome::Changed {
        code,
        said: "party added".into(),
        hides: false,
        linked: Some(app::Linked {
            party: "Sam Lindqvist".into(),
            members: vec!["Sam Lindqvist".into()],
        }),
    });
    let screen = draw(&app, 80, 24);
    insta::assert_snapshot!("party_like_a_member_80x24", screen.clone());
    assert!(screen.contains("looks like committee member"), "{screen}");
}

#[test]
fn a_long_member_name_never_hides_the_hints_and_no_hint_is_said_twice() {
    let (mut app, _file) = demo_app(Queue::All);
    app.me = Some("Bartholomew Maximilian Featherstonehaugh-Worthington the Third".into());
    for width in [80u16, 120, 200] {
        let screen = draw(&app, width, 24);
        let status = screen.lines().last().unwrap();
        assert!(status.contains("Enter open"), "{width}: {status}");
        assert!(status.contains("? help"), "{width}: {status}");
        assert!(
            status.chars().count() <= width as usize,
            "{width}: {status}"
        );
        // Each hint once.
        for hint in ["Enter open", "? help", "/ search"] {
            assert!(status.matches(hint).count() <= 1, "{width}: {status}");
        }
    }
}

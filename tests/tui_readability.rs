//! What a member reads, at 80x24, 120x36 and 200x60, in colour and with NO_COLOR (the mono
//! theme, its bold, underline and reverse video marked beneath each row): the queue list, a
//! case whose details changed, and the committee screen meant for checking keys.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test`).

use casebook::core::queue::{Queue, View};
use casebook::tui::app::{self, App, Outcome, Shown};
use casebook::tui::theme::Theme;
use casebook::tui::view;
use casebook_vault::demo;
use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 36), (200, 60)];

/// The screen as text; with `marks`, each row is followed by a row saying how each cell is
/// drawn: `R` reversed, `U` underlined, `B` bold, `D` dim, `.` plain.
fn draw(app: &App, width: u16, height: u16, marks: bool) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        let mut styles = String::new();
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            text.push_str(cell.symbol());
            let m = cell.modifier;
            styles.push(if m.contains(Modifier::REVERSED) {
                'R'
            } else if m.contains(Modifier::UNDERLINED) {
                'U'
            } else if m.contains(Modifier::BOLD) {
                'B'
            } else if m.contains(Modifier::DIM) {
                'D'
            } else {
                '.'
            });
        }
        text.push('\n');
        if marks {
            text.push_str(&styles);
            text.push('\n');
        }
    }
    text
}

fn demo_app() -> (App, casebook_vault::CaseFile) {
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
        Queue::All,
        &app::Filter::default(),
        app::Sort::default(),
    );
    let mut app = App::new(demo::LABEL.into(), me.map(|m| m.name), now);
    app.queue = Queue::ALL.iter().position(|q| *q == Queue::All).unwrap();
    app.update(Outcome::Listed {
        queues: counts,
        rows,
        choices: Default::default(),
        codes: Vec::new(),
    });
    (app, file)
}

/// Every size in colour, and 80x24 in mono with the styles marked.
fn every_size(name: &str, app: &mut App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(app, w, h, false));
    }
    let theme = app.theme;
    app.theme = Theme::mono();
    insta::assert_snapshot!(format!("{name}_no_color_80x24"), draw(app, 80, 24, true));
    app.theme = theme;
}

#[test]
fn the_queue_list_keeps_severity_cuts_with_an_ellipsis_and_late_is_not_the_selection() {
    let (mut app, _) = demo_app();
    every_size("read_queues", &mut app);
    // With NO_COLOR, LATE is underlined, the selected row reversed: told apart.
    app.theme = Theme::mono();
    let marked = draw(&app, 80, 24, true);
    let lines: Vec<&str> = marked.lines().collect();
    let late_row = lines
        .iter()
        .position(|l| l.contains("LATE") && !l.starts_with("│saffron"))
        .unwrap();
    let late_at = lines[late_row].chars().position(|c| c == 'L').unwrap();
    assert_eq!(lines[late_row + 1].chars().nth(late_at), Some('U'));
    let header = lines.iter().find(|l| l.contains("CASE")).unwrap();
    assert!(header.contains("SEVERITY"), "{header}");
}

#[test]
fn a_case_shows_details_in_words_never_json() {
    let (mut app, mut file) = demo_app();
    let case = file.case_by_code("saffron-bridge").unwrap();
    let timeline = file.timeline(case.id).unwrap();
    let mut data = app::case_data(case, timeline, &file.roster().unwrap(), &file.settings());
    data.me = file.me().unwrap().map(|m| (m.id, m.role));
    app.update(Outcome::Case {
        data: Box::new(data),
        shown: Shown::Fresh,
    });
    every_size("read_case", &mut app);
    let screen = draw(&app, 200, 60, false);
    assert!(!screen.contains("{\""), "no JSON: {screen}");
    assert!(!screen.contains("safety risk: true"), "{screen}");
    // What is next on it for the member: the emergency action another member recorded.
    assert!(
        screen.contains("you can review the emergency action Tomás Ferreira recorded"),
        "{screen}"
    );
}

#[test]
fn the_committee_screen_shows_fingerprints_and_addresses_whole() {
    let (mut app, file) = demo_app();
    let members = app::roster_rows(file.summary().unwrap().members);
    let fingerprints: Vec<String> = members.iter().map(|m| m.fingerprint.clone()).collect();
    let emails: Vec<String> = members.iter().filter_map(|m| m.email.clone()).collect();
    app.update(Outcome::Roster {
        members,
        attention: Vec::new(),
    });
    every_size("read_roster", &mut app);
    for (w, h) in SIZES {
        let screen = draw(&app, w, h, false);
        for fingerprint in &fingerprints {
            assert!(screen.contains(fingerprint.as_str()), "{w}x{h}: {screen}");
        }
        if w >= 120 {
            for email in &emails {
                assert!(screen.contains(email.as_str()), "{w}x{h}: {screen}");
            }
        }
    }
}

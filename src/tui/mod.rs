//! The terminal interface: queues, cases and notes, for the member who opened the file.
//!
//! The Elm way: [`app::App`] is the model, key presses become [`action::Action`]s, `update`
//! changes the model and returns an [`app::Effect`]; [`run`] is the one place that carries
//! effects out against the vault and hands the results back; [`view::render`] draws the model
//! and nothing else.

pub mod action;
pub mod app;
pub mod keymap;
pub mod view;

use std::io;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use uuid::Uuid;

use crate::core::case::Case;
use crate::core::event::{Event, EventKind, NoteKind};
use crate::core::process::{self, Actor};
use crate::core::queue::View;
use crate::vault::{CaseFile, Error, Identity};
use app::{App, Effect};

/// Run the interface on an open case file until the member quits. The terminal is restored
/// afterwards, also after a panic (ratatui's hook).
pub fn run(file: &mut CaseFile, identity: &Identity) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, file, identity);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    file: &mut CaseFile,
    identity: &Identity,
) -> io::Result<()> {
    let me = file.me().ok().flatten().map(|m| m.name);
    let mut app = App::new(file.label(), me);
    carry_out(&mut app, file, identity, Effect::Refresh);
    while !app.quit {
        terminal.draw(|frame| {
            app.page = frame.area().height.saturating_sub(6).max(1) as usize;
            view::render(&app, frame);
        })?;
        if !event::poll(Duration::from_millis(250))? {
            continue;
        }
        if let TermEvent::Key(key) = event::read()?
            && key.kind == KeyEventKind::Press
            && let Some(effect) = app.on_key(key)
        {
            carry_out(&mut app, file, identity, effect);
        }
    }
    Ok(())
}

/// Say what went wrong, with the hint, in the status bar.
fn explain(error: &Error) -> String {
    match error {
        Error::ReadOnly { .. } => {
            "this file is read-only (the demo?): S saves it under a new name".into()
        }
        other => match other.hint() {
            Some(hint) => format!("{other} ({hint})"),
            None => other.to_string(),
        },
    }
}

/// Carry out `effect` against the vault and give the result to the model.
pub fn carry_out(app: &mut App, file: &mut CaseFile, identity: &Identity, effect: Effect) {
    let result = match effect {
        Effect::Refresh => refresh(app, file),
        Effect::OpenCase(code) => open_case(app, file, &code, false),
        Effect::AddNote { code, body } => add_note(app, file, &code, body),
        Effect::Save => file
            .save(identity)
            .map(|r| app.saved(format!("saved {}", r.path.display()))),
        Effect::SaveAs(path) => file.save_as(&path, identity).map(|r| {
            app.label = file.label();
            app.saved(format!("saved as {}", r.path.display()));
        }),
        Effect::SaveAndQuit => file.save(identity).map(|_| app.quit = true),
        Effect::Search(query) => search(app, file, &query),
        Effect::ChangeStatus { code, to } => change_status(app, file, &code, to),
    };
    if let Err(error) = result {
        app.failed(explain(&error));
    }
}

fn refresh(app: &mut App, file: &mut CaseFile) -> Result<(), Error> {
    let roster = file.roster()?;
    let me = file.me()?.map(|m| m.id);
    let settings = file.settings();
    let view = View {
        me,
        roster: &roster,
        settings: &settings,
        now: Utc::now(),
    };
    let queue = app.current_queue();
    let (counts, rows) = app::snapshot(file.cases()?.values(), &view, queue);
    app.loaded(counts, rows);
    Ok(())
}

fn search(app: &mut App, file: &mut CaseFile, query: &str) -> Result<(), Error> {
    let me = file.me()?.map(|m| m.id);
    let hits = file.search(query, 30)?;
    let cases = file.cases()?;
    let found = hits
        .into_iter()
        .filter_map(|hit| {
            let case = cases.get(&hit.case)?;
            // Never a case the member has a hard conflict on.
            if me.is_some_and(|me| {
                case.conflict_of(me) == Some(crate::core::event::ConflictKind::Hard)
            }) {
                return None;
            }
            Some(app::Hit {
                code: case.code_name.clone(),
                snippet: hit.snippet,
            })
        })
        .collect();
    app.found(query, found);
    Ok(())
}

fn open_case(
    app: &mut App,
    file: &mut CaseFile,
    code: &str,
    keep_scroll: bool,
) -> Result<(), Error> {
    let case = file.case_by_code(code)?;
    let timeline = file.timeline(case.id)?;
    let roster = file.roster()?;
    app.case_loaded(
        app::case_data(case, timeline, &roster, &file.settings()),
        keep_scroll,
    );
    Ok(())
}

fn change_status(
    app: &mut App,
    file: &mut CaseFile,
    code: &str,
    to: crate::core::case::Status,
) -> Result<(), Error> {
    change_case(app, file, code, |actor, case| {
        let kind = process::change_status(actor, case, to)?;
        Ok((
            kind,
            format!("{code}: {} → {to} (not saved yet: Ctrl-S)", case.status),
        ))
    })
}

fn add_note(app: &mut App, file: &mut CaseFile, code: &str, body: String) -> Result<(), Error> {
    change_case(app, file, code, |actor, case| {
        process::change_details(actor, case)?;
        let kind = EventKind::NoteAdded {
            body,
            note: NoteKind::General,
        };
        Ok((
            kind,
            format!("note added to {code} (not saved yet: Ctrl-S)"),
        ))
    })
}

/// Apply a process rule to a case as the member who opened the file, record the event it
/// makes and show the case again; a refusal, or a key not on the roster, is said in the
/// status bar instead.
fn change_case(
    app: &mut App,
    file: &mut CaseFile,
    code: &str,
    rule: impl FnOnce(Actor<'_>, &Case) -> Result<(EventKind, String), process::RuleError>,
) -> Result<(), Error> {
    let case = file.case_by_code(code)?;
    let Some(me) = file.me()? else {
        app.failed("your key is not on the active roster: you cannot change cases".into());
        return Ok(());
    };
    let roster = file.roster()?;
    let settings = file.settings();
    let actor = Actor {
        member: &me,
        roster: &roster,
        settings: &settings,
    };
    let (kind, message) = match rule(actor, &case) {
        Ok(done) => done,
        Err(refusal) => {
            app.failed(refusal.to_string());
            return Ok(());
        }
    };
    let event = Event {
        id: Uuid::new_v4(),
        case: Some(case.id),
        author: me.id,
        at: Utc::now(),
        amends: None,
        kind,
    };
    file.record(&[event])?;
    app.changed(message);
    open_case(app, file, code, true)
}

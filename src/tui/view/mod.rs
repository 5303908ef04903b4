//! Drawing: pure functions of the model. No I/O, no clock reads, no changes to the model.
//! Every piece of text that came from a report or a member goes through the sanitiser.
//! One file per screen (`queues`, `case`, `roster`), the forms, the overlays and the status
//! bar; this one lays the frame out and keeps the case's wrapped rows between frames.

mod case;
mod forms;
mod overlay;
mod queues;
mod roster;
mod status;

pub use case::case_rows;
use case::{render_case, wrap_line};
use forms::render_form;
use overlay::{centered, render_dialog, render_help, render_lock, render_search};
use queues::{render_list, render_tabs};
use roster::render_roster;
use status::render_status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, Borders, Clear, Paragraph, Row as TableRow, Table, TableState, Wrap,
};

use super::app::{self, App, CaseData, Overlay, RosterRow, Screen};
use super::form::{Form, Input, Purpose};
use super::keymap::{self, Context};
use super::theme::Theme;
use crate::core::describe;
use crate::core::event::{Audience, Event, EventKind, NoteKind};
use crate::core::party::Identity as PartyIdentity;
use crate::core::sanitize::{body, inline};

/// The open case wrapped for one width: view state, kept by the event loop between frames so
/// that a case is wrapped once per case and width and a frame only copies the visible rows.
#[derive(Default)]
pub struct CaseLayout {
    /// What the rows were wrapped for: which case shown ([`App::case_shown`]), the width and
    /// the theme.
    key: Option<(u64, u16, Theme)>,
    /// One entry per screen row.
    rows: Vec<Line<'static>>,
    /// The row where the focused timeline entry starts.
    focus_row: Option<usize>,
}

impl CaseLayout {
    /// Lay the open case out for `width` (the case's inner width) unless it already is; its
    /// rows and the focused entry's row, for the model's scrolling. `None` off the case screen.
    pub fn prepare(&mut self, app: &App, width: u16) -> Option<(usize, Option<usize>)> {
        let Screen::Case { data, .. } = &app.screen else {
            *self = CaseLayout::default();
            return None;
        };
        let key = (app.case_shown, width, app.theme);
        if self.key != Some(key) {
            let (rows, focus_row) = case_rows(data, app.case_focus(), app.theme, width);
            *self = CaseLayout {
                key: Some(key),
                rows,
                focus_row,
            };
        }
        Some((self.rows.len(), self.focus_row))
    }

    /// The rows, if they were wrapped for this case, width and theme.
    fn rows_for(&self, app: &App, width: u16) -> Option<&[Line<'static>]> {
        (self.key == Some((app.case_shown, width, app.theme))).then_some(self.rows.as_slice())
    }
}

/// Draw the whole interface, wrapping the open case afresh (for tests and one-off frames).
pub fn render(app: &App, frame: &mut Frame) {
    render_with(app, &CaseLayout::default(), frame)
}

/// Draw the whole interface, with the open case as laid out in `layout` (when it matches).
pub fn render_with(app: &App, layout: &CaseLayout, frame: &mut Frame) {
    let [tabs, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    if let Some(lock) = &app.locked {
        render_lock(app, lock, frame, main);
        render_status(app, frame, status);
        return;
    }
    render_tabs(app, frame, tabs);
    match &app.screen {
        Screen::Queues => render_list(app, frame, main),
        Screen::Case { data, scroll, .. } => render_case(app, data, *scroll, layout, frame, main),
        Screen::Roster { members, selected } => render_roster(members, *selected, frame, main),
    }
    render_status(app, frame, status);
    match &app.overlay {
        Some(Overlay::Help(selected)) => render_help(app, *selected, frame),
        Some(Overlay::ConfirmQuit) => render_dialog(
            frame,
            "Unsaved changes",
            "There are changes not saved yet.\n\n  s  save and quit\n  d  discard them and quit\n  c  cancel",
        ),
        Some(Overlay::SaveAs(path)) => render_dialog(
            frame,
            "Save as",
            &format!(
                "New file name:\n\n{}█\n\nEnter saves, Esc cancels",
                inline(path)
            ),
        ),
        Some(Overlay::Note(editor)) => {
            let area = centered(frame.area(), 80, 60);
            frame.render_widget(Clear, area);
            let block = Block::default()
                .borders(Borders::ALL)
                .title(" Note (Ctrl-D adds it, Esc discards) ");
            let inner = block.inner(area);
            frame.render_widget(block, area);
            frame.render_widget(&**editor, inner);
        }
        Some(Overlay::Status { options, selected }) => {
            let lines: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} {}", if i == *selected { "▶" } else { " " }, s.as_str()))
                .collect();
            let text = format!(
                "{}\n\n↑↓ choose, Enter moves, Esc cancels",
                lines.join("\n")
            );
            render_dialog(frame, "Move to", &text)
        }
        Some(Overlay::Search {
            query,
            hits,
            selected,
        }) => render_search(frame, query, hits, *selected),
        Some(Overlay::Form(form)) => render_form(app, form, frame),
        Some(Overlay::Message { title, text }) => {
            render_dialog(frame, title, &format!("{text}\n\nany key closes this"))
        }
        Some(Overlay::Confirm { question, .. }) => render_dialog(
            frame,
            "Confirm",
            &format!("{question}\n\n  y  yes\n  any other key: no"),
        ),
        None => {}
    }
}

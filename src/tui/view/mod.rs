//! Drawing: pure functions of the model. No I/O, no clock reads, no changes to the model.
//! Every piece of text that came from a report or a member goes through the sanitiser.
//! One file per screen (`queues`, `case`, `roster`), the forms, the overlays and the status
//! bar; this one lays the frame out and keeps the case's wrapped rows between frames.

mod case;
mod entry;
mod forms;
mod header;
mod overlay;
mod queues;
mod roster;
mod status;

pub use case::case_rows;
use case::{render_case, wrap_line};
use forms::render_form;
use header::{ellipsis, header_rows};
use overlay::{
    centered, render_attachments, render_dialog, render_help, render_jump, render_lock,
    render_palette, render_pending, render_reading, render_save_as, render_search,
};
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
use super::line::LineEdit;
use super::theme::Theme;
use crate::core::describe;
use crate::core::event::{ConflictKind, Event, EventKind, NoteKind};
use crate::core::party::Disclosure;
use crate::core::sanitize::{body, inline};

/// Columns left of the case's rows for the selected entry's mark.
pub const GUTTER: u16 = 2;

/// The open case wrapped for one width: view state, kept by the event loop between frames so
/// that a case is wrapped once per case and width and a frame only copies the visible rows.
#[derive(Default)]
pub struct CaseLayout {
    /// What the rows were wrapped for: which case shown ([`App::case_shown`]), the width and
    /// the theme.
    key: Option<(u64, u16, Theme)>,
    /// The laid-out case.
    laid: CaseRows,
}

/// The open case as rows.
#[derive(Default)]
pub struct CaseRows {
    /// One entry per screen row.
    pub rows: Vec<Line<'static>>,
    /// The row where the focused timeline entry starts.
    pub focus_row: Option<usize>,
    /// The row where each timeline entry starts, in the order shown.
    pub entry_rows: Vec<usize>,
}

impl CaseRows {
    /// The rows of entry `n`: its first, and one past its last.
    pub fn entry_span(&self, n: usize) -> Option<(usize, usize)> {
        let start = *self.entry_rows.get(n)?;
        let end = self
            .entry_rows
            .get(n + 1)
            .copied()
            .unwrap_or(self.rows.len());
        Some((start, end))
    }
}

impl CaseLayout {
    /// Lay the open case out for `width` (the case's inner width, less the gutter) unless it
    /// already is; its extent, for the model's scrolling. `None` off the case screen.
    pub fn prepare(&mut self, app: &App, width: u16) -> Option<app::CaseExtent> {
        let Screen::Case {
            data,
            entry,
            expanded,
            ..
        } = &app.screen
        else {
            *self = CaseLayout::default();
            return None;
        };
        let key = (app.case_shown, width, app.theme);
        if self.key != Some(key) {
            *self = CaseLayout {
                key: Some(key),
                laid: case_rows(
                    data,
                    app.case_focus(),
                    expanded,
                    &app.zone,
                    app.theme,
                    width,
                ),
            };
        }
        Some(app::CaseExtent {
            rows: self.laid.rows.len(),
            focus_row: self.laid.focus_row,
            entry_rows: self.laid.entry_span(*entry),
        })
    }

    /// The rows, if they were wrapped for this case, width and theme.
    fn rows_for(&self, app: &App, width: u16) -> Option<&CaseRows> {
        (self.key == Some((app.case_shown, width, app.theme))).then_some(&self.laid)
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
    if let Some(lock) = &app.screen_lock {
        render_lock(app, lock, frame, main);
        render_status(app, frame, status);
        return;
    }
    if app.privacy {
        // Nothing of a case on screen, not even what a dialog holds.
        render_tabs(app, frame, tabs);
        let text = format!(
            "Case text is hidden.\n\n{} shows it again; {} locks.",
            app.key_for(crate::tui::action::Action::Privacy),
            app.key_for(crate::tui::action::Action::LockScreen)
        );
        let block = Block::default().borders(Borders::ALL).title(" Privacy ");
        let inner = block.inner(main);
        frame.render_widget(block, main);
        let top = inner.height.saturating_sub(3) / 2;
        frame.render_widget(
            Paragraph::new(text).centered(),
            Rect {
                y: inner.y + top,
                height: inner.height.saturating_sub(top),
                ..inner
            },
        );
        render_status(app, frame, status);
        return;
    }
    render_tabs(app, frame, tabs);
    match &app.screen {
        Screen::Queues => render_list(app, frame, main),
        Screen::Case { data, scroll, .. } => render_case(app, data, *scroll, layout, frame, main),
        Screen::Roster {
            members,
            selected,
            attention,
            ..
        } => render_roster(app, members, *selected, attention, frame, main),
    }
    render_status(app, frame, status);
    if let Some(overlay) = &app.overlay {
        if app.theme.is_plain() {
            // Alone on the screen: a screen reader reads the dialog's lines, not halves of
            // the case's beside it.
            frame.render_widget(Clear, main);
        }
        render_overlay(app, overlay, frame);
    }
    if app.theme.is_plain() {
        plain(frame.buffer_mut());
    }
}

/// For a screen reader: every box-drawing and block character becomes a space, and the
/// decorative symbols become the plain characters a reader says briefly (▶ >, ● *, ‹ <, › >,
/// · -, ✎ *).
fn plain(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        let mut chars = cell.symbol().chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            continue;
        };
        let replaced = match c {
            '\u{2500}'..='\u{259F}' => " ",
            '▶' | '›' => ">",
            '‹' => "<",
            '●' | '✎' => "*",
            '·' => "-",
            _ => continue,
        };
        cell.set_symbol(replaced);
    }
}

fn render_overlay(app: &App, overlay: &Overlay, frame: &mut Frame) {
    match overlay {
        Overlay::Help(selected) => render_help(app, *selected, frame),
        Overlay::ConfirmQuit => {
            let drafts = match app.kept.len() {
                0 => String::new(),
                1 => "1 draft kept aside".into(),
                n => format!("{n} drafts kept aside"),
            };
            let mut text = String::new();
            if app.dirty {
                text.push_str("There are changes not saved yet:\n\n");
                for p in app.pending.iter().take(8) {
                    text.push_str(&format!("  • {}\n", inline(p)));
                }
                if app.pending.len() > 8 {
                    text.push_str(&format!(
                        "  … and {} more (u lists them)\n",
                        app.pending.len() - 8
                    ));
                }
                if !drafts.is_empty() {
                    text.push_str(&format!("\nand {drafts}: quitting drops it.\n"));
                }
                if app.read_only {
                    text.push_str(
                        "\nThis file cannot be written (the built-in demo never is).\n\n  s  \
                         save them as a new file\n  d  discard them and quit\n  any other key: \
                         cancel",
                    );
                } else {
                    text.push_str(
                        "\n  s  save and quit\n  d  discard them and quit\n  any other key: cancel",
                    );
                }
            } else {
                text.push_str(&format!(
                    "Everything is saved, but there is {drafts}: quitting drops it.\n\n  d  \
                     drop it and quit\n  any other key: cancel (open the same form on its case \
                     to go on)"
                ));
            }
            let title = if app.dirty {
                "Unsaved changes"
            } else {
                "Before quitting"
            };
            render_dialog(frame, title, &text)
        }
        Overlay::ChangedOnDisk => render_dialog(
            frame,
            "Changed on disk",
            "The file on disk is no longer the version you opened: another copy was saved or \
             synced over it.\n\n  m  merge that copy with yours and save (nothing of either \
             is lost; your unsaved changes are kept)\n  s  save your version under a new name \
             instead\n  any other key: not now (your changes stay in memory)",
        ),
        Overlay::SaveAs { path, error } => render_save_as(app, frame, path, error.as_deref()),
        Overlay::Note(editor) => {
            let area = centered(frame.area(), 80, 60);
            frame.render_widget(Clear, area);
            let block = Block::default()
                .borders(Borders::ALL)
                .title(" Note (Ctrl-D adds it, Esc asks before dropping it) ");
            let inner = block.inner(area);
            frame.render_widget(block, area);
            frame.render_widget(&**editor, inner);
        }
        Overlay::Status { options, selected } => {
            let lines: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    format!(
                        "{} {}{}",
                        if i == *selected { "▶" } else { " " },
                        s.as_str(),
                        if s.is_finished() { "  (final)" } else { "" }
                    )
                })
                .collect();
            let text = format!(
                "{}\n\n↑↓ choose, Enter moves, Esc cancels",
                lines.join("\n")
            );
            render_dialog(frame, "Move to", &text)
        }
        Overlay::Search {
            query,
            hits,
            selected,
        } => render_search(frame, query, hits, *selected),
        Overlay::Form(form) => render_form(app, form, frame),
        Overlay::Message {
            title,
            text,
            scroll,
        } => render_reading(frame, title, text, *scroll, true),
        Overlay::Pager {
            title,
            text,
            scroll,
        } => render_reading(frame, title, &body(text), *scroll, false),
        Overlay::Failure { text, scroll } => render_reading(
            frame,
            "Not done",
            &format!(
                "{}\n\n(Esc closes; any other key closes this and goes on. {} lists every \
                 message of this session.)",
                body(text),
                app.key_for(crate::tui::action::Action::MessageLog)
            ),
            *scroll,
            true,
        ),
        Overlay::Confirm { question, .. } => render_dialog(
            frame,
            "Confirm",
            &format!("{question}\n\n  y  yes\n  any other key: no (nothing typed is lost)"),
        ),
        Overlay::Discard { what, .. } => render_dialog(
            frame,
            "Drop what you typed?",
            &format!(
                "Drop {what}?\n\n  y  yes, drop it\n  k  keep it as a draft on this case (the \
                 same form brings it back)\n  any other key: no, go back to it"
            ),
        ),
        Overlay::Palette { query, selected } => render_palette(app, frame, query, *selected),
        Overlay::Jump { query, selected } => render_jump(app, frame, query, *selected),
        Overlay::Attachments { selected } => render_attachments(app, frame, *selected),
        Overlay::Pending { changes, selected } => render_pending(app, frame, changes, *selected),
    }
}

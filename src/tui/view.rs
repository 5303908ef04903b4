//! Drawing: pure functions of the model. No I/O, no clock reads, no changes to the model.
//! Every piece of text that came from a report or a member goes through the sanitiser.

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

/// Width of a form's label column.
const LABEL: u16 = 19;

/// Whether a choice shows only the selected option (with arrows): its options are sentences.
fn compact_choice(options: &[String]) -> bool {
    options.iter().any(|o| o.chars().count() > 24)
}

/// Rows a choice needs when its options wrap in `width` columns.
fn choice_rows(options: &[String], width: u16) -> u16 {
    if compact_choice(options) {
        return 1;
    }
    let (mut rows, mut used) = (1u16, 0usize);
    for option in options {
        let w = option.chars().count() + 2;
        if used + w > width as usize && used > 0 {
            rows += 1;
            used = 0;
        }
        used += w;
    }
    rows
}

fn render_form(app: &App, form: &Form, frame: &mut Frame) {
    let screen = frame.area();
    let width = (screen.width * 86 / 100).max(60.min(screen.width));
    let inner_width = width.saturating_sub(2);
    let value_width = inner_width.saturating_sub(LABEL);
    let mut lines: Vec<Line> = form
        .notes
        .iter()
        .map(|n| Line::from(inline(n).into_owned()).dim())
        .collect();
    // The decision form shows where the quorum stands for the outcome being chosen.
    if let (Purpose::Decide(_), Screen::Case { data, .. }) = (&form.purpose, &app.screen) {
        lines.push(Line::from(app::quorum_line(data, &form.value("outcome"))).bold());
    }
    if let Some(error) = &form.error {
        lines.push(Line::from(format!("✗ {}", inline(error))).bold().reversed());
    }
    if !lines.is_empty() {
        lines.push(Line::from(""));
    }
    // Wrapped here, so that the rows it needs are known before the dialog is laid out.
    let mut wrapped = Vec::with_capacity(lines.len());
    for line in lines {
        wrap_line(line, inner_width.max(1) as usize, &mut wrapped);
    }
    let header_rows = wrapped.len().min(u16::MAX as usize) as u16;
    let header = Paragraph::new(Text::from(wrapped));
    let rows: Vec<u16> = form
        .fields
        .iter()
        .map(|f| match &f.input {
            Input::Line(_) => 1,
            Input::Choice { options, .. } => choice_rows(options, value_width),
            Input::Text(_) => 8,
        })
        .collect();
    // Text fields give up rows (down to 3) when the screen is short.
    let mut rows = rows;
    let room = screen.height.saturating_sub(2);
    while header_rows + rows.iter().sum::<u16>() + 2 > room {
        match rows
            .iter_mut()
            .zip(&form.fields)
            .find(|(r, f)| matches!(f.input, Input::Text(_)) && **r > 3)
        {
            Some((r, _)) => *r -= 1,
            None => break,
        }
    }
    let needed = header_rows + rows.iter().sum::<u16>() + 2;
    let height = needed
        .min(screen.height.saturating_sub(2))
        .max(5.min(screen.height));
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", inline(&form.title)))
        .title_bottom(" Tab next  ←→ choose  Enter/Ctrl-D done  Esc cancel ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let header_rows = header_rows.min(inner.height);
    frame.render_widget(
        header,
        Rect {
            height: header_rows,
            ..inner
        },
    );
    let mut y = inner.y + header_rows;
    let bottom = inner.y + inner.height;
    for ((i, field), rows) in form.fields.iter().enumerate().zip(rows) {
        if y >= bottom {
            break;
        }
        let height = rows.min(bottom - y);
        let focused = i == form.focus;
        let label = Line::from(format!(
            "{}{}",
            if focused { "▶ " } else { "  " },
            field.label
        ));
        let label_area = Rect {
            x: inner.x,
            y,
            width: LABEL.min(inner.width),
            height,
        };
        let value_area = Rect {
            x: inner.x + label_area.width,
            y,
            width: inner.width - label_area.width,
            height,
        };
        // Long labels wrap under themselves, never into the value.
        frame.render_widget(
            Paragraph::new(if focused { label.bold() } else { label }).wrap(Wrap { trim: true }),
            label_area,
        );
        match &field.input {
            Input::Line(text) => {
                let cursor = if focused { "█" } else { "" };
                frame.render_widget(
                    Paragraph::new(format!("{}{cursor}", inline(text))),
                    value_area,
                );
            }
            Input::Choice {
                options, selected, ..
            } if compact_choice(options) => {
                let option = options.get(*selected).map(String::as_str).unwrap_or("");
                let counter = format!(" ›  {} of {}", selected + 1, options.len());
                let room = (value_area.width as usize).saturating_sub(counter.chars().count() + 3);
                let mut shown: String = inline(option).chars().take(room).collect();
                if shown.chars().count() < inline(option).chars().count() {
                    shown.pop();
                    shown.push('…');
                }
                let spans = vec![
                    Span::raw("‹ "),
                    Span::styled(shown, Style::new().reversed().bold()),
                    Span::raw(counter),
                ];
                frame.render_widget(Paragraph::new(Line::from(spans)), value_area);
            }
            Input::Choice {
                options, selected, ..
            } => {
                let spans: Vec<Span> = options
                    .iter()
                    .enumerate()
                    .map(|(n, option)| {
                        let text = format!(" {} ", inline(option));
                        if n == *selected {
                            Span::styled(text, Style::new().reversed().bold())
                        } else {
                            Span::raw(text)
                        }
                    })
                    .collect();
                frame.render_widget(
                    Paragraph::new(Line::from(spans)).wrap(Wrap { trim: false }),
                    value_area,
                );
            }
            Input::Text(editor) => {
                let text_block = Block::default().borders(Borders::LEFT);
                let text_area = text_block.inner(value_area);
                frame.render_widget(text_block, value_area);
                frame.render_widget(&**editor, text_area);
            }
        }
        y += height;
    }
}

fn render_roster(members: &[RosterRow], selected: usize, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 110;
    let header = TableRow::new(if wide {
        vec![
            "NAME",
            "ROLE",
            "EMAIL",
            "KEY",
            "FINGERPRINT",
            "MEMBER",
            "OPENS FILE",
        ]
    } else {
        vec!["NAME", "ROLE", "FINGERPRINT", "MEMBER", "OPENS"]
    })
    .bold();
    let rows = members.iter().map(|m| {
        let mut cells = vec![inline(&m.name).into_owned(), m.role.clone()];
        if wide {
            cells.push(inline(m.email.as_deref().unwrap_or("-")).into_owned());
            cells.push(m.key_type.clone());
        }
        cells.push(m.fingerprint.clone());
        cells.push(m.state.clone());
        cells.push(m.encrypted_to.clone());
        let row = TableRow::new(cells);
        if m.active { row } else { row.dim() }
    });
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(18),
            Constraint::Length(7),
            Constraint::Length(24),
            Constraint::Length(12),
            Constraint::Min(30),
            Constraint::Length(19),
            Constraint::Length(10),
        ]
    } else {
        vec![
            Constraint::Length(14),
            Constraint::Length(7),
            Constraint::Min(20),
            Constraint::Length(17),
            Constraint::Length(6),
        ]
    };
    let active = members.iter().filter(|m| m.active).count();
    let table = Table::new(rows, widths)
        .header(header)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" Committee ({active} active) ")),
        )
        .row_highlight_style(Style::new().reversed());
    let mut state = TableState::default().with_selected(Some(selected));
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_lock(app: &App, lock: &app::LockScreen, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let dots = "•".repeat(lock.typed.0.chars().count());
    let lines = vec![
        Line::from(Span::styled("casebook is locked", theme.heading())),
        Line::from(""),
        Line::from(inline(&lock.message).into_owned()),
        Line::from(""),
        Line::from(
            "Nothing from the case file is in memory now. To go on, type your key's passphrase \
             (if it has one) and press Enter.",
        ),
        Line::from(""),
        Line::from(vec![
            Span::raw("passphrase: "),
            Span::raw(dots),
            Span::raw("█"),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            "Ctrl-C quits (only when nothing is unsaved)",
            theme.muted(),
        )),
    ];
    let box_area = centered(area, 80, 70);
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Locked ")),
        box_area,
    );
}

fn render_search(frame: &mut Frame, query: &str, hits: &[super::app::Hit], selected: usize) {
    let area = centered(frame.area(), 90, 80);
    frame.render_widget(Clear, area);
    let mut lines = vec![Line::from(format!("/{}█", inline(query))), Line::from("")];
    if hits.is_empty() && !query.is_empty() {
        lines.push(Line::from("no matches").dim());
    }
    for (i, hit) in hits.iter().enumerate() {
        let mut spans = vec![Span::styled(
            format!("{:<18} ", hit.code),
            Style::new().bold(),
        )];
        // Sanitise each part between the match markers, then style the match.
        for (n, part) in hit.snippet.split(['\u{1}', '\u{2}']).enumerate() {
            let text = inline(&part.replace('\n', " ")).into_owned();
            spans.push(if n % 2 == 1 {
                Span::styled(text, Style::new().bold().underlined())
            } else {
                Span::raw(text)
            });
        }
        let line = Line::from(spans);
        lines.push(if i == selected { line.reversed() } else { line });
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Search (Enter opens, Esc closes) "),
        ),
        area,
    );
}

fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let labels: Vec<String> = app
        .queues
        .iter()
        .map(|(queue, count)| format!(" {} {} ", queue.as_str(), count))
        .collect();
    // On narrow terminals the tabs scroll so that the selected one is always in view.
    let width = |range: &[String]| range.iter().map(|l| l.chars().count()).sum::<usize>();
    if labels.is_empty() {
        return;
    }
    let selected = app.queue.min(labels.len() - 1);
    let mut first = 0;
    while first < selected && width(&labels[first..=selected]) + 2 > area.width as usize {
        first += 1;
    }
    let mut spans = Vec::new();
    if first > 0 {
        spans.push(Span::styled("‹ ", Style::new().dim()));
    }
    for (i, text) in labels.into_iter().enumerate().skip(first) {
        let style = if i == app.queue {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        };
        spans.push(Span::styled(text, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_list(app: &App, frame: &mut Frame, area: Rect) {
    // Narrow terminals drop severity and assignees rather than squeeze the title.
    let wide = area.width >= 110;
    let keep = |column: usize| wide || !matches!(column, 2 | 4);
    let pick = |cells: Vec<Line<'static>>| -> Vec<Line<'static>> {
        cells
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, c)| c)
            .collect()
    };
    let header = TableRow::new(pick(
        [
            "CASE", "STATUS", "SEVERITY", "AGE", "ASSIGNED", "DUE", "TITLE",
        ]
        .map(Line::from)
        .to_vec(),
    ))
    .bold();
    // Only the visible rows are built: lists of 10,000 cases scroll without lag.
    let visible = area.height.saturating_sub(3) as usize;
    let rows = app.rows.iter().skip(app.offset).take(visible).map(|r| {
        let short = |what: &str| {
            match what {
                "acknowledge" => "ack",
                "review emergency action" => "review",
                other => other,
            }
            .to_string()
        };
        let (due, overdue) = match &r.due {
            Some((what, true)) => (format!("LATE {}", short(what)), true),
            Some((what, false)) => (short(what), false),
            None => (String::new(), false),
        };
        let due_cell = if overdue {
            Span::styled(due, app.theme.overdue())
        } else {
            Span::raw(due)
        };
        TableRow::new(pick(vec![
            Line::from(r.code.clone()),
            Line::from(r.status.as_str()),
            Line::from(r.severity.map(|s| s.as_str()).unwrap_or("-")),
            Line::from(format!("{}d", r.age_days)),
            Line::from(inline(&r.assignees).into_owned()),
            Line::from(due_cell),
            Line::from(match &r.title {
                Some(t) => inline(t).into_owned(),
                None => "(hidden: you have a hard conflict)".into(),
            }),
        ]))
    });
    let all_widths = [
        Constraint::Length(16),
        Constraint::Length(13),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(16),
        Constraint::Length(11),
        Constraint::Min(20),
    ];
    let widths: Vec<Constraint> = all_widths
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, w)| w)
        .collect();
    let mut title = format!(" {} ({})", app.current_queue().as_str(), app.rows.len());
    if app.filter.is_active() {
        title.push_str(&format!(" — only {}", inline(&app.filter.describe())));
    }
    if app.sort != app::Sort::Urgency {
        title.push_str(&format!(" — by {}", app.sort.as_str()));
    }
    title.push(' ');
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::default().borders(Borders::ALL).title(title))
        .row_highlight_style(app.theme.selected());
    let mut state = TableState::default().with_selected(if app.rows.is_empty() {
        None
    } else {
        Some(app.selected.saturating_sub(app.offset))
    });
    frame.render_stateful_widget(table, area, &mut state);
    if app.rows.is_empty() {
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1,
        };
        frame.render_widget(Paragraph::new("No cases in this queue."), inner);
    }
}

/// The case screen as rows of exactly `width` columns or fewer (wrapped here, once per case
/// and width, so that drawing a frame only copies the visible rows), and the row where the
/// focused timeline entry starts.
pub fn case_rows(
    data: &CaseData,
    focus: Option<uuid::Uuid>,
    theme: Theme,
    width: u16,
) -> (Vec<Line<'static>>, Option<usize>) {
    let case = &data.case;
    let name = |id| {
        data.names
            .get(&id)
            .map(|n| inline(n).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.push(Line::from(vec![
        Span::styled(case.code_name.clone(), theme.heading()),
        Span::raw("  "),
        Span::raw(inline(&case.title).into_owned()),
    ]));
    lines.push(Line::from(format!(
        "status {}   severity {}   safety risk {}   channel {}   received {}",
        case.status,
        case.severity.map(|s| s.as_str()).unwrap_or("not assessed"),
        if case.safety_risk { "YES" } else { "no" },
        case.channel.as_str(),
        case.received_at.format("%Y-%m-%d"),
    )));
    let assignees: Vec<String> = case.assignees.iter().map(|id| name(*id)).collect();
    lines.push(Line::from(format!(
        "assignees {}",
        if assignees.is_empty() {
            "nobody".into()
        } else {
            assignees.join(", ")
        }
    )));
    {
        use crate::core::case::{IncidentAt, ScopeJudgement};
        let scope = match case.scope {
            ScopeJudgement::Undecided => "not judged yet",
            ScopeJudgement::InScope => "in scope",
            ScopeJudgement::OutOfScope => "out of scope",
        };
        let incident = match &case.incident {
            IncidentAt::Unknown => "date unknown".to_string(),
            IncidentAt::Around { date } => format!("around {date}"),
            IncidentAt::Exact { at } => at.format("%Y-%m-%d %H:%M").to_string(),
        };
        lines.push(Line::from(format!(
            "scope     {scope}   incident {incident}"
        )));
    }
    if let Some(venue) = &case.venue {
        lines.push(Line::from(format!("venue     {}", inline(venue))));
    }
    if !case.labels.is_empty() {
        let labels: Vec<String> = case.labels.iter().map(|l| inline(l).into_owned()).collect();
        lines.push(Line::from(format!("labels    {}", labels.join(", "))));
    }
    for (member, conflict) in &case.conflicts {
        lines.push(Line::from(
            format!("conflict  {} ({:?})", name(*member), conflict.kind).to_lowercase(),
        ));
    }
    if let Some(due) = &data.due {
        lines.push(Line::from(format!(
            "due       {} by {}",
            due.what,
            due.by.format("%Y-%m-%d %H:%M")
        )));
    }
    if !case.summary.trim().is_empty() {
        lines.push(Line::from(""));
        for line in body(&case.summary).lines() {
            lines.push(Line::from(line.to_string()));
        }
    }
    if !case.parties.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Parties").bold());
        for (n, p) in case.parties.iter().enumerate() {
            let (linked, others) = data
                .elsewhere
                .get(n)
                .map(|(l, o)| (l.as_deref(), o.as_slice()))
                .unwrap_or((None, &[]));
            let who = match (&p.identity, linked) {
                (PartyIdentity::Anonymous { contact_held_by }, _) => {
                    format!("anonymous (contact held by {})", name(*contact_held_by))
                }
                (_, Some(label)) => format!("{} (same person as elsewhere)", inline(label)),
                _ => inline(&p.label()).into_owned(),
            };
            let mut spans = vec![Span::raw(format!(
                "  {}. {:<9} {who}",
                n + 1,
                p.role.as_str()
            ))];
            if !others.is_empty() {
                // Repeat-behaviour awareness: the same person in other cases.
                spans.push(Span::styled(
                    format!("  also in {}", inline(&others.join(", "))),
                    theme.warning(),
                ));
            }
            lines.push(Line::from(spans));
        }
    }
    for e in case.unreviewed_emergencies() {
        lines.push(Line::from(Span::styled(
            format!(
                "EMERGENCY ACTION awaiting review: {} ({})",
                inline(&e.action),
                name(e.by)
            ),
            theme.alert(),
        )));
    }
    if let (Some(p), Some(t)) = (&case.proposal, &data.tally) {
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "Vote on {}: {} for, {} against, {} abstain; {} needed of {} ({}) — {}",
            inline(&p.outcome),
            t.for_,
            t.against,
            t.abstain,
            t.needed,
            t.eligible,
            t.rule,
            if t.met { "met" } else { "not met" }
        )));
    }
    if let Some(p) = &case.proposal {
        let votes: Vec<String> = data
            .eligible
            .iter()
            .map(|id| {
                let ballot = p.votes.get(id).map(|b| b.as_str()).unwrap_or("not voted");
                format!("{} {ballot}", name(*id))
            })
            .collect();
        lines.push(Line::from(format!("  votes: {}", votes.join(" · "))));
    }
    if let Some(d) = &case.decision {
        lines.push(Line::from(Span::styled(
            format!("Decision: {} by {}", inline(&d.outcome), name(d.by)),
            theme.decision(),
        )));
    }
    if !case.communications.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Communications").bold());
        for c in &case.communications {
            let to = match c.to {
                Audience::Reporter => "the reporter",
                Audience::Reported => "the reported person",
                Audience::Other => "others",
            };
            lines.push(Line::from(format!(
                "  {} to {to}: {} ({})",
                c.at.format("%Y-%m-%d"),
                inline(&c.summary),
                name(c.by)
            )));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from("Timeline").bold());
    let mut focus_line = None;
    for (event, depth) in threaded(&data.timeline) {
        if focus == Some(event.id) {
            focus_line = Some(lines.len());
        }
        let indent = "  ".repeat(depth);
        let amends = if depth > 0 {
            "↳ amends the entry above: "
        } else {
            ""
        };
        let marker = if focus == Some(event.id) { "▶ " } else { "" };
        lines.push(Line::from(vec![
            Span::raw(format!("{marker}{indent}")),
            Span::styled(
                event.at.format("%Y-%m-%d %H:%M ").to_string(),
                theme.muted(),
            ),
            Span::raw(format!("{:<14} ", name(event.author))),
            Span::raw(amends),
            Span::styled(
                describe::headline(&event.kind, &name),
                kind_style(&event.kind, theme),
            ),
        ]));
        if let Some(text) = describe::text(&event.kind) {
            for line in body(text).lines() {
                lines.push(Line::from(format!("    {indent}{line}")));
            }
        }
    }
    let mut rows = Vec::with_capacity(lines.len());
    let mut focus_row = None;
    for (n, line) in lines.into_iter().enumerate() {
        if focus_line == Some(n) {
            focus_row = Some(rows.len());
        }
        wrap_line(line, width.max(1) as usize, &mut rows);
    }
    (rows, focus_row)
}

/// Word-wrap one line into rows no wider than `width`, keeping each character's style; a
/// word longer than the width is cut.
fn wrap_line(line: Line<'static>, width: usize, rows: &mut Vec<Line<'static>>) {
    use unicode_width::UnicodeWidthChar;
    if line.width() <= width {
        rows.push(line);
        return;
    }
    let base = line.style;
    let cells: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|span| span.content.chars().map(move |c| (c, span.style)))
        .collect();
    let to_line = |cells: &[(char, Style)]| {
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut text = String::new();
        let mut style = None;
        for (c, s) in cells {
            if style.is_some_and(|current| current != *s) {
                spans.push(Span::styled(
                    std::mem::take(&mut text),
                    style.unwrap_or_default(),
                ));
            }
            style = Some(*s);
            text.push(*c);
        }
        if !text.is_empty() {
            spans.push(Span::styled(text, style.unwrap_or_default()));
        }
        Line::from(spans).style(base)
    };
    let mut start = 0;
    while start < cells.len() {
        let mut used = 0;
        let mut end = start;
        let mut last_space = None;
        while end < cells.len() {
            let w = cells[end].0.width().unwrap_or(0);
            if used + w > width {
                break;
            }
            if cells[end].0 == ' ' {
                last_space = Some(end);
            }
            used += w;
            end += 1;
        }
        if end >= cells.len() {
            rows.push(to_line(&cells[start..]));
            break;
        }
        // Break after the last space on the row when there is one.
        let cut = match last_space {
            Some(space) if space > start => space + 1,
            _ => end.max(start + 1),
        };
        rows.push(to_line(&cells[start..cut]));
        start = cut;
    }
}

fn render_case(
    app: &App,
    data: &CaseData,
    scroll: u16,
    layout: &CaseLayout,
    frame: &mut Frame,
    area: Rect,
) {
    let inner = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    };
    // The layout keeps the rows wrapped for the last width drawn; a new width wraps here.
    let computed;
    let rows = match layout.rows_for(app, inner.width) {
        Some(rows) => rows,
        None => {
            computed = case_rows(data, app.case_focus(), app.theme, inner.width).0;
            &computed
        }
    };
    let height = inner.height as usize;
    let top = (scroll as usize).min(rows.len().saturating_sub(height));
    let visible: Vec<Line> = rows.iter().skip(top).take(height).cloned().collect();
    let more = if rows.len() > height {
        format!(
            " {}-{} of {} ",
            top + 1,
            (top + height).min(rows.len()),
            rows.len()
        )
    } else {
        String::new()
    };
    frame.render_widget(
        Paragraph::new(Text::from(visible)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", data.case.code_name))
                .title_bottom(Line::from(more).right_aligned()),
        ),
        area,
    );
}

/// The timeline in order, each amendment right after what it amends (one level deeper).
fn threaded(timeline: &[Event]) -> Vec<(&Event, usize)> {
    let ids: std::collections::HashSet<uuid::Uuid> = timeline.iter().map(|e| e.id).collect();
    let mut children: std::collections::HashMap<uuid::Uuid, Vec<&Event>> = Default::default();
    let mut roots = Vec::new();
    for event in timeline {
        match event.amends {
            Some(target) if ids.contains(&target) && target != event.id => {
                children.entry(target).or_default().push(event)
            }
            _ => roots.push(event),
        }
    }
    let mut out = Vec::with_capacity(timeline.len());
    let mut stack: Vec<(&Event, usize)> = roots.into_iter().rev().map(|e| (e, 0)).collect();
    while let Some((event, depth)) = stack.pop() {
        out.push((event, depth));
        if let Some(kids) = children.remove(&event.id) {
            stack.extend(kids.into_iter().rev().map(|e| (e, depth + 1)));
        }
    }
    out
}

/// Timeline entries of different kinds look different.
fn kind_style(kind: &EventKind, theme: Theme) -> Style {
    match kind {
        EventKind::EmergencyRecorded { .. } => theme.alert(),
        EventKind::DecisionRecorded { .. } => theme.decision(),
        EventKind::VoteCast { .. }
        | EventKind::OutcomeProposed { .. }
        | EventKind::NoteAdded {
            note: NoteKind::Deliberation,
            ..
        } => theme.deliberation(),
        EventKind::ReportReceived { .. } | EventKind::CommunicationLogged { .. } => theme.report(),
        _ => Style::new().bold(),
    }
}

/// The key hints of the current screen, from the bindings in force.
fn hints(app: &App) -> String {
    use super::action::Action;
    let actions: &[Action] = match app.screen {
        Screen::Queues => &[
            Action::Open,
            Action::NextQueue,
            Action::Search,
            Action::Filter,
            Action::Sort,
            Action::Help,
            Action::Quit,
        ],
        Screen::Case { .. } => &[
            Action::AddNote,
            Action::ChangeStatus,
            Action::Vote,
            Action::Decide,
            Action::Export,
            Action::Back,
            Action::Help,
        ],
        Screen::Roster { .. } => &[
            Action::AddMember,
            Action::RemoveMember,
            Action::Rekey,
            Action::Back,
            Action::Help,
        ],
    };
    let context = app.context();
    actions
        .iter()
        .filter_map(|action| {
            let binding = app.bindings.iter().find(|b| {
                b.action == *action && (b.context == context || b.context == Context::Global)
            })?;
            Some(format!("{} {}", keymap::label(binding), action.name()))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let mut spans = vec![
        Span::styled(format!(" {} ", inline(&app.label)), theme.selected()),
        Span::raw(format!(
            " {} ",
            app.me.as_deref().map(inline).unwrap_or_default()
        )),
    ];
    if app.dirty {
        spans.push(Span::styled("● unsaved ", theme.warning()));
    }
    if app.disk_changed {
        spans.push(Span::styled("⚠ changed on disk ", theme.error()));
    }
    if let Some(left) = app.idle_left {
        spans.push(Span::styled(format!("locks in {left}s "), theme.warning()));
    }
    if app.locked.is_none() {
        spans.push(Span::raw(format!(" {}  ", inline(&app.status))));
        spans.push(Span::styled(hints(app), theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_help(app: &App, selected: usize, frame: &mut Frame) {
    let here = app.context();
    let mut lines = Vec::new();
    let mut selected_line = 0;
    let mut context = None;
    for (i, entry) in keymap::help_entries(&app.bindings).into_iter().enumerate() {
        if context != Some(entry.context) {
            context = Some(entry.context);
            lines.push(Line::from(Span::styled(
                entry.context.title(),
                app.theme.heading(),
            )));
        }
        let line = Line::from(format!(
            "  {:<15} {}",
            entry.keys,
            keymap::describe(entry.context, entry.action)
        ));
        // Actions of other screens are listed, dimmed; they run only there.
        let line = if entry.context != Context::Global && entry.context != here {
            line.style(app.theme.muted())
        } else {
            line
        };
        if i == selected {
            selected_line = lines.len();
            lines.push(line.style(app.theme.selected()));
        } else {
            lines.push(line);
        }
    }
    let area = centered(frame.area(), 70, 90);
    let visible = area.height.saturating_sub(2) as usize;
    // Keep the selected entry in view, its heading too when there is room.
    let scroll = selected_line
        .saturating_sub(visible.saturating_sub(2))
        .min(lines.len().saturating_sub(visible));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .scroll((scroll as u16, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Keys ")
                    .title_bottom(" ↑↓ choose  Enter runs it  any other key closes "),
            ),
        area,
    );
}

fn render_dialog(frame: &mut Frame, title: &str, text: &str) {
    let area = centered(frame.area(), 60, 40);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(text.to_string())
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {title} ")),
            ),
        area,
    );
}

/// A rectangle of `w`% by `h`% in the middle of `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let width = area.width * w / 100;
    let height = area.height * h / 100;
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

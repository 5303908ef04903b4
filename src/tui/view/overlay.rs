//! What is drawn over the screens: the key list, the search, the lock screen, small dialogs.

use super::*;

pub(super) fn render_lock(app: &App, lock: &app::LockScreen, frame: &mut Frame, area: Rect) {
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

pub(super) fn render_search(
    frame: &mut Frame,
    query: &LineEdit,
    hits: &[app::Hit],
    selected: usize,
) {
    let area = centered(frame.area(), 90, 80);
    frame.render_widget(Clear, area);
    let inner_width = area.width.saturating_sub(2) as usize;
    let (shown, _) = query.window(inner_width.saturating_sub(2), |t| inline(t).into_owned());
    let mut lines = vec![Line::from(format!("/{shown}█")), Line::from("")];
    if hits.is_empty() && !query.text().is_empty() {
        lines.push(Line::from("no matches").dim());
    }
    // The hits scroll so that the selected one stays in view.
    let room = (area.height.saturating_sub(2) as usize)
        .saturating_sub(2)
        .max(1);
    let first = selected.saturating_sub(room.saturating_sub(1));
    for (i, hit) in hits.iter().enumerate().skip(first).take(room) {
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
    let count = if hits.is_empty() {
        String::new()
    } else {
        format!(" {} of {} ", selected + 1, hits.len())
    };
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Search (Enter opens, Esc closes) ")
                .title_bottom(Line::from(count).right_aligned()),
        ),
        area,
    );
}

pub(super) fn render_save_as(app: &App, frame: &mut Frame, path: &LineEdit, error: Option<&str>) {
    let area = fitted(frame.area(), 70, 8 + u16::from(error.is_some()) * 2);
    frame.render_widget(Clear, area);
    let width = area.width.saturating_sub(2) as usize;
    let (shown, column) = path.window(width, |t| inline(t).into_owned());
    let mut lines = vec![Line::from("New file name:"), Line::from("")];
    lines.push(with_cursor(&shown, column));
    lines.push(Line::from(""));
    if let Some(error) = error {
        lines.push(Line::from(format!("✗ {}", inline(error))).style(app.theme.error()));
        lines.push(Line::from(""));
    }
    lines.push(Line::from("Enter saves, Esc cancels").style(app.theme.muted()));
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Save as ")),
        area,
    );
}

/// A one-line text with the cursor shown (reversed) at `column`.
pub(super) fn with_cursor(shown: &str, column: usize) -> Line<'static> {
    use unicode_width::UnicodeWidthChar;
    let mut before = String::new();
    let mut at = None;
    let mut after = String::new();
    let mut col = 0;
    for c in shown.chars() {
        if at.is_none() && col >= column {
            at = Some(c);
        } else if at.is_some() {
            after.push(c);
        } else {
            before.push(c);
        }
        col += c.width().unwrap_or(0);
    }
    let cursor = at.map(String::from).unwrap_or_else(|| " ".into());
    Line::from(vec![
        Span::raw(before),
        Span::styled(cursor, Style::new().add_modifier(Modifier::REVERSED)),
        Span::raw(after),
    ])
}

pub(super) fn render_palette(app: &App, frame: &mut Frame, query: &LineEdit, selected: usize) {
    let area = centered(frame.area(), 80, 70);
    frame.render_widget(Clear, area);
    let width = area.width.saturating_sub(2) as usize;
    let (shown, column) = query.window(width.saturating_sub(2), |t| inline(t).into_owned());
    let mut first = with_cursor(&shown, column);
    first.spans.insert(0, Span::raw("> "));
    let mut lines = vec![first, Line::from("")];
    let entries = app.palette(query.text());
    if entries.is_empty() {
        lines.push(Line::from("no action matches").dim());
    }
    let room = (area.height.saturating_sub(2) as usize)
        .saturating_sub(2)
        .max(1);
    let start = selected.saturating_sub(room.saturating_sub(1));
    for (i, entry) in entries.iter().enumerate().skip(start).take(room) {
        let text = match &entry.unavailable {
            None => format!("{:<10} {}", entry.keys, entry.action.describe()),
            Some(why) => format!(
                "{:<10} {} — not now: {why}",
                entry.keys,
                entry.action.describe()
            ),
        };
        let mut line = Line::from(ellipsis(&text, width));
        if entry.unavailable.is_some() {
            line = line.style(app.theme.muted());
        }
        if i == selected {
            line = line.style(app.theme.selected());
        }
        lines.push(line);
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Run an action (type to narrow, Enter runs, Esc closes) "),
        ),
        area,
    );
}

/// `:` jumping to a case: what was typed, and the code names that match, best first.
pub(super) fn render_jump(app: &App, frame: &mut Frame, query: &LineEdit, selected: usize) {
    let matches = app.jump_matches(query.text());
    let height = (matches.len() as u16 + 4).clamp(5, 16);
    let area = fitted(frame.area(), 60, height);
    frame.render_widget(Clear, area);
    let width = area.width.saturating_sub(2) as usize;
    let (shown, column) = query.window(width.saturating_sub(2), |t| inline(t).into_owned());
    let mut first = with_cursor(&shown, column);
    first.spans.insert(0, Span::raw(":"));
    let mut lines = vec![first];
    if matches.is_empty() {
        lines.push(Line::from("no case matches").dim());
    }
    let room = (area.height.saturating_sub(3) as usize).max(1);
    let start = selected.saturating_sub(room.saturating_sub(1));
    for (i, code) in matches.iter().enumerate().skip(start).take(room) {
        let mut line = Line::from(ellipsis(&inline(code), width));
        if i == selected {
            line = line.style(app.theme.selected());
        }
        lines.push(line);
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Jump to a case (Tab completes, Enter opens, Esc closes) "),
        ),
        area,
    );
}

pub(super) fn render_attachments(app: &App, frame: &mut Frame, selected: usize) {
    let Screen::Case { data, .. } = &app.screen else {
        return;
    };
    let height = (data.attachments.len() as u16 + 6).min(frame.area().height.saturating_sub(2));
    let area = fitted(frame.area(), 90, height);
    frame.render_widget(Clear, area);
    let width = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for (i, a) in data.attachments.iter().enumerate() {
        let text = format!(
            "{}. {}  ({}, {} bytes){}",
            i + 1,
            inline(&a.name),
            inline(&a.content_type),
            a.size,
            if app::is_text(&a.content_type) {
                ""
            } else {
                "  not text"
            }
        );
        let line = Line::from(ellipsis(&text, width));
        lines.push(if i == selected {
            line.style(app.theme.selected())
        } else {
            line
        });
    }
    lines.push(Line::from(""));
    lines.push(
        Line::from(
            "Enter reads a text one · w saves to a file (plaintext, asks first) · Esc closes",
        )
        .style(app.theme.muted()),
    );
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" Attachments of {} ", data.case.code_name)),
            ),
        area,
    );
}

/// A text to read: as wide as the screen allows, scrolled, kept until dismissed. A message
/// (the export result) is drawn without side borders, so that its command lines copy cleanly.
pub(super) fn render_reading(
    frame: &mut Frame,
    title: &str,
    text: &str,
    scroll: u16,
    message: bool,
) {
    let screen = frame.area();
    let width = if message {
        screen.width
    } else {
        (screen.width * 9 / 10).max(screen.width.min(60))
    };
    let inner_width = width.saturating_sub(if message { 0 } else { 2 }).max(1) as usize;
    let mut rows = Vec::new();
    for line in text.lines() {
        wrap_line(Line::from(line.to_string()), inner_width, &mut rows);
    }
    let height = (rows.len() as u16 + 2)
        .min(screen.height.saturating_sub(2))
        .max(3.min(screen.height));
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    };
    let visible = height.saturating_sub(2) as usize;
    let top = (scroll as usize).min(rows.len().saturating_sub(visible));
    let more = if rows.len() > visible {
        format!(
            " ↑↓ PgUp PgDn scroll · {}-{} of {} · Esc closes ",
            top + 1,
            (top + visible).min(rows.len()),
            rows.len()
        )
    } else {
        " Esc or Enter closes ".to_string()
    };
    let shown: Vec<Line> = rows.into_iter().skip(top).take(visible).collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Text::from(shown)).block(
            Block::default()
                .borders(if message {
                    Borders::TOP | Borders::BOTTOM
                } else {
                    Borders::ALL
                })
                .title(format!(" {} ", inline(title)))
                .title_bottom(Line::from(more).right_aligned()),
        ),
        area,
    );
}

pub(super) fn render_help(app: &App, selected: usize, frame: &mut Frame) {
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
        let here_now = entry.context == Context::Global || entry.context == here;
        let why = if here_now {
            app.unavailable(entry.action)
        } else {
            None
        };
        let text = match &why {
            Some(why) => format!(
                "  {:<15} {} — not now: {why}",
                entry.keys,
                keymap::describe(entry.context, entry.action)
            ),
            None => format!(
                "  {:<15} {}",
                entry.keys,
                keymap::describe(entry.context, entry.action)
            ),
        };
        let line = Line::from(text);
        // Actions of other screens, and those not possible now, are listed dimmed.
        let line = if !here_now || why.is_some() {
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

pub(super) fn render_dialog(frame: &mut Frame, title: &str, text: &str) {
    // As tall as its text needs (wrapped), within the screen.
    let screen = frame.area();
    let width = (screen.width * 6 / 10).max(screen.width.min(64));
    let inner = width.saturating_sub(2).max(1) as usize;
    let mut rows = Vec::new();
    for line in text.lines() {
        wrap_line(Line::from(line.to_string()), inner, &mut rows);
    }
    let area = fitted(
        screen,
        width * 100 / screen.width.max(1),
        rows.len() as u16 + 2,
    );
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

/// A rectangle `w`% wide and `rows` high (within `area`), in its middle.
pub(super) fn fitted(area: Rect, w: u16, rows: u16) -> Rect {
    let width = (area.width * w.min(100) / 100).max(area.width.min(40));
    let height = rows.min(area.height).max(3.min(area.height));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A rectangle of `w`% by `h`% in the middle of `area`.
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let width = area.width * w / 100;
    let height = area.height * h / 100;
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// The changes not saved yet, one selected (x drops it, with its later changes on the same
/// case).
pub(super) fn render_pending(
    app: &App,
    frame: &mut Frame,
    changes: &[app::PendingChange],
    selected: usize,
) {
    let rows = changes.len().max(1) as u16;
    let height = (rows + 5).min(frame.area().height.saturating_sub(2));
    let area = fitted(frame.area(), 90, height);
    frame.render_widget(Clear, area);
    let width = area.width.saturating_sub(2) as usize;
    let inner = height.saturating_sub(5) as usize;
    let first = selected.saturating_sub(inner.saturating_sub(1));
    let mut lines = Vec::new();
    if changes.is_empty() {
        lines.push(Line::from("Nothing is waiting to be saved.").style(app.theme.muted()));
    }
    for (i, c) in changes.iter().enumerate().skip(first).take(inner.max(1)) {
        let mark = if i == selected { "▶" } else { "•" };
        let line = Line::from(ellipsis(&format!("{mark} {}", inline(&c.said)), width));
        lines.push(if i == selected {
            line.style(app.theme.selected())
        } else {
            line
        });
    }
    lines.push(Line::from(""));
    lines.push(
        Line::from(ellipsis(
            "Ctrl-S saves them all · x drops the selected one (and its later changes on the \
             same case) · Esc closes",
            width * 2,
        ))
        .style(app.theme.muted()),
    );
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" Not saved yet ({}) ", changes.len())),
            ),
        area,
    );
}

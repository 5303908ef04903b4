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

pub(super) fn render_search(frame: &mut Frame, query: &str, hits: &[app::Hit], selected: usize) {
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

pub(super) fn render_dialog(frame: &mut Frame, title: &str, text: &str) {
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

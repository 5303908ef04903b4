//! The queue tabs and the case list (only the visible rows are built).

use super::*;

pub(super) fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
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
    let mut used = if first > 0 { 2 } else { 0 };
    let total = labels.len();
    for (i, text) in labels.into_iter().enumerate().skip(first) {
        let w = text.chars().count();
        // Leave room for the marker that more tabs follow.
        if used + w + if i + 1 < total { 2 } else { 0 } > area.width as usize && i > selected {
            spans.push(Span::styled(" ›", Style::new().dim()));
            break;
        }
        used += w;
        let style = if i == app.queue {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        };
        spans.push(Span::styled(text, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub(super) fn render_list(app: &App, frame: &mut Frame, area: Rect) {
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
    // The title gets what the other columns leave (one column between each), cut with `…`.
    let fixed: u16 = [16u16, 13, 8, 5, 16, 11]
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, w)| w + 1)
        .sum();
    let title_width = (area.width.saturating_sub(2 + fixed) as usize).max(20);
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
            Line::from(ellipsis(
                &match &r.title {
                    Some(t) => inline(t).into_owned(),
                    None if r.sealed => "(sealed from you)".into(),
                    None => "(hidden: you have a hard conflict)".into(),
                },
                title_width,
            )),
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

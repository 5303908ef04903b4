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

/// The list's columns other than the title: header, width, and how much it is worth when the
/// screen is narrow (0 always shown; then 1, 2, 3 as room allows). Severity and what is due
/// matter more than the assignees and the age.
const COLUMNS: [(&str, u16, u8); 6] = [
    ("CASE", 16, 0),
    ("STATUS", 13, 0),
    ("SEVERITY", 8, 1),
    ("AGE", 5, 3),
    ("ASSIGNED", 16, 2),
    ("DUE", 11, 1),
];

/// The title keeps at least this many columns before a column of lower worth is shown.
const TITLE_MIN: u16 = 20;

/// Which of [`COLUMNS`] fit `width` (inside the borders).
fn shown_columns(width: u16) -> [bool; 6] {
    let mut shown = [false; 6];
    let mut used = 0u16;
    for worth in 0..=3u8 {
        for (i, (_, w, level)) in COLUMNS.iter().enumerate() {
            if *level == worth && (worth <= 1 || used + w + 1 + TITLE_MIN <= width) {
                shown[i] = true;
                used += w + 1;
            }
        }
    }
    shown
}

pub(super) fn render_list(app: &App, frame: &mut Frame, area: Rect) {
    // Narrow terminals leave out the age, then the assignees, rather than squeeze the title
    // or the severity; every cut value ends in `…`.
    let shown = shown_columns(area.width.saturating_sub(2));
    let pick = |cells: Vec<Line<'static>>| -> Vec<Line<'static>> {
        let title = cells.last().cloned().unwrap_or_default();
        let mut kept: Vec<Line<'static>> = cells
            .into_iter()
            .take(COLUMNS.len())
            .enumerate()
            .filter(|(i, _)| shown[*i])
            .map(|(_, c)| c)
            .collect();
        kept.push(title);
        kept
    };
    let mut header: Vec<Line<'static>> = COLUMNS.iter().map(|(h, _, _)| Line::from(*h)).collect();
    header.push(Line::from("TITLE"));
    let header = TableRow::new(pick(header)).bold();
    // Only the visible rows are built: lists of 10,000 cases scroll without lag.
    let visible = area.height.saturating_sub(3) as usize;
    // The title gets what the other columns leave (one column between each), cut with `…`.
    let fixed: u16 = COLUMNS
        .iter()
        .enumerate()
        .filter(|(i, _)| shown[*i])
        .map(|(_, (_, w, _))| w + 1)
        .sum();
    let title_width = (area.width.saturating_sub(2 + fixed) as usize).max(TITLE_MIN as usize);
    let cut = |text: &str, column: usize| ellipsis(text, COLUMNS[column].1 as usize);
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
        let due = cut(&due, 5);
        let due_cell = if overdue {
            Span::styled(due, app.theme.overdue())
        } else {
            Span::raw(due)
        };
        TableRow::new(pick(vec![
            Line::from(cut(&inline(&r.code), 0)),
            Line::from(cut(r.status.as_str(), 1)),
            Line::from(cut(r.severity.map(|s| s.as_str()).unwrap_or("-"), 2)),
            Line::from(cut(&format!("{}d", r.age_days), 3)),
            Line::from(cut(&inline(&r.assignees), 4)),
            Line::from(due_cell),
            Line::from(ellipsis(
                &match &r.title {
                    Some(t) => inline(t).into_owned(),
                    None if r.sealed => "(sealed from you)".into(),
                    None => "(hidden: you declared a hard conflict)".into(),
                },
                title_width,
            )),
        ]))
    });
    let mut widths: Vec<Constraint> = COLUMNS
        .iter()
        .enumerate()
        .filter(|(i, _)| shown[*i])
        .map(|(_, (_, w, _))| Constraint::Length(*w))
        .collect();
    widths.push(Constraint::Min(TITLE_MIN));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_list_leaves_out_the_age_and_assignees_before_the_severity() {
        let names = |width| {
            COLUMNS
                .iter()
                .zip(shown_columns(width))
                .filter(|(_, shown)| *shown)
                .map(|((h, _, _), _)| *h)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(70), ["CASE", "STATUS", "SEVERITY", "DUE"]);
        assert_eq!(names(78), ["CASE", "STATUS", "SEVERITY", "AGE", "DUE"]);
        assert_eq!(names(92), ["CASE", "STATUS", "SEVERITY", "ASSIGNED", "DUE"]);
        assert_eq!(
            names(118),
            ["CASE", "STATUS", "SEVERITY", "AGE", "ASSIGNED", "DUE"]
        );
    }
}

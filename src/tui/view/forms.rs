//! A form drawn over the screen: its notes (wrapped here, so the dialog fits them), the live
//! quorum line, the error, and each field by kind.

use super::*;

/// Width of a form's label column.
pub(super) const LABEL: u16 = 19;

/// Whether a choice shows only the selected option (with arrows): its options are sentences.
pub(super) fn compact_choice(options: &[String]) -> bool {
    options
        .iter()
        .any(|o| o.chars().count() > crate::tui::form::COMPACT_OVER)
}

/// The options as shown, each with the key that chooses it (see [`crate::tui::form::with_key`]).
pub(super) fn shown_options(options: &[String], keys: &[char]) -> Vec<String> {
    options
        .iter()
        .zip(keys)
        .map(|(option, key)| crate::tui::form::with_key(&inline(option), *key))
        .collect()
}

/// Rows a choice needs when its options wrap in `width` columns.
pub(super) fn choice_rows(options: &[String], keys: &[char], width: u16) -> u16 {
    if compact_choice(options) {
        return 1;
    }
    let (mut rows, mut used) = (1u16, 0usize);
    for option in shown_options(options, keys) {
        let w = option.chars().count() + 2;
        if used + w > width as usize && used > 0 {
            rows += 1;
            used = 0;
        }
        used += w;
    }
    rows
}

pub(super) fn render_form(app: &App, form: &Form, frame: &mut Frame) {
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
            Input::Choice { options, keys, .. } => choice_rows(options, keys, value_width),
            Input::Text(_) => 8,
        })
        .collect();
    // Text fields give up rows (down to 3) when the screen is short, also to leave a preview
    // (if the form has one) rows enough to read.
    let mut rows = rows;
    let room = screen.height.saturating_sub(2);
    let for_preview = if form.preview.is_some() {
        PREVIEW_ROWS
    } else {
        0
    };
    while header_rows + rows.iter().sum::<u16>() + 2 + for_preview > room {
        match rows
            .iter_mut()
            .zip(&form.fields)
            .find(|(r, f)| matches!(f.input, Input::Text(_)) && **r > 3)
        {
            Some((r, _)) => *r -= 1,
            None => break,
        }
    }
    // A preview takes the rows left below the fields (the dialog grows for it).
    let fields_rows = header_rows + rows.iter().sum::<u16>() + 2;
    let preview = preview_lines(
        form,
        app.today,
        inner_width,
        room.saturating_sub(fields_rows) as usize,
    );
    let preview_rows = if preview.is_empty() {
        0
    } else {
        (preview.len().min(u16::MAX as usize) as u16).min(room.saturating_sub(fields_rows))
    };
    let needed = fields_rows + preview_rows;
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
        .title_bottom(" Tab/Enter next  letters or ←→ choose  Ctrl-D done  Esc cancel ");
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
                let (shown, column) =
                    text.window(value_area.width as usize, |t| inline(t).into_owned());
                let line = if focused {
                    super::overlay::with_cursor(&shown, column)
                } else {
                    Line::from(shown)
                };
                frame.render_widget(Paragraph::new(line), value_area);
            }
            Input::Choice {
                options,
                keys,
                selected,
                ..
            } if compact_choice(options) => {
                let shown = shown_options(options, keys);
                let option = shown.get(*selected).map(String::as_str).unwrap_or("");
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
                options,
                keys,
                selected,
                ..
            } => {
                // A tab strip marks the tabs whose text was changed here.
                let edited: Vec<bool> = match &form.tabs {
                    Some(tabs) if tabs.by == field.key => form.tabs_changed(),
                    _ => Vec::new(),
                };
                let spans: Vec<Span> = shown_options(options, keys)
                    .iter()
                    .enumerate()
                    .map(|(n, option)| {
                        let mark = if edited.get(n) == Some(&true) {
                            " ✎"
                        } else {
                            ""
                        };
                        let text = format!(" {option}{mark} ");
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
    if preview_rows > 0 && y < bottom {
        let area = Rect {
            x: inner.x,
            y,
            width: inner.width,
            height: preview_rows.min(bottom - y),
        };
        frame.render_widget(Paragraph::new(Text::from(preview)), area);
    }
}

/// Rows a preview keeps on a short screen (text fields give up theirs for it).
const PREVIEW_ROWS: u16 = 7;

/// The preview of what a form writes, wrapped to `width`: a rule naming it, then the record of
/// the tab shown, as it will read with the text typed now (and written `today`). When the whole record does not fit
/// in `room` rows, it starts at the title (the table of case, outcome, signer and commit above
/// it says nothing the member is writing).
fn preview_lines(
    form: &Form,
    today: chrono::NaiveDate,
    width: u16,
    room: usize,
) -> Vec<Line<'static>> {
    let (Some(preview), Some(tabs)) = (&form.preview, &form.tabs) else {
        return Vec::new();
    };
    let Some(record) = preview.records.get(tabs.shown) else {
        return Vec::new();
    };
    let audience = form.value(tabs.by);
    let audience = audience.trim_end_matches(" ✓");
    let mut lines = vec![
        Line::from(format!(
            "── the {audience} record as it will read (signed at export) ──"
        ))
        .bold(),
    ];
    match record {
        Ok(record) => {
            let text = record
                .with_text(
                    &form.value("title"),
                    &form.value("summary"),
                    &format!("{} on {}", preview.by, today.format("%Y-%m-%d")),
                )
                .to_markdown();
            let wrapped = |body: &[&str]| {
                let mut out = Vec::new();
                for line in body {
                    wrap_line(
                        Line::from(inline(line).into_owned()).dim(),
                        width.max(1) as usize,
                        &mut out,
                    );
                }
                out
            };
            let body: Vec<&str> = text.lines().collect();
            let mut shown = wrapped(&body);
            if shown.len() + 1 > room
                && let Some(title) = body.iter().position(|l| l.starts_with("## "))
            {
                shown = wrapped(&body[title..]);
            }
            lines.extend(shown);
        }
        Err(why) => {
            lines.push(Line::from(format!("No record can be made yet: {}", inline(why))).dim())
        }
    }
    lines
}

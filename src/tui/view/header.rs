//! The case screen's pinned header, and cutting text to a width with an ellipsis.

use super::*;

/// The text shown in `width` columns at most, cut with `…` when longer.
pub(super) fn ellipsis(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The pinned header's three rows: code and title; status, severity, safety risk and the
/// assignees; what is due, by when (in the member's zone, said), overdue marked.
pub(super) fn header_rows(app: &App, data: &CaseData, width: usize) -> Vec<Line<'static>> {
    let case = &data.case;
    let theme = app.theme;
    let name = |id| {
        data.names
            .get(&id)
            .map(|n| inline(n).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let code = case.code_name.clone();
    // What a merge brought that the rules do not allow together is the first thing said.
    let attention = match case.attention.len() {
        0 => String::new(),
        n => format!("⚠ {n} need{} attention (z) ", if n == 1 { "s" } else { "" }),
    };
    if data.sealed_from_me() {
        // The copy holds no title, severity or assignees: say so rather than show blanks.
        return vec![
            Line::from(vec![
                Span::styled(code, theme.heading()),
                Span::raw("  "),
                Span::styled(attention, theme.alert()),
                Span::styled("(sealed from you)", theme.warning()),
            ]),
            Line::from(vec![
                Span::styled(case.status.as_str().to_string(), theme.heading()),
                Span::raw(ellipsis(
                    &format!("  ·  received {}", app.zone.show(case.received_at)),
                    width.saturating_sub(case.status.as_str().len()),
                )),
            ]),
            due_line(app, data, width),
        ];
    }
    let title = ellipsis(
        &inline(&case.title),
        width.saturating_sub(code.chars().count() + 2 + attention.chars().count()),
    );
    let assignees: Vec<String> = case.assignees.iter().map(|id| name(*id)).collect();
    let state = format!(
        "{}  ·  severity {}  ·  safety risk {}  ·  assigned {}",
        case.status,
        case.severity.map(|s| s.as_str()).unwrap_or("not assessed"),
        if case.safety_risk { "YES" } else { "no" },
        if assignees.is_empty() {
            "nobody".into()
        } else {
            assignees.join(", ")
        }
    );
    let mut state_spans = vec![Span::styled(
        case.status.as_str().to_string(),
        theme.heading(),
    )];
    let rest = ellipsis(
        &state[case.status.as_str().len()..],
        width.saturating_sub(case.status.as_str().len()),
    );
    if case.safety_risk {
        // The safety risk stands out.
        match rest.split_once("YES") {
            Some((a, b)) => {
                state_spans.push(Span::raw(a.to_string()));
                state_spans.push(Span::styled("YES", theme.alert()));
                state_spans.push(Span::raw(b.to_string()));
            }
            None => state_spans.push(Span::raw(rest)),
        }
    } else {
        state_spans.push(Span::raw(rest));
    }
    vec![
        Line::from(vec![
            Span::styled(code, theme.heading()),
            Span::raw("  "),
            Span::styled(attention, theme.alert()),
            Span::raw(title).bold(),
        ]),
        Line::from(state_spans),
        due_line(app, data, width),
    ]
}

/// What is due, by when (overdue marked); or the decision, or nothing due.
fn due_line(app: &App, data: &CaseData, width: usize) -> Line<'static> {
    let theme = app.theme;
    let case = &data.case;
    if let Some(x) = &case.expunged {
        let name = |id| {
            data.names
                .get(&id)
                .map(|n| inline(n).into_owned())
                .unwrap_or_else(|| "a former member".into())
        };
        return Line::from(vec![Span::styled(
            ellipsis(
                &format!(
                    "EXPUNGED on {} ({}): proposed by {}, approved by {}; what is left is its \
                     retained record",
                    app.zone.show(x.approved_at),
                    x.reason.as_str(),
                    name(x.by),
                    name(x.approved_by)
                ),
                width,
            ),
            theme.decision(),
        )]);
    }
    match &data.due {
        Some(due) if due.by < app.now => {
            let late = app.now - due.by;
            let late = if late.num_days() >= 1 {
                crate::core::describe::count(late.num_days() as usize, "day", "days")
            } else {
                crate::core::describe::count(late.num_hours().max(1) as usize, "hour", "hours")
            };
            Line::from(vec![
                Span::styled(format!(" OVERDUE by {late} "), theme.overdue()),
                Span::raw(ellipsis(
                    &format!(" {} was due by {}", due.what, app.zone.show(due.by)),
                    width.saturating_sub(22),
                )),
            ])
        }
        Some(due) => Line::from(ellipsis(
            &format!("due: {} by {}", due.what, app.zone.show(due.by)),
            width,
        )),
        None => match &case.decision {
            Some(d) => Line::from(vec![Span::styled(
                ellipsis(
                    // A copy the case is sealed from holds no outcome.
                    &if d.outcome.is_empty() {
                        format!("decided on {}", app.zone.show(d.at))
                    } else {
                        format!("decided: {} on {}", inline(&d.outcome), app.zone.show(d.at))
                    },
                    width,
                ),
                theme.decision(),
            )]),
            None => Line::from(Span::styled("nothing due", theme.muted())),
        },
    }
}

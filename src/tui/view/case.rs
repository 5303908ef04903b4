//! The case screen: the case laid out as rows for one width (once per case and width, see
//! [`super::CaseLayout`]), and the visible rows drawn.

use super::*;

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
pub(super) fn wrap_line(line: Line<'static>, width: usize, rows: &mut Vec<Line<'static>>) {
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

pub(super) fn render_case(
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
pub(super) fn threaded(timeline: &[Event]) -> Vec<(&Event, usize)> {
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
pub(super) fn kind_style(kind: &EventKind, theme: Theme) -> Style {
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

//! The case screen: a pinned header (status, severity, safety risk, what is due and when, in
//! the member's time zone), then the case laid out as rows for one width (once per case and
//! width, see [`super::CaseLayout`]) with the timeline as selectable entries, every entry with
//! its full content; the visible rows are drawn, the selected entry marked in a gutter.

use super::*;
use std::collections::BTreeSet;

use super::entry::{entry_details, entry_headline};

/// Lines a folded note or report shows before "… N more lines".
const FOLDED_LINES: usize = 6;

/// The case as rows of exactly `width` columns or fewer (wrapped here, once per case and
/// width, so that drawing a frame only copies the visible rows), with where each timeline
/// entry starts and where the focused one does.
pub fn case_rows(
    data: &CaseData,
    focus: Option<uuid::Uuid>,
    expanded: &BTreeSet<uuid::Uuid>,
    zone: &app::Zone,
    theme: Theme,
    width: u16,
) -> CaseRows {
    if data.sealed_from_me() {
        return sealed_rows(data, zone, theme, width);
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    for section in [
        access_lines,
        attention_lines,
        next_lines,
        fact_lines,
        party_lines,
        measure_lines,
        decision_lines,
    ] {
        section(data, zone, theme, &mut lines);
    }
    let (entry_lines, focus_line) = timeline_lines(data, focus, expanded, zone, theme, &mut lines);
    let mut rows = Vec::with_capacity(lines.len());
    let mut focus_row = None;
    let mut entry_rows = Vec::with_capacity(entry_lines.len());
    let mut next_entry = entry_lines.iter().peekable();
    for (n, line) in lines.into_iter().enumerate() {
        if focus_line == Some(n) {
            focus_row = Some(rows.len());
        }
        if next_entry.peek() == Some(&&n) {
            next_entry.next();
            entry_rows.push(rows.len());
        }
        wrap_line(line, width.max(1) as usize, &mut rows);
    }
    CaseRows {
        rows,
        focus_row,
        entry_rows,
    }
}

/// The timeline: a heading, then each entry with its details (a long text folded unless
/// `expanded`); gives the line each entry starts at, and the focused one's.
fn timeline_lines(
    data: &CaseData,
    focus: Option<uuid::Uuid>,
    expanded: &BTreeSet<uuid::Uuid>,
    zone: &app::Zone,
    theme: Theme,
    lines: &mut Vec<Line<'static>>,
) -> (Vec<usize>, Option<usize>) {
    let name = |id| member_name(data, id);
    lines.push(Line::from(""));
    lines.push(
        Line::from(format!(
            "Timeline ({}, times in {}; ]/[ select, Enter shows an entry whole)",
            crate::core::describe::count(data.order.len(), "entry", "entries"),
            zone.name()
        ))
        .bold(),
    );
    let mut focus_line = None;
    let mut entry_lines = Vec::with_capacity(data.order.len());
    for (index, depth) in &data.order {
        let Some(event) = data.timeline.get(*index) else {
            continue;
        };
        entry_lines.push(lines.len());
        if focus == Some(event.id) {
            focus_line = Some(lines.len());
        }
        let indent = "  ".repeat(*depth);
        let amends = if *depth > 0 {
            "↳ amends the entry above: "
        } else {
            ""
        };
        let author = name(event.author);
        lines.push(Line::from(vec![
            Span::raw(indent.clone()),
            Span::styled(format!("{} ", zone.short(event.at)), theme.muted()),
            Span::raw(amends),
            Span::styled(
                entry_headline(event, &author, &name),
                kind_style(&event.kind, theme),
            ),
        ]));
        for (line, style) in entry_details(event, data, zone) {
            let style = match style {
                Some("decision") => theme.decision(),
                Some("alert") => theme.warning(),
                Some("heading") => Style::new().bold(),
                Some("report") => theme.report(),
                _ => Style::new(),
            };
            for part in body(&line).lines() {
                lines.push(Line::from(Span::styled(
                    format!("    {indent}{part}"),
                    style,
                )));
            }
        }
        if !matches!(event.kind, EventKind::DecisionRecorded { .. })
            && let Some(text) = describe::text(&event.kind)
        {
            let text = body(text);
            let all: Vec<&str> = text.lines().collect();
            let whole = expanded.contains(&event.id) || all.len() <= FOLDED_LINES + 1;
            let shown = if whole { all.len() } else { FOLDED_LINES };
            for line in &all[..shown] {
                lines.push(Line::from(format!("    {indent}{line}")));
            }
            if !whole {
                lines.push(Line::from(Span::styled(
                    format!(
                        "    {indent}… {} more lines (Enter shows them)",
                        all.len() - shown
                    ),
                    theme.muted(),
                )));
            }
        }
    }
    (entry_lines, focus_line)
}

/// Who may read a sealed case, first: what is written here reaches these members only.
fn access_lines(data: &CaseData, zone: &app::Zone, theme: Theme, lines: &mut Vec<Line<'static>>) {
    let case = &data.case;
    let name = |id| member_name(data, id);
    if let Some(sealed) = &case.sealed {
        // Who may read it, first: what is written here reaches these members only.
        let excluded: Vec<String> = sealed
            .excluded
            .iter()
            .map(|(id, why)| match why {
                Some(why) => format!("{} ({})", name(*id), why.describe()),
                None => name(*id),
            })
            .collect();
        let readers: Vec<String> = sealed.readers.iter().map(|id| name(*id)).collect();
        lines.push(Line::from(Span::styled(
            format!(
                "Sealed since {} from {}; readable by {} only",
                zone.show(sealed.since),
                if excluded.is_empty() {
                    "nobody now".to_string()
                } else {
                    excluded.join(", ")
                },
                readers.join(", ")
            ),
            theme.warning(),
        )));
        lines.push(Line::from(""));
    }
}

/// What a merge brought that the rules do not allow together, until a member resolves it.
fn attention_lines(
    data: &CaseData,
    zone: &app::Zone,
    theme: Theme,
    lines: &mut Vec<Line<'static>>,
) {
    let case = &data.case;
    let name = |id| member_name(data, id);
    if !case.attention.is_empty() {
        // A merge brought changes the rules do not allow together: shown first, until a
        // member records how it was resolved.
        lines.push(Line::from(Span::styled(
            "Needs attention (z resolves)",
            theme.alert(),
        )));
        for a in &case.attention {
            lines.push(Line::from(vec![
                Span::styled("  ⚠ ", theme.alert()),
                Span::raw(format!(
                    "{} — {}, {} (item {})",
                    inline(&a.what.summary()),
                    name(a.by),
                    zone.short(a.at),
                    &crate::core::describe::short_event(&a.event)
                )),
            ]));
        }
        lines.push(Line::from(""));
    }
}

/// What is next on this case for the member who opened the file.
fn next_lines(data: &CaseData, zone: &app::Zone, theme: Theme, lines: &mut Vec<Line<'static>>) {
    let case = &data.case;
    let name = |id| member_name(data, id);
    // What is next on this case for the member who opened the file.
    if let Some((me, _)) = data.me {
        let mut next = describe::next_for(
            case,
            me,
            &data.eligible,
            data.due.as_ref(),
            &|id| name(id),
            &|at| zone.show(at),
        );
        if case.readable_by(me) {
            next.extend(describe::after_decision(
                case,
                &data.settings,
                chrono::Utc::now().date_naive(),
                &|id| name(id),
            ));
        }
        if !next.is_empty() {
            lines.push(Line::from(Span::styled("Next for you", theme.heading())));
            for item in next {
                lines.push(Line::from(format!("  · {}", inline(&item))));
            }
            lines.push(Line::from(""));
        }
    }
}

/// The case's facts: channel, dates, scope, venue, clauses, labels, conflicts, attachments, summary.
fn fact_lines(data: &CaseData, zone: &app::Zone, theme: Theme, lines: &mut Vec<Line<'static>>) {
    let case = &data.case;
    let name = |id| member_name(data, id);
    pair(
        lines,
        theme,
        format!("channel {}", case.channel.as_str()),
        format!("received {}", zone.show(case.received_at)),
    );
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
            IncidentAt::Exact { at } => zone.show(*at),
        };
        pair(
            lines,
            theme,
            format!("scope     {scope}"),
            format!("incident {incident}"),
        );
    }
    if let Some(venue) = &case.venue {
        lines.push(Line::from(format!("venue     {}", inline(venue))));
    }
    if !case.clauses.is_empty() {
        let clauses: Vec<String> = case
            .clauses
            .iter()
            .map(|l| inline(l).into_owned())
            .collect();
        lines.push(Line::from(format!("clauses   {}", clauses.join(", "))));
    }
    if !case.labels.is_empty() {
        let labels: Vec<String> = case.labels.iter().map(|l| inline(l).into_owned()).collect();
        lines.push(Line::from(format!("labels    {}", labels.join(", "))));
    }
    for (member, conflict) in &case.conflicts {
        // Names keep their case; the reason is in the timeline entry.
        lines.push(Line::from(format!(
            "conflict  {} ({})",
            name(*member),
            describe::conflict_kind(conflict.kind)
        )));
    }
    if !data.attachments.is_empty() {
        lines.push(Line::from(format!(
            "files     {} attachment{} (t lists them)",
            data.attachments.len(),
            if data.attachments.len() == 1 { "" } else { "s" }
        )));
    }
    if !case.summary.trim().is_empty() {
        lines.push(Line::from(""));
        for line in body(&case.summary).lines() {
            lines.push(Line::from(line.to_string()));
        }
    }
}

/// The parties.
fn party_lines(data: &CaseData, _zone: &app::Zone, theme: Theme, lines: &mut Vec<Line<'static>>) {
    let case = &data.case;
    let name = |id| member_name(data, id);
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
                (Disclosure::Anonymous { contact_held_by }, _) => {
                    format!("anonymous (contact held by {})", name(*contact_held_by))
                }
                (Disclosure::Held { held_by, .. }, _) => {
                    let mine = data.me.is_some_and(|(me, _)| me == *held_by);
                    format!(
                        "contact held by {} (sealed to them){}",
                        name(*held_by),
                        if mine { " — o opens it" } else { "" }
                    )
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
}

/// Emergency actions, the appeal and the sanctions.
fn measure_lines(data: &CaseData, zone: &app::Zone, theme: Theme, lines: &mut Vec<Line<'static>>) {
    let case = &data.case;
    let name = |id| member_name(data, id);
    if !case.emergencies.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Emergency actions").bold());
        for e in &case.emergencies {
            match &e.review {
                None => lines.push(Line::from(Span::styled(
                    format!(
                        "  AWAITING REVIEW: {} ({}, {})",
                        inline(&e.action),
                        name(e.by),
                        zone.short(e.at)
                    ),
                    theme.alert(),
                ))),
                Some((by, at, note)) => {
                    lines.push(Line::from(format!(
                        "  {} ({}, {})",
                        inline(&e.action),
                        name(e.by),
                        zone.short(e.at)
                    )));
                    lines.push(Line::from(format!(
                        "    reviewed by {} {}: {}",
                        name(*by),
                        zone.short(*at),
                        inline(note)
                    )));
                }
            }
        }
    }
    if let Some(appeal) = &case.appeal {
        lines.push(Line::from(""));
        lines.push(Line::from("Appeal").bold());
        let outs: Vec<String> = appeal.panel_out.iter().map(|m| name(*m)).collect();
        lines.push(Line::from(format!(
            "  {} ({}, {}): {}",
            appeal.grounds,
            name(appeal.by),
            zone.short(appeal.at),
            match &appeal.decided {
                Some((outcome, _)) => format!("decided {}", inline(outcome)),
                None => format!("open; appeals {}", inline(&appeal.original.outcome)),
            }
        )));
        lines.push(Line::from(format!(
            "  left out of its vote: {}",
            outs.join(", ")
        )));
    }
    if !case.sanctions.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Sanctions").bold());
        let today = chrono::Utc::now().date_naive();
        for (n, s) in case.sanctions.iter().enumerate() {
            lines.push(Line::from(format!("  {}", inline(&s.line(n + 1, today)))));
            if !s.conditions.is_empty() {
                lines.push(Line::from(format!(
                    "     to return: {}",
                    inline(&s.conditions)
                )));
            }
            let left = s.still_to_tell(today);
            if !left.is_empty() {
                lines.push(Line::from(Span::styled(
                    format!("     to tell: {}", inline(&left.join(", "))),
                    theme.warning(),
                )));
            }
        }
    }
}

/// The vote, the proposal, the decision and what was told to whom.
fn decision_lines(data: &CaseData, zone: &app::Zone, theme: Theme, lines: &mut Vec<Line<'static>>) {
    let case = &data.case;
    let name = |id| member_name(data, id);
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
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                "Decision: {} — recorded by {} on {}",
                inline(&d.outcome),
                name(d.by),
                zone.show(d.at)
            ),
            theme.decision(),
        )));
        if let Some(reason) = &d.override_reason {
            lines.push(Line::from(Span::styled(
                format!("  chair's override of the vote: {}", inline(reason)),
                theme.warning(),
            )));
        }
        for line in body(&d.rationale).lines() {
            lines.push(Line::from(format!("  {line}")));
        }
    }
    if !case.communications.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Communications").bold());
        for c in &case.communications {
            lines.push(Line::from(format!(
                "  {} to {}: {} ({})",
                zone.short(c.at),
                describe::audience(c.to),
                inline(&c.summary),
                name(c.by)
            )));
        }
    }
}

/// Two facts side by side where there is room to read; one a line for a screen reader.
fn pair(lines: &mut Vec<Line<'static>>, theme: Theme, first: String, second: String) {
    if theme.is_plain() {
        lines.push(Line::from(first));
        lines.push(Line::from(second));
    } else {
        lines.push(Line::from(format!("{first}   {second}")));
    }
}

/// A member's name as the case shows it.
fn member_name(data: &CaseData, id: crate::core::roster::MemberId) -> String {
    data.names
        .get(&id)
        .map(|n| inline(n).into_owned())
        .unwrap_or_else(|| "?".into())
}

/// What a copy holds of a case sealed from its member: when it was received and sealed; no
/// timeline (there is nothing of it to show), and not why or to whom.
fn sealed_rows(data: &CaseData, zone: &app::Zone, theme: Theme, width: u16) -> CaseRows {
    let case = &data.case;
    let me = data.me.map(|(id, _)| id);
    // The code name, status, received and due dates are in the header above.
    let mut lines = Vec::new();
    if let Some(sealed) = &case.sealed {
        // Not who reads it or why it is kept from this member: only its readers see that.
        lines.push(Line::from(Span::styled(
            format!(
                "Sealed from you since {}: its content is not in your copy.",
                zone.show(sealed.since),
            ),
            theme.warning(),
        )));
    }
    if let Some(kind) = me.and_then(|me| case.conflict_of(me)) {
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "You declared a {} conflict of interest on it: c withdraws it (a member who can \
             read the case may then give you access again).",
            describe::conflict_kind(kind)
        )));
    }
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        wrap_line(line, width.max(1) as usize, &mut rows);
    }
    CaseRows {
        rows,
        focus_row: None,
        entry_rows: Vec::new(),
    }
}

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
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", data.case.code_name));
    let inner = block.inner(area);
    let header_height = app::CASE_HEADER.min(inner.height);
    let header_area = Rect {
        height: header_height,
        ..inner
    };
    let rule_y = inner.y + header_height;
    let body_area = Rect {
        x: inner.x + GUTTER.min(inner.width),
        y: (rule_y + 1).min(inner.y + inner.height),
        width: inner.width.saturating_sub(GUTTER),
        height: inner.height.saturating_sub(header_height + 1),
    };
    // The layout keeps the rows wrapped for the last width drawn; a new width wraps here.
    let computed;
    let laid = match layout.rows_for(app, body_area.width) {
        Some(laid) => laid,
        None => {
            let (expanded, _) = match &app.screen {
                Screen::Case {
                    expanded, entry, ..
                } => (expanded.clone(), *entry),
                _ => Default::default(),
            };
            computed = case_rows(
                data,
                app.case_focus(),
                &expanded,
                &app.zone,
                app.theme,
                body_area.width,
            );
            &computed
        }
    };
    let rows = &laid.rows;
    let height = body_area.height as usize;
    let top = (scroll as usize).min(rows.len().saturating_sub(height));
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
    frame.render_widget(block.title_bottom(Line::from(more).right_aligned()), area);
    frame.render_widget(
        Paragraph::new(Text::from(header_rows(app, data, inner.width as usize))),
        header_area,
    );
    if rule_y < inner.y + inner.height {
        frame.render_widget(
            Paragraph::new("─".repeat(inner.width as usize)).style(app.theme.muted()),
            Rect {
                y: rule_y,
                height: 1,
                ..inner
            },
        );
    }
    let visible: Vec<Line> = rows.iter().skip(top).take(height).cloned().collect();
    frame.render_widget(Paragraph::new(Text::from(visible)), body_area);
    // The selected entry: a mark in the gutter beside its rows.
    let selected = match &app.screen {
        Screen::Case { entry, .. } => laid.entry_span(*entry),
        _ => None,
    };
    if let Some((start, end)) = selected {
        for row in start.max(top)..end.min(top + height) {
            let y = body_area.y + (row - top) as u16;
            let mark = if row == start { "▶" } else { "┃" };
            frame.render_widget(
                Paragraph::new(Span::styled(mark, app.theme.heading())),
                Rect {
                    x: inner.x,
                    y,
                    width: 1.min(inner.width),
                    height: 1,
                },
            );
        }
    }
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

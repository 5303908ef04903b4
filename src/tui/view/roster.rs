//! The committee screen: members, roles, keys and whether the file opens for them.

use super::*;

pub(super) fn render_roster(
    app: &App,
    members: &[RosterRow],
    selected: usize,
    attention: &[(crate::core::attention::Attention, String)],
    frame: &mut Frame,
    area: Rect,
) {
    // Roster changes a merge could not apply are shown under the members until resolved.
    let area = if attention.is_empty() {
        area
    } else {
        let rows = (attention.len() as u16 + 2).min(area.height / 2);
        let [members, below] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(rows)]).areas(area);
        let width = below.width.saturating_sub(2) as usize;
        let lines: Vec<Line> = attention
            .iter()
            .map(|(a, by)| {
                Line::from(vec![
                    Span::styled("⚠ ", app.theme.alert()),
                    Span::raw(ellipsis(
                        &format!(
                            "{} — {}, {} (item {})",
                            inline(&a.what.summary()),
                            inline(by),
                            app.zone.short(a.at),
                            &crate::core::describe::short_event(&a.event)
                        ),
                        width.saturating_sub(2),
                    )),
                ])
            })
            .collect();
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(app.theme.alert())
                    .title(" Roster changes that need attention (z resolves, a chair) "),
            ),
            below,
        );
        members
    };
    // The screen for checking keys shows every fingerprint and address whole: columns of
    // less worth are left out first (the key type, the membership dates), and only a
    // terminal too narrow for a name and a fingerprint cuts them (with `…`; Enter shows one
    // member whole).
    let longest = |f: &dyn Fn(&RosterRow) -> usize, header: &str| {
        members
            .iter()
            .map(f)
            .max()
            .unwrap_or(0)
            .max(header.chars().count()) as u16
    };
    let columns: [(&str, u16, u8); 7] = [
        (
            "NAME",
            longest(&|m| inline(&m.name).chars().count(), "NAME").min(24),
            0,
        ),
        ("ROLE", 6, 1),
        (
            "EMAIL",
            longest(
                &|m| m.email.as_deref().map_or(1, |e| inline(e).chars().count()),
                "EMAIL",
            ),
            2,
        ),
        ("KEY", longest(&|m| m.key_type.chars().count(), "KEY"), 3),
        (
            "FINGERPRINT",
            longest(&|m| m.fingerprint.chars().count(), "FINGERPRINT"),
            0,
        ),
        ("MEMBER", longest(&|m| m.state.chars().count(), "MEMBER"), 2),
        ("OPENS FILE", 10, 1),
    ];
    let room = area.width.saturating_sub(2);
    let mut shown = [false; 7];
    let mut used = 0u16;
    for worth in 0..=3u8 {
        for (i, (_, w, level)) in columns.iter().enumerate() {
            if *level == worth && (worth == 0 || used + w < room) {
                shown[i] = true;
                used += w + 1;
            }
        }
    }
    // Too narrow for a name and a fingerprint whole: the fingerprint takes what is left.
    let fp_room = if used > room + 1 {
        (columns[4].1 as usize)
            .saturating_sub((used - room - 1) as usize)
            .max(12)
    } else {
        columns[4].1 as usize
    };
    let header = TableRow::new(
        columns
            .iter()
            .zip(shown)
            .filter(|(_, s)| *s)
            .map(|((h, _, _), _)| Line::from(*h))
            .collect::<Vec<_>>(),
    )
    .bold();
    let rows = members.iter().map(|m| {
        let cells = [
            ellipsis(&inline(&m.name), columns[0].1 as usize),
            m.role.clone(),
            inline(m.email.as_deref().unwrap_or("-")).into_owned(),
            m.key_type.clone(),
            ellipsis(&m.fingerprint, fp_room),
            m.state.clone(),
            m.encrypted_to.clone(),
        ];
        let row = TableRow::new(
            cells
                .into_iter()
                .zip(shown)
                .filter(|(_, s)| *s)
                .map(|(c, _)| c)
                .collect::<Vec<_>>(),
        );
        if m.active { row } else { row.dim() }
    });
    let widths: Vec<Constraint> = columns
        .iter()
        .zip(shown)
        .filter(|(_, s)| *s)
        .map(|((_, w, _), _)| Constraint::Length(*w))
        .collect();
    let active = members.iter().filter(|m| m.active).count();
    let table = Table::new(rows, widths)
        .header(header)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" Committee ({active} active) "))
                .title_bottom(Line::from(" Enter shows a member whole ").style(app.theme.muted())),
        )
        .row_highlight_style(Style::new().reversed());
    let mut state = TableState::default().with_selected(Some(selected));
    frame.render_stateful_widget(table, area, &mut state);
}

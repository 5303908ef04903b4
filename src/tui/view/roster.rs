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
                            &a.event.to_string()[..8]
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
    // Cut values end in `…`; Enter shows the selected member whole.
    let fp_width = if wide {
        (area.width as usize)
            .saturating_sub(2 + 19 + 8 + 25 + 13 + 20 + 11)
            .max(20)
    } else {
        (area.width as usize)
            .saturating_sub(2 + 15 + 8 + 18 + 7)
            .max(12)
    };
    let rows = members.iter().map(|m| {
        let mut cells = vec![
            ellipsis(&inline(&m.name), if wide { 18 } else { 14 }),
            m.role.clone(),
        ];
        if wide {
            cells.push(ellipsis(&inline(m.email.as_deref().unwrap_or("-")), 24));
            cells.push(m.key_type.clone());
        }
        cells.push(ellipsis(&m.fingerprint, fp_width));
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
                .title(format!(" Committee ({active} active) "))
                .title_bottom(Line::from(" Enter shows a member whole ").style(app.theme.muted())),
        )
        .row_highlight_style(Style::new().reversed());
    let mut state = TableState::default().with_selected(Some(selected));
    frame.render_stateful_widget(table, area, &mut state);
}

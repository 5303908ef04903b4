//! The committee screen: members, roles, keys and whether the file opens for them.

use super::*;

pub(super) fn render_roster(members: &[RosterRow], selected: usize, frame: &mut Frame, area: Rect) {
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
    let rows = members.iter().map(|m| {
        let mut cells = vec![inline(&m.name).into_owned(), m.role.clone()];
        if wide {
            cells.push(inline(m.email.as_deref().unwrap_or("-")).into_owned());
            cells.push(m.key_type.clone());
        }
        cells.push(m.fingerprint.clone());
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
                .title(format!(" Committee ({active} active) ")),
        )
        .row_highlight_style(Style::new().reversed());
    let mut state = TableState::default().with_selected(Some(selected));
    frame.render_stateful_widget(table, area, &mut state);
}

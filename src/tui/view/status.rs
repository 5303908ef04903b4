//! The status bar: the file, the member, unsaved changes, the idle countdown, the last
//! message and the current screen's key hints.

use super::*;

/// The key hints of the current screen, from the bindings in force: only what can be done
/// now (an action the case does not allow is left out; `?` lists it with the reason).
pub(super) fn hints(app: &App) -> String {
    use crate::tui::action::Action;
    let actions: &[Action] = match app.screen {
        Screen::Queues => &[
            Action::Open,
            Action::NextQueue,
            Action::Search,
            Action::Filter,
            Action::Sort,
            Action::Help,
            Action::Quit,
        ],
        Screen::Case { .. } => &[
            Action::AddNote,
            Action::ReviewEmergency,
            Action::ChangeStatus,
            Action::Vote,
            Action::Decide,
            Action::Export,
            Action::Attachments,
            Action::NextEntry,
            Action::Back,
            Action::Palette,
            Action::Help,
        ],
        Screen::Roster { .. } => &[
            Action::Open,
            Action::AddMember,
            Action::RemoveMember,
            Action::Rekey,
            Action::Back,
            Action::Help,
        ],
    };
    let context = app.context();
    actions
        .iter()
        .filter(|action| app.unavailable(**action).is_none())
        .filter_map(|action| {
            let binding = app.bindings.iter().find(|b| {
                b.action == *action && (b.context == context || b.context == Context::Global)
            })?;
            Some(format!("{} {}", keymap::label(binding), action.name()))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

pub(super) fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let mut spans = vec![
        Span::styled(format!(" {} ", inline(&app.label)), theme.selected()),
        Span::raw(format!(
            " {} ",
            app.me.as_deref().map(inline).unwrap_or_default()
        )),
    ];
    if app.dirty {
        spans.push(Span::styled("● unsaved ", theme.warning()));
    }
    if app.disk_changed {
        spans.push(Span::styled("⚠ changed on disk ", theme.error()));
    }
    if let Some(behind) = &app.clock_behind {
        spans.push(Span::styled(
            format!("⚠ clock {} behind ", inline(behind)),
            theme.warning(),
        ));
    }
    if let Some(left) = app.idle_left {
        spans.push(Span::styled(format!("locks in {left}s "), theme.warning()));
    }
    if app.locked.is_none() {
        // The message first, then as many hints as fit, cut with an ellipsis.
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let room = (area.width as usize).saturating_sub(used);
        let status = ellipsis(&inline(&app.status), room.saturating_sub(2));
        let room = room.saturating_sub(status.chars().count() + 3);
        if !status.is_empty() {
            spans.push(Span::raw(format!(" {status}  ")));
        } else {
            spans.push(Span::raw(" "));
        }
        if room > 4 {
            spans.push(Span::styled(ellipsis(&hints(app), room), theme.muted()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

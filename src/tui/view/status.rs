//! The status bar: the file, the member, unsaved changes, the idle countdown, the last
//! message and the keys of what has the keys now (the screen, or the dialog over it), as
//! many as fit whole.

use super::*;
use crate::tui::action::Action;

/// The hints of a screen, in the order they are worth showing.
fn screen_hints(screen: &Screen) -> &'static [Action] {
    match screen {
        Screen::Queues => &[
            Action::Open,
            Action::Jump,
            Action::Search,
            Action::NextQueue,
            Action::Filter,
            Action::Sort,
            Action::NewCase,
            Action::Palette,
            Action::MessageLog,
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
            Action::MessageLog,
        ],
        Screen::Roster { .. } => &[
            Action::Open,
            Action::AddMember,
            Action::RemoveMember,
            Action::Rekey,
            Action::Back,
            Action::MessageLog,
        ],
    }
}

/// The key hints for what has the keys now, from the bindings in force: on a screen only
/// what can be done now (an action the case does not allow is left out; `?` lists it with
/// the reason); over a dialog, the dialog's own keys.
pub(super) fn hints(app: &App) -> Vec<String> {
    let label = |action: Action, context: Context| {
        app.bindings
            .iter()
            .find(|b| b.action == action && (b.context == context || b.context == Context::Global))
            .map(|b| format!("{} {}", keymap::label(b), action.name()))
    };
    match &app.overlay {
        // A question says its own keys.
        Some(overlay) if overlay.context() == Context::Question => Vec::new(),
        Some(overlay) => {
            let context = overlay.context();
            let mut seen: Vec<Action> = Vec::new();
            // What carries the dialog out and what leaves it first.
            let rank = |a: Action| match a {
                Action::Done | Action::Open => 0,
                Action::Back => 1,
                _ => 2,
            };
            let mut bindings: Vec<&keymap::Binding> = app.bindings.iter().collect();
            bindings.sort_by_key(|b| rank(b.action));
            bindings
                .into_iter()
                .filter(|b| b.context == context && !is_move(b.action))
                .filter_map(|b| {
                    if seen.contains(&b.action) {
                        return None;
                    }
                    seen.push(b.action);
                    Some(format!("{} {}", keymap::label(b), b.action.name()))
                })
                .collect()
        }
        None => {
            let context = app.context();
            screen_hints(&app.screen)
                .iter()
                .filter(|action| app.unavailable(**action).is_none())
                .filter_map(|action| label(*action, context))
                .collect()
        }
    }
}

/// Moving within a dialog: its arrows need no hint.
fn is_move(action: Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
    )
}

/// As many `hints` as fit whole in `room` columns, with `? help` kept last when some are
/// left out.
fn fitted(app: &App, hints: &[String], room: usize) -> String {
    let help = app
        .overlay
        .is_none()
        .then(|| format!("{} help", app.key_for(Action::Help)));
    let mut shown: Vec<&str> = Vec::new();
    let mut used = 0;
    for (i, hint) in hints.iter().enumerate() {
        let width = hint.chars().count() + 2;
        let reserve = match &help {
            Some(help) if i + 1 < hints.len() => help.chars().count() + 2,
            _ => 0,
        };
        if used + width + reserve > room {
            break;
        }
        shown.push(hint);
        used += width;
    }
    let mut line = shown.join("  ");
    if let Some(help) = help
        && used + help.chars().count() + 2 <= room
    {
        if !line.is_empty() {
            line.push_str("  ");
        }
        line.push_str(&help);
    }
    line
}

/// `text` cut from the left to `width` columns (`…/c.cases.age`): a path's end says most.
fn tail(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return text.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

pub(super) fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let width = area.width as usize;
    // The file and the member take at most a quarter and a fifth of the bar, so that a long
    // path or name never hides the message and the keys.
    let label = tail(&inline(&app.label), (width / 4).max(12));
    let me = app
        .me
        .as_deref()
        .map(|m| ellipsis(&inline(m), (width / 5).max(8)))
        .unwrap_or_default();
    let mut spans = vec![
        Span::styled(format!(" {label} "), theme.selected()),
        Span::raw(format!(" {me} ")),
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
    if app.privacy {
        spans.push(Span::styled("◌ hidden ", theme.warning()));
    }
    if let Some(left) = app.idle_left {
        spans.push(Span::styled(format!("locks in {left}s "), theme.warning()));
    }
    if app.screen_lock.is_none() {
        // The message first (whole when it fits; the log keeps it whole), then as many whole
        // hints as fit.
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let room = width.saturating_sub(used);
        let message = inline(&app.status);
        let mark = if app.status_is_error { "✗ " } else { "" };
        let full = format!("{mark}{message}");
        let shown = if full.chars().count() + 2 > room {
            let more = format!(" ({} shows all)", app.key_for(Action::MessageLog));
            format!(
                "{}{more}",
                ellipsis(&full, room.saturating_sub(more.chars().count() + 2))
            )
        } else {
            full
        };
        let room = room.saturating_sub(shown.chars().count() + 3);
        if !shown.is_empty() {
            let style = if app.status_is_error {
                theme.error()
            } else {
                Style::new()
            };
            spans.push(Span::styled(format!(" {shown}"), style));
            spans.push(Span::raw("  "));
        } else {
            spans.push(Span::raw(" "));
        }
        if room > 4 {
            spans.push(Span::styled(fitted(app, &hints(app), room), theme.muted()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_cut_from_its_start() {
        assert_eq!(
            tail("/home/m/sync/committee.cases.age", 18),
            "…mmittee.cases.age"
        );
        assert_eq!(tail("short", 18), "short");
    }
}

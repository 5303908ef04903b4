//! Key bindings as data: which key does what, on which screen. The help overlay is generated
//! from this table, so it is never out of date.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Everywhere.
    Global,
    /// The queue and case list.
    Queues,
    /// One case.
    Case,
    /// The committee's members.
    Roster,
}

impl Context {
    /// The heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Queues => "Queues",
            Context::Case => "Case",
            Context::Roster => "Committee",
        }
    }
}

/// One binding.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// The key.
    pub code: KeyCode,
    /// Modifiers that must be held.
    pub modifiers: KeyModifiers,
    /// What it does.
    pub action: Action,
    /// Where.
    pub context: Context,
}

const fn key(code: KeyCode, action: Action, context: Context) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        action,
        context,
    }
}

const fn ctrl(c: char, action: Action, context: Context) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        action,
        context,
    }
}

/// The default bindings: arrows and vim keys.
pub const DEFAULT: &[Binding] = &[
    key(KeyCode::Up, Action::Up, Context::Global),
    key(KeyCode::Char('k'), Action::Up, Context::Global),
    key(KeyCode::Down, Action::Down, Context::Global),
    key(KeyCode::Char('j'), Action::Down, Context::Global),
    key(KeyCode::PageUp, Action::PageUp, Context::Global),
    key(KeyCode::PageDown, Action::PageDown, Context::Global),
    key(KeyCode::Home, Action::Top, Context::Global),
    key(KeyCode::Char('g'), Action::Top, Context::Global),
    key(KeyCode::End, Action::Bottom, Context::Global),
    key(KeyCode::Char('G'), Action::Bottom, Context::Global),
    key(KeyCode::Tab, Action::NextQueue, Context::Queues),
    key(KeyCode::Right, Action::NextQueue, Context::Queues),
    key(KeyCode::Char('l'), Action::NextQueue, Context::Queues),
    key(KeyCode::BackTab, Action::PreviousQueue, Context::Queues),
    key(KeyCode::Left, Action::PreviousQueue, Context::Queues),
    key(KeyCode::Char('h'), Action::PreviousQueue, Context::Queues),
    key(KeyCode::Enter, Action::Open, Context::Queues),
    key(KeyCode::Esc, Action::Back, Context::Global),
    key(KeyCode::Char('n'), Action::AddNote, Context::Case),
    key(KeyCode::Char('s'), Action::ChangeStatus, Context::Case),
    key(KeyCode::Char('a'), Action::Assign, Context::Case),
    key(KeyCode::Char('c'), Action::Conflict, Context::Case),
    key(KeyCode::Char('p'), Action::AddParty, Context::Case),
    key(KeyCode::Char('!'), Action::Emergency, Context::Case),
    key(KeyCode::Char('r'), Action::ReviewEmergency, Context::Case),
    key(KeyCode::Char('v'), Action::Vote, Context::Case),
    key(KeyCode::Char('d'), Action::Decide, Context::Case),
    key(KeyCode::Char('m'), Action::Comms, Context::Case),
    key(KeyCode::Char('e'), Action::Export, Context::Case),
    key(KeyCode::Char('A'), Action::Amend, Context::Case),
    key(KeyCode::Char('o'), Action::Sort, Context::Queues),
    key(KeyCode::Char('f'), Action::Filter, Context::Queues),
    key(KeyCode::Char('N'), Action::NewCase, Context::Queues),
    key(KeyCode::Char('i'), Action::Import, Context::Queues),
    key(KeyCode::Char('R'), Action::Report, Context::Queues),
    key(KeyCode::Char('M'), Action::Roster, Context::Queues),
    key(KeyCode::Char('M'), Action::Roster, Context::Case),
    key(KeyCode::Char('a'), Action::AddMember, Context::Roster),
    key(KeyCode::Char('x'), Action::RemoveMember, Context::Roster),
    key(KeyCode::Char('K'), Action::Rekey, Context::Roster),
    ctrl('s', Action::Save, Context::Global),
    key(KeyCode::Char('S'), Action::SaveAs, Context::Global),
    key(KeyCode::Char('/'), Action::Search, Context::Global),
    key(KeyCode::Char('?'), Action::Help, Context::Global),
    key(KeyCode::Char('q'), Action::Quit, Context::Global),
];

/// The action bound to `event` in `context` (or globally).
pub fn lookup(bindings: &[Binding], context: Context, event: KeyEvent) -> Option<Action> {
    let mods = event.modifiers - KeyModifiers::SHIFT;
    bindings
        .iter()
        .filter(|b| b.context == context || b.context == Context::Global)
        .find(|b| b.code == event.code && b.modifiers == mods)
        .map(|b| b.action)
}

/// How a key is written in the help.
pub fn label(binding: &Binding) -> String {
    let key = match binding.code {
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        other => format!("{other:?}"),
    };
    if binding.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{key}")
    } else {
        key
    }
}

/// One line of the help: where, what, and the keys bound to it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpEntry {
    /// The screen (or everywhere).
    pub context: Context,
    /// The action.
    pub action: Action,
    /// Its keys, as written in the help.
    pub keys: String,
}

/// Every bound action, grouped by screen in the order the help shows them.
pub fn help_entries(bindings: &[Binding]) -> Vec<HelpEntry> {
    let mut entries = Vec::new();
    for context in [
        Context::Global,
        Context::Queues,
        Context::Case,
        Context::Roster,
    ] {
        for action in Action::ALL {
            let keys: Vec<String> = bindings
                .iter()
                .filter(|b| b.context == context && b.action == action)
                .map(label)
                .collect();
            if !keys.is_empty() {
                entries.push(HelpEntry {
                    context,
                    action,
                    keys: keys.join(" "),
                });
            }
        }
    }
    entries
}

/// Parse a key as a config file writes it: `j`, `S`, `ctrl-s`, `enter`, `esc`, `tab`,
/// `shift-tab`, `space`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`, `end`, `f1`...
pub fn parse_key(text: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let (modifiers, rest) = match text
        .strip_prefix("ctrl-")
        .or_else(|| text.strip_prefix("Ctrl-"))
    {
        Some(rest) => (KeyModifiers::CONTROL, rest),
        None => (KeyModifiers::NONE, text),
    };
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        _ => match rest.to_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            f if f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                return Err(format!(
                    "unknown key {text:?} (write keys like j, S, ctrl-s, enter, esc, pgdn, f1)"
                ));
            }
        },
    };
    Ok((code, modifiers))
}

/// The default bindings with the config file's overrides: each named action gets exactly the
/// keys given (in the screens where it applies). Unknown actions, unreadable keys and a key
/// bound to two actions on one screen are refused with the reason.
pub fn configure(
    overrides: &std::collections::BTreeMap<String, Vec<String>>,
) -> Result<Vec<Binding>, String> {
    let mut bindings: Vec<Binding> = DEFAULT.to_vec();
    for (name, keys) in overrides {
        let action = Action::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                format!(
                    "unknown action {name:?} in [keys] (actions: {})",
                    names.join(", ")
                )
            })?;
        let mut contexts: Vec<Context> = DEFAULT
            .iter()
            .filter(|b| b.action == action)
            .map(|b| b.context)
            .collect();
        contexts.dedup();
        bindings.retain(|b| b.action != action);
        for key in keys {
            let (code, modifiers) = parse_key(key).map_err(|e| format!("[keys] {name}: {e}"))?;
            for context in &contexts {
                bindings.push(Binding {
                    code,
                    modifiers,
                    action,
                    context: *context,
                });
            }
        }
    }
    for (i, a) in bindings.iter().enumerate() {
        for b in &bindings[i + 1..] {
            let overlap = a.context == b.context
                || a.context == Context::Global
                || b.context == Context::Global;
            if overlap && a.code == b.code && a.modifiers == b.modifiers && a.action != b.action {
                return Err(format!(
                    "[keys]: {} is bound to both {} and {}",
                    label(a),
                    a.action.name(),
                    b.action.name()
                ));
            }
        }
    }
    Ok(bindings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(pairs: &[(&str, &[&str])]) -> std::collections::BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(a, keys)| (a.to_string(), keys.iter().map(|k| k.to_string()).collect()))
            .collect()
    }

    #[test]
    fn the_defaults_bind_no_key_twice() {
        assert!(configure(&Default::default()).is_ok());
    }

    #[test]
    fn an_action_can_be_rebound_and_keeps_its_screens() {
        let bindings = configure(&overrides(&[("add-note", &["N", "ctrl-n"])])).unwrap();
        let note = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(
            lookup(&bindings, Context::Case, note),
            Some(Action::AddNote)
        );
        assert_eq!(
            lookup(&bindings, Context::Case, KeyEvent::from(KeyCode::Char('n'))),
            None,
            "the default key is gone"
        );
        assert_eq!(
            lookup(&bindings, Context::Queues, note),
            None,
            "not on the list"
        );
    }

    #[test]
    fn unknown_actions_bad_keys_and_clashes_are_refused() {
        let e = configure(&overrides(&[("fly", &["f"])])).unwrap_err();
        assert!(
            e.contains("unknown action \"fly\"") && e.contains("add-note"),
            "{e}"
        );
        let e = configure(&overrides(&[("vote", &["hyper-x"])])).unwrap_err();
        assert!(e.contains("unknown key"), "{e}");
        let e = configure(&overrides(&[("vote", &["n"])])).unwrap_err();
        assert!(e.contains("n is bound to both"), "{e}");
        assert_eq!(
            parse_key("ctrl-s"),
            Ok((KeyCode::Char('s'), KeyModifiers::CONTROL))
        );
        assert_eq!(
            parse_key("pgdn"),
            Ok((KeyCode::PageDown, KeyModifiers::NONE))
        );
        assert_eq!(parse_key("f5"), Ok((KeyCode::F(5), KeyModifiers::NONE)));
    }
}

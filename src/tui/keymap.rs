//! Key bindings as data: which key does what, on which screen and in which dialog. The help
//! overlay is generated from this table, so it is never out of date, and the config file can
//! rebind any of it: `up = [...]` on the screens, `form.next-field = [...]` in a dialog.
//! Typing into a text (a note, the search, a form's fields, the passphrase) is editing, not a
//! binding; and Ctrl-C always leaves (asking first about unsaved changes).

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
    /// The key list (`?`).
    Help,
    /// Choosing the open case's next status.
    Chooser,
    /// The search box (letters are typed).
    Search,
    /// A question: save or discard on quitting, yes or no before an effect.
    Question,
    /// Writing a note.
    Note,
    /// Typing a file name to save as.
    FileName,
    /// A form.
    Form,
    /// The lock screen (letters are the passphrase).
    Locked,
    /// Reading a text: the export result, a member's details, an attachment.
    Reading,
    /// The open case's attachments.
    Attachments,
    /// The command palette (letters are typed).
    Palette,
    /// The list of changes not saved yet.
    Pending,
    /// Jumping to a case by code name (letters are typed).
    Jump,
}

impl Context {
    /// Every context, in the order the help shows them.
    pub const ALL: [Context; 17] = [
        Context::Global,
        Context::Queues,
        Context::Case,
        Context::Roster,
        Context::Help,
        Context::Chooser,
        Context::Search,
        Context::Question,
        Context::Note,
        Context::FileName,
        Context::Form,
        Context::Locked,
        Context::Reading,
        Context::Attachments,
        Context::Palette,
        Context::Pending,
        Context::Jump,
    ];

    /// The heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Queues => "Queues",
            Context::Case => "Case",
            Context::Roster => "Committee",
            Context::Help => "In this list",
            Context::Chooser => "Choosing a status",
            Context::Search => "Searching",
            Context::Question => "Asked a question",
            Context::Note => "Writing a note",
            Context::FileName => "Typing a file name",
            Context::Form => "In a form",
            Context::Locked => "Locked",
            Context::Reading => "Reading a text",
            Context::Attachments => "Attachments",
            Context::Palette => "Command palette",
            Context::Pending => "Changes not saved yet",
            Context::Jump => "Jumping to a case",
        }
    }

    /// Whether it is a screen, where the bindings of [`Context::Global`] apply too; over a
    /// dialog only its own do.
    pub fn is_screen(self) -> bool {
        matches!(
            self,
            Context::Global | Context::Queues | Context::Case | Context::Roster
        )
    }

    /// A dialog's name in config files (`form.next-field`); screens have none.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Context::Global | Context::Queues | Context::Case | Context::Roster => return None,
            Context::Help => "help",
            Context::Chooser => "status",
            Context::Search => "search",
            Context::Question => "question",
            Context::Note => "note",
            Context::FileName => "file-name",
            Context::Form => "form",
            Context::Locked => "locked",
            Context::Reading => "reading",
            Context::Attachments => "attachments",
            Context::Palette => "palette",
            Context::Pending => "pending",
            Context::Jump => "jump",
        })
    }
}

/// What an action does in a context, for the help (a dialog's Enter or Esc says what it does
/// there).
pub fn describe(context: Context, action: Action) -> &'static str {
    match (context, action) {
        (Context::Help, Action::Open) => "run the chosen action",
        (Context::Chooser, Action::Open) => "move the case to the chosen status",
        (Context::Search, Action::Open) => "open the case of the chosen hit",
        (Context::Question, Action::Save) => {
            "save (quitting: save and quit; changed on disk: save as)"
        }
        (Context::Note, Action::Done) => "add the note",
        (Context::FileName, Action::Done) => "save under that name",
        (Context::Form, Action::Done) => "carry the form out",
        (Context::Locked, Action::Done) => "unlock",
        (Context::Locked, Action::Quit) => "quit (only when nothing is unsaved)",
        (Context::Palette, Action::Open) => "run the chosen action",
        (Context::Jump, Action::Open) => "open the chosen case",
        (Context::Jump, Action::NextField) => "complete the code name",
        (Context::Attachments, Action::Open) => "read the chosen attachment (text)",
        (Context::Attachments, Action::SaveAs) => "save it to a file (plaintext; asks first)",
        (Context::Question, Action::Yes) => "yes (any other key: no)",
        (Context::Question, Action::Merge) => "changed on disk: merge that copy in, then save",
        (context, Action::Back) if !context.is_screen() => "close (cancel)",
        _ => action.describe(),
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
    key(KeyCode::Char('x'), Action::Seal, Context::Case),
    key(KeyCode::Char('X'), Action::GiveAccess, Context::Case),
    key(KeyCode::Char('p'), Action::AddParty, Context::Case),
    key(KeyCode::Char('o'), Action::OpenContact, Context::Case),
    key(KeyCode::Char('!'), Action::Emergency, Context::Case),
    key(KeyCode::Char('r'), Action::ReviewEmergency, Context::Case),
    key(KeyCode::Char('v'), Action::Vote, Context::Case),
    key(KeyCode::Char('d'), Action::Decide, Context::Case),
    key(KeyCode::Char('m'), Action::Comms, Context::Case),
    key(KeyCode::Char('e'), Action::Export, Context::Case),
    key(KeyCode::Char('A'), Action::Amend, Context::Case),
    key(KeyCode::Char(']'), Action::NextEntry, Context::Case),
    key(KeyCode::Char('J'), Action::NextEntry, Context::Case),
    key(KeyCode::Char('['), Action::PreviousEntry, Context::Case),
    key(KeyCode::Char('K'), Action::PreviousEntry, Context::Case),
    key(KeyCode::Enter, Action::Open, Context::Case),
    key(KeyCode::Char('t'), Action::Attachments, Context::Case),
    key(KeyCode::Char('o'), Action::Sort, Context::Queues),
    key(KeyCode::Char('f'), Action::Filter, Context::Queues),
    key(KeyCode::Char('N'), Action::NewCase, Context::Queues),
    key(KeyCode::Char('i'), Action::Import, Context::Queues),
    key(KeyCode::Char('R'), Action::Report, Context::Queues),
    key(KeyCode::Char('M'), Action::Roster, Context::Queues),
    key(KeyCode::Char('M'), Action::Roster, Context::Case),
    key(KeyCode::Char('z'), Action::Resolve, Context::Case),
    key(KeyCode::Char('z'), Action::Resolve, Context::Roster),
    key(KeyCode::Char('T'), Action::RecordText, Context::Case),
    key(KeyCode::Char('b'), Action::Sanction, Context::Case),
    key(KeyCode::Char('I'), Action::Tell, Context::Case),
    key(KeyCode::Char('P'), Action::Appeal, Context::Case),
    key(KeyCode::Char('E'), Action::Expunge, Context::Case),
    key(KeyCode::Char('B'), Action::SanctionStep, Context::Case),
    key(KeyCode::Char('a'), Action::AddMember, Context::Roster),
    key(KeyCode::Char('x'), Action::RemoveMember, Context::Roster),
    key(KeyCode::Char('K'), Action::Rekey, Context::Roster),
    key(KeyCode::Enter, Action::Open, Context::Roster),
    ctrl('p', Action::Palette, Context::Global),
    key(KeyCode::Char(':'), Action::Jump, Context::Global),
    ctrl('l', Action::LockScreen, Context::Global),
    ctrl('b', Action::Privacy, Context::Global),
    key(KeyCode::Char('@'), Action::MessageLog, Context::Global),
    key(KeyCode::Char('u'), Action::Pending, Context::Global),
    ctrl('s', Action::Save, Context::Global),
    key(KeyCode::Char('S'), Action::SaveAs, Context::Global),
    key(KeyCode::Char('/'), Action::Search, Context::Global),
    key(KeyCode::Char('?'), Action::Help, Context::Global),
    key(KeyCode::Char('q'), Action::Quit, Context::Global),
    // The dialogs. Any key not bound in the key list or a question closes it (no).
    key(KeyCode::Down, Action::Down, Context::Help),
    key(KeyCode::Char('j'), Action::Down, Context::Help),
    key(KeyCode::Up, Action::Up, Context::Help),
    key(KeyCode::Char('k'), Action::Up, Context::Help),
    key(KeyCode::PageDown, Action::PageDown, Context::Help),
    key(KeyCode::Char(' '), Action::PageDown, Context::Help),
    key(KeyCode::PageUp, Action::PageUp, Context::Help),
    key(KeyCode::Home, Action::Top, Context::Help),
    key(KeyCode::End, Action::Bottom, Context::Help),
    key(KeyCode::Enter, Action::Open, Context::Help),
    key(KeyCode::Up, Action::Up, Context::Chooser),
    key(KeyCode::Char('k'), Action::Up, Context::Chooser),
    key(KeyCode::Down, Action::Down, Context::Chooser),
    key(KeyCode::Char('j'), Action::Down, Context::Chooser),
    key(KeyCode::Enter, Action::Open, Context::Chooser),
    key(KeyCode::Esc, Action::Back, Context::Chooser),
    key(KeyCode::Up, Action::Up, Context::Search),
    key(KeyCode::Down, Action::Down, Context::Search),
    key(KeyCode::Enter, Action::Open, Context::Search),
    key(KeyCode::Esc, Action::Back, Context::Search),
    key(KeyCode::Char('s'), Action::Save, Context::Question),
    key(KeyCode::Char('d'), Action::Discard, Context::Question),
    key(KeyCode::Char('y'), Action::Yes, Context::Question),
    key(KeyCode::Char('m'), Action::Merge, Context::Question),
    key(KeyCode::Char('k'), Action::KeepDraft, Context::Question),
    key(KeyCode::Char('Y'), Action::Yes, Context::Question),
    ctrl('d', Action::Done, Context::Note),
    key(KeyCode::Esc, Action::Back, Context::Note),
    key(KeyCode::Enter, Action::Done, Context::FileName),
    key(KeyCode::Esc, Action::Back, Context::FileName),
    key(KeyCode::Tab, Action::NextField, Context::Form),
    key(KeyCode::BackTab, Action::PreviousField, Context::Form),
    ctrl('d', Action::Done, Context::Form),
    key(KeyCode::Esc, Action::Back, Context::Form),
    key(KeyCode::Enter, Action::Done, Context::Locked),
    ctrl('c', Action::Quit, Context::Locked),
    key(KeyCode::Up, Action::Up, Context::Reading),
    key(KeyCode::Char('k'), Action::Up, Context::Reading),
    key(KeyCode::Down, Action::Down, Context::Reading),
    key(KeyCode::Char('j'), Action::Down, Context::Reading),
    key(KeyCode::PageUp, Action::PageUp, Context::Reading),
    key(KeyCode::PageDown, Action::PageDown, Context::Reading),
    key(KeyCode::Char(' '), Action::PageDown, Context::Reading),
    key(KeyCode::Home, Action::Top, Context::Reading),
    key(KeyCode::Char('g'), Action::Top, Context::Reading),
    key(KeyCode::End, Action::Bottom, Context::Reading),
    key(KeyCode::Char('G'), Action::Bottom, Context::Reading),
    key(KeyCode::Esc, Action::Back, Context::Reading),
    key(KeyCode::Enter, Action::Back, Context::Reading),
    key(KeyCode::Char('q'), Action::Back, Context::Reading),
    key(KeyCode::Up, Action::Up, Context::Attachments),
    key(KeyCode::Char('k'), Action::Up, Context::Attachments),
    key(KeyCode::Down, Action::Down, Context::Attachments),
    key(KeyCode::Char('j'), Action::Down, Context::Attachments),
    key(KeyCode::Enter, Action::Open, Context::Attachments),
    key(KeyCode::Char('w'), Action::SaveAs, Context::Attachments),
    key(KeyCode::Esc, Action::Back, Context::Attachments),
    key(KeyCode::Up, Action::Up, Context::Palette),
    key(KeyCode::Down, Action::Down, Context::Palette),
    key(KeyCode::Enter, Action::Open, Context::Palette),
    key(KeyCode::Esc, Action::Back, Context::Palette),
    key(KeyCode::Up, Action::Up, Context::Pending),
    key(KeyCode::Char('k'), Action::Up, Context::Pending),
    key(KeyCode::Down, Action::Down, Context::Pending),
    key(KeyCode::Char('j'), Action::Down, Context::Pending),
    key(KeyCode::Char('x'), Action::DropPending, Context::Pending),
    key(KeyCode::Delete, Action::DropPending, Context::Pending),
    key(KeyCode::Esc, Action::Back, Context::Pending),
    key(KeyCode::Enter, Action::Back, Context::Pending),
    key(KeyCode::Char('q'), Action::Back, Context::Pending),
    key(KeyCode::Up, Action::Up, Context::Jump),
    key(KeyCode::Down, Action::Down, Context::Jump),
    key(KeyCode::Tab, Action::NextField, Context::Jump),
    key(KeyCode::Enter, Action::Open, Context::Jump),
    key(KeyCode::Esc, Action::Back, Context::Jump),
];

/// The action bound to `event` in `context` (or, on a screen, globally).
pub fn lookup(bindings: &[Binding], context: Context, event: KeyEvent) -> Option<Action> {
    let mods = event.modifiers - KeyModifiers::SHIFT;
    bindings
        .iter()
        .filter(|b| b.context == context || (b.context == Context::Global && context.is_screen()))
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
        format!("Ctrl-{}", key.to_uppercase())
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
    for context in Context::ALL {
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
/// keys given (on the screens where it applies; `dialog.action`, e.g. `form.next-field`, in
/// that dialog only). Unknown actions, unreadable keys and a key bound to two actions in one
/// place are refused with the reason.
pub fn configure(
    overrides: &std::collections::BTreeMap<String, Vec<String>>,
) -> Result<Vec<Binding>, String> {
    let mut bindings: Vec<Binding> = DEFAULT.to_vec();
    for (name, keys) in overrides {
        let (dialog, action_name) = match name.split_once('.') {
            Some((dialog, action)) => {
                let context = Context::ALL
                    .into_iter()
                    .find(|c| c.name() == Some(dialog))
                    .ok_or_else(|| {
                        let names: Vec<&str> =
                            Context::ALL.iter().filter_map(|c| c.name()).collect();
                        format!(
                            "unknown dialog {dialog:?} in [keys] {name} (dialogs: {})",
                            names.join(", ")
                        )
                    })?;
                (Some(context), action)
            }
            None => (None, name.as_str()),
        };
        let action = Action::ALL
            .into_iter()
            .find(|a| a.name() == action_name)
            .ok_or_else(|| {
                let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                format!(
                    "unknown action {name:?} in [keys] (actions: {})",
                    names.join(", ")
                )
            })?;
        let applies = |context: Context| match dialog {
            Some(dialog) => context == dialog,
            None => context.is_screen(),
        };
        let mut contexts: Vec<Context> = DEFAULT
            .iter()
            .filter(|b| b.action == action && applies(b.context))
            .map(|b| b.context)
            .collect();
        contexts.dedup();
        if contexts.is_empty() {
            let places: Vec<String> = DEFAULT
                .iter()
                .filter(|b| b.action == action)
                .filter_map(|b| b.context.name())
                .map(|d| format!("{d}.{}", action.name()))
                .collect();
            return Err(format!(
                "[keys] {name}: not a key there (it is: {})",
                places.join(", ")
            ));
        }
        bindings.retain(|b| !(b.action == action && applies(b.context)));
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
                || (a.context == Context::Global && b.context.is_screen())
                || (b.context == Context::Global && a.context.is_screen());
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
        let e = configure(&overrides(&[("done", &["x"])])).unwrap_err();
        assert!(e.contains("form.done"), "{e}");
        let e = configure(&overrides(&[("popup.done", &["x"])])).unwrap_err();
        assert!(e.contains("unknown dialog"), "{e}");
    }

    #[test]
    fn a_dialog_key_is_rebound_there_only_and_screens_keys_stay_out_of_dialogs() {
        let bindings = configure(&overrides(&[("form.next-field", &["ctrl-n"])])).unwrap();
        let next = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(
            lookup(&bindings, Context::Form, next),
            Some(Action::NextField)
        );
        assert_eq!(
            lookup(&bindings, Context::Form, KeyEvent::from(KeyCode::Tab)),
            None
        );
        assert_eq!(
            lookup(&bindings, Context::Queues, KeyEvent::from(KeyCode::Tab)),
            Some(Action::NextQueue),
            "the screens keep Tab"
        );
        // `q` quits on a screen but is a letter in the search.
        let q = KeyEvent::from(KeyCode::Char('q'));
        assert_eq!(lookup(&bindings, Context::Case, q), Some(Action::Quit));
        assert_eq!(lookup(&bindings, Context::Search, q), None);
        // Rebinding `up` leaves the dialogs' own up keys alone.
        let bindings = configure(&overrides(&[("up", &["w"])])).unwrap();
        assert_eq!(
            lookup(&bindings, Context::Help, KeyEvent::from(KeyCode::Char('k'))),
            Some(Action::Up)
        );
    }
}

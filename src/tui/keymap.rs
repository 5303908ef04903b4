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

//! Every user intent in the interface, one documented variant each, named so that a config
//! file can bind keys to it.

/// A user intent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Move the selection up (or scroll up).
    Up,
    /// Move the selection down (or scroll down).
    Down,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// To the first entry.
    Top,
    /// To the last entry.
    Bottom,
    /// Show the next queue.
    NextQueue,
    /// Show the previous queue.
    PreviousQueue,
    /// Open the selected case.
    Open,
    /// Back to the previous screen (or close an overlay).
    Back,
    /// Write a note on the open case.
    AddNote,
    /// Move the open case to another status (only allowed moves are offered).
    ChangeStatus,
    /// Save the case file.
    Save,
    /// Save the case file under a new name.
    SaveAs,
    /// Search titles, reports, notes and names as you type.
    Search,
    /// Show every key binding.
    Help,
    /// Leave (asks when there are unsaved changes).
    Quit,
}

impl Action {
    /// Every action, in the order the help shows them.
    pub const ALL: [Action; 17] = [
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::NextQueue,
        Action::PreviousQueue,
        Action::Open,
        Action::Back,
        Action::AddNote,
        Action::ChangeStatus,
        Action::Save,
        Action::SaveAs,
        Action::Search,
        Action::Help,
        Action::Quit,
    ];

    /// The action's name in config files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page-up",
            Action::PageDown => "page-down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NextQueue => "next-queue",
            Action::PreviousQueue => "previous-queue",
            Action::Open => "open",
            Action::Back => "back",
            Action::AddNote => "add-note",
            Action::ChangeStatus => "change-status",
            Action::Save => "save",
            Action::SaveAs => "save-as",
            Action::Search => "search",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }

    /// What it does, for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first",
            Action::Bottom => "last",
            Action::NextQueue => "next queue",
            Action::PreviousQueue => "previous queue",
            Action::Open => "open the case",
            Action::Back => "back",
            Action::AddNote => "write a note",
            Action::ChangeStatus => "change the status",
            Action::Save => "save",
            Action::SaveAs => "save as a new file",
            Action::Search => "search (Enter opens the case)",
            Action::Help => "this help",
            Action::Quit => "quit",
        }
    }
}

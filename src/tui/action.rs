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
    /// Assign a member to the open case, or take one off.
    Assign,
    /// Declare your own conflict of interest on the open case (or withdraw the one you declared).
    Conflict,
    /// Seal the open case from a member: its content is encrypted inside the file to the
    /// others only.
    Seal,
    /// Give a member access to the open (sealed) case.
    GiveAccess,
    /// Add a party (reporter, reported, witness) to the open case.
    AddParty,
    /// Open the contact details of a party of the open case that you hold (recorded).
    OpenContact,
    /// Record an emergency action on the open case.
    Emergency,
    /// Review another member's emergency action.
    ReviewEmergency,
    /// Vote on the open case's outcome (proposing it if needed).
    Vote,
    /// Record the decision, with the quorum shown live.
    Decide,
    /// Log a message sent to the reporter, the reported person or others.
    Comms,
    /// Export a signed decision record of the open case for one audience.
    Export,
    /// Open a new case.
    NewCase,
    /// Import report files (.eml, .csv, .json) as new cases.
    Import,
    /// Write a signed transparency report for a period.
    Report,
    /// Show the committee: members, roles and keys.
    Roster,
    /// Add a member (re-encrypts the file at once).
    AddMember,
    /// Remove the selected member (re-encrypts the file and its backup at once).
    RemoveMember,
    /// Re-encrypt the file to the current members with a fresh file key.
    Rekey,
    /// Sort the case list another way (cycles urgency, newest, severity, status, code).
    Sort,
    /// Show only cases of a severity, an assignee or a label.
    Filter,
    /// Correct an earlier note or report of the open case (the correction is shown under it).
    Amend,
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
    /// In a question: yes.
    Yes,
    /// On quitting with unsaved changes: discard them and quit.
    Discard,
    /// Carry out what is being written: add the note, save under the name, submit the form,
    /// unlock with the passphrase.
    Done,
    /// In a form: the next field.
    NextField,
    /// In a form: the previous field.
    PreviousField,
    /// On a case: select the next timeline entry.
    NextEntry,
    /// On a case: select the previous timeline entry.
    PreviousEntry,
    /// Run any action by name (fuzzy).
    Palette,
    /// On a case: list its attachments (read a text one, save any to a file).
    Attachments,
    /// List the changes recorded and not saved yet (one can be dropped there).
    Pending,
    /// When the file changed on disk: merge the copy on disk into yours, then save.
    Merge,
    /// Resolve what needs attention after a merge (on a case, or the committee's).
    Resolve,
    /// Write the title and summary a record for one audience shows.
    RecordText,
    /// In the list of unsaved changes: drop the selected one.
    DropPending,
    /// Asked whether to drop what was typed: keep it as a draft on its case instead (the
    /// same form or note there brings it back).
    KeepDraft,
    /// Jump to a case by its code name, with fuzzy completion (`:`, as in k9s).
    Jump,
    /// Lock the screen now, as 5 idle minutes do: save, drop everything decrypted, ask for the key.
    LockScreen,
    /// Blank every case's text on the screen until pressed again (someone looks over your
    /// shoulder, a screen is shared).
    Privacy,
    /// Every result and error of this session, in full (the status bar shows only the last).
    MessageLog,
    /// On a decided case: start a sanction the decision imposed.
    Sanction,
    /// On a case with a sanction: record who was told of its latest change.
    Tell,
    /// On a decided case: record an appeal of the decision.
    Appeal,
    /// On a case with a sanction in force: review, extend or lift it, or record a breach.
    SanctionStep,
    /// On a case the committee is done with: propose to expunge its content, or approve the
    /// expunge another member proposed.
    Expunge,
}

impl Action {
    /// Every action, in the order the help shows them.
    pub const ALL: [Action; 63] = [
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
        Action::Assign,
        Action::Conflict,
        Action::Seal,
        Action::GiveAccess,
        Action::AddParty,
        Action::OpenContact,
        Action::Emergency,
        Action::ReviewEmergency,
        Action::Vote,
        Action::Decide,
        Action::Comms,
        Action::Export,
        Action::NewCase,
        Action::Import,
        Action::Report,
        Action::Roster,
        Action::AddMember,
        Action::RemoveMember,
        Action::Rekey,
        Action::Sort,
        Action::Filter,
        Action::Amend,
        Action::Save,
        Action::SaveAs,
        Action::Search,
        Action::Help,
        Action::Quit,
        Action::Yes,
        Action::Discard,
        Action::Done,
        Action::NextField,
        Action::PreviousField,
        Action::NextEntry,
        Action::PreviousEntry,
        Action::Palette,
        Action::Attachments,
        Action::Pending,
        Action::Merge,
        Action::Resolve,
        Action::RecordText,
        Action::DropPending,
        Action::KeepDraft,
        Action::Jump,
        Action::LockScreen,
        Action::Privacy,
        Action::MessageLog,
        Action::Sanction,
        Action::Tell,
        Action::Appeal,
        Action::SanctionStep,
        Action::Expunge,
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
            Action::Assign => "assign",
            Action::Conflict => "conflict",
            Action::Seal => "seal",
            Action::GiveAccess => "give-access",
            Action::AddParty => "add-party",
            Action::OpenContact => "open-contact",
            Action::Emergency => "emergency",
            Action::ReviewEmergency => "review-emergency",
            Action::Vote => "vote",
            Action::Decide => "decide",
            Action::Comms => "log-message",
            Action::Export => "export",
            Action::NewCase => "new-case",
            Action::Import => "import",
            Action::Report => "report",
            Action::Roster => "roster",
            Action::AddMember => "add-member",
            Action::RemoveMember => "remove-member",
            Action::Rekey => "rekey",
            Action::Sort => "sort",
            Action::Filter => "filter",
            Action::Amend => "amend",
            Action::Save => "save",
            Action::SaveAs => "save-as",
            Action::Search => "search",
            Action::Help => "help",
            Action::Quit => "quit (on a case or the committee: back)",
            Action::Yes => "yes",
            Action::Discard => "discard",
            Action::Done => "done",
            Action::NextField => "next-field",
            Action::PreviousField => "previous-field",
            Action::NextEntry => "next-entry",
            Action::PreviousEntry => "previous-entry",
            Action::Palette => "palette",
            Action::Attachments => "attachments",
            Action::Pending => "pending",
            Action::Merge => "merge",
            Action::Resolve => "resolve",
            Action::RecordText => "record-text",
            Action::DropPending => "drop-pending",
            Action::KeepDraft => "keep-draft",
            Action::Jump => "jump",
            Action::LockScreen => "lock",
            Action::Privacy => "privacy",
            Action::MessageLog => "messages",
            Action::Sanction => "sanction",
            Action::Tell => "tell",
            Action::Appeal => "appeal",
            Action::SanctionStep => "sanction-step",
            Action::Expunge => "expunge",
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
            Action::Open => "open the case (on a case: show the entry whole)",
            Action::Back => "back",
            Action::AddNote => "write a note",
            Action::ChangeStatus => "change the status",
            Action::Assign => "assign or take off a member",
            Action::Conflict => "declare a conflict of interest (or withdraw yours)",
            Action::Seal => "seal the case from a member",
            Action::GiveAccess => "give a member access to the sealed case",
            Action::AddParty => "add a party",
            Action::OpenContact => "open contact details you hold (recorded)",
            Action::Emergency => "record an emergency action",
            Action::ReviewEmergency => "review an emergency action",
            Action::Vote => "vote",
            Action::Decide => "record the decision",
            Action::Comms => "log a message sent",
            Action::Export => "export a signed record",
            Action::NewCase => "new case",
            Action::Import => "import reports",
            Action::Report => "transparency report",
            Action::Roster => "committee members",
            Action::AddMember => "add a member",
            Action::RemoveMember => "remove the member",
            Action::Rekey => "re-encrypt (rekey)",
            Action::Sort => "change the sort order",
            Action::Filter => "filter the list",
            Action::Amend => "correct an earlier entry",
            Action::Save => "save",
            Action::SaveAs => "save as a new file",
            Action::Search => "search (Enter opens the case)",
            Action::Help => "this help",
            Action::Quit => "quit (on a case or the committee: back)",
            Action::Yes => "yes",
            Action::Discard => "discard the changes and quit",
            Action::Done => "done",
            Action::NextField => "next field",
            Action::PreviousField => "previous field",
            Action::NextEntry => "next timeline entry",
            Action::PreviousEntry => "previous timeline entry",
            Action::Palette => "command palette: any action by name",
            Action::Attachments => "attachments (read, save to a file)",
            Action::Pending => "changes not saved yet (x drops one)",
            Action::Merge => "merge the copy on disk into yours, then save",
            Action::Resolve => "resolve what needs attention",
            Action::RecordText => "write a record's title and summary for one audience",
            Action::DropPending => "drop the selected unsaved change",
            Action::KeepDraft => "keep what you typed as a draft on this case",
            Action::Jump => "jump to a case by code name",
            Action::LockScreen => "lock the screen now (saves, forgets the decrypted file)",
            Action::Privacy => "privacy: blank case text until pressed again",
            Action::MessageLog => "message log: every result and error, in full",
            Action::Sanction => "start a sanction the decision imposed",
            Action::Tell => "record who was told of a sanction",
            Action::Appeal => "record an appeal of the decision",
            Action::SanctionStep => "review, extend or lift a sanction, or record a breach",
            Action::Expunge => "expunge the case's content (two members), or approve it",
        }
    }
}

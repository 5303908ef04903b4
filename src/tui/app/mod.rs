//! The interface's model and its state machine. `on_key` and `update` change the model and
//! return an [`Effect`] for the runner to carry out against the vault; they never do I/O.
//! Results come back as messages: the runner's [`Outcome`]s, applied by `update`.
//!
//! This file holds the model's types and `update` itself; the intents (one match) are in
//! `intents`, keys in `keys`, forms in `forms`, results in `loaded`, the lists' rows in
//! `rows`, what is possible now in `rules`, drafts kept across the lock in `drafts`.

mod case_forms;
mod drafts;
mod forms;
mod intents;
mod keys;
mod loaded;
mod outcomes;
mod rows;
mod rules;
#[cfg(test)]
mod tests;

use case_forms::case_form;
pub use drafts::Draft;
pub use forms::quorum_line;
use forms::{
    add_member_form, filter_form, form, import_form, new_case_form, remove_member_form,
    report_form, save_attachment_form,
};
pub use keys::is_text;
pub use loaded::{Linked, MergeNews, Outcome, PendingChange, Shown};
pub use rows::{Filter, Sort, case_data, choices, roster_rows, snapshot, threaded};
pub use rules::{PaletteEntry, fuzzy_score};

use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::form::{Assignment, Field, Form, KnownAs, Purpose, Reply};
use super::keymap::{self, Binding, Context};
use super::line::LineEdit;
use super::request::{Request, Submitted};
use super::theme::Theme;
use crate::core::case::{Case, Channel, Severity, Status};
use crate::core::decision::{Ballot, Tally, tally};
use crate::core::event::{Audience, ConflictKind, Event, EventKind};
use crate::core::party::PartyRole;
use crate::core::process::{self, Due, Settings};
use crate::core::queue::{Queue, View};
use crate::core::roster::Role;
use crate::core::roster::{MemberId, Roster};
use crate::export::Profile;
use crate::ops::export::{RecordFormat, ReportFormat};

/// One case in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Code name.
    pub code: String,
    /// Title, raw (sanitised when drawn); `None` when hidden (a hard conflict, or sealed).
    pub title: Option<String>,
    /// Sealed from the member: their copy holds only its code name, status and dates.
    pub sealed: bool,
    /// Status.
    pub status: Status,
    /// Severity.
    pub severity: Option<Severity>,
    /// Days since the report arrived.
    pub age_days: i64,
    /// Assignees' names, raw.
    pub assignees: String,
    /// What is due next, and whether it is overdue.
    pub due: Option<(String, bool)>,
}

/// Everything the case screen shows.
#[derive(Clone, Debug)]
pub struct CaseData {
    /// The case.
    pub case: Case,
    /// Its history.
    pub timeline: Vec<Event>,
    /// Member names by id.
    pub names: BTreeMap<MemberId, String>,
    /// What is due next.
    pub due: Option<Due>,
    /// Where the vote stands.
    pub tally: Option<Tally>,
    /// The committee's rules (ladder of outcomes, quorum rule).
    pub settings: Settings,
    /// Active members' names, for pickers.
    pub active: Vec<String>,
    /// Members who may vote on this case.
    pub eligible: Vec<MemberId>,
    /// Per party (in order): who a linked party is (raw), and the other cases the same person
    /// appears in.
    pub elsewhere: Vec<(Option<String>, Vec<String>)>,
    /// The timeline in the order shown: index into `timeline`, and how deep an amendment is.
    pub order: Vec<(usize, usize)>,
    /// The member who opened the file, and their role (what they may do here).
    pub me: Option<(MemberId, Role)>,
    /// The case's attachments (from its reports), in order.
    pub attachments: Vec<crate::core::event::AttachmentRef>,
    /// Active members (id and name), for the sealing pickers.
    pub members: Vec<(MemberId, String)>,
}

impl CaseData {
    /// Whether the case is sealed from the member who opened the file: their copy holds only
    /// its summary (code name, status, dates), never its content.
    pub fn sealed_from_me(&self) -> bool {
        self.me.is_some_and(|(me, _)| !self.case.readable_by(me))
    }
}

/// One member as the roster screen lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterRow {
    /// Name, raw.
    pub name: String,
    /// Contact address, raw.
    pub email: Option<String>,
    /// `chair` or `member`.
    pub role: String,
    /// `ssh-ed25519` or `age-x25519`.
    pub key_type: String,
    /// Key fingerprint.
    pub fingerprint: String,
    /// "active since ..." or "removed ...".
    pub state: String,
    /// Whether the file on disk is encrypted to them: yes, no or unknown.
    pub encrypted_to: String,
    /// Still on the committee.
    pub active: bool,
}

/// The main screen.
#[derive(Clone, Debug)]
pub enum Screen {
    /// Queues and the cases in the selected one.
    Queues,
    /// One case, scrolled by `scroll` lines.
    Case {
        /// The case.
        data: Box<CaseData>,
        /// Lines scrolled (from the focused entry, if there is one).
        scroll: u16,
        /// The timeline entry to show first (a search hit).
        focus: Option<uuid::Uuid>,
        /// The selected timeline entry (index into `data.order`).
        entry: usize,
        /// Entries shown whole (Enter expands or folds the selected one).
        expanded: std::collections::BTreeSet<uuid::Uuid>,
    },
    /// The committee: members, roles, keys.
    Roster {
        /// The members, removed ones included.
        members: Vec<RosterRow>,
        /// Index of the selected member.
        selected: usize,
        /// The case it was opened from, to go back to.
        from_case: Option<String>,
        /// Roster changes a merge could not apply (with who made each, raw).
        attention: Vec<(crate::core::attention::Attention, String)>,
    },
}

/// Something drawn over the screen that takes the keys.
pub enum Overlay {
    /// The key bindings, with the selected entry (Enter runs it).
    Help(usize),
    /// Unsaved changes: save, discard or cancel?
    ConfirmQuit,
    /// Saving found the file changed on disk since it was opened: what to do instead.
    ChangedOnDisk,
    /// Writing a note.
    Note(Box<TextArea<'static>>),
    /// Typing a file name to save as (kept when the save is refused, with why).
    SaveAs {
        /// The name typed.
        path: LineEdit,
        /// Why the last try was refused.
        error: Option<String>,
    },
    /// Choosing the open case's next status.
    Status {
        /// The allowed next statuses.
        options: Vec<Status>,
        /// Index of the selected one.
        selected: usize,
    },
    /// Filling in a form.
    Form(Box<Form>),
    /// Something to read (where an export went, how to verify it); it scrolls and stays
    /// until dismissed (Esc, Enter or q).
    Message {
        /// The title.
        title: String,
        /// The text.
        text: String,
        /// Lines scrolled.
        scroll: u16,
    },
    /// Something the member asked for was not done: why, whole. It scrolls; Esc, Enter or q
    /// close it, and any other key closes it and does what it does on the screen (so that
    /// "S saves it under a new name" is one key away).
    Failure {
        /// The message.
        text: String,
        /// Lines scrolled.
        scroll: u16,
    },
    /// A yes/no question before an effect that cannot be taken back.
    Confirm {
        /// The question: what will happen.
        question: String,
        /// What "yes" does.
        effect: Effect,
        /// The form it came from: shown again on "no", and while the effect runs (so that a
        /// refusal keeps every value typed).
        back: Option<Box<Overlay>>,
    },
    /// Something typed would be dropped: ask first. "yes" drops it (and only it: Ctrl-C
    /// over a draft never quits by the same answer); anything else goes back to it.
    Discard {
        /// What would be lost, in words.
        what: String,
        /// The dialog holding it.
        kept: Box<Overlay>,
    },
    /// `:` jumping to a case by its code name, with the code names that match what was
    /// typed (fuzzy, best first).
    Jump {
        /// What was typed.
        query: LineEdit,
        /// Index of the selected match.
        selected: usize,
    },
    /// The command palette: every action by name, fuzzy.
    Palette {
        /// What was typed.
        query: LineEdit,
        /// Index of the selected match.
        selected: usize,
    },
    /// The changes not saved yet; one can be dropped.
    Pending {
        /// Oldest first.
        changes: Vec<PendingChange>,
        /// Index of the selected one.
        selected: usize,
    },
    /// The open case's attachments.
    Attachments {
        /// Index of the selected one.
        selected: usize,
    },
    /// A text to read page by page (a text attachment).
    Pager {
        /// The title.
        title: String,
        /// The text, raw (sanitised when drawn).
        text: String,
        /// Lines scrolled.
        scroll: u16,
    },
    /// Searching: the query, its hits, the selected hit.
    Search {
        /// What was typed.
        query: LineEdit,
        /// Ranked hits.
        hits: Vec<Hit>,
        /// Index of the selected hit.
        selected: usize,
    },
}

/// A search hit as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The case.
    pub code: String,
    /// The matching text, raw, with the match between `\u{1}` and `\u{2}`.
    pub snippet: String,
    /// The timeline entry that matched.
    pub event: Option<uuid::Uuid>,
}

/// Work for the runner: everything that touches the vault.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Recompute the queues and the selected queue's cases.
    Refresh,
    /// Load a case.
    OpenCase(String),
    /// Load a case and show the timeline from this entry (a search hit).
    OpenCaseAt(String, uuid::Uuid),
    /// Record a note on a case.
    AddNote {
        /// The case.
        code: String,
        /// The note.
        body: String,
    },
    /// Save over the file.
    Save,
    /// Save to a new file.
    SaveAs(PathBuf),
    /// Save, then leave if that worked.
    SaveAndQuit,
    /// Run a search.
    Search(String),
    /// Move a case to another status.
    ChangeStatus {
        /// The case.
        code: String,
        /// The new status.
        to: Status,
    },
    /// Carry out what a submitted form asks for.
    Submit(Request),
    /// Load the roster screen.
    ShowRoster,
    /// Re-encrypt the file to the current roster with a fresh file key.
    Rekey,
    /// Unlock with the key (and this passphrase, if it has one).
    UnlockScreen(Passphrase),
    /// Load the open case again after a change, keeping the scroll.
    ReloadCase(String),
    /// Check whether someone else saved over the file.
    CheckDisk,
    /// Compare this laptop's clock with the newest change in the file.
    CheckClock,
    /// Idle, or the member asked (Ctrl-L): save if possible, then encrypt the file and what
    /// was being typed in memory (the screen lock).
    LockScreen {
        /// Seconds without a key press, for the lock screen (`None`: the member locked it).
        idle_secs: Option<u64>,
        /// What was being typed ([`Draft`], serialised), kept encrypted with the file.
        draft: Option<zeroize::Zeroizing<String>>,
    },
    /// Read a new member's key and show its fingerprint before adding them.
    PreviewMember(crate::ops::members::NewMember),
    /// Look for sync conflict copies beside the file (on opening it).
    FindCopies,
    /// Merge the sync conflict copies beside the file and move them aside.
    MergeCopies,
    /// List the changes not saved yet.
    ListUnsaved,
    /// Drop an unsaved change (and its later changes on the same case).
    DropUnsaved(uuid::Uuid),
    /// Load an attachment of the open case to read it.
    ReadAttachment {
        /// Its SHA-256.
        sha256: String,
        /// Its name, for the title.
        name: String,
    },
}

impl Effect {
    /// Whether carrying it out can change what the file holds (a change, a save, a merge,
    /// a drop), after which the queue counts and flags are computed again.
    pub fn changes_file(&self) -> bool {
        matches!(
            self,
            Effect::AddNote { .. }
                | Effect::Save
                | Effect::SaveAs(_)
                | Effect::SaveAndQuit
                | Effect::ChangeStatus { .. }
                | Effect::Submit(_)
                | Effect::Rekey
                | Effect::MergeCopies
                | Effect::DropUnsaved(_)
        )
    }
}

/// Everything `update` handles.
#[derive(Debug)]
pub enum Msg {
    /// A user intent.
    Action(Action),
    /// A result from the runner.
    Outcome(Outcome),
    /// Time without a key press, and the screen lock's limit.
    Idle {
        /// Since the last key press.
        idle: std::time::Duration,
        /// When to lock.
        limit: std::time::Duration,
    },
    /// A frame is about to be drawn.
    Frame(FrameSize),
    /// The clock moved on (overdue marks, old status messages).
    Tick(chrono::DateTime<chrono::Utc>),
    /// Text was pasted (a bracketed paste): it is text, never keys.
    Paste(String),
}

impl From<Action> for Msg {
    fn from(action: Action) -> Msg {
        Msg::Action(action)
    }
}

impl From<Outcome> for Msg {
    fn from(outcome: Outcome) -> Msg {
        Msg::Outcome(outcome)
    }
}

/// The interface's state.
pub struct App {
    /// The file's name (or the demo's label).
    pub label: String,
    /// The file cannot be written (the built-in demo, a read-only file): quitting offers to
    /// save a copy instead.
    pub read_only: bool,
    /// The member who opened it.
    pub me: Option<String>,
    /// Queues with their counts.
    pub queues: Vec<(Queue, usize)>,
    /// Index of the selected queue.
    pub queue: usize,
    /// Cases of the selected queue.
    pub rows: Vec<Row>,
    /// Index of the selected case.
    pub selected: usize,
    /// The main screen.
    pub screen: Screen,
    /// What is drawn on top, if anything.
    pub overlay: Option<Overlay>,
    /// The last message (saved, error...).
    pub status: String,
    /// Changes not yet saved.
    pub dirty: bool,
    /// Whether the interface should end.
    pub quit: bool,
    /// Rows per page, as last drawn.
    pub page: usize,
    /// The key bindings.
    pub bindings: Vec<Binding>,
    /// Today, for default dates.
    pub today: chrono::NaiveDate,
    /// Colours (or none).
    pub theme: Theme,
    /// The first row shown in the case list (the list scrolls only what is visible).
    pub offset: usize,
    /// Which cases the list shows.
    pub filter: Filter,
    /// In what order.
    pub sort: Sort,
    /// Active members' names and every label in use, for the filter.
    pub choices: (Vec<String>, Vec<String>),
    /// The code name of every case in the member's lists, for `:` (jump to a case).
    pub codes: Vec<String>,
    /// Every result and error of this session, in full, oldest first (`@` shows them). In
    /// memory only; the lock clears it.
    pub log: Vec<LogEntry>,
    /// Case text is blanked on the screen until the privacy key is pressed again.
    pub privacy: bool,
    /// The message in the status bar is an error.
    pub status_is_error: bool,
    /// Something this message already put in the log (a dialog's whole text, an error).
    logged: bool,
    /// Set while the interface is locked: nothing of the file is in memory.
    pub screen_lock: Option<LockScreen>,
    /// Seconds before the screen lock, when close.
    pub idle_left: Option<u64>,
    /// The file on disk is no longer the version opened (someone else saved it).
    pub disk_changed: bool,
    /// This laptop's clock is behind the newest change in the file: by how much (worded).
    pub clock_behind: Option<String>,
    /// Counts the cases shown: a new one (or the same one reloaded) gets the next number, so
    /// that the view wraps its text again (see [`super::view::CaseLayout`]).
    pub case_shown: u64,
    /// The case was opened at a search hit: scroll to it once it is laid out.
    scroll_to_focus: bool,
    /// The selected timeline entry moved: scroll it into view once laid out.
    scroll_to_entry: bool,
    /// Now, as the event loop last said (overdue marks).
    pub now: chrono::DateTime<chrono::Utc>,
    /// How times are shown (UTC, or the local time zone).
    pub zone: Zone,
    /// The member's role on the committee, if known.
    pub role: Option<Role>,
    /// Where exports go unless a path is typed.
    pub export_dir: PathBuf,
    /// How the committee writes `A/B/YYYY` days (`date_order`), if set.
    pub date_order: Option<crate::core::dates::DateOrder>,
    /// Changes recorded and not saved yet, in words (shown in the quit dialog).
    pub pending: Vec<String>,
    /// What was being typed when it locked, to put back on its case after unlocking.
    restore: Option<Draft>,
    /// Drafts kept aside (a form or a note per case and action): opening the same one on
    /// the same case brings its draft back. Encrypted with the file while the screen is locked.
    pub kept: Vec<Draft>,
    /// The case the committee screen was opened from (Esc goes back to it).
    roster_from: Option<String>,
    /// While the screen is locked: what was being typed is encrypted with the file (quitting
    /// would drop it).
    draft_locked: bool,
    /// The text of the search hit being opened, to say where it matched.
    found_snippet: Option<String>,
    /// A question that waits until the message shown now is dismissed (sync conflict copies
    /// found while the committee's fingerprint is shown).
    waiting: Option<Overlay>,
    /// The status message last seen by the clock, and since when (old ones are cleared).
    status_seen: (String, chrono::DateTime<chrono::Utc>),
}

/// One message of the session, as the message log keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Whether it is an error.
    pub error: bool,
    /// The whole message, raw.
    pub text: String,
}

/// Messages the log keeps (the oldest go first).
const LOG_LENGTH: usize = 500;

/// How times are shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    /// In UTC.
    #[default]
    Utc,
    /// In the local time zone (from `TZ` or the system), named as given.
    Local(String),
}

impl Zone {
    /// `at` as `YYYY-MM-DD HH:MM` in this zone, with the zone said.
    pub fn show(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        match self {
            Zone::Utc => format!("{} UTC", at.format("%Y-%m-%d %H:%M")),
            Zone::Local(name) => {
                let local = at.with_timezone(&chrono::Local);
                format!(
                    "{} {name} (UTC{})",
                    local.format("%Y-%m-%d %H:%M"),
                    local.format("%:z")
                )
            }
        }
    }

    /// `at` as a short `MM-DD HH:MM` in this zone (the timeline's column).
    pub fn short(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        match self {
            Zone::Utc => at.format("%Y-%m-%d %H:%M").to_string(),
            Zone::Local(_) => at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        }
    }

    /// `at` as `HH:MM:SS` in this zone (the message log).
    pub fn short_time(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        match self {
            Zone::Utc => at.format("%H:%M:%S").to_string(),
            Zone::Local(_) => at
                .with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string(),
        }
    }

    /// Its name in headings: "UTC" or "local time (NAME)".
    pub fn name(&self) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Local(name) => format!("{name} time"),
        }
    }
}

/// What the event loop knows before drawing a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameSize {
    /// Rows per page of the case list.
    pub page: usize,
    /// Rows the case screen's timeline shows at once (below its pinned header).
    pub case_height: u16,
    /// The open case as laid out for this width.
    pub case: Option<CaseExtent>,
}

/// The open case as laid out for one width: what the model scrolls by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseExtent {
    /// Rows in all.
    pub rows: usize,
    /// The row where the focused entry (a search hit) starts.
    pub focus_row: Option<usize>,
    /// The rows of the selected entry: first, and one past the last.
    pub entry_rows: Option<(usize, usize)>,
}

/// Rows of the case screen's pinned header (code and title, state, what is due).
pub const CASE_HEADER: u16 = 3;

/// The lock screen: the passphrase being typed (wiped on drop) and why it locked.
pub struct LockScreen {
    /// What has been typed, never shown.
    pub typed: Passphrase,
    /// What happened when it locked (saved, or kept encrypted in memory), or why unlocking
    /// failed.
    pub message: String,
}

/// A typed passphrase: wiped on drop, never printed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Passphrase(pub zeroize::Zeroizing<String>);

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

impl App {
    /// A new interface on a file, before anything is loaded; `now` gives the default dates.
    pub fn new(label: String, me: Option<String>, now: chrono::DateTime<chrono::Utc>) -> App {
        App {
            label,
            read_only: false,
            me,
            queues: Queue::ALL.iter().map(|q| (*q, 0)).collect(),
            queue: Queue::ALL.len() - 1,
            rows: Vec::new(),
            selected: 0,
            screen: Screen::Queues,
            overlay: None,
            status: String::new(),
            dirty: false,
            quit: false,
            page: 10,
            bindings: keymap::DEFAULT.to_vec(),
            today: now.date_naive(),
            theme: Theme::default(),
            offset: 0,
            filter: Filter::default(),
            sort: Sort::default(),
            choices: (Vec::new(), Vec::new()),
            codes: Vec::new(),
            log: Vec::new(),
            privacy: false,
            status_is_error: false,
            logged: false,
            screen_lock: None,
            idle_left: None,
            disk_changed: false,
            clock_behind: None,
            case_shown: 0,
            scroll_to_focus: false,
            scroll_to_entry: false,
            now,
            zone: Zone::Utc,
            role: None,
            export_dir: PathBuf::from("exports"),
            date_order: None,
            pending: Vec::new(),
            restore: None,
            kept: Vec::new(),
            roster_from: None,
            draft_locked: false,
            found_snippet: None,
            waiting: None,
            status_seen: (String::new(), now),
        }
    }

    /// The selected queue.
    pub fn current_queue(&self) -> Queue {
        self.queues
            .get(self.queue)
            .map(|(q, _)| *q)
            .unwrap_or(Queue::All)
    }

    /// Where the keys go now.
    pub fn context(&self) -> Context {
        match self.screen {
            Screen::Queues => Context::Queues,
            Screen::Case { .. } => Context::Case,
            Screen::Roster { .. } => Context::Roster,
        }
    }

    /// The state machine: apply a user intent, a result from the runner, the clock or a
    /// paste; what to carry out next, if anything.
    pub fn update(&mut self, msg: impl Into<Msg>) -> Option<Effect> {
        let msg = msg.into();
        self.logging(|app| app.update_inner(msg))
    }

    /// Run `f`, and put a new status message it left in the log (a dialog's or an error's
    /// whole text went there already).
    pub(super) fn logging<T>(&mut self, f: impl FnOnce(&mut App) -> T) -> T {
        let before = self.status.clone();
        let outer = std::mem::replace(&mut self.logged, false);
        let out = f(self);
        if self.status != before && !self.logged {
            self.status_is_error = false;
            if !self.status.is_empty() {
                self.log_message(false, self.status.clone());
            }
        }
        self.logged |= outer;
        out
    }

    /// Keep `text` in the message log.
    pub(super) fn log_message(&mut self, error: bool, text: String) {
        if self.log.len() == LOG_LENGTH {
            self.log.remove(0);
        }
        self.log.push(LogEntry {
            at: self.now,
            error,
            text,
        });
        self.logged = true;
    }

    fn update_inner(&mut self, msg: Msg) -> Option<Effect> {
        match msg {
            Msg::Action(action) => {
                let opened_before = self.overlay.is_some();
                let effect = self.apply(action);
                if !opened_before {
                    self.bring_back_kept();
                }
                self.keep_visible();
                effect
            }
            Msg::Outcome(outcome) => self.receive(outcome),
            Msg::Idle { idle, limit } => self.idle(idle, limit),
            Msg::Frame(size) => {
                self.frame(size);
                None
            }
            Msg::Tick(now) => {
                self.tick(now);
                None
            }
            Msg::Paste(text) => self.on_paste(&text),
        }
    }

    /// The clock: now moves on; a status message older than [`STATUS_LIFE`] is cleared.
    fn tick(&mut self, now: chrono::DateTime<chrono::Utc>) {
        self.now = now;
        if self.status_seen.0 != self.status {
            self.status_seen = (self.status.clone(), now);
        } else if !self.status.is_empty() && now - self.status_seen.1 > STATUS_LIFE {
            self.status.clear();
            self.status_seen.0.clear();
        }
    }

    /// The idle clock: lock at the limit (keeping what is being typed), count down in the
    /// last minute.
    fn idle(&mut self, idle: std::time::Duration, limit: std::time::Duration) -> Option<Effect> {
        if self.screen_lock.is_some() {
            return None;
        }
        if idle >= limit {
            return Some(Effect::LockScreen {
                idle_secs: Some(limit.as_secs().max(1)),
                draft: self.draft_to_keep(),
            });
        }
        let left = (limit - idle).as_secs() + 1;
        self.idle_left = (left <= 60).then_some(left);
        None
    }

    /// The code name of the open case, if a case is open.
    pub fn open_case(&self) -> Option<&str> {
        match &self.screen {
            Screen::Case { data, .. } => Some(&data.case.code_name),
            _ => None,
        }
    }

    /// Scroll the list so that the selected row is visible.
    pub fn keep_visible(&mut self) {
        let page = self.page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }

    /// The timeline entry the case screen marks (a search hit), if any.
    pub fn case_focus(&self) -> Option<uuid::Uuid> {
        match &self.screen {
            Screen::Case { focus, .. } => *focus,
            _ => None,
        }
    }

    /// Before drawing a frame: the page size, and the open case's extent as laid out; scroll
    /// to a search hit or the selected entry once it is laid out, and keep the scroll in range.
    fn frame(&mut self, size: FrameSize) {
        self.page = size.page;
        let (Screen::Case { scroll, .. }, Some(extent)) = (&mut self.screen, size.case) else {
            return;
        };
        let height = size.case_height.max(1) as usize;
        if std::mem::take(&mut self.scroll_to_focus)
            && let Some(row) = extent.focus_row
        {
            *scroll = row.saturating_sub(1).min(u16::MAX as usize) as u16;
        }
        if std::mem::take(&mut self.scroll_to_entry)
            && let Some((start, end)) = extent.entry_rows
        {
            let top = *scroll as usize;
            let new_top = if start < top {
                start
            } else if end > top + height {
                start.min(end.saturating_sub(height))
            } else {
                top
            };
            *scroll = new_top.min(u16::MAX as usize) as u16;
        }
        let last = extent.rows.saturating_sub(height);
        *scroll = (*scroll).min(last.min(u16::MAX as usize) as u16);
    }
}

/// How long a status message stays before the bar shows the key hints alone.
pub const STATUS_LIFE: chrono::Duration = chrono::Duration::seconds(12);

/// A note editor holding `text`, soft-wrapped.
pub fn note_editor(text: &str) -> TextArea<'static> {
    let mut editor = if text.is_empty() {
        TextArea::default()
    } else {
        let mut editor = TextArea::new(text.lines().map(str::to_string).collect());
        editor.move_cursor(ratatui_textarea::CursorMove::Bottom);
        editor.move_cursor(ratatui_textarea::CursorMove::End);
        editor
    };
    editor.set_placeholder_text("Write the note. Ctrl-D adds it, Esc asks before dropping it.");
    editor.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    editor
}

/// The first screen row of the case list (below the tabs, the border and the header).
pub const LIST_TOP: usize = 3;

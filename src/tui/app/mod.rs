//! The interface's model and its state machine. `on_key` and `update` change the model and
//! return an [`Effect`] for the runner to carry out against the vault; they never do I/O.
//! Results come back as messages: the runner's [`Outcome`]s, applied by `update`.
//!
//! This file holds the model's types and `update` itself (the intents, one match); keys are
//! in `keys`, forms in `forms`, results in `loaded`, the lists' rows in `rows`. It runs a
//! little over 600 lines because the state machine reads best as one match.

mod forms;
mod keys;
mod loaded;
mod rows;
#[cfg(test)]
mod tests;

pub use forms::quorum_line;
use forms::{
    add_member_form, case_form, filter_form, form, import_form, new_case_form, remove_member_form,
    report_form,
};
pub use loaded::{Outcome, Shown};
pub use rows::{Filter, Sort, case_data, choices, roster_rows, snapshot};

use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::form::{Assignment, Field, Form, KnownAs, Purpose, Reply};
use super::keymap::{self, Binding, Context};
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
    /// Title, raw (sanitised when drawn); `None` when hidden by a hard conflict.
    pub title: Option<String>,
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
    },
    /// The committee: members, roles, keys.
    Roster {
        /// The members, removed ones included.
        members: Vec<RosterRow>,
        /// Index of the selected member.
        selected: usize,
    },
}

/// Something drawn over the screen that takes the keys.
pub enum Overlay {
    /// The key bindings, with the selected entry (Enter runs it).
    Help(usize),
    /// Unsaved changes: save, discard or cancel?
    ConfirmQuit,
    /// Writing a note.
    Note(Box<TextArea<'static>>),
    /// Typing a file name to save as.
    SaveAs(String),
    /// Choosing the open case's next status.
    Status {
        /// The allowed next statuses.
        options: Vec<Status>,
        /// Index of the selected one.
        selected: usize,
    },
    /// Filling in a form.
    Form(Box<Form>),
    /// Something to read (where an export went, how to verify it); any key closes it.
    Message {
        /// The title.
        title: String,
        /// The text.
        text: String,
    },
    /// A yes/no question before an effect that cannot be taken back.
    Confirm {
        /// The question.
        question: String,
        /// What "yes" does.
        effect: Effect,
    },
    /// Searching: the query, its hits, the selected hit.
    Search {
        /// What was typed.
        query: String,
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
    Unlock(Passphrase),
    /// Load the open case again after a change, keeping the scroll.
    ReloadCase(String),
    /// Check whether someone else saved over the file.
    CheckDisk,
    /// Idle: save if possible, then seal the file and the note being written in memory.
    Lock {
        /// Minutes without a key press, for the lock screen.
        minutes: u64,
        /// The note being written, kept sealed with the file.
        draft: Option<zeroize::Zeroizing<String>>,
    },
}

/// Everything `update` handles.
#[derive(Debug)]
pub enum Msg {
    /// A user intent.
    Action(Action),
    /// A result from the runner.
    Outcome(Outcome),
    /// Time without a key press, and the idle lock's limit.
    Idle {
        /// Since the last key press.
        idle: std::time::Duration,
        /// When to lock.
        limit: std::time::Duration,
    },
    /// A frame is about to be drawn.
    Frame(FrameSize),
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
    /// Set while the interface is locked: nothing of the file is in memory.
    pub locked: Option<LockScreen>,
    /// Seconds before the idle lock, when close.
    pub idle_left: Option<u64>,
    /// The file on disk is no longer the version opened (someone else saved it).
    pub disk_changed: bool,
    /// Counts the cases shown: a new one (or the same one reloaded) gets the next number, so
    /// that the view wraps its text again (see [`super::view::CaseLayout`]).
    pub case_shown: u64,
    /// The case was opened at a search hit: scroll to it once it is laid out.
    scroll_to_focus: bool,
}

/// What the event loop knows before drawing a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameSize {
    /// Rows per page of the case list.
    pub page: usize,
    /// Rows the case screen shows at once.
    pub case_height: u16,
    /// The open case as laid out for this width: its rows, and the row of the focused entry.
    pub case: Option<(usize, Option<usize>)>,
}

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
            me,
            queues: Queue::ALL.iter().map(|q| (*q, 0)).collect(),
            queue: Queue::ALL.len() - 1,
            rows: Vec::new(),
            selected: 0,
            screen: Screen::Queues,
            overlay: None,
            status: "? for help".into(),
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
            locked: None,
            idle_left: None,
            disk_changed: false,
            case_shown: 0,
            scroll_to_focus: false,
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

    /// The state machine: apply a user intent, a result from the runner, or the idle clock;
    /// what to carry out next, if anything.
    pub fn update(&mut self, msg: impl Into<Msg>) -> Option<Effect> {
        match msg.into() {
            Msg::Action(action) => {
                let effect = self.apply(action);
                self.keep_visible();
                effect
            }
            Msg::Outcome(outcome) => self.receive(outcome),
            Msg::Idle { idle, limit } => self.idle(idle, limit),
            Msg::Frame(size) => {
                self.frame(size);
                None
            }
        }
    }

    /// The idle clock: lock at the limit, count down in the last minute.
    fn idle(&mut self, idle: std::time::Duration, limit: std::time::Duration) -> Option<Effect> {
        if self.locked.is_some() {
            return None;
        }
        if idle >= limit {
            return Some(Effect::Lock {
                minutes: limit.as_secs().div_ceil(60),
                draft: self.draft().map(zeroize::Zeroizing::new),
            });
        }
        let left = (limit - idle).as_secs() + 1;
        self.idle_left = (left <= 60).then_some(left);
        None
    }

    fn apply(&mut self, action: Action) -> Option<Effect> {
        let rows = self.rows.len();
        match (&mut self.screen, action) {
            (_, Action::Help) => self.overlay = Some(Overlay::Help(0)),
            (_, Action::Quit) => {
                if self.dirty {
                    self.overlay = Some(Overlay::ConfirmQuit);
                } else {
                    self.quit = true;
                }
            }
            (_, Action::Save) if self.disk_changed => {
                self.status = "the file changed on disk since you opened it: save your version \
                    under a new name"
                    .into();
                self.overlay = Some(Overlay::SaveAs(String::new()));
            }
            (_, Action::Save) => return Some(Effect::Save),
            (_, Action::SaveAs) => self.overlay = Some(Overlay::SaveAs(String::new())),
            (_, Action::Search) => {
                self.overlay = Some(Overlay::Search {
                    query: String::new(),
                    hits: Vec::new(),
                    selected: 0,
                })
            }
            (Screen::Queues, Action::Up) => self.selected = self.selected.saturating_sub(1),
            (Screen::Queues, Action::Down) => {
                self.selected = (self.selected + 1).min(rows.saturating_sub(1))
            }
            (Screen::Queues, Action::PageUp) => {
                self.selected = self.selected.saturating_sub(self.page)
            }
            (Screen::Queues, Action::PageDown) => {
                self.selected = (self.selected + self.page).min(rows.saturating_sub(1))
            }
            (Screen::Queues, Action::Top) => self.selected = 0,
            (Screen::Queues, Action::Bottom) => self.selected = rows.saturating_sub(1),
            (Screen::Queues, Action::NextQueue) => {
                self.queue = (self.queue + 1) % self.queues.len();
                self.selected = 0;
                return Some(Effect::Refresh);
            }
            (Screen::Queues, Action::PreviousQueue) => {
                self.queue = (self.queue + self.queues.len() - 1) % self.queues.len();
                self.selected = 0;
                return Some(Effect::Refresh);
            }
            (Screen::Queues, Action::Open) => {
                let row = self.rows.get(self.selected)?;
                if row.title.is_none() {
                    self.status = format!("{}: hidden, you have a hard conflict on it", row.code);
                    return None;
                }
                return Some(Effect::OpenCase(row.code.clone()));
            }
            (Screen::Case { scroll, .. }, Action::Up) => *scroll = scroll.saturating_sub(1),
            (Screen::Case { scroll, .. }, Action::Down) => *scroll = scroll.saturating_add(1),
            (Screen::Case { scroll, .. }, Action::PageUp) => {
                *scroll = scroll.saturating_sub(self.page as u16)
            }
            (Screen::Case { scroll, .. }, Action::PageDown) => {
                *scroll = scroll.saturating_add(self.page as u16)
            }
            (Screen::Case { scroll, .. }, Action::Top) => *scroll = 0,
            (Screen::Case { scroll, .. }, Action::Bottom) => *scroll = u16::MAX / 2,
            (Screen::Case { .. }, Action::Back) => {
                self.screen = Screen::Queues;
                return Some(Effect::Refresh);
            }
            (Screen::Case { data, .. }, Action::ChangeStatus) => {
                // `decided` is reached by recording a decision, never by a status change.
                let options: Vec<Status> = data
                    .case
                    .status
                    .next()
                    .iter()
                    .copied()
                    .filter(|s| *s != Status::Decided)
                    .collect();
                if options.is_empty() {
                    self.status = format!(
                        "{} is {}: a final status",
                        data.case.code_name, data.case.status
                    );
                } else {
                    self.overlay = Some(Overlay::Status {
                        options,
                        selected: 0,
                    });
                }
            }
            (Screen::Case { data, .. }, action) if case_form(data, action).is_some() => {
                self.overlay = case_form(data, action).map(|f| Overlay::Form(Box::new(f)));
            }
            (Screen::Case { data, .. }, Action::Amend) => {
                self.status = format!("{} has no note or report to correct", data.case.code_name)
            }
            (Screen::Queues, Action::Sort) => {
                self.sort = self.sort.next();
                self.status = format!("sorted by {}", self.sort.as_str());
                return Some(Effect::Refresh);
            }
            (Screen::Queues, Action::Filter) => {
                self.overlay = Some(form(filter_form(&self.filter, &self.choices)))
            }
            (Screen::Queues, Action::NewCase) => self.overlay = Some(form(new_case_form())),
            (Screen::Queues, Action::Import) => self.overlay = Some(form(import_form())),
            (Screen::Queues, Action::Report) => self.overlay = Some(form(report_form(self.today))),
            (Screen::Queues | Screen::Case { .. }, Action::Roster) => {
                return Some(Effect::ShowRoster);
            }
            (Screen::Roster { selected, .. }, Action::Up) => *selected = selected.saturating_sub(1),
            (Screen::Roster { selected, members }, Action::Down) => {
                *selected = (*selected + 1).min(members.len().saturating_sub(1))
            }
            (Screen::Roster { .. }, Action::Back) => {
                self.screen = Screen::Queues;
                return Some(Effect::Refresh);
            }
            (Screen::Roster { .. }, Action::AddMember) => {
                self.overlay = Some(form(add_member_form()))
            }
            (Screen::Roster { members, selected }, Action::RemoveMember) => {
                match members.get(*selected) {
                    Some(m) if m.active => {
                        self.overlay = Some(form(remove_member_form(&m.name)));
                    }
                    Some(m) => self.status = format!("{} was already removed", m.name),
                    None => {}
                }
            }
            (Screen::Roster { .. }, Action::Rekey) => {
                self.overlay = Some(Overlay::Confirm {
                    question: "Re-encrypt the file (and its backup) to the current members with \
                        a fresh file key? Unsaved changes are saved with it."
                        .into(),
                    effect: Effect::Rekey,
                });
            }
            (Screen::Case { .. }, Action::AddNote) => {
                let mut editor = TextArea::default();
                editor.set_placeholder_text("Write the note. Ctrl-D adds it, Esc discards it.");
                self.overlay = Some(Overlay::Note(Box::new(editor)));
            }
            _ => {}
        }
        None
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

    /// The text of a note being written, if any (kept, encrypted, across a lock).
    pub fn draft(&self) -> Option<String> {
        match &self.overlay {
            Some(Overlay::Note(editor)) => Some(editor.lines().join("\n")),
            _ => None,
        }
    }

    /// The timeline entry the case screen marks (a search hit), if any.
    pub fn case_focus(&self) -> Option<uuid::Uuid> {
        match &self.screen {
            Screen::Case { focus, .. } => *focus,
            _ => None,
        }
    }

    /// Before drawing a frame: the page size, and the open case's extent as laid out; scroll
    /// to a search hit once it is laid out, and keep the scroll in range.
    fn frame(&mut self, size: FrameSize) {
        self.page = size.page;
        let (Screen::Case { scroll, .. }, Some((rows, focus_row))) = (&mut self.screen, size.case)
        else {
            return;
        };
        if std::mem::take(&mut self.scroll_to_focus)
            && let Some(row) = focus_row
        {
            *scroll = row.saturating_sub(1).min(u16::MAX as usize) as u16;
        }
        let last = rows.saturating_sub(size.case_height as usize);
        *scroll = (*scroll).min(last.min(u16::MAX as usize) as u16);
    }
}

/// The first screen row of the case list (below the tabs, the border and the header).
pub const LIST_TOP: usize = 3;

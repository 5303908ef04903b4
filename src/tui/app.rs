//! The interface's model and its state machine. `on_key` and `update` change the model and
//! return an [`Effect`] for the runner to carry out against the vault; they never do I/O.
//! Results come back as messages: the runner's [`Outcome`]s, applied by `update`.

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

impl Overlay {
    /// Where its keys are looked up; `None` when any key closes it.
    pub fn context(&self) -> Option<Context> {
        Some(match self {
            Overlay::Help(_) => Context::Help,
            Overlay::ConfirmQuit | Overlay::Confirm { .. } => Context::Question,
            Overlay::Note(_) => Context::Note,
            Overlay::SaveAs(_) => Context::FileName,
            Overlay::Status { .. } => Context::Chooser,
            Overlay::Form(_) => Context::Form,
            Overlay::Search { .. } => Context::Search,
            Overlay::Message { .. } => return None,
        })
    }
}

/// Edit a one-line text (a file name, the search) with a key; whether it changed.
fn edit_line(text: &mut String, code: KeyCode) -> bool {
    match code {
        KeyCode::Backspace => {
            text.pop();
            true
        }
        KeyCode::Char(c) if !c.is_control() => {
            text.push(c);
            true
        }
        _ => false,
    }
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

/// How a case that arrived is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// From the top.
    Fresh,
    /// The same case again after a change: where it was scrolled to.
    Again,
    /// From this timeline entry (a search hit).
    At(uuid::Uuid),
}

/// What the runner did, for `update` to apply.
#[derive(Debug)]
pub enum Outcome {
    /// The queues' counts, the selected queue's cases, and the filter's choices.
    Listed {
        /// Queues with their counts.
        queues: Vec<(Queue, usize)>,
        /// The cases of the selected queue.
        rows: Vec<Row>,
        /// Active members' names and the labels in use.
        choices: (Vec<String>, Vec<String>),
    },
    /// Search hits for `query`.
    Found {
        /// The query they are for.
        query: String,
        /// Ranked hits.
        hits: Vec<Hit>,
    },
    /// A case to show.
    Case {
        /// The case.
        data: Box<CaseData>,
        /// How.
        shown: Shown,
    },
    /// The committee.
    Roster(Vec<RosterRow>),
    /// The file was saved.
    Saved {
        /// Where.
        path: PathBuf,
        /// Saved under a new name: the file's new label.
        renamed: Option<String>,
    },
    /// Saved; now leave.
    SavedToQuit,
    /// A change was recorded on a case (not yet saved).
    Changed {
        /// The case.
        code: String,
        /// What was recorded.
        said: String,
        /// The member may no longer see the case (a hard conflict).
        hides: bool,
    },
    /// A new case was opened.
    Opened(String),
    /// Reports were imported as these new cases.
    Imported(Vec<String>),
    /// A signed decision record was written.
    Exported {
        /// The record.
        output: PathBuf,
        /// Its signature.
        signature: PathBuf,
        /// Its audience.
        profile: crate::export::Profile,
        /// How to check the signature.
        verify: String,
    },
    /// A signed transparency report was written.
    Reported {
        /// The report.
        output: PathBuf,
        /// Its signature.
        signature: PathBuf,
        /// The period's first day.
        from: chrono::NaiveDate,
        /// Its last day.
        to: chrono::NaiveDate,
        /// Cases received in the period and in the one before.
        received: (u64, u64),
        /// How to check the signature.
        verify: String,
    },
    /// A member was added (saved at once).
    MemberAdded {
        /// Their name, raw.
        name: String,
        /// Their key's fingerprint.
        fingerprint: String,
        /// Recipients the file is now encrypted to.
        recipients: usize,
    },
    /// A member was removed (saved at once).
    MemberRemoved {
        /// Their name, raw.
        name: String,
        /// Recipients left.
        recipients: usize,
    },
    /// The file was re-encrypted with a fresh file key.
    Rekeyed {
        /// Recipients.
        recipients: usize,
    },
    /// The idle lock ran.
    Locked {
        /// After how many minutes.
        minutes: u64,
        /// Whether unsaved changes were saved first (`None`: there were none), or why not.
        saved: Option<Result<(), String>>,
        /// Whether everything is sealed, or why not (then it stays unlocked).
        sealed: Result<(), String>,
    },
    /// Unlocked, with the note that was being written, if any.
    Unlocked {
        /// The note.
        draft: Option<String>,
    },
    /// Unlocking was refused; why.
    UnlockRefused(String),
    /// Whether someone else saved over the file.
    DiskChecked(bool),
    /// Something failed, in the interface's words; the model is unchanged.
    Failed(String),
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

/// Which cases the list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Only cases assigned to this member (by name), or to nobody (`Some("")`).
    pub assignee: Option<String>,
    /// Only cases with this label.
    pub label: Option<String>,
}

impl Filter {
    /// Whether anything is filtered out.
    pub fn is_active(&self) -> bool {
        *self != Filter::default()
    }

    /// How the list's title describes it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.severity {
            parts.push(format!("severity {}", s.as_str()));
        }
        match self.assignee.as_deref() {
            Some("") => parts.push("unassigned".to_string()),
            Some(name) => parts.push(format!("assigned to {name}")),
            None => {}
        }
        if let Some(label) = &self.label {
            parts.push(format!("label {label}"));
        }
        parts.join(", ")
    }
}

/// The case list's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Overdue first, then oldest first.
    #[default]
    Urgency,
    /// Most recently received first.
    Newest,
    /// Most severe first.
    Severity,
    /// By status, in the order of the process.
    Status,
    /// By code name.
    Code,
}

impl Sort {
    /// The next order (`o` cycles through them).
    pub fn next(self) -> Sort {
        match self {
            Sort::Urgency => Sort::Newest,
            Sort::Newest => Sort::Severity,
            Sort::Severity => Sort::Status,
            Sort::Status => Sort::Code,
            Sort::Code => Sort::Urgency,
        }
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Urgency => "urgency",
            Sort::Newest => "newest",
            Sort::Severity => "severity",
            Sort::Status => "status",
            Sort::Code => "code",
        }
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

    /// Handle a key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Option<Effect> {
        if self.locked.is_some() {
            return self.on_lock_key(key);
        }
        // Ctrl-C always leaves (asking first about unsaved changes), whatever the key map says.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return self.update(Action::Quit);
        }
        match self.overlay.take() {
            None => {
                keymap::lookup(&self.bindings, self.context(), key).and_then(|a| self.update(a))
            }
            Some(overlay) => {
                let action = overlay
                    .context()
                    .and_then(|context| keymap::lookup(&self.bindings, context, key));
                self.on_overlay_key(overlay, action, key)
            }
        }
    }

    /// A key on the lock screen: the passphrase is typed, `Done` unlocks.
    fn on_lock_key(&mut self, key: KeyEvent) -> Option<Effect> {
        let action = keymap::lookup(&self.bindings, Context::Locked, key);
        let lock = self.locked.as_mut()?;
        match (action, key.code) {
            (Some(Action::Done), _) => {
                return Some(Effect::Unlock(std::mem::take(&mut lock.typed)));
            }
            (Some(Action::Quit), _) => {
                if self.dirty {
                    lock.message = "there are unsaved changes: unlock, then save or discard \
                        them"
                        .into();
                } else {
                    self.quit = true;
                }
            }
            (_, KeyCode::Backspace) => {
                lock.typed.0.pop();
            }
            (_, KeyCode::Char(c)) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                lock.typed.0.push(c)
            }
            _ => {}
        }
        None
    }

    /// A key over a dialog, with the action it is bound to there (if any). The dialog is
    /// taken out of the model; it is put back when it stays open.
    fn on_overlay_key(
        &mut self,
        overlay: Overlay,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Option<Effect> {
        match overlay {
            Overlay::Help(selected) => self.on_help_key(selected, action),
            Overlay::Message { .. } => None,
            Overlay::ConfirmQuit => match action {
                Some(Action::Save) => Some(Effect::SaveAndQuit),
                Some(Action::Discard) => {
                    self.quit = true;
                    None
                }
                _ => {
                    self.status = "not quitting".into();
                    None
                }
            },
            Overlay::Confirm { effect, .. } => match action {
                Some(Action::Yes) => Some(effect),
                _ => {
                    self.status = "nothing done".into();
                    None
                }
            },
            Overlay::Note(mut editor) => match action {
                Some(Action::Back) => {
                    self.status = "note discarded".into();
                    None
                }
                Some(Action::Done) => {
                    let body = editor.lines().join("\n");
                    if body.trim().is_empty() {
                        self.status = "empty note discarded".into();
                        return None;
                    }
                    match &self.screen {
                        Screen::Case { data, .. } => Some(Effect::AddNote {
                            code: data.case.code_name.clone(),
                            body,
                        }),
                        _ => None,
                    }
                }
                _ => {
                    editor.input(key);
                    self.overlay = Some(Overlay::Note(editor));
                    None
                }
            },
            Overlay::SaveAs(mut path) => match (action, key.code) {
                (Some(Action::Back), _) => None,
                (Some(Action::Done), _) if !path.trim().is_empty() => {
                    Some(Effect::SaveAs(PathBuf::from(path.trim())))
                }
                (_, code) => {
                    edit_line(&mut path, code);
                    self.overlay = Some(Overlay::SaveAs(path));
                    None
                }
            },
            Overlay::Status {
                options,
                mut selected,
            } => {
                match action {
                    Some(Action::Back) => return None,
                    Some(Action::Open) => {
                        return match (&self.screen, options.get(selected)) {
                            (Screen::Case { data, .. }, Some(to)) => Some(Effect::ChangeStatus {
                                code: data.case.code_name.clone(),
                                to: *to,
                            }),
                            _ => None,
                        };
                    }
                    Some(Action::Up) => selected = selected.saturating_sub(1),
                    Some(Action::Down) => {
                        selected = (selected + 1).min(options.len().saturating_sub(1))
                    }
                    _ => {}
                }
                self.overlay = Some(Overlay::Status { options, selected });
                None
            }
            Overlay::Form(mut form) => match form.on_key_with(&self.bindings, key) {
                Reply::Cancel => {
                    self.status = format!("{}: cancelled", form.title);
                    None
                }
                Reply::Editing => {
                    self.overlay = Some(Overlay::Form(form));
                    None
                }
                Reply::Submit => self.submit(form),
            },
            Overlay::Search {
                mut query,
                hits,
                mut selected,
            } => {
                match action {
                    Some(Action::Back) => return None,
                    Some(Action::Open) => {
                        return hits.get(selected).map(|hit| match hit.event {
                            Some(event) => Effect::OpenCaseAt(hit.code.clone(), event),
                            None => Effect::OpenCase(hit.code.clone()),
                        });
                    }
                    Some(Action::Up) => selected = selected.saturating_sub(1),
                    Some(Action::Down) => {
                        selected = (selected + 1).min(hits.len().saturating_sub(1))
                    }
                    _ if edit_line(&mut query, key.code) => {
                        // The query changed: search again as you type.
                        self.overlay = Some(Overlay::Search {
                            query: query.clone(),
                            hits,
                            selected: 0,
                        });
                        return Some(Effect::Search(query));
                    }
                    _ => {}
                }
                self.overlay = Some(Overlay::Search {
                    query,
                    hits,
                    selected,
                });
                None
            }
        }
    }

    /// A key in the key list: move, run the chosen action where it applies, or close.
    fn on_help_key(&mut self, selected: usize, action: Option<Action>) -> Option<Effect> {
        let entries = keymap::help_entries(&self.bindings);
        let last = entries.len().saturating_sub(1);
        let selected = match action {
            Some(Action::Down) => (selected + 1).min(last),
            Some(Action::Up) => selected.saturating_sub(1),
            Some(Action::PageDown) => (selected + self.page).min(last),
            Some(Action::PageUp) => selected.saturating_sub(self.page),
            Some(Action::Top) => 0,
            Some(Action::Bottom) => last,
            Some(Action::Open) => {
                let entry = entries.get(selected)?;
                let here = self.context();
                if entry.context == Context::Global || entry.context == here {
                    return self.update(entry.action);
                }
                self.status = if entry.context.is_screen() {
                    format!(
                        "{} works on the {} screen",
                        entry.action.describe(),
                        entry.context.title().to_lowercase()
                    )
                } else {
                    format!("that key works {}", entry.context.title().to_lowercase())
                };
                return None;
            }
            // Any other key closes the help.
            _ => return None,
        };
        self.overlay = Some(Overlay::Help(selected));
        None
    }

    /// A form was submitted: read it as a request; what is missing keeps the form open and
    /// says so there.
    fn submit(&mut self, mut form: Box<Form>) -> Option<Effect> {
        let request = match super::request::read(&form.submission()) {
            Ok(Submitted::Request(request)) => request,
            Ok(Submitted::Filter(filter)) => {
                self.filter = filter;
                self.selected = 0;
                self.offset = 0;
                self.status = if self.filter.is_active() {
                    format!("showing {} (f changes it)", self.filter.describe())
                } else {
                    "showing every case".into()
                };
                return Some(Effect::Refresh);
            }
            Err(missing) => {
                form.error = Some(missing.clone());
                self.status = missing;
                self.overlay = Some(Overlay::Form(form));
                return None;
            }
        };
        if form.purpose.writes_plaintext() {
            self.overlay = Some(Overlay::Confirm {
                question: "This writes a PLAINTEXT file outside the encrypted case file, with a \
                    signature. Share it only with its audience. Write it?"
                    .into(),
                effect: Effect::Submit(request),
            });
            return None;
        }
        // The form stays open until the runner says it worked.
        form.error = None;
        self.overlay = Some(Overlay::Form(form));
        Some(Effect::Submit(request))
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

    /// Apply what the runner did; what to carry out next, if anything.
    fn receive(&mut self, outcome: Outcome) -> Option<Effect> {
        use crate::core::sanitize::inline;
        match outcome {
            Outcome::Listed {
                queues,
                rows,
                choices,
            } => {
                self.choices = choices;
                self.loaded(queues, rows);
            }
            Outcome::Found { query, hits } => self.found(&query, hits),
            Outcome::Case { data, shown } => match shown {
                Shown::Fresh => self.case_loaded(*data, false),
                Shown::Again => self.case_loaded(*data, true),
                Shown::At(event) => self.case_loaded_at(*data, event),
            },
            Outcome::Roster(members) => self.roster_loaded(members),
            Outcome::Saved { path, renamed } => {
                let message = match renamed {
                    Some(label) => {
                        self.label = label;
                        format!("saved as {}", path.display())
                    }
                    None => format!("saved {}", path.display()),
                };
                self.saved(message);
            }
            Outcome::SavedToQuit => self.quit = true,
            Outcome::Changed { code, said, hides } => {
                self.changed(format!("{code}: {said} (not saved yet: Ctrl-S)"));
                if hides {
                    self.screen = Screen::Queues;
                    return Some(Effect::Refresh);
                }
                if matches!(self.screen, Screen::Case { .. }) {
                    return Some(Effect::ReloadCase(code));
                }
            }
            Outcome::Opened(code) => {
                self.changed(format!("{code} opened"));
                return Some(Effect::OpenCase(code));
            }
            Outcome::Imported(codes) => {
                self.changed(format!(
                    "imported {} reports: {}",
                    codes.len(),
                    codes.join(", ")
                ));
                self.queue = self
                    .queues
                    .iter()
                    .position(|(q, _)| *q == Queue::NeedsAcknowledgement)
                    .unwrap_or(0);
                return Some(Effect::Refresh);
            }
            Outcome::Exported {
                output,
                signature,
                profile,
                verify,
            } => self.show(
                "Exported",
                format!(
                    "Wrote {} and its signature {} (plaintext: share them only with the \
                     {} audience).\n\nAnyone can check the signature with stock OpenSSH:\n\n{verify}",
                    output.display(),
                    signature.display(),
                    profile.as_str(),
                ),
                format!("exported {}", output.display()),
            ),
            Outcome::Reported {
                output,
                signature,
                from,
                to,
                received,
                verify,
            } => self.show(
                "Transparency report",
                format!(
                    "Wrote {} and its signature {} (plaintext, meant for the public): {} cases \
                     received from {from} to {to}, {} in the previous period of the same length.\n\n\
                     Verify: {verify}",
                    output.display(),
                    signature.display(),
                    received.0,
                    received.1,
                ),
                format!("wrote {}", output.display()),
            ),
            Outcome::MemberAdded {
                name,
                fingerprint,
                recipients,
            } => {
                self.saved(format!(
                    "added {} ({fingerprint}); the file is now encrypted to {recipients} recipients",
                    inline(&name),
                ));
                return Some(Effect::ShowRoster);
            }
            Outcome::MemberRemoved { name, recipients } => {
                self.saved(format!(
                    "removed {}; the file and its backup are encrypted to the {recipients} remaining recipients only",
                    inline(&name),
                ));
                return Some(Effect::ShowRoster);
            }
            Outcome::Rekeyed { recipients } => {
                self.saved(format!(
                    "re-encrypted with a fresh file key to {recipients} recipients (backup too)"
                ));
                return Some(Effect::ShowRoster);
            }
            Outcome::Locked {
                minutes,
                saved,
                sealed,
            } => {
                let mut message = format!("Locked after {minutes} minutes without a key press.");
                match saved {
                    Some(Ok(())) => {
                        self.dirty = false;
                        message.push_str(" Your changes were saved first.");
                    }
                    Some(Err(why)) => message.push_str(&format!(
                        " Your changes were not saved ({why}): they are kept, encrypted, in memory."
                    )),
                    None => {}
                }
                match sealed {
                    Ok(()) => self.lock(message),
                    Err(e) => self.failed(format!("could not lock: {e}")),
                }
            }
            Outcome::Unlocked { draft } => {
                self.unlocked(draft);
                return Some(Effect::Refresh);
            }
            Outcome::UnlockRefused(message) => self.unlock_failed(message),
            Outcome::DiskChecked(changed) => self.disk_changed = changed,
            Outcome::Failed(message) => self.failed(message),
        }
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

    /// New queue counts and rows arrived.
    fn loaded(&mut self, queues: Vec<(Queue, usize)>, rows: Vec<Row>) {
        self.queues = queues;
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.keep_visible();
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

    /// A mouse event: the wheel scrolls, a click selects a case (a click on the selected
    /// one opens it).
    pub fn on_mouse(&mut self, event: crossterm::event::MouseEvent) -> Option<Effect> {
        use crossterm::event::{MouseButton, MouseEventKind};
        if self.locked.is_some() || self.overlay.is_some() {
            return None;
        }
        match event.kind {
            MouseEventKind::ScrollDown => {
                for _ in 0..3 {
                    self.update(Action::Down);
                }
                None
            }
            MouseEventKind::ScrollUp => {
                for _ in 0..3 {
                    self.update(Action::Up);
                }
                None
            }
            MouseEventKind::Down(MouseButton::Left) if matches!(self.screen, Screen::Queues) => {
                // Row 0 holds the tabs, then the list's border and header.
                let row = (event.row as usize).checked_sub(LIST_TOP)? + self.offset;
                if row >= self.rows.len() {
                    return None;
                }
                if row == self.selected {
                    return self.update(Action::Open);
                }
                self.selected = row;
                None
            }
            _ => None,
        }
    }

    /// Lock: everything read from the file is dropped; `message` says what happened to
    /// unsaved changes.
    fn lock(&mut self, message: String) {
        self.rows = Vec::new();
        self.choices = (Vec::new(), Vec::new());
        self.screen = Screen::Queues;
        self.overlay = None;
        self.idle_left = None;
        self.locked = Some(LockScreen {
            typed: Passphrase::default(),
            message,
        });
    }

    /// Unlocking failed; stay locked and say why.
    fn unlock_failed(&mut self, message: String) {
        if let Some(lock) = &mut self.locked {
            lock.message = message;
        }
    }

    /// Unlocked: back to the queues, with the note being written when it locked, if any.
    fn unlocked(&mut self, draft: Option<String>) {
        self.locked = None;
        self.status = "unlocked".into();
        if let Some(draft) = draft {
            let mut editor = TextArea::new(draft.lines().map(str::to_string).collect());
            editor.set_placeholder_text("Write the note. Ctrl-D adds it, Esc discards it.");
            self.overlay = Some(Overlay::Note(Box::new(editor)));
        }
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

    /// A case arrived; `keep_scroll` when it is the same case reloaded.
    fn case_loaded(&mut self, data: CaseData, keep_scroll: bool) {
        self.case_shown += 1;
        let (scroll, focus) = match (&self.screen, keep_scroll) {
            (Screen::Case { scroll, focus, .. }, true) => (*scroll, *focus),
            _ => (0, None),
        };
        self.screen = Screen::Case {
            data: Box::new(data),
            scroll,
            focus,
        };
    }

    /// A case arrived from a search: show its timeline from the matching entry.
    fn case_loaded_at(&mut self, data: CaseData, event: uuid::Uuid) {
        self.case_shown += 1;
        self.scroll_to_focus = true;
        self.screen = Screen::Case {
            data: Box::new(data),
            scroll: 0,
            focus: Some(event),
        };
    }

    /// The roster arrived.
    fn roster_loaded(&mut self, members: Vec<RosterRow>) {
        let selected = match &self.screen {
            Screen::Roster { selected, .. } => (*selected).min(members.len().saturating_sub(1)),
            _ => 0,
        };
        self.screen = Screen::Roster { members, selected };
    }

    /// Search results for `query` arrived (ignored if the query has changed since).
    fn found(&mut self, query: &str, found: Vec<Hit>) {
        if let Some(Overlay::Search {
            query: current,
            hits,
            selected,
        }) = &mut self.overlay
            && current == query
        {
            *hits = found;
            *selected = 0;
        }
    }

    /// A change was recorded (not yet saved); a form that asked for it closes.
    fn changed(&mut self, message: String) {
        self.dirty = true;
        self.done(message);
    }

    /// The file was saved; a form that asked for it closes.
    fn saved(&mut self, message: String) {
        self.dirty = false;
        self.done(message);
    }

    /// Something was done that did not change the file (an export); a form closes.
    fn done(&mut self, message: String) {
        if matches!(self.overlay, Some(Overlay::Form(_))) {
            self.overlay = None;
        }
        self.status = message;
    }

    /// Something was written outside the file: say where, in a dialog that shows it whole.
    fn show(&mut self, title: &str, text: String, status: String) {
        self.status = status;
        self.overlay = Some(Overlay::Message {
            title: title.to_string(),
            text,
        });
    }

    /// Something failed; the model is unchanged, and an open form says why.
    fn failed(&mut self, message: String) {
        if let Some(Overlay::Form(form)) = &mut self.overlay {
            form.error = Some(message.clone());
        }
        self.status = message;
    }
}

/// The first screen row of the case list (below the tabs, the border and the header).
pub const LIST_TOP: usize = 3;

/// Active members' names and the labels of the cases the member may see, for the filter.
pub fn choices<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    view: &View<'_>,
) -> (Vec<String>, Vec<String>) {
    let members = view.roster.active().map(|m| m.name.clone()).collect();
    let labels: std::collections::BTreeSet<String> = cases
        .into_iter()
        .filter(|c| view.may_see(c))
        .flat_map(|c| c.labels.iter().cloned())
        .collect();
    (members, labels.into_iter().collect())
}

/// Queue counts and the rows of `queue`, for the member in `view`.
pub fn snapshot<'a>(
    cases: impl IntoIterator<Item = &'a Case> + Clone,
    view: &View<'_>,
    queue: Queue,
    filter: &Filter,
    sort: Sort,
) -> (Vec<(Queue, usize)>, Vec<Row>) {
    let counts = crate::core::queue::counts(view, cases.clone());
    let name = |id: &MemberId| {
        view.roster
            .get(*id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    let assignee = filter.assignee.as_deref().map(|name| {
        view.roster
            .members()
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.id)
    });
    let wanted = |c: &Case| {
        filter.severity.is_none_or(|s| c.severity == Some(s))
            && filter
                .label
                .as_ref()
                .is_none_or(|l| c.labels.contains(l) && view.may_see(c))
            && match assignee {
                None => true,
                Some(None) => c.assignees.is_empty(),
                Some(Some(id)) => c.assignees.contains(&id),
            }
    };
    // Sort references (with what is due computed once per case), then build only the rows.
    let mut chosen: Vec<(&Case, Option<Due>)> = cases
        .into_iter()
        .filter(|c| queue.contains(view, c) && wanted(c))
        .map(|c| (c, process::due(view.settings, c)))
        .collect();
    let overdue = |due: &Option<Due>| due.is_some_and(|d| d.by < view.now);
    let rank = |c: &Case| Status::ALL.iter().position(|s| *s == c.status);
    chosen.sort_by(|(a, a_due), (b, b_due)| match sort {
        Sort::Urgency => overdue(b_due)
            .cmp(&overdue(a_due))
            .then(a.received_at.cmp(&b.received_at))
            .then(a.code_name.cmp(&b.code_name)),
        Sort::Newest => b
            .received_at
            .cmp(&a.received_at)
            .then(a.code_name.cmp(&b.code_name)),
        Sort::Severity => b
            .severity
            .cmp(&a.severity)
            .then(overdue(b_due).cmp(&overdue(a_due)))
            .then(a.received_at.cmp(&b.received_at)),
        Sort::Status => rank(a)
            .cmp(&rank(b))
            .then(a.received_at.cmp(&b.received_at)),
        Sort::Code => a.code_name.cmp(&b.code_name),
    });
    let rows = chosen
        .into_iter()
        .map(|(c, due)| Row {
            code: c.code_name.clone(),
            title: view.may_see(c).then(|| c.title.clone()),
            status: c.status,
            severity: c.severity,
            age_days: (view.now - c.received_at).num_days(),
            assignees: c.assignees.iter().map(name).collect::<Vec<_>>().join(", "),
            due: due.map(|d| (d.what.to_string(), d.by < view.now)),
        })
        .collect();
    (counts, rows)
}

/// Everything the case screen needs.
pub fn case_data(
    case: Case,
    timeline: Vec<Event>,
    roster: &Roster,
    settings: &Settings,
) -> CaseData {
    let names = roster
        .members()
        .iter()
        .map(|m| (m.id, m.name.clone()))
        .collect();
    CaseData {
        due: process::due(settings, &case),
        tally: process::current_tally(roster, settings, &case),
        eligible: process::eligible_voters(roster, &case),
        active: roster.active().map(|m| m.name.clone()).collect(),
        elsewhere: Vec::new(),
        settings: *settings,
        case,
        timeline,
        names,
    }
}

/// The roster screen's rows, from the file's summary.
pub fn roster_rows(members: Vec<crate::vault::MemberSummary>) -> Vec<RosterRow> {
    use crate::vault::EncryptedTo;
    members
        .into_iter()
        .map(|m| RosterRow {
            state: match m.removed_at {
                Some(at) => format!("removed {}", at.format("%Y-%m-%d")),
                None => format!("since {}", m.added_at.format("%Y-%m-%d")),
            },
            encrypted_to: match m.encrypted_to {
                EncryptedTo::Yes => "yes",
                EncryptedTo::No => "no",
                EncryptedTo::Unknown => "unknown",
            }
            .into(),
            name: m.name,
            email: m.email,
            role: m.role.as_str().into(),
            key_type: m.key_type.into(),
            fingerprint: m.fingerprint,
            active: m.active,
        })
        .collect()
}

fn form(form: Form) -> Overlay {
    Overlay::Form(Box::new(form))
}

/// Where the decision on `outcome` stands: the live quorum line of the decision form.
pub fn quorum_line(data: &CaseData, outcome: &str) -> String {
    let empty = BTreeMap::new();
    let votes = match &data.case.proposal {
        Some(p) if p.outcome == outcome => &p.votes,
        _ => &empty,
    };
    let t = tally(data.settings.quorum, &data.eligible, votes);
    let state = if t.met {
        "quorum MET: the decision can be recorded".to_string()
    } else {
        "quorum NOT met: only the chair can record it, with an override reason".to_string()
    };
    format!(
        "{outcome}: {} for, {} against, {} abstain; {} of {} needed ({}) — {state}",
        t.for_, t.against, t.abstain, t.needed, t.eligible, t.rule
    )
}

/// The form an action on the open case asks for, if it asks for one.
fn case_form(data: &CaseData, action: Action) -> Option<Form> {
    let code = data.case.code_name.clone();
    let outcomes = data.settings.ladder.outcomes();
    let proposed = data
        .case
        .proposal
        .as_ref()
        .and_then(|p| outcomes.iter().position(|o| *o == p.outcome))
        .unwrap_or(0);
    Some(match action {
        Action::Assign => Form::new(
            format!("Assign on {code}"),
            Purpose::Assign(code),
            vec![
                Field::names("member", "member", &data.active, 0),
                Field::choice(
                    "how",
                    "",
                    [
                        ("assign", Assignment::Assign),
                        ("take off", Assignment::TakeOff),
                    ],
                    0,
                ),
            ],
        ),
        Action::Conflict => Form::new(
            format!("Declare a conflict of interest on {code}"),
            Purpose::Conflict(code),
            vec![
                Field::choice(
                    "kind",
                    "kind",
                    [("soft", ConflictKind::Soft), ("hard", ConflictKind::Hard)],
                    0,
                ),
                Field::line("reason", "reason (optional)", ""),
            ],
        )
        .with_notes(vec![
            "soft: you may discuss the case but not vote on it.".into(),
            "hard: you will no longer see the case at all.".into(),
        ]),
        Action::AddParty => Form::new(
            format!("Add a party to {code}"),
            Purpose::Party(code),
            vec![
                Field::choice("role", "role", PartyRole::ALL.map(|r| (r.as_str(), r)), 1),
                Field::choice(
                    "identity",
                    "known as",
                    [
                        ("named", KnownAs::Named),
                        ("pseudonymous", KnownAs::Pseudonymous),
                        ("anonymous", KnownAs::Anonymous),
                        ("same person as", KnownAs::SameAs),
                    ],
                    0,
                ),
                Field::line("name", "name or alias", ""),
                Field::line("handle", "handle (optional)", ""),
                Field::line("email", "email (optional)", ""),
                Field::line("same_as", "same as (CODE:N)", ""),
            ],
        )
        .with_notes(vec![
            "anonymous: the committee holds no identity; you hold the contact.".into(),
            "same person as: party N of another case (CODE:N, numbered as its case lists them)."
                .into(),
        ]),
        Action::Emergency => Form::new(
            format!("Emergency action on {code}"),
            Purpose::Emergency(code),
            vec![Field::line("action", "action taken", "")],
        )
        .with_notes(vec![
            "Another member must review it within 24 hours.".into(),
        ]),
        Action::ReviewEmergency => Form::new(
            format!("Review the emergency action on {code}"),
            Purpose::Review(code),
            vec![Field::text(
                "note",
                "review",
                "Why it stands, or what changes.",
            )],
        ),
        Action::Vote => Form::new(
            format!("Vote on {code}"),
            Purpose::Vote(code),
            vec![
                Field::names("outcome", "outcome", &outcomes, proposed),
                Field::choice("ballot", "ballot", Ballot::ALL.map(|b| (b.as_str(), b)), 0),
            ],
        )
        .with_notes(vec![match &data.case.proposal {
            Some(p) => format!(
                "Proposed: {}. Another outcome replaces the proposal.",
                p.outcome
            ),
            None => "Nothing proposed yet: your vote proposes the outcome.".into(),
        }]),
        Action::Decide => Form::new(
            format!("Record the decision on {code}"),
            Purpose::Decide(code),
            vec![
                Field::names("outcome", "outcome", &outcomes, proposed),
                Field::text("rationale", "rationale", "Why the committee decided this."),
                Field::line("override", "override reason", ""),
            ],
        ),
        Action::Comms => Form::new(
            format!("Log a message sent on {code}"),
            Purpose::Comms(code),
            vec![
                Field::choice("to", "sent to", Audience::ALL.map(|a| (a.as_str(), a)), 0),
                Field::line("summary", "what it said", ""),
            ],
        ),
        Action::Export => Form::new(
            format!("Export a signed decision record of {code}"),
            Purpose::Export(code.clone()),
            vec![
                Field::choice(
                    "profile",
                    "for",
                    [
                        Profile::Internal,
                        Profile::Reported,
                        Profile::Reporter,
                        Profile::Public,
                    ]
                    .map(|p| (p.as_str(), p)),
                    0,
                ),
                Field::choice(
                    "format",
                    "format",
                    RecordFormat::ALL.map(|f| (f.as_str(), f)),
                    0,
                ),
                Field::line("output", "file", ""),
            ],
        )
        .with_notes(vec![
            "internal: everything. reported: no reporter or witnesses, no deliberation.".into(),
            "reporter: outcome and follow-up. public: anonymised, month dates.".into(),
            "Left empty, the file is CODE-AUDIENCE.FORMAT in the current folder.".into(),
        ]),
        Action::Amend => {
            // The most recent entries with text, newest first.
            let entries: Vec<&Event> = data
                .timeline
                .iter()
                .rev()
                .filter(|e| {
                    matches!(
                        e.kind,
                        EventKind::NoteAdded { .. } | EventKind::ReportReceived { .. }
                    )
                })
                .take(6)
                .collect();
            if entries.is_empty() {
                return None;
            }
            let options = entries.iter().map(|e| {
                let text = match &e.kind {
                    EventKind::NoteAdded { body, .. } | EventKind::ReportReceived { body, .. } => {
                        body.as_str()
                    }
                    _ => "",
                };
                let start: String = text
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(40)
                    .collect();
                (format!("{} {start}…", e.at.format("%m-%d %H:%M")), e.id)
            });
            Form::new(
                format!("Correct an entry of {code}"),
                Purpose::Amend(code),
                vec![
                    Field::choice("entry", "entry", options, 0),
                    Field::text("body", "correction", "What was wrong, and what is right."),
                ],
            )
            .with_notes(vec![
                "Nothing is ever erased: the correction is recorded under the entry it amends."
                    .into(),
            ])
        }
        _ => return None,
    })
}

fn filter_form(current: &Filter, (members, labels): &(Vec<String>, Vec<String>)) -> Form {
    let mut severities = vec![("any", None)];
    severities.extend(Severity::ALL.map(|s| (s.as_str(), Some(s))));
    let severity = severities
        .iter()
        .position(|(_, s)| *s == current.severity)
        .unwrap_or(0);
    let mut people = vec![
        ("anyone".to_string(), None),
        ("nobody".to_string(), Some(String::new())),
    ];
    people.extend(members.iter().map(|m| (m.clone(), Some(m.clone()))));
    let person = people
        .iter()
        .position(|(_, p)| *p == current.assignee)
        .unwrap_or(0);
    let mut all_labels = vec![("any".to_string(), None)];
    all_labels.extend(labels.iter().map(|l| (l.clone(), Some(l.clone()))));
    let label = all_labels
        .iter()
        .position(|(_, l)| *l == current.label)
        .unwrap_or(0);
    Form::new(
        "Show only",
        Purpose::Filter,
        vec![
            Field::choice("severity", "severity", severities, severity),
            Field::choice("assignee", "assigned to", people, person),
            Field::choice("label", "label", all_labels, label),
        ],
    )
}

fn new_case_form() -> Form {
    Form::new(
        "New case",
        Purpose::NewCase,
        vec![
            Field::line("title", "title", ""),
            Field::choice(
                "channel",
                "received by",
                Channel::ALL.map(|c| (c.as_str(), c)),
                0,
            ),
            Field::text("summary", "summary", "What was reported (optional)."),
        ],
    )
}

fn import_form() -> Form {
    Form::new(
        "Import reports",
        Purpose::Import,
        vec![Field::line("paths", "files", "")],
    )
    .with_notes(vec![
        "Email (.eml), form exports (.csv) or JSON; separate several files with ;".into(),
        "Each report becomes a new case; the files themselves stay where they are.".into(),
    ])
}

fn report_form(today: chrono::NaiveDate) -> Form {
    use chrono::Datelike;
    let start = today.with_day(1).unwrap_or(today) - chrono::Months::new(6);
    Form::new(
        "Transparency report",
        Purpose::Report,
        vec![
            Field::line("from", "from", &start.to_string()),
            Field::line("to", "to", &today.to_string()),
            Field::choice(
                "format",
                "format",
                ReportFormat::ALL.map(|f| (f.as_str(), f)),
                0,
            ),
            Field::line("output", "file", ""),
        ],
    )
    .with_notes(vec![
        "Counts by channel, outcome, venue and status, against the previous period.".into(),
        "Dates as YYYY-MM-DD. Left empty, the file is transparency-FROM-TO.FORMAT here.".into(),
    ])
}

fn add_member_form() -> Form {
    Form::new(
        "Add a member",
        Purpose::AddMember,
        vec![
            Field::line("name", "name", ""),
            Field::line("email", "email (optional)", ""),
            Field::choice(
                "role",
                "role",
                [Role::Member, Role::Chair].map(|r| (r.as_str(), r)),
                0,
            ),
            Field::line("key", "public key", ""),
        ],
    )
    .with_notes(vec![
        "The key: an ssh-ed25519 line, an age1... recipient, or the path of a .pub file.".into(),
        "The file is re-encrypted at once so that the new member can open it.".into(),
    ])
}

fn remove_member_form(name: &str) -> Form {
    Form::new(
        format!("Remove {name}"),
        Purpose::RemoveMember(name.to_string()),
        vec![Field::line("reason", "reason (optional)", "")],
    )
    .with_notes(vec![
        format!("The file and its backup are re-encrypted at once without {name}'s key."),
        "This protects future versions only: copies of the file they already hold, exports they \
         received and history synced elsewhere stay readable to them."
            .into(),
        "Enter removes, Esc keeps them.".into(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn row(code: &str) -> Row {
        Row {
            code: code.into(),
            title: Some("t".into()),
            status: Status::New,
            severity: None,
            age_days: 1,
            assignees: String::new(),
            due: None,
        }
    }

    #[test]
    fn navigation_stays_within_the_list_and_queues_wrap() {
        let mut app = App::new("f".into(), None, chrono::Utc::now());
        app.loaded(app.queues.clone(), vec![row("a"), row("b"), row("c")]);
        app.on_key(key(KeyCode::Char('j')));
        app.on_key(key(KeyCode::Down));
        app.on_key(key(KeyCode::Down));
        assert_eq!(app.selected, 2);
        app.on_key(key(KeyCode::Char('g')));
        assert_eq!(app.selected, 0);
        assert_eq!(
            app.on_key(key(KeyCode::Enter)),
            Some(Effect::OpenCase("a".into()))
        );
        assert_eq!(app.on_key(key(KeyCode::Tab)), Some(Effect::Refresh));
        assert_eq!(
            app.current_queue(),
            Queue::NeedsAcknowledgement,
            "from `all`, Tab wraps to the first"
        );
    }

    #[test]
    fn quitting_with_unsaved_changes_asks_first() {
        let mut app = App::new("f".into(), None, chrono::Utc::now());
        app.changed("note added".into());
        app.on_key(key(KeyCode::Char('q')));
        assert!(!app.quit && matches!(app.overlay, Some(Overlay::ConfirmQuit)));
        app.on_key(key(KeyCode::Char('c')));
        assert!(!app.quit && app.overlay.is_none());
        app.on_key(key(KeyCode::Char('q')));
        assert_eq!(
            app.on_key(key(KeyCode::Char('s'))),
            Some(Effect::SaveAndQuit)
        );
        app.on_key(key(KeyCode::Char('q')));
        app.on_key(key(KeyCode::Char('d')));
        assert!(app.quit, "discard quits");
    }

    #[test]
    fn search_updates_as_you_type_and_enter_opens_the_hit() {
        let mut app = App::new("f".into(), None, chrono::Utc::now());
        app.on_key(key(KeyCode::Char('/')));
        assert_eq!(
            app.on_key(key(KeyCode::Char('v'))),
            Some(Effect::Search("v".into()))
        );
        assert_eq!(
            app.on_key(key(KeyCode::Char('i'))),
            Some(Effect::Search("vi".into()))
        );
        app.found(
            "v",
            vec![Hit {
                code: "stale".into(),
                snippet: String::new(),
                event: None,
            }],
        );
        app.found(
            "vi",
            vec![
                Hit {
                    code: "amber-kettle".into(),
                    snippet: "\u{1}vi\u{2}deo".into(),
                    event: None,
                },
                Hit {
                    code: "quiet-heron".into(),
                    snippet: String::new(),
                    event: Some(uuid::Uuid::from_u128(7)),
                },
            ],
        );
        app.on_key(key(KeyCode::Down));
        assert_eq!(
            app.on_key(key(KeyCode::Enter)),
            Some(Effect::OpenCaseAt(
                "quiet-heron".into(),
                uuid::Uuid::from_u128(7)
            ))
        );
    }

    #[test]
    fn only_allowed_status_moves_are_offered_and_decided_never() {
        use crate::core::case::{CaseId, Channel};
        use crate::core::event::EventKind;
        let id = CaseId(uuid::Uuid::from_u128(1));
        let opened = Event {
            id: uuid::Uuid::from_u128(2),
            case: Some(id),
            author: MemberId(uuid::Uuid::from_u128(3)),
            at: chrono::Utc::now(),
            amends: None,
            kind: EventKind::CaseOpened {
                code_name: "amber-kettle".into(),
                title: "t".into(),
                summary: String::new(),
                channel: Channel::Email,
                received_at: chrono::Utc::now(),
            },
        };
        let mut case = Case::opened(id, &opened).unwrap();
        case.status = Status::Deliberating;
        let mut app = App::new("f".into(), None, chrono::Utc::now());
        app.case_loaded(
            case_data(case, vec![opened], &Roster::default(), &Settings::default()),
            false,
        );
        app.on_key(key(KeyCode::Char('s')));
        let Some(Overlay::Status { options, .. }) = &app.overlay else {
            panic!("no status chooser")
        };
        assert_eq!(
            options,
            &[Status::Investigating],
            "deliberating -> investigating only; decided comes from a decision"
        );
        assert_eq!(
            app.on_key(key(KeyCode::Enter)),
            Some(Effect::ChangeStatus {
                code: "amber-kettle".into(),
                to: Status::Investigating
            })
        );
    }

    #[test]
    fn the_help_runs_the_chosen_action_where_it_applies() {
        let mut app = App::new("f".into(), None, chrono::Utc::now());
        app.loaded(app.queues.clone(), vec![row("a"), row("b")]);
        app.on_key(key(KeyCode::Char('?')));
        let entries = keymap::help_entries(&app.bindings);
        let at = |action: Action| entries.iter().position(|e| e.action == action).unwrap();
        // A case action is listed but does not run on the queue screen.
        for _ in 0..at(Action::AddNote) {
            app.on_key(key(KeyCode::Down));
        }
        assert_eq!(app.on_key(key(KeyCode::Enter)), None);
        assert!(app.status.contains("case screen"), "{}", app.status);
        // Sorting does.
        app.on_key(key(KeyCode::Char('?')));
        for _ in 0..at(Action::Sort) {
            app.on_key(key(KeyCode::Down));
        }
        assert_eq!(app.on_key(key(KeyCode::Enter)), Some(Effect::Refresh));
        assert_eq!(app.sort, Sort::Newest);
    }

    #[test]
    fn a_hidden_case_does_not_open() {
        let mut app = App::new("f".into(), None, chrono::Utc::now());
        let mut hidden = row("secret-case");
        hidden.title = None;
        app.loaded(app.queues.clone(), vec![hidden]);
        assert_eq!(app.on_key(key(KeyCode::Enter)), None);
        assert!(app.status.contains("hard conflict"), "{}", app.status);
    }
}

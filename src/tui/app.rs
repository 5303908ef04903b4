//! The interface's model and its state machine. `on_key` and `update` change the model and
//! return an [`Effect`] for the runner to carry out against the vault; they never do I/O.
//! Results come back through the `loaded`/`saved`/`failed` setters.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::keymap::{self, Binding, Context};
use crate::core::case::{Case, Severity, Status};
use crate::core::decision::Tally;
use crate::core::event::Event;
use crate::core::process::{self, Due, Settings};
use crate::core::queue::{Queue, View};
use crate::core::roster::{MemberId, Roster};

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
        /// Lines scrolled.
        scroll: u16,
    },
}

/// Something drawn over the screen that takes the keys.
pub enum Overlay {
    /// The key bindings.
    Help,
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
}

/// Work for the runner: everything that touches the vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Recompute the queues and the selected queue's cases.
    Refresh,
    /// Load a case.
    OpenCase(String),
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
    pub bindings: &'static [Binding],
}

impl App {
    /// A new interface on a file, before anything is loaded.
    pub fn new(label: String, me: Option<String>) -> App {
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
            bindings: keymap::DEFAULT,
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
        }
    }

    /// Handle a key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Option<Effect> {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return self.update(Action::Quit);
        }
        match self.overlay.take() {
            Some(Overlay::Help) => None,
            Some(Overlay::ConfirmQuit) => match key.code {
                KeyCode::Char('s') => Some(Effect::SaveAndQuit),
                KeyCode::Char('d') => {
                    self.quit = true;
                    None
                }
                _ => {
                    self.status = "not quitting".into();
                    None
                }
            },
            Some(Overlay::Note(mut editor)) => {
                if key.code == KeyCode::Esc {
                    self.status = "note discarded".into();
                    return None;
                }
                if key.code == KeyCode::Char('d') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    let body = editor.lines().join("\n");
                    if body.trim().is_empty() {
                        self.status = "empty note discarded".into();
                        return None;
                    }
                    return match &self.screen {
                        Screen::Case { data, .. } => Some(Effect::AddNote {
                            code: data.case.code_name.clone(),
                            body,
                        }),
                        Screen::Queues => None,
                    };
                }
                editor.input(key);
                self.overlay = Some(Overlay::Note(editor));
                None
            }
            Some(Overlay::SaveAs(mut path)) => match key.code {
                KeyCode::Esc => None,
                KeyCode::Enter if !path.trim().is_empty() => {
                    Some(Effect::SaveAs(PathBuf::from(path.trim())))
                }
                KeyCode::Backspace => {
                    path.pop();
                    self.overlay = Some(Overlay::SaveAs(path));
                    None
                }
                KeyCode::Char(c) if !c.is_control() => {
                    path.push(c);
                    self.overlay = Some(Overlay::SaveAs(path));
                    None
                }
                _ => {
                    self.overlay = Some(Overlay::SaveAs(path));
                    None
                }
            },
            Some(Overlay::Status {
                options,
                mut selected,
            }) => match key.code {
                KeyCode::Esc => None,
                KeyCode::Enter => match (&self.screen, options.get(selected)) {
                    (Screen::Case { data, .. }, Some(to)) => Some(Effect::ChangeStatus {
                        code: data.case.code_name.clone(),
                        to: *to,
                    }),
                    _ => None,
                },
                KeyCode::Up | KeyCode::Char('k') => {
                    selected = selected.saturating_sub(1);
                    self.overlay = Some(Overlay::Status { options, selected });
                    None
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    selected = (selected + 1).min(options.len().saturating_sub(1));
                    self.overlay = Some(Overlay::Status { options, selected });
                    None
                }
                _ => {
                    self.overlay = Some(Overlay::Status { options, selected });
                    None
                }
            },
            Some(Overlay::Search {
                mut query,
                hits,
                mut selected,
            }) => match key.code {
                KeyCode::Esc => None,
                KeyCode::Enter => hits
                    .get(selected)
                    .map(|hit| Effect::OpenCase(hit.code.clone())),
                KeyCode::Up => {
                    selected = selected.saturating_sub(1);
                    self.overlay = Some(Overlay::Search {
                        query,
                        hits,
                        selected,
                    });
                    None
                }
                KeyCode::Down => {
                    selected = (selected + 1).min(hits.len().saturating_sub(1));
                    self.overlay = Some(Overlay::Search {
                        query,
                        hits,
                        selected,
                    });
                    None
                }
                KeyCode::Backspace => {
                    query.pop();
                    self.overlay = Some(Overlay::Search {
                        query: query.clone(),
                        hits,
                        selected: 0,
                    });
                    Some(Effect::Search(query))
                }
                KeyCode::Char(c) if !c.is_control() => {
                    query.push(c);
                    self.overlay = Some(Overlay::Search {
                        query: query.clone(),
                        hits,
                        selected: 0,
                    });
                    Some(Effect::Search(query))
                }
                _ => {
                    self.overlay = Some(Overlay::Search {
                        query,
                        hits,
                        selected,
                    });
                    None
                }
            },
            None => keymap::lookup(self.bindings, self.context(), key).and_then(|a| self.update(a)),
        }
    }

    /// Carry out a user intent on the model.
    pub fn update(&mut self, action: Action) -> Option<Effect> {
        let rows = self.rows.len();
        match (&mut self.screen, action) {
            (_, Action::Help) => self.overlay = Some(Overlay::Help),
            (_, Action::Quit) => {
                if self.dirty {
                    self.overlay = Some(Overlay::ConfirmQuit);
                } else {
                    self.quit = true;
                }
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
    pub fn loaded(&mut self, queues: Vec<(Queue, usize)>, rows: Vec<Row>) {
        self.queues = queues;
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// A case arrived; `keep_scroll` when it is the same case reloaded.
    pub fn case_loaded(&mut self, data: CaseData, keep_scroll: bool) {
        let scroll = match (&self.screen, keep_scroll) {
            (Screen::Case { scroll, .. }, true) => *scroll,
            _ => 0,
        };
        self.screen = Screen::Case {
            data: Box::new(data),
            scroll,
        };
    }

    /// Search results for `query` arrived (ignored if the query has changed since).
    pub fn found(&mut self, query: &str, found: Vec<Hit>) {
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

    /// A change was recorded (not yet saved).
    pub fn changed(&mut self, message: String) {
        self.dirty = true;
        self.status = message;
    }

    /// The file was saved.
    pub fn saved(&mut self, message: String) {
        self.dirty = false;
        self.status = message;
    }

    /// Something failed; the model is unchanged.
    pub fn failed(&mut self, message: String) {
        self.status = message;
    }
}

/// Queue counts and the rows of `queue`, for the member in `view`.
pub fn snapshot<'a>(
    cases: impl IntoIterator<Item = &'a Case> + Clone,
    view: &View<'_>,
    queue: Queue,
) -> (Vec<(Queue, usize)>, Vec<Row>) {
    let counts = crate::core::queue::counts(view, cases.clone());
    let name = |id: &MemberId| {
        view.roster
            .get(*id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    let mut rows: Vec<Row> = cases
        .into_iter()
        .filter(|c| queue.contains(view, c))
        .map(|c| {
            let due = process::due(view.settings, c).map(|d| {
                let overdue = d.by < view.now;
                (d.what.to_string(), overdue)
            });
            Row {
                code: c.code_name.clone(),
                title: view.may_see(c).then(|| c.title.clone()),
                status: c.status,
                severity: c.severity,
                age_days: (view.now - c.received_at).num_days(),
                assignees: c.assignees.iter().map(name).collect::<Vec<_>>().join(", "),
                due,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        let overdue = |r: &Row| r.due.as_ref().is_some_and(|d| d.1);
        overdue(b)
            .cmp(&overdue(a))
            .then(b.age_days.cmp(&a.age_days))
    });
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
        case,
        timeline,
        names,
    }
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
        let mut app = App::new("f".into(), None);
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
        let mut app = App::new("f".into(), None);
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
        let mut app = App::new("f".into(), None);
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
            }],
        );
        app.found(
            "vi",
            vec![
                Hit {
                    code: "amber-kettle".into(),
                    snippet: "\u{1}vi\u{2}deo".into(),
                },
                Hit {
                    code: "quiet-heron".into(),
                    snippet: String::new(),
                },
            ],
        );
        app.on_key(key(KeyCode::Down));
        assert_eq!(
            app.on_key(key(KeyCode::Enter)),
            Some(Effect::OpenCase("quiet-heron".into()))
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
        let mut app = App::new("f".into(), None);
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
    fn a_hidden_case_does_not_open() {
        let mut app = App::new("f".into(), None);
        let mut hidden = row("secret-case");
        hidden.title = None;
        app.loaded(app.queues.clone(), vec![hidden]);
        assert_eq!(app.on_key(key(KeyCode::Enter)), None);
        assert!(app.status.contains("hard conflict"), "{}", app.status);
    }
}

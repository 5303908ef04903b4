//! Results come back as messages: what the runner reports ([`Outcome`]) and how `update`
//! applies it, in the interface's words.

use super::*;
use crate::core::sanitize::inline;

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
    /// Something the member must know before working, shown until dismissed.
    Notice {
        /// The dialog's title.
        title: String,
        /// What to say.
        text: String,
    },
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
        /// After how many seconds without a key press.
        idle_secs: u64,
        /// Whether unsaved changes were saved first (`None`: there were none), or why not.
        saved: Option<Result<(), String>>,
        /// Whether everything is sealed, or why not (then it stays unlocked).
        sealed: Result<(), String>,
    },
    /// Unlocked, with what was being typed, if anything (a [`super::Draft`], serialised).
    Unlocked {
        /// The draft.
        draft: Option<String>,
    },
    /// A new member's key was read: its fingerprint, to confirm before adding them.
    MemberPreview {
        /// The member to add.
        new: crate::ops::members::NewMember,
        /// Their key's fingerprint.
        fingerprint: String,
    },
    /// A text attachment to read.
    Attachment {
        /// Its name, raw.
        name: String,
        /// Its text (invalid UTF-8 replaced), raw.
        text: String,
    },
    /// An attachment was written to a file.
    AttachmentSaved(PathBuf),
    /// Unlocking was refused; why.
    UnlockRefused(String),
    /// Whether someone else saved over the file.
    DiskChecked(bool),
    /// Something failed, in the interface's words; the model is unchanged.
    Failed(String),
}

impl App {
    /// Apply what the runner did; what to carry out next, if anything.
    pub(super) fn receive(&mut self, outcome: Outcome) -> Option<Effect> {
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
                self.pending.push(format!("{code}: {said}"));
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
                self.pending.push(format!("{code}: opened"));
                self.changed(format!("{code} opened"));
                return Some(Effect::OpenCase(code));
            }
            Outcome::Notice { title, text } => {
                let status = title.clone();
                self.show(&title, text, status);
            }
            Outcome::Imported(codes) => {
                self.pending
                    .push(format!("imported {} reports: {}", codes.len(), codes.join(", ")));
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
                    "Wrote\n  {}\nand its signature\n  {}\nfor the {} audience: share them only \
                     with it.\n\nAnyone can check the signature with stock OpenSSH (paste the \
                     lines into a shell):\n\n{verify}",
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
                     Verify (paste the lines into a shell):\n\n{verify}",
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
                idle_secs,
                saved,
                sealed,
            } => {
                let mut message = format!("Locked after {} without a key press.", span(idle_secs));
                if sealed.is_ok() && self.draft().is_some() {
                    self.draft_sealed = true;
                    message.push_str(" What you were typing is kept, encrypted, and comes back.");
                }
                match saved {
                    Some(Ok(())) => {
                        self.dirty = false;
                        self.pending.clear();
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
                self.unlocked();
                let restore = self.keep_for_restore(draft);
                return Some(restore.unwrap_or(Effect::Refresh));
            }
            Outcome::MemberPreview { new, fingerprint } => self.confirm_member(new, fingerprint),
            Outcome::Attachment { name, text } => {
                self.overlay = Some(Overlay::Pager {
                    title: crate::core::sanitize::inline(&name).into_owned(),
                    text,
                    scroll: 0,
                });
            }
            Outcome::AttachmentSaved(path) => {
                self.done(format!("saved the attachment to {} (plaintext)", path.display()))
            }
            Outcome::UnlockRefused(message) => self.unlock_failed(message),
            Outcome::DiskChecked(changed) => self.disk_changed = changed,
            Outcome::Failed(message) => self.failed(message),
        }
        None
    }

    /// New queue counts and rows arrived.
    pub(super) fn loaded(&mut self, queues: Vec<(Queue, usize)>, rows: Vec<Row>) {
        self.queues = queues;
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.keep_visible();
    }

    /// Lock: everything read from the file is dropped; `message` says what happened to
    /// unsaved changes.
    pub(super) fn lock(&mut self, message: String) {
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
    pub(super) fn unlock_failed(&mut self, message: String) {
        if let Some(lock) = &mut self.locked {
            lock.message = message;
        }
    }

    /// Unlocked: back to the queues (what was being typed comes back on its case).
    pub(super) fn unlocked(&mut self) {
        self.locked = None;
        self.draft_sealed = false;
        self.status = "unlocked".into();
    }

    /// A case arrived; `keep_scroll` when it is the same case reloaded.
    pub(super) fn case_loaded(&mut self, data: CaseData, keep_scroll: bool) {
        self.case_shown += 1;
        let same =
            matches!(&self.screen, Screen::Case { data: d, .. } if d.case.id == data.case.id);
        let code = data.case.code_name.clone();
        let last = data.order.len().saturating_sub(1);
        self.screen = match std::mem::replace(&mut self.screen, Screen::Queues) {
            Screen::Case {
                scroll,
                focus,
                entry,
                expanded,
                ..
            } if keep_scroll && same => Screen::Case {
                data: Box::new(data),
                scroll,
                focus,
                // A new entry was added at the end: select it.
                entry: if entry + 1 >= last { last } else { entry },
                expanded,
            },
            _ => Screen::Case {
                data: Box::new(data),
                scroll: 0,
                focus: None,
                entry: 0,
                expanded: Default::default(),
            },
        };
        self.put_back(Some(&code));
    }

    /// A case arrived from a search: show its timeline from the matching entry, whole, and
    /// say what matched.
    pub(super) fn case_loaded_at(&mut self, data: CaseData, event: uuid::Uuid) {
        self.case_shown += 1;
        self.scroll_to_focus = true;
        let entry = data
            .order
            .iter()
            .position(|(i, _)| data.timeline.get(*i).is_some_and(|e| e.id == event))
            .unwrap_or(0);
        if let Some(snippet) = self.found_snippet.take() {
            let text: String = snippet
                .replace(['\u{1}', '\u{2}'], "")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            self.status = format!("found in the entry marked ▶: “{}”", inline(&text));
        }
        self.screen = Screen::Case {
            data: Box::new(data),
            scroll: 0,
            focus: Some(event),
            entry,
            expanded: [event].into_iter().collect(),
        };
    }

    /// The roster arrived.
    pub(super) fn roster_loaded(&mut self, members: Vec<RosterRow>) {
        let (selected, from_case) = match &mut self.screen {
            Screen::Roster {
                selected,
                from_case,
                ..
            } => (
                (*selected).min(members.len().saturating_sub(1)),
                from_case.take(),
            ),
            _ => (0, self.roster_from.take()),
        };
        self.screen = Screen::Roster {
            members,
            selected,
            from_case,
        };
    }

    /// Search results for `query` arrived (ignored if the query has changed since).
    pub(super) fn found(&mut self, query: &str, found: Vec<Hit>) {
        if let Some(Overlay::Search {
            query: current,
            hits,
            selected,
        }) = &mut self.overlay
            && current.text() == query
        {
            *hits = found;
            *selected = 0;
        }
    }

    /// A change was recorded (not yet saved); a form that asked for it closes.
    pub(super) fn changed(&mut self, message: String) {
        self.dirty = true;
        self.done(message);
    }

    /// The file was saved; a form that asked for it closes.
    pub(super) fn saved(&mut self, message: String) {
        self.dirty = false;
        self.pending.clear();
        self.done(message);
    }

    /// Something was done that did not change the file (an export); a form closes.
    pub(super) fn done(&mut self, message: String) {
        if matches!(
            self.overlay,
            Some(Overlay::Form(_) | Overlay::Note(_) | Overlay::SaveAs { .. })
        ) {
            self.overlay = None;
        }
        self.status = message;
    }

    /// Something was written outside the file: say where, in a dialog that shows it whole.
    pub(super) fn show(&mut self, title: &str, text: String, status: String) {
        self.status = status;
        self.overlay = Some(Overlay::Message {
            title: title.to_string(),
            text,
            scroll: 0,
        });
    }

    /// Something failed; the model is unchanged, and an open form says why.
    pub(super) fn failed(&mut self, message: String) {
        match &mut self.overlay {
            Some(Overlay::Form(form)) => form.error = Some(message.clone()),
            Some(Overlay::SaveAs { error, .. }) => *error = Some(message.clone()),
            _ => {}
        }
        self.status = message;
    }
}

/// "15 seconds", "1 minute", "5 minutes".
fn span(secs: u64) -> String {
    match secs {
        s if s < 60 || s % 60 != 0 && s < 600 => {
            format!("{s} second{}", if s == 1 { "" } else { "s" })
        }
        s => {
            let m = s.div_ceil(60);
            format!("{m} minute{}", if m == 1 { "" } else { "s" })
        }
    }
}

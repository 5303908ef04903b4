//! Results come back as messages: what the runner reports ([`Outcome`]) and how [`App::receive`]
//! hands each to its method (in `outcomes.rs`), and the model updates they share.

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

/// What merging other copies brought in, in words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeNews {
    /// "3 changes from Sam Lindqvist, 1 from Mei Chen" (see [`crate::ops::merge::came_in`]).
    pub came_in: String,
    /// Items the merge added to what needs attention.
    pub new_attention: usize,
}

impl MergeNews {
    /// "merged 3 changes from Sam Lindqvist, 1 from Mei Chen; 1 needs attention".
    pub fn line(&self) -> String {
        let attention = match self.new_attention {
            0 => String::new(),
            1 => "; 1 needs attention".into(),
            n => format!("; {n} need attention"),
        };
        format!("merged {}{attention}", self.came_in)
    }
}

/// A party just added who looks like committee members (same name or address).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked {
    /// The party as the case shows them, raw.
    pub party: String,
    /// The members they look like (roster names, raw).
    pub members: Vec<String>,
}

/// One change not saved yet, as the list of them shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingChange {
    /// Its event (what dropping names).
    pub event: uuid::Uuid,
    /// The case's code name; `None` for a committee-wide change.
    pub case: Option<String>,
    /// "amber-kettle: note added", raw.
    pub said: String,
    /// It keeps members out of a case (a sealing): while one is unsaved, nothing can be
    /// dropped (the case's content is sealed in memory already; saving or quitting without
    /// saving are the ways out).
    pub seals: bool,
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
        /// The code name of every case in the member's lists.
        codes: Vec<String>,
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
    /// The committee, and the roster changes that need attention (with who made each, raw).
    Roster {
        /// The members.
        members: Vec<RosterRow>,
        /// Roster changes a merge could not apply.
        attention: Vec<(crate::core::attention::Attention, String)>,
    },
    /// The file was saved.
    Saved {
        /// Where.
        path: PathBuf,
        /// Saved under a new name: the file's new label.
        renamed: Option<String>,
        /// The file had changed on disk: what merging that copy brought in first.
        merged: Option<MergeNews>,
        /// Versions someone put in place while it was saved, and what became of them (worded).
        displaced: Vec<String>,
    },
    /// Sync conflict copies lie beside the file (a sync tool's): offer to merge them.
    CopiesFound(Vec<PathBuf>),
    /// Sync conflict copies were merged (and deleted), or left where they are with why.
    CopiesMerged {
        /// Each merged copy, where it was moved to (or why it stays where it is), and what it
        /// brought in.
        merged: Vec<(PathBuf, Result<(), String>, MergeNews)>,
        /// Each copy left where it is, and why.
        refused: Vec<(PathBuf, String)>,
        /// Saved after merging (`None`: nothing was merged), or why not.
        saved: Option<Result<PathBuf, String>>,
    },
    /// The changes not saved yet, oldest first.
    Unsaved(Vec<PendingChange>),
    /// Unsaved changes were dropped (said, raw); the ones left.
    Dropped {
        /// What was dropped.
        dropped: Vec<String>,
        /// What is still unsaved.
        left: Vec<PendingChange>,
        /// The open case was dropped with it (it had not been saved).
        case_gone: bool,
    },
    /// Items needing attention were resolved (not yet saved), on a case or (`None`) the roster.
    Resolved {
        /// The case, if it was one.
        code: Option<String>,
        /// How many items.
        count: usize,
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
        /// A party added looks like committee members: ask whether to seal the case from them.
        linked: Option<Linked>,
    },
    /// The member opened contact details they hold (recorded, not yet saved).
    ContactOpened {
        /// The case.
        code: String,
        /// The party, from 1.
        number: usize,
        /// The details, raw.
        details: crate::core::party::Disclosure,
    },
    /// A new case was opened.
    Opened(String),
    /// Reports were imported as new cases.
    Imported {
        /// The new cases' code names.
        codes: Vec<String>,
        /// Reports skipped as imported before, in words (raw).
        skipped: Vec<String>,
        /// Which column of each form export went where, as lines (raw).
        columns: Vec<String>,
    },
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
        /// Why the folder it went to may reach more people (plaintext only).
        exposure: Option<String>,
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
        /// What the save did besides (see [`Outcome::Saved`]'s `displaced`).
        notes: Vec<String>,
    },
    /// A member was removed (saved at once).
    MemberRemoved {
        /// Their name, raw.
        name: String,
        /// Recipients left.
        recipients: usize,
        /// The cases they were taken off.
        unassigned: Vec<String>,
        /// What the save did besides (see [`Outcome::Saved`]'s `displaced`).
        notes: Vec<String>,
    },
    /// The file was re-encrypted with a fresh file key.
    Rekeyed {
        /// Recipients.
        recipients: usize,
        /// What the save did besides (see [`Outcome::Saved`]'s `displaced`).
        notes: Vec<String>,
    },
    /// The lock ran (idle, or asked for).
    ScreenLocked {
        /// After how many seconds without a key press (`None`: the member locked it).
        idle_secs: Option<u64>,
        /// Whether unsaved changes were saved first (`None`: there were none), or why not.
        saved: Option<Result<(), String>>,
        /// Whether everything is encrypted in memory, or why not (then it stays unlocked).
        locked: Result<(), String>,
    },
    /// Unlocked, with what was being typed, if anything (a [`super::Draft`], serialised).
    ScreenUnlocked {
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
    ScreenUnlockRefused(String),
    /// Whether someone else saved over the file.
    DiskChecked(bool),
    /// Whether this laptop's clock is behind the newest change in the file: by how much.
    ClockChecked(Option<String>),
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
                codes,
            } => return self.on_listed(queues, rows, choices, codes),
            Outcome::Found { query, hits } => self.found(&query, hits),
            Outcome::Case { data, shown } => match shown {
                Shown::Fresh => self.case_loaded(*data, false),
                Shown::Again => self.case_loaded(*data, true),
                Shown::At(event) => self.case_loaded_at(*data, event),
            },
            Outcome::Roster { members, attention } => self.roster_loaded(members, attention),
            Outcome::Saved {
                path,
                renamed,
                merged,
                displaced,
            } => return self.on_saved(path, renamed, merged, displaced),
            Outcome::CopiesFound(copies) => return self.on_copies_found(copies),
            Outcome::CopiesMerged {
                merged,
                refused,
                saved,
            } => return self.on_copies_merged(merged, refused, saved),
            Outcome::Unsaved(changes) => return self.on_unsaved(changes),
            Outcome::Dropped {
                dropped,
                left,
                case_gone,
            } => return self.on_dropped(dropped, left, case_gone),
            Outcome::Resolved { code, count } => return self.on_resolved(code, count),
            Outcome::SavedToQuit => self.quit = true,
            Outcome::Changed {
                code,
                said,
                hides,
                linked,
            } => return self.on_changed(code, said, hides, linked),
            Outcome::ContactOpened {
                code,
                number,
                details,
            } => return self.on_contact_opened(code, number, details),
            Outcome::Opened(code) => return self.on_opened(code),
            Outcome::Notice { title, text } => {
                let status = title.clone();
                self.show(&title, text, status);
            }
            Outcome::Imported {
                codes,
                skipped,
                columns,
            } => return self.on_imported(codes, skipped, columns),
            Outcome::Exported {
                output,
                signature,
                profile,
                verify,
                exposure,
            } => self.on_exported(output, signature, profile, verify, exposure),
            Outcome::Reported {
                output,
                signature,
                from,
                to,
                received,
                verify,
            } => self.on_reported(output, signature, (from, to), received, verify),
            Outcome::MemberAdded {
                name,
                fingerprint,
                recipients,
                notes,
            } => return self.on_member_added(name, fingerprint, recipients, notes),
            Outcome::MemberRemoved {
                name,
                recipients,
                unassigned,
                notes,
            } => return self.on_member_removed(name, recipients, unassigned, notes),
            Outcome::Rekeyed { recipients, notes } => return self.on_rekeyed(recipients, notes),
            Outcome::ScreenLocked {
                idle_secs,
                saved,
                locked,
            } => return self.on_screen_locked(idle_secs, saved, locked),
            Outcome::ScreenUnlocked { draft } => return self.on_screen_unlocked(draft),
            Outcome::MemberPreview { new, fingerprint } => self.confirm_member(new, fingerprint),
            Outcome::Attachment { name, text } => return self.on_attachment(name, text),
            Outcome::AttachmentSaved(path) => self.done(format!(
                "saved the attachment to {} (plaintext)",
                path.display()
            )),
            Outcome::ScreenUnlockRefused(message) => self.unlock_failed(message),
            Outcome::DiskChecked(changed) => self.disk_changed = changed,
            Outcome::ClockChecked(behind) => self.clock_behind = behind,
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
        // Encrypted with the file; they come back after unlocking.
        self.kept.clear();
        self.idle_left = None;
        self.screen_lock = Some(LockScreen {
            typed: Passphrase::default(),
            message,
        });
    }

    /// Unlocking failed; stay locked and say why.
    pub(super) fn unlock_failed(&mut self, message: String) {
        if let Some(lock) = &mut self.screen_lock {
            lock.message = message;
        }
    }

    /// Unlocked: back to the queues (what was being typed comes back on its case).
    pub(super) fn unlocked(&mut self) {
        self.screen_lock = None;
        self.draft_locked = false;
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

    /// What to load again after the file's content changed under the screen (a merge, a
    /// dropped change): the open case, the committee, or the queues.
    pub(super) fn after_merge(&self) -> Effect {
        match &self.screen {
            Screen::Case { data, .. } => Effect::ReloadCase(data.case.code_name.clone()),
            Screen::Roster { .. } => Effect::ShowRoster,
            Screen::Queues => Effect::Refresh,
        }
    }

    /// The roster arrived.
    pub(super) fn roster_loaded(
        &mut self,
        members: Vec<RosterRow>,
        attention: Vec<(crate::core::attention::Attention, String)>,
    ) {
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
            attention,
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
        self.log_message(false, format!("{title}: {text}"));
        self.status = status;
        self.overlay = Some(Overlay::Message {
            title: title.to_string(),
            text,
            scroll: 0,
        });
    }

    /// Something failed; the model is unchanged. An open form (or file name) says why in
    /// place, with everything typed kept; otherwise a dialog says it whole. The message log
    /// keeps it.
    pub(super) fn failed(&mut self, message: String) {
        self.log_message(true, message.clone());
        self.status_is_error = true;
        match &mut self.overlay {
            Some(Overlay::Form(form)) => form.error = Some(message.clone()),
            Some(Overlay::SaveAs { error, .. }) => *error = Some(message.clone()),
            _ => {
                self.overlay = Some(Overlay::Failure {
                    text: message.clone(),
                    scroll: 0,
                })
            }
        }
        self.status = message;
    }
}

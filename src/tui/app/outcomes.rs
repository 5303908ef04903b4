//! What the interface does with each result the runner reports: one method per
//! [`Outcome`], called by [`App::receive`], in the interface's words.

use super::*;
use crate::core::sanitize::inline;

impl App {
    /// [`Outcome::Exported`] came back: where the record went, and how to verify it.
    pub(super) fn on_exported(
        &mut self,
        output: PathBuf,
        signature: PathBuf,
        profile: crate::export::Profile,
        verify: String,
        exposure: Option<String>,
    ) {
        self.show(
            "Exported",
            format!(
                "{}Wrote\n  {}\nand its signature\n  {}\nfor the {} audience: share them \
             only with it.\n\nAnyone can check the signature with stock OpenSSH (paste \
             the lines into a shell):\n\n{verify}",
                exposure
                    .map(|e| format!(
                        "WARNING: this record is for the {} audience only, but {e}. Move \
                     it out of there.\n\n",
                        profile.as_str()
                    ))
                    .unwrap_or_default(),
                output.display(),
                signature.display(),
                profile.as_str(),
            ),
            format!("exported {}", output.display()),
        )
    }

    /// [`Outcome::Reported`] came back: the transparency report written, and how to verify it.
    pub(super) fn on_reported(
        &mut self,
        output: PathBuf,
        signature: PathBuf,
        (from, to): (chrono::NaiveDate, chrono::NaiveDate),
        received: (u64, u64),
        verify: String,
    ) {
        self.show(
            "Transparency report",
            format!(
                "Wrote {} and its signature {} (plaintext, meant for the public): {} \
             received from {from} to {to}, {} in the previous period of the same length.\n\n\
             Verify (paste the lines into a shell):\n\n{verify}",
                output.display(),
                signature.display(),
                crate::core::describe::count(received.0 as usize, "case", "cases"),
                received.1,
            ),
            format!("wrote {}", output.display()),
        )
    }

    /// [`Outcome::Listed`] came back.
    pub(super) fn on_listed(
        &mut self,
        queues: Vec<(Queue, usize)>,
        rows: Vec<Row>,
        choices: (Vec<String>, Vec<String>),
        codes: Vec<String>,
    ) -> Option<Effect> {
        self.choices = choices;
        self.codes = codes;
        self.loaded(queues, rows);
        None
    }

    /// [`Outcome::Saved`] came back.
    pub(super) fn on_saved(
        &mut self,
        path: PathBuf,
        renamed: Option<String>,
        merged: Option<MergeNews>,
        displaced: Vec<String>,
    ) -> Option<Effect> {
        let message = match renamed {
            Some(label) => {
                self.label = label;
                format!("saved as {}", path.display())
            }
            None => format!("saved {}", path.display()),
        };
        self.disk_changed = false;
        if !displaced.is_empty() {
            let mut lines = displaced;
            if let Some(news) = &merged {
                lines.insert(0, format!("merged before saving: {}", news.line()));
            }
            self.saved(message);
            let status = self.status.clone();
            self.show("Saved", lines.join("\n\n"), status);
            return Some(self.after_merge());
        }
        let Some(news) = merged else {
            self.saved(message);
            return None;
        };
        // What came in is said in the status bar and in a dialog that stays.
        self.saved(format!("{}; {message}", news.line()));
        let mut text = format!(
            "The file had changed on disk since you opened it (another copy was saved or \
                 synced there). Its changes were merged with yours, nothing of either was \
                 lost, and the result was saved.\n\n  {}",
            news.line()
        );
        if news.new_attention > 0 {
            text.push_str(
                "\n\nWhat the rules do not allow together is in the needs-attention \
                     queue and on its case (z resolves it there).",
            );
        }
        let status = self.status.clone();
        self.show("Merged", text, status);
        Some(self.after_merge())
    }

    /// [`Outcome::CopiesFound`] came back.
    pub(super) fn on_copies_found(&mut self, copies: Vec<PathBuf>) -> Option<Effect> {
        let list: Vec<String> = copies
            .iter()
            .map(|c| format!("  {}", inline(&c.display().to_string())))
            .collect();
        let question = Overlay::Confirm {
            question: format!(
                "A sync tool left {} conflict cop{} of this file beside it:\n\n{}\n\n\
                     Merge {} into this file (nothing of either is lost), move {} aside, \
                     and save?",
                copies.len(),
                if copies.len() == 1 { "y" } else { "ies" },
                list.join("\n"),
                if copies.len() == 1 { "it" } else { "them" },
                if copies.len() == 1 { "it" } else { "each" },
            ),
            effect: Effect::MergeCopies,
            back: None,
        };
        if matches!(
            self.overlay,
            Some(Overlay::Message { .. } | Overlay::Failure { .. })
        ) {
            self.waiting = Some(question);
        } else {
            self.overlay = Some(question);
        }
        self.status = "sync conflict copies found beside the file".into();
        None
    }

    /// [`Outcome::CopiesMerged`] came back.
    pub(super) fn on_copies_merged(
        &mut self,
        merged: Vec<(PathBuf, Result<(), String>, MergeNews)>,
        refused: Vec<(PathBuf, String)>,
        saved: Option<Result<PathBuf, String>>,
    ) -> Option<Effect> {
        let mut lines = Vec::new();
        for (copy, deleted, news) in &merged {
            let place = match deleted {
                Ok(()) => "deleted: everything it held is in the file".to_string(),
                Err(why) => format!("left where it is: {}", inline(why)),
            };
            lines.push(format!(
                "{}: {}\n  {place}",
                inline(&copy.display().to_string()),
                news.line(),
            ));
        }
        for (copy, why) in &refused {
            lines.push(format!(
                "{}: left where it is, not merged: {}",
                inline(&copy.display().to_string()),
                inline(why)
            ));
        }
        let mut status = match merged.len() {
            0 => "no sync conflict copy could be merged".to_string(),
            1 => merged[0].2.line(),
            n => format!("merged {n} sync conflict copies"),
        };
        match saved {
            Some(Ok(path)) => {
                status.push_str(&format!("; saved {}", path.display()));
                self.dirty = false;
                self.pending.clear();
            }
            Some(Err(why)) => {
                status.push_str(&format!("; not saved yet ({why})"));
                self.dirty = true;
                self.pending.push("merged sync conflict copies".into());
            }
            None => {}
        }
        lines.push(status.clone());
        self.show("Sync conflict copies", lines.join("\n\n"), status);
        if !merged.is_empty() {
            return Some(self.after_merge());
        }
        None
    }

    /// [`Outcome::Unsaved`] came back.
    pub(super) fn on_unsaved(&mut self, changes: Vec<PendingChange>) -> Option<Effect> {
        self.pending = changes.iter().map(|c| c.said.clone()).collect();
        self.overlay = Some(Overlay::Pending {
            changes,
            selected: 0,
        });
        None
    }

    /// [`Outcome::Dropped`] came back.
    pub(super) fn on_dropped(
        &mut self,
        dropped: Vec<String>,
        left: Vec<PendingChange>,
        case_gone: bool,
    ) -> Option<Effect> {
        if case_gone {
            self.screen = Screen::Queues;
        }
        self.pending = left.iter().map(|c| c.said.clone()).collect();
        // Merges are saved when they are made: with nothing left unsaved, nothing is.
        if left.is_empty() {
            self.dirty = false;
        }
        self.status = match dropped.as_slice() {
            [one] => format!("dropped {} (not saved)", inline(one)),
            [first, rest @ ..] => format!(
                "dropped {} and {} later change{} on it",
                inline(first),
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
            [] => "nothing dropped".into(),
        };
        self.overlay = Some(Overlay::Pending {
            changes: left,
            selected: 0,
        });
        Some(self.after_merge())
    }

    /// [`Outcome::Resolved`] came back.
    pub(super) fn on_resolved(&mut self, code: Option<String>, count: usize) -> Option<Effect> {
        let place = code.clone().unwrap_or_else(|| "the roster".into());
        let said = format!(
            "resolved {count} item{} needing attention",
            if count == 1 { "" } else { "s" }
        );
        self.pending.push(format!("{place}: {said}"));
        self.changed(format!("{place}: {said} (not saved yet: Ctrl-S)"));
        Some(match code {
            Some(code) => Effect::ReloadCase(code),
            None => Effect::ShowRoster,
        })
    }

    /// [`Outcome::Changed`] came back.
    pub(super) fn on_changed(
        &mut self,
        code: String,
        said: String,
        hides: bool,
        linked: Option<Linked>,
    ) -> Option<Effect> {
        self.pending.push(format!("{code}: {said}"));
        self.changed(format!("{code}: {said} (not saved yet: Ctrl-S)"));
        if let Some(linked) = linked {
            self.ask_to_seal(&code, linked);
        }
        if hides {
            self.screen = Screen::Queues;
            return Some(Effect::Refresh);
        }
        if matches!(self.screen, Screen::Case { .. }) {
            return Some(Effect::ReloadCase(code));
        }
        None
    }

    /// [`Outcome::ContactOpened`] came back.
    pub(super) fn on_contact_opened(
        &mut self,
        code: String,
        number: usize,
        details: crate::core::party::Disclosure,
    ) -> Option<Effect> {
        let said = "opened a party's sealed contact details";
        self.pending.push(format!("{code}: {said}"));
        self.changed(format!("{code}: {said} (not saved yet: Ctrl-S)"));
        let text = match &details {
            crate::core::party::Disclosure::Named {
                name,
                handle,
                email,
            } => format!(
                "name    {}\nhandle  {}\nemail   {}",
                inline(name),
                handle.as_deref().map(inline).unwrap_or("-".into()),
                email.as_deref().map(inline).unwrap_or("-".into()),
            ),
            other => inline(
                &crate::core::party::Party {
                    id: crate::core::party::PartyId(uuid::Uuid::nil()),
                    role: crate::core::party::PartyRole::Other,
                    person: crate::core::party::PersonId(uuid::Uuid::nil()),
                    identity: other.clone(),
                    member: None,
                }
                .label(),
            )
            .into_owned(),
        };
        let status = self.status.clone();
        self.show(
            &format!("Party {number} of {code}"),
            format!(
                "{text}\n\nThese details are sealed to your key alone. Opening them \
                     was recorded in the case's timeline (not saved yet: Ctrl-S)."
            ),
            status,
        );
        if matches!(self.screen, Screen::Case { .. }) {
            return Some(Effect::ReloadCase(code));
        }
        None
    }

    /// [`Outcome::Opened`] came back.
    pub(super) fn on_opened(&mut self, code: String) -> Option<Effect> {
        self.pending.push(format!("{code}: opened"));
        self.changed(format!("{code} opened"));
        Some(Effect::OpenCase(code))
    }

    /// [`Outcome::Imported`] came back.
    pub(super) fn on_imported(
        &mut self,
        codes: Vec<String>,
        skipped: Vec<String>,
        columns: Vec<String>,
    ) -> Option<Effect> {
        let said = match codes.len() {
            0 => "nothing new to import".to_string(),
            n => format!("imported {n} reports: {}", codes.join(", ")),
        };
        if !codes.is_empty() {
            self.pending.push(said.clone());
            self.changed(said.clone());
        } else {
            self.done(said.clone());
        }
        if !skipped.is_empty() || !columns.is_empty() {
            let mut text = vec![format!("{said}.")];
            if !skipped.is_empty() {
                text.push(format!(
                    "Skipped, imported before:\n  {}",
                    skipped.join("\n  ")
                ));
            }
            if !columns.is_empty() {
                text.push(columns.join("\n"));
                text.push(
                    "A column can be sent to another field with the import form's \
                         columns (FIELD=COLUMN)."
                        .into(),
                );
            }
            let status = self.status.clone();
            self.show("Imported", text.join("\n\n"), status);
        }
        if codes.is_empty() {
            return None;
        }
        self.queue = self
            .queues
            .iter()
            .position(|(q, _)| *q == Queue::NeedsAcknowledgement)
            .unwrap_or(0);
        Some(Effect::Refresh)
    }

    /// [`Outcome::MemberAdded`] came back.
    pub(super) fn on_member_added(
        &mut self,
        name: String,
        fingerprint: String,
        recipients: usize,
        notes: Vec<String>,
    ) -> Option<Effect> {
        self.saved(format!(
            "added {} ({fingerprint}); the file is now encrypted to {recipients} recipients",
            inline(&name),
        ));
        self.show_notes(notes);
        Some(Effect::ShowRoster)
    }

    /// [`Outcome::MemberRemoved`] came back.
    pub(super) fn on_member_removed(
        &mut self,
        name: String,
        recipients: usize,
        unassigned: Vec<String>,
        notes: Vec<String>,
    ) -> Option<Effect> {
        let taken_off = match unassigned.len() {
            0 => String::new(),
            _ => format!(
                "; taken off {} ({})",
                crate::core::describe::count(unassigned.len(), "case", "cases"),
                unassigned.join(", ")
            ),
        };
        self.saved(format!(
            "removed {}{taken_off}; the file and its backup are encrypted to the {} remaining only",
            inline(&name),
            crate::core::describe::count(recipients, "recipient", "recipients"),
        ));
        self.show_notes(notes);
        Some(Effect::ShowRoster)
    }

    /// [`Outcome::Rekeyed`] came back.
    pub(super) fn on_rekeyed(&mut self, recipients: usize, notes: Vec<String>) -> Option<Effect> {
        self.saved(format!(
            "re-encrypted with a fresh file key to {} (backup too)",
            crate::core::describe::count(recipients, "recipient", "recipients")
        ));
        self.show_notes(notes);
        Some(Effect::ShowRoster)
    }

    /// What a save that a roster change made at once did besides, in a dialog that stays
    /// (as after a save: see [`App::on_saved`]); nothing when it did nothing else.
    pub(super) fn show_notes(&mut self, notes: Vec<String>) {
        if !notes.is_empty() {
            let status = self.status.clone();
            self.show("Saved", notes.join("\n\n"), status);
        }
    }

    /// [`Outcome::ScreenLocked`] came back.
    pub(super) fn on_screen_locked(
        &mut self,
        idle_secs: Option<u64>,
        saved: Option<Result<(), String>>,
        locked: Result<(), String>,
    ) -> Option<Effect> {
        let mut message = match idle_secs {
            Some(secs) => format!("Locked after {} without a key press.", span(secs)),
            None => "Locked.".to_string(),
        };
        if locked.is_ok() && (self.draft().is_some() || !self.kept.is_empty()) {
            self.draft_locked = true;
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
        match locked {
            Ok(()) => {
                // The log holds what the member did: it goes with the file.
                self.log.clear();
                self.lock(message);
                self.logged = true;
            }
            Err(e) => self.failed(format!("could not lock: {e}")),
        }
        None
    }

    /// [`Outcome::ScreenUnlocked`] came back.
    pub(super) fn on_screen_unlocked(&mut self, draft: Option<String>) -> Option<Effect> {
        self.unlocked();
        let restore = self.keep_for_restore(draft);
        Some(restore.unwrap_or(Effect::Refresh))
    }

    /// [`Outcome::Attachment`] came back.
    pub(super) fn on_attachment(&mut self, name: String, text: String) -> Option<Effect> {
        self.overlay = Some(Overlay::Pager {
            title: crate::core::sanitize::inline(&name).into_owned(),
            text,
            scroll: 0,
        });
        None
    }

    /// A party just added on `code` looks like committee members: ask whether to seal the
    /// case from them.
    pub(super) fn ask_to_seal(&mut self, code: &str, linked: Linked) {
        let members = linked
            .members
            .iter()
            .map(|m| inline(m).into_owned())
            .collect::<Vec<_>>()
            .join(" and ");
        let (member, them) = if linked.members.len() == 1 {
            ("member", members.as_str())
        } else {
            ("members", "them")
        };
        let _ = them;
        self.overlay = Some(Overlay::Message {
            title: "A party who looks like a member".into(),
            text: format!(
                "{} looks like committee {member} {members}. The case records them as that \
                 {member} once a second member who can read it approves (casebook approve \
                 FILE {code} --item ID); it is then sealed from them.",
                inline(&linked.party),
            ),
            scroll: 0,
        });
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

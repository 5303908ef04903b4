//! Keys, pastes and the mouse to intents: the screens' keys go through the key map to
//! `update`; a dialog looks its keys up in its own context and edits its text with the rest.
//! A paste is text: it goes whole into the text being typed, never through the key map.

use super::*;

impl Overlay {
    /// Where its keys are looked up.
    pub fn context(&self) -> Context {
        match self {
            Overlay::Help(_) => Context::Help,
            Overlay::ConfirmQuit
            | Overlay::ChangedOnDisk
            | Overlay::Confirm { .. }
            | Overlay::Discard { .. } => Context::Question,
            Overlay::Note(_) => Context::Note,
            Overlay::SaveAs { .. } => Context::FileName,
            Overlay::Status { .. } => Context::Chooser,
            Overlay::Form(_) => Context::Form,
            Overlay::Search { .. } => Context::Search,
            Overlay::Message { .. } | Overlay::Pager { .. } | Overlay::Failure { .. } => {
                Context::Reading
            }
            Overlay::Pending { .. } => Context::Pending,
            Overlay::Attachments { .. } => Context::Attachments,
            Overlay::Palette { .. } => Context::Palette,
            Overlay::Jump { .. } => Context::Jump,
        }
    }

    /// What would be lost if it closed now, in words; `None` when nothing typed would be.
    pub fn typed(&self) -> Option<&'static str> {
        match self {
            Overlay::Note(editor) if editor.lines().iter().any(|l| !l.trim().is_empty()) => {
                Some("the note you are writing")
            }
            Overlay::Form(form) if form.has_draft() => Some("what you typed in this form"),
            Overlay::Confirm {
                back: Some(back), ..
            } => back.typed(),
            _ => None,
        }
    }
}

impl App {
    /// Handle a key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Option<Effect> {
        self.logging(|app| app.on_key_inner(key))
    }

    fn on_key_inner(&mut self, key: KeyEvent) -> Option<Effect> {
        if self.screen_lock.is_some() {
            return self.on_lock_key(key);
        }
        // While case text is hidden, nothing acts unseen: only showing it again and
        // locking work.
        if self.privacy {
            let action = keymap::lookup(&self.bindings, Context::Global, key);
            if let Some(action @ (Action::Privacy | Action::LockScreen)) = action {
                return self.update(action);
            }
            self.status = format!(
                "case text is hidden: {} shows it again",
                self.key_for(Action::Privacy)
            );
            return None;
        }
        // Ctrl-C always leaves, whatever the key map says: asking first about what is being
        // typed, then about unsaved changes.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return match self.overlay.take() {
                // Over a draft it asks about the draft only: "yes" drops it and stays.
                Some(overlay) if overlay.typed().is_some() => {
                    self.ask_discard(overlay);
                    None
                }
                // Already asked: Ctrl-C again means yes.
                _ => {
                    self.leave();
                    None
                }
            };
        }
        // Locking now works over any dialog too: what is being typed is kept, as by the
        // screen lock.
        if self.overlay.is_some()
            && keymap::lookup(&self.bindings, Context::Global, key) == Some(Action::LockScreen)
        {
            return self.update(Action::LockScreen);
        }
        match self.overlay.take() {
            None => {
                keymap::lookup(&self.bindings, self.context(), key).and_then(|a| self.update(a))
            }
            Some(overlay) => {
                let action = keymap::lookup(&self.bindings, overlay.context(), key);
                let effect = self.on_overlay_key(overlay, action, key);
                self.keep_visible();
                effect
            }
        }
    }

    /// The first key bound to `action` on a screen, as the help writes it.
    pub fn key_for(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action && b.context.is_screen())
            .map(keymap::label)
            .unwrap_or_else(|| action.name().to_string())
    }

    /// Leave the interface: at once, or asking first when there are unsaved changes.
    pub(super) fn leave(&mut self) {
        if self.dirty || !self.kept.is_empty() {
            self.overlay = Some(Overlay::ConfirmQuit);
        } else {
            self.quit = true;
        }
    }

    /// Ask before dropping what `overlay` holds.
    fn ask_discard(&mut self, overlay: Overlay) {
        let what = overlay.typed().unwrap_or("what you typed").to_string();
        self.overlay = Some(Overlay::Discard {
            what,
            kept: Box::new(overlay),
        });
    }

    /// A paste: text, never keys. It goes whole into what is being typed (line breaks kept
    /// in a note and a text field); on a case with nothing open it starts a note with it.
    pub fn on_paste(&mut self, text: &str) -> Option<Effect> {
        self.logging(|app| app.on_paste_inner(text))
    }

    fn on_paste_inner(&mut self, text: &str) -> Option<Effect> {
        if let Some(lock) = &mut self.screen_lock {
            lock.typed.0.push_str(text.trim_end_matches(['\n', '\r']));
            return None;
        }
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        match &mut self.overlay {
            Some(Overlay::Note(editor)) => {
                editor.insert_str(&text);
            }
            Some(Overlay::Form(form)) => form.paste(&text),
            Some(Overlay::SaveAs { path, .. }) => path.insert(text.trim()),
            Some(Overlay::Palette { query, selected } | Overlay::Jump { query, selected }) => {
                query.insert(&text);
                *selected = 0;
            }
            Some(Overlay::Search { query, .. }) => {
                query.insert(&text);
                return Some(Effect::Search(query.text().to_string()));
            }
            Some(_) => self.status = "nothing here takes text: the paste was not used".into(),
            None if matches!(self.screen, Screen::Case { .. }) => {
                let mut editor = note_editor("");
                editor.insert_str(&text);
                self.overlay = Some(Overlay::Note(Box::new(editor)));
                self.status = "pasted into a new note: Ctrl-D adds it".into();
            }
            None => self.status = "nothing here takes text: the paste was not used".into(),
        }
        None
    }

    /// A key on the lock screen: the passphrase is typed, `Done` unlocks.
    fn on_lock_key(&mut self, key: KeyEvent) -> Option<Effect> {
        let action = keymap::lookup(&self.bindings, Context::Locked, key);
        let lock = self.screen_lock.as_mut()?;
        match (action, key.code) {
            (Some(Action::Done), _) => {
                return Some(Effect::UnlockScreen(std::mem::take(&mut lock.typed)));
            }
            (Some(Action::Quit), _) => {
                if self.dirty || self.draft_locked {
                    lock.message = "there are unsaved changes or something you were typing: \
                        unlock, then save or drop them"
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
            Overlay::Message {
                title,
                text,
                scroll,
            } => self.on_key_in_message(title, text, scroll, action),
            Overlay::Failure { text, scroll } => self.on_key_in_failure(text, scroll, action, key),
            Overlay::Pager {
                title,
                text,
                scroll,
            } => self.on_key_in_pager(title, text, scroll, action),
            Overlay::ConfirmQuit => self.on_key_in_confirm_quit(action),
            // The choices when the file changed on disk: merge that copy in and save (the
            // save merges it), or save yours under a new name.
            Overlay::ChangedOnDisk => self.on_key_in_changed_on_disk(action),
            Overlay::Confirm { effect, back, .. } => self.on_key_in_confirm(effect, back, action),
            Overlay::Discard { kept, .. } => self.on_key_in_discard(kept, action),
            Overlay::Note(editor) => self.on_key_in_note(editor, action, key),
            Overlay::SaveAs { path, error } => self.on_key_in_save_as(path, error, action, key),
            Overlay::Status { options, selected } => {
                self.on_key_in_status(options, selected, action)
            }
            Overlay::Form(form) => self.on_key_in_form(form, key),
            Overlay::Search {
                query,
                hits,
                selected,
            } => self.on_key_in_search(query, hits, selected, action, key),
            Overlay::Palette { query, selected } => {
                self.on_key_in_palette(query, selected, action, key)
            }
            Overlay::Jump { query, selected } => self.on_key_in_jump(query, selected, action, key),
            Overlay::Attachments { selected } => self.on_key_in_attachments(selected, action),
            Overlay::Pending { changes, selected } => {
                self.on_key_in_pending(changes, selected, action)
            }
        }
    }

    /// [`Overlay::Message`]: see [`Self::on_overlay_key`].
    fn on_key_in_message(
        &mut self,
        title: String,
        text: String,
        scroll: u16,
        action: Option<Action>,
    ) -> Option<Effect> {
        let Some(scroll) = self.scrolled(scroll, action) else {
            // Dismissed: a question that waited behind it comes up now.
            self.overlay = self.waiting.take();
            return None;
        };
        self.overlay = Some(Overlay::Message {
            title,
            text,
            scroll,
        });
        None
    }

    /// [`Overlay::Failure`]: see [`Self::on_overlay_key`].
    fn on_key_in_failure(
        &mut self,
        text: String,
        scroll: u16,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Option<Effect> {
        match action {
            Some(_) => {
                let Some(scroll) = self.scrolled(scroll, action) else {
                    self.overlay = self.waiting.take();
                    return None;
                };
                self.overlay = Some(Overlay::Failure { text, scroll });
                None
            }
            // Read: the key goes on to the screen.
            None => {
                self.overlay = self.waiting.take();
                if self.overlay.is_some() {
                    return None;
                }
                self.on_key_inner(key)
            }
        }
    }

    /// [`Overlay::Pager`]: see [`Self::on_overlay_key`].
    fn on_key_in_pager(
        &mut self,
        title: String,
        text: String,
        scroll: u16,
        action: Option<Action>,
    ) -> Option<Effect> {
        let scroll = self.scrolled(scroll, action)?;
        self.overlay = Some(Overlay::Pager {
            title,
            text,
            scroll,
        });
        None
    }

    /// [`Overlay::ConfirmQuit`]: see [`Self::on_overlay_key`].
    fn on_key_in_confirm_quit(&mut self, action: Option<Action>) -> Option<Effect> {
        match action {
            // A file that cannot be written (the built-in demo): save a copy instead.
            Some(Action::Save) if self.read_only => {
                self.overlay = Some(Overlay::SaveAs {
                    path: LineEdit::default(),
                    error: None,
                });
                None
            }
            Some(Action::Save) => Some(Effect::SaveAndQuit),
            Some(Action::Discard) => {
                self.quit = true;
                None
            }
            _ => {
                self.status = "not quitting".into();
                None
            }
        }
    }

    /// [`Overlay::ChangedOnDisk`]: see [`Self::on_overlay_key`].
    fn on_key_in_changed_on_disk(&mut self, action: Option<Action>) -> Option<Effect> {
        match action {
            Some(Action::Merge | Action::Yes) => {
                self.status = "merging the copy on disk with yours…".into();
                return Some(Effect::Save);
            }
            Some(Action::Save) => {
                self.overlay = Some(Overlay::SaveAs {
                    path: LineEdit::default(),
                    error: None,
                })
            }
            _ => self.status = "not saved: your changes are still in memory".into(),
        }
        None
    }

    /// [`Overlay::Confirm`]: see [`Self::on_overlay_key`].
    fn on_key_in_confirm(
        &mut self,
        effect: Effect,
        back: Option<Box<Overlay>>,
        action: Option<Action>,
    ) -> Option<Effect> {
        match action {
            Some(Action::Yes) => {
                // A form stays (under the effect) until the runner says it worked, so that a
                // refusal keeps what was typed; a chooser has nothing typed and closes.
                self.overlay = back.filter(|b| matches!(**b, Overlay::Form(_))).map(|b| *b);
                Some(effect)
            }
            _ => {
                self.status = "nothing done".into();
                self.overlay = back.map(|b| *b);
                None
            }
        }
    }

    /// [`Overlay::Discard`]: see [`Self::on_overlay_key`].
    fn on_key_in_discard(&mut self, kept: Box<Overlay>, action: Option<Action>) -> Option<Effect> {
        match action {
            Some(Action::KeepDraft) => {
                match self.draft_in(&kept) {
                    Some(draft) => {
                        self.keep_aside(draft);
                        self.status = "kept as a draft: the same form (or a note) on this \
                                           case brings it back"
                            .into();
                    }
                    None => {
                        self.status = "kept: go on typing".into();
                        self.overlay = Some(*kept);
                        return None;
                    }
                }
                None
            }
            Some(Action::Yes) => {
                self.status = "dropped".into();
                None
            }
            _ => {
                self.status = "kept: go on typing".into();
                self.overlay = Some(*kept);
                None
            }
        }
    }

    /// [`Overlay::Note`]: see [`Self::on_overlay_key`].
    fn on_key_in_note(
        &mut self,
        mut editor: Box<TextArea<'static>>,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Option<Effect> {
        match action {
            Some(Action::Back) => {
                let overlay = Overlay::Note(editor);
                if overlay.typed().is_some() {
                    self.ask_discard(overlay);
                } else {
                    self.status = "empty note closed".into();
                }
                None
            }
            Some(Action::Done) => {
                let body = editor.lines().join("\n");
                if body.trim().is_empty() {
                    self.status = "empty note closed".into();
                    return None;
                }
                let code = self.open_case()?.to_string();
                // The editor stays open until the note is recorded (a refusal keeps it).
                self.overlay = Some(Overlay::Note(editor));
                Some(Effect::AddNote { code, body })
            }
            _ => {
                crate::tui::form::text_key(&mut editor, key);
                self.overlay = Some(Overlay::Note(editor));
                None
            }
        }
    }

    /// [`Overlay::SaveAs`]: see [`Self::on_overlay_key`].
    fn on_key_in_save_as(
        &mut self,
        mut path: LineEdit,
        error: Option<String>,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Option<Effect> {
        match action {
            Some(Action::Back) => None,
            Some(Action::Done) if !path.text().trim().is_empty() => {
                let target = PathBuf::from(path.text().trim());
                // Kept open (with the name) until the save worked.
                self.overlay = Some(Overlay::SaveAs { path, error: None });
                Some(Effect::SaveAs(target))
            }
            _ => {
                path.on_key(key);
                self.overlay = Some(Overlay::SaveAs { path, error });
                None
            }
        }
    }

    /// [`Overlay::Status`]: see [`Self::on_overlay_key`].
    fn on_key_in_status(
        &mut self,
        options: Vec<Status>,
        mut selected: usize,
        action: Option<Action>,
    ) -> Option<Effect> {
        match action {
            Some(Action::Back) => return None,
            Some(Action::Open) => {
                let (code, to) = (self.open_case()?.to_string(), *options.get(selected)?);
                let effect = Effect::ChangeStatus {
                    code: code.clone(),
                    to,
                };
                if !to.is_finished() {
                    return Some(effect);
                }
                // A final status ends the case's handling: say so and ask.
                self.overlay = Some(Overlay::Confirm {
                    question: format!(
                        "Move {code} to {to}? That is a final status: the case leaves \
                                 the working queues and only reopening brings it back."
                    ),
                    effect,
                    back: Some(Box::new(Overlay::Status { options, selected })),
                });
                return None;
            }
            Some(Action::Up) => selected = selected.saturating_sub(1),
            Some(Action::Down) => selected = (selected + 1).min(options.len().saturating_sub(1)),
            _ => {}
        }
        self.overlay = Some(Overlay::Status { options, selected });
        None
    }

    /// [`Overlay::Form`]: see [`Self::on_overlay_key`].
    fn on_key_in_form(&mut self, mut form: Box<Form>, key: KeyEvent) -> Option<Effect> {
        match form.on_key_with(&self.bindings, key) {
            Reply::Cancel => {
                let overlay = Overlay::Form(form);
                if overlay.typed().is_some() {
                    self.ask_discard(overlay);
                } else if let Overlay::Form(form) = overlay {
                    self.status = format!("{}: cancelled", form.title);
                }
                None
            }
            Reply::Editing => {
                self.overlay = Some(Overlay::Form(form));
                None
            }
            Reply::Submit => self.submit(form),
        }
    }

    /// [`Overlay::Search`]: see [`Self::on_overlay_key`].
    fn on_key_in_search(
        &mut self,
        mut query: LineEdit,
        hits: Vec<Hit>,
        mut selected: usize,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Option<Effect> {
        match action {
            Some(Action::Back) => return None,
            Some(Action::Open) => {
                let hit = hits.get(selected)?;
                self.found_snippet = Some(hit.snippet.clone());
                return Some(match hit.event {
                    Some(event) => Effect::OpenCaseAt(hit.code.clone(), event),
                    None => Effect::OpenCase(hit.code.clone()),
                });
            }
            Some(Action::Up) => selected = selected.saturating_sub(1),
            Some(Action::Down) => selected = (selected + 1).min(hits.len().saturating_sub(1)),
            _ if query.on_key(key) => {
                // The query changed: search again as you type.
                let text = query.text().to_string();
                self.overlay = Some(Overlay::Search {
                    query,
                    hits,
                    selected: 0,
                });
                return Some(Effect::Search(text));
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

    /// [`Overlay::Palette`]: see [`Self::on_overlay_key`].
    fn on_key_in_palette(
        &mut self,
        mut query: LineEdit,
        mut selected: usize,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Option<Effect> {
        let entries = self.palette(query.text());
        match action {
            Some(Action::Back) => return None,
            Some(Action::Open) => {
                let entry = entries.get(selected)?;
                if let Some(why) = &entry.unavailable {
                    self.status = format!("{}: {why}", entry.action.describe());
                    return None;
                }
                return self.update(entry.action);
            }
            Some(Action::Up) => selected = selected.saturating_sub(1),
            Some(Action::Down) => selected = (selected + 1).min(entries.len().saturating_sub(1)),
            _ if query.on_key(key) => selected = 0,
            _ => {}
        }
        self.overlay = Some(Overlay::Palette { query, selected });
        None
    }

    /// [`Overlay::Jump`]: see [`Self::on_overlay_key`].
    fn on_key_in_jump(
        &mut self,
        mut query: LineEdit,
        mut selected: usize,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Option<Effect> {
        let matches = self.jump_matches(query.text());
        let chosen = matches.get(selected).map(|c| c.to_string());
        let count = matches.len();
        match action {
            Some(Action::Back) => return None,
            Some(Action::Open) => {
                let Some(code) = chosen else {
                    self.status = format!(
                        "no case matches {:?}",
                        crate::core::sanitize::inline(query.text())
                    );
                    self.overlay = Some(Overlay::Jump { query, selected });
                    return None;
                };
                return Some(Effect::OpenCase(code));
            }
            Some(Action::NextField) => {
                if let Some(code) = chosen {
                    query = LineEdit::new(&code);
                    selected = 0;
                }
            }
            Some(Action::Up) => selected = selected.saturating_sub(1),
            Some(Action::Down) => selected = (selected + 1).min(count.saturating_sub(1)),
            _ if query.on_key(key) => selected = 0,
            _ => {}
        }
        self.overlay = Some(Overlay::Jump { query, selected });
        None
    }

    /// [`Overlay::Attachments`]: see [`Self::on_overlay_key`].
    fn on_key_in_attachments(
        &mut self,
        mut selected: usize,
        action: Option<Action>,
    ) -> Option<Effect> {
        let Screen::Case { data, .. } = &self.screen else {
            return None;
        };
        let count = data.attachments.len();
        let chosen = data.attachments.get(selected).cloned();
        match action {
            Some(Action::Back) => return None,
            Some(Action::Up) => selected = selected.saturating_sub(1),
            Some(Action::Down) => selected = (selected + 1).min(count.saturating_sub(1)),
            Some(Action::Open) => {
                let a = chosen?;
                self.overlay = Some(Overlay::Attachments { selected });
                if !is_text(&a.content_type) {
                    self.status = format!(
                        "{} is {}, not text: w saves it to a file",
                        crate::core::sanitize::inline(&a.name),
                        crate::core::sanitize::inline(&a.content_type)
                    );
                    return None;
                }
                return Some(Effect::ReadAttachment {
                    sha256: a.sha256,
                    name: a.name,
                });
            }
            Some(Action::SaveAs) => {
                let a = chosen?;
                let code = self.open_case()?.to_string();
                self.overlay = Some(form(save_attachment_form(&code, &a, &self.export_dir)));
                return None;
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Attachments { selected });
        None
    }

    /// [`Overlay::Pending`]: see [`Self::on_overlay_key`].
    fn on_key_in_pending(
        &mut self,
        changes: Vec<PendingChange>,
        mut selected: usize,
        action: Option<Action>,
    ) -> Option<Effect> {
        match action {
            Some(Action::Back) => return None,
            Some(Action::Up) => selected = selected.saturating_sub(1),
            Some(Action::Down) => selected = (selected + 1).min(changes.len().saturating_sub(1)),
            Some(Action::DropPending) => {
                let change = changes.get(selected)?;
                // Refused here, before anything claims it is gone (the file refuses
                // it too: see `OpenFile::drop_unsaved`).
                if let Some(seal) = changes.iter().find(|c| c.seals) {
                    self.overlay = None;
                    self.failed(format!(
                        "Nothing can be dropped while “{}” is unsaved: keeping members \
                                 out of a case has sealed its content in memory already, and \
                                 dropping changes cannot bring that back. Save (Ctrl-S) to keep \
                                 every change, or quit without saving to keep none of them.",
                        crate::core::sanitize::inline(&seal.said)
                    ));
                    return None;
                }
                let later = changes[selected + 1..]
                    .iter()
                    .filter(|c| c.case == change.case)
                    .count();
                let question = format!(
                    "Drop “{}”{}? It was never saved: nothing of it stays in the file.",
                    crate::core::sanitize::inline(&change.said),
                    match later {
                        0 => String::new(),
                        n => format!(
                            " and the {n} later change{} on the same {}",
                            if n == 1 { "" } else { "s" },
                            if change.case.is_none() {
                                "committee"
                            } else {
                                "case"
                            }
                        ),
                    }
                );
                let effect = Effect::DropUnsaved(change.event);
                self.overlay = Some(Overlay::Confirm {
                    question,
                    effect,
                    back: Some(Box::new(Overlay::Pending { changes, selected })),
                });
                return None;
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Pending { changes, selected });
        None
    }

    /// A reading dialog's scroll after `action`; `None` when it closes.
    fn scrolled(&mut self, scroll: u16, action: Option<Action>) -> Option<u16> {
        let page = self.page.max(1) as u16;
        Some(match action {
            Some(Action::Back) => return None,
            Some(Action::Up) => scroll.saturating_sub(1),
            Some(Action::Down) => scroll.saturating_add(1),
            Some(Action::PageUp) => scroll.saturating_sub(page),
            Some(Action::PageDown) => scroll.saturating_add(page),
            Some(Action::Top) => 0,
            Some(Action::Bottom) => u16::MAX / 2,
            _ => scroll,
        })
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

    /// A mouse event: the wheel scrolls, a click selects a case (a click on the selected
    /// one opens it).
    pub fn on_mouse(&mut self, event: crossterm::event::MouseEvent) -> Option<Effect> {
        use crossterm::event::{MouseButton, MouseEventKind};
        if self.screen_lock.is_some() || self.overlay.is_some() {
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
}

/// Whether an attachment of this type can be read in the pager.
pub fn is_text(content_type: &str) -> bool {
    let t = content_type.to_ascii_lowercase();
    t.starts_with("text/") || t.ends_with("json") || t.ends_with("+xml") || t == "message/rfc822"
}

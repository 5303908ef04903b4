//! Keys and the mouse to intents: the screens' keys go through the key map to `update`; a
//! dialog looks its keys up in its own context and edits its text with the rest.

use super::*;

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

impl App {
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
}

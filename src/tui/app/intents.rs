//! The user's intents on each screen: what an action does to the model here, and what it asks
//! the runner for. [`App::apply`] says who handles an action: the whole interface (help, the
//! message log, saving, searching …) or the screen shown (the queues, a case, the committee).
//! An action that cannot succeed now says why instead.

use super::*;

impl App {
    pub(super) fn apply(&mut self, action: Action) -> Option<Effect> {
        if let Some(why) = self.unavailable(action) {
            self.status = format!("{}: {why}", action.describe());
            return None;
        }
        match (&self.screen, action) {
            // On a case or the committee, q goes back; it quits from the queues.
            (Screen::Case { .. } | Screen::Roster { .. }, Action::Quit) => self.apply(Action::Back),
            (
                _,
                Action::Help
                | Action::MessageLog
                | Action::Privacy
                | Action::LockScreen
                | Action::Jump
                | Action::Palette
                | Action::Quit
                | Action::Save
                | Action::SaveAs
                | Action::Search
                | Action::Pending,
            ) => self.apply_anywhere(action),
            (Screen::Queues, _) => self.apply_on_queues(action),
            (Screen::Case { .. }, _) => self.apply_on_case(action),
            (Screen::Roster { .. }, _) => self.apply_on_roster(action),
        }
    }

    /// The actions that do the same on every screen.
    fn apply_anywhere(&mut self, action: Action) -> Option<Effect> {
        let blank = LineEdit::default;
        self.overlay = Some(match action {
            Action::Help => Overlay::Help(0),
            Action::MessageLog => self.message_log(),
            Action::Privacy => {
                self.privacy = !self.privacy;
                self.status = if self.privacy {
                    format!(
                        "case text hidden: {} shows it again",
                        self.key_for(Action::Privacy)
                    )
                } else {
                    "case text shown".into()
                };
                return None;
            }
            Action::LockScreen => {
                return Some(Effect::LockScreen {
                    idle_secs: None,
                    draft: self.draft_to_keep(),
                });
            }
            Action::Jump => Overlay::Jump {
                query: blank(),
                selected: 0,
            },
            Action::Palette => Overlay::Palette {
                query: blank(),
                selected: 0,
            },
            Action::Quit if self.dirty || !self.kept.is_empty() => Overlay::ConfirmQuit,
            Action::Quit => {
                self.quit = true;
                return None;
            }
            Action::Save if self.disk_changed => {
                self.status = "the file changed on disk since you opened it: m merges it".into();
                Overlay::ChangedOnDisk
            }
            Action::Save => return Some(Effect::Save),
            Action::SaveAs => Overlay::SaveAs {
                path: blank(),
                error: None,
            },
            Action::Search => Overlay::Search {
                query: blank(),
                hits: Vec::new(),
                selected: 0,
            },
            Action::Pending => return Some(Effect::ListUnsaved),
            _ => return None,
        });
        None
    }

    /// The session's messages, newest first, in full.
    fn message_log(&self) -> Overlay {
        let text = if self.log.is_empty() {
            "Nothing yet: results and errors of this session are listed here, newest first, in \
             full. The list is in memory only; the lock clears it."
                .to_string()
        } else {
            self.log
                .iter()
                .rev()
                .map(|entry| {
                    format!(
                        "{} {}{}",
                        self.zone.short_time(entry.at),
                        if entry.error { "✗ " } else { "" },
                        crate::core::sanitize::body(&entry.text)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        Overlay::Message {
            title: format!(
                "Messages of this session ({}, newest first)",
                crate::core::describe::count(self.log.len(), "message", "messages")
            ),
            text,
            scroll: 0,
        }
    }

    /// The queues: moving through the cases of one, changing queue, sort and filter, opening a
    /// case, and what starts from here (a new case, an import, a report, the committee).
    fn apply_on_queues(&mut self, action: Action) -> Option<Effect> {
        let last = self.rows.len().saturating_sub(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(self.page),
            Action::PageDown => self.selected = (self.selected + self.page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::NextQueue | Action::PreviousQueue => {
                let step = if action == Action::NextQueue {
                    1
                } else {
                    self.queues.len() - 1
                };
                self.queue = (self.queue + step) % self.queues.len();
                self.selected = 0;
                return Some(Effect::Refresh);
            }
            Action::Open => {
                let row = self.rows.get(self.selected)?;
                // A case sealed from the member opens as what their copy holds of it.
                if row.title.is_none() && !row.sealed {
                    self.status =
                        format!("{}: hidden, you declared a hard conflict on it", row.code);
                    return None;
                }
                return Some(Effect::OpenCase(row.code.clone()));
            }
            Action::Sort => {
                self.sort = self.sort.next();
                self.status = format!("sorted by {}", self.sort.as_str());
                return Some(Effect::Refresh);
            }
            Action::Filter => self.overlay = Some(form(filter_form(&self.filter, &self.choices))),
            Action::NewCase => self.overlay = Some(form(new_case_form())),
            Action::Import => self.overlay = Some(form(import_form())),
            Action::Report => {
                let mut report = report_form(self.today);
                report
                    .notes
                    .push(format!("The export folder: {}", self.export_dir.display()));
                self.overlay = Some(form(report));
            }
            Action::Roster => return Some(Effect::ShowRoster),
            _ => {}
        }
        None
    }

    /// A case: scrolling, moving between and unfolding timeline entries, and the forms of
    /// what a member does on it.
    fn apply_on_case(&mut self, action: Action) -> Option<Effect> {
        let Screen::Case {
            scroll,
            entry,
            data,
            expanded,
            ..
        } = &mut self.screen
        else {
            return None;
        };
        let page = self.page as u16;
        match action {
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll = scroll.saturating_add(1),
            Action::PageUp => *scroll = scroll.saturating_sub(page),
            Action::PageDown => *scroll = scroll.saturating_add(page),
            Action::Top => *scroll = 0,
            Action::Bottom => *scroll = u16::MAX / 2,
            Action::NextEntry => {
                *entry = (*entry + 1).min(data.order.len().saturating_sub(1));
                self.scroll_to_entry = true;
            }
            Action::PreviousEntry => {
                *entry = entry.saturating_sub(1);
                self.scroll_to_entry = true;
            }
            Action::Open => {
                let id = data
                    .order
                    .get(*entry)
                    .and_then(|(i, _)| data.timeline.get(*i))
                    .map(|e| e.id)?;
                if !expanded.remove(&id) {
                    expanded.insert(id);
                }
                // Laid out again, with the entry whole or folded.
                self.case_shown += 1;
                self.scroll_to_entry = true;
            }
            Action::Back => {
                self.screen = Screen::Queues;
                return Some(Effect::Refresh);
            }
            Action::ChangeStatus => {
                // `decided` is reached by recording a decision, never by a status change.
                let options: Vec<Status> = data
                    .case
                    .status
                    .next()
                    .iter()
                    .copied()
                    .filter(|s| *s != Status::Decided)
                    .collect();
                self.overlay = Some(Overlay::Status {
                    options,
                    selected: 0,
                });
            }
            Action::Attachments => self.overlay = Some(Overlay::Attachments { selected: 0 }),
            Action::Roster => {
                self.roster_from = Some(data.case.code_name.clone());
                return Some(Effect::ShowRoster);
            }
            Action::AddNote => self.overlay = Some(Overlay::Note(Box::new(note_editor("")))),
            action => {
                let mut form = case_form(data, action)?;
                if let Purpose::Export(_) = form.purpose {
                    form.notes.push(format!(
                        "Left empty, the file is CODE-AUDIENCE.FORMAT in {} (export_dir); a bare \
                         name goes there too.",
                        self.export_dir.display()
                    ));
                }
                self.overlay = Some(Overlay::Form(Box::new(form)));
            }
        }
        None
    }

    /// The committee: moving through its members, a member's details, and the changes a chair
    /// makes to it (adding, removing, a new file key, resolving what a merge could not apply).
    fn apply_on_roster(&mut self, action: Action) -> Option<Effect> {
        let Screen::Roster {
            members,
            selected,
            from_case,
            attention,
        } = &mut self.screen
        else {
            return None;
        };
        let last = members.len().saturating_sub(1);
        match action {
            Action::Up => *selected = selected.saturating_sub(1),
            Action::Down => *selected = (*selected + 1).min(last),
            Action::PageUp => *selected = selected.saturating_sub(self.page),
            Action::PageDown => *selected = (*selected + self.page).min(last),
            Action::Top => *selected = 0,
            Action::Bottom => *selected = last,
            Action::Open => {
                let m = members.get(*selected)?;
                self.overlay = Some(Overlay::Message {
                    title: "Member".into(),
                    text: member_details(m),
                    scroll: 0,
                });
            }
            Action::Back => {
                return match from_case.take() {
                    Some(code) => Some(Effect::OpenCase(code)),
                    None => {
                        self.screen = Screen::Queues;
                        Some(Effect::Refresh)
                    }
                };
            }
            Action::AddMember => self.overlay = Some(form(add_member_form())),
            Action::RemoveMember => match members.get(*selected) {
                Some(m) if m.active => {
                    self.overlay = Some(form(remove_member_form(&m.name)));
                }
                Some(m) => self.status = format!("{} was already removed", m.name),
                None => {}
            },
            Action::Rekey => {
                self.overlay = Some(Overlay::Confirm {
                    question: "Re-encrypt the file (and its backup) to the current members with \
                        a fresh file key? Unsaved changes are saved with it."
                        .into(),
                    effect: Effect::Rekey,
                    back: None,
                });
            }
            Action::Resolve => {
                if attention.is_empty() {
                    self.status = "nothing on the roster needs attention".into();
                } else if self.role.is_some_and(|r| r != Role::Chair) {
                    self.status = "only a chair resolves roster changes".into();
                } else {
                    self.overlay = Some(form(forms::resolve_form(None, attention, None)));
                }
            }
            _ => {}
        }
        None
    }
}

/// A member's row of the committee, whole.
fn member_details(m: &RosterRow) -> String {
    format!(
        "name         {}\nrole         {}\nemail        {}\nkey          {}\nfingerprint  {}\nmember       {}\nopens file   {}",
        m.name,
        m.role,
        m.email.as_deref().unwrap_or("-"),
        m.key_type,
        m.fingerprint,
        m.state,
        m.encrypted_to
    )
}

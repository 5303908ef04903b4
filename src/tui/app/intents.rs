//! The user's intents on each screen, as one match: what an action does to the model here,
//! and what it asks the runner for. An action that cannot succeed now says why instead.

use super::*;

impl App {
    pub(super) fn apply(&mut self, action: Action) -> Option<Effect> {
        if let Some(why) = self.unavailable(action) {
            self.status = format!("{}: {why}", action.describe());
            return None;
        }
        let rows = self.rows.len();
        match (&mut self.screen, action) {
            (_, Action::Help) => self.overlay = Some(Overlay::Help(0)),
            (_, Action::MessageLog) => {
                let text = if self.log.is_empty() {
                    "Nothing yet: results and errors of this session are listed here, newest \
                     first, in full. The list is in memory only; the lock clears it."
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
                self.overlay = Some(Overlay::Message {
                    title: format!(
                        "Messages of this session ({}, newest first)",
                        crate::core::describe::count(self.log.len(), "message", "messages")
                    ),
                    text,
                    scroll: 0,
                });
            }
            (_, Action::Privacy) => {
                self.privacy = !self.privacy;
                self.status = if self.privacy {
                    format!(
                        "case text hidden: {} shows it again",
                        self.key_for(Action::Privacy)
                    )
                } else {
                    "case text shown".into()
                };
            }
            (_, Action::LockScreen) => {
                return Some(Effect::LockScreen {
                    idle_secs: None,
                    draft: self.draft_to_keep(),
                });
            }
            (_, Action::Jump) => {
                self.overlay = Some(Overlay::Jump {
                    query: LineEdit::default(),
                    selected: 0,
                })
            }
            (_, Action::Palette) => {
                self.overlay = Some(Overlay::Palette {
                    query: LineEdit::default(),
                    selected: 0,
                })
            }
            (Screen::Case { .. } | Screen::Roster { .. }, Action::Quit) => {
                // On a case or the committee, q goes back; it quits from the queues.
                return self.apply(Action::Back);
            }
            (_, Action::Quit) => {
                if self.dirty || !self.kept.is_empty() {
                    self.overlay = Some(Overlay::ConfirmQuit);
                } else {
                    self.quit = true;
                }
            }
            (_, Action::Save) if self.disk_changed => {
                self.status = "the file changed on disk since you opened it: m merges it".into();
                self.overlay = Some(Overlay::ChangedOnDisk);
            }
            (_, Action::Save) => return Some(Effect::Save),
            (_, Action::SaveAs) => {
                self.overlay = Some(Overlay::SaveAs {
                    path: LineEdit::default(),
                    error: None,
                })
            }
            (_, Action::Search) => {
                self.overlay = Some(Overlay::Search {
                    query: LineEdit::default(),
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
                // A case sealed from the member opens as what their copy holds of it.
                if row.title.is_none() && !row.sealed {
                    self.status =
                        format!("{}: hidden, you declared a hard conflict on it", row.code);
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
            (Screen::Case { entry, data, .. }, Action::NextEntry) => {
                *entry = (*entry + 1).min(data.order.len().saturating_sub(1));
                self.scroll_to_entry = true;
            }
            (Screen::Case { entry, .. }, Action::PreviousEntry) => {
                *entry = entry.saturating_sub(1);
                self.scroll_to_entry = true;
            }
            (
                Screen::Case {
                    entry,
                    data,
                    expanded,
                    ..
                },
                Action::Open,
            ) => {
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
                self.overlay = Some(Overlay::Status {
                    options,
                    selected: 0,
                });
            }
            (Screen::Case { .. }, Action::Attachments) => {
                self.overlay = Some(Overlay::Attachments { selected: 0 })
            }
            (Screen::Case { data, .. }, action) if case_form(data, action).is_some() => {
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
            (Screen::Queues, Action::Report) => {
                let mut report = report_form(self.today);
                report
                    .notes
                    .push(format!("The export folder: {}", self.export_dir.display()));
                self.overlay = Some(form(report));
            }
            (Screen::Queues, Action::Roster) => return Some(Effect::ShowRoster),
            (Screen::Case { data, .. }, Action::Roster) => {
                let code = data.case.code_name.clone();
                self.roster_from = Some(code);
                return Some(Effect::ShowRoster);
            }
            (Screen::Roster { selected, .. }, Action::Up) => *selected = selected.saturating_sub(1),
            (
                Screen::Roster {
                    selected, members, ..
                },
                Action::Down,
            ) => *selected = (*selected + 1).min(members.len().saturating_sub(1)),
            (Screen::Roster { selected, .. }, Action::PageUp) => {
                *selected = selected.saturating_sub(self.page)
            }
            (
                Screen::Roster {
                    selected, members, ..
                },
                Action::PageDown,
            ) => *selected = (*selected + self.page).min(members.len().saturating_sub(1)),
            (Screen::Roster { selected, .. }, Action::Top) => *selected = 0,
            (
                Screen::Roster {
                    selected, members, ..
                },
                Action::Bottom,
            ) => *selected = members.len().saturating_sub(1),
            (
                Screen::Roster {
                    members, selected, ..
                },
                Action::Open,
            ) => {
                let m = members.get(*selected)?;
                let text = format!(
                    "name         {}\nrole         {}\nemail        {}\nkey          {}\nfingerprint  {}\nmember       {}\nopens file   {}",
                    m.name,
                    m.role,
                    m.email.as_deref().unwrap_or("-"),
                    m.key_type,
                    m.fingerprint,
                    m.state,
                    m.encrypted_to
                );
                self.overlay = Some(Overlay::Message {
                    title: "Member".into(),
                    text,
                    scroll: 0,
                });
            }
            (Screen::Roster { from_case, .. }, Action::Back) => {
                return match from_case.take() {
                    Some(code) => Some(Effect::OpenCase(code)),
                    None => {
                        self.screen = Screen::Queues;
                        Some(Effect::Refresh)
                    }
                };
            }
            (Screen::Roster { .. }, Action::AddMember) => {
                self.overlay = Some(form(add_member_form()))
            }
            (
                Screen::Roster {
                    members, selected, ..
                },
                Action::RemoveMember,
            ) => match members.get(*selected) {
                Some(m) if m.active => {
                    self.overlay = Some(form(remove_member_form(&m.name)));
                }
                Some(m) => self.status = format!("{} was already removed", m.name),
                None => {}
            },
            (Screen::Roster { .. }, Action::Rekey) => {
                self.overlay = Some(Overlay::Confirm {
                    question: "Re-encrypt the file (and its backup) to the current members with \
                        a fresh file key? Unsaved changes are saved with it."
                        .into(),
                    effect: Effect::Rekey,
                    back: None,
                });
            }
            (Screen::Case { .. }, Action::AddNote) => {
                self.overlay = Some(Overlay::Note(Box::new(note_editor(""))));
            }
            (_, Action::Pending) => return Some(Effect::ListUnsaved),
            (Screen::Roster { attention, .. }, Action::Resolve) => {
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

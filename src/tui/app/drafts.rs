//! What was being typed, kept across the idle lock: the note, the form (with every value) or
//! the file name, and the case it belongs to. It is serialised and sealed with the file while
//! locked (the text is wiped from memory), and put back on its case after unlocking.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::*;
use crate::tui::form::FormDraft;

/// A draft, with where it belongs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The case it was typed on, if any.
    pub case: Option<String>,
    /// What it is.
    pub kind: DraftKind,
}

/// What a draft is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftKind {
    /// A note.
    Note(String),
    /// A form: the action that opens it (by name), the member it is about (removing one),
    /// and its values.
    Form {
        /// The action's config name.
        action: String,
        /// For the removal form: the member.
        member: Option<String>,
        /// The values.
        values: FormDraft,
    },
    /// A file name to save as.
    SaveAs(String),
}

/// The action that opens a form for `purpose`, and the member it names (removal).
fn opened_by(purpose: &Purpose) -> (Action, Option<String>) {
    let action = match purpose {
        Purpose::Assign(_) => Action::Assign,
        Purpose::Conflict(_) => Action::Conflict,
        Purpose::Party(_) => Action::AddParty,
        Purpose::Emergency(_) => Action::Emergency,
        Purpose::Review(_) => Action::ReviewEmergency,
        Purpose::Vote(_) => Action::Vote,
        Purpose::Decide(_) => Action::Decide,
        Purpose::Comms(_) => Action::Comms,
        Purpose::NewCase => Action::NewCase,
        Purpose::Import => Action::Import,
        Purpose::Export(_) => Action::Export,
        Purpose::Report => Action::Report,
        Purpose::AddMember => Action::AddMember,
        Purpose::RemoveMember(name) => return (Action::RemoveMember, Some(name.clone())),
        Purpose::Filter => Action::Filter,
        Purpose::Amend(_) => Action::Amend,
        Purpose::SaveAttachment { .. } => Action::Attachments,
        Purpose::Resolve { .. } => Action::Resolve,
        Purpose::RecordText(_) => Action::RecordText,
    };
    (action, None)
}

impl App {
    /// What is being typed now, if anything (the dialog under a question included).
    pub fn draft(&self) -> Option<Draft> {
        let case = self.open_case().map(str::to_string);
        let mut overlay = self.overlay.as_ref()?;
        // A question over a form: the form is the draft.
        loop {
            overlay = match overlay {
                Overlay::Confirm { back: Some(b), .. } => b,
                Overlay::Discard { kept, .. } => kept,
                _ => break,
            };
        }
        let kind = match overlay {
            Overlay::Note(editor) => DraftKind::Note(editor.lines().join("\n")),
            Overlay::Form(form) => {
                let (action, member) = opened_by(&form.purpose);
                DraftKind::Form {
                    action: action.name().to_string(),
                    member,
                    values: form.draft(),
                }
            }
            Overlay::SaveAs { path, .. } if !path.text().is_empty() => {
                DraftKind::SaveAs(path.text().to_string())
            }
            _ => return None,
        };
        Some(Draft { case, kind })
    }

    /// The draft, serialised for sealing with the file.
    pub(super) fn draft_to_keep(&self) -> Option<Zeroizing<String>> {
        let draft = self.draft()?;
        serde_json::to_string(&draft).ok().map(Zeroizing::new)
    }

    /// After unlocking: the draft that was sealed, read back; what to load to put it back
    /// (its case), if anything.
    pub(super) fn keep_for_restore(&mut self, sealed: Option<String>) -> Option<Effect> {
        let sealed = Zeroizing::new(sealed?);
        let draft: Draft = match serde_json::from_str(&sealed) {
            Ok(draft) => draft,
            // A note sealed by an earlier version: plain text.
            Err(_) => Draft {
                case: None,
                kind: DraftKind::Note(sealed.to_string()),
            },
        };
        let effect = draft.case.clone().map(Effect::OpenCase);
        self.restore = Some(draft);
        if effect.is_none() {
            self.put_back(None);
        }
        effect
    }

    /// Put the kept draft back if it belongs where the member is now (`case`: the case just
    /// shown).
    pub(super) fn put_back(&mut self, case: Option<&str>) {
        let Some(draft) = self.restore.take() else {
            return;
        };
        if draft.case.as_deref() != case {
            self.restore = Some(draft);
            return;
        }
        let overlay = match draft.kind {
            DraftKind::Note(text) => Some(Overlay::Note(Box::new(note_editor(&text)))),
            DraftKind::SaveAs(path) => Some(Overlay::SaveAs {
                path: LineEdit::new(&path),
                error: None,
            }),
            DraftKind::Form {
                action,
                member,
                values,
            } => {
                let action = Action::ALL.into_iter().find(|a| a.name() == action);
                let form = match (&self.screen, action) {
                    (Screen::Case { data, .. }, Some(action)) => case_form(data, action),
                    (_, Some(Action::NewCase)) => Some(new_case_form()),
                    (_, Some(Action::Import)) => Some(import_form()),
                    (_, Some(Action::Report)) => Some(report_form(self.today)),
                    (_, Some(Action::Filter)) => Some(filter_form(&self.filter, &self.choices)),
                    (_, Some(Action::AddMember)) => Some(add_member_form()),
                    (_, Some(Action::RemoveMember)) => member.as_deref().map(remove_member_form),
                    (Screen::Roster { attention, .. }, Some(Action::Resolve))
                        if !attention.is_empty() =>
                    {
                        Some(forms::resolve_form(None, attention, None))
                    }
                    _ => None,
                };
                form.map(|mut form| {
                    form.restore(&values);
                    Overlay::Form(Box::new(form))
                })
            }
        };
        if overlay.is_some() {
            self.overlay = overlay;
            self.status = "unlocked: what you were typing is back".into();
        }
    }
}

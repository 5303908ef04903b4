//! What was being typed, kept across the screen lock: the note, the form (with every value) or
//! the file name, and the case it belongs to. It is serialised and encrypted with the file while
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

/// What is encrypted with the file while the screen is locked: what was being typed, and the
/// drafts kept aside.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedDrafts {
    /// What was being typed.
    pub current: Option<Draft>,
    /// The drafts kept aside.
    pub kept: Vec<Draft>,
}

/// The action that opens a form for `purpose`, and the member it names (removal).
fn opened_by(purpose: &Purpose) -> (Action, Option<String>) {
    let action = match purpose {
        Purpose::Assign(_) => Action::Assign,
        Purpose::Conflict(_) | Purpose::WithdrawConflict(_) => Action::Conflict,
        Purpose::Party(_) => Action::AddParty,
        Purpose::Seal(_) => Action::Seal,
        Purpose::GiveAccess(_) => Action::GiveAccess,
        Purpose::OpenContact(_) => Action::OpenContact,
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
        Purpose::Sanction(_) => Action::Sanction,
        Purpose::Tell(_) => Action::Tell,
        Purpose::Appeal(_) => Action::Appeal,
        Purpose::Expunge(_) | Purpose::ApproveExpunge(_) => Action::Expunge,
        Purpose::SanctionStep(_) => Action::SanctionStep,
    };
    (action, None)
}

impl App {
    /// What is being typed now, if anything (the dialog under a question included).
    pub fn draft(&self) -> Option<Draft> {
        self.draft_in(self.overlay.as_ref()?)
    }

    /// What `overlay` holds that was typed, as a draft of the open case.
    pub(super) fn draft_in(&self, mut overlay: &Overlay) -> Option<Draft> {
        let case = self.open_case().map(str::to_string);
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

    /// What was being typed and the drafts kept aside, serialised to be encrypted with the file.
    pub(super) fn draft_to_keep(&self) -> Option<Zeroizing<String>> {
        let locked = LockedDrafts {
            current: self.draft(),
            kept: self.kept.clone(),
        };
        if locked.current.is_none() && locked.kept.is_empty() {
            return None;
        }
        serde_json::to_string(&locked).ok().map(Zeroizing::new)
    }

    /// Keep `draft` aside for its case (replacing one kept for the same form there).
    pub(super) fn keep_aside(&mut self, draft: Draft) {
        self.kept.retain(|k| !same_place(k, &draft));
        self.kept.push(draft);
    }

    /// A form or note was just opened: if a draft of it was kept aside on this case, put
    /// its text back.
    pub(super) fn bring_back_kept(&mut self) {
        let Some(opened) = self.overlay.as_ref().and_then(|o| self.draft_in(o)) else {
            return;
        };
        let Some(at) = self.kept.iter().position(|k| same_place(k, &opened)) else {
            return;
        };
        let draft = self.kept.remove(at);
        match (&mut self.overlay, draft.kind) {
            (Some(Overlay::Note(editor)), DraftKind::Note(text)) => {
                **editor = note_editor(&text);
            }
            (Some(Overlay::Form(form)), DraftKind::Form { values, .. }) => form.restore(&values),
            _ => return,
        }
        self.status = "your draft is back".into();
    }

    /// After unlocking: the draft that was locked away, read back; what to load to put it back
    /// (its case), if anything.
    pub(super) fn keep_for_restore(&mut self, locked: Option<String>) -> Option<Effect> {
        let locked = Zeroizing::new(locked?);
        let draft: Draft = match serde_json::from_str::<LockedDrafts>(&locked) {
            Ok(LockedDrafts { current, kept }) => {
                self.kept = kept;
                current?
            }
            // What an earlier version kept: one draft, or a note as plain text.
            Err(_) => match serde_json::from_str(&locked) {
                Ok(draft) => draft,
                Err(_) => Draft {
                    case: None,
                    kind: DraftKind::Note(locked.to_string()),
                },
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

/// Whether two drafts are of the same form (or note) on the same case.
fn same_place(a: &Draft, b: &Draft) -> bool {
    a.case == b.case
        && match (&a.kind, &b.kind) {
            (DraftKind::Note(_), DraftKind::Note(_)) => true,
            (
                DraftKind::Form {
                    action: x,
                    member: m,
                    ..
                },
                DraftKind::Form {
                    action: y,
                    member: n,
                    ..
                },
            ) => x == y && m == n,
            _ => false,
        }
}

//! After the decision: a sanction's changes (a breach opens a case of its own) and the steps
//! of an expunge.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::{CaseChange, excluding};
use crate::{Error, acting_member, events_by};
use casebook_core::case::{Case, CaseId, Channel};
use casebook_core::event::{EventKind, ExcludeWhy};
use casebook_core::process;
use casebook_vault::CaseFile;

/// The event an expunge's change records on `case` (the rules judge it as it is made).
pub(super) fn expunge_kind(
    file: &CaseFile,
    case: &Case,
    change: CaseChange,
) -> Result<EventKind, Error> {
    Ok(match change {
        CaseChange::Expunge { reason, note } => {
            let (manifest, seen) = file.expunge_manifest(case.id)?;
            EventKind::CaseExpunged {
                reason,
                note,
                seen,
                manifest,
                retained: Box::new(casebook_core::retention::retained(case)),
            }
        }
        CaseChange::ApproveExpunge => EventKind::ExpungeApproved {
            tombstone: case
                .pending
                .iter()
                .find(|p| matches!(p.kind, EventKind::CaseExpunged { .. }))
                .map(|p| p.id)
                .unwrap_or_default(),
        },
        CaseChange::HoldExpunge {
            until,
            reason,
            legal,
        } => EventKind::ExpungeHeld {
            until,
            reason,
            legal,
        },
        _ => EventKind::ExpungeApplied {
            tombstone: case
                .expunged
                .as_ref()
                .map(|x| x.tombstone)
                .unwrap_or_default(),
        },
    })
}

/// A change to a case's sanctions. Sanctions are numbered from 1 in the order they started,
/// as `sanction list` shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SanctionChange {
    /// Start a sanction the decision imposed.
    Start {
        /// A step of the ladder.
        step: String,
        /// The handle or name the people who enforce it know the person by.
        subject: String,
        /// Where it applies.
        spaces: Vec<String>,
        /// Its first day.
        starts: NaiveDate,
        /// Its last day; `None`: until reviewed.
        ends: Option<NaiveDate>,
        /// Conditions for return; empty for none.
        conditions: String,
    },
    /// Record that these were told of sanction `number`'s latest change.
    Tell {
        /// The sanction.
        number: usize,
        /// Spaces of the sanction, or "reported person"; all still to tell when empty.
        whom: Vec<String>,
    },
    /// The committee reviewed it; it stands.
    Review {
        /// The sanction.
        number: usize,
        /// The review.
        note: String,
    },
    /// Move its end.
    Extend {
        /// The sanction.
        number: usize,
        /// The new last day; `None`: until reviewed.
        ends: Option<NaiveDate>,
        /// Why.
        note: String,
    },
    /// End it now.
    Lift {
        /// The sanction.
        number: usize,
        /// Why.
        note: String,
    },
    /// The person broke it: recorded on the case, and a new case opened for what happened.
    Breach {
        /// The sanction.
        number: usize,
        /// What happened, in short.
        note: String,
    },
}

/// The events a sanction change makes on `case` (not yet judged). A breach opens its own
/// case first (recorded here), sealed from the members the breached case is sealed from.
pub(super) fn sanction_kinds(
    file: &mut CaseFile,
    case: &Case,
    change: SanctionChange,
    opened: &mut Option<String>,
) -> Result<Vec<EventKind>, Error> {
    let sanction = |number: usize| {
        number
            .checked_sub(1)
            .and_then(|i| case.sanctions.get(i))
            .ok_or_else(|| {
                Error::Rule(process::RuleError::NoSanction {
                    case: case.code_name.clone(),
                })
            })
    };
    let noted = |note: String, what: &'static str| {
        if note.trim().is_empty() {
            Err(Error::Empty { what })
        } else {
            Ok(note)
        }
    };
    Ok(match change {
        SanctionChange::Start {
            step,
            subject,
            spaces,
            starts,
            ends,
            conditions,
        } => {
            // Each space once, whatever its case ("Chat" and "chat" are one space).
            let mut unique: Vec<String> = Vec::new();
            for space in spaces.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if !unique.iter().any(|u| u.eq_ignore_ascii_case(space)) {
                    unique.push(space.to_string());
                }
            }
            let tell = casebook_core::sanction::checklist_for(&unique, file.committee()?.spaces());
            vec![EventKind::SanctionStarted {
                step,
                subject: subject.trim().to_string(),
                spaces: unique,
                starts,
                ends,
                conditions,
                tell,
            }]
        }
        SanctionChange::Tell { number, whom } => {
            let s = sanction(number)?;
            // As the checklist writes them, whatever the case they were typed in.
            let checklist = s.checklist();
            let whom: Vec<String> = whom
                .into_iter()
                .map(|w| {
                    let w = w.trim().to_string();
                    checklist
                        .iter()
                        .find(|c| c.to_lowercase() == w.to_lowercase())
                        .cloned()
                        .unwrap_or(w)
                })
                .collect();
            let mut whom = if whom.is_empty() { s.to_tell() } else { whom };
            let mut seen = std::collections::BTreeSet::new();
            whom.retain(|w| seen.insert(w.clone()));
            if whom.is_empty() {
                return Err(Error::Rule(process::RuleError::AllTold {
                    case: case.code_name.clone(),
                    step: s.step_name(),
                }));
            }
            whom.into_iter()
                .map(|whom| EventKind::SanctionTold {
                    sanction: s.id,
                    whom,
                })
                .collect()
        }
        SanctionChange::Review { number, note } => vec![EventKind::SanctionReviewed {
            sanction: sanction(number)?.id,
            note: noted(note, "review note")?,
        }],
        SanctionChange::Extend { number, ends, note } => vec![EventKind::SanctionExtended {
            sanction: sanction(number)?.id,
            ends,
            note: noted(note, "reason for the extension")?,
        }],
        SanctionChange::Lift { number, note } => vec![EventKind::SanctionLifted {
            sanction: sanction(number)?.id,
            note: noted(note, "reason for lifting it")?,
        }],
        SanctionChange::Breach { number, note } => {
            let s = sanction(number)?.clone();
            let note = noted(note, "note on the breach")?;
            // The breach's case is sealed from every member who cannot read this one (kept
            // out, or joined since it was sealed): its title and note speak of this case.
            let roster = file.roster()?;
            let kept_out: Vec<String> = roster
                .active()
                .filter(|m| !case.readable_by(m.id))
                .map(|m| m.name.clone())
                .collect();
            let code = open_linked(file, case, &s, &note, kept_out)?;
            let breach = file.case_by_code(&code)?.id;
            *opened = Some(code);
            vec![EventKind::SanctionBreached {
                sanction: s.id,
                note,
                breach: Some(breach),
            }]
        }
    })
}

/// Open the case a breach of `sanction` (on `case`) needs, sealed from `kept_out`.
fn open_linked(
    file: &mut CaseFile,
    case: &Case,
    sanction: &casebook_core::sanction::Sanction,
    note: &str,
    kept_out: Vec<String>,
) -> Result<String, Error> {
    let me = acting_member(file)?;
    let code_name = file.new_code_name(&mut rand::thread_rng())?;
    let kind = EventKind::CaseOpened {
        code_name: code_name.clone(),
        title: format!(
            "Breach of the {} on {}",
            sanction.step_name(),
            case.code_name
        ),
        summary: note.to_string(),
        channel: Channel::Other,
        received_at: Utc::now(),
    };
    let id = CaseId(Uuid::new_v4());
    let mut events = events_by(me.id, Some(id), vec![kind], None);
    events.extend(excluding(file, &events, &kept_out, ExcludeWhy::Named)?);
    file.record(&events)?;
    Ok(code_name)
}

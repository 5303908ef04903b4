//! The committee's rules for changes to a case, judged where the data is: every copy's replay
//! judges each case event against the case as it stood in the event's own causal past (what
//! its author had seen), and the command that writes a change judges it the same way before
//! it is written. One function, [`judge`], for both: a change the rules forbid is refused on
//! the laptop that would write it, and kept but not applied on every copy that receives it
//! anyway (signed with a member's key outside casebook, say).
//!
//! The builders in [`super::process`] make the events a member asks for and call [`judge`];
//! the replay ([`super::engine`]) calls it for every event it applies. [`judge`] says which
//! rule a kind of change answers to; the rules of a part of the process are in its module:
//! deciding and appealing (`rules/decision.rs`), who reads a case (`rules/sealing.rs`),
//! sanctions (`rules/sanctions.rs`) and expunging (`rules/expunge.rs`).

mod decision;
mod expunge;
mod sanctions;
mod sealing;

use super::case::Case;
use super::event::{Access, ConflictKind, Event, EventKind, ExcludeWhy, Profile};
use super::party::{Disclosure, PartyId, PartyRole};
use super::process::{Actor, RuleError};
use super::roster::MemberId;

pub use decision::{APPEAL_PANEL_MIN, derived_tally, eligible_voters};
pub use sealing::sealing_readers;

/// What, besides the case, a case event is judged with: where it stands in its commit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context<'a> {
    /// The event is in the commit that opened the case (a reporter's request to keep members
    /// out arrives with the report).
    pub opening_commit: bool,
    /// The events of its commit that come after it.
    pub later_in_commit: &'a [Event],
    /// The latest time the history its author had seen claims: no change may claim an
    /// earlier one (beyond a few minutes for clocks that differ).
    pub not_before: Option<chrono::DateTime<chrono::Utc>>,
}

/// Whether the case event `event` by `actor` is allowed on `case` as it stood in the event's
/// causal past (`None`: no such case yet). The same check for the command that writes it and
/// for every copy that replays it.
///
/// Longer than our hundred lines, for a reason: one arm for every kind of event, so that the
/// compiler makes each new kind say which rule it answers to; each arm names its rule.
pub fn judge(
    actor: Actor<'_>,
    case: Option<&Case>,
    event: &Event,
    context: Context<'_>,
) -> Result<(), RuleError> {
    actor.active()?;
    let Some(case) = case else {
        return match &event.kind {
            EventKind::CaseOpened { .. } => Ok(()),
            _ => Err(RuleError::NoSuchCase {
                case: event
                    .case
                    .map(|c| crate::describe::short_event(&c.0))
                    .unwrap_or_default(),
            }),
        };
    };
    let name = || case.code_name.clone();
    if case.expunged.is_some() && !matches!(event.kind, EventKind::ExpungeApplied { .. }) {
        return Err(RuleError::Expunged { case: name() });
    }
    match &event.kind {
        EventKind::CaseOpened { .. } => Err(RuleError::OpenedTwice { case: name() }),
        // What a member writes on a case: they must be able to read it, without a hard
        // conflict.
        EventKind::ReportReceived { .. }
        | EventKind::DetailsChanged { .. }
        | EventKind::NoteAdded { .. }
        | EventKind::CommunicationLogged { .. } => actor.may_handle(case),
        EventKind::PartyAdded { party } => {
            actor.may_handle(case)?;
            judge_party_link(actor, case, party, context)
        }
        EventKind::StatusChanged { from, to } => decision::judge_status(actor, case, *from, *to),
        EventKind::Assigned { member } => judge_assigned(actor, case, *member),
        EventKind::Unassigned { member } => judge_unassigned(actor, case, *member),
        EventKind::ConflictDeclared { member, .. } => {
            judge_own_conflict(actor, case, *member, false)
        }
        EventKind::ConflictWithdrawn { member, .. } => {
            judge_own_conflict(actor, case, *member, true)
        }
        EventKind::EmergencyRecorded { .. } => judge_emergency(actor, case),
        EventKind::EmergencyReviewed { emergency, .. } => {
            judge_emergency_review(actor, case, *emergency)
        }
        EventKind::OutcomeProposed { outcome } => decision::judge_proposal(actor, case, outcome),
        EventKind::VoteCast { outcome, .. } => decision::judge_vote(actor, case, outcome),
        EventKind::DecisionRecorded {
            outcome,
            override_reason,
            ..
        } => decision::judge_decision(actor, case, outcome, override_reason.as_deref()),
        EventKind::RecordTextWritten { profile, title, .. } => {
            judge_record_text(actor, case, *profile, title)
        }
        EventKind::CaseSealed { access, .. } => {
            sealing::judge_sealing(actor, case, access, context)
        }
        EventKind::AccessRequested { member } => sealing::judge_request(actor, case, *member),
        EventKind::ContactOpened { party } => judge_contact(actor, case, *party),
        // Resolving is for a member who may work on the case; choosing which of two
        // decisions stands is deciding, for a member who may act on it (not a party, no
        // conflict).
        EventKind::AttentionResolved { keep, .. } => match keep {
            Some(_) => actor.may_act(case),
            None => actor.may_handle(case),
        },
        EventKind::Approved { event: approved } => judge_approval(actor, case, *approved),
        EventKind::SanctionStarted {
            step,
            subject,
            spaces,
            starts,
            ends,
            tell,
            ..
        } => sanctions::judge_start(
            actor,
            case,
            &sanctions::Starting {
                step,
                subject,
                spaces,
                starts: *starts,
                ends: *ends,
                tell,
            },
        ),
        EventKind::SanctionTold { sanction, whom } => {
            sanctions::judge_told(actor, case, *sanction, whom)
        }
        EventKind::SanctionReviewed { sanction, .. }
        | EventKind::SanctionLifted { sanction, .. }
        | EventKind::SanctionBreached { sanction, .. } => {
            sanctions::judge_change(actor, case, *sanction, event)
        }
        EventKind::SanctionExtended { sanction, ends, .. } => {
            sanctions::judge_extension(actor, case, *sanction, *ends, event)
        }
        EventKind::AppealOpened { grounds, .. } => {
            decision::judge_appeal(actor, case, *grounds, event)
        }
        EventKind::Withdrawn { event: withdrawn } => judge_withdrawal(actor, case, *withdrawn),
        EventKind::CaseExpunged { retained, note, .. } => {
            expunge::judge_expunge(actor, case, retained, note, event)
        }
        EventKind::ExpungeApproved { tombstone } => {
            expunge::judge_approval(actor, case, *tombstone, event)
        }
        EventKind::ExpungeApplied { tombstone } => expunge::judge_applied(case, *tombstone),
        EventKind::ExpungeHeld { until, reason, .. } => {
            expunge::judge_hold(actor, case, *until, reason, event)
        }
        EventKind::Erased { .. } => Ok(()),
        // Committee-wide kinds never belong to a case.
        EventKind::FileCreated
        | EventKind::MemberAdded { .. }
        | EventKind::MemberRemoved { .. }
        | EventKind::MemberKeyChanged { .. }
        | EventKind::MemberRoleChanged { .. }
        | EventKind::MemberRejoined { .. }
        | EventKind::MemberEmailChanged { .. }
        | EventKind::Rekeyed
        | EventKind::HistoryRecovered { .. }
        | EventKind::RecipientAdded { .. }
        | EventKind::SettingsChanged { .. }
        | EventKind::TemplateSet { .. }
        | EventKind::SpaceSet { .. } => Err(RuleError::NotACaseChange {
            case: name(),
            kind: event.kind.name(),
        }),
    }
}

/// Assigning a member: by a member who may act on the case, of an active member who can read
/// it and has no hard conflict on it, and is not assigned yet.
fn judge_assigned(actor: Actor<'_>, case: &Case, member: MemberId) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let member = actor.member_of(member)?;
    if !member.is_active() {
        return Err(RuleError::NotActive {
            member: member.name.clone(),
        });
    }
    if case.conflict_of(member.id) == Some(ConflictKind::Hard) || !case.readable_by(member.id) {
        return Err(RuleError::HardConflict {
            case: case.code_name.clone(),
            member: member.name.clone(),
        });
    }
    if case.assignees.contains(&member.id) {
        return Err(RuleError::Assignment {
            case: case.code_name.clone(),
            member: member.name.clone(),
            assigned: true,
        });
    }
    Ok(())
}

/// Unassigning a member: by a member who may act on the case, of a member assigned to it.
fn judge_unassigned(actor: Actor<'_>, case: &Case, member: MemberId) -> Result<(), RuleError> {
    actor.may_act(case)?;
    if !case.assignees.contains(&member) {
        return Err(RuleError::Assignment {
            case: case.code_name.clone(),
            member: actor.name_of(member),
            assigned: false,
        });
    }
    Ok(())
}

/// A conflict of interest is declared, or withdrawn, by the member it is about only; a
/// withdrawal needs a declared conflict.
fn judge_own_conflict(
    actor: Actor<'_>,
    case: &Case,
    member: MemberId,
    withdrawn: bool,
) -> Result<(), RuleError> {
    if member != actor.member.id {
        return Err(RuleError::ForOthers {
            case: case.code_name.clone(),
            member: actor.member.name.clone(),
            what: if withdrawn {
                "withdraws a conflict of interest"
            } else {
                "declares a conflict of interest"
            },
        });
    }
    if withdrawn && !case.conflicts.contains_key(&member) {
        return Err(RuleError::NoConflict {
            case: case.code_name.clone(),
            member: actor.member.name.clone(),
        });
    }
    Ok(())
}

/// An emergency action is recorded by a member who may act on the case, while it is open.
fn judge_emergency(actor: Actor<'_>, case: &Case) -> Result<(), RuleError> {
    actor.may_act(case)?;
    if case.status.is_finished() {
        return Err(RuleError::Finished {
            case: case.code_name.clone(),
            status: case.status,
        });
    }
    Ok(())
}

/// An emergency action is reviewed once, by a member who may act on the case and did not take
/// it.
fn judge_emergency_review(
    actor: Actor<'_>,
    case: &Case,
    emergency: uuid::Uuid,
) -> Result<(), RuleError> {
    actor.may_act(case)?;
    match case.emergencies.iter().find(|e| e.id == emergency) {
        Some(e) if e.review.is_none() && e.by != actor.member.id => Ok(()),
        Some(e) if e.review.is_none() => Err(RuleError::SelfReview {
            case: case.code_name.clone(),
        }),
        _ => Err(RuleError::NoEmergency {
            case: case.code_name.clone(),
            hint: String::new(),
        }),
    }
}

/// The words of a decision record: for a record others read (never the internal one), with a
/// title, by a member who may act on the case.
fn judge_record_text(
    actor: Actor<'_>,
    case: &Case,
    profile: Profile,
    title: &str,
) -> Result<(), RuleError> {
    actor.may_act(case)?;
    if profile == Profile::Internal {
        return Err(RuleError::InternalRecordText {
            case: case.code_name.clone(),
        });
    }
    if title.trim().is_empty() {
        return Err(RuleError::EmptyRecordTitle {
            case: case.code_name.clone(),
        });
    }
    Ok(())
}

/// A party's contact details held by one member are opened by that member only: the
/// custodian.
fn judge_contact(actor: Actor<'_>, case: &Case, party: PartyId) -> Result<(), RuleError> {
    actor.active()?;
    match case.parties.iter().find(|p| p.id == party) {
        Some(p) if matches!(p.identity, Disclosure::Held { held_by, .. } if held_by == actor.member.id) => {
            Ok(())
        }
        _ => Err(RuleError::NotCustodian {
            case: case.code_name.clone(),
            member: actor.member.name.clone(),
        }),
    }
}

/// A change waiting for approval is withdrawn by its author, except an expunge's proposal.
fn judge_withdrawal(actor: Actor<'_>, case: &Case, withdrawn: uuid::Uuid) -> Result<(), RuleError> {
    let name = || case.code_name.clone();
    match case.pending.iter().find(|p| p.id == withdrawn) {
        // An expunge's proposal stays: an approval made at the same time on another copy may
        // have erased the case there already, which nothing undoes. A committee that decides
        // against it postpones it (`expunge --hold-until`).
        Some(p) if matches!(p.kind, EventKind::CaseExpunged { .. }) => {
            Err(RuleError::ExpungeApproval {
                case: name(),
                why: "an expunge's proposal is not withdrawn; postpone it instead".into(),
            })
        }
        Some(p) if p.author == actor.member.id => Ok(()),
        _ => Err(RuleError::NothingPending { case: name() }),
    }
}

/// Whether a change that the rules allow waits for a second reader's approval before it takes
/// effect: keeping a member out at the reporter's request after the case was opened, and a
/// party recorded as a committee member in another role than the reported one.
pub fn needs_approval(case: Option<&Case>, event: &Event, context: Context<'_>) -> bool {
    match &event.kind {
        EventKind::CaseSealed {
            access:
                Access::Excluded {
                    why: Some(ExcludeWhy::Request),
                    ..
                },
            ..
        } => !context.opening_commit && case.is_some(),
        EventKind::PartyAdded { party } => {
            party.member.is_some() && party.role != PartyRole::Reported
        }
        EventKind::CommunicationLogged { review, .. } => *review,
        EventKind::CaseExpunged { .. } => true,
        _ => false,
    }
}

/// Approving a change that waits for a second reader: by a member who may act on the case,
/// never its author nor the member it is about; an expunge is approved on its own path.
fn judge_approval(actor: Actor<'_>, case: &Case, approved: uuid::Uuid) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let name = || case.code_name.clone();
    let Some(pending) = case.pending.iter().find(|p| p.id == approved) else {
        return Err(RuleError::NothingPending { case: name() });
    };
    if matches!(pending.kind, EventKind::CaseExpunged { .. }) {
        return Err(RuleError::ExpungeApproval {
            case: name(),
            why: "an expunge is approved with `casebook expunge FILE CODE --approve`, which \
                  says what goes first"
                .into(),
        });
    }
    if pending.author == actor.member.id {
        return Err(RuleError::SelfApproval { case: name() });
    }
    // The member a change is about does not approve it.
    let about = match &pending.kind {
        EventKind::PartyAdded { party } => party.member,
        EventKind::CaseSealed {
            access: Access::Excluded { members, .. },
            ..
        } => members
            .contains(&actor.member.id)
            .then_some(actor.member.id),
        _ => None,
    };
    if about == Some(actor.member.id) {
        return Err(RuleError::SelfApproval { case: name() });
    }
    Ok(())
}

/// A party recorded as a committee member: the member is known to the roster, and as the
/// reported party they are kept out of the case in the same commit (a hard conflict), so that
/// no version they could read is ever saved.
fn judge_party_link(
    actor: Actor<'_>,
    case: &Case,
    party: &super::party::Party,
    context: Context<'_>,
) -> Result<(), RuleError> {
    let Some(member) = party.member else {
        return Ok(());
    };
    let who = actor.member_of(member)?;
    if party.role != PartyRole::Reported || !case.readable_by(member) {
        return Ok(());
    }
    let sealed_after = context.later_in_commit.iter().any(|e| {
        e.case == Some(case.id)
            && matches!(&e.kind, EventKind::CaseSealed {
            access: Access::Excluded { members, .. }, ..
        } if members.contains(&member))
    });
    if sealed_after {
        Ok(())
    } else {
        Err(RuleError::ReportedNotSealed {
            case: case.code_name.clone(),
            member: who.name.clone(),
        })
    }
}

//! The committee's rules for changes to a case, judged where the data is: every copy's replay
//! judges each case event against the case as it stood in the event's own causal past (what
//! its author had seen), and the command that writes a change judges it the same way before
//! it is written. One function, [`judge`], for both: a change the rules forbid is refused on
//! the laptop that would write it, and kept but not applied on every copy that receives it
//! anyway (signed with a member's key outside casebook, say).
//!
//! The builders in [`super::process`] make the events a member asks for and call [`judge`];
//! the replay ([`super::engine`]) calls it for every event it applies.

use std::collections::BTreeSet;

use super::case::{Case, Status};
use super::decision::{Tally, tally};
use super::event::{Access, ConflictKind, Event, EventKind, ExcludeWhy, Profile};
use super::party::{Disclosure, PartyRole};
use super::process::{Actor, RuleError};
use super::roster::{MemberId, Role, Roster};
use super::sanction::Sanction;

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
        EventKind::StatusChanged { from, to } => judge_status(actor, case, *from, *to),
        EventKind::Assigned { member } => {
            actor.may_act(case)?;
            let member = actor.member_of(*member)?;
            if !member.is_active() {
                return Err(RuleError::NotActive {
                    member: member.name.clone(),
                });
            }
            if case.conflict_of(member.id) == Some(ConflictKind::Hard)
                || !case.readable_by(member.id)
            {
                return Err(RuleError::HardConflict {
                    case: name(),
                    member: member.name.clone(),
                });
            }
            if case.assignees.contains(&member.id) {
                return Err(RuleError::Assignment {
                    case: name(),
                    member: member.name.clone(),
                    assigned: true,
                });
            }
            Ok(())
        }
        EventKind::Unassigned { member } => {
            actor.may_act(case)?;
            if !case.assignees.contains(member) {
                return Err(RuleError::Assignment {
                    case: name(),
                    member: actor.name_of(*member),
                    assigned: false,
                });
            }
            Ok(())
        }
        EventKind::ConflictDeclared { member, .. } => {
            if *member != actor.member.id {
                return Err(RuleError::ForOthers {
                    case: name(),
                    member: actor.member.name.clone(),
                    what: "declares a conflict of interest",
                });
            }
            Ok(())
        }
        EventKind::ConflictWithdrawn { member, .. } => {
            if *member != actor.member.id {
                return Err(RuleError::ForOthers {
                    case: name(),
                    member: actor.member.name.clone(),
                    what: "withdraws a conflict of interest",
                });
            }
            if !case.conflicts.contains_key(member) {
                return Err(RuleError::NoConflict {
                    case: name(),
                    member: actor.member.name.clone(),
                });
            }
            Ok(())
        }
        EventKind::EmergencyRecorded { .. } => {
            actor.may_act(case)?;
            if case.status.is_finished() {
                return Err(RuleError::Finished {
                    case: name(),
                    status: case.status,
                });
            }
            Ok(())
        }
        EventKind::EmergencyReviewed { emergency, .. } => {
            actor.may_act(case)?;
            match case.emergencies.iter().find(|e| e.id == *emergency) {
                Some(e) if e.review.is_none() && e.by != actor.member.id => Ok(()),
                Some(e) if e.review.is_none() => Err(RuleError::SelfReview { case: name() }),
                _ => Err(RuleError::NoEmergency {
                    case: name(),
                    hint: String::new(),
                }),
            }
        }
        EventKind::OutcomeProposed { outcome } => {
            may_vote(actor, case)?;
            check_outcome(actor, outcome)
        }
        EventKind::VoteCast { outcome, .. } => {
            may_vote(actor, case)?;
            check_outcome(actor, outcome)?;
            match &case.proposal {
                Some(p) if p.outcome == *outcome => Ok(()),
                Some(p) => Err(RuleError::OtherProposal {
                    case: name(),
                    proposed: p.outcome.clone(),
                    outcome: outcome.clone(),
                }),
                None => Err(RuleError::NoProposal { case: name() }),
            }
        }
        EventKind::DecisionRecorded {
            outcome,
            override_reason,
            ..
        } => judge_decision(actor, case, outcome, override_reason.as_deref()),
        EventKind::RecordTextWritten { profile, title, .. } => {
            actor.may_act(case)?;
            if *profile == Profile::Internal {
                return Err(RuleError::InternalRecordText { case: name() });
            }
            if title.trim().is_empty() {
                return Err(RuleError::EmptyRecordTitle { case: name() });
            }
            Ok(())
        }
        EventKind::CaseSealed { access, .. } => judge_sealing(actor, case, access, context),
        EventKind::AccessRequested { member } => {
            actor.may_act(case)?;
            let Some(sealed) = &case.sealed else {
                return Err(RuleError::NotSealed { case: name() });
            };
            let target = actor.member_of(*member)?;
            if sealed.readers.contains(member) {
                return Err(RuleError::AlreadyReader {
                    case: name(),
                    member: target.name.clone(),
                });
            }
            if case
                .pending
                .iter()
                .any(|p| matches!(p.kind, EventKind::AccessRequested { member: m } if m == *member))
            {
                return Err(RuleError::AlreadyRequested {
                    case: name(),
                    member: target.name.clone(),
                });
            }
            Ok(())
        }
        EventKind::ContactOpened { party } => {
            actor.active()?;
            match case.parties.iter().find(|p| p.id == *party) {
                Some(p) if matches!(p.identity, Disclosure::Held { held_by, .. } if held_by == actor.member.id) => {
                    Ok(())
                }
                _ => Err(RuleError::NotCustodian {
                    case: name(),
                    member: actor.member.name.clone(),
                }),
            }
        }
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
        } => {
            actor.may_act(case)?;
            if tell.iter().any(|t| t.trim().is_empty()) {
                return Err(RuleError::SanctionIncomplete {
                    case: name(),
                    what: "a name for everyone on its checklist",
                });
            }
            if case.decision.is_none() || !matches!(case.status, Status::Decided | Status::Closed) {
                return Err(RuleError::NoDecision {
                    case: name(),
                    what: "a sanction",
                });
            }
            let steps = actor.settings.ladder.steps();
            let decided = case.decision.as_ref().map(|d| d.outcome.as_str());
            // What the committee decided bounds what one member imposes: a step of the
            // ladder no harsher than the outcome decided.
            let bound = decided.and_then(|o| steps.iter().position(|s| *s == o));
            let Some(bound) = bound else {
                return Err(RuleError::NotASanctionOutcome {
                    case: name(),
                    outcome: decided.unwrap_or_default().to_string(),
                });
            };
            if !steps.contains(&step.as_str()) {
                return Err(RuleError::NotAStep {
                    step: step.clone(),
                    ladder: actor.settings.ladder,
                    allowed: steps.to_vec(),
                });
            }
            if !steps[..=bound].contains(&step.as_str()) {
                return Err(RuleError::HarsherThanDecided {
                    case: name(),
                    step: step.clone(),
                    outcome: steps[bound].to_string(),
                });
            }
            if subject.trim().is_empty() {
                return Err(RuleError::SanctionIncomplete {
                    case: name(),
                    what: "the handle or name the people who enforce it know the person by",
                });
            }
            if spaces.is_empty() || spaces.iter().any(|s| s.trim().is_empty()) {
                return Err(RuleError::SanctionIncomplete {
                    case: name(),
                    what: "a space it applies to",
                });
            }
            let received = case.received_at.date_naive();
            if *starts < received {
                return Err(RuleError::StartsBeforeReport {
                    case: name(),
                    starts: *starts,
                    received,
                });
            }
            match ends {
                Some(_) if is_permanent(step) => Err(RuleError::PermanentEnds {
                    case: name(),
                    step: step.clone(),
                }),
                Some(ends) if ends < starts => Err(RuleError::EndsBeforeStart {
                    case: name(),
                    starts: *starts,
                    ends: *ends,
                }),
                _ => Ok(()),
            }
        }
        EventKind::SanctionTold { sanction, whom } => {
            actor.may_handle(case)?;
            let sanction = sanction_of(case, *sanction)?;
            let left = sanction.to_tell();
            if left.contains(whom) {
                Ok(())
            } else {
                Err(RuleError::NotToTell {
                    whom: whom.clone(),
                    told: sanction.checklist().contains(whom),
                    left,
                })
            }
        }
        EventKind::SanctionReviewed { sanction, .. }
        | EventKind::SanctionLifted { sanction, .. }
        | EventKind::SanctionBreached { sanction, .. } => {
            if matches!(event.kind, EventKind::SanctionBreached { .. }) {
                actor.may_handle(case)?;
            } else {
                actor.may_act(case)?;
            }
            let sanction = sanction_of(case, *sanction)?;
            still_on(case, sanction, event)
        }
        EventKind::SanctionExtended { sanction, ends, .. } => {
            actor.may_act(case)?;
            let sanction = sanction_of(case, *sanction)?;
            still_on(case, sanction, event)?;
            let step = || sanction.step_name();
            match (sanction.ends, ends) {
                (_, Some(_)) if is_permanent(&sanction.kind) => Err(RuleError::PermanentEnds {
                    case: name(),
                    step: sanction.kind.clone(),
                }),
                (_, Some(new)) if *new < sanction.starts => Err(RuleError::EndsBeforeStart {
                    case: name(),
                    starts: sanction.starts,
                    ends: *new,
                }),
                (Some(old), Some(new)) if new <= &old => Err(RuleError::NotLater {
                    case: name(),
                    step: step(),
                    ends: format!("on {old}"),
                }),
                (None, None) => Err(RuleError::NotLater {
                    case: name(),
                    step: step(),
                    ends: "only when reviewed".into(),
                }),
                _ => Ok(()),
            }
        }
        EventKind::AppealOpened { grounds, .. } => {
            actor.may_handle(case)?;
            if !actor.settings.grounds.contains(*grounds) {
                return Err(RuleError::NotAGround {
                    ground: *grounds,
                    allowed: actor.settings.grounds.names(),
                });
            }
            let Some(decision) = &case.decision else {
                return Err(RuleError::NoDecision {
                    case: name(),
                    what: "an appeal",
                });
            };
            if case.appeal.is_some() {
                return Err(RuleError::AlreadyAppealed { case: name() });
            }
            if !matches!(case.status, Status::Decided | Status::Closed) {
                return Err(RuleError::NoDecision {
                    case: name(),
                    what: "an appeal",
                });
            }
            let days = actor.settings.appeal_days;
            let closed = super::dates::plus_days(decision.at.date_naive(), days);
            if event.at.date_naive() > closed {
                return Err(RuleError::AppealWindowClosed {
                    case: name(),
                    closed,
                    days,
                });
            }
            Ok(())
        }
        EventKind::Withdrawn { event: withdrawn } => {
            match case.pending.iter().find(|p| p.id == *withdrawn) {
                // An expunge's proposal stays: an approval made at the same time on another
                // copy may have erased the case there already, which nothing undoes. A
                // committee that decides against it postpones it (`expunge --hold-until`).
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
        EventKind::CaseExpunged { retained, note, .. } => {
            judge_expunge(actor, case, retained, note, event)
        }
        EventKind::ExpungeApproved { tombstone } => {
            let waiting = case
                .pending
                .iter()
                .find(|p| p.id == *tombstone && matches!(p.kind, EventKind::CaseExpunged { .. }));
            let why = match waiting {
                None => "no expunge with that id waits for approval",
                Some(p) if p.author == actor.member.id => {
                    "the member who proposed an expunge cannot approve it; a second member does"
                }
                Some(_) => {
                    // A copy that holds the case only as erased payloads judges what it
                    // can: who read the case (its sealings keep out the members who are
                    // parties to it or have a hard conflict); the copies that held its
                    // content judged the rest. Those judge the case as it stands when it
                    // is approved: still done with, nothing in force, no hold.
                    if case.erased {
                        actor.may_handle(case)?;
                    } else {
                        actor.may_act(case)?;
                        expungeable(actor, case, event.at.date_naive())?;
                    }
                    return Ok(());
                }
            };
            Err(RuleError::ExpungeApproval {
                case: name(),
                why: why.into(),
            })
        }
        EventKind::ExpungeApplied { tombstone } => match &case.expunged {
            Some(x) if x.tombstone == *tombstone => Ok(()),
            _ => Err(RuleError::ExpungeApproval {
                case: name(),
                why: "no expunge with that id took effect".into(),
            }),
        },
        EventKind::ExpungeHeld { until, reason, .. } => {
            actor.may_act(case)?;
            if *until < event.at.date_naive() {
                return Err(RuleError::NotExpungeable {
                    case: name(),
                    why: format!("a hold must end on or after today, not on {until}"),
                });
            }
            if reason.trim().is_empty() {
                return Err(RuleError::NotExpungeable {
                    case: name(),
                    why: "a hold needs a reason".into(),
                });
            }
            Ok(())
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

/// A proposal to expunge `case`, keeping `retained`: by a member who may act on it, once the
/// committee is done with it, no sanction is in force, its appeal window has closed (or its
/// appeal was decided) and no legal hold stands, keeping exactly the retained record the case
/// gives. A copy that holds the case only as erased payloads judges who signed it alone.
fn judge_expunge(
    actor: Actor<'_>,
    case: &Case,
    retained: &Case,
    note: &str,
    event: &Event,
) -> Result<(), RuleError> {
    if case.erased {
        return actor.may_handle(case);
    }
    actor.may_act(case)?;
    let refuse = |why: String| {
        Err(RuleError::NotExpungeable {
            case: case.code_name.clone(),
            why,
        })
    };
    if case.sealed.is_some() && !note.is_empty() {
        return refuse(
            "it is sealed, and the tombstone is kept in plaintext for every copy: the members \
             kept out of it would read its note; propose it without one"
                .into(),
        );
    }
    expungeable(actor, case, event.at.date_naive())?;
    if case
        .pending
        .iter()
        .any(|p| matches!(p.kind, EventKind::CaseExpunged { .. }))
    {
        return refuse("an expunge of it already waits for approval".into());
    }
    let mut expected = super::retention::retained(case);
    expected.updated_at = retained.updated_at;
    // Its code name as the proposer's copy held it (a clash with another case's may rename
    // it on a copy that replays it).
    expected.code_name.clone_from(&retained.code_name);
    if *retained != expected {
        return refuse("the record it keeps is not the case's retained record".into());
    }
    Ok(())
}

/// Whether the committee is done with `case` on `day` so far as expunging goes: decided,
/// closed, transferred or out of scope, no sanction of it in force, its appeal window closed
/// (or its appeal decided), and no legal hold standing. Judged when an expunge is proposed,
/// and again when it is approved.
fn expungeable(actor: Actor<'_>, case: &Case, day: chrono::NaiveDate) -> Result<(), RuleError> {
    let refuse = |why: String| {
        Err(RuleError::NotExpungeable {
            case: case.code_name.clone(),
            why,
        })
    };
    if !super::retention::finished(case) {
        return refuse(format!(
            "it is {}; a case is expunged once it is decided, closed, transferred or out of scope",
            case.status
        ));
    }
    if let Some(s) = case.sanctions.iter().find(|s| !s.over_on(day)) {
        return refuse(format!(
            "its {} is not over{}",
            s.kind,
            s.ends
                .map(|e| format!(" (it ends on {e})"))
                .unwrap_or_default()
        ));
    }
    match (&case.decision, &case.appeal) {
        (_, Some(a)) if a.decided.is_none() => {
            return refuse("its appeal has not been decided".into());
        }
        (Some(d), None) => {
            let closes = super::dates::plus_days(d.at.date_naive(), actor.settings.appeal_days);
            if day <= closes {
                return refuse(format!("its appeal window is open until {closes}"));
            }
        }
        _ => {}
    }
    if let Some(h) = super::retention::legal_hold_on(case, day) {
        return refuse(format!(
            "a legal hold stands until {} ({})",
            h.until, h.reason
        ));
    }
    Ok(())
}

/// Whether a sanction of this step lasts with no last day (`permanent-ban`).
fn is_permanent(step: &str) -> bool {
    step.starts_with("permanent-")
}

/// The sanction `id` of `case`.
fn sanction_of(case: &Case, id: uuid::Uuid) -> Result<&Sanction, RuleError> {
    case.sanctions
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| RuleError::NoSanction {
            case: case.code_name.clone(),
        })
}

/// A sanction changes only while it is on: not lifted, not past its last day when the change
/// claims to be made.
fn still_on(case: &Case, sanction: &Sanction, event: &Event) -> Result<(), RuleError> {
    let state = if sanction.lifted.is_some() {
        "lifted"
    } else if sanction.over_on(event.at.date_naive()) {
        "over"
    } else {
        return Ok(());
    };
    Err(RuleError::SanctionOver {
        case: case.code_name.clone(),
        step: sanction.step_name(),
        state,
    })
}

/// The fewest members who hear an appeal: with fewer left, a chair's reasoned override lets
/// the committee go on (and every record shows it).
pub const APPEAL_PANEL_MIN: usize = 2;

/// Whether `member` is left out of the appeal the case is in (they voted on or decided the
/// decision appealed).
/// They stay out for the rest of the case's life: the decision on appeal is not theirs to
/// undo by reopening the case.
fn off_the_panel(case: &Case, member: MemberId) -> bool {
    case.appeal
        .as_ref()
        .is_some_and(|a| a.panel_out.contains(&member))
}

fn judge_status(actor: Actor<'_>, case: &Case, from: Status, to: Status) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let name = || case.code_name.clone();
    // An appeal is moved on by the members who hear it, and ends with its decision only.
    if case.appeal.as_ref().is_some_and(|a| a.is_open()) {
        if off_the_panel(case, actor.member.id) {
            return Err(RuleError::AppealPanel {
                case: name(),
                member: actor.member.name.clone(),
            });
        }
        if to.is_finished() {
            return Err(RuleError::AppealEndsWithDecision { case: name() });
        }
    }
    if from != case.status {
        return Err(RuleError::StaleStatus {
            case: name(),
            from,
            status: case.status,
        });
    }
    if to == Status::Decided {
        return Err(RuleError::DecideInstead { case: name() });
    }
    if !case.status.next().contains(&to) {
        return Err(RuleError::IllegalTransition {
            case: name(),
            from: case.status,
            to,
            allowed: case
                .status
                .next()
                .iter()
                .copied()
                .filter(|s| *s != Status::Decided)
                .collect(),
        });
    }
    Ok(())
}

fn check_outcome(actor: Actor<'_>, outcome: &str) -> Result<(), RuleError> {
    if actor.settings.ladder.allows(outcome) {
        Ok(())
    } else {
        Err(RuleError::UnknownOutcome {
            outcome: outcome.to_string(),
            ladder: actor.settings.ladder,
            allowed: actor.settings.ladder.outcomes(),
        })
    }
}

/// Who may vote: an active member who can read the case, with no conflict of interest on it,
/// who is not a party to it; votes are cast while it is deliberating.
fn may_vote(actor: Actor<'_>, case: &Case) -> Result<(), RuleError> {
    actor.reads(case)?;
    if let Some(kind) = case.conflict_of(actor.member.id) {
        return Err(RuleError::ConflictedVote {
            case: case.code_name.clone(),
            member: actor.member.name.clone(),
            kind: if kind == ConflictKind::Hard {
                "hard"
            } else {
                "soft"
            },
        });
    }
    actor.not_a_party(case)?;
    if off_the_panel(case, actor.member.id) {
        return Err(RuleError::AppealPanel {
            case: case.code_name.clone(),
            member: actor.member.name.clone(),
        });
    }
    if case.status != Status::Deliberating {
        return Err(RuleError::NotDeliberating {
            case: case.code_name.clone(),
            status: case.status,
        });
    }
    Ok(())
}

/// Members who may vote on `case`: active, able to read it, with no conflict on it, and not a
/// party to it.
pub fn eligible_voters(roster: &Roster, case: &Case) -> Vec<MemberId> {
    roster
        .active()
        .filter(|m| {
            case.conflict_of(m.id).is_none()
                && case.readable_by(m.id)
                && !case.links.contains_key(&m.id)
                && !off_the_panel(case, m.id)
        })
        .map(|m| m.id)
        .collect()
}

/// The vote on `outcome` as the case's votes give it now (never as an event claims it).
pub fn derived_tally(actor: Actor<'_>, case: &Case, outcome: &str) -> Tally {
    let eligible = eligible_voters(actor.roster, case);
    let empty = Default::default();
    let votes = match &case.proposal {
        Some(p) if p.outcome == outcome => &p.votes,
        _ => &empty,
    };
    tally(actor.settings.quorum, &eligible, votes)
}

fn judge_decision(
    actor: Actor<'_>,
    case: &Case,
    outcome: &str,
    override_reason: Option<&str>,
) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let name = || case.code_name.clone();
    if case.status != Status::Deliberating {
        if let (Some(decision), Status::Decided | Status::Closed) = (&case.decision, case.status) {
            return Err(RuleError::AlreadyDecided {
                case: name(),
                outcome: decision.outcome.clone(),
            });
        }
        return Err(RuleError::IllegalTransition {
            case: name(),
            from: case.status,
            to: Status::Decided,
            allowed: case.status.next().to_vec(),
        });
    }
    check_outcome(actor, outcome)?;
    // The appeal is decided by the members who did not decide what it appeals. Only when
    // fewer than two of them are left does a chair's reasoned override (recorded as such)
    // let one of the original deciders record it.
    if off_the_panel(case, actor.member.id)
        && (override_reason.is_none()
            || eligible_voters(actor.roster, case).len() >= APPEAL_PANEL_MIN)
    {
        return Err(RuleError::AppealPanel {
            case: name(),
            member: actor.member.name.clone(),
        });
    }
    let tally = derived_tally(actor, case, outcome);
    match override_reason {
        None if tally.met => Ok(()),
        None => Err(RuleError::QuorumNotMet {
            case: name(),
            rule: tally.rule,
            for_: tally.for_,
            needed: tally.needed,
            eligible: tally.eligible,
        }),
        Some(_) if actor.member.role != Role::Chair => Err(RuleError::NotChair {
            member: actor.member.name.clone(),
            what: "override the vote",
        }),
        Some(reason) if reason.trim().is_empty() => {
            Err(RuleError::OverrideWithoutReason { case: name() })
        }
        Some(_) => Ok(()),
    }
}

/// Who may change who reads a case, and for which reasons. Only a reader changes it; nobody
/// keeps a case to themselves (but in a committee of two, or keeping themselves out); a party
/// to the case keeps nobody else out; and every reason must be one the rules can check: a
/// hard conflict the member declared, a party the case records as that member, or the
/// reporter's request (arriving with the report; later, a second reader approves it).
fn judge_sealing(
    actor: Actor<'_>,
    case: &Case,
    access: &Access,
    context: Context<'_>,
) -> Result<(), RuleError> {
    actor.reads(case)?;
    let name = || case.code_name.clone();
    match access {
        Access::Excluded { members, why, .. } => {
            let readers: BTreeSet<MemberId> = match &case.sealed {
                Some(sealed) => sealed.readers.clone(),
                None => actor.roster.active().map(|m| m.id).collect(),
            };
            let mut left = readers.clone();
            for member in members {
                let who = actor.member_of(*member)?;
                if !who.is_active() {
                    return Err(RuleError::AlreadyRemoved {
                        member: who.name.clone(),
                    });
                }
                if !left.remove(member) {
                    return Err(RuleError::AlreadyExcluded {
                        case: name(),
                        member: who.name.clone(),
                    });
                }
                let Some(why) = why else {
                    return Err(RuleError::UnreadableReason {
                        case: name(),
                        member: who.name.clone(),
                    });
                };
                let checkable = match why {
                    ExcludeWhy::Conflict => case.conflict_of(*member) == Some(ConflictKind::Hard),
                    ExcludeWhy::Party => case.links.contains_key(member),
                    // Later requests wait for a second reader (see `needs_approval`).
                    ExcludeWhy::Request => true,
                    // A report names members as it arrives, not later.
                    ExcludeWhy::Named => context.opening_commit,
                };
                if !checkable {
                    return Err(RuleError::UncheckedReason {
                        case: name(),
                        member: who.name.clone(),
                        why: *why,
                    });
                }
            }
            let names = || {
                members
                    .iter()
                    .map(|m| actor.name_of(*m))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if left.is_empty() {
                return Err(RuleError::NoReaderLeft {
                    case: name(),
                    members: names(),
                });
            }
            let others = members.iter().any(|m| *m != actor.member.id);
            if others {
                if case.links.contains_key(&actor.member.id)
                    || case.parties.iter().any(|p| p.looks_like(actor.member))
                {
                    return Err(RuleError::PartyExcludes {
                        case: name(),
                        member: actor.member.name.clone(),
                    });
                }
                // In a committee of two, keeping the other out leaves one reader by necessity.
                if left.iter().all(|r| *r == actor.member.id) && actor.roster.active().count() > 2 {
                    return Err(RuleError::OnlyReader {
                        case: name(),
                        members: names(),
                        member: actor.member.name.clone(),
                    });
                }
            }
            Ok(())
        }
        Access::Given { member } => {
            actor.may_act(case)?;
            let Some(sealed) = &case.sealed else {
                return Err(RuleError::NotSealed { case: name() });
            };
            let who = actor.member_of(*member)?;
            if !who.is_active() {
                return Err(RuleError::AlreadyRemoved {
                    member: who.name.clone(),
                });
            }
            if sealed.readers.contains(member) {
                return Err(RuleError::AlreadyReader {
                    case: name(),
                    member: who.name.clone(),
                });
            }
            if case.conflict_of(*member) == Some(ConflictKind::Hard) {
                return Err(RuleError::HardConflict {
                    case: name(),
                    member: who.name.clone(),
                });
            }
            // A case about a member reaches them only when two readers agree: another reader
            // asked for it first.
            let party = case.links.contains_key(member)
                || sealed.excluded.get(member) == Some(&Some(ExcludeWhy::Party));
            if party && !case.pending.iter().any(|p| {
                p.author != actor.member.id
                    && matches!(p.kind, EventKind::AccessRequested { member: m } if m == *member)
            }) {
                return Err(RuleError::SecondReaderNeeded {
                    case: name(),
                    member: who.name.clone(),
                });
            }
            Ok(())
        }
        Access::Rekeyed => Ok(()),
    }
}

/// Whether the readers a [`EventKind::CaseSealed`] names are the ones its change gives, from
/// the case as its author saw it (`past`): the readers it had (every active member, for a
/// first sealing) less those kept out, plus a member given access, or, for a new key, those
/// still active. A sealing is the case's list of readers from then on: one that names other
/// readers would take the case from its readers or give it to someone kept out.
pub fn sealing_readers(actor: Actor<'_>, past: &Case, event: &Event) -> Result<(), RuleError> {
    let EventKind::CaseSealed {
        access, readers, ..
    } = &event.kind
    else {
        return Ok(());
    };
    let before: BTreeSet<MemberId> = match &past.sealed {
        Some(sealed) => sealed.readers.clone(),
        None => actor.roster.active().map(|m| m.id).collect(),
    };
    let expected: BTreeSet<MemberId> = match access {
        Access::Excluded { members, .. } => before.difference(members).copied().collect(),
        Access::Given { member } => before.iter().copied().chain([*member]).collect(),
        Access::Rekeyed => {
            let active: BTreeSet<MemberId> = actor.roster.active().map(|m| m.id).collect();
            before.intersection(&active).copied().collect()
        }
    };
    if *readers == expected {
        return Ok(());
    }
    let names = |set: &BTreeSet<MemberId>| {
        set.iter()
            .map(|m| actor.name_of(*m))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(RuleError::WrongReaders {
        case: past.code_name.clone(),
        named: names(readers),
        expected: names(&expected),
    })
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

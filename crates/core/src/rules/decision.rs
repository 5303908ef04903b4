//! Deciding a case, and appealing the decision: who moves a case on, proposes, votes and
//! records the decision, and when an appeal may open.

use crate::case::{Case, Status};
use crate::decision::{Tally, tally};
use crate::event::{ConflictKind, Event};
use crate::process::{Actor, RuleError};
use crate::roster::{MemberId, Role, Roster};

pub(super) fn judge_status(
    actor: Actor<'_>,
    case: &Case,
    from: Status,
    to: Status,
) -> Result<(), RuleError> {
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

/// A proposal: by a member who may vote on the case, of an outcome on the committee's ladder.
pub(super) fn judge_proposal(
    actor: Actor<'_>,
    case: &Case,
    outcome: &str,
) -> Result<(), RuleError> {
    may_vote(actor, case)?;
    check_outcome(actor, outcome)
}

/// A vote: by a member who may vote on the case, for the outcome proposed.
pub(super) fn judge_vote(actor: Actor<'_>, case: &Case, outcome: &str) -> Result<(), RuleError> {
    may_vote(actor, case)?;
    check_outcome(actor, outcome)?;
    match &case.proposal {
        Some(p) if p.outcome == outcome => Ok(()),
        Some(p) => Err(RuleError::OtherProposal {
            case: case.code_name.clone(),
            proposed: p.outcome.clone(),
            outcome: outcome.to_string(),
        }),
        None => Err(RuleError::NoProposal {
            case: case.code_name.clone(),
        }),
    }
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

pub(super) fn judge_decision(
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

/// An appeal: opened by a member who may work on the case, on one of the committee's
/// grounds, against a decision that stands, once, and within the appeal window.
pub(super) fn judge_appeal(
    actor: Actor<'_>,
    case: &Case,
    grounds: crate::sanction::Ground,
    event: &Event,
) -> Result<(), RuleError> {
    actor.may_handle(case)?;
    let name = || case.code_name.clone();
    if !actor.settings.grounds.contains(grounds) {
        return Err(RuleError::NotAGround {
            ground: grounds,
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
    let closed = crate::dates::plus_days(decision.at.date_naive(), days);
    if event.at.date_naive() > closed {
        return Err(RuleError::AppealWindowClosed {
            case: name(),
            closed,
            days,
        });
    }
    Ok(())
}

/// The fewest members who hear an appeal: with fewer left, a chair's reasoned override lets
/// the committee go on (and every record shows it).
pub const APPEAL_PANEL_MIN: usize = 2;

/// Whether `member` is left out of the appeal the case is in (they voted on or decided the
/// decision appealed).
/// They stay out for the rest of the case's life: the decision on appeal is not theirs to
/// undo by reopening the case.
pub(super) fn off_the_panel(case: &Case, member: MemberId) -> bool {
    case.appeal
        .as_ref()
        .is_some_and(|a| a.panel_out.contains(&member))
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

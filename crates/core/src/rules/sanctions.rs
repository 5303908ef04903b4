//! Sanctions: what one member may start after the committee decided, and how a sanction
//! changes while it is on.

use chrono::NaiveDate;

use crate::case::{Case, Status};
use crate::event::Event;
use crate::process::{Actor, RuleError};
use crate::sanction::Sanction;

/// A sanction as a member starts it: the fields of
/// [`crate::event::EventKind::SanctionStarted`] the rules judge.
pub(super) struct Starting<'e> {
    pub step: &'e str,
    pub subject: &'e str,
    pub spaces: &'e [String],
    pub starts: NaiveDate,
    pub ends: Option<NaiveDate>,
    pub tell: &'e [String],
}

/// Starting a sanction: by a member who may act on the case, once the committee decided it, a
/// step of the ladder no harsher than the outcome decided, complete (who, where, whom to
/// tell), not before the report arrived, and ending after it starts (a permanent one never).
pub(super) fn judge_start(
    actor: Actor<'_>,
    case: &Case,
    sanction: &Starting<'_>,
) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let name = || case.code_name.clone();
    let incomplete = |what| {
        Err(RuleError::SanctionIncomplete {
            case: case.code_name.clone(),
            what,
        })
    };
    if sanction.tell.iter().any(|t| t.trim().is_empty()) {
        return incomplete("a name for everyone on its checklist");
    }
    if case.decision.is_none() || !matches!(case.status, Status::Decided | Status::Closed) {
        return Err(RuleError::NoDecision {
            case: name(),
            what: "a sanction",
        });
    }
    within_decision(actor, case, sanction.step)?;
    if sanction.subject.trim().is_empty() {
        return incomplete("the handle or name the people who enforce it know the person by");
    }
    if sanction.spaces.is_empty() || sanction.spaces.iter().any(|s| s.trim().is_empty()) {
        return incomplete("a space it applies to");
    }
    let received = case.received_at.date_naive();
    if sanction.starts < received {
        return Err(RuleError::StartsBeforeReport {
            case: name(),
            starts: sanction.starts,
            received,
        });
    }
    match sanction.ends {
        Some(_) if is_permanent(sanction.step) => Err(RuleError::PermanentEnds {
            case: name(),
            step: sanction.step.to_string(),
        }),
        Some(ends) if ends < sanction.starts => Err(RuleError::EndsBeforeStart {
            case: name(),
            starts: sanction.starts,
            ends,
        }),
        _ => Ok(()),
    }
}

/// What the committee decided bounds what one member imposes: a step of the ladder no harsher
/// than the outcome decided.
fn within_decision(actor: Actor<'_>, case: &Case, step: &str) -> Result<(), RuleError> {
    let steps = actor.settings.ladder.steps();
    let decided = case.decision.as_ref().map(|d| d.outcome.as_str());
    let bound = decided.and_then(|o| steps.iter().position(|s| *s == o));
    let Some(bound) = bound else {
        return Err(RuleError::NotASanctionOutcome {
            case: case.code_name.clone(),
            outcome: decided.unwrap_or_default().to_string(),
        });
    };
    if !steps.contains(&step) {
        return Err(RuleError::NotAStep {
            step: step.to_string(),
            ladder: actor.settings.ladder,
            allowed: steps.to_vec(),
        });
    }
    if !steps[..=bound].contains(&step) {
        return Err(RuleError::HarsherThanDecided {
            case: case.code_name.clone(),
            step: step.to_string(),
            outcome: steps[bound].to_string(),
        });
    }
    Ok(())
}

/// Telling someone of a sanction: by a member who may work on the case, someone on its
/// checklist not told yet.
pub(super) fn judge_told(
    actor: Actor<'_>,
    case: &Case,
    sanction: uuid::Uuid,
    whom: &str,
) -> Result<(), RuleError> {
    actor.may_handle(case)?;
    let sanction = sanction_of(case, sanction)?;
    let left = sanction.to_tell();
    if left.iter().any(|l| l == whom) {
        Ok(())
    } else {
        Err(RuleError::NotToTell {
            whom: whom.to_string(),
            told: sanction.checklist().iter().any(|c| c == whom),
            left,
        })
    }
}

/// Reviewing or lifting a sanction (a member who may act on the case) or recording a breach of
/// it (a member who may work on it), while it is on.
pub(super) fn judge_change(
    actor: Actor<'_>,
    case: &Case,
    sanction: uuid::Uuid,
    event: &Event,
) -> Result<(), RuleError> {
    if matches!(event.kind, crate::event::EventKind::SanctionBreached { .. }) {
        actor.may_handle(case)?;
    } else {
        actor.may_act(case)?;
    }
    let sanction = sanction_of(case, sanction)?;
    still_on(case, sanction, event)
}

/// Extending a sanction: by a member who may act on the case, while it is on, to a later last
/// day (never for a permanent one).
pub(super) fn judge_extension(
    actor: Actor<'_>,
    case: &Case,
    sanction: uuid::Uuid,
    ends: Option<NaiveDate>,
    event: &Event,
) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let name = || case.code_name.clone();
    let sanction = sanction_of(case, sanction)?;
    still_on(case, sanction, event)?;
    let step = || sanction.step_name();
    match (sanction.ends, ends) {
        (_, Some(_)) if is_permanent(&sanction.kind) => Err(RuleError::PermanentEnds {
            case: name(),
            step: sanction.kind.clone(),
        }),
        (_, Some(new)) if new < sanction.starts => Err(RuleError::EndsBeforeStart {
            case: name(),
            starts: sanction.starts,
            ends: new,
        }),
        (Some(old), Some(new)) if new <= old => Err(RuleError::NotLater {
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

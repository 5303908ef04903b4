//! Expunging a case: when the committee is done with it, who proposes and approves, and the
//! holds that postpone it.

use chrono::NaiveDate;

use crate::case::Case;
use crate::event::{Event, EventKind};
use crate::process::{Actor, RuleError};

/// A proposal to expunge `case`, keeping `retained`: by a member who may act on it, once the
/// committee is done with it, no sanction is in force, its appeal window has closed (or its
/// appeal was decided) and no legal hold stands, keeping exactly the retained record the case
/// gives. A copy that holds the case only as erased payloads judges who signed it alone.
pub(super) fn judge_expunge(
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
    if case.sealed.is_some() && !note.is_empty() {
        return not_expungeable(
            case,
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
        return not_expungeable(case, "an expunge of it already waits for approval".into());
    }
    let mut expected = crate::retention::retained(case);
    expected.updated_at = retained.updated_at;
    // Its code name as the proposer's copy held it (a clash with another case's may rename
    // it on a copy that replays it).
    expected.code_name.clone_from(&retained.code_name);
    if *retained != expected {
        return not_expungeable(
            case,
            "the record it keeps is not the case's retained record".into(),
        );
    }
    Ok(())
}

/// An expunge's approval: by a second member (never its proposer), of an expunge waiting for
/// approval, on a case still done with.
pub(super) fn judge_approval(
    actor: Actor<'_>,
    case: &Case,
    tombstone: uuid::Uuid,
    event: &Event,
) -> Result<(), RuleError> {
    let waiting = case
        .pending
        .iter()
        .find(|p| p.id == tombstone && matches!(p.kind, EventKind::CaseExpunged { .. }));
    let why = match waiting {
        None => "no expunge with that id waits for approval",
        Some(p) if p.author == actor.member.id => {
            "the member who proposed an expunge cannot approve it; a second member does"
        }
        Some(_) => {
            // A copy that holds the case only as erased payloads judges what it can: who
            // read the case (its sealings keep out the members who are parties to it or
            // have a hard conflict); the copies that held its content judged the rest. Those
            // judge the case as it stands when it is approved: still done with, nothing in
            // force, no hold.
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
        case: case.code_name.clone(),
        why: why.into(),
    })
}

/// The marker that an expunge took effect names the expunge that did.
pub(super) fn judge_applied(case: &Case, tombstone: uuid::Uuid) -> Result<(), RuleError> {
    match &case.expunged {
        Some(x) if x.tombstone == tombstone => Ok(()),
        _ => Err(RuleError::ExpungeApproval {
            case: case.code_name.clone(),
            why: "no expunge with that id took effect".into(),
        }),
    }
}

/// A legal hold: by a member who may act on the case, with a reason, ending on or after the
/// day it is made.
pub(super) fn judge_hold(
    actor: Actor<'_>,
    case: &Case,
    until: NaiveDate,
    reason: &str,
    event: &Event,
) -> Result<(), RuleError> {
    actor.may_act(case)?;
    if until < event.at.date_naive() {
        return not_expungeable(
            case,
            format!("a hold must end on or after today, not on {until}"),
        );
    }
    if reason.trim().is_empty() {
        return not_expungeable(case, "a hold needs a reason".into());
    }
    Ok(())
}

/// Whether the committee is done with `case` on `day` so far as expunging goes: decided,
/// closed, transferred or out of scope, no sanction of it in force, its appeal window closed
/// (or its appeal decided), and no legal hold standing. Judged when an expunge is proposed,
/// and again when it is approved.
fn expungeable(actor: Actor<'_>, case: &Case, day: NaiveDate) -> Result<(), RuleError> {
    if !crate::retention::finished(case) {
        return not_expungeable(
            case,
            format!(
                "it is {}; a case is expunged once it is decided, closed, transferred or out of scope",
                case.status
            ),
        );
    }
    if let Some(s) = case.sanctions.iter().find(|s| !s.over_on(day)) {
        return not_expungeable(
            case,
            format!(
                "its {} is not over{}",
                s.kind,
                s.ends
                    .map(|e| format!(" (it ends on {e})"))
                    .unwrap_or_default()
            ),
        );
    }
    match (&case.decision, &case.appeal) {
        (_, Some(a)) if a.decided.is_none() => {
            return not_expungeable(case, "its appeal has not been decided".into());
        }
        (Some(d), None) => {
            let closes = crate::dates::plus_days(d.at.date_naive(), actor.settings.appeal_days);
            if day <= closes {
                return not_expungeable(case, format!("its appeal window is open until {closes}"));
            }
        }
        _ => {}
    }
    if let Some(h) = crate::retention::legal_hold_on(case, day) {
        return not_expungeable(
            case,
            format!("a legal hold stands until {} ({})", h.until, h.reason),
        );
    }
    Ok(())
}

/// `case` is not expunged (or held), for `why`.
fn not_expungeable(case: &Case, why: String) -> Result<(), RuleError> {
    Err(RuleError::NotExpungeable {
        case: case.code_name.clone(),
        why,
    })
}

//! Who reads a case: keeping members out of it, giving one access back, asking for it, and
//! the readers each sealing names.

use std::collections::BTreeSet;

use crate::case::Case;
use crate::event::{Access, ConflictKind, Event, EventKind, ExcludeWhy};
use crate::process::{Actor, RuleError};
use crate::roster::MemberId;

use super::Context;

/// Who may change who reads a case, and for which reasons. Only a reader changes it; nobody
/// keeps a case to themselves (but in a committee of two, or keeping themselves out); a party
/// to the case keeps nobody else out; and every reason must be one the rules can check: a
/// hard conflict the member declared, a party the case records as that member, or the
/// reporter's request (arriving with the report; later, a second reader approves it).
pub(super) fn judge_sealing(
    actor: Actor<'_>,
    case: &Case,
    access: &Access,
    context: Context<'_>,
) -> Result<(), RuleError> {
    actor.reads(case)?;
    match access {
        Access::Excluded { members, why, .. } => {
            judge_exclusion(actor, case, members, *why, context)
        }
        Access::Given { member } => judge_given(actor, case, *member),
        Access::Rekeyed => Ok(()),
    }
}

/// Keeping `members` out of a case, each for a reason the rules can check, leaving a reader
/// (and not only the member who keeps the others out, but in a committee of two).
fn judge_exclusion(
    actor: Actor<'_>,
    case: &Case,
    members: &BTreeSet<MemberId>,
    why: Option<ExcludeWhy>,
    context: Context<'_>,
) -> Result<(), RuleError> {
    let name = || case.code_name.clone();
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
                why,
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

/// Giving `member` access back: by a member who may act on the case, to an active member with
/// no hard conflict who is not a reader; to a party to the case only when another reader asked
/// for it first.
fn judge_given(actor: Actor<'_>, case: &Case, member: MemberId) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let name = || case.code_name.clone();
    let Some(sealed) = &case.sealed else {
        return Err(RuleError::NotSealed { case: name() });
    };
    let who = actor.member_of(member)?;
    if !who.is_active() {
        return Err(RuleError::AlreadyRemoved {
            member: who.name.clone(),
        });
    }
    if sealed.readers.contains(&member) {
        return Err(RuleError::AlreadyReader {
            case: name(),
            member: who.name.clone(),
        });
    }
    if case.conflict_of(member) == Some(ConflictKind::Hard) {
        return Err(RuleError::HardConflict {
            case: name(),
            member: who.name.clone(),
        });
    }
    // A case about a member reaches them only when two readers agree: another reader
    // asked for it first.
    let party = case.links.contains_key(&member)
        || sealed.excluded.get(&member) == Some(&Some(ExcludeWhy::Party));
    if party
        && !case.pending.iter().any(|p| {
            p.author != actor.member.id
                && matches!(p.kind, EventKind::AccessRequested { member: m } if m == member)
        })
    {
        return Err(RuleError::SecondReaderNeeded {
            case: name(),
            member: who.name.clone(),
        });
    }
    Ok(())
}

/// Asking for a member's access to a sealed case: by a member who may act on it, for a member
/// who is not a reader and not asked for already.
pub(super) fn judge_request(
    actor: Actor<'_>,
    case: &Case,
    member: MemberId,
) -> Result<(), RuleError> {
    actor.may_act(case)?;
    let name = || case.code_name.clone();
    let Some(sealed) = &case.sealed else {
        return Err(RuleError::NotSealed { case: name() });
    };
    let target = actor.member_of(member)?;
    if sealed.readers.contains(&member) {
        return Err(RuleError::AlreadyReader {
            case: name(),
            member: target.name.clone(),
        });
    }
    if case
        .pending
        .iter()
        .any(|p| matches!(p.kind, EventKind::AccessRequested { member: m } if m == member))
    {
        return Err(RuleError::AlreadyRequested {
            case: name(),
            member: target.name.clone(),
        });
    }
    Ok(())
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

//! Bringing copies together: merging other copies of the case file (named, or left beside it
//! by a sync tool), what needs attention afterwards, and resolving it.

use crate::OpenFile;
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::{Error, acting_member, as_member, events_by};
use casebook_core::attention::Attention;
use casebook_core::case::CaseId;
use casebook_core::event::EventKind;
use casebook_core::process::RuleError;
use casebook_core::roster::Role;
use casebook_vault::history::Merged;
use casebook_vault::{Identity, OtherCopy, copies};

/// What came in, in the committee's words: "3 changes from Sam Lindqvist, 1 from Mei Chen"
/// (names sanitised; one wording for the command line and the interface).
pub fn came_in(merged: &Merged, roster: &casebook_core::roster::Roster) -> String {
    let parts: Vec<String> = merged
        .by_author
        .iter()
        .enumerate()
        .map(|(i, (who, n))| {
            let name = roster.get(*who).map_or_else(
                || who.to_string(),
                |m| casebook_core::sanitize::inline(&m.name).to_string(),
            );
            let noun = if i > 0 {
                String::new()
            } else if *n == 1 {
                "change ".into()
            } else {
                "changes ".into()
            };
            format!("{n} {noun}from {name}")
        })
        .collect();
    if parts.is_empty() {
        let n = merged.commits;
        format!(
            "{n} commit{} with no new changes",
            if n == 1 { "" } else { "s" }
        )
    } else {
        parts.join(", ")
    }
}

/// What merging one other copy did.
#[derive(Debug)]
pub enum Outcome {
    /// It is the file itself.
    Itself,
    /// Its changes were brought in (maybe none: all were here already).
    Merged(Box<Merged>),
}

/// Merge each of `others` into `file` (recorded, not saved), decrypting them with `reader`
/// (when given; else with `identity`, which signs). `first` is the first of `others` when it
/// was read already (see [`read_while_opening`]).
pub fn merge(
    file: &mut OpenFile,
    identity: &Identity,
    reader: Option<&Identity>,
    others: &[PathBuf],
    mut first: Option<Result<OtherCopy, casebook_vault::Error>>,
) -> Result<Vec<(PathBuf, Outcome)>, Error> {
    let file = &mut file.file;
    acting_member(file)?;
    let mine = std::fs::canonicalize(file.label()).ok();
    let mut done = Vec::new();
    for (n, other) in others.iter().enumerate() {
        let read = if n == 0 { first.take() } else { None };
        if mine.is_some() && std::fs::canonicalize(other).ok() == mine {
            done.push((other.clone(), Outcome::Itself));
            continue;
        }
        let merged = match read {
            Some(copy) => file.merge_copy(&copy?, identity)?,
            None => file.merge_file_reading(other, reader.unwrap_or(identity), identity)?,
        };
        done.push((other.clone(), Outcome::Merged(Box::new(merged))));
    }
    Ok(done)
}

/// Run `open` (opening the file to merge into) while `other` is read with `reader` on another
/// thread: decrypting and checking the other copy costs about as much as opening the file,
/// and each has steps that keep one core busy.
pub fn read_while_opening<T>(
    other: &Path,
    reader: &Identity,
    open: impl FnOnce() -> T,
) -> (T, Result<OtherCopy, casebook_vault::Error>) {
    std::thread::scope(|scope| {
        let copy = scope.spawn(|| OtherCopy::read(other, reader));
        let opened = open();
        let copy = copy.join().unwrap_or_else(|_| {
            Err(casebook_vault::Error::reading(
                other,
                std::io::Error::other("reading the other copy failed"),
            ))
        });
        (opened, copy)
    })
}

/// A sync tool's conflict copy that was merged into the open file (recorded, not saved yet).
/// It stays where it is until the merged file is saved: then [`discard_merged`] deletes it.
#[derive(Debug)]
pub struct MergedCopy {
    /// Where it is.
    pub copy: PathBuf,
    /// What it brought in.
    pub merged: Merged,
}

/// Merge the sync conflict copies beside `file` (recorded, not saved), except those in
/// `skip` (copies the member named, merged as named); one that cannot be merged is left where
/// it is, with why. Nothing is deleted: a copy goes only once the merged file is saved and
/// verified ([`discard_merged`]), so a command that fails leaves every copy where it was.
pub fn merge_conflict_copies(
    file: &mut OpenFile,
    identity: &Identity,
    skip: &[PathBuf],
) -> (Vec<MergedCopy>, Vec<(PathBuf, Error)>) {
    let file = &mut file.file;
    let skip: Vec<PathBuf> = skip
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut merged = Vec::new();
    let mut refused = Vec::new();
    for copy in copies::conflict_copies(Path::new(&file.label())) {
        if std::fs::canonicalize(&copy).is_ok_and(|c| skip.contains(&c)) {
            continue;
        }
        match file.merge_file(&copy, identity) {
            Ok(result) => merged.push(MergedCopy {
                copy,
                merged: result,
            }),
            Err(e) => refused.push((copy, e.into())),
        }
    }
    (merged, refused)
}

/// A merged copy after the merged file was saved: deleted, or left where it was (why).
#[derive(Debug)]
pub struct DiscardedCopy {
    /// Where it was.
    pub copy: PathBuf,
    /// What it brought in.
    pub merged: Merged,
    /// Whether it was deleted, or why it could not be (it is still where it was).
    pub deleted: Result<(), Error>,
}

/// Delete merged sync conflict copies (see [`copies::discard`]): everything they held is in
/// the file. Call only once everything they brought is saved and verified.
pub fn discard_merged(merged: Vec<MergedCopy>) -> Vec<DiscardedCopy> {
    merged
        .into_iter()
        .map(|MergedCopy { copy, merged }| {
            let deleted = copies::discard(&copy)
                .map_err(|e| Error::Vault(casebook_vault::Error::writing(&copy, e)));
            DiscardedCopy {
                copy,
                merged,
                deleted,
            }
        })
        .collect()
}

/// One thing that needs attention, and where.
#[derive(Clone, Debug)]
pub struct Item {
    /// The case (id, code name), or `None` for a roster change.
    pub case: Option<(CaseId, String)>,
    /// What.
    pub attention: Attention,
}

/// Everything that needs attention in `file` that its member may see (never a case they have
/// a hard conflict on), roster changes first.
pub fn attention(file: &mut OpenFile) -> Result<Vec<Item>, Error> {
    let file = &mut file.file;
    let me = file.me()?;
    let mut items: Vec<Item> = file
        .committee_attention()?
        .into_iter()
        .map(|attention| Item {
            case: None,
            attention,
        })
        .collect();
    for case in file.cases()?.values() {
        if me.as_ref().is_some_and(|m| {
            case.conflict_of(m.id) == Some(casebook_core::event::ConflictKind::Hard)
        }) {
            continue;
        }
        for a in &case.attention {
            items.push(Item {
                case: Some((case.id, case.code_name.clone())),
                attention: a.clone(),
            });
        }
    }
    Ok(items)
}

/// Resolve attention items on case `code` (or, with `None`, roster changes: a chair's) named
/// by their event ids or a unique start of them; `keep` names the decision that stands when two
/// were recorded. Recorded, not saved.
pub fn resolve(
    file: &mut OpenFile,
    code: Option<&str>,
    events: &[String],
    note: &str,
    keep: Option<&str>,
) -> Result<Vec<Uuid>, Error> {
    let file = &mut file.file;
    if note.trim().is_empty() {
        return Err(Error::EmptyResolution);
    }
    let (items, case) = match code {
        Some(code) => {
            let case = file.case_by_code(code)?;
            (case.attention.clone(), Some(case))
        }
        None => (file.committee_attention()?, None),
    };
    let find = |given: &str| -> Result<Uuid, Error> {
        let given = given.to_ascii_lowercase();
        let matching: Vec<Uuid> = items
            .iter()
            .map(|a| a.event)
            .filter(|id| id.to_string().starts_with(&given))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        match matching.as_slice() {
            [one] => Ok(*one),
            _ => Err(Error::NothingToResolve {
                what: given,
                place: code.map_or("the roster".into(), str::to_string),
                candidates: items
                    .iter()
                    .map(|a| casebook_core::describe::short_event(&a.event))
                    .collect(),
            }),
        }
    };
    let ids = events
        .iter()
        .map(|e| find(e))
        .collect::<Result<Vec<_>, _>>()?;
    let keep = keep.map(find).transpose()?;
    let kind = EventKind::AttentionResolved {
        events: ids.clone(),
        note: note.to_string(),
        keep,
    };
    let (me, ()) = as_member(file, |actor| match &case {
        Some(case) => actor.may_handle(case),
        None if actor.member.role == Role::Chair => Ok(()),
        None => Err(RuleError::NotChair {
            member: actor.member.name.clone(),
            what: "resolve roster changes",
        }),
    })?;
    file.record(&events_by(me.id, case.map(|c| c.id), vec![kind], None))?;
    Ok(ids)
}

/// What an approval approved.
#[derive(Clone, Debug, PartialEq)]
pub struct Approval {
    /// The change approved (or withdrawn).
    pub event: Uuid,
    /// What it was, in words.
    pub what: String,
    /// Whether it takes effect now (a motion may still wait for more approvals).
    pub effective: bool,
}

/// Approve a change that waits for a second member (on case `code`) or for a majority (a
/// motion, without a case): `item` is its event id or a unique start of it. With `withdraw`,
/// its proposer withdraws it instead. Recorded, not saved.
pub fn approve(
    file: &mut OpenFile,
    code: Option<&str>,
    item: &str,
    withdraw: bool,
) -> Result<Approval, Error> {
    let file = &mut file.file;
    let given = item.to_ascii_lowercase();
    let (pending, case): (Vec<casebook_core::event::Event>, _) = match code {
        Some(code) => {
            let case = file.case_by_code(code)?;
            (case.pending.clone(), Some(case))
        }
        None => (
            file.committee()?
                .motions()
                .iter()
                .map(|m| m.change.clone())
                .collect(),
            None,
        ),
    };
    let matching: Vec<&casebook_core::event::Event> = pending
        .iter()
        .filter(|e| e.id.to_string().starts_with(&given))
        .collect();
    let [change] = matching.as_slice() else {
        return Err(Error::NothingToResolve {
            what: given,
            place: code.map_or("the roster".into(), str::to_string),
            candidates: pending
                .iter()
                .map(|e| casebook_core::describe::short_event(&e.id))
                .collect(),
        });
    };
    let roster = file.roster()?;
    let what = casebook_core::describe::headline(&change.kind, &|id| {
        roster
            .get(id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "a former member".into())
    });
    let kind = if withdraw {
        EventKind::Withdrawn { event: change.id }
    } else {
        EventKind::Approved { event: change.id }
    };
    let me = acting_member(file)?;
    let mut kinds = vec![kind];
    // A party recorded as a member, approved: the case is sealed from them in the same change.
    if let (false, Some(case), EventKind::PartyAdded { party }) = (withdraw, &case, &change.kind)
        && let Some(member) = party.member.and_then(|m| roster.get(m).cloned())
        && case.readable_by(member.id)
    {
        let mut linked = case.clone();
        linked.links.insert(member.id, party.role);
        let (_, resealing) = as_member(file, |actor| {
            casebook_core::process::exclude(
                actor,
                &linked,
                &[&member],
                casebook_core::event::ExcludeWhy::Party,
            )
        })?;
        kinds.push(file.reseal(case.id, resealing)?);
    }
    file.record(&events_by(me.id, case.as_ref().map(|c| c.id), kinds, None))?;
    let effective = match &case {
        Some(case) => !file
            .case_by_code(&case.code_name)?
            .pending
            .iter()
            .any(|p| p.id == change.id),
        None => !file
            .committee()?
            .motions()
            .iter()
            .any(|m| m.change.id == change.id),
    };
    Ok(Approval {
        event: change.id,
        what,
        effective,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_with_nothing_new_are_counted_in_words() {
        let roster = casebook_core::roster::Roster::default();
        let merged = |commits| Merged {
            by_author: Vec::new(),
            commits,
            merge_commit: false,
            roster_changed: false,
            history: None,
        };
        assert_eq!(came_in(&merged(1), &roster), "1 commit with no new changes");
        assert_eq!(
            came_in(&merged(3), &roster),
            "3 commits with no new changes"
        );
    }
}

//! Recovering a case file when something went wrong and nothing newer is at hand: what this
//! laptop had verified, what the file and every copy beside it hold, all of them merged, and,
//! only on the member's word, an older history accepted in place of what is lost, signed as
//! a recovery event every copy shows. A removal or a key change this laptop verified is never
//! given up: a chair carries it forward, anyone else is refused.

use std::path::{Path, PathBuf};

use super::{Error, acting_member, events_by};
use crate::OpenFile;
use casebook_core::event::EventKind;
use casebook_core::process::RuleError;
use casebook_core::roster::Role;
use casebook_vault::history::Merged;
use casebook_vault::pins::PathPin;
use casebook_vault::recover::{self, CopyHead, Head, RosterGap};
use casebook_vault::{CaseFile, Expect, Identity, OtherCopy, SavePolicy, SaveReport, copies};

/// A copy found beside the file, and what it holds (or why it cannot be read).
pub struct Found {
    /// Where it is.
    pub path: PathBuf,
    /// The copy and what it holds, or why it cannot be read.
    pub read: Result<(OtherCopy, CopyHead), casebook_vault::Error>,
}

/// What this laptop verified at a path, what the file there holds, and every copy found.
pub struct Survey {
    /// What this laptop pinned at the path (`None`: it never verified history there).
    pub pinned: Option<PathPin>,
    /// The file, opened for writing even if it is an older copy; `None` when it cannot be
    /// opened (see `damaged`).
    pub file: Option<OpenFile>,
    /// Why the file cannot be opened (damaged, truncated, missing).
    pub damaged: Option<casebook_vault::Error>,
    /// Its backup, sync conflict copies and merged copies.
    pub copies: Vec<Found>,
}

/// Look at `path` and every copy of it this laptop can find, reading each with `identity`.
pub fn survey(path: &Path, identity: &Identity, expect: &Expect) -> Result<Survey, Error> {
    let pinned = recover::pinned(path)?;
    let (file, damaged) = match CaseFile::open_behind(path, identity, expect) {
        Ok(file) => (Some(OpenFile::from(file)), None),
        Err(e) if is_damage(&e) => (None, Some(e)),
        Err(e) => return Err(e.into()),
    };
    let fingerprint = match (&file, &pinned) {
        (Some(file), _) => file.trust().fingerprint.clone(),
        (None, Some(pin)) => Some(pin.committee.clone()),
        (None, None) => None,
    };
    let head = pinned.as_ref().map(|p| p.head.clone());
    let copies = recover::copies_of(path)
        .into_iter()
        .map(|path| {
            let read = OtherCopy::read(&path, identity).and_then(|copy| {
                let head = copy.head(fingerprint.as_deref(), head.as_deref())?;
                Ok((copy, head))
            });
            Found { path, read }
        })
        .collect();
    Ok(Survey {
        pinned,
        file,
        damaged,
        copies,
    })
}

/// Whether an error opening a file means the file itself is damaged or gone (so a copy is
/// to take its place), not that the key, the lock or the committee is wrong.
fn is_damage(error: &casebook_vault::Error) -> bool {
    use casebook_vault::Error as V;
    matches!(
        error,
        V::NotFound { .. }
            | V::Truncated { .. }
            | V::Tampered { .. }
            | V::Corrupt { .. }
            | V::NotAgeFile { .. }
            | V::NotCasebook { .. }
            | V::PlaintextDatabase { .. }
            | V::HistoryBroken { .. }
            | V::DerivedMismatch { .. }
            | V::ForeignSchema { .. }
    )
}

/// Everything found, merged into one history, not saved yet.
pub struct Recovering {
    /// The result (at the file's path, locked).
    pub file: OpenFile,
    /// The copy that took the place of a damaged file, if it was.
    pub in_place_of_damaged: Option<PathBuf>,
    /// What merging each copy brought, or why it could not be merged.
    pub merged: Vec<(PathBuf, Result<Merged, Error>)>,
    /// The sync conflict copies merged, to move aside once saved.
    pub beside: Vec<PathBuf>,
    /// Whether the result holds everything this laptop verified at the path.
    pub holds_pinned: bool,
    /// Its newest commit.
    pub head: Head,
    /// What it lacks of the roster this laptop verified.
    pub gap: RosterGap,
    /// What this laptop had pinned.
    pub pinned: Option<PathPin>,
}

/// Merge every readable copy of the same committee into the file (or, when the file is
/// damaged, into the copy that holds the most, in its place).
pub fn merge_all(
    survey: Survey,
    identity: &Identity,
    expect: &Expect,
) -> Result<Recovering, Error> {
    let Survey {
        pinned,
        file,
        damaged,
        copies: found,
    } = survey;
    let usable: Vec<(PathBuf, OtherCopy, CopyHead)> = found
        .into_iter()
        .filter_map(|f| match f.read {
            Ok((copy, head)) if head.same_committee => Some((f.path, copy, head)),
            _ => None,
        })
        .collect();
    let (mut file, in_place_of_damaged) = match file {
        Some(file) => (file.file, None),
        None => {
            // The copy that holds what was verified, else the one with the most commits.
            let best = usable
                .iter()
                .max_by_key(|(_, _, head)| (head.holds_pinned, head.head.commits))
                .map(|(path, _, _)| path.clone());
            let Some(best) = best else {
                return Err(damaged.map_or_else(
                    || {
                        Error::Vault(casebook_vault::Error::NotFound {
                            path: PathBuf::new(),
                        })
                    },
                    Error::Vault,
                ));
            };
            let label = path_of_damaged(&damaged);
            let file = CaseFile::open_in_place_of(&label, &best, identity, expect)?;
            (file, Some(best))
        }
    };
    acting_member(&file)?;
    let conflict: Vec<PathBuf> = copies::conflict_copies(Path::new(&file.label()))
        .into_iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut merged = Vec::new();
    let mut beside = Vec::new();
    for (path, copy, _) in &usable {
        if Some(path) == in_place_of_damaged.as_ref() {
            continue;
        }
        let result = file.merge_copy(copy, identity).map_err(Error::from);
        if result.is_ok() && std::fs::canonicalize(path).is_ok_and(|p| conflict.contains(&p)) {
            beside.push(path.clone());
        }
        merged.push((path.clone(), result));
    }
    let holds_pinned = match &pinned {
        Some(pin) => file.holds_commit(&pin.head)?,
        None => true,
    };
    if holds_pinned {
        file.catch_up()?;
    }
    let gap = match &pinned {
        Some(pin) if !holds_pinned => recover::roster_gap(pin, &file.roster()?),
        _ => RosterGap::default(),
    };
    let head = file.head_commit()?;
    Ok(Recovering {
        file: file.into(),
        in_place_of_damaged,
        merged,
        beside,
        holds_pinned,
        head,
        gap,
        pinned,
    })
}

fn path_of_damaged(damaged: &Option<casebook_vault::Error>) -> PathBuf {
    use casebook_vault::Error as V;
    match damaged {
        Some(
            V::NotFound { path }
            | V::Truncated { path }
            | V::Tampered { path, .. }
            | V::Corrupt { path, .. }
            | V::NotAgeFile { path }
            | V::NotCasebook { path, .. }
            | V::PlaintextDatabase { path }
            | V::HistoryBroken { path, .. }
            | V::DerivedMismatch { path, .. }
            | V::ForeignSchema { path, .. },
        ) => path.clone(),
        _ => PathBuf::new(),
    }
}

/// Save a recovery whose result holds everything this laptop verified (no word needed:
/// nothing is lost), then move the sync conflict copies merged aside.
pub fn save(mut recovering: Recovering, identity: &Identity) -> Result<SaveReport, Error> {
    let policy = SavePolicy {
        keep_replaced_aside: recovering.in_place_of_damaged.is_some(),
        ..SavePolicy::default()
    };
    let report = recovering.file.file.save_with(identity, policy)?;
    for copy in &recovering.beside {
        let _ = copies::discard(copy);
    }
    Ok(report)
}

/// Accept the older history found, on the member's word: what it lacks of the roster this
/// laptop verified is carried forward by the member (a chair), then a recovery event records
/// what is lost, and the file is saved.
pub fn accept(mut recovering: Recovering, identity: &Identity) -> Result<SaveReport, Error> {
    let Some(pin) = recovering.pinned.clone() else {
        return save(recovering, identity);
    };
    let me = acting_member(&recovering.file.file)?;
    let mut kinds = Vec::new();
    if !recovering.gap.is_empty() {
        if me.role != Role::Chair {
            return Err(Error::Rule(RuleError::NotChair {
                member: me.name.clone(),
                what: "accept a copy that lacks a removal or a key change this laptop verified",
            }));
        }
        for (member, _, removed) in &recovering.gap.removals {
            kinds.push(EventKind::MemberRemoved {
                member: *member,
                reason: Some(format!(
                    "carried forward by a recovery: removed on {} in the history this laptop \
                     had verified",
                    removed.format("%Y-%m-%d")
                )),
            });
        }
        for (member, _, recipient) in &recovering.gap.keys {
            kinds.push(EventKind::MemberKeyChanged {
                member: *member,
                recipient: recipient.clone(),
            });
        }
    }
    kinds.push(EventKind::HistoryRecovered {
        lost_head: pin.head.clone(),
        lost_by: pin.head_author.clone(),
        lost_at: pin.head_at.clone(),
        verified_at: pin.verified_at,
    });
    recovering
        .file
        .file
        .record(&events_by(me.id, None, kinds, None))?;
    if !recovering.gap.removals.is_empty() {
        super::members::rekey_sealed_cases(&mut recovering.file.file)?;
    }
    recovering.file.file.accept_older();
    let policy = SavePolicy {
        keep_replaced_aside: recovering.in_place_of_damaged.is_some(),
        backup_new_version: !recovering.gap.is_empty(),
        ..SavePolicy::default()
    };
    let report = recovering.file.file.save_with(identity, policy)?;
    for copy in &recovering.beside {
        let _ = copies::discard(copy);
    }
    Ok(report)
}

//! The roster. Every change is an event, re-encrypts the file at once to exactly the new
//! roster, and (after removals and key changes) replaces the backup too, so that no file beside
//! it stays readable with a key that no longer belongs.

use crate::OpenFile;
use std::path::Path;

use chrono::Utc;
use uuid::Uuid;

use super::{Error, acting_member, as_member, events_by, member_named};
use casebook_core::event::EventKind;
use casebook_core::process;
use casebook_core::roster::{Member, MemberId, Role};
use casebook_vault::{self as vault, CaseFile, Identity, Recipient, SavePolicy};

use crate::Saved;
use crate::merge::MergedCopy;

/// How a roster change finishes the save it makes at once, as every save does (see
/// [`OpenFile::save`]): the folder the member's exports go to (looked through when an expunge
/// took effect at the save), and the sync conflict copies merged into the file since it was
/// opened (deleted once the save holds what they brought).
#[derive(Debug)]
pub struct Finish<'a> {
    /// Where the member's exports go.
    pub export_dir: &'a Path,
    /// The conflict copies merged since the file was opened.
    pub merged: Vec<MergedCopy>,
}

/// A new member, as the chair gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMember {
    /// Their name.
    pub name: String,
    /// Their contact address.
    pub email: Option<String>,
    /// Member or chair.
    pub role: Role,
    /// Their public key: a key line, or the path of a file holding one.
    pub key: String,
}

/// What adding a member did.
#[derive(Debug)]
pub struct Added {
    /// Whether it re-added a removed member rather than adding a new one.
    pub rejoined: bool,
    /// Their role (a re-added member keeps the one they had).
    pub role: Role,
    /// The new member's key fingerprint.
    pub fingerprint: String,
    /// The save that re-encrypted the file.
    pub saved: Saved,
}

/// A key given as a line or as a file holding one.
pub fn read_key(key: &str) -> Result<Recipient, Error> {
    let text = if Path::new(key).is_file() {
        std::fs::read_to_string(key).map_err(|e| vault::Error::Read {
            path: key.into(),
            source: e,
        })?
    } else {
        key.to_string()
    };
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    Ok(Recipient::parse(line)?)
}

/// Add a member and re-encrypt the file at once, as the active member whose `identity`
/// opened it.
pub fn add(
    file: &mut OpenFile,
    identity: &Identity,
    new: &NewMember,
    finish: Finish<'_>,
) -> Result<Added, Error> {
    let file = &mut file.file;
    let recipient = read_key(&new.key)?;
    // A removed member's name re-adds them: the same member, who signed what they signed, with
    // the key given now.
    let removed = file
        .roster()?
        .members()
        .iter()
        .find(|m| m.name == new.name && !m.is_active())
        .cloned();
    if let Some(target) = removed {
        let (me, kind) = as_member(file, |actor| {
            process::rejoin_member(actor, &target, recipient.as_str())
        })?;
        file.check_writable()?;
        file.record(&events_by(me.id, None, vec![kind], None))?;
        let saved = save_now(file, identity, SavePolicy::default(), finish)?;
        return Ok(Added {
            rejoined: true,
            role: target.role,
            fingerprint: vault::fingerprint(recipient.as_str()),
            saved,
        });
    }
    let (me, ()) = as_member(file, |actor| {
        process::add_member(actor, &new.name, new.email.as_deref(), recipient.as_str())
    })?;
    file.check_writable()?;
    let member = Member {
        id: MemberId(Uuid::new_v4()),
        name: new.name.clone(),
        email: new.email.clone(),
        role: new.role,
        recipient: recipient.as_str().to_string(),
        added_at: Utc::now(),
        removed_at: None,
    };
    file.add_member(&member, me.id, Uuid::new_v4(), member.added_at)?;
    let saved = save_now(file, identity, SavePolicy::default(), finish)?;
    Ok(Added {
        rejoined: false,
        role: new.role,
        fingerprint: vault::fingerprint(recipient.as_str()),
        saved,
    })
}

/// Make the member called `name` a chair or an ordinary member, and save.
pub fn change_role(
    file: &mut OpenFile,
    identity: &Identity,
    name: &str,
    role: Role,
    finish: Finish<'_>,
) -> Result<Saved, Error> {
    let file = &mut file.file;
    let target = member_named(&file.roster()?, name)?;
    let (me, kind) = as_member(file, |actor| process::change_role(actor, &target, role))?;
    file.check_writable()?;
    file.record(&events_by(me.id, None, vec![kind], None))?;
    save_now(file, identity, SavePolicy::default(), finish)
}

/// What removing a member did.
#[derive(Debug)]
pub struct Removed {
    /// The save that re-encrypted the file and its backup.
    pub saved: Saved,
    /// The cases they were taken off (code names), as part of their removal.
    pub unassigned: Vec<String>,
    /// Cases sealed from the acting member that the removed member is assigned to: the
    /// acting member cannot record on them; a member who reads them takes them off.
    pub unassigned_elsewhere: Vec<String>,
}

/// Remove the member called `name` and re-encrypt the file and its backup at once. They are
/// first taken off every case they are assigned to (a departed member cannot work a case).
pub fn remove(
    file: &mut OpenFile,
    identity: &Identity,
    name: &str,
    reason: Option<String>,
    allow_self_removal: bool,
    finish: Finish<'_>,
) -> Result<Removed, Error> {
    let file = &mut file.file;
    let target = member_named(&file.roster()?, name)?;
    let (me, kind) = as_member(file, |actor| {
        process::remove_member(actor, &target, reason, allow_self_removal)
    })?;
    let policy = SavePolicy {
        allow_lockout: allow_self_removal,
        backup_new_version: true,
        ..SavePolicy::default()
    };
    // Refused before recording, so a refused save leaves nothing half-done in memory.
    file.check_writable()?;
    let removal = events_by(me.id, None, vec![kind], None);
    // A removal that waits for a majority (a chair removing a chair) takes no one off a case
    // yet. One that takes effect does, first, while the acting member (who may be removing
    // themselves) can still act.
    let (unassigned, unassigned_elsewhere) = if file.committee()?.needs_motion(me.id, &removal[0]) {
        (Vec::new(), Vec::new())
    } else {
        unassign_everywhere(file, me.id, &target)?
    };
    file.record(&removal)?;
    rekey_sealed_cases(file)?;
    Ok(Removed {
        saved: save_clearing_aside(file, identity, policy, finish)?,
        unassigned,
        unassigned_elsewhere,
    })
}

/// Take `target`, who is leaving the committee, off every case the acting member (`me`)
/// reads; the code names of those cases, and of the cases sealed from `me` they are still on.
pub(crate) fn unassign_everywhere(
    file: &mut CaseFile,
    me: casebook_core::roster::MemberId,
    target: &casebook_core::roster::Member,
) -> Result<(Vec<String>, Vec<String>), Error> {
    let mut assigned: Vec<casebook_core::case::Case> = file
        .cases()?
        .values()
        .filter(|c| c.assignees.contains(&target.id))
        .cloned()
        .collect();
    assigned.sort_by(|a, b| a.code_name.cmp(&b.code_name));
    let (mut unassigned, mut unassigned_elsewhere) = (Vec::new(), Vec::new());
    for case in assigned {
        if !case.readable_by(me) {
            unassigned_elsewhere.push(case.code_name.clone());
            continue;
        }
        let (_, unassign) = as_member(file, |actor| process::unassign(actor, &case, target))?;
        file.record(&events_by(me, Some(case.id), vec![unassign], None))?;
        unassigned.push(case.code_name.clone());
    }
    Ok((unassigned, unassigned_elsewhere))
}

/// Save a roster change at once, under `policy`, through the one save every front end uses.
fn save_now(
    file: &mut CaseFile,
    identity: &Identity,
    policy: SavePolicy,
    finish: Finish<'_>,
) -> Result<Saved, Error> {
    OpenFile::wrap(file).save_under(identity, policy, finish.export_dir, finish.merged)
}

/// Save after a removal or a key change, then delete what casebook left beside the file that
/// the old key opens (see [`casebook_vault::copies::clear_aside`]).
fn save_clearing_aside(
    file: &mut CaseFile,
    identity: &Identity,
    policy: SavePolicy,
    finish: Finish<'_>,
) -> Result<Saved, Error> {
    let mut saved = save_now(file, identity, policy, finish)?;
    saved.report.cleared = casebook_vault::copies::clear_aside(&saved.report.path);
    Ok(saved)
}

/// A new key for every sealed case the acting member reads whose key is due to change: a
/// reader left the committee (their access goes with them), or a reader's key changed (the
/// case key is wrapped to their new one). Cases they cannot read get one when a reader next
/// works on them (see [`crate::cases::change`]).
pub(crate) fn rekey_sealed_cases(file: &mut CaseFile) -> Result<(), Error> {
    // A chair who removed themselves reads no case any more: the next reader re-keys.
    let Some(me) = file.me()? else {
        return Ok(());
    };
    for case in sealed_cases_read_by(file, me.id)? {
        if let (_, Some(resealing)) = as_member(file, |actor| Ok(process::rekey_due(actor, &case)))?
        {
            let kind = file.reseal(case.id, resealing)?;
            file.record(&events_by(me.id, Some(case.id), vec![kind], None))?;
        }
    }
    Ok(())
}

/// The sealed cases `member` is a reader of.
fn sealed_cases_read_by(
    file: &mut CaseFile,
    member: casebook_core::roster::MemberId,
) -> Result<Vec<casebook_core::case::Case>, Error> {
    Ok(file
        .cases()?
        .values()
        .filter(|c| {
            c.sealed
                .as_ref()
                .is_some_and(|s| s.readers.contains(&member))
        })
        .cloned()
        .collect())
}

/// Replace the acting member's key (`old`, which opened the file) with `new`'s. The change is
/// signed with the old key, which holds it at that point of the history; the file is saved and
/// verified with the new key, so the old one no longer opens it or its backup.
pub fn rotate_key(
    file: &mut OpenFile,
    old: &Identity,
    new: &Identity,
    finish: Finish<'_>,
) -> Result<Saved, Error> {
    let file = &mut file.file;
    let (me, kind) = as_member(file, |actor| process::rotate_key(actor, new.recipient()))?;
    file.record(&events_by(me.id, None, vec![kind], None))?;
    // The sealed cases this member reads get a new key, wrapped to their new key.
    for case in sealed_cases_read_by(file, me.id)? {
        let readers = case
            .sealed
            .as_ref()
            .map(|s| s.readers.clone())
            .unwrap_or_default();
        let kind = file.reseal(
            case.id,
            process::Resealing {
                access: casebook_core::event::Access::Rekeyed,
                readers,
            },
        )?;
        file.record(&events_by(me.id, Some(case.id), vec![kind], None))?;
    }
    file.commit(old, chrono::Utc::now())?;
    let policy = SavePolicy {
        allow_lockout: false,
        backup_new_version: true,
        ..SavePolicy::default()
    };
    save_clearing_aside(file, new, policy, finish)
}

/// Re-encrypt the file (and replace its backup) with a fresh file key, as an event.
pub fn rekey(file: &mut OpenFile, identity: &Identity, finish: Finish<'_>) -> Result<Saved, Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    file.check_writable()?;
    file.record(&events_by(me.id, None, vec![EventKind::Rekeyed], None))?;
    let policy = SavePolicy {
        allow_lockout: false,
        backup_new_version: true,
        ..SavePolicy::default()
    };
    save_clearing_aside(file, identity, policy, finish)
}

/// The motion waiting for a majority about the member called `name` (to remove them or
/// change their role), if one is pending: one chair alone neither removes nor demotes another.
pub fn pending_motion(file: &OpenFile, name: &str) -> Result<Option<Uuid>, Error> {
    let file = &file.file;
    let roster = file.roster()?;
    let Some(member) = roster.members().iter().find(|m| m.name == name) else {
        return Ok(None);
    };
    Ok(file
        .committee()?
        .motions()
        .iter()
        .find(|m| m.target() == Some(member.id))
        .map(|m| m.change.id))
}

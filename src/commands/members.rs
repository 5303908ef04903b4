//! The roster from the command line. Every change is an event, re-encrypts the file at once to
//! exactly the new roster, and — after removals and key changes — replaces the backup too, so
//! that no file beside it stays readable with a key that no longer belongs.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::change::{Change, acting_member, as_member, events_by};
use super::{Error, load_identity};
use crate::cli::{Config, MemberCommand};
use crate::core::event::EventKind;
use crate::core::process;
use crate::core::roster::{Member, MemberId, Role};
use crate::core::sanitize::inline;
use crate::vault::{self, CaseFile, EncryptedTo, Identity, OpenMode, Recipient, SavePolicy};

/// What removal cannot undo, said every time a member is removed.
const REMOVAL_LIMIT: &str = "Note: this protects future versions only. Copies of the file the removed member \
already holds, exports they received, and history synced elsewhere stay readable to them.";

/// `casebook member ...`
pub(super) fn member(
    config: &Config,
    command: &MemberCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match command {
        MemberCommand::List {
            file,
            json,
            allowed_signers,
        } => {
            if *allowed_signers {
                return super::export::allowed_signers(config, file, out);
            }
            list(config, file, *json, out)
        }
        MemberCommand::Add {
            file,
            name,
            email,
            role,
            key,
        } => add(config, file, name, email.as_deref(), role, key, out),
        MemberCommand::Remove {
            file,
            name,
            reason,
            allow_self_removal,
        } => remove(config, file, name, reason.clone(), *allow_self_removal, out),
        MemberCommand::RotateKey { file, new_identity } => rotate(config, file, new_identity, out),
    }
}

#[derive(Serialize)]
struct Listed {
    name: String,
    email: Option<String>,
    role: Role,
    key_type: &'static str,
    fingerprint: String,
    recipient: String,
    active: bool,
    added_at: chrono::DateTime<Utc>,
    removed_at: Option<chrono::DateTime<Utc>>,
    encrypted_to: EncryptedTo,
}

fn list(config: &Config, file: &Path, json: bool, out: &mut dyn Write) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
    let summary = case_file.summary()?;
    let roster = case_file.roster()?;
    let listed: Vec<Listed> = roster
        .members()
        .iter()
        .zip(&summary.members)
        .map(|(m, s)| Listed {
            name: m.name.clone(),
            email: m.email.clone(),
            role: m.role,
            key_type: s.key_type,
            fingerprint: s.fingerprint.clone(),
            recipient: m.recipient.clone(),
            active: m.is_active(),
            added_at: m.added_at,
            removed_at: m.removed_at,
            encrypted_to: s.encrypted_to,
        })
        .collect();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&listed).map_err(std::io::Error::from)?
        )?;
        return Ok(());
    }
    for m in &listed {
        let state = match m.removed_at {
            Some(at) => format!("removed {}", at.format("%Y-%m-%d")),
            None => format!("active since {}", m.added_at.format("%Y-%m-%d")),
        };
        writeln!(
            out,
            "{:<20} {:<7} {:<28} {:<12} {}  {}",
            inline(&m.name),
            m.role.as_str(),
            inline(m.email.as_deref().unwrap_or("-")),
            m.key_type,
            m.fingerprint,
            state
        )?;
    }
    Ok(())
}

/// A key given as a line or as a file holding one.
fn read_key(key: &str) -> Result<Recipient, Error> {
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

fn add(
    config: &Config,
    file: &Path,
    name: &str,
    email: Option<&str>,
    role: &str,
    key: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let change = Change::open(config, file)?;
    let mut case_file = change.file;
    let report = add_member(&mut case_file, &change.identity, name, email, role, key)?;
    writeln!(
        out,
        "added {} ({role}, {}); {} is now encrypted to {} recipients",
        inline(name),
        report.fingerprint,
        report.saved.path.display(),
        report.saved.recipients
    )?;
    Ok(())
}

/// What adding a member did.
pub(crate) struct Added {
    /// The new member's key fingerprint.
    pub(crate) fingerprint: String,
    /// The save that re-encrypted the file.
    pub(crate) saved: vault::SaveReport,
}

/// Add a member with `key` (a key line, or a file holding one) and re-encrypt the file at once,
/// as the active member whose `identity` opened it.
pub(crate) fn add_member(
    file: &mut CaseFile,
    identity: &Identity,
    name: &str,
    email: Option<&str>,
    role: &str,
    key: &str,
) -> Result<Added, Error> {
    let role: Role = role
        .parse()
        .map_err(|e: crate::core::roster::UnknownRole| Error::Usage {
            message: e.to_string(),
            hint: "use member or chair".into(),
        })?;
    let recipient = read_key(key)?;
    let (me, ()) = as_member(file, |actor| {
        process::add_member(actor, name, recipient.as_str())
    })?;
    file.check_writable()?;
    let member = Member {
        id: MemberId(Uuid::new_v4()),
        name: name.to_string(),
        email: email.map(str::to_string),
        role,
        recipient: recipient.as_str().to_string(),
        added_at: Utc::now(),
        removed_at: None,
    };
    file.add_member(&member, me.id, Uuid::new_v4(), member.added_at)?;
    let saved = file.save(identity)?;
    Ok(Added {
        fingerprint: vault::fingerprint(recipient.as_str()),
        saved,
    })
}

fn remove(
    config: &Config,
    file: &Path,
    name: &str,
    reason: Option<String>,
    allow_self_removal: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let change = Change::open(config, file)?;
    let mut case_file = change.file;
    let report = remove_member(
        &mut case_file,
        &change.identity,
        name,
        reason,
        allow_self_removal,
    )?;
    writeln!(
        out,
        "removed {}; {} and its backup are now encrypted to the {} remaining recipients only",
        inline(name),
        report.path.display(),
        report.recipients
    )?;
    writeln!(out, "{REMOVAL_LIMIT}")?;
    Ok(())
}

/// Remove the member called `name` and re-encrypt the file and its backup at once.
pub(crate) fn remove_member(
    file: &mut CaseFile,
    identity: &Identity,
    name: &str,
    reason: Option<String>,
    allow_self_removal: bool,
) -> Result<vault::SaveReport, Error> {
    let target = super::member_named(&file.roster()?, name)?;
    let (me, kind) = as_member(file, |actor| {
        process::remove_member(actor, &target, reason, allow_self_removal)
    })?;
    let policy = SavePolicy {
        allow_lockout: allow_self_removal,
        backup_new_version: true,
    };
    // Refused before recording, so a refused save leaves nothing half-done in memory.
    file.check_writable()?;
    file.record(&events_by(me.id, None, vec![kind], None))?;
    Ok(file.save_with(identity, policy)?)
}

fn rotate(
    config: &Config,
    file: &Path,
    new_identity: &Path,
    out: &mut dyn Write,
) -> Result<(), Error> {
    // The new key must load (passphrase included) before anything changes.
    let new = Identity::load(new_identity, &config.passphrases)?;
    let mut change = Change::open(config, file)?;
    let kind = change.rule(|actor| process::rotate_key(actor, new.recipient()))?;
    let events = change.events(None, vec![kind], None);
    change.file.record(&events)?;
    // Saved and verified with the new key: the old one no longer opens the file or its backup.
    let policy = SavePolicy {
        allow_lockout: false,
        backup_new_version: true,
    };
    let report = change.file.save_with(&new, policy)?;
    writeln!(
        out,
        "{} now opens with {} ({}); the old key no longer opens it or its backup",
        report.path.display(),
        new_identity.display(),
        vault::fingerprint(new.recipient())
    )?;
    Ok(())
}

/// `casebook rekey`: a fresh file key for the current roster, backup included.
pub(super) fn rekey(config: &Config, file: &Path, out: &mut dyn Write) -> Result<(), Error> {
    let change = Change::open(config, file)?;
    let mut case_file = change.file;
    let report = rekey_file(&mut case_file, &change.identity)?;
    writeln!(
        out,
        "{} re-encrypted with a fresh file key to {} recipients (backup too)",
        report.path.display(),
        report.recipients
    )?;
    Ok(())
}

/// Re-encrypt the file (and replace its backup) with a fresh file key, as an event.
pub(crate) fn rekey_file(
    file: &mut CaseFile,
    identity: &Identity,
) -> Result<vault::SaveReport, Error> {
    let me = acting_member(file)?;
    file.check_writable()?;
    file.record(&events_by(me.id, None, vec![EventKind::Rekeyed], None))?;
    let policy = SavePolicy {
        allow_lockout: false,
        backup_new_version: true,
    };
    Ok(file.save_with(identity, policy)?)
}

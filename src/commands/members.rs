//! The roster from the command line. Every change is an event, re-encrypts the file at once to
//! exactly the new roster, and — after removals and key changes — replaces the backup too, so
//! that no file beside it stays readable with a key that no longer belongs.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use serde::Serialize;

use super::session::Session;
use super::{Error, load_identity};
use crate::cli::{Config, MemberCommand};
use crate::core::roster::Role;
use crate::core::sanitize::inline;
use crate::ops::members::{self as member_ops, NewMember};
use crate::ops::vault::{self, EncryptedTo, Identity, OpenMode, PassphraseSource};

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
        } => {
            let new = NewMember {
                name: name.clone(),
                email: email.clone(),
                role: *role,
                key: key.clone(),
            };
            add(config, file, &new, out)
        }
        MemberCommand::Remove {
            file,
            name,
            reason,
            allow_self_removal,
        } => remove(config, file, name, reason.clone(), *allow_self_removal, out),
        MemberCommand::Role { file, name, role } => {
            let mut session = Session::open(config, file)?;
            let saved = session.roster_change(|file, identity, finish| {
                member_ops::change_role(file, identity, name, *role, finish)
            })?;
            let told = session.told(saved)?;
            let saved = &told.report;
            if let Some(motion) = member_ops::pending_motion(&session.file, name)? {
                writeln!(out, "{}", motion_words(file, name, motion))?;
                return told.expunge;
            }
            writeln!(
                out,
                "{} is now {} of {}",
                inline(name),
                crate::core::describe::role_words(*role),
                saved.path.display()
            )?;
            told.expunge
        }
        MemberCommand::RotateKey {
            file,
            new_identity,
            new_passphrase_file,
        } => rotate(
            config,
            file,
            new_identity,
            new_passphrase_file.as_deref(),
            out,
        ),
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
    let case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
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
        writeln!(out, "{}", super::json(&listed)?)?;
        return Ok(());
    }
    // Each column as wide as its widest value (names and emails vary; a fingerprint is 50).
    let rows: Vec<[String; 6]> = listed
        .iter()
        .map(|m| {
            let state = match m.removed_at {
                Some(at) => format!("removed {}", at.format("%Y-%m-%d")),
                None => format!("active since {}", m.added_at.format("%Y-%m-%d")),
            };
            [
                inline(&m.name).into_owned(),
                m.role.as_str().to_string(),
                inline(m.email.as_deref().unwrap_or("-")).into_owned(),
                m.key_type.to_string(),
                m.fingerprint.to_string(),
                state,
            ]
        })
        .collect();
    let header = ["NAME", "ROLE", "EMAIL", "KEY", "FINGERPRINT", "STATE"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (n, (cell, width)) in row.iter().zip(widths).enumerate() {
            if n + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    // Removals and changes of role one chair may not make alone, waiting for a majority.
    let committee = case_file.committee()?;
    let name = |id| {
        roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "a former member".into())
    };
    for motion in committee.motions() {
        let active = roster.active().count();
        let approvals = motion
            .approvals
            .iter()
            .filter(|a| roster.get(**a).is_some_and(|m| m.is_active()))
            .count();
        writeln!(
            out,
            "{}  {} (proposed by {}): waits for a majority ({approvals} of {active} approved); \
             casebook approve {} --item {}",
            &crate::core::describe::short_event(&motion.change.id),
            crate::core::describe::headline(&motion.change.kind, &name),
            name(motion.change.author),
            crate::ops::export::shell_quote(&file.display().to_string()),
            &crate::core::describe::short_event(&motion.change.id)
        )?;
    }
    Ok(())
}

fn add(config: &Config, file: &Path, new: &NewMember, out: &mut dyn Write) -> Result<(), Error> {
    let mut session = Session::open(config, file)?;
    let added = session
        .roster_change(|file, identity, finish| member_ops::add(file, identity, new, finish))?;
    let told = session.told(added.saved)?;
    let saved = &told.report;
    writeln!(
        out,
        "{} {} ({}, {}); {} is now encrypted to {} recipients",
        if added.rejoined { "re-added" } else { "added" },
        inline(&new.name),
        added.role,
        added.fingerprint,
        saved.path.display(),
        saved.recipients
    )?;
    if let Some(fingerprint) = &session.file.trust().fingerprint {
        writeln!(
            out,
            "send {} the committee's fingerprint, {fingerprint}, over another channel: they \
             check it on their first open (casebook --committee {fingerprint} info FILE)",
            inline(&new.name)
        )?;
    }
    told.expunge
}

fn remove(
    config: &Config,
    file: &Path,
    name: &str,
    reason: Option<String>,
    allow_self_removal: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut session = Session::open(config, file)?;
    let removed = session.roster_change(|file, identity, finish| {
        member_ops::remove(file, identity, name, reason, allow_self_removal, finish)
    })?;
    let told = session.told(removed.saved)?;
    let report = &told.report;
    if let Some(motion) = member_ops::pending_motion(&session.file, name)? {
        writeln!(out, "{}", motion_words(file, name, motion))?;
        return told.expunge;
    }
    writeln!(
        out,
        "removed {}; {} and its backup are now encrypted to the {} remaining only",
        inline(name),
        report.path.display(),
        crate::core::describe::count(report.recipients, "recipient", "recipients")
    )?;
    if !removed.unassigned.is_empty() {
        writeln!(
            out,
            "took {} off {}: {}",
            inline(name),
            crate::core::describe::count(removed.unassigned.len(), "case", "cases"),
            removed.unassigned.join(", ")
        )?;
    }
    if !removed.unassigned_elsewhere.is_empty() {
        writeln!(
            out,
            "{} is still assigned to {} sealed from you ({}); a member who reads {} takes them off",
            inline(name),
            crate::core::describe::count(removed.unassigned_elsewhere.len(), "case", "cases"),
            removed.unassigned_elsewhere.join(", "),
            if removed.unassigned_elsewhere.len() == 1 {
                "it"
            } else {
                "them"
            }
        )?;
    }
    cleared(report, out)?;
    writeln!(out, "{REMOVAL_LIMIT}")?;
    told.expunge
}

fn rotate(
    config: &Config,
    file: &Path,
    new_identity: &Path,
    new_passphrase_file: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    // The new key must load (passphrase included) before anything changes. Its passphrase
    // comes from --new-passphrase-file when given: the two keys may have different ones.
    if !new_identity.exists() {
        return Err(Error::Usage {
            message: format!(
                "the new key {} does not exist",
                crate::core::sanitize::inline(&new_identity.display().to_string())
            ),
            hint: format!(
                "make it first: casebook keygen -o {}",
                crate::ops::export::shell_quote(&new_identity.display().to_string())
            ),
        });
    }
    let new = match new_passphrase_file {
        Some(file) => Identity::load(new_identity, &PassphraseSource::File(file.to_path_buf()))?,
        None => Identity::load(new_identity, &config.passphrases)?,
    };
    let mut session = Session::open(config, file)?;
    let saved = session.roster_change(|file, identity, finish| {
        member_ops::rotate_key(file, identity, &new, finish)
    })?;
    let told = session.told(saved)?;
    let report = &told.report;
    writeln!(
        out,
        "{} now opens with {} ({}); the old key no longer opens it or its backup",
        inline(&report.path.display().to_string()),
        inline(&new_identity.display().to_string()),
        vault::fingerprint(new.recipient())
    )?;
    writeln!(out, "{}", use_new_key(config, new_identity))?;
    cleared(report, out)?;
    told.expunge
}

/// Say which older copies casebook had left beside the file it deleted after a removal or a
/// key change.
fn cleared(report: &vault::SaveReport, out: &mut dyn Write) -> Result<(), Error> {
    if !report.cleared.is_empty() {
        writeln!(
            out,
            "deleted {} casebook had left beside it (in {}/), which the old key opened: {}",
            crate::core::describe::count(report.cleared.len(), "older copy", "older copies"),
            crate::ops::vault::MERGED_DIR,
            report
                .cleared
                .iter()
                .map(|p| {
                    inline(&p.file_name().unwrap_or_default().to_string_lossy()).into_owned()
                })
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    Ok(())
}

/// How to make the new key the one every command uses, said where the old one came from.
fn use_new_key(config: &Config, new_identity: &Path) -> String {
    let new = crate::ops::export::shell_quote(&new_identity.display().to_string());
    match &config.identity_from {
        crate::cli::IdentityFrom::ConfigFile(path) => format!(
            "update your config file {}: identity = {:?}",
            path.display(),
            new_identity.display().to_string()
        ),
        crate::cli::IdentityFrom::Environment => {
            format!("update CASEBOOK_IDENTITY where you set it: export CASEBOOK_IDENTITY={new}")
        }
        crate::cli::IdentityFrom::Flag => {
            format!("from now on pass -i {new} (or set identity = \"...\" in the config file)")
        }
        crate::cli::IdentityFrom::Default => format!(
            "your old key is the default (~/.ssh/id_ed25519): pass -i {new}, or set \
             identity = {:?} in the config file",
            new_identity.display().to_string()
        ),
    }
}

/// `casebook rekey`: a fresh file key for the current roster, backup included.
pub(super) fn rekey(config: &Config, file: &Path, out: &mut dyn Write) -> Result<(), Error> {
    let mut session = Session::open(config, file)?;
    let saved = session.roster_change(member_ops::rekey)?;
    let told = session.told(saved)?;
    let report = &told.report;
    writeln!(
        out,
        "{} re-encrypted with a fresh file key to {} (backup too)",
        inline(&report.path.display().to_string()),
        crate::core::describe::count(report.recipients, "recipient", "recipients")
    )?;
    cleared(report, out)?;
    told.expunge
}

/// What a member reads after proposing a change that one chair may not make alone.
fn motion_words(file: &Path, name: &str, motion: uuid::Uuid) -> String {
    format!(
        "proposed: the change to {} waits for a majority of the active members (one chair \
         alone does not remove or demote another chair, leave the committee without a chair, \
         or remove a reader of a sealed case they are kept out of); each approves it \
         with\n  casebook approve {} --item {}",
        inline(name),
        crate::ops::export::shell_quote(&file.display().to_string()),
        &crate::core::describe::short_event(&motion)
    )
}

//! What a member can do, once for both front ends.
//!
//! The command line (`commands`) and the interface (`tui`) both call these operations with
//! typed requests and get typed results and errors back; neither calls the other. Nothing here
//! words a flag or a key: each front end says in its own terms what the member can do about an
//! [`Error`].
//!
//! Operations record events on an open [`CaseFile`] without saving;
//! the front end decides when to save (the CLI at once, the interface on Ctrl-S), except for
//! roster changes, which re-encrypt and save at once because the file's recipients change.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cases;
pub mod export;
pub mod expunge;
pub mod file;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod members;
pub mod merge;
pub mod notices;
pub mod person;
pub mod recover;
#[cfg(test)]
mod unsaved_tests;

pub use file::{OpenFile, Saved};

/// What the front ends may name of the vault: keys and recipients, how a file is opened and
/// what a save reports, the key agent, progress reporting, the vault's errors (to word them).
/// Not the file itself: that is reached only through [`OpenFile`] and this crate's
/// operations.
pub mod vault {
    pub use casebook_vault::copies::{MERGED_DIR, conflict_copies, is_conflict_copy};
    pub use casebook_vault::demo::identity as demo_identity;
    pub use casebook_vault::history::Merged;
    pub use casebook_vault::recover::Head;
    pub use casebook_vault::{
        EncryptedTo, Error, Expect, Founder, Identity, MemberSummary, OpenMode, PassphraseSource,
        Recipient, SaveReport, Summary, Trust, WipeOnFree, agent, backup_path, fingerprint, keygen,
        progress, public_key_path, write_new,
    };
}

/// Fill `file` with synthetic cases as `spec` says (`casebook seed`: benchmarks and tests).
pub fn seed(
    file: &mut OpenFile,
    spec: &casebook_vault::synthetic::Spec,
    now: chrono::DateTime<Utc>,
    signer: &casebook_vault::Identity,
) -> Result<(), Error> {
    Ok(casebook_vault::synthetic::fill(
        &mut file.file,
        spec,
        now,
        signer,
    )?)
}

pub use casebook_vault::synthetic::Spec as SeedSpec;

use std::path::PathBuf;

use chrono::Utc;
use uuid::Uuid;

use casebook_core::case::CaseId;
use casebook_core::event::{Event, EventKind};
use casebook_core::process::{Actor, RuleError};
use casebook_core::roster::{Member, MemberId, Roster};
use casebook_vault::CaseFile;

/// An operation that could not be carried out. Messages name the file, case or member
/// concerned; hints are the front ends' to give.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// From the case file or a key.
    #[error(transparent)]
    Vault(#[from] vault::Error),
    /// A process rule refused the change.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The key that opened the file is not an active member's.
    #[error("your key opens {} but is not on its active roster; only members can change it", .file.display())]
    NotAMember {
        /// The case file.
        file: PathBuf,
    },
    /// No item needing attention matches what was given.
    #[error("nothing needing attention on {place} matches {what:?} (items: {})", if .candidates.is_empty() { "none".to_string() } else { .candidates.join(", ") })]
    NothingToResolve {
        /// What was given.
        what: String,
        /// The case's code name, or "the roster".
        place: String,
        /// The items there, by the start of their event id.
        candidates: Vec<String>,
    },
    /// A resolution without a word of why.
    #[error("a resolution must say how it was resolved")]
    EmptyResolution,
    /// No member by that name.
    #[error("no member named {name:?} (members: {})", .roster.join(", "))]
    UnknownMember {
        /// The name given.
        name: String,
        /// The active members' names.
        roster: Vec<String>,
    },
    /// A report file that cannot be imported.
    #[error("{} {source}", .file.display())]
    Import {
        /// The report file.
        file: PathBuf,
        /// What is wrong with it.
        source: casebook_import::ImportError,
    },
    /// A party reference that is not `CODE:N`.
    #[error("{reference:?} is not CODE:N")]
    BadPartyReference {
        /// What was given.
        reference: String,
    },
    /// Opening the sealed details of a party whose details are not sealed.
    #[error("party {number} of {case} has no details held by a custodian")]
    NotHeld {
        /// The case's code name.
        case: String,
        /// The party's number (from 1).
        number: usize,
    },
    /// Opening the sealed details another member holds.
    #[error("party {number} of {case}: the contact is held by {holder}; only they can open it")]
    HeldByOther {
        /// The case's code name.
        case: String,
        /// The party's number (from 1).
        number: usize,
        /// The custodian's name.
        holder: String,
    },
    /// A number of months past what a retention schedule can mean.
    #[error("{months} months is past what a retention schedule can mean; at most {most}")]
    TooManyMonths {
        /// What was given.
        months: u32,
        /// The most taken.
        most: u32,
    },
    /// No party in the cases the member may read is the person a subject-access request names.
    #[error(
        "no party in the cases you may read is {reference:?} (by whole name, address, handle or alias)"
    )]
    NoSuchPerson {
        /// What the member gave.
        reference: String,
    },
    /// A party number the case does not have.
    #[error("{case} has no party {number}")]
    NoSuchParty {
        /// The case's code name.
        case: String,
        /// The number given (from 1).
        number: usize,
    },
    /// The entry a correction names is not text a note can correct (a vote, a status move).
    #[error("entry {entry} of {case} is {kind}, which a note cannot correct")]
    NotAmendable {
        /// The case's code name.
        case: String,
        /// The entry's id, short.
        entry: String,
        /// What it is.
        kind: &'static str,
    },
    /// No timeline entry starts with that id.
    #[error("{case} has no entry {prefix:?}")]
    NoSuchEntry {
        /// The case's code name.
        case: String,
        /// The id (or its start) given.
        prefix: String,
    },
    /// Several timeline entries start with that id.
    #[error("{prefix:?} matches several entries of {case}")]
    AmbiguousEntry {
        /// The case's code name.
        case: String,
        /// The id (or its start) given.
        prefix: String,
    },
    /// A change that changes nothing.
    #[error("nothing to change")]
    NothingToChange,
    /// A note or text that is empty.
    #[error("the {what} is empty")]
    Empty {
        /// What was empty ("note", "rationale").
        what: &'static str,
    },
    /// A reporting period that ends before it starts.
    #[error("the period ends ({to}) before it starts ({from})")]
    PeriodReversed {
        /// The first day.
        from: chrono::NaiveDate,
        /// The last day.
        to: chrono::NaiveDate,
    },
    /// An export that cannot be made.
    #[error(transparent)]
    Export(#[from] casebook_export::ExportError),
    /// The identity cannot sign.
    #[error("{} cannot sign: casebook signs with OpenSSH ed25519 keys", .identity.display())]
    CannotSign {
        /// The identity.
        identity: PathBuf,
    },
    /// `casebook sign` was given a file casebook did not export.
    #[error("{} is not a decision record or transparency report casebook exported", .path.display())]
    NotARecord {
        /// The file.
        path: PathBuf,
    },
    /// The record is not what the case file's history gives at the commit it names: it was
    /// changed after it was exported, or never exported from this history.
    #[error("{0}")]
    RecordDiffers(Box<RecordDiffers>),
    /// The key already signed this record.
    #[error("{} is already signed with this key ({})", .path.display(), .signature.display())]
    AlreadySigned {
        /// The record.
        path: PathBuf,
        /// The signature made with the key.
        signature: PathBuf,
    },
    /// Signing failed.
    #[error("cannot sign with {}: {reason}", .identity.display())]
    Signing {
        /// The identity.
        identity: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The roster member with this name (active or not): as written, or else the one member
/// whose name differs from it only in case ("mei chen" is Mei Chen).
pub fn member_named(roster: &Roster, name: &str) -> Result<Member, Error> {
    let name = name.trim();
    let exact = roster.members().iter().find(|m| m.name == name);
    let folded = || {
        let lower = name.to_lowercase();
        let mut alike = roster
            .members()
            .iter()
            .filter(|m| m.name.to_lowercase() == lower);
        match (alike.next(), alike.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    exact
        .or_else(folded)
        .cloned()
        .ok_or_else(|| Error::UnknownMember {
            name: name.to_string(),
            roster: roster.active().map(|m| m.name.clone()).collect(),
        })
}

/// The active member whose key opened `file`.
pub(crate) fn acting_member(file: &CaseFile) -> Result<Member, Error> {
    file.me()?.ok_or_else(|| Error::NotAMember {
        file: file.label().into(),
    })
}

/// Apply a process rule as the active member whose key opened `file`, under the file's
/// roster and settings as they are now; gives back that member with the rule's result.
pub(crate) fn as_member<T>(
    file: &CaseFile,
    rule: impl FnOnce(Actor<'_>) -> Result<T, RuleError>,
) -> Result<(Member, T), Error> {
    let me = acting_member(file)?;
    let roster = file.roster()?;
    let settings = file.settings();
    let result = rule(Actor {
        member: &me,
        roster: &roster,
        settings: &settings,
    })?;
    Ok((me, result))
}

/// Events by `author`, now, on `case` (or committee-wide), each with a fresh id.
pub fn events_by(
    author: MemberId,
    case: Option<CaseId>,
    kinds: Vec<EventKind>,
    amends: Option<Uuid>,
) -> Vec<Event> {
    let now = Utc::now();
    kinds
        .into_iter()
        .map(|kind| Event {
            id: Uuid::new_v4(),
            case,
            author,
            at: now,
            amends,
            kind,
        })
        .collect()
}

/// A record that is not what the case file's history gives at the commit it names.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} is not what {} gives for {case} at commit {commit}: {difference}; it was not signed",
    .path.display(), .file.display()
)]
pub struct RecordDiffers {
    /// The record.
    pub path: PathBuf,
    /// The case file.
    pub file: PathBuf,
    /// The case.
    pub case: String,
    /// The commit the record names.
    pub commit: String,
    /// The first difference, in words.
    pub difference: String,
}

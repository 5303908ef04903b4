//! Everything that can go wrong with a case file or a key, in words a committee member can act
//! on. Every message names the file or key concerned; the front ends say what to do next.

use std::io;
use std::path::{Path, PathBuf};

/// An error from the vault: opening, saving, locking, keys.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The case file does not exist.
    #[error("{} does not exist", .path.display())]
    NotFound { path: PathBuf },
    /// The operating system refused access to a file.
    #[error("permission denied: {}", .path.display())]
    PermissionDenied { path: PathBuf },
    /// The file's folder is on a filesystem mounted read-only: nothing can be written there.
    #[error("cannot write {}: its folder is on a read-only filesystem", .path.display())]
    ReadOnlyFilesystem { path: PathBuf },
    /// The file is an unencrypted SQLite database.
    #[error("{} is a plaintext SQLite database, not an encrypted case file", .path.display())]
    PlaintextDatabase { path: PathBuf },
    /// The file is not an age file at all.
    #[error("{} is not an age-encrypted file", .path.display())]
    NotAgeFile { path: PathBuf },
    /// The identity cannot decrypt the file.
    #[error("{} is not encrypted to the identity {}", .path.display(), .identity.display())]
    NotARecipient { path: PathBuf, identity: PathBuf },
    /// The encrypted data ends early.
    #[error("{} is truncated or damaged at its end: the encrypted data is incomplete", .path.display())]
    Truncated { path: PathBuf },
    /// Authentication failed: the file was altered after it was written.
    #[error("{} is damaged or was tampered with: {detail}", .path.display())]
    Tampered { path: PathBuf, detail: &'static str },
    /// The file decrypts but holds something other than a casebook database.
    #[error("{} decrypts, but is not a casebook file ({detail})", .path.display())]
    NotCasebook { path: PathBuf, detail: String },
    /// The file was written by a newer casebook.
    #[error(
        "{} uses schema version {found}, newer than this casebook supports ({supported})",
        .path.display()
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// SQLite's integrity check failed after decryption.
    #[error("{} fails SQLite's integrity check: {detail}", .path.display())]
    Corrupt { path: PathBuf, detail: String },
    /// Another casebook process holds the file open for writing.
    #[error("{} is open in another casebook ({holder})", .path.display())]
    Locked { path: PathBuf, holder: String },
    /// The lock sidecar is something casebook must not write through.
    #[error("{} is {what}; casebook will not use it as the lock file", .path.display())]
    UnsafeLock { path: PathBuf, what: String },
    /// The case file is not a regular file (a FIFO, a device, a directory).
    #[error("{} is {what}, not a regular case file", .path.display())]
    NotRegularFile { path: PathBuf, what: String },
    /// The file on disk is not the one this process opened.
    #[error("{} changed on disk since it was opened; casebook did not overwrite it", .path.display())]
    ChangedOnDisk { path: PathBuf },
    /// Creating a file that is already there.
    #[error("{} already exists; casebook will not overwrite it", .path.display())]
    Exists { path: PathBuf },
    /// The disk filled up while saving.
    #[error("disk full while saving {}; the file on disk is unchanged", .path.display())]
    DiskFull { path: PathBuf },
    /// The database holds a table, index, trigger or view that casebook did not create.
    #[error("{} contains {what} casebook did not create: {name}; it was changed outside casebook and is refused", .path.display())]
    ForeignSchema {
        path: PathBuf,
        /// "a trigger", "a table", ...
        what: String,
        name: String,
    },
    /// The signed history is broken: an event or commit was changed, removed or reordered.
    #[error("{}: the signed history does not hold: {detail}", .path.display())]
    HistoryBroken { path: PathBuf, detail: String },
    /// A commit was signed by someone who could not make it at that point.
    #[error("{}: the signed history does not hold: {source}", .path.display())]
    Unauthorized {
        path: PathBuf,
        source: casebook_core::history::Unauthorized,
    },
    /// A record is exported from saved history only: the case has changes not saved yet.
    #[error("{case} has changes not saved yet; a record is made from saved history")]
    UnsavedCase { case: String },
    /// The committee's rules do not allow a change this member is about to record (every
    /// copy's replay would keep it and not apply it).
    #[error("{}: {source}", .path.display())]
    Rule {
        path: PathBuf,
        source: casebook_core::process::RuleError,
    },
    /// The committee's rules do not allow a committee-wide change this member is about to
    /// record.
    #[error("{}: the change is not allowed: {source}", .path.display())]
    RosterRule {
        path: PathBuf,
        source: casebook_core::history::Unauthorized,
    },
    /// A derived table (roster, rules, case state, index) disagrees with the signed history.
    #[error("{}: {what} disagrees with the signed history (changed outside casebook)", .path.display())]
    DerivedMismatch { path: PathBuf, what: String },
    /// The file at a path this laptop knows holds another committee.
    #[error("{} holds a different committee ({found}) than the one this laptop knows at that path ({pinned})", .path.display())]
    OtherCommittee {
        path: PathBuf,
        pinned: String,
        found: String,
    },
    /// A copy given to merge belongs to another committee.
    #[error("{} is a copy of another committee ({theirs}), not of {}'s ({ours}); nothing was merged", .path.display(), .into.display())]
    NotSameCommittee {
        path: PathBuf,
        into: PathBuf,
        ours: String,
        theirs: String,
    },
    /// The committee is not the one the member was told to expect.
    #[error("{} is committee {found}, not the expected {expected}", .path.display())]
    UnexpectedCommittee {
        path: PathBuf,
        expected: String,
        found: String,
    },
    /// The file is an older copy: it lacks history this laptop already verified at that path.
    #[error("{} is an older copy: it lacks the history this laptop verified there on {verified} (last change by {author} on {at}); nothing was written", .path.display())]
    Rollback {
        path: PathBuf,
        /// When this laptop verified the newer history.
        verified: String,
        /// Who made the newest change this laptop saw.
        author: String,
        /// When they made it.
        at: String,
        /// The copies beside it (its backup, sync conflict copies) that were merged and did
        /// not bring that history back.
        tried: Vec<PathBuf>,
    },
    /// The file holds the content of cases this laptop saw expunged: an older copy, which is
    /// not shown.
    #[error("{} is an older copy: it still holds the content of {}, which this laptop saw expunged; nothing of it is shown", .path.display(), .cases.join(", "))]
    PredatesExpunge {
        path: PathBuf,
        /// The cases' code names.
        cases: Vec<String>,
    },
    /// Recording needs a signing key.
    #[error("{} cannot sign changes: only OpenSSH ed25519 keys sign casebook's history (an age key can only read)", .identity.display())]
    CannotSignHistory { identity: PathBuf },
    /// A file from before signed history, which only a chair can adopt.
    #[error("{} was written before casebook signed its history; only a chair can adopt it (one signed commit), and nothing is recorded until then", .path.display())]
    UnsignedHistory { path: PathBuf },
    /// The state directory where this laptop pins committees cannot be used.
    #[error("cannot use {}, where this laptop remembers the committees it has verified: {reason}", .path.display())]
    Pins { path: PathBuf, reason: String },
    /// The case file was opened read-only (the demo, or without the lock).
    #[error("{label} is open read-only; nothing was written")]
    ReadOnly { label: String },
    /// The screen is locked (the file held encrypted in memory): nothing to save until unlocked.
    #[error("{label} is locked (the screen lock); nothing was written")]
    ScreenLocked { label: String },
    /// An event to drop is not an unsaved change (saved already, or signed into a merge).
    #[error("{event} is not an unsaved change in {}: only changes not yet saved can be dropped", .path.display())]
    NotUnsaved { path: PathBuf, event: String },
    /// A case was sealed since the last save: its content is already sealed in memory, and
    /// dropping a change would need it back in plaintext. Nothing was dropped.
    #[error(
        "{code} was sealed since the last save of {}, so no change can be dropped one by one \
         until the file is saved; nothing was dropped",
        .path.display()
    )]
    SealedSinceSave { path: PathBuf, code: String },
    /// A save would produce a file the saver cannot open.
    #[error("saving {} would lock you out: your identity is not among its recipients", .path.display())]
    WouldLockOut { path: PathBuf },
    /// The written file did not decrypt again, so it was not put in place.
    #[error("the new version of {} did not decrypt again ({detail}); the file on disk is unchanged", .path.display())]
    VerifyFailed { path: PathBuf, detail: String },
    /// Reading a file failed for another reason.
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: io::Error },
    /// Writing a file failed for another reason.
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: io::Error },
    /// SQLite reported an error on the decrypted database.
    #[error("database error in {}: {source}", .path.display())]
    Database {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// Encryption could not start (for example an unusable recipient).
    #[error("cannot encrypt {}: {detail}", .path.display())]
    Encrypt { path: PathBuf, detail: String },

    /// No identity file at the given path.
    #[error("identity {} does not exist", .path.display())]
    IdentityNotFound { path: PathBuf, agent_running: bool },
    /// The key agent cannot be started, reached or trusted.
    #[error("casebook agent ({}): {detail}", .socket.display())]
    Agent { socket: PathBuf, detail: String },
    /// A public key was given where a private key is needed.
    #[error("{} is a public key; casebook needs the private key", .path.display())]
    PublicKeyGiven { path: PathBuf },
    /// A key type casebook does not accept.
    #[error("{} is {what}, which casebook does not support", .path.display())]
    UnsupportedKey { path: PathBuf, what: String },
    /// The file is not a key of any kind casebook knows.
    #[error("{} is not an OpenSSH private key or an age identity", .path.display())]
    UnrecognisedIdentity { path: PathBuf },
    /// The passphrase did not decrypt the key.
    #[error("wrong passphrase for {}", .path.display())]
    WrongPassphrase { path: PathBuf },
    /// A passphrase is needed and cannot be asked for.
    #[error("{} is passphrase-protected and there is no terminal to ask for the passphrase", .path.display())]
    PassphraseUnavailable { path: PathBuf },
    /// A new key was to be protected, and there is no terminal to ask for the passphrase.
    #[error("cannot ask for a passphrase to protect the new key {}: there is no terminal; nothing was written", .path.display())]
    NewPassphraseUnavailable { path: PathBuf },
    /// The two entries of a new passphrase differ.
    #[error("the passphrases did not match")]
    PassphraseMismatch,
    /// A new passphrase was empty.
    #[error("the passphrase is empty")]
    PassphraseEmpty,
    /// No case has this code name.
    #[error("{file} has no case named {code:?}{}", if .near.is_empty() { String::new() } else { format!(" (similar: {})", .near.join(", ")) })]
    UnknownCase {
        file: String,
        code: String,
        near: Vec<String>,
    },
    /// A recipient string that is not an ed25519 SSH key or an age X25519 recipient.
    #[error("invalid recipient {recipient:?}: {reason}")]
    InvalidRecipient { recipient: String, reason: String },
}

impl Error {
    /// Classify an I/O error on reading `path`.
    pub fn reading(path: &Path, err: io::Error) -> Error {
        let path = path.to_path_buf();
        match err.kind() {
            io::ErrorKind::NotFound => Error::NotFound { path },
            io::ErrorKind::PermissionDenied => Error::PermissionDenied { path },
            _ => Error::Read { path, source: err },
        }
    }

    /// Classify an I/O error on writing `path`.
    pub fn writing(path: &Path, err: io::Error) -> Error {
        let path = path.to_path_buf();
        match err.kind() {
            io::ErrorKind::PermissionDenied => Error::PermissionDenied { path },
            io::ErrorKind::ReadOnlyFilesystem => Error::ReadOnlyFilesystem { path },
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Error::DiskFull { path },
            io::ErrorKind::AlreadyExists => Error::Exists { path },
            _ => Error::Write { path, source: err },
        }
    }

    /// Wrap an SQLite error on the database decrypted from `path`.
    pub(crate) fn database(path: &Path, source: rusqlite::Error) -> Error {
        Error::Database {
            path: path.to_path_buf(),
            source,
        }
    }
}

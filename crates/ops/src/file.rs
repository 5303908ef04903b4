//! The one door from the front ends to the case file.
//!
//! [`OpenFile`] wraps the vault's open file and lets a front end do only what a member does:
//! read what the file holds, record changes through the other modules of this crate, save
//! (which applies what an approved expunge asks of the laptop, every time), lock the screen,
//! merge another copy. The front ends do not depend on `casebook-vault`, so reaching around
//! this door is a compile error, not a convention.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ref_cast::RefCast;
use uuid::Uuid;
use zeroize::Zeroizing;

use casebook_core::case::{Case, CaseId};
use casebook_core::event::Event;
use casebook_core::history::Committee;
use casebook_core::process::Settings;
use casebook_core::roster::{Member, Roster};
use casebook_vault::history::{LogEntry, Merged};
use casebook_vault::recover::Head;
use casebook_vault::{
    self as vault, CaseFile, Expect, Founder, Identity, OpenMode, Recipient, SavePolicy,
    SaveReport, Summary, Trust,
};

use crate::Error;
use crate::merge::{DiscardedCopy, MergedCopy};

/// A case file open on this laptop.
#[derive(RefCast)]
#[repr(transparent)]
pub struct OpenFile {
    pub(crate) file: CaseFile,
}

/// What a save did: the vault's report, the conflict copies deleted, and what applying an
/// expunge told the member (one line each, `note:` or `warning:`; empty when the save erased
/// nothing).
#[derive(Debug)]
pub struct Saved {
    /// Where it was saved, how large, to how many recipients, what was merged on the way.
    pub report: SaveReport,
    /// The sync conflict copies merged before the save: deleted, or why not.
    pub copies: Vec<DiscardedCopy>,
    /// What the laptop did after an expunge took effect at this save, or why it could not
    /// (the file is saved all the same: the front end words the error).
    pub expunged: Result<Vec<String>, Error>,
}

impl From<CaseFile> for OpenFile {
    fn from(file: CaseFile) -> OpenFile {
        OpenFile { file }
    }
}

impl OpenFile {
    /// The vault's open file as the door (for this crate's operations that call each other).
    pub(crate) fn wrap(file: &mut CaseFile) -> &mut OpenFile {
        OpenFile::ref_cast_mut(file)
    }

    /// The same, to read.
    pub(crate) fn wrap_ref(file: &CaseFile) -> &OpenFile {
        OpenFile::ref_cast(file)
    }

    /// The vault's file behind the door, for tests that forge or inspect what no operation
    /// may (the `testing` feature, a dev-dependency of the front ends only).
    #[cfg(feature = "testing")]
    pub fn vault(&mut self) -> &mut CaseFile {
        &mut self.file
    }

    /// The door in front of a vault file opened by a test (the `testing` feature).
    #[cfg(feature = "testing")]
    pub fn of(file: &mut CaseFile) -> &mut OpenFile {
        OpenFile::wrap(file)
    }

    /// The active member whose key opened the file.
    pub fn acting_member(&self) -> Result<Member, Error> {
        crate::acting_member(&self.file)
    }

    /// Apply a process rule as the member whose key opened the file: their roster entry, with
    /// what the rule gave.
    pub fn as_member<T>(
        &self,
        rule: impl FnOnce(
            casebook_core::process::Actor<'_>,
        ) -> Result<T, casebook_core::process::RuleError>,
    ) -> Result<(Member, T), Error> {
        crate::as_member(&self.file, rule)
    }

    /// Case `code`, if the member may read it: not hidden from them by a hard conflict, and
    /// not sealed away from them.
    pub fn readable(&mut self, code: &str) -> Result<Case, Error> {
        crate::cases::readable(&mut self.file, code)
    }

    /// Open `path` as `identity`.
    pub fn open(path: &Path, identity: &Identity, mode: OpenMode) -> Result<OpenFile, Error> {
        OpenFile::open_expecting(path, identity, mode, &Expect::default())
    }

    /// Open `path` as `identity`, refusing a file that is not the committee `expect` names.
    pub fn open_expecting(
        path: &Path,
        identity: &Identity,
        mode: OpenMode,
        expect: &Expect,
    ) -> Result<OpenFile, Error> {
        Ok(CaseFile::open_expecting(path, identity, mode, expect)?.into())
    }

    /// Open `path` for writing, merging in what this laptop's own recent copies hold that it
    /// does not (see the vault's `open_recovering`); gives the copies merged.
    pub fn open_recovering(
        path: &Path,
        identity: &Identity,
        expect: &Expect,
    ) -> Result<(OpenFile, Vec<(PathBuf, Merged)>), Error> {
        let (file, recovered) = CaseFile::open_recovering(path, identity, expect)?;
        Ok((file.into(), recovered))
    }

    /// Open `path` for writing even when it is older than what this laptop saw, to merge the
    /// newer copy into it.
    pub fn open_behind(
        path: &Path,
        identity: &Identity,
        expect: &Expect,
    ) -> Result<OpenFile, Error> {
        Ok(CaseFile::open_behind(path, identity, expect)?.into())
    }

    /// Create a new committee's file at `path`, founded by `identity`'s member.
    pub fn create(
        path: &Path,
        identity: &Identity,
        founder: &Founder,
        extra: &[Recipient],
        armor: bool,
        now: DateTime<Utc>,
    ) -> Result<OpenFile, Error> {
        Ok(CaseFile::create(path, identity, founder, extra, armor, now)?.into())
    }

    /// The built-in demo committee, open in memory, with its chair's key.
    pub fn demo() -> Result<(OpenFile, Identity), Error> {
        let (file, identity) = vault::demo::open()?;
        Ok((file.into(), identity))
    }

    /// The file's name, as the member gave it.
    pub fn label(&self) -> String {
        self.file.label()
    }

    /// The file the given path links to, when it was a symbolic link.
    pub fn followed_link(&self) -> Option<&Path> {
        self.file.followed_link()
    }

    /// Whether anything is recorded that is not saved yet.
    pub fn is_dirty(&self) -> bool {
        self.file.is_dirty()
    }

    /// The committee's members, as the replay derives them.
    pub fn roster(&self) -> Result<Roster, Error> {
        Ok(self.file.roster()?)
    }

    /// The member whose key opened the file, if the roster has them.
    pub fn me(&self) -> Result<Option<Member>, Error> {
        Ok(self.file.me()?)
    }

    /// Refuse early when the file cannot be saved (opened to read, or the demo).
    pub fn check_writable(&self) -> Result<(), Error> {
        Ok(self.file.check_writable()?)
    }

    /// Whether another save replaced the file on disk since it was opened.
    pub fn changed_on_disk(&self) -> bool {
        self.file.changed_on_disk()
    }

    /// Every case the member may see, by id.
    pub fn cases(&mut self) -> Result<&BTreeMap<CaseId, Case>, Error> {
        Ok(self.file.cases()?)
    }

    /// The case whose code name is `code`.
    pub fn case_by_code(&mut self, code: &str) -> Result<Case, Error> {
        Ok(self.file.case_by_code(code)?)
    }

    /// The events of `case`, oldest first.
    pub fn timeline(&self, case: CaseId) -> Result<Vec<Event>, Error> {
        Ok(self.file.timeline(case)?)
    }

    /// The committee's own events (roster, settings), oldest first.
    pub fn committee_events(&self) -> Result<Vec<Event>, Error> {
        Ok(self.file.committee_events()?)
    }

    /// The committee's settings.
    pub fn settings(&self) -> Settings {
        self.file.settings()
    }

    /// The attachment whose SHA-256 is `sha256`, if the file holds it.
    pub fn attachment(&self, sha256: &str) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        Ok(self.file.attachment(sha256)?)
    }

    /// What the replay of the whole history derives for the committee.
    pub fn committee(&self) -> Result<Committee, Error> {
        Ok(self.file.committee()?)
    }

    /// Changes kept in the history but not applied (they broke a rule), with why.
    pub fn held(&self) -> Result<Vec<(Uuid, String)>, Error> {
        Ok(self.file.held()?)
    }

    /// Whether the file is older than what this laptop saw (opened to merge into it).
    pub fn is_behind(&self) -> bool {
        self.file.is_behind()
    }

    /// Why an older file is refused for anything but merging, when it is older.
    pub fn behind_refusal(&self) -> Option<Error> {
        self.file.behind_refusal().map(Error::from)
    }

    /// The newest commit and who signed it, for `log --head` and recovery.
    pub fn head_commit(&self) -> Result<Head, Error> {
        Ok(self.file.head_commit()?)
    }

    /// The newest commit's id and the digest of the history up to it (`log --head`).
    pub fn head(&self) -> Result<(Option<String>, String), Error> {
        Ok(self.file.head()?)
    }

    /// What needs the committee's attention, besides single cases.
    pub fn committee_attention(&self) -> Result<Vec<casebook_core::attention::Attention>, Error> {
        Ok(self.file.committee_attention()?)
    }

    /// What `info` shows: the committee, its recipients, its counts.
    pub fn summary(&self) -> Result<Summary, Error> {
        Ok(self.file.summary()?)
    }

    /// What this laptop checked of the file's signatures, and the committee's fingerprint.
    pub fn trust(&self) -> &Trust {
        self.file.trust()
    }

    /// The signed history, newest first.
    pub fn log(&self) -> Result<Vec<LogEntry>, Error> {
        Ok(self.file.log()?)
    }

    /// The changes recorded since the last save.
    pub fn unsaved_events(&self) -> Result<Vec<Event>, Error> {
        Ok(self.file.unsaved_events()?)
    }

    /// Whether `event` seals its case (so dropping it would unseal the case).
    pub fn seals_its_case(&self, event: &Event) -> bool {
        self.file.seals_its_case(event)
    }

    /// Drop the unsaved change `id` (and what depends on it); gives what was dropped.
    pub fn drop_unsaved(&mut self, id: Uuid) -> Result<Vec<Event>, Error> {
        Ok(self.file.drop_unsaved(id)?)
    }

    /// Save over the file, signed by `identity`'s member; then delete the sync conflict copies
    /// `merged` into it (everything they held is saved now), and, when the save erased an
    /// expunged case's content here, delete casebook's leftovers of it, look for copies
    /// casebook cannot reach (exports in `export_dir` among them) and sign that this laptop
    /// applied the expunge. Every front end saves through
    /// here, so none can skip a step. When the save itself fails (`Err`) the copies stay
    /// where they are; once it succeeded, what happened to each copy is in [`Saved::copies`]
    /// even when applying the expunge failed.
    pub fn save(
        &mut self,
        identity: &Identity,
        export_dir: &Path,
        merged: Vec<MergedCopy>,
    ) -> Result<Saved, Error> {
        self.save_under(identity, SavePolicy::default(), export_dir, merged)
    }

    /// [`OpenFile::save`] under `policy`: the roster changes, which save at once (see
    /// [`crate::members`]), save through here too, so that they also delete the copies merged
    /// and apply an expunge that took effect.
    pub(crate) fn save_under(
        &mut self,
        identity: &Identity,
        policy: SavePolicy,
        export_dir: &Path,
        merged: Vec<MergedCopy>,
    ) -> Result<Saved, Error> {
        let report = self.file.save_with(identity, policy)?;
        // The copies go first: what is left beside the file after an expunge is then what
        // casebook could not reach.
        let copies = crate::merge::discard_merged(merged);
        let expunged = crate::expunge::apply(&mut self.file, identity, &report.path, export_dir);
        Ok(Saved {
            report,
            copies,
            expunged,
        })
    }

    /// Save to a new file at `path` (this file stays as it was).
    pub fn save_as(&mut self, path: &Path, identity: &Identity) -> Result<SaveReport, Error> {
        Ok(self.file.save_as(path, identity)?)
    }

    /// Lock the screen: the decrypted database is encrypted again in memory, to `identity`
    /// only, with the note being written (`draft`), until [`OpenFile::unlock_screen`].
    pub fn lock_screen(&mut self, identity: &Identity, draft: Option<&str>) -> Result<(), Error> {
        Ok(self.file.lock_screen(identity, draft)?)
    }

    /// Whether the screen is locked.
    pub fn is_screen_locked(&self) -> bool {
        self.file.is_screen_locked()
    }

    /// Unlock the screen with the member's key; gives back the note being written.
    pub fn unlock_screen(
        &mut self,
        identity: &Identity,
    ) -> Result<Option<Zeroizing<String>>, Error> {
        Ok(self.file.unlock_screen(identity)?)
    }

    /// Sign the file's unsigned history as its chair (`casebook adopt`).
    pub fn adopt(&mut self, chair: &Identity, at: DateTime<Utc>) -> Result<(), Error> {
        Ok(self.file.adopt(chair, at)?)
    }

    /// Bring an older file up to what this laptop last saw, from the laptop's own record;
    /// `false` when that is not enough (see [`OpenFile::catch_up_from_copies`]).
    pub fn catch_up(&mut self) -> Result<bool, Error> {
        Ok(self.file.catch_up()?)
    }

    /// Bring an older file up to date from the copies beside it.
    pub fn catch_up_from_copies(
        &mut self,
        identity: &Identity,
    ) -> Result<Vec<(PathBuf, Merged)>, Error> {
        Ok(self.file.catch_up_from_copies(identity)?)
    }
}

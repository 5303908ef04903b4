//! A case file opened by an active member to change it: the one path every mutating command
//! takes (open with the writer's lock as that member, let [`crate::ops`] record the change,
//! save atomically before the command ends).

use std::path::{Path, PathBuf};

use super::{Error, load_identity};
use crate::cli::Config;
use crate::core::roster::Member;
use crate::core::sanitize::inline;
use crate::ops;
use crate::ops::OpenFile;
use crate::ops::merge::MergedCopy;
use crate::ops::vault::{Identity, OpenMode, SaveReport};

/// What a save did, told: its report, and whether applying an expunge that took effect at it
/// failed (the file saved all the same).
pub(super) struct Told {
    pub(super) report: SaveReport,
    pub(super) expunge: Result<(), Error>,
}

/// An open case file and the member changing it.
pub(super) struct Session {
    pub(super) file: OpenFile,
    pub(super) identity: Identity,
    pub(super) me: Member,
    /// Sync conflict copies merged when the file was opened: they stay where they are until
    /// the merged file is saved, then go aside.
    copies: Vec<MergedCopy>,
    /// Where the member's exports go (looked through after an expunge).
    export_dir: PathBuf,
}

impl Session {
    /// Open `path` for writing as the member whose key the config names. A command given
    /// `--save-as` only reads `path` (no lock beside it: its folder may be read-only) and
    /// writes the new file, locked beside it.
    pub(super) fn open(config: &Config, path: &Path) -> Result<Session, Error> {
        let identity = load_identity(config)?;
        if config.command.save_as().is_some() {
            let file = super::open_file(config, path, &identity, OpenMode::ReadOnly)?;
            let mut session = Session::with(file, identity)?;
            session.export_dir.clone_from(&config.interface.export_dir);
            return Ok(session);
        }
        let file = super::open_file(config, path, &identity, OpenMode::ReadWrite)?;
        let mut session = Session::with(file, identity)?;
        session.export_dir.clone_from(&config.interface.export_dir);
        session.merge_conflict_copies(&[])?;
        Ok(session)
    }

    /// The session of `identity`'s member on `file` (opened for writing).
    pub(super) fn with(file: OpenFile, identity: Identity) -> Result<Session, Error> {
        let me = file.acting_member()?;
        Ok(Session {
            file,
            identity,
            me,
            copies: Vec::new(),
            export_dir: PathBuf::from("exports"),
        })
    }

    /// Merge the sync conflict copies beside the file, except `skip` (named by the member and
    /// merged as such). They are deleted by [`Session::save`], once what they brought is
    /// saved; a copy that cannot be merged is left where it is, and the member told why.
    pub(super) fn merge_conflict_copies(&mut self, skip: &[PathBuf]) -> Result<(), Error> {
        let (merged, refused) =
            ops::merge::merge_conflict_copies(&mut self.file, &self.identity, skip);
        for (copy, why) in &refused {
            eprintln!(
                "warning: the sync conflict copy {} was left where it is, not merged: {}",
                inline(&copy.display().to_string()),
                inline(&why.to_string())
            );
        }
        self.copies.extend(merged);
        Ok(())
    }

    /// Conflict copies merged so far that are to go aside after the save (for example copies
    /// the member named to `casebook merge`).
    pub(super) fn discard_after_save(&mut self, copies: Vec<MergedCopy>) {
        self.copies.extend(copies);
    }

    /// Save what was recorded, over the file or to a new one; then delete the conflict copies
    /// whose changes are now in the saved file.
    pub(super) fn save(mut self, save_as: Option<&Path>) -> Result<SaveReport, Error> {
        warn_if_clock_behind(&self.file);
        let copies = std::mem::take(&mut self.copies);
        let saved = match save_as {
            Some(path) => ops::Saved {
                report: self.file.save_as(path, &self.identity)?,
                copies: ops::merge::discard_merged(copies),
                expunged: Ok(Vec::new()),
            },
            None => self.file.save(&self.identity, &self.export_dir, copies)?,
        };
        let told = self.told(saved)?;
        told.expunge?;
        Ok(told.report)
    }

    /// Make a roster change, which saves at once: `change` is given the file, the member's
    /// key, and what its save finishes with (the export folder, and the conflict copies merged
    /// since the file was opened, which that save deletes). Say what the save did with
    /// [`Session::told`].
    pub(super) fn roster_change<T>(
        &mut self,
        change: impl FnOnce(&mut OpenFile, &Identity, ops::members::Finish<'_>) -> Result<T, ops::Error>,
    ) -> Result<T, Error> {
        warn_if_clock_behind(&self.file);
        let finish = ops::members::Finish {
            export_dir: &self.export_dir,
            merged: std::mem::take(&mut self.copies),
        };
        Ok(change(&mut self.file, &self.identity, finish)?)
    }

    /// Tell the member what a save did besides writing the file: what it merged on the way,
    /// what it displaced, the conflict copies it deleted, what applying an expunge did. Gives
    /// the save's report, and whether applying the expunge failed (the file is saved: the
    /// command says what it did, then fails with it).
    pub(super) fn told(&self, saved: ops::Saved) -> Result<Told, Error> {
        let ops::Saved {
            report,
            copies,
            expunged,
        } = saved;
        let roster = self.file.roster()?;
        if let Some(merged) = report.merged.as_ref().filter(|m| !m.is_empty()) {
            eprintln!(
                "note: {} had changed on disk since it was opened (another copy was saved \
                 there); merged its {} before saving",
                inline(&report.path.display().to_string()),
                super::merge::came_in(merged, &roster)
            );
        }
        for line in crate::ops::notices::displaced(&report, &roster) {
            eprintln!("{line}");
        }
        self.tell_discarded(copies, &roster);
        // What applying an expunge did (after the copies: what it lists as left beside the
        // file is then what casebook could not reach), or why it failed, the file saved.
        let expunge = expunged.map_err(Error::from).map(|lines| {
            for line in lines {
                eprintln!("{line}");
            }
        });
        Ok(Told { report, expunge })
    }

    /// End the session: save when anything was recorded or merged (whatever a command
    /// merges is saved by it), else move aside the conflict copies that brought nothing new
    /// (everything in them is in the file on disk already).
    pub(super) fn close(mut self) -> Result<Option<SaveReport>, Error> {
        if self.file.is_dirty() {
            return self.save(None).map(Some);
        }
        let roster = self.file.roster()?;
        let copies = std::mem::take(&mut self.copies);
        self.tell_discarded(ops::merge::discard_merged(copies), &roster);
        Ok(None)
    }

    /// Say what became of each merged conflict copy.
    fn tell_discarded(
        &self,
        discarded: Vec<ops::merge::DiscardedCopy>,
        roster: &crate::core::roster::Roster,
    ) {
        let file = inline(&self.file.label()).into_owned();
        for done in discarded {
            let copy = inline(&done.copy.display().to_string()).into_owned();
            let came_in = if done.merged.is_empty() {
                "nothing new".to_string()
            } else {
                super::merge::came_in(&done.merged, roster)
            };
            match done.deleted {
                Ok(()) => eprintln!(
                    "note: merged the sync conflict copy {copy} ({came_in}) and deleted it: \
                     everything it held is in {file}"
                ),
                Err(why) => eprintln!(
                    "warning: merged the sync conflict copy {copy} ({came_in}), but it stays \
                     where it is: {}",
                    inline(&why.to_string())
                ),
            }
        }
    }

    /// Apply one change to case `code` and save.
    pub(super) fn change_case(
        mut self,
        code: &str,
        change: ops::cases::CaseChange,
        save_as: Option<&Path>,
    ) -> Result<ops::cases::Changed, Error> {
        let changed = ops::cases::change(&mut self.file, code, change)?;
        self.save(save_as)?;
        Ok(changed)
    }
}

/// Before signing: say so when this laptop's clock is earlier than the newest change in the
/// file, and by how much.
pub(super) fn warn_if_clock_behind(file: &OpenFile) {
    if let Ok(Some(behind)) = ops::notices::clock_behind(file, chrono::Utc::now()) {
        eprintln!(
            "warning: {}",
            ops::notices::clock_warning(&file.label(), &behind)
        );
    }
}

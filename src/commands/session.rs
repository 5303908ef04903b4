//! A case file opened by an active member to change it: the one path every mutating command
//! takes (open with the writer's lock as that member, let [`crate::ops`] record the change,
//! save atomically before the command ends).

use std::path::Path;

use super::{Error, load_identity};
use crate::cli::Config;
use crate::core::roster::Member;
use crate::ops;
use crate::vault::{CaseFile, Identity, OpenMode, SaveReport};

/// An open case file and the member changing it.
pub(super) struct Session {
    pub(super) file: CaseFile,
    pub(super) identity: Identity,
    pub(super) me: Member,
}

impl Session {
    /// Open `path` for writing as the member whose key the config names.
    pub(super) fn open(config: &Config, path: &Path) -> Result<Session, Error> {
        let identity = load_identity(config)?;
        let file = Session::open_file(config, path, &identity)?;
        Session::with(file, identity)
    }

    /// The session of `identity`'s member on `file` (opened by [`Session::open_file`]).
    pub(super) fn with(file: CaseFile, identity: Identity) -> Result<Session, Error> {
        let me = ops::acting_member(&file)?;
        Ok(Session { file, identity, me })
    }

    /// Open `path` for writing as the member whose key is `identity`, with the sync conflict
    /// copies beside it merged.
    pub(super) fn open_file(
        config: &Config,
        path: &Path,
        identity: &Identity,
    ) -> Result<CaseFile, Error> {
        let mut file = super::open_file(config, path, identity, OpenMode::ReadWrite)?;
        ops::acting_member(&file)?;
        // Conflict copies a sync tool left beside the file are merged first.
        let (merged, refused) = ops::merge::merge_conflict_copies(&mut file, identity);
        let roster = file.roster()?;
        for copy in &merged {
            eprintln!(
                "note: merged the sync conflict copy {} ({}) and moved it to {}",
                copy.copy.display(),
                super::merge::came_in(&copy.merged, &roster),
                copy.moved_to.display()
            );
        }
        for (copy, why) in &refused {
            eprintln!(
                "warning: the sync conflict copy {} was left where it is, not merged: {why}",
                copy.display()
            );
        }
        Ok(file)
    }

    /// Save what was recorded, over the file or to a new one.
    pub(super) fn save(mut self, save_as: Option<&Path>) -> Result<SaveReport, Error> {
        let report = match save_as {
            Some(path) => self.file.save_as(path, &self.identity)?,
            None => self.file.save(&self.identity)?,
        };
        if let Some(merged) = report.merged.as_ref().filter(|m| !m.is_empty()) {
            eprintln!(
                "note: {} had changed on disk since it was opened (another copy was saved \
                 there); merged its {} before saving",
                report.path.display(),
                super::merge::came_in(merged, &self.file.roster()?)
            );
        }
        Ok(report)
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

//! Merging another copy of a case file into this one (see [`crate::history`]'s
//! merge): by name (`casebook merge`, sync conflict copies), and when a save finds the file
//! changed on disk since it was opened.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::open::decrypt_database;
use super::{CaseFile, Origin};
use crate::atomic::Stamp;
use crate::history::{self, Merged};
use crate::schema::Check;
use crate::{Error, Identity, copies, crypto, store};

impl CaseFile {
    /// Bring every change of the copy at `other` (decrypted with `identity`) into this file,
    /// verified; a merge commit is signed with `identity` when both had changes the other
    /// lacked. The other copy is only read. Saving is the caller's.
    pub fn merge_file(&mut self, other: &Path, identity: &Identity) -> Result<Merged, Error> {
        self.merge_file_reading(other, identity, identity)
    }

    /// [`CaseFile::merge_file`] of a copy that `reader` decrypts (a member's key from before
    /// they rotated it, say); `identity` signs.
    pub fn merge_file_reading(
        &mut self,
        other: &Path,
        reader: &Identity,
        identity: &Identity,
    ) -> Result<Merged, Error> {
        let copy = OtherCopy::read(other, reader)?;
        self.merge_copy(&copy, identity)
    }

    /// [`CaseFile::merge_file`] of a copy already read (see [`OtherCopy::read`]).
    pub fn merge_copy(&mut self, copy: &OtherCopy, identity: &Identity) -> Result<Merged, Error> {
        self.merge_connection(&copy.conn, &copy.path, identity)
    }

    fn merge_connection(
        &mut self,
        other: &Connection,
        label: &Path,
        identity: &Identity,
    ) -> Result<Merged, Error> {
        let path = PathBuf::from(self.label());
        if self.locked.is_some() {
            return Err(Error::ScreenLocked {
                label: self.label(),
            });
        }
        if self.trust.unsigned {
            return Err(Error::UnsignedHistory { path });
        }
        let me = self
            .roster()?
            .active_by_recipient(identity.recipient())
            .cloned()
            .ok_or_else(|| Error::CannotSignHistory {
                identity: identity.label().to_path_buf(),
            })?;
        // What this member recorded is signed first: it is one side of the merge.
        let now = chrono::Utc::now();
        self.commit(identity, now)?;
        let keys = &mut self.keys;
        let merged = history::merge(
            &self.conn,
            &path,
            other,
            label,
            identity,
            me.id,
            now,
            &self.trust.stored,
            &mut |tx| crate::sealing::unseal(tx, identity, keys, &path),
        )?;
        if merged.is_empty() {
            return Ok(merged);
        }
        // Sealings that came in, and plaintext of cases sealed here, take their stored form.
        let settled = crate::sealing::settle(
            &self.conn,
            &mut self.keys,
            Some(me.id),
            Some(identity),
            None,
            true,
            &path,
        )?;
        self.retire_backup |= settled.newly_sealed;
        self.summaries_due = true;
        #[cfg(debug_assertions)]
        history::check_against_replay(&self.conn, &path)?;
        self.committed = store::last_seq(&self.conn).map_err(|e| Error::database(&path, e))?;
        self.index = None;
        self.settings = store::settings(&self.conn).map_err(|e| Error::database(&path, e))?;
        if let Some(history) = &merged.history {
            self.trust.stored = history.stored.clone();
            self.trust.head = Some(history.head.clone());
            self.trust.commits = history.commits;
        }
        self.retire_backup |= merged.roster_changed;
        // What came in may hold content of a case expunged here, or an expunge's approval.
        self.erase_due = true;
        self.dirty = true;
        Ok(merged)
    }

    /// The committee as the history gives it: roster, rules, and the motions waiting for a
    /// majority.
    pub fn committee(&self) -> Result<casebook_core::history::Committee, Error> {
        let path = Path::new(&self.label()).to_path_buf();
        let db = |e| Error::database(&path, e);
        Ok(match store::committee(&self.conn).map_err(db)? {
            Some(committee) => committee,
            None => casebook_core::history::Committee::replayed(
                &store::committee_events(&self.conn).map_err(db)?,
            ),
        })
    }

    /// Case `id` replayed from its events through the engine, every event in its own causal
    /// past (what verification derives), for comparing with the state a change recorded.
    pub fn replay_case(
        &self,
        id: casebook_core::case::CaseId,
    ) -> Result<Option<casebook_core::case::Case>, Error> {
        let path = Path::new(&self.label()).to_path_buf();
        let db = |e| Error::database(&path, e);
        let replayer = history::Replayer::read(&self.conn).map_err(db)?;
        replayer.case(&self.conn, id).map_err(db)
    }

    /// Case `id` as the history up to `commit` gives it (see `history::Replayer::case_at`):
    /// its state, its events then, and the roster then; `None` when the history holds no such
    /// commit or case.
    pub fn case_at(
        &self,
        id: casebook_core::case::CaseId,
        commit: &str,
    ) -> Result<Option<crate::history::CaseAt>, Error> {
        let path = Path::new(&self.label()).to_path_buf();
        let db = |e| Error::database(&path, e);
        let replayer = history::Replayer::read(&self.conn).map_err(db)?;
        replayer.case_at(&self.conn, id, commit).map_err(db)
    }

    /// The committee-wide events the rules did not apply (and those of no case), with why; a
    /// case's own are in its state.
    pub fn held(&self) -> Result<Vec<(uuid::Uuid, String)>, Error> {
        store::held(&self.conn).map_err(|e| Error::database(Path::new(&self.label()), e))
    }

    /// Roster changes a merge could not apply, waiting for a member's attention (a case's own
    /// are in its state).
    pub fn committee_attention(&self) -> Result<Vec<casebook_core::attention::Attention>, Error> {
        store::attention(&self.conn).map_err(|e| Error::database(Path::new(&self.label()), e))
    }

    /// When the file on disk is no longer the version this was opened from (a sync tool
    /// brought another member's copy, say): merge that copy in, and give its stamp, so that
    /// the save that follows replaces exactly what was merged. `None` when it is unchanged.
    pub(super) fn merge_disk_copy(
        &mut self,
        identity: &Identity,
    ) -> Result<Option<(Merged, Stamp)>, Error> {
        let Origin::Disk { path, stamp, .. } = &self.origin else {
            return Ok(None);
        };
        let path = path.clone();
        match Stamp::of_path(&path) {
            Ok(Some(now)) if now == *stamp => return Ok(None),
            // Gone: the save puts it back.
            Ok(None) => return Ok(None),
            _ => {}
        }
        let mut file = copies::open_copy(&path)?;
        let now = Stamp::of_file(&mut file).map_err(|e| Error::reading(&path, e))?;
        let prefix = crypto::prefix(&file).map_err(|e| Error::reading(&path, e))?;
        let (armor, _) = crypto::inspect(&prefix, &path)?;
        let (conn, _) = decrypt_database(&file, armor, identity, &path, Check::Merged)?;
        let merged = self.merge_connection(&conn, &path, identity)?;
        Ok(Some((merged, now)))
    }
}

/// Another copy of a case file, decrypted into memory to be merged: read (decrypting it,
/// and checking the tables a merge reads) while the file it merges into is opened, a merge
/// costs little more than opening and saving that file.
pub struct OtherCopy {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl OtherCopy {
    /// Decrypt the copy at `path` with `reader` (nothing of it is trusted yet: a merge checks
    /// what it takes from it).
    pub fn read(path: &Path, reader: &Identity) -> Result<OtherCopy, Error> {
        let (conn, _) = read_copy(path, reader)?;
        Ok(OtherCopy {
            conn,
            path: path.to_path_buf(),
        })
    }
}

impl OtherCopy {
    /// `plaintext` as another copy that decrypted to it (for the fuzz targets in `fuzz/`).
    pub(crate) fn from_plaintext(
        plaintext: &[u8],
        label: &Path,
        reader: &Identity,
    ) -> Result<OtherCopy, Error> {
        let (conn, _) = super::open::plaintext_database(plaintext, label, Check::Merged)?;
        crate::sealing::unseal(
            &conn,
            reader,
            &mut crate::sealing::Keyring::default(),
            label,
        )?;
        Ok(OtherCopy {
            conn,
            path: label.to_path_buf(),
        })
    }
}

/// Decrypt the copy at `path` with `identity` into a database (not verified: a merge checks
/// what it takes from it).
fn read_copy(path: &Path, identity: &Identity) -> Result<(Connection, i64), Error> {
    let file = copies::open_copy(path)?;
    let prefix = crypto::prefix(&file).map_err(|e| Error::reading(path, e))?;
    let (armor, _) = crypto::inspect(&prefix, path)?;
    let (conn, version) = decrypt_database(&file, armor, identity, path, Check::Merged)?;
    // What the member may read of its sealed cases is opened; nothing else of them is.
    crate::sealing::unseal(
        &conn,
        identity,
        &mut crate::sealing::Keyring::default(),
        path,
    )?;
    Ok((conn, version))
}

impl CaseFile {
    /// Open `path` for writing; when it lacks history this laptop verified there (an older
    /// copy was put in its place, by a sync tool say), merge its backup and the sync conflict
    /// copies beside it, and go on if that brings back everything pinned. Gives what each
    /// merged copy brought. Without such a copy the refusal stands.
    pub fn open_recovering(
        path: &Path,
        identity: &Identity,
        expect: &super::Expect,
    ) -> Result<(CaseFile, Vec<(PathBuf, Merged)>), Error> {
        let mut file = CaseFile::open_behind(path, identity, expect)?;
        if !file.is_behind() {
            return Ok((file, Vec::new()));
        }
        let merged = file.catch_up_from_copies(identity)?;
        match file.behind_refusal() {
            Some(refusal) => Err(refusal),
            None => Ok((file, merged)),
        }
    }

    /// Whether this file lacks history this laptop verified at its path (see
    /// [`CaseFile::open_behind`]).
    pub fn is_behind(&self) -> bool {
        self.trust.behind.is_some()
    }

    /// After merges into a file opened behind: when its history now holds what this laptop
    /// pinned at its path, it is no longer an older copy and can be saved. Gives whether it
    /// holds it.
    pub fn catch_up(&mut self) -> Result<bool, Error> {
        let Some(pin) = &self.trust.behind else {
            return Ok(true);
        };
        let path = PathBuf::from(self.label());
        let holds: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM commits WHERE id = ?1)",
                [&pin.head],
                |r| r.get(0),
            )
            .map_err(|e| Error::database(&path, e))?;
        if holds {
            self.trust.behind = None;
            self.trust.older = None;
            self.trust.tried.clear();
        }
        Ok(holds)
    }

    /// Merge the backup and the sync conflict copies beside a file opened behind, one by one,
    /// until it holds what this laptop pinned. Gives what each merged copy brought; a copy
    /// that cannot be merged (another committee, unreadable) is passed over.
    pub fn catch_up_from_copies(
        &mut self,
        identity: &Identity,
    ) -> Result<Vec<(PathBuf, Merged)>, Error> {
        let path = PathBuf::from(self.label());
        let mut candidates = vec![crate::backup_path(&path)];
        candidates.extend(copies::conflict_copies(&path));
        let mut merged = Vec::new();
        for candidate in candidates.into_iter().filter(|c| c.exists()) {
            if self.catch_up()? {
                break;
            }
            if let Ok(m) = self.merge_file(&candidate, identity) {
                merged.push((candidate.clone(), m));
            }
            self.trust.tried.push(candidate);
        }
        self.catch_up()?;
        Ok(merged)
    }

    /// The refusal to save over the file while it lacks history this laptop verified at its
    /// path (`None` when it holds it).
    pub fn behind_refusal(&self) -> Option<Error> {
        let pin = self.trust.behind.as_ref()?;
        Some(super::trust::rollback(
            Path::new(&self.label()),
            pin,
            self.trust.tried.clone(),
        ))
    }
}

//! Saving a case file: serialise the database, encrypt it to the active roster into a
//! temporary file, read it back and decrypt it with the saver's identity, then atomically put
//! it in place if the file on disk is still the version we opened.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::MAIN_DB;

use super::{CaseFile, Origin};
use crate::Error;
use crate::atomic::{self, Backup, Stamp};
use crate::crypto::{self, Stanza};
use crate::keys::{self, Identity, Recipient};
use crate::lock::Lock;

/// How a save treats the saver's access and the backup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SavePolicy {
    /// The saver may be missing from the recipients (an explicitly allowed self-removal); the
    /// new file is then checked by its header only.
    pub allow_lockout: bool,
    /// Make the backup a copy of the new version instead of the previous one, so that no file
    /// encrypted to an old roster or an old key is left beside it.
    pub backup_new_version: bool,
    /// The file being replaced is damaged (`casebook recover`): keep the backup as it is and
    /// move the damaged file into the folder of merged copies beside it instead.
    pub keep_replaced_aside: bool,
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveReport {
    /// Where the file was written.
    pub path: PathBuf,
    /// Size of the encrypted file.
    pub bytes: u64,
    /// How many recipients it is encrypted to.
    pub recipients: usize,
    /// The file had changed on disk since it was opened: what merging that copy brought in.
    pub merged: Option<crate::history::Merged>,
    /// Versions someone else put in place while this save put its own there: each was kept
    /// as a conflict copy beside the file, then merged and saved (and deleted), or left
    /// there to be merged by the next change.
    pub displaced: Vec<Displaced>,
    /// Older copies of the file casebook had left beside it and deleted after this save (a
    /// removal or a key change: none may still open with the old key).
    pub cleared: Vec<PathBuf>,
}

/// A version of the file that someone else put in place while a save put its own there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Displaced {
    /// The conflict copy it was kept as.
    pub copy: PathBuf,
    /// What merging it brought in (saved), or why it could not be merged (then it stays).
    pub merged: Result<crate::history::Merged, String>,
    /// Whether it was deleted once what it brought was saved (else it stays where it is).
    pub deleted: bool,
}

/// How many times a save merges what turned up on disk and tries again.
const MAX_ATTEMPTS: usize = 5;

/// Delete the displaced copies whose changes are saved: the file holds them.
fn move_merged_aside(mut displaced: Vec<Displaced>) -> Vec<Displaced> {
    for d in &mut displaced {
        if d.merged.is_ok() {
            d.deleted = crate::copies::discard(&d.copy).is_ok();
        }
    }
    displaced
}

/// What two merges brought in together.
fn combine(mut a: crate::history::Merged, b: crate::history::Merged) -> crate::history::Merged {
    for (who, n) in b.by_author {
        match a.by_author.iter_mut().find(|(w, _)| *w == who) {
            Some((_, m)) => *m += n,
            None => a.by_author.push((who, n)),
        }
    }
    a.by_author.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    a.commits += b.commits;
    a.merge_commit |= b.merge_commit;
    a.roster_changed |= b.roster_changed;
    a.history = b.history.or(a.history);
    a
}

impl CaseFile {
    /// Save over the file this was opened from.
    pub fn save(&mut self, identity: &Identity) -> Result<SaveReport, Error> {
        self.save_with(identity, SavePolicy::default())
    }

    /// Save over the file this was opened from, under `policy` (used for roster changes).
    ///
    /// Nothing on disk is ever overwritten unseen: a version someone else saved there since
    /// this one was opened is merged first, and one renamed in while this save puts its own in
    /// place is kept as a conflict copy, merged, and saved again (see [`SaveReport`]).
    pub fn save_with(
        &mut self,
        identity: &Identity,
        policy: SavePolicy,
    ) -> Result<SaveReport, Error> {
        let (path, mut expected) = match &self.origin {
            Origin::Disk {
                path,
                stamp,
                lock: Some(_),
            } => (path.clone(), stamp.clone()),
            _ => {
                return Err(Error::ReadOnly {
                    label: self.label(),
                });
            }
        };
        // An older copy is never saved over what this laptop verified at its path.
        if let Some(refusal) = self.behind_refusal() {
            return Err(refusal);
        }
        let mut merged = None;
        let mut displaced = Vec::new();
        let mut attempts = 0;
        loop {
            attempts += 1;
            // Someone else's version on disk (a synced copy) is merged, never overwritten.
            if let Some((came, stamp)) = self.merge_disk_copy(identity)? {
                merged = Some(match merged.take() {
                    None => came,
                    Some(before) => combine(before, came),
                });
                expected = stamp;
            }
            let (mut report, stamp, kept) =
                match self.write(&path, Some(&expected), identity, policy) {
                    // Changed between the merge and the rename (without an atomic exchange):
                    // merge that version too, and try again.
                    Err(Error::ChangedOnDisk { .. }) if attempts < MAX_ATTEMPTS => continue,
                    other => other?,
                };
            if let Origin::Disk { stamp: current, .. } = &mut self.origin {
                *current = stamp.clone();
            }
            expected = stamp;
            let Some(copy) = kept else {
                report.merged = merged;
                report.displaced = move_merged_aside(displaced);
                return Ok(report);
            };
            // A version renamed in while this one went into place: merged now, then saved.
            let came = if attempts >= MAX_ATTEMPTS {
                Err("the file kept changing while it was saved".to_string())
            } else {
                self.merge_file(&copy, identity).map_err(|e| e.to_string())
            };
            let saved_next = came.is_ok();
            displaced.push(Displaced {
                copy,
                merged: came,
                deleted: false,
            });
            if !saved_next {
                // Left where it is, a conflict copy: the next change merges it.
                report.merged = merged;
                report.displaced = move_merged_aside(displaced);
                return Ok(report);
            }
        }
    }

    /// Save to a new file at `path` (never overwriting one), which becomes this file's origin.
    pub fn save_as(&mut self, path: &Path, identity: &Identity) -> Result<SaveReport, Error> {
        if path.exists() {
            return Err(Error::Exists {
                path: path.to_path_buf(),
            });
        }
        let lock = Lock::acquire(path, None)?;
        let (report, stamp, _) = self.write(path, None, identity, SavePolicy::default())?;
        self.origin = Origin::Disk {
            path: path.to_path_buf(),
            stamp,
            lock: Some(lock),
        };
        Ok(report)
    }

    fn write(
        &mut self,
        path: &Path,
        expected: Option<&Stamp>,
        identity: &Identity,
        policy: SavePolicy,
    ) -> Result<(SaveReport, Stamp, Option<PathBuf>), Error> {
        if self.locked.is_some() {
            return Err(Error::ScreenLocked {
                label: self.label(),
            });
        }
        // What was recorded is signed by the saver before it leaves memory.
        self.commit(identity, chrono::Utc::now())?;
        // What an approved expunge erased leaves memory as markers only.
        self.erase_expunged(path)?;
        let recipient_texts = self.recipients()?;
        if !policy.allow_lockout && !recipient_texts.iter().any(|r| r == identity.recipient()) {
            return Err(Error::WouldLockOut {
                path: path.to_path_buf(),
            });
        }
        let recipients = recipient_texts
            .iter()
            .map(|r| keys::to_age_recipient(r))
            .collect::<Result<Vec<_>, _>>()?;
        let armor = self.armor;
        // What changed in a sealed case is sealed again before anything is serialised.
        crate::sealing::seal_parts(&self.conn, path)?;
        let data = self
            .conn
            .serialize(MAIN_DB)
            .map_err(|e| Error::database(path, e))?;
        let plaintext_len = data.len() as u64;
        let staged = atomic::stage(path, |out| {
            crypto::encrypt_file(&data, &recipients, armor, out, path)
        })?;
        drop(data);
        let new_version = policy.backup_new_version || self.retire_backup;
        let backup = if policy.keep_replaced_aside {
            Backup::Aside {
                to: crate::copies::damaged_aside(path, chrono::Utc::now()),
                new_version,
            }
        } else if new_version {
            Backup::NewVersion
        } else {
            Backup::Previous
        };
        let committed = staged.commit(path, expected, backup, |file| {
            verify(file, identity, path, plaintext_len, &recipient_texts)
        })?;
        let (stanzas, stamp) = (committed.value, committed.stamp);
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        self.stanzas = stanzas;
        self.opener = identity.recipient().to_string();
        self.dirty = false;
        self.retire_backup = false;
        self.pin_saved(path)?;
        Ok((
            SaveReport {
                path: path.to_path_buf(),
                bytes,
                recipients: recipients.len(),
                merged: None,
                displaced: Vec::new(),
                cleared: Vec::new(),
            },
            stamp,
            committed.displaced,
        ))
    }
}

/// Write `bytes` age-encrypted to `recipients` as a new file at `path` (never overwriting),
/// atomically. Used for exports that must not exist in plaintext.
pub fn encrypt_new_file(path: &Path, bytes: &[u8], recipients: &[Recipient]) -> Result<(), Error> {
    let age_recipients = recipients
        .iter()
        .map(|r| keys::to_age_recipient(r.as_str()))
        .collect::<Result<Vec<_>, _>>()?;
    let staged = atomic::stage(path, |out| {
        crypto::encrypt(bytes, &age_recipients, false, out, path)
    })?;
    staged.commit(path, None, Backup::Previous, |file| {
        let prefix = crypto::prefix(file).map_err(|e| Error::reading(path, e))?;
        let (_, stanzas) = crypto::inspect(&prefix, path)?;
        if stanzas.len() == recipients.len() {
            Ok(())
        } else {
            Err(Error::VerifyFailed {
                path: path.to_path_buf(),
                detail: "wrong number of recipient stanzas".into(),
            })
        }
    })?;
    Ok(())
}

/// Read the staged file back: its header must hold exactly one stanza per recipient (each
/// ssh-ed25519 key recognised by its tag; X25519 stanzas counted, as they are anonymous), and,
/// when the saver is a recipient, it must decrypt with the saver's identity, every chunk
/// authenticated, to the plaintext length written.
fn verify(
    file: &File,
    identity: &Identity,
    path: &Path,
    plaintext_len: u64,
    recipients: &[String],
) -> Result<Vec<Stanza>, Error> {
    let failed = |detail: String| Error::VerifyFailed {
        path: path.to_path_buf(),
        detail,
    };
    let prefix = crypto::prefix(file).map_err(|e| failed(e.to_string()))?;
    let (armor, stanzas) = crypto::inspect(&prefix, path).map_err(|e| failed(e.to_string()))?;
    if stanzas.len() != recipients.len() {
        return Err(failed(format!(
            "{} stanzas for {} recipients",
            stanzas.len(),
            recipients.len()
        )));
    }
    for recipient in recipients {
        let found = match keys::ssh_stanza_tag(recipient) {
            Some(tag) if !recipient.starts_with("age1") => stanzas
                .iter()
                .any(|s| s.kind == "ssh-ed25519" && s.args.first() == Some(&tag)),
            _ => stanzas.iter().any(|s| s.kind == "X25519"),
        };
        if !found {
            return Err(failed(format!(
                "no stanza for {}",
                keys::fingerprint(recipient)
            )));
        }
    }
    if !recipients.iter().any(|r| r == identity.recipient()) {
        // The saver removed themselves (explicitly allowed): nothing they hold can decrypt it.
        return Ok(stanzas);
    }
    let decrypted = if armor {
        crypto::decrypt_armored(file, identity, path)
            .map_err(|e| failed(e.to_string()))?
            .len() as u64
    } else {
        let payload =
            crypto::Payload::open(file, identity, path).map_err(|e| failed(e.to_string()))?;
        let len = payload.len();
        payload
            .read_into(None, identity, path)
            .map_err(|e| failed(e.to_string()))?;
        len
    };
    if decrypted != plaintext_len {
        return Err(failed(format!(
            "{decrypted} bytes instead of {plaintext_len}"
        )));
    }
    Ok(stanzas)
}

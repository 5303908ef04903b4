//! What `casebook recover` needs of the vault: the copies of a file a laptop can find, what each
//! holds, a damaged file opened from one of its copies, and, on the member's word, an older
//! history accepted in place of what this laptop had verified.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::open::{decrypt_database, settle_on_open};
use super::trust::{Expect, verify_on_open};
use super::{CaseFile, Origin, OtherCopy};
use crate::atomic::{Stamp, open_regular};
use crate::copies::{self, MERGED_DIR};
use crate::lock::Lock;
use crate::pins::{PathPin, Pins};
use crate::sealing::{self, Keyring};
use crate::{Error, Identity, crypto, history, schema, store};
use casebook_core::roster::{MemberId, Roster};

/// The newest commit of a history, as a member would want to see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// The commit's id.
    pub id: String,
    /// Who signed it (their name on that copy's roster, or their id).
    pub by: String,
    /// When (their claim).
    pub at: String,
    /// How many commits the history has.
    pub commits: usize,
}

/// What a copy found beside a case file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyHead {
    /// Its newest commit.
    pub head: Head,
    /// Whether it is a copy of the same committee as the file (by its first commit and
    /// founder).
    pub same_committee: bool,
    /// Whether it holds the commit this laptop pinned at the file's path.
    pub holds_pinned: bool,
}

/// What was pinned at a path, as `casebook recover` shows it.
pub fn pinned(path: &Path) -> Result<Option<PathPin>, Error> {
    match Pins::default_location() {
        Some(pins) => pins.pinned_at(path),
        None => Ok(None),
    }
}

/// Every copy of `path` this laptop can find: its backup, the sync conflict copies beside it
/// (casebook's own included), and what the folder of merged copies beside it holds of it.
pub fn copies_of(path: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let backup = crate::backup_path(path);
    if backup.is_file() {
        found.push(backup);
    }
    found.extend(copies::conflict_copies(path));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(MERGED_DIR),
        _ => PathBuf::from(MERGED_DIR),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(stem, _)| stem);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut merged: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter(|e| e.file_name().to_string_lossy().starts_with(stem))
            .map(|e| e.path())
            .collect();
        merged.sort();
        found.extend(merged);
    }
    found
}

/// The newest commit of the history in `conn`.
fn head_of(conn: &Connection, path: &Path) -> Result<Head, Error> {
    let db = |e| Error::database(path, e);
    let commits: i64 = conn
        .query_row("SELECT count(*) FROM commits", [], |r| r.get(0))
        .map_err(db)?;
    let (id, body): (String, String) = conn
        .query_row(
            "SELECT id, body FROM commits ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(db)?;
    let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let author = body["author"].as_str().unwrap_or_default().to_string();
    let by = store::roster(conn)
        .ok()
        .and_then(|r| {
            let id = uuid::Uuid::parse_str(&author).ok()?;
            r.get(MemberId(id)).map(|m| m.name.clone())
        })
        .unwrap_or(author);
    Ok(Head {
        id,
        by,
        at: body["at"].as_str().unwrap_or_default().to_string(),
        commits: usize::try_from(commits).unwrap_or(0),
    })
}

fn holds(conn: &Connection, commit: &str, path: &Path) -> Result<bool, Error> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM commits WHERE id = ?1)",
        [commit],
        |r| r.get(0),
    )
    .map_err(|e| Error::database(path, e))
}

fn fingerprint_of(conn: &Connection, path: &Path) -> Result<String, Error> {
    let (root, key) = history::root(conn).map_err(|e| Error::database(path, e))?;
    Ok(history::fingerprint(&root, &key))
}

impl OtherCopy {
    /// What this copy holds, against the committee `fingerprint` and the commit `pinned`.
    pub fn head(&self, fingerprint: Option<&str>, pinned: Option<&str>) -> Result<CopyHead, Error> {
        Ok(CopyHead {
            head: head_of(&self.conn, &self.path)?,
            same_committee: match fingerprint {
                Some(f) => fingerprint_of(&self.conn, &self.path)? == f,
                None => true,
            },
            holds_pinned: match pinned {
                Some(commit) => holds(&self.conn, commit, &self.path)?,
                None => false,
            },
        })
    }

    /// The committee this copy belongs to.
    pub fn fingerprint(&self) -> Result<String, Error> {
        fingerprint_of(&self.conn, &self.path)
    }
}

impl CaseFile {
    /// The newest commit of this file's history.
    pub fn head_commit(&self) -> Result<Head, Error> {
        head_of(&self.conn, Path::new(&self.label()))
    }

    /// Whether this file's history holds `commit`.
    pub fn holds_commit(&self, commit: &str) -> Result<bool, Error> {
        holds(&self.conn, commit, Path::new(&self.label()))
    }

    /// When the file at `path` cannot be opened (damaged, or missing): open its copy at `copy`
    /// in its place, locked for writing at `path` and judged against what this laptop pinned
    /// there. A save puts it at `path`; save it with
    /// [`SavePolicy::keep_replaced_aside`](super::SavePolicy) so that the damaged file goes
    /// aside, never over the backup.
    pub fn open_in_place_of(
        path: &Path,
        copy: &Path,
        identity: &Identity,
        expect: &Expect,
    ) -> Result<CaseFile, Error> {
        let lock = Lock::acquire(path, expect.wait)?;
        let stamp = match Stamp::of_path(path) {
            Ok(Some(stamp)) => stamp,
            _ => Stamp::absent(),
        };
        let file = open_regular(copy).map_err(|e| Error::reading(copy, e))?;
        let prefix = crypto::prefix(&file).map_err(|e| Error::reading(copy, e))?;
        let (armor, stanzas) = crypto::inspect(&prefix, copy)?;
        let (conn, written_as) =
            decrypt_database(&file, armor, identity, copy, schema::Check::Whole)?;
        let mut keys = Keyring::default();
        sealing::unseal(&conn, identity, &mut keys, copy)?;
        let (trust, committed) =
            verify_on_open(&conn, written_as, copy, Some(path), false, expect)?;
        settle_on_open(&conn, &mut keys, identity, copy)?;
        let settings = store::settings(&conn).map_err(|e| Error::database(copy, e))?;
        Ok(CaseFile {
            conn,
            keys,
            index: None,
            settings,
            opener_label: identity.label().to_path_buf(),
            committed,
            trust,
            origin: Origin::Disk {
                path: path.to_path_buf(),
                stamp,
                lock: Some(lock),
            },
            followed_link: None,
            armor,
            stanzas,
            opener: identity.recipient().to_string(),
            dirty: false,
            retire_backup: false,
            summaries_due: false,
            locked: None,
            locked_draft: None,
            salts: Default::default(),
            erased: Vec::new(),
            erase_due: false,
        })
    }

    /// Accept this file's history although it lacks what this laptop verified at its path
    /// (`casebook recover`, on the member's word): the next save may go over it, and pins
    /// the history saved as the newest there. The caller records why first.
    pub fn accept_older(&mut self) {
        self.trust.behind = None;
        self.trust.older = None;
        self.trust.tried.clear();
    }
}

/// What an older history lacks of the roster this laptop verified (`pinned`): members it saw
/// removed who are active in `roster`, and keys it saw replaced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterGap {
    /// Members this laptop saw removed, active in the older history: (id, name, removed).
    pub removals: Vec<(MemberId, String, DateTime<Utc>)>,
    /// Members whose key this laptop saw replaced, with the older key in the older history:
    /// (id, name, the newer key).
    pub keys: Vec<(MemberId, String, String)>,
}

impl RosterGap {
    /// Nothing is missing.
    pub fn is_empty(&self) -> bool {
        self.removals.is_empty() && self.keys.is_empty()
    }
}

/// What `roster` (an older history's) lacks of the roster pinned in `pin`.
pub fn roster_gap(pin: &PathPin, roster: &Roster) -> RosterGap {
    let mut gap = RosterGap::default();
    for pinned in &pin.members {
        let Ok(id) = uuid::Uuid::parse_str(&pinned.id).map(MemberId) else {
            continue;
        };
        let Some(now) = roster.get(id) else {
            continue;
        };
        match pinned.removed {
            Some(removed) if now.removed_at.is_none() => {
                gap.removals.push((id, pinned.name.clone(), removed));
            }
            None if now.removed_at.is_none() && now.recipient != pinned.recipient => {
                gap.keys
                    .push((id, pinned.name.clone(), pinned.recipient.clone()));
            }
            _ => {}
        }
    }
    gap
}

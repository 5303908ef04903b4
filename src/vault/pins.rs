//! What this laptop remembers, like SSH's known_hosts: the committees it has opened
//! (fingerprint, first commit, founder's key) and, for each case file path, which committee
//! it holds and the newest history verified there. A file at a known path that lacks that
//! history is an older copy (rollback); one of another committee is refused.
//!
//! Kept in `$XDG_STATE_HOME/casebook/pins.json` (directory 0700, file 0600), written
//! atomically under a lock. It holds hashes, names of signers and times, never case content.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Error;

/// A committee this laptop has opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteePin {
    /// The first commit's id.
    pub root: String,
    /// The founder's key.
    pub founder_key: String,
    /// When this laptop first opened it.
    pub first_seen: DateTime<Utc>,
}

/// The newest history verified at one path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathPin {
    /// The committee's fingerprint.
    pub committee: String,
    /// The newest commit verified there.
    pub head: String,
    /// Its author's name, for the message when an older copy turns up.
    pub head_author: String,
    /// When its author made it (their claim).
    pub head_at: String,
    /// When this laptop verified it.
    pub verified_at: DateTime<Utc>,
    /// The derived tables' digest at that head.
    pub digest: String,
    /// The digest of the signatures of the history up to that head.
    #[serde(default)]
    pub signatures: String,
    /// The digests of the commits and events as stored at that head, in segments.
    #[serde(default)]
    pub stored: Vec<crate::vault::history::Segment>,
    /// The digest of what only this copy holds as it is: sealed parts, the full text index
    /// and sealed cases' summaries (see [`crate::vault::history::local_digest`]).
    #[serde(default)]
    pub local: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PinFile {
    #[serde(default)]
    committees: BTreeMap<String, CommitteePin>,
    #[serde(default)]
    paths: BTreeMap<String, PathPin>,
}

/// The pins of this laptop.
#[derive(Clone, Debug)]
pub struct Pins {
    dir: PathBuf,
}

impl Pins {
    /// The pins under `$XDG_STATE_HOME/casebook` (`~/.local/state/casebook`). Unit tests get a
    /// directory of their own process instead, so they never touch the developer's.
    pub fn default_location() -> Option<Pins> {
        if cfg!(test) {
            let dir =
                std::env::temp_dir().join(format!("casebook-test-pins-{}", std::process::id()));
            return Some(Pins { dir });
        }
        let dirs = directories::ProjectDirs::from("", "", "casebook")?;
        let dir = dirs
            .state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
        Some(Pins { dir })
    }

    /// Pins kept in `dir`.
    pub fn at(dir: &Path) -> Pins {
        Pins {
            dir: dir.to_path_buf(),
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.join("pins.json")
    }

    fn error(&self, reason: impl ToString) -> Error {
        Error::Pins {
            path: self.dir.clone(),
            reason: reason.to_string(),
        }
    }

    fn read(&self) -> Result<PinFile, Error> {
        match fs::read_to_string(self.file()) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| self.error(e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PinFile::default()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// The path's key in the pins: absolute, its directory resolved but not the file itself,
    /// so a symbolic link put in the file's place is judged against what was verified there.
    pub fn key(path: &Path) -> String {
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir()
                .map(|d| d.join(path))
                .unwrap_or_else(|_| path.to_path_buf())
        };
        let resolved = match (absolute.parent(), absolute.file_name()) {
            (Some(dir), Some(name)) => fs::canonicalize(dir)
                .map(|d| d.join(name))
                .unwrap_or(absolute.clone()),
            _ => absolute,
        };
        resolved.display().to_string()
    }

    /// The committee pinned under `fingerprint`, and what is pinned at `path`.
    pub fn lookup(
        &self,
        fingerprint: &str,
        path: &Path,
    ) -> Result<(Option<CommitteePin>, Option<PathPin>), Error> {
        let pins = self.read()?;
        Ok((
            pins.committees.get(fingerprint).cloned(),
            pins.paths.get(&Self::key(path)).cloned(),
        ))
    }

    /// What is pinned at `path`, whatever its committee.
    pub fn pinned_at(&self, path: &Path) -> Result<Option<PathPin>, Error> {
        Ok(self.read()?.paths.get(&Self::key(path)).cloned())
    }

    /// Remember `committee` and that `path` holds history up to `pin`.
    pub fn remember(
        &self,
        fingerprint: &str,
        committee: CommitteePin,
        path: &Path,
        pin: PathPin,
    ) -> Result<(), Error> {
        self.ensure_dir()?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(self.dir.join("pins.lock"))
            .map_err(|e| self.error(e))?;
        lock.lock().map_err(|e| self.error(e))?;
        let mut pins = self.read()?;
        pins.committees
            .entry(fingerprint.to_string())
            .or_insert(committee);
        pins.paths.insert(Self::key(path), pin);
        let text = serde_json::to_string_pretty(&pins).map_err(|e| self.error(e))?;
        let temp = self
            .dir
            .join(format!(".pins.json.{}.tmp", std::process::id()));
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)
            .map_err(|e| self.error(e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| self.error(e))?;
        fs::rename(&temp, self.file()).map_err(|e| self.error(e))?;
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        drop(lock);
        Ok(())
    }

    fn ensure_dir(&self) -> Result<(), Error> {
        fs::create_dir_all(&self.dir).map_err(|e| self.error(e))?;
        let meta = fs::symlink_metadata(&self.dir).map_err(|e| self.error(e))?;
        if !meta.is_dir() {
            return Err(self.error("it is not a directory"));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }
}

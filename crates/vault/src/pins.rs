//! What this laptop remembers, like SSH's known_hosts: the committees it has opened
//! (fingerprint, first commit, founder's key) and, for each case file path, which committee
//! it holds and the newest history verified there. A file at a known path that lacks that
//! history is an older copy (rollback); one of another committee is refused.
//!
//! Kept in `$XDG_STATE_HOME/casebook/pins.json` (directory 0700, file 0600), written
//! atomically under a lock, with the version before the last write kept as `pins.json.bak`.
//! It holds hashes, names of signers and times, never case content. A damaged pins file does
//! not stop casebook: it is moved aside, restored from its backup, and the member told what
//! trust was lost (see [`Repair`]).

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
    /// The cases (ids) this laptop saw expunged: an older copy holding their content is not
    /// shown. No content.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub expunged: std::collections::BTreeSet<String>,
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
    pub stored: Vec<crate::history::Segment>,
    /// The digest of what only this copy holds as it is: sealed parts, the full text index
    /// and sealed cases' summaries (see `history::local_digest`).
    #[serde(default)]
    pub local: String,
    /// The roster at that head: an older copy accepted by `casebook recover` must not bring
    /// back a member this laptop saw removed, or a key it saw replaced.
    #[serde(default)]
    pub members: Vec<PinnedMember>,
}

/// A member as the roster at a pinned head had them (public keys and names, no case content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedMember {
    /// Their member id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their key (the age recipient the file was encrypted to).
    pub recipient: String,
    /// When they were removed, if they were.
    pub removed: Option<DateTime<Utc>>,
}

/// What a pins file holds.
enum Stored {
    /// No such file.
    Missing,
    /// Pins.
    Pins(PinFile),
    /// Something that does not parse: why.
    Damaged(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PinFile {
    #[serde(default)]
    committees: BTreeMap<String, CommitteePin>,
    #[serde(default)]
    paths: BTreeMap<String, PathPin>,
}

/// How many random characters a temporary file's name has.
const TEMP_RANDOM: usize = 6;

/// What was done about a damaged pins file, and so what trust this laptop lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// The pins file.
    pub file: PathBuf,
    /// What was wrong with it.
    pub damage: String,
    /// Where the damaged file was moved (kept, never deleted).
    pub moved_to: PathBuf,
    /// The backup it was restored from, and when that backup was written; `None` when there
    /// was no usable backup, and every pin is lost.
    pub restored_from: Option<(PathBuf, Option<DateTime<Utc>>)>,
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

    fn backup(&self) -> PathBuf {
        self.dir.join("pins.json.bak")
    }

    /// The pins as stored. A file that does not parse is repaired first (see
    /// [`Pins::check`]). Never called with the pins' lock held (a repair takes it).
    fn read(&self) -> Result<PinFile, Error> {
        match self.parse(&self.file())? {
            Stored::Pins(pins) => Ok(pins),
            Stored::Missing => Ok(PinFile::default()),
            Stored::Damaged(_) => {
                self.check()?;
                self.read_locked()
            }
        }
    }

    /// The pins as stored, read under the pins' lock (or after [`Pins::check`]).
    fn read_locked(&self) -> Result<PinFile, Error> {
        match self.parse(&self.file())? {
            Stored::Pins(pins) => Ok(pins),
            Stored::Missing => Ok(PinFile::default()),
            Stored::Damaged(why) => Err(self.error(format!("pins.json is damaged: {why}"))),
        }
    }

    /// What is stored at `path`.
    fn parse(&self, path: &Path) -> Result<Stored, Error> {
        match fs::read_to_string(path) {
            Ok(text) => Ok(match serde_json::from_str(&text) {
                Ok(pins) => Stored::Pins(pins),
                Err(e) => Stored::Damaged(e.to_string()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Ok(Stored::Damaged("it is not text".into()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Stored::Missing),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Make sure the pins file can be used: one that is damaged (it does not parse) is moved
    /// aside, and its backup put in its place when that parses. Gives what was done, for the
    /// member to be told, or `None` when the file was fine (or absent).
    pub fn check(&self) -> Result<Option<Repair>, Error> {
        if !matches!(self.parse(&self.file())?, Stored::Damaged(_)) {
            return Ok(None);
        }
        let lock = self.lock()?;
        // Another process may have repaired it meanwhile.
        let Stored::Damaged(damage) = self.parse(&self.file())? else {
            return Ok(None);
        };
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut moved_to = self.dir.join(format!("pins.json.damaged-{stamp}"));
        let mut n = 1;
        while moved_to.exists() {
            moved_to = self.dir.join(format!("pins.json.damaged-{stamp}.{n}"));
            n += 1;
        }
        fs::rename(self.file(), &moved_to).map_err(|e| self.error(e))?;
        let backup = self.backup();
        let restored = match self.parse(&backup)? {
            Stored::Pins(_) => {
                let saved = fs::metadata(&backup)
                    .and_then(|m| m.modified())
                    .ok()
                    .map(DateTime::<Utc>::from);
                // A copy, not a link: the backup stays as it is when the file is next written.
                let text = fs::read(&backup).map_err(|e| self.error(e))?;
                self.write_atomically(&text)?;
                Some(saved)
            }
            _ => None,
        };
        drop(lock);
        Ok(Some(Repair {
            file: self.file(),
            damage,
            moved_to,
            restored_from: restored.map(|saved| (backup, saved)),
        }))
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
        self.check()?;
        let lock = self.lock()?;
        let mut pins = self.read_locked()?;
        // Expunged cases are remembered for good: a pin only ever gains them.
        pins.committees
            .entry(fingerprint.to_string())
            .and_modify(|c| c.expunged.extend(committee.expunged.iter().cloned()))
            .or_insert(committee);
        pins.paths.insert(Self::key(path), pin);
        let text = serde_json::to_string_pretty(&pins).map_err(|e| self.error(e))?;
        // The version being replaced (it parsed just now) becomes the backup.
        if self.file().exists() {
            self.keep_backup()?;
        }
        self.write_atomically(text.as_bytes())?;
        drop(lock);
        Ok(())
    }

    /// Take the pins' lock (held until dropped); leftovers of writers that were killed are
    /// swept under it, when no other writer can be writing them.
    fn lock(&self) -> Result<File, Error> {
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
        self.sweep_leftovers();
        Ok(lock)
    }

    /// Remove temporary files a killed writer left: exactly the names [`Pins::write_atomically`]
    /// and [`Pins::keep_backup`] make (and the `.pins.json.PID.tmp` of earlier versions).
    fn sweep_leftovers(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let ours = name
                .strip_prefix(".pins.json.")
                .and_then(|rest| rest.strip_suffix(".tmp"))
                .map(|middle| middle.strip_suffix(".bak").unwrap_or(middle))
                .is_some_and(|middle| {
                    let random = middle.len() == TEMP_RANDOM
                        && middle.bytes().all(|b| b.is_ascii_alphanumeric());
                    let pid = !middle.is_empty() && middle.bytes().all(|b| b.is_ascii_digit());
                    random || pid
                });
            if ours {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Make the current pins file the backup, atomically (a second link: the file itself is
    /// replaced by a rename next, so the backup keeps this version).
    fn keep_backup(&self) -> Result<(), Error> {
        let staging = self.temp_name(".bak.tmp");
        fs::hard_link(self.file(), &staging)
            .or_else(|_| fs::copy(self.file(), &staging).map(|_| ()))
            .map_err(|e| self.error(e))?;
        fs::rename(&staging, self.backup()).map_err(|e| {
            let _ = fs::remove_file(&staging);
            self.error(e)
        })
    }

    /// Write `text` as the pins file: a temporary file beside it, fsynced, renamed into place,
    /// the directory fsynced. Nothing is left behind on failure.
    fn write_atomically(&self, text: &[u8]) -> Result<(), Error> {
        let temp = self.temp_name(".tmp");
        let written = OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)
            .and_then(|mut file| {
                file.write_all(text)?;
                file.sync_all()
            })
            .and_then(|()| fs::rename(&temp, self.file()));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(self.error(e));
        }
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// `.pins.json.XXXXXX` + `suffix` in the pins directory, XXXXXX random.
    fn temp_name(&self, suffix: &str) -> PathBuf {
        use rand::Rng;
        let random: String = rand::thread_rng()
            .sample_iter(rand::distributions::Alphanumeric)
            .take(TEMP_RANDOM)
            .map(char::from)
            .collect();
        self.dir.join(format!(".pins.json.{random}{suffix}"))
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

//! Atomic, durable replacement of a file: write a temporary file in the same directory, fsync
//! it, rename it over the original, fsync the directory. A crash at any point leaves either the
//! old or the new file. The replaced version is kept as an encrypted backup, `FILE.bak`.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::{Error, ffi};

/// How much of each end of a file its [`Stamp`] covers.
const STAMP_SPAN: u64 = 64 * 1024;

/// Identifies one version of a case file cheaply: its length and a hash of its first and last
/// 64 KiB. Every age encryption starts with a fresh random file key and nonce, so the header
/// alone changes whenever anyone re-encrypts; the tail catches truncation and appends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    digest: [u8; 32],
}

impl Stamp {
    /// A stamp no file has: what is expected where there was no file to open (a save then
    /// puts the new version there, or keeps whatever turned up meanwhile).
    pub(crate) fn absent() -> Stamp {
        Stamp {
            len: u64::MAX,
            digest: [0xff; 32],
        }
    }

    /// The stamp of the file at `path`, or `None` when there is no file.
    pub(crate) fn of_path(path: &Path) -> io::Result<Option<Stamp>> {
        match open_regular(path) {
            Ok(mut file) => Stamp::of_file(&mut file).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The stamp of an open file; leaves the position at the start.
    pub(crate) fn of_file(file: &mut File) -> io::Result<Stamp> {
        let len = file.metadata()?.len();
        let mut hasher = Sha256::new();
        hasher.update(len.to_le_bytes());
        let mut buf = vec![0u8; STAMP_SPAN as usize];
        file.seek(SeekFrom::Start(0))?;
        let head = read_up_to(file, &mut buf)?;
        hasher.update(&buf[..head]);
        if len > STAMP_SPAN {
            file.seek(SeekFrom::Start(
                len.saturating_sub(STAMP_SPAN).max(STAMP_SPAN),
            ))?;
            let tail = read_up_to(file, &mut buf)?;
            hasher.update(&buf[..tail]);
        }
        file.seek(SeekFrom::Start(0))?;
        Ok(Stamp {
            len,
            digest: hasher.finalize().into(),
        })
    }
}

/// Open a file for reading without ever blocking (a FIFO would wait for a writer forever), and
/// refuse anything but a regular file.
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        Ok(file)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            NotRegular(describe_kind(kind)),
        ))
    }
}

/// The error inside [`open_regular`]'s `io::Error` when the path is not a regular file.
#[derive(Debug)]
pub(crate) struct NotRegular(pub(crate) &'static str);

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not a regular file", self.0)
    }
}

impl std::error::Error for NotRegular {}

/// What kind of thing a non-regular file is, in words.
pub(crate) fn describe_kind(kind: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Where a case file really lives. A symbolic link (say, into a synced folder) is followed:
/// casebook reads, locks and saves the target, with its temporary file, backup and lock beside
/// the target, so the real file is the one updated. Anything but a regular file is refused
/// before it is opened, so a FIFO never blocks.
pub(crate) fn resolve_case_path(path: &Path) -> Result<(PathBuf, bool), Error> {
    let meta = fs::symlink_metadata(path).map_err(|e| Error::reading(path, e))?;
    let (real, linked) = if meta.file_type().is_symlink() {
        (
            fs::canonicalize(path).map_err(|e| Error::reading(path, e))?,
            true,
        )
    } else {
        (path.to_path_buf(), false)
    };
    let kind = fs::metadata(&real)
        .map_err(|e| Error::reading(&real, e))?
        .file_type();
    if !kind.is_file() {
        return Err(Error::NotRegularFile {
            path: path.to_path_buf(),
            what: describe_kind(kind).into(),
        });
    }
    Ok((real, linked))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// A fully written new version, not yet in place.
pub(crate) struct Staged {
    temp: NamedTempFile,
}

/// The writer a staged file is written through.
pub(crate) type StageWriter<'a> = BufWriter<WriteBehind<'a>>;

/// Writes to a file and asks the kernel to start writing dirty pages back every few
/// megabytes, so that the final fsync has little left to wait for.
pub(crate) struct WriteBehind<'a> {
    file: &'a File,
    unflushed: usize,
}

/// How much is written before writeback is started.
const WRITE_BEHIND: usize = 16 << 20;

impl Write for WriteBehind<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = (&mut &*self.file).write(buf)?;
        self.unflushed += n;
        if self.unflushed >= WRITE_BEHIND {
            self.unflushed = 0;
            ffi::start_writeback(self.file);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Write a new version of `path` into a temporary file beside it (mode 0600).
pub(crate) fn stage(
    path: &Path,
    write: impl FnOnce(StageWriter<'_>) -> Result<StageWriter<'_>, Error>,
) -> Result<Staged, Error> {
    let dir = parent_dir(path);
    remove_leftovers(path);
    let temp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(".tmp")
        .rand_bytes(TEMP_RANDOM)
        .tempfile_in(&dir)
        .map_err(|e| Error::writing(path, e))?;
    let behind = WriteBehind {
        file: temp.as_file(),
        unflushed: 0,
    };
    let writer = write(BufWriter::with_capacity(1 << 20, behind))?;
    writer
        .into_inner()
        .map_err(|e| Error::writing(path, e.into_error()))?;
    Ok(Staged { temp })
}

/// What becomes `FILE.bak` when a file is replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Backup {
    /// The version being replaced (every ordinary save).
    Previous,
    /// The new version itself, so nothing encrypted to an old roster or key stays beside it.
    NewVersion,
    /// The version being replaced (a damaged file `casebook recover` replaces) is moved to
    /// `to` instead of becoming the backup; the backup stays as it is, or becomes a copy of
    /// the new version with `new_version`.
    Aside {
        /// Where the replaced version goes.
        to: PathBuf,
        /// Whether the backup becomes a copy of the new version (as [`Backup::NewVersion`]).
        new_version: bool,
    },
}

/// What [`Staged::commit`] did.
pub(crate) struct Committed<T> {
    /// What the check gave.
    pub(crate) value: T,
    /// The stamp of the new version, now in place.
    pub(crate) stamp: Stamp,
    /// A version that was put in place by someone else (a sync tool) after this writer last
    /// looked and before its own went in: never overwritten, it was kept under this conflict
    /// copy name beside the file, to be merged.
    pub(crate) displaced: Option<PathBuf>,
}

impl Staged {
    /// Check the staged file and put it in place of `path`.
    ///
    /// `check` reads the staged file back (for example decrypting it) while the file is being
    /// made durable (fsync) on another thread: it reads what the kernel holds either way, and
    /// the disk works meanwhile. Nothing is replaced unless the check passes.
    ///
    /// `expected` is the stamp of the version this process opened (or merged). The new
    /// version takes its place by an atomic exchange of the two names, so whatever was at
    /// `path` at that instant is never lost: when it is the expected version it becomes the
    /// backup (with [`Backup::Previous`]); when it is not (someone renamed another version in
    /// meanwhile), it is kept as a conflict copy and named in [`Committed::displaced`]. Where
    /// the exchange is not available, a file that is no longer the expected version is not
    /// replaced ([`Error::ChangedOnDisk`]). With `expected == None` the file must not exist
    /// yet, and is never clobbered. `backup` says what becomes `FILE.bak`; the backup is never
    /// a second name of the file in place.
    pub(crate) fn commit<T>(
        self,
        path: &Path,
        expected: Option<&Stamp>,
        backup: Backup,
        check: impl FnOnce(&File) -> Result<T, Error>,
    ) -> Result<Committed<T>, Error> {
        let Staged { mut temp } = self;
        let file = temp.as_file();
        let (synced, checked) = std::thread::scope(|scope| {
            let sync = scope.spawn(|| file.sync_all());
            let checked = check(file);
            (sync.join(), checked)
        });
        let value = checked?;
        let synced = synced.unwrap_or_else(|_| Err(io::Error::other("fsync thread failed")));
        synced.map_err(|e| Error::writing(path, e))?;
        let stamp = Stamp::of_file(temp.as_file_mut()).map_err(|e| Error::writing(path, e))?;
        let Some(expected) = expected else {
            temp.persist_noclobber(path)
                .map_err(|e| Error::writing(path, e.error))?;
            sync_dir(path).map_err(|e| Error::writing(path, e))?;
            return Ok(Committed {
                value,
                stamp,
                displaced: None,
            });
        };
        if matches!(
            backup,
            Backup::NewVersion
                | Backup::Aside {
                    new_version: true,
                    ..
                }
        ) {
            // Before the new version goes in: a crash in between leaves the old file with the
            // new backup, never the new file beside a backup readable by an old key.
            copy_backup(temp.path(), path)?;
        }
        let temp = temp.into_temp_path();
        let displaced = replace(&temp, path, expected, &backup)?;
        // Whatever `temp` names now was renamed away or is the old version to drop.
        drop(temp);
        sync_dir(path).map_err(|e| Error::writing(path, e))?;
        Ok(Committed {
            value,
            stamp,
            displaced,
        })
    }
}

/// Put the staged file `new` in place of `path` (see [`Staged::commit`]); gives the conflict
/// copy a displaced version was kept as.
fn replace(
    new: &Path,
    path: &Path,
    expected: &Stamp,
    backup: &Backup,
) -> Result<Option<PathBuf>, Error> {
    for _ in 0..8 {
        test_pause("before-replace");
        match ffi::exchange(new, path) {
            Ok(()) => {
                // `new` now names what was at `path` an instant ago.
                let out = Stamp::of_path(new).map_err(|e| Error::reading(path, e))?;
                if out.as_ref() == Some(expected) {
                    match &backup {
                        Backup::Previous => fs::rename(new, backup_path(path))
                            .map_err(|e| Error::writing(&backup_path(path), e))?,
                        Backup::Aside { to, .. } => move_to(new, to)?,
                        Backup::NewVersion => {}
                    }
                    return Ok(None);
                }
                return keep_displaced(new, path).map(Some);
            }
            // Nothing there any more: put the new version in place, but never over a file
            // that appears meanwhile (then exchange with it, as above).
            Err(e) if e.kind() == io::ErrorKind::NotFound => match ffi::rename_noreplace(new, path)
            {
                Ok(()) => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) if e.kind() == io::ErrorKind::Unsupported => {
                    return replace_without_exchange(new, path, expected, backup).map(|()| None);
                }
                Err(e) => return Err(Error::writing(path, e)),
            },
            Err(e) if e.kind() == io::ErrorKind::Unsupported => {
                return replace_without_exchange(new, path, expected, backup).map(|()| None);
            }
            Err(e) => return Err(Error::writing(path, e)),
        }
    }
    Err(Error::ChangedOnDisk {
        path: path.to_path_buf(),
    })
}

/// Where the exchange is not available: replace `path` only if it is still the expected
/// version (checked just before the rename; another version renamed in within that instant
/// would be replaced, which the exchange rules out).
fn replace_without_exchange(
    new: &Path,
    path: &Path,
    expected: &Stamp,
    backup: &Backup,
) -> Result<(), Error> {
    let current = Stamp::of_path(path).map_err(|e| Error::reading(path, e))?;
    if current.as_ref() != Some(expected) {
        return Err(Error::ChangedOnDisk {
            path: path.to_path_buf(),
        });
    }
    test_pause("before-replace");
    // The version in place gets a second name first, and becomes the backup once the new one
    // is in: the backup is never a second name of the file in place.
    let staging = match backup {
        Backup::Previous | Backup::Aside { .. } => {
            let staging = temp_name(path, ".bak.tmp");
            if fs::hard_link(path, &staging).is_err() {
                fs::copy(path, &staging).map_err(|e| Error::writing(&backup_path(path), e))?;
            }
            Some(staging)
        }
        Backup::NewVersion => None,
    };
    let renamed = fs::rename(new, path);
    if let Err(e) = renamed {
        if let Some(staging) = staging {
            let _ = fs::remove_file(staging);
        }
        return Err(Error::writing(path, e));
    }
    if let Some(staging) = staging {
        match backup {
            Backup::Aside { to, .. } => move_to(&staging, to)?,
            _ => fs::rename(&staging, backup_path(path))
                .map_err(|e| Error::writing(&backup_path(path), e))?,
        }
    }
    Ok(())
}

/// Move `from` to `to` (never over a file there), making `to`'s folder (0700) if need be.
fn move_to(from: &Path, to: &Path) -> Result<(), Error> {
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::writing(dir, e))?;
    }
    match ffi::rename_noreplace(from, to) {
        Err(e) if e.kind() == io::ErrorKind::Unsupported && !to.exists() => fs::rename(from, to),
        other => other,
    }
    .map_err(|e| Error::writing(to, e))
}

/// Keep `displaced` (a version of `path` that someone put in place while this writer was
/// putting its own there) as a conflict copy beside it, named as sync tools name theirs, so
/// that it is merged: now, or by the next change.
fn keep_displaced(displaced: &Path, path: &Path) -> Result<PathBuf, Error> {
    let mut n = 0;
    loop {
        let copy = super::copies::conflict_name(path, chrono::Utc::now(), n);
        let kept = match ffi::rename_noreplace(displaced, &copy) {
            Err(e) if e.kind() == io::ErrorKind::Unsupported => {
                if copy.exists() {
                    Err(io::Error::from(io::ErrorKind::AlreadyExists))
                } else {
                    fs::rename(displaced, &copy)
                }
            }
            other => other,
        };
        match kept {
            Ok(()) => return Ok(copy),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(Error::writing(&copy, e)),
        }
    }
}

/// A debug build pauses here when `CASEBOOK_TEST_PAUSE_DIR` names a folder: it makes
/// `STEP.paused` there and waits (up to a minute) for `STEP.go`. Tests use it to put another
/// version in place at exactly this moment; release builds have no such hook.
#[cfg(debug_assertions)]
fn test_pause(step: &str) {
    let Some(dir) = std::env::var_os("CASEBOOK_TEST_PAUSE_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    if fs::write(dir.join(format!("{step}.paused")), b"").is_err() {
        return;
    }
    let go = dir.join(format!("{step}.go"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !go.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[cfg(not(debug_assertions))]
fn test_pause(_step: &str) {}

/// `FILE.bak` beside `FILE`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Make a copy of `source` (the new version about to replace `path`) the backup of `path`,
/// atomically replacing the previous backup. A copy, never a second name: writing over the
/// file in place (`cp OTHER FILE`) must not change its backup.
fn copy_backup(source: &Path, path: &Path) -> Result<(), Error> {
    let backup = backup_path(path);
    let staging = temp_name(path, ".bak.tmp");
    let copied = fs::copy(source, &staging)
        .and_then(|_| File::open(&staging)?.sync_all())
        .and_then(|()| fs::rename(&staging, &backup));
    if let Err(e) = copied {
        let _ = fs::remove_file(&staging);
        return Err(Error::writing(&backup, e));
    }
    Ok(())
}

/// A fresh name for a temporary file of `path`: `.FILE.XXXXXX` + `suffix`, hidden, beside it.
fn temp_name(path: &Path, suffix: &str) -> PathBuf {
    use rand::Rng;
    let random: String = rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(TEMP_RANDOM)
        .map(char::from)
        .collect();
    parent_dir(path).join(format!("{}{random}{suffix}", temp_prefix(path)))
}

/// How many random characters a temporary file's name has.
const TEMP_RANDOM: usize = 6;

/// Temporary files of `FILE` are named `.FILE.XXXXXX.tmp`, hidden, beside it.
fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// Remove temporary files a killed writer of `path` left behind: exactly the names casebook
/// gives them (`.FILE.XXXXXX.tmp`, `.FILE.XXXXXX.bak.tmp`), never another file's (the
/// temporary file of `FILE.2025` starts with `.FILE.` too). Only called under the writer's
/// lock, so no other process is still writing them. They hold only ciphertext.
fn remove_leftovers(path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if is_leftover(&prefix, name) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether `name` is one of the temporary files casebook makes with `prefix`.
fn is_leftover(prefix: &str, name: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .map(|middle| middle.strip_suffix(".bak").unwrap_or(middle))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(parent_dir(path))?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_knows_only_its_own_names() {
        let prefix = temp_prefix(Path::new("dir/c.cases.age"));
        assert!(is_leftover(&prefix, ".c.cases.age.Ab3dE9.tmp"));
        assert!(is_leftover(&prefix, ".c.cases.age.Ab3dE9.bak.tmp"));
        for other in [
            ".c.cases.age.2025.Ab3dE9.tmp",
            ".c.cases.age.2025.Ab3dE9.bak.tmp",
            ".c.cases.age.tmp",
            ".c.cases.age.Ab3d.tmp",
            ".c.cases.age.Ab3dE9.tmp.swp",
            "c.cases.age.Ab3dE9.tmp",
        ] {
            assert!(!is_leftover(&prefix, other), "{other}");
        }
    }
}

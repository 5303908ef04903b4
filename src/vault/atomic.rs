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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backup {
    /// The version being replaced (every ordinary save).
    Previous,
    /// The new version itself, so nothing encrypted to an old roster or key stays beside it.
    NewVersion,
}

impl Staged {
    /// Check the staged file and put it in place of `path`.
    ///
    /// `check` reads the staged file back (for example decrypting it) while the file is being
    /// made durable (fsync) on another thread: it reads what the kernel holds either way, and
    /// the disk works meanwhile. Nothing is replaced unless the check passes.
    ///
    /// `expected` is the stamp of the version this process opened: if the file on disk is no
    /// longer that version, nothing is replaced. With `expected == None` the file must not
    /// exist yet, and is never clobbered. `backup` says what becomes `FILE.bak`.
    pub(crate) fn commit<T>(
        self,
        path: &Path,
        expected: Option<&Stamp>,
        backup: Backup,
        check: impl FnOnce(&File) -> Result<T, Error>,
    ) -> Result<(T, Stamp), Error> {
        let Staged { mut temp } = self;
        let unchanged = |expected: &Stamp| -> Result<(), Error> {
            let current = Stamp::of_path(path).map_err(|e| Error::reading(path, e))?;
            if current.as_ref() == Some(expected) {
                Ok(())
            } else {
                Err(Error::ChangedOnDisk {
                    path: path.to_path_buf(),
                })
            }
        };
        let file = temp.as_file();
        let (synced, checked) = std::thread::scope(|scope| {
            let sync = scope.spawn(|| file.sync_all());
            // Once the new version is known good, the old one can become the backup while the
            // fsync finishes: replacing a large backup frees its pages, which takes a while.
            let checked = check(file).and_then(|value| {
                if let Some(expected) = expected {
                    unchanged(expected)?;
                    if backup == Backup::Previous {
                        keep_backup(path)?;
                    }
                }
                Ok(value)
            });
            (sync.join(), checked)
        });
        let value = checked?;
        let synced = synced.unwrap_or_else(|_| Err(io::Error::other("fsync thread failed")));
        synced.map_err(|e| Error::writing(path, e))?;
        let stamp = Stamp::of_file(temp.as_file_mut()).map_err(|e| Error::writing(path, e))?;
        match expected {
            Some(expected) => {
                unchanged(expected)?;
                if backup == Backup::NewVersion {
                    // Before the rename: a crash in between leaves the old file with the new
                    // backup, never the new file beside a backup readable by an old key.
                    replace_backup(temp.path(), path)?;
                }
                temp.persist(path)
                    .map_err(|e| Error::writing(path, e.error))?;
            }
            None => {
                temp.persist_noclobber(path)
                    .map_err(|e| Error::writing(path, e.error))?;
            }
        }
        sync_dir(path).map_err(|e| Error::writing(path, e))?;
        Ok((value, stamp))
    }
}

/// `FILE.bak` beside `FILE`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Make the current version of `path` the backup, atomically replacing the previous backup.
/// A hard link costs no copy; filesystems without links get a copy.
fn keep_backup(path: &Path) -> Result<(), Error> {
    replace_backup(path, path)
}

/// Make `source` (the current file, or the new version about to replace it) the backup of
/// `path`, atomically replacing the previous backup.
fn replace_backup(source: &Path, path: &Path) -> Result<(), Error> {
    let backup = backup_path(path);
    let dir = parent_dir(path);
    let staging = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(".bak.tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::writing(&backup, e))?
        .into_temp_path();
    let staging_path = staging.to_path_buf();
    fs::remove_file(&staging_path).map_err(|e| Error::writing(&backup, e))?;
    if fs::hard_link(source, &staging_path).is_err() {
        fs::copy(source, &staging_path).map_err(|e| Error::writing(&backup, e))?;
    }
    fs::rename(&staging_path, &backup).map_err(|e| Error::writing(&backup, e))?;
    // Usually the staging name is gone now. But when the backup already was the current file
    // (a writer was killed between making the backup and replacing the file), rename() of two
    // links to the same inode does nothing and leaves the staging link: dropping `staging`
    // removes it then.
    drop(staging);
    Ok(())
}

/// Temporary files of `FILE` are named `.FILE.XXXXXX.tmp`, hidden, beside it.
fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// Remove temporary files a killed writer of `path` left behind. Only called under the
/// writer's lock, so no other process is still writing them. They hold only ciphertext.
fn remove_leftovers(path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
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

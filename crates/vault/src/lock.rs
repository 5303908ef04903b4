//! One writer per case file: an advisory lock on a sidecar `FILE.lock`.
//!
//! The sidecar, not the case file, is locked because every save renames a new file over the
//! case file, replacing its inode. The kernel drops the lock when the holder dies, so a stale
//! sidecar left by a crash never blocks anyone; it only records who held it last. The sidecar
//! lives in a folder others may write to (a synced one), so it is never followed through a
//! symbolic link, never opened when it is not a regular file, and what it says is sanitised.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Error;

/// Held while a process may write the case file; released (and the sidecar removed) on drop.
#[derive(Debug)]
pub(crate) struct Lock {
    path: PathBuf,
    // Keeps the lock: closing the file releases it.
    _file: File,
}

impl Lock {
    /// Take the lock for `case_path`, or say who holds it. With `wait`, another writer's lock
    /// is waited for, up to that long.
    pub(crate) fn acquire(case_path: &Path, wait: Option<Duration>) -> Result<Lock, Error> {
        let deadline = wait.map(|w| Instant::now() + w);
        let mut pause = Duration::from_millis(10);
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            match Lock::try_acquire(case_path) {
                Err(Error::Locked { .. }) if left.is_some_and(|l| !l.is_zero()) => {
                    // Polled, not blocked on: each writer removes its sidecar and the next makes
                    // it again, so a blocking lock could wait on an inode nobody uses.
                    std::thread::sleep(pause.min(left.unwrap_or_default()));
                    pause = (pause * 2).min(Duration::from_millis(250));
                }
                other => return other,
            }
        }
    }

    fn try_acquire(case_path: &Path) -> Result<Lock, Error> {
        let path = sidecar(case_path);
        // A holder that exits removes the sidecar; if we locked an inode that was just unlinked,
        // try again on the new one.
        for _ in 0..8 {
            let mut file = open_sidecar(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: case_path.to_path_buf(),
                        holder: holder_note(&mut file),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(Error::writing(&path, e)),
            }
            let same = match (file.metadata(), fs::metadata(&path)) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            };
            if !same {
                continue;
            }
            let note = format!("process {} on {}", std::process::id(), hostname());
            let written = file
                .set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| file.write_all(note.as_bytes()));
            written.map_err(|e| Error::writing(&path, e))?;
            return Ok(Lock { path, _file: file });
        }
        Err(Error::Locked {
            path: case_path.to_path_buf(),
            holder: "lock keeps changing".into(),
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove while still holding the lock, so nobody can lock the inode we unlink.
        let _ = fs::remove_file(&self.path);
    }
}

/// Open (or create) the sidecar without following a symbolic link and without blocking on a
/// FIFO, and refuse anything but a regular file of ours: anyone who can write to a synced
/// folder could otherwise plant `FILE.lock -> ~/something` and have it truncated.
fn open_sidecar(path: &Path) -> Result<File, Error> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            // O_NOFOLLOW on a symbolic link (dangling or not).
            Some(libc::ELOOP) => Error::UnsafeLock {
                path: path.to_path_buf(),
                what: "a symbolic link".into(),
            },
            Some(libc::ENXIO) => Error::UnsafeLock {
                path: path.to_path_buf(),
                what: "a FIFO".into(),
            },
            _ => Error::writing(path, e),
        })?;
    let meta = file.metadata().map_err(|e| Error::writing(path, e))?;
    let what = if !meta.file_type().is_file() {
        Some("not a regular file")
    } else if meta.nlink() > 1 {
        Some("a hard link to another file")
    } else {
        None
    };
    match what {
        Some(what) => Err(Error::UnsafeLock {
            path: path.to_path_buf(),
            what: what.into(),
        }),
        None => Ok(file),
    }
}

/// What the holder wrote into the sidecar, made safe to show (it is a file anyone who can
/// write the folder can fill) and kept short.
fn holder_note(file: &mut File) -> String {
    let mut raw = Vec::new();
    let _ = file.take(256).read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let text = casebook_core::sanitize::inline(text.trim());
    if text.is_empty() {
        "lock held".into()
    } else {
        text.into_owned()
    }
}

/// `FILE.lock` beside `FILE`.
pub(crate) fn sidecar(case_path: &Path) -> PathBuf {
    let mut name = case_path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this machine".into())
}

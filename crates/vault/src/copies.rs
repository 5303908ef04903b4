//! Copies of a case file that sync tools leave beside it when two laptops changed it at once:
//! Syncthing's `NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT`, Dropbox's
//! `NAME (Someone's conflicted copy DATE).EXT` and Nextcloud's or ownCloud's
//! `NAME (conflicted copy DATE).EXT`, where the file is `NAME.EXT`.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::Error;

/// Where merged conflict copies are moved (beside the file, never deleted).
pub const MERGED_DIR: &str = ".casebook-merged";

/// The sync conflict copies of `path` in its folder, sorted.
pub fn conflict_copies(path: &Path) -> Vec<PathBuf> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let candidate = e.file_name().into_string().ok()?;
            is_conflict_copy(name, &candidate).then(|| dir.join(candidate))
        })
        .collect();
    found.sort();
    found
}

/// The name casebook gives a version of `path` it found put in place while it was saving its
/// own (see [`crate::CaseFile::save`]): `NAME (casebook conflicted copy DATE TIME).EXT`
/// beside it, the way Nextcloud names its conflict copies, so that [`conflict_copies`] finds
/// it; `n` tells apart several made in one second.
pub(crate) fn conflict_name(path: &Path, now: chrono::DateTime<chrono::Utc>, n: u32) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{ext}")),
        _ => (name.clone(), String::new()),
    };
    let when = now.format("%Y-%m-%d %H%M%S");
    let extra = if n == 0 {
        String::new()
    } else {
        format!(" {n}")
    };
    let copy = format!("{stem} (casebook conflicted copy {when}{extra}){ext}");
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(copy),
        _ => PathBuf::from(copy),
    }
}

/// Whether `candidate` is a sync tool's conflict copy of the file named `name`.
pub fn is_conflict_copy(name: &str, candidate: &str) -> bool {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let Some(middle) = candidate
        .strip_prefix(stem)
        .and_then(|rest| rest.strip_suffix(ext.as_str()))
    else {
        return false;
    };
    syncthing(middle) || bracketed(middle)
}

/// `.sync-conflict-20261201-101500-ABCDEF7`
fn syncthing(middle: &str) -> bool {
    let Some(rest) = middle.strip_prefix(".sync-conflict-") else {
        return false;
    };
    let mut parts = rest.splitn(3, '-');
    let (Some(day), Some(time), Some(device)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    day.len() == 8
        && day.bytes().all(|b| b.is_ascii_digit())
        && time.len() == 6
        && time.bytes().all(|b| b.is_ascii_digit())
        && !device.is_empty()
        && device.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// ` (Sam's conflicted copy 2026-12-01)` or ` (conflicted copy 2026-12-01 101500)`
fn bracketed(middle: &str) -> bool {
    let Some(inner) = middle
        .strip_prefix(" (")
        .and_then(|rest| rest.strip_suffix(')'))
    else {
        return false;
    };
    inner.starts_with("conflicted copy ")
        || inner
            .split_once("'s conflicted copy ")
            .is_some_and(|(who, _)| !who.is_empty())
        || inner.contains(" conflicted copy ")
}

/// Open another copy to merge, which must be a regular file: a FIFO named as a copy (or put
/// where a sync tool's copy was) would block the open or the read forever, and a device would
/// never end. The kind is checked on the opened file, so it cannot change in between.
pub(crate) fn open_copy(path: &Path) -> Result<File, Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::reading(path, e))?;
    let kind = file
        .metadata()
        .map_err(|e| Error::reading(path, e))?
        .file_type();
    if !kind.is_file() {
        return Err(Error::NotRegularFile {
            path: path.to_path_buf(),
            what: super::atomic::describe_kind(kind).into(),
        });
    }
    Ok(file)
}

/// Where a damaged case file replaced by `casebook recover` is kept: `NAME.damaged-TIME` in
/// [`MERGED_DIR`] beside it.
pub(crate) fn damaged_aside(path: &Path, now: chrono::DateTime<chrono::Utc>) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(MERGED_DIR),
        _ => PathBuf::from(MERGED_DIR),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!("{name}.damaged-{}", now.format("%Y%m%dT%H%M%SZ")))
}

/// Delete what casebook left in [`MERGED_DIR`] beside `path` of that file (conflict copies an
/// earlier casebook moved there, damaged versions `casebook recover` replaced): after a member
/// is removed or a key replaced, no file casebook wrote there may still open with the old
/// key. The folder goes too when nothing else is in it. Gives what was deleted.
pub fn clear_aside(path: &Path) -> Vec<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(MERGED_DIR),
        _ => PathBuf::from(MERGED_DIR),
    };
    // A link planted in its place is never followed.
    if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_dir()) {
        return Vec::new();
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let damaged = format!("{name}.damaged-");
    let mut cleared = Vec::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let candidate = entry.file_name().to_string_lossy().into_owned();
        // An earlier casebook numbered a second copy of one name `NAME.1`.
        let base = match candidate.rsplit_once('.') {
            Some((base, n)) if n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() => base,
            _ => candidate.as_str(),
        };
        let ours = is_conflict_copy(&name, base) || base.starts_with(&damaged);
        if ours
            && entry
                .file_type()
                .is_ok_and(|t| t.is_file() || t.is_symlink())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            cleared.push(entry.path());
        }
    }
    let _ = std::fs::remove_dir(&dir);
    cleared.sort();
    cleared
}

/// Delete a conflict copy whose every change the case file now holds, saved and verified: it
/// is contained in the file, and a copy left in a synced folder stays readable to every key
/// it was encrypted to (a member removed or kept out of a case since, an old key). A link is
/// removed, never followed.
pub fn discard(copy: &Path) -> std::io::Result<()> {
    std::fs::remove_file(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discarding_a_linked_copy_removes_the_link_not_what_it_points_at() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.age");
        std::fs::write(&target, b"ciphertext").unwrap();
        let copy = dir
            .path()
            .join("c.cases.sync-conflict-20261201-101500-ABCDEF7.age");
        std::os::unix::fs::symlink(&target, &copy).unwrap();
        discard(&copy).unwrap();
        assert!(
            std::fs::symlink_metadata(&copy).is_err(),
            "the link is gone"
        );
        assert!(target.exists(), "what it pointed at is untouched");
    }

    #[test]
    fn clearing_aside_takes_this_files_copies_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.cases.age");
        let aside = dir.path().join(MERGED_DIR);
        std::fs::create_dir(&aside).unwrap();
        for name in [
            "c.cases.sync-conflict-20261201-101500-ABCDEF7.age",
            "c.cases.sync-conflict-20261201-101500-ABCDEF7.age.1",
            "c.cases.age.damaged-20261201T101500Z",
            "other.cases.sync-conflict-20261201-101500-ABCDEF7.age",
            "notes.txt",
        ] {
            std::fs::write(aside.join(name), b"x").unwrap();
        }
        let cleared = clear_aside(&file);
        assert_eq!(cleared.len(), 3, "{cleared:?}");
        let mut left: Vec<String> = std::fs::read_dir(&aside)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "notes.txt",
                "other.cases.sync-conflict-20261201-101500-ABCDEF7.age"
            ]
        );
    }

    #[test]
    fn casebook_names_a_displaced_version_as_a_conflict_copy() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:15:00Z")
            .unwrap()
            .to_utc();
        let copy = conflict_name(Path::new("dir/committee.cases.age"), now, 0);
        assert_eq!(
            copy,
            Path::new("dir/committee.cases (casebook conflicted copy 2026-12-01 101500).age")
        );
        let name = copy.file_name().unwrap().to_str().unwrap();
        assert!(is_conflict_copy("committee.cases.age", name));
    }

    #[test]
    fn recognises_the_sync_tools_conflict_names() {
        let name = "committee.cases.age";
        for copy in [
            "committee.cases.sync-conflict-20261201-101500-ABCDEF7.age",
            "committee.cases (Sam Lindqvist's conflicted copy 2026-12-01).age",
            "committee.cases (conflicted copy 2026-12-01 101500).age",
            "committee.cases (casebook conflicted copy 2026-12-01 101500 2).age",
        ] {
            assert!(is_conflict_copy(name, copy), "{copy}");
        }
        for other in [
            "committee.cases.age",
            "committee.cases.age.bak",
            "committee.cases.age.lock",
            "other.cases.sync-conflict-20261201-101500-ABCDEF7.age",
            "committee.cases.sync-conflict-2026-101500-X.age",
            "committee.cases (notes).age",
        ] {
            assert!(!is_conflict_copy(name, other), "{other}");
        }
    }
}

//! After an expunge takes effect on this laptop: casebook's own leftovers of the case are
//! deleted, and what casebook cannot reach is listed, with paths, for the member to deal with.

use std::path::{Path, PathBuf};

/// What the laptop did and could not do after an expunge erased cases' content here.
#[derive(Debug, Default)]
pub struct Leftovers {
    /// casebook's own copies deleted: versions it moved aside (merged conflict copies,
    /// damaged versions). The backup is replaced by the save itself.
    pub deleted: Vec<PathBuf>,
    /// What casebook cannot reach, each with what to do about it.
    pub unreachable: Vec<Unreachable>,
}

/// A place that may still hold the erased content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreachable {
    /// The member's exports of the case in the export folder.
    Exports(Vec<PathBuf>),
    /// A sync tool's conflict copy beside the file, not merged yet.
    ConflictCopy(PathBuf),
    /// casebook's backup of such a copy (a member changed the copy itself).
    CopyBackup(PathBuf),
    /// A sync tool's version folder (Syncthing's `.stversions`).
    Versions(PathBuf),
    /// A git repository holding the case file's history.
    Git {
        /// The repository's top folder.
        repo: PathBuf,
        /// The case file, as a path inside it.
        file: PathBuf,
    },
    /// A folder a sync tool keeps a version history of.
    Synced {
        /// The folder.
        dir: PathBuf,
        /// The tool.
        tool: &'static str,
    },
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show =
            |p: &Path| casebook_core::sanitize::inline(&p.display().to_string()).into_owned();
        match self {
            Unreachable::Exports(files) => write!(
                f,
                "your exports of the case, which casebook does not delete for you: {} \
                 (delete them with `rm`, once you no longer need them)",
                files.iter().map(|p| show(p)).collect::<Vec<_>>().join(", ")
            ),
            Unreachable::ConflictCopy(copy) => write!(
                f,
                "the sync conflict copy {}: merge it (`casebook merge FILE COPY`), which \
                 discards what it holds of the case and deletes it",
                show(copy)
            ),
            Unreachable::CopyBackup(backup) => write!(
                f,
                "casebook's backup of a sync conflict copy, {}: delete it once the copy is \
                 merged",
                show(backup)
            ),
            Unreachable::Versions(dir) => write!(
                f,
                "Syncthing's old versions of the file in {}: delete the case file's versions \
                 there, on every member's laptop",
                show(dir)
            ),
            Unreachable::Git { repo, file } => write!(
                f,
                "the git repository {}, which holds every committed version of {}: run \
                 `git filter-repo --invert-paths --path {}` and then commit the current file \
                 again; every clone must do the same (a `git pull` from a clone that did not \
                 brings the old versions back)",
                show(repo),
                show(file),
                show(file)
            ),
            Unreachable::Synced { dir, tool } => write!(
                f,
                "{tool}'s version history of {}: delete the case file's earlier versions in \
                 {tool}'s own version history (its web interface or app)",
                show(dir)
            ),
        }
    }
}

/// After a save that erased cases' content here (an approved expunge took effect at it):
/// delete casebook's own leftovers of them, list what casebook cannot reach, and sign that this
/// laptop applied each expunge, saved at once. Gives what to tell the member, one line each
/// (`note:` or `warning:`); nothing when the save erased nothing.
pub(crate) fn apply(
    file: &mut casebook_vault::CaseFile,
    identity: &casebook_vault::Identity,
    saved: &Path,
    export_dir: &Path,
) -> Result<Vec<String>, super::Error> {
    let erased = file.take_erased();
    if erased.is_empty() {
        return Ok(Vec::new());
    }
    // A member who removed themselves at this very save is off the roster: their laptop
    // cleans up all the same, but does not sign for the committee any more.
    let me = file.me()?;
    let cases = file.cases()?.clone();
    let named: Vec<(String, u64)> = erased
        .iter()
        .filter_map(|(id, n)| cases.get(id).map(|c| (c.code_name.clone(), *n)))
        .collect();
    let codes: Vec<String> = named.iter().map(|(c, _)| c.clone()).collect();
    let show = |text: &str| casebook_core::sanitize::inline(text).into_owned();
    let leftovers = clean_up(saved, export_dir, &codes);
    let mut lines = vec![format!(
        "note: erased from {} the content of {}; its backup was replaced",
        show(&saved.display().to_string()),
        named
            .iter()
            .map(|(c, n)| format!(
                "{} of expunged case {}",
                casebook_core::describe::count(*n as usize, "change", "changes"),
                show(c)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    for path in &leftovers.deleted {
        lines.push(format!(
            "note: deleted casebook's earlier copy {}",
            show(&path.display().to_string())
        ));
    }
    for place in &leftovers.unreachable {
        lines.push(format!(
            "warning: the erased content may still be in {place}"
        ));
    }
    let Some(me) = me else {
        lines.push(
            "note: you are no longer on the committee's roster, so this laptop does not sign \
             that it applied the expunge (its leftovers here are deleted all the same)"
                .to_string(),
        );
        return Ok(lines);
    };
    for (id, _) in &erased {
        let Some(case) = cases.get(id) else { continue };
        let mine = case
            .expunged
            .as_ref()
            .is_some_and(|x| x.applied.iter().any(|(m, _)| *m == me.id));
        if !mine {
            super::cases::change(
                crate::OpenFile::wrap(file),
                &case.code_name,
                super::cases::CaseChange::ExpungeApplied,
            )?;
        }
    }
    if file.is_dirty() {
        file.save(identity)?;
    }
    Ok(lines)
}

/// Delete casebook's own leftovers beside `file` (see [`casebook_vault::copies::clear_aside`])
/// and list what it cannot reach: exports of the cases named `codes` in `export_dir`, and the
/// version histories of the folders the file sits in.
pub fn clean_up(file: &Path, export_dir: &Path, codes: &[String]) -> Leftovers {
    let mut leftovers = Leftovers {
        deleted: casebook_vault::copies::clear_aside(file),
        unreachable: Vec::new(),
    };
    let exports: Vec<PathBuf> = std::fs::read_dir(export_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| codes.iter().any(|c| n.contains(c.as_str())))
        })
        .collect();
    if !exports.is_empty() {
        leftovers.unreachable.push(Unreachable::Exports(exports));
    }
    leftovers.unreachable.extend(
        casebook_vault::copies::conflict_copies(file)
            .into_iter()
            .map(Unreachable::ConflictCopy),
    );
    // The backups casebook wrote beside conflict copies it has since merged and deleted.
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        let Some(copy) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".bak"))
        else {
            continue;
        };
        if casebook_vault::copies::is_conflict_copy(&name, copy) {
            if folder.join(copy).exists() {
                leftovers.unreachable.push(Unreachable::CopyBackup(path));
            } else if std::fs::remove_file(&path).is_ok() {
                leftovers.deleted.push(path);
            }
        }
    }
    let absolute = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(file))
            .unwrap_or_else(|_| file.to_path_buf())
    };
    let mut dir = absolute.parent();
    while let Some(here) = dir {
        if here.join(".stversions").is_dir() {
            leftovers
                .unreachable
                .push(Unreachable::Versions(here.join(".stversions")));
        }
        if here.join(".git").exists() {
            leftovers.unreachable.push(Unreachable::Git {
                repo: here.to_path_buf(),
                file: absolute
                    .strip_prefix(here)
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|_| absolute.clone()),
            });
        }
        for (marker, tool) in [
            (".dropbox", "Dropbox"),
            (".dropbox.cache", "Dropbox"),
            (".nextcloudsync.log", "Nextcloud"),
            (".owncloudsync.log", "ownCloud"),
        ] {
            if here.join(marker).exists()
                && !leftovers
                    .unreachable
                    .iter()
                    .any(|u| matches!(u, Unreachable::Synced { tool: t, .. } if *t == tool))
            {
                leftovers.unreachable.push(Unreachable::Synced {
                    dir: here.to_path_buf(),
                    tool,
                });
            }
        }
        dir = here.parent();
    }
    leftovers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_git_and_syncthing_versions_are_listed() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("committee");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join(".stversions")).unwrap();
        let exports = root.path().join("exports");
        std::fs::create_dir_all(&exports).unwrap();
        std::fs::write(exports.join("amber-kettle-internal.md"), b"x").unwrap();
        std::fs::write(exports.join("other-case.md"), b"x").unwrap();
        let file = repo.join("c.cases.age");
        let found = clean_up(&file, &exports, &["amber-kettle".into()]);
        let text: Vec<String> = found.unreachable.iter().map(|u| u.to_string()).collect();
        assert!(
            text.iter().any(|t| t.contains("amber-kettle-internal.md")),
            "{text:?}"
        );
        assert!(!text.iter().any(|t| t.contains("other-case")), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.contains("git filter-repo --invert-paths --path c.cases.age")),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.contains(".stversions")), "{text:?}");
    }

    #[test]
    fn the_backup_of_a_merged_conflict_copy_goes_and_a_remaining_copy_is_named() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("c.cases.age");
        let gone = root
            .path()
            .join("c.cases.sync-conflict-20261203-101010-ABCDEF7.age.bak");
        let copy = root.path().join("c.cases (conflicted copy 2026-12-03).age");
        std::fs::write(&gone, b"x").unwrap();
        std::fs::write(&copy, b"x").unwrap();
        std::fs::write(
            root.path()
                .join("c.cases (conflicted copy 2026-12-03).age.bak"),
            b"x",
        )
        .unwrap();
        let found = clean_up(&file, root.path(), &[]);
        assert_eq!(found.deleted, vec![gone.clone()]);
        assert!(!gone.exists());
        let text: Vec<String> = found.unreachable.iter().map(|u| u.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("the sync conflict copy") && t.contains("conflicted copy")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("casebook's backup of a sync conflict copy")),
            "{text:?}"
        );
    }
}

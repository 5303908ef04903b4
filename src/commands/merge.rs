//! `casebook merge`, `merge-driver`, `attention` and `resolve`: bringing copies together and
//! dealing with what they brought together.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::session::Session;
use super::{Error, load_identity, open_file};
use crate::cli::Config;
use crate::core::sanitize::inline;
use crate::ops::OpenFile;
use crate::ops::merge::{self as merge_ops, MergedCopy, Outcome};
use crate::ops::vault::Merged;
use crate::ops::vault::{Identity, OpenMode};

/// "3 changes from Sam Lindqvist, 1 from Mei Chen" (the wording both front ends share).
pub(super) use crate::ops::merge::came_in;

fn attention_count(file: &mut OpenFile) -> Result<usize, Error> {
    Ok(merge_ops::attention(file)?.len())
}

/// `casebook merge FILE OTHER...`
///
/// FILE may be an older copy (a backup put back, say): the merge goes on when its result holds
/// everything this laptop verified at FILE's path, which is how such a copy recovers. Whatever
/// is merged is saved, or nothing is written and every copy stays where it was.
pub(super) fn merge(
    config: &Config,
    file: &Path,
    others: &[PathBuf],
    other_identity: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let reader = other_identity
        .map(|path| crate::ops::vault::Identity::load(path, &config.passphrases))
        .transpose()?;
    // The first other copy is read while the file is opened (with the key given for the
    // other copies, else the member's own).
    let identity = load_identity(config)?;
    let key = reader.as_ref().unwrap_or(&identity);
    let open = || open_behind(config, file, &identity);
    let (opened, first) = match others.first() {
        Some(other) => {
            let (opened, copy) = merge_ops::read_while_opening(other, key, open);
            (opened, Some(copy))
        }
        None => (open(), None),
    };
    let mut session = Session::with(opened?, identity)?;
    let before = attention_count(&mut session.file)?;
    let done = merge_ops::merge(
        &mut session.file,
        &session.identity,
        reader.as_ref(),
        others,
        first,
    )?;
    // The copies named here are merged as named; the other conflict copies beside the file
    // come in as with any change. Named conflict copies are deleted with them, after the save.
    session.merge_conflict_copies(others)?;
    let named_copies: Vec<MergedCopy> = done
        .iter()
        .filter_map(|(other, outcome)| match outcome {
            Outcome::Merged(m) if is_conflict_copy_of(file, other) => Some(MergedCopy {
                copy: other.clone(),
                merged: (**m).clone(),
            }),
            _ => None,
        })
        .collect();
    session.discard_after_save(named_copies);
    if !session.file.catch_up()? {
        let recovered = session.file.catch_up_from_copies(&session.identity)?;
        report_recovered(file, &recovered, &session.file.roster()?);
    }
    if let Some(refusal) = session.file.behind_refusal() {
        return Err(refusal.into());
    }
    let roster = session.file.roster()?;
    for (other, outcome) in &done {
        match outcome {
            Outcome::Itself => writeln!(
                out,
                "{} is {} itself: nothing to merge",
                other.display(),
                file.display()
            )?,
            Outcome::Merged(m) if m.is_empty() => writeln!(
                out,
                "{}: nothing new (every change in it is already in {})",
                other.display(),
                file.display()
            )?,
            Outcome::Merged(m) => {
                writeln!(out, "{}: {}", other.display(), came_in(m, &roster))?;
            }
        }
    }
    let after = attention_count(&mut session.file)?;
    match session.close()? {
        None => writeln!(out, "{} is unchanged", file.display())?,
        Some(report) => writeln!(
            out,
            "merged into {} (encrypted to {}){}",
            report.path.display(),
            crate::core::describe::count(report.recipients, "recipient", "recipients"),
            needs_attention(after, before, file)
        )?,
    }
    Ok(())
}

/// Open `path` for writing as `identity`'s member even when it is an older copy (see
/// [`OpenFile::open_behind`]), saying on stderr what a member must know about it.
fn open_behind(config: &Config, path: &Path, identity: &Identity) -> Result<OpenFile, Error> {
    let file = OpenFile::open_behind(path, identity, &config.expect)?;
    super::opened(config, path, &file, OpenMode::ReadWrite)?;
    Ok(file)
}

/// Whether `other` is a sync tool's conflict copy of `file`, beside it.
fn is_conflict_copy_of(file: &Path, other: &Path) -> bool {
    let same_dir = |p: &Path| {
        std::fs::canonicalize(
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )
        .ok()
    };
    match (file.file_name(), other.file_name()) {
        (Some(name), Some(copy)) => {
            same_dir(file) == same_dir(other)
                && crate::ops::vault::is_conflict_copy(
                    &name.to_string_lossy(),
                    &copy.to_string_lossy(),
                )
        }
        _ => false,
    }
}

/// Say which copies beside `file` brought back history it lacked.
pub(super) fn report_recovered(
    file: &Path,
    recovered: &[(PathBuf, Merged)],
    roster: &crate::core::roster::Roster,
) {
    for (copy, merged) in recovered {
        eprintln!(
            "note: {} lacked history this laptop had verified there (an older copy was put in \
             its place); merged {} ({})",
            inline(&file.display().to_string()),
            inline(&copy.display().to_string()),
            came_in(merged, roster)
        );
    }
}

fn needs_attention(after: usize, before: usize, file: &Path) -> String {
    let file = crate::ops::export::shell_quote(&file.display().to_string());
    match after {
        0 => String::new(),
        n if n > before => format!(
            "; {} need{} attention (casebook attention {file})",
            n - before,
            if n - before == 1 { "s" } else { "" }
        ),
        n => format!("; {n} still need attention (casebook attention {file})"),
    }
}

/// `casebook merge-driver %O %A %B`: merge %B into %A, for git.
pub(super) fn driver(
    config: &Config,
    ours: &Path,
    theirs: &Path,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut file = OpenFile::open_expecting(ours, &identity, OpenMode::ReadWrite, &config.expect)?;
    // The same operation as `casebook merge`: only an active member merges, and %B is read as
    // any other copy is (a FIFO or a device given as %B is refused, not read forever).
    let theirs = [theirs.to_path_buf()];
    let merged = match merge_ops::merge(&mut file, &identity, None, &theirs, None)?.pop() {
        Some((_, merge_ops::Outcome::Merged(merged))) => *merged,
        _ => return Ok(()),
    };
    if merged.is_empty() {
        return Ok(());
    }
    let roster = file.roster()?;
    super::session::warn_if_clock_behind(&file);
    // An expunge the merge brought in takes effect at this save: git's own history of the file
    // is what matters most of what casebook cannot reach, and it is said here.
    let saved = file.save(&identity, &config.interface.export_dir, Vec::new())?;
    for line in saved.expunged? {
        eprintln!("{line}");
    }
    drop(file);
    // %A is git's temporary file: git keeps its previous version, so no backup is left in the
    // work tree beside it.
    let _ = std::fs::remove_file(crate::ops::vault::backup_path(ours));
    writeln!(out, "casebook: merged {}", came_in(&merged, &roster))?;
    Ok(())
}

/// `casebook attention FILE`
pub(super) fn attention(
    config: &Config,
    file: &Path,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = open_file(config, file, &identity, OpenMode::ReadOnly)?;
    let items = merge_ops::attention(&mut case_file)?;
    let roster = case_file.roster()?;
    let name = |id| {
        roster.get(id).map_or_else(
            || "a former member".to_string(),
            |m| inline(&m.name).to_string(),
        )
    };
    if json {
        let values: Vec<serde_json::Value> = items
            .iter()
            .map(|item| {
                serde_json::json!({
                    "case": item.case.as_ref().map(|(_, code)| code),
                    "item": item.attention.event.to_string(),
                    "by": name(item.attention.by),
                    "at": item.attention.at.to_rfc3339(),
                    "what": item.attention.what.summary(),
                    "detail": item.attention.what,
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&values).map_err(std::io::Error::from)?
        )?;
        return Ok(());
    }
    if items.is_empty() {
        writeln!(out, "nothing needs attention in {}", file.display())?;
        return Ok(());
    }
    writeln!(out, "{:<22} {:<8} {:<20} WHAT", "CASE", "ITEM", "BY")?;
    for item in &items {
        let case = item.case.as_ref().map_or_else(
            || "(roster)".to_string(),
            |(_, code)| inline(code).to_string(),
        );
        writeln!(
            out,
            "{:<22} {:<8} {:<20} {}",
            case,
            &crate::core::describe::short_event(&item.attention.event),
            name(item.attention.by),
            inline(&item.attention.what.summary())
        )?;
    }
    writeln!(
        out,
        "resolve with: casebook resolve {} CODE --item ITEM --note 'how it was resolved'",
        crate::ops::export::shell_quote(&file.display().to_string())
    )?;
    Ok(())
}

/// `casebook resolve FILE [CODE] --item ID... --note TEXT [--keep ID]`
pub(super) fn resolve(
    config: &Config,
    file: &Path,
    code: Option<&str>,
    items: &[String],
    note: &str,
    keep: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut session = Session::open(config, file)?;
    let resolved = merge_ops::resolve(&mut session.file, code, items, note, keep)?;
    session.save(None)?;
    writeln!(
        out,
        "resolved {} item{} on {}",
        resolved.len(),
        if resolved.len() == 1 { "" } else { "s" },
        code.map_or("the roster".to_string(), |c| inline(c).to_string())
    )?;
    Ok(())
}

pub(super) fn approve(
    config: &Config,
    file: &Path,
    code: Option<&str>,
    item: &str,
    withdraw: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut session = Session::open(config, file)?;
    let approval = merge_ops::approve(&mut session.file, code, item, withdraw)?;
    session.save(None)?;
    let short = &crate::core::describe::short_event(&approval.event);
    if withdraw {
        writeln!(out, "withdrew {short} ({})", approval.what)?;
    } else if approval.effective {
        writeln!(
            out,
            "approved {short} ({}): it takes effect now",
            approval.what
        )?;
    } else {
        writeln!(
            out,
            "approved {short} ({}): it waits for more approvals (a majority of the active members)",
            approval.what
        )?;
    }
    Ok(())
}

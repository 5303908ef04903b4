//! `casebook merge`, `merge-driver`, `attention` and `resolve`: bringing copies together and
//! dealing with what they brought together.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::session::Session;
use super::{Error, load_identity, open_file};
use crate::cli::Config;
use crate::core::sanitize::inline;
use crate::ops::merge::{self as merge_ops, Outcome};
use crate::vault::{CaseFile, OpenMode};

/// "3 changes from Sam Lindqvist, 1 from Mei Chen" (the wording both front ends share).
pub(super) use crate::ops::merge::came_in;

fn attention_count(file: &mut CaseFile) -> Result<usize, Error> {
    Ok(merge_ops::attention(file)?.len())
}

/// `casebook merge FILE OTHER...`
pub(super) fn merge(
    config: &Config,
    file: &Path,
    others: &[PathBuf],
    other_identity: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let reader = other_identity
        .map(|path| crate::vault::Identity::load(path, &config.passphrases))
        .transpose()?;
    // The first other copy is read while the file is opened (with the key given for the
    // other copies, else the member's own).
    let identity = load_identity(config)?;
    let key = reader.as_ref().unwrap_or(&identity);
    let (opened, first) = match others.first() {
        Some(other) => {
            let (opened, copy) = merge_ops::read_while_opening(other, key, || {
                Session::open_file(config, file, &identity)
            });
            (opened, Some(copy))
        }
        None => (Session::open_file(config, file, &identity), None),
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
    let roster = session.file.roster()?;
    let mut any = false;
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
                any = true;
                writeln!(out, "{}: {}", other.display(), came_in(m, &roster))?;
            }
        }
    }
    if !any {
        writeln!(out, "{} is unchanged", file.display())?;
        return Ok(());
    }
    let after = attention_count(&mut session.file)?;
    let report = session.save(None)?;
    writeln!(
        out,
        "merged into {} (encrypted to {}){}",
        report.path.display(),
        crate::core::describe::count(report.recipients, "recipient", "recipients"),
        needs_attention(after, before, file)
    )?;
    Ok(())
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
    let mut file = CaseFile::open_expecting(ours, &identity, OpenMode::ReadWrite, &config.expect)?;
    // Read as any other copy is: a FIFO or a device given as %B is refused, not read forever.
    let merged = file.merge_file(theirs, &identity)?;
    if merged.is_empty() {
        return Ok(());
    }
    let roster = file.roster()?;
    file.save(&identity)?;
    drop(file);
    // %A is git's temporary file: git keeps its previous version, so no backup is left in the
    // work tree beside it.
    let _ = std::fs::remove_file(crate::vault::backup_path(ours));
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
            &item.attention.event.to_string()[..8],
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

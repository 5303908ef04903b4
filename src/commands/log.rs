//! `casebook log`: the verified history, commit by commit: who signed which changes, and
//! when. Changes to a case the member has a hard conflict on are counted, never shown.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{Error, load_identity, open_file};
use crate::cli::Config;
use crate::core::case::CaseId;
use crate::core::describe;
use crate::core::event::ConflictKind;
use crate::core::sanitize::inline;
use crate::ops::vault::OpenMode;

#[derive(Serialize)]
struct Commit {
    commit: String,
    author: String,
    at: String,
    adopts_earlier_history: bool,
    merges: bool,
    /// Its claimed time is later than this laptop's clock (more than the 5 minutes of skew
    /// allowed): a warning only; the rules do not use it.
    dated_in_the_future: bool,
    changes: Vec<Change>,
    hidden_changes: usize,
    /// How many sealed cases' summaries it signs: what copies they are sealed from show.
    signed_summaries: usize,
}

#[derive(Serialize)]
struct Change {
    event: String,
    case: Option<String>,
    kind: &'static str,
    what: String,
    /// Why the committee's rules did not apply it, when they did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applied: Option<String>,
}

/// `casebook log`
pub(super) fn log(
    config: &Config,
    file: &Path,
    code: Option<&str>,
    head: bool,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = open_file(config, file, &identity, OpenMode::ReadOnly)?;
    if head {
        let (head, digest) = case_file.head()?;
        let head = head.unwrap_or_else(|| "none (written before signed history)".into());
        if json {
            let value = serde_json::json!({ "head": head, "digest": digest });
            writeln!(out, "{}", super::json(&value)?)?;
        } else {
            writeln!(out, "head    {head}\ndigest  {digest}")?;
        }
        return Ok(());
    }
    let only: Option<CaseId> = match code {
        Some(code) => Some(case_file.readable(code)?.id),
        None => None,
    };
    let me = case_file.me()?.map(|m| m.id);
    let roster = case_file.roster()?;
    let cases = case_file.cases()?.clone();
    let name = |id| {
        roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    // What the rules did not apply: the committee's, and each readable case's.
    let mut held: std::collections::HashMap<uuid::Uuid, String> =
        case_file.held()?.into_iter().collect();
    for case in cases.values() {
        held.extend(case.held.iter().map(|h| (h.event, h.why.clone())));
    }
    let mut commits = Vec::new();
    let now = chrono::Utc::now();
    for entry in case_file.log()? {
        let mut changes = Vec::new();
        // What is sealed from this copy is counted, never shown.
        let mut hidden = if only.is_none() {
            entry.sealed.len()
        } else {
            0
        };
        for event in &entry.events {
            if only.is_some() && event.case != only {
                continue;
            }
            let case = event.case.and_then(|id| cases.get(&id));
            // A case this member may not read: not even what kind of change it was.
            if let (Some(case), Some(me)) = (case, me)
                && (case.conflict_of(me) == Some(ConflictKind::Hard) || !case.readable_by(me))
            {
                hidden += 1;
                continue;
            }
            changes.push(Change {
                event: event.id.to_string(),
                case: case.map(|c| c.code_name.clone()),
                kind: event.kind.name(),
                what: describe::headline(&event.kind, &name),
                not_applied: held.get(&event.id).map(|why| inline(why).into_owned()),
            });
        }
        if changes.is_empty() && hidden == 0 && only.is_some() {
            continue;
        }
        let future = chrono::DateTime::parse_from_rfc3339(&entry.at)
            .is_ok_and(|at| at.to_utc() > now + chrono::Duration::minutes(5));
        commits.push(Commit {
            dated_in_the_future: future,
            commit: entry.id,
            author: name(entry.author),
            at: entry.at,
            adopts_earlier_history: entry.adopts,
            merges: entry.parents > 1,
            changes,
            hidden_changes: hidden,
            signed_summaries: entry.summaries,
        });
    }
    if json {
        writeln!(out, "{}", super::json(&commits)?)?;
        return Ok(());
    }
    for commit in &commits {
        let at = commit.at.get(..16).unwrap_or(&commit.at).replace('T', " ");
        writeln!(
            out,
            "commit {}  {}  {at} UTC{}",
            crate::core::describe::short_commit(&commit.commit),
            commit.author,
            if commit.adopts_earlier_history {
                "  (adopts the history written before signing)"
            } else {
                ""
            }
        )?;
        if commit.merges {
            writeln!(out, "    merged two copies' changes (casebook merge)")?;
        }
        if commit.dated_in_the_future {
            writeln!(
                out,
                "    WARNING: dated after this laptop's clock ({} UTC): its author's clock was \
                 ahead, or this laptop's is behind",
                now.format("%Y-%m-%d %H:%M")
            )?;
        }
        for change in &commit.changes {
            let case = change
                .case
                .as_deref()
                .map(|c| format!("{c}: "))
                .unwrap_or_default();
            writeln!(out, "    {case}{}", change.what)?;
            if let Some(why) = &change.not_applied {
                writeln!(
                    out,
                    "      not applied: {why} (signed by {})",
                    commit.author
                )?;
            }
        }
        // A commit that only signs summaries (after a merge) would otherwise show as empty.
        if commit.changes.is_empty() && commit.hidden_changes == 0 && commit.signed_summaries > 0 {
            writeln!(
                out,
                "    signed what copies a sealed case is kept from show of {}",
                crate::core::describe::count(commit.signed_summaries, "case", "cases")
            )?;
        }
        if commit.hidden_changes > 0 {
            writeln!(
                out,
                "    ({} to a case you may not see)",
                crate::core::describe::count(commit.hidden_changes, "change", "changes")
            )?;
        }
    }
    Ok(())
}

//! `casebook recover FILE [--accept COMMIT]`: what this laptop verified, what the file and
//! every copy beside it hold, all merged; an older history accepted only on the member's word.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::{Error, load_identity};
use crate::cli::Config;
use crate::core::describe::short_commit;
use crate::core::sanitize::inline;
use crate::ops::recover::{self, Recovering};
use crate::ops::vault::Head;

fn when(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

fn head_line(head: &Head) -> String {
    format!(
        "newest commit {} by {} ({}), {} commit{}",
        short_commit(&head.id),
        inline(&head.by),
        when(&head.at),
        head.commits,
        if head.commits == 1 { "" } else { "s" }
    )
}

/// `casebook recover FILE [--accept COMMIT]`
pub(super) fn recover(
    config: &Config,
    path: &Path,
    accept: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let shown = inline(&path.display().to_string()).into_owned();
    let survey = recover::survey(path, &identity, &config.expect)?;
    match &survey.pinned {
        Some(pin) => writeln!(
            out,
            "this laptop verified {shown} up to commit {} by {} ({}), on {}",
            short_commit(&pin.head),
            inline(&pin.head_author),
            when(&pin.head_at),
            pin.verified_at.format("%Y-%m-%d %H:%M UTC")
        )?,
        None => writeln!(out, "this laptop has not verified any history at {shown}")?,
    }
    match (&survey.file, &survey.damaged) {
        (Some(file), _) => {
            let head = file.head_commit()?;
            let lacks = if file.is_behind() {
                "; it lacks what this laptop verified"
            } else {
                ""
            };
            writeln!(out, "{shown}: {}{lacks}", head_line(&head))?;
        }
        (None, Some(why)) => writeln!(
            out,
            "{shown}: cannot be opened: {}",
            inline(&why.to_string())
        )?,
        (None, None) => {}
    }
    if survey.copies.is_empty() {
        writeln!(
            out,
            "no other copy beside it (backup, sync conflict copies, .casebook-merged/)"
        )?;
    }
    for found in &survey.copies {
        let name = inline(&found.path.display().to_string()).into_owned();
        match &found.read {
            Ok((_, head)) if !head.same_committee => {
                writeln!(out, "  {name}: another committee's file; left alone")?
            }
            Ok((_, head)) => writeln!(
                out,
                "  {name}: {}{}",
                head_line(&head.head),
                if head.holds_pinned {
                    "; holds what this laptop verified"
                } else {
                    ""
                }
            )?,
            Err(why) => writeln!(
                out,
                "  {name}: cannot be read: {}",
                inline(&why.to_string())
            )?,
        }
    }
    let was_damaged = survey.damaged.is_some();
    let recovering = recover::merge_all(survey, &identity, &config.expect)?;
    report_merges(&recovering, out)?;
    if recovering.holds_pinned {
        if !recovering.file.is_dirty() && !was_damaged {
            writeln!(
                out,
                "{shown} holds everything this laptop verified; nothing to recover"
            )?;
            return Ok(());
        }
        let report = recover::save(recovering, &identity)?;
        writeln!(
            out,
            "recovered {}: it holds everything this laptop verified again{}",
            report.path.display(),
            if was_damaged {
                " (the damaged file is kept in .casebook-merged/)"
            } else {
                ""
            }
        )?;
        return Ok(());
    }
    older(&shown, recovering, accept, &identity, out)
}

fn report_merges(recovering: &Recovering, out: &mut dyn Write) -> Result<(), Error> {
    if let Some(base) = &recovering.in_place_of_damaged {
        writeln!(out, "starting from {}", inline(&base.display().to_string()))?;
    }
    let roster = recovering.file.roster()?;
    for (path, result) in &recovering.merged {
        let name = inline(&path.display().to_string()).into_owned();
        match result {
            Ok(m) if m.is_empty() => {}
            Ok(m) => writeln!(out, "merged {name}: {}", super::merge::came_in(m, &roster))?,
            Err(why) => writeln!(
                out,
                "  {name} could not be merged: {}",
                inline(&why.to_string())
            )?,
        }
    }
    Ok(())
}

/// No copy holds what this laptop verified: say what is lost and accept the older history
/// only on the member's word.
fn older(
    shown: &str,
    recovering: Recovering,
    accept: Option<&str>,
    identity: &crate::ops::vault::Identity,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let head = recovering.head.clone();
    let id = short_commit(&head.id).to_string();
    writeln!(
        out,
        "no copy holds what this laptop verified. The newest history found: {}",
        head_line(&head)
    )?;
    writeln!(
        out,
        "accepting it loses every change after that which only the lost history held; other \
         members' copies that hold them are merged back in when they come"
    )?;
    for (_, name, removed) in &recovering.gap.removals {
        writeln!(
            out,
            "it lacks the removal of {} (removed on {}): accepting carries it forward, so the \
             file is not encrypted to them again",
            inline(name),
            removed.format("%Y-%m-%d")
        )?;
    }
    for (_, name, _) in &recovering.gap.keys {
        writeln!(
            out,
            "it lacks {}'s key change: accepting carries it forward",
            inline(name)
        )?;
    }
    let file = crate::ops::export::shell_quote(shown);
    let accepted = match accept {
        Some(given) => {
            if given.len() < 8 || !head.id.starts_with(given) {
                return Err(Error::Usage {
                    message: format!(
                        "--accept {} does not name the newest commit found ({id}); nothing was \
                         written",
                        inline(given)
                    ),
                    hint: format!("run `casebook recover {file} --accept {id}` to accept it"),
                });
            }
            true
        }
        None if std::io::stdin().is_terminal() => {
            eprint!("type {id} to accept this history, anything else to leave the file as it is: ");
            let mut typed = String::new();
            std::io::stdin().lock().read_line(&mut typed)?;
            typed.trim() == id
        }
        None => false,
    };
    if !accepted {
        return Err(Error::NotAccepted {
            file: shown.into(),
            head: id,
        });
    }
    let report = recover::accept(recovering, identity)?;
    writeln!(
        out,
        "accepted the history up to {id} in {}; the loss is signed as a recovery event \
         (`casebook log` shows it on every copy)",
        report.path.display()
    )?;
    Ok(())
}

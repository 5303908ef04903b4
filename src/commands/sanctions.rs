//! After the decision, from the command line: sanctions and their checklist, the list of
//! sanctions in force for the people who enforce them, and appeals.

use std::io::Write;

use chrono::Utc;

use super::session::Session;
use super::{Error, load_identity};
use crate::cli::{AppealArgs, Config, SanctionCommand, SanctionsArgs};
use crate::core::case::Case;
use crate::core::roster::Roster;
use crate::core::sanction::Sanction;
use crate::core::sanitize::inline;
use crate::ops::cases::{self as case_ops, CaseChange, SanctionChange};
use crate::ops::export::{self as export_ops, RecordFormat, SanctionsRequest};
use crate::ops::vault::OpenMode;

/// `casebook sanction ...`
pub(super) fn sanction(
    config: &Config,
    command: &SanctionCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let (file, code, save_as, change) = match command {
        SanctionCommand::List { file, code, json } => {
            let identity = load_identity(config)?;
            let mut case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
            let case = case_file.readable(code)?;
            let roster = case_file.roster()?;
            return list(&case, &roster, *json, out);
        }
        SanctionCommand::Start {
            file,
            code,
            step,
            subject,
            spaces,
            starts,
            ends,
            until_reviewed: _,
            conditions,
            save_as,
        } => (
            file,
            code,
            save_as,
            SanctionChange::Start {
                step: step.clone(),
                subject: subject.clone(),
                spaces: spaces.clone(),
                starts: starts.unwrap_or_else(|| Utc::now().date_naive()),
                ends: *ends,
                conditions: conditions.clone(),
            },
        ),
        SanctionCommand::Tell {
            file,
            code,
            number,
            whom,
            save_as,
        } => (
            file,
            code,
            save_as,
            SanctionChange::Tell {
                number: *number,
                whom: whom.clone(),
            },
        ),
        SanctionCommand::Review {
            file,
            code,
            number,
            note,
            save_as,
        } => (
            file,
            code,
            save_as,
            SanctionChange::Review {
                number: *number,
                note: note.clone(),
            },
        ),
        SanctionCommand::Extend {
            file,
            code,
            number,
            ends,
            until_reviewed: _,
            note,
            save_as,
        } => (
            file,
            code,
            save_as,
            SanctionChange::Extend {
                number: *number,
                ends: *ends,
                note: note.clone(),
            },
        ),
        SanctionCommand::Lift {
            file,
            code,
            number,
            note,
            save_as,
        } => (
            file,
            code,
            save_as,
            SanctionChange::Lift {
                number: *number,
                note: note.clone(),
            },
        ),
        SanctionCommand::Breach {
            file,
            code,
            number,
            note,
            save_as,
        } => (
            file,
            code,
            save_as,
            SanctionChange::Breach {
                number: *number,
                note: note.clone(),
            },
        ),
    };
    let what = match &change {
        SanctionChange::Start { .. } => "started",
        SanctionChange::Tell { .. } => "told",
        SanctionChange::Review { .. } => "reviewed",
        SanctionChange::Extend { .. } => "extended",
        SanctionChange::Lift { .. } => "lifted",
        SanctionChange::Breach { .. } => "breached",
    };
    let changed = Session::open(config, file)?.change_case(
        code,
        CaseChange::Sanction(change),
        save_as.as_deref(),
    )?;
    let name = inline(&changed.before.code_name).into_owned();
    let mut after = changed.before.clone();
    for event in &changed.events {
        after.apply(event);
    }
    let number = |id| {
        after
            .sanctions
            .iter()
            .position(|s| s.id == id)
            .map(|i| i + 1)
    };
    for event in &changed.events {
        use crate::core::event::EventKind as K;
        match &event.kind {
            K::SanctionStarted { .. } => {
                let n = number(event.id).unwrap_or_default();
                let s = &after.sanctions[n - 1];
                writeln!(
                    out,
                    "{name}: sanction {n} started: {}",
                    describe_sanction(s)
                )?;
                writeln!(out, "  to tell: {}", inline(&s.to_tell().join(", ")))?;
            }
            K::SanctionTold { whom, sanction } => writeln!(
                out,
                "{name}: sanction {}: told {}",
                number(*sanction).unwrap_or_default(),
                inline(whom)
            )?,
            K::SanctionBreached {
                sanction, breach, ..
            } => {
                let opened = breach
                    .and(changed.opened.as_ref())
                    .map(|c| format!("; case {} opened for it", inline(c)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{name}: sanction {}: breach recorded{opened}",
                    number(*sanction).unwrap_or_default()
                )?;
            }
            kind => {
                if let Some(id) = crate::core::sanction::changed_by(kind) {
                    let n = number(id).unwrap_or_default();
                    match kind {
                        K::SanctionExtended {
                            ends: Some(day), ..
                        } => writeln!(out, "{name}: sanction {n} now ends on {day}")?,
                        K::SanctionExtended { ends: None, .. } => {
                            writeln!(out, "{name}: sanction {n} now lasts until reviewed")?
                        }
                        _ => writeln!(out, "{name}: sanction {n} {what}")?,
                    }
                    let s = &after.sanctions[n - 1];
                    let left = s.to_tell();
                    if !left.is_empty() && s.news == event.id {
                        writeln!(out, "  to tell: {}", inline(&left.join(", ")))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// One line for a sanction: its kind, person, spaces and days.
fn describe_sanction(s: &Sanction) -> String {
    format!(
        "{} ({}) for {} in {}, from {} {}",
        inline(&s.kind),
        if s.is_ban() { "ban" } else { "flag" },
        inline(&s.subject),
        inline(&s.spaces.join(", ")),
        s.starts,
        match s.ends {
            Some(day) => format!("to {day}"),
            None => "until reviewed".to_string(),
        }
    )
}

fn list(case: &Case, roster: &Roster, json: bool, out: &mut dyn Write) -> Result<(), Error> {
    let today = Utc::now().date_naive();
    let name = |id| {
        roster
            .members()
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| "a former member".to_string(), |m| m.name.clone())
    };
    if json {
        let shown: Vec<serde_json::Value> = case
            .sanctions
            .iter()
            .enumerate()
            .map(|(i, s)| {
                serde_json::json!({
                    "number": i + 1,
                    "id": s.id.to_string(),
                    "step": s.kind,
                    "action": if s.is_ban() { "ban" } else { "flag" },
                    "subject": s.subject,
                    "spaces": s.spaces,
                    "starts": s.starts,
                    "ends": s.ends,
                    "conditions": s.conditions,
                    "state": s.state_on(today),
                    "to_tell": s.to_tell(),
                    "told": s.told.iter().map(|t| serde_json::json!({
                        "whom": t.whom, "by": name(t.by), "at": t.at,
                    })).collect::<Vec<_>>(),
                    "history": s.history.iter().chain(&s.lifted).map(|h| serde_json::json!({
                        "step": h.what.as_str(), "note": h.note, "by": name(h.by), "at": h.at,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(out, "{}", super::json(&shown)?)?;
        return Ok(());
    }
    let code = inline(&case.code_name);
    if case.sanctions.is_empty() {
        writeln!(out, "{code} has no sanctions")?;
        return Ok(());
    }
    for (i, s) in case.sanctions.iter().enumerate() {
        writeln!(
            out,
            "{}. {} [{}]",
            i + 1,
            describe_sanction(s),
            s.state_on(today)
        )?;
        if !s.conditions.is_empty() {
            writeln!(out, "   conditions: {}", inline(&s.conditions))?;
        }
        for t in &s.told {
            writeln!(
                out,
                "   told {} ({}, {})",
                inline(&t.whom),
                inline(&name(t.by)),
                t.at.format("%Y-%m-%d")
            )?;
        }
        for h in s.history.iter().chain(&s.lifted) {
            writeln!(
                out,
                "   {} by {} on {}: {}",
                h.what.as_str(),
                inline(&name(h.by)),
                h.at.format("%Y-%m-%d"),
                inline(&h.note)
            )?;
        }
        let left = s.still_to_tell(today);
        if !left.is_empty() {
            writeln!(out, "   to tell: {}", inline(&left.join(", ")))?;
        }
    }
    Ok(())
}

/// `casebook sanctions`
pub(super) fn in_force(
    config: &Config,
    args: &SanctionsArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(config, &args.file, &identity, OpenMode::ReadOnly)?;
    let me = case_file
        .me()?
        .map(|m| inline(&m.name).into_owned())
        .unwrap_or_default();
    let whole = export_ops::sanctions_in_force(&mut case_file, None, &me)?;
    if whole.cases_not_read > 0 {
        eprintln!(
            "note: {} sealed from you or with your hard conflict; their sanctions are not \
             in this list, and it says so (a member who reads them can make it whole)",
            crate::core::describe::count(whole.cases_not_read, "case is", "cases are")
        );
    }
    // A space no sanction names is most likely a typing error: say which spaces there are.
    if let Some(space) = &args.space {
        let named = whole.spaces();
        if !named.contains(&space.trim().to_lowercase()) {
            eprintln!(
                "warning: no sanction names the space {:?}; the spaces sanctions name: {}",
                inline(space),
                if named.is_empty() {
                    "none".to_string()
                } else {
                    inline(&named.join(", ")).into_owned()
                }
            );
        }
    }
    let Some(export) = &args.export else {
        let list = whole.only(args.space.as_deref());
        if matches!(args.format, RecordFormat::Json) {
            write!(out, "{}", list.to_json())?;
            return Ok(());
        }
        if list.sanctions.is_empty() {
            writeln!(out, "no sanction is in force")?;
        }
        for e in &list.sanctions {
            writeln!(
                out,
                "{}  {}  {}  from {} {}",
                inline(&e.person),
                e.action,
                inline(&e.spaces.join(", ")),
                e.from,
                e.until
                    .map_or_else(|| "until reviewed".to_string(), |d| format!("to {d}"))
            )?;
        }
        return Ok(());
    };
    let output = super::export::placed(
        config,
        Some(export.as_path()),
        &format!("sanctions.{}", args.format.as_str()),
    )?;
    let request = SanctionsRequest {
        space: args.space.clone(),
        format: args.format,
        output,
        encrypt_to: args.encrypt_to.clone(),
    };
    let (written, count) = export_ops::write_sanctions(&mut case_file, &identity, &request)?;
    super::export::plaintext_note(
        &written.path,
        "the people who enforce these sanctions",
        written.encrypted,
    );
    if !written.encrypted {
        super::export::warn_exposure(&written.path, "the people who enforce these sanctions");
    }
    writeln!(
        out,
        "{} in force",
        crate::core::describe::count(count, "sanction", "sanctions")
    )?;
    super::export::wrote(&written, &case_file.label(), out)
}

/// `casebook appeal`
pub(super) fn appeal(config: &Config, args: &AppealArgs, out: &mut dyn Write) -> Result<(), Error> {
    let session = Session::open(config, &args.file)?;
    let roster = session.file.roster()?;
    let settings = session.file.settings();
    let changed = session.change_case(
        &args.code,
        CaseChange::Appeal {
            grounds: args.grounds,
            note: args.note.clone(),
        },
        args.save_as.as_deref(),
    )?;
    let name = inline(&changed.before.code_name).into_owned();
    let mut after = changed.before.clone();
    for event in &changed.events {
        after.apply(event);
    }
    writeln!(
        out,
        "{name}: appeal opened ({}); the case is reopened",
        args.grounds
    )?;
    if let Some(appeal) = &after.appeal {
        let names: Vec<String> = roster
            .members()
            .iter()
            .filter(|m| appeal.panel_out.contains(&m.id))
            .map(|m| inline(&m.name).into_owned())
            .collect();
        writeln!(
            out,
            "left out of the appeal's vote and quorum (they voted on or decided it): {}",
            names.join(", ")
        )?;
        let eligible = crate::core::rules::eligible_voters(&roster, &after);
        let needed =
            crate::core::decision::tally(settings.quorum, &eligible, &Default::default()).needed;
        if eligible.len() < crate::core::rules::APPEAL_PANEL_MIN || eligible.len() < needed {
            writeln!(
                out,
                "warning: only {} can hear the appeal, fewer than the {} an appeal needs; a \
                 chair may record its decision with --override --reason R, which every record \
                 shows (the README's \"A small committee and its appeals\" says what else \
                 the committee can do)",
                crate::core::describe::count(eligible.len(), "member", "members"),
                crate::core::rules::APPEAL_PANEL_MIN
            )?;
        } else {
            writeln!(
                out,
                "{} can vote on the appeal",
                crate::core::describe::count(eligible.len(), "member", "members")
            )?;
        }
    }
    Ok(())
}

/// The committee as `file` holds it, opened read-only.
fn committee_of(
    config: &Config,
    file: &std::path::Path,
) -> Result<crate::core::history::Committee, Error> {
    let identity = load_identity(config)?;
    let case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
    Ok(case_file.committee()?)
}

/// `casebook template ...`
pub(super) fn template(
    config: &Config,
    command: &crate::cli::TemplateCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    use crate::core::comms::{Step, allowed};
    use crate::core::event::Audience;
    match command {
        crate::cli::TemplateCommand::List { file } => {
            let committee = committee_of(config, file)?;
            for to in Audience::ALL {
                let names: Vec<String> = allowed(to).iter().map(|n| format!("{{{n}}}")).collect();
                writeln!(out, "to the {}: may show {}", to.as_str(), names.join(" "))?;
                for step in Step::ALL {
                    let whose = if committee.template_set(to, step) {
                        "the committee's"
                    } else {
                        "casebook's"
                    };
                    writeln!(out, "  {step} ({whose}):")?;
                    for line in committee.template(to, step).lines() {
                        writeln!(out, "    {}", inline(line))?;
                    }
                }
            }
            Ok(())
        }
        crate::cli::TemplateCommand::Set {
            file,
            to,
            step,
            text,
            default,
            save_as,
        } => {
            let text = if *default {
                String::new()
            } else {
                text.clone().unwrap_or_default()
            };
            if !*default && text.trim().is_empty() {
                return Err(Error::Usage {
                    message: "the template is empty".into(),
                    hint: "write its text, or put casebook's back with --default".into(),
                });
            }
            let mut session = Session::open(config, file)?;
            case_ops::set_template(&mut session.file, *to, *step, text)?;
            session.save(save_as.as_deref())?;
            let whose = if *default {
                "casebook's own again"
            } else {
                "set"
            };
            writeln!(
                out,
                "template for {step} messages to {}: {whose}",
                crate::core::comms::words(*to)
            )?;
            Ok(())
        }
    }
}

/// `casebook space ...`
pub(super) fn space(
    config: &Config,
    command: &crate::cli::SpaceCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match command {
        crate::cli::SpaceCommand::List { file } => {
            let committee = committee_of(config, file)?;
            if committee.spaces().is_empty() {
                writeln!(
                    out,
                    "no checklist set: a sanction's checklist is each of its spaces and the \
                     reported person"
                )?;
            }
            for (space, tell) in committee.spaces() {
                writeln!(out, "{}: {}", inline(space), inline(&tell.join(", ")))?;
            }
            Ok(())
        }
        crate::cli::SpaceCommand::Set {
            file,
            space,
            tell,
            save_as,
        } => {
            let mut session = Session::open(config, file)?;
            case_ops::set_space(&mut session.file, space, tell.clone())?;
            session.save(save_as.as_deref())?;
            if tell.is_empty() {
                writeln!(out, "{}: checklist cleared", inline(space))?;
            } else {
                writeln!(
                    out,
                    "{}: a sanction there is told to {}",
                    inline(space),
                    inline(&tell.join(", "))
                )?;
            }
            Ok(())
        }
    }
}

//! Case work from the command line: each command is one typed request to
//! [`crate::ops::cases`], saved atomically before the command ends, and one line saying what
//! was done.

use std::io::{Read, Write};
use std::path::Path;

use super::session::Session;
use super::{Error, load_identity, show};
use crate::cli::{
    CaseCommand, CommsCommand, Config, DecideArgs, EditArgs, EmergencyCommand, NoteCommand,
    PartyCommand, SettingsArgs, VoteArgs,
};
use crate::core::case::Status;
use crate::core::decision::Ballot;
use crate::core::event::{ConflictKind, Details, ReviewResult};
use crate::core::process::Settings;
use crate::core::sanitize::inline;
use crate::ops::cases::{self as case_ops, CaseChange, Entry, NewCase, NewParty, SettingsChange};
use crate::ops::vault::OpenMode;

/// Text of several lines made safe for the terminal, line by line.
fn inline_block(text: &str) -> String {
    text.lines()
        .map(|l| inline(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn usage(message: impl Into<String>, hint: &str) -> Error {
    Error::Usage {
        message: message.into(),
        hint: hint.to_string(),
    }
}

/// `casebook case ...`
pub(super) fn case(
    config: &Config,
    command: &CaseCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match command {
        CaseCommand::New {
            file,
            title,
            summary,
            channel,
            received,
            exclude,
            save_as,
        } => {
            let mut session = Session::open(config, file)?;
            let code_name = case_ops::open(
                &mut session.file,
                NewCase {
                    title: title.clone(),
                    summary: summary.clone().unwrap_or_default(),
                    channel: *channel,
                    received_at: *received,
                    exclude: exclude.clone(),
                },
            )?;
            session.save(save_as.as_deref())?;
            writeln!(out, "{code_name}")?;
            if !exclude.is_empty() {
                eprintln!(
                    "note: {code_name} is sealed from {}: their copy never holds its content",
                    exclude
                        .iter()
                        .map(|n| inline(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Ok(())
        }
        CaseCommand::Seal {
            file,
            code,
            from,
            why,
            save_as,
        } => {
            let change = CaseChange::Exclude {
                members: from.clone(),
                why: *why,
            };
            let changed =
                Session::open(config, file)?.change_case(code, change, save_as.as_deref())?;
            if let Some(waiting) = changed.waiting {
                writeln!(
                    out,
                    "{}: keeping {} out ({}) waits for a second member who can read the case; \
                     they approve it with\n  casebook approve {} {} --item {}",
                    changed.before.code_name,
                    from.iter()
                        .map(|n| inline(n))
                        .collect::<Vec<_>>()
                        .join(", "),
                    why.describe(),
                    crate::ops::export::shell_quote(&file.display().to_string()),
                    changed.before.code_name,
                    &crate::core::describe::short_event(&waiting)
                )?;
                return Ok(());
            }
            writeln!(
                out,
                "{}: sealed from {} ({}); the backup was replaced, so no earlier version stays \
                 beside the file",
                changed.before.code_name,
                from.iter()
                    .map(|n| inline(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                why.describe()
            )?;
            eprintln!(
                "note: what they read before it was sealed stays read, and copies made before \
                 (sync history, old backups elsewhere) still hold it"
            );
            Ok(())
        }
        CaseCommand::Give {
            file,
            code,
            member,
            save_as,
        } => {
            let change = CaseChange::GiveAccess(member.clone());
            let changed =
                Session::open(config, file)?.change_case(code, change, save_as.as_deref())?;
            if changed.waiting.is_some() {
                writeln!(
                    out,
                    "{}: {} is a party to the case: your request is recorded, and another member \
                     who can read it gives the access with\n  casebook case give {} {} {}",
                    changed.before.code_name,
                    inline(member),
                    crate::ops::export::shell_quote(&file.display().to_string()),
                    changed.before.code_name,
                    crate::ops::export::shell_quote(member)
                )?;
                return Ok(());
            }
            writeln!(
                out,
                "{}: {} can read the case again (new case key)",
                changed.before.code_name,
                inline(member)
            )?;
            Ok(())
        }
        CaseCommand::List { file, queue, json } => show::list(config, file, *queue, *json, out),
        CaseCommand::Show { file, code, json } => show::show(config, file, code, *json, out),
        CaseCommand::Edit(args) => edit(config, args, out),
    }
}

fn edit(config: &Config, args: &EditArgs, out: &mut dyn Write) -> Result<(), Error> {
    let set = |values: &[String]| {
        (!values.is_empty()).then(|| {
            values
                .iter()
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
        })
    };
    let changes = Details {
        title: args.title.clone(),
        summary: args.summary.clone(),
        incident: args.incident.clone(),
        venue: args.venue.clone(),
        scope: args.scope,
        scope_reason: args.scope_reason.clone(),
        clauses: set(&args.clauses),
        severity: args.severity,
        safety_risk: args.safety_risk,
        labels: set(&args.labels),
        review_on: args.review,
        expunge_on: args.expunge,
        anonymisable: args.anonymisable,
    };
    let changed = Session::open(config, &args.file)?.change_case(
        &args.code,
        CaseChange::Edit(changes),
        args.save_as.as_deref(),
    )?;
    writeln!(out, "{}: details updated", changed.before.code_name)?;
    Ok(())
}

/// `casebook note add`
pub(super) fn note(
    config: &Config,
    command: &NoteCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let NoteCommand::Add {
        file,
        code,
        text,
        stdin,
        kind,
        amends,
        save_as,
    } = command;
    let body = match (text, stdin) {
        (Some(text), _) => text.clone(),
        (None, true) => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                usage(
                    format!("cannot read the note from standard input: {e}"),
                    "pipe UTF-8 text in",
                )
            })?;
            text
        }
        (None, false) => {
            return Err(usage(
                "no note text given",
                "pipe it in with `--text -` (or --stdin), or give --text TEXT",
            ));
        }
    };
    let change = CaseChange::Note {
        kind: *kind,
        body,
        amends: amends.clone().map(Entry::Prefix),
    };
    let changed = Session::open(config, file)?.change_case(code, change, save_as.as_deref())?;
    writeln!(
        out,
        "{}: note added{}",
        changed.before.code_name,
        if amends.is_some() {
            " (amends an earlier entry)"
        } else {
            ""
        }
    )?;
    Ok(())
}

/// `casebook status`
pub(super) fn status(
    config: &Config,
    file: &Path,
    code: &str,
    to: Status,
    save_as: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let changed =
        Session::open(config, file)?.change_case(code, CaseChange::Status(to), save_as)?;
    let case = &changed.before;
    writeln!(out, "{}: {} -> {}", case.code_name, case.status, to)?;
    Ok(())
}

/// `casebook assign`
pub(super) fn assign(
    config: &Config,
    file: &Path,
    code: &str,
    member: &str,
    remove: bool,
    save_as: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let session = Session::open(config, file)?;
    // Said as the roster has it (the name may have been typed in another case).
    let member = crate::ops::member_named(&session.file.roster()?, member)?.name;
    let change = if remove {
        CaseChange::Unassign(member.clone())
    } else {
        CaseChange::Assign(member.clone())
    };
    let changed = session.change_case(code, change, save_as)?;
    let verb = if remove { "taken off" } else { "assigned to" };
    writeln!(
        out,
        "{} {verb} {}",
        inline(&member),
        changed.before.code_name
    )?;
    Ok(())
}

/// `casebook party add`
pub(super) fn party(
    config: &Config,
    command: &PartyCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let (file, code, role, name, handle, email, alias, anonymous, held_by, same_as) = match command
    {
        PartyCommand::Contact {
            file,
            code,
            number,
            json,
        } => return contact(config, file, code, *number, *json, out),
        PartyCommand::Add {
            file,
            code,
            role,
            name,
            handle,
            email,
            alias,
            anonymous,
            held_by,
            same_as,
            ..
        } => (
            file, code, role, name, handle, email, alias, anonymous, held_by, same_as,
        ),
    };
    let (custodian, seal_from_linked, save_as) = match command {
        PartyCommand::Add {
            custodian,
            seal_from_linked,
            save_as,
            ..
        } => (custodian, *seal_from_linked, save_as),
        PartyCommand::Contact { .. } => (&None, false, &None),
    };
    let who = if let (Some(name), Some(custodian)) = (name, custodian) {
        NewParty::Held {
            held_by: custodian.clone(),
            name: name.clone(),
            handle: handle.clone(),
            email: email.clone(),
        }
    } else if let Some(name) = name {
        NewParty::Named {
            name: name.clone(),
            handle: handle.clone(),
            email: email.clone(),
        }
    } else if let Some(alias) = alias {
        NewParty::Pseudonymous {
            alias: alias.clone(),
        }
    } else if *anonymous {
        NewParty::Anonymous {
            held_by: held_by.clone(),
        }
    } else if let Some(reference) = same_as {
        NewParty::SameAs(reference.clone())
    } else {
        return Err(usage(
            "who is the party?",
            "give --name, --alias, --anonymous or --same-as CODE:N",
        ));
    };
    let change = CaseChange::AddParty { role: *role, who };
    let mut session = Session::open(config, file)?;
    let changed = case_ops::change(&mut session.file, code, change)?;
    // A party who is a committee member must not read the case about them: as the reported
    // party they are kept out in the same change; in another role once a second member
    // approves (otherwise one member could shut another out by naming them as a witness).
    let _ = seal_from_linked;
    let linked: Vec<String> = changed.linked.iter().map(|m| m.name.clone()).collect();
    let seal_now = changed
        .events
        .iter()
        .any(|e| matches!(e.kind, crate::core::event::EventKind::CaseSealed { .. }));
    session.save(save_as.as_deref())?;
    let label = changed
        .events
        .iter()
        .find_map(|e| match &e.kind {
            crate::core::event::EventKind::PartyAdded { party } => Some(party.label()),
            _ => None,
        })
        .unwrap_or_default();
    writeln!(
        out,
        "{}: {} added as {role}",
        changed.before.code_name,
        inline(&label)
    )?;
    let names = linked
        .iter()
        .map(|n| inline(n))
        .collect::<Vec<_>>()
        .join(", ");
    if seal_now {
        writeln!(
            out,
            "{}: sealed from {names}: the case records them as the reported party",
            changed.before.code_name
        )?;
    } else if let Some(waiting) = changed.waiting.filter(|_| !linked.is_empty()) {
        eprintln!(
            "note: the party looks like committee member {names}; the case records them as \
             that member (and is sealed from them) once a second member who can read it \
             approves:\n  casebook approve {} {} --item {}",
            crate::ops::export::shell_quote(&file.display().to_string()),
            changed.before.code_name,
            &crate::core::describe::short_event(&waiting)
        );
    }
    Ok(())
}

/// `casebook party contact`: a custodian opens the details they hold (recorded and saved).
fn contact(
    config: &Config,
    file: &Path,
    code: &str,
    number: usize,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut session = Session::open(config, file)?;
    let details = case_ops::open_contact(&mut session.file, &session.identity, code, number)?;
    session.save(None)?;
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&details).unwrap_or_default()
        )?;
        return Ok(());
    }
    if let crate::core::party::Disclosure::Named {
        name,
        handle,
        email,
    } = &details
    {
        writeln!(out, "name: {}", inline(name))?;
        if let Some(handle) = handle {
            writeln!(out, "handle: {}", inline(handle))?;
        }
        if let Some(email) = email {
            writeln!(out, "email: {}", inline(email))?;
        }
    }
    eprintln!("note: opening it was recorded in the case's history");
    Ok(())
}

/// `casebook conflict`
pub(super) fn conflict(
    config: &Config,
    file: &Path,
    code: &str,
    kind: Option<ConflictKind>,
    reason: &Option<String>,
    save_as: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let Some(kind) = kind else {
        let change = CaseChange::WithdrawConflict {
            reason: reason.clone(),
        };
        let changed = Session::open(config, file)?.change_case(code, change, save_as)?;
        writeln!(
            out,
            "{}: your conflict of interest is withdrawn",
            changed.before.code_name
        )?;
        return Ok(());
    };
    let change = CaseChange::Conflict {
        kind,
        reason: reason.clone(),
    };
    let changed = Session::open(config, file)?.change_case(code, change, save_as)?;
    let what = if kind == ConflictKind::Hard {
        "hard (you will no longer see this case)"
    } else {
        "soft (you may discuss, not vote)"
    };
    writeln!(
        out,
        "{}: conflict of interest declared, {what}",
        changed.before.code_name
    )?;
    Ok(())
}

/// `casebook vote`
pub(super) fn vote(config: &Config, args: &VoteArgs, out: &mut dyn Write) -> Result<(), Error> {
    let ballot = if args.for_ {
        Ballot::For
    } else if args.against {
        Ballot::Against
    } else {
        Ballot::Abstain
    };
    let change = CaseChange::Vote {
        outcome: args.outcome.clone(),
        ballot,
        propose: args.propose,
    };
    let changed = Session::open(config, &args.file)?.change_case(
        &args.code,
        change,
        args.save_as.as_deref(),
    )?;
    writeln!(
        out,
        "{}: voted {} on {}",
        changed.before.code_name,
        ballot.as_str(),
        args.outcome
    )?;
    Ok(())
}

/// `casebook decide`
pub(super) fn decide(config: &Config, args: &DecideArgs, out: &mut dyn Write) -> Result<(), Error> {
    let change = CaseChange::Decide {
        outcome: args.outcome.clone(),
        rationale: args.rationale.clone(),
        override_reason: args.reason.clone(),
    };
    let changed = Session::open(config, &args.file)?.change_case(
        &args.code,
        change,
        args.save_as.as_deref(),
    )?;
    let how = if args.reason.is_some() {
        " (chair override, recorded)"
    } else {
        ""
    };
    writeln!(
        out,
        "{}: decided {}{how}",
        changed.before.code_name, args.outcome
    )?;
    Ok(())
}

/// `casebook comms log`
pub(super) fn comms(
    config: &Config,
    command: &CommsCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let CommsCommand::Log {
        file,
        code,
        to,
        summary,
        template,
        next_update_by,
        review,
        save_as,
    } = command;
    let change = CaseChange::Message {
        to: *to,
        summary: summary.clone().unwrap_or_default(),
        next_update_by: *next_update_by,
        template: *template,
        review: *review,
    };
    let changed = Session::open(config, file)?.change_case(code, change, save_as.as_deref())?;
    if template.is_some()
        && let Some(crate::core::event::EventKind::CommunicationLogged {
            summary,
            next_update_by,
            ..
        }) = changed.events.last().map(|e| &e.kind)
    {
        // The message to send, as filled: what the case may show this audience.
        writeln!(out, "{}\n", inline_block(summary))?;
        if let Some(day) = next_update_by {
            writeln!(out, "(it promises the next update by {day})")?;
        }
    }
    match changed.waiting {
        Some(id) => writeln!(
            out,
            "{}: message {} waits for another member's review: casebook approve {} {} --item {}",
            changed.before.code_name,
            &crate::core::describe::short_event(&id),
            crate::ops::export::shell_quote(&file.display().to_string()),
            changed.before.code_name,
            &crate::core::describe::short_event(&id)
        )?,
        None => writeln!(out, "{}: communication logged", changed.before.code_name)?,
    }
    Ok(())
}

/// `casebook emergency ...`
pub(super) fn emergency(
    config: &Config,
    command: &EmergencyCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let (file, code, save_as, change, said) = match command {
        EmergencyCommand::Record {
            file,
            code,
            save_as,
            action,
        } => (
            file,
            code,
            save_as,
            CaseChange::Emergency {
                action: action.clone(),
            },
            "emergency action recorded; another member must review it within 24 hours",
        ),
        EmergencyCommand::Review {
            file,
            code,
            save_as,
            note,
            result,
        } => (
            file,
            code,
            save_as,
            CaseChange::Review {
                note: note.clone(),
                result: Some(*result),
            },
            match result {
                ReviewResult::Upheld => "emergency action reviewed: upheld",
                ReviewResult::Changed => "emergency action reviewed: changed",
                ReviewResult::Lifted => "emergency action reviewed: lifted",
            },
        ),
    };
    let changed = Session::open(config, file)?.change_case(code, change, save_as.as_deref())?;
    writeln!(out, "{}: {said}", changed.before.code_name)?;
    Ok(())
}

/// `casebook settings`
pub(super) fn settings(
    config: &Config,
    args: &SettingsArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let change = SettingsChange {
        ladder: args.ladder,
        quorum: args.quorum,
        acknowledge_hours: args.acknowledge_hours,
        decide_days: args.decide_days,
        appeal_days: args.appeal_days,
        notice_days: args.notice_days,
        update_days: args.update_days,
        grounds: args.grounds.clone(),
        retain_months: args.retain_months,
        retain_outcome: args.retain.clone(),
        expunge_notice_days: args.expunge_notice_days,
    };
    if change == SettingsChange::default() {
        let identity = load_identity(config)?;
        let case_file = super::open_file(config, &args.file, &identity, OpenMode::ReadOnly)?;
        return print_settings(&case_file.settings(), args.json, out);
    }
    let mut session = Session::open(config, &args.file)?;
    let settings = case_ops::change_settings(&mut session.file, change)?;
    session.save(args.save_as.as_deref())?;
    print_settings(&settings, args.json, out)
}

fn print_settings(settings: &Settings, json: bool, out: &mut dyn Write) -> Result<(), Error> {
    if json {
        // Named as the command line names them (`--ladder contributor-covenant-2.1`).
        let shown = serde_json::json!({
            "ladder": settings.ladder.as_str(),
            "outcomes": settings.ladder.outcomes(),
            "quorum": settings.quorum.as_str(),
            "acknowledge_hours": settings.acknowledge_hours,
            "decide_days": settings.decide_days,
            "appeal_days": settings.appeal_days,
            "notice_days": settings.notice_days,
            "update_days": settings.update_days,
            "appeal_grounds": settings.grounds,
            "retention": settings.retention,
        });
        writeln!(out, "{}", super::json(&shown)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "ladder             {} ({})",
        settings.ladder,
        settings.ladder.outcomes().join(", ")
    )?;
    writeln!(out, "quorum             {}", settings.quorum)?;
    writeln!(
        out,
        "acknowledge within {}",
        crate::core::describe::count(settings.acknowledge_hours as usize, "hour", "hours")
    )?;
    writeln!(
        out,
        "decide within      {}",
        crate::core::describe::count(settings.decide_days as usize, "day", "days")
    )?;
    writeln!(
        out,
        "appeal within      {}",
        crate::core::describe::count(settings.appeal_days as usize, "day", "days")
    )?;
    writeln!(
        out,
        "sanctions ending   shown {} before their last day",
        crate::core::describe::count(settings.notice_days as usize, "day", "days")
    )?;
    writeln!(
        out,
        "update reporters   at least every {} while a case is open",
        crate::core::describe::count(settings.update_days as usize, "day", "days")
    )?;
    writeln!(out, "appeal grounds     {}", settings.grounds.names())?;
    writeln!(out, "expunge            {}", settings.retention.line())?;
    Ok(())
}

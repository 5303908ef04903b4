//! Case work from the command line: every change goes through the process rules in
//! [`crate::core::process`], becomes events, and is saved atomically before the command ends.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::change::Change;
use super::{Error, load_identity};
use crate::cli::{
    CaseCommand, CommsCommand, Config, EditArgs, EmergencyCommand, NoteCommand, PartyCommand,
};
use crate::core::case::{Case, CaseId, Channel, IncidentAt, ScopeJudgement, Severity, Status};
use crate::core::decision::{Ballot, Tally};
use crate::core::event::{Audience, ConflictKind, Details, Event, EventKind, NoteKind};
use crate::core::party::{Identity as PartyIdentity, Party, PartyId, PartyRole, PersonId};
use crate::core::process::{self, Due, Settings};
use crate::core::queue::{self, Queue, View};
use crate::core::sanitize::{body, inline};
use crate::vault::{CaseFile, OpenMode};

fn usage(message: impl Into<String>, hint: &str) -> Error {
    Error::Usage {
        message: message.into(),
        hint: hint.to_string(),
    }
}

fn parse<T: std::str::FromStr<Err = E>, E: ToString>(value: &str) -> Result<T, Error> {
    value
        .parse()
        .map_err(|e: E| usage(e.to_string(), "see --help for the accepted values"))
}

fn yes_no(value: &str) -> Result<bool, Error> {
    match value {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        other => Err(usage(
            format!("expected yes or no, got {other:?}"),
            "answer yes or no",
        )),
    }
}

fn date(value: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        usage(
            format!("{value:?} is not a date"),
            "write dates as YYYY-MM-DD",
        )
    })
}

fn moment(value: &str) -> Result<DateTime<Utc>, Error> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = date(value)?;
    Ok(day
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default())
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
            save_as,
        } => {
            let channel: Channel = parse(channel)?;
            let received_at = received
                .as_deref()
                .map(moment)
                .transpose()?
                .unwrap_or_else(Utc::now);
            let mut change = Change::open(config, file)?;
            let code_name = change.file.new_code_name(&mut rand::thread_rng())?;
            let kind = EventKind::CaseOpened {
                code_name: code_name.clone(),
                title: title.clone(),
                summary: summary.clone().unwrap_or_default(),
                channel,
                received_at,
            };
            change.commit(
                Some(CaseId(Uuid::new_v4())),
                vec![kind],
                None,
                save_as.as_ref(),
            )?;
            writeln!(out, "{code_name}")?;
            Ok(())
        }
        CaseCommand::List { file, queue, json } => list(config, file, queue, *json, out),
        CaseCommand::Show { file, code, json } => show(config, file, code, *json, out),
        CaseCommand::Edit(args) => edit(config, args, out),
    }
}

fn edit(config: &Config, args: &EditArgs, out: &mut dyn Write) -> Result<(), Error> {
    let incident = match args.incident.as_deref() {
        None => None,
        Some("unknown") => Some(IncidentAt::Unknown),
        Some(text) if text.len() == 10 => Some(IncidentAt::Around { date: date(text)? }),
        Some(text) => Some(IncidentAt::Exact { at: moment(text)? }),
    };
    let set = |values: &[String]| {
        (!values.is_empty()).then(|| values.iter().cloned().collect::<BTreeSet<_>>())
    };
    let changes = Details {
        title: args.title.clone(),
        summary: args.summary.clone(),
        incident,
        venue: args.venue.clone(),
        scope: args
            .scope
            .as_deref()
            .map(parse::<ScopeJudgement, _>)
            .transpose()?,
        scope_reason: args.scope_reason.clone(),
        clauses: set(&args.clauses),
        severity: args
            .severity
            .as_deref()
            .map(parse::<Severity, _>)
            .transpose()?,
        safety_risk: args.safety_risk.as_deref().map(yes_no).transpose()?,
        labels: set(&args.labels),
        review_on: args.review.as_deref().map(date).transpose()?,
        expunge_on: args.expunge.as_deref().map(date).transpose()?,
        anonymisable: args.anonymisable.as_deref().map(yes_no).transpose()?,
    };
    if changes == Details::default() {
        return Err(usage(
            "nothing to change",
            "give at least one detail, such as --severity high",
        ));
    }
    let mut change = Change::open(config, &args.file)?;
    let case = change.file.case_by_code(&args.code)?;
    change.rule(|actor| process::change_details(actor, &case))?;
    change.commit(
        Some(case.id),
        vec![EventKind::DetailsChanged { changes }],
        None,
        args.save_as.as_ref(),
    )?;
    writeln!(out, "{}: details updated", case.code_name)?;
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
    let note = match kind.as_str() {
        "general" => NoteKind::General,
        "interview" => NoteKind::Interview,
        "deliberation" => NoteKind::Deliberation,
        other => {
            return Err(usage(
                format!("unknown note kind {other:?}"),
                "use general, interview or deliberation",
            ));
        }
    };
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
        (None, false) => return Err(usage("no note given", "use --text T or --stdin")),
    };
    if body.trim().is_empty() {
        return Err(usage("the note is empty", "write something, or leave it"));
    }
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    change.rule(|actor| process::change_details(actor, &case))?;
    let amends = match amends {
        Some(prefix) => Some(find_event(&change.file, &case, prefix)?),
        None => None,
    };
    change.commit(
        Some(case.id),
        vec![EventKind::NoteAdded { body, note }],
        amends,
        save_as.as_ref(),
    )?;
    writeln!(
        out,
        "{}: note added{}",
        case.code_name,
        if amends.is_some() {
            " (amends an earlier entry)"
        } else {
            ""
        }
    )?;
    Ok(())
}

fn find_event(file: &CaseFile, case: &Case, prefix: &str) -> Result<Uuid, Error> {
    let matches: Vec<Uuid> = file
        .timeline(case.id)?
        .iter()
        .map(|e| e.id)
        .filter(|id| id.to_string().starts_with(&prefix.to_lowercase()))
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(usage(
            format!("{} has no entry {prefix:?}", case.code_name),
            "the ids are shown by `casebook case show FILE CODE`",
        )),
        _ => Err(usage(
            format!("{prefix:?} matches several entries of {}", case.code_name),
            "give more of the id",
        )),
    }
}

/// `casebook status`
pub(super) fn status(
    config: &Config,
    file: &Path,
    code: &str,
    to: &str,
    save_as: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let to: Status = parse(to)?;
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    let kind = change.rule(|actor| process::change_status(actor, &case, to))?;
    change.commit(Some(case.id), vec![kind], None, save_as)?;
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
    save_as: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    let member = change.member_named(member)?;
    let kind = change.rule(|actor| {
        if remove {
            process::unassign(actor, &case, &member)
        } else {
            process::assign(actor, &case, &member)
        }
    })?;
    change.commit(Some(case.id), vec![kind], None, save_as)?;
    let verb = if remove { "taken off" } else { "assigned to" };
    writeln!(out, "{} {verb} {}", inline(&member.name), case.code_name)?;
    Ok(())
}

/// `casebook party add`
pub(super) fn party(
    config: &Config,
    command: &PartyCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let PartyCommand::Add {
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
        save_as,
    } = command;
    let role: PartyRole = parse(role)?;
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    change.rule(|actor| process::change_details(actor, &case))?;
    let (person, identity) = if let Some(name) = name {
        (
            PersonId(Uuid::new_v4()),
            PartyIdentity::Named {
                name: name.clone(),
                handle: handle.clone(),
                email: email.clone(),
            },
        )
    } else if let Some(alias) = alias {
        (
            PersonId(Uuid::new_v4()),
            PartyIdentity::Pseudonymous {
                alias: alias.clone(),
            },
        )
    } else if *anonymous {
        let holder = match held_by {
            Some(name) => change.member_named(name)?,
            None => change.me.clone(),
        };
        (
            PersonId(Uuid::new_v4()),
            PartyIdentity::Anonymous {
                contact_held_by: holder.id,
            },
        )
    } else if let Some(reference) = same_as {
        (
            same_person(&mut change.file, reference)?,
            PartyIdentity::Linked,
        )
    } else {
        return Err(usage(
            "who is the party?",
            "give --name, --alias, --anonymous or --same-as CODE:N",
        ));
    };
    let party = Party {
        id: PartyId(Uuid::new_v4()),
        role,
        person,
        identity,
    };
    let label = party.label();
    change.commit(
        Some(case.id),
        vec![EventKind::PartyAdded { party }],
        None,
        save_as.as_ref(),
    )?;
    writeln!(
        out,
        "{}: {} added as {role}",
        case.code_name,
        inline(&label)
    )?;
    Ok(())
}

/// `casebook conflict`
pub(super) fn conflict(
    config: &Config,
    file: &Path,
    code: &str,
    hard: bool,
    reason: Option<&String>,
    save_as: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let kind = if hard {
        ConflictKind::Hard
    } else {
        ConflictKind::Soft
    };
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    let event = change.rule(|actor| process::declare_conflict(actor, kind, reason.cloned()))?;
    change.commit(Some(case.id), vec![event], None, save_as)?;
    let what = if hard {
        "hard (you will no longer see this case)"
    } else {
        "soft (you may discuss, not vote)"
    };
    writeln!(
        out,
        "{}: conflict of interest declared, {what}",
        case.code_name
    )?;
    Ok(())
}

/// `casebook vote`
#[allow(clippy::too_many_arguments)]
pub(super) fn vote(
    config: &Config,
    file: &Path,
    code: &str,
    outcome: &str,
    ballot: Ballot,
    propose: bool,
    save_as: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    let kinds = change.rule(|actor| process::vote(actor, &case, outcome, ballot, propose))?;
    change.commit(Some(case.id), kinds, None, save_as)?;
    writeln!(
        out,
        "{}: voted {} on {outcome}",
        case.code_name,
        ballot.as_str()
    )?;
    Ok(())
}

/// `casebook decide`
#[allow(clippy::too_many_arguments)]
pub(super) fn decide(
    config: &Config,
    file: &Path,
    code: &str,
    outcome: &str,
    rationale: &str,
    override_reason: Option<&str>,
    save_as: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    let kind =
        change.rule(|actor| process::decide(actor, &case, outcome, rationale, override_reason))?;
    change.commit(Some(case.id), vec![kind], None, save_as)?;
    let how = if override_reason.is_some() {
        " (chair override, recorded)"
    } else {
        ""
    };
    writeln!(out, "{}: decided {outcome}{how}", case.code_name)?;
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
        save_as,
    } = command;
    let to: Audience = to
        .parse()
        .map_err(|e: String| usage(e, "use reporter, reported or other"))?;
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    change.rule(|actor| process::change_details(actor, &case))?;
    let kind = EventKind::CommunicationLogged {
        to,
        summary: summary.clone(),
    };
    change.commit(Some(case.id), vec![kind], None, save_as.as_ref())?;
    writeln!(out, "{}: communication logged", case.code_name)?;
    Ok(())
}

/// `casebook emergency ...`
pub(super) fn emergency(
    config: &Config,
    command: &EmergencyCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let (file, code, save_as) = match command {
        EmergencyCommand::Record {
            file,
            code,
            save_as,
            ..
        }
        | EmergencyCommand::Review {
            file,
            code,
            save_as,
            ..
        } => (file, code, save_as),
    };
    let mut change = Change::open(config, file)?;
    let case = change.file.case_by_code(code)?;
    let (kind, said) = match command {
        EmergencyCommand::Record { action, .. } => (
            change.rule(|actor| process::record_emergency(actor, &case, action))?,
            "emergency action recorded; another member must review it within 24 hours",
        ),
        EmergencyCommand::Review { note, .. } => (
            change.rule(|actor| process::review_emergency(actor, &case, note))?,
            "emergency action reviewed",
        ),
    };
    change.commit(Some(case.id), vec![kind], None, save_as.as_ref())?;
    writeln!(out, "{}: {said}", case.code_name)?;
    Ok(())
}

/// `casebook settings`
#[allow(clippy::too_many_arguments)]
pub(super) fn settings(
    config: &Config,
    file: &Path,
    ladder: Option<&str>,
    quorum: Option<&str>,
    acknowledge_hours: Option<u32>,
    decide_days: Option<u32>,
    json: bool,
    save_as: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let changing = ladder.is_some()
        || quorum.is_some()
        || acknowledge_hours.is_some()
        || decide_days.is_some();
    if !changing {
        let identity = load_identity(config)?;
        let case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
        return print_settings(&case_file.settings(), json, out);
    }
    let change = Change::open(config, file)?;
    if change.me.role != crate::core::roster::Role::Chair {
        return Err(Error::Rule(process::RuleError::NotChair {
            member: change.me.name.clone(),
            what: "change the committee's rules",
        }));
    }
    let mut settings = change.file.settings();
    if let Some(ladder) = ladder {
        settings.ladder = parse(ladder)?;
    }
    if let Some(quorum) = quorum {
        settings.quorum = parse(quorum)?;
    }
    if let Some(hours) = acknowledge_hours {
        settings.acknowledge_hours = hours;
    }
    if let Some(days) = decide_days {
        settings.decide_days = days;
    }
    let kind = EventKind::SettingsChanged {
        ladder: settings.ladder,
        quorum: settings.quorum,
        acknowledge_hours: settings.acknowledge_hours,
        decide_days: settings.decide_days,
    };
    change.commit(None, vec![kind], None, save_as)?;
    print_settings(&settings, json, out)
}

fn print_settings(settings: &Settings, json: bool, out: &mut dyn Write) -> Result<(), Error> {
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(settings).map_err(std::io::Error::from)?
        )?;
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
        "acknowledge within {} hours",
        settings.acknowledge_hours
    )?;
    writeln!(out, "decide within      {} days", settings.decide_days)?;
    Ok(())
}

/// A case as listed.
#[derive(Serialize)]
struct Listed<'a> {
    code_name: &'a str,
    title: Option<&'a str>,
    status: Status,
    severity: Option<Severity>,
    received_at: DateTime<Utc>,
    assignees: Vec<String>,
    due: Option<Due>,
    overdue: bool,
    hidden_by_conflict: bool,
}

fn list(
    config: &Config,
    file: &Path,
    queue: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
    let roster = case_file.roster()?;
    let me = case_file.me()?.map(|m| m.id);
    let settings = case_file.settings();
    let now = Utc::now();
    let view = View {
        me,
        roster: &roster,
        settings: &settings,
        now,
    };
    let cases = case_file.cases()?;
    if queue == "counts" {
        let counts = queue::counts(&view, cases.values());
        if json {
            let map: serde_json::Map<String, serde_json::Value> = counts
                .iter()
                .map(|(q, n)| (q.as_str().to_string(), (*n).into()))
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&map).map_err(std::io::Error::from)?
            )?;
        } else {
            for (q, n) in counts {
                writeln!(out, "{:<26} {n:>6}", q.as_str())?;
            }
        }
        return Ok(());
    }
    let queue: Queue = parse(queue)?;
    let name_of = |id| {
        roster
            .get(id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "?".into())
    };
    let mut listed: Vec<Listed<'_>> = cases
        .values()
        .filter(|c| queue.contains(&view, c))
        .map(|c| {
            let visible = view.may_see(c);
            let due = process::due(&settings, c);
            Listed {
                code_name: &c.code_name,
                title: visible.then_some(c.title.as_str()),
                status: c.status,
                severity: c.severity,
                received_at: c.received_at,
                assignees: c.assignees.iter().map(|id| name_of(*id)).collect(),
                overdue: due.is_some_and(|d| d.by < now),
                due,
                hidden_by_conflict: !visible,
            }
        })
        .collect();
    listed.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.received_at.cmp(&b.received_at))
    });
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&listed).map_err(std::io::Error::from)?
        )?;
        return Ok(());
    }
    if listed.is_empty() {
        writeln!(out, "no cases in {queue}")?;
        return Ok(());
    }
    for c in &listed {
        let age = (now - c.received_at).num_days();
        let due = match c.due {
            Some(d) if c.overdue => format!("OVERDUE: {}", d.what),
            Some(d) => format!("{} in {}d", d.what, (d.by - now).num_days()),
            None => String::new(),
        };
        writeln!(
            out,
            "{:<22} {:<13} {:<8} {:>4}d  {:<24} {:<26} {}",
            c.code_name,
            c.status.as_str(),
            c.severity.map(|s| s.as_str()).unwrap_or("-"),
            age,
            inline(&c.assignees.join(", ")),
            due,
            c.title
                .map(|t| inline(t).into_owned())
                .unwrap_or_else(|| "(hidden: you have a hard conflict)".into()),
        )?;
    }
    Ok(())
}

/// `casebook case show --json`
#[derive(Serialize)]
struct Shown<'a> {
    case: &'a Case,
    due: Option<Due>,
    tally: Option<Tally>,
    timeline: &'a [Event],
}

fn show(
    config: &Config,
    file: &Path,
    code: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
    let roster = case_file.roster()?;
    let me = case_file.me()?;
    let case = case_file.case_by_code(code)?;
    if let Some(me) = &me
        && case.conflict_of(me.id) == Some(ConflictKind::Hard)
    {
        return Err(Error::Rule(process::RuleError::HardConflict {
            case: case.code_name.clone(),
            member: me.name.clone(),
        }));
    }
    let settings = case_file.settings();
    let timeline = case_file.timeline(case.id)?;
    let tally = process::current_tally(&roster, &settings, &case);
    let due = process::due(&settings, &case);
    if json {
        let shown = Shown {
            case: &case,
            due,
            tally,
            timeline: &timeline,
        };
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&shown).map_err(std::io::Error::from)?
        )?;
        return Ok(());
    }
    let name = |id| {
        roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    writeln!(out, "{}  {}", case.code_name, inline(&case.title))?;
    writeln!(
        out,
        "status     {}    severity {}    safety risk {}    channel {}",
        case.status,
        case.severity.map(|s| s.as_str()).unwrap_or("not assessed"),
        if case.safety_risk { "YES" } else { "no" },
        case.channel.as_str()
    )?;
    writeln!(out, "received   {} UTC", day(case.received_at))?;
    let incident = match &case.incident {
        IncidentAt::Unknown => "unknown".to_string(),
        IncidentAt::Around { date } => format!("around {date}"),
        IncidentAt::Exact { at } => format!("{} UTC", day(*at)),
    };
    writeln!(out, "incident   {incident}")?;
    let scope = match case.scope {
        ScopeJudgement::Undecided => "scope undecided",
        ScopeJudgement::InScope => "in scope",
        ScopeJudgement::OutOfScope => "OUT OF SCOPE",
    };
    let reason = case
        .scope_reason
        .as_deref()
        .map(|r| format!(": {}", inline(r)))
        .unwrap_or_default();
    writeln!(
        out,
        "venue      {} ({scope}{reason})",
        inline(case.venue.as_deref().unwrap_or("not recorded"))
    )?;
    if !case.clauses.is_empty() {
        writeln!(
            out,
            "clauses    {}",
            inline(&case.clauses.iter().cloned().collect::<Vec<_>>().join(", "))
        )?;
    }
    if !case.labels.is_empty() {
        writeln!(
            out,
            "labels     {}",
            inline(&case.labels.iter().cloned().collect::<Vec<_>>().join(", "))
        )?;
    }
    let assignees: Vec<String> = case.assignees.iter().map(|id| name(*id)).collect();
    writeln!(
        out,
        "assignees  {}",
        if assignees.is_empty() {
            "nobody".into()
        } else {
            assignees.join(", ")
        }
    )?;
    for (member, conflict) in &case.conflicts {
        let kind = if conflict.kind == ConflictKind::Hard {
            "hard"
        } else {
            "soft"
        };
        let why = conflict
            .reason
            .as_deref()
            .map(|r| format!(": {}", inline(r)))
            .unwrap_or_default();
        writeln!(out, "conflict   {} ({kind}{why})", name(*member))?;
    }
    if let Some(due) = due {
        let state = if due.by < Utc::now() {
            "OVERDUE"
        } else {
            "due"
        };
        writeln!(out, "{state:<10} {} by {} UTC", due.what, day(due.by))?;
    }
    if let Some(d) = case.review_on {
        writeln!(out, "review     {d}")?;
    }
    if let Some(d) = case.expunge_on {
        writeln!(out, "expunge    {d}")?;
    }
    if !case.summary.is_empty() {
        writeln!(out, "\nsummary\n{}", indent(&body(&case.summary)))?;
    }
    if !case.parties.is_empty() {
        writeln!(out, "\nparties")?;
        for (n, party) in case.parties.iter().enumerate() {
            let label = match &party.identity {
                PartyIdentity::Anonymous { contact_held_by } => {
                    format!("anonymous (contact held by {})", name(*contact_held_by))
                }
                PartyIdentity::Linked => linked_label(&mut case_file, party)
                    .map(|label| format!("{} (same person as elsewhere)", inline(&label)))
                    .unwrap_or_else(|| "(linked person)".into()),
                _ => inline(&party.label()).into_owned(),
            };
            let others = other_cases(&mut case_file, &case, party)?;
            let also = if others.is_empty() {
                String::new()
            } else {
                format!("  [also in: {}]", others.join(", "))
            };
            writeln!(out, "  {}. {:<9} {label}{also}", n + 1, party.role.as_str())?;
        }
    }
    if !case.emergencies.is_empty() {
        writeln!(out, "\nemergency actions")?;
        for e in &case.emergencies {
            let state = match &e.review {
                Some((by, at, note)) => format!(
                    "reviewed by {} on {}: {}",
                    name(*by),
                    day(*at),
                    inline(note)
                ),
                None => "AWAITING REVIEW by another member".into(),
            };
            writeln!(
                out,
                "  {} {}: {} — {state}",
                day(e.at),
                name(e.by),
                inline(&e.action)
            )?;
        }
    }
    if let Some(p) = &case.proposal {
        writeln!(
            out,
            "\nvote on {} (proposed by {})",
            inline(&p.outcome),
            name(p.by)
        )?;
        let eligible = process::eligible_voters(&roster, &case);
        for member in roster.active() {
            let ballot = match (p.votes.get(&member.id), eligible.contains(&member.id)) {
                (_, false) => "not eligible (conflict)",
                (Some(b), true) => b.as_str(),
                (None, true) => "has not voted",
            };
            writeln!(out, "  {:<20} {ballot}", inline(&member.name))?;
        }
        if let Some(t) = &tally {
            let met = if t.met { "met" } else { "not met" };
            writeln!(
                out,
                "  {} for, {} against, {} abstain: {} needed of {} eligible ({}) — {met}",
                t.for_, t.against, t.abstain, t.needed, t.eligible, t.rule
            )?;
        }
    }
    if let Some(d) = &case.decision {
        writeln!(
            out,
            "\ndecision   {} by {} on {}",
            inline(&d.outcome),
            name(d.by),
            day(d.at)
        )?;
        if let Some(reason) = &d.override_reason {
            writeln!(out, "           chair override: {}", inline(reason))?;
        }
        writeln!(out, "{}", indent(&body(&d.rationale)))?;
    }
    if !case.communications.is_empty() {
        writeln!(out, "\ncommunications")?;
        for c in &case.communications {
            let to = match c.to {
                Audience::Reporter => "reporter",
                Audience::Reported => "reported",
                Audience::Other => "other",
            };
            writeln!(
                out,
                "  {} to {to} by {}: {}",
                day(c.at),
                name(c.by),
                inline(&c.summary)
            )?;
        }
    }
    writeln!(out, "\ntimeline")?;
    for event in &timeline {
        let id = &event.id.to_string()[..8];
        let amends = event
            .amends
            .map(|a| format!("  (amends {})", &a.to_string()[..8]))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {id} {:<14} {}{amends}",
            day(event.at),
            name(event.author),
            describe(&event.kind, &name)
        )?;
        if let Some(text) = long_text(&event.kind) {
            writeln!(out, "{}", indent(&indent(&body(text))))?;
        }
    }
    Ok(())
}

/// Who a linked party is (raw): the details are held once, with the person's appearance
/// that is not itself a link.
pub(crate) fn linked_label(file: &mut CaseFile, party: &Party) -> Option<String> {
    let cases = file.cases().ok()?;
    cases
        .values()
        .flat_map(|c| c.parties.iter())
        .find(|p| p.person == party.person && p.identity != PartyIdentity::Linked)
        .map(Party::label)
}

/// The other cases this party's person appears in, as "CODE as ROLE".
pub(crate) fn other_cases(
    file: &mut CaseFile,
    case: &Case,
    party: &Party,
) -> Result<Vec<String>, Error> {
    let others = file.cases_of_person(party.person)?;
    let cases = file.cases()?;
    Ok(others
        .iter()
        .filter(|(id, _)| *id != case.id)
        .filter_map(|(id, role)| cases.get(id).map(|c| format!("{} as {role}", c.code_name)))
        .collect())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn long_text(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::NoteAdded { body, .. } => Some(body),
        EventKind::ReportReceived { body, .. } => Some(body),
        _ => None,
    }
}

/// One line describing an event (untrusted parts sanitised).
fn describe(kind: &EventKind, name: &dyn Fn(crate::core::roster::MemberId) -> String) -> String {
    match kind {
        EventKind::CaseOpened { title, channel, .. } => {
            format!("opened ({}): {}", channel.as_str(), inline(title))
        }
        EventKind::ReportReceived {
            from,
            subject,
            attachments,
            ..
        } => format!(
            "report received from {}: {}{}",
            inline(from),
            inline(subject),
            if attachments.is_empty() {
                String::new()
            } else {
                format!(" ({} attachments)", attachments.len())
            }
        ),
        EventKind::DetailsChanged { .. } => "details changed".into(),
        EventKind::StatusChanged { from, to } => format!("status {from} -> {to}"),
        EventKind::Assigned { member } => format!("assigned {}", name(*member)),
        EventKind::Unassigned { member } => format!("took {} off the case", name(*member)),
        EventKind::PartyAdded { party } => {
            format!("party added: {} ({})", inline(&party.label()), party.role)
        }
        EventKind::ConflictDeclared { conflict, .. } => format!(
            "declared a {} conflict of interest",
            if *conflict == ConflictKind::Hard {
                "hard"
            } else {
                "soft"
            }
        ),
        EventKind::EmergencyRecorded { action } => format!("EMERGENCY ACTION: {}", inline(action)),
        EventKind::EmergencyReviewed { note, .. } => {
            format!("reviewed the emergency action: {}", inline(note))
        }
        EventKind::OutcomeProposed { outcome } => {
            format!("proposed the outcome {}", inline(outcome))
        }
        EventKind::VoteCast { outcome, ballot } => {
            format!("voted {} on {}", ballot.as_str(), inline(outcome))
        }
        EventKind::DecisionRecorded {
            outcome,
            override_reason,
            ..
        } => format!(
            "DECISION: {}{}",
            inline(outcome),
            if override_reason.is_some() {
                " (chair override)"
            } else {
                ""
            }
        ),
        EventKind::CommunicationLogged { summary, .. } => {
            format!("communication: {}", inline(summary))
        }
        EventKind::NoteAdded { note, .. } => match note {
            NoteKind::General => "note".into(),
            NoteKind::Interview => "interview note".into(),
            NoteKind::Deliberation => "deliberation note".into(),
        },
        other => other.name().to_string(),
    }
}

/// `casebook search`
pub(super) fn search(
    config: &Config,
    file: &Path,
    query: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
    let me = case_file.me()?.map(|m| m.id);
    let hits = case_file.search(query, 50)?;
    let cases = case_file.cases()?;
    #[derive(Serialize)]
    struct Found<'a> {
        code_name: &'a str,
        event: Uuid,
        snippet: String,
    }
    let found: Vec<Found<'_>> = hits
        .iter()
        .filter_map(|hit| {
            let case = cases.get(&hit.case)?;
            if me.is_some_and(|me| case.conflict_of(me) == Some(ConflictKind::Hard)) {
                return None;
            }
            Some(Found {
                code_name: &case.code_name,
                event: hit.event,
                snippet: hit.snippet.clone(),
            })
        })
        .collect();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&found).map_err(std::io::Error::from)?
        )?;
        return Ok(());
    }
    if found.is_empty() {
        writeln!(out, "nothing found for {:?}", inline(query))?;
    }
    for f in &found {
        // Sanitise the text between the match markers, then show the markers as brackets.
        let snippet: String = f
            .snippet
            .split(['\u{1}', '\u{2}'])
            .enumerate()
            .map(|(i, part)| {
                let part = part.replace('\n', " ");
                if i % 2 == 1 {
                    format!("[{}]", inline(&part))
                } else {
                    inline(&part).into_owned()
                }
            })
            .collect();
        writeln!(
            out,
            "{:<22} {}  {}",
            f.code_name,
            &f.event.to_string()[..8],
            snippet
        )?;
    }
    Ok(())
}

/// `casebook import`: every report file is read and parsed before anything is recorded, so a
/// bad file leaves the case file as it was.
pub(super) fn import(
    config: &Config,
    file: &Path,
    paths: &[PathBuf],
    map: &[String],
    save_as: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let map: std::collections::HashMap<String, String> = map
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(f, c)| (f.trim().to_string(), c.to_string()))
                .ok_or_else(|| {
                    usage(
                        format!("--map {pair:?} is not FIELD=COLUMN"),
                        "for example --map body=\"What happened?\"",
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    let reports = read_reports(paths, &map)?;
    let mut change = Change::open(config, file)?;
    let me = change.me.clone();
    let opened = open_reports(&mut change.file, &me, &reports)?;
    match save_as {
        Some(path) => change.file.save_as(path, &change.identity)?,
        None => change.file.save(&change.identity)?,
    };
    for Opened {
        path,
        code,
        title,
        attachments,
    } in opened
    {
        let extra = if attachments > 0 {
            format!(" ({attachments} attachments)")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{code}  {}  from {}{extra}",
            inline(&title),
            path.display()
        )?;
    }
    Ok(())
}

/// Read and parse report files (all of them, before anything is recorded).
pub(crate) fn read_reports(
    paths: &[PathBuf],
    map: &std::collections::HashMap<String, String>,
) -> Result<Vec<(PathBuf, crate::import::Report)>, Error> {
    let mut reports = Vec::new();
    for path in paths {
        let too_large = |size: u64| Error::Import {
            file: path.clone(),
            source: crate::import::ImportError::TooLarge {
                size: size as usize,
            },
        };
        let size = std::fs::metadata(path)
            .map_err(|e| crate::vault::Error::Read {
                path: path.clone(),
                source: e,
            })?
            .len();
        if size > crate::import::MAX_REPORT_BYTES as u64 {
            return Err(too_large(size));
        }
        let bytes = std::fs::read(path).map_err(|e| crate::vault::Error::Read {
            path: path.clone(),
            source: e,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = crate::import::parse(&name, &bytes, map).map_err(|source| Error::Import {
            file: path.clone(),
            source,
        })?;
        reports.extend(parsed.into_iter().map(|r| (path.clone(), r)));
    }
    Ok(reports)
}

/// A case opened from a report.
pub(crate) struct Opened {
    /// The file it came from.
    pub(crate) path: PathBuf,
    /// Its code name.
    pub(crate) code: String,
    /// Its title, raw.
    pub(crate) title: String,
    /// How many attachments it kept.
    pub(crate) attachments: usize,
}

/// Open one case per report, as `me`, with the report, its reporter and its attachments
/// (recorded, not saved).
pub(crate) fn open_reports(
    file: &mut CaseFile,
    me: &crate::core::roster::Member,
    reports: &[(PathBuf, crate::import::Report)],
) -> Result<Vec<Opened>, Error> {
    let now = Utc::now();
    let mut events = Vec::new();
    let mut opened = Vec::new();
    let mut taken: std::collections::HashSet<String> = file
        .cases()?
        .values()
        .map(|c| c.code_name.clone())
        .collect();
    let mut rng = rand::thread_rng();
    for (path, report) in reports {
        let code_name = crate::core::codename::generate(&mut rng, |n| taken.contains(n));
        taken.insert(code_name.clone());
        let case = CaseId(Uuid::new_v4());
        let mut kinds = vec![
            EventKind::CaseOpened {
                code_name: code_name.clone(),
                title: report.title.clone(),
                summary: String::new(),
                channel: report.channel,
                received_at: report.received_at.unwrap_or(now),
            },
            EventKind::ReportReceived {
                from: report.from.clone(),
                subject: report.title.clone(),
                body: report.body.clone(),
                attachments: report
                    .attachments
                    .iter()
                    .map(|a| crate::core::event::AttachmentRef {
                        name: a.name.clone(),
                        content_type: a.content_type.clone(),
                        size: a.data.len() as u64,
                        sha256: a.sha256.clone(),
                    })
                    .collect(),
            },
        ];
        let identity = if report.reporter.anonymous {
            PartyIdentity::Anonymous {
                contact_held_by: me.id,
            }
        } else if let Some(name) = report
            .reporter
            .name
            .clone()
            .or_else(|| report.reporter.email.clone())
        {
            PartyIdentity::Named {
                name,
                handle: report.reporter.handle.clone(),
                email: report.reporter.email.clone(),
            }
        } else {
            PartyIdentity::Anonymous {
                contact_held_by: me.id,
            }
        };
        kinds.push(EventKind::PartyAdded {
            party: Party {
                id: PartyId(Uuid::new_v4()),
                role: PartyRole::Reporter,
                person: PersonId(Uuid::new_v4()),
                identity,
            },
        });
        if report.venue.is_some() || report.incident_date.is_some() {
            kinds.push(EventKind::DetailsChanged {
                changes: Details {
                    venue: report.venue.clone(),
                    incident: report.incident_date.map(|date| IncidentAt::Around { date }),
                    ..Details::default()
                },
            });
        }
        events.extend(kinds.into_iter().map(|kind| Event {
            id: Uuid::new_v4(),
            case: Some(case),
            author: me.id,
            at: now,
            amends: None,
            kind,
        }));
        opened.push(Opened {
            path: path.clone(),
            code: code_name,
            title: report.title.clone(),
            attachments: report.attachments.len(),
        });
    }
    for (_, report) in reports {
        for attachment in &report.attachments {
            file.store_attachment(&attachment.sha256, &attachment.data)?;
        }
    }
    file.record(&events)?;
    Ok(opened)
}

/// The person who is party N of another case, from a `CODE:N` reference (parties numbered from
/// 1 as `case show` lists them): a new party that is the same person links to them.
pub(crate) fn same_person(file: &mut CaseFile, reference: &str) -> Result<PersonId, Error> {
    let (other_code, number) = reference
        .rsplit_once(':')
        .and_then(|(c, n)| n.trim().parse::<usize>().ok().map(|n| (c.trim(), n)))
        .ok_or_else(|| {
            usage(
                format!("{reference:?} is not CODE:N"),
                "for example amber-kettle:2, the second party of amber-kettle",
            )
        })?;
    let other = file.case_by_code(other_code)?;
    let party = other.parties.get(number.wrapping_sub(1)).ok_or_else(|| {
        usage(
            format!("{} has no party {number}", other.code_name),
            "parties are numbered from 1 as the case lists them",
        )
    })?;
    Ok(party.person)
}

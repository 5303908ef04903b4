//! One case, shown whole on the command line (`casebook case show`): its head, what is next,
//! its facts, retention, parties, measures, decision and timeline, each a section.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cli::Config;
use crate::commands::{Error, load_identity};
use crate::core::case::{Case, IncidentAt, ScopeJudgement};
use crate::core::decision::Tally;
use crate::core::describe;
use crate::core::event::{ConflictKind, Event, EventKind};
use crate::core::party::Disclosure;
use crate::core::process::{self, Due};
use crate::core::sanitize::{body, inline};
use crate::ops::OpenFile;
use crate::ops::cases as case_ops;
use crate::ops::vault::OpenMode;

/// The long text shown under a timeline entry: notes and reports (a decision's rationale is
/// shown with the decision above the timeline).
fn timeline_text(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::DecisionRecorded { .. } => None,
        other => describe::text(other),
    }
}

/// `casebook case show --json`
#[derive(Serialize)]
struct Shown<'a> {
    case: &'a Case,
    due: Option<Due>,
    tally: Option<Tally>,
    timeline: &'a [Event],
}

/// `casebook case show`: one case, whole (or as JSON), as the member may read it.
pub(crate) fn show(
    config: &Config,
    file: &Path,
    code: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = crate::commands::open_file(config, file, &identity, OpenMode::ReadOnly)?;
    let roster = case_file.roster()?;
    let case = case_file.case_by_code(code)?;
    let me = case_file.me()?;
    if let (Some(me), Some(sealed)) = (&me, &case.sealed)
        && !case.readable_by(me.id)
    {
        // What this copy holds of a case sealed from its member: nothing anyone wrote, and
        // not who may read it or why it is kept from them (that alone could tell a reported
        // member they were reported), unless they declared the conflict themselves.
        let declared = case.conflict_of(me.id) == Some(ConflictKind::Hard);
        let due = process::due(&case_file.settings(), &case);
        if json {
            let shown = serde_json::json!({
                "case": {
                    "code_name": case.code_name,
                    "status": case.status,
                    "received_at": case.received_at,
                    "sealed_from_you": true,
                    "sealed_since": sealed.since,
                    "you_declared_a_hard_conflict": declared,
                },
                "due": due,
            });
            writeln!(out, "{}", crate::commands::json(&shown)?)?;
            return Ok(());
        }
        writeln!(out, "{}  (sealed from you)", case.code_name)?;
        writeln!(out, "status     {}", case.status)?;
        writeln!(out, "received   {} UTC", day(case.received_at))?;
        if let Some(due) = due {
            writeln!(out, "due        {} by {} UTC", due.what, day(due.by))?;
        }
        writeln!(
            out,
            "sealed     from you since {} UTC{}: its content is not in your copy",
            day(sealed.since),
            if declared {
                " (you declared a hard conflict)"
            } else {
                ""
            }
        )?;
        return Ok(());
    }
    let case = case_file.readable(code)?;
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
        writeln!(out, "{}", crate::commands::json(&shown)?)?;
        return Ok(());
    }
    let view = Showing {
        roster: &roster,
        settings: &settings,
        me,
    };
    show_head(&case, &view, file, out)?;
    show_next(&case, &view, due.as_ref(), out)?;
    show_facts(&case, &view, due.as_ref(), out)?;
    show_retention(&case, &view, out)?;
    show_parties(&case, &view, &mut case_file, out)?;
    show_measures(&case, &view, out)?;
    show_decision(&case, &view, tally.as_ref(), out)?;
    show_timeline(&case, &view, &timeline, out)
}

/// The committee as `case show` names it: the file's roster and settings, and the member who
/// opened it.
struct Showing<'a> {
    roster: &'a crate::core::roster::Roster,
    settings: &'a crate::core::process::Settings,
    me: Option<crate::core::roster::Member>,
}

impl Showing<'_> {
    /// A member's name, sanitised.
    fn name(&self, id: crate::core::roster::MemberId) -> String {
        self.roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "?".into())
    }
}

/// A time as `case show` writes it (UTC).
fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// The title, who may read a sealed case, and what needs attention.
fn show_head(
    case: &Case,
    view: &Showing<'_>,
    file: &Path,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let name = |id| view.name(id);
    writeln!(out, "{}  {}", case.code_name, inline(&case.title))?;
    if let Some(sealed) = &case.sealed {
        let excluded: Vec<String> = sealed
            .excluded
            .iter()
            .map(|(id, why)| match why {
                Some(why) => format!("{} ({})", name(*id), why.describe()),
                None => name(*id),
            })
            .collect();
        writeln!(
            out,
            "SEALED since {} UTC from {}; readable by {} only. Stored encrypted to them: what \
             others read before it was sealed stays read.",
            day(sealed.since),
            if excluded.is_empty() {
                "nobody now".to_string()
            } else {
                excluded.join(", ")
            },
            sealed
                .readers
                .iter()
                .map(|id| name(*id))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    if !case.attention.is_empty() {
        writeln!(
            out,
            "NEEDS ATTENTION ({}): merged changes the process rules do not allow together",
            case.attention.len()
        )?;
        for a in &case.attention {
            writeln!(
                out,
                "  {}  {} by {}: {}",
                &crate::core::describe::short_event(&a.event),
                day(a.at),
                name(a.by),
                inline(&a.what.summary())
            )?;
        }
        writeln!(
            out,
            "  resolve with: casebook resolve {} {} --item ITEM --note TEXT",
            crate::ops::export::shell_quote(&file.display().to_string()),
            case.code_name
        )?;
    }
    Ok(())
}

/// What is next on the case for the member who opened the file.
fn show_next(
    case: &Case,
    view: &Showing<'_>,
    due: Option<&Due>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let name = |id| view.name(id);
    if let Some(me) = view.me.clone() {
        let mut next = describe::next_for(
            case,
            me.id,
            &process::eligible_voters(view.roster, case),
            due,
            &name,
            &|at| format!("{} UTC", day(at)),
        );
        if case.readable_by(me.id) {
            next.extend(describe::after_decision(
                case,
                view.settings,
                Utc::now().date_naive(),
                &name,
            ));
        }
        if !next.is_empty() {
            writeln!(out, "next for you")?;
            for item in next {
                writeln!(out, "  · {}", inline(&item))?;
            }
        }
    }
    Ok(())
}

/// The case's facts: status, dates, scope, clauses, labels, who is on it, what is due.
fn show_facts(
    case: &Case,
    view: &Showing<'_>,
    due: Option<&Due>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let name = |id| view.name(id);
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
    Ok(())
}

/// An expunge, legal holds and the retention date.
fn show_retention(case: &Case, view: &Showing<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let name = |id| view.name(id);
    if let Some(x) = &case.expunged {
        writeln!(
            out,
            "expunged   {} UTC ({}): proposed by {}, approved by {}; the content of {} is erased, \
             this is its retained record",
            day(x.approved_at),
            x.reason.as_str(),
            name(x.by),
            name(x.approved_by),
            crate::core::describe::count(x.manifest.count as usize, "change", "changes"),
        )?;
        let applied: Vec<String> = x.applied.iter().map(|(m, _)| name(*m)).collect();
        let waiting: Vec<String> = view
            .roster
            .members()
            .iter()
            .filter(|m| m.is_active() && !x.applied.iter().any(|(a, _)| *a == m.id))
            .map(|m| inline(&m.name).into_owned())
            .collect();
        writeln!(
            out,
            "applied    on the laptops of {}{}",
            if applied.is_empty() {
                "nobody yet".to_string()
            } else {
                applied.join(", ")
            },
            if waiting.is_empty() {
                String::new()
            } else {
                format!("; not yet said by {}", waiting.join(", "))
            }
        )?;
        if !x.note.is_empty() {
            writeln!(out, "           {}", inline(&x.note))?;
        }
    }
    if let Some(p) = case
        .pending
        .iter()
        .find(|p| matches!(p.kind, crate::core::event::EventKind::CaseExpunged { .. }))
    {
        writeln!(
            out,
            "expunge    proposed by {} on {} UTC; waits for a second member's approval",
            name(p.author),
            day(p.at)
        )?;
    }
    for h in &case.holds {
        let what = if h.legal { "legal hold" } else { "postponed" };
        writeln!(
            out,
            "{what:<10} until {} ({}, by {})",
            h.until,
            inline(&h.reason),
            name(h.by)
        )?;
    }
    match crate::core::retention::due_on(case, &view.settings.retention) {
        Some(d) => writeln!(out, "expunge    due on {d}")?,
        None => {
            if let Some(d) = case.expunge_on {
                writeln!(out, "expunge    {d}")?;
            }
        }
    }
    Ok(())
}

/// The summary and the parties.
fn show_parties(
    case: &Case,
    view: &Showing<'_>,
    case_file: &mut OpenFile,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let name = |id| view.name(id);
    if !case.summary.is_empty() {
        writeln!(out, "\nsummary\n{}", indent(&body(&case.summary)))?;
    }
    if !case.parties.is_empty() {
        writeln!(out, "\nparties")?;
        for (n, party) in case.parties.iter().enumerate() {
            let label = match &party.identity {
                Disclosure::Anonymous { contact_held_by } => {
                    format!("anonymous (contact held by {})", name(*contact_held_by))
                }
                Disclosure::Held { held_by, .. } => {
                    format!("contact held by {} (sealed to them)", name(*held_by))
                }
                Disclosure::Linked => case_ops::linked_label(case_file, party)
                    .map(|label| format!("{} (same person as elsewhere)", inline(&label)))
                    .unwrap_or_else(|| "(linked person)".into()),
                _ => inline(&party.label()).into_owned(),
            };
            let others = case_ops::other_cases(case_file, case, party)?;
            let also = if others.is_empty() {
                String::new()
            } else {
                format!("  [also in: {}]", others.join(", "))
            };
            writeln!(out, "  {}. {:<9} {label}{also}", n + 1, party.role.as_str())?;
        }
    }
    Ok(())
}

/// The appeal, the sanctions and the emergency actions.
fn show_measures(case: &Case, view: &Showing<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let name = |id| view.name(id);
    if let Some(appeal) = &case.appeal {
        let out_names: Vec<String> = appeal.panel_out.iter().map(|m| name(*m)).collect();
        writeln!(
            out,
            "\nappeal     {} on {}, recorded by {}: {}",
            appeal.grounds,
            appeal.at.format("%Y-%m-%d"),
            name(appeal.by),
            match &appeal.decided {
                Some((outcome, at)) => format!(
                    "decided {} on {} (the decision appealed: {})",
                    inline(outcome),
                    at.format("%Y-%m-%d"),
                    inline(&appeal.original.outcome)
                ),
                None => format!(
                    "open (the decision appealed: {})",
                    inline(&appeal.original.outcome)
                ),
            }
        )?;
        if !out_names.is_empty() {
            writeln!(
                out,
                "           left out of its vote and quorum: {}",
                out_names.join(", ")
            )?;
        }
    }
    if !case.sanctions.is_empty() {
        writeln!(out, "\nsanctions")?;
        let today = Utc::now().date_naive();
        for (n, s) in case.sanctions.iter().enumerate() {
            writeln!(out, "  {}", inline(&s.line(n + 1, today)))?;
            if !s.conditions.is_empty() {
                writeln!(out, "     to return: {}", inline(&s.conditions))?;
            }
            let left = s.still_to_tell(today);
            if !left.is_empty() {
                writeln!(out, "     to tell: {}", inline(&left.join(", ")))?;
            }
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
    Ok(())
}

/// The vote, the decision and what was told to whom.
fn show_decision(
    case: &Case,
    view: &Showing<'_>,
    tally: Option<&Tally>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let name = |id| view.name(id);
    if let Some(p) = &case.proposal {
        writeln!(
            out,
            "\nvote on {} (proposed by {})",
            inline(&p.outcome),
            name(p.by)
        )?;
        let decided = case.decision.as_ref().is_some_and(|d| p.at <= d.at);
        let eligible = process::eligible_voters(view.roster, case);
        // A decided vote is shown as it was counted: the ballots cast, whoever has left since.
        let voters: Vec<_> = if decided {
            p.votes
                .keys()
                .filter_map(|id| view.roster.get(*id))
                .collect()
        } else {
            view.roster.active().collect()
        };
        for member in voters {
            let appealed_by_them = case
                .appeal
                .as_ref()
                .is_some_and(|a| a.is_open() && a.panel_out.contains(&member.id));
            let ballot = match (p.votes.get(&member.id), eligible.contains(&member.id)) {
                (Some(b), _) if decided => b.as_str(),
                (_, false) if appealed_by_them => {
                    "not eligible (took part in the decision appealed)"
                }
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
            let to = c.to.as_str();
            writeln!(
                out,
                "  {} to {to} by {}: {}",
                day(c.at),
                name(c.by),
                inline(&c.summary)
            )?;
        }
    }
    Ok(())
}

/// The timeline, oldest first.
fn show_timeline(
    case: &Case,
    view: &Showing<'_>,
    timeline: &[Event],
    out: &mut dyn Write,
) -> Result<(), Error> {
    let name = |id| view.name(id);
    writeln!(out, "\ntimeline")?;
    for event in timeline {
        let id = &crate::core::describe::short_event(&event.id);
        let amends = event
            .amends
            .map(|a| format!("  (amends {})", &crate::core::describe::short_event(&a)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {id} {:<14} {}{amends}",
            day(event.at),
            name(event.author),
            describe::headline(&event.kind, &name)
        )?;
        if let Some(held) = case.held.iter().find(|h| h.event == event.id) {
            writeln!(
                out,
                "    not applied: {} (signed by {})",
                inline(&held.why),
                name(held.by)
            )?;
        }
        if let Some(text) = timeline_text(&event.kind) {
            writeln!(out, "{}", indent(&indent(&body(text))))?;
        }
        if let EventKind::DetailsChanged { changes } = &event.kind {
            for (what, value) in describe::details(changes) {
                writeln!(out, "        {what}: {}", inline(&value))?;
            }
        }
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

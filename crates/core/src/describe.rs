//! The words for what an event did: one vocabulary for the command line, the interface and
//! the exports, so a member reads one history however they look at it.
//!
//! [`headline`] is one line, with untrusted parts already made safe; [`text`] is the long text
//! an event carries (a note, a report, a rationale), raw, for the caller to lay out through
//! [`super::sanitize::body`].

use super::case::Status;
use super::event::{Audience, ConflictKind, EventKind, NoteKind};
use super::roster::{MemberId, Role};
use super::sanitize::inline;

/// One line saying what `kind` did; `name` gives a member's name (already safe to show).
pub fn headline(kind: &EventKind, name: &dyn Fn(MemberId) -> String) -> String {
    match kind {
        EventKind::FileCreated => "case file created".into(),
        EventKind::MemberAdded {
            name: added, role, ..
        } => format!("added {} to the committee ({role})", inline(added)),
        EventKind::MemberRemoved { member, reason } => format!(
            "removed {} from the committee{}",
            name(*member),
            reason
                .as_deref()
                .map(|r| format!(": {}", inline(r)))
                .unwrap_or_default()
        ),
        EventKind::MemberKeyChanged { member, .. } => {
            format!("{} changed their key", name(*member))
        }
        EventKind::MemberRoleChanged { member, role } => {
            format!("made {} {}", name(*member), role_words(*role))
        }
        EventKind::MemberRejoined { member, .. } => {
            format!("re-added {} to the committee", name(*member))
        }
        EventKind::MemberEmailChanged { member, .. } => {
            format!("recorded {}'s contact address", name(*member))
        }
        EventKind::Rekeyed => "re-encrypted with a fresh file key".into(),
        EventKind::HistoryRecovered {
            lost_head,
            lost_by,
            lost_at,
            verified_at,
        } => format!(
            "recovered the file from an older copy: the history after commit {} (by {}, {}), \
             verified on {} and found in no copy, is lost",
            inline(lost_head.get(..8).unwrap_or(lost_head)),
            inline(lost_by),
            inline(lost_at.get(..16).unwrap_or(lost_at)).replace('T', " "),
            verified_at.format("%Y-%m-%d")
        ),
        EventKind::RecipientAdded { .. } => "added a recipient who is not a member".into(),
        EventKind::SpaceSet { space, tell } if tell.is_empty() => {
            format!("cleared the checklist for sanctions in {}", inline(space))
        }
        EventKind::SpaceSet { space, tell } => format!(
            "set who is told of sanctions in {}: {}",
            inline(space),
            inline(&tell.join(", "))
        ),
        EventKind::TemplateSet { to, step, .. } => {
            format!("set the template for {step} messages to {}", audience(*to))
        }
        EventKind::SettingsChanged {
            ladder,
            quorum,
            acknowledge_hours,
            decide_days,
            appeal_days,
            ..
        } => format!(
            "rules changed: {ladder}, {quorum}, acknowledge within {acknowledge_hours} h, \
             decide within {}, appeal within {}",
            count(*decide_days as usize, "day", "days"),
            count(*appeal_days as usize, "day", "days")
        ),
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
            match attachments.len() {
                0 => String::new(),
                n => format!(" ({})", count(n, "attachment", "attachments")),
            }
        ),
        EventKind::DetailsChanged { .. } => "details changed".into(),
        EventKind::StatusChanged { from, to } => status_move(*from, *to),
        EventKind::Assigned { member } => format!("assigned {} to the case", name(*member)),
        EventKind::Unassigned { member } => format!("took {} off the case", name(*member)),
        EventKind::PartyAdded { party } => {
            format!("party added: {} ({})", inline(&party.label()), party.role)
        }
        // Declared by the conflicted member themselves, who is the event's author.
        EventKind::ConflictDeclared { conflict, .. } => format!(
            "declared a {} conflict of interest",
            conflict_kind(*conflict)
        ),
        EventKind::EmergencyRecorded { action } => format!("EMERGENCY ACTION: {}", inline(action)),
        EventKind::EmergencyReviewed { note, result, .. } => match result {
            Some(result) => format!(
                "reviewed the emergency action ({}): {}",
                result.as_str(),
                inline(note)
            ),
            None => format!("reviewed the emergency action: {}", inline(note)),
        },
        EventKind::ConflictWithdrawn { reason, .. } => format!(
            "withdrew their conflict of interest{}",
            reason
                .as_deref()
                .map(|r| format!(": {}", inline(r)))
                .unwrap_or_default()
        ),
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
        EventKind::CommunicationLogged {
            to,
            summary,
            next_update_by,
            review,
        } => format!(
            "message to {}{}: {}{}",
            audience(*to),
            if *review {
                " (for a second member's review)"
            } else {
                ""
            },
            inline(summary),
            next_update_by
                .map(|d| format!(" (next update by {d})"))
                .unwrap_or_default()
        ),
        EventKind::NoteAdded { note, .. } => note_kind(*note).into(),
        EventKind::AttentionResolved { events, note, .. } => format!(
            "resolved {} merged change{} needing attention: {}",
            events.len(),
            if events.len() == 1 { "" } else { "s" },
            inline(note)
        ),
        EventKind::RecordTextWritten { profile, title, .. } => format!(
            "wrote the {} record's title: {}",
            profile.as_str(),
            inline(title)
        ),
        EventKind::CaseSealed {
            access, readers, ..
        } => {
            let names = |members: &mut dyn Iterator<Item = &MemberId>| {
                members.map(|m| name(*m)).collect::<Vec<_>>().join(", ")
            };
            match access {
                crate::event::Access::Excluded { members, why, .. } => format!(
                    "sealed the case from {}{}; readable by {}",
                    names(&mut members.iter()),
                    why.map(|w| format!(" ({})", w.describe()))
                        .unwrap_or_default(),
                    names(&mut readers.iter())
                ),
                crate::event::Access::Given { member } => format!(
                    "gave {} access to the sealed case (new case key)",
                    name(*member)
                ),
                crate::event::Access::Rekeyed => format!(
                    "replaced the sealed case's key; readable by {}",
                    names(&mut readers.iter())
                ),
            }
        }
        EventKind::ContactOpened { .. } => "opened a party's sealed contact details".into(),
        EventKind::Approved { event } => format!("approved change {}", short_event(event)),
        EventKind::Withdrawn { event } => format!("withdrew change {}", short_event(event)),
        EventKind::AccessRequested { member } => {
            format!(
                "asked that {} may read the case (a second reader gives it)",
                name(*member)
            )
        }
        EventKind::SanctionStarted {
            step: kind,
            subject,
            spaces,
            starts,
            ends,
            ..
        } => format!(
            "started a sanction: {} for {} in {}, from {starts} {}",
            inline(kind),
            inline(subject),
            inline(&spaces.join(", ")),
            match ends {
                Some(day) => format!("to {day}"),
                None => "until reviewed".into(),
            }
        ),
        EventKind::SanctionTold { sanction, whom } => format!(
            "told {} of sanction {}",
            inline(whom),
            short_event(sanction)
        ),
        EventKind::SanctionReviewed { sanction, .. } => {
            format!("reviewed sanction {}: it stands", short_event(sanction))
        }
        EventKind::SanctionExtended { sanction, ends, .. } => format!(
            "moved the end of sanction {} to {}",
            short_event(sanction),
            match ends {
                Some(day) => day.to_string(),
                None => "until reviewed".into(),
            }
        ),
        EventKind::SanctionBreached { sanction, .. } => {
            format!("recorded a breach of sanction {}", short_event(sanction))
        }
        EventKind::SanctionLifted { sanction, .. } => {
            format!("lifted sanction {}", short_event(sanction))
        }
        EventKind::AppealOpened { grounds, .. } => format!(
            "opened an appeal of the decision ({grounds}); members who voted on or decided it \
             are left out of the appeal's vote"
        ),
        EventKind::CaseExpunged {
            reason, manifest, ..
        } => format!(
            "proposed to expunge the case ({}): {} changes' content would be erased; a second \
             member approves",
            reason.as_str(),
            manifest.count
        ),
        EventKind::ExpungeApproved { .. } => {
            "approved the expunge: the case's content is erased on every copy".into()
        }
        EventKind::ExpungeApplied { .. } => {
            "applied the expunge on their laptop and deleted casebook's leftovers".into()
        }
        EventKind::ExpungeHeld {
            until, legal: true, ..
        } => format!("placed a legal hold on expunging the case until {until}"),
        EventKind::ExpungeHeld { until, .. } => {
            format!("postponed expunging the case until {until}")
        }
        EventKind::Erased { was } => format!("{} (content expunged)", inline(was)),
    }
}

/// The long text an event carries, raw: a note's body, a report as received, a decision's
/// rationale.
pub fn text(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::NoteAdded { body, .. } | EventKind::ReportReceived { body, .. } => Some(body),
        EventKind::DecisionRecorded { rationale, .. } => Some(rationale),
        EventKind::RecordTextWritten { summary, .. } if !summary.is_empty() => Some(summary),
        EventKind::SanctionReviewed { note, .. }
        | EventKind::SanctionExtended { note, .. }
        | EventKind::SanctionBreached { note, .. }
        | EventKind::SanctionLifted { note, .. }
        | EventKind::AppealOpened { note, .. }
        | EventKind::ExpungeHeld { reason: note, .. } => Some(note),
        EventKind::CaseExpunged { note, .. } if !note.is_empty() => Some(note),
        EventKind::SanctionStarted { conditions, .. } if !conditions.is_empty() => Some(conditions),
        _ => None,
    }
}

/// The details a change set, each as (what, its new value) in words, raw: the same words the
/// case's own lines use ("safety risk: YES", "incident: around 2026-11-27"), never a field
/// name or a JSON value. Times are in UTC.
pub fn details(changes: &crate::event::Details) -> Vec<(&'static str, String)> {
    use crate::case::{IncidentAt, ScopeJudgement};
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    let list = |items: &std::collections::BTreeSet<String>| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    };
    let mut out: Vec<(&'static str, String)> = Vec::new();
    if let Some(title) = &changes.title {
        out.push(("title", title.clone()));
    }
    if let Some(summary) = &changes.summary {
        out.push(("summary", summary.clone()));
    }
    if let Some(incident) = &changes.incident {
        out.push((
            "incident",
            match incident {
                IncidentAt::Unknown => "date unknown".to_string(),
                IncidentAt::Around { date } => format!("around {date}"),
                IncidentAt::Exact { at } => format!("{} UTC", at.format("%Y-%m-%d %H:%M")),
            },
        ));
    }
    if let Some(venue) = &changes.venue {
        out.push(("venue", venue.clone()));
    }
    if let Some(scope) = changes.scope {
        out.push((
            "scope",
            match scope {
                ScopeJudgement::Undecided => "not judged yet",
                ScopeJudgement::InScope => "in scope",
                ScopeJudgement::OutOfScope => "out of scope",
            }
            .to_string(),
        ));
    }
    if let Some(reason) = &changes.scope_reason {
        out.push(("scope reason", reason.clone()));
    }
    if let Some(clauses) = &changes.clauses {
        out.push(("clauses", list(clauses)));
    }
    if let Some(severity) = changes.severity {
        out.push(("severity", severity.as_str().to_string()));
    }
    if let Some(risk) = changes.safety_risk {
        // As the case's header says it: a risk stands out.
        out.push(("safety risk", if risk { "YES" } else { "no" }.to_string()));
    }
    if let Some(labels) = &changes.labels {
        out.push(("labels", list(labels)));
    }
    if let Some(day) = changes.review_on {
        out.push(("review on", day.to_string()));
    }
    if let Some(day) = changes.expunge_on {
        out.push(("expunge on", day.to_string()));
    }
    if let Some(anonymisable) = changes.anonymisable {
        out.push(("anonymisable", yes_no(anonymisable)));
    }
    out
}

/// What is next on `case` for member `me`, in words, most pressing first: an emergency action
/// they can review (another member recorded it), their vote on the proposed outcome, what the
/// committee owes and by when, and from whom (the assigned members, or the committee). Later
/// stages of the process (communicating a decision, its review date) add their own items.
/// `eligible` are the members who may vote; times are said by `when`.
pub fn next_for(
    case: &crate::case::Case,
    me: MemberId,
    eligible: &[MemberId],
    due: Option<&crate::process::Due>,
    name: &dyn Fn(MemberId) -> String,
    when: &dyn Fn(chrono::DateTime<chrono::Utc>) -> String,
) -> Vec<String> {
    use crate::process::EMERGENCY_REVIEW_HOURS;
    let mut next = Vec::new();
    if !case.readable_by(me) || case.status.is_finished() && case.decision.is_some() {
        return next;
    }
    for e in case.emergencies.iter().filter(|e| e.review.is_none()) {
        let by = e.at + chrono::Duration::hours(EMERGENCY_REVIEW_HOURS);
        if e.by == me {
            next.push(format!(
                "another member reviews your emergency action by {}",
                when(by)
            ));
        } else {
            next.push(format!(
                "you can review the emergency action {} recorded, by {}",
                name(e.by),
                when(by)
            ));
        }
    }
    if let Some(p) = &case.proposal
        && case.decision.is_none()
        && eligible.contains(&me)
        && !p.votes.contains_key(&me)
    {
        next.push(format!("your vote on {} is owed", inline(&p.outcome)));
    }
    if let Some(due) = due
        && due.what != "review emergency action"
    {
        let from = if case.assignees.contains(&me) {
            "you".to_string()
        } else if case.assignees.is_empty() {
            "the committee (nobody assigned)".to_string()
        } else {
            case.assignees
                .iter()
                .map(|id| name(*id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        next.push(format!("{}: {from}, by {}", due.what, when(due.by)));
    }
    next
}

/// What the committee owes on `case` after its decision, on `today`, in words: who is still
/// to be told of each sanction, sanctions about to end, people waiting past a promised update,
/// the review date, and the appeal (its window, or who is left out of it).
pub fn after_decision(
    case: &crate::case::Case,
    settings: &crate::process::Settings,
    today: chrono::NaiveDate,
    name: &dyn Fn(MemberId) -> String,
) -> Vec<String> {
    let mut next = Vec::new();
    let notice_until = super::dates::plus_days(today, settings.notice_days);
    for (n, s) in case.sanctions.iter().enumerate() {
        let left = s.still_to_tell(today);
        if !left.is_empty() {
            next.push(format!(
                "tell {} of sanction {} ({}{})",
                inline(&left.join(", ")),
                n + 1,
                inline(&s.kind),
                if s.lifted.is_some() { ", lifted" } else { "" }
            ));
        }
        if let Some(end) = s.ends
            && s.active_on(today)
            && end <= notice_until
        {
            next.push(format!(
                "sanction {} ({}) ends on {end}: review it, extend it or let it end",
                n + 1,
                inline(&s.kind)
            ));
        }
    }
    for (to, since) in case.updates_due(settings.update_days, today) {
        next.push(format!(
            "{} waits for an update since {since}",
            audience(to)
        ));
    }
    if let Some(day) = case.review_on.filter(|d| *d <= today) {
        next.push(format!("the review date ({day}) has come"));
    }
    match (&case.appeal, &case.decision) {
        (Some(appeal), _) if appeal.is_open() => next.push(format!(
            "the appeal is heard without {}",
            appeal
                .panel_out
                .iter()
                .map(|m| name(*m))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (None, Some(decision))
            if matches!(
                case.status,
                crate::case::Status::Decided | crate::case::Status::Closed
            ) =>
        {
            let closes = super::dates::plus_days(decision.at.date_naive(), settings.appeal_days);
            if today <= closes {
                next.push(format!("the decision may be appealed until {closes}"));
            }
        }
        _ => {}
    }
    next
}

/// A number with its noun: "1 case", "3 cases", "0 cases".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A role as a sentence ends with it: "made Sam a chair".
pub fn role_words(role: Role) -> &'static str {
    match role {
        Role::Chair => "a chair",
        Role::Member => "an ordinary member",
    }
}

/// How a case moved between two statuses.
pub fn status_move(from: Status, to: Status) -> String {
    format!("status {from} -> {to}")
}

/// Who a message went to, in words.
pub fn audience(to: Audience) -> &'static str {
    match to {
        Audience::Reporter => "the reporter",
        Audience::Reported => "the reported person",
        Audience::Other => "others",
    }
}

/// "hard" or "soft".
pub fn conflict_kind(kind: ConflictKind) -> &'static str {
    match kind {
        ConflictKind::Hard => "hard",
        ConflictKind::Soft => "soft",
    }
}

/// "note", "interview note", "deliberation note".
pub fn note_kind(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::General => "note",
        NoteKind::Interview => "interview note",
        NoteKind::Deliberation => "deliberation note",
    }
}

/// The start of an event's id, as timelines and `casebook log` show it.
pub fn short_event(id: &uuid::Uuid) -> String {
    id.to_string()[..8].to_string()
}

/// The start of a commit's id (or of any other stored hash), as `casebook log`, `info` and
/// `recover` show it, and as errors about a file's history name it.
pub fn short_commit(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Ballot, QuorumRule, tally};
    use std::collections::BTreeMap;

    fn nobody(_: MemberId) -> String {
        "Robin".into()
    }

    #[test]
    fn untrusted_parts_are_made_safe_and_words_say_who() {
        let kind = EventKind::CommunicationLogged {
            to: Audience::Reported,
            summary: "sent\u{1b}[2J".into(),
            next_update_by: None,
            review: false,
        };
        assert_eq!(
            headline(&kind, &nobody),
            "message to the reported person: sent␛[2J"
        );
        let vote = EventKind::VoteCast {
            outcome: "warning".into(),
            ballot: Ballot::For,
        };
        assert_eq!(headline(&vote, &nobody), "voted for on warning");
        let decided = EventKind::DecisionRecorded {
            outcome: "warning".into(),
            rationale: "because".into(),
            tally: tally(QuorumRule::SimpleMajority, &[], &BTreeMap::new()),
            override_reason: Some("urgent".into()),
        };
        assert_eq!(
            headline(&decided, &nobody),
            "DECISION: warning (chair override)"
        );
        assert_eq!(text(&decided), Some("because"));
    }

    #[test]
    fn details_are_words_never_json() {
        use crate::case::IncidentAt;
        let changes = crate::event::Details {
            incident: Some(IncidentAt::Around {
                date: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            }),
            safety_risk: Some(true),
            anonymisable: Some(false),
            ..Default::default()
        };
        assert_eq!(
            details(&changes),
            [
                ("incident", "around 2026-11-27".to_string()),
                ("safety risk", "YES".to_string()),
                ("anonymisable", "no".to_string()),
            ]
        );
    }

    #[test]
    fn counts_say_one_or_many() {
        assert_eq!(count(1, "day", "days"), "1 day");
        assert_eq!(count(0, "day", "days"), "0 days");
        assert_eq!(count(2, "attachment", "attachments"), "2 attachments");
    }
}

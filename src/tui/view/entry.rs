//! One timeline entry in words: its headline as a sentence with its author, and everything
//! it records beyond that, in full (the case screen shows every entry whole).

use super::*;

/// What an entry says beyond its headline, in full: a decision's rationale, tally and
/// override reason, a review's text and what it reviewed, a conflict's reason, a report's
/// attachments, the details changed. Each line raw, for [`body`].
pub(super) fn entry_details(
    event: &Event,
    data: &CaseData,
    zone: &app::Zone,
) -> Vec<(String, Option<&'static str>)> {
    let mut out: Vec<(String, Option<&'static str>)> = Vec::new();
    // Signed, kept, and not applied: the committee's rules did not allow it.
    if let Some(held) = data.case.held.iter().find(|h| h.event == event.id) {
        let by = data
            .names
            .get(&held.by)
            .cloned()
            .unwrap_or_else(|| "a former member".into());
        out.push((
            format!("NOT APPLIED: {} (signed by {by})", held.why),
            Some("alert"),
        ));
    }
    match &event.kind {
        EventKind::DecisionRecorded {
            outcome,
            rationale,
            tally,
            override_reason,
        } => {
            out.push((format!("outcome: {outcome}"), Some("decision")));
            out.push((format!("decided: {}", zone.show(event.at)), None));
            if !data.case.clauses.is_empty() {
                let clauses: Vec<&str> = data.case.clauses.iter().map(String::as_str).collect();
                out.push((format!("clauses: {}", clauses.join(", ")), None));
            }
            // The vote as the votes gave it when the decision was recorded (never as the event
            // claims it).
            let counted = data
                .case
                .decision
                .as_ref()
                .filter(|d| d.event == event.id)
                .and_then(|d| d.tally.as_ref())
                .unwrap_or(tally);
            let tally = counted;
            out.push((
                format!(
                    "vote as counted: {} for, {} against, {} abstain; {} of {} needed ({}){}",
                    tally.for_,
                    tally.against,
                    tally.abstain,
                    tally.needed,
                    tally.eligible,
                    tally.rule,
                    if tally.met { "" } else { " — not met" }
                ),
                None,
            ));
            if let Some(reason) = override_reason {
                out.push((format!("chair's override reason: {reason}"), Some("alert")));
            }
            out.push(("rationale:".into(), Some("heading")));
            for line in rationale.lines() {
                out.push((format!("  {line}"), None));
            }
        }
        EventKind::EmergencyReviewed {
            emergency, note, ..
        } => {
            if let Some(e) = data.case.emergencies.iter().find(|e| e.id == *emergency) {
                out.push((
                    format!(
                        "reviews the emergency action of {}: {}",
                        zone.short(e.at),
                        e.action
                    ),
                    None,
                ));
            }
            out.push(("review:".into(), Some("heading")));
            for line in note.lines() {
                out.push((format!("  {line}"), None));
            }
        }
        EventKind::EmergencyRecorded { action } => {
            let reviewed = data
                .case
                .emergencies
                .iter()
                .find(|e| e.id == event.id)
                .and_then(|e| e.review.as_ref());
            out.push((format!("action: {action}"), None));
            out.push(match reviewed {
                Some((_, at, _)) => (format!("reviewed {}", zone.short(*at)), None),
                None => (
                    "awaiting review by another member (r)".into(),
                    Some("alert"),
                ),
            });
        }
        EventKind::ConflictDeclared {
            conflict, reason, ..
        } => {
            out.push((
                match conflict {
                    ConflictKind::Hard => "hard: they no longer see the case".to_string(),
                    ConflictKind::Soft => "soft: they may discuss but not vote".to_string(),
                },
                None,
            ));
            out.push((
                format!("reason: {}", reason.as_deref().unwrap_or("(none given)")),
                None,
            ));
        }
        EventKind::ReportReceived { attachments, .. } => {
            for (n, a) in attachments.iter().enumerate() {
                out.push((
                    format!(
                        "attachment {}: {} ({}, {} bytes) — t lists them",
                        n + 1,
                        a.name,
                        a.content_type,
                        a.size
                    ),
                    Some("report"),
                ));
            }
        }
        EventKind::DetailsChanged { changes } => {
            for (what, value) in describe::details(changes) {
                out.push((format!("{what}: {value}"), None));
            }
        }
        _ => {}
    }
    out
}

/// The headline of an entry as a sentence with its author: "Robin Okafor assigned Sam Lee".
pub(super) fn entry_headline(
    event: &Event,
    author: &str,
    name: &dyn Fn(crate::core::roster::MemberId) -> String,
) -> String {
    match &event.kind {
        EventKind::Assigned { member } => format!("{author} assigned {}", name(*member)),
        EventKind::Unassigned { member } => format!("{author} took {} off the case", name(*member)),
        EventKind::ConflictDeclared { .. } => {
            format!("{author} {}", describe::headline(&event.kind, name))
        }
        EventKind::DecisionRecorded { .. } => {
            format!(
                "{} — recorded by {author}",
                describe::headline(&event.kind, name)
            )
        }
        kind => format!("{} — {author}", describe::headline(kind, name)),
    }
}

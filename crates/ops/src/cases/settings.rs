//! The committee's settings, its message templates and the spaces' checklists, and a message
//! filled from a template.

use crate::OpenFile;
use chrono::{NaiveDate, Utc};

use super::readable;
use crate::{Error, acting_member, events_by};
use casebook_core::event::{Audience, EventKind};
use casebook_core::process::{self, Settings};
use casebook_core::roster::Role;

/// A change to the committee's rules; `None` keeps a setting as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsChange {
    /// The outcome ladder.
    pub ladder: Option<casebook_core::decision::Ladder>,
    /// The quorum rule.
    pub quorum: Option<casebook_core::decision::QuorumRule>,
    /// Hours to acknowledge a report.
    pub acknowledge_hours: Option<u32>,
    /// Days to decide a case.
    pub decide_days: Option<u32>,
    /// Days within which a decision may be appealed.
    pub appeal_days: Option<u32>,
    /// Days before its end a sanction shows as ending.
    pub notice_days: Option<u32>,
    /// Days within which a reporter hears again while their case is open.
    pub update_days: Option<u32>,
    /// The grounds the committee hears appeals on.
    pub grounds: Option<Vec<casebook_core::sanction::Ground>>,
    /// Months after the decision or closing a case is due to be expunged (0: no schedule).
    pub retain_months: Option<u32>,
    /// Months for one outcome (0 takes the outcome's own figure away).
    pub retain_outcome: Vec<(String, u32)>,
    /// Days before its date a case shows in the expunge-due queue.
    pub expunge_notice_days: Option<u32>,
}

/// Change the committee's rules (chairs only); gives back the new settings (recorded, not
/// saved).
pub fn change_settings(file: &mut OpenFile, change: SettingsChange) -> Result<Settings, Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    if me.role != Role::Chair {
        return Err(Error::Rule(process::RuleError::NotChair {
            member: me.name.clone(),
            what: "change the committee's rules",
        }));
    }
    let mut settings = file.settings();
    if let Some(ladder) = change.ladder {
        settings.ladder = ladder;
    }
    if let Some(quorum) = change.quorum {
        settings.quorum = quorum;
    }
    if let Some(hours) = change.acknowledge_hours {
        settings.acknowledge_hours = hours;
    }
    if let Some(days) = change.decide_days {
        settings.decide_days = days;
    }
    if let Some(days) = change.appeal_days {
        settings.appeal_days = days;
    }
    if let Some(days) = change.notice_days {
        settings.notice_days = days;
    }
    if let Some(days) = change.update_days {
        settings.update_days = days;
    }
    if let Some(grounds) = change.grounds {
        if grounds.is_empty() {
            return Err(Error::Empty {
                what: "list of appeal grounds",
            });
        }
        settings.grounds = grounds.into();
    }
    // A hundred years: past that, no date is a date anyone keeps a record until.
    const MOST: u32 = 1_200;
    for months in change
        .retain_months
        .iter()
        .chain(change.retain_outcome.iter().map(|(_, m)| m))
    {
        if *months > MOST {
            return Err(Error::TooManyMonths {
                months: *months,
                most: MOST,
            });
        }
    }
    if let Some(months) = change.retain_months {
        settings.retention.months = (months > 0).then_some(months);
    }
    for (outcome, months) in change.retain_outcome {
        if !settings.ladder.allows(&outcome) {
            return Err(Error::Rule(process::RuleError::UnknownOutcome {
                outcome,
                ladder: settings.ladder,
                allowed: settings.ladder.outcomes(),
            }));
        }
        if months == 0 {
            settings.retention.by_outcome.remove(&outcome);
        } else {
            settings.retention.by_outcome.insert(outcome, months);
        }
    }
    if let Some(days) = change.expunge_notice_days {
        settings.retention.notice_days = days;
    }
    let kind = EventKind::SettingsChanged {
        ladder: settings.ladder,
        quorum: settings.quorum,
        acknowledge_hours: settings.acknowledge_hours,
        decide_days: settings.decide_days,
        appeal_days: settings.appeal_days,
        notice_days: settings.notice_days,
        update_days: settings.update_days,
        grounds: settings.grounds,
        retention: settings.retention.clone(),
    };
    file.record(&events_by(me.id, None, vec![kind], None))?;
    Ok(settings)
}

/// Set the committee's template for messages to `to` at `step` (chairs only; recorded, not
/// saved).
pub fn set_template(
    file: &mut OpenFile,
    to: Audience,
    step: casebook_core::comms::Step,
    text: String,
) -> Result<(), Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    if me.role != Role::Chair {
        return Err(Error::Rule(process::RuleError::NotChair {
            member: me.name.clone(),
            what: "change the committee's message templates",
        }));
    }
    casebook_core::comms::judge(to, &text)?;
    let kind = EventKind::TemplateSet { to, step, text };
    file.record(&events_by(me.id, None, vec![kind], None))?;
    Ok(())
}

/// Set who must be told when a sanction applies in `space` (chairs only; recorded, not
/// saved); no one: the space's own name again.
pub fn set_space(file: &mut OpenFile, space: &str, tell: Vec<String>) -> Result<(), Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    if me.role != Role::Chair {
        return Err(Error::Rule(process::RuleError::NotChair {
            member: me.name.clone(),
            what: "change the committee's checklist for sanctions",
        }));
    }
    let tell: Vec<String> = tell
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if space.trim().is_empty() {
        return Err(Error::Empty { what: "space" });
    }
    let kind = EventKind::SpaceSet {
        space: space.trim().to_string(),
        tell,
    };
    file.record(&events_by(me.id, None, vec![kind], None))?;
    Ok(())
}

/// The message to `to` at `step` on case `code`: the committee's template filled with what
/// the case may show that audience, and the day it promises the next update by (the one
/// given, or the committee's update interval from today) when it names one.
pub fn message(
    file: &mut OpenFile,
    code: &str,
    to: Audience,
    step: casebook_core::comms::Step,
    next_update: Option<NaiveDate>,
) -> Result<(String, Option<NaiveDate>), Error> {
    let file = &mut file.file;
    let case = readable(file, code)?;
    match step {
        casebook_core::comms::Step::Decision if case.decision.is_none() => {
            return Err(Error::Rule(process::RuleError::NoDecision {
                case: case.code_name.clone(),
                what: "a message about it",
            }));
        }
        casebook_core::comms::Step::AppealOutcome
            if case.appeal.as_ref().is_none_or(|a| a.is_open()) =>
        {
            return Err(Error::Rule(process::RuleError::NoAppealDecision {
                case: case.code_name.clone(),
            }));
        }
        _ => {}
    }
    let timeline = file.timeline(case.id)?;
    let template = file.committee()?.template(to, step);
    let settings = file.settings();
    let appeal = casebook_export::appeal_text(&case, settings.appeal_days, settings.grounds);
    let next_update = casebook_core::comms::placeholders(&template)
        .iter()
        .any(|p| p == "next_update")
        .then(|| {
            next_update.unwrap_or_else(|| {
                casebook_core::dates::plus_days(Utc::now().date_naive(), settings.update_days)
            })
        })
        .or(next_update);
    let fields =
        casebook_core::comms::Fields::for_audience(&case, &timeline, to, Some(appeal), next_update);
    Ok((fields.fill(&template), next_update))
}

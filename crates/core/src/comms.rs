//! Messages to the people in a case: templates per audience and step, kept as committee
//! settings that chairs edit ([`EventKind::TemplateSet`](super::event::EventKind::TemplateSet)), filled with what the case may show
//! that audience and nothing else.
//!
//! A template is text with placeholders in braces. Each audience has the placeholders its
//! decision record may show (see [`allowed`]); a template that names another is refused when
//! it is set, so a filled message can never carry what its audience may not see. Text a
//! member wrote for that audience's record (`record-text`) is the only case text a template
//! reaches: never a report, a note, a party's name or the committee's rationale.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::case::Case;
use super::event::{Audience, Event, Profile};

/// The step of the process a message belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The report was received and will be looked at.
    Acknowledgement,
    /// Where things stand.
    Update,
    /// What the committee decided.
    Decision,
    /// What the appeal decided.
    AppealOutcome,
}

impl Step {
    /// Every step, in the order of the process.
    pub const ALL: [Step; 4] = [
        Step::Acknowledgement,
        Step::Update,
        Step::Decision,
        Step::AppealOutcome,
    ];

    /// The step's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Acknowledgement => "acknowledgement",
            Step::Update => "update",
            Step::Decision => "decision",
            Step::AppealOutcome => "appeal-outcome",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Step::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown step {s:?}; steps: acknowledgement, update, decision, appeal-outcome"
                )
            })
    }
}

/// Whom a message to `to` is for, in words.
pub fn words(to: Audience) -> &'static str {
    match to {
        Audience::Reporter => "the reporter",
        Audience::Reported => "the reported person",
        Audience::Other => "others (witnesses, organisers)",
    }
}

/// How a committee keeps the template for `to` at `step`.
pub fn key(to: Audience, step: Step) -> String {
    format!("{}/{}", to.as_str(), step.as_str())
}

/// The placeholders a message to `to` may hold: what that audience's record may show.
pub fn allowed(to: Audience) -> &'static [&'static str] {
    match to {
        Audience::Reporter => &[
            "code",
            "title",
            "summary",
            "outcome",
            "decided",
            "sanctions",
            "next_update",
        ],
        Audience::Reported => &[
            "code",
            "title",
            "summary",
            "outcome",
            "decided",
            "sanctions",
            "appeal",
            "next_update",
        ],
        Audience::Other => &["code", "next_update"],
    }
}

/// The placeholders `text` names, in order, each once.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && !found.iter().any(|f| f == name)
        {
            found.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    found
}

/// Why a template cannot be kept: the placeholders it names that its audience may not see.
/// An empty template puts casebook's own back.
pub fn check(to: Audience, text: &str) -> Result<(), Vec<String>> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let not: Vec<String> = placeholders(text)
        .into_iter()
        .filter(|p| !allowed(to).contains(&p.as_str()))
        .collect();
    if not.is_empty() { Ok(()) } else { Err(not) }
}

/// [`check`] as the rules say it: the template, or why it cannot be set.
pub fn judge(to: Audience, text: &str) -> Result<(), super::process::RuleError> {
    check(to, text).map_err(|names| {
        if names.is_empty() {
            super::process::RuleError::EmptyTemplate
        } else {
            super::process::RuleError::TemplateShows {
                audience: words(to),
                names: names
                    .iter()
                    .map(|n| format!("{{{n}}}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                allowed: allowed(to)
                    .iter()
                    .map(|n| format!("{{{n}}}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        }
    })
}

/// The template casebook offers until a chair sets one.
pub fn default_template(to: Audience, step: Step) -> &'static str {
    match (to, step) {
        (Audience::Reporter, Step::Acknowledgement) => {
            "Thank you for writing to us. We have received your report ({code}) and will look \
             into it. We will write again by {next_update}."
        }
        (Audience::Reported, Step::Acknowledgement) => {
            "We are writing about a report the committee received that concerns you ({code}). \
             We will look into it and write again by {next_update}."
        }
        (Audience::Other, Step::Acknowledgement) => {
            "Thank you for your help with the matter you know of ({code}). We will write again \
             by {next_update}."
        }
        (Audience::Other, Step::Update) => {
            "We are still working on the matter you know of ({code}). We will write again by \
             {next_update}."
        }
        (_, Step::Update) => {
            "We are still working on {code}. We will write again by {next_update}."
        }
        (Audience::Reporter, Step::Decision) => {
            "The committee has decided on your report ({code}): {outcome}.\n\n{summary}\n\n\
             {sanctions}"
        }
        (Audience::Reported, Step::Decision) => {
            "The committee has decided on a report about you ({code}): {outcome}.\n\n{summary}\n\n\
             {sanctions}\n\n{appeal}"
        }
        (Audience::Other, Step::Decision) => {
            "The committee has decided on the matter you know of ({code}). Thank you for your help."
        }
        (Audience::Reporter, Step::AppealOutcome) => {
            "The decision on your report ({code}) was appealed, and the appeal is decided: \
             {outcome}.\n\n{sanctions}"
        }
        (Audience::Reported, Step::AppealOutcome) => {
            "Your appeal ({code}) is decided: {outcome}.\n\n{summary}\n\n{sanctions}\n\n{appeal}"
        }
        (Audience::Other, Step::AppealOutcome) => {
            "The appeal in the matter you know of ({code}) is decided. Thank you for your help."
        }
    }
}

/// What a template is filled with, for one audience.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    values: Vec<(&'static str, String)>,
}

impl Fields {
    /// What `case` may show `to`: its code name; the title and summary a member wrote for
    /// that audience's record (never the report's own); the outcome and its day; the
    /// sanctions; the appeal window (for the reported party); the next update's day.
    pub fn for_audience(
        case: &Case,
        timeline: &[Event],
        to: Audience,
        appeal_text: Option<String>,
        next_update: Option<NaiveDate>,
    ) -> Fields {
        let profile = match to {
            Audience::Reporter => Some(Profile::Reporter),
            Audience::Reported => Some(Profile::Reported),
            Audience::Other => None,
        };
        let written = profile
            .and_then(|p| super::process::record_text(case, timeline, p))
            .map(|(title, summary, _, _)| (title.to_string(), summary.to_string()));
        let (title, summary) = written.unwrap_or_default();
        let sanctions: Vec<String> = case
            .sanctions
            .iter()
            .filter(|s| s.lifted.is_none())
            .map(|s| {
                let mut line = format!(
                    "- {} in {}, from {} {}",
                    s.kind.replace('-', " "),
                    s.spaces.join(", "),
                    s.starts,
                    s.ends.map_or_else(
                        || "until the committee reviews it".to_string(),
                        |d| format!("to {d}")
                    )
                );
                if to == Audience::Reported && !s.conditions.is_empty() {
                    line.push_str(&format!("; to return: {}", s.conditions));
                }
                line
            })
            .collect();
        let values = vec![
            ("code", case.code_name.clone()),
            ("title", title),
            ("summary", summary),
            (
                "outcome",
                case.decision
                    .as_ref()
                    .map(|d| d.outcome.replace('-', " "))
                    .unwrap_or_else(|| "not decided yet".into()),
            ),
            (
                "decided",
                case.decision
                    .as_ref()
                    .map(|d| d.at.date_naive().to_string())
                    .unwrap_or_default(),
            ),
            ("sanctions", sanctions.join("\n")),
            ("appeal", appeal_text.unwrap_or_default()),
            (
                "next_update",
                next_update.map(|d| d.to_string()).unwrap_or_default(),
            ),
        ];
        let allowed = allowed(to);
        Fields {
            values: values
                .into_iter()
                .filter(|(k, _)| allowed.contains(k))
                .collect(),
        }
    }

    /// `template` with every placeholder it may hold replaced; one it may not hold (a
    /// template never checked, say) becomes empty, never its value.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end)
                    if after[..end]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_')
                        && end > 0 =>
                {
                    let name = &after[..end];
                    if let Some((_, value)) = self.values.iter().find(|(k, _)| *k == name) {
                        out.push_str(value);
                    }
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        // Empty placeholders leave blank paragraphs: no more than one blank line in a row.
        let mut tidy = String::with_capacity(out.len());
        let mut blank = 0;
        for line in out.trim().lines() {
            if line.trim().is_empty() {
                blank += 1;
                if blank > 1 {
                    continue;
                }
            } else {
                blank = 0;
            }
            tidy.push_str(line.trim_end());
            tidy.push('\n');
        }
        tidy
    }
}

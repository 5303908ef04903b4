//! After the decision: sanctions with a scope and an end, the people who must be told of
//! them, and appeals heard by members who did not decide.
//!
//! A sanction starts from a decided case ([`EventKind::SanctionStarted`]) and lives in the
//! case's state: who was told of it and when, its reviews, extensions, breaches and lifting
//! are events of the same case, judged by the same rules on every copy (see
//! [`super::rules`]). An appeal is a stage of the case it appeals, not a copy of it: its
//! history (who voted, who decided) is the appeal's own causal past, so every copy can leave
//! the original deciders out of the appeal's vote and quorum without trusting anyone's word.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::case::Decision;
use super::event::{Event, EventKind};
use super::roster::MemberId;

/// Who is always told of a sanction, whatever its spaces: the person it is about.
pub const REPORTED_PERSON: &str = "reported person";

/// A sanction the committee's decision imposed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sanction {
    /// The `sanction-started` event: the sanction's identity.
    pub id: Uuid,
    /// Its kind: a step of the committee's ladder (`temporary-ban`, `warning`...).
    pub kind: String,
    /// How the people who enforce it know the person: a handle or a name, as the committee
    /// chose. The organisers' list shows this and nothing else about them.
    pub subject: String,
    /// Where it applies: chat, repositories, events, mailing lists, or a space the committee
    /// names.
    pub spaces: Vec<String>,
    /// The first day it applies.
    pub starts: NaiveDate,
    /// The last day it applies; `None`: until the committee reviews it.
    pub ends: Option<NaiveDate>,
    /// What the person must do to return, if anything.
    pub conditions: String,
    /// Who must be told of each change, as the committee's checklist gave it when it started
    /// (empty: each space's people and the reported person).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tell: Vec<String>,
    /// Who started it, and when.
    pub by: MemberId,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The latest change people must hear of: its start, an extension or its lifting.
    pub news: Uuid,
    /// Who was told of which change.
    pub told: Vec<Told>,
    /// Reviews, extensions and breaches, oldest first.
    pub history: Vec<SanctionNote>,
    /// Set once it is lifted.
    pub lifted: Option<SanctionNote>,
}

/// One person or space told of a change to a sanction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    /// Whom: a space's people (its name) or [`REPORTED_PERSON`].
    pub whom: String,
    /// The change they were told of ([`Sanction::news`] when it was told).
    pub of: Uuid,
    /// The member who told them.
    pub by: MemberId,
    /// When (the member's clock).
    pub at: DateTime<Utc>,
}

/// What happened to a sanction after it started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionNote {
    /// Reviewed, extended, breached or lifted.
    pub what: Step,
    /// The member's note.
    pub note: String,
    /// Who recorded it.
    pub by: MemberId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A step in a sanction's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// The committee looked at it again; it stands.
    Reviewed,
    /// Its end moved.
    Extended,
    /// The person broke it (a linked case records what happened).
    Breached,
    /// It ended early, or was lifted by an appeal.
    Lifted,
}

impl Step {
    /// The step's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Reviewed => "reviewed",
            Step::Extended => "extended",
            Step::Breached => "breached",
            Step::Lifted => "lifted",
        }
    }
}

impl Sanction {
    /// The state a `sanction-started` event creates.
    pub fn started(event: &Event) -> Option<Sanction> {
        let EventKind::SanctionStarted {
            step: kind,
            subject,
            spaces,
            starts,
            ends,
            conditions,
            tell,
        } = &event.kind
        else {
            return None;
        };
        Some(Sanction {
            id: event.id,
            kind: kind.clone(),
            subject: subject.clone(),
            spaces: spaces.clone(),
            starts: *starts,
            ends: *ends,
            conditions: conditions.clone(),
            tell: tell.clone(),
            by: event.author,
            at: event.at,
            news: event.id,
            told: Vec::new(),
            history: Vec::new(),
            lifted: None,
        })
    }

    /// Whether it applies on `day`: started, not over, not lifted.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.lifted.is_none() && self.starts <= day && self.ends.is_none_or(|end| day <= end)
    }

    /// Whether it is over on `day` (lifted, or past its end): nothing more may change it.
    pub fn over_on(&self, day: NaiveDate) -> bool {
        self.lifted.is_some() || self.ends.is_some_and(|end| end < day)
    }

    /// How refusals and lists name it: its kind and its start ("temporary-ban from
    /// 2026-12-01").
    pub fn step_name(&self) -> String {
        format!("{} from {}", self.kind, self.starts)
    }

    /// Where it stands on `today`, in words: lifted, ended, not yet started or in force.
    pub fn state_on(&self, today: NaiveDate) -> &'static str {
        if self.lifted.is_some() {
            "lifted"
        } else if self.ends.is_some_and(|end| end < today) {
            "ended"
        } else if self.starts > today {
            "not yet started"
        } else {
            "in force"
        }
    }

    /// Who is still to be told of its latest change on `today`: nobody once it ran out by
    /// its date (its start is old news then), but the lifting of one is news to tell.
    pub fn still_to_tell(&self, today: NaiveDate) -> Vec<String> {
        if self.lifted.is_some() || !self.over_on(today) {
            self.to_tell()
        } else {
            Vec::new()
        }
    }

    /// One line for it, numbered `n` as the case lists them: "1. temporary-ban for @x in
    /// chat, from 2026-12-01 to 2027-01-31 [in force]", as given (the caller sanitises).
    pub fn line(&self, n: usize, today: NaiveDate) -> String {
        format!(
            "{n}. {} for {} in {}, from {} {} [{}]",
            self.kind,
            self.subject,
            self.spaces.join(", "),
            self.starts,
            self.ends
                .map_or_else(|| "until reviewed".to_string(), |d| format!("to {d}")),
            self.state_on(today)
        )
    }

    /// Whether it keeps the person out (a ban or suspension), rather than flagging them to
    /// the people who run a space.
    pub fn is_ban(&self) -> bool {
        is_ban(&self.kind)
    }

    /// Who must hear of its latest change: the committee's checklist for its spaces when it
    /// started, or every space's people; and always the person it is about.
    pub fn checklist(&self) -> Vec<String> {
        let mut whom: Vec<String> = if self.tell.is_empty() {
            self.spaces.clone()
        } else {
            self.tell.clone()
        };
        if !whom.iter().any(|w| w == REPORTED_PERSON) {
            whom.push(REPORTED_PERSON.to_string());
        }
        whom
    }

    /// Who has not yet been told of its latest change, in checklist order.
    pub fn to_tell(&self) -> Vec<String> {
        let told: BTreeSet<&str> = self
            .told
            .iter()
            .filter(|t| t.of == self.news)
            .map(|t| t.whom.as_str())
            .collect();
        self.checklist()
            .into_iter()
            .filter(|w| !told.contains(w.as_str()))
            .collect()
    }

    /// Bring it up to date with one more event of its case the rules allowed.
    pub fn apply(&mut self, event: &Event) {
        let note = |what: Step, note: &str| SanctionNote {
            what,
            note: note.to_string(),
            by: event.author,
            at: event.at,
        };
        match &event.kind {
            EventKind::SanctionTold { whom, .. } => self.told.push(Told {
                whom: whom.clone(),
                of: self.news,
                by: event.author,
                at: event.at,
            }),
            EventKind::SanctionReviewed { note: text, .. } => {
                self.history.push(note(Step::Reviewed, text));
            }
            EventKind::SanctionExtended {
                ends, note: text, ..
            } => {
                self.ends = *ends;
                self.news = event.id;
                self.history.push(note(Step::Extended, text));
            }
            EventKind::SanctionBreached { note: text, .. } => {
                self.history.push(note(Step::Breached, text));
            }
            EventKind::SanctionLifted { note: text, .. } => {
                self.news = event.id;
                self.lifted = Some(note(Step::Lifted, text));
            }
            _ => {}
        }
    }
}

/// Who must be told of a sanction in `spaces`, by the committee's checklist (`kept`: space,
/// in lower case, to whom): each space's list, or the space itself where it keeps none;
/// then the reported person. Each once, in order.
pub fn checklist_for(
    spaces: &[String],
    kept: &std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut whom: Vec<String> = Vec::new();
    for space in spaces {
        let listed = kept
            .get(&space.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .cloned()
            .unwrap_or_else(|| vec![space.clone()]);
        for w in listed {
            if !whom.contains(&w) {
                whom.push(w);
            }
        }
    }
    if !whom.iter().any(|w| w == REPORTED_PERSON) {
        whom.push(REPORTED_PERSON.to_string());
    }
    whom
}

/// Whether a sanction of `kind` keeps the person out (a ban, suspension or imposed vacation)
/// rather than flagging them.
pub fn is_ban(kind: &str) -> bool {
    kind.ends_with("-ban") || kind.ends_with("-suspension") || kind == "imposed-vacation"
}

/// The sanction an event of a case changes, if it is one of the sanction kinds after the
/// start.
pub fn changed_by(kind: &EventKind) -> Option<Uuid> {
    match kind {
        EventKind::SanctionTold { sanction, .. }
        | EventKind::SanctionReviewed { sanction, .. }
        | EventKind::SanctionExtended { sanction, .. }
        | EventKind::SanctionBreached { sanction, .. }
        | EventKind::SanctionLifted { sanction, .. } => Some(*sanction),
        _ => None,
    }
}

/// Why a decision is appealed: the grounds published procedures accept. A committee chooses
/// which of them it hears ([`Grounds`], a setting); the first four by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ground {
    /// Evidence the committee did not have.
    NewEvidence,
    /// The committee did not follow its procedure.
    ProceduralError,
    /// The sanction is out of proportion to what happened.
    Disproportionate,
    /// A member who decided had a conflict of interest.
    ConflictOfInterest,
    /// The decision rests on a fact that is wrong.
    FactualError,
    /// Like cases were decided otherwise.
    Inconsistent,
}

impl Ground {
    /// Every ground, in the order they are offered.
    pub const ALL: [Ground; 6] = [
        Ground::NewEvidence,
        Ground::ProceduralError,
        Ground::Disproportionate,
        Ground::ConflictOfInterest,
        Ground::FactualError,
        Ground::Inconsistent,
    ];

    /// The ground's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ground::NewEvidence => "new-evidence",
            Ground::ProceduralError => "procedural-error",
            Ground::Disproportionate => "disproportionate",
            Ground::ConflictOfInterest => "conflict-of-interest",
            Ground::FactualError => "factual-error",
            Ground::Inconsistent => "inconsistent",
        }
    }

    /// The ground in words, as a record says it ("a procedural error").
    pub fn words(self) -> &'static str {
        match self {
            Ground::NewEvidence => "new evidence",
            Ground::ProceduralError => "a procedural error",
            Ground::Disproportionate => "a disproportionate sanction",
            Ground::ConflictOfInterest => "a conflict of interest",
            Ground::FactualError => "a factual error",
            Ground::Inconsistent => "a decision unlike those of like cases",
        }
    }

    fn bit(self) -> u8 {
        1 << Ground::ALL.iter().position(|g| *g == self).unwrap_or(0)
    }
}

/// The grounds a committee hears appeals on (a setting): new evidence, a procedural error, a
/// disproportionate sanction and a conflict of interest unless it chose otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<Ground>", from = "Vec<Ground>")]
pub struct Grounds(u8);

impl Default for Grounds {
    fn default() -> Self {
        Grounds::from(Ground::ALL[..4].to_vec())
    }
}

impl From<Vec<Ground>> for Grounds {
    fn from(grounds: Vec<Ground>) -> Self {
        Grounds(grounds.iter().fold(0, |bits, g| bits | g.bit()))
    }
}

impl From<Grounds> for Vec<Ground> {
    fn from(grounds: Grounds) -> Self {
        grounds.iter().collect()
    }
}

impl Grounds {
    /// Whether the committee hears appeals on `ground`.
    pub fn contains(self, ground: Ground) -> bool {
        self.0 & ground.bit() != 0
    }

    /// The grounds, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Ground> {
        Ground::ALL.into_iter().filter(move |g| self.contains(*g))
    }

    /// Their names, with commas.
    pub fn names(self) -> String {
        self.iter()
            .map(Ground::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// In words, as a record says them: "new evidence, a procedural error or a conflict of
    /// interest".
    pub fn words(self) -> String {
        let words: Vec<&str> = self.iter().map(Ground::words).collect();
        match words.split_last() {
            None => "no ground".into(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }
}

impl fmt::Display for Ground {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Ground {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ground::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Ground::ALL.iter().map(|g| g.as_str()).collect();
                format!("unknown ground {s:?}; grounds: {}", names.join(", "))
            })
    }
}

/// An appeal of a case's decision, heard by members who did not take part in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appeal {
    /// The `appeal-opened` event.
    pub id: Uuid,
    /// Why.
    pub grounds: Ground,
    /// What the appellant says, as the member recorded it.
    pub note: String,
    /// The member who recorded it.
    pub by: MemberId,
    /// When.
    pub at: DateTime<Utc>,
    /// The decision appealed.
    pub original: Decision,
    /// Members who voted on or decided the original: a soft conflict on the appeal, recorded
    /// by the rules themselves. They may read it; they are left out of its vote and quorum.
    pub panel_out: BTreeSet<MemberId>,
    /// Set once the appeal is decided: the outcome and when.
    pub decided: Option<(String, DateTime<Utc>)>,
}

impl Appeal {
    /// Whether the appeal still waits for its decision.
    pub fn is_open(&self) -> bool {
        self.decided.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bans_keep_out_and_other_steps_flag() {
        for kind in [
            "temporary-ban",
            "permanent-ban",
            "temporary-suspension",
            "imposed-vacation",
        ] {
            assert!(is_ban(kind), "{kind}");
        }
        for kind in ["warning", "correction", "temporarily-limited-activities"] {
            assert!(!is_ban(kind), "{kind}");
        }
    }

    #[test]
    fn grounds_read_back_their_names_and_name_the_others_when_wrong() {
        for g in Ground::ALL {
            assert_eq!(g.as_str().parse::<Ground>(), Ok(g));
        }
        let chosen = Grounds::from(vec![Ground::FactualError, Ground::NewEvidence]);
        assert!(chosen.contains(Ground::NewEvidence) && !chosen.contains(Ground::Disproportionate));
        assert_eq!(chosen.words(), "new evidence or a factual error");
        let json = serde_json::to_string(&chosen).unwrap();
        assert_eq!(json, r#"["new-evidence","factual-error"]"#);
        assert_eq!(serde_json::from_str::<Grounds>(&json).unwrap(), chosen);
        assert_eq!(
            Grounds::default().words(),
            "new evidence, a procedural error, a disproportionate sanction or a conflict of interest"
        );
        let err = "because".parse::<Ground>().unwrap_err();
        assert!(err.contains("new-evidence, procedural-error"), "{err}");
    }
}

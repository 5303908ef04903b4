//! Queues: what needs the member who opened the file. Each queue is a rule over a case's
//! state, computed for one member at one moment.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::case::{Case, Status};
use super::event::ConflictKind;
use super::process::{Settings, eligible_voters, is_overdue};
use super::roster::{MemberId, Roster};

/// A work queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Queue {
    /// Changes merged from another copy that the process rules do not allow together.
    NeedsAttention,
    /// New reports nobody acknowledged yet.
    NeedsAcknowledgement,
    /// Acknowledged, being assessed.
    Triage,
    /// Open cases assigned to me.
    Mine,
    /// Votes I owe.
    AwaitingMyVote,
    /// Cases past a response-time promise.
    Overdue,
    /// Being investigated.
    Investigating,
    /// Being deliberated.
    Deliberating,
    /// Decided, but nothing communicated since.
    DecidedNotCommunicated,
    /// A sanction whose latest change someone on its checklist has not been told of.
    SanctionsToTell,
    /// A sanction in force whose last day is near (within the committee's notice days).
    SanctionsEnding,
    /// The case's review date has come.
    ReviewDue,
    /// Closed, transferred or out of scope.
    Closed,
    /// Everything.
    All,
}

impl Queue {
    /// Every queue, in the order they are shown.
    pub const ALL: [Queue; 14] = [
        Queue::NeedsAcknowledgement,
        Queue::Triage,
        Queue::Mine,
        Queue::AwaitingMyVote,
        Queue::Overdue,
        Queue::Investigating,
        Queue::Deliberating,
        Queue::DecidedNotCommunicated,
        Queue::SanctionsToTell,
        Queue::SanctionsEnding,
        Queue::ReviewDue,
        Queue::Closed,
        Queue::NeedsAttention,
        Queue::All,
    ];

    /// The queue's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::NeedsAttention => "needs-attention",
            Queue::NeedsAcknowledgement => "needs-acknowledgement",
            Queue::Triage => "triage",
            Queue::Mine => "mine",
            Queue::AwaitingMyVote => "awaiting-my-vote",
            Queue::Overdue => "overdue",
            Queue::Investigating => "investigating",
            Queue::Deliberating => "deliberating",
            Queue::DecidedNotCommunicated => "decided-not-communicated",
            Queue::SanctionsToTell => "sanctions-to-tell",
            Queue::SanctionsEnding => "sanctions-ending",
            Queue::ReviewDue => "review-due",
            Queue::Closed => "closed",
            Queue::All => "all",
        }
    }

    /// Whether `case` belongs in this queue for `me` at `now`.
    pub fn contains(self, view: &View<'_>, case: &Case) -> bool {
        match self {
            Queue::NeedsAttention => !case.attention.is_empty(),
            Queue::NeedsAcknowledgement => case.status == Status::New,
            Queue::Triage => matches!(case.status, Status::Triage | Status::Reopened),
            Queue::Mine => {
                view.me.is_some_and(|me| case.assignees.contains(&me)) && !case.status.is_finished()
            }
            Queue::AwaitingMyVote => {
                let Some(me) = view.me else { return false };
                case.status == Status::Deliberating
                    && case
                        .proposal
                        .as_ref()
                        .is_some_and(|p| !p.votes.contains_key(&me))
                    && eligible_voters(view.roster, case).contains(&me)
            }
            Queue::Overdue => is_overdue(view.settings, case, view.now),
            Queue::Investigating => case.status == Status::Investigating,
            Queue::Deliberating => case.status == Status::Deliberating,
            Queue::DecidedNotCommunicated => {
                case.status == Status::Decided && !case.communicated_since_decision()
            }
            Queue::SanctionsToTell => {
                let today = view.now.date_naive();
                case.sanctions.iter().any(|s| {
                    // Once a sanction has run out by its date, telling of its start is moot.
                    (s.lifted.is_some() || !s.over_on(today)) && !s.to_tell().is_empty()
                })
            }
            Queue::SanctionsEnding => {
                let today = view.now.date_naive();
                let notice = chrono::Days::new(u64::from(view.settings.notice_days));
                case.sanctions.iter().any(|s| {
                    s.active_on(today) && s.ends.is_some_and(|end| end <= today + notice)
                })
            }
            Queue::ReviewDue => case
                .review_on
                .is_some_and(|day| day <= view.now.date_naive()),
            Queue::Closed => case.status.is_finished(),
            Queue::All => true,
        }
    }
}

impl fmt::Display for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Queue {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Queue::ALL
            .into_iter()
            .find(|q| q.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Queue::ALL.iter().map(|q| q.as_str()).collect();
                format!("unknown queue {s:?}; queues: {}", names.join(", "))
            })
    }
}

/// Whose queues, under which rules, when.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    /// The member looking (`None` for a key that is not on the roster).
    pub me: Option<MemberId>,
    /// The roster.
    pub roster: &'a Roster,
    /// The committee's rules.
    pub settings: &'a Settings,
    /// Now.
    pub now: DateTime<Utc>,
}

impl View<'_> {
    /// Whether the member may see the case's content: not with a hard conflict, and not when
    /// the case is sealed from them (their copy does not hold it).
    pub fn may_see(&self, case: &Case) -> bool {
        self.me.is_none_or(|me| {
            case.conflict_of(me) != Some(ConflictKind::Hard) && case.readable_by(me)
        })
    }
}

/// Count every queue over `cases`.
pub fn counts<'a>(
    view: &View<'_>,
    cases: impl IntoIterator<Item = &'a Case>,
) -> Vec<(Queue, usize)> {
    let mut counts: Vec<(Queue, usize)> = Queue::ALL.iter().map(|q| (*q, 0)).collect();
    for case in cases {
        for (queue, count) in counts.iter_mut() {
            if queue.contains(view, case) {
                *count += 1;
            }
        }
    }
    counts
}

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
    /// A reporter or reported party waits past the update they were promised.
    UpdateDue,
    /// Due to be expunged under the committee's retention schedule (shown the committee's
    /// notice days before), or with an expunge waiting for a second member's approval.
    ExpungeDue,
    /// Closed, transferred or out of scope.
    Closed,
    /// Everything.
    All,
}

impl Queue {
    /// Every queue, in the order they are shown.
    pub const ALL: [Queue; 16] = [
        Queue::NeedsAcknowledgement,
        Queue::Triage,
        Queue::Mine,
        Queue::AwaitingMyVote,
        Queue::Overdue,
        Queue::UpdateDue,
        Queue::Investigating,
        Queue::Deliberating,
        Queue::DecidedNotCommunicated,
        Queue::SanctionsToTell,
        Queue::SanctionsEnding,
        Queue::ReviewDue,
        Queue::ExpungeDue,
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
            Queue::UpdateDue => "update-due",
            Queue::ExpungeDue => "expunge-due",
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
                    !s.still_to_tell(today).is_empty()
                })
            }
            Queue::SanctionsEnding => {
                let today = view.now.date_naive();
                let until = super::dates::plus_days(today, view.settings.notice_days);
                case.sanctions
                    .iter()
                    .any(|s| s.active_on(today) && s.ends.is_some_and(|end| end <= until))
            }
            Queue::UpdateDue => !case
                .updates_due(view.settings.update_days, view.now.date_naive())
                .is_empty(),
            Queue::ReviewDue => case
                .review_on
                .is_some_and(|day| day <= view.now.date_naive()),
            Queue::ExpungeDue => {
                let until = super::dates::plus_days(
                    view.now.date_naive(),
                    view.settings.retention.notice_days,
                );
                case.pending
                    .iter()
                    .any(|p| matches!(p.kind, super::event::EventKind::CaseExpunged { .. }))
                    || super::retention::due_on(case, &view.settings.retention)
                        .is_some_and(|due| due <= until)
            }
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use uuid::Uuid;

    use super::*;
    use crate::case::{CaseId, Channel};
    use crate::event::{Audience, Event, EventKind};
    use crate::party::{Disclosure, Party, PartyId, PartyRole, PersonId};
    use crate::roster::{Member, Role};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn noon(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, 12, 0, 0).unwrap()
    }

    fn event(n: u128, at: DateTime<Utc>, kind: EventKind) -> Event {
        Event {
            id: Uuid::from_u128(n),
            case: Some(CaseId(Uuid::from_u128(99))),
            author: MemberId(Uuid::from_u128(1)),
            at,
            amends: None,
            kind,
        }
    }

    /// A case reported on December 1st by a reporter, decided on the 2nd.
    fn decided() -> Case {
        let mut case = Case::opened(
            CaseId(Uuid::from_u128(99)),
            &event(
                100,
                noon(1),
                EventKind::CaseOpened {
                    code_name: "amber-kettle".into(),
                    title: "t".into(),
                    summary: String::new(),
                    channel: Channel::Email,
                    received_at: noon(1),
                },
            ),
        )
        .unwrap();
        case.apply(&event(
            101,
            noon(1),
            EventKind::PartyAdded {
                party: Party {
                    id: PartyId(Uuid::from_u128(7)),
                    role: PartyRole::Reporter,
                    person: PersonId(Uuid::from_u128(8)),
                    identity: Disclosure::Pseudonymous { alias: "R".into() },
                    member: None,
                },
            },
        ));
        case
    }

    fn at<'a>(roster: &'a Roster, settings: &'a Settings, d: u32) -> View<'a> {
        View {
            me: None,
            roster,
            settings,
            now: noon(d),
        }
    }

    #[test]
    fn a_ban_shows_as_ending_from_its_notice_day_until_its_last_day() {
        let roster = Roster::new(vec![Member {
            id: MemberId(Uuid::from_u128(1)),
            name: "Ada".into(),
            email: None,
            role: Role::Chair,
            recipient: "age1x".into(),
            added_at: noon(1),
            removed_at: None,
        }]);
        let settings = Settings::default();
        let mut case = decided();
        case.status = Status::Decided;
        case.apply(&event(
            102,
            noon(2),
            EventKind::SanctionStarted {
                step: "temporary-ban".into(),
                subject: "@dana".into(),
                spaces: vec!["chat".into()],
                starts: day(2),
                ends: Some(day(30)),
                conditions: String::new(),
                tell: Vec::new(),
            },
        ));
        let ending =
            |case: &Case, d| Queue::SanctionsEnding.contains(&at(&roster, &settings, d), case);
        // 14 days' notice: from the 16th to the 30th, not before, not after.
        assert!(!ending(&case, 15));
        assert!(ending(&case, 16));
        assert!(ending(&case, 30));
        assert!(!ending(&case, 31));
        let to_tell =
            |case: &Case, d| Queue::SanctionsToTell.contains(&at(&roster, &settings, d), case);
        assert!(to_tell(&case, 3));
        // Once over by its date, telling of its start is moot.
        assert!(!to_tell(&case, 31));
        case.apply(&event(
            103,
            noon(5),
            EventKind::SanctionLifted {
                sanction: Uuid::from_u128(102),
                note: "appeal".into(),
            },
        ));
        assert!(!ending(&case, 20), "lifted: not ending");
        assert!(to_tell(&case, 31), "the lifting is news to tell");
    }

    #[test]
    fn a_reporter_waits_past_the_promise_or_the_committees_interval() {
        let roster = Roster::new(Vec::new());
        let settings = Settings::default();
        let mut case = decided();
        case.status = Status::Investigating;
        let due = |case: &Case, d| Queue::UpdateDue.contains(&at(&roster, &settings, d), case);
        // Nobody wrote: 14 days after the report.
        assert!(!due(&case, 15));
        assert!(due(&case, 16));
        case.apply(&event(
            104,
            noon(10),
            EventKind::CommunicationLogged {
                to: Audience::Reporter,
                summary: "We are looking into it".into(),
                next_update_by: Some(day(12)),
                review: false,
            },
        ));
        assert!(!due(&case, 12));
        assert!(due(&case, 13), "past the day promised");
        case.apply(&event(
            105,
            noon(13),
            EventKind::CommunicationLogged {
                to: Audience::Reporter,
                summary: "Still on it".into(),
                next_update_by: None,
                review: false,
            },
        ));
        assert!(!due(&case, 27));
        assert!(due(&case, 28), "14 days after the last message");
        case.status = Status::Closed;
        assert!(!due(&case, 28), "a closed case owes no update");
    }
}

//! A case's events through the engine: each judged by [`crate::rules::judge`] against the
//! case as it stood in the event's causal past, then applied to the case as the whole history
//! holds it, or kept and not applied.
//!
//! In a history one copy wrote alone, the case before an event is exactly its causal past. Where
//! two copies changed a case at the same time, the case the merged history holds before an
//! event may include changes its author never saw; the event is then judged twice: against its
//! own past (a change the rules forbid there is held: it breaks the rules), and against what
//! the merged history holds (a change that no longer fits is held for attention: it was made at
//! the same time as another). Two decisions made at the same time on two copies are both held,
//! whatever times they claim, until a member resolves which stands.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::dag::Ancestry;
use crate::attention::Trouble;
use crate::case::{Case, Status};
use crate::decision::Tally;
use crate::event::{Event, EventKind};
use crate::history::Loss;
use crate::process::{Actor, Settings};
use crate::roster::{Member, Roster};
use crate::rules::{self, Context};

/// What the engine did with one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Applied.
    Applied,
    /// Applied; it waits for a second reader's approval to take effect.
    Deferred,
    /// Nothing to do: the same change was made at the same time on another copy.
    Redundant,
    /// Not applied: the rules forbid it in its own past.
    Held(String),
    /// Not applied: allowed in its own past, but not with what another copy did at the same time.
    Concurrent(String),
}

/// Who signed the commit an event is in, as the committee then knew them, under which rules;
/// or why the commit is not applied at all.
#[derive(Clone, Copy)]
pub enum Signer<'a> {
    /// The author, the roster and the rules in the commit's own past.
    Member {
        /// The author.
        member: &'a Member,
        /// The roster.
        roster: &'a Roster,
        /// The rules.
        settings: &'a Settings,
    },
    /// Why the commit is not applied.
    Refused(&'a str),
}

/// Judge `event` (with `context`) against `causal`, the case in the event's own past (`None`
/// when that is `state` itself), and apply it to `state`, the case as the whole history holds
/// it, or keep it there as not applied. `forced` holds it regardless, with that reason.
pub fn step(
    state: &mut Option<Case>,
    causal: Option<&Option<Case>>,
    signer: &Signer<'_>,
    event: &Event,
    context: Context<'_>,
    forced: Option<&str>,
) -> Step {
    // An erased payload: only its header is here (an approved expunge erased it). The case
    // is known from its tombstone alone.
    if let EventKind::Erased { was } = &event.kind {
        match state.as_mut() {
            None if was == "case-opened" => {
                if let Some(id) = event.case {
                    *state = Case::erased(id, event);
                }
            }
            // A copy that held part of the case, and gets the rest erased (an approved
            // expunge erased it elsewhere): from here on it judges as a copy that holds none.
            Some(case) if case.expunged.is_none() => case.erased = true,
            _ => {}
        }
        return Step::Applied;
    }
    // Who read a case this copy holds only as erased payloads is all that decides who could
    // approve its expunge: its sealings (never erased) are taken as the copies that held its
    // content judged them.
    if let (Some(case), EventKind::CaseSealed { .. }) = (state.as_mut(), &event.kind)
        && case.erased
    {
        // One that waited for a second reader's approval is left out: the approval is erased.
        if !rules::needs_approval(Some(case), event, context) {
            case.apply(event);
        }
        return Step::Applied;
    }
    // Nothing changes an expunged case but a laptop saying it applied the expunge: what a
    // copy that had not seen the expunge wrote to it is erased with the rest.
    if state.as_ref().is_some_and(|c| c.expunged.is_some())
        && !matches!(event.kind, EventKind::ExpungeApplied { .. })
    {
        return Step::Redundant;
    }
    let actor = match signer {
        Signer::Member {
            member,
            roster,
            settings,
        } => Actor {
            member,
            roster,
            settings,
        },
        Signer::Refused(why) => return hold(state, event, why.to_string(), false),
    };
    if event.author != actor.member.id {
        return hold(
            state,
            event,
            format!(
                "signed by {} but attributed to someone else",
                actor.member.name
            ),
            false,
        );
    }
    if let Some(why) = forced {
        return hold(state, event, why.to_string(), true);
    }
    if let Some(why) = context
        .not_before
        .and_then(|latest| super::dag::too_early(event.at, latest))
    {
        return hold(state, event, why, false);
    }
    let past = causal.unwrap_or(state);
    if let Err(why) = rules::judge(actor, past.as_ref(), event, context) {
        return hold(state, event, why.to_string(), false);
    }
    if let Some(case) = past.as_ref()
        && let Err(why) = rules::sealing_readers(actor, case, event)
    {
        return hold(state, event, why.to_string(), false);
    }
    // An expunge (its proposal and its approval) stands when its own past allows it: the copy
    // that approved it may have erased the case already, which nothing undoes, so a hold, a
    // reopening or a message made at the same time on another copy does not take it back.
    if causal.is_some()
        && !matches!(
            event.kind,
            EventKind::ExpungeApproved { .. } | EventKind::CaseExpunged { .. }
        )
        && let Err(why) = rules::judge(actor, state.as_ref(), event, context)
    {
        if redundant(state.as_ref(), event) {
            return Step::Redundant;
        }
        return hold(state, event, why.to_string(), true);
    }
    let deferred = rules::needs_approval(past.as_ref(), event, context);
    let tally = match (&event.kind, state.as_ref()) {
        (EventKind::DecisionRecorded { outcome, .. }, Some(case)) => {
            Some(rules::derived_tally(actor, case, outcome))
        }
        _ => None,
    };
    apply(state, event, deferred, tally);
    if deferred {
        Step::Deferred
    } else {
        Step::Applied
    }
}

/// Apply an allowed event to `state`: a case opens, or takes the change; a change that waits
/// for approval is recorded as waiting (a party is recorded, without being taken as the
/// member, a keeping-out not at all); a decision keeps the tally the votes give.
fn apply(state: &mut Option<Case>, event: &Event, deferred: bool, tally: Option<Tally>) {
    let Some(case) = state.as_mut() else {
        if let Some(id) = event.case {
            *state = Case::opened(id, event);
        }
        return;
    };
    if deferred {
        case.updated_at = case.updated_at.max(event.at);
        if let EventKind::PartyAdded { party } = &event.kind {
            let mut unlinked = event.clone();
            if let EventKind::PartyAdded { party: p } = &mut unlinked.kind {
                p.member = None;
            }
            case.apply(&unlinked);
            let _ = party;
        }
        let mut waiting = event.clone();
        if let EventKind::CaseSealed { keys, .. } = &mut waiting.kind {
            // The wrapped keys stay in the history; the state needs who and why.
            keys.clear();
        }
        case.defer(&waiting);
        return;
    }
    case.apply(event);
    if let (Some(tally), Some(decision)) = (tally, case.decision.as_mut())
        && decision.event == event.id
    {
        decision.tally = Some(tally);
    }
}

/// Keep `event` as not applied, on its case when there is one.
fn hold(state: &mut Option<Case>, event: &Event, why: String, concurrent: bool) -> Step {
    if let Some(case) = state.as_mut() {
        match (concurrent, &event.kind) {
            (
                true,
                EventKind::DecisionRecorded {
                    outcome,
                    rationale,
                    override_reason,
                    ..
                },
            ) => {
                // Either of two decisions made at the same time may be the one that stands.
                let what = Trouble::Decision {
                    outcome: outcome.clone(),
                    rationale: rationale.clone(),
                    override_reason: override_reason.clone(),
                    found: case.status,
                };
                case.hold_as(event, why.clone(), what);
            }
            _ => case.hold_event(event, why.clone(), concurrent),
        }
    }
    if concurrent {
        Step::Concurrent(why)
    } else {
        Step::Held(why)
    }
}

/// A change another copy made too, at the same time: the same status move, the same
/// assignment, the same member kept out, the same person told of the same sanction.
fn redundant(state: Option<&Case>, event: &Event) -> bool {
    let Some(case) = state else { return false };
    match &event.kind {
        EventKind::SanctionTold { sanction, whom } => case
            .sanctions
            .iter()
            .find(|s| s.id == *sanction)
            .is_some_and(|s| s.checklist().contains(whom) && !s.to_tell().contains(whom)),
        EventKind::StatusChanged { to, .. } => *to == case.status,
        EventKind::Assigned { member } => case.assignees.contains(member),
        EventKind::Unassigned { member } => !case.assignees.contains(member),
        EventKind::ConflictWithdrawn { member, .. } => !case.conflicts.contains_key(member),
        _ => false,
    }
}

/// What replaying a case needs from the history around it.
pub trait Contexts {
    /// Which commits are in which commit's past.
    fn ancestry(&self) -> &Ancestry;
    /// Who signed commit `n`, as the committee then knew them (or why it is not applied).
    fn signer(&self, n: usize) -> Signer<'_>;
    /// What commit `n`'s author lost on another copy at the same time, if anything.
    fn lost_elsewhere(&self, n: usize) -> Option<Loss>;
    /// The latest time commit `n`'s parents claim.
    fn not_before(&self, n: usize) -> Option<chrono::DateTime<chrono::Utc>>;
}

/// A case as the engine follows it through a history in canonical order: its state, the
/// newest commits that changed it (so that an event made without seeing all of them is
/// recognised), and the commit that opened it.
#[derive(Clone, Debug, Default)]
pub struct CaseLine {
    /// The case as the history so far holds it.
    pub state: Option<Case>,
    frontier: Vec<usize>,
    opened_in: Option<usize>,
}

impl CaseLine {
    /// A line that starts from `state` as stored (every event before was seen by whatever
    /// comes next).
    pub fn from_state(state: Option<Case>) -> CaseLine {
        CaseLine {
            state,
            frontier: Vec::new(),
            opened_in: None,
        }
    }

    /// Whether every change so far is in commit `n`'s past (then the state is what `n`'s
    /// author had seen).
    pub fn seen_by(&self, ancestry: &Ancestry, n: usize) -> bool {
        self.frontier.iter().all(|&f| ancestry.is_ancestor(f, n))
    }

    /// Note that commit `n` changed the case.
    pub fn touched(&mut self, ancestry: &Ancestry, n: usize, opened: bool) {
        self.frontier.retain(|&f| !ancestry.is_ancestor(f, n));
        self.frontier.push(n);
        if opened && self.opened_in.is_none() {
            self.opened_in = Some(n);
        }
    }

    /// The context of an event of commit `n`, followed in its commit by `later`, whose
    /// parents claim times up to `not_before`.
    pub fn context<'a>(
        &self,
        n: usize,
        later: &'a [Event],
        not_before: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Context<'a> {
        Context {
            opening_commit: self.opened_in == Some(n),
            later_in_commit: later,
            not_before,
        }
    }
}

/// What [`replay_case`] gives: the case, the events not applied where there is no case to hold
/// them (a change to a case never opened), and whether any event was judged in a past
/// different from the merged history's.
pub struct Replayed {
    /// The case.
    pub state: Option<Case>,
    /// Events not applied that no case holds, with why.
    pub orphans: Vec<(Uuid, String)>,
}

/// Replay one case from its `events`, in canonical order, each in the commit `commits` gives
/// (by index), every event judged in its own causal past. Decisions made at the same time on
/// two copies are found and both held.
pub fn replay_case(events: &[Event], commits: &[usize], contexts: &dyn Contexts) -> Replayed {
    let mut forced: HashMap<Uuid, String> = HashMap::new();
    loop {
        let (replayed, contested) = replay_once(events, commits, contexts, &forced);
        let new: Vec<Uuid> = contested
            .into_iter()
            .filter(|id| !forced.contains_key(id))
            .collect();
        if new.is_empty() {
            return replayed;
        }
        for id in new {
            forced.insert(
                id,
                "two decisions were made at the same time on two copies; neither stands until \
                 a member resolves which does"
                    .into(),
            );
        }
    }
}

fn replay_once(
    events: &[Event],
    commits: &[usize],
    contexts: &dyn Contexts,
    forced: &HashMap<Uuid, String>,
) -> (Replayed, HashSet<Uuid>) {
    let ancestry = contexts.ancestry();
    let mut line = CaseLine::default();
    let mut orphans = Vec::new();
    let mut contested = HashSet::new();
    for (i, event) in events.iter().enumerate() {
        let n = commits[i];
        let causal = if line.seen_by(ancestry, n) {
            None
        } else {
            let (past, past_commits): (Vec<Event>, Vec<usize>) = events[..i]
                .iter()
                .zip(&commits[..i])
                .filter(|(_, m)| ancestry.is_ancestor(**m, n))
                .map(|(e, m)| (e.clone(), *m))
                .unzip();
            Some(replay_case(&past, &past_commits, contexts).state)
        };
        let lost = contexts.lost_elsewhere(n);
        let signer = match lost {
            Some(Loss::Removed) => Signer::Refused(
                "its author was removed from the committee on another copy at the same time",
            ),
            _ => contexts.signer(n),
        };
        let earlier_decision = line
            .state
            .as_ref()
            .and_then(|c| c.decision.as_ref())
            .map(|d| d.event);
        let run = commits[i + 1..].iter().take_while(|m| **m == n).count();
        let context = line.context(n, &events[i + 1..i + 1 + run], contexts.not_before(n));
        let step = step(
            &mut line.state,
            causal.as_ref(),
            &signer,
            event,
            context,
            forced.get(&event.id).map(String::as_str),
        );
        match &step {
            Step::Held(why) | Step::Concurrent(why) if line.state.is_none() => {
                orphans.push((event.id, why.clone()));
            }
            Step::Concurrent(_) => {
                if let (EventKind::DecisionRecorded { .. }, Some(first)) =
                    (&event.kind, earlier_decision)
                    && first != event.id
                    && matches!(
                        line.state.as_ref().map(|c| c.status),
                        Some(Status::Decided | Status::Closed)
                    )
                {
                    contested.insert(first);
                    contested.insert(event.id);
                }
            }
            Step::Applied | Step::Deferred => {
                if let (Some(Loss::KeyReplaced), Some(case)) = (lost, line.state.as_mut()) {
                    case.flag(event, Trouble::RemovedElsewhere { removed: false });
                }
            }
            _ => {}
        }
        line.touched(
            ancestry,
            n,
            matches!(event.kind, EventKind::CaseOpened { .. }),
        );
    }
    (
        Replayed {
            state: line.state,
            orphans,
        },
        contested,
    )
}

impl<'a> Signer<'a> {
    /// The signer of commit `n` of `dag`: its author as the committee they had seen knew
    /// them, or why the commit is not applied.
    pub fn of(dag: &'a super::Dag, n: usize) -> Signer<'a> {
        if let Some(why) = dag.refused(n) {
            return Signer::Refused(why);
        }
        let committee = dag.after(n);
        match committee.get(dag.author(n)) {
            Some(member) => Signer::Member {
                member,
                roster: committee.roster(),
                settings: committee.rules(),
            },
            None => Signer::Refused("signed by a key that was not a member's at that point"),
        }
    }
}

/// The history around the cases of a replay: its commits, and the members who lost their
/// place at the same time on another copy.
pub struct Around<'a> {
    /// The commits.
    pub dag: &'a super::Dag,
    /// What commits' authors lost on another copy at the same time.
    pub flagged: &'a HashMap<usize, Loss>,
}

impl Contexts for Around<'_> {
    fn ancestry(&self) -> &Ancestry {
        self.dag.ancestry()
    }

    fn signer(&self, n: usize) -> Signer<'_> {
        Signer::of(self.dag, n)
    }

    fn lost_elsewhere(&self, n: usize) -> Option<Loss> {
        self.flagged.get(&n).copied()
    }

    fn not_before(&self, n: usize) -> Option<chrono::DateTime<chrono::Utc>> {
        self.dag.floor(n)
    }
}

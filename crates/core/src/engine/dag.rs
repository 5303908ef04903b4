//! The history as a graph. Each copy of a case file extends the history on its own; a merge
//! joins two copies' commits, so a commit can have several parents. Three things follow:
//!
//! - **One order for everyone.** Commits are stored (and replayed) in the canonical order:
//!   parents before children, and among commits that could come next, the one with the
//!   earliest claimed time, then the smallest id ([`canonical`]). Every copy holding the same
//!   commits stores them in the same order, so replaying gives byte-identical derived state
//!   whatever order the copies were merged in.
//! - **Authority in a commit's own past.** A commit's author must have been allowed to make
//!   it in the history its author had seen: its ancestors ([`Dag::push`]). A commit whose
//!   author was not (a removed member's, a backdated one) is kept and not applied; so is a
//!   committee-wide change its author could not make. Nothing here refuses a file but a
//!   history that does not start with its founder.
//! - **Roster changes win safely.** The committee after a merge replays every roster change
//!   in canonical order ([`Dag::committee`]); a change by a member removed or demoted at the
//!   same time on another copy is kept but not applied ("strong remove"), and a change the
//!   merged roster cannot take (two members given one key) is not applied either: all of
//!   them are named for the committee's attention, never dropped silently.

use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::sync::Arc as Rc;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::attention::{Attention, Trouble};
use crate::event::{Event, EventKind};
use crate::history::{Committee, Loss, Unauthorized};
use crate::roster::MemberId;

/// How far a commit's claimed time may lie before its parents' (clocks differ a little).
pub const CLOCK_TOLERANCE_MINUTES: i64 = 5;

/// The canonical order of commits given by their `parents` (indexes) and their sort keys
/// (claimed time, id): Kahn's algorithm, taking the smallest key among the commits whose
/// parents are all placed.
pub fn canonical(parents: &[Vec<usize>], keys: &[(&str, &str)]) -> Vec<usize> {
    let n = parents.len();
    let mut waiting: Vec<usize> = parents.iter().map(Vec::len).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (child, ps) in parents.iter().enumerate() {
        for &p in ps {
            children[p].push(child);
        }
    }
    let mut ready: BinaryHeap<std::cmp::Reverse<(&str, &str, usize)>> = BinaryHeap::new();
    for (i, &w) in waiting.iter().enumerate() {
        if w == 0 {
            ready.push(std::cmp::Reverse((keys[i].0, keys[i].1, i)));
        }
    }
    let mut order = Vec::with_capacity(n);
    while let Some(std::cmp::Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &c in &children[i] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.push(std::cmp::Reverse((keys[c].0, keys[c].1, c)));
            }
        }
    }
    order
}

/// Every ancestor of `from` (itself included), by index.
pub fn ancestors(parents: &[Vec<usize>], from: usize) -> Vec<bool> {
    let mut seen = vec![false; parents.len()];
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(parents[i].iter().copied());
        }
    }
    seen
}

/// Which commits are in which commit's past, cheaply: commits are indexed in canonical order
/// (parents first), and each knows the longest prefix of the order that is all in its past, so
/// a linear stretch of history answers at once and only commits after a fork are searched.
#[derive(Clone, Debug, Default)]
pub struct Ancestry {
    parents: Vec<Vec<usize>>,
    /// For each commit, the largest `s` such that every commit `0..=s` is it or its ancestor
    /// (an underestimate is fine: it only makes a search longer).
    settled: Vec<usize>,
}

impl Ancestry {
    /// Add the next commit in canonical order.
    pub fn push(&mut self, parents: Vec<usize>) {
        let n = self.parents.len();
        let below = parents.iter().map(|&p| self.settled[p]).max().unwrap_or(0);
        let settled = if n == 0 || below + 1 == n { n } else { below };
        self.parents.push(parents);
        self.settled.push(settled);
    }

    /// How many commits are known.
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    /// Whether no commit is known.
    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// The parents of commit `n`.
    pub fn parents(&self, n: usize) -> &[usize] {
        &self.parents[n]
    }

    /// Whether commit `a` is commit `c` or one of its ancestors.
    pub fn is_ancestor(&self, a: usize, c: usize) -> bool {
        if a > c {
            return false;
        }
        if a <= self.settled[c] {
            return true;
        }
        let mut seen: HashSet<usize> = HashSet::new();
        let mut stack = vec![c];
        while let Some(k) = stack.pop() {
            if k == a || a <= self.settled[k] {
                return true;
            }
            if k < a || !seen.insert(k) {
                continue;
            }
            stack.extend(self.parents[k].iter().copied());
        }
        false
    }
}

/// What [`Dag::push`] decided about a commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    /// Why none of the commit is applied (its author could not sign it then, its claimed
    /// time is before the history it follows), if so.
    pub refused: Option<String>,
    /// Its committee-wide events that are not applied, with why.
    pub held: Vec<(Uuid, String)>,
}

/// What the whole history gives the committee: see [`Dag::committee`].
pub struct Settled {
    /// The committee.
    pub committee: Committee,
    /// The committee-wide changes that need a member's attention.
    pub attention: Vec<Attention>,
    /// The commits whose author lost their place (or key) at the same time on another copy,
    /// with what they lost: removed and demoted members' changes there are not applied.
    pub flagged: HashMap<usize, Loss>,
    /// Every committee-wide event not applied, with why.
    pub held: Vec<(Uuid, String)>,
}

/// The commits of a history, pushed in canonical order, with who could do what at each.
#[derive(Default)]
pub struct Dag {
    ancestry: Ancestry,
    authors: Vec<MemberId>,
    ats: Vec<DateTime<Utc>>,
    /// The latest time each commit's parents claim.
    floors: Vec<Option<DateTime<Utc>>>,
    /// The committee-wide events of each commit that has any.
    roster_events: HashMap<usize, Vec<Event>>,
    /// The commits with committee-wide events among each commit's ancestors (itself
    /// excluded).
    roster_past: Vec<Rc<BTreeSet<usize>>>,
    /// The committee after each commit.
    after: Vec<Rc<Committee>>,
    /// Why each commit is not applied at all, for those that are not.
    refused: HashMap<usize, String>,
    /// Committee-wide events not applied in their own past, with why.
    held: HashMap<Uuid, String>,
    /// Committees of merged pasts, by the roster commits they replay.
    merged: HashMap<Vec<usize>, Rc<Committee>>,
    merges: bool,
}

/// A claimed time as the history states it (RFC 3339), or the start of time when unreadable.
pub fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl Dag {
    /// Add commit number `n` (the next in canonical order) by `author` signed with `key` at
    /// `at`, whose parents are `parents`, and whose committee-wide events are `events`. The
    /// first commit must found the committee (`first` makes it, or refuses the whole history).
    pub fn push(
        &mut self,
        author: MemberId,
        key: &str,
        at: DateTime<Utc>,
        parents: Vec<usize>,
        events: Vec<Event>,
        first: impl FnOnce(&[Event]) -> Result<(Committee, usize), Unauthorized>,
    ) -> Result<Admission, Unauthorized> {
        let n = self.ancestry.len();
        let past: Rc<BTreeSet<usize>> = match parents.as_slice() {
            [] => Rc::new(BTreeSet::new()),
            [p] if !self.roster_events.contains_key(p) => self.roster_past[*p].clone(),
            ps => {
                let mut set = BTreeSet::new();
                for &p in ps {
                    set.extend(self.roster_past[p].iter().copied());
                    if self.roster_events.contains_key(&p) {
                        set.insert(p);
                    }
                }
                Rc::new(set)
            }
        };
        self.merges |= parents.len() > 1;
        let mut admission = Admission::default();
        let after = if n == 0 {
            let (mut committee, founding) = first(&events)?;
            for event in &events[founding.min(events.len())..] {
                if let Err(why) = committee.step(author, event) {
                    admission.held.push((event.id, why.to_string()));
                }
            }
            Rc::new(committee)
        } else {
            let before = self.past_committee(&parents, &past);
            let latest = parents.iter().map(|&p| self.ats[p]).max();
            let refused = match before.admit(author, key) {
                Err(why) => Some(why.to_string()),
                Ok(_) => latest.and_then(|latest| too_early(at, latest)),
            };
            match refused {
                Some(why) => {
                    admission.refused = Some(why.clone());
                    admission.held = events.iter().map(|e| (e.id, why.clone())).collect();
                    self.refused.insert(n, why);
                    before
                }
                None if events.is_empty() => before,
                None => {
                    let mut next = (*before).clone();
                    for event in &events {
                        let early = latest.and_then(|latest| too_early(event.at, latest));
                        if let Some(why) = early {
                            admission.held.push((event.id, why));
                        } else if let Err(why) = next.step(author, event) {
                            admission.held.push((event.id, why.to_string()));
                        }
                    }
                    Rc::new(next)
                }
            }
        };
        for (id, why) in &admission.held {
            self.held.insert(*id, why.clone());
        }
        self.floors.push(parents.iter().map(|&p| self.ats[p]).max());
        self.ancestry.push(parents);
        self.authors.push(author);
        self.ats.push(at);
        self.roster_past.push(past);
        self.after.push(after);
        if !events.is_empty() {
            self.roster_events.insert(n, events);
        }
        Ok(admission)
    }

    /// Which commits are in which commit's past.
    pub fn ancestry(&self) -> &Ancestry {
        &self.ancestry
    }

    /// How many commits it holds.
    pub fn commits(&self) -> usize {
        self.after.len()
    }

    /// The committee as commit `n`'s author left it, in the history they had seen.
    pub fn after(&self, n: usize) -> &Committee {
        &self.after[n]
    }

    /// The latest time commit `n`'s parents claim: no event of it may claim an earlier one
    /// (beyond [`CLOCK_TOLERANCE_MINUTES`]).
    pub fn floor(&self, n: usize) -> Option<DateTime<Utc>> {
        self.floors[n]
    }

    /// Who signed commit `n`.
    pub fn author(&self, n: usize) -> MemberId {
        self.authors[n]
    }

    /// Why commit `n` is not applied at all, if it is not.
    pub fn refused(&self, n: usize) -> Option<&str> {
        self.refused.get(&n).map(String::as_str)
    }

    /// The committee as the history a commit with `parents` had seen left it.
    fn past_committee(&mut self, parents: &[usize], past: &Rc<BTreeSet<usize>>) -> Rc<Committee> {
        let first = &self.after[parents[0]];
        if parents[1..]
            .iter()
            .all(|&p| Rc::ptr_eq(&self.after[p], first))
        {
            return first.clone();
        }
        let key: Vec<usize> = past.iter().copied().collect();
        if let Some(known) = self.merged.get(&key) {
            return known.clone();
        }
        let (committee, _, _) = self.fold(&key, &HashMap::new());
        let committee = Rc::new(committee);
        self.merged.insert(key, committee.clone());
        committee
    }

    /// Whether commits `a` and `b` were made at the same time (neither in the other's past).
    fn concurrent(&self, a: usize, b: usize) -> bool {
        a != b && !self.roster_past[a].contains(&b) && !self.roster_past[b].contains(&a)
    }

    /// Replay the roster commits `set` (in canonical order, the first commit first) as a merge
    /// does: the committee they give, what needs attention, and where each member lost their
    /// place, role or key (commit index). The roster changes of commits in `lost_elsewhere`
    /// (made by a member who lost their place or role at the same time on another copy) are
    /// not applied.
    fn fold(
        &self,
        set: &[usize],
        lost_elsewhere: &HashMap<usize, Loss>,
    ) -> (Committee, Vec<Attention>, Vec<(usize, MemberId, Loss)>) {
        let mut committee = (*self.after[0]).clone();
        committee.merging(true);
        let mut attention: Vec<Attention> = Vec::new();
        let mut losses = Vec::new();
        let hold = |attention: &mut Vec<Attention>, event: &Event, what: Trouble| {
            attention.push(Attention {
                event: event.id,
                by: event.author,
                at: event.at,
                what,
            })
        };
        for &k in set {
            if k == 0 || self.refused.contains_key(&k) {
                continue;
            }
            let loss = lost_elsewhere.get(&k).copied();
            for event in &self.roster_events[&k] {
                if self.held.contains_key(&event.id) {
                    continue;
                }
                if let Some(loss @ (Loss::Removed | Loss::Demoted)) = loss {
                    hold(
                        &mut attention,
                        event,
                        Trouble::RemovedElsewhere {
                            removed: loss == Loss::Removed,
                        },
                    );
                    continue;
                }
                if redundant(&committee, &event.kind) {
                    continue;
                }
                match committee.step(self.authors[k], event) {
                    Ok(Some((member, lost))) => losses.push((k, member, lost)),
                    Ok(None) => {
                        // A resolution the rules allowed takes its items off.
                        if let EventKind::AttentionResolved { events, .. } = &event.kind {
                            attention.retain(|a| !events.contains(&a.event));
                        }
                    }
                    Err(why) => hold(
                        &mut attention,
                        event,
                        Trouble::RosterChange {
                            why: why.to_string(),
                        },
                    ),
                }
            }
        }
        committee.merging(false);
        (committee, attention, losses)
    }

    /// The committee the whole history gives (see [`Settled`]). The roster commits are
    /// replayed twice: the first time finds where members lost their place or role, the
    /// second does not apply what they changed on another copy at the same time.
    pub fn committee(&self) -> Settled {
        let mut set: Vec<usize> = self.roster_events.keys().copied().collect();
        set.sort_unstable();
        let (mut committee, mut attention, mut losses) = self.fold(&set, &HashMap::new());
        if self.merges {
            let mut lost_elsewhere = HashMap::new();
            for &(r, member, loss) in &losses {
                if loss == Loss::KeyReplaced {
                    continue;
                }
                for &k in &set {
                    if self.authors[k] == member && self.concurrent(k, r) {
                        lost_elsewhere.insert(k, loss);
                    }
                }
            }
            if !lost_elsewhere.is_empty() {
                (committee, attention, losses) = self.fold(&set, &lost_elsewhere);
            }
        }
        let mut flagged: HashMap<usize, Loss> = HashMap::new();
        if self.merges {
            for &(r, member, loss) in &losses {
                let before_r = ancestors(&self.ancestry.parents, r);
                for (k, author) in self.authors.iter().enumerate() {
                    if *author == member && !before_r[k] && !self.roster_past[k].contains(&r) {
                        let entry = flagged.entry(k).or_insert(loss);
                        if loss == Loss::Removed {
                            *entry = Loss::Removed;
                        }
                    }
                }
            }
        }
        // What was not applied in its own past needs attention too.
        let mut held: Vec<(Uuid, String)> = Vec::new();
        for &k in &set {
            for event in &self.roster_events[&k] {
                if let Some(why) = self.held.get(&event.id) {
                    held.push((event.id, why.clone()));
                    attention.push(Attention {
                        event: event.id,
                        by: event.author,
                        at: event.at,
                        what: Trouble::NotApplied {
                            why: why.clone(),
                            concurrent: false,
                        },
                    });
                }
            }
        }
        for item in &attention {
            match &item.what {
                Trouble::RosterChange { why } => held.push((item.event, why.clone())),
                Trouble::RemovedElsewhere { removed } => held.push((
                    item.event,
                    if *removed {
                        "its author was removed on another copy at the same time".into()
                    } else {
                        "its author stopped being a chair on another copy at the same time".into()
                    },
                )),
                _ => {}
            }
        }
        // Resolving an item keeps the change unapplied; only the item goes. A resolution
        // that was itself not applied (its author was not a chair, or lost their place on
        // another copy) resolves nothing.
        let unapplied: HashSet<Uuid> = attention.iter().map(|a| a.event).collect();
        let resolved: HashSet<Uuid> = set
            .iter()
            .flat_map(|k| &self.roster_events[k])
            .filter(|e| !self.held.contains_key(&e.id) && !unapplied.contains(&e.id))
            .filter_map(|e| match &e.kind {
                EventKind::AttentionResolved { events, .. } => Some(events.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        attention.retain(|a| !resolved.contains(&a.event));
        held.sort();
        held.dedup_by(|a, b| a.0 == b.0);
        Settled {
            committee,
            attention,
            flagged,
            held,
        }
    }
}

/// Why a commit or an event claiming `at` comes too early after history whose latest commit
/// claims `latest`: a laptop never signs a time before what it had seen (beyond a small
/// tolerance for clocks), so a backdated change is not applied.
pub fn too_early(at: DateTime<Utc>, latest: DateTime<Utc>) -> Option<String> {
    let floor = latest - Duration::minutes(CLOCK_TOLERANCE_MINUTES);
    (at < floor).then(|| {
        format!(
            "it claims a time ({}) earlier than the history it follows ({})",
            at.format("%Y-%m-%d %H:%M UTC"),
            latest.format("%Y-%m-%d %H:%M UTC")
        )
    })
}

/// The time a laptop signs as: its clock (`at`), or, when that is too early after the history
/// it follows (latest commit `latest`), the latest commit's time: a change never claims a
/// time before what it follows, and a clock ahead of everyone else's stops no one.
pub fn dated_after(at: DateTime<Utc>, latest: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match latest {
        Some(latest) if too_early(at, latest).is_some() => latest,
        _ => at,
    }
}

/// A roster change that changes nothing now (the same removal made on two copies).
fn redundant(committee: &Committee, kind: &EventKind) -> bool {
    match kind {
        EventKind::MemberRemoved { member, .. } => committee
            .members()
            .iter()
            .any(|m| m.id == *member && m.removed_at.is_some()),
        EventKind::MemberKeyChanged { member, recipient } => committee
            .members()
            .iter()
            .any(|m| m.id == *member && m.recipient == *recipient),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_order_puts_parents_first_then_the_earliest() {
        // 0 <- 1, 0 <- 2, (1, 2) <- 3; 2 claims an earlier time than 1.
        let parents = vec![vec![], vec![0], vec![0], vec![1, 2]];
        let keys = [("t0", "a"), ("t2", "b"), ("t1", "c"), ("t3", "d")];
        assert_eq!(canonical(&parents, &keys), vec![0, 2, 1, 3]);
        // A child never comes before its parent, whatever time it claims.
        let keys = [("t5", "a"), ("t0", "b"), ("t1", "c"), ("t0", "d")];
        assert_eq!(canonical(&parents, &keys), vec![0, 1, 2, 3]);
    }

    #[test]
    fn ancestors_follow_every_parent() {
        let parents = vec![vec![], vec![0], vec![0], vec![1, 2], vec![2]];
        assert_eq!(ancestors(&parents, 3), vec![true, true, true, true, false]);
    }

    #[test]
    fn ancestry_answers_as_a_full_search_does() {
        // 0 - 1 - 2 forks into 3, 5 (branch a) and 4, 6 (branch b), merged by 7, then 8.
        let parents = vec![
            vec![],
            vec![0],
            vec![1],
            vec![2],
            vec![2],
            vec![3],
            vec![4],
            vec![5, 6],
            vec![7],
        ];
        let mut ancestry = Ancestry::default();
        for p in &parents {
            ancestry.push(p.clone());
        }
        for c in 0..parents.len() {
            let truth = ancestors(&parents, c);
            for (a, expected) in truth.iter().enumerate() {
                assert_eq!(
                    ancestry.is_ancestor(a, c),
                    *expected,
                    "{a} in the past of {c}"
                );
            }
        }
    }

    #[test]
    fn a_commit_claiming_a_time_before_its_parents_is_too_early() {
        let t = |h: i64| parse_time("2026-01-01T00:00:00Z") + Duration::hours(h);
        assert!(too_early(t(5), t(4)).is_none());
        assert!(too_early(t(4) - Duration::minutes(4), t(4)).is_none());
        let why = too_early(t(-200_000), t(4)).unwrap();
        assert!(why.contains("earlier than the history it follows"), "{why}");
    }
}

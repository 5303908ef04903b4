//! The history as a graph. Each copy of a case file extends the history on its own; a merge
//! joins two copies' commits, so a commit can have several parents. Three things follow:
//!
//! - **One order for everyone.** Commits are stored (and replayed) in the canonical order:
//!   parents before children, and among commits that could come next, the one with the
//!   earliest claimed time, then the smallest id ([`canonical`]). Every copy holding the same
//!   commits stores them in the same order, so replaying gives byte-identical derived state
//!   whatever order the copies were merged in.
//! - **Authority in a commit's own past.** A commit's author must have been allowed to make
//!   it in the history its author had seen: its ancestors ([`Dag::push`]).
//! - **Roster changes win safely.** The committee after a merge replays every roster change
//!   in canonical order ([`Dag::committee`]); a change by a member removed on another copy at
//!   the same time is kept in the history but not applied (except a removal: removals always
//!   hold), and a change the merged roster cannot take (two members given one key) is not
//!   applied either: both are held as attention items, never dropped silently.

use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::rc::Rc;

use uuid::Uuid;

use crate::core::attention::{Attention, Trouble};
use crate::core::event::{Event, EventKind};
use crate::core::history::{Committee, Unauthorized};
use crate::core::roster::MemberId;

/// The canonical order of commits given by their `parents` (indexes) and their sort keys
/// (claimed time, id): Kahn's algorithm, taking the smallest key among the commits whose
/// parents are all placed.
pub(super) fn canonical(parents: &[Vec<usize>], keys: &[(&str, &str)]) -> Vec<usize> {
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
pub(super) fn ancestors(parents: &[Vec<usize>], from: usize) -> Vec<bool> {
    let mut seen = vec![false; parents.len()];
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(parents[i].iter().copied());
        }
    }
    seen
}

/// The commits of a history, pushed in canonical order, with who could do what at each.
#[derive(Default)]
pub(super) struct Dag {
    parents: Vec<Vec<usize>>,
    authors: Vec<MemberId>,
    /// The committee-wide events of each commit that has any.
    roster_events: HashMap<usize, Vec<Event>>,
    /// The commits with committee-wide events among each commit's ancestors (itself
    /// excluded).
    roster_past: Vec<Rc<BTreeSet<usize>>>,
    /// The committee after each commit.
    after: Vec<Rc<Committee>>,
    /// Committees of merged pasts, by the roster commits they replay.
    merged: HashMap<Vec<usize>, Rc<Committee>>,
    merges: bool,
}

impl Dag {
    /// Add commit number `n` (the next in canonical order) by `author` signed with `key`,
    /// whose parents are `parents` and committee-wide events `events`. `first` makes the
    /// committee of the first commit. Refused when its author could not make it in its past.
    pub(super) fn push(
        &mut self,
        author: MemberId,
        key: &str,
        parents: Vec<usize>,
        events: Vec<Event>,
        first: impl FnOnce(&[Event]) -> Result<Committee, Unauthorized>,
    ) -> Result<(), Unauthorized> {
        let n = self.parents.len();
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
        let after = if n == 0 {
            Rc::new(first(&events)?)
        } else {
            let before = self.past_committee(&parents, &past);
            before.admit(author, key)?;
            if events.is_empty() {
                before
            } else {
                let mut next = (*before).clone();
                for event in &events {
                    next.apply_event(author, event)?;
                }
                Rc::new(next)
            }
        };
        self.parents.push(parents);
        self.authors.push(author);
        self.roster_past.push(past);
        self.after.push(after);
        if !events.is_empty() {
            self.roster_events.insert(n, events);
        }
        Ok(())
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
        let (committee, _) = self.fold(&key);
        let committee = Rc::new(committee);
        self.merged.insert(key, committee.clone());
        committee
    }

    /// Whether the member who made roster commit `k` was removed (true) or had their key
    /// replaced (false) by a commit among `set` made at the same time (neither in the other's
    /// past).
    fn changed_concurrently(&self, k: usize, set: &[usize]) -> Option<bool> {
        let author = self.authors[k];
        let mut found = None;
        for &r in set {
            if r == k || self.roster_past[k].contains(&r) || self.roster_past[r].contains(&k) {
                continue;
            }
            for event in &self.roster_events[&r] {
                match &event.kind {
                    EventKind::MemberRemoved { member, .. } if *member == author => {
                        return Some(true);
                    }
                    EventKind::MemberKeyChanged { member, .. } if *member == author => {
                        found = Some(false);
                    }
                    _ => {}
                }
            }
        }
        found
    }

    /// Replay the roster commits `set` (in canonical order, the first commit first) as a merge
    /// does: the committee they give and what needs attention.
    fn fold(&self, set: &[usize]) -> (Committee, Vec<Attention>) {
        let mut committee = (*self.after[0]).clone();
        let mut attention: Vec<Attention> = Vec::new();
        let hold = |attention: &mut Vec<Attention>, event: &Event, what: Trouble| {
            attention.push(Attention {
                event: event.id,
                by: event.author,
                at: event.at,
                what,
            })
        };
        for &k in set {
            if k == 0 {
                continue;
            }
            let changed = self.changed_concurrently(k, set);
            for event in &self.roster_events[&k] {
                // A removal holds whoever made it, and whatever happened to them on another
                // copy at the same time: its authority was checked in its own past (`push`).
                // Otherwise two chairs removing each other would both stay, each removal held
                // because its author was removed by the other.
                let removal = matches!(event.kind, EventKind::MemberRemoved { .. });
                if let Some(removed) = changed {
                    hold(&mut attention, event, Trouble::RemovedElsewhere { removed });
                    if removed {
                        if removal {
                            committee.apply_removal(event);
                        }
                        continue;
                    }
                }
                if let EventKind::AttentionResolved { events, .. } = &event.kind {
                    attention.retain(|a| !events.contains(&a.event));
                }
                if redundant(&committee, &event.kind) {
                    continue;
                }
                if removal && committee.apply_removal(event) {
                    continue;
                }
                if let Err(why) = committee.apply_event(self.authors[k], event) {
                    hold(
                        &mut attention,
                        event,
                        Trouble::RosterChange {
                            why: why.to_string(),
                        },
                    );
                }
            }
        }
        (committee, attention)
    }

    /// The committee the whole history gives, with the roster changes that need attention, and
    /// the commits (with no committee-wide events) made by a member removed, or whose key was
    /// replaced, at the same time on another copy.
    pub(super) fn committee(&self) -> (Committee, Vec<Attention>, HashMap<usize, bool>) {
        let mut set: Vec<usize> = self.roster_events.keys().copied().collect();
        set.sort_unstable();
        let (committee, attention) = self.fold(&set);
        let mut flagged = HashMap::new();
        if self.merges {
            for &r in &set {
                for event in &self.roster_events[&r] {
                    let (member, removed) = match &event.kind {
                        EventKind::MemberRemoved { member, .. } => (*member, true),
                        EventKind::MemberKeyChanged { member, .. } => (*member, false),
                        _ => continue,
                    };
                    let before_r = ancestors(&self.parents, r);
                    for (k, author) in self.authors.iter().enumerate() {
                        if *author == member
                            && !before_r[k]
                            && !self.roster_past[k].contains(&r)
                            && !self.roster_events.contains_key(&k)
                        {
                            let entry = flagged.entry(k).or_insert(removed);
                            *entry |= removed;
                        }
                    }
                }
            }
        }
        (committee, attention, flagged)
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

/// The ids of the events of the commits in `flagged`, with whether their author was removed.
pub(super) fn flagged_events(
    bodies: &[super::Body],
    flagged: &HashMap<usize, bool>,
) -> HashMap<Uuid, bool> {
    flagged
        .iter()
        .flat_map(|(&k, &removed)| bodies[k].events.iter().map(move |(id, _)| (*id, removed)))
        .collect()
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
}

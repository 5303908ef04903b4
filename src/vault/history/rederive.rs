//! The derived tables after a merge, from what the merge changed: the same tables a full
//! replay of the merged history gives (see [`super::replay`]), without replaying the cases
//! the merge left as they were.
//!
//! Before a merge the derived tables are what replaying this copy's verified history gives.
//! A merge adds commits and may move this copy's own commits to later places, but never
//! changes the order of two commits this copy already held (a new commit only ever comes
//! after its parents), so within a case its old events keep their order. A case's state
//! depends only on its own events, in order, except for what a replay settles over every
//! case at the end: the changes of members removed at the same time on another copy, and code
//! names two cases chose. So each case is one of:
//!
//! - **unchanged**: no event came in for it (its own events may have moved, keeping their
//!   order);
//! - **extended**: every event that came in for it comes after all its old ones: its stored
//!   state takes them, one after another;
//! - **replayed**: events came in between its old ones, it holds a change of a member removed
//!   on another copy, or it is one of the cases that chose one code name.
//!
//! The committee (roster, rules, attention) is replayed from the committee-wide events, as
//! verification replays it. Tests check the result against a full replay.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::Row;
use super::dag::Dag;
use super::replay::{self, Opening};
use super::verify::{check_key, check_schema};
use crate::core::attention::Trouble;
use crate::core::case::{Case, CaseId};
use crate::core::event::{Event, EventKind};
use crate::core::history::Committee;
use crate::core::roster::MemberId;
use crate::vault::{Error, store};

/// One commit of the merged history, in stored order, as the committee's replay needs it.
pub(super) struct Commit<'a> {
    pub(super) author: MemberId,
    pub(super) key: &'a str,
    /// Positions of its parents in the merged history.
    pub(super) parents: Vec<usize>,
    /// Its events' ids, in order (with their hashes, not read here).
    pub(super) events: &'a [(Cow<'a, str>, serde::de::IgnoredAny)],
    pub(super) adopts: bool,
}

/// What a merge changed: the events it stored anew, from event seq `from` on (this copy's
/// moved ones and `incoming`, the ids of those that came in).
pub(super) struct Changed<'a> {
    pub(super) from: i64,
    pub(super) incoming: &'a HashSet<String>,
}

/// Write the derived tables of the merged history in `conn` (see the module documentation).
pub(super) fn after_merge(
    conn: &Connection,
    path: &Path,
    commits: &[Commit<'_>],
    changed: &Changed<'_>,
) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let broken = |detail: String| Error::HistoryBroken {
        path: path.to_path_buf(),
        detail,
    };
    check_schema(conn, path)?;
    let sealed_here = crate::vault::sealing::sealed_here(conn).map_err(db)?;
    let open = crate::vault::sealing::open_payloads(conn).map_err(db)?;
    let reader = Reader {
        sealed_here: &sealed_here,
        open: &open,
    };

    // The events stored anew: checked as verification checks them, and sorted by case.
    let mut new_in: BTreeMap<CaseId, NewEvents> = BTreeMap::new();
    {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM events WHERE seq >= ?1 ORDER BY seq",
                Row::COLUMNS
            ))
            .map_err(db)?;
        let mut rows = stmt.query([changed.from]).map_err(db)?;
        while let Some(row) = rows.next().map_err(db)? {
            let row = Row::read(row).map_err(db)?;
            let incoming = changed.incoming.contains(&row.id);
            let seq = row.seq;
            let Some(event) = reader.event(row).map_err(broken)? else {
                continue;
            };
            // Members declare their own conflicts of interest (see `verify`).
            if let EventKind::ConflictDeclared { member, .. }
            | EventKind::ConflictWithdrawn { member, .. } = &event.kind
                && *member != event.author
            {
                return Err(broken(format!(
                    "event {} declares a conflict of interest for another member",
                    short(&event.id.to_string())
                )));
            }
            let Some(case) = event.case else { continue };
            let entry = new_in.entry(case).or_default();
            if incoming {
                entry.first_incoming.get_or_insert(seq);
                entry.incoming.push(event);
            } else {
                entry.last_moved = Some(seq);
            }
        }
    }
    for case in sealed_here.keys() {
        let sealed: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND kind = 'case-sealed')",
                [case],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !sealed {
            return Err(broken(format!(
                "it holds sealed content for case {}, which its history never sealed",
                short(case)
            )));
        }
    }

    // The committee, replayed from the committee-wide events as verification does.
    let committee_events: HashMap<String, Event> = {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM events WHERE case_id IS NULL ORDER BY seq",
                Row::COLUMNS
            ))
            .map_err(db)?;
        let rows = stmt.query_map([], Row::read).map_err(db)?;
        let mut events = HashMap::new();
        for row in rows {
            let row = row.map_err(db)?;
            let id = row.id.clone();
            let event = row
                .event()
                .map_err(|e| broken(format!("event {} is unreadable: {e}", short(&id))))?;
            check_key(&event.kind).map_err(broken)?;
            events.insert(id, event);
        }
        events
    };
    let mut dag = Dag::default();
    for (n, commit) in commits.iter().enumerate() {
        let events: Vec<Event> = commit
            .events
            .iter()
            .filter_map(|(id, _)| committee_events.get(id.as_ref()).cloned())
            .collect();
        dag.push(
            commit.author,
            commit.key,
            commit.parents.clone(),
            events,
            |events| {
                if commit.adopts {
                    Committee::adopted(commit.author, commit.key, events)
                } else {
                    Committee::founded(commit.key, events)
                }
            },
        )
        .map_err(|source| Error::Unauthorized {
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 && !commit.parents.is_empty() {
            return Err(broken("the history has no start".into()));
        }
    }
    let (committee, attention, flagged) = dag.committee();
    let flagged: HashMap<Uuid, bool> = flagged
        .iter()
        .flat_map(|(&k, &removed)| {
            commits[k]
                .events
                .iter()
                .filter_map(move |(id, _)| Uuid::parse_str(id).ok().map(|id| (id, removed)))
        })
        .collect();

    // Which cases change, and how.
    let mut replayed: BTreeSet<CaseId> = BTreeSet::new();
    let mut extended: Vec<CaseId> = Vec::new();
    for (case, new) in &new_in {
        match (new.first_incoming, new.last_moved) {
            (None, _) => {}
            // A sealed case is replayed: what this copy holds of it depends on who reads it.
            (Some(_), _) if sealed_here.contains_key(&case.to_string()) => {
                replayed.insert(*case);
            }
            (Some(first), Some(last)) if last > first => {
                replayed.insert(*case);
            }
            (Some(_), _) => extended.push(*case),
        }
    }
    {
        let mut stmt = conn
            .prepare_cached("SELECT case_id FROM events WHERE id = ?1")
            .map_err(db)?;
        for id in flagged.keys() {
            let case: Option<Option<String>> = stmt
                .query_row([id.to_string()], |r| r.get(0))
                .optional()
                .map_err(db)?;
            if let Some(case) = case.flatten().and_then(|c| Uuid::parse_str(&c).ok()) {
                replayed.insert(CaseId(case));
            }
        }
    }
    let mut every: BTreeSet<CaseId> = new_in.keys().copied().collect();
    {
        let mut stmt = conn.prepare("SELECT id FROM main.cases").map_err(db)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
        for id in rows {
            let id = id.map_err(db)?;
            let id = Uuid::parse_str(&id).map_err(|e| db(store::conversion(e)))?;
            every.insert(CaseId(id));
        }
    }
    let mut openings: Vec<(i64, Opening)> = Vec::with_capacity(every.len());
    for case in &every {
        if let Some(opening) = reader
            .opening(conn, *case)
            .map_err(|e| e.into_error(path))?
        {
            openings.push(opening);
        }
    }
    openings.sort_by_key(|(seq, _)| *seq);
    let openings: Vec<Opening> = openings.into_iter().map(|(_, o)| o).collect();
    let clashes = replay::clashes(&openings);
    for clash in &clashes {
        replayed.insert(clash.first);
        replayed.insert(clash.later);
    }

    // The cases that change, extended or replayed, then written over the stored ones.
    let mut cases: BTreeMap<CaseId, Case> = BTreeMap::new();
    extended.retain(|c| !replayed.contains(c));
    for case in &extended {
        match store::case_state(conn, *case).map_err(db)? {
            Some(mut state) => {
                for event in &new_in[case].incoming {
                    state.apply(event);
                }
                cases.insert(*case, state);
            }
            // Opened by what came in.
            None => {
                replayed.insert(*case);
            }
        }
    }
    let mut sealed_from_here: BTreeSet<CaseId> = BTreeSet::new();
    for case in &replayed {
        let (state, sealed) = reader
            .replay(conn, *case, &flagged)
            .map_err(|e| e.into_error(path))?;
        if sealed {
            sealed_from_here.insert(*case);
        }
        if let Some(state) = state {
            cases.insert(*case, state);
        }
    }
    let written: BTreeSet<CaseId> = replayed.iter().chain(&extended).copied().collect();
    replay::settle_clashes(&mut cases, &clashes);
    // Every case written is taken out first: renamed cases may swap code names, which the
    // table keeps unique.
    for id in &written {
        let text = id.to_string();
        conn.execute("DELETE FROM temp.open_cases WHERE id = ?1", [&text])
            .map_err(db)?;
        let keep = sealed_from_here.contains(id) && !cases.contains_key(id);
        if !keep {
            conn.execute("DELETE FROM main.cases WHERE id = ?1", [&text])
                .map_err(db)?;
        }
    }
    for id in &written {
        if !sealed_from_here.contains(id) {
            if let Some(case) = cases.get(id) {
                store::write_state(conn, case).map_err(db)?;
            }
            continue;
        }
        // Sealed from this copy, which may still hold what it could read before the merge
        // (sealed after it, see `sealing::settle`): its summary stands for its state, with
        // who may read it as its signed sealing events say.
        let held = match cases.get(id) {
            Some(case) => Some(case.clone()),
            None => store::case_state(conn, *id).map_err(db)?,
        };
        if let Some(mut held) = held {
            held.sealed = crate::vault::sealing::sealing_of(conn, *id).map_err(db)?;
            let mut summary = held.sealed_summary();
            summary.sealed.clone_from(&held.sealed);
            conn.execute("DELETE FROM main.cases WHERE id = ?1", [id.to_string()])
                .map_err(db)?;
            store::write_state(conn, &summary).map_err(db)?;
        }
    }
    replay::write_committee(conn, &committee, &attention).map_err(db)?;

    // Every event stored anew names a member of the history and an event it holds.
    let dangling: Option<String> = conn
        .query_row(
            "SELECT e.id FROM events e
             WHERE e.seq >= ?1
               AND (NOT EXISTS (SELECT 1 FROM members m WHERE m.id = e.author)
                    OR (e.amends IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM events a WHERE a.id = e.amends)))
             LIMIT 1",
            [changed.from],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    if dangling.is_some() {
        return Err(broken(
            "an event names an event or a member that is not in the history".into(),
        ));
    }
    Ok(())
}

/// In debug builds (every test), the derived tables after a merge (and the sealing settled
/// after it) are checked against a full replay of the merged history, as a laptop opening
/// the saved file for the first time checks them.
#[cfg(debug_assertions)]
pub(crate) fn check_against_replay(conn: &Connection, path: &Path) -> Result<(), Error> {
    super::verify(conn, path, super::Depth::Full).map_err(|e| match e {
        Error::DerivedMismatch { what, .. } => Error::HistoryBroken {
            path: path.to_path_buf(),
            detail: format!("a merge derived {what} unlike a full replay"),
        },
        e => e,
    })?;
    Ok(())
}

/// The events of one case that a merge stored anew.
#[derive(Default)]
struct NewEvents {
    /// Those that came in, in order.
    incoming: Vec<Event>,
    /// The seq of the first that came in.
    first_incoming: Option<i64>,
    /// The seq of the last of this copy's own events that moved.
    last_moved: Option<i64>,
}

/// A failure reading a case's events: the database's, or an event that is not what
/// verification allows.
enum ReadError {
    Database(rusqlite::Error),
    Broken(String),
}

impl From<rusqlite::Error> for ReadError {
    fn from(e: rusqlite::Error) -> Self {
        ReadError::Database(e)
    }
}

impl ReadError {
    fn into_error(self, path: &Path) -> Error {
        match self {
            ReadError::Database(e) => Error::database(path, e),
            ReadError::Broken(detail) => Error::HistoryBroken {
                path: path.to_path_buf(),
                detail,
            },
        }
    }
}

/// Reads events as this copy holds them: a sealed event's payload from memory where this
/// member may read it, skipped where the case is sealed from them.
struct Reader<'a> {
    sealed_here: &'a HashMap<String, bool>,
    open: &'a HashMap<String, String>,
}

impl Reader<'_> {
    /// The event `row` holds, `None` when it is sealed from this copy.
    fn event(&self, mut row: Row) -> Result<Option<Event>, String> {
        if row.sealed()
            && let Some(payload) = self.open.get(&row.id)
        {
            row.payload = payload.clone();
        }
        if row.sealed() {
            let case = row.case.as_deref().unwrap_or_default();
            return match self.sealed_here.get(case) {
                Some(false) => Ok(None),
                Some(true) => Err(format!(
                    "the sealed content of event {} is missing",
                    short(&row.id)
                )),
                None => Err(format!(
                    "event {} holds a sealed payload outside a sealed case",
                    short(&row.id)
                )),
            };
        }
        row.event()
            .map(Some)
            .map_err(|e| format!("event {} is unreadable: {e}", short(&row.id)))
    }

    /// Where `case` was opened (its first `case-opened` event this copy can read), with the
    /// event's seq.
    fn opening(
        &self,
        conn: &Connection,
        case: CaseId,
    ) -> Result<Option<(i64, Opening)>, ReadError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM events WHERE case_id = ?1 ORDER BY seq",
            Row::COLUMNS
        ))?;
        let mut rows = stmt.query([case.to_string()])?;
        while let Some(row) = rows.next()? {
            let row = Row::read(row)?;
            if row.kind != "case-opened" {
                continue;
            }
            let seq = row.seq;
            let Some(event) = self.event(row).map_err(ReadError::Broken)? else {
                continue;
            };
            if let EventKind::CaseOpened { code_name, .. } = &event.kind {
                return Ok(Some((
                    seq,
                    Opening {
                        case,
                        event: event.id,
                        by: event.author,
                        at: event.at,
                        chosen: code_name.clone(),
                    },
                )));
            }
        }
        Ok(None)
    }

    /// Replay `case` from its events as verification does, holding the changes among
    /// `flagged` (made by a member removed at the same time on another copy); gives its
    /// state and whether any of its events are sealed from this copy.
    fn replay(
        &self,
        conn: &Connection,
        case: CaseId,
        flagged: &HashMap<Uuid, bool>,
    ) -> Result<(Option<Case>, bool), ReadError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM events WHERE case_id = ?1 ORDER BY seq",
            Row::COLUMNS
        ))?;
        let mut rows = stmt.query([case.to_string()])?;
        let mut state: Option<Case> = None;
        let mut sealed = false;
        while let Some(row) = rows.next()? {
            let row = Row::read(row)?;
            let Some(event) = self.event(row).map_err(ReadError::Broken)? else {
                sealed = true;
                continue;
            };
            match state.as_mut() {
                Some(state) => state.apply(&event),
                None => state = Case::opened(case, &event),
            }
            if let (Some(state), Some(&removed)) = (state.as_mut(), flagged.get(&event.id)) {
                state.flag(&event, Trouble::RemovedElsewhere { removed });
            }
        }
        Ok((state, sealed))
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

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

use casebook_core::describe::short_commit;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::Row;
use super::replay::{self, Opening};
use super::verify::{check_key, check_schema};
use crate::{Error, store};
use casebook_core::case::{Case, CaseId};
use casebook_core::engine::{self, CaseLine, Dag, Signer};
use casebook_core::event::{Event, EventKind};
use casebook_core::history::Committee;
use casebook_core::roster::MemberId;

/// One commit of the merged history, in stored order, as the committee's replay needs it.
pub(super) struct Commit<'a> {
    pub(super) author: MemberId,
    pub(super) key: &'a str,
    /// Its claimed time.
    pub(super) at: &'a str,
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
    let at = At { conn, path };
    check_schema(conn, path)?;
    let sealed_here = crate::sealing::sealed_here(conn).map_err(|e| at.db(e))?;
    let open = crate::sealing::open_payloads(conn).map_err(|e| at.db(e))?;
    let reader = Reader {
        sealed_here: &sealed_here,
        open: &open,
    };
    let new_in = new_by_case(&at, &reader, changed)?;
    check_sealed_content(&at, &sealed_here)?;
    let (dag, settled) = committee_replayed(&at, commits)?;
    let authors_flagged: HashSet<String> = settled
        .flagged
        .keys()
        .map(|&k| dag.author(k).to_string())
        .collect();
    let Changing {
        mut replayed,
        extended,
        clashes,
    } = cases_that_change(&at, &reader, &new_in, &authors_flagged)?;
    let commit_of = commit_places(&at, commits, replayed.iter().chain(&extended))?;
    let around = engine::Around {
        dag: &dag,
        flagged: &settled.flagged,
    };

    // The cases that change, extended or replayed, then written over the stored ones.
    let mut cases: BTreeMap<CaseId, Case> = BTreeMap::new();
    for case in &extended {
        let incoming = &new_in[case].incoming;
        match extend(conn, *case, incoming, &commit_of, &dag).map_err(|e| at.db(e))? {
            Some(state) => {
                cases.insert(*case, state);
            }
            // Opened by what came in, or changed where its author had not seen all of it.
            None => {
                replayed.insert(*case);
            }
        }
    }
    let mut orphans: Vec<(Uuid, String)> = Vec::new();
    let mut sealed_from_here: BTreeSet<CaseId> = BTreeSet::new();
    for case in &replayed {
        let (state, sealed, held) = reader
            .replay(conn, *case, &commit_of, &around)
            .map_err(|e| e.into_error(path))?;
        if sealed {
            sealed_from_here.insert(*case);
        }
        orphans.extend(held);
        if let Some(state) = state {
            cases.insert(*case, state);
        }
    }
    let written: BTreeSet<CaseId> = replayed.iter().chain(&extended).copied().collect();
    replay::settle_clashes(&mut cases, &clashes);
    let writing = Writing {
        written: &written,
        cases: &cases,
        sealed_from_here: &sealed_from_here,
        clashes: &clashes,
    };
    write_cases(&at, &writing, &dag)?;
    write_held(&at, &settled, &written, orphans)?;
    check_references(&at, changed.from)
}

/// The database derived tables are written in, and its file's name for messages.
struct At<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

impl At<'_> {
    /// An SQL error on the file.
    fn db(&self, e: rusqlite::Error) -> Error {
        Error::database(self.path, e)
    }

    /// The merged history does not hold.
    fn broken(&self, detail: String) -> Error {
        Error::HistoryBroken {
            path: self.path.to_path_buf(),
            detail,
        }
    }
}

/// The events stored anew, sorted by case.
fn new_by_case(
    at: &At<'_>,
    reader: &Reader<'_>,
    changed: &Changed<'_>,
) -> Result<BTreeMap<CaseId, NewEvents>, Error> {
    let db = |e| at.db(e);
    let mut new_in: BTreeMap<CaseId, NewEvents> = BTreeMap::new();
    let mut stmt = at
        .conn
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
        let Some(event) = reader.event(row).map_err(|e| at.broken(e))? else {
            continue;
        };
        let Some(case) = event.case else { continue };
        let entry = new_in.entry(case).or_default();
        if incoming {
            entry.first_incoming.get_or_insert(seq);
            entry.incoming.push(event);
        } else {
            entry.last_moved = Some(seq);
        }
    }
    Ok(new_in)
}

/// Sealed content is held only for a case its history sealed.
fn check_sealed_content(at: &At<'_>, sealed_here: &HashMap<String, bool>) -> Result<(), Error> {
    for case in sealed_here.keys() {
        let sealed: bool = at
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND kind = 'case-sealed')",
                [case],
                |r| r.get(0),
            )
            .map_err(|e| at.db(e))?;
        if !sealed {
            return Err(at.broken(format!(
                "it holds sealed content for case {}, which its history never sealed",
                short_commit(case)
            )));
        }
    }
    Ok(())
}

/// The committee, replayed from the events it follows as verification does: the commits'
/// graph, and what it settles.
fn committee_replayed(
    at: &At<'_>,
    commits: &[Commit<'_>],
) -> Result<(Dag, casebook_core::engine::dag::Settled), Error> {
    let db = |e| at.db(e);
    let mut stmt = at
        .conn
        .prepare(&format!(
            "SELECT {} FROM events WHERE {} ORDER BY seq",
            Row::COLUMNS,
            store::FOLLOWED
        ))
        .map_err(db)?;
    let rows = stmt.query_map([], Row::read).map_err(db)?;
    let mut committee_events: HashMap<String, Event> = HashMap::new();
    for row in rows {
        let row = row.map_err(db)?;
        let id = row.id.clone();
        let event = row
            .event()
            .map_err(|e| at.broken(format!("event {} is unreadable: {e}", short_commit(&id))))?;
        if event.case.is_none() {
            check_key(&event.kind).map_err(|e| at.broken(e))?;
        }
        committee_events.insert(id, event);
    }
    let mut dag = Dag::default();
    for (n, commit) in commits.iter().enumerate() {
        if n == 0 && !commit.parents.is_empty() {
            return Err(at.broken("the history has no start".into()));
        }
        let events: Vec<Event> = commit
            .events
            .iter()
            .filter_map(|(id, _)| committee_events.get(id.as_ref()).cloned())
            .collect();
        dag.push(
            commit.author,
            commit.key,
            super::parse_time(commit.at),
            commit.parents.clone(),
            events,
            |events| {
                if commit.adopts {
                    Committee::adopted(commit.author, commit.key, events).map(|c| (c, events.len()))
                } else {
                    Committee::founded(commit.key, events).map(|c| (c, 2))
                }
            },
        )
        .map_err(|source| Error::Unauthorized {
            path: at.path.to_path_buf(),
            source,
        })?;
    }
    let settled = dag.committee();
    Ok((dag, settled))
}

/// The cases a merge changes: those replayed, those extended, and the code names two cases
/// chose.
struct Changing {
    replayed: BTreeSet<CaseId>,
    extended: Vec<CaseId>,
    clashes: Vec<replay::Clash>,
}

/// Which cases change, and how (see the module documentation).
fn cases_that_change(
    at: &At<'_>,
    reader: &Reader<'_>,
    new_in: &BTreeMap<CaseId, NewEvents>,
    authors_flagged: &HashSet<String>,
) -> Result<Changing, Error> {
    let db = |e| at.db(e);
    let mut replayed: BTreeSet<CaseId> = BTreeSet::new();
    let mut extended: Vec<CaseId> = Vec::new();
    for (case, new) in new_in {
        match (new.first_incoming, new.last_moved) {
            (None, _) => {}
            // A sealed case is replayed: what this copy holds of it depends on who reads it.
            (Some(_), _) if reader.sealed_here.contains_key(&case.to_string()) => {
                replayed.insert(*case);
            }
            (Some(first), Some(last)) if last > first => {
                replayed.insert(*case);
            }
            (Some(_), _) => extended.push(*case),
        }
    }
    if !authors_flagged.is_empty() {
        let json = serde_json::to_string(authors_flagged).map_err(|e| db(store::conversion(e)))?;
        let mut stmt = at
            .conn
            .prepare(
                "SELECT DISTINCT case_id FROM events
                 WHERE case_id IS NOT NULL AND author IN (SELECT value FROM json_each(?1))",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([&json], |r| r.get::<_, String>(0))
            .map_err(db)?;
        for id in rows {
            if let Ok(id) = Uuid::parse_str(&id.map_err(db)?) {
                replayed.insert(CaseId(id));
            }
        }
    }
    let clashes = name_clashes(at, reader, new_in)?;
    for clash in &clashes {
        replayed.insert(clash.first);
        replayed.insert(clash.later);
    }
    extended.retain(|c| !replayed.contains(c));
    Ok(Changing {
        replayed,
        extended,
        clashes,
    })
}

/// The code names two cases chose, over every case (stored or new).
fn name_clashes(
    at: &At<'_>,
    reader: &Reader<'_>,
    new_in: &BTreeMap<CaseId, NewEvents>,
) -> Result<Vec<replay::Clash>, Error> {
    let db = |e| at.db(e);
    let mut every: BTreeSet<CaseId> = new_in.keys().copied().collect();
    let mut stmt = at.conn.prepare("SELECT id FROM main.cases").map_err(db)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
    for id in rows {
        let id = Uuid::parse_str(&id.map_err(db)?).map_err(|e| db(store::conversion(e)))?;
        every.insert(CaseId(id));
    }
    let mut openings: Vec<(i64, Opening)> = Vec::with_capacity(every.len());
    for case in &every {
        if let Some(opening) = reader
            .opening(at.conn, *case)
            .map_err(|e| e.into_error(at.path))?
        {
            openings.push(opening);
        }
    }
    openings.sort_by_key(|(seq, _)| *seq);
    let openings: Vec<Opening> = openings.into_iter().map(|(_, o)| o).collect();
    Ok(replay::clashes(&openings))
}

/// Where each event of `cases` sits in the merged history (its commit's place).
fn commit_places<'a>(
    at: &At<'_>,
    commits: &[Commit<'_>],
    cases: impl Iterator<Item = &'a CaseId>,
) -> Result<HashMap<String, usize>, Error> {
    let db = |e| at.db(e);
    let mut wanted: HashSet<String> = HashSet::new();
    for case in cases {
        let mut stmt = at
            .conn
            .prepare_cached("SELECT id FROM events WHERE case_id = ?1")
            .map_err(db)?;
        let rows = stmt
            .query_map([case.to_string()], |r| r.get::<_, String>(0))
            .map_err(db)?;
        for id in rows {
            wanted.insert(id.map_err(db)?);
        }
    }
    let mut commit_of: HashMap<String, usize> = HashMap::with_capacity(wanted.len());
    for (n, commit) in commits.iter().enumerate() {
        for (id, _) in commit.events {
            if wanted.contains(id.as_ref()) {
                commit_of.insert(id.to_string(), n);
            }
        }
    }
    Ok(commit_of)
}

/// The cases a merge writes again: which, their derived states, those sealed from this copy,
/// and the code-name clashes settled.
struct Writing<'a> {
    written: &'a BTreeSet<CaseId>,
    cases: &'a BTreeMap<CaseId, Case>,
    sealed_from_here: &'a BTreeSet<CaseId>,
    clashes: &'a [replay::Clash],
}

/// Write the cases that changed over the stored ones; a case sealed from this copy gets the
/// summary that stands for it.
fn write_cases(at: &At<'_>, w: &Writing<'_>, dag: &Dag) -> Result<(), Error> {
    let (conn, db) = (at.conn, |e| at.db(e));
    // Every case written is taken out first: renamed cases may swap code names, which the
    // table keeps unique.
    let mut renamed_kept = Vec::new();
    for id in w.written {
        let text = id.to_string();
        conn.execute("DELETE FROM temp.open_cases WHERE id = ?1", [&text])
            .map_err(db)?;
        let keep = w.sealed_from_here.contains(id) && !w.cases.contains_key(id);
        if !keep {
            conn.execute("DELETE FROM main.cases WHERE id = ?1", [&text])
                .map_err(db)?;
        } else if let Some(clash) = w.clashes.iter().find(|c| c.later == *id) {
            renamed_kept.push((clash.name.clone(), text));
        }
    }
    // A kept row (its summary is written below) a clash renames moves out of the way of the
    // case that keeps the name, once every row written again is out.
    for (name, id) in &renamed_kept {
        conn.execute(
            "UPDATE main.cases SET code_name = ?1 WHERE id = ?2",
            [name, id],
        )
        .map_err(db)?;
    }
    // What stands for a case sealed from this copy: the newest summary a reader signed.
    let wanted: BTreeSet<CaseId> = w
        .written
        .iter()
        .filter(|id| w.sealed_from_here.contains(id))
        .copied()
        .collect();
    let signed = super::signed_summaries(conn, dag, &wanted).map_err(db)?;
    for id in w.written {
        if !w.sealed_from_here.contains(id) {
            if let Some(case) = w.cases.get(id) {
                store::write_state(conn, case).map_err(db)?;
            }
            continue;
        }
        write_sealed_summary(at, w, *id, signed.get(id))?;
    }
    Ok(())
}

/// Case `id`, sealed from this copy, which may still hold what it could read before the merge
/// (sealed after it, see `sealing::settle`): its summary stands for its state, with who may
/// read it as its signed sealing events say.
fn write_sealed_summary(
    at: &At<'_>,
    w: &Writing<'_>,
    id: CaseId,
    signed: Option<&Case>,
) -> Result<(), Error> {
    let (conn, db) = (at.conn, |e| at.db(e));
    let held = match (signed, w.cases.get(&id)) {
        (Some(signed), _) => {
            let mut signed = signed.clone();
            // The code name this copy settled, never one a summary brings.
            let name = match w.cases.get(&id) {
                Some(case) => Some(case.code_name.clone()),
                None => replay::stored_code_name(conn, id).map_err(db)?,
            };
            if let Some(name) = name {
                signed.code_name = name;
            }
            Some(signed)
        }
        (None, Some(case)) => Some(case.clone()),
        (None, None) => store::case_state(conn, id).map_err(db)?,
    };
    let Some(mut held) = held else {
        return Ok(());
    };
    // Opened after another case under the same name: renamed here as on its readers'.
    if let Some(clash) = w.clashes.iter().find(|c| c.later == id) {
        held.code_name.clone_from(&clash.name);
    }
    held.sealed = crate::sealing::sealing_of(conn, id).map_err(db)?;
    let mut summary = held.sealed_summary();
    summary.sealed.clone_from(&held.sealed);
    conn.execute("DELETE FROM main.cases WHERE id = ?1", [id.to_string()])
        .map_err(db)?;
    store::write_state(conn, &summary).map_err(db)?;
    Ok(())
}

/// The committee as settled, with the events not applied: the committee's, those of the cases
/// replayed (`orphans`), and those kept from before for the cases not written again.
fn write_held(
    at: &At<'_>,
    settled: &casebook_core::engine::dag::Settled,
    written: &BTreeSet<CaseId>,
    orphans: Vec<(Uuid, String)>,
) -> Result<(), Error> {
    let (conn, db) = (at.conn, |e| at.db(e));
    let mut held = settled.held.clone();
    let mut stmt = conn
        .prepare_cached("SELECT case_id FROM events WHERE id = ?1")
        .map_err(db)?;
    for (event, why) in store::held(conn).map_err(db)? {
        let case: Option<Option<String>> = stmt
            .query_row([event.to_string()], |r| r.get(0))
            .optional()
            .map_err(db)?;
        let kept = match case.flatten().and_then(|c| Uuid::parse_str(&c).ok()) {
            Some(case) => !written.contains(&CaseId(case)),
            None => false,
        };
        if kept {
            held.push((event, why));
        }
    }
    held.extend(orphans);
    held.sort();
    held.dedup_by(|a, b| a.0 == b.0);
    replay::write_committee(conn, &settled.committee, &settled.attention, &held).map_err(db)
}

/// Every event stored anew (from seq `from` on) names an event the history holds.
fn check_references(at: &At<'_>, from: i64) -> Result<(), Error> {
    let dangling: Option<String> = at
        .conn
        .query_row(
            "SELECT e.id FROM events e
             WHERE e.seq >= ?1
               AND e.amends IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM events a WHERE a.id = e.amends)
             LIMIT 1",
            [from],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| at.db(e))?;
    match dangling {
        Some(_) => Err(at.broken("an event names an event that is not in the history".into())),
        None => Ok(()),
    }
}

/// The state of `case` with the events that came in, `incoming`, taken on its stored state,
/// when that is what each of their authors had seen (every earlier change of the case is in
/// their past); `None` when not (the case is then replayed).
fn extend(
    conn: &Connection,
    case: CaseId,
    incoming: &[Event],
    commit_of: &HashMap<String, usize>,
    dag: &Dag,
) -> rusqlite::Result<Option<Case>> {
    let Some(state) = store::case_state(conn, case)? else {
        return Ok(None);
    };
    let incoming_ids: HashSet<Uuid> = incoming.iter().map(|e| e.id).collect();
    let mut line = CaseLine::from_state(Some(state));
    let mut stmt = conn.prepare_cached("SELECT id FROM events WHERE case_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([case.to_string()], |r| r.get::<_, String>(0))?;
    for id in rows {
        let id = id?;
        if Uuid::parse_str(&id).is_ok_and(|u| incoming_ids.contains(&u)) {
            continue;
        }
        if let Some(&n) = commit_of.get(&id) {
            line.touched(dag.ancestry(), n, false);
        }
    }
    let placed: Vec<usize> = incoming
        .iter()
        .map(|e| commit_of.get(&e.id.to_string()).copied().unwrap_or(0))
        .collect();
    for (i, event) in incoming.iter().enumerate() {
        let n = placed[i];
        if !line.seen_by(dag.ancestry(), n) {
            return Ok(None);
        }
        let run = placed[i + 1..].iter().take_while(|m| **m == n).count();
        let context = line.context(n, &incoming[i + 1..i + 1 + run], dag.floor(n));
        let step = engine::step(
            &mut line.state,
            None,
            &Signer::of(dag, n),
            event,
            context,
            None,
        );
        if let engine::Step::Held(_) | engine::Step::Concurrent(_) = step
            && line.state.is_none()
        {
            return Ok(None);
        }
        line.touched(dag.ancestry(), n, false);
    }
    Ok(line.state)
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
        if let Some(payload) = self.open.get(&row.id) {
            row.put_open(payload.clone());
        }
        if row.sealed() {
            let case = row.case.as_deref().unwrap_or_default();
            return match self.sealed_here.get(case) {
                Some(false) => Ok(None),
                Some(true) => Err(format!(
                    "the sealed content of event {} is missing",
                    short_commit(&row.id)
                )),
                None => Err(format!(
                    "event {} holds a sealed payload outside a sealed case",
                    short_commit(&row.id)
                )),
            };
        }
        row.event()
            .map(Some)
            .map_err(|e| format!("event {} is unreadable: {e}", short_commit(&row.id)))
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
                // Sealed from this copy: the name it holds for the case stands for the one
                // the case chose, so that a case another copy opens under it is the one
                // renamed here too (as on the readers' copies when it opened later).
                return Ok(replay::sealed_opening(conn, case)?.map(|(_, o)| (seq, o)));
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
                        held: None,
                    },
                )));
            }
        }
        Ok(None)
    }

    /// Replay `case` from its events through the engine, each in its own causal past
    /// (`commit_of` places them); gives its state, whether any of its events are sealed from
    /// this copy, and its events not applied that no case holds.
    #[allow(clippy::type_complexity)]
    fn replay(
        &self,
        conn: &Connection,
        case: CaseId,
        commit_of: &HashMap<String, usize>,
        around: &engine::Around<'_>,
    ) -> Result<(Option<Case>, bool, Vec<(Uuid, String)>), ReadError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM events WHERE case_id = ?1 ORDER BY seq",
            Row::COLUMNS
        ))?;
        let mut rows = stmt.query([case.to_string()])?;
        let mut events = Vec::new();
        let mut placed = Vec::new();
        let mut sealed = false;
        while let Some(row) = rows.next()? {
            let row = Row::read(row)?;
            let n = commit_of.get(&row.id).copied().unwrap_or(0);
            let Some(event) = self.event(row).map_err(ReadError::Broken)? else {
                sealed = true;
                continue;
            };
            events.push(event);
            placed.push(n);
        }
        if sealed || self.sealed_here.get(&case.to_string()) == Some(&false) {
            // Sealed from this copy: its summary stands for its state (see `after_merge`).
            return Ok((None, true, Vec::new()));
        }
        let replayed = engine::replay_case(&events, &placed, around);
        Ok((replayed.state, sealed, replayed.orphans))
    }
}

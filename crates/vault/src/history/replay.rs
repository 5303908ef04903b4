//! The derived state replayed from verified events, compared with what a file stores, and
//! the digest that lets a laptop recognise derived tables it verified before.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::hex;
use crate::{Error, store};
use casebook_core::attention::{Attention, Trouble};
use casebook_core::case::{Case, CaseId};
use casebook_core::engine::{self, CaseLine, Dag, Signer, Step};
use casebook_core::event::{Event, EventKind};
use casebook_core::history::{Committee, Loss};
use casebook_core::roster::MemberId;

/// How [`digest`] names the number of entries in the text index.
const SEARCH_COUNT: &str = "SELECT count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM search";

/// A digest of every derived table but the text index: the roster, the extra recipients,
/// the rules, every case's state and the party index, plus the number of index entries.
pub(crate) fn digest(conn: &Connection) -> rusqlite::Result<String> {
    let mut hash = Sha256::new();
    let queries = [
        "SELECT id, name, email, role, recipient, added_at, removed_at FROM members ORDER BY id",
        "SELECT recipient, added_at, NULL, NULL, NULL, NULL, NULL FROM extra_recipients ORDER BY recipient",
        "SELECT key, value, NULL, NULL, NULL, NULL, NULL FROM settings ORDER BY key",
        "SELECT id, code_name, status, received_at, updated_at, state, NULL FROM cases ORDER BY id",
        "SELECT party_id, case_id, person_id, role, NULL, NULL, NULL FROM parties ORDER BY party_id",
        SEARCH_COUNT,
        // Only when there is something: files without merged changes keep their digest.
        "SELECT seq, state, NULL, NULL, NULL, NULL, NULL FROM attention ORDER BY seq",
    ];
    // A sealed case counts by its id only: a copy it is sealed from holds its summary as the
    // last member who could read it saved it, and cannot derive it (see `sealing`).
    let mut sealed_cases = Vec::new();
    for query in queries {
        // Each query's text is part of the digest; the index's rows are counted in its content
        // table (what a scan of the index reads, without the full-text module row by row).
        let sql = if query == SEARCH_COUNT {
            "SELECT count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM search_content"
        } else {
            query
        };
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        let mut started = false;
        while let Some(row) = rows.next()? {
            if query.contains("FROM cases")
                && let rusqlite::types::ValueRef::Text(state) = row.get_ref(5)?
                && std::str::from_utf8(state).is_ok_and(|s| s.contains("\"sealed\":{"))
            {
                sealed_cases.push(row.get::<_, String>(0)?);
                continue;
            }
            if !started {
                started = true;
                hash.update(query.as_bytes());
            }
            for i in 0..7 {
                let value: rusqlite::types::Value = row.get(i)?;
                // Each value with its type, so no text can stand for a NULL or a number.
                let (tag, text) = match value {
                    rusqlite::types::Value::Null => (0u8, String::new()),
                    rusqlite::types::Value::Integer(n) => (1, n.to_string()),
                    rusqlite::types::Value::Real(x) => (2, x.to_string()),
                    rusqlite::types::Value::Text(t) => (3, t),
                    rusqlite::types::Value::Blob(b) => (4, hex(&b)),
                };
                hash.update([tag]);
                hash.update((text.len() as u64).to_le_bytes());
                hash.update(text.as_bytes());
            }
        }
    }
    if !sealed_cases.is_empty() {
        hash.update(b"sealed cases");
        for id in &sealed_cases {
            hash.update((id.len() as u64).to_le_bytes());
            hash.update(id.as_bytes());
        }
    }
    Ok(hex(&hash.finalize()))
}

/// The derived state, replayed from verified events through the engine
/// ([`casebook_core::engine`]).
#[derive(Default)]
pub(super) struct Replay {
    lines: BTreeMap<CaseId, CaseLine>,
    /// The cases in the order they were opened (which keeps a code name two copies chose),
    /// with who opened each and when.
    opened: Vec<(CaseId, Uuid, MemberId, DateTime<Utc>)>,
    /// The commit each of `opened` opened in.
    opened_in: Vec<usize>,
    /// Code names two copies chose for two cases, settled (see [`clashes`]): a case sealed
    /// from this copy renamed by one keeps the new name in its summary.
    clashes: Vec<Clash>,
    parties: Vec<(String, String, String, String)>,
    /// Hashes of (text, case, event) of every index entry, with its case.
    search: Vec<(CaseId, [u8; 32])>,
    /// Cases sealed from this copy: their summary stands for their state, the newest a
    /// reader signed (`signed`), else the one stored.
    sealed_from_here: BTreeSet<CaseId>,
    signed: HashMap<CaseId, Case>,
    /// Cases replayed again at the end, every event judged in its own past: an event was
    /// made without seeing every earlier change of its case.
    again: BTreeSet<CaseId>,
    /// Case events not applied that no case holds (a change to a case never opened).
    orphans: Vec<(Uuid, String)>,
    /// Cases with events whose payloads an expunge erased: each must be expunged.
    erased: BTreeSet<CaseId>,
}

/// The committee-wide outcome of a replay, as it is stored: the committee, what needs a
/// member's attention, and every committee-wide event not applied, with why.
pub(super) struct CommitteeState<'a> {
    pub(super) committee: &'a Committee,
    pub(super) attention: &'a [Attention],
    pub(super) held: Vec<(Uuid, String)>,
}

/// Whether who reads `summary`'s case, as a stored summary says, is within what its signed
/// sealing events give: a reader who saved it may have left out sealings the rules did not
/// apply (which a copy the case is sealed from cannot judge), never added a reader or a key
/// the history does not give.
fn sealing_within(conn: &Connection, summary: &Case) -> rusqlite::Result<bool> {
    let signed = crate::sealing::sealing_of(conn, summary.id)?;
    let keys: BTreeSet<String> = store::sealing_events(conn, summary.id)?
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::CaseSealed { recipient, .. } => Some(recipient),
            _ => None,
        })
        .collect();
    let within = match (&summary.sealed, &signed) {
        (Some(claimed), Some(signed)) => {
            claimed.readers.is_subset(&signed.readers)
                || claimed
                    .readers
                    .iter()
                    .all(|r| signed.readers.contains(r) || signed.excluded.contains_key(r))
        }
        _ => false,
    };
    Ok(within
        && summary
            .sealed
            .as_ref()
            .is_some_and(|s| keys.contains(&s.recipient)))
}

/// The code name `cases` holds for case `id`, if it holds the case.
pub(super) fn stored_code_name(conn: &Connection, id: CaseId) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT code_name FROM main.cases WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()
}

/// A case's row in `cases`, every column as [`store::write_state`] writes it.
fn stored_row(case: &Case) -> rusqlite::Result<(String, String, String, String, String)> {
    Ok((
        case.code_name.clone(),
        case.status.as_str().to_string(),
        store::timestamp(case.received_at),
        store::timestamp(case.updated_at),
        serde_json::to_string(&case.sealed_summary()).map_err(store::conversion)?,
    ))
}

fn search_entry(text: &str, case: &str, event: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [text, case, event] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().into()
}

impl Replay {
    /// `case` is sealed from this copy: its events' payloads are not here to replay.
    pub(super) fn sealed_from_here(&mut self, case: CaseId) {
        self.sealed_from_here.insert(case);
    }

    /// Take the summaries readers signed of the cases sealed from this copy (see
    /// [`super::signed_summaries`]), `dag` being the verified history's.
    pub(super) fn sign_summaries(&mut self, conn: &Connection, dag: &Dag) -> rusqlite::Result<()> {
        self.signed = super::signed_summaries(conn, dag, &self.sealed_from_here)?;
        Ok(())
    }

    /// What stands for each case sealed from this copy, as it is stored: the newest summary a
    /// reader signed, with who reads it as its signed sealing events say (`None` for a case
    /// no reader signed one of: its stored summary stands, checked in `compare`).
    fn expected_summary(&self, conn: &Connection, id: CaseId) -> rusqlite::Result<Option<Case>> {
        let Some(signed) = self.signed.get(&id) else {
            return Ok(None);
        };
        let mut summary = signed.clone();
        // An expunged case is sealed from nobody: nothing of it is left to seal.
        summary.sealed = match summary.expunged {
            Some(_) => None,
            None => crate::sealing::sealing_of(conn, id)?,
        };
        // Its code name is the one this copy holds (settled with every other case's when
        // copies chose the same): a summary never renames a case onto another's name.
        if let Some(name) = stored_code_name(conn, id)? {
            summary.code_name = name;
        }
        self.rename_sealed(&mut summary);
        Ok(Some(summary.sealed_summary()))
    }

    /// The stored summaries of the cases sealed from this copy no reader signed a summary of,
    /// which stand for their state: each must be a sealed case's summary (nothing more), with
    /// no case replayed here under its id.
    fn stored_summaries(&self, conn: &Connection) -> rusqlite::Result<Vec<Case>> {
        let mut summaries = Vec::new();
        for id in &self.sealed_from_here {
            if self.signed.contains_key(id) {
                continue;
            }
            let state: Option<String> = conn
                .query_row(
                    "SELECT state FROM main.cases WHERE id = ?1",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            let Some(state) = state else { continue };
            let mut case: Case = serde_json::from_str(&state).map_err(store::conversion)?;
            self.rename_sealed(&mut case);
            summaries.push(case);
        }
        Ok(summaries)
    }

    /// A case sealed from this copy that opened after another under the same name takes the
    /// name the clash gives it (as on its readers' copies).
    fn rename_sealed(&self, case: &mut Case) {
        if let Some(clash) = self.clashes.iter().find(|c| c.later == case.id) {
            case.code_name.clone_from(&clash.name);
        }
    }

    /// The replayed cases, by id.
    fn cases(&self) -> impl Iterator<Item = (&CaseId, &Case)> {
        self.lines
            .iter()
            .filter_map(|(id, line)| line.state.as_ref().map(|c| (id, c)))
    }

    /// Whether the index entries of `case` are stored (not those of a sealed case).
    fn indexed(&self, case: &str) -> bool {
        let Ok(id) = uuid::Uuid::parse_str(case).map(CaseId) else {
            return true;
        };
        !self.sealed_from_here.contains(&id)
            && self
                .lines
                .get(&id)
                .and_then(|l| l.state.as_ref())
                .is_none_or(|c| c.sealed.is_none() && c.expunged.is_none())
    }

    /// Feed the case event `event` of commit `n` (followed in its commit by `later`) through
    /// the engine, judged against its case as the history so far holds it. An event that did
    /// not see every earlier change of its case marks the case for a replay in its own past
    /// at the end ([`Replay::finish`]).
    pub(super) fn feed(&mut self, n: usize, event: &Event, later: &[Event], dag: &Dag) {
        let Some(id) = event.case else { return };
        if matches!(event.kind, EventKind::Erased { .. }) {
            self.erased.insert(id);
        }
        let line = self.lines.entry(id).or_default();
        if !line.seen_by(dag.ancestry(), n) {
            self.again.insert(id);
        }
        let was_open = line.state.is_some();
        let context = line.context(n, later, dag.floor(n));
        let step = engine::step(
            &mut line.state,
            None,
            &Signer::of(dag, n),
            event,
            context,
            None,
        );
        if !was_open && line.state.is_some() {
            self.opened.push((id, event.id, event.author, event.at));
            self.opened_in.push(n);
        }
        if let (Step::Held(why) | Step::Concurrent(why), None) = (&step, &line.state) {
            self.orphans.push((event.id, why.clone()));
        }
        line.touched(
            dag.ancestry(),
            n,
            matches!(event.kind, EventKind::CaseOpened { .. }),
        );
        if let Some(text) = event.kind.search_text() {
            self.search.push((
                id,
                search_entry(&text, &id.to_string(), &event.id.to_string()),
            ));
        }
        if let EventKind::PartyAdded { party } = &event.kind {
            self.parties.push((
                party.id.0.to_string(),
                id.to_string(),
                party.person.0.to_string(),
                party.role.as_str().to_string(),
            ));
        }
    }

    /// After every event: replay again, each event in its own causal past, the cases an event
    /// reached without seeing all that came before it, and those holding changes of members
    /// who lost their place (or key) at the same time on another copy (`flagged`, by commit;
    /// `commit_of` gives each event's commit); then rename cases that took a code name another
    /// case opened with first.
    pub(super) fn finish(
        &mut self,
        conn: &Connection,
        dag: &Dag,
        flagged: &HashMap<usize, Loss>,
        commit_of: &dyn Fn(&HashSet<String>) -> HashMap<String, usize>,
    ) -> rusqlite::Result<()> {
        let mut again = std::mem::take(&mut self.again);
        if !flagged.is_empty() {
            let authors: HashSet<String> =
                flagged.keys().map(|&k| dag.author(k).to_string()).collect();
            for id in self.lines.keys() {
                if again.contains(id) {
                    continue;
                }
                let touched: bool = conn
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM main.events
                         WHERE case_id = ?1 AND author IN (SELECT value FROM json_each(?2)))",
                    )?
                    .query_row(
                        rusqlite::params![
                            id.to_string(),
                            serde_json::to_string(&authors).map_err(store::conversion)?
                        ],
                        |r| r.get(0),
                    )?;
                if touched {
                    again.insert(*id);
                }
            }
        }
        if !again.is_empty() {
            let around = engine::Around { dag, flagged };
            let mut cases: Vec<(CaseId, Vec<Event>)> = Vec::new();
            let mut ids: HashSet<String> = HashSet::new();
            for id in &again {
                let events = store::case_events(conn, *id)?;
                ids.extend(events.iter().map(|e| e.id.to_string()));
                cases.push((*id, events));
            }
            let commits = commit_of(&ids);
            for (id, events) in cases {
                let placed: Vec<usize> = events
                    .iter()
                    .map(|e| commits.get(&e.id.to_string()).copied().unwrap_or(0))
                    .collect();
                let replayed = engine::replay_case(&events, &placed, &around);
                let event_ids: HashSet<Uuid> = events.iter().map(|e| e.id).collect();
                self.orphans.retain(|(e, _)| !event_ids.contains(e));
                self.orphans.extend(replayed.orphans);
                self.lines.entry(id).or_default().state = replayed.state;
            }
        }
        let mut cases: BTreeMap<CaseId, Case> = BTreeMap::new();
        for (id, line) in &mut self.lines {
            if let Some(case) = line.state.take() {
                cases.insert(*id, case);
            }
        }
        // Every case's opening in the order of commits: the replayed ones', and those of the
        // cases sealed from this copy, under the name this copy holds for them.
        let mut openings: Vec<(usize, Opening)> = self
            .opened
            .iter()
            .zip(&self.opened_in)
            .filter_map(|((id, event, by, at), n)| {
                cases.get(id).map(|case| {
                    (
                        *n,
                        Opening {
                            case: *id,
                            event: *event,
                            by: *by,
                            at: *at,
                            chosen: case.code_name.clone(),
                            held: None,
                        },
                    )
                })
            })
            .collect();
        let mut sealed = Vec::new();
        for id in &self.sealed_from_here {
            sealed.extend(sealed_opening(conn, *id)?);
        }
        // Where each opened: one pass over the commits for all of them (none without any).
        let placed = if sealed.is_empty() {
            HashMap::new()
        } else {
            commit_of(&sealed.iter().map(|(event, _)| event.clone()).collect())
        };
        for (event, opening) in sealed {
            openings.push((placed.get(&event).copied().unwrap_or(0), opening));
        }
        openings.sort_by_key(|(n, _)| *n);
        let openings: Vec<Opening> = openings.into_iter().map(|(_, o)| o).collect();
        self.clashes = clashes(&openings);
        settle_clashes(&mut cases, &self.clashes);
        for (id, case) in cases {
            self.lines.entry(id).or_default().state = Some(case);
        }
        Ok(())
    }

    /// A case whose events hold erased payloads though no approved expunge erased it (after
    /// [`Replay::finish`]): its content was removed by other means.
    pub(super) fn erased_without_expunge(&self) -> Option<CaseId> {
        self.erased.iter().copied().find(|id| {
            self.lines
                .get(id)
                .and_then(|l| l.state.as_ref())
                .is_none_or(|c| c.expunged.is_none())
        })
    }

    /// Every event not applied: of the committee (`held`), of no case, and of every replayed
    /// case this copy reads (for the log).
    fn committee_held(&self, held: &[(Uuid, String)]) -> Vec<(Uuid, String)> {
        let mut all: Vec<(Uuid, String)> = held.iter().chain(&self.orphans).cloned().collect();
        all.sort();
        all.dedup_by(|a, b| a.0 == b.0);
        all
    }

    /// Write the replayed cases and the committee over the stored derived tables. The search
    /// and party indexes are the caller's: their entries do not depend on the order of events.
    pub(super) fn write(
        &self,
        conn: &Connection,
        committee: &CommitteeState<'_>,
    ) -> rusqlite::Result<()> {
        // A summary stands for a case sealed from this copy, with who may read it as the
        // case's signed sealing events say (whatever the stored one claims).
        let mut summaries = self.stored_summaries(conn)?;
        for summary in &mut summaries {
            summary.sealed = match summary.expunged {
                Some(_) => None,
                None => crate::sealing::sealing_of(conn, summary.id)?,
            };
            *summary = summary.sealed_summary();
        }
        for id in &self.sealed_from_here {
            summaries.extend(self.expected_summary(conn, *id)?);
        }
        conn.execute_batch("DELETE FROM cases; DELETE FROM temp.open_cases;")?;
        let replayed: Vec<&Case> = self.cases().map(|(_, c)| c).collect();
        for case in replayed.into_iter().chain(&summaries) {
            if self.sealed_from_here.contains(&case.id)
                && self.lines.get(&case.id).is_some_and(|l| l.state.is_some())
            {
                continue;
            }
            store::write_state(conn, case)?;
        }
        write_committee(
            conn,
            committee.committee,
            committee.attention,
            &self.committee_held(&committee.held),
        )
    }

    /// Write every derived table again from the replay, the text and party indexes included,
    /// where one was changed outside casebook: the history is what counts.
    pub(super) fn repair(
        &self,
        conn: &Connection,
        committee: &CommitteeState<'_>,
    ) -> rusqlite::Result<()> {
        self.write(conn, committee)?;
        // Members nobody's event names and the history does not give were planted.
        let ids: Vec<String> = committee
            .committee
            .members()
            .iter()
            .map(|m| m.id.to_string())
            .collect();
        conn.execute(
            "DELETE FROM members WHERE id NOT IN (SELECT value FROM json_each(?1))
             AND id NOT IN (SELECT author FROM events)",
            [serde_json::to_string(&ids).map_err(store::conversion)?],
        )?;
        conn.execute_batch("DELETE FROM main.search; DELETE FROM main.parties;")?;
        let mut stmt = conn.prepare(
            "SELECT id, case_id, author, at, amends, payload FROM main.events
             WHERE case_id IS NOT NULL ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let case: String = row.get(1)?;
            if !self.indexed(&case) {
                continue;
            }
            let payload: String = row.get(5)?;
            let Ok(kind) = serde_json::from_str::<EventKind>(&payload) else {
                continue;
            };
            let event = Event {
                id: Uuid::parse_str(&row.get::<_, String>(0)?).map_err(store::conversion)?,
                case: Some(CaseId(Uuid::parse_str(&case).map_err(store::conversion)?)),
                author: MemberId(
                    Uuid::parse_str(&row.get::<_, String>(2)?).map_err(store::conversion)?,
                ),
                at: super::parse_time(&row.get::<_, String>(3)?),
                amends: None,
                kind,
            };
            if let Some(id) = event.case {
                store::index_event(conn, id, &event)?;
            }
        }
        Ok(())
    }

    /// Compare the stored derived tables with the replayed ones.
    pub(super) fn compare(
        &self,
        conn: &Connection,
        path: &Path,
        committee: &CommitteeState<'_>,
    ) -> Result<(), Error> {
        let db = |e| Error::database(path, e);
        let mismatch = |what: String| Error::DerivedMismatch {
            path: path.to_path_buf(),
            what,
        };
        let mut stored = store::roster(conn).map_err(db)?.members().to_vec();
        let mut expected = committee.committee.members().to_vec();
        stored.sort_by_key(|m| m.id);
        expected.sort_by_key(|m| m.id);
        if stored != expected {
            return Err(mismatch("the roster".into()));
        }
        let mut extra: Vec<(String, String)> = conn
            .prepare("SELECT recipient, added_at FROM extra_recipients")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(db)?;
        let mut expected_extra: Vec<(String, String)> = committee
            .committee
            .extra_recipients()
            .iter()
            .map(|(r, at)| (r.clone(), store::timestamp(*at)))
            .collect();
        extra.sort();
        expected_extra.sort();
        if extra != expected_extra {
            return Err(mismatch("the list of recipients".into()));
        }
        if store::settings(conn).map_err(db)? != committee.committee.settings()
            || store::committee(conn).map_err(db)?.as_ref() != Some(committee.committee)
        {
            return Err(mismatch("the committee's rules".into()));
        }
        if store::attention(conn).map_err(db)? != committee.attention
            || store::held(conn).map_err(db)? != self.committee_held(&committee.held)
        {
            return Err(mismatch("the list of changes that need attention".into()));
        }
        type Stored = (String, String, String, String, String);
        let stored_cases: HashMap<String, Stored> = conn
            .prepare("SELECT id, code_name, status, received_at, updated_at, state FROM cases")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
                    ))
                })?
                .collect()
            })
            .map_err(db)?;
        let mut cases: BTreeMap<CaseId, Case> =
            self.cases().map(|(id, c)| (*id, c.clone())).collect();
        for summary in self.stored_summaries(conn).map_err(db)? {
            let name = summary.code_name.clone();
            if !sealing_within(conn, &summary).map_err(db)?
                || summary.sealed_summary() != summary
                || cases.contains_key(&summary.id)
            {
                return Err(mismatch(format!("the state of case {name}")));
            }
            cases.insert(summary.id, summary);
        }
        // A summary a reader signed is stored as it is (a copy the case is sealed from
        // cannot tell a status it rewrote from one it was given otherwise), but for who reads
        // it: the reader who saved it last says so as their copy judged the sealings (see
        // `sealing_within`).
        for id in &self.sealed_from_here {
            let Some(expected) = self.expected_summary(conn, *id).map_err(db)? else {
                continue;
            };
            let name = expected.code_name.clone();
            let row = stored_cases.get(&id.to_string());
            let agrees = match row.and_then(|r| serde_json::from_str::<Case>(&r.4).ok()) {
                Some(mut stored) if sealing_within(conn, &stored).map_err(db)? => {
                    stored.sealed.clone_from(&expected.sealed);
                    let want = stored_row(&expected).map_err(db)?;
                    let columns = |r: &Stored| (r.0.clone(), r.1.clone(), r.2.clone(), r.3.clone());
                    row.map(columns) == Some((want.0, want.1, want.2, want.3)) && stored == expected
                }
                _ => false,
            };
            if cases.contains_key(id) || !agrees {
                return Err(mismatch(format!("the summary of case {name}")));
            }
            cases.insert(*id, expected);
        }
        if stored_cases.len() != cases.len() {
            return Err(mismatch("the list of cases".into()));
        }
        for (id, case) in &cases {
            // A sealed case this copy reads is stored as its summary, for the copies it is
            // sealed from; the last one to save may have been one of them, unable to bring
            // it up to date. What this copy shows is replayed here, and the summary is
            // written again when it differs (see `sealing::settle`).
            if case.sealed.is_some() {
                if !stored_cases.contains_key(&id.to_string()) {
                    return Err(mismatch(format!("the state of case {}", case.code_name)));
                }
                continue;
            }
            let row = stored_row(case).map_err(db)?;
            if stored_cases.get(&id.to_string()) != Some(&row) {
                return Err(mismatch(format!("the state of case {}", case.code_name)));
            }
        }
        let mut parties: Vec<(String, String, String, String)> = conn
            .prepare("SELECT party_id, case_id, person_id, role FROM parties")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect()
            })
            .map_err(db)?;
        parties.sort();
        let mut expected_parties: Vec<(String, String, String, String)> = self
            .parties
            .iter()
            .filter(|p| self.indexed(&p.1))
            .cloned()
            .collect();
        expected_parties.sort();
        expected_parties.dedup_by(|a, b| a.0 == b.0);
        if parties != expected_parties {
            return Err(mismatch("the index of parties".into()));
        }
        let mut search: Vec<[u8; 32]> = conn
            .prepare("SELECT text, case_id, event_id FROM search")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let (t, c, e): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                    Ok(search_entry(&t, &c, &e))
                })?
                .collect()
            })
            .map_err(db)?;
        search.sort_unstable();
        let mut expected: Vec<[u8; 32]> = self
            .search
            .iter()
            .filter(|(case, _)| self.indexed(&case.to_string()))
            .map(|(_, hash)| *hash)
            .collect();
        expected.sort_unstable();
        if search != expected {
            return Err(mismatch("the search index".into()));
        }
        // The index's own structures must say what its rows say.
        conn.execute_batch("INSERT INTO search (search) VALUES ('integrity-check');")
            .map_err(|_| mismatch("the search index".into()))?;
        Ok(())
    }

    /// The full states of the sealed cases this copy reads, replayed from their content in
    /// memory (the file holds only their summaries).
    pub(super) fn readable_sealed(&self) -> impl Iterator<Item = &Case> {
        self.cases()
            .filter(|(id, c)| c.sealed.is_some() && !self.sealed_from_here.contains(id))
            .map(|(_, c)| c)
    }
}

/// Write `committee` (with the changes that need `attention` and the events not applied,
/// `held`) over the stored roster, recipients, rules and attention list.
pub(crate) fn write_committee(
    conn: &Connection,
    committee: &Committee,
    attention: &[Attention],
    held: &[(Uuid, String)],
) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM extra_recipients; DELETE FROM settings; DELETE FROM attention;",
    )?;
    // Members are never deleted (events name them): each is written over.
    for member in committee.members() {
        store::insert_member(conn, member)?;
    }
    for (recipient, at) in committee.extra_recipients() {
        store::insert_extra_recipient(conn, recipient, *at)?;
    }
    // Rules are stored once they were changed (files that never changed them keep no row).
    let changed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM events WHERE case_id IS NULL AND kind = 'settings-changed')",
        [],
        |r| r.get(0),
    )?;
    if changed {
        store::write_settings(conn, &committee.settings())?;
    }
    store::write_committee(conn, committee)?;
    store::write_held(conn, held)?;
    store::write_attention(conn, attention)
}

/// A case's opening, in the order cases were opened: the event, who opened it and when, and
/// the code name it chose.
pub(super) struct Opening {
    pub(super) case: CaseId,
    pub(super) event: uuid::Uuid,
    pub(super) by: casebook_core::roster::MemberId,
    pub(super) at: chrono::DateTime<chrono::Utc>,
    pub(super) chosen: String,
    /// For a case sealed from this copy: the name this copy holds for it, which no other case
    /// may take (it may differ from `chosen`, which is read from it).
    pub(super) held: Option<String>,
}

/// A case that opened with a code name another case opened with first: the name it takes
/// instead, and what each of the two holds for a member's attention.
pub(super) struct Clash {
    pub(super) first: CaseId,
    pub(super) later: CaseId,
    pub(super) name: String,
    first_item: Attention,
    later_item: Attention,
}

/// Two cases opened with one code name (on two copies): the one opened first keeps it, every
/// later one gets the name with the start of its id added, and both say so. `openings` are
/// every case's, in the order they were opened.
pub(super) fn clashes(openings: &[Opening]) -> Vec<Clash> {
    let mut taken: HashMap<&str, CaseId> = HashMap::new();
    let mut found = Vec::new();
    for opening in openings {
        let names = std::iter::once(opening.chosen.as_str()).chain(opening.held.as_deref());
        let first = names
            .clone()
            .find_map(|name| taken.get(name).filter(|id| **id != opening.case));
        match first {
            Some(first) => found.push((*first, opening)),
            None => {
                for name in names {
                    taken.insert(name, opening.case);
                }
            }
        }
    }
    let mut names: HashMap<String, CaseId> = taken
        .into_iter()
        .map(|(name, id)| (name.to_string(), id))
        .collect();
    let mut clashes = Vec::with_capacity(found.len());
    for (first, later) in found {
        let chosen = &later.chosen;
        let hex = later.case.0.simple().to_string();
        let name = (4..=hex.len())
            .map(|n| format!("{chosen}-{}", &hex[..n]))
            .find(|n| !names.contains_key(n))
            .unwrap_or_else(|| format!("{chosen}-{hex}"));
        names.insert(name.clone(), later.case);
        // Both items are about the later case's opening, which a resolution names.
        let item = |other: CaseId, renamed: bool| Attention {
            event: later.event,
            by: later.by,
            at: later.at,
            what: Trouble::CodeName {
                chosen: chosen.clone(),
                other,
                renamed,
            },
        };
        clashes.push(Clash {
            first,
            later: later.case,
            name,
            first_item: item(later.case, false),
            later_item: item(first, true),
        });
    }
    clashes
}

/// Rename and hold what `clashes` says on the cases among `cases`.
pub(super) fn settle_clashes(cases: &mut BTreeMap<CaseId, Case>, clashes: &[Clash]) {
    for clash in clashes {
        if let Some(case) = cases.get_mut(&clash.later) {
            case.rename(clash.name.clone());
            case.hold(clash.later_item.clone());
        }
        if let Some(case) = cases.get_mut(&clash.first) {
            case.hold(clash.first_item.clone());
        }
    }
}

/// The opening of case `id`, sealed from this copy: its `case-opened` event (its id, and the
/// opening), with the code name the case chose as far as this copy can tell: the one it holds,
/// less the start of the case's own id that a clash added (see [`clashes`]). `None` when this
/// copy holds no name for it yet.
pub(super) fn sealed_opening(
    conn: &Connection,
    id: CaseId,
) -> rusqlite::Result<Option<(String, Opening)>> {
    let Some(stored) = stored_code_name(conn, id)? else {
        return Ok(None);
    };
    let row: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT id, author, at FROM main.events WHERE case_id = ?1 AND kind = 'case-opened'
             ORDER BY seq LIMIT 1",
        )?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((event, author, at)) = row else {
        return Ok(None);
    };
    let (Ok(event_id), Ok(author)) = (Uuid::parse_str(&event), Uuid::parse_str(&author)) else {
        return Ok(None);
    };
    Ok(Some((
        event,
        Opening {
            case: id,
            event: event_id,
            by: MemberId(author),
            at: super::parse_time(&at),
            chosen: chosen_name(&stored, id),
            held: Some(stored),
        },
    )))
}

/// The code name case `id` chose, given the one a copy holds: a clash renames the later case
/// to its name and the start of its id (four hex digits or more), which this takes off.
pub(super) fn chosen_name(held: &str, id: CaseId) -> String {
    let hex = id.0.simple().to_string();
    if let Some((chosen, suffix)) = held.rsplit_once('-')
        && suffix.len() >= 4
        && hex.starts_with(suffix)
    {
        return chosen.to_string();
    }
    held.to_string()
}

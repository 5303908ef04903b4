//! Rows to domain types and back. The only place that knows the table layout besides the
//! migrations in [`super::schema`].

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use casebook_core::attention::Attention;
use casebook_core::case::{Case, CaseId, Status};
use casebook_core::event::{Event, EventKind};
use casebook_core::party::PersonId;
use casebook_core::process::Settings;
use casebook_core::roster::{Member, MemberId, Roster};

use super::sealing;

/// Timestamps are stored as RFC 3339 UTC with nanoseconds (fixed width, so they sort as text,
/// and exactly what the event holds, so replaying stored events gives the same state).
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

fn parse_uuid(text: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn conversion<E: std::error::Error + Send + Sync + 'static>(e: E) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// The newest event's seq (0 for none).
pub(crate) fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))
}

/// Each member's address as the history records it (when it joined or last changed).
pub(crate) fn emails_in_history(
    conn: &Connection,
) -> rusqlite::Result<std::collections::HashMap<MemberId, Option<String>>> {
    let mut stmt = conn.prepare(
        "SELECT payload FROM events WHERE kind IN ('member-added', 'member-email-changed')
         ORDER BY seq",
    )?;
    let mut emails = std::collections::HashMap::new();
    for payload in stmt.query_map([], |r| r.get::<_, String>(0))? {
        match serde_json::from_str(&payload?).map_err(conversion)? {
            EventKind::MemberAdded { member, email, .. }
            | EventKind::MemberEmailChanged { member, email } => {
                emails.insert(member, email);
            }
            _ => {}
        }
    }
    Ok(emails)
}

/// Every member, in the order they joined.
pub(crate) fn roster(conn: &Connection) -> rusqlite::Result<Roster> {
    let mut stmt = conn.prepare(
        "SELECT id, name, email, role, recipient, added_at, removed_at
         FROM members ORDER BY added_at, name",
    )?;
    let members = stmt
        .query_map([], |row| {
            let removed: Option<String> = row.get(6)?;
            Ok(Member {
                id: MemberId(parse_uuid(&row.get::<_, String>(0)?)?),
                name: row.get(1)?,
                email: row.get(2)?,
                role: row.get::<_, String>(3)?.parse().map_err(conversion)?,
                recipient: row.get(4)?,
                added_at: parse_time(&row.get::<_, String>(5)?)?,
                removed_at: removed.as_deref().map(parse_time).transpose()?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Roster::new(members))
}

/// Add `member`, or write them over the stored member with their id (a merge rewrites the
/// roster it replayed; members are never deleted, as events name them).
pub(crate) fn insert_member(conn: &Connection, member: &Member) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO members (id, name, email, role, recipient, added_at, removed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
             role = excluded.role, recipient = excluded.recipient,
             added_at = excluded.added_at, removed_at = excluded.removed_at",
        params![
            member.id.to_string(),
            member.name,
            member.email,
            member.role.as_str(),
            member.recipient,
            timestamp(member.added_at),
            member.removed_at.map(timestamp),
        ],
    )?;
    Ok(())
}

/// Recipients that are not members.
pub(crate) fn extra_recipients(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT recipient FROM extra_recipients ORDER BY added_at")?;
    stmt.query_map([], |row| row.get(0))?.collect()
}

pub(crate) fn insert_extra_recipient(
    conn: &Connection,
    recipient: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO extra_recipients (recipient, added_at) VALUES (?1, ?2)",
        params![recipient, timestamp(at)],
    )?;
    Ok(())
}

/// Append `event` to the history. `state` is the event's case after applying it (derived by
/// the caller with [`Case::apply`]); the derived tables are updated from it. `sealing` says
/// that the commit it is part of seals its case (its kind is then kept inside its payload, as
/// in a case sealed already: see [`sealing::stored_kind`]).
pub(crate) fn append_event(
    conn: &Connection,
    event: &Event,
    state: Option<&Case>,
    salt: &[u8; 16],
    sealing: bool,
) -> rusqlite::Result<()> {
    let payload = casebook_core::event::payload_text(&event.kind, salt);
    // In a case sealed here and readable, the file gets the stub and memory the payload (see
    // `sealing`); a `case-sealed` event is never sealed.
    let case_text = event.case.map(|c| c.to_string());
    let sealed = match &case_text {
        Some(case)
            if !matches!(event.kind, EventKind::CaseSealed { .. })
                && !sealing::never_sealed(event.kind.name()) =>
        {
            sealing::here(conn, case)? == sealing::Here::Readable
        }
        _ => false,
    };
    let stored = if sealed {
        sealing::stub(&payload)
    } else {
        payload.clone()
    };
    let kind = sealing::stored_kind(&event.kind, sealed || (sealing && case_text.is_some()));
    conn.prepare_cached(
        "INSERT INTO events (id, case_id, author, at, kind, amends, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        event.id.to_string(),
        case_text,
        event.author.to_string(),
        timestamp(event.at),
        kind,
        event.amends.map(|a| a.to_string()),
        stored,
    ])?;
    // The writer knows why it kept a member out: memory keeps it, the file its sealed form.
    if let (
        EventKind::CaseSealed {
            access:
                casebook_core::event::Access::Excluded {
                    why: Some(_),
                    why_sealed: Some(_),
                    ..
                },
            ..
        },
        Some(case),
    ) = (&event.kind, event.case)
    {
        sealing::remember_reason(conn, case, event.id, &event.kind)?;
    }
    if let (true, Some(case)) = (sealed, &case_text) {
        conn.prepare_cached(
            "INSERT INTO temp.open_payloads (id, case_id, payload) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![event.id.to_string(), case, payload])?;
        sealing::touch(conn, case)?;
    }
    if let (Some(case), Some(state)) = (event.case, state) {
        index_event(conn, case, event)?;
        write_state(conn, state)?;
    }
    Ok(())
}

/// Append a whole new case at once (bulk generation): its events, their index rows, and
/// its final derived state, written once.
pub(crate) fn append_case(conn: &Connection, events: &[Event]) -> rusqlite::Result<()> {
    let Some(case) = Case::replay(events) else {
        return Ok(());
    };
    for event in events {
        append_event(conn, event, None, &rand::random(), false)?;
        index_event(conn, case.id, event)?;
    }
    write_state(conn, &case)
}

/// The search text and person links an event adds.
pub(crate) fn index_event(conn: &Connection, case: CaseId, event: &Event) -> rusqlite::Result<()> {
    // A sealed case is indexed in memory only, and only where it can be read.
    let (search, parties) = match sealing::index_to(conn, &case.to_string())? {
        sealing::IndexTo::File => (
            "INSERT INTO main.search (text, case_id, event_id) VALUES (?1, ?2, ?3)",
            "INSERT OR REPLACE INTO main.parties (party_id, case_id, person_id, role)
             VALUES (?1, ?2, ?3, ?4)",
        ),
        sealing::IndexTo::Memory => (
            "INSERT INTO temp.open_search (text, case_id, event_id) VALUES (?1, ?2, ?3)",
            "INSERT OR REPLACE INTO temp.open_parties (party_id, case_id, person_id, role)
             VALUES (?1, ?2, ?3, ?4)",
        ),
        sealing::IndexTo::Nowhere => return Ok(()),
    };
    if let Some(text) = event.kind.search_text() {
        conn.prepare_cached(search)?.execute(params![
            text,
            case.to_string(),
            event.id.to_string()
        ])?;
    }
    if let EventKind::PartyAdded { party } = &event.kind {
        conn.prepare_cached(parties)?.execute(params![
            party.id.0.to_string(),
            case.to_string(),
            party.person.0.to_string(),
            party.role.as_str()
        ])?;
    }
    Ok(())
}

/// Store a case's derived state. A sealed case is stored as its summary
/// ([`Case::sealed_summary`]); its full state, when given, is held in memory only.
pub(crate) fn write_state(conn: &Connection, case: &Case) -> rusqlite::Result<()> {
    let summary = case.sealed_summary();
    if case.sealed.is_some() && summary != *case {
        conn.prepare_cached("INSERT OR REPLACE INTO temp.open_cases (id, state) VALUES (?1, ?2)")?
            .execute(params![
                case.id.to_string(),
                serde_json::to_string(case).map_err(conversion)?
            ])?;
    }
    let case = &summary;
    let state = serde_json::to_string(case).map_err(conversion)?;
    conn.prepare_cached(
        "INSERT INTO cases (id, code_name, status, received_at, updated_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET code_name = excluded.code_name, status = excluded.status,
             updated_at = excluded.updated_at, state = excluded.state",
    )?
    .execute(params![
        case.id.to_string(),
        case.code_name,
        case.status.as_str(),
        timestamp(case.received_at),
        timestamp(case.updated_at),
        state
    ])?;
    Ok(())
}

/// Rebuild every derived table (cases, parties, search) by replaying the history.
pub(crate) fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM cases; DELETE FROM parties; DELETE FROM search;")?;
    let mut current: Option<Case> = None;
    let mut stmt = conn.prepare(
        "SELECT id, case_id, author, at, amends, payload, kind FROM events
         WHERE case_id IS NOT NULL ORDER BY case_id, seq",
    )?;
    let events = stmt.query_map([], event_from_row)?;
    for event in events {
        let event = event?;
        let Some(case_id) = event.case else { continue };
        match current.as_mut() {
            Some(case) if case.id == case_id => case.apply(&event),
            _ => {
                if let Some(done) = current.take() {
                    write_state(conn, &done)?;
                }
                current = Case::opened(case_id, &event);
            }
        }
        index_event(conn, case_id, &event)?;
    }
    if let Some(done) = current {
        write_state(conn, &done)?;
    }
    Ok(())
}

/// An event from its row: id, case, author, at, amends, payload and kind, in that order (an
/// erased payload is read as [`EventKind::Erased`]: see [`super::expunge`]).
fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let case: Option<String> = row.get(1)?;
    let amends: Option<String> = row.get(4)?;
    let payload: String = row.get(5)?;
    let kind = if super::expunge::is_marker(&payload) {
        EventKind::Erased { was: row.get(6)? }
    } else {
        serde_json::from_str(&payload).map_err(conversion)?
    };
    Ok(Event {
        id: parse_uuid(&row.get::<_, String>(0)?)?,
        case: case.as_deref().map(parse_uuid).transpose()?.map(CaseId),
        author: MemberId(parse_uuid(&row.get::<_, String>(2)?)?),
        at: parse_time(&row.get::<_, String>(3)?)?,
        amends: amends.as_deref().map(parse_uuid).transpose()?,
        kind,
    })
}

/// Every case's derived state.
pub(crate) fn cases(conn: &Connection) -> rusqlite::Result<Vec<Case>> {
    let mut stmt = conn.prepare("SELECT state FROM cases_open")?;
    let rows = stmt.query_map([], |row| {
        let state: String = row.get(0)?;
        serde_json::from_str::<Case>(&state).map_err(conversion)
    })?;
    rows.collect()
}

/// One case's state as this copy holds it (its summary when sealed from it).
pub(crate) fn case_state(conn: &Connection, case: CaseId) -> rusqlite::Result<Option<Case>> {
    conn.query_row(
        "SELECT state FROM cases_open WHERE id = ?1",
        [case.to_string()],
        |r| r.get::<_, String>(0),
    )
    .optional()?
    .map(|state| serde_json::from_str(&state).map_err(conversion))
    .transpose()
}

/// A case's `case-sealed` events, oldest first (never sealed themselves), with the reasons this
/// copy could open (see `sealing::open_reasons`).
pub(crate) fn sealing_events(conn: &Connection, case: CaseId) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.case_id, e.author, e.at, e.amends, coalesce(r.payload, e.payload), e.kind
         FROM main.events e LEFT JOIN temp.open_reasons r ON r.id = e.id
         WHERE e.case_id = ?1 AND e.kind = 'case-sealed' ORDER BY e.seq",
    )?;
    let rows = stmt.query_map([case.to_string()], event_from_row)?;
    rows.collect()
}

/// One case's history, oldest first.
pub(crate) fn case_events(conn: &Connection, case: CaseId) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.case_id, e.author, e.at, e.amends, coalesce(r.payload, e.payload), e.kind
         FROM events_open e LEFT JOIN temp.open_reasons r ON r.id = e.id
         WHERE e.case_id = ?1 AND e.payload NOT LIKE '{\"sealed\":%' ORDER BY e.seq",
    )?;
    let rows = stmt.query_map([case.to_string()], event_from_row)?;
    rows.collect()
}

/// The rows of the events the committee follows, as an SQL condition (see
/// [`casebook_core::history::Committee::follows`]).
pub(crate) const FOLLOWED: &str = "case_id IS NULL OR kind = 'case-sealed'";

/// The events the committee follows (see [`casebook_core::history::Committee::follows`]):
/// committee-wide ones (roster, keys, rules) and who reads each sealed case, oldest first.
pub(crate) fn committee_events(conn: &Connection) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, case_id, author, at, amends, payload, kind FROM events
         WHERE {FOLLOWED} ORDER BY seq"
    ))?;
    let rows = stmt.query_map([], event_from_row)?;
    rows.collect()
}

/// The committee's rules (defaults until changed).
pub(crate) fn settings(conn: &Connection) -> rusqlite::Result<Settings> {
    let json: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'rules'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    match json {
        Some(json) => serde_json::from_str(&json).map_err(conversion),
        None => Ok(Settings::default()),
    }
}

/// Store the committee's rules.
pub(crate) fn write_settings(conn: &Connection, settings: &Settings) -> rusqlite::Result<()> {
    let json = serde_json::to_string(settings).map_err(conversion)?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('rules', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [json],
    )?;
    Ok(())
}

/// The committee as the last replay of the history left it (roster, rules, pending motions,
/// keys ever held); `None` in a file written before it was stored.
pub(crate) fn committee(
    conn: &Connection,
) -> rusqlite::Result<Option<casebook_core::history::Committee>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'committee'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    json.map(|json| serde_json::from_str(&json).map_err(conversion))
        .transpose()
}

/// Store the committee a replay gives (see [`committee`]).
pub(crate) fn write_committee(
    conn: &Connection,
    committee: &casebook_core::history::Committee,
) -> rusqlite::Result<()> {
    let json = serde_json::to_string(committee).map_err(conversion)?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('committee', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [json],
    )?;
    Ok(())
}

/// The committee-wide events not applied (and those of no case), with why, by event id. A
/// case's own are in its state.
pub(crate) fn held(conn: &Connection) -> rusqlite::Result<Vec<(Uuid, String)>> {
    let json: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = 'held'", [], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(match json {
        Some(json) => serde_json::from_str(&json).map_err(conversion)?,
        None => Vec::new(),
    })
}

/// Store the committee-wide events not applied (see [`held`]); none stores nothing.
pub(crate) fn write_held(conn: &Connection, held: &[(Uuid, String)]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM settings WHERE key = 'held'", [])?;
    if !held.is_empty() {
        let json = serde_json::to_string(held).map_err(conversion)?;
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('held', ?1)",
            [json],
        )?;
    }
    Ok(())
}

/// The roster changes a merge could not apply, which need a member's attention.
pub(crate) fn attention(conn: &Connection) -> rusqlite::Result<Vec<Attention>> {
    let mut stmt = conn.prepare("SELECT state FROM attention ORDER BY seq")?;
    let rows = stmt.query_map([], |row| {
        let state: String = row.get(0)?;
        serde_json::from_str::<Attention>(&state).map_err(conversion)
    })?;
    rows.collect()
}

/// Replace the stored roster changes that need attention.
pub(crate) fn write_attention(conn: &Connection, items: &[Attention]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM attention", [])?;
    for item in items {
        let state = serde_json::to_string(item).map_err(conversion)?;
        conn.execute("INSERT INTO attention (state) VALUES (?1)", [state])?;
    }
    Ok(())
}

/// Other cases the same person appears in: (case id, their role there).
pub(crate) fn cases_of_person(
    conn: &Connection,
    person: PersonId,
) -> rusqlite::Result<Vec<(CaseId, String)>> {
    sealing::ensure_indexed(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT case_id, role FROM parties_open WHERE person_id = ?1 ORDER BY case_id",
    )?;
    let rows = stmt.query_map([person.0.to_string()], |row| {
        Ok((CaseId(parse_uuid(&row.get::<_, String>(0)?)?), row.get(1)?))
    })?;
    rows.collect()
}

/// A full-text search hit.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hit {
    pub case: CaseId,
    pub event: Uuid,
    pub snippet: String,
    pub rank: f64,
    /// The indexed text, to check against the event it came from.
    pub text: String,
}

/// How many of the most recent matching entries are ranked. Ranking every match of a very
/// common word in a million events takes half a second; a window keeps search interactive.
/// Queries with fewer matches than this are ranked in full.
const SEARCH_WINDOW: i64 = 2_000;

/// Ranked full-text search. Every word of `query` must occur (the last as a prefix, so results
/// update as one types); FTS5 syntax in the query is treated as plain text. Results are the best
/// `limit` by BM25 among the [`SEARCH_WINDOW`] most recent matching entries.
pub(crate) fn search(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Vec<Hit>> {
    // Every word must occur; the last one, being typed, as a prefix once it has three
    // letters (a one- or two-letter prefix matches half the vocabulary).
    let words: Vec<&str> = query.split_whitespace().collect();
    let quoted = |word: &str| format!("\"{}\"", word.replace('"', "\"\""));
    let Some((last, before)) = words.split_last() else {
        return Ok(Vec::new());
    };
    let before: Vec<String> = before.iter().map(|w| quoted(w)).collect();
    let prefix = last.chars().count() >= 3;
    sealing::ensure_indexed(conn)?;
    let marked = casebook_core::snippet::Terms::new(query);
    let mut best: Vec<(&str, i64, f64)> = Vec::new();
    // The file's index, and the in-memory index of the sealed cases this copy can read: the
    // best `limit` by rank among each one's most recent matches. The text of those few is
    // read by rowid afterwards, and their snippets made from it: asking SQLite for
    // `snippet()` evaluates the match again for every hit, which for a word in a quarter of a
    // million entries took most of a second.
    for (table, schema) in [("main.search", "main"), ("temp.open_search", "temp")] {
        let name = table.split('.').nth(1).unwrap_or(table);
        let last = match prefix {
            true => match only_completion(conn, schema, name, last)? {
                Some(term) => quoted(&term),
                None => quoted(last) + "*",
            },
            false => quoted(last),
        };
        let mut terms = before.clone();
        terms.push(last);
        let mut stmt = conn.prepare_cached(&format!(
            "WITH recent AS (
                 SELECT rowid AS id, rank FROM {table} WHERE {name} MATCH ?1
                 ORDER BY rowid DESC LIMIT ?3)
             SELECT id, rank FROM recent ORDER BY rank LIMIT ?2"
        ))?;
        let rows = stmt.query_map(
            params![terms.join(" "), limit as i64, SEARCH_WINDOW],
            |row| Ok((table, row.get::<_, i64>(0)?, row.get::<_, f64>(1)?)),
        )?;
        for row in rows {
            best.push(row?);
        }
    }
    best.sort_by(|a, b| a.2.total_cmp(&b.2));
    best.truncate(limit);
    let mut hits = Vec::with_capacity(best.len());
    for (table, rowid, rank) in best {
        let (case, event, text): (String, String, String) = conn
            .prepare_cached(&format!(
                "SELECT case_id, event_id, text FROM {table} WHERE rowid = ?1"
            ))?
            .query_row([rowid], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        hits.push(Hit {
            case: CaseId(parse_uuid(&case)?),
            event: parse_uuid(&event)?,
            snippet: casebook_core::snippet::snippet(&text, &marked),
            rank,
            text,
        });
    }
    Ok(hits)
}

/// The one word of index `schema.name` that starts with `prefix`, when exactly one does: a
/// prefix query makes FTS5 merge the lists of every word it matches, up front and once more
/// for the ranking, which for a word in a quarter of all entries costs more than the rest of
/// a search; the word itself is looked up directly.
fn only_completion(
    conn: &Connection,
    schema: &str,
    name: &str,
    prefix: &str,
) -> rusqlite::Result<Option<String>> {
    // Only a plain word is completed here (the index folds case and diacritics as
    // [`casebook_core::snippet::fold`] does); anything else keeps FTS5's own prefix query.
    if !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let folded = prefix.to_ascii_lowercase();
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.{name}_words USING fts5vocab({schema}, {name}, row)"
    ))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT term FROM temp.{name}_words WHERE term >= ?1 AND term < ?2 LIMIT 2"
    ))?;
    let words: Vec<String> = stmt
        .query_map(params![folded, format!("{folded}\u{10FFFF}")], |row| {
            row.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(match words.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    })
}

/// The search text an event adds to its case, from the event itself, and its case.
pub(crate) fn event_search_text(
    conn: &Connection,
    event: Uuid,
) -> rusqlite::Result<Option<(Option<String>, Option<String>)>> {
    conn.prepare_cached("SELECT case_id, payload FROM events_open WHERE id = ?1")?
        .query_row([event.to_string()], |row| {
            let case: Option<String> = row.get(0)?;
            let kind: EventKind =
                serde_json::from_str(&row.get::<_, String>(1)?).map_err(conversion)?;
            Ok((case, kind.search_text()))
        })
        .optional()
}

/// Every report received, with its case, oldest first.
pub(crate) fn reports_received(conn: &Connection) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare(
        "SELECT id, case_id, author, at, amends, payload, kind FROM events_open
         WHERE kind = 'report-received' AND payload NOT LIKE '{\"sealed\":%'
         AND payload NOT LIKE '{\"expunged\":%' ORDER BY seq",
    )?;
    let rows = stmt.query_map([], event_from_row)?;
    rows.collect()
}

/// The bytes stored under an attachment's SHA-256.
pub(crate) fn attachment(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT data FROM main.attachments WHERE sha256 = ?1
         UNION ALL SELECT data FROM temp.open_attachments WHERE sha256 = ?1 LIMIT 1",
        [sha256],
        |row| row.get(0),
    )
    .optional()
}

/// Store an attachment's bytes under their SHA-256.
pub(crate) fn insert_attachment(
    conn: &Connection,
    sha256: &str,
    data: &[u8],
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO attachments (sha256, size, data) VALUES (?1, ?2, ?3)",
        params![sha256, data.len() as i64, data],
    )?;
    Ok(())
}

/// Remove a stored attachment (its report was dropped before it was saved).
pub(crate) fn delete_attachment(conn: &Connection, sha256: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM attachments WHERE sha256 = ?1", [sha256])?;
    Ok(())
}

/// The events after seq `after`, oldest first.
pub(crate) fn events_after(conn: &Connection, after: i64) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare(
        "SELECT e.id, e.case_id, e.author, e.at, e.amends, coalesce(r.payload, e.payload), e.kind
         FROM events_open e LEFT JOIN temp.open_reasons r ON r.id = e.id
         WHERE e.seq > ?1 AND e.payload NOT LIKE '{\"sealed\":%' ORDER BY e.seq",
    )?;
    stmt.query_map([after], event_from_row)?.collect()
}

/// The attachments the reports up to seq `until` hold.
pub(crate) fn attachments_held_until(
    conn: &Connection,
    until: i64,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT id, case_id, author, at, amends, payload, kind FROM events_open
         WHERE seq <= ?1 AND kind = 'report-received' AND payload NOT LIKE '{\"sealed\":%'",
    )?;
    let events = stmt.query_map([until], event_from_row)?;
    let mut held = Vec::new();
    for event in events {
        if let EventKind::ReportReceived { attachments, .. } = event?.kind {
            held.extend(attachments.into_iter().map(|a| a.sha256));
        }
    }
    Ok(held)
}

/// Take the events after seq `after` (given as `events`) out of the history, with the search
/// and party index entries they made; the rest of the derived state is the caller's to rebuild.
pub(crate) fn forget_events_after(
    conn: &Connection,
    after: i64,
    events: &[Event],
) -> rusqlite::Result<()> {
    for event in events {
        conn.execute(
            "DELETE FROM search WHERE event_id = ?1",
            [event.id.to_string()],
        )?;
        for table in [
            "DELETE FROM temp.open_search WHERE event_id = ?1",
            "DELETE FROM temp.open_payloads WHERE id = ?1",
        ] {
            conn.execute(table, [event.id.to_string()])?;
        }
        if let EventKind::PartyAdded { party } = &event.kind {
            for table in [
                "DELETE FROM main.parties WHERE party_id = ?1",
                "DELETE FROM temp.open_parties WHERE party_id = ?1",
            ] {
                conn.execute(table, [party.id.0.to_string()])?;
            }
        }
    }
    // Unsigned events only: the append-only guard is lifted for this one statement and put
    // back as it was (as a merge does when it puts commits in their canonical order).
    let trigger: String = conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE name = 'events_are_append_only_delete'",
        [],
        |r| r.get(0),
    )?;
    conn.execute_batch("DROP TRIGGER events_are_append_only_delete")?;
    conn.execute("DELETE FROM events WHERE seq > ?1", [after])?;
    conn.execute_batch(&trigger)?;
    Ok(())
}

/// How many cases there are in each status (statuses with none are included, as 0).
pub(crate) fn cases_by_status(conn: &Connection) -> rusqlite::Result<Vec<(Status, u64)>> {
    let mut stmt = conn.prepare("SELECT count(*) FROM cases WHERE status = ?1")?;
    Status::ALL
        .into_iter()
        .map(|status| {
            let count: i64 = stmt.query_row([status.as_str()], |row| row.get(0))?;
            Ok((status, count as u64))
        })
        .collect()
}

/// Every row of every table, as text, in a stable order: two databases with the same dump hold
/// the same data.
pub(crate) fn dump(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut lines = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1"))?;
        let columns = stmt.column_count();
        let rows = stmt.query_map([], |row| {
            let mut line = format!("{table}:");
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i)?;
                line.push_str(&format!(" {value:?}"));
            }
            Ok(line)
        })?;
        for row in rows {
            lines.push(row?);
        }
    }
    Ok(lines)
}

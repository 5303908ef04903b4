//! Erasing an expunged case's content from the file (see [`casebook_core::retention`]).
//!
//! Every event of the case but its tombstone, the tombstone's approval, laptops' claims to
//! have applied it and who read it keeps its header (id, case, author, time, kind)
//! and, in place of its payload, a marker `{"expunged":"<SHA-256 of the payload>"}`. An
//! event's hash covers its payload's SHA-256, not the payload (see [`super::history`]), so
//! every copy still checks every event and every commit; verification accepts a marker only
//! in a case whose replayed state says an approved expunge erased it. The case's search
//! entries, party links, attachments and sealed parts go, from the file and from memory.
//! SQLite overwrites freed pages (`PRAGMA secure_delete`), and the text index removes the
//! erased entries' words from its segments (FTS5's `secure-delete`).

use std::collections::BTreeSet;

use rusqlite::{Connection, params};

use casebook_core::case::CaseId;
use casebook_core::event::EventKind;

const MARKER_START: &str = "{\"expunged\":\"";
const MARKER_END: &str = "\"}";

/// The kinds an expunge never erases: the tombstone and what follows it, and who read the
/// case (the committee follows those; they hold no content). A hold's reason is erased.
pub(crate) const KEPT: [&str; 4] = [
    "case-expunged",
    "expunge-approved",
    "expunge-applied",
    "case-sealed",
];

/// What an erased event stores in place of a payload whose SHA-256 is `hash`.
pub(crate) fn marker(hash: &str) -> String {
    format!("{MARKER_START}{hash}{MARKER_END}")
}

/// The payload SHA-256 a marker stands for; `None` for a payload that is not a marker.
pub(crate) fn marker_hash(payload: &str) -> Option<&str> {
    let hash = payload
        .strip_prefix(MARKER_START)?
        .strip_suffix(MARKER_END)?;
    (hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then_some(hash)
}

/// Whether `payload` is a marker.
pub(crate) fn is_marker(payload: &str) -> bool {
    marker_hash(payload).is_some()
}

/// [`KEPT`] as an SQL list (`'case-expunged', …`).
pub(crate) fn kept_list() -> String {
    KEPT.iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SQL condition of an event row of a case an expunge erases (`e` its alias).
pub(crate) fn erasable_sql(alias: &str) -> String {
    format!(
        "{alias}.kind NOT IN ({}) AND {alias}.payload NOT LIKE '{{\"expunged\":%'",
        kept_list()
    )
}

/// How many events of `case` still hold a payload an expunge erases.
pub(crate) fn unerased(conn: &Connection, case: CaseId) -> rusqlite::Result<i64> {
    conn.query_row(
        &format!(
            "SELECT count(*) FROM main.events e WHERE e.case_id = ?1 AND {}",
            erasable_sql("e")
        ),
        [case.to_string()],
        |r| r.get(0),
    )
}

/// Erase the content of `cases` (see the module docs); the number of payloads erased. The
/// caller writes their states (their retained records) and makes the next save replace the
/// backup. The text index and the party links are cleared in one pass for all of them.
pub(crate) fn erase(conn: &Connection, cases: &[CaseId]) -> rusqlite::Result<u64> {
    if cases.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = cases.iter().map(|c| c.to_string()).collect();
    let list = serde_json::to_string(&ids).map_err(super::store::conversion)?;
    let mut rows: Vec<(String, String, String)> = Vec::new();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT e.id, e.payload, e.case_id FROM main.events e WHERE e.case_id = ?1 AND {}",
            erasable_sql("e")
        ))?;
        for id in &ids {
            for row in stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
                rows.push(row?);
            }
        }
    }
    // The attachments their reports brought, from the payloads this copy holds (in memory
    // where a case was sealed here).
    let mut attachments: BTreeSet<String> = BTreeSet::new();
    let opened: Vec<String> = conn
        .prepare(
            "SELECT payload FROM temp.open_payloads
             WHERE case_id IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([&list], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for payload in rows.iter().map(|(_, p, _)| p).chain(&opened) {
        if payload.contains("\"attachments\"")
            && let Ok(EventKind::ReportReceived { attachments: a, .. }) =
                serde_json::from_str::<EventKind>(payload)
        {
            attachments.extend(a.into_iter().map(|a| a.sha256));
        }
    }
    // Events are append-only: the guard is lifted for these statements only and put back
    // as it was.
    let trigger: String = conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE name = 'events_are_append_only_update'",
        [],
        |r| r.get(0),
    )?;
    conn.execute_batch("DROP TRIGGER events_are_append_only_update")?;
    let updated = (|| -> rusqlite::Result<()> {
        let mut update = conn.prepare("UPDATE main.events SET payload = ?2 WHERE id = ?1")?;
        for (event, payload, _) in &rows {
            let hash = match super::sealing::stub_hash(payload) {
                Some(hash) => hash.to_string(),
                None => super::history::hex_digest(payload.as_bytes()),
            };
            update.execute(params![event, marker(&hash)])?;
        }
        Ok(())
    })();
    conn.execute_batch(&trigger)?;
    updated?;
    for sha256 in &attachments {
        // Kept where another case's report brought the same file.
        let elsewhere: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM main.events
             WHERE case_id NOT IN (SELECT value FROM json_each(?2))
             AND kind IN ('report-received', 'sealed') AND instr(payload, ?1) > 0)
             OR EXISTS (SELECT 1 FROM temp.open_payloads
             WHERE case_id NOT IN (SELECT value FROM json_each(?2)) AND instr(payload, ?1) > 0)",
            params![sha256, list],
            |r| r.get(0),
        )?;
        if !elsewhere {
            conn.execute("DELETE FROM main.attachments WHERE sha256 = ?1", [sha256])?;
        }
    }
    let clear = |sql: &str| conn.execute(sql, [&list]);
    // By rowid, found in the index's own content table (a scan of the index by an unindexed
    // column costs far more). Deleting row by row with FTS5's secure-delete rewrites the
    // index's segments for every row (4.4 s for 10,000 entries of the 100,000-event file);
    // deleted without it and then merged into one segment ('optimize'), the index keeps none
    // of their words either, in a twentieth of that (SQLite overwrites the freed pages).
    let rowids = index_rows(conn, "main", &list)?;
    if !rowids.is_empty() {
        conn.execute_batch("INSERT INTO main.search (search, rank) VALUES ('secure-delete', 0);")?;
        let deleted = delete_index_rows(conn, "main.search", &rowids).and_then(|()| {
            conn.execute_batch("INSERT INTO main.search (search) VALUES ('optimize');")
        });
        conn.execute_batch("INSERT INTO main.search (search, rank) VALUES ('secure-delete', 1);")?;
        deleted?;
    }
    clear("DELETE FROM main.parties WHERE case_id IN (SELECT value FROM json_each(?1))")?;
    clear("DELETE FROM main.sealed WHERE case_id IN (SELECT value FROM json_each(?1))")?;
    for table in [
        "open_payloads",
        "open_reasons",
        "open_parties",
        "open_attachments",
        "sealed_here",
    ] {
        clear(&format!(
            "DELETE FROM temp.{table} WHERE case_id IN (SELECT value FROM json_each(?1))"
        ))?;
    }
    clear("DELETE FROM temp.open_cases WHERE id IN (SELECT value FROM json_each(?1))")?;
    // The in-memory index of readable sealed cases, by rowid too.
    delete_index_rows(conn, "temp.open_search", &index_rows(conn, "temp", &list)?)?;
    Ok(rows.len() as u64)
}

/// The rowids of the text index in `schema` (`main`, or `temp` for the readable sealed
/// cases) whose case is among `cases` (a JSON list), from the index's own content table.
fn index_rows(conn: &Connection, schema: &str, cases: &str) -> rusqlite::Result<Vec<i64>> {
    let table = if schema == "main" {
        "main.search_content"
    } else {
        "temp.open_search_content"
    };
    conn.prepare(&format!(
        "SELECT id FROM {table} WHERE c1 IN (SELECT value FROM json_each(?1))"
    ))?
    .query_map([cases], |r| r.get(0))?
    .collect()
}

/// Delete `rowids` from the text index `index`.
fn delete_index_rows(conn: &Connection, index: &str, rowids: &[i64]) -> rusqlite::Result<()> {
    let mut delete = conn.prepare(&format!("DELETE FROM {index} WHERE rowid = ?1"))?;
    for rowid in rowids {
        delete.execute([rowid])?;
    }
    Ok(())
}

/// The cases among `expunged` (those an approved expunge erased, as the derived states say)
/// of which this copy still holds content: an event not erased yet (one merged in from a copy
/// that had not seen the expunge) or a sealed part. What [`erase`] must reach before the next
/// save.
pub(crate) fn pending(
    conn: &Connection,
    expunged: impl IntoIterator<Item = CaseId>,
) -> rusqlite::Result<Vec<CaseId>> {
    let mut due = Vec::new();
    for case in expunged {
        if unerased(conn, case)? > 0
            || conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM main.sealed WHERE case_id = ?1)",
                [case.to_string()],
                |r| r.get::<_, bool>(0),
            )?
        {
            due.push(case);
        }
    }
    Ok(due)
}

/// The code names of the cases among `ids` (remembered expunged) that this file holds with
/// their content: it is older than their expunge.
pub(crate) fn stale(
    conn: &Connection,
    ids: &std::collections::BTreeSet<String>,
) -> rusqlite::Result<Vec<String>> {
    let mut stale = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT code_name, state FROM main.cases WHERE id = ?1")?;
    for id in ids {
        let row: Option<(String, String)> = stmt
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        if let Some((name, state)) = row
            && !state.contains("\"expunged\":{")
        {
            stale.push(name);
        }
    }
    Ok(stale)
}

/// The cases sealed from this copy that a second member's approval says are expunged: a
/// `case-expunged` event and an `expunge-approved` naming it, by another member, both stored
/// in plaintext (see [`super::sealing::never_sealed`]). This copy cannot replay them (their
/// content is sealed from it); it erases what it holds and replays them from their tombstone
/// (see `CaseFile::erase_expunged`).
pub(crate) fn claimed_sealed_from_here(conn: &Connection) -> rusqlite::Result<Vec<CaseId>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT a.case_id FROM main.events a
         JOIN main.events t ON t.case_id = a.case_id AND t.kind = 'case-expunged'
              AND t.author != a.author
              AND json_extract(a.payload, '$.tombstone') = t.id
         WHERE a.kind = 'expunge-approved'
         AND a.case_id IN (SELECT case_id FROM temp.sealed_here WHERE NOT readable)",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|id| {
        uuid::Uuid::parse_str(&id?)
            .map(CaseId)
            .map_err(super::store::conversion)
    })
    .collect()
}

/// The expunged cases, as the stored states say.
pub(crate) fn expunged_cases(conn: &Connection) -> rusqlite::Result<Vec<CaseId>> {
    let mut stmt = conn.prepare("SELECT id FROM main.cases WHERE state LIKE '%\"expunged\":{%'")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|id| {
        uuid::Uuid::parse_str(&id?)
            .map(CaseId)
            .map_err(super::store::conversion)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_names_its_hash_and_nothing_else_is_one() {
        let hash = "ab".repeat(32);
        assert_eq!(marker_hash(&marker(&hash)), Some(hash.as_str()));
        assert!(marker_hash("{\"expunged\":\"xyz\"}").is_none());
        assert!(marker_hash(&format!("{{\"sealed\":\"{hash}\"}}")).is_none());
        assert!(marker_hash(&format!("{{\"expunged\":\"{}\"}}", "AB".repeat(32))).is_none());
    }
}

//! The database inside a case file: how a connection is configured, how a file is recognised
//! as casebook's, and the migrations that bring older files up to date (in memory only).

use std::path::Path;

use rusqlite::Connection;
use rusqlite::config::DbConfig;

use super::Error;

/// `PRAGMA application_id` of every casebook database: "CBK1".
pub const APPLICATION_ID: i64 = 0x4342_4b31;

/// The schema version this casebook writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Migration `i` takes a database from version `i` to `i + 1`. Never edit one that has shipped:
/// add a new one.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8];

const V1: &str = r#"
CREATE TABLE members (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    email       TEXT,
    role        TEXT NOT NULL CHECK (role IN ('chair', 'member')),
    recipient   TEXT NOT NULL UNIQUE,
    added_at    TEXT NOT NULL,
    removed_at  TEXT
);

-- Recipients that are not members, such as an offline escrow key.
CREATE TABLE extra_recipients (
    recipient   TEXT PRIMARY KEY,
    added_at    TEXT NOT NULL
);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);

-- The append-only history. Case state below is derived from it.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    case_id     TEXT,
    author      TEXT NOT NULL REFERENCES members(id) DEFERRABLE INITIALLY DEFERRED,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amends      TEXT REFERENCES events(id),
    payload     TEXT NOT NULL
);
CREATE INDEX events_by_case ON events (case_id, seq);

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    code_name   TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX cases_by_status ON cases (status);
"#;

/// Version 2: the full derived case state, parties by person, attachments, full-text search.
/// Derived tables are rebuilt from the events afterwards (see [`super::store::rebuild`]).
const V2: &str = r#"
DROP INDEX cases_by_status;
DROP TABLE cases;
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    code_name   TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- The case as derived from its events (JSON of core::case::Case).
    state       TEXT NOT NULL
);
CREATE INDEX cases_by_status ON cases (status);

-- Which cases a person appears in, for repeat-behaviour awareness.
CREATE TABLE parties (
    party_id    TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    role        TEXT NOT NULL
);
CREATE INDEX parties_by_person ON parties (person_id);

-- Attachments of imported reports, by content hash.
CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    data        BLOB NOT NULL
);

CREATE VIRTUAL TABLE search USING fts5 (
    text, case_id UNINDEXED, event_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
"#;

/// Version 3: the signed history. Every event belongs to one commit, signed by its author
/// (see [`super::history`]); files of version 2 have none until a chair adopts their history.
const V3: &str = r#"
CREATE TABLE commits (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    body        TEXT NOT NULL,
    signature   TEXT NOT NULL
);
"#;

/// Version 4: merged copies. Commits may have several parents and are stored in the
/// history's canonical order; roster changes a merge could not apply wait here for a member's
/// attention (a case's own are in its state).
const V4: &str = r#"
CREATE TABLE IF NOT EXISTS attention (
    seq         INTEGER PRIMARY KEY,
    -- JSON of core::attention::Attention.
    state       TEXT NOT NULL
);
"#;

/// Version 5: sealed cases. A sealed case's content is stored here, encrypted to the case's
/// own key, one row per part (see [`super::sealing`]); deleting from the text index leaves
/// no trace of what was deleted (FTS5's secure-delete), so sealing a case that was indexed
/// in plaintext removes its words from the index itself.
const V5: &str = r#"
CREATE TABLE IF NOT EXISTS sealed (
    case_id     TEXT NOT NULL,
    -- SHA-256 of data, hex.
    part        TEXT NOT NULL,
    -- age-encrypted to the case key: JSON of the payloads and attachments it holds.
    data        BLOB NOT NULL,
    PRIMARY KEY (case_id, part)
);
INSERT INTO search (search, rank) VALUES ('secure-delete', 1);
"#;

/// Version 6: the committee's rules live in the history. Every copy's replay judges every
/// event by them (see [`casebook_core::engine`]); the derived tables of an older file are
/// written again from its history when it is opened (the engine keeps, without applying, what
/// the rules do not allow), and the committee and what it did not apply are stored among the
/// settings. Deleting from the text index keeps leaving no trace, whatever a file said.
const V6: &str = r#"
INSERT INTO search (search, rank) VALUES ('secure-delete', 1);
"#;

/// Version 7: the committee follows who reads each sealed case (a chair kept out of a case
/// takes none of its readers off the committee alone). Nothing in the tables changes: the
/// committee of an older file is derived again from its history when it is opened, and a
/// casebook of version 6 refuses a file of this version rather than judge it by older rules.
const V7: &str = "";

/// Version 8: a copy a case is sealed from learns who was kept out of it, never why. A new
/// keeping-out seals its reason to the case key it makes, and the events recorded in a sealed
/// case keep their kind inside their sealed payload (their kind column says `sealed`).
/// Who reads each sealed case is found without reading every event: an index of the
/// `case-sealed` events by case (what opening unwraps keys and opens reasons from; a full
/// verification checks it against the events). A casebook of version 7 refuses a file of
/// this version rather than judge such a keeping-out without its reason.
const V8: &str = r#"
CREATE INDEX IF NOT EXISTS events_sealings ON events (case_id) WHERE kind = 'case-sealed';
"#;

/// Settings every connection gets, including deserialised ones: temporary data stays in
/// memory (no plaintext in /var/tmp), deleted content is overwritten, and the schema cannot be
/// used to smuggle in behaviour.
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.execute_batch(
        "PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = ON;",
    )
}

/// Lay out a brand-new database.
pub(crate) fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    migrate_from(conn, 0)
}

/// Which tables of a decrypted database are checked for integrity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// Every table: a file that is opened.
    Whole,
    /// The tables a merge reads from another copy (its history, the roster its sealing is
    /// read against, attachments, sealed parts and summaries); the rest of a copy being
    /// merged is never read, and the file it merges into is rebuilt from what it took.
    Merged,
}

/// The tables [`Check::Merged`] checks.
const MERGED_TABLES: &[&str] = &[
    "members",
    "events",
    "commits",
    "attachments",
    "sealed",
    "cases",
];

/// Recognise a decrypted database as casebook's, check its integrity (the tables `check`
/// names), and migrate it. Gives back the schema version it was written with.
pub(crate) fn check_and_migrate(
    conn: &Connection,
    path: &Path,
    check: Check,
) -> Result<i64, Error> {
    let not_casebook = |detail: &str| Error::NotCasebook {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(|_| not_casebook("not an SQLite database"))?;
    if app_id != APPLICATION_ID {
        return Err(not_casebook(&format!(
            "SQLite application_id is {app_id:#x}"
        )));
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| Error::database(path, e))?;
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    quick_check(conn, check).map_err(|detail| Error::Corrupt {
        path: path.to_path_buf(),
        detail,
    })?;
    if version < 1 {
        return Err(not_casebook("schema version 0"));
    }
    migrate_from(conn, version).map_err(|e| Error::database(path, e))?;
    if version < 2 {
        super::store::rebuild(conn).map_err(|e| Error::database(path, e))?;
    }
    Ok(version)
}

/// SQLite's `quick_check` of every ordinary table's b-tree and indexes (FTS5's shadow tables
/// included). Run per table, because a whole-database check also re-reads and re-tokenises all
/// text indexed by FTS5 to verify its inverted index: seconds on a large file, for an index
/// that is derived data. The file's bytes themselves are already authenticated by age.
fn quick_check(conn: &Connection, check: Check) -> Result<(), String> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema
             WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
        )
        .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
        .map_err(|e| e.to_string())?;
    let checked = |table: &String| check == Check::Whole || MERGED_TABLES.contains(&table.as_str());
    for table in tables.iter().filter(|t| checked(t)) {
        let check: String = conn
            .query_row(
                "SELECT quick_check FROM pragma_quick_check(?1) LIMIT 1",
                [&table],
                |row| row.get(0),
            )
            .map_err(|e| e.to_string())?;
        if check != "ok" {
            return Err(check);
        }
    }
    Ok(())
}

/// The settings casebook's text index holds (FTS5's `search_config`): secure-delete on, and
/// the index's format version (4, or 5 once FTS5 has deleted a row with secure-delete on),
/// nothing else.
fn search_settings_are_ours(settings: &[(String, rusqlite::types::Value)]) -> bool {
    use rusqlite::types::Value::Integer;
    matches!(
        settings,
        [(delete, Integer(1)), (version, Integer(4 | 5))]
            if delete == "secure-delete" && version == "version"
    )
}

/// Put the text index back as casebook made it when its settings are not casebook's (a
/// member who set `secure-delete` to 0 with `sqlite3` before a case was sealed would find the
/// case's words left in the index afterwards). The index's rows are kept and written into a
/// new index; the old one's pages are overwritten as they are freed (`PRAGMA secure_delete`).
/// Whether it had to.
pub(crate) fn repair_search_settings(conn: &Connection) -> rusqlite::Result<bool> {
    let settings: Vec<(String, rusqlite::types::Value)> = conn
        .prepare("SELECT k, v FROM search_config ORDER BY k")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if search_settings_are_ours(&settings) {
        return Ok(false);
    }
    let tx = conn.unchecked_transaction()?;
    // Made again by the very statement that made it (the schema check compares the text).
    let create: String = tx.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'search'",
        [],
        |r| r.get(0),
    )?;
    let rows: Vec<(String, Option<String>, Option<String>)> = tx
        .prepare("SELECT text, case_id, event_id FROM search ORDER BY rowid")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    tx.execute_batch("DROP TABLE search")?;
    tx.execute_batch(&create)?;
    tx.execute_batch("INSERT INTO search (search, rank) VALUES ('secure-delete', 1)")?;
    {
        let mut insert =
            tx.prepare("INSERT INTO search (text, case_id, event_id) VALUES (?1, ?2, ?3)")?;
        for (text, case, event) in &rows {
            insert.execute(rusqlite::params![text, case, event])?;
        }
    }
    tx.commit()?;
    Ok(true)
}

fn migrate_from(conn: &Connection, version: i64) -> rusqlite::Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_data_never_goes_to_disk() {
        let conn = Connection::open_in_memory().unwrap();
        configure(&conn).unwrap();
        let temp_store: i64 = conn
            .pragma_query_value(None, "temp_store", |r| r.get(0))
            .unwrap();
        assert_eq!(temp_store, 2, "PRAGMA temp_store must be MEMORY");
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            options.iter().any(|o| o == "TEMP_STORE=3"),
            "SQLite must be built with SQLITE_TEMP_STORE=3 (.cargo/config.toml); got {options:?}"
        );
    }

    #[test]
    fn events_cannot_be_rewritten() {
        let conn = Connection::open_in_memory().unwrap();
        create(&conn).unwrap();
        conn.execute("PRAGMA foreign_keys = OFF", []).unwrap();
        conn.execute(
            "INSERT INTO events (id, author, at, kind, payload) VALUES ('e', 'm', 't', 'k', '{}')",
            [],
        )
        .unwrap();
        let err = conn
            .execute("UPDATE events SET kind = 'x'", [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        assert!(conn.execute("DELETE FROM events", []).is_err());
    }

    #[test]
    fn a_planted_search_setting_is_put_back_and_the_rows_kept() {
        let conn = Connection::open_in_memory().unwrap();
        configure(&conn).unwrap();
        create(&conn).unwrap();
        assert!(!repair_search_settings(&conn).unwrap(), "as made");
        conn.execute(
            "INSERT INTO search (text, case_id, event_id) VALUES ('zqxword', 'c', 'e')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO search (search, rank) VALUES ('secure-delete', 0)",
            [],
        )
        .unwrap();
        assert!(repair_search_settings(&conn).unwrap());
        let secure: i64 = conn
            .query_row(
                "SELECT v FROM search_config WHERE k = 'secure-delete'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(secure, 1);
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM search WHERE search MATCH 'zqxword'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1);
        assert!(!repair_search_settings(&conn).unwrap(), "once is enough");
    }
}

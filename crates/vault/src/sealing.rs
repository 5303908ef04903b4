//! Sealed cases: a case's content stored encrypted inside the file to the members allowed to
//! read it (see [`casebook_core::case::Sealing`] and [`EventKind::CaseSealed`]).
//!
//! What the file holds (the `main` schema, the only one ever saved): every event of a sealed
//! case but its `case-sealed` events keeps its header (id, case, author, time, kind) and, in
//! place of its payload, a stub `{"sealed":"<SHA-256 of the payload>"}`. An event's hash
//! covers its payload's SHA-256, not the payload (see [`super::history`]), so every copy, an
//! excluded member's too, still checks every event and every commit. The payloads and the
//! case's attachments are in `sealed`, age-encrypted to the case's own key; `cases` holds the
//! case's summary only ([`Case::sealed_summary`]); `search` and `parties` hold nothing of it.
//! Each `case-sealed` event wraps the case's keys, age-encrypted, to the members who may
//! read it.
//!
//! What memory holds for a member who can read it (the `temp` schema, never saved): the
//! payloads, attachments, full state, search entries and party links, which the views
//! `events_open`, `cases_open` and `parties_open` put beside the stored rows. Before every
//! serialisation (save, lock), [`seal_parts`] encrypts what changed into `sealed` again.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use base64::Engine;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::{self, Identity};
use super::{Error, store};
use casebook_core::case::{Case, CaseId, Sealing};
use casebook_core::event::EventKind;
use casebook_core::roster::MemberId;

/// The in-memory side of sealed cases, created on every connection (see the module docs).
pub(crate) const TEMP_SCHEMA: &str = r#"
CREATE TEMP TABLE IF NOT EXISTS sealed_here (
    case_id     TEXT PRIMARY KEY,
    readable    INTEGER NOT NULL,
    -- Changed since it was last sealed: sealed again before the next serialisation.
    dirty       INTEGER NOT NULL DEFAULT 0,
    -- Its search entries and party links are in memory (made at the first search).
    indexed     INTEGER NOT NULL DEFAULT 0
);
CREATE TEMP TABLE IF NOT EXISTS open_payloads (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    payload     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS temp.open_payloads_by_case ON open_payloads (case_id);
-- The `case-sealed` events whose reason this copy could open (see `open_reasons`): the event
-- as the engine reads it, its reason in plaintext. Never sealed into parts, never saved.
CREATE TEMP TABLE IF NOT EXISTS open_reasons (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    payload     TEXT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS open_cases (
    id          TEXT PRIMARY KEY,
    state       TEXT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS open_parties (
    party_id    TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    role        TEXT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS open_attachments (
    sha256      TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    data        BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS temp.open_search USING fts5 (
    text, case_id UNINDEXED, event_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TEMP VIEW IF NOT EXISTS events_open AS
    SELECT e.seq, e.id, e.case_id, e.author, e.at, e.kind, e.amends,
           coalesce(o.payload, e.payload) AS payload, e.payload AS stored
    FROM main.events e LEFT JOIN open_payloads o ON o.id = e.id;
CREATE TEMP VIEW IF NOT EXISTS cases_open AS
    SELECT c.id, c.code_name, c.status, c.received_at, c.updated_at,
           coalesce(o.state, c.state) AS state
    FROM main.cases c LEFT JOIN open_cases o ON o.id = c.id;
CREATE TEMP VIEW IF NOT EXISTS parties_open AS
    SELECT party_id, case_id, person_id, role FROM main.parties
    UNION ALL SELECT party_id, case_id, person_id, role FROM open_parties;
"#;

/// Lay out the in-memory side on a connection whose main schema is casebook's.
pub(crate) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(TEMP_SCHEMA)
}

/// The kind column of an event of a sealed case written since schema version 8: its kind is
/// inside its sealed payload, and a copy the case is sealed from sees only that its case
/// changed. Verification takes the kind from the payload (see `history::Row::event`).
pub(crate) const HIDDEN_KIND: &str = "sealed";

/// The kind column `kind` is stored with: [`HIDDEN_KIND`] when its payload is sealed (`hidden`),
/// but for the kinds copies find by their column: who reads the case (`case-sealed`, never
/// sealed), where it opened (`case-opened`) and the reports it received (`report-received`:
/// a report imported twice is recognised, and attachments kept, by it). A copy the case is
/// sealed from holds that much of it anyway: its summary says when it was received.
pub(crate) fn stored_kind(kind: &EventKind, hidden: bool) -> &'static str {
    if hidden && may_hide(kind.name()) {
        HIDDEN_KIND
    } else {
        kind.name()
    }
}

/// Whether an event of kind `name` may be stored under [`HIDDEN_KIND`].
pub(crate) fn may_hide(name: &str) -> bool {
    !matches!(name, "case-sealed" | "case-opened" | "report-received") && !never_sealed(name)
}

/// Whether an event of kind `name` is stored in plaintext in a sealed case too: an expunge's
/// tombstone (whose note a sealed case's never has, and whose retained record is what the
/// members kept out see of it already), its approval and laptops' claims to have applied it.
/// Every copy, an excluded member's too, must find and apply them.
pub(crate) fn never_sealed(name: &str) -> bool {
    matches!(
        name,
        "case-expunged" | "expunge-approved" | "expunge-applied"
    )
}

const STUB_START: &str = "{\"sealed\":\"";
const STUB_END: &str = "\"}";

/// What a sealed event stores in place of `payload`.
pub(crate) fn stub(payload: &str) -> String {
    format!(
        "{STUB_START}{}{STUB_END}",
        super::history::hex_digest(payload.as_bytes())
    )
}

/// The payload SHA-256 a stub stands for; `None` for a payload that is not a stub.
pub(crate) fn stub_hash(payload: &str) -> Option<&str> {
    let hash = payload.strip_prefix(STUB_START)?.strip_suffix(STUB_END)?;
    (hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then_some(hash)
}

/// What this copy holds of a case, as to sealing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Here {
    /// Not sealed: its content is stored in the file as it is.
    NotSealed,
    /// Sealed, and readable here: its content is held in memory, decrypted.
    Readable,
    /// Sealed from the member who opened the file.
    SealedFrom,
}

impl Here {
    /// A sealed case, readable here or not.
    fn sealed(readable: bool) -> Here {
        if readable {
            Here::Readable
        } else {
            Here::SealedFrom
        }
    }
}

/// Whether `case` is sealed on this copy, and readable here.
pub(crate) fn here(conn: &Connection, case: &str) -> rusqlite::Result<Here> {
    let readable: Option<bool> = conn
        .prepare_cached("SELECT readable FROM temp.sealed_here WHERE case_id = ?1")?
        .query_row([case], |r| r.get(0))
        .optional()?;
    Ok(match readable {
        None => Here::NotSealed,
        Some(true) => Here::Readable,
        Some(false) => Here::SealedFrom,
    })
}

/// Where a case's new search entries and party links go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IndexTo {
    /// Into the file (the case is not sealed).
    File,
    /// Into memory: the case is sealed, readable here and indexed already.
    Memory,
    /// Nowhere: sealed from this copy, or to be indexed in full at the first search.
    Nowhere,
}

/// Where `case`'s new search entries and party links go.
pub(crate) fn index_to(conn: &Connection, case: &str) -> rusqlite::Result<IndexTo> {
    let indexed: Option<bool> = conn
        .prepare_cached("SELECT readable AND indexed FROM temp.sealed_here WHERE case_id = ?1")?
        .query_row([case], |r| r.get(0))
        .optional()?;
    Ok(match indexed {
        None => IndexTo::File,
        Some(true) => IndexTo::Memory,
        Some(false) => IndexTo::Nowhere,
    })
}

/// Before a search or a look-up of parties: the search entries and party links of every
/// readable sealed case not indexed yet, made in memory from its events (opening a file
/// does not pay for them).
pub(crate) fn ensure_indexed(conn: &Connection) -> rusqlite::Result<()> {
    let pending: Vec<String> = conn
        .prepare_cached("SELECT case_id FROM temp.sealed_here WHERE readable AND NOT indexed")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if pending.is_empty() {
        return Ok(());
    }
    conn.execute_batch("SAVEPOINT indexing")?;
    let indexed = (|| {
        for id in pending {
            let case = CaseId(uuid::Uuid::parse_str(&id).map_err(store::conversion)?);
            conn.execute(
                "UPDATE temp.sealed_here SET indexed = 1 WHERE case_id = ?1",
                [&id],
            )?;
            for event in store::case_events(conn, case)? {
                store::index_event(conn, case, &event)?;
            }
        }
        Ok(())
    })();
    match indexed {
        Ok(()) => conn.execute_batch("RELEASE indexing"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK TO indexing; RELEASE indexing");
            Err(e)
        }
    }
}

/// Note that a readable sealed case changed: its sealed part is written again before the next
/// serialisation.
pub(crate) fn touch(conn: &Connection, case: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE temp.sealed_here SET dirty = 1 WHERE case_id = ?1")?
        .execute([case])?;
    Ok(())
}

/// The case keys this copy holds, in memory only.
#[derive(Default)]
pub(crate) struct Keyring {
    /// Every key of each case this copy's member could unwrap, oldest first.
    cases: HashMap<CaseId, Vec<age::x25519::Identity>>,
    /// Keys made here for a `case-sealed` event not recorded yet, by their public half.
    pending: HashMap<String, Vec<age::x25519::Identity>>,
}

impl Keyring {
    fn holds(&self, case: CaseId, recipient: &str) -> bool {
        self.cases
            .get(&case)
            .is_some_and(|keys| keys.iter().any(|k| k.to_public().to_string() == recipient))
    }

    fn add(&mut self, case: CaseId, keys: Vec<age::x25519::Identity>) {
        let held = self.cases.entry(case).or_default();
        for key in keys {
            let public = key.to_public().to_string();
            if !held.iter().any(|k| k.to_public().to_string() == public) {
                held.push(key);
            }
        }
    }

    /// Make a new key for `case` and wrap it, with every earlier key of the case this copy
    /// holds, to `readers` (their recipients): the `recipient` and `keys` of a
    /// [`EventKind::CaseSealed`]. The new key is kept until the event is recorded.
    pub(crate) fn new_key(
        &mut self,
        case: CaseId,
        readers: &[String],
        path: &Path,
    ) -> Result<(String, String), Error> {
        let key = age::x25519::Identity::generate();
        let recipient = key.to_public().to_string();
        let mut all: Vec<age::x25519::Identity> =
            self.cases.get(&case).cloned().unwrap_or_default();
        all.push(key);
        let text = Zeroizing::new(
            all.iter()
                .map(|k| k.to_string().expose_secret().to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let recipients = readers
            .iter()
            .map(|r| keys::to_age_recipient(r))
            .collect::<Result<Vec<_>, _>>()?;
        let wrapped = super::crypto::encrypt(text.as_bytes(), &recipients, true, Vec::new(), path)?;
        let wrapped = String::from_utf8(wrapped).map_err(|_| Error::Encrypt {
            path: path.to_path_buf(),
            detail: "armored output is not text".into(),
        })?;
        self.pending.insert(recipient.clone(), all);
        Ok((recipient, wrapped))
    }
}

/// The case keys in a `case-sealed` event's `keys`, if `identity` is one of its readers.
fn unwrap(wrapped: &str, identity: &Identity, path: &Path) -> Option<Vec<age::x25519::Identity>> {
    let text = super::crypto::decrypt_armored(wrapped.as_bytes(), identity, path).ok()?;
    let text = std::str::from_utf8(&text).ok()?;
    text.lines()
        .map(|line| age::x25519::Identity::from_str(line).ok())
        .collect()
}

/// One sealed part: payloads of a case's events and its attachments, as JSON, encrypted to
/// the case key.
#[derive(Serialize, Deserialize)]
struct Part {
    case: String,
    /// (event id, payload).
    payloads: Vec<(String, String)>,
    /// (SHA-256, base64 of the bytes).
    attachments: Vec<(String, String)>,
    /// The case's full state as the reader who sealed the part derived it (JSON of
    /// [`Case`]): what a later open of the same file on that laptop shows without replaying
    /// the history (its pin vouches for the parts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<String>,
}

fn encrypt_part(part: &Part, recipients: &[String], path: &Path) -> Result<Vec<u8>, Error> {
    let json = Zeroizing::new(serde_json::to_vec(part).map_err(|e| Error::Encrypt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?);
    let recipients = recipients
        .iter()
        .map(|r| keys::to_age_recipient(r))
        .collect::<Result<Vec<_>, _>>()?;
    super::crypto::encrypt(&json, &recipients, false, Vec::new(), path)
}

fn decrypt_part(
    data: &[u8],
    keys: &[age::x25519::Identity],
    member: Option<&Identity>,
) -> Option<Part> {
    let decryptor = age::Decryptor::new(data).ok()?;
    let mut reader = decryptor
        .decrypt(
            keys.iter()
                .map(|k| k as &dyn age::Identity)
                .chain(member.map(|m| m.as_age())),
        )
        .ok()?;
    let mut json = Zeroizing::new(Vec::with_capacity(data.len()));
    reader.read_to_end(&mut json).ok()?;
    serde_json::from_slice(&json).ok()
}

fn sha256_hex(bytes: &[u8]) -> String {
    super::history::hex_digest(bytes)
}

fn broken(path: &Path, detail: String) -> Error {
    Error::HistoryBroken {
        path: path.to_path_buf(),
        detail,
    }
}

/// The cases this file holds sealed: those with sealed parts, and those whose stored summary
/// says so (verification checks the list against the history's `case-sealed` events).
fn sealed_cases(conn: &Connection) -> rusqlite::Result<Vec<CaseId>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM main.cases
         WHERE id IN (SELECT case_id FROM main.sealed) OR state LIKE '%\"sealed\":{%'",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|id| {
        uuid::Uuid::parse_str(&id?)
            .map(CaseId)
            .map_err(store::conversion)
    })
    .collect()
}

/// Who may read `case`, from its signed `case-sealed` events (whatever the stored summary
/// says); `None` when it is not sealed. Where this copy reads the case, the sealings the
/// committee's rules did not apply (see [`Case::held`]) and those still waiting for a second
/// reader are left out: content is never sealed to a key a change the rules refused gave.
/// A copy the case is sealed from cannot know which those are, and takes every sealing whose
/// author could read the case.
pub(crate) fn sealing_of(conn: &Connection, case: CaseId) -> rusqlite::Result<Option<Sealing>> {
    let full: Option<String> = conn
        .query_row(
            "SELECT state FROM temp.open_cases WHERE id = ?1",
            [case.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let mut skip: HashSet<uuid::Uuid> = HashSet::new();
    if let Some(full) = full
        && let Ok(full) = serde_json::from_str::<Case>(&full)
    {
        skip.extend(full.held.iter().map(|h| h.event));
        skip.extend(full.pending.iter().map(|p| p.id));
    }
    let mut sealing: Option<Sealing> = None;
    for event in store::sealing_events(conn, case)? {
        if skip.contains(&event.id) {
            continue;
        }
        if let Some(next) = Sealing::after(sealing.as_ref(), &event) {
            sealing = Some(next);
        }
    }
    Ok(sealing)
}

/// Where a part of a sealed case is encrypted to: its key, or, while that key is not wrapped
/// to exactly its readers (see [`Sealing::key_exact`]), each reader's own key.
fn part_recipients(conn: &Connection, sealing: &Sealing) -> rusqlite::Result<Vec<String>> {
    if sealing.key_exact {
        return Ok(vec![sealing.recipient.clone()]);
    }
    let roster = store::roster(conn)?;
    Ok(sealing
        .readers
        .iter()
        .filter_map(|id| roster.get(*id))
        .filter(|m| m.is_active())
        .map(|m| m.recipient.clone())
        .collect())
}

/// Unwrap every key of `case` that `identity` can open.
fn unwrap_all(
    conn: &Connection,
    keyring: &mut Keyring,
    case: CaseId,
    me: MemberId,
    identity: &Identity,
    path: &Path,
) -> rusqlite::Result<()> {
    for event in store::sealing_events(conn, case)? {
        if let EventKind::CaseSealed { readers, keys, .. } = event.kind
            && readers.contains(&me)
            && let Some(found) = unwrap(&keys, identity, path)
        {
            keyring.add(case, found);
        }
    }
    Ok(())
}

/// The member whose key opened the file, as the stored roster says (verification checks it).
fn member_of(conn: &Connection, identity: &Identity) -> rusqlite::Result<Option<MemberId>> {
    conn.query_row(
        "SELECT id FROM main.members WHERE recipient = ?1 AND removed_at IS NULL",
        [identity.recipient()],
        |r| r.get::<_, String>(0),
    )
    .optional()?
    .map(|id| {
        uuid::Uuid::parse_str(&id)
            .map(MemberId)
            .map_err(store::conversion)
    })
    .transpose()
}

/// Decrypt every sealed part of `case` into memory; an error when one does not open with the
/// keys held or holds a payload its event's hash does not name.
fn open_parts(
    conn: &Connection,
    keyring: &Keyring,
    member: Option<&Identity>,
    case: CaseId,
    path: &Path,
) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let id = case.to_string();
    let keys = keyring.cases.get(&case).map(Vec::as_slice).unwrap_or(&[]);
    // The case's stored payloads (stubs), read once.
    let stored: HashMap<String, String> = conn
        .prepare_cached("SELECT id, payload FROM main.events WHERE case_id = ?1")
        .and_then(|mut s| {
            s.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(db)?;
    let parts: Vec<Vec<u8>> = conn
        .prepare_cached("SELECT data FROM main.sealed WHERE case_id = ?1")
        .and_then(|mut s| s.query_map([&id], |r| r.get(0))?.collect())
        .map_err(db)?;
    let single = parts.len() == 1;
    for data in parts {
        let part = decrypt_part(&data, keys, member)
            .filter(|p| p.case == id)
            .ok_or_else(|| broken(path, format!("a sealed part of case {id} does not open")))?;
        // The state a reader derived, when the case is in one part: taken as a cache (a
        // verification replaces it; see `Part::state`), else derived again and sealed with it
        // at the next save.
        match (&part.state, single) {
            (Some(state), true) => {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO temp.open_cases (id, state) VALUES (?1, ?2)",
                )
                .and_then(|mut s| s.execute(params![id, state]))
                .map_err(db)?;
            }
            _ => touch(conn, &id).map_err(db)?,
        }
        for (event, payload) in &part.payloads {
            let stored = stored.get(event);
            match stored.map(String::as_str).and_then(stub_hash) {
                Some(hash) if hash == sha256_hex(payload.as_bytes()) => {}
                // A payload stored in plaintext as well (merged in, not yet sealed again).
                None if stored == Some(payload) => continue,
                _ => {
                    return Err(broken(
                        path,
                        format!(
                            "sealed content of case {id} does not match its signed event {}",
                            event.get(..8).unwrap_or(event)
                        ),
                    ));
                }
            }
            conn.prepare_cached(
                "INSERT OR IGNORE INTO temp.open_payloads (id, case_id, payload) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![event, id, payload]))
            .map_err(db)?;
        }
        for (sha256, data) in &part.attachments {
            let bytes = Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|_| {
                        broken(path, format!("a sealed attachment of {id} is unreadable"))
                    })?,
            );
            if sha256_hex(&bytes) != *sha256 {
                return Err(Error::DerivedMismatch {
                    path: path.to_path_buf(),
                    what: format!(
                        "the attachment stored under {}",
                        &sha256[..12.min(sha256.len())]
                    ),
                });
            }
            conn.prepare_cached(
                "INSERT OR IGNORE INTO temp.open_attachments (sha256, case_id, size, data)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![sha256, id, bytes.len() as i64, &bytes[..]]))
            .map_err(db)?;
        }
    }
    Ok(())
}

/// Open the sealed parts of `case` into memory, as [`open_parts`] does; `false` (and nothing
/// of it left in memory) when they do not open and this copy does not hold the key `sealing`
/// names: a sealing gave this member the case without its key (one the rules do not apply,
/// see [`sealing_of`]), and the case stays sealed from them. A part that does not open with
/// a key they hold is an error.
fn try_open(
    conn: &Connection,
    keyring: &Keyring,
    identity: Option<&Identity>,
    case: CaseId,
    sealing: &Sealing,
    path: &Path,
) -> Result<bool, Error> {
    let db = |e| Error::database(path, e);
    match open_parts(conn, keyring, identity, case, path) {
        Ok(()) => Ok(true),
        Err(_) if !keyring.holds(case, &sealing.recipient) => {
            let id = case.to_string();
            for table in [
                "DELETE FROM temp.open_payloads WHERE case_id = ?1",
                "DELETE FROM temp.open_attachments WHERE case_id = ?1",
                "DELETE FROM temp.open_cases WHERE id = ?1",
            ] {
                conn.execute(table, [&id]).map_err(db)?;
            }
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// At open, before the history is verified: unwrap the case keys `identity` can open and
/// decrypt the sealed content of every case it may read into memory. Cases it may not read
/// are listed as sealed from it; nothing of them is decrypted.
pub(crate) fn unseal(
    conn: &Connection,
    identity: &Identity,
    keyring: &mut Keyring,
    path: &Path,
) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let me = member_of(conn, identity).map_err(db)?;
    in_savepoint(conn, path, || {
        // Every key it was given, and the reasons they open, of every case a sealing names,
        // sealed yet or waiting for a second reader's approval.
        let named: Vec<String> = conn
            .prepare_cached(SEALED_IN_HISTORY)
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(db)?;
        for case in named {
            let Ok(case) = uuid::Uuid::parse_str(&case).map(CaseId) else {
                continue;
            };
            if let Some(me) = me {
                unwrap_all(conn, keyring, case, me, identity, path).map_err(db)?;
            }
            open_reasons(conn, keyring, case, Some(identity)).map_err(db)?;
        }
        for case in sealed_cases(conn).map_err(db)? {
            // Who reads it is what its signed sealing events say, not what a summary says.
            let sealed = sealing_of(conn, case).map_err(db)?;
            let sealed = sealed.as_ref();
            let listed = me.filter(|me| sealed.is_some_and(|s| s.readers.contains(me)));
            // A member the sealing events leave out, who holds the case's current key, still
            // reads it: a sealing the rules do not apply (a "new key" naming fewer readers,
            // signed by hand) must not take the case from its readers before the replay,
            // which needs the case's content, can judge it. A member kept out by a sealing
            // the rules do apply was never given the current key. (Its keys were unwrapped
            // above.)
            let holds_key = sealed.is_some_and(|s| keyring.holds(case, &s.recipient));
            // Not a member kept out, though: a reader who kept themselves out on one copy
            // while another reader, on another copy, wrapped a key of theirs to them holds
            // that key, and reads the case no more.
            let kept_out =
                me.is_some_and(|me| sealed.is_some_and(|s| s.excluded.contains_key(&me)));
            let reader = listed.or(me.filter(|_| holds_key && !kept_out));
            let readable = reader.is_some()
                && sealed.is_some_and(|s| (listed.is_some() && !s.key_exact) || holds_key);
            // A sealing this member believes gives them the case, whose key they were never
            // given (one the rules do not apply: see `sealing_of`), opens nothing: the case
            // stays sealed from them. A part that does not open with a key they hold is broken.
            let readable = readable
                && sealed.is_some_and(|s| {
                    try_open(conn, keyring, Some(identity), case, s, path).unwrap_or(false)
                });
            if let Some(s) = sealed
                && reader.is_some()
                && keyring.holds(case, &s.recipient)
                && !readable
            {
                // Its key is held, and still it does not open: broken, not merely withheld.
                open_parts(conn, keyring, Some(identity), case, path)?;
            }
            conn.execute(
                "INSERT INTO temp.sealed_here (case_id, readable) VALUES (?1, ?2)
             ON CONFLICT (case_id) DO UPDATE SET readable = excluded.readable",
                params![case.to_string(), readable],
            )
            .map_err(db)?;
        }
        Ok(())
    })
}

/// Run `work` in a savepoint of its own (inside a caller's transaction, or alone): all of it
/// holds, or none.
fn in_savepoint<T>(
    conn: &Connection,
    path: &Path,
    work: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    let db = |e| Error::database(path, e);
    conn.execute_batch("SAVEPOINT sealing").map_err(db)?;
    match work() {
        Ok(value) => {
            conn.execute_batch("RELEASE sealing").map_err(db)?;
            Ok(value)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK TO sealing; RELEASE sealing");
            Err(e)
        }
    }
}

/// Before a merge replays the merged history: the sealed parts of the cases `other` holds
/// sealed from its reader (their events come in as stubs), and their summaries where this
/// copy has none as recent (the summary stands for the state where nobody can replay it).
pub(crate) fn bring_sealed(other: &Connection, conn: &Connection) -> rusqlite::Result<()> {
    let cases: Vec<String> = other
        .prepare("SELECT case_id FROM temp.sealed_here WHERE NOT readable")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for case in cases {
        let parts: Vec<(String, Vec<u8>)> = other
            .prepare("SELECT part, data FROM main.sealed WHERE case_id = ?1")?
            .query_map([&case], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (part, data) in parts {
            conn.execute(
                "INSERT OR IGNORE INTO main.sealed (case_id, part, data) VALUES (?1, ?2, ?3)",
                params![case, part, data],
            )?;
        }
        type Row = (String, String, String, String, String);
        let theirs: Option<Row> = other
            .query_row(
                "SELECT code_name, status, received_at, updated_at, state FROM main.cases
                 WHERE id = ?1",
                [&case],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let mine: Option<(String, String)> = conn
            .query_row(
                "SELECT updated_at, state FROM main.cases WHERE id = ?1",
                [&case],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((code, status, received, updated, state)) = theirs {
            // An expunged case's retained record is never replaced by an older summary.
            let keep_mine = mine.is_some_and(|(at, state)| {
                state.contains("\"expunged\":{")
                    || (state.contains("\"sealed\":{") && at.as_str() >= updated.as_str())
            });
            if !keep_mine {
                conn.execute(
                    "INSERT OR REPLACE INTO main.cases
                         (id, code_name, status, received_at, updated_at, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![case, code, status, received, updated, state],
                )?;
            }
        }
        conn.execute(
            "INSERT INTO temp.sealed_here (case_id, readable) VALUES (?1, 0)
             ON CONFLICT (case_id) DO NOTHING",
            [&case],
        )?;
    }
    Ok(())
}

/// The payloads of sealed events held in memory, and the `case-sealed` events whose reason
/// opened here (see [`open_reasons`]), by event id.
pub(crate) fn open_payloads(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    conn.prepare(
        "SELECT id, payload FROM temp.open_payloads
         UNION ALL SELECT id, payload FROM temp.open_reasons",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// The cases a `case-sealed` event names, from the index of them (a full verification checks
/// the index against the events: see `history::verify`).
pub(crate) const SEALED_IN_HISTORY: &str = "SELECT DISTINCT case_id FROM main.events
     INDEXED BY events_sealings WHERE kind = 'case-sealed' AND case_id IS NOT NULL";

/// The `case-sealed` events whose reason opened here (see [`open_reasons`]), by event id.
pub(crate) fn opened_reasons(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    conn.prepare("SELECT id, payload FROM temp.open_reasons")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// The cases sealed on this copy, with whether they are readable here.
pub(crate) fn sealed_here(conn: &Connection) -> rusqlite::Result<HashMap<String, bool>> {
    conn.prepare("SELECT case_id, readable FROM temp.sealed_here")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// What [`settle`] did.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    /// Content that was held in plaintext is sealed now: no backup of an earlier version may
    /// stay beside the file.
    pub(crate) newly_sealed: bool,
}

/// Bring the sealed cases among `cases` (every sealed case when `None`) to their stored form
/// (see the module documentation), after their state changed: a case sealed just now, from
/// the member working (their plaintext is sealed to the new key and dropped from memory); a
/// merge that brought in a sealing, plaintext events of a sealed case, or access given to this
/// member (`identity` then unwraps the case's keys). With `rekeyed`, the readable ones may have
/// a new key: they are sealed again, to it, before the next serialisation.
pub(crate) fn settle(
    conn: &Connection,
    keyring: &mut Keyring,
    me: Option<MemberId>,
    identity: Option<&Identity>,
    cases: Option<&HashSet<CaseId>>,
    rekeyed: bool,
    path: &Path,
) -> Result<Settled, Error> {
    let db = |e| Error::database(path, e);
    let states: Vec<Case> = match cases {
        None => {
            let mut stmt = conn
                .prepare("SELECT state FROM cases_open WHERE state LIKE '%\"sealed\":{%'")
                .map_err(db)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
            let mut states = Vec::new();
            for row in rows {
                states.push(
                    serde_json::from_str(&row.map_err(db)?)
                        .map_err(store::conversion)
                        .map_err(db)?,
                );
            }
            states
        }
        Some(ids) => {
            let mut states = Vec::new();
            for id in ids {
                let state: Option<String> = conn
                    .prepare_cached("SELECT state FROM cases_open WHERE id = ?1")
                    .and_then(|mut s| s.query_row([id.to_string()], |r| r.get(0)).optional())
                    .map_err(db)?;
                if let Some(state) = state {
                    states.push(
                        serde_json::from_str::<Case>(&state)
                            .map_err(store::conversion)
                            .map_err(db)?,
                    );
                }
            }
            states
        }
    };
    // One transaction for every case: the in-memory text index is written once.
    in_savepoint(conn, path, || {
        settle_cases(conn, keyring, me, identity, cases, rekeyed, states, path)
    })
}

/// What settling the sealed cases works with: the database, the keys, the member who opened
/// the file and their key, and what is to be written again.
struct Settling<'a> {
    conn: &'a Connection,
    keyring: &'a mut Keyring,
    me: Option<MemberId>,
    identity: Option<&'a Identity>,
    /// The cases to write again whatever they hold (`None`: only those that changed).
    cases: Option<&'a HashSet<CaseId>>,
    rekeyed: bool,
    path: &'a Path,
    replayer: Option<super::history::Replayer>,
}

impl Settling<'_> {
    /// An SQL error on the file.
    fn db(&self, e: rusqlite::Error) -> Error {
        Error::database(self.path, e)
    }
}

#[allow(clippy::too_many_arguments)]
fn settle_cases(
    conn: &Connection,
    keyring: &mut Keyring,
    me: Option<MemberId>,
    identity: Option<&Identity>,
    cases: Option<&HashSet<CaseId>>,
    rekeyed: bool,
    states: Vec<Case>,
    path: &Path,
) -> Result<Settled, Error> {
    let mut s = Settling {
        conn,
        keyring,
        me,
        identity,
        cases,
        rekeyed,
        path,
        replayer: None,
    };
    let mut settled = Settled::default();
    // Cases whose entries in the file's text index go, all at once below (the index is
    // scanned once, however many cases were sealed).
    let mut purge: Vec<String> = Vec::new();
    let progress = super::progress::stage("sealing cases", states.len() as u64);
    for state in states {
        progress.step();
        if state.sealed.is_none() {
            continue;
        }
        // Who reads it is what its signed sealing events say.
        let Some(sealed) = sealing_of(conn, state.id).map_err(|e| s.db(e))? else {
            continue;
        };
        if settle_case(&mut s, &state, &sealed)? {
            settled.newly_sealed = true;
            purge.push(state.id.to_string());
        }
    }
    if !purge.is_empty() {
        // FTS5's secure-delete (set by the schema) leaves no trace of them in the index.
        let ids = serde_json::to_string(&purge).map_err(|e| s.db(store::conversion(e)))?;
        conn.execute(
            "DELETE FROM main.search WHERE case_id IN (SELECT value FROM json_each(?1))",
            [ids],
        )
        .map_err(|e| s.db(e))?;
    }
    Ok(settled)
}

/// Settle one sealed case: opened here when the member reads it, else everything this copy
/// holds of it goes into a part only its readers open; plaintext left in the file becomes
/// stubs. Gives whether plaintext was left (its search entries are then to be purged).
fn settle_case(s: &mut Settling<'_>, state: &Case, sealed: &Sealing) -> Result<bool, Error> {
    let (conn, path) = (s.conn, s.path);
    let db = |e| Error::database(path, e);
    let case = state.id;
    let id = case.to_string();
    let was = here(conn, &id).map_err(db)?;
    let readable = open_for_reader(s, case, sealed, was)?;
    // Plaintext still stored in the file: events recorded or merged in before the case was
    // sealed here.
    let plain: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT id, payload FROM main.events
             WHERE case_id = ?1
             AND kind NOT IN ('case-sealed', 'case-expunged', 'expunge-approved', 'expunge-applied')
             AND payload NOT LIKE '{\"sealed\":%' AND payload NOT LIKE '{\"expunged\":%'",
        )
        .and_then(|mut st| {
            st.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(db)?;
    let attachments = attachments_of(conn, &plain).map_err(db)?;
    if readable {
        hold_open(conn, &id, &plain, &attachments).map_err(db)?;
    } else {
        seal_away(conn, &id, &plain, &attachments, sealed, path)?;
    }
    if !plain.is_empty() {
        stub_events(conn, &plain).map_err(db)?;
    }
    for sha256 in &attachments {
        conn.execute("DELETE FROM main.attachments WHERE sha256 = ?1", [sha256])
            .map_err(db)?;
    }
    if !plain.is_empty() {
        conn.execute("DELETE FROM main.parties WHERE case_id = ?1", [&id])
            .map_err(db)?;
    }
    conn.execute(
        "INSERT INTO temp.sealed_here (case_id, readable, dirty) VALUES (?1, ?2, ?3)
         ON CONFLICT (case_id) DO UPDATE SET readable = excluded.readable,
             dirty = excluded.dirty OR dirty",
        params![
            id,
            readable,
            readable && (s.rekeyed || was != Here::Readable || !plain.is_empty())
        ],
    )
    .map_err(db)?;
    if readable {
        derive(conn, case, state, &mut s.replayer).map_err(db)?;
    }
    let rewrite = s.cases.is_some() || !plain.is_empty() || was != Here::sealed(readable);
    write_sealed_state(conn, path, state, sealed, readable, rewrite)?;
    Ok(!plain.is_empty())
}

/// Open case `case` here when the member who opened the file reads it (its keys unwrapped
/// with their key); gives whether its content is readable here.
fn open_for_reader(
    s: &mut Settling<'_>,
    case: CaseId,
    sealed: &Sealing,
    was: Here,
) -> Result<bool, Error> {
    let (conn, path) = (s.conn, s.path);
    let db = |e| Error::database(path, e);
    let reader = s.me.filter(|me| sealed.readers.contains(me));
    if let Some(me) = reader
        && !s.keyring.holds(case, &sealed.recipient)
    {
        if let Some(keys) = s.keyring.pending.remove(&sealed.recipient) {
            s.keyring.add(case, keys);
        }
        if let Some(identity) = s.identity {
            unwrap_all(conn, s.keyring, case, me, identity, path).map_err(db)?;
        }
        open_reasons(conn, s.keyring, case, s.identity).map_err(db)?;
    }
    // A key made here for a case its maker may not read is forgotten.
    s.keyring.pending.remove(&sealed.recipient);
    let readable =
        reader.is_some() && (!sealed.key_exact || s.keyring.holds(case, &sealed.recipient));
    if readable && was != Here::Readable {
        return try_open(conn, s.keyring, s.identity, case, sealed, path);
    }
    Ok(readable)
}

/// A readable case's plaintext (`plain`, and its `attachments`) is held in memory only.
fn hold_open(
    conn: &Connection,
    id: &str,
    plain: &[(String, String)],
    attachments: &[String],
) -> rusqlite::Result<()> {
    for (event, payload) in plain {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO temp.open_payloads (id, case_id, payload)
             VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut s| s.execute(params![event, id, payload]))?;
    }
    for sha256 in attachments {
        conn.execute(
            "INSERT OR IGNORE INTO temp.open_attachments (sha256, case_id, size, data)
             SELECT sha256, ?2, size, data FROM main.attachments WHERE sha256 = ?1",
            params![sha256, id],
        )?;
    }
    Ok(())
}

/// Everything this copy holds of a case sealed from its member (`plain` and what memory held)
/// goes into a part only the readers open, and out of memory.
fn seal_away(
    conn: &Connection,
    id: &str,
    plain: &[(String, String)],
    attachments: &[String],
    sealed: &Sealing,
    path: &Path,
) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let mut payloads: Vec<(String, String)> = conn
        .prepare_cached("SELECT id, payload FROM temp.open_payloads WHERE case_id = ?1")
        .and_then(|mut s| s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(db)?;
    payloads.extend(plain.iter().cloned());
    let mut files = Vec::new();
    for sha256 in attachments
        .iter()
        .chain(temp_attachments(conn, id).map_err(db)?.iter())
    {
        if let Some(bytes) = store::attachment(conn, sha256).map_err(db)? {
            let bytes = Zeroizing::new(bytes);
            files.push((
                sha256.clone(),
                base64::engine::general_purpose::STANDARD.encode(&*bytes),
            ));
        }
    }
    if !payloads.is_empty() || !files.is_empty() {
        let part = Part {
            case: id.to_string(),
            payloads,
            attachments: files,
            state: None,
        };
        let to = part_recipients(conn, sealed).map_err(db)?;
        let data = encrypt_part(&part, &to, path)?;
        conn.execute(
            "INSERT OR IGNORE INTO main.sealed (case_id, part, data) VALUES (?1, ?2, ?3)",
            params![id, sha256_hex(&data), data],
        )
        .map_err(db)?;
    }
    for table in [
        "DELETE FROM temp.open_payloads WHERE case_id = ?1",
        "DELETE FROM temp.open_attachments WHERE case_id = ?1",
        "DELETE FROM temp.open_cases WHERE id = ?1",
        "DELETE FROM temp.open_parties WHERE case_id = ?1",
        "DELETE FROM temp.open_search WHERE case_id = ?1",
    ] {
        conn.execute(table, [id]).map_err(db)?;
    }
    Ok(())
}

/// The stored summary of a sealed case (and, when it is held here, the full state in
/// memory), unless it is what the file holds already. A copy that reads the case writes it
/// again when it differs (a copy the case is sealed from saved it last, say); `rewrite`
/// writes it whatever it holds.
fn write_sealed_state(
    conn: &Connection,
    path: &Path,
    state: &Case,
    sealed: &Sealing,
    readable: bool,
    rewrite: bool,
) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let id = state.id.to_string();
    // The full state when held here (derived just now, or recorded), else the summary.
    let full = if readable {
        store::case_state(conn, state.id).map_err(db)?
    } else {
        None
    };
    let stale = match &full {
        Some(full) => {
            let held: Option<String> = conn
                .query_row("SELECT state FROM main.cases WHERE id = ?1", [&id], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db)?;
            let expected = serde_json::to_string(&full.sealed_summary())
                .map_err(|e| db(store::conversion(e)))?;
            held.as_deref() != Some(expected.as_str())
        }
        None => false,
    };
    if stale || rewrite {
        let mut stored = match full {
            Some(full) => full,
            None => state.sealed_summary(),
        };
        stored.sealed = Some(sealed.clone());
        store::write_state(conn, &stored).map_err(db)?;
    }
    Ok(())
}

/// The attachments the reports among `plain` (event id, payload) hold, stored in plaintext.
fn attachments_of(conn: &Connection, plain: &[(String, String)]) -> rusqlite::Result<Vec<String>> {
    let mut found = Vec::new();
    for (_, payload) in plain {
        if let Ok(EventKind::ReportReceived { attachments, .. }) = serde_json::from_str(payload) {
            for a in attachments {
                let stored: bool = conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM main.attachments WHERE sha256 = ?1)",
                    [&a.sha256],
                    |r| r.get(0),
                )?;
                if stored {
                    found.push(a.sha256);
                }
            }
        }
    }
    Ok(found)
}

fn temp_attachments(conn: &Connection, case: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT sha256 FROM temp.open_attachments WHERE case_id = ?1")?
        .query_map([case], |r| r.get(0))?
        .collect()
}

/// Replace the stored payloads of `events` (id, payload) with their stubs. Events are
/// append-only: the guard is lifted for these statements only and put back as it was.
fn stub_events(conn: &Connection, events: &[(String, String)]) -> rusqlite::Result<()> {
    let trigger: String = conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE name = 'events_are_append_only_update'",
        [],
        |r| r.get(0),
    )?;
    conn.execute_batch("DROP TRIGGER events_are_append_only_update")?;
    let result = (|| {
        let mut stmt = conn.prepare("UPDATE main.events SET payload = ?2 WHERE id = ?1")?;
        for (id, payload) in events {
            stmt.execute(params![id, stub(payload)])?;
        }
        Ok(())
    })();
    conn.execute_batch(&trigger)?;
    result
}

/// Hold in memory the full states of readable sealed cases a replay derived (the file stores
/// their summaries only).
pub(crate) fn hold_states<'a>(
    conn: &Connection,
    cases: impl Iterator<Item = &'a Case>,
) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT OR REPLACE INTO temp.open_cases (id, state) VALUES (?1, ?2)")?;
    for case in cases {
        let id = case.id.to_string();
        let state = serde_json::to_string(case).map_err(store::conversion)?;
        // A part that held another state is sealed again, with this one, at the next save.
        let held: Option<String> = conn
            .query_row(
                "SELECT state FROM temp.open_cases WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )
            .optional()?;
        if held.as_deref() != Some(state.as_str()) {
            touch(conn, &id)?;
        }
        stmt.execute(params![id, state])?;
    }
    Ok(())
}

/// The in-memory state, search entries and party links of a readable sealed case, from its
/// events (the code name and the attention items a merge of other cases raised are the
/// stored summary's).
fn derive(
    conn: &Connection,
    case: CaseId,
    state: &Case,
    replayer: &mut Option<super::history::Replayer>,
) -> rusqlite::Result<()> {
    let id = case.to_string();
    let held: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM temp.open_cases WHERE id = ?1)",
        [&id],
        |r| r.get(0),
    )?;
    // Indexed again, in full, at the next search (see `ensure_indexed`).
    let indexed: bool = conn.query_row(
        "SELECT indexed FROM temp.sealed_here WHERE case_id = ?1",
        [&id],
        |r| r.get(0),
    )?;
    if indexed {
        conn.execute("DELETE FROM temp.open_search WHERE case_id = ?1", [&id])?;
        conn.execute("DELETE FROM temp.open_parties WHERE case_id = ?1", [&id])?;
        conn.execute(
            "UPDATE temp.sealed_here SET indexed = 0 WHERE case_id = ?1",
            [&id],
        )?;
    }
    if held {
        return Ok(());
    }
    if replayer.is_none() {
        *replayer = Some(super::history::Replayer::read(conn)?);
    }
    let Some(mut full) = replayer
        .as_ref()
        .map(|r| r.case(conn, case))
        .transpose()?
        .flatten()
    else {
        return Ok(());
    };
    full.rename(state.code_name.clone());
    for item in &state.attention {
        full.hold(item.clone());
    }
    let json = serde_json::to_string(&full).map_err(store::conversion)?;
    conn.execute(
        "INSERT OR REPLACE INTO temp.open_cases (id, state) VALUES (?1, ?2)",
        params![id, json],
    )?;
    Ok(())
}

/// Before the database is serialised: seal again, to its current key, every readable sealed
/// case whose content changed since it was last sealed (one part holding all of it).
pub(crate) fn seal_parts(conn: &Connection, path: &Path) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let dirty: Vec<String> = conn
        .prepare("SELECT case_id FROM temp.sealed_here WHERE readable AND dirty")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(db)?;
    for id in dirty {
        let state: String = conn
            .query_row("SELECT state FROM main.cases WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .map_err(db)?;
        let state: Case = serde_json::from_str(&state)
            .map_err(store::conversion)
            .map_err(db)?;
        let Some(sealed) = sealing_of(conn, state.id).map_err(db)? else {
            continue;
        };
        let payloads: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, payload FROM temp.open_payloads WHERE case_id = ?1 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(db)?;
        let mut attachments = Vec::new();
        {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT sha256, data FROM temp.open_attachments WHERE case_id = ?1 ORDER BY sha256",
                )
                .map_err(db)?;
            let mut rows = stmt.query([&id]).map_err(db)?;
            while let Some(row) = rows.next().map_err(db)? {
                let sha256: String = row.get(0).map_err(db)?;
                let data = row
                    .get_ref(1)
                    .map_err(db)?
                    .as_blob()
                    .map_err(|e| db(e.into()))?;
                attachments.push((
                    sha256,
                    base64::engine::general_purpose::STANDARD.encode(data),
                ));
            }
        }
        let full: Option<String> = conn
            .query_row(
                "SELECT state FROM temp.open_cases WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let part = Part {
            case: id.clone(),
            payloads,
            attachments,
            state: full,
        };
        let to = part_recipients(conn, &sealed).map_err(db)?;
        let data = encrypt_part(&part, &to, path)?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        tx.execute("DELETE FROM main.sealed WHERE case_id = ?1", [&id])
            .map_err(db)?;
        tx.execute(
            "INSERT INTO main.sealed (case_id, part, data) VALUES (?1, ?2, ?3)",
            params![id, sha256_hex(&data), data],
        )
        .map_err(db)?;
        tx.execute(
            "UPDATE temp.sealed_here SET dirty = 0 WHERE case_id = ?1",
            [&id],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
    }
    Ok(())
}

/// How long a sealed reason's plaintext is: every reason seals to the same length.
const REASON_LENGTH: usize = 16;

/// A keeping-out's reason, age-encrypted (armored) to the case key `recipient` the same
/// `case-sealed` event makes, padded so that its length says nothing of it.
pub(crate) fn seal_reason(
    recipients: &[String],
    why: casebook_core::event::ExcludeWhy,
    path: &Path,
) -> Result<String, Error> {
    let text = format!("{:<REASON_LENGTH$}", why.as_str());
    let recipients = recipients
        .iter()
        .map(|r| keys::to_age_recipient(r))
        .collect::<Result<Vec<_>, _>>()?;
    let sealed = super::crypto::encrypt(text.as_bytes(), &recipients, true, Vec::new(), path)?;
    String::from_utf8(sealed).map_err(|_| Error::Encrypt {
        path: path.to_path_buf(),
        detail: "armored output is not text".into(),
    })
}

/// The reason [`seal_reason`] sealed, if one of `keys` opens it and it names a reason.
fn open_reason(
    sealed: &str,
    keys: &[age::x25519::Identity],
    member: Option<&Identity>,
) -> Option<casebook_core::event::ExcludeWhy> {
    let armored = age::armor::ArmoredReader::new(sealed.as_bytes());
    let decryptor = age::Decryptor::new_buffered(armored).ok()?;
    let mut reader = decryptor
        .decrypt(
            keys.iter()
                .map(|k| k as &dyn age::Identity)
                .chain(member.map(Identity::as_age)),
        )
        .ok()?;
    let mut text = Zeroizing::new(Vec::with_capacity(REASON_LENGTH));
    reader
        .by_ref()
        .take(REASON_LENGTH as u64 + 1)
        .read_to_end(&mut text)
        .ok()?;
    let text = std::str::from_utf8(&text).ok()?;
    casebook_core::event::ExcludeWhy::ALL
        .into_iter()
        .find(|w| w.as_str() == text.trim_end())
}

/// Put beside each `case-sealed` event of `case` whose reason is sealed to a key this copy
/// holds (a case key, or, for a keeping-out that waits for approval, the member's own: see
/// `CaseFile::reseal`) the event with its reason opened (`temp.open_reasons`), for the engine
/// to judge it by. A reason that does not open stays unknown: the rules do not apply such a
/// keeping-out.
fn open_reasons(
    conn: &Connection,
    keyring: &Keyring,
    case: CaseId,
    member: Option<&Identity>,
) -> rusqlite::Result<()> {
    let keys = keyring.cases.get(&case).map(Vec::as_slice).unwrap_or(&[]);
    for event in store::sealing_events(conn, case)? {
        let mut kind = event.kind;
        if let EventKind::CaseSealed {
            access:
                casebook_core::event::Access::Excluded {
                    why,
                    why_sealed: Some(sealed),
                    ..
                },
            ..
        } = &mut kind
            && why.is_none()
            && let Some(opened) = open_reason(sealed, keys, member)
        {
            *why = Some(opened);
            remember_reason(conn, case, event.id, &kind)?;
        }
    }
    Ok(())
}

/// Keep `kind`, a `case-sealed` event of `case` with its reason opened, in memory (see
/// [`open_reasons`]).
pub(crate) fn remember_reason(
    conn: &Connection,
    case: CaseId,
    id: uuid::Uuid,
    kind: &EventKind,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO temp.open_reasons (id, case_id, payload) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        id.to_string(),
        case.to_string(),
        serde_json::to_string(kind).map_err(store::conversion)?
    ])?;
    Ok(())
}

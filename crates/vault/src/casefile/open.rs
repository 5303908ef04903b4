//! Opening a case file: read the ciphertext, decrypt it straight into a buffer SQLite owns,
//! deserialise it, check it is a casebook database of a schema we know and migrate it in
//! memory. Creating a new one starts from the same in-memory form.

use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, MAIN_DB};
use uuid::Uuid;

use super::trust::{Expect, Trust, verify_on_open};
use super::{CaseFile, Origin, member_added};
use crate::atomic::{NotRegular, Stamp, open_regular, resolve_case_path};
use crate::crypto::{self, Ciphertext};
use crate::ffi::{self, SqliteBuffer};
use crate::keys::{Identity, Recipient};
use crate::lock::Lock;
use crate::sealing::{self, Keyring};
use crate::{Error, schema, store};
use casebook_core::event::{Event, EventKind};
use casebook_core::process::Settings;
use casebook_core::roster::{Member, MemberId, Role};

/// Whether this process may write the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Read only: no lock is taken and saving is refused.
    ReadOnly,
    /// Take the writer's lock; refused if another casebook holds it.
    ReadWrite,
}

/// The largest database casebook will hold in memory (SQLite's default for deserialised
/// databases is 1 GiB).
const MAX_DATABASE_BYTES: i64 = 64 << 30;

/// The details of a member needed to create a case file.
#[derive(Clone, Debug)]
pub struct Founder {
    /// The creator's name.
    pub name: String,
    /// The creator's contact address.
    pub email: Option<String>,
}

impl CaseFile {
    /// Open the case file at `path` with `identity`, verifying its signed history against
    /// what this laptop pinned (see [`CaseFile::trust`]).
    pub fn open(path: &Path, identity: &Identity, mode: OpenMode) -> Result<CaseFile, Error> {
        CaseFile::open_expecting(path, identity, mode, &Expect::default())
    }

    /// [`CaseFile::open`], refusing a file that is not the committee `expect` names.
    pub fn open_expecting(
        path: &Path,
        identity: &Identity,
        mode: OpenMode,
        expect: &Expect,
    ) -> Result<CaseFile, Error> {
        CaseFile::open_with(path, identity, mode, expect, false)
    }

    /// Open `path` for writing even when it is an older copy, one that lacks history this
    /// laptop verified at its path (a backup put back, say). Then [`Trust::older`] says so and
    /// every save over it is refused until merges bring that history back (see
    /// [`CaseFile::catch_up`]): merging a newer copy into it is how it recovers.
    pub fn open_behind(
        path: &Path,
        identity: &Identity,
        expect: &Expect,
    ) -> Result<CaseFile, Error> {
        CaseFile::open_with(path, identity, OpenMode::ReadWrite, expect, true)
    }

    fn open_with(
        path: &Path,
        identity: &Identity,
        mode: OpenMode,
        expect: &Expect,
        behind_ok: bool,
    ) -> Result<CaseFile, Error> {
        let given = path;
        let (real, linked) = resolve_case_path(path)?;
        let path = real.as_path();
        let lock = match mode {
            OpenMode::ReadWrite => Some(Lock::acquire(path, expect.wait)?),
            OpenMode::ReadOnly => None,
        };
        let mut file = open_regular(path).map_err(|e| not_regular(given, e))?;
        let stamp = Stamp::of_file(&mut file).map_err(|e| Error::reading(path, e))?;
        let prefix = crypto::prefix(&file).map_err(|e| Error::reading(path, e))?;
        let (armor, stanzas) = crypto::inspect(&prefix, path)?;
        // Decrypt from the same handle the stamp was taken from: a save by someone else
        // renames a new inode into place and cannot change what this handle reads.
        let (conn, written_as) =
            decrypt_database(&file, armor, identity, path, schema::Check::Whole)?;
        let mut keys = Keyring::default();
        sealing::unseal(&conn, identity, &mut keys, path)?;
        let writing = lock.is_some() && !behind_ok;
        let (trust, committed) =
            verify_on_open(&conn, written_as, path, Some(path), writing, expect)?;
        settle_on_open(&conn, &mut keys, identity, path)?;
        let settings = store::settings(&conn).map_err(|e| Error::database(path, e))?;
        Ok(CaseFile {
            conn,
            keys,
            index: None,
            settings,
            opener_label: identity.label().to_path_buf(),
            committed,
            trust,
            origin: Origin::Disk {
                path: path.to_path_buf(),
                stamp,
                lock,
            },
            followed_link: linked.then(|| given.to_path_buf()),
            salts: Default::default(),
            erased: Vec::new(),
            erase_due: false,
            armor,
            stanzas,
            opener: identity.recipient().to_string(),
            dirty: false,
            retire_backup: false,
            summaries_due: false,
            locked: None,
            locked_draft: None,
        })
    }

    /// Open a case file held in memory (the built-in demo), read-only.
    pub fn open_bytes(
        ciphertext: &[u8],
        label: &str,
        identity: &Identity,
    ) -> Result<CaseFile, Error> {
        let path = Path::new(label);
        let (armor, stanzas) = crypto::inspect(ciphertext, path)?;
        let (conn, written_as) =
            decrypt_database(ciphertext, armor, identity, path, schema::Check::Whole)?;
        CaseFile::from_database(conn, written_as, label, identity, armor, stanzas)
    }

    /// Open `plaintext` as if it had just decrypted from a case file, read-only and never
    /// pinned: every check an open makes, down to the verification of its history. For the
    /// fuzz targets (`fuzz/`) and the tests that replay what they found.
    pub(crate) fn open_plaintext(
        plaintext: &[u8],
        label: &str,
        identity: &Identity,
    ) -> Result<CaseFile, Error> {
        let path = Path::new(label);
        let (conn, written_as) = plaintext_database(plaintext, path, schema::Check::Whole)?;
        CaseFile::from_database(conn, written_as, label, identity, false, Vec::new())
    }

    fn from_database(
        conn: Connection,
        written_as: i64,
        label: &str,
        identity: &Identity,
        armor: bool,
        stanzas: Vec<crate::crypto::Stanza>,
    ) -> Result<CaseFile, Error> {
        let path = Path::new(label);
        let mut keys = Keyring::default();
        sealing::unseal(&conn, identity, &mut keys, path)?;
        let (trust, committed) =
            verify_on_open(&conn, written_as, path, None, false, &Expect::default())?;
        settle_on_open(&conn, &mut keys, identity, path)?;
        let settings = store::settings(&conn).map_err(|e| Error::database(path, e))?;
        Ok(CaseFile {
            conn,
            keys,
            index: None,
            settings,
            opener_label: identity.label().to_path_buf(),
            committed,
            trust,
            origin: Origin::Builtin {
                label: label.to_string(),
            },
            armor,
            stanzas,
            opener: identity.recipient().to_string(),
            dirty: false,
            retire_backup: false,
            summaries_due: false,
            locked: None,
            locked_draft: None,
            followed_link: None,
            salts: Default::default(),
            erased: Vec::new(),
            erase_due: false,
        })
    }

    /// Create a new case file at `path` whose roster holds its founder as chair, encrypted to
    /// the founder's identity and any `extra` recipients. Refuses to overwrite anything.
    pub fn create(
        path: &Path,
        identity: &Identity,
        founder: &Founder,
        extra: &[Recipient],
        armor: bool,
        now: DateTime<Utc>,
    ) -> Result<CaseFile, Error> {
        if path.exists() {
            return Err(Error::Exists {
                path: path.to_path_buf(),
            });
        }
        let mut file = CaseFile::new_in_memory(identity, founder, extra, now, &mut Uuid::new_v4)?;
        file.armor = armor;
        file.save_as(path, identity)?;
        Ok(file)
    }

    /// A new database in memory, not yet written anywhere (the founder is its first chair).
    /// `ids` makes the UUIDs of the founder and the first events.
    pub fn new_in_memory(
        identity: &Identity,
        founder: &Founder,
        extra: &[Recipient],
        now: DateTime<Utc>,
        ids: &mut dyn FnMut() -> Uuid,
    ) -> Result<CaseFile, Error> {
        let label = Path::new("new case file");
        let conn = empty_database().map_err(|e| Error::database(label, e))?;
        let mut file = CaseFile {
            keys: Keyring::default(),
            conn,
            index: None,
            settings: Settings::default(),
            opener_label: identity.label().to_path_buf(),
            committed: 0,
            trust: Trust::default(),
            origin: Origin::Builtin {
                label: label.display().to_string(),
            },
            armor: false,
            stanzas: Vec::new(),
            opener: identity.recipient().to_string(),
            dirty: true,
            retire_backup: false,
            summaries_due: false,
            locked: None,
            locked_draft: None,
            followed_link: None,
            salts: Default::default(),
            erased: Vec::new(),
            erase_due: false,
        };
        let founder_id = MemberId(ids());
        let member = Member {
            id: founder_id,
            name: founder.name.clone(),
            email: founder.email.clone(),
            role: Role::Chair,
            recipient: identity.recipient().to_string(),
            added_at: now,
            removed_at: None,
        };
        let event = |id: Uuid, kind: EventKind| Event {
            id,
            case: None,
            author: founder_id,
            at: now,
            amends: None,
            kind,
        };
        // One transaction, so the history can open with "file created" although its author
        // joins the roster in the same breath (the foreign key is checked at commit).
        let tx = file
            .conn
            .unchecked_transaction()
            .map_err(|e| Error::database(label, e))?;
        let mut build = || -> rusqlite::Result<()> {
            store::insert_member(&tx, &member)?;
            store::append_event(
                &tx,
                &event(ids(), EventKind::FileCreated),
                None,
                ids().as_bytes(),
                false,
            )?;
            store::append_event(
                &tx,
                &event(ids(), member_added(&member)),
                None,
                ids().as_bytes(),
                false,
            )?;
            for recipient in extra {
                store::insert_extra_recipient(&tx, recipient.as_str(), now)?;
                let kind = EventKind::RecipientAdded {
                    recipient: recipient.as_str().to_string(),
                };
                store::append_event(&tx, &event(ids(), kind), None, ids().as_bytes(), false)?;
            }
            Ok(())
        };
        build().map_err(|e| Error::database(label, e))?;
        let committee = casebook_core::history::Committee::replayed(
            &store::committee_events(&tx).map_err(|e| Error::database(label, e))?,
        );
        crate::history::write_committee(&tx, &committee, &[], &[])
            .map_err(|e| Error::database(label, e))?;
        tx.commit().map_err(|e| Error::database(label, e))?;
        // The history's first commit, by its founder.
        file.commit(identity, now)?;
        Ok(file)
    }
}

/// After verification: the in-memory state of every sealed case `identity` may read (and the
/// stored form of any a merged copy left in plaintext).
pub(super) fn settle_on_open(
    conn: &Connection,
    keys: &mut Keyring,
    identity: &Identity,
    path: &Path,
) -> Result<(), Error> {
    let me = store::roster(conn)
        .map_err(|e| Error::database(path, e))?
        .active_by_recipient(identity.recipient())
        .map(|m| m.id);
    sealing::settle(conn, keys, me, Some(identity), None, false, path)?;
    Ok(())
}

/// The error for a case file that could not be opened for reading.
fn not_regular(path: &Path, e: io::Error) -> Error {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<NotRegular>())
    {
        Some(NotRegular(what)) => Error::NotRegularFile {
            path: path.to_path_buf(),
            what: (*what).into(),
        },
        None => Error::reading(path, e),
    }
}

/// A fresh, empty casebook database living in SQLite's in-memory (deserialised) form, like
/// every opened file.
pub(super) fn empty_database() -> rusqlite::Result<Connection> {
    ffi::wipe_sqlite_memory();
    let mut scratch = Connection::open_in_memory()?;
    schema::configure(&scratch)?;
    schema::create(&scratch)?;
    let bytes = scratch.serialize(MAIN_DB)?;
    let mut buffer = SqliteBuffer::new(bytes.len()).ok_or(rusqlite::Error::InvalidQuery)?;
    buffer.as_mut_slice().copy_from_slice(&bytes);
    drop(bytes);
    into_connection(buffer)
}

fn into_connection(buffer: SqliteBuffer) -> rusqlite::Result<Connection> {
    ffi::wipe_sqlite_memory();
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize(MAIN_DB, buffer.into_owned(), false)?;
    ffi::raise_size_limit(&conn, MAX_DATABASE_BYTES);
    schema::configure(&conn)?;
    crate::sealing::prepare(&conn)?;
    Ok(conn)
}

/// Decrypt a case file straight into a buffer SQLite will own, deserialise it and check it.
pub(super) fn decrypt_database<C: Ciphertext + ?Sized>(
    src: &C,
    armor: bool,
    identity: &Identity,
    path: &Path,
    check: schema::Check,
) -> Result<(Connection, i64), Error> {
    let out_of_memory = || Error::Read {
        path: path.to_path_buf(),
        source: io::Error::from(io::ErrorKind::OutOfMemory),
    };
    let mut buffer = if armor {
        let plaintext = crypto::decrypt_armored(src, identity, path)?;
        let mut buffer = SqliteBuffer::new(plaintext.len()).ok_or_else(out_of_memory)?;
        buffer.as_mut_slice().copy_from_slice(&plaintext);
        buffer
    } else {
        let payload = crypto::Payload::open(src, identity, path)?;
        let len = usize::try_from(payload.len()).map_err(|_| out_of_memory())?;
        let mut buffer = SqliteBuffer::new(len).ok_or_else(out_of_memory)?;
        payload.read_into(Some(buffer.as_mut_slice()), identity, path)?;
        buffer
    };
    if !buffer.as_mut_slice().starts_with(crypto::SQLITE_MAGIC) {
        return Err(Error::NotCasebook {
            path: path.to_path_buf(),
            detail: "it does not hold an SQLite database".into(),
        });
    }
    let conn = into_connection(buffer).map_err(|e| Error::database(path, e))?;
    let written_as = schema::check_and_migrate(&conn, path, check)?;
    Ok((conn, written_as))
}

/// `plaintext` (as if decrypted) deserialised into a database SQLite owns, and checked.
pub(crate) fn plaintext_database(
    plaintext: &[u8],
    path: &Path,
    check: schema::Check,
) -> Result<(Connection, i64), Error> {
    if !plaintext.starts_with(crypto::SQLITE_MAGIC) {
        return Err(Error::NotCasebook {
            path: path.to_path_buf(),
            detail: "it does not hold an SQLite database".into(),
        });
    }
    let mut buffer = SqliteBuffer::new(plaintext.len()).ok_or_else(|| Error::Read {
        path: path.to_path_buf(),
        source: io::Error::from(io::ErrorKind::OutOfMemory),
    })?;
    buffer.as_mut_slice().copy_from_slice(plaintext);
    let conn = into_connection(buffer).map_err(|e| Error::database(path, e))?;
    let written_as = schema::check_and_migrate(&conn, path, check)?;
    Ok((conn, written_as))
}

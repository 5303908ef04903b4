//! The lock screen's side of a case file: while locked, the database is held only encrypted,
//! in memory, and every decrypted page is dropped until a member unlocks it.

use std::path::PathBuf;

use rusqlite::MAIN_DB;
use zeroize::Zeroizing;

use super::CaseFile;
use super::open::{decrypt_database, empty_database};
use crate::keys::{self, Identity};
use crate::{Error, crypto, store};

impl CaseFile {
    /// Lock: encrypt the database (unsaved changes included) in memory to the file's
    /// recipients and `identity`, and `draft` (text being written) to `identity`, then drop
    /// every decrypted page and every case. Until [`CaseFile::unlock_screen`], the file holds no
    /// plaintext, reads find an empty database, and saving or recording is refused.
    pub fn lock_screen(&mut self, identity: &Identity, draft: Option<&str>) -> Result<(), Error> {
        if self.locked.is_some() {
            return Ok(());
        }
        let label = PathBuf::from(self.label());
        let mut texts = self.recipients()?;
        if !texts.iter().any(|r| r == identity.recipient()) {
            texts.push(identity.recipient().to_string());
        }
        let recipients = texts
            .iter()
            .map(|r| keys::to_age_recipient(r))
            .collect::<Result<Vec<_>, _>>()?;
        let draft = match draft {
            Some(text) => {
                let me = [keys::to_age_recipient(identity.recipient())?];
                Some(crypto::encrypt(
                    text.as_bytes(),
                    &me,
                    false,
                    Vec::new(),
                    &label,
                )?)
            }
            None => None,
        };
        // Sealed cases' content changed in memory goes into their parts first: what is held
        // while locked is the file's form, and the case keys are dropped with the rest.
        crate::sealing::seal_parts(&self.conn, &label)?;
        let data = self
            .conn
            .serialize(MAIN_DB)
            .map_err(|e| Error::database(&label, e))?;
        let locked = crypto::encrypt(&data, &recipients, false, Vec::new(), &label)?;
        drop(data);
        self.keys = crate::sealing::Keyring::default();
        // Replacing the connection frees the deserialised buffer, which is zeroed on drop.
        self.conn = empty_database().map_err(|e| Error::database(&label, e))?;
        self.index = None;
        self.locked = Some(locked);
        self.locked_draft = draft;
        Ok(())
    }

    /// Whether the file is locked (see [`CaseFile::lock_screen`]).
    pub fn is_screen_locked(&self) -> bool {
        self.locked.is_some()
    }

    /// Unlock with `identity` (a recipient of the locked copy); gives back the locked draft,
    /// wiped when its holder drops it.
    pub fn unlock_screen(
        &mut self,
        identity: &Identity,
    ) -> Result<Option<Zeroizing<String>>, Error> {
        let Some(locked) = &self.locked else {
            return Ok(None);
        };
        let label = PathBuf::from(self.label());
        let (conn, _) = decrypt_database(
            locked.as_slice(),
            false,
            identity,
            &label,
            crate::schema::Check::Whole,
        )?;
        let draft = match &self.locked_draft {
            Some(bytes) => {
                let mut text = crypto::decrypt_small(bytes, identity, &label)?;
                // Moved, not copied, into the String: no unwiped copy is left behind.
                Some(Zeroizing::new(
                    match String::from_utf8(std::mem::take(&mut *text)) {
                        Ok(draft) => draft,
                        Err(e) => {
                            let bytes = Zeroizing::new(e.into_bytes());
                            String::from_utf8_lossy(&bytes).into_owned()
                        }
                    },
                ))
            }
            None => None,
        };
        let mut keys = crate::sealing::Keyring::default();
        crate::sealing::unseal(&conn, identity, &mut keys, &label)?;
        super::open::settle_on_open(&conn, &mut keys, identity, &label)?;
        self.keys = keys;
        self.settings = store::settings(&conn).map_err(|e| Error::database(&label, e))?;
        self.conn = conn;
        self.index = None;
        self.locked = None;
        self.locked_draft = None;
        self.opener = identity.recipient().to_string();
        Ok(draft)
    }
}

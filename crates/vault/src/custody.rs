//! A party's contact details held by one member, the custodian: encrypted to that member's key
//! alone, stored in the party's disclosure (see [`casebook_core::party::Disclosure::Held`]).

use std::path::Path;

use zeroize::Zeroizing;

use crate::Error;
use crate::keys::{self, Identity};

/// `text` age-encrypted (armored) to one member's key: a party's contact details held by a
/// custodian (see [`casebook_core::party::Disclosure::Held`]).
pub fn encrypt_to_custodian(recipient: &str, text: &str) -> Result<String, Error> {
    let path = Path::new("party details");
    let recipients = [keys::to_age_recipient(recipient)?];
    let encrypted = crate::crypto::encrypt(text.as_bytes(), &recipients, true, Vec::new(), path)?;
    String::from_utf8(encrypted).map_err(|_| Error::Encrypt {
        path: path.to_path_buf(),
        detail: "armored output is not text".into(),
    })
}

/// Open what [`encrypt_to_custodian`] encrypted, with the custodian's key.
pub fn open_held(encrypted: &str, identity: &Identity) -> Result<Zeroizing<String>, Error> {
    let path = Path::new("party details");
    let bytes = crate::crypto::decrypt_armored(encrypted.as_bytes(), identity, path)?;
    std::str::from_utf8(&bytes)
        .map(|t| Zeroizing::new(t.to_string()))
        .map_err(|_| Error::Tampered {
            path: path.to_path_buf(),
            detail: "the held details are not text",
        })
}

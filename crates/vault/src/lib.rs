//! The case file: the only part of casebook that touches keys, ciphertext or SQL.
//!
//! A case file is an age-encrypted SQLite database. It is decrypted into memory only; the
//! plaintext never reaches the disk, and every save replaces the file atomically.
#![deny(unsafe_code)] // Except in ffi.rs: the workspace's one file of it, to audit in one sitting.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod agent;
mod atomic;
mod casefile;
pub mod copies;
mod crypto;
mod custody;
pub mod demo;
mod error;
mod expunge;
#[allow(unsafe_code)]
mod ffi;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
mod keys;
mod lock;
pub mod pins;
pub mod progress;
mod schema;
mod sealing;
mod store;
pub mod synthetic;

pub use atomic::backup_path;
pub use casefile::recover;
pub use casefile::{
    CaseFile, Displaced, EncryptedTo, Expect, Founder, MemberSummary, OpenMode, OtherCopy,
    RecipientSummary, SavePolicy, SaveReport, SearchHit, StatusCount, Summary, Trust,
    encrypt_new_file,
};
pub use custody::{encrypt_to_custodian, open_held};
pub use error::Error;
pub use ffi::WipeOnFree;
pub use keys::{
    Identity, PassphraseSource, Recipient, fingerprint, keygen, public_key_path, write_new,
};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

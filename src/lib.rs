//! casebook: offline, encrypted case management for code-of-conduct committees.
//!
//! All case data lives in one age-encrypted SQLite file that is decrypted only into memory.
//! The crate is split the way data flows through it:
//!
//! - [`core`]: the committee's domain (members, cases, events, the text sanitiser). Pure: it
//!   does no I/O and imports no SQL, crypto or UI crate.
//! - [`vault`]: the case file. Sole owner of `rusqlite` and `age`: keys and identities,
//!   encryption, atomic saves, locking, the schema and its migrations.
//! - [`cli`]: raw command-line arguments and their validation into a [`cli::Config`].
//! - [`export`]: decision records for each audience, and their OpenSSH signatures.
//! - [`import`]: reports as they arrive (email, CSV, JSON), parsed without I/O.
//! - [`tui`]: the terminal interface (model, actions, key map, pure views); it calls [`ops`],
//!   never [`commands`].
//! - [`ops`]: what a member can do, once for both front ends: typed requests in, typed
//!   results and errors out.
//! - [`commands`]: the command line's front end: one function per subcommand, wording its
//!   results and errors (with hints) for the terminal.
//!
//! ```no_run
//! use casebook::vault::{CaseFile, Identity, OpenMode, PassphraseSource};
//!
//! # fn main() -> Result<(), casebook::vault::Error> {
//! let identity = Identity::load("member.key".as_ref(), &PassphraseSource::Terminal)?;
//! let file = CaseFile::open("committee.cases.age".as_ref(), &identity, OpenMode::ReadOnly)?;
//! println!("{} cases", file.summary()?.case_count);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod commands;
pub mod core;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod ops;
pub mod tui;
pub mod vault;

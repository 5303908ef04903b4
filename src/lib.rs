//! casebook: offline, encrypted case management for code-of-conduct committees.
//!
//! All case data lives in one age-encrypted SQLite file that is decrypted only into memory.
//! The workspace is split the way data flows through it, one crate per layer, so that a wrong
//! import is a compile error:
//!
//! - [`core`] (`casebook-core`): the committee's domain and its rules. Pure: no I/O, no SQL,
//!   crypto or UI crate.
//! - `casebook-vault`: the case file, sole owner of `rusqlite` and `age`: keys, encryption,
//!   atomic saves, the file lock, the signed history, the schema. Only [`ops`] depends on it.
//! - [`export`] (`casebook-export`): decision records and their OpenSSH signatures.
//! - [`import`] (`casebook-import`): reports as they arrive, parsed without I/O.
//! - [`ops`] (`casebook-ops`): what a member can do, once for both front ends; the one door
//!   to the file.
//! - This crate, the front ends: [`cli`] (arguments into a [`cli::Config`]), [`commands`] (one
//!   function per subcommand, wording results and errors for the terminal) and [`tui`] (the
//!   terminal interface). They depend on `core`, `export`, `import` and `ops`, never on the
//!   vault.
//!
//! The front ends hold an [`ops::OpenFile`], which has no way to record a raw event, sign, or
//! reach the database; this does not compile:
//!
//! ```compile_fail
//! fn forge(file: &mut casebook::ops::OpenFile, events: &[casebook::core::event::Event]) {
//!     file.record(events); // no such method: changes go through `ops`, which judges them
//! }
//! ```
//!
//! and the vault's file type is not reachable through this crate or `ops`:
//!
//! ```compile_fail
//! use casebook::ops::vault::CaseFile;
//! ```
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod commands;
pub mod tui;

pub use casebook_core as core;
pub use casebook_export as export;
pub use casebook_import as import;
pub use casebook_ops as ops;

#[doc(hidden)]
pub use casebook_ops::fuzzing;

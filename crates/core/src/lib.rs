//! The committee's domain: members, cases and the events that change them, and the process
//! rules that decide which changes are allowed.
//!
//! Nothing here does I/O or imports an SQL, crypto or UI crate; time and identifiers are
//! always passed in, so every rule can be tested with a fixed clock.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod attention;
pub mod case;
pub mod codename;
pub mod comms;
pub mod dates;
pub mod decision;
pub mod describe;
pub mod engine;
pub mod event;
pub mod history;
pub mod mentions;
pub mod party;
pub mod process;
pub mod queue;
pub mod retention;
pub mod roster;
pub mod rules;
pub mod sanction;
pub mod sanitize;
pub mod snippet;

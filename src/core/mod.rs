//! The committee's domain: members, cases and the events that change them.
//!
//! Nothing here does I/O or imports an SQL, crypto or UI crate; time is always passed in, so
//! every rule can be tested with a fixed clock.

pub mod case;
pub mod event;
pub mod roster;
pub mod sanitize;

//! The integration tests, as one binary (as ripgrep's `tests/tests.rs`): one module a subject.
//! Linking one test binary instead of one a file is most of what a clean `cargo test` spends.
//! The tests that set this process's environment (`clock`, `merge`, `merge_property`,
//! `unsaved_property`), the one that replaces the global allocator (`wipe`), and the snapshot
//! tests (their snapshots are named by binary) are binaries of their own.

#[path = "../common/mod.rs"]
mod common;

mod after_decision;
mod agent;
mod canaries;
mod cases;
mod cli_extras;
mod cli_rough_edges;
mod crash;
mod demo;
mod edges;
mod errors;
mod exit_codes;
mod export;
mod forgery;
mod fuzz_regressions;
mod golden;
mod hardening;
mod hostile_text;
mod import;
mod interop;
mod keygen;
mod members;
mod merge_attacks;
mod migration;
mod no_plaintext;
mod pins;
mod progress;
mod recovery;
mod retention;
mod roster_commands;
mod rules;
mod saving;
mod sealed;
mod sealed_review;
mod signatures;
mod stdin_options;
mod transparency;
mod tui;
mod tui_round3;

//! Fuzz target `merge_databases`: another copy merged into `fuzz/merge-base.db` (see
//! `casebook::fuzzing` for what it runs and checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    casebook::fuzzing::run("merge_databases", data, include_bytes!("../merge-base.db"));
});

//! Fuzz target `sanitize`: see `casebook::fuzzing` for what it runs and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    casebook::fuzzing::run("sanitize", data, &[]);
});

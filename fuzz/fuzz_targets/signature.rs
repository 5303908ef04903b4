//! Fuzz target `signature`: see `casebook::fuzzing` for what it runs and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    casebook::fuzzing::run("signature", data, &[]);
});

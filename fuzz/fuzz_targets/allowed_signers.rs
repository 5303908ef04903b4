//! Fuzz target `allowed_signers`: see `casebook::fuzzing` for what it runs and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    casebook::fuzzing::run("allowed_signers", data, &[]);
});

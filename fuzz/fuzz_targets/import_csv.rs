//! Fuzz target `import_csv`: see `casebook::fuzzing` for what it runs and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    casebook::fuzzing::run("import_csv", data, &[]);
});

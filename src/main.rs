//! The `casebook` binary: parse arguments, run the command, and turn any error into one
//! clear message plus a hint on stderr and a non-zero exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use casebook::cli::{Args, Config};
use casebook::commands;

fn main() -> ExitCode {
    let args = Args::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = Config::from_args(args)
        .map_err(commands::Error::from)
        .and_then(|config| commands::run(config, &mut out));
    let _ = out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `casebook info FILE | head`: the reader left; that is not an error.
        Err(commands::Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(err.exit_code())
        }
    }
}

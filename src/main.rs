//! The `casebook` binary: parse arguments, run the command (or hand the case file to the
//! interface), and turn any error into one clear message plus a hint on stderr and a non-zero
//! exit code.
#![deny(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use casebook::cli::Config;
use casebook::commands::{self, Interactive};
use casebook::core::sanitize;
use casebook::tui;

/// Every freed block is wiped, beneath the wiping casebook's own buffers do (see
/// [`casebook::ops::vault::WipeOnFree`]).
#[global_allocator]
static ALLOCATOR: casebook::ops::vault::WipeOnFree = casebook::ops::vault::WipeOnFree;

fn main() -> ExitCode {
    let args = casebook::cli::parse();
    // Long work (a first open of a large file, a merge) shows how far along it is.
    commands::show_on_terminal();
    let stdout = std::io::stdout();
    let mut out = commands::SafeOutput::new(stdout.lock());
    let result = Config::from_args(args)
        .map_err(commands::Error::from)
        .inspect(|config| {
            for warning in &config.warnings {
                eprintln!("warning: {}", sanitize::body(warning));
            }
        })
        .and_then(|config| match commands::run(&config, &mut out)? {
            Some(Interactive {
                mut file,
                identity,
                reload,
            }) => tui::run(&mut file, identity, &*reload, config.interface)
                .map_err(commands::Error::Output),
            None => Ok(()),
        });
    let _ = out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `casebook info FILE | head`: the reader left; that is not an error.
        Err(commands::Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Messages quote names, code names and file contents: never raw to the terminal.
            eprintln!("error: {}", sanitize::body(&err.to_string()));
            if let Some(hint) = err.hint() {
                eprintln!("hint: {}", sanitize::body(&hint));
            }
            ExitCode::from(err.exit_code())
        }
    }
}

//! Command-line arguments as typed (clap), and their validation into a [`Config`] before any
//! work starts: which identity to use and where it came from, where passphrases come from.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use serde::Deserialize;

use crate::vault::PassphraseSource;

/// casebook: offline, encrypted case management for code-of-conduct committees.
#[derive(Debug, Parser)]
#[command(name = "casebook", version, about, long_about = None)]
pub struct Args {
    /// Your key: an OpenSSH ed25519 private key or an age identity file.
    /// [default: $CASEBOOK_IDENTITY, then `identity` in the config file, then ~/.ssh/id_ed25519]
    #[arg(short = 'i', long, global = true, value_name = "KEY")]
    pub identity: Option<PathBuf>,

    /// Read passphrases from the first line of FILE instead of asking on the terminal.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a new member key (OpenSSH ed25519): it decrypts case files and signs exports.
    Keygen {
        /// Where to write the private key; the public key goes to PATH.pub.
        #[arg(short, long, value_name = "PATH")]
        output: PathBuf,
        /// Protect the key with a passphrase (asked twice on the terminal, or --passphrase-file).
        #[arg(long)]
        passphrase: bool,
        /// Comment stored in the public key.
        #[arg(long, default_value = "casebook member key")]
        comment: String,
    },
    /// Create a new case file with you as its first member (chair).
    Init {
        /// The case file to create (for example committee.cases.age).
        file: PathBuf,
        /// Your name, as the committee knows you.
        #[arg(long)]
        name: String,
        /// Your contact address.
        #[arg(long)]
        email: Option<String>,
        /// Also encrypt to this recipient (ssh-ed25519 public key or age1...), for example an
        /// offline escrow key. Repeatable.
        #[arg(long = "recipient", value_name = "RECIPIENT")]
        recipients: Vec<String>,
        /// Write the file ASCII-armored (PEM-like text) instead of binary.
        #[arg(long)]
        armor: bool,
    },
    /// Show a case file's schema, roster, recipients and case counts.
    Info {
        /// The case file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Open the built-in demo (a fictional committee), entirely in memory.
    Demo {
        /// Save the demo as a new case file (the only way to save it).
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add synthetic cases to a case file (benchmarks and tests).
    #[command(hide = true)]
    Synth {
        /// The case file.
        file: PathBuf,
        /// Number of cases to add.
        #[arg(long, default_value_t = 100)]
        cases: usize,
        /// Events per case.
        #[arg(long, default_value_t = 10)]
        events_per_case: usize,
        /// Bytes per note.
        #[arg(long, default_value_t = 400)]
        note_bytes: usize,
        /// A string planted in every case.
        #[arg(long)]
        canary: Option<String>,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

/// Where the identity path came from, so messages can say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityFrom {
    /// `-i/--identity`.
    Flag,
    /// `$CASEBOOK_IDENTITY`.
    Environment,
    /// `identity` in the config file at this path.
    ConfigFile(PathBuf),
    /// `~/.ssh/id_ed25519`.
    Default,
}

/// Validated settings for one run.
#[derive(Debug)]
pub struct Config {
    /// The identity file to use when a case file is opened.
    pub identity: Option<PathBuf>,
    /// Where [`Config::identity`] came from.
    pub identity_from: IdentityFrom,
    /// Where passphrases come from.
    pub passphrases: PassphraseSource,
    /// The subcommand.
    pub command: Command,
}

/// The config file, `$XDG_CONFIG_HOME/casebook/config.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    /// Path of the identity to use; `~/` is expanded.
    identity: Option<PathBuf>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read config file {}: {source}", .path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown settings.
    #[error("config file {} is invalid: {message}", .path.display())]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// The parser's explanation.
        message: String,
    },
}

impl Config {
    /// Validate `args` against the environment and the config file.
    pub fn from_args(args: Args) -> Result<Config, ConfigError> {
        let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
        let config_path = directories::ProjectDirs::from("", "", "casebook")
            .map(|dirs| dirs.config_dir().join("config.toml"));
        let file_config = match &config_path {
            Some(path) => read_config(path)?,
            None => FileConfig::default(),
        };
        let (identity, identity_from) = if let Some(path) = args.identity {
            (Some(path), IdentityFrom::Flag)
        } else if let Some(path) = std::env::var_os("CASEBOOK_IDENTITY").filter(|v| !v.is_empty()) {
            (Some(PathBuf::from(path)), IdentityFrom::Environment)
        } else if let (Some(path), Some(config_path)) = (file_config.identity, config_path) {
            (
                Some(expand_home(&path, home.as_deref())),
                IdentityFrom::ConfigFile(config_path),
            )
        } else {
            (
                home.map(|h| h.join(".ssh").join("id_ed25519")),
                IdentityFrom::Default,
            )
        };
        let passphrases = match args.passphrase_file {
            Some(file) => PassphraseSource::File(file),
            None => PassphraseSource::Terminal,
        };
        Ok(Config {
            identity,
            identity_from,
            passphrases,
            command: args.command,
        })
    }
}

fn read_config(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })
}

fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_in_the_config_file_means_home() {
        let home = Path::new("/home/ada");
        assert_eq!(
            expand_home(Path::new("~/.ssh/k"), Some(home)),
            Path::new("/home/ada/.ssh/k")
        );
        assert_eq!(
            expand_home(Path::new("/abs/k"), Some(home)),
            Path::new("/abs/k")
        );
    }

    #[test]
    fn unknown_config_settings_are_refused() {
        let err = toml::from_str::<FileConfig>("identiy = \"x\"").unwrap_err();
        assert!(err.message().contains("unknown field"), "{}", err.message());
    }
}

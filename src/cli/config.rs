//! The validated settings of one run: the identity and where it came from, where passphrases
//! come from, and the config file (`$XDG_CONFIG_HOME/casebook/config.toml`).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Args, Command};
use crate::vault::PassphraseSource;

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
    /// Whether the passphrase file was given on the command line (`keygen` protects a new key
    /// with it then; one named by the environment or the config file is for opening keys).
    pub passphrase_file_given: bool,
    /// The committee the case file must be (`--committee`).
    pub expect: crate::vault::Expect,
    /// How the committee writes `A/B/YYYY` days, if set.
    pub date_order: Option<crate::core::dates::DateOrder>,
    /// The interface's settings (idle lock, theme, keys).
    pub interface: crate::tui::Options,
    /// The subcommand.
    pub command: Command,
}

/// The config file, `$XDG_CONFIG_HOME/casebook/config.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    /// Path of the identity to use; `~/` is expanded.
    identity: Option<PathBuf>,
    /// Path of a file whose first line is the identity's passphrase; `~/` is expanded.
    passphrase_file: Option<PathBuf>,
    /// Minutes without a key press before the interface locks (fractions allowed); 0 never
    /// locks.
    idle_lock_minutes: Option<f64>,
    /// `default` (the terminal's 16 colours) or `mono`.
    theme: Option<String>,
    /// Where the interface writes exports and saved attachments unless a path is typed
    /// (created 0700); `~/` is expanded. Default: `$XDG_DATA_HOME/casebook/exports`.
    export_dir: Option<PathBuf>,
    /// How the committee writes `A/B/YYYY` days: `day-month-year` or `month-day-year`
    /// (unset: such a day is refused when both numbers could be the month).
    date_order: Option<crate::core::dates::DateOrder>,
    /// Action names mapped to a key or a list of keys.
    #[serde(default)]
    keys: std::collections::BTreeMap<String, KeyList>,
}

/// One key or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeyList {
    One(String),
    Several(Vec<String>),
}

impl FileConfig {
    /// The interface's settings; `no_color` is whether `NO_COLOR` is set.
    fn interface(&self, no_color: bool) -> Result<crate::tui::Options, String> {
        let keys = self
            .keys
            .iter()
            .map(|(action, keys)| {
                let keys = match keys {
                    KeyList::One(key) => vec![key.clone()],
                    KeyList::Several(keys) => keys.clone(),
                };
                (action.clone(), keys)
            })
            .collect();
        crate::tui::Options::configured(
            self.theme.as_deref(),
            self.idle_lock_minutes,
            &keys,
            no_color,
        )
    }
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
    /// Standard input could not be read for an option given as `-`.
    #[error("cannot read standard input: {0}")]
    Stdin(String),
    /// Two options asked for standard input.
    #[error("both {first} and {second} are `-`; only one option can read standard input")]
    StdinTwice {
        /// The first such option.
        first: String,
        /// The second.
        second: String,
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
    pub fn from_args(mut args: Args) -> Result<Config, ConfigError> {
        super::stdin::resolve(&mut args.command)?;
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
        } else if let (Some(path), Some(config_path)) =
            (file_config.identity.clone(), config_path.clone())
        {
            (
                Some(expand_home(&path, home.as_deref())),
                IdentityFrom::ConfigFile(config_path),
            )
        } else {
            (
                home.as_ref().map(|h| h.join(".ssh").join("id_ed25519")),
                IdentityFrom::Default,
            )
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let mut interface =
            file_config
                .interface(no_color)
                .map_err(|message| ConfigError::Invalid {
                    path: config_path.clone().unwrap_or_default(),
                    message,
                })?;
        if let Some(dir) = &file_config.export_dir {
            interface.export_dir = expand_home(dir, home.as_deref());
        }
        interface.date_order = file_config.date_order;
        let passphrase_file_given = args.passphrase_file.is_some();
        let passphrase_file = args
            .passphrase_file
            .or_else(|| {
                std::env::var_os("CASEBOOK_PASSPHRASE_FILE")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| {
                file_config
                    .passphrase_file
                    .as_deref()
                    .map(|path| expand_home(path, home.as_deref()))
            });
        let passphrases = match passphrase_file {
            Some(file) => PassphraseSource::File(file),
            None => PassphraseSource::Terminal,
        };
        Ok(Config {
            expect: crate::vault::Expect {
                committee: args.committee,
            },
            identity,
            identity_from,
            passphrases,
            passphrase_file_given,
            date_order: file_config.date_order,
            interface,
            command: args.command,
        })
    }
}

/// `date_order` from the config file, if it is readable and sets one (arguments are read
/// with it; any problem with the file is reported by [`Config::from_args`]).
pub(super) fn date_order_setting() -> Option<crate::core::dates::DateOrder> {
    let path = directories::ProjectDirs::from("", "", "casebook")?
        .config_dir()
        .join("config.toml");
    read_config(&path).ok()?.date_order
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
    fn interface_settings_from_the_config_file() {
        let config: FileConfig = toml::from_str(
            "idle_lock_minutes = 0\ntheme = \"mono\"\n[keys]\nvote = \"V\"\nsave = [\"ctrl-s\", \"ctrl-w\"]\n",
        )
        .unwrap();
        let options = config.interface(false).unwrap();
        assert_eq!(options.idle_lock, None, "0 never locks");
        assert_eq!(options.theme, crate::tui::theme::Theme::mono());
        let defaults: FileConfig = toml::from_str("").unwrap();
        let options = defaults.interface(true).unwrap();
        assert_eq!(options.idle_lock, Some(std::time::Duration::from_secs(300)));
        assert_eq!(options.theme, crate::tui::theme::Theme::mono(), "NO_COLOR");
        let bad: FileConfig = toml::from_str("theme = \"neon\"").unwrap();
        assert!(bad.interface(false).unwrap_err().contains("unknown theme"));
        let clash: FileConfig = toml::from_str("[keys]\nvote = \"n\"").unwrap();
        assert!(
            clash
                .interface(false)
                .unwrap_err()
                .contains("bound to both")
        );
    }

    #[test]
    fn unknown_config_settings_are_refused() {
        let err = toml::from_str::<FileConfig>("identiy = \"x\"").unwrap_err();
        assert!(err.message().contains("unknown field"), "{}", err.message());
    }
}

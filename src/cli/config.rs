//! The validated settings of one run: the identity and where it came from, where passphrases
//! come from, and the config file (`$XDG_CONFIG_HOME/casebook/config.toml`).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Args, Command};
use crate::ops::vault::PassphraseSource;

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
    pub expect: crate::ops::vault::Expect,
    /// How the committee writes `A/B/YYYY` days, if set.
    pub date_order: Option<crate::core::dates::DateOrder>,
    /// The interface's settings (screen lock, theme, keys).
    pub interface: crate::tui::Options,
    /// What the member should be told once before the command runs (raw: sanitise it), such
    /// as config file settings this command goes on without.
    pub warnings: Vec<String>,
    /// The subcommand.
    pub command: Command,
}

/// The config file, `$XDG_CONFIG_HOME/casebook/config.toml`.
#[derive(Debug, Default, Deserialize)]
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
        let (file_config, mut problems) = match &config_path {
            Some(path) => read_config(path)?,
            None => (FileConfig::default(), Problems::default()),
        };
        let identity_elsewhere = args.identity.is_some()
            || std::env::var_os("CASEBOOK_IDENTITY").is_some_and(|v| !v.is_empty());
        let passphrase_elsewhere = args.passphrase_file.is_some()
            || std::env::var_os("CASEBOOK_PASSPHRASE_FILE").is_some_and(|v| !v.is_empty());
        // The identity is the one setting a command cannot go on without: a config file that
        // should give it and cannot stops the command. Anything else it cannot give is said.
        let needs_identity = !identity_elsewhere && command_needs_a_key(&args.command);
        let identity_problem = problems.unreadable.clone().or_else(|| {
            problems
                .core
                .iter()
                .find(|(setting, _)| setting == "identity")
                .map(|(_, why)| why.clone())
        });
        if let (true, Some(why)) = (needs_identity, identity_problem) {
            return Err(ConfigError::Invalid {
                path: config_path.clone().unwrap_or_default(),
                message: why,
            });
        }
        for (setting, why) in std::mem::take(&mut problems.core) {
            let used = match setting.as_str() {
                "identity" => !identity_elsewhere,
                _ => !passphrase_elsewhere,
            };
            if used {
                problems.interface.push(why);
            }
        }
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
        let mut warnings = Vec::new();
        let mut interface = match file_config.interface(no_color) {
            Ok(options) => options,
            Err(message) => {
                problems.interface.push(message);
                FileConfig::default()
                    .interface(no_color)
                    .map_err(|message| ConfigError::Invalid {
                        path: config_path.clone().unwrap_or_default(),
                        message,
                    })?
            }
        };
        // The interface refuses a config file it cannot follow before anything opens; every
        // other command goes on without those settings, and says so once.
        if !problems.interface.is_empty() {
            let path = config_path.clone().unwrap_or_default();
            if opens_the_interface(&args.command) {
                return Err(ConfigError::Invalid {
                    path,
                    message: problems.interface.join("; "),
                });
            }
            warnings.push(format!(
                "config file {} is not used in part: {} (the interface refuses to start until \
                 it is fixed; this command goes on without those settings)",
                path.display(),
                problems.interface.join("; ")
            ));
        }
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
            expect: crate::ops::vault::Expect {
                committee: args.committee,
                wait: args.wait.map(std::time::Duration::from_secs),
            },
            identity,
            identity_from,
            passphrases,
            passphrase_file_given,
            date_order: file_config.date_order,
            interface,
            warnings,
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
    read_config(&path).ok()?.0.date_order
}

/// What is wrong with a config file, by who needs it.
#[derive(Debug, Default)]
struct Problems {
    /// The file is not valid TOML: no setting in it can be used.
    unreadable: Option<String>,
    /// Settings every command may need (`identity`, `passphrase_file`) that cannot be used.
    core: Vec<(String, String)>,
    /// Settings only the interface uses, and settings casebook does not know.
    interface: Vec<String>,
}

/// The settings commands (and the interface) use, and what is wrong with the others: one
/// bad setting does not spoil the rest.
fn read_config(path: &Path) -> Result<(FileConfig, Problems), ConfigError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((FileConfig::default(), Problems::default()));
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut problems = Problems::default();
    let table: toml::Table = match toml::from_str(&text) {
        Ok(table) => table,
        Err(e) => {
            let why = format!("not valid TOML: {}", e.message());
            problems.unreadable = Some(why.clone());
            problems.interface.push(why);
            return Ok((FileConfig::default(), problems));
        }
    };
    let mut config = FileConfig::default();
    for (key, value) in table {
        let wrong = |e: toml::de::Error| format!("{key}: {}", e.message());
        match key.as_str() {
            "identity" => match value.try_into() {
                Ok(v) => config.identity = Some(v),
                Err(e) => problems.core.push((key.clone(), wrong(e))),
            },
            "passphrase_file" => match value.try_into() {
                Ok(v) => config.passphrase_file = Some(v),
                Err(e) => problems.core.push((key.clone(), wrong(e))),
            },
            "idle_lock_minutes" => match value.clone().try_into::<f64>() {
                Ok(v) => config.idle_lock_minutes = Some(v),
                // `5` is as good as `5.0`.
                Err(e) => match value.try_into::<i64>() {
                    Ok(v) => config.idle_lock_minutes = Some(v as f64),
                    Err(_) => problems.interface.push(wrong(e)),
                },
            },
            "theme" => match value.try_into() {
                Ok(v) => config.theme = Some(v),
                Err(e) => problems.interface.push(wrong(e)),
            },
            "export_dir" => match value.try_into() {
                Ok(v) => config.export_dir = Some(v),
                Err(e) => problems.interface.push(wrong(e)),
            },
            "keys" => match value.try_into() {
                Ok(v) => config.keys = v,
                Err(e) => problems.interface.push(wrong(e)),
            },
            "date_order" => match value.try_into() {
                Ok(v) => config.date_order = Some(v),
                Err(e) => problems.interface.push(wrong(e)),
            },
            _ => problems.interface.push(format!(
                "unknown setting `{key}` (settings: identity, passphrase_file, \
                 idle_lock_minutes, theme, export_dir, date_order, [keys])"
            )),
        }
    }
    Ok((config, problems))
}

/// Whether `command` opens the interface, which uses every setting.
fn opens_the_interface(command: &Command) -> bool {
    match command {
        Command::Open { .. } => true,
        Command::Demo { save_as, json } => {
            save_as.is_none() && !json && std::io::IsTerminal::is_terminal(&std::io::stdout())
        }
        _ => false,
    }
}

/// Whether `command` opens a key (and so may need the identity or passphrase settings).
fn command_needs_a_key(command: &Command) -> bool {
    !matches!(
        command,
        Command::Completions { .. }
            | Command::Man { .. }
            | Command::Keygen { .. }
            | Command::Demo { .. }
    )
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
    fn unknown_or_bad_settings_are_set_apart_by_who_needs_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "identiy = \"x\"\nidentity = 3\ntheme = \"mono\"\nidle_lock_minutes = 2\n",
        )
        .unwrap();
        let (config, problems) = read_config(&path).unwrap();
        assert_eq!(config.theme.as_deref(), Some("mono"));
        assert_eq!(config.idle_lock_minutes, Some(2.0));
        assert!(problems.interface[0].contains("unknown setting `identiy`"));
        assert_eq!(problems.core[0].0, "identity");
        std::fs::write(&path, "theme = ").unwrap();
        let (_, problems) = read_config(&path).unwrap();
        assert!(problems.unreadable.unwrap().contains("not valid TOML"));
    }
}

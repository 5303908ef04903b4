//! The command line's front end: one function per subcommand. Each takes the validated
//! [`Config`], calls [`crate::ops`] for the work, writes its result to the given output, and
//! returns typed errors that carry a hint in the command line's words; `main` prints them.
//! The interface is not called from here: `open` and `demo` hand an [`Interactive`] session
//! back to `main`.

mod agent;
mod cases;
pub mod exit;
mod export;
mod expunge;
mod hints;
mod import;
mod info;
mod log;
mod members;
mod merge;
mod output;
mod progress;
pub use progress::show_on_terminal;
mod recover;
mod sanctions;
mod session;
mod setup;
mod show;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{Command, Config, ConfigError, IdentityFrom};
use crate::core::process::RuleError;
use crate::core::sanitize;
use crate::ops;
use crate::ops::OpenFile;
use crate::ops::vault::{self, Identity, OpenMode, PassphraseSource};
pub use output::SafeOutput;

/// A failed command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// From an operation (the case file, a key, the rules, an export...).
    #[error(transparent)]
    Ops(#[from] ops::Error),
    /// From the config file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No identity could be chosen (no `-i`, no environment, no home directory).
    #[error("no identity given and no home directory to look for ~/.ssh/id_ed25519")]
    NoIdentity,
    /// The identity from the config file does not exist.
    #[error("identity {} (set in {}) does not exist", .path.display(), .config.display())]
    ConfiguredIdentityMissing {
        /// The identity path.
        path: PathBuf,
        /// The config file that named it.
        config: PathBuf,
    },
    /// Arguments that parse but make no sense.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// The key does not open the file (where the key came from is said).
    #[error("{message}")]
    WrongKey {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// `casebook recover` found only an older history and was not told to accept it.
    #[error("{} lacks what this laptop verified and no copy holds it; it was left as it is and nothing was written", .file.display())]
    NotAccepted {
        /// The case file.
        file: PathBuf,
        /// The newest commit found (short), to accept with `--accept`.
        head: String,
    },
    /// Verification found problems; the report is on stdout.
    #[error("{0}")]
    Verification(String, u8),
    /// Writing the command's output failed (for example a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl From<vault::Error> for Error {
    fn from(e: vault::Error) -> Self {
        Error::Ops(ops::Error::Vault(e))
    }
}

impl From<RuleError> for Error {
    fn from(e: RuleError) -> Self {
        Error::Ops(ops::Error::Rule(e))
    }
}

impl Error {
    /// The process exit code of its class (see [`exit::class`]; verification keeps its own).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Verification(_, code) => *code,
            other => exit::class(other).code(),
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Ops(e) => ops_hint(e),
            Error::Config(ConfigError::Stdin(_)) => Some("pipe UTF-8 text in".to_string()),
            Error::Config(ConfigError::StdinTwice { .. }) => Some(
                "pipe one text in with `-`, and give the other option on the command line"
                    .to_string(),
            ),
            Error::Config(_) => Some(
                "fix the file; settings: identity = \"PATH\", passphrase_file = \"PATH\", \
                 idle_lock_minutes = N, export_dir = \"PATH\", date_order = \
                 \"day-month-year\" | \"month-day-year\", \
                 theme = \"default\" | \"mono\", and [keys] action = \"key\""
                    .to_string(),
            ),
            Error::NoIdentity => Some("pass your key with -i KEY".to_string()),
            Error::ConfiguredIdentityMissing { .. } => {
                Some("fix the identity setting, or pass another key with -i KEY".to_string())
            }
            Error::Usage { hint, .. } | Error::WrongKey { hint, .. } => Some(hint.clone()),
            Error::NotAccepted { file, head } => {
                let file = crate::ops::export::shell_quote(&file.display().to_string());
                Some(format!(
                    "to accept the older history, run `casebook recover {file} --accept {head}` \
                     (or merge a newer copy from another member: `casebook merge {file} COPY`)"
                ))
            }
            Error::Verification(..) => None,
            Error::Output(_) => None,
        }
    }
}

/// The command line's hint for an operation's error.
fn ops_hint(error: &ops::Error) -> Option<String> {
    use crate::export::ExportError;
    let hint = match error {
        ops::Error::Vault(e) => return hints::vault(e),
        ops::Error::Rule(e) => return hints::rule(e),
        ops::Error::NotAMember { .. } => {
            "open it with your own roster key (-i KEY), or ask to be added"
        }
        ops::Error::UnknownMember { .. } => "names are as `casebook info` lists them",
        ops::Error::Import { .. } => {
            "nothing was imported; fix or remove that file and run the import again"
        }
        ops::Error::BadPartyReference { .. } => {
            "for example amber-kettle:2, the second party of amber-kettle"
        }
        ops::Error::NoSuchParty { .. } => "parties are numbered from 1 as the case lists them",
        ops::Error::TooManyMonths { .. } => "a retention schedule counts months; 120 is ten years",
        ops::Error::NoSuchPerson { .. } => {
            "give the name, address, handle or alias as a case records it (`casebook case show`)"
        }
        ops::Error::NotHeld { .. } => "`casebook case show FILE CODE` lists the parties",
        ops::Error::HeldByOther { .. } => "ask the member who holds it",
        ops::Error::NoSuchEntry { .. } => "the ids are shown by `casebook case show FILE CODE`",
        ops::Error::NotAmendable { .. } => {
            "a vote or a status is changed by a new one (`casebook vote`, `casebook status`); \
             --amends names a note, report or other text"
        }
        ops::Error::AmbiguousEntry { .. } => "give more of the id",
        ops::Error::NothingToChange => "give at least one detail, such as --severity high",
        ops::Error::NothingToResolve { .. } => {
            "`casebook attention FILE` lists what needs attention, with the ids to give"
        }
        ops::Error::EmptyResolution => "say with --note how it was resolved",
        ops::Error::Empty { .. } => "write something, or leave it",
        ops::Error::PeriodReversed { .. } => "swap --from and --to",
        ops::Error::Export(ExportError::NotDecided { .. }) => {
            "record the decision with `casebook decide` first"
        }
        ops::Error::Export(ExportError::NotAnonymisable { .. }) => {
            "use `casebook report` for counts, or another profile"
        }
        ops::Error::CannotSign { .. } => "use your ed25519 member key with -i",
        ops::Error::Signing { .. } => "check your key",
        ops::Error::NotARecord { .. } => {
            "sign only what `casebook export` or `casebook report` wrote, unchanged"
        }
        ops::Error::RecordDiffers(_) => {
            "sign only the record exactly as exported; export it again (`casebook export`) \
             and compare it with the one you were sent"
        }
        ops::Error::AlreadySigned { .. } => {
            "each member signs a record once; another member co-signs with their own key"
        }
    };
    Some(hint.to_string())
}

/// `value` as pretty JSON that is safe to print: C0/C1 controls, bidi controls and invisible
/// characters in its strings are written as `\u` escapes (same JSON, nothing raw).
fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, std::io::Error> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::from)?;
    Ok(sanitize::json(&text).into_owned())
}

/// A case file to hand to the interface, with the key that opened it.
pub struct Interactive {
    /// The open case file.
    pub file: OpenFile,
    /// The member's key.
    pub identity: Identity,
    /// How to load the same key again when the interface unlocks after the screen lock, given
    /// what was typed on the lock screen.
    pub reload: Box<dyn Fn(PassphraseSource) -> Result<Identity, vault::Error>>,
}

/// Run the command in `config`, writing results to `out`. `open` and `demo` (on a terminal)
/// give back the session for the interface instead.
///
/// Longer than our hundred lines, for a reason: one arm per subcommand, each only naming the
/// subcommand's arguments for the function that does its work.
pub fn run(config: &Config, out: &mut dyn Write) -> Result<Option<Interactive>, Error> {
    match &config.command {
        Command::Keygen {
            output,
            passphrase,
            comment,
        } => setup::keygen(
            output,
            *passphrase || config.passphrase_file_given,
            comment,
            &config.passphrases,
            out,
        )?,
        Command::Agent {
            timeout,
            stop,
            status,
            serve,
        } => agent::agent(config, *timeout, *stop, *status, serve.as_deref(), out)?,
        Command::Completions { shell } => setup::completions(*shell, out)?,
        Command::Man { subcommand, dir } => setup::man(subcommand, dir.as_deref(), out)?,
        Command::Init {
            file,
            name,
            email,
            recipients,
            armor,
        } => setup::init(
            config,
            file,
            name,
            email.as_deref(),
            recipients,
            *armor,
            out,
        )?,
        Command::Open { file } => return setup::open(config, file).map(Some),
        Command::Adopt { file } => setup::adopt(config, file, out)?,
        Command::Merge {
            file,
            others,
            other_identity,
        } => merge::merge(config, file, others, other_identity.as_deref(), out)?,
        Command::MergeDriver { ours, theirs, .. } => merge::driver(config, ours, theirs, out)?,
        Command::Recover { file, accept } => {
            recover::recover(config, file, accept.as_deref(), out)?
        }
        Command::Attention { file, json } => merge::attention(config, file, *json, out)?,
        Command::Approve {
            file,
            code,
            item,
            withdraw,
        } => merge::approve(config, file, code.as_deref(), item, *withdraw, out)?,
        Command::Resolve {
            file,
            code,
            items,
            note,
            keep,
        } => merge::resolve(
            config,
            file,
            code.as_deref(),
            items,
            note,
            keep.as_deref(),
            out,
        )?,
        Command::Log {
            file,
            code,
            head,
            json,
        } => log::log(config, file, code.as_deref(), *head, *json, out)?,
        Command::Info { file, json } => {
            let identity = load_identity(config)?;
            let case_file = open_file(config, file, &identity, OpenMode::ReadOnly)?;
            info::print(&case_file.summary()?, *json, out)?;
        }
        Command::Demo { save_as, json } => return setup::demo(save_as.as_deref(), *json, out),
        Command::Case(command) => cases::case(config, command, out)?,
        Command::Note(command) => cases::note(config, command, out)?,
        Command::Attachment(command) => import::attachment(config, command, out)?,
        Command::Status {
            file,
            code,
            status,
            save_as,
        } => cases::status(config, file, code, *status, save_as.as_deref(), out)?,
        Command::Assign {
            file,
            code,
            member,
            remove,
            save_as,
        } => cases::assign(config, file, code, member, *remove, save_as.as_deref(), out)?,
        Command::Party(command) => cases::party(config, command, out)?,
        Command::Conflict {
            file,
            code,
            hard,
            soft: _,
            withdraw,
            reason,
            save_as,
        } => {
            let kind = match (hard, withdraw) {
                (_, true) => None,
                (true, _) => Some(crate::core::event::ConflictKind::Hard),
                _ => Some(crate::core::event::ConflictKind::Soft),
            };
            cases::conflict(config, file, code, kind, reason, save_as.as_deref(), out)?
        }
        Command::Vote(args) => cases::vote(config, args, out)?,
        Command::Decide(args) => cases::decide(config, args, out)?,
        Command::Comms(command) => cases::comms(config, command, out)?,
        Command::Emergency(command) => cases::emergency(config, command, out)?,
        Command::Sanction(command) => sanctions::sanction(config, command, out)?,
        Command::Sanctions(args) => sanctions::in_force(config, args, out)?,
        Command::Appeal(args) => sanctions::appeal(config, args, out)?,
        Command::Expunge(args) => expunge::expunge(config, args, out)?,
        Command::Person(args) => expunge::person(config, args, out)?,
        Command::Template(command) => sanctions::template(config, command, out)?,
        Command::Space(command) => sanctions::space(config, command, out)?,
        Command::Import {
            file,
            reports,
            map,
            exclude,
            seal_from_linked,
            save_as,
        } => {
            let seal = *seal_from_linked;
            // Named members: sealed from at once with --seal-from-linked or without a
            // terminal to ask on; asked (yes unless told no) on a terminal.
            let ask = move |path: &Path, title: &str, names: &[String]| {
                seal || import::ask_to_seal(path, title, names)
            };
            let keep = crate::ops::import::Keep {
                out: exclude.clone(),
                linked: &ask,
            };
            import::import(config, file, reports, map, &keep, save_as.as_deref(), out)?
        }
        Command::Search { file, query, json } => show::search(config, file, query, *json, out)?,
        Command::Settings(args) => cases::settings(config, args, out)?,
        Command::Member(command) => members::member(config, command, out)?,
        Command::Rekey { file } => members::rekey(config, file, out)?,
        Command::Export(args) => export::export(config, args, out)?,
        Command::Report(args) => export::report(config, args, out)?,
        Command::Sign { file, record } => export::cosign(config, file, record, out)?,
        Command::Verify(args) => export::verify(config, args, out)?,
        Command::RecordText(args) => export::record_text(config, args, out)?,
        Command::Synth {
            file,
            cases,
            events_per_case,
            note_bytes,
            canary,
            seed,
            save_as,
        } => {
            let spec = ops::SeedSpec {
                cases: *cases,
                events_per_case: *events_per_case,
                note_bytes: *note_bytes,
                canary: canary.clone(),
                seed: *seed,
            };
            setup::synth(config, file, &spec, save_as.as_deref(), out)?
        }
    }
    Ok(None)
}

/// Open a case file, verifying its history, and say on stderr what a member must know
/// about it: a committee this laptop has never seen (with the fingerprint to check), an older
/// copy shown read-only, a file from before signed history.
pub(crate) fn open_file(
    config: &Config,
    path: &Path,
    identity: &Identity,
    mode: OpenMode,
) -> Result<OpenFile, Error> {
    let file = match mode {
        OpenMode::ReadWrite => {
            let (file, recovered) = OpenFile::open_recovering(path, identity, &config.expect)
                .map_err(|e| not_a_recipient(config, e))?;
            merge::report_recovered(path, &recovered, &file.roster()?);
            file
        }
        OpenMode::ReadOnly => {
            let file = OpenFile::open_expecting(path, identity, mode, &config.expect)
                .map_err(|e| not_a_recipient(config, e))?;
            let copies = crate::ops::vault::conflict_copies(path);
            if !copies.is_empty() {
                eprintln!(
                    "note: {} sync conflict cop{} beside {} (for example {}); the next change \
                     merges {}, or run `casebook merge {} COPY...`",
                    copies.len(),
                    if copies.len() == 1 { "y is" } else { "ies are" },
                    sanitize::inline(&path.display().to_string()),
                    sanitize::inline(&copies[0].display().to_string()),
                    if copies.len() == 1 { "it" } else { "them" },
                    sanitize::inline(&path.display().to_string()),
                );
            }
            file
        }
    };
    opened(config, path, &file, mode)?;
    Ok(file)
}

/// Say on stderr what a member must know about a file just opened: saved through a symbolic
/// link, an older copy, a committee never seen here, a file from before signed history.
pub(crate) fn opened(
    config: &Config,
    path: &Path,
    file: &OpenFile,
    mode: OpenMode,
) -> Result<(), Error> {
    if let (Some(link), OpenMode::ReadWrite) = (file.followed_link(), mode) {
        eprintln!(
            "note: {} is a symbolic link; casebook saves its target {} (the lock and backup \
             are beside the target)",
            sanitize::inline(&link.display().to_string()),
            sanitize::inline(&file.label()),
        );
    }
    let trust = file.trust();
    if let Some(what) = &trust.repaired {
        eprintln!(
            "WARNING: in {}, {} disagreed with the signed history (it was changed outside \
             casebook); casebook derived it again from the history, which is what it shows and \
             what the next save writes.",
            sanitize::inline(&file.label()),
            sanitize::inline(what)
        );
    }
    if let Some(repair) = &trust.pins_repaired {
        eprintln!("warning: {}", crate::ops::notices::pins_repaired(repair));
    }
    if let Some(older) = &trust.older
        && mode == OpenMode::ReadOnly
    {
        eprintln!(
            "WARNING: {}. Shown read-only; do not act on it.",
            sanitize::inline(&older.to_string())
        );
    }
    match &trust.fingerprint {
        Some(fingerprint) if trust.first_open && config.expect.committee.is_none() => eprintln!(
            "note: first time this laptop opens this committee; its fingerprint is {fingerprint}. \
             Check it with your chair over another channel (or pass --committee {fingerprint})."
        ),
        Some(_) => {}
        None => eprintln!(
            "note: {} was written before casebook signed its history: nothing in it is \
             verified, and nothing can be recorded until a chair who trusts this copy runs \
             `casebook adopt {}`.",
            sanitize::inline(&path.display().to_string()),
            crate::ops::export::shell_quote(&path.display().to_string())
        ),
    }
    Ok(())
}

/// A file the key does not open: say where the key came from, and that a key replaced by
/// `member rotate-key` is the usual reason when it came from a setting.
fn not_a_recipient(config: &Config, error: ops::Error) -> Error {
    let ops::Error::Vault(vault::Error::NotARecipient { .. }) = &error else {
        return error.into();
    };
    let from = match &config.identity_from {
        IdentityFrom::Flag => "given with -i".to_string(),
        IdentityFrom::Environment => "set by CASEBOOK_IDENTITY".to_string(),
        IdentityFrom::ConfigFile(path) => format!("set as identity in {}", path.display()),
        IdentityFrom::Default => "the default, ~/.ssh/id_ed25519".to_string(),
    };
    Error::WrongKey {
        message: format!("{error} (the key {from})"),
        hint: "if you replaced this key with `casebook member rotate-key`, use the new one \
               (-i NEW_KEY, and update the setting that names the old one); otherwise open it \
               with the key you were added with, or ask a chair to add your key with \
               `casebook member add`"
            .to_string(),
    }
}

/// Load the identity chosen by the config: from the key agent when one holds it (no
/// passphrase asked), else from its file, explaining where a missing one came from.
pub(crate) fn load_identity(config: &Config) -> Result<Identity, Error> {
    let path = config.identity.as_ref().ok_or(Error::NoIdentity)?;
    // An agent that cannot be trusted (another user's socket) is said, and not used.
    match vault::agent::key_for(path) {
        Ok(Some(key)) => {
            return Ok(Identity::from_bytes(
                &key,
                path,
                &PassphraseSource::Terminal,
            )?);
        }
        Ok(None) => {}
        Err(e) => eprintln!("warning: {}", sanitize::inline(&e.to_string())),
    }
    load_identity_without_agent(config)
}

/// Load the identity chosen by the config from its file (asking its passphrase).
pub(crate) fn load_identity_without_agent(config: &Config) -> Result<Identity, Error> {
    let path = config.identity.as_ref().ok_or(Error::NoIdentity)?;
    if let IdentityFrom::ConfigFile(config_file) = &config.identity_from
        && !path.exists()
    {
        return Err(Error::ConfiguredIdentityMissing {
            path: path.clone(),
            config: config_file.clone(),
        });
    }
    Ok(Identity::load(path, &config.passphrases)?)
}

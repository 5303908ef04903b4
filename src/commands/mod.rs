//! One function per subcommand. Each takes the validated [`Config`], writes its result to the
//! given output, and returns typed errors that carry a hint; `main` prints them.

pub(crate) mod cases;
pub(crate) mod change;
pub(crate) mod export;
mod info;
pub(crate) mod members;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::cli::{Command, Config, ConfigError, IdentityFrom};
use crate::core::decision::Ballot;
use crate::vault::{
    self, CaseFile, Founder, Identity, OpenMode, PassphraseSource, Recipient, synthetic,
};

/// A failed command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// From the case file or a key.
    #[error(transparent)]
    Vault(#[from] vault::Error),
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
    /// A process rule refused the change.
    #[error(transparent)]
    Rule(#[from] crate::core::process::RuleError),
    /// The key that opened the file is not an active member's.
    #[error("your key opens {} but is not on its active roster; only members can change it", .file.display())]
    NotAMember {
        /// The case file.
        file: PathBuf,
    },
    /// No member by that name.
    #[error("no member named {name:?} (members: {})", .roster.join(", "))]
    UnknownMember {
        /// The name given.
        name: String,
        /// The active members' names.
        roster: Vec<String>,
    },
    /// A report file that cannot be imported.
    #[error("{} {source}", .file.display())]
    Import {
        /// The report file.
        file: PathBuf,
        /// What is wrong with it.
        source: crate::import::ImportError,
    },
    /// Arguments that parse but make no sense.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// An export that cannot be made.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    /// The identity cannot sign.
    #[error("{} cannot sign: casebook signs with OpenSSH ed25519 keys", .identity.display())]
    CannotSign {
        /// The identity.
        identity: PathBuf,
    },
    /// Verification found problems; the report is on stdout.
    #[error("{0}")]
    Verification(String, u8),
    /// Writing the command's output failed (for example a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// The process exit code: 1 for errors, or verification's own codes.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Verification(_, code) => *code,
            _ => 1,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Vault(e) => e.hint(),
            Error::Config(_) => Some(
                "fix the file; settings: identity = \"PATH\", idle_lock_minutes = N, \
                 theme = \"default\" | \"mono\", and [keys] action = \"key\""
                    .to_string(),
            ),
            Error::NoIdentity => Some("pass your key with -i KEY".to_string()),
            Error::ConfiguredIdentityMissing { .. } => {
                Some("fix the identity setting, or pass another key with -i KEY".to_string())
            }
            Error::Rule(e) => e.hint(),
            Error::NotAMember { .. } => {
                Some("open it with your own roster key (-i KEY), or ask to be added".to_string())
            }
            Error::UnknownMember { .. } => {
                Some("names are as `casebook info` lists them".to_string())
            }
            Error::Usage { hint, .. } => Some(hint.clone()),
            Error::Import { .. } => Some(
                "nothing was imported; fix or remove that file and run the import again"
                    .to_string(),
            ),
            Error::Export(crate::export::ExportError::NotDecided { .. }) => {
                Some("record the decision with `casebook decide` first".into())
            }
            Error::Export(crate::export::ExportError::NotAnonymisable { .. }) => {
                Some("use `casebook report` for counts, or another profile".into())
            }
            Error::CannotSign { .. } => Some("use your ed25519 member key with -i".into()),
            Error::Verification(..) => None,
            Error::Output(_) => None,
        }
    }
}

/// The roster member with this name (active or not).
pub(crate) fn member_named(
    roster: &crate::core::roster::Roster,
    name: &str,
) -> Result<crate::core::roster::Member, Error> {
    roster
        .members()
        .iter()
        .find(|m| m.name == name)
        .cloned()
        .ok_or_else(|| Error::UnknownMember {
            name: name.to_string(),
            roster: roster.active().map(|m| m.name.clone()).collect(),
        })
}

/// Run the command in `config`, writing results to `out`.
pub fn run(config: Config, out: &mut dyn Write) -> Result<(), Error> {
    match &config.command {
        Command::Keygen {
            output,
            passphrase,
            comment,
        } => keygen(output, *passphrase, comment, &config.passphrases, out),
        Command::Init {
            file,
            name,
            email,
            recipients,
            armor,
        } => {
            let identity = load_identity(&config)?;
            let extra = recipients
                .iter()
                .map(|r| Recipient::parse(r))
                .collect::<Result<Vec<_>, _>>()?;
            let founder = Founder {
                name: name.clone(),
                email: email.clone(),
            };
            let case_file =
                CaseFile::create(file, &identity, &founder, &extra, *armor, Utc::now())?;
            let summary = case_file.summary()?;
            writeln!(
                out,
                "created {} for {} (chair), encrypted to {} recipient{}",
                file.display(),
                crate::core::sanitize::inline(name),
                summary.header_stanzas,
                if summary.header_stanzas == 1 { "" } else { "s" },
            )?;
            Ok(())
        }
        Command::Open { file } => {
            let identity = load_identity(&config)?;
            let mut case_file = CaseFile::open(file, &identity, OpenMode::ReadWrite)?;
            // Unlocking after the idle lock loads the same key file again.
            let path = identity.label().to_path_buf();
            let configured = config.passphrases.clone();
            let reload = move |typed: PassphraseSource| match &configured {
                PassphraseSource::File(_) => Identity::load(&path, &configured),
                _ => Identity::load(&path, &typed),
            };
            crate::tui::run(&mut case_file, identity, &reload, config.interface.clone())
                .map_err(Error::Output)
        }
        Command::Info { file, json } => {
            let identity = load_identity(&config)?;
            let case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
            info::print(&case_file.summary()?, *json, out)
        }
        Command::Demo { save_as, json } => {
            let (mut case_file, identity) = vault::demo::open()?;
            if let Some(path) = save_as {
                let report = case_file.save_as(path, &identity)?;
                writeln!(
                    out,
                    "saved the demo as {} ({} bytes, encrypted to {} recipients)",
                    report.path.display(),
                    report.bytes,
                    report.recipients
                )?;
                return Ok(());
            }
            if !*json && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                let reload = |_: PassphraseSource| vault::demo::identity();
                return crate::tui::run(
                    &mut case_file,
                    identity,
                    &reload,
                    config.interface.clone(),
                )
                .map_err(Error::Output);
            }
            info::print(&case_file.summary()?, *json, out)
        }
        Command::Case(command) => cases::case(&config, command, out),
        Command::Note(command) => cases::note(&config, command, out),
        Command::Status {
            file,
            code,
            status,
            save_as,
        } => cases::status(&config, file, code, status, save_as.as_ref(), out),
        Command::Assign {
            file,
            code,
            member,
            remove,
            save_as,
        } => cases::assign(&config, file, code, member, *remove, save_as.as_ref(), out),
        Command::Party(command) => cases::party(&config, command, out),
        Command::Conflict {
            file,
            code,
            hard,
            soft: _,
            reason,
            save_as,
        } => cases::conflict(
            &config,
            file,
            code,
            *hard,
            reason.as_ref(),
            save_as.as_ref(),
            out,
        ),
        Command::Vote {
            file,
            code,
            outcome,
            for_,
            against,
            abstain: _,
            propose,
            save_as,
        } => {
            let ballot = if *for_ {
                Ballot::For
            } else if *against {
                Ballot::Against
            } else {
                Ballot::Abstain
            };
            cases::vote(
                &config,
                file,
                code,
                outcome,
                ballot,
                *propose,
                save_as.as_ref(),
                out,
            )
        }
        Command::Decide {
            file,
            code,
            outcome,
            rationale,
            override_: _,
            reason,
            save_as,
        } => cases::decide(
            &config,
            file,
            code,
            outcome,
            rationale,
            reason.as_deref(),
            save_as.as_ref(),
            out,
        ),
        Command::Comms(command) => cases::comms(&config, command, out),
        Command::Emergency(command) => cases::emergency(&config, command, out),
        Command::Import {
            file,
            reports,
            map,
            save_as,
        } => cases::import(&config, file, reports, map, save_as.as_ref(), out),
        Command::Search { file, query, json } => cases::search(&config, file, query, *json, out),
        Command::Settings {
            file,
            ladder,
            quorum,
            acknowledge_hours,
            decide_days,
            json,
            save_as,
        } => cases::settings(
            &config,
            file,
            ladder.as_deref(),
            quorum.as_deref(),
            *acknowledge_hours,
            *decide_days,
            *json,
            save_as.as_ref(),
            out,
        ),
        Command::Member(command) => members::member(&config, command, out),
        Command::Rekey { file } => members::rekey(&config, file, out),
        Command::Export {
            file,
            code,
            profile,
            format,
            output,
            encrypt_to,
        } => export::export(
            &config, file, code, profile, format, output, encrypt_to, out,
        ),
        Command::Report {
            file,
            from,
            to,
            format,
            output,
            encrypt_to,
        } => export::report(&config, file, from, to, format, output, encrypt_to, out),
        Command::Sign { record } => export::cosign(&config, record, out),
        Command::Verify {
            record,
            case_file,
            allowed_signers,
            sigs,
        } => export::verify(
            &config,
            record,
            case_file.as_deref(),
            allowed_signers.as_deref(),
            sigs,
            out,
        ),
        Command::Synth {
            file,
            cases,
            events_per_case,
            note_bytes,
            canary,
            seed,
            save_as,
        } => {
            let identity = load_identity(&config)?;
            let mut case_file = CaseFile::open(file, &identity, OpenMode::ReadWrite)?;
            let spec = synthetic::Spec {
                cases: *cases,
                events_per_case: *events_per_case,
                note_bytes: *note_bytes,
                canary: canary.clone(),
                seed: *seed,
            };
            synthetic::fill(&mut case_file, &spec, Utc::now())?;
            let report = match save_as {
                Some(path) => case_file.save_as(path, &identity)?,
                None => case_file.save(&identity)?,
            };
            writeln!(
                out,
                "added {cases} cases; {} is {} bytes",
                report.path.display(),
                report.bytes
            )?;
            Ok(())
        }
    }
}

fn keygen(
    output: &Path,
    protect: bool,
    comment: &str,
    passphrases: &PassphraseSource,
    out: &mut dyn Write,
) -> Result<(), Error> {
    // A passphrase file given to keygen means "protect the new key with this".
    let protect = protect || matches!(passphrases, PassphraseSource::File(_));
    let secret = if protect {
        Some(passphrases.new_passphrase(output)?)
    } else {
        None
    };
    let public = vault::keygen(output, comment, secret.as_ref())?;
    writeln!(out, "{public}")?;
    eprintln!(
        "wrote {} (private, mode 0600{}) and {}",
        output.display(),
        if protect {
            ", passphrase-protected"
        } else {
            ""
        },
        vault::public_key_path(output).display()
    );
    Ok(())
}

/// Load the identity chosen by the config, explaining where a missing one came from.
pub(crate) fn load_identity(config: &Config) -> Result<Identity, Error> {
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

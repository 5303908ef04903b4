//! Command-line arguments as typed (clap), and their validation into a [`Config`] before any
//! work starts: which identity to use and where it came from, where passphrases come from.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use serde::Deserialize;

use chrono::{DateTime, NaiveDate, Utc};

use crate::core::case::{Channel, IncidentAt, ScopeJudgement, Severity, Status};
use crate::core::decision::{Ladder, QuorumRule};
use crate::core::event::{Audience, NoteKind};
use crate::core::party::PartyRole;
use crate::core::queue::Queue;
use crate::core::roster::Role;
use crate::export::Profile;
use crate::ops::export::{RecordFormat, ReportFormat};
use crate::vault::{PassphraseSource, Recipient};

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
        #[arg(long = "recipient", value_name = "RECIPIENT", value_parser = recipient)]
        recipients: Vec<Recipient>,
        /// Write the file ASCII-armored (PEM-like text) instead of binary.
        #[arg(long)]
        armor: bool,
    },
    /// Open the interface on a case file.
    Open {
        /// The case file.
        file: PathBuf,
    },
    /// Show a case file's schema, roster, recipients and case counts.
    Info {
        /// The case file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Open the interface on the built-in demo (a fictional committee), entirely in memory.
    /// Without a terminal, prints its summary instead.
    Demo {
        /// Save the demo as a new case file (the only way to save it).
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Cases: open, list, show, edit.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Notes on a case.
    #[command(subcommand)]
    Note(NoteCommand),
    /// Move a case through the process (new, triage, investigating, deliberating, closed,
    /// reopened, transferred, out-of-scope; `decided` comes from `decide`).
    Status {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The new status.
        status: Status,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Assign a member to a case (or take them off with --remove).
    Assign {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The member's name as on the roster.
        member: String,
        /// Take the member off the case instead.
        #[arg(long)]
        remove: bool,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Parties to a case.
    #[command(subcommand)]
    Party(PartyCommand),
    /// Declare your own conflict of interest on a case.
    Conflict {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// You must not handle or see the case.
        #[arg(long, conflicts_with = "soft", required_unless_present = "soft")]
        hard: bool,
        /// You may discuss the case but not vote.
        #[arg(long)]
        soft: bool,
        /// Why (kept in the case's history).
        #[arg(long)]
        reason: Option<String>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Vote on the outcome proposed for a case (the first vote proposes it).
    Vote(Box<VoteArgs>),
    /// Record the committee's decision on a case.
    Decide(Box<DecideArgs>),
    /// Communications about a case.
    #[command(subcommand)]
    Comms(CommsCommand),
    /// Interim actions taken before a decision, and their review by a second member.
    #[command(subcommand)]
    Emergency(EmergencyCommand),
    /// Import reports: emails (.eml), web form exports (.csv) or casebook JSON (.json). Each
    /// report becomes a new case; nothing is imported if any file is unusable.
    Import {
        /// The case file.
        file: PathBuf,
        /// The report files.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Use column COLUMN of a CSV export for FIELD (title, body, name, email, handle,
        /// anonymous, received, venue, incident). Repeatable.
        #[arg(long = "map", value_name = "FIELD=COLUMN", value_parser = column_map)]
        map: Vec<(String, String)>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Full-text search over titles, reports, notes and party names.
    Search {
        /// The case file.
        file: PathBuf,
        /// Words to find (every word must occur; the last may be a prefix).
        query: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show or change the committee's rules.
    Settings(Box<SettingsArgs>),
    /// The roster: list, add and remove members, replace your own key.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Re-encrypt the file to the current roster with a fresh file key (the backup too).
    Rekey {
        /// The case file.
        file: PathBuf,
    },
    /// Export a signed decision record for one audience (plaintext: share it only with them).
    Export(Box<ExportArgs>),
    /// A signed transparency report: counts of the cases received in a period, by channel,
    /// status, outcome and venue, against the period of the same length before.
    Report(Box<ReportArgs>),
    /// Add your signature to an exported record (co-signing): writes the next free OUT.sig.N.
    Sign {
        /// The exported record.
        record: PathBuf,
    },
    /// Check the signatures of an exported record against a case file's roster or an OpenSSH
    /// allowed_signers file. Exit 0: all valid and known; 3: valid but a signer is not (or no
    /// longer) on the roster; 4: a signature is invalid or missing.
    #[command(group(clap::ArgGroup::new("signers").required(true).args(["case_file", "allowed_signers"])))]
    Verify {
        /// The exported record.
        record: PathBuf,
        /// The case file whose roster says who may sign.
        case_file: Option<PathBuf>,
        /// An OpenSSH allowed_signers file instead of a case file.
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<PathBuf>,
        /// Signature files (default: RECORD.sig and RECORD.sig.N beside it).
        #[arg(long = "sig", value_name = "SIG")]
        sigs: Vec<PathBuf>,
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

/// `casebook vote` options.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("ballot").required(true).args(["for_", "against", "abstain"])))]
pub struct VoteArgs {
    /// The case file.
    pub file: PathBuf,
    /// The case's code name.
    pub code: String,
    /// The outcome voted on.
    #[arg(long)]
    pub outcome: String,
    /// In favour.
    #[arg(long = "for")]
    pub for_: bool,
    /// Against.
    #[arg(long)]
    pub against: bool,
    /// Abstain.
    #[arg(long)]
    pub abstain: bool,
    /// Replace the current proposal with this outcome (earlier votes lapse).
    #[arg(long)]
    pub propose: bool,
    /// Write the result to this new file instead of over FILE.
    #[arg(long, value_name = "NEW_FILE")]
    pub save_as: Option<PathBuf>,
}

/// `casebook decide` options.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// The case file.
    pub file: PathBuf,
    /// The case's code name.
    pub code: String,
    /// The outcome, from the committee's ladder.
    #[arg(long)]
    pub outcome: String,
    /// Why the committee decided so.
    #[arg(long)]
    pub rationale: String,
    /// (Chair only) record it although the quorum rule is not met.
    #[arg(long = "override", requires = "reason")]
    pub override_: bool,
    /// The reason for the override (recorded).
    #[arg(long, requires = "override_")]
    pub reason: Option<String>,
    /// Write the result to this new file instead of over FILE.
    #[arg(long, value_name = "NEW_FILE")]
    pub save_as: Option<PathBuf>,
}

/// `casebook settings` options.
#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// The case file.
    pub file: PathBuf,
    /// Outcome ladder preset: contributor-covenant-2.1, contributor-covenant-3.0, django.
    #[arg(long)]
    pub ladder: Option<Ladder>,
    /// Quorum rule: simple-majority, two-thirds, unanimous.
    #[arg(long)]
    pub quorum: Option<QuorumRule>,
    /// Acknowledge reports within this many hours.
    #[arg(long)]
    pub acknowledge_hours: Option<u32>,
    /// Decide cases within this many days.
    #[arg(long)]
    pub decide_days: Option<u32>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write the result to this new file instead of over FILE.
    #[arg(long, value_name = "NEW_FILE")]
    pub save_as: Option<PathBuf>,
}

/// `casebook export` options.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The case file.
    pub file: PathBuf,
    /// The case's code name.
    pub code: String,
    /// internal, reported, reporter or public.
    #[arg(long = "for", value_name = "PROFILE")]
    pub profile: Profile,
    /// md or json.
    #[arg(long, default_value = "md")]
    pub format: RecordFormat,
    /// Where to write the record; the signature goes to OUT.sig.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Write OUT and OUT.sig age-encrypted to this recipient (repeatable) instead of in
    /// plaintext; the signature is over the plaintext record.
    #[arg(long = "encrypt-to", value_name = "RECIPIENT", value_parser = recipient)]
    pub encrypt_to: Vec<Recipient>,
}

/// `casebook report` options.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The case file.
    pub file: PathBuf,
    /// First day, YYYY-MM-DD.
    #[arg(long, value_parser = date)]
    pub from: NaiveDate,
    /// Last day (inclusive), YYYY-MM-DD.
    #[arg(long, value_parser = date)]
    pub to: NaiveDate,
    /// md, json or csv.
    #[arg(long, default_value = "md")]
    pub format: ReportFormat,
    /// Where to write it; the signature goes to OUT.sig.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Write OUT and OUT.sig age-encrypted to this recipient (repeatable).
    #[arg(long = "encrypt-to", value_name = "RECIPIENT", value_parser = recipient)]
    pub encrypt_to: Vec<Recipient>,
}

/// `casebook case ...`
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a new case; prints its code name.
    New {
        /// The case file.
        file: PathBuf,
        /// Short title.
        #[arg(long)]
        title: String,
        /// Summary of the report.
        #[arg(long)]
        summary: Option<String>,
        /// How it arrived: email, form, in-person, chat, event-staff, other.
        #[arg(long, default_value = "other")]
        channel: Channel,
        /// When it arrived (YYYY-MM-DD or RFC 3339); default now.
        #[arg(long, value_parser = moment)]
        received: Option<DateTime<Utc>>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// List cases, optionally one queue.
    List {
        /// The case file.
        file: PathBuf,
        /// needs-acknowledgement, triage, mine, awaiting-my-vote, overdue, investigating,
        /// deliberating, decided-not-communicated, closed, all (default), or `counts`.
        #[arg(long, default_value = "all")]
        queue: QueueChoice,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show one case: details, parties, vote, timeline.
    Show {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Set or correct a case's details.
    Edit(Box<EditArgs>),
}

/// `casebook case edit` options.
#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The case file.
    pub file: PathBuf,
    /// The case's code name.
    pub code: String,
    /// New title.
    #[arg(long)]
    pub title: Option<String>,
    /// New summary.
    #[arg(long)]
    pub summary: Option<String>,
    /// low, medium, high, critical.
    #[arg(long)]
    pub severity: Option<Severity>,
    /// Whether someone's safety is at risk: yes or no.
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub safety_risk: Option<bool>,
    /// Where it happened (repository, chat, event, social media...).
    #[arg(long)]
    pub venue: Option<String>,
    /// in, out or undecided.
    #[arg(long)]
    pub scope: Option<ScopeJudgement>,
    /// Why the scope judgement was made.
    #[arg(long)]
    pub scope_reason: Option<String>,
    /// A code of conduct clause concerned (repeatable; replaces the list).
    #[arg(long = "clause")]
    pub clauses: Vec<String>,
    /// A label (repeatable; replaces the list).
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// When it happened: YYYY-MM-DD (approximate), RFC 3339 (exact) or `unknown`.
    #[arg(long, value_parser = incident)]
    pub incident: Option<IncidentAt>,
    /// Review date, YYYY-MM-DD.
    #[arg(long, value_parser = date)]
    pub review: Option<NaiveDate>,
    /// Expunge date, YYYY-MM-DD.
    #[arg(long, value_parser = date)]
    pub expunge: Option<NaiveDate>,
    /// Whether a public report may describe it, anonymised: yes or no.
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub anonymisable: Option<bool>,
    /// Write the result to this new file instead of over FILE.
    #[arg(long, value_name = "NEW_FILE")]
    pub save_as: Option<PathBuf>,
}

/// `casebook member ...`
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// List the roster (removed members included).
    List {
        /// The case file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Print an OpenSSH allowed_signers file of the active members' signing keys, for
        /// `ssh-keygen -Y verify`.
        #[arg(long, conflicts_with = "json")]
        allowed_signers: bool,
    },
    /// Add a member (chairs only); the file is re-encrypted to include them at once.
    Add {
        /// The case file.
        file: PathBuf,
        /// Their name, unique on the roster.
        #[arg(long)]
        name: String,
        /// Their contact address.
        #[arg(long)]
        email: Option<String>,
        /// member or chair.
        #[arg(long, default_value = "member")]
        role: Role,
        /// Their key: an `ssh-ed25519 AAAA...` line, an `age1...` recipient, or a file
        /// holding either (such as their KEY.pub).
        #[arg(long)]
        key: String,
    },
    /// Remove a member (chairs only); the file and its backup are re-encrypted without them.
    Remove {
        /// The case file.
        file: PathBuf,
        /// Their name as on the roster.
        name: String,
        /// Why (kept in the file's history).
        #[arg(long)]
        reason: Option<String>,
        /// Allow removing yourself, although you will no longer be able to open the file.
        #[arg(long)]
        allow_self_removal: bool,
    },
    /// Replace your own key: the file is re-encrypted so that only the new key opens it.
    RotateKey {
        /// The case file.
        file: PathBuf,
        /// Your new key (it must load, with its passphrase if any, before anything changes).
        #[arg(long, value_name = "PATH")]
        new_identity: PathBuf,
    },
}

/// `casebook note ...`
#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add a note (or a correction of an earlier one with --amends).
    Add {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The note's text.
        #[arg(long, conflicts_with = "stdin", required_unless_present = "stdin")]
        text: Option<String>,
        /// Read the note from standard input.
        #[arg(long)]
        stdin: bool,
        /// general, interview or deliberation.
        #[arg(long, default_value = "general")]
        kind: NoteKind,
        /// The id (or its first 8 characters) of the event this note corrects.
        #[arg(long)]
        amends: Option<String>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

/// `casebook party ...`
#[derive(Debug, Subcommand)]
pub enum PartyCommand {
    /// Add a party: named, pseudonymous, anonymous, or the same person as in another case.
    Add {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// reporter, reported, witness or other.
        #[arg(long)]
        role: PartyRole,
        /// Their name.
        #[arg(long, group = "who")]
        name: Option<String>,
        /// Their handle (with --name).
        #[arg(long, requires = "name")]
        handle: Option<String>,
        /// Their email (with --name).
        #[arg(long, requires = "name")]
        email: Option<String>,
        /// An alias: the committee does not know their name.
        #[arg(long, group = "who")]
        alias: Option<String>,
        /// Store no identity at all; the contact stays with a member (--held-by, default you).
        #[arg(long, group = "who")]
        anonymous: bool,
        /// The member who holds an anonymous party's contact.
        #[arg(long, requires = "anonymous")]
        held_by: Option<String>,
        /// The same person as party N of case CODE (CODE:N, as numbered by `case show`).
        #[arg(long, group = "who", value_name = "CODE:N")]
        same_as: Option<String>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

/// `casebook comms ...`
#[derive(Debug, Subcommand)]
pub enum CommsCommand {
    /// Log a message sent about a case.
    Log {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// reporter, reported or other.
        #[arg(long)]
        to: Audience,
        /// What was said, in short.
        #[arg(long)]
        summary: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

/// `casebook emergency ...`
#[derive(Debug, Subcommand)]
pub enum EmergencyCommand {
    /// Record an interim action (flagged until another member reviews it).
    Record {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// What was done.
        #[arg(long)]
        action: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Review the oldest pending interim action (by another member than its author).
    Review {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The reviewer's note.
        #[arg(long)]
        note: String,
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
    /// Minutes without a key press before the interface locks (fractions allowed); 0 never
    /// locks.
    idle_lock_minutes: Option<f64>,
    /// `default` (the terminal's 16 colours) or `mono`.
    theme: Option<String>,
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
        } else if let (Some(path), Some(config_path)) =
            (file_config.identity.clone(), config_path.clone())
        {
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
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let interface =
            file_config
                .interface(no_color)
                .map_err(|message| ConfigError::Invalid {
                    path: config_path.clone().unwrap_or_default(),
                    message,
                })?;
        let passphrases = match args.passphrase_file {
            Some(file) => PassphraseSource::File(file),
            None => PassphraseSource::Terminal,
        };
        Ok(Config {
            identity,
            identity_from,
            passphrases,
            interface,
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

/// `case list --queue`: one queue, or the counts of all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueChoice {
    /// The counts of every queue.
    Counts,
    /// The cases of one queue.
    Queue(Queue),
}

impl std::str::FromStr for QueueChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "counts" => Ok(QueueChoice::Counts),
            other => other.parse().map(QueueChoice::Queue),
        }
    }
}

/// A day written YYYY-MM-DD.
fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("{value:?} is not a date; write dates as YYYY-MM-DD"))
}

/// A moment: RFC 3339, or a day (its midnight, UTC).
fn moment(value: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = date(value)?;
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// When an incident happened: `unknown`, a day (approximate) or an RFC 3339 moment (exact).
fn incident(value: &str) -> Result<IncidentAt, String> {
    match value {
        "unknown" => Ok(IncidentAt::Unknown),
        day if day.len() == 10 => Ok(IncidentAt::Around { date: date(day)? }),
        at => Ok(IncidentAt::Exact { at: moment(at)? }),
    }
}

/// yes or no.
fn yes_no(value: &str) -> Result<bool, String> {
    match value {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        other => Err(format!("expected yes or no, got {other:?}")),
    }
}

/// An `ssh-ed25519 AAAA...` public key line or an `age1...` recipient.
fn recipient(value: &str) -> Result<Recipient, String> {
    Recipient::parse(value).map_err(|e| e.to_string())
}

/// `FIELD=COLUMN`.
fn column_map(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .map(|(f, c)| (f.trim().to_string(), c.to_string()))
        .ok_or_else(|| {
            format!("{value:?} is not FIELD=COLUMN, for example body=\"What happened?\"")
        })
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

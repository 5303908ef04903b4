//! Command-line arguments as typed (clap, parsed straight into the core types), and their
//! validation into a [`Config`] before any work starts: which identity to use and where it
//! came from, where passphrases come from, the interface's settings.

mod config;
mod stdin;
mod subcommands;
mod values;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::core::case::Status;
use crate::ops::vault::Recipient;
pub use config::{Config, ConfigError, IdentityFrom};
pub use subcommands::*;
pub use values::QueueChoice;
use values::{agent_minutes, column_map, committee_fingerprint, recipient};

/// The command line's arguments, read with the config file's `date_order` (so that a day
/// such as 03/04/2026 is read as the committee writes it).
pub fn parse() -> Args {
    if let Some(order) = config::date_order_setting() {
        let _ = values::DATE_ORDER.set(order);
    }
    Args::parse()
}

/// casebook: offline, encrypted case management for code-of-conduct committees.
#[derive(Debug, Parser)]
#[command(name = "casebook", version, about, long_about = None)]
pub struct Args {
    /// Your key: an OpenSSH ed25519 private key or an age identity file.
    /// [default: $CASEBOOK_IDENTITY, then `identity` in the config file, then ~/.ssh/id_ed25519]
    #[arg(short = 'i', long, global = true, value_name = "KEY")]
    pub identity: Option<PathBuf>,

    /// Read passphrases from the first line of FILE instead of asking on the terminal.
    /// [default: $CASEBOOK_PASSPHRASE_FILE, then `passphrase_file` in the config file]
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// Refuse the case file unless its committee has this fingerprint (as the chair sent it,
    /// and as `casebook info` prints it; the `SHA256:` prefix may be left out).
    #[arg(long, global = true, value_name = "FINGERPRINT", value_parser = committee_fingerprint)]
    pub committee: Option<String>,

    /// When another casebook is writing the case file, wait up to SECONDS for it to finish
    /// instead of giving up at once (exit code 6 when it is still busy).
    #[arg(long, global = true, value_name = "SECONDS")]
    pub wait: Option<u64>,

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
    /// Adopt a case file written before casebook signed its history (chairs only): its history,
    /// checked against what it must give, becomes the first commit, signed by you. Do it only
    /// for a copy you trust: nothing before it was signed.
    Adopt {
        /// The case file.
        file: PathBuf,
    },
    /// Bring every change in other copies of the case file (another member's copy, a sync
    /// tool's conflict copy, a file from a USB stick) into FILE, verified, and save it. The
    /// other copies are only read; they must be copies of the same committee.
    Merge {
        /// The case file to merge into.
        file: PathBuf,
        /// The other copies.
        #[arg(required = true)]
        others: Vec<PathBuf>,
        /// Decrypt the other copies with this key (your key from before `member rotate-key`);
        /// your current key still signs.
        #[arg(long, value_name = "KEY")]
        other_identity: Option<PathBuf>,
    },
    /// When the file lacks what this laptop verified and no newer copy is at hand: show what
    /// this laptop verified and what the file and every copy beside it (backup, sync conflict
    /// copies, .casebook-merged/) hold, merge them all, and save when that brings everything
    /// back. Otherwise accept the older history only with --accept (or typed on a terminal),
    /// signed as a recovery event every copy shows.
    Recover {
        /// The case file (it may be damaged or missing: a copy then takes its place).
        file: PathBuf,
        /// Accept the older history whose newest commit starts with COMMIT (as recover shows
        /// it): what this laptop verified after it is lost.
        #[arg(long, value_name = "COMMIT")]
        accept: Option<String>,
    },
    /// Merge two versions of a case file for git: `casebook merge-driver %O %A %B` merges
    /// %B into %A (the base %O is not needed: every change is an event). See the README for
    /// the .gitattributes and `git config` lines.
    #[command(name = "merge-driver")]
    MergeDriver {
        /// The common ancestor's version (%O, unused).
        base: PathBuf,
        /// Our version (%A), which receives the result.
        ours: PathBuf,
        /// Their version (%B).
        theirs: PathBuf,
    },
    /// What merged copies brought together that needs a member's attention: two decisions on
    /// one case, a status move from a status the case had left, a conflicted member's vote,
    /// two cases with one code name, changes by a member removed on another copy.
    Attention {
        /// The case file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Resolve what needs attention, with a note saying how.
    Resolve {
        /// The case file.
        file: PathBuf,
        /// The case (omit it for roster changes, which a chair resolves).
        code: Option<String>,
        /// The item's event id (or its start, as `casebook attention` shows it); repeatable.
        #[arg(long = "item", required = true)]
        items: Vec<String>,
        /// How it was resolved.
        #[arg(long)]
        note: String,
        /// For two decisions on one case: the decision that stands (by its item id); without
        /// it the first recorded stands.
        #[arg(long)]
        keep: Option<String>,
    },
    /// Approve a change that waits for a second member: on a case, keeping a member out at
    /// the reporter's request after the case was opened, or a party recorded as a committee
    /// member; without a case, a motion (removing or demoting a chair, leaving the committee
    /// without one, or a chair removing a reader of a sealed case they are kept out of), which
    /// takes effect when a majority of the active members approved it.
    Approve {
        /// The case file.
        file: PathBuf,
        /// The case (omit it for a motion on the roster).
        code: Option<String>,
        /// The waiting change's event id (or its start, as `case show` and `member list` show it).
        #[arg(long)]
        item: String,
        /// Withdraw your own proposal instead of approving it.
        #[arg(long)]
        withdraw: bool,
    },
    /// The signed history, commit by commit: who signed what, and when.
    Log {
        /// The case file.
        file: PathBuf,
        /// Only the changes to this case.
        code: Option<String>,
        /// Print only the newest commit and the digest of the derived state (copies that have
        /// seen the same history print the same).
        #[arg(long, conflicts_with = "code")]
        head: bool,
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
    /// Declare your own conflict of interest on a case, or withdraw it.
    #[command(group(clap::ArgGroup::new("conflict").required(true).args(["hard", "soft", "withdraw"])))]
    Conflict {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// You must not handle or see the case.
        #[arg(long)]
        hard: bool,
        /// You may discuss the case but not vote.
        #[arg(long)]
        soft: bool,
        /// Withdraw the conflict you declared.
        #[arg(long)]
        withdraw: bool,
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
    /// Sanctions a decision imposed: start, tell, review, extend, lift, record a breach.
    #[command(subcommand)]
    Sanction(SanctionCommand),
    /// The sanctions in force, for the people who enforce them: who, where, until when, ban
    /// or flag; nothing about any case. Printed, or signed and written with --export.
    Sanctions(Box<SanctionsArgs>),
    /// The committee's checklist: who is told of a sanction in each kind of space.
    #[command(subcommand)]
    Space(SpaceCommand),
    /// The committee's message templates per audience and step.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Appeal a case's decision: the case is reopened, and the members who voted on or
    /// decided it are left out of the appeal's vote and quorum.
    Appeal(Box<AppealArgs>),
    /// Expunge a case's content, by two members: one proposes (`--reason`), a second approves
    /// (`--approve --yes`); every copy then keeps only its retained record. Or place a legal
    /// hold on expunging it, or postpone it (`--hold-until`).
    Expunge(Box<ExpungeArgs>),
    /// Everything the file holds about one person, as a party in the cases you may read, in
    /// one signed record for a data-subject request (shown first; written with --yes).
    Person(Box<PersonArgs>),
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
        /// A member the reporters asked to be kept out (roster name; repeatable): every case
        /// opened is sealed from them from the start.
        #[arg(long, value_name = "NAME")]
        exclude: Vec<String>,
        /// Seal each case from the committee members its report names (a member's whole name
        /// or address in any field) without asking; without a terminal this is what happens,
        /// on a terminal casebook asks.
        #[arg(long)]
        seal_from_linked: bool,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Attachments of imported reports: list them, or save one (in plaintext) to a file.
    #[command(subcommand)]
    Attachment(AttachmentCommand),
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
    /// Add your signature to a record or report casebook exported (co-signing): writes the
    /// next free OUT.sig.N. Each key signs a record once.
    Sign {
        /// The case file the record was exported from: a decision record is signed only when
        /// this file's history gives exactly its bytes at the commit it names.
        file: PathBuf,
        /// The exported record.
        record: PathBuf,
    },
    /// Check the signatures of an exported record against a case file's history of members'
    /// keys or an OpenSSH allowed_signers file, judging as `ssh-keygen -Y verify` does. Exit
    /// 0: all valid and known; 3: valid but a signer is not (or no longer) on the roster; 4: a
    /// signature is invalid or missing.
    Verify(Box<VerifyArgs>),
    /// Write (or confirm) the title and summary that a case's decision record for one audience
    /// shows. Without it, a reported, reporter or public record is titled "Decision record for
    /// CODE" and says nothing the report said.
    RecordText(Box<RecordTextArgs>),
    /// Unlock your key once for a working session: an agent process keeps it in locked memory
    /// (never on disk, never swapped) for --timeout minutes, and every command (the git merge
    /// driver too) takes it from there instead of asking for the passphrase.
    #[command(group(clap::ArgGroup::new("what").args(["stop", "status"])))]
    Agent {
        /// Forget the key after this many minutes (fractions allowed).
        #[arg(long, value_name = "MINUTES", default_value_t = 60.0,
              value_parser = agent_minutes)]
        timeout: f64,
        /// Tell the running agent to forget the key now and end.
        #[arg(long)]
        stop: bool,
        /// Say whether an agent runs, which key it holds and for how long.
        #[arg(long)]
        status: bool,
        /// Be the agent (reads the unlocked key from standard input); `casebook agent` starts
        /// it.
        #[arg(long, hide = true, value_name = "KEY_PATH", conflicts_with_all = ["stop", "status"])]
        serve: Option<PathBuf>,
    },
    /// Print a shell completion script (for example
    /// `casebook completions bash > ~/.local/share/bash-completion/completions/casebook`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): casebook's, or a subcommand's (`casebook man member add`);
    /// for example `casebook man | man -l -`. With --dir, write every page to a folder.
    Man {
        /// The subcommand whose page to print (default: casebook's own).
        subcommand: Vec<String>,
        /// Write every page (casebook.1, casebook-case-new.1, ...) to this folder instead.
        #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
        dir: Option<PathBuf>,
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every subcommand, with its path of names.
    fn every(command: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
        for sub in command.get_subcommands() {
            let here = format!("{path} {}", sub.get_name());
            out.push((here.clone(), sub.clone()));
            every(sub, &here, out);
        }
    }

    #[test]
    fn usage_lines_name_the_arguments_in_the_order_they_are_given() {
        let mut all = Vec::new();
        every(&super::Args::command(), "casebook", &mut all);
        for (path, mut command) in all {
            let usage = command.render_usage().to_string();
            let mut from = 0;
            for positional in command.get_positionals() {
                let name = positional
                    .get_value_names()
                    .and_then(|names| names.first().cloned())
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| positional.get_id().to_string().to_uppercase());
                let at = usage[from..]
                    .find(&name)
                    .unwrap_or_else(|| panic!("{path}: {name} out of order in {usage:?}"));
                from += at + name.len();
            }
        }
    }
}

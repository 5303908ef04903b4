//! The options of each subcommand (and of subcommand groups), typed as the core types they
//! become.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;

use super::QueueChoice;
use super::values::{date, incident, moment, recipient, yes_no};
use crate::core::case::{Channel, IncidentAt, ScopeJudgement, Severity};
use crate::core::decision::{Ladder, QuorumRule};
use crate::core::event::{Audience, NoteKind, ReviewResult};
use crate::core::party::PartyRole;
use crate::core::roster::Role;
use crate::export::Profile;
use crate::ops::export::{RecordFormat, ReportFormat};
use crate::ops::vault::Recipient;

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
    /// A decision may be appealed within this many days of it.
    #[arg(long)]
    pub appeal_days: Option<u32>,
    /// Show a sanction as ending this many days before its last day.
    #[arg(long)]
    pub notice_days: Option<u32>,
    /// A reporter hears from the committee at least every this many days while their case
    /// waits for its decision (the update-due queue).
    #[arg(long)]
    pub update_days: Option<u32>,
    /// The grounds the committee hears appeals on, with commas: new-evidence,
    /// procedural-error, disproportionate, conflict-of-interest, factual-error, inconsistent.
    #[arg(long, value_delimiter = ',', value_name = "GROUNDS")]
    pub grounds: Option<Vec<crate::core::sanction::Ground>>,
    /// The retention schedule: a case is due to be expunged this many months after its
    /// decision, or after it closed without one (0: no schedule).
    #[arg(long, value_name = "MONTHS")]
    pub retain_months: Option<u32>,
    /// Keep cases with this outcome for their own number of months, as OUTCOME=MONTHS (for
    /// example permanent-ban=120; 0 takes it away). Repeat for more outcomes.
    #[arg(long, value_name = "OUTCOME=MONTHS", value_parser = parse_retain)]
    pub retain: Vec<(String, u32)>,
    /// Days before its date a case shows in the expunge-due queue (30 unless set).
    #[arg(long, value_name = "DAYS")]
    pub expunge_notice_days: Option<u32>,
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
    /// Where to write the record; the signature goes to OUT.sig. A bare file name goes to the
    /// private export folder (export_dir; default $XDG_DATA_HOME/casebook/exports), as
    /// CODE-PROFILE.FORMAT does without -o; a path with a `/` (./record.md) is used as typed.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Write OUT.age and OUT.sig.age, age-encrypted to this recipient (repeatable), instead
    /// of OUT and OUT.sig in plaintext; the signature is over the plaintext record.
    #[arg(long = "encrypt-to", value_name = "RECIPIENT", value_parser = recipient)]
    pub encrypt_to: Vec<Recipient>,
    /// Export a reported, reporter or public record although no member wrote its text
    /// (`casebook record-text`): it then has the neutral title and no summary.
    #[arg(long)]
    pub without_text: bool,
}

/// `casebook verify` options: the case file or `--allowed-signers` says who may sign (a group
/// would put CASE_FILE before RECORD in the usage line; `verify` asks for one itself).
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The exported record.
    pub record: PathBuf,
    /// The case file whose members' keys (and their history) say who may sign.
    pub case_file: Option<PathBuf>,
    /// An OpenSSH allowed_signers file instead of a case file.
    #[arg(long, value_name = "FILE", conflicts_with = "case_file")]
    pub allowed_signers: Option<PathBuf>,
    /// With --allowed-signers: the principal to check, as `ssh-keygen -Y verify -I` does
    /// (default: any line of the file).
    #[arg(
        short = 'I',
        long,
        value_name = "PRINCIPAL",
        requires = "allowed_signers"
    )]
    pub principal: Option<String>,
    /// The moment keys are judged at, as `ssh-keygen -Overify-time` (RFC 3339 or YYYY-MM-DD;
    /// default: the date the record states, or now for other files).
    #[arg(long, value_name = "TIME", value_parser = moment)]
    pub at: Option<DateTime<Utc>>,
    /// Signature files (default: RECORD.sig and RECORD.sig.N beside it).
    #[arg(long = "sig", value_name = "SIG")]
    pub sigs: Vec<PathBuf>,
}

/// `casebook record-text` options.
#[derive(Debug, clap::Args)]
pub struct RecordTextArgs {
    /// The case file.
    pub file: PathBuf,
    /// The case's code name.
    pub code: String,
    /// reported, reporter or public.
    #[arg(long = "for", value_name = "PROFILE")]
    pub profile: Profile,
    /// The record's title.
    #[arg(long)]
    pub title: String,
    /// What the record says happened, in words written for this audience.
    #[arg(long, default_value = "")]
    pub summary: String,
    /// Write the result to this new file instead of over FILE.
    #[arg(long, value_name = "NEW_FILE")]
    pub save_as: Option<PathBuf>,
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
    /// Count any venue, channel, status or outcome with fewer cases than this (in either
    /// period) under "other", so that no small group of cases can be singled out.
    #[arg(long, value_name = "K", default_value_t = crate::export::report::DEFAULT_MIN_CELL,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub min_cell: u64,
    /// Where to write it; the signature goes to OUT.sig. A bare file name goes to the
    /// private export folder (default: transparency-FROM-TO.FORMAT there); a path with a `/`
    /// is used as typed.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Write OUT.age and OUT.sig.age, age-encrypted to this recipient (repeatable), instead
    /// of OUT and OUT.sig in plaintext.
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
        /// A member the reporter asked to be kept out (roster name; repeat for several): the
        /// case is sealed from them from the start, so their copy never holds it.
        #[arg(long, value_name = "NAME")]
        exclude: Vec<String>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Seal a case from members: its content is then stored encrypted to the other members
    /// only, and the members kept out cannot read it, with casebook or without.
    Seal {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// A member to keep out (roster name; repeat for several).
        #[arg(long, value_name = "NAME", required = true)]
        from: Vec<String>,
        /// Why: request (the reporter asked), party (they are a party to it) or conflict.
        #[arg(long, default_value = "request")]
        why: crate::core::event::ExcludeWhy,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Give a member access to a sealed case (an exclusion lifted, or a member who joined
    /// after it was sealed); the case key is wrapped for them again.
    Give {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The member (roster name).
        member: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// List cases, optionally one queue.
    List {
        /// The case file.
        file: PathBuf,
        /// needs-acknowledgement, triage, mine, awaiting-my-vote, overdue, update-due,
        /// investigating, deliberating, decided-not-communicated, sanctions-to-tell,
        /// sanctions-ending, review-due, expunge-due, closed, needs-attention, all (default), or `counts`.
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
    /// Add a member (chairs only); the file is re-encrypted to include them at once. A removed
    /// member's name re-adds them, with the key given.
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
    /// Make a member a chair, or a chair an ordinary member (chairs only).
    Role {
        /// The case file.
        file: PathBuf,
        /// Their name as on the roster.
        name: String,
        /// chair or member.
        role: Role,
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
        /// Read the new key's passphrase from the first line of FILE (--passphrase-file is
        /// the current key's).
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
}

/// `casebook attachment ...`
#[derive(Debug, Subcommand)]
pub enum AttachmentCommand {
    /// List the attachments of a case's reports.
    List {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Save one attachment to a new file (plaintext: it leaves the encrypted case file).
    Save {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The attachment's name as listed (or its number, from 1).
        name: String,
        /// The file to write (never overwritten; mode 0600). A bare file name goes to the
        /// private export folder (default: the attachment's own name there); a path with a
        /// `/` is used as typed.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
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
        /// The note's text (`-` reads it from standard input).
        #[arg(long, conflicts_with = "stdin")]
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
        /// Seal the name, handle and email given to this member alone (roster name): the
        /// others see who holds them; opening them is recorded.
        #[arg(
            long,
            requires = "name",
            conflicts_with = "anonymous",
            value_name = "MEMBER"
        )]
        custodian: Option<String>,
        /// Kept for scripts; changes nothing. A party recorded as a committee member is sealed
        /// out at once as the reported party, and in another role once a second reader
        /// approves (`casebook approve`).
        #[arg(long)]
        seal_from_linked: bool,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Open the contact details of a party that you hold as custodian (recorded).
    Contact {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The party's number, as `case show` lists them.
        number: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
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
        #[arg(long, required_unless_present = "template")]
        summary: Option<String>,
        /// Fill the committee's template for this step (acknowledgement, update, decision,
        /// appeal-outcome) with what the case may show this audience, print it to send, and
        /// log it (`casebook template list FILE` shows the templates).
        #[arg(long, value_name = "STEP", conflicts_with = "summary")]
        template: Option<crate::core::comms::Step>,
        /// The day the message promised the next update by: past it, the case shows in the
        /// update-due queue until another message is logged.
        #[arg(long, value_parser = date, value_name = "DAY")]
        next_update_by: Option<NaiveDate>,
        /// Another member reviews the message (`casebook approve FILE CODE --item ID`)
        /// before it counts as sent.
        #[arg(long)]
        review: bool,
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
        /// The reviewer's note (`-` reads it from standard input).
        #[arg(long)]
        note: String,
        /// What the review decides: upheld, changed or lifted.
        #[arg(long)]
        result: ReviewResult,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

impl super::Command {
    /// The new file this command writes its result to instead of over the case file
    /// (`--save-as`), if it was given: the case file is then only read.
    pub fn save_as(&self) -> Option<&std::path::Path> {
        use super::Command as C;
        let path = match self {
            C::Status { save_as, .. }
            | C::Assign { save_as, .. }
            | C::Conflict { save_as, .. }
            | C::Import { save_as, .. }
            | C::Synth { save_as, .. } => save_as,
            C::Vote(args) => &args.save_as,
            C::Decide(args) => &args.save_as,
            C::Settings(args) => &args.save_as,
            C::RecordText(args) => &args.save_as,
            C::Case(
                CaseCommand::New { save_as, .. }
                | CaseCommand::Seal { save_as, .. }
                | CaseCommand::Give { save_as, .. },
            ) => save_as,
            C::Case(CaseCommand::Edit(args)) => &args.save_as,
            C::Note(NoteCommand::Add { save_as, .. })
            | C::Party(PartyCommand::Add { save_as, .. })
            | C::Comms(CommsCommand::Log { save_as, .. })
            | C::Emergency(
                EmergencyCommand::Record { save_as, .. } | EmergencyCommand::Review { save_as, .. },
            )
            | C::Sanction(
                SanctionCommand::Start { save_as, .. }
                | SanctionCommand::Tell { save_as, .. }
                | SanctionCommand::Review { save_as, .. }
                | SanctionCommand::Extend { save_as, .. }
                | SanctionCommand::Lift { save_as, .. }
                | SanctionCommand::Breach { save_as, .. },
            ) => save_as,
            C::Appeal(args) => &args.save_as,
            C::Expunge(args) => &args.save_as,
            C::Template(TemplateCommand::Set { save_as, .. })
            | C::Space(SpaceCommand::Set { save_as, .. }) => save_as,
            _ => return None,
        };
        path.as_deref()
    }
}

/// `casebook sanction ...`: the sanctions a decision imposed, numbered from 1 on each case as
/// `sanction list` shows them.
#[derive(Debug, Subcommand)]
pub enum SanctionCommand {
    /// Start a sanction the case's decision imposed.
    Start {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// A step of the committee's ladder (temporary-ban, warning, ...).
        #[arg(long)]
        step: String,
        /// How the people who enforce it know the person: a handle or a name, as the
        /// committee chooses to tell them (`-` reads it from standard input).
        #[arg(long)]
        subject: String,
        /// Where it applies: chat, repositories, events, mailing-lists, or a space the
        /// committee names (repeatable).
        #[arg(long = "space", value_name = "SPACE", required = true)]
        spaces: Vec<String>,
        /// Its first day (default today).
        #[arg(long, value_parser = date)]
        starts: Option<NaiveDate>,
        /// Its last day (or --until-reviewed).
        #[arg(long, value_parser = date, required_unless_present = "until_reviewed")]
        ends: Option<NaiveDate>,
        /// No last day: it lasts until the committee reviews it (or --ends).
        #[arg(long, conflicts_with = "ends")]
        until_reviewed: bool,
        /// What the person must do to return.
        #[arg(long, default_value = "")]
        conditions: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// List a case's sanctions: their state, and who is still to be told.
    List {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Record that you told a space's people, or the person, of a sanction's latest change.
    Tell {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The sanction's number.
        number: usize,
        /// Someone on the sanction's checklist: a space's people (or whom the committee's
        /// checklist names for it), or "reported person" (repeatable; default: everyone still
        /// to be told; `sanction list` shows who).
        #[arg(long = "whom", value_name = "WHOM")]
        whom: Vec<String>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Record the committee's review of a sanction: it stands as it is.
    Review {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The sanction's number.
        number: usize,
        /// The review (`-` reads it from standard input).
        #[arg(long)]
        note: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Move a sanction's last day later, or make it last until reviewed.
    Extend {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The sanction's number.
        number: usize,
        /// Its new last day.
        #[arg(long, value_parser = date, required_unless_present = "until_reviewed")]
        ends: Option<NaiveDate>,
        /// No last day: it lasts until the committee reviews it.
        #[arg(long, conflicts_with = "ends")]
        until_reviewed: bool,
        /// Why (`-` reads it from standard input).
        #[arg(long)]
        note: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// End a sanction now.
    Lift {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The sanction's number.
        number: usize,
        /// Why (`-` reads it from standard input).
        #[arg(long)]
        note: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
    /// Record that the person broke a sanction; a new case is opened for what happened.
    Breach {
        /// The case file.
        file: PathBuf,
        /// The case's code name.
        code: String,
        /// The sanction's number.
        number: usize,
        /// What happened, in short (`-` reads it from standard input).
        #[arg(long)]
        note: String,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

/// `casebook template ...`: the committee's message templates.
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// List the templates per audience and step, and the placeholders each audience's may
    /// hold.
    List {
        /// The case file.
        file: PathBuf,
    },
    /// Set the template for messages to one audience at one step (chairs).
    Set {
        /// The case file.
        file: PathBuf,
        /// reporter, reported or other.
        #[arg(long)]
        to: Audience,
        /// acknowledgement, update, decision or appeal-outcome.
        #[arg(long)]
        step: crate::core::comms::Step,
        /// The template, with placeholders such as {code} and {outcome} (`-` reads it from
        /// standard input).
        #[arg(long, required_unless_present = "default")]
        text: Option<String>,
        /// Put casebook's own template back.
        #[arg(long, conflicts_with = "text")]
        default: bool,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

/// `casebook space ...`: the committee's checklist of who is told of a sanction in each kind
/// of space.
#[derive(Debug, Subcommand)]
pub enum SpaceCommand {
    /// List who is told of a sanction in each space the committee set.
    List {
        /// The case file.
        file: PathBuf,
    },
    /// Set who must be told when a sanction applies in a space (chairs); no --tell clears it.
    Set {
        /// The case file.
        file: PathBuf,
        /// The space, as sanctions name it (chat, events, ...).
        space: String,
        /// Someone to tell (repeatable): "event organisers", "chat moderators".
        #[arg(long = "tell", value_name = "WHOM")]
        tell: Vec<String>,
        /// Write the result to this new file instead of over FILE.
        #[arg(long, value_name = "NEW_FILE")]
        save_as: Option<PathBuf>,
    },
}

/// `casebook sanctions` options: the need-to-know list.
#[derive(Debug, clap::Args)]
pub struct SanctionsArgs {
    /// The case file.
    pub file: PathBuf,
    /// Only the sanctions in force today (the list always holds only those; kept so the
    /// command says what it does).
    #[arg(long)]
    pub active: bool,
    /// Only the sanctions that apply in this space.
    #[arg(long = "for", value_name = "SPACE")]
    pub space: Option<String>,
    /// md or json.
    #[arg(long, default_value = "md")]
    pub format: crate::ops::export::RecordFormat,
    /// Write the list, signed, here (OUT and OUT.sig; a bare name goes to the export folder)
    /// instead of printing it.
    #[arg(long, value_name = "OUT")]
    pub export: Option<PathBuf>,
    /// Write OUT.age and OUT.sig.age, age-encrypted to this recipient (repeatable), instead
    /// of OUT and OUT.sig in plaintext; the signature is over the plaintext list.
    #[arg(long = "encrypt-to", value_name = "RECIPIENT", value_parser = recipient, requires = "export")]
    pub encrypt_to: Vec<crate::ops::vault::Recipient>,
}

/// `casebook expunge` options.
#[derive(Debug, clap::Args)]
pub struct ExpungeArgs {
    /// The case file.
    pub file: PathBuf,
    /// The case's code name.
    pub code: String,
    /// Propose the expunge, for this reason: retention, request or transfer.
    #[arg(long, conflicts_with_all = ["approve", "hold_until"])]
    pub reason: Option<crate::core::retention::Reason>,
    /// With --reason: why, in words kept with the tombstone for good (say why, not who;
    /// `-` reads it from standard input).
    #[arg(long, default_value = "", requires = "reason")]
    pub note: String,
    /// Approve the expunge another member proposed (with --yes: it cannot be undone).
    #[arg(long, conflicts_with = "hold_until")]
    pub approve: bool,
    /// With --approve: do it (without it, casebook says what would be gone and changes
    /// nothing).
    #[arg(long, requires = "approve")]
    pub yes: bool,
    /// Hold off expunging the case until this day (YYYY-MM-DD): a postponement, or with
    /// --legal a legal hold that forbids it until then.
    #[arg(long, value_name = "DATE", requires = "why")]
    pub hold_until: Option<chrono::NaiveDate>,
    /// With --hold-until: why.
    #[arg(long, requires = "hold_until")]
    pub why: Option<String>,
    /// With --hold-until: a legal hold, not a postponement.
    #[arg(long, requires = "hold_until")]
    pub legal: bool,
    /// Write the result to this new file instead of over FILE.
    #[arg(long, value_name = "NEW_FILE")]
    pub save_as: Option<PathBuf>,
}

/// `casebook person` options.
#[derive(Debug, clap::Args)]
pub struct PersonArgs {
    /// The case file.
    pub file: PathBuf,
    /// The person: a party's whole name, address, handle or alias, as a case records it.
    pub reference: String,
    /// Where to write the record; the signature goes to OUT.sig. A bare file name goes to the
    /// private export folder.
    #[arg(long, value_name = "OUT")]
    pub export: PathBuf,
    /// Write OUT.age and OUT.sig.age, age-encrypted to this recipient (repeatable).
    #[arg(long = "encrypt-to", value_name = "RECIPIENT", value_parser = recipient)]
    pub encrypt_to: Vec<Recipient>,
    /// Write it (without it, casebook shows what it would hold and writes nothing).
    #[arg(long)]
    pub yes: bool,
}

/// `casebook appeal` options.
#[derive(Debug, clap::Args)]
pub struct AppealArgs {
    /// The case file.
    pub file: PathBuf,
    /// The case's code name.
    pub code: String,
    /// One of the committee's grounds (`casebook settings FILE` lists them; by default
    /// new-evidence, procedural-error, disproportionate or conflict-of-interest).
    #[arg(long)]
    pub grounds: crate::core::sanction::Ground,
    /// What the appellant says, as you record it (`-` reads it from standard input).
    #[arg(long)]
    pub note: String,
    /// Write the result to this new file instead of over FILE.
    #[arg(long, value_name = "NEW_FILE")]
    pub save_as: Option<PathBuf>,
}

/// `--retain OUTCOME=MONTHS`.
fn parse_retain(text: &str) -> Result<(String, u32), String> {
    let (outcome, months) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not OUTCOME=MONTHS"))?;
    let months = months
        .trim()
        .parse()
        .map_err(|_| format!("{months:?} is not a number of months"))?;
    Ok((outcome.trim().to_string(), months))
}

//! Signed exports: decision records and transparency reports, built, signed with the member's
//! key and written to new files (never over an existing one), in plaintext or age-encrypted.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{Error, acting_member};
use crate::core::event::ConflictKind;
use crate::core::process::RuleError;
use crate::core::roster::Member;
use crate::core::sanitize::inline;
use crate::export::signature;
use crate::export::{self as records, Profile};
use crate::vault::{self, CaseFile, Identity, Recipient};

/// How a decision record is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordFormat {
    /// Markdown.
    #[default]
    Md,
    /// JSON (schema in `assets/schemas/decision-record.md`).
    Json,
}

/// How a transparency report is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown.
    #[default]
    Md,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

impl RecordFormat {
    /// Every format, in the order forms offer them.
    pub const ALL: [RecordFormat; 2] = [RecordFormat::Md, RecordFormat::Json];

    /// The format's name, which is also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordFormat::Md => "md",
            RecordFormat::Json => "json",
        }
    }
}

impl ReportFormat {
    /// Every format, in the order forms offer them.
    pub const ALL: [ReportFormat; 3] = [ReportFormat::Md, ReportFormat::Json, ReportFormat::Csv];

    /// The format's name, which is also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Md => "md",
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
        }
    }
}

impl std::str::FromStr for RecordFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown format {s:?}; formats: md, json"))
    }
}

impl std::str::FromStr for ReportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReportFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown format {s:?}; formats: md, json, csv"))
    }
}

/// What an export or report wrote.
#[derive(Clone, Debug)]
pub struct Written {
    /// The record or report.
    pub path: PathBuf,
    /// The signature beside it.
    pub sig_file: PathBuf,
    /// Whether both are age-encrypted rather than plaintext.
    pub encrypted: bool,
    /// The signer's principal in `member list --allowed-signers`.
    pub principal: String,
    /// For a report: cases received in the period and in the previous one.
    pub received: (u64, u64),
}

impl Written {
    /// The shell command that checks the signature with stock OpenSSH, given the case file's
    /// path as the member typed it.
    pub fn verify_command(&self, case_file: &str) -> String {
        format!(
            "casebook member list {case_file} --allowed-signers > allowed_signers && ssh-keygen -Y verify -f allowed_signers -I {} -n {} -s {} < {}",
            self.principal,
            signature::NAMESPACE,
            self.sig_file.display(),
            self.path.display()
        )
    }
}

/// The path of a record's `n`th signature: `FILE.sig`, then `FILE.sig.2`, ...
pub fn sig_path(record: &Path, n: usize) -> PathBuf {
    let suffix = if n == 1 {
        ".sig".to_string()
    } else {
        format!(".sig.{n}")
    };
    PathBuf::from(format!("{}{suffix}", record.display()))
}

/// Sign `bytes` with the identity's SSH key (age X25519 identities cannot sign).
pub fn sign(identity: &Identity, bytes: &[u8]) -> Result<String, Error> {
    let key = identity.signing_key().ok_or_else(|| Error::CannotSign {
        identity: identity.label().to_path_buf(),
    })?;
    signature::sign(key, bytes).map_err(|e| Error::Signing {
        identity: identity.label().to_path_buf(),
        reason: e.to_string(),
    })
}

/// Co-sign an existing record with the next free `.sig.N`; gives back that path.
pub fn cosign(identity: &Identity, record: &Path) -> Result<PathBuf, Error> {
    let bytes = std::fs::read(record).map_err(|e| vault::Error::Read {
        path: record.to_path_buf(),
        source: e,
    })?;
    let sig = sign(identity, &bytes)?;
    let path = (1..)
        .map(|n| sig_path(record, n))
        .find(|p| !p.exists())
        .unwrap_or_else(|| sig_path(record, 1));
    vault::write_new(&path, sig.as_bytes(), 0o600)?;
    Ok(path)
}

/// Write `text` and its signature `sig` to `output` and `output.sig` (never overwriting
/// either): in plaintext, or age-encrypted to `encrypt_to`. Returns the signature's path.
fn write_signed(
    output: &Path,
    text: &str,
    sig: &str,
    encrypt_to: &[Recipient],
) -> Result<PathBuf, Error> {
    let sig_file = sig_path(output, 1);
    for path in [output, sig_file.as_path()] {
        if path.exists() {
            return Err(Error::Vault(vault::Error::Exists {
                path: path.to_path_buf(),
            }));
        }
    }
    if encrypt_to.is_empty() {
        vault::write_new(output, text.as_bytes(), 0o600)?;
        vault::write_new(&sig_file, sig.as_bytes(), 0o600)?;
    } else {
        vault::encrypt_new_file(output, text.as_bytes(), encrypt_to)?;
        vault::encrypt_new_file(&sig_file, sig.as_bytes(), encrypt_to)?;
    }
    Ok(sig_file)
}

/// The signer as signed content names them: "Name (SHA256:...)"; only members with an SSH key
/// can sign.
fn signer(file: &CaseFile, identity: &Identity) -> Result<(Member, String), Error> {
    let me = acting_member(file)?;
    if identity.signing_key().is_none() {
        return Err(Error::CannotSign {
            identity: identity.label().to_path_buf(),
        });
    }
    let label = format!(
        "{} ({})",
        inline(&me.name),
        vault::fingerprint(identity.recipient())
    );
    Ok((me, label))
}

/// A decision record to write.
#[derive(Clone, Debug)]
pub struct RecordRequest {
    /// The case's code name.
    pub code: String,
    /// Its audience.
    pub profile: Profile,
    /// Markdown or JSON.
    pub format: RecordFormat,
    /// Where to write it.
    pub output: PathBuf,
    /// Encrypt it (and its signature) to these instead of writing plaintext.
    pub encrypt_to: Vec<Recipient>,
}

/// Build, sign and write the decision record of a case for one audience.
pub fn write_record(
    file: &mut CaseFile,
    identity: &Identity,
    request: &RecordRequest,
) -> Result<Written, Error> {
    let (me, signer) = signer(file, identity)?;
    let case = file.case_by_code(&request.code)?;
    if case.conflict_of(me.id) == Some(ConflictKind::Hard) {
        return Err(Error::Rule(RuleError::HardConflict {
            case: case.code_name.clone(),
            member: me.name.clone(),
        }));
    }
    let roster = file.roster()?;
    let timeline = file.timeline(case.id)?;
    let record = records::record(&case, &timeline, &roster, request.profile, &signer)?;
    let text = match request.format {
        RecordFormat::Json => record.to_json(),
        RecordFormat::Md => record.to_markdown(),
    };
    sign_and_write(
        identity,
        &me,
        &text,
        &request.output,
        &request.encrypt_to,
        (0, 0),
    )
}

/// Sign `text` as `me` and write it and its signature to `output` (see [`write_signed`]).
fn sign_and_write(
    identity: &Identity,
    me: &Member,
    text: &str,
    output: &Path,
    encrypt_to: &[Recipient],
    received: (u64, u64),
) -> Result<Written, Error> {
    let sig = sign(identity, text.as_bytes())?;
    let sig_file = write_signed(output, text, &sig, encrypt_to)?;
    Ok(Written {
        path: output.to_path_buf(),
        sig_file,
        encrypted: !encrypt_to.is_empty(),
        principal: me.principal(),
        received,
    })
}

/// A transparency report to write.
#[derive(Clone, Debug)]
pub struct ReportRequest {
    /// The first day of the period.
    pub from: NaiveDate,
    /// The last day of the period.
    pub to: NaiveDate,
    /// Markdown, JSON or CSV.
    pub format: ReportFormat,
    /// Where to write it.
    pub output: PathBuf,
    /// Encrypt it (and its signature) to these instead of writing plaintext.
    pub encrypt_to: Vec<Recipient>,
}

/// Build, sign and write the transparency report for a period.
pub fn write_report(
    file: &mut CaseFile,
    identity: &Identity,
    request: &ReportRequest,
) -> Result<Written, Error> {
    let (from, to) = (request.from, request.to);
    if to < from {
        return Err(Error::PeriodReversed { from, to });
    }
    let (me, signer) = signer(file, identity)?;
    let roster_hash = records::roster_hash(&file.roster()?);
    let report = records::report::build(file.cases()?.values(), from, to, &signer, roster_hash);
    let text = match request.format {
        ReportFormat::Json => report.to_json(),
        ReportFormat::Csv => report.to_csv(),
        ReportFormat::Md => report.to_markdown(),
    };
    let received = (report.current.received, report.previous.received);
    sign_and_write(
        identity,
        &me,
        &text,
        &request.output,
        &request.encrypt_to,
        received,
    )
}

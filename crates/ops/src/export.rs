//! Signed exports: decision records and transparency reports, built, signed with the member's
//! key and written to new files (never over an existing one), in plaintext or age-encrypted.

use crate::OpenFile;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::{Error, acting_member};
use casebook_core::event::ConflictKind;
use casebook_core::process::RuleError;
use casebook_core::roster::Member;
use casebook_core::sanitize::inline;
use casebook_export::signature::{self, Checked};
use casebook_export::{self as records, Profile};
use casebook_vault::{self as vault, CaseFile, Identity, Recipient};

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
    /// The record or report (`OUT`, or `OUT.age` when encrypted).
    pub path: PathBuf,
    /// The signature beside it (`OUT.sig`, or `OUT.sig.age` when encrypted).
    pub sig_file: PathBuf,
    /// Whether both are age-encrypted rather than plaintext.
    pub encrypted: bool,
    /// The names the record and its signature have once decrypted (`OUT`, `OUT.sig`).
    pub plaintext: (PathBuf, PathBuf),
    /// The signer's principal in `member list --allowed-signers`.
    pub principal: String,
    /// The moment the signer's key is judged at (see [`records::Recognised::as_of`]).
    pub as_of: DateTime<Utc>,
    /// For a report: cases received in the period and in the previous one.
    pub received: (u64, u64),
}

impl Written {
    /// The shell commands that check the signature with stock OpenSSH, given the case file's
    /// path as the member typed it: for an encrypted export, first the ones that decrypt it.
    /// Every argument is shell-quoted.
    pub fn verify_commands(&self, case_file: &str) -> Vec<String> {
        let q = |p: &Path| shell_quote(&p.to_string_lossy());
        let (record, sig) = (&self.plaintext.0, &self.plaintext.1);
        let mut commands = Vec::new();
        if self.encrypted {
            for (plain, cipher) in [(record, &self.path), (sig, &self.sig_file)] {
                commands.push(format!(
                    "age -d -i YOUR_IDENTITY -o {} {}",
                    q(plain),
                    q(cipher)
                ));
            }
        }
        commands.push(format!(
            "casebook member list {} --allowed-signers > allowed_signers",
            shell_quote(case_file)
        ));
        commands.push(format!(
            "ssh-keygen -Y verify -f allowed_signers -I {} -n {} -Overify-time={} -s {} < {}",
            shell_quote(&self.principal),
            signature::NAMESPACE,
            signature::openssh_time(self.as_of),
            q(sig),
            q(record)
        ));
        commands
    }

    /// [`Written::verify_commands`] as one line, joined with `&&`.
    pub fn verify_command(&self, case_file: &str) -> String {
        self.verify_commands(case_file).join(" && ")
    }
}

/// `text` as one word for a POSIX shell: as it is when it holds only characters no shell
/// treats specially, else in single quotes (a `'` inside becomes `'\''`). Control characters
/// are written as `$'\xNN'` so that pasting the command never sends them to a terminal.
pub fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_string();
    }
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            c if c.is_control() => out.push_str(&format!("'$'\\x{:02x}''", c as u32 & 0xff)),
            c if casebook_core::sanitize::inline(&c.to_string()).len() != c.len_utf8() => {
                // Invisible or direction-changing characters: spelled out, never pasted.
                out.push_str(&format!("'$'\\u{:04x}''", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Where an export goes: `OUT` and `OUT.sig` in plaintext; `OUT.age` and `OUT.sig.age` when
/// encrypted (an `OUT` that already ends in `.age` is taken as the encrypted name).
/// Gives (file, signature, plaintext file name, plaintext signature name).
pub fn export_paths(output: &Path, encrypted: bool) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let name = output.to_string_lossy();
    let plain = match name.strip_suffix(".age") {
        Some(stem) if encrypted && !stem.is_empty() => PathBuf::from(stem),
        _ => output.to_path_buf(),
    };
    let plain_sig = sig_path(&plain, 1);
    if encrypted {
        let age = |p: &Path| PathBuf::from(format!("{}.age", p.display()));
        (age(&plain), age(&plain_sig), plain, plain_sig)
    } else {
        (plain.clone(), plain_sig.clone(), plain, plain_sig)
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

/// Co-sign an existing record with the next free `.sig.N`; gives back that path. A decision
/// record is signed only when `file` gives exactly its bytes at the commit it names (derived
/// again, as its first signer derived it); a transparency report only when casebook wrote it;
/// each only once per key.
pub fn cosign(file: &mut OpenFile, identity: &Identity, record: &Path) -> Result<PathBuf, Error> {
    let file = &mut file.file;
    let bytes = std::fs::read(record).map_err(|e| vault::Error::Read {
        path: record.to_path_buf(),
        source: e,
    })?;
    if records::recognise(&bytes).is_none() {
        return Err(Error::NotARecord {
            path: record.to_path_buf(),
        });
    }
    if let Some(found) = records::identify(&bytes) {
        rederive(file, record, &bytes, &found)?;
    } else if bytes.starts_with(b"# Decision record: ") || bytes.starts_with(b"{") {
        // A decision record that names no commit: not one this casebook exported.
        let is_record = records::recognise(&bytes).is_some_and(|r| r.what == "decision record");
        if is_record {
            return Err(Error::NotARecord {
                path: record.to_path_buf(),
            });
        }
    }
    let mine = identity.recipient().to_string();
    let existing: Vec<PathBuf> = (1..)
        .map(|n| sig_path(record, n))
        .take_while(|p| p.exists())
        .collect();
    for sig in &existing {
        let pem = std::fs::read_to_string(sig).unwrap_or_default();
        if let Checked::Valid { key, .. } = signature::check(&bytes, &pem)
            && key == mine
        {
            return Err(Error::AlreadySigned {
                path: record.to_path_buf(),
                signature: sig.clone(),
            });
        }
    }
    let sig = sign(identity, &bytes)?;
    let path = sig_path(record, existing.len() + 1);
    vault::write_new(&path, sig.as_bytes(), 0o600)?;
    Ok(path)
}

/// Write `text` and its signature `sig` (never overwriting either): in plaintext to `OUT`
/// and `OUT.sig`, or age-encrypted to `encrypt_to` as `OUT.age` and `OUT.sig.age`. Returns
/// the paths as [`export_paths`] gives them.
fn write_signed(
    output: &Path,
    text: &str,
    sig: &str,
    encrypt_to: &[Recipient],
) -> Result<(PathBuf, PathBuf, PathBuf, PathBuf), Error> {
    let paths = export_paths(output, !encrypt_to.is_empty());
    let (file, sig_file) = (&paths.0, &paths.1);
    for path in [file, sig_file] {
        if path.exists() {
            return Err(Error::Vault(vault::Error::Exists {
                path: path.to_path_buf(),
            }));
        }
    }
    if encrypt_to.is_empty() {
        vault::write_new(file, text.as_bytes(), 0o600)?;
        vault::write_new(sig_file, sig.as_bytes(), 0o600)?;
    } else {
        vault::encrypt_new_file(file, text.as_bytes(), encrypt_to)?;
        vault::encrypt_new_file(sig_file, sig.as_bytes(), encrypt_to)?;
    }
    Ok(paths)
}

/// The signer as signed content names them: "Name (SHA256:...)"; only members with an SSH key
/// can sign.
pub(crate) fn signer(file: &CaseFile, identity: &Identity) -> Result<(Member, String), Error> {
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
    file: &mut OpenFile,
    identity: &Identity,
    request: &RecordRequest,
) -> Result<Written, Error> {
    let file = &mut file.file;
    let (me, signer) = signer(file, identity)?;
    let case = file.case_by_code(&request.code)?;
    // A copy a case is sealed from holds nothing to put in its record.
    if !case.readable_by(me.id) {
        return Err(Error::Rule(RuleError::SealedFrom {
            case: case.code_name.clone(),
            member: me.name.clone(),
        }));
    }
    if case.conflict_of(me.id) == Some(ConflictKind::Hard) {
        return Err(Error::Rule(RuleError::HardConflict {
            case: case.code_name.clone(),
            member: me.name.clone(),
        }));
    }
    // A record is derived from saved history only, so that it names a commit from which
    // anyone can derive it again (`casebook sign`).
    if file
        .unsaved_events()?
        .iter()
        .any(|e| e.case == Some(case.id))
    {
        return Err(Error::Vault(vault::Error::UnsavedCase {
            case: case.code_name.clone(),
        }));
    }
    let commit = file.head()?.0.unwrap_or_default();
    let roster = file.roster()?;
    let timeline = file.timeline(case.id)?;
    let settings = file.settings();
    let record = records::record(
        &case,
        &timeline,
        &roster,
        request.profile,
        &signer,
        &commit,
        &settings,
    )?;
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
pub(crate) fn sign_and_write(
    identity: &Identity,
    me: &Member,
    text: &str,
    output: &Path,
    encrypt_to: &[Recipient],
    received: (u64, u64),
) -> Result<Written, Error> {
    let as_of = records::recognise(text.as_bytes())
        .map(|r| r.as_of)
        .unwrap_or_else(Utc::now);
    let sig = sign(identity, text.as_bytes())?;
    let (path, sig_file, plain, plain_sig) = write_signed(output, text, &sig, encrypt_to)?;
    Ok(Written {
        path,
        sig_file,
        encrypted: !encrypt_to.is_empty(),
        plaintext: (plain, plain_sig),
        principal: me.principal(),
        as_of,
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

/// Build, sign and write the transparency report for a period, folding values with fewer
/// than [`records::report::DEFAULT_MIN_CELL`] cases into "other".
pub fn write_report(
    file: &mut OpenFile,
    identity: &Identity,
    request: &ReportRequest,
) -> Result<Written, Error> {
    let file = &mut file.file;
    write_report_with(
        OpenFile::wrap(file),
        identity,
        request,
        records::report::DEFAULT_MIN_CELL,
    )
}

/// [`write_report`], folding values with fewer than `min_cell` cases into "other".
pub fn write_report_with(
    file: &mut OpenFile,
    identity: &Identity,
    request: &ReportRequest,
    min_cell: u64,
) -> Result<Written, Error> {
    let file = &mut file.file;
    let (from, to) = (request.from, request.to);
    if to < from {
        return Err(Error::PeriodReversed { from, to });
    }
    let (me, signer) = signer(file, identity)?;
    let roster_hash = records::roster_hash(&file.roster()?);
    let report = records::report::build(
        file.cases()?.values(),
        from,
        to,
        &signer,
        roster_hash,
        min_cell.max(1),
    );
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

/// A list of the sanctions in force to write (see [`records::sanctions`]).
#[derive(Clone, Debug)]
pub struct SanctionsRequest {
    /// Only the sanctions that apply in this space.
    pub space: Option<String>,
    /// Markdown or JSON.
    pub format: RecordFormat,
    /// Where to write it.
    pub output: PathBuf,
    /// Encrypt it (and its signature) to these instead of writing plaintext.
    pub encrypt_to: Vec<Recipient>,
}

/// The sanctions in force today in the cases the member who opened `file` may read.
pub fn sanctions_in_force(
    file: &mut OpenFile,
    space: Option<&str>,
    signed_by: &str,
) -> Result<records::sanctions::SanctionList, Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    let cases = file.cases()?;
    let reads = |c: &&casebook_core::case::Case| {
        c.readable_by(me.id) && c.conflict_of(me.id) != Some(ConflictKind::Hard)
    };
    let not_read = cases.values().filter(|c| !reads(c)).count();
    Ok(records::sanctions::build(
        cases.values().filter(reads),
        Utc::now().date_naive(),
        space,
        signed_by,
        not_read,
    ))
}

/// Build, sign and write the list of sanctions in force for the people who enforce them.
pub fn write_sanctions(
    file: &mut OpenFile,
    identity: &Identity,
    request: &SanctionsRequest,
) -> Result<(Written, usize), Error> {
    let file = &mut file.file;
    let (me, signer) = signer(file, identity)?;
    let list = sanctions_in_force(OpenFile::wrap(file), request.space.as_deref(), &signer)?;
    let text = match request.format {
        RecordFormat::Json => list.to_json(),
        RecordFormat::Md => list.to_markdown(),
    };
    let written = sign_and_write(
        identity,
        &me,
        &text,
        &request.output,
        &request.encrypt_to,
        (0, 0),
    )?;
    Ok((written, list.sanctions.len()))
}

/// Derive the decision record `found` describes again from `file`, at the commit it names,
/// and compare it with `bytes`: equal, or the first difference.
fn rederive(
    file: &mut CaseFile,
    record: &Path,
    bytes: &[u8],
    found: &records::Identified,
) -> Result<(), Error> {
    let label = PathBuf::from(file.label());
    let differs = |difference: String| {
        Error::RecordDiffers(Box::new(super::RecordDiffers {
            path: record.to_path_buf(),
            file: label.clone(),
            case: found.case.clone(),
            commit: found.commit.clone(),
            difference,
        }))
    };
    let case = file.case_by_code(&found.case)?;
    let Some((state, timeline, roster, settings)) = file.case_at(case.id, &found.commit)? else {
        return Err(differs(
            "the file's history holds no such commit (or no such case there)".into(),
        ));
    };
    // The first signer, as the record names them: placed back exactly as written.
    const SIGNER: &str = "casebook0signer0placeholder";
    let again = records::record(
        &state,
        &timeline,
        &roster,
        found.profile,
        SIGNER,
        &found.commit,
        &settings,
    )
    .map_err(|e| differs(e.to_string()))?;
    let text = if found.json {
        again.to_json().replace(
            &serde_json::to_string(SIGNER).unwrap_or_default(),
            &serde_json::to_string(&found.signer).unwrap_or_default(),
        )
    } else {
        again.to_markdown().replace(
            &format!("| Signed by | {SIGNER} |"),
            &format!("| Signed by | {} |", found.signer),
        )
    };
    let given = String::from_utf8_lossy(bytes);
    if text == given {
        return Ok(());
    }
    let difference = text
        .lines()
        .zip(given.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(n, (expected, found))| {
            format!(
                "line {} reads {:?}, where the history gives {:?}",
                n + 1,
                casebook_core::sanitize::inline(found),
                casebook_core::sanitize::inline(expected)
            )
        })
        .unwrap_or_else(|| "its length differs from what the history gives".into());
    Err(differs(difference))
}

/// Where a file goes: as typed when it names a folder (a `/`, `~/`), else in `dir`;
/// `fallback` in `dir` when nothing was typed. Both front ends place exports so: a bare name
/// never lands in whatever folder the member happens to stand in.
pub fn place(typed: Option<&str>, dir: &Path, fallback: &str) -> PathBuf {
    match typed.map(str::trim).filter(|t| !t.is_empty()) {
        None => dir.join(fallback),
        Some(path) if path.starts_with("~/") => std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(&path[2..]))
            .unwrap_or_else(|| PathBuf::from(path)),
        Some(path) if path.contains('/') => PathBuf::from(path),
        Some(name) => dir.join(name),
    }
}

/// A received file name made safe as one file name (no folders, no hidden files).
pub fn safe_file_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "attachment".into()
    } else {
        clean
    }
}

/// Why a plaintext file at some path may reach more people than its audience.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// The folder (or one above it) holds a case file: usually the folder the committee syncs.
    CaseFileFolder {
        /// The folder.
        dir: PathBuf,
        /// A case file in it.
        case_file: PathBuf,
    },
    /// A sync tool (or git) manages the folder or one above it.
    Synced {
        /// The folder it manages.
        dir: PathBuf,
        /// The tool, in words ("Syncthing", "a git repository").
        tool: &'static str,
    },
}

impl std::fmt::Display for Exposure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exposure::CaseFileFolder { dir, case_file } => write!(
                f,
                "{} holds the case file {}, and is likely synced to the whole committee",
                inline(&dir.display().to_string()),
                inline(&case_file.display().to_string())
            ),
            Exposure::Synced { dir, tool } => write!(
                f,
                "{} is managed by {tool}",
                inline(&dir.display().to_string())
            ),
        }
    }
}

/// What a folder holds that marks it as synced: (marker, tool).
const SYNC_MARKERS: [(&str, &str); 8] = [
    (".stfolder", "Syncthing"),
    (".dropbox", "Dropbox"),
    (".dropbox.cache", "Dropbox"),
    (".owncloudsync.log", "ownCloud"),
    (".nextcloudsync.log", "Nextcloud"),
    (".sync", "Resilio Sync"),
    (".git", "a git repository"),
    (".hg", "a Mercurial repository"),
];

/// Folders that sync tools make under these names: (name, tool).
const SYNC_FOLDERS: [(&str, &str); 6] = [
    ("Dropbox", "Dropbox"),
    ("Nextcloud", "Nextcloud"),
    ("ownCloud", "ownCloud"),
    ("OneDrive", "OneDrive"),
    ("Google Drive", "Google Drive"),
    ("iCloud Drive", "iCloud Drive"),
];

/// Whether writing `path` puts plaintext where others may get it: in (or under) a folder that
/// holds a case file or that a sync tool or git manages. The home folder and `/` themselves
/// are not judged (nearly everything is under them).
pub fn exposure(path: &Path) -> Option<Exposure> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let stop =
        |dir: &Path| dir.parent().is_none() || home.as_deref().is_some_and(|h| same_dir(h, dir));
    let mut dir = absolute.parent();
    while let Some(here) = dir {
        if stop(here) {
            break;
        }
        if let Some(name) = here.file_name().and_then(|n| n.to_str())
            && let Some((_, tool)) = SYNC_FOLDERS.iter().find(|(n, _)| *n == name)
        {
            return Some(Exposure::Synced {
                dir: here.to_path_buf(),
                tool,
            });
        }
        if let Some((_, tool)) = SYNC_MARKERS
            .iter()
            .find(|(marker, _)| here.join(marker).exists())
        {
            return Some(Exposure::Synced {
                dir: here.to_path_buf(),
                tool,
            });
        }
        if let Ok(entries) = std::fs::read_dir(here) {
            let case_file = entries.flatten().map(|e| e.path()).find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".cases.age") || nextcloud_journal(n))
            });
            if let Some(found) = case_file {
                if nextcloud_journal(&found.file_name().unwrap_or_default().to_string_lossy()) {
                    return Some(Exposure::Synced {
                        dir: here.to_path_buf(),
                        tool: "Nextcloud or ownCloud",
                    });
                }
                return Some(Exposure::CaseFileFolder {
                    dir: here.to_path_buf(),
                    case_file: found,
                });
            }
        }
        dir = here.parent();
    }
    None
}

/// The Nextcloud and ownCloud clients keep a journal `.sync_XXXX.db` (`._sync_XXXX.db`) in
/// the folder they sync.
fn nextcloud_journal(name: &str) -> bool {
    (name.starts_with(".sync_") || name.starts_with("._sync_")) && name.ends_with(".db")
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Whether case `code` has text a member wrote for `profile`'s record (the internal record
/// needs none: it holds everything).
pub fn has_record_text(file: &mut OpenFile, code: &str, profile: Profile) -> Result<bool, Error> {
    let file = &mut file.file;
    if profile == Profile::Internal {
        return Ok(true);
    }
    let case = file.case_by_code(code)?;
    let timeline = file.timeline(case.id)?;
    Ok(casebook_core::process::record_text(&case, &timeline, profile).is_some())
}

#[cfg(test)]
mod placing {
    use super::*;

    #[test]
    fn a_bare_name_goes_to_the_export_folder_a_path_as_typed() {
        let dir = Path::new("/private/exports");
        assert_eq!(place(None, dir, "x.md"), dir.join("x.md"));
        assert_eq!(place(Some("r.md"), dir, "x.md"), dir.join("r.md"));
        assert_eq!(place(Some("./r.md"), dir, "x.md"), Path::new("./r.md"));
        assert_eq!(
            place(Some("/tmp/r.md"), dir, "x.md"),
            Path::new("/tmp/r.md")
        );
        assert_eq!(place(Some("  "), dir, "x.md"), dir.join("x.md"));
    }

    #[test]
    fn a_folder_with_a_case_file_or_a_sync_marker_is_exposed() {
        let root = tempfile::tempdir().unwrap();
        let plain = root.path().join("plain");
        std::fs::create_dir_all(plain.join("deep")).unwrap();
        assert_eq!(exposure(&plain.join("deep/r.md")), None);

        let shared = root.path().join("shared");
        std::fs::create_dir_all(shared.join("records")).unwrap();
        std::fs::write(shared.join("committee.cases.age"), b"x").unwrap();
        assert!(matches!(
            exposure(&shared.join("records/r.md")),
            Some(Exposure::CaseFileFolder { .. })
        ));

        let synced = root.path().join("synced");
        std::fs::create_dir_all(synced.join(".stfolder")).unwrap();
        let found = exposure(&synced.join("r.md")).unwrap();
        assert!(found.to_string().contains("Syncthing"), "{found}");
    }
}

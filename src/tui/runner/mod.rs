//! The effects runner: the one place where the interface touches the case file, through the
//! operations in [`crate::ops`] (the same ones the command line uses). It holds the member's
//! key (dropped while the interface is locked), carries out each [`Effect`] and hands back an
//! [`Outcome`] for [`App::update`] to apply; it reads the model but never writes it.

use chrono::Utc;
use zeroize::Zeroizing;

use super::Reload;
use super::app::{self, App, Effect, Outcome, Passphrase, Shown};
use super::request::Request;
use crate::core::describe;
use crate::core::event::{ConflictKind, EventKind, NoteKind};
use crate::core::party::Disclosure;
use crate::core::queue::View;
use crate::core::sanitize::inline;
use crate::ops::OpenFile;
use crate::ops::vault::{self, Identity, PassphraseSource};
use crate::ops::{self, cases::CaseChange};

type Result<T> = std::result::Result<T, ops::Error>;

/// Say what went wrong in the status bar or the form, in the interface's words: what to do
/// is said in keys, never in command-line flags.
fn explain(error: &ops::Error) -> String {
    let hint = match error {
        ops::Error::Vault(vault::Error::ReadOnly { .. }) => {
            return "this file is read-only (the demo?): S saves it under a new name".into();
        }
        ops::Error::Vault(vault::Error::ChangedOnDisk { .. }) => {
            "another copy was synced over it while saving: Ctrl-S again merges it, S saves \
             yours under a new name"
        }
        ops::Error::Vault(vault::Error::Exists { .. }) => "choose another file name",
        ops::Error::Vault(vault::Error::ReadOnlyFilesystem { .. }) => {
            "nothing was written; S saves under a new name in a folder you can write"
        }
        ops::Error::Vault(vault::Error::DiskFull { .. }) => "free some space and save again",
        ops::Error::Vault(vault::Error::VerifyFailed { .. }) => {
            "try again; if it persists, S saves under a new name"
        }
        ops::Error::Export(crate::export::ExportError::NotDecided { .. }) => {
            "record the decision (d) first"
        }
        ops::Error::CannotSign { .. } => "open the file with your ed25519 member key to sign",
        _ => return error.to_string(),
    };
    format!("{error} ({hint})")
}

/// Carries effects out against one case file, as the member whose key opened it.
pub struct Runner<'a> {
    /// The member's key; `None` while locked.
    identity: Option<Identity>,
    /// The recipient of the key that opened the file: only that key unlocks it.
    opener: String,
    /// How to load the key again when unlocking.
    reload: Reload<'a>,
}

impl<'a> Runner<'a> {
    /// A runner for the member holding `identity`; `reload` loads the key again to unlock.
    pub fn new(identity: Identity, reload: Reload<'a>) -> Runner<'a> {
        Runner {
            opener: identity.recipient().to_string(),
            identity: Some(identity),
            reload,
        }
    }

    /// Whether the screen is locked: the file encrypted in memory and the key dropped (only
    /// unlocking is carried out).
    pub fn is_screen_locked(&self) -> bool {
        self.identity.is_none()
    }

    /// Carry out `effect`, let the model apply the result, and carry out whatever it asks for
    /// next, until nothing is left to do.
    pub fn run(&mut self, app: &mut App, file: &mut OpenFile, effect: Effect) {
        let mut next = Some(effect);
        let mut changed = false;
        let mut refreshed = false;
        while let Some(effect) = next.take() {
            changed |= effect.changes_file();
            refreshed = matches!(effect, Effect::Refresh);
            next = self
                .carry_out(app, file, effect)
                .and_then(|outcome| app.update(outcome));
        }
        // A save under a new name makes the demo's copy writable.
        app.read_only = file.check_writable().is_err();
        // After a change, a save, a merge or a drop, the queue counts (needs-attention among
        // them) are computed again, wherever the member is.
        if changed && !refreshed && !self.is_screen_locked() && !app.quit {
            let outcome = refresh(app, file).unwrap_or_else(|e| Outcome::Failed(explain(&e)));
            if let Some(effect) = app.update(outcome) {
                self.run(app, file, effect);
            }
        }
    }

    /// Carry out `effect` against the file; `None` when there is nothing to report (locked).
    pub fn carry_out(&mut self, app: &App, file: &mut OpenFile, effect: Effect) -> Option<Outcome> {
        let effect = match effect {
            Effect::UnlockScreen(typed) => return self.unlock_screen(file, typed),
            Effect::LockScreen { idle_secs, draft } => {
                return self.lock_screen(file, idle_secs, draft, &app.export_dir);
            }
            effect => effect,
        };
        let identity = self.identity.as_ref()?;
        let result = match effect {
            Effect::Refresh => refresh(app, file),
            Effect::OpenCase(code) => show_case(file, &code, Shown::Fresh),
            Effect::ReloadCase(code) => show_case(file, &code, Shown::Again),
            Effect::OpenCaseAt(code, event) => show_case(file, &code, Shown::At(event)),
            Effect::AddNote { code, body } => {
                let note = CaseChange::Note {
                    kind: NoteKind::General,
                    body,
                    amends: None,
                };
                change_case(file, &code, note)
            }
            Effect::ChangeStatus { code, to } => change_case(file, &code, CaseChange::Status(to)),
            Effect::Save => save(file, identity, &app.export_dir),
            Effect::SaveAs(path) => file.save_as(&path, identity).map(|r| Outcome::Saved {
                path: r.path,
                renamed: Some(file.label()),
                merged: None,
                displaced: Vec::new(),
            }),
            Effect::FindCopies => {
                if file.check_writable().is_err() {
                    return None;
                }
                let copies =
                    crate::ops::vault::conflict_copies(std::path::Path::new(&file.label()));
                if copies.is_empty() {
                    return None;
                }
                Ok(Outcome::CopiesFound(copies))
            }
            Effect::MergeCopies => merge_copies(file, identity, &app.export_dir),
            Effect::ListUnsaved => unsaved(file).map(Outcome::Unsaved),
            Effect::DropUnsaved(event) => drop_unsaved(app, file, event),
            Effect::SaveAndQuit => file
                .save(identity, &app.export_dir, Vec::new())
                .and_then(|saved| saved.expunged)
                .map(|_| Outcome::SavedToQuit),
            Effect::Search(query) => search(file, query),
            Effect::Submit(request) => submit(app, file, identity, request),
            Effect::PreviewMember(new) => {
                ops::members::read_key(&new.key).map(|key| Outcome::MemberPreview {
                    fingerprint: vault::fingerprint(key.as_str()),
                    new,
                })
            }
            Effect::ReadAttachment { sha256, name } => match app.open_case() {
                Some(code) => {
                    ops::cases::attachment(file, code, &sha256).map(|bytes| Outcome::Attachment {
                        name,
                        text: String::from_utf8_lossy(&bytes).into_owned(),
                    })
                }
                None => return None,
            },
            Effect::ShowRoster => roster(file),
            Effect::Rekey => {
                let finish = finish_in(&app.export_dir);
                ops::members::rekey(file, identity, finish).and_then(|saved| {
                    Ok(Outcome::Rekeyed {
                        recipients: saved.report.recipients,
                        notes: after_save(file, &saved.report, saved.expunged)?,
                    })
                })
            }
            Effect::CheckDisk => Ok(Outcome::DiskChecked(file.changed_on_disk())),
            Effect::CheckClock => ops::notices::clock_behind(file, chrono::Utc::now())
                .map(|behind| {
                    Outcome::ClockChecked(behind.map(|b| ops::notices::span(b.by_how_much)))
                })
                .map_err(ops::Error::from),
            Effect::UnlockScreen(_) | Effect::LockScreen { .. } => return None,
        };
        Some(result.unwrap_or_else(|error| Outcome::Failed(explain(&error))))
    }

    /// Idle: save unsaved changes if the file allows it, then encrypt everything (and the
    /// note being written) in memory and drop the key. If that fails, stay unlocked (the model
    /// says why) rather than lose anything.
    fn lock_screen(
        &mut self,
        file: &mut OpenFile,
        idle_secs: Option<u64>,
        draft: Option<Zeroizing<String>>,
        export_dir: &std::path::Path,
    ) -> Option<Outcome> {
        let identity = self.identity.as_ref()?;
        // The vault refuses to save over the demo or a file changed on disk; then the changes
        // stay, encrypted with the rest.
        // An expunge that takes effect at this save is applied by it (the lock screen does not
        // list what casebook cannot reach; `casebook expunge` and a save from the interface do).
        let saved = file.is_dirty().then(|| {
            file.save(identity, export_dir, Vec::new())
                .and_then(|saved| saved.expunged)
                .map(|_| ())
                .map_err(|e| e.to_string())
        });
        let locked = file
            .lock_screen(identity, draft.as_deref().map(String::as_str))
            .map_err(|e| e.to_string());
        if locked.is_ok() {
            self.identity = None;
        }
        Some(Outcome::ScreenLocked {
            idle_secs,
            saved,
            locked,
        })
    }

    /// Load the key again (with the typed passphrase if it asks for one) and unlock the screen.
    fn unlock_screen(&mut self, file: &mut OpenFile, typed: Passphrase) -> Option<Outcome> {
        if !self.is_screen_locked() {
            return None;
        }
        Some(match unlock(file, &self.opener, self.reload, typed) {
            Ok((key, draft)) => {
                self.identity = Some(key);
                Outcome::ScreenUnlocked { draft }
            }
            Err(message) => Outcome::ScreenUnlockRefused(message),
        })
    }
}

fn unlock(
    file: &mut OpenFile,
    opener: &str,
    reload: Reload<'_>,
    typed: Passphrase,
) -> std::result::Result<(Identity, Option<String>), String> {
    let key = reload(PassphraseSource::Typed(typed.0)).map_err(|e| e.to_string())?;
    if key.recipient() != opener {
        return Err(format!(
            "{} is not the key that opened this file",
            key.label().display()
        ));
    }
    let draft = file.unlock_screen(&key).map_err(|e| e.to_string())?;
    Ok((key, draft.map(|d| d.as_str().to_owned())))
}

/// The queue counts and the cases of the queue the model shows, filtered and sorted as it asks.
fn refresh(app: &App, file: &mut OpenFile) -> Result<Outcome> {
    let roster = file.roster()?;
    let me = file.me()?.map(|m| m.id);
    let settings = file.settings();
    let view = View {
        me,
        roster: &roster,
        settings: &settings,
        now: Utc::now(),
    };
    let cases = file.cases()?;
    let (queues, rows) = app::snapshot(
        cases.values(),
        &view,
        app.current_queue(),
        &app.filter,
        app.sort,
    );
    let mut codes: Vec<String> = cases
        .values()
        .filter(|c| me.is_none_or(|me| c.conflict_of(me) != Some(ConflictKind::Hard)))
        .map(|c| c.code_name.clone())
        .collect();
    codes.sort();
    Ok(Outcome::Listed {
        queues,
        rows,
        choices: app::choices(cases.values(), &view),
        codes,
    })
}

fn search(file: &mut OpenFile, query: String) -> Result<Outcome> {
    let hits = ops::cases::search(file, &query, 30)?
        .into_iter()
        .map(|f| app::Hit {
            snippet: match f.matched {
                ops::cases::Matched::Entry => f.snippet,
                other => format!("{}: {}", other.describe(), f.snippet),
            },
            code: f.code_name,
            event: f.event,
        })
        .collect();
    Ok(Outcome::Found { query, hits })
}

/// Load a case with everything its screen shows.
fn show_case(file: &mut OpenFile, code: &str, shown: Shown) -> Result<Outcome> {
    let case = file.case_by_code(code)?;
    let timeline = file.timeline(case.id)?;
    let roster = file.roster()?;
    let mut elsewhere = Vec::with_capacity(case.parties.len());
    for party in &case.parties {
        let linked = match party.identity {
            Disclosure::Linked => ops::cases::linked_label(file, party),
            _ => None,
        };
        elsewhere.push((linked, ops::cases::other_cases(file, &case, party)?));
    }
    let mut data = app::case_data(case, timeline, &roster, &file.settings());
    data.elsewhere = elsewhere;
    data.me = file.me()?.map(|m| (m.id, m.role));
    Ok(Outcome::Case {
        data: Box::new(data),
        shown,
    })
}

fn roster(file: &mut OpenFile) -> Result<Outcome> {
    let roster = file.roster()?;
    let attention = file
        .committee_attention()?
        .into_iter()
        .map(|a| {
            let by = roster
                .get(a.by)
                .map_or_else(|| "a former member".to_string(), |m| m.name.clone());
            (a, by)
        })
        .collect();
    Ok(Outcome::Roster {
        members: app::roster_rows(file.summary()?.members),
        attention,
    })
}

/// What a save did besides writing the file, to tell the member: the changes it displaced,
/// and what applying an expunge that took effect at it did (or why it failed, the file saved).
fn after_save(
    file: &OpenFile,
    report: &ops::vault::SaveReport,
    expunged: std::result::Result<Vec<String>, ops::Error>,
) -> Result<Vec<String>> {
    let mut lines = ops::notices::displaced(report, &file.roster()?);
    match expunged {
        Ok(done) => lines.extend(done),
        Err(e) => lines.push(format!(
            "warning: saved, but applying the expunge here failed: {}",
            explain(&e)
        )),
    }
    Ok(lines)
}

/// How a roster change made from the interface finishes its save: the interface merges and
/// saves sync conflict copies at once, so none wait to be deleted.
fn finish_in(export_dir: &std::path::Path) -> ops::members::Finish<'_> {
    ops::members::Finish {
        export_dir,
        merged: Vec::new(),
    }
}

/// Save over the file; when it had changed on disk, the save merged that copy first: say
/// what came in, and how much more needs attention now.
fn save(file: &mut OpenFile, identity: &Identity, export_dir: &std::path::Path) -> Result<Outcome> {
    let before = ops::merge::attention(file)?.len();
    // An expunge that took effect at this save: casebook's leftovers, and what it cannot reach.
    let ops::Saved {
        report, expunged, ..
    } = file.save(identity, export_dir, Vec::new())?;
    let merged = match report.merged.as_ref().filter(|m| !m.is_empty()) {
        Some(merged) => Some(app::MergeNews {
            came_in: ops::merge::came_in(merged, &file.roster()?),
            new_attention: ops::merge::attention(file)?.len().saturating_sub(before),
        }),
        None => None,
    };
    Ok(Outcome::Saved {
        displaced: after_save(file, &report, expunged)?,
        path: report.path,
        renamed: None,
        merged,
    })
}

/// Merge the sync conflict copies beside the file and save, as the command line does when it
/// opens a file to change it; each merged copy is deleted only once the save succeeded.
fn merge_copies(
    file: &mut OpenFile,
    identity: &Identity,
    export_dir: &std::path::Path,
) -> Result<Outcome> {
    let mut before = ops::merge::attention(file)?.len();
    let (merged, refused) = ops::merge::merge_conflict_copies(file, identity, &[]);
    let roster = file.roster()?;
    let after = ops::merge::attention(file)?.len();
    let mut news = Vec::new();
    for copy in &merged {
        news.push(app::MergeNews {
            came_in: ops::merge::came_in(&copy.merged, &roster),
            // Counted over all copies, said once (on the first).
            new_attention: after.saturating_sub(before),
        });
        before = after;
    }
    // Deleted only once what they brought is saved; otherwise they stay where they are.
    let names: Vec<_> = merged.iter().map(|m| m.copy.clone()).collect();
    let (saved, done): (_, Vec<_>) = if merged.is_empty() {
        (None, Vec::new())
    } else {
        match file.save(identity, export_dir, merged) {
            Ok(saved) => {
                let done = saved
                    .copies
                    .into_iter()
                    .zip(news)
                    .map(|(done, news)| (done.copy, done.deleted.map_err(|e| explain(&e)), news))
                    .collect();
                let path = saved.report.path;
                let outcome = match saved.expunged {
                    Ok(_) => Ok(path),
                    Err(e) => Err(format!(
                        "saved {}, but applying the expunge here failed: {}",
                        path.display(),
                        explain(&e)
                    )),
                };
                (Some(outcome), done)
            }
            Err(e) => {
                let done = names
                    .into_iter()
                    .zip(news)
                    .map(|(copy, news)| {
                        let why = "kept where it is until the merge is saved".to_string();
                        (copy, Err(why), news)
                    })
                    .collect();
                (Some(Err(explain(&e))), done)
            }
        }
    };
    Ok(Outcome::CopiesMerged {
        merged: done,
        refused: refused
            .into_iter()
            .map(|(copy, why)| (copy, explain(&why)))
            .collect(),
        saved,
    })
}

/// The changes recorded and not saved yet, in the words of [`describe`].
fn unsaved(file: &mut OpenFile) -> Result<Vec<app::PendingChange>> {
    let roster = file.roster()?;
    let name = |id| {
        roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let codes: std::collections::BTreeMap<_, _> = file
        .cases()?
        .values()
        .map(|c| (c.id, c.code_name.clone()))
        .collect();
    let unsaved = file.unsaved_events()?;
    Ok(unsaved
        .into_iter()
        .map(|e| {
            let case = e.case.and_then(|id| codes.get(&id).cloned());
            let place = case.clone().unwrap_or_else(|| "the committee".into());
            let what = if e.amends.is_some() {
                "correction".to_string()
            } else {
                describe::headline(&e.kind, &name)
            };
            app::PendingChange {
                event: e.id,
                seals: file.seals_its_case(&e),
                case,
                said: format!("{place}: {what}"),
            }
        })
        .collect())
}

/// Drop an unsaved change (with its later changes on the same case); what is left.
fn drop_unsaved(app: &App, file: &mut OpenFile, event: uuid::Uuid) -> Result<Outcome> {
    let before = unsaved(file)?;
    let dropped = file.drop_unsaved(event)?;
    let dropped: Vec<String> = dropped
        .iter()
        .filter_map(|d| before.iter().find(|b| b.event == d.id))
        .map(|b| b.said.clone())
        .collect();
    let case_gone = match app.open_case() {
        Some(code) => file.case_by_code(code).is_err(),
        None => false,
    };
    Ok(Outcome::Dropped {
        dropped,
        left: unsaved(file)?,
        case_gone,
    })
}

/// A word for a shell: as it is when it is safe, else in single quotes.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Lines of a shell command, broken between words to fit `width` columns, each continued
/// line ending in ` \` so that the lines pasted into a shell are one command.
pub fn shell_lines(words: &[String], width: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in words {
        let line = lines.last_mut().map(|l| l.len()).unwrap_or(0);
        if line > 0 && line + 1 + word.chars().count() + 2 > width {
            if let Some(last) = lines.last_mut() {
                last.push_str(" \\");
            }
            lines.push(format!("  {word}"));
        } else if let Some(last) = lines.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines.join("\n")
}

/// How to check a signature with stock OpenSSH, as lines to paste into a shell: the signers
/// file from the case file (with the key that opened it), then `ssh-keygen -Y verify`.
fn verify_lines(file: &OpenFile, identity: &Identity, written: &ops::export::Written) -> String {
    let absolute = |p: &std::path::Path| {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .display()
            .to_string()
    };
    if written.encrypted {
        return "The record and its signature are encrypted: decrypt both with age -d, then \
                check the signature with ssh-keygen -Y verify (see the README)."
            .into();
    }
    let case_file = std::path::Path::new(&file.label()).to_path_buf();
    if !case_file.is_file() {
        return "(this file is not saved anywhere yet: save it with S, then `casebook member \
                list FILE --allowed-signers` gives the signers to verify against)"
            .into();
    }
    let dir = written
        .path
        .parent()
        .map(absolute)
        .unwrap_or_else(|| ".".into());
    let signers = format!("{dir}/allowed_signers");
    let words: Vec<String> = [
        "casebook".to_string(),
        "-i".into(),
        shell_word(&absolute(identity.label())),
        "member".into(),
        "list".into(),
        shell_word(&absolute(&case_file)),
        "--allowed-signers".into(),
        ">".into(),
        shell_word(&signers),
        "&&".into(),
        "ssh-keygen".into(),
        "-Y".into(),
        "verify".into(),
        "-f".into(),
        shell_word(&signers),
        "-I".into(),
        shell_word(&written.principal),
        "-n".into(),
        crate::export::signature::NAMESPACE.into(),
        "-s".into(),
        shell_word(&absolute(&written.sig_file)),
        "<".into(),
        shell_word(&absolute(&written.path)),
    ]
    .to_vec();
    shell_lines(&words, 74)
}

/// Carry out what a submitted form asks for.
fn submit(
    app: &App,
    file: &mut OpenFile,
    identity: &Identity,
    request: Request,
) -> Result<Outcome> {
    match request {
        Request::Change { code, change } => change_case(file, &code, change),
        Request::Open(case) => ops::cases::open(file, case).map(Outcome::Opened),
        Request::Import { paths, map } => {
            let me = file.acting_member()?;
            let map = map.into_iter().collect();
            let reports = ops::import::read_reports(&paths, &map, app.date_order)?;
            // A report that names a member is sealed from them from the start (the interface
            // says so; readers can give them access): it never reaches them by default.
            let imported = ops::import::open_reports(
                file,
                &me,
                &reports,
                &ops::import::Keep::sealing(Vec::new()),
            )?;
            // Which column of each form export went where, once per file.
            let mut columns: Vec<String> = Vec::new();
            let mut explained: Vec<&std::path::PathBuf> = Vec::new();
            for opened in &imported.opened {
                if opened.columns.is_empty() || explained.contains(&&opened.path) {
                    continue;
                }
                explained.push(&opened.path);
                columns.push(format!("columns of {}:", opened.path.display()));
                for (header, field) in &opened.columns {
                    columns.push(match field {
                        Some(field) => format!("  {header:?} -> {field}"),
                        None => format!("  {header:?} -> kept in the report text"),
                    });
                }
            }
            for opened in &imported.opened {
                for reading in &opened.readings {
                    columns.push(format!("{}: {reading}", opened.code));
                }
                if !opened.sealed_from.is_empty() {
                    columns.push(format!(
                        "{}: sealed from {} (named in the report); two other readers can give \
                         them access",
                        opened.code,
                        opened.sealed_from.join(", ")
                    ));
                }
            }
            Ok(Outcome::Imported {
                codes: imported.opened.into_iter().map(|o| o.code).collect(),
                skipped: imported
                    .skipped
                    .into_iter()
                    .map(|s| format!("{} (already imported as {})", s.title, s.code))
                    .collect(),
                columns,
            })
        }
        Request::Resolve {
            code,
            items,
            note,
            keep,
        } => {
            let resolved =
                ops::merge::resolve(file, code.as_deref(), &items, &note, keep.as_deref())?;
            Ok(Outcome::Resolved {
                code,
                count: resolved.len(),
            })
        }
        Request::Export(request) => {
            if let Some(dir) = request
                .output
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                ops::cases::private_dir(dir)?;
            }
            let written = ops::export::write_record(file, identity, &request)?;
            let exposure = (!written.encrypted)
                .then(|| ops::export::exposure(&written.path))
                .flatten()
                .map(|e| e.to_string());
            Ok(Outcome::Exported {
                exposure,
                verify: verify_lines(file, identity, &written),
                signature: written.sig_file,
                output: request.output,
                profile: request.profile,
            })
        }
        Request::Report(request) => {
            if let Some(dir) = request
                .output
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                ops::cases::private_dir(dir)?;
            }
            let written = ops::export::write_report(file, identity, &request)?;
            Ok(Outcome::Reported {
                verify: verify_lines(file, identity, &written),
                signature: written.sig_file,
                received: written.received,
                output: request.output,
                from: request.from,
                to: request.to,
            })
        }
        Request::AddMember(new) => {
            let added = ops::members::add(file, identity, &new, finish_in(&app.export_dir))?;
            Ok(Outcome::MemberAdded {
                name: new.name,
                fingerprint: added.fingerprint,
                recipients: added.saved.report.recipients,
                notes: after_save(file, &added.saved.report, added.saved.expunged)?,
            })
        }
        Request::OpenContact { code, number } => {
            let details = ops::cases::open_contact(file, identity, &code, number)?;
            Ok(Outcome::ContactOpened {
                code,
                number,
                details,
            })
        }
        Request::SaveAttachment { sha256, path } => {
            let code = app.open_case().unwrap_or_default().to_string();
            ops::cases::save_attachment(file, &code, &sha256, &path)?;
            Ok(Outcome::AttachmentSaved(path))
        }
        Request::RemoveMember { name, reason } => {
            let finish = finish_in(&app.export_dir);
            let removed = ops::members::remove(file, identity, &name, reason, false, finish)?;
            Ok(Outcome::MemberRemoved {
                name,
                recipients: removed.saved.report.recipients,
                unassigned: removed.unassigned,
                notes: after_save(file, &removed.saved.report, removed.saved.expunged)?,
            })
        }
    }
}

/// Apply `change` to a case as the member who opened the file, record the events it makes
/// (not yet saved), and say what was recorded in the words of [`describe`].
fn change_case(file: &mut OpenFile, code: &str, change: CaseChange) -> Result<Outcome> {
    // A hard conflict: the member may no longer see the case.
    let hides = matches!(
        change,
        CaseChange::Conflict {
            kind: ConflictKind::Hard,
            ..
        }
    );
    let changed = ops::cases::change(file, code, change)?;
    let roster = file.roster()?;
    let name = |id| {
        roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let said = if changed.events.iter().any(|e| e.amends.is_some()) {
        "correction recorded".to_string()
    } else {
        let said: Vec<String> = changed
            .events
            .iter()
            .map(|e| describe::headline(&e.kind, &name))
            .collect();
        said.join("; ")
    };
    // A party added who looks like a committee member: the case may be sealed from them
    // (asked, not done; not when it looks like the member adding them).
    let me = file.me()?.map(|m| m.id);
    let linked = match changed.events.iter().find_map(|e| match &e.kind {
        EventKind::PartyAdded { party } => Some(party),
        _ => None,
    }) {
        // The reported party is kept out in the same change; another role waits for a second
        // reader's approval.
        Some(party)
            if party.role != crate::core::party::PartyRole::Reported
                && !changed.linked.is_empty()
                && !changed.linked.iter().any(|m| Some(m.id) == me) =>
        {
            Some(app::Linked {
                party: party.label(),
                members: changed.linked.iter().map(|m| m.name.clone()).collect(),
            })
        }
        _ => None,
    };
    Ok(Outcome::Changed {
        code: code.to_string(),
        said,
        hides,
        linked,
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_merge;
#[cfg(test)]
mod tests_sealed;

//! The effects runner: the one place where the interface touches the vault, through the
//! operations in [`crate::ops`] (the same ones the command line uses). Each effect's result
//! goes back to the model through its setters.

use chrono::Utc;

use super::app::{self, App, Effect};
use super::request::Request;
use crate::core::case::Status;
use crate::core::describe;
use crate::core::event::{ConflictKind, NoteKind};
use crate::core::party::Identity as PartyIdentity;
use crate::core::process::RuleError;
use crate::core::queue::View;
use crate::core::sanitize::inline;
use crate::ops::{self, cases::CaseChange};
use crate::vault::{self, CaseFile, Identity};

/// Why an effect could not be carried out.
#[derive(Debug)]
enum Refused {
    /// The operation refused.
    Ops(ops::Error),
}

impl From<ops::Error> for Refused {
    fn from(e: ops::Error) -> Self {
        Refused::Ops(e)
    }
}

impl From<vault::Error> for Refused {
    fn from(e: vault::Error) -> Self {
        Refused::Ops(ops::Error::Vault(e))
    }
}

impl From<RuleError> for Refused {
    fn from(e: RuleError) -> Self {
        Refused::Ops(ops::Error::Rule(e))
    }
}

type Result<T> = std::result::Result<T, Refused>;

/// Say what went wrong in the status bar or the form, in the interface's words: what to do
/// is said in keys, never in command-line flags.
fn explain(refused: &Refused) -> String {
    let Refused::Ops(error) = refused;
    let hint = match error {
        ops::Error::Vault(vault::Error::ReadOnly { .. }) => {
            return "this file is read-only (the demo?): S saves it under a new name".into();
        }
        ops::Error::Vault(vault::Error::ChangedOnDisk { .. }) => {
            "another copy was synced over it: S saves your changes under a new name"
        }
        ops::Error::Vault(vault::Error::Exists { .. }) => "choose another file name",
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

/// Carry out `effect` against the vault and give the result to the model.
pub fn carry_out(app: &mut App, file: &mut CaseFile, identity: &Identity, effect: Effect) {
    let result = match effect {
        Effect::Refresh => refresh(app, file),
        Effect::OpenCase(code) => open_case(app, file, &code, false),
        Effect::OpenCaseAt(code, event) => {
            load_case(file, &code).map(|data| app.case_loaded_at(data, event))
        }
        Effect::AddNote { code, body } => add_note(app, file, &code, body),
        Effect::Save => file
            .save(identity)
            .map(|r| app.saved(format!("saved {}", r.path.display())))
            .map_err(Refused::from),
        Effect::SaveAs(path) => file
            .save_as(&path, identity)
            .map(|r| {
                app.label = file.label();
                app.saved(format!("saved as {}", r.path.display()));
            })
            .map_err(Refused::from),
        Effect::SaveAndQuit => file
            .save(identity)
            .map(|_| app.quit = true)
            .map_err(Refused::from),
        Effect::Search(query) => search(app, file, &query),
        Effect::ChangeStatus { code, to } => change_status(app, file, &code, to),
        Effect::Submit(request) => submit(app, file, identity, request),
        Effect::ShowRoster => show_roster(app, file),
        // Unlocking needs the key again: the event loop does it.
        Effect::Unlock(_) => Ok(()),
        Effect::Rekey => ops::members::rekey(file, identity)
            .map_err(Refused::from)
            .and_then(|r| {
                app.saved(format!(
                    "re-encrypted with a fresh file key to {} recipients (backup too)",
                    r.recipients
                ));
                show_roster(app, file)
            }),
    };
    if let Err(error) = result {
        app.failed(explain(&error));
    }
}

fn refresh(app: &mut App, file: &mut CaseFile) -> Result<()> {
    let roster = file.roster()?;
    let me = file.me()?.map(|m| m.id);
    let settings = file.settings();
    let view = View {
        me,
        roster: &roster,
        settings: &settings,
        now: Utc::now(),
    };
    let queue = app.current_queue();
    let cases = file.cases()?;
    let (counts, rows) = app::snapshot(cases.values(), &view, queue, &app.filter, app.sort);
    app.choices = app::choices(cases.values(), &view);
    app.loaded(counts, rows);
    Ok(())
}

fn search(app: &mut App, file: &mut CaseFile, query: &str) -> Result<()> {
    let found = ops::cases::search(file, query, 30)?
        .into_iter()
        .map(|f| app::Hit {
            code: f.code_name,
            snippet: f.snippet,
            event: Some(f.event),
        })
        .collect();
    app.found(query, found);
    Ok(())
}

/// Load a case with everything its screen shows.
fn load_case(file: &mut CaseFile, code: &str) -> Result<app::CaseData> {
    let case = file.case_by_code(code)?;
    let timeline = file.timeline(case.id)?;
    let roster = file.roster()?;
    let mut elsewhere = Vec::with_capacity(case.parties.len());
    for party in &case.parties {
        let linked = match party.identity {
            PartyIdentity::Linked => ops::cases::linked_label(file, party),
            _ => None,
        };
        elsewhere.push((linked, ops::cases::other_cases(file, &case, party)?));
    }
    let mut data = app::case_data(case, timeline, &roster, &file.settings());
    data.elsewhere = elsewhere;
    Ok(data)
}

fn open_case(app: &mut App, file: &mut CaseFile, code: &str, keep_scroll: bool) -> Result<()> {
    app.case_loaded(load_case(file, code)?, keep_scroll);
    Ok(())
}

fn show_roster(app: &mut App, file: &mut CaseFile) -> Result<()> {
    let rows = app::roster_rows(file.summary()?.members);
    app.roster_loaded(rows);
    Ok(())
}

fn change_status(app: &mut App, file: &mut CaseFile, code: &str, to: Status) -> Result<()> {
    change_case(app, file, code, CaseChange::Status(to))
}

fn add_note(app: &mut App, file: &mut CaseFile, code: &str, body: String) -> Result<()> {
    let note = CaseChange::Note {
        kind: NoteKind::General,
        body,
        amends: None,
    };
    change_case(app, file, code, note)
}

/// Carry out what a submitted form asks for.
fn submit(app: &mut App, file: &mut CaseFile, identity: &Identity, request: Request) -> Result<()> {
    match request {
        Request::Change { code, change } => {
            let hides = matches!(
                change,
                CaseChange::Conflict {
                    kind: ConflictKind::Hard,
                    ..
                }
            );
            change_case(app, file, &code, change)?;
            if hides {
                // The member may no longer see the case.
                app.screen = app::Screen::Queues;
                refresh(app, file)?;
            }
            Ok(())
        }
        Request::Open(case) => {
            let code = ops::cases::open(file, case)?;
            app.changed(format!("{code} opened"));
            open_case(app, file, &code, false)
        }
        Request::Import(paths) => {
            let me = ops::acting_member(file)?;
            let reports = ops::import::read_reports(&paths, &Default::default())?;
            let opened = ops::import::open_reports(file, &me, &reports)?;
            let codes: Vec<&str> = opened.iter().map(|o| o.code.as_str()).collect();
            app.changed(format!(
                "imported {} reports: {}",
                opened.len(),
                codes.join(", ")
            ));
            app.queue = app
                .queues
                .iter()
                .position(|(q, _)| *q == crate::core::queue::Queue::NeedsAcknowledgement)
                .unwrap_or(0);
            refresh(app, file)
        }
        Request::Export(request) => {
            let written = ops::export::write_record(file, identity, &request)?;
            let output = &request.output;
            app.show(
                "Exported",
                format!(
                    "Wrote {} and its signature {} (plaintext: share them only with the \
                     {} audience).\n\nAnyone can check the signature with stock OpenSSH:\n\n{}",
                    output.display(),
                    written.sig_file.display(),
                    request.profile.as_str(),
                    written.verify_command(&file.label())
                ),
                format!("exported {}", output.display()),
            );
            Ok(())
        }
        Request::Report(request) => {
            let written = ops::export::write_report(file, identity, &request)?;
            let (output, from, to) = (&request.output, request.from, request.to);
            app.show(
                "Transparency report",
                format!(
                    "Wrote {} and its signature {} (plaintext, meant for the public): {} cases \
                     received from {from} to {to}, {} in the previous period of the same length.\n\n\
                     Verify: {}",
                    output.display(),
                    written.sig_file.display(),
                    written.received.0,
                    written.received.1,
                    written.verify_command(&file.label())
                ),
                format!("wrote {}", output.display()),
            );
            Ok(())
        }
        Request::AddMember(new) => {
            let added = ops::members::add(file, identity, &new)?;
            app.saved(format!(
                "added {} ({}); the file is now encrypted to {} recipients",
                inline(&new.name),
                added.fingerprint,
                added.saved.recipients
            ));
            show_roster(app, file)
        }
        Request::RemoveMember { name, reason } => {
            let report = ops::members::remove(file, identity, &name, reason, false)?;
            app.saved(format!(
                "removed {}; the file and its backup are encrypted to the {} remaining recipients only",
                inline(&name),
                report.recipients
            ));
            show_roster(app, file)
        }
    }
}

/// Apply `change` to a case as the member who opened the file, record the events it makes
/// (not yet saved), say what was recorded in the words of [`describe`], and show the case
/// again.
fn change_case(app: &mut App, file: &mut CaseFile, code: &str, change: CaseChange) -> Result<()> {
    let changed = ops::cases::change(file, code, change)?;
    let roster = file.roster()?;
    let name = |id| {
        roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let said: Vec<String> = changed
        .events
        .iter()
        .map(|e| describe::headline(&e.kind, &name))
        .collect();
    let what = if changed.events.iter().any(|e| e.amends.is_some()) {
        "correction recorded".to_string()
    } else {
        said.join("; ")
    };
    app.changed(format!("{code}: {what} (not saved yet: Ctrl-S)"));
    if matches!(app.screen, app::Screen::Case { .. }) {
        open_case(app, file, code, true)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::core::event::EventKind;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::core::case::Status;
    use crate::tui::app::{Overlay, Screen};

    /// The demo file, saved to a temporary directory so that saves work, and the interface on it.
    fn setup() -> (tempfile::TempDir, CaseFile, Identity, App) {
        let dir = tempfile::tempdir().unwrap();
        let (mut file, identity) = vault::demo::open().unwrap();
        file.save_as(&dir.path().join("c.cases.age"), &identity)
            .unwrap();
        let me = file.me().unwrap().map(|m| m.name);
        let mut app = App::new(file.label(), me);
        carry_out(&mut app, &mut file, &identity, Effect::Refresh);
        (dir, file, identity, app)
    }

    fn press(app: &mut App, file: &mut CaseFile, identity: &Identity, keys: &[KeyCode]) {
        for code in keys {
            if let Some(effect) = app.on_key(KeyEvent::new(*code, KeyModifiers::NONE)) {
                carry_out(app, file, identity, effect);
            }
        }
    }

    fn typing(text: &str) -> Vec<KeyCode> {
        text.chars().map(KeyCode::Char).collect()
    }

    /// A case of the demo in `status` that the chair may work on.
    fn case_in(file: &mut CaseFile, status: Status) -> String {
        file.cases()
            .unwrap()
            .values()
            .find(|c| c.status == status && c.conflicts.is_empty() && c.decision.is_none())
            .map(|c| c.code_name.clone())
            .unwrap()
    }

    #[test]
    fn a_vote_and_a_decision_are_recorded_through_their_forms() {
        let (_dir, mut file, identity, mut app) = setup();
        let code = case_in(&mut file, Status::Deliberating);
        carry_out(
            &mut app,
            &mut file,
            &identity,
            Effect::OpenCase(code.clone()),
        );
        // Vote for the second outcome of the ladder.
        press(&mut app, &mut file, &identity, &[KeyCode::Char('v')]);
        assert!(matches!(app.overlay, Some(Overlay::Form(_))));
        press(
            &mut app,
            &mut file,
            &identity,
            &[KeyCode::Char('w'), KeyCode::Enter],
        );
        assert!(app.overlay.is_none(), "the form closes: {}", app.status);
        assert!(app.dirty);
        let case = file.case_by_code(&code).unwrap();
        let proposal = case.proposal.as_ref().unwrap();
        assert_eq!(proposal.outcome, "warning");
        // Without the quorum, a decision with no override reason is refused and the form says so.
        press(&mut app, &mut file, &identity, &[KeyCode::Char('d')]);
        let mut keys = vec![KeyCode::Tab];
        keys.extend(typing("Repeated after a warning."));
        keys.push(KeyCode::Tab);
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        let Some(Overlay::Form(form)) = &app.overlay else {
            panic!("the refused form stays open")
        };
        assert!(
            form.error
                .as_deref()
                .unwrap_or_default()
                .contains("does not meet"),
            "{:?}",
            form.error
        );
        // The chair overrides, with a reason.
        let mut keys = typing("Two members are away; the chair decides.");
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        assert!(app.overlay.is_none(), "{}", app.status);
        let case = file.case_by_code(&code).unwrap();
        let decision = case.decision.as_ref().unwrap();
        assert_eq!(decision.outcome, "warning");
        assert_eq!(case.status, Status::Decided);
        let Screen::Case { data, .. } = &app.screen else {
            panic!("still on the case")
        };
        assert!(
            data.timeline
                .iter()
                .any(|e| matches!(&e.kind, EventKind::DecisionRecorded { override_reason: Some(r), .. } if r.contains("away")))
        );
    }

    #[test]
    fn assign_party_message_and_emergency_forms_record_events() {
        let (_dir, mut file, identity, mut app) = setup();
        let code = case_in(&mut file, Status::Investigating);
        carry_out(
            &mut app,
            &mut file,
            &identity,
            Effect::OpenCase(code.clone()),
        );
        let id = file.case_by_code(&code).unwrap().id;
        let before = file.timeline(id).unwrap().len();
        // Assign the second active member.
        press(
            &mut app,
            &mut file,
            &identity,
            &[KeyCode::Char('a'), KeyCode::Right, KeyCode::Enter],
        );
        // A named witness.
        let mut keys = vec![
            KeyCode::Char('p'),
            KeyCode::Char('w'),
            KeyCode::Tab,
            KeyCode::Tab,
        ];
        keys.extend(typing("Canary Witness"));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        // A message to the reporter.
        let mut keys = vec![KeyCode::Char('m'), KeyCode::Tab];
        keys.extend(typing("told them we are looking into it"));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        // An emergency action.
        let mut keys = vec![KeyCode::Char('!')];
        keys.extend(typing("muted in chat for 48 hours"));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        let case = file.case_by_code(&code).unwrap();
        let timeline = file.timeline(case.id).unwrap();
        assert_eq!(timeline.len(), before + 4, "{}", app.status);
        assert!(
            case.parties
                .iter()
                .any(|p| p.label().contains("Canary Witness"))
        );
        assert_eq!(case.unreviewed_emergencies().count(), 1);
        // The member who recorded it cannot review it.
        let mut keys = vec![KeyCode::Char('r')];
        keys.extend(typing("fine"));
        keys.push(KeyCode::Char('d'));
        press(&mut app, &mut file, &identity, &keys);
        if let Some(effect) = app.on_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)) {
            carry_out(&mut app, &mut file, &identity, effect);
        }
        assert!(app.status.contains("review"), "{}", app.status);
    }

    #[test]
    fn a_party_can_be_the_same_person_as_in_another_case() {
        let (_dir, mut file, identity, mut app) = setup();
        let (other, person) = file
            .cases()
            .unwrap()
            .values()
            .find(|c| c.parties.len() >= 2)
            .map(|c| (c.code_name.clone(), c.parties[1].person))
            .unwrap();
        let code = case_in(&mut file, Status::Investigating);
        assert_ne!(code, other);
        carry_out(
            &mut app,
            &mut file,
            &identity,
            Effect::OpenCase(code.clone()),
        );
        // Reported, "same person as", then the reference in its field.
        let mut keys = vec![KeyCode::Char('p'), KeyCode::Tab, KeyCode::Char('s')];
        keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
        keys.extend(typing(&format!("{other}:2")));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        assert!(app.overlay.is_none(), "{}", app.status);
        let case = file.case_by_code(&code).unwrap();
        assert_eq!(case.parties.last().unwrap().person, person);
        let Screen::Case { data, .. } = &app.screen else {
            panic!("case")
        };
        let (_, also_in) = data.elsewhere.last().unwrap();
        assert!(also_in.iter().any(|c| c.starts_with(&other)), "{also_in:?}");
        // A reference to nothing is refused in the form.
        let mut keys = vec![KeyCode::Char('p'), KeyCode::Tab, KeyCode::Char('s')];
        keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
        keys.extend(typing(&format!("{other}:99")));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        let Some(Overlay::Form(form)) = &app.overlay else {
            panic!("the form stays open")
        };
        assert!(
            form.error
                .as_deref()
                .unwrap_or_default()
                .contains("has no party 99"),
            "{:?}",
            form.error
        );
    }

    #[test]
    fn a_correction_amends_the_chosen_entry() {
        let (_dir, mut file, identity, mut app) = setup();
        let code = case_in(&mut file, Status::Investigating);
        carry_out(
            &mut app,
            &mut file,
            &identity,
            Effect::OpenCase(code.clone()),
        );
        carry_out(
            &mut app,
            &mut file,
            &identity,
            Effect::AddNote {
                code: code.clone(),
                body: "Met the reporter on Tuesday.".into(),
            },
        );
        let id = file.case_by_code(&code).unwrap().id;
        let note = file.timeline(id).unwrap().last().unwrap().id;
        let mut keys = vec![KeyCode::Char('A'), KeyCode::Tab];
        keys.extend(typing("It was Wednesday."));
        press(&mut app, &mut file, &identity, &keys);
        if let Some(effect) = app.on_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)) {
            carry_out(&mut app, &mut file, &identity, effect);
        }
        let last = file.timeline(id).unwrap().last().unwrap().clone();
        assert_eq!(last.amends, Some(note), "{}", app.status);
        assert!(
            matches!(&last.kind, EventKind::NoteAdded { body, .. } if body == "It was Wednesday.")
        );
        // Shown right under what it amends.
        let Screen::Case { data, .. } = &app.screen else {
            panic!("case")
        };
        let (rows, _) = crate::tui::view::case_rows(data, None, app.theme, 100);
        let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        let at = text
            .iter()
            .position(|l| l.contains("Met the reporter"))
            .unwrap();
        assert!(text[at + 1].contains("amends the entry above"), "{text:#?}");
    }

    #[test]
    fn a_new_case_and_the_roster_changes_save_at_once() {
        let (dir, mut file, identity, mut app) = setup();
        let mut keys = vec![KeyCode::Char('N')];
        keys.extend(typing("Spam in the forum"));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        let Screen::Case { data, .. } = &app.screen else {
            panic!("the new case opens: {}", app.status)
        };
        assert_eq!(data.case.title, "Spam in the forum");
        // Add a member with a fresh age key; the file is saved at once.
        press(&mut app, &mut file, &identity, &[KeyCode::Char('M')]);
        let new_key = age::x25519::Identity::generate().to_public().to_string();
        let mut keys = vec![KeyCode::Char('a')];
        keys.extend(typing("Ana Newcomer"));
        keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
        keys.extend(typing(&new_key));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        assert!(!app.dirty, "saved with the roster change: {}", app.status);
        let Screen::Roster { members, .. } = &app.screen else {
            panic!("roster")
        };
        assert!(members.iter().any(|m| m.name == "Ana Newcomer" && m.active));
        // Remove her again: a confirmation that states the limit, then the save.
        let index = members
            .iter()
            .position(|m| m.name == "Ana Newcomer")
            .unwrap();
        let mut keys = vec![KeyCode::Down; index];
        keys.push(KeyCode::Char('x'));
        press(&mut app, &mut file, &identity, &keys);
        let Some(Overlay::Form(form)) = &app.overlay else {
            panic!("removal asks first")
        };
        assert!(
            form.notes
                .iter()
                .any(|n| n.contains("future versions only"))
        );
        press(&mut app, &mut file, &identity, &[KeyCode::Enter]);
        let Screen::Roster { members, .. } = &app.screen else {
            panic!("roster")
        };
        assert!(
            members
                .iter()
                .any(|m| m.name == "Ana Newcomer" && !m.active)
        );
        assert!(app.status.contains("removed"), "{}", app.status);
        // The new case survived in the saved file.
        let reopened = CaseFile::open(
            &dir.path().join("c.cases.age"),
            &identity,
            vault::OpenMode::ReadOnly,
        )
        .unwrap();
        let mut reopened = reopened;
        assert!(
            reopened
                .cases()
                .unwrap()
                .values()
                .any(|c| c.title == "Spam in the forum")
        );
    }

    #[test]
    fn exports_ask_before_writing_plaintext() {
        let (dir, mut file, identity, mut app) = setup();
        let code = file
            .cases()
            .unwrap()
            .values()
            .find(|c| c.decision.is_some() && c.conflicts.is_empty())
            .map(|c| c.code_name.clone())
            .unwrap();
        carry_out(
            &mut app,
            &mut file,
            &identity,
            Effect::OpenCase(code.clone()),
        );
        let out = dir.path().join("record.md");
        let mut keys = vec![KeyCode::Char('e'), KeyCode::Tab, KeyCode::Tab];
        keys.extend(typing(&out.display().to_string()));
        keys.push(KeyCode::Enter);
        press(&mut app, &mut file, &identity, &keys);
        assert!(
            matches!(&app.overlay, Some(Overlay::Confirm { question, .. }) if question.contains("PLAINTEXT"))
        );
        press(&mut app, &mut file, &identity, &[KeyCode::Char('n')]);
        assert!(!out.exists(), "no means nothing written");
        press(&mut app, &mut file, &identity, &keys);
        press(&mut app, &mut file, &identity, &[KeyCode::Char('y')]);
        assert!(out.exists(), "{}", app.status);
        assert!(dir.path().join("record.md.sig").exists());
        assert!(
            matches!(&app.overlay, Some(Overlay::Message { text, .. }) if text.contains("ssh-keygen -Y verify")),
            "{}",
            app.status
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains(&code));
    }
}

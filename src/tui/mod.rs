//! The terminal interface: queues, cases and notes, for the member who opened the file.
//!
//! The Elm way: [`app::App`] is the model, key presses become [`action::Action`]s, `update`
//! changes the model and returns an [`app::Effect`]; [`run`] is the one place that carries
//! effects out against the vault and hands the results back; [`view::render`] draws the model
//! and nothing else.

pub mod action;
pub mod app;
pub mod form;
pub mod keymap;
pub mod request;
mod runner;
pub mod theme;
pub mod view;

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, KeyEventKind,
};

use crate::vault::{self, CaseFile, Identity, PassphraseSource};
use app::{App, Effect};
pub use runner::carry_out;

/// The interface's settings, from the config file.
#[derive(Clone, Debug)]
pub struct Options {
    /// Lock after this long without a key press (`None`: never).
    pub idle_lock: Option<Duration>,
    /// Colours.
    pub theme: theme::Theme,
    /// Key bindings.
    pub bindings: Vec<keymap::Binding>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            idle_lock: Some(Duration::from_secs(5 * 60)),
            theme: theme::Theme::default(),
            bindings: keymap::DEFAULT.to_vec(),
        }
    }
}

impl Options {
    /// The options the config file's settings ask for: a theme name, minutes before the
    /// idle lock (0 never locks), action names mapped to keys; `no_color` is whether
    /// `NO_COLOR` is set. The message says which setting is wrong.
    pub fn configured(
        theme: Option<&str>,
        idle_lock_minutes: Option<f64>,
        keys: &std::collections::BTreeMap<String, Vec<String>>,
        no_color: bool,
    ) -> Result<Options, String> {
        let theme_name = theme.unwrap_or("default");
        let theme = theme::Theme::named(theme_name, no_color).ok_or_else(|| {
            format!(
                "unknown theme {theme_name:?} (themes: {})",
                theme::NAMES.join(", ")
            )
        })?;
        let minutes = idle_lock_minutes.unwrap_or(5.0);
        if !(minutes.is_finite() && (0.0..=24.0 * 60.0).contains(&minutes)) {
            return Err(format!(
                "idle_lock_minutes = {minutes} is not between 0 (never lock) and 1440"
            ));
        }
        Ok(Options {
            idle_lock: (minutes > 0.0).then(|| Duration::from_secs_f64(minutes * 60.0)),
            theme,
            bindings: keymap::configure(keys)?,
        })
    }
}

/// How to load the member's key again when unlocking, given what was typed on the lock
/// screen (the passphrase, for a protected key).
pub type Reload<'a> = &'a dyn Fn(PassphraseSource) -> Result<Identity, vault::Error>;

/// How often the file on disk is checked for someone else's save.
const DISK_CHECK: Duration = Duration::from_secs(2);

/// Run the interface on an open case file until the member quits. The terminal is restored
/// afterwards, also after a panic (ratatui's hook, plus turning the mouse off).
pub fn run(
    file: &mut CaseFile,
    identity: Identity,
    reload: Reload<'_>,
    options: Options,
) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let result = crossterm::execute!(io::stdout(), EnableMouseCapture)
        .and_then(|()| event_loop(&mut terminal, file, identity, reload, options));
    let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    file: &mut CaseFile,
    identity: Identity,
    reload: Reload<'_>,
    options: Options,
) -> io::Result<()> {
    let me = file.me().ok().flatten().map(|m| m.name);
    let mut app = App::new(file.label(), me);
    app.theme = options.theme;
    app.bindings = options.bindings.clone();
    let opener = identity.recipient().to_string();
    carry_out(&mut app, file, &identity, Effect::Refresh);
    let mut identity = Some(identity);
    let mut last_input = Instant::now();
    let mut last_disk_check = Instant::now();
    while !app.quit {
        if let (Some(limit), Some(key)) = (options.idle_lock, identity.as_ref()) {
            let idle = last_input.elapsed();
            if idle >= limit {
                lock(&mut app, file, key, limit);
                if file.is_sealed() {
                    identity = None;
                }
            } else {
                let left = (limit - idle).as_secs() + 1;
                app.idle_left = (left <= 60).then_some(left);
            }
        }
        if identity.is_some() && last_disk_check.elapsed() >= DISK_CHECK {
            app.disk_changed = file.changed_on_disk();
            last_disk_check = Instant::now();
        }
        let size = terminal.size()?;
        app.page = size.height.saturating_sub(app::LIST_TOP as u16 + 2).max(1) as usize;
        // The case's inner area: the screen less the tabs, the status bar and the borders.
        app.prepare(size.width.saturating_sub(2), size.height.saturating_sub(4));
        terminal.draw(|frame| view::render(&app, frame))?;
        if !event::poll(Duration::from_millis(250))? {
            continue;
        }
        let effect = match event::read()? {
            TermEvent::Key(key) if key.kind == KeyEventKind::Press => {
                last_input = Instant::now();
                app.on_key(key)
            }
            TermEvent::Mouse(mouse) => {
                last_input = Instant::now();
                app.on_mouse(mouse)
            }
            _ => None,
        };
        match (effect, identity.as_ref()) {
            (Some(Effect::Unlock(typed)), _) => match unlock(file, &opener, reload, typed) {
                Ok((key, draft)) => {
                    identity = Some(key);
                    app.unlocked(draft);
                    last_input = Instant::now();
                    if let Some(key) = identity.as_ref() {
                        carry_out(&mut app, file, key, Effect::Refresh);
                    }
                }
                Err(message) => app.unlock_failed(message),
            },
            (Some(effect), Some(key)) => carry_out(&mut app, file, key, effect),
            _ => {}
        }
    }
    Ok(())
}

/// Idle for `limit`: save unsaved changes if the file allows it, then seal everything (and the
/// note being written) in memory and show the lock screen. If sealing fails, stay unlocked and
/// say why rather than lose anything.
fn lock(app: &mut App, file: &mut CaseFile, identity: &Identity, limit: Duration) {
    let minutes = limit.as_secs().div_ceil(60);
    let mut message = format!("Locked after {minutes} minutes without a key press.");
    // The vault refuses to save over the demo or a file changed on disk; then the changes
    // stay, sealed with the rest.
    if file.is_dirty() {
        match file.save(identity) {
            Ok(_) => {
                app.dirty = false;
                message.push_str(" Your changes were saved first.");
            }
            Err(why) => message.push_str(&format!(
                " Your changes were not saved ({why}): they are kept, encrypted, in memory."
            )),
        }
    }
    let draft = app.draft();
    match file.seal(identity, draft.as_deref()) {
        Ok(()) => app.lock(message),
        Err(e) => app.failed(format!("could not lock: {e}")),
    }
}

/// Load the key again (with the typed passphrase if it asks for one) and unseal the file.
fn unlock(
    file: &mut CaseFile,
    opener: &str,
    reload: Reload<'_>,
    typed: app::Passphrase,
) -> Result<(Identity, Option<String>), String> {
    let key = reload(PassphraseSource::Typed(typed.0)).map_err(|e| e.to_string())?;
    if key.recipient() != opener {
        return Err(format!(
            "{} is not the key that opened this file",
            key.label().display()
        ));
    }
    let draft = file.unseal(&key).map_err(|e| e.to_string())?;
    Ok((key, draft))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::event::{Event, EventKind, NoteKind};

    #[test]
    fn locking_saves_seals_and_unlocking_needs_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.cases.age");
        let (mut file, identity) = vault::demo::open().unwrap();
        file.save_as(&path, &identity).unwrap();
        let mut app = App::new(file.label(), None);
        carry_out(&mut app, &mut file, &identity, Effect::Refresh);
        let me = file.me().unwrap().unwrap();
        let case = file.cases().unwrap().values().next().unwrap().clone();
        file.record(&[Event {
            id: uuid::Uuid::new_v4(),
            case: Some(case.id),
            author: me.id,
            at: chrono::Utc::now(),
            amends: None,
            kind: EventKind::NoteAdded {
                body: "canary-unsaved-note".into(),
                note: NoteKind::General,
            },
        }])
        .unwrap();
        app.dirty = true;
        app.update(action::Action::Open);
        lock(&mut app, &mut file, &identity, Duration::from_secs(300));
        assert!(file.is_sealed());
        assert!(app.locked.is_some() && app.rows.is_empty());
        assert!(!app.dirty, "saved before locking");
        assert!(
            file.cases().unwrap().is_empty(),
            "nothing readable while locked"
        );
        assert!(
            !file
                .dump()
                .unwrap()
                .iter()
                .any(|row| row.contains("canary-unsaved-note")),
            "no case text in memory"
        );
        assert!(matches!(
            file.save(&identity),
            Err(vault::Error::Sealed { .. })
        ));
        // Another key does not unlock it.
        let other = dir.path().join("other");
        vault::keygen(&other, "other", None).unwrap();
        let wrong = |_: PassphraseSource| Identity::load(&other, &PassphraseSource::Terminal);
        let opener = identity.recipient().to_string();
        let refused = unlock(&mut file, &opener, &wrong, app::Passphrase::default());
        assert!(refused.unwrap_err().contains("not the key that opened"));
        assert!(file.is_sealed());
        let right = |_: PassphraseSource| vault::demo::identity();
        let (_, draft) = unlock(&mut file, &opener, &right, app::Passphrase::default()).unwrap();
        assert_eq!(draft, None);
        assert!(!file.is_sealed());
        let timeline = file.timeline(case.id).unwrap();
        assert!(timeline.iter().any(|e| matches!(&e.kind, EventKind::NoteAdded { body, .. } if body == "canary-unsaved-note")));
        // And the save before locking reached the disk.
        let mut reopened = CaseFile::open(&path, &identity, vault::OpenMode::ReadOnly).unwrap();
        let case_again = reopened.case_by_code(&case.code_name).unwrap();
        assert!(
            reopened
                .timeline(case_again.id)
                .unwrap()
                .iter()
                .any(|e| matches!(&e.kind, EventKind::NoteAdded { body, .. } if body == "canary-unsaved-note"))
        );
    }

    #[test]
    fn a_refused_save_keeps_changes_and_the_draft_sealed_in_memory() {
        // The demo cannot be saved over: the changes stay, encrypted, until unlocked.
        let (mut file, identity) = vault::demo::open().unwrap();
        let mut app = App::new(file.label(), None);
        carry_out(&mut app, &mut file, &identity, Effect::Refresh);
        let code = app.rows[0].code.clone();
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
                body: "kept across the lock".into(),
            },
        );
        assert!(app.dirty);
        app.update(action::Action::AddNote);
        if let Some(app::Overlay::Note(editor)) = &mut app.overlay {
            editor.insert_str("half-written draft");
        }
        lock(&mut app, &mut file, &identity, Duration::from_secs(60));
        assert!(file.is_sealed() && app.dirty);
        let message = &app.locked.as_ref().unwrap().message;
        assert!(message.contains("kept, encrypted, in memory"), "{message}");
        let right = |_: PassphraseSource| vault::demo::identity();
        let opener = identity.recipient().to_string();
        let (_, draft) = unlock(&mut file, &opener, &right, app::Passphrase::default()).unwrap();
        app.unlocked(draft);
        assert!(
            matches!(&app.overlay, Some(app::Overlay::Note(e)) if e.lines().join("") == "half-written draft")
        );
        let case = file.case_by_code(&code).unwrap();
        assert!(
            file.timeline(case.id)
                .unwrap()
                .iter()
                .any(|e| matches!(&e.kind, EventKind::NoteAdded { body, .. } if body == "kept across the lock"))
        );
    }
}

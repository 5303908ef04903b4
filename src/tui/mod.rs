//! The terminal interface: queues, cases and notes, for the member who opened the file.
//!
//! The Elm way: [`app::App`] is the model, key presses become [`action::Action`]s, `update`
//! changes the model and returns an [`app::Effect`]; the [`Runner`] is the one place that
//! carries effects out against the vault and hands the results back as [`app::Outcome`]s for
//! `update`; [`view::render`] draws the model and nothing else. [`run`] is the event loop: keys,
//! the idle clock and the disk check become messages and effects.

pub mod action;
pub mod app;
pub mod form;
pub mod keymap;
pub mod line;
pub mod progress;
pub mod request;
mod runner;
pub mod theme;
pub mod view;

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as TermEvent, KeyEventKind,
};

use crate::ops::OpenFile;
use crate::ops::vault::{self, Identity, PassphraseSource};
use app::{App, Effect, Msg};
pub use runner::Runner;

/// The interface's settings, from the config file.
#[derive(Clone, Debug)]
pub struct Options {
    /// Lock after this long without a key press (`None`: never).
    pub idle_lock: Option<Duration>,
    /// Colours.
    pub theme: theme::Theme,
    /// Key bindings.
    pub bindings: Vec<keymap::Binding>,
    /// Where exports (and saved attachments) go unless a path is typed: a private folder
    /// (created 0700), by default outside any synced folder the case file may sit in.
    pub export_dir: std::path::PathBuf,
    /// How the committee writes `A/B/YYYY` days, if set (`date_order`).
    pub date_order: Option<crate::core::dates::DateOrder>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            idle_lock: Some(Duration::from_secs(5 * 60)),
            theme: theme::Theme::default(),
            bindings: keymap::DEFAULT.to_vec(),
            export_dir: default_export_dir(),
            date_order: None,
        }
    }
}

/// The default folder for exports: `$XDG_DATA_HOME/casebook/exports` (private, and not the
/// folder the case file is synced in).
pub fn default_export_dir() -> std::path::PathBuf {
    directories::ProjectDirs::from("", "", "casebook")
        .map(|dirs| dirs.data_dir().join("exports"))
        .unwrap_or_else(|| std::env::temp_dir().join("casebook-exports"))
}

impl Options {
    /// The options the config file's settings ask for: a theme name, minutes before the
    /// screen lock (0 never locks), action names mapped to keys; `no_color` is whether
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
            export_dir: default_export_dir(),
            date_order: None,
        })
    }
}

/// How to load the member's key again when unlocking, given what was typed on the lock
/// screen (the passphrase, for a protected key).
pub type Reload<'a> = &'a dyn Fn(PassphraseSource) -> Result<Identity, vault::Error>;

/// How often the file on disk is checked for someone else's save.
const DISK_CHECK: Duration = Duration::from_secs(2);

/// How often the interface compares this laptop's clock with the file's newest change (a
/// merge or a save can bring a newer one; reading it costs a pass over the commits).
const CLOCK_CHECK: Duration = Duration::from_secs(60);

/// Run the interface on an open case file until the member quits. The terminal is restored
/// afterwards, also after a panic (ratatui's hook, plus turning the mouse off).
pub fn run(
    file: &mut OpenFile,
    identity: Identity,
    reload: Reload<'_>,
    options: Options,
) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        previous(info);
    }));
    // Bracketed paste: a paste arrives as text, never as key presses that run commands.
    let result = crossterm::execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste)
        .and_then(|()| event_loop(&mut terminal, file, identity, reload, options));
    let _ = crossterm::execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
    result
}

/// What opening established that the member must see first: a committee this laptop has
/// never opened (with its fingerprint to check), or a file from before signed history.
fn trust_notice(file: &OpenFile) -> Option<app::Outcome> {
    let trust = file.trust();
    let committee = match &trust.fingerprint {
        Some(fingerprint) if trust.first_open => Some(format!(
            "This laptop has not opened this committee before. Its fingerprint is\n\n  \
             {fingerprint}\n\nCheck it with your chair over another channel than the file \
             before you trust what it says."
        )),
        None => Some(
            "This file was written before casebook signed its history: nothing in it is \
             verified, and nothing can be recorded until a chair who trusts this copy runs \
             `casebook adopt FILE`."
                .to_string(),
        ),
        Some(_) => None,
    };
    let pins = trust
        .pins_repaired
        .as_ref()
        .map(|repair| format!("Warning: {}.", crate::ops::notices::pins_repaired(repair)));
    let clock = crate::ops::notices::clock_behind(file, chrono::Utc::now())
        .ok()
        .flatten()
        .map(|behind| {
            format!(
                "Warning: {}.",
                crate::ops::notices::clock_warning(&file.label(), &behind)
            )
        });
    let text = [pins, clock, committee]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then(|| app::Outcome::Notice {
        title: "Committee".into(),
        text,
    })
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    file: &mut OpenFile,
    identity: Identity,
    reload: Reload<'_>,
    options: Options,
) -> io::Result<()> {
    let me = file.me().ok().flatten();
    let mut app = App::new(
        file.label(),
        me.as_ref().map(|m| m.name.clone()),
        chrono::Utc::now(),
    );
    app.role = me.map(|m| m.role);
    app.theme = options.theme;
    app.bindings = options.bindings.clone();
    app.export_dir = options.export_dir.clone();
    app.date_order = options.date_order;
    app.zone = app::Zone::Local(
        std::env::var("TZ")
            .ok()
            .filter(|tz| !tz.is_empty())
            .map(|tz| tz.trim_start_matches(':').to_string())
            .unwrap_or_else(|| "local".into()),
    );
    // Long work shows on the interface's bottom row, not as the command line's bar over it.
    let progress = std::sync::Arc::new(progress::ProgressLine::new(vault::progress::shown_after()));
    let _restore = vault::progress::report_while(progress.clone());
    let mut runner = Runner::new(identity, reload);
    runner.run(&mut app, file, Effect::Refresh);
    runner.run(&mut app, file, Effect::CheckClock);
    if let Some(notice) = trust_notice(file) {
        app.update(Msg::Outcome(notice));
    }
    // Sync conflict copies beside the file: offer to merge them (after the notice, if any).
    runner.run(&mut app, file, Effect::FindCopies);
    let mut layout = view::CaseLayout::default();
    let mut last_input = Instant::now();
    let mut last_disk_check = Instant::now();
    let mut last_clock_check = Instant::now();
    while !app.quit {
        if let Some(limit) = options.idle_lock
            && !runner.is_screen_locked()
        {
            let idle = last_input.elapsed();
            if let Some(effect) = app.update(Msg::Idle { idle, limit }) {
                runner.run(&mut app, file, effect);
            }
        }
        if !runner.is_screen_locked() && last_clock_check.elapsed() >= CLOCK_CHECK {
            runner.run(&mut app, file, Effect::CheckClock);
            last_clock_check = Instant::now();
        }
        if !runner.is_screen_locked() && last_disk_check.elapsed() >= DISK_CHECK {
            runner.run(&mut app, file, Effect::CheckDisk);
            last_disk_check = Instant::now();
        }
        app.update(Msg::Tick(chrono::Utc::now()));
        if progress.take_drawn() {
            // The progress line was written over the last frame: draw every cell again.
            terminal.clear()?;
        }
        draw(terminal, &mut app, &mut layout)?;
        if !event::poll(Duration::from_millis(250))? {
            continue;
        }
        let effect = match event::read()? {
            TermEvent::Paste(text) => {
                last_input = Instant::now();
                app.update(Msg::Paste(text))
            }
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
        if let Some(effect) = effect {
            let was_locked = runner.is_screen_locked();
            runner.run(&mut app, file, effect);
            if was_locked && !runner.is_screen_locked() {
                // Unlocking can take a while (the key's passphrase): the idle clock starts now.
                last_input = Instant::now();
            }
        }
    }
    Ok(())
}

/// Draw one frame: lay the open case out for the terminal's width (once per case and width),
/// tell the model the sizes it scrolls by, then draw.
pub fn draw<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    app: &mut App,
    layout: &mut view::CaseLayout,
) -> Result<(), B::Error> {
    let size = terminal.size()?;
    // The case's inner area: the screen less the tabs, the status bar, the borders, the
    // pinned header and the selection's gutter.
    let case = layout.prepare(app, size.width.saturating_sub(2 + view::GUTTER));
    app.update(Msg::Frame(app::FrameSize {
        page: size.height.saturating_sub(app::LIST_TOP as u16 + 2).max(1) as usize,
        case_height: size.height.saturating_sub(4 + app::CASE_HEADER + 1),
        case,
    }));
    terminal.draw(|frame| view::render_with(app, layout, frame))?;
    Ok(())
}

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
mod runner;
pub mod view;

use std::io;
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEventKind};

use crate::vault::{CaseFile, Identity};
use app::{App, Effect};
pub use runner::carry_out;

/// Run the interface on an open case file until the member quits. The terminal is restored
/// afterwards, also after a panic (ratatui's hook).
pub fn run(file: &mut CaseFile, identity: &Identity) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, file, identity);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    file: &mut CaseFile,
    identity: &Identity,
) -> io::Result<()> {
    let me = file.me().ok().flatten().map(|m| m.name);
    let mut app = App::new(file.label(), me);
    carry_out(&mut app, file, identity, Effect::Refresh);
    while !app.quit {
        terminal.draw(|frame| {
            app.page = frame.area().height.saturating_sub(6).max(1) as usize;
            view::render(&app, frame);
        })?;
        if !event::poll(Duration::from_millis(250))? {
            continue;
        }
        if let TermEvent::Key(key) = event::read()?
            && key.kind == KeyEventKind::Press
            && let Some(effect) = app.on_key(key)
        {
            carry_out(&mut app, file, identity, effect);
        }
    }
    Ok(())
}

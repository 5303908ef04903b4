//! The command line's progress bar (see [`crate::ops::vault::progress`]): on standard error, only
//! when it is a terminal, and only for a stage that has taken more than half a second (work
//! that ends sooner shows nothing). Standard output, `--json` included, never holds it.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ops::vault::progress::{Reporter, report_to};

/// Show progress on standard error from now on, if it is a terminal.
pub fn show_on_terminal() {
    if !std::io::stderr().is_terminal() {
        return;
    }
    let after = crate::ops::vault::progress::shown_after();
    report_to(Box::new(Bar {
        after,
        current: Mutex::new(None),
    }));
}

struct Bar {
    after: Duration,
    current: Mutex<Option<Shown>>,
}

struct Shown {
    bar: ProgressBar,
    started: Instant,
    visible: bool,
}

impl Shown {
    /// Draw it once its stage has run long enough.
    fn reveal(&mut self, after: Duration) {
        if !self.visible && self.started.elapsed() >= after {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            // Drawn now, past the draw target's rate limit: a stage shown is seen at once.
            self.bar.force_draw();
            self.visible = true;
        }
    }
}

impl Reporter for Bar {
    fn start(&self, what: &str, total: u64) {
        let bar = ProgressBar::with_draw_target(
            (total > 0).then_some(total),
            ProgressDrawTarget::hidden(),
        );
        let style = if total > 0 {
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
        } else {
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        };
        if let Ok(style) = style {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut current) = self.current.lock() {
            let mut shown = Shown {
                bar,
                started: Instant::now(),
                visible: false,
            };
            shown.reveal(self.after);
            *current = Some(shown);
        }
    }

    fn advance(&self, done: u64) {
        if let Ok(mut current) = self.current.lock()
            && let Some(shown) = current.as_mut()
        {
            shown.bar.set_position(done);
            shown.reveal(self.after);
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock()
            && let Some(shown) = current.take()
        {
            shown.bar.finish_and_clear();
        }
    }
}

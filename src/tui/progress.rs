//! Long work while the interface runs (merging copies, saving many sealed cases, importing
//! many reports; see [`crate::ops::vault::progress`]): once a stage has run for half a second, the
//! bottom row says what is being done and how far along it is, redrawn as it advances. The
//! work runs on the interface's own thread (and threads it waits for), so the line is written
//! straight to the terminal, through standard error: the command that runs the interface holds
//! standard output's lock, which a checking thread would wait for forever. The next frame draws
//! the whole screen again over it.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossterm::{cursor, queue, style, terminal};

use crate::ops::vault::progress::Reporter;

/// How often the line is drawn again at most.
const EVERY: Duration = Duration::from_millis(100);

/// The interface's progress line.
pub struct ProgressLine {
    after: Duration,
    stage: Mutex<Option<Stage>>,
    drawn: AtomicBool,
}

struct Stage {
    what: String,
    total: u64,
    done: u64,
    started: Instant,
    drawn: Option<Instant>,
}

impl ProgressLine {
    /// A line shown once a stage has run for `after` (never when standard error is not the
    /// terminal).
    pub fn new(after: Duration) -> ProgressLine {
        use std::io::IsTerminal;
        ProgressLine {
            after: if std::io::stderr().is_terminal() {
                after
            } else {
                Duration::MAX
            },
            stage: Mutex::new(None),
            drawn: AtomicBool::new(false),
        }
    }

    /// Whether the line was drawn since the last call (the screen must then be drawn whole).
    pub fn take_drawn(&self) -> bool {
        self.drawn.swap(false, Ordering::Relaxed)
    }

    fn show(&self, stage: &mut Stage) {
        let due = match stage.drawn {
            None => stage.started.elapsed() >= self.after,
            Some(at) => at.elapsed() >= EVERY,
        };
        if !due {
            return;
        }
        let (width, rows) = terminal::size().unwrap_or((80, 24));
        let text = line(&stage.what, stage.done, stage.total, width as usize);
        let mut out = std::io::stderr().lock();
        let _ = queue!(
            out,
            cursor::SavePosition,
            cursor::MoveTo(0, rows.saturating_sub(1)),
            terminal::Clear(terminal::ClearType::CurrentLine),
            style::SetAttribute(style::Attribute::Reverse),
            style::Print(text),
            style::SetAttribute(style::Attribute::Reset),
            cursor::RestorePosition,
        );
        let _ = out.flush();
        stage.drawn = Some(Instant::now());
        self.drawn.store(true, Ordering::Relaxed);
    }
}

impl Reporter for ProgressLine {
    fn start(&self, what: &str, total: u64) {
        if let Ok(mut current) = self.stage.lock() {
            let mut stage = Stage {
                what: what.to_string(),
                total,
                done: 0,
                started: Instant::now(),
                drawn: None,
            };
            self.show(&mut stage);
            *current = Some(stage);
        }
    }

    fn advance(&self, done: u64) {
        if let Ok(mut current) = self.stage.lock()
            && let Some(stage) = current.as_mut()
        {
            stage.done = done;
            self.show(stage);
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.stage.lock() {
            *current = None;
        }
    }
}

/// The progress line for `what`, `done` of `total` steps (0: not known), in `width` columns:
/// what is being done, how far along, and a bar when there is room.
pub fn line(what: &str, done: u64, total: u64, width: usize) -> String {
    let count = if total > 0 {
        let done = done.min(total);
        format!(" {done} of {total} ({}%)", done * 100 / total)
    } else if done > 0 {
        format!(" {done} done")
    } else {
        String::new()
    };
    let mut text = format!(" working: {what}{count} ");
    let room = width.saturating_sub(text.chars().count() + 3);
    if total > 0 && room >= 10 {
        let bar = room.min(30);
        let filled = (done.min(total) as usize * bar) / total as usize;
        text.push('[');
        text.push_str(&"#".repeat(filled));
        text.push_str(&"-".repeat(bar - filled));
        text.push_str("] ");
    }
    let mut text: String = text.chars().take(width).collect();
    let pad = width.saturating_sub(text.chars().count());
    text.push_str(&" ".repeat(pad));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_is_done_and_how_far_along_in_the_width_given() {
        let text = line("checking signatures", 640, 1000, 80);
        assert!(
            text.starts_with(" working: checking signatures 640 of 1000 (64%) ["),
            "{text}"
        );
        let bar = &text[text.find('[').unwrap() + 1..text.find(']').unwrap()];
        let filled = bar.chars().filter(|c| *c == '#').count();
        assert_eq!(filled, bar.len() * 64 / 100, "{text}");
        assert!(bar.ends_with('-'), "{text}");
        assert_eq!(text.chars().count(), 80);
        // Narrow: no bar, cut to the width.
        let text = line("checking signatures", 640, 1000, 30);
        assert_eq!(text.chars().count(), 30);
        assert!(!text.contains('['), "{text}");
        // A stage of unknown length says what it has done.
        assert!(line("replaying", 128, 0, 80).contains("replaying 128 done"));
        assert!(line("replaying", 0, 0, 80).starts_with(" working: replaying "));
    }

    #[test]
    fn nothing_is_drawn_before_the_stage_has_run_long_enough() {
        let progress = ProgressLine::new(Duration::from_secs(3600));
        progress.start("merging", 100);
        progress.advance(64);
        progress.finish();
        assert!(!progress.take_drawn());
    }
}

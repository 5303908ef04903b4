//! How far long work has come: opening (verifying every signature, judging every change),
//! merging, sealing many cases, importing many files. The vault says which stage it is in and
//! how many of its steps are done; a front end that asked to be told (see [`report_to`])
//! shows it, the command line as a progress bar on a terminal (see `commands::progress`).
//! Nothing is reported when no front end asked, and reporting costs one atomic add a step.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a front end is told.
pub trait Reporter: Send + Sync {
    /// A stage starts: what it does, in words, and how many steps it has (0: not known).
    fn start(&self, what: &str, total: u64);
    /// `done` steps of the stage are done.
    fn advance(&self, done: u64);
    /// The stage is over.
    fn finish(&self);
}

static REPORTER: OnceLock<Box<dyn Reporter>> = OnceLock::new();

/// Tell `reporter` how long work goes, from now on, for the rest of the process (once: a later
/// call changes nothing).
pub fn report_to(reporter: Box<dyn Reporter>) {
    let _ = REPORTER.set(reporter);
}

/// How many steps pass between two reports (steps are cheap: a signature, a commit).
const EVERY: u64 = 64;

/// A stage of work under way, reported until it is dropped.
pub struct Stage {
    done: AtomicU64,
}

/// Start a stage: `what` it does, of `total` steps (0 when not known).
pub fn stage(what: &str, total: u64) -> Stage {
    if let Some(reporter) = REPORTER.get() {
        reporter.start(what, total);
    }
    Stage {
        done: AtomicU64::new(0),
    }
}

impl Stage {
    /// One more step is done (from any thread).
    pub fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done.is_multiple_of(EVERY)
            && let Some(reporter) = REPORTER.get()
        {
            reporter.advance(done);
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(reporter) = REPORTER.get() {
            reporter.finish();
        }
    }
}

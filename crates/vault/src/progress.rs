//! How far long work has come: opening (verifying every signature, judging every change),
//! merging, sealing many cases, importing many files. The vault says which stage it is in and
//! how many of its steps are done; a front end that asked to be told (see [`report_to`])
//! shows it, the command line as a progress bar on a terminal (see `commands::progress`), the
//! interface as a line on its own screen while it runs (see [`report_while`]). Nothing is
//! reported when no front end asked, and reporting costs one atomic add a step.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// What a front end is told.
pub trait Reporter: Send + Sync {
    /// A stage starts: what it does, in words, and how many steps it has (0: not known).
    fn start(&self, what: &str, total: u64);
    /// `done` steps of the stage are done.
    fn advance(&self, done: u64);
    /// The stage is over.
    fn finish(&self);
}

static REPORTER: RwLock<Option<Arc<dyn Reporter>>> = RwLock::new(None);

/// Tell `reporter` how long work goes, from now on.
pub fn report_to(reporter: Box<dyn Reporter>) {
    if let Ok(mut current) = REPORTER.write() {
        *current = Some(Arc::from(reporter));
    }
}

/// Tell `reporter` how long work goes until the returned guard is dropped; then whoever was
/// told before is told again (the interface takes the terminal from the command line's bar
/// while it runs).
pub fn report_while(reporter: Arc<dyn Reporter>) -> Restore {
    let before = REPORTER
        .write()
        .ok()
        .and_then(|mut current| current.replace(reporter));
    Restore { before }
}

/// Puts the reporter from before [`report_while`] back when dropped.
pub struct Restore {
    before: Option<Arc<dyn Reporter>>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Ok(mut current) = REPORTER.write() {
            *current = self.before.take();
        }
    }
}

/// The reporter told now, if any.
fn reporter() -> Option<Arc<dyn Reporter>> {
    REPORTER.read().ok().and_then(|current| current.clone())
}

/// How long a stage runs before a front end shows it: half a second, or
/// `CASEBOOK_PROGRESS_AFTER_MS` (tests set 0 to see every stage).
pub fn shown_after() -> std::time::Duration {
    std::env::var("CASEBOOK_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(
            std::time::Duration::from_millis(500),
            std::time::Duration::from_millis,
        )
}

/// How many steps pass between two reports (steps are cheap: a signature, a commit).
const EVERY: u64 = 64;

/// A stage of work under way, reported until it is dropped.
pub struct Stage {
    done: AtomicU64,
}

/// Start a stage: `what` it does, of `total` steps (0 when not known).
pub fn stage(what: &str, total: u64) -> Stage {
    if let Some(reporter) = reporter() {
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
            && let Some(reporter) = reporter()
        {
            reporter.advance(done);
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(reporter) = reporter() {
            reporter.finish();
        }
    }
}

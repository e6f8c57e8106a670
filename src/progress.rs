//! Progress on standard error for long runs: shown only when standard error is a terminal and
//! the run has taken more than a second, redrawn at most ten times a second, and erased at the
//! end, so short runs, pipes and CI logs never see it. The walk cannot know its total up front,
//! so it counts rather than pretending to a percentage.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    what: &'static str,
    start: Instant,
    last: Option<Instant>,
    enabled: bool,
    shown: bool,
}

impl Progress {
    pub fn new(what: &'static str) -> Progress {
        let enabled = std::io::stderr().is_terminal() && std::env::var_os("PLAN_LINT_NO_PROGRESS").is_none();
        Progress { what, start: Instant::now(), last: None, enabled, shown: false }
    }

    /// Report that `n` items are done.
    pub fn update(&mut self, n: usize) {
        if !self.enabled || self.start.elapsed() < Duration::from_secs(1) {
            return;
        }
        if self.last.is_some_and(|l| l.elapsed() < Duration::from_millis(100)) {
            return;
        }
        self.last = Some(Instant::now());
        self.shown = true;
        let _ = write!(std::io::stderr(), "\r\x1b[2Kplan-lint: {n} {} read…", self.what);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

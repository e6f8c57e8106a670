//! The panic guard: a panic is a bug, reported in one line (exit 2) by the hook the binary
//! installs, except where a caller catches and recovers from it ([`QuietPanics`]). A leaf: the
//! reporters use it around the diagnostic renderer without depending on the command line.

use std::cell::Cell;

thread_local! {
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

/// While alive, a panic on this thread is not reported by the hook: its caller catches it and
/// recovers (the human reporter, around the renderer).
pub(crate) struct QuietPanics;

impl QuietPanics {
    pub(crate) fn new() -> QuietPanics {
        QUIET.with(|q| q.set(q.get() + 1));
        QuietPanics
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        QUIET.with(|q| q.set(q.get().saturating_sub(1)));
    }
}

/// Install the hook: one line naming the bug and where, unless a [`QuietPanics`] is alive.
pub(crate) fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        if QUIET.with(|q| q.get() > 0) {
            return;
        }
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown");
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("plan-lint: internal error (a bug, please report it): {}{at}", crate::escape::line(msg));
    }));
}

/// Run `f`, turning a panic into its message (the hook still reports it on stderr): a
/// long-running server answers the next request instead of dying with the bug.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".to_string())
    })
}

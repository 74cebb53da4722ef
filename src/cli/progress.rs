//! Progress bars on standard error for the library's long steps ([`fairgate::progress`]) and
//! the command line's own: drawn only when standard error is a terminal, never with
//! `--quiet`, and not inside `fairgate run` (whose own bar counts the steps).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether bars are drawn at all (a terminal, no `--quiet`): set once by [`install`].
static SHOWN: AtomicBool = AtomicBool::new(false);
/// Whether bars are held back for a while (the steps of `fairgate run`).
static PAUSED: AtomicBool = AtomicBool::new(false);
/// `--quiet` as given.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Draws the library's steps as bars from now on, unless `quiet` or standard error is not a
/// terminal.
pub fn install(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    let shown = !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    SHOWN.store(shown, Ordering::Relaxed);
    if shown {
        fairgate::progress::set_sink(Box::new(Bars));
    }
}

/// Whether `--quiet` was given: no progress of any kind (`fairgate run`'s step lines too).
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Runs `f` with bars held back.
pub fn paused<T>(f: impl FnOnce() -> T) -> T {
    let before = PAUSED.swap(true, Ordering::Relaxed);
    let out = f();
    PAUSED.store(before, Ordering::Relaxed);
    out
}

/// A bar for `total` units named `what` (`total` 0: a spinner counting units), hidden when
/// bars are not shown.
pub fn bar(what: &str, total: u64) -> ProgressBar {
    styled(what, total, "{spinner} {msg}: {human_pos} {elapsed}")
}

/// A spinner that shows a message only (the message set as the work goes on).
pub fn spinner(what: &str) -> ProgressBar {
    styled(what, 0, "{spinner} {msg} {elapsed}")
}

/// [`bar`] with `spinner_template` when `total` is 0.
fn styled(what: &str, total: u64, spinner_template: &str) -> ProgressBar {
    if !SHOWN.load(Ordering::Relaxed) || PAUSED.load(Ordering::Relaxed) {
        return ProgressBar::hidden();
    }
    let (bar, template) = if total == 0 {
        (ProgressBar::new_spinner(), spinner_template)
    } else {
        (
            ProgressBar::new(total),
            "{msg} [{bar:30}] {pos}/{len} {elapsed} (eta {eta})",
        )
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(fairgate::text::escape_terminal(what));
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The sink that draws the library's steps.
struct Bars;

impl fairgate::progress::Sink for Bars {
    fn start(&self, what: &str, total: u64) -> Box<dyn fairgate::progress::Tick> {
        Box::new(Tick(bar(what, total)))
    }
}

/// A step's bar, cleared when the step ends.
struct Tick(ProgressBar);

impl fairgate::progress::Tick for Tick {
    fn inc(&self, n: u64) {
        self.0.inc(n);
    }
}

impl Drop for Tick {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

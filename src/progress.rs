//! Progress of long steps (bootstrap replicates, cross-validation folds, an explanation's
//! refits and permutations), reported to a sink the program installs once: the command line
//! draws a bar on a terminal. Without a sink a step costs one atomic load. Reporting never
//! changes a result, and steps may be advanced from any thread.
//!
//! ```
//! let step = fairgate::progress::step("bootstrap replicates", 200);
//! for _ in 0..200 {
//!     step.inc(1);
//! }
//! ```

use std::sync::OnceLock;

/// Where steps are reported: implemented by the program (a progress bar), not the library.
pub trait Sink: Send + Sync {
    /// A step of `total` units named `what` starts (`total` 0: not known in advance); the
    /// returned handle counts units done and ends the step when dropped.
    fn start(&self, what: &str, total: u64) -> Box<dyn Tick>;
}

/// A running step's counter (see [`Sink::start`]); the step ends when it is dropped.
pub trait Tick: Send + Sync {
    /// `n` more units are done.
    fn inc(&self, n: u64);
}

static SINK: OnceLock<Box<dyn Sink>> = OnceLock::new();

/// Installs the sink every later step reports to. Only the first call installs one; it
/// returns false when a sink was already installed.
pub fn set_sink(sink: Box<dyn Sink>) -> bool {
    SINK.set(sink).is_ok()
}

/// A long step: `total` units of work named `what` (for a person: "bootstrap replicates").
/// Advance it with [`Step::inc`]; it ends when dropped.
pub fn step(what: &str, total: u64) -> Step {
    Step {
        tick: SINK.get().map(|s| s.start(what, total)),
    }
}

/// A step in progress (see [`step`]).
pub struct Step {
    tick: Option<Box<dyn Tick>>,
}

impl Step {
    /// `n` more units are done.
    pub fn inc(&self, n: u64) {
        if let Some(t) = &self.tick {
            t.inc(n);
        }
    }
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("reported", &self.tick.is_some())
            .finish()
    }
}

//! What the measuring examples share.

use std::time::Instant;

/// Nanoseconds this thread has run on a CPU, or wall time where the kernel does not say: from
/// `/proc/thread-self/schedstat` on Linux, so a loaded machine inflates the figures less than
/// wall time would.
pub struct Clock(pub Instant);

impl Clock {
    /// A clock whose wall-time fallback starts now.
    pub fn start() -> Clock {
        Clock(Instant::now())
    }

    /// The thread's CPU time so far, in nanoseconds.
    pub fn now(&self) -> u64 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split(' ').next().and_then(|n| n.parse().ok()))
            .unwrap_or_else(|| self.0.elapsed().as_nanos() as u64)
    }
}

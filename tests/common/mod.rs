//! What every end-to-end test of the binary needs: the command, and a check that it succeeded
//! which shows its output when it did not.
// Each test binary compiles this module on its own and not every one uses every helper.
#![allow(dead_code)]

use std::process::{Command, Output};

/// The zeef binary under test, without progress output.
pub fn zeef() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zeef"));
    c.env("ZEEF_QUIET", "1");
    c
}

/// `out`, after asserting that the command succeeded.
pub fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "zeef failed: {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

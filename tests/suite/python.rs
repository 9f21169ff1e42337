//! Runs the machine's `python3` (standard library only) as the reference implementation.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `script` with `input` on standard input; returns standard output.
pub(crate) fn run(script: &str, input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("these tests need python3 on PATH");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

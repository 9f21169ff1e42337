//! Python virtual environments that tests make for themselves, from pinned requirements.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{command:?}: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The virtual environment `name` under the tests' scratch directory, with what
/// `requirements` (a path from the crate root) pins installed; made again whenever that file
/// changes. Needs `python3` with `venv`, and access to PyPI on first use. The tests of one
/// binary run on several threads: one makes the environment while the others wait.
pub(crate) fn venv(name: &str, requirements: &str) -> PathBuf {
    static MAKING: Mutex<()> = Mutex::new(());
    let _making = MAKING.lock().unwrap_or_else(PoisonError::into_inner);
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let requirements = Path::new(env!("CARGO_MANIFEST_DIR")).join(requirements);
    let marker = venv.join("installed-requirements.txt");
    let wanted = std::fs::read(&requirements).unwrap();
    if std::fs::read(&marker).ok().as_deref() != Some(&wanted[..]) {
        run(Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv));
        run(Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements));
        std::fs::write(&marker, wanted).unwrap();
    }
    venv
}

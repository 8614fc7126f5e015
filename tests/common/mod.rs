//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

pub mod browser;
pub mod server;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project folder (samples/, templates/).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A CSV file written by faxform as rows of column -> value.
pub fn table(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            h.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A new empty folder `name` inside `tmp`.
pub fn folder(tmp: &Path, name: &str) -> PathBuf {
    let p = tmp.join(name);
    std::fs::create_dir_all(&p).unwrap();
    p
}

/// `faxform run INPUTS --out OUT --no-ocr --jobs 2` with the project's templates.
pub fn run_no_ocr(inputs: &[&Path], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faxform"))
        .arg("run")
        .args(inputs)
        .arg("--out")
        .arg(out)
        .args(["--no-ocr", "--jobs", "2", "--templates"])
        .arg(root().join("templates"))
        .output()
        .unwrap()
}

/// Runs an outside tool (libtiff's, poppler's), which must succeed.
pub fn tool(name: &str, args: &[&str]) {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e} (make setup installs libtiff-tools)"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `faxform synth` of `count` responses of template `id` from the templates in `dir`, with
/// the chain's `profile` (its default when `None`), into `out`; it must succeed.
pub fn synth(dir: &Path, id: &str, count: &str, seed: &str, profile: Option<&str>, out: &Path) {
    synth_with(dir, id, count, seed, profile, &[], out);
}

/// [`synth`] with more of its options (`["--zoom", "0.86"]`).
pub fn synth_with(
    dir: &Path,
    id: &str,
    count: &str,
    seed: &str,
    profile: Option<&str>,
    more: &[&str],
    out: &Path,
) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faxform"));
    cmd.args(["synth", "--template", id, "--templates"])
        .arg(dir)
        .args(["--count", count, "--seed", seed]);
    if let Some(p) = profile {
        cmd.args(["--profile", p]);
    }
    let o = cmd.args(more).arg("--out").arg(out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

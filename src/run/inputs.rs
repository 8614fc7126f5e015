//! Finding the input files: files given directly and folders read recursively.

use std::path::{Path, PathBuf};

/// Files to read, and files passed over with the reason (reported, never silently dropped).
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// Extensions that are ours to read; anything else in a folder is listed as skipped.
const FAX_EXTENSIONS: [&str; 6] = ["tif", "tiff", "pdf", "png", "jpg", "jpeg"];

pub fn collect(paths: &[PathBuf]) -> std::io::Result<Inputs> {
    let mut out = Inputs::default();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            // A file named on the command line is always read, whatever its name.
            out.files.push(p.clone());
        } else {
            out.skipped
                .push((p.clone(), "no such file or folder".into()));
        }
    }
    out.files.sort();
    out.files.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Inputs) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
            continue;
        }
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default();
        if FAX_EXTENSIONS.contains(&ext.as_str()) || sniffs_as_fax(&p) {
            out.files.push(p);
        } else {
            out.skipped
                .push((p, "not a TIFF, PDF, PNG or JPEG file".into()));
        }
    }
    Ok(())
}

/// Fax servers do not always name files by type: look at the first bytes.
fn sniffs_as_fax(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 1024];
    let n = std::fs::File::open(p)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    crate::ingest::Format::sniff(&head[..n]).is_some()
}

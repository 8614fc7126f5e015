//! Finding the input files: files given directly and folders read recursively.
//!
//! Each real file is read once, however many names lead to it (links into the tree,
//! a folder given twice, a symlink loop), and carries its source name for response ids:
//! its path relative to the INPUT it was found under (../shared/CONTRACT.md).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The path as found (for messages and rejected.csv).
    pub path: PathBuf,
    /// The path relative to its INPUT, `/`-separated (just the name for a file given
    /// directly): the file part of its response ids.
    pub source: String,
}

/// Files to read, and files passed over with the reason (reported, never silently dropped).
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// Extensions that are ours to read; anything else in a folder is listed as skipped.
const FAX_EXTENSIONS: [&str; 6] = ["tif", "tiff", "pdf", "png", "jpg", "jpeg"];

/// What has been visited, by canonical path.
#[derive(Default)]
struct Seen {
    dirs: HashSet<PathBuf>,
    files: HashSet<PathBuf>,
}

pub fn collect(paths: &[PathBuf]) -> std::io::Result<Inputs> {
    let mut out = Inputs::default();
    let mut seen = Seen::default();
    for p in paths {
        if p.is_dir() {
            walk(p, Path::new(""), &mut seen, &mut out)?;
        } else if p.exists() {
            // A file named on the command line is always read, whatever its name.
            let source = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string());
            add_file(p, source, &mut seen, &mut out);
        } else {
            out.skipped
                .push((p.clone(), "no such file or folder".into()));
        }
    }
    Ok(out)
}

fn add_file(p: &Path, source: String, seen: &mut Seen, out: &mut Inputs) {
    let real = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if seen.files.insert(real) {
        out.files.push(InputFile {
            path: p.to_path_buf(),
            source,
        });
    }
}

/// Reads `dir` (at `rel` below its INPUT) in name order; a folder already read by another
/// name (a link into the tree, a loop) is not read again.
fn walk(dir: &Path, rel: &Path, seen: &mut Seen, out: &mut Inputs) -> std::io::Result<()> {
    let real = std::fs::canonicalize(dir)?;
    if !seen.dirs.insert(real) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().map(PathBuf::from).unwrap_or_default();
        let rel_p = rel.join(&name);
        if p.is_dir() {
            if let Err(e) = walk(&p, &rel_p, seen, out) {
                out.skipped.push((p, format!("cannot read folder: {e}")));
            }
            continue;
        }
        if !p.exists() {
            out.skipped
                .push((p, "broken link (its target does not exist)".into()));
            continue;
        }
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default();
        if FAX_EXTENSIONS.contains(&ext.as_str()) || sniffs_as_fax(&p) {
            let source = rel_p
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            add_file(&p, source, seen, out);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn sources_are_relative_to_their_input_and_loops_are_read_once() {
        let d = tempfile::tempdir().unwrap();
        let night = d.path().join("night");
        for sub in ["a/12月", "b/12月"] {
            std::fs::create_dir_all(night.join(sub)).unwrap();
            std::fs::write(night.join(sub).join("FAX0001.TIF"), b"II*\0").unwrap();
        }
        std::fs::write(night.join("受信1.tif"), b"II*\0").unwrap();
        std::fs::write(night.join("notes.txt"), b"hello").unwrap();
        // A loop back to the top, a second name for a folder, and a link to a file.
        symlink(&night, night.join("a/loop")).unwrap();
        symlink(night.join("b"), night.join("b-again")).unwrap();
        symlink(night.join("受信1.tif"), night.join("link.tif")).unwrap();
        symlink(night.join("missing.tif"), night.join("dangling.tif")).unwrap();
        let got = collect(std::slice::from_ref(&night)).unwrap();
        let sources: Vec<&str> = got.files.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(
            sources,
            // The linked file is read once, under the first name found.
            ["a/12月/FAX0001.TIF", "b/12月/FAX0001.TIF", "link.tif"],
            "{got:?}"
        );
        let skipped: Vec<String> = got
            .skipped
            .iter()
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(skipped, ["dangling.tif", "notes.txt"]);
        // A file given directly is known by its name; given again through a folder, once.
        let direct = night.join("a/12月/FAX0001.TIF");
        let got = collect(&[direct, night.clone()]).unwrap();
        assert_eq!(got.files[0].source, "FAX0001.TIF");
        assert_eq!(got.files.len(), 3);
    }
}

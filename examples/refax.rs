//! Sends every file of a corpus through `faxform synth`'s fax chain once more (a fax
//! printed and sent on), keeping each file's name and the corpus's truth files, so that
//! the reader can be tried on someone else's marks under this generator's degradations:
//!
//!     cargo run --release --example refax -- CORPUS_DIR OUT_DIR [clean|fax|harsh] [SEED]
//!
//! Files are written as TIFF G4 under their old names (faxform knows a file by its
//! content). A file that does not decode is copied as it is.
use faxform::encode::{Scheme, tiff_out};
use faxform::ingest::{IngestOptions, read_file};
use faxform::synth::{Profile, refax};
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let src = args.next().expect("CORPUS_DIR");
    let out = args.next().expect("OUT_DIR");
    let profile = match args.next().as_deref() {
        Some("clean") => Profile::Clean,
        Some("harsh") => Profile::Harsh,
        _ => Profile::Fax,
    };
    let seed: u64 = args.next().map_or(1, |s| s.parse().expect("SEED"));
    let (src, out) = (Path::new(&src), Path::new(&out));
    std::fs::create_dir_all(out).unwrap();
    for name in [
        "truth.csv",
        "truth-notes.jsonl",
        "truth-pages.csv",
        "truth-marks.jsonl",
    ] {
        if src.join(name).exists() {
            std::fs::copy(src.join(name), out.join(name)).unwrap();
        }
    }
    let files = faxform::run::inputs::collect(&[src.to_path_buf()])
        .unwrap()
        .files;
    for (n, f) in files.iter().enumerate() {
        let name = f.path.file_name().unwrap();
        let pages = read_file(&f.path, &IngestOptions::default())
            .ok()
            .and_then(|ps| ps.into_iter().collect::<Result<Vec<_>, _>>().ok())
            .map(|ps| ps.into_iter().map(half_height).collect::<Vec<_>>());
        let bytes = pages.and_then(|ps| {
            let sent = refax(&ps, profile, seed.wrapping_mul(1_000_003) + n as u64).ok()?;
            tiff_out::write(&sent, Scheme::G4, tiff_out::FillOrder::MsbFirst).ok()
        });
        match bytes {
            Some(b) => std::fs::write(out.join(name), b).unwrap(),
            None => {
                eprintln!("{}: copied as it is", f.path.display());
                std::fs::copy(&f.path, out.join(name)).unwrap();
            }
        }
    }
}

/// A standard-resolution page stored as square (a PDF of half height, as some servers
/// write them) printed as the reader would stretch it: rows at half the resolution.
/// Known by its shape: a scan line's width and less than 0.8 of it tall.
fn half_height(mut p: faxform::ingest::PageImage) -> faxform::ingest::PageImage {
    let (w, h) = (p.image.width() as f32, p.image.height() as f32);
    if w <= 1800.0 && h < 0.8 * w && (p.dpi_y - p.dpi_x).abs() < 1.0 {
        p.dpi_y = p.dpi_x / 2.0;
    }
    p
}

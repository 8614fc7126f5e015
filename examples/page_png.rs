//! Writes every page of a fax file as a PNG, reduced by an integer factor, to look at
//! what the reader was given:
//!
//!     cargo run --release --example page_png -- FILE OUT_PREFIX [REDUCE]
//!
//! Page n goes to OUT_PREFIX-n.png; each output pixel is the mean of REDUCE × REDUCE
//! input pixels (default 2).
use faxform::ingest::{IngestOptions, read_file};
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("FILE");
    let prefix = args.next().expect("OUT_PREFIX");
    let k: u32 = args.next().map_or(2, |s| s.parse().expect("REDUCE"));
    let pages = read_file(Path::new(&file), &IngestOptions::default()).expect("readable file");
    for (n, page) in pages.into_iter().enumerate() {
        let p = match page {
            Ok(p) => p,
            Err(e) => {
                eprintln!("page {}: {e}", n + 1);
                continue;
            }
        };
        let (w, h) = (p.image.width() / k, p.image.height() / k);
        let small = image::GrayImage::from_fn(w, h, |x, y| {
            let mut s = 0u32;
            for dy in 0..k {
                for dx in 0..k {
                    s += u32::from(p.image.get_pixel(x * k + dx, y * k + dy)[0]);
                }
            }
            image::Luma([(s / (k * k)) as u8])
        });
        let out = format!("{prefix}-{}.png", n + 1);
        small.save(&out).expect("writable output");
        println!(
            "{out}: {}x{} at {}x{} dpi",
            p.image.width(),
            p.image.height(),
            p.dpi_x,
            p.dpi_y
        );
    }
}

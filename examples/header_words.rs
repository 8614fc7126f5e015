//! The fax header of each page of the files given, word by word: each word's crop is
//! written to OUT_DIR as PNG and its reading printed, for looking into why a sender's
//! number was read as it was:
//!
//!     cargo run --release --example header_words -- OUT_DIR FILE...
use faxform::ingest::{IngestOptions, read_file};
use std::path::Path;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = Path::new(&args[0]);
    let kit =
        faxform::run::Kit::build(faxform::template::load_all(Path::new("templates")).unwrap())
            .unwrap();
    let engine = faxform::ocr::OcrEngine::Ppocr;
    for f in &args[1..] {
        let f = Path::new(f);
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let Ok(pages) = read_file(f, &IngestOptions::default()) else {
            eprintln!("{name}: not read");
            continue;
        };
        for (pi, p) in pages.into_iter().enumerate() {
            let Ok(p) = p else { continue };
            let Ok(n) = faxform::normalise::normalise(&p, kit.dpi) else {
                continue;
            };
            let Some(band) = faxform::header::header_band(&n.image, i32::MAX) else {
                println!("{name}:{} no header band", pi + 1);
                continue;
            };
            let img = faxform::raster::crop(&n.image, &band);
            img.save(out.join(format!("{name}-{}.png", pi + 1)))
                .unwrap();
            let mut texts = Vec::new();
            for (wi, w) in faxform::header::words(&img).iter().enumerate() {
                let part = faxform::raster::crop(&img, w);
                part.save(out.join(format!("{name}-{}-{wi}.png", pi + 1)))
                    .unwrap();
                let r =
                    faxform::ocr::read_printed_line(&part, engine, &faxform::header::number_spans);
                texts.push(format!(
                    "[{}x{}] {}",
                    w.w,
                    w.h,
                    r.map(|r| r.text).unwrap_or_else(|e| e)
                ));
            }
            println!("{name}:{} {}", pi + 1, texts.join(" | "));
        }
    }
}

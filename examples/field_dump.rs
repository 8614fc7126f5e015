//! Looks at the write-in fields of one fax file as faxform sees them: for every page,
//! each field's window on the page (with a margin) and the cleaned field, saved as PNGs,
//! and the clean-up's counts on stdout:
//!
//!     cargo run --release --example field_dump -- FILE OUT_DIR
use faxform::ingest::{IngestOptions, read_file};
use faxform::ocr::prepare::prepare;
use faxform::run::{Kit, StageTimes, page::read_page};
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("FILE");
    let out = args.next().expect("OUT_DIR");
    std::fs::create_dir_all(&out).unwrap();
    let kit = Kit::build(faxform::template::load_all(Path::new("templates")).unwrap()).unwrap();
    let name = Path::new(&file)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let pages = read_file(Path::new(&file), &IngestOptions::default()).unwrap();
    println!("file,page,column,ink,strokes,shift_x,shift_y");
    for (i, p) in pages.into_iter().enumerate() {
        let Ok(p) = p else { continue };
        let mut t = StageTimes::default();
        let rp = match read_page(&kit, &p, i + 1, None, &mut t) {
            Ok(rp) => rp,
            Err(e) => {
                println!("{name},{},unread: {e:?}", i + 1);
                continue;
            }
        };
        for fs in &kit.pages[rp.template][rp.page - 1].fields {
            let pr = prepare(&rp.image, &rp.reg.transform, &fs.model);
            println!(
                "{name},{},{},{},{},{},{}",
                i + 1,
                fs.column,
                pr.ink,
                pr.strokes,
                pr.shift.0,
                pr.shift.1
            );
            let r = rp.page_rect(&fs.model.region);
            let m = 40i64;
            let x0 = (r.x as i64 - m).max(0) as u32;
            let y0 = (r.y as i64 - m).max(0) as u32;
            let x1 = ((r.x + r.w) as i64 + m).min(rp.image.width() as i64) as u32;
            let y1 = ((r.y + r.h) as i64 + m).min(rp.image.height() as i64) as u32;
            let win = image::imageops::crop_imm(&rp.image, x0, y0, x1 - x0, y1 - y0).to_image();
            win.save(Path::new(&out).join(format!("{name}-{}-{}-page.png", i + 1, fs.column)))
                .unwrap();
            pr.image
                .save(Path::new(&out).join(format!("{name}-{}-{}-clean.png", i + 1, fs.column)))
                .unwrap();
        }
    }
}

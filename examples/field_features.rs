//! Calibration of write-in fields: for every field of every page of a synth folder, the
//! writing left after cleaning (pixels) beside what synth wrote there, as CSV on stdout;
//! with a second argument, the cleaned field images are saved there too. The thresholds
//! in src/ocr were set from these distributions:
//!
//!     cargo run --release --example field_features -- SYNTH_DIR [IMAGE_DIR] > fields.csv
use faxform::ingest::{IngestOptions, read_file};
use faxform::ocr::prepare::prepare;
use faxform::run::{Kit, StageTimes, page::read_page};
use std::collections::HashMap;
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("SYNTH_DIR");
    let images = args.next();
    let dir = Path::new(&dir);
    let kit = Kit::build(faxform::template::load_all(Path::new("templates")).unwrap()).unwrap();
    let page_resp = faxform::score::truth_pages(dir).unwrap();
    let mut written: HashMap<(String, String), String> = HashMap::new();
    for l in std::fs::read_to_string(dir.join("truth-marks.jsonl"))
        .unwrap()
        .lines()
    {
        let j: serde_json::Value = serde_json::from_str(l).unwrap();
        for t in j["texts"].as_array().unwrap() {
            written.insert(
                (
                    j["response_id"].as_str().unwrap().to_string(),
                    t["question"].as_str().unwrap().to_string(),
                ),
                t["written"].as_str().unwrap().to_string(),
            );
        }
    }
    println!("file,page,column,ink,strokes,shift_x,shift_y,written");
    // The files a run would read, in its order.
    let files: Vec<_> = faxform::run::inputs::collect(&[dir.to_path_buf()])
        .unwrap()
        .files
        .into_iter()
        .map(|f| f.path)
        .collect();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(pages) = read_file(&f, &IngestOptions::default()) else {
            continue;
        };
        for (i, p) in pages.into_iter().enumerate() {
            let Ok(p) = p else { continue };
            let mut t = StageTimes::default();
            let Ok(rp) = read_page(&kit, &p, i + 1, None, &mut t) else {
                continue;
            };
            let Some(rid) = page_resp.get(&(name.clone(), i + 1)) else {
                continue;
            };
            for fs in &kit.pages[rp.template][rp.page - 1].fields {
                let pr = prepare(&rp.image, &rp.reg.transform, &fs.model);
                let w = written
                    .get(&(rid.clone(), fs.column.clone()))
                    .cloned()
                    .unwrap_or_default();
                println!(
                    "{name},{},{},{},{},{},{},\"{}\"",
                    i + 1,
                    fs.column,
                    pr.ink,
                    pr.strokes,
                    pr.shift.0,
                    pr.shift.1,
                    w.replace('"', "\"\"")
                );
                if let Some(d) = &images {
                    pr.image
                        .save(Path::new(d).join(format!("{name}-{}-{}.png", i + 1, fs.column)))
                        .unwrap();
                }
            }
        }
    }
}

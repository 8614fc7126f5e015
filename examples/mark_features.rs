//! Calibration of mark reading: every checkbox's measured features beside its truth
//! (the style synth drew, or none), as CSV on stdout. Thresholds in src/marks were set
//! from these distributions:
//!
//!     cargo run --release --example mark_features -- SYNTH_DIR > features.csv
use faxform::ingest::{IngestOptions, read_file};
use faxform::marks::{Explained, measure};
use faxform::register::{PageBoxes, register};
use std::collections::HashMap;
use std::path::Path;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let dir = Path::new(&dir);
    let ts = faxform::template::load_all(Path::new("templates")).unwrap();
    let cat = faxform::identify::Catalogue::build(&ts).unwrap();
    let mut kits = HashMap::new();
    for (ti, t) in ts.iter().enumerate() {
        for p in &t.pages {
            let r = t.reference_image(p.number).unwrap();
            kits.insert(
                (ti, p.number),
                (PageBoxes::build(t, p.number, &r), Explained::new(&r, 2)),
            );
        }
    }
    // truth: (file, page) -> response id (pages of responses only); response -> marks
    let page_resp = faxform::score::truth_pages(dir).unwrap();
    type Marks = HashMap<(String, u32), (String, bool)>;
    let mut marks: HashMap<String, Marks> = HashMap::new();
    for l in std::fs::read_to_string(dir.join("truth-marks.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let m = marks
            .entry(v["response_id"].as_str().unwrap().to_string())
            .or_default();
        for mk in v["marks"].as_array().unwrap() {
            m.insert(
                (
                    mk["question"].as_str().unwrap().into(),
                    mk["code"].as_u64().unwrap() as u32,
                ),
                (
                    mk["style"].as_str().unwrap().into(),
                    mk["chosen"].as_bool().unwrap(),
                ),
            );
        }
    }
    println!(
        "file,page,template,q,code,style,chosen,inner,inner_area,near,circle,runs_left,runs_right,found,rms,unknown,marked,doubt,close"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !p.extension().unwrap().to_str().unwrap().starts_with("csv")
                && p.extension().unwrap() != "jsonl"
                && p.extension().unwrap() != "csv"
        })
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let Ok(pages) = read_file(&f, &IngestOptions::default()) else {
            continue;
        };
        for (pi, p) in pages.into_iter().enumerate() {
            let Some(rid) = page_resp.get(&(name.clone(), pi + 1)) else {
                continue;
            };
            let Ok(np) = faxform::normalise::normalise(&p.unwrap(), 200.0) else {
                eprintln!("{name} {pi} normalise failed");
                continue;
            };
            let (id, page, _) = faxform::identify::identify(&cat, np);
            let Some(id) = id else {
                eprintln!("{name} p{} not identified", pi + 1);
                continue;
            };
            let t = &ts[id.template];
            let (boxes, expl) = &kits[&(id.template, id.page)];
            let reg = register(&page.image, boxes, &id.transform, page.row_scale);
            for (i, b) in boxes.boxes.iter().enumerate() {
                let q = &t.questions[b.question];
                let label = q.option(b.code).and_then(|o| o.label_rect);
                let view = faxform::marks::PageView {
                    image: &page.image,
                    suspect_rows: &page.suspect_rows,
                    line_rows: &page.line_rows,
                    row_scale: page.row_scale,
                };
                let ft = measure(&view, &reg, i, b, label.as_ref(), expl);
                let (style, chosen) = marks
                    .get(rid)
                    .and_then(|m| m.get(&(q.id.clone(), b.code)))
                    .cloned()
                    .unwrap_or(("none".into(), false));
                let rd = faxform::marks::classify(ft);
                println!(
                    "{name},{},{},{},{},{style},{chosen},{},{},{},{:.3},{},{},{},{:.2},{},{},{:?},{},{:.2}",
                    pi + 1,
                    t.id,
                    q.id,
                    b.code,
                    ft.inner,
                    ft.inner_area,
                    ft.near,
                    ft.circle,
                    ft.runs_left,
                    ft.runs_right,
                    reg.found(),
                    reg.rms,
                    ft.unknown,
                    rd.marked,
                    rd.doubt,
                    ft.close,
                    ft.around
                );
            }
        }
    }
}

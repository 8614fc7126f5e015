//! Calibration of mark reading: every checkbox's measured features and reading, through
//! the same page path as `faxform run` (read_page: normalise, identify, register,
//! measure, classify_page), beside its truth (the style synth drew, or none), as CSV on
//! stdout. Thresholds in src/marks were set from these distributions:
//!
//!     cargo run --release --example mark_features -- SYNTH_DIR > features.csv
//!
//! Given one fax file instead of a folder, or a folder with no `truth-marks.jsonl`, it
//! prints every box of every page with no truth (style "none"): for looking into why one
//! box of any fax was read as it was. A second argument names the templates folder
//! (default: ./templates), for a drafted template's synthetic nights.
use faxform::ingest::{IngestOptions, read_file};
use faxform::run::{Kit, StageTimes, page::read_page};
use std::collections::HashMap;
use std::path::Path;
fn main() {
    let arg = std::env::args().nth(1).unwrap();
    let dir = Path::new(&arg);
    // A single file, or a folder without synth's truth (an independent corpus): every
    // page, with no truth.
    let one_file = dir.is_file() || !dir.join("truth-marks.jsonl").exists();
    let templates = std::env::args().nth(2).unwrap_or("templates".into());
    let ts = faxform::template::load_all(Path::new(&templates)).unwrap();
    // truth: (file, page) -> response id (pages of responses only); response -> marks
    let page_resp = if one_file {
        Default::default()
    } else {
        faxform::score::truth_pages(dir).unwrap()
    };
    type Marks = HashMap<(String, u32), (String, bool)>;
    let mut marks: HashMap<String, Marks> = HashMap::new();
    let truth = if one_file {
        String::new()
    } else {
        std::fs::read_to_string(dir.join("truth-marks.jsonl")).unwrap()
    };
    for l in truth.lines() {
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
    let kit = Kit::build(ts.clone()).unwrap();
    // Every feature of BoxFeatures, by name, from its serialisation.
    let names: Vec<String> = serde_json::to_value(faxform::marks::BoxFeatures::default())
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    println!(
        "file,page,template,q,code,style,chosen,found,rms,marked,doubt,confidence,{}",
        names.join(",")
    );
    // The files a run would read, in its order.
    let files: Vec<_> = faxform::run::inputs::collect(&[dir.to_path_buf()])
        .unwrap()
        .files
        .into_iter()
        .map(|f| f.path)
        .collect();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let Ok(pages) = read_file(&f, &IngestOptions::default()) else {
            continue;
        };
        for (pi, p) in pages.into_iter().enumerate() {
            let page_of_file = format!("{name}:{}", pi + 1);
            let Some(rid) = page_resp
                .get(&(name.clone(), pi + 1))
                .or(one_file.then_some(&page_of_file))
            else {
                continue;
            };
            let Ok(p) = p else { continue };
            // The page path the run takes: normalise, identify, register, classify_page.
            let mut times = StageTimes::default();
            let rp = match read_page(&kit, &p, pi + 1, None, &mut times) {
                Ok(rp) => rp,
                Err(e) => {
                    eprintln!("{name} p{}: {e}", pi + 1);
                    continue;
                }
            };
            let t = &ts[rp.template];
            for o in &rp.options {
                let q = &t.questions[o.question];
                let (style, chosen) = marks
                    .get(rid)
                    .and_then(|m| m.get(&(q.id.clone(), o.code)))
                    .cloned()
                    .unwrap_or(("none".into(), false));
                let ft = serde_json::to_value(o.reading.features).unwrap();
                let values: Vec<String> = names.iter().map(|n| ft[n].to_string()).collect();
                println!(
                    "{name},{},{},{},{},{style},{chosen},{},{:.3},{},{:?},{:.2},{}",
                    pi + 1,
                    t.id,
                    q.id,
                    o.code,
                    rp.reg.found(),
                    rp.reg.rms,
                    o.reading.marked,
                    o.reading.doubt,
                    o.reading.confidence,
                    values.join(",")
                );
            }
        }
    }
}

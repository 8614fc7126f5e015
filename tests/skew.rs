//! Skew found against the skew `faxform synth` put on each page (truth-marks.jsonl), on
//! the harsh profile (up to 4° either way, standard and fine resolution, speckle,
//! streaks, line errors). Run with `--nocapture` to see the error's spread.

use crate::common;

use common::{folder, synth};
use faxform::ingest::{IngestOptions, read_file};
use faxform::normalise::{WORKING_DPI, normalise};

#[test]
fn skew_is_found_to_a_small_fraction_of_a_degree() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = folder(tmp.path(), "corpus");
    // For measuring: SKEW_COUNT=400 SKEW_PROFILE=fax cargo test --release --test skew -- --nocapture
    let count = std::env::var("SKEW_COUNT").unwrap_or("24".into());
    let profile = std::env::var("SKEW_PROFILE").unwrap_or("harsh".into());
    let templates = common::root().join("templates");
    synth(
        &templates,
        "hodanren-2024-12-a",
        &count,
        "41",
        Some(&profile),
        &corpus,
    );
    let truth = std::fs::read_to_string(corpus.join("truth-marks.jsonl")).unwrap();
    let mut errors = Vec::new();
    for line in truth.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = r["response_id"].as_str().unwrap();
        let file = corpus.join(id.rsplit_once(':').unwrap().0);
        let pages = read_file(&file, &IngestOptions::default()).unwrap();
        for p in r["pages"].as_array().unwrap() {
            let d = &p["damage"];
            // A page sent sideways is turned before its skew means the same thing.
            if d["turned_deg"].as_i64() != Some(0) {
                continue;
            }
            let n = p["file_page"].as_u64().unwrap() as usize;
            let page = pages[n - 1].as_ref().unwrap();
            let got = normalise(page, WORKING_DPI).unwrap().skew_deg as f64;
            // The paper is turned, then stretched unevenly: a line's angle on the received
            // page is the turn's, stretched; a page that arrives at half its height (sent
            // at standard resolution, read as fine) has its lines' slope halved as well.
            let squash = if d["half_height"].as_bool() == Some(true) {
                0.5
            } else {
                1.0
            };
            let (sx, sy) = (
                d["scale_x"].as_f64().unwrap(),
                d["scale_y"].as_f64().unwrap() * squash,
            );
            let turn = d["skew_deg"].as_f64().unwrap().to_radians();
            // A fax printed and scanned back was laid crooked on the glass as well.
            let glass = d["rescanned"]["skew_deg"].as_f64().unwrap_or(0.0);
            let want = (turn.sin() * sy).atan2(turn.cos() * sx).to_degrees() + glass;
            errors.push((
                (got - want).abs(),
                format!("{id} page {n}: {got:.3} vs {want:.3}"),
            ));
        }
    }
    errors.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = errors.len();
    let mean = errors.iter().map(|e| e.0).sum::<f64>() / n as f64;
    let (median, worst) = (&errors[n / 2], &errors[n - 1]);
    println!(
        "{n} pages: skew error mean {mean:.4}°, median {:.4}°, 90th {:.4}°, worst {:.4}° ({})",
        median.0,
        errors[n * 9 / 10].0,
        worst.0,
        worst.1
    );
    assert!(n >= 24, "{n} pages");
    // Registration starts from this; a tenth of a degree is a pixel and a half across a
    // 200 dpi page.
    assert!(mean < 0.03, "mean error {mean:.4}°");
    assert!(worst.0 < 0.1, "{}", worst.1);
}

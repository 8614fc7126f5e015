//! `faxform synth` is deterministic and writes files that read back as truth says.

use faxform::ingest::{IngestOptions, read_file};
use faxform::synth::{Profile, SynthArgs, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn args(template: &str, seed: u64, out: &Path) -> SynthArgs {
    SynthArgs {
        template: template.into(),
        count: 6,
        seed,
        out: out.to_path_buf(),
        profile: Profile::Fax,
        templates: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates"),
        showcase: true,
        first: 1,
        zoom: None,
        line: None,
        bold: None,
        rescan: false,
    }
}

fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    in_pool(1, || run(&args("hodanren-2024-12-a", 42, &a))).unwrap();
    in_pool(2, || run(&args("hodanren-2024-12-a", 42, &b))).unwrap();
    in_pool(2, || run(&args("hodanren-2024-12-a", 43, &c))).unwrap();
    let (ca, cb, cc) = (contents(&a), contents(&b), contents(&c));
    assert!(ca.len() > 5);
    assert_eq!(ca, cb, "same seed must give the same files");
    assert_ne!(
        ca.get("truth.csv"),
        cc.get("truth.csv"),
        "another seed gives other answers"
    );
    assert!(ca.contains_key("fax-00001.tif"));
    assert_ne!(ca.get("fax-00001.tif"), cc.get("fax-00001.tif"));
}

#[test]
fn files_read_back_with_the_pages_truth_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("chiba");
    run(&args("chiba-2023-05-a", 7, &out)).unwrap();
    let mut pages_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut kinds = BTreeMap::new();
    for r in csv::Reader::from_path(out.join("truth-pages.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        *pages_of.entry(r[0].to_string()).or_default() += 1;
        *kinds.entry(r[2].to_string()).or_insert(0) += 1;
    }
    assert!(
        kinds.contains_key("cover"),
        "showcase includes a cover sheet: {kinds:?}"
    );
    let mut formats = std::collections::BTreeSet::new();
    let (mut turned, mut half_height) = (0, 0);
    for (file, n) in &pages_of {
        formats.insert(
            Path::new(file)
                .extension()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        );
        let pages = read_file(&out.join(file), &IngestOptions::default()).unwrap();
        assert_eq!(pages.len(), *n, "{file}");
        for p in pages {
            let p = p.unwrap();
            let fax =
                |x: f32, y: f32| x.round() == 204.0 && (y.round() == 98.0 || y.round() == 196.0);
            match (p.dpi_x, p.dpi_y) {
                (x, y) if fax(x, y) => {}
                // Stored turned a quarter: the fax line runs down the page.
                (x, y) if fax(y, x) => turned += 1,
                // A standard-resolution page stored with square pixels.
                (x, y) if x.round() == 204.0 && y.round() == 204.0 => half_height += 1,
                (x, y) => panic!("{file}: {x}×{y} dpi"),
            }
        }
    }
    assert!(
        turned > 0 && half_height > 0,
        "{turned} turned, {half_height} half-height pages"
    );
    // Two-page responses never go to PNG; TIFF and PDF both appear.
    assert!(
        formats.contains("tif") && formats.contains("pdf"),
        "{formats:?}"
    );
    let truth = csv::Reader::from_path(out.join("truth.csv"))
        .unwrap()
        .into_records()
        .count();
    assert_eq!(truth, 6);
    let marks = std::fs::read_to_string(out.join("truth-marks.jsonl")).unwrap();
    assert_eq!(marks.lines().count(), 6);
    for l in marks.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(
            v["pages"].as_array().unwrap().len(),
            2,
            "chiba responses have two pages"
        );
    }
}

//! End-to-end: `faxform run` on the committed samples and on bad, repeated and interrupted
//! input. Checkbox cells are checked against truth, prefectures too; the other written
//! fields only for whether writing was found (their OCR accuracy is a benchmark figure).

use crate::common;

use common::{folder, root, table};
use faxform::run::{RunArgs, run};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn args(inputs: Vec<PathBuf>, out: &Path) -> RunArgs {
    RunArgs {
        inputs,
        out: out.to_path_buf(),
        templates: Some(root().join("templates")),
        jobs: Some(2),
        no_ocr: false,
        ocr_engine: faxform::ocr::OcrEngine::Ppocr,
        max_file_mb: 256,
        max_pages: 1000,
    }
}

#[test]
fn samples_match_truth_or_are_in_review() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = run(&args(vec![root().join("samples")], &out)).unwrap();
    assert_eq!(s.responses, 15, "10 hodanren + 5 chiba responses");
    let templates = faxform::template::load_all(&root().join("templates")).unwrap();
    let responses: HashMap<String, HashMap<String, String>> = table(&out.join("responses.csv"))
        .into_iter()
        .map(|r| (r["response_id"].clone(), r))
        .collect();
    let review: HashSet<(String, String)> = table(&out.join("review.csv"))
        .into_iter()
        .map(|r| (r["response_id"].clone(), r["column"].clone()))
        .collect();
    let (mut checked, mut reviewed) = (0, 0);
    for set in ["hodanren", "chiba"] {
        for t in table(&root().join("samples").join(set).join("truth.csv")) {
            // Ids are relative to the INPUT folder (samples/), truth's to its own folder.
            let rid = &format!("{set}/{}", t["response_id"]);
            let got = responses
                .get(rid)
                .unwrap_or_else(|| panic!("{rid} missing from responses.csv"));
            let tpl = templates.iter().find(|x| x.id == t["template"]).unwrap();
            for c in tpl
                .columns()
                .into_iter()
                .filter(|c| c.kind != faxform::template::ColumnKind::Text)
            {
                if t[&c.name] != got[&c.name] {
                    assert!(
                        review.contains(&(rid.clone(), c.name.clone())),
                        "{rid} {}: truth {:?}, read {:?}, and not in review.csv",
                        c.name,
                        t[&c.name],
                        got[&c.name]
                    );
                }
                checked += 1;
                reviewed += review.contains(&(rid.clone(), c.name.clone())) as usize;
            }
        }
    }
    assert_eq!(checked, 10 * 27 + 5 * 22);
    // A reader that sent everything to review would pass the above: bound the review. The
    // samples show every mark style, hard ones included, so more than a night's share is
    // expected (about 7 % when this bound was set).
    assert!(
        reviewed * 100 <= checked * 12,
        "{reviewed} of {checked} checkbox cells in review"
    );
    // Written fields: a prefecture is right or in review; writing is found where there is
    // some (a value or a review row), and blank fields stay empty.
    let mut written = 0;
    for set in ["hodanren", "chiba"] {
        for t in table(&root().join("samples").join(set).join("truth.csv")) {
            let rid = &format!("{set}/{}", t["response_id"]);
            let got = &responses[rid];
            let tpl = templates.iter().find(|x| x.id == t["template"]).unwrap();
            for c in tpl
                .columns()
                .into_iter()
                .filter(|c| c.kind == faxform::template::ColumnKind::Text)
            {
                let (truth, read) = (&t[&c.name], &got[&c.name]);
                let in_review = review.contains(&(rid.clone(), c.name.clone()));
                if truth.is_empty() {
                    assert!(
                        read.is_empty() || in_review,
                        "{rid} {}: blank, read {read:?}",
                        c.name
                    );
                    continue;
                }
                written += 1;
                assert!(
                    !read.is_empty() || in_review,
                    "{rid} {}: writing {truth:?} not found",
                    c.name
                );
                if c.name == "q1" && !in_review {
                    assert_eq!(read, truth, "{rid} q1 accepted but wrong");
                }
            }
        }
    }
    assert!(written >= 20, "{written} written fields in the samples");
    // Every review row has a crop inside the output folder.
    for r in table(&out.join("review.csv")) {
        if !r["image"].is_empty() {
            assert!(out.join(&r["image"]).is_file(), "{}", r["image"]);
        }
    }
    // Rejected: the three bad files, the three cover sheets and the blank back of the
    // sheet hodanren fax-00003 scanned back first (streaked by the sender's scanner, so
    // "blank" or "not a known form"), nothing else.
    let rejected = table(&out.join("rejected.csv"));
    let files: Vec<&str> = rejected.iter().map(|r| r["file"].as_str()).collect();
    assert_eq!(rejected.len(), 7, "{files:?}");
    assert_eq!(
        rejected
            .iter()
            .filter(|r| r["file"].contains("/bad/"))
            .count(),
        3
    );
    assert!(
        rejected
            .iter()
            .filter(|r| !r["file"].contains("/bad/"))
            .all(|r| (r["page"] == "1" && r["reason"].contains("known form"))
                || (r["file"].ends_with("hodanren/fax-00003.tif")
                    && r["page"] == "2"
                    && (r["reason"].contains("blank") || r["reason"].contains("known form"))))
    );
    // pages.csv: a row for every page of every decoded file; the header line's sender
    // read on half (the samples' small squashed headers are hard: 10 of 24 page by page,
    // 14 once the pages of each fax and the file names agree), and never the form's own
    // printed number (返信FAX 050-3183-9316) taken for it.
    let pages = table(&out.join("pages.csv"));
    let mut truth_senders = HashMap::new();
    for set in ["hodanren", "chiba"] {
        for t in table(&root().join("samples").join(set).join("truth-pages.csv")) {
            let file = format!("samples/{set}/{}", t["file"]);
            truth_senders.insert((file, t["page"].clone()), t["sender"].clone());
        }
    }
    assert_eq!(pages.len(), truth_senders.len(), "{pages:?}");
    let exact = pages
        .iter()
        .filter(|p| {
            let file = p["file"].trim_start_matches(&format!("{}/", root().display()));
            truth_senders.get(&(file.to_string(), p["page"].clone())) == Some(&p["sender"])
        })
        .count();
    assert!(
        exact * 2 >= pages.len(),
        "{exact} of {} senders read",
        pages.len()
    );
    assert!(
        pages.iter().all(|p| p["sender"] != "05031839316"),
        "{pages:?}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["responses"], 15);
    assert_eq!(report["rejected"], 7);
    assert!(report["seconds"]["stages"]["identify"].as_f64().unwrap() > 0.0);
}

fn rejected_reasons(out: &Path) -> HashMap<String, String> {
    table(&out.join("rejected.csv"))
        .into_iter()
        .map(|r| {
            (
                Path::new(&r["file"])
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                r["reason"].clone(),
            )
        })
        .collect()
}

#[test]
fn every_kind_of_bad_input_is_one_rejected_row_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = folder(tmp.path(), "inbox");
    let good = root().join("samples/hodanren/fax-00001.tif");
    std::fs::copy(&good, inbox.join("good.tif")).unwrap();
    std::fs::write(inbox.join("empty.tif"), b"").unwrap();
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(inbox.join("truncated.tif"), &bytes[..bytes.len() / 3]).unwrap();
    std::fs::write(
        inbox.join("garbage.pdf"),
        b"%PDF-1.4\nthis is not a PDF body",
    )
    .unwrap();
    // A PNG whose header claims 100000 x 100000 pixels.
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d".to_vec();
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    std::fs::write(inbox.join("huge.png"), &png).unwrap();
    // A valid PDF with a page but no image on it (a text-free blank page).
    let mut pdf = pdf_writer::Pdf::new();
    pdf.catalog(pdf_writer::Ref::new(1))
        .pages(pdf_writer::Ref::new(2));
    pdf.pages(pdf_writer::Ref::new(2))
        .kids([pdf_writer::Ref::new(3)])
        .count(1);
    pdf.page(pdf_writer::Ref::new(3))
        .media_box(pdf_writer::Rect::new(0.0, 0.0, 595.0, 842.0))
        .parent(pdf_writer::Ref::new(2));
    std::fs::write(inbox.join("noimage.pdf"), pdf.finish()).unwrap();
    std::fs::write(inbox.join("notes.txt"), "not a fax").unwrap();
    // A form page sent sideways.
    let png = image::open(root().join("samples/hodanren/fax-00005.png")).unwrap();
    png.rotate90().save(inbox.join("sideways.png")).unwrap();

    let out = tmp.path().join("out");
    // Through the binary, to check the exit status.
    let status = Command::new(env!("CARGO_BIN_EXE_faxform"))
        .args(["run"])
        .arg(&inbox)
        .arg("--out")
        .arg(&out)
        .arg("--templates")
        .arg(root().join("templates"))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        stdout.contains("skipped") && stdout.contains("notes.txt"),
        "{stdout}"
    );
    let reasons = rejected_reasons(&out);
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert!(reasons["empty.tif"].contains("empty"), "{reasons:?}");
    assert!(
        reasons["truncated.tif"].contains("truncated") || reasons["truncated.tif"].contains("TIFF"),
        "{reasons:?}"
    );
    assert!(reasons["garbage.pdf"].contains("PDF"), "{reasons:?}");
    assert!(
        reasons["huge.png"].contains("over the limit"),
        "{reasons:?}"
    );
    assert!(reasons["noimage.pdf"].contains("blank"), "{reasons:?}");
    let mut ids: Vec<String> = table(&out.join("responses.csv"))
        .into_iter()
        .map(|r| r["response_id"].clone())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["good.tif:1", "sideways.png:1"],
        "the good faxes are read"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let adjusted = report["this_run"]["pages_adjusted"].to_string();
    assert!(
        adjusted.contains("sideways.png page 1: turned 270°"),
        "{adjusted}"
    );
}

#[test]
fn second_run_skips_done_files_and_flags_a_fax_received_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = folder(tmp.path(), "inbox");
    for f in ["fax-00001.tif", "fax-00004.pdf"] {
        std::fs::copy(root().join("samples/hodanren").join(f), inbox.join(f)).unwrap();
    }
    let out = tmp.path().join("out");
    let first = run(&args(vec![inbox.clone()], &out)).unwrap();
    assert_eq!((first.responses, first.this_run.files_read), (3, 2));
    // The same fax arrives again under another name.
    std::fs::copy(
        inbox.join("fax-00001.tif"),
        inbox.join("fax-00001-resent.tif"),
    )
    .unwrap();
    let second = run(&args(vec![inbox.clone()], &out)).unwrap();
    assert_eq!(second.this_run.files_read, 0);
    assert_eq!(second.this_run.files_already_done, 2);
    assert_eq!(second.this_run.duplicates, 1);
    assert_eq!(second.responses, 3, "no response doubled");
    let reasons = rejected_reasons(&out);
    assert!(
        reasons["fax-00001-resent.tif"].contains("duplicate"),
        "{reasons:?}"
    );
    // A third run does not note the duplicate twice.
    run(&args(vec![inbox], &out)).unwrap();
    assert_eq!(rejected_reasons(&out).len(), 1);
    assert_eq!(table(&out.join("rejected.csv")).len(), 1);
}

#[test]
fn a_killed_run_resumes_without_losing_or_doubling_responses() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    faxform::synth::run(&faxform::synth::SynthArgs {
        template: "hodanren-2024-12-a".into(),
        count: 40,
        seed: 5,
        out: inbox.clone(),
        profile: faxform::synth::Profile::Fax,
        templates: root().join("templates"),
        showcase: false,
        first: 1,
        zoom: None,
        line: None,
        bold: None,
        rescan: false,
    })
    .unwrap();
    // The reference: one uninterrupted run.
    let clean = tmp.path().join("clean");
    run(&args(vec![inbox.clone()], &clean)).unwrap();
    let want = table(&clean.join("responses.csv"));

    // Kill a run once the store holds some files but not all.
    let out = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_faxform"))
        .args(["run", "--jobs", "1"])
        .arg(&inbox)
        .arg("--out")
        .arg(&out)
        .arg("--templates")
        .arg(root().join("templates"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let store = out.join("faxform.sqlite");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut killed_at = 0;
    while std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
        if let Ok(s) = faxform::store::Store::open(&store)
            && let Ok((files, _)) = s.file_count()
            && files >= 5
        {
            child.kill().unwrap();
            killed_at = files;
            break;
        }
    }
    child.wait().unwrap();
    assert!(killed_at >= 5, "the run was stopped part-way");
    let resumed = run(&args(vec![inbox], &out)).unwrap();
    assert!(resumed.this_run.files_already_done >= killed_at);
    let mut got = table(&out.join("responses.csv"));
    let mut want = want;
    let key = |r: &HashMap<String, String>| r["response_id"].clone();
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got.len(), 40);
    assert_eq!(got, want, "same responses as an uninterrupted run");
}

type Rows = Vec<HashMap<String, String>>;

/// Runs the binary on `input` with extra arguments and environment; returns the outputs.
fn run_binary(
    input: &Path,
    out: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Rows, Rows, serde_json::Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faxform"));
    cmd.arg("run")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--templates")
        .arg(root().join("templates"))
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    (
        table(&out.join("responses.csv")),
        table(&out.join("review.csv")),
        report,
    )
}

/// Text columns of a template, by name.
fn text_columns() -> HashSet<String> {
    faxform::template::load_all(&root().join("templates"))
        .unwrap()
        .iter()
        .flat_map(|t| t.columns())
        .filter(|c| c.kind == faxform::template::ColumnKind::Text)
        .map(|c| c.name)
        .collect()
}

#[test]
fn ocr_failure_or_no_ocr_leaves_checkbox_results_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let input = root().join("samples/hodanren");
    let (normal, _, report) = run_binary(&input, &tmp.path().join("normal"), &[], &[]);
    assert_eq!(report["fields"]["ocr"], true);
    assert!(report["fields"]["read"].as_u64().unwrap() > 10);
    // Tesseract cannot find its model: every written field is unread and sent to review.
    let empty = tmp.path().join("no-tessdata");
    std::fs::create_dir(&empty).unwrap();
    let (broken, broken_review, broken_report) = run_binary(
        &input,
        &tmp.path().join("broken"),
        &["--ocr-engine", "tesseract"],
        &[("TESSDATA_PREFIX", empty.to_str().unwrap())],
    );
    // PP-OCR's model is there but broken: the same.
    let bad_models = tmp.path().join("bad-models");
    std::fs::create_dir(&bad_models).unwrap();
    let models = faxform::ocr::ppocr::models_dir().expect("make setup fetches the models");
    std::fs::copy(
        models.join("libonnxruntime.so"),
        bad_models.join("libonnxruntime.so"),
    )
    .unwrap();
    std::fs::write(bad_models.join("ppocr-rec.onnx"), b"not a model").unwrap();
    let (bad, bad_review, bad_report) = run_binary(
        &input,
        &tmp.path().join("bad"),
        &[],
        &[("FAXFORM_MODELS", bad_models.to_str().unwrap())],
    );
    let (no_ocr, no_ocr_review, no_ocr_report) =
        run_binary(&input, &tmp.path().join("no-ocr"), &["--no-ocr"], &[]);
    let text = text_columns();
    let written = report["fields"]["written"].as_u64().unwrap() as usize;
    for (name, rows, review, rep) in [
        ("Tesseract failing", &broken, &broken_review, &broken_report),
        ("PP-OCR failing", &bad, &bad_review, &bad_report),
        ("--no-ocr", &no_ocr, &no_ocr_review, &no_ocr_report),
    ] {
        assert_eq!(rows.len(), normal.len(), "{name}");
        for a in &normal {
            let b = rows
                .iter()
                .find(|b| b["response_id"] == a["response_id"])
                .unwrap();
            for (k, v) in a {
                if text.contains(k) {
                    assert_eq!(b[k], "", "{name}: {} {k} has a value", a["response_id"]);
                } else if k != "status" {
                    assert_eq!(&b[k], v, "{name}: {} {k} changed", a["response_id"]);
                }
            }
        }
        let unread = rep["fields"]["unread"].as_array().unwrap();
        assert_eq!(unread.len(), written, "{name}: {unread:?}");
        let unread_in_review = review
            .iter()
            .filter(|r| r["reason"].starts_with("writing not read"))
            .count();
        if name == "--no-ocr" {
            assert_eq!(
                unread_in_review, 0,
                "--no-ocr sends nothing to review for it"
            );
        } else {
            assert_eq!(unread_in_review, written, "every unread field is in review");
            let why = if name.starts_with("Tesseract") {
                "could not load its 'jpn' model"
            } else {
                "ppocr-rec.onnx"
            };
            assert!(
                review.iter().any(|r| r["reason"].contains(why)),
                "{name}: the reason names the broken model"
            );
        }
    }
}

#[test]
fn without_the_ppocr_models_tesseract_reads_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("no-models");
    std::fs::create_dir(&empty).unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_faxform"))
        .arg("run")
        .arg(root().join("samples/chiba"))
        .arg("--out")
        .arg(&out)
        .arg("--templates")
        .arg(root().join("templates"))
        .env("FAXFORM_MODELS", &empty)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        stderr.matches("PP-OCR models are not installed").count(),
        1,
        "said once: {stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(report["fields"]["read"].as_u64().unwrap() > 0, "{report}");
    assert!(report["fields"]["unread"].as_array().unwrap().is_empty());
}

#[test]
fn a_fax_sent_twice_is_kept_and_flagged_for_review() {
    // The same pages sent again: another file, other bytes (re-encoded by libtiff's
    // tiffcp), the same sender on the header line and the same answers.
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let first = inbox.join("first.tif");
    std::fs::copy(root().join("samples/hodanren/fax-00002.tif"), &first).unwrap();
    // Re-encodes `first` as `name` with tiffcp's compression `c`.
    let resend = |name: &str, c: &str| {
        let to = inbox.join(name);
        let st = Command::new("tiffcp")
            .args(["-c", c])
            .arg(&first)
            .arg(&to)
            .status()
            .expect("tiffcp (libtiff-tools, installed by make setup)");
        assert!(st.success());
        to
    };
    let again = resend("again.tif", "lzw");
    assert_ne!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&again).unwrap()
    );
    let out = tmp.path().join("out");
    let (responses, review, _) = run_binary(&inbox, &out, &["--jobs", "1"], &[]);
    assert_eq!(responses.len(), 2, "both kept: {responses:?}");
    let pages = table(&out.join("pages.csv"));
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(
        !pages[0]["sender"].is_empty() && pages[0]["sender"] == pages[1]["sender"],
        "{pages:?}"
    );
    let flagged: Vec<_> = review
        .iter()
        .filter(|r| r["reason_code"] == "resent")
        .collect();
    assert_eq!(flagged.len(), 1, "{review:?}");
    let other = if flagged[0]["response_id"].starts_with("first") {
        "again"
    } else {
        "first"
    };
    assert!(flagged[0]["guess"].starts_with(other), "{flagged:?}");
    // A third copy the next night, into the same folder: flagged against the store's.
    resend("third.tif", "none");
    let (responses, review, _) = run_binary(&inbox, &out, &["--jobs", "1"], &[]);
    assert_eq!(responses.len(), 3);
    let flagged: Vec<_> = review
        .iter()
        .filter(|r| r["reason_code"] == "resent")
        .map(|r| r["response_id"].as_str())
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:?}");
    assert!(flagged.contains(&"third.tif:1"), "{flagged:?}");
}

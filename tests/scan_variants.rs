//! One received fax delivered as other machines and scanners deliver pages: superfine
//! (391 lines per inch), square 400 dpi, a 300 dpi grey scan as JPEG, as an 8-bit LZW
//! TIFF and as a JPEG-compressed (DCT) PDF, and a PNG with no resolution. Each is written
//! by an outside encoder (the `image` and `tiff` crates, libtiff's tiffcp and tiff2pdf),
//! not by faxform's own, and must read as the fax itself does: every cell the same, or
//! named in review.

use crate::common;

use common::{folder, root, run_no_ocr, synth_with, table, tool};
use faxform::ingest::{IngestOptions, PageImage, read_bytes};
use faxform::raster::{GrayImage, is_ink};
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use tiff::encoder::{Rational, TiffEncoder, colortype::Gray8};
use tiff::tags::ResolutionUnit;

/// An uncompressed 8-bit TIFF at `x_dpi` × `y_dpi` (tiffcp then recompresses it).
fn write_tiff(img: &GrayImage, (x_dpi, y_dpi): (u32, u32), path: &Path) {
    let mut file = std::fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(&mut file).unwrap();
    let mut page = enc.new_image::<Gray8>(img.width(), img.height()).unwrap();
    page.resolution_unit(ResolutionUnit::Inch);
    page.x_resolution(Rational { n: x_dpi, d: 1 });
    page.y_resolution(Rational { n: y_dpi, d: 1 });
    page.write_data(img.as_raw()).unwrap();
}

/// A bilevel G4 TIFF at `x_dpi` × `y_dpi`, made by libtiff's ppm2tiff from a PBM file
/// and its vertical resolution set by tiffset.
fn write_g4(img: &GrayImage, (x_dpi, y_dpi): (u32, u32), work: &Path, out: &Path) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut pbm = format!("P4\n{w} {h}\n").into_bytes();
    for row in img.as_raw().chunks_exact(w) {
        for eight in row.chunks(8) {
            pbm.push(
                eight
                    .iter()
                    .enumerate()
                    .fold(0u8, |b, (k, &v)| b | (u8::from(is_ink(v)) << (7 - k))),
            );
        }
    }
    let src = work.join("page.pbm");
    std::fs::write(&src, pbm).unwrap();
    let (src, out) = (src.to_str().unwrap(), out.to_str().unwrap());
    tool(
        "ppm2tiff",
        &["-c", "g4", "-R", &x_dpi.to_string(), src, out],
    );
    tool("tiffset", &["-s", "283", &y_dpi.to_string(), out]);
}

/// `img` (at `from` dpi across and down) at `to` dpi, sampled at the nearest pixel (a
/// fax machine's own resolution change) or bilinearly (a grey scan's soft edges).
fn rescale(img: &GrayImage, from: (f32, f32), to: (f32, f32), grey: bool) -> GrayImage {
    let w = (img.width() as f32 * to.0 / from.0).round() as u32;
    let h = (img.height() as f32 * to.1 / from.1).round() as u32;
    let filter = if grey {
        image::imageops::FilterType::Triangle
    } else {
        image::imageops::FilterType::Nearest
    };
    image::imageops::resize(img, w, h, filter)
}

/// An inbox in `dir` holding `original.tif`, the hodanren sample fax `name` with its
/// marks; a work folder beside it, and that fax's page.
fn the_original(dir: &Path, name: &str) -> (PathBuf, PathBuf, PageImage) {
    let (inbox, work) = (folder(dir, "inbox"), folder(dir, "work"));
    let src = root().join("samples/hodanren").join(name);
    std::fs::copy(&src, inbox.join("original.tif")).unwrap();
    let pages = read_bytes(&std::fs::read(&src).unwrap(), &IngestOptions::default()).unwrap();
    let page = pages.into_iter().next().unwrap().unwrap();
    (inbox, work, page)
}

/// [`the_original`] of fax-00001, a fine-resolution G3 fax (204 × 196 dpi).
fn the_fine_original(dir: &Path) -> (PathBuf, PathBuf, PageImage) {
    let (inbox, work, page) = the_original(dir, "fax-00001.tif");
    assert_eq!(
        (page.dpi_x, page.dpi_y),
        (204.0, 196.0),
        "the sample is a fine-resolution fax"
    );
    (inbox, work, page)
}

#[test]
fn a_fax_as_other_machines_and_scanners_deliver_it_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (inbox, work, page) = the_fine_original(dir.path());
    let at = |d: &Path, n: &str| d.join(n).to_str().unwrap().to_string();
    let dpi = (page.dpi_x, page.dpi_y);
    let img = page.image;

    // Superfine: every row twice, 391 lines per inch, G4.
    let fine = rescale(&img, dpi, (204.0, 392.0), false);
    write_g4(&fine, (204, 391), &work, &inbox.join("superfine.tif"));
    // A square 400 dpi bilevel page, G4.
    let square = rescale(&img, dpi, (400.0, 400.0), false);
    write_g4(&square, (400, 400), &work, &inbox.join("400dpi.tif"));
    // A 300 dpi grey scan of the printed fax: JPEG, 8-bit LZW TIFF, DCT PDF.
    let grey = rescale(&img, dpi, (300.0, 300.0), true);
    let mut jpeg = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut jpeg, 80);
    enc.set_pixel_density(PixelDensity::dpi(300));
    enc.encode_image(&grey).unwrap();
    std::fs::write(inbox.join("grey300.jpg"), &jpeg).unwrap();
    write_tiff(&grey, (300, 300), &work.join("grey.tif"));
    tool(
        "tiffcp",
        &[
            "-c",
            "lzw",
            &at(&work, "grey.tif"),
            &at(&inbox, "grey300-lzw.tif"),
        ],
    );
    tool(
        "tiff2pdf",
        &[
            "-j",
            "-q",
            "80",
            "-o",
            &at(&inbox, "grey300-dct.pdf"),
            &at(&work, "grey.tif"),
        ],
    );
    // A PNG with no resolution, 200 × 200 pixels to the inch.
    rescale(&img, dpi, (200.0, 200.0), false)
        .save(inbox.join("no-dpi.png"))
        .unwrap();

    read_as_the_original(
        &inbox,
        &dir.path().join("out"),
        &[
            "superfine.tif",
            "400dpi.tif",
            "grey300.jpg",
            "grey300-lzw.tif",
            "grey300-dct.pdf",
            "no-dpi.png",
        ],
        3,
    );
}

#[test]
fn a_standard_fax_its_server_stored_as_fine_reads_as_received() {
    // Fax servers and fax-to-mail gateways store a standard-resolution page (98 lines per
    // inch) as fine, every received row twice, or as superfine, four times.
    let dir = tempfile::tempdir().unwrap();
    let (inbox, work, page) = the_original(dir.path(), "fax-00002.tif");
    assert_eq!(page.dpi_y, 98.0, "the sample is a standard-resolution fax");
    let (dpi, img) = ((page.dpi_x, page.dpi_y), page.image);
    let twice = rescale(&img, dpi, (204.0, 196.0), false);
    assert_eq!(twice.height(), 2 * img.height(), "each row twice");
    write_g4(&twice, (204, 196), &work, &inbox.join("twice.tif"));
    let four = rescale(&img, dpi, (204.0, 392.0), false);
    write_g4(&four, (204, 391), &work, &inbox.join("four-times.tif"));
    // Read as the standard page received: not one review row more.
    read_as_the_original(
        &inbox,
        &dir.path().join("out"),
        &["twice.tif", "four-times.tif"],
        0,
    );
}

/// Reads `inbox` (`original.tif` and `variants` of it) into `out` and checks that no
/// page is rejected and every variant reads every cell as the original, or names it in
/// review, with at most `extra` more review rows.
fn read_as_the_original(inbox: &Path, out: &Path, variants: &[&str], extra: usize) {
    let r = run_no_ocr(&[inbox], out);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let rejected = table(&out.join("rejected.csv"));
    assert!(rejected.is_empty(), "rejected: {rejected:?}");
    let responses: HashMap<String, HashMap<String, String>> = table(&out.join("responses.csv"))
        .into_iter()
        .map(|row| (row["response_id"].clone(), row))
        .collect();
    let mut review: HashMap<String, HashSet<String>> = HashMap::new();
    for row in table(&out.join("review.csv")) {
        review
            .entry(row["response_id"].clone())
            .or_default()
            .insert(row["column"].clone());
    }
    let original = &responses["original.tif:1"];
    let looked_at = review.get("original.tif:1").map_or(0, HashSet::len);
    for v in variants {
        let id = format!("{v}:1");
        let got = responses
            .get(&id)
            .unwrap_or_else(|| panic!("{v}: no response"));
        let doubted = review.get(&id).cloned().unwrap_or_default();
        for (column, want) in original {
            if matches!(column.as_str(), "response_id" | "status") {
                continue;
            }
            assert!(
                got[column] == *want || doubted.contains(column),
                "{v}: {column} read {:?}, the fax itself {want:?}, with no review row",
                got[column]
            );
        }
        // A variant a person reads as easily needs few more looks than the fax.
        assert!(
            doubted.len() <= looked_at + extra,
            "{v}: {} review rows: {doubted:?}",
            doubted.len()
        );
    }
}

#[test]
fn a_sheet_laid_crooked_up_to_nine_degrees_reads_as_laid_straight() {
    // Beyond the 3° a fax feeder gives: a sheet laid crooked on a flatbed scanner, or
    // pushed in at an angle. Turned with the image crate's neighbours (bilinear, then
    // thresholded), about the page's centre, corners filled with paper.
    let dir = tempfile::tempdir().unwrap();
    let (inbox, work, page) = the_fine_original(dir.path());
    let img = page.image;
    let mut names = Vec::new();
    for deg in [-9.0f32, -7.0, 7.0, 9.0] {
        let turned = imageproc::geometric_transformations::rotate_about_center(
            &img,
            deg.to_radians(),
            imageproc::geometric_transformations::Interpolation::Bilinear,
            imageproc::geometric_transformations::Border::Constant(image::Luma([255])),
        );
        let name = format!("turned{deg}.tif");
        write_g4(&turned, (204, 196), &work, &inbox.join(&name));
        names.push(name);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    read_as_the_original(&inbox, &dir.path().join("out"), &names, 8);
}

#[test]
fn a_sheet_copied_reduced_or_enlarged_reads_as_the_sheet_itself() {
    // A form copied A4 to B5 (86 %) or printed "fit to page" before it was filled in and
    // sent, or enlarged: scaled about the page's centre (bilinear, then thresholded), the
    // page itself the same size. On fax-00002 (standard resolution) the column profile
    // alone matched a reduced copy best at a scale a tenth off, and its boxes were read at
    // the wrong places.
    for sample in ["fax-00001.tif", "fax-00002.tif"] {
        let dir = tempfile::tempdir().unwrap();
        let (inbox, work, page) = the_original(dir.path(), sample);
        let img = &page.image;
        let (cx, cy) = (img.width() as f32 / 2.0, img.height() as f32 / 2.0);
        let mut names = Vec::new();
        for zoom in [0.85f32, 0.9, 0.93, 1.12] {
            use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp};
            let about_centre = Projection::translate(cx, cy)
                * Projection::scale(zoom, zoom)
                * Projection::translate(-cx, -cy);
            let copied = warp(
                img,
                about_centre,
                Interpolation::Bilinear,
                Border::Constant(image::Luma([255])),
            );
            let name = format!("copied{zoom}.tif");
            let dpi = (page.dpi_x as u32, page.dpi_y as u32);
            write_g4(&copied, dpi, &work, &inbox.join(&name));
            names.push(name);
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        read_as_the_original(&inbox, &dir.path().join("out"), &names, 8);
    }
}

#[test]
fn a_sheet_fed_unevenly_reads_as_fed_evenly() {
    // A feeder that slips part way down the sheet, or a platen that drags: from a row on,
    // the rest of the page comes out squeezed or stretched, so that at its foot the print
    // sits a box or more from where a fit through the top puts it. A copy fitted from its
    // top so matched a column of boxes near its foot one box further down, every box
    // agreeing with the next, with no row (chiba, a second-chain copy). Page 1 of the
    // chiba samples fed so, page 2 as it came.
    for sample in ["fax-00101.tif", "fax-00102.tif"] {
        let dir = tempfile::tempdir().unwrap();
        let (inbox, work) = (folder(dir.path(), "inbox"), folder(dir.path(), "work"));
        let src = root().join("samples/chiba").join(sample);
        std::fs::copy(&src, inbox.join("original.tif")).unwrap();
        let pages: Vec<PageImage> =
            read_bytes(&std::fs::read(&src).unwrap(), &IngestOptions::default())
                .unwrap()
                .into_iter()
                .map(Result::unwrap)
                .collect();
        let (img, dpi) = (
            &pages[0].image,
            (pages[0].dpi_x as u32, pages[0].dpi_y as u32),
        );
        let second = work.join("second.tif");
        write_g4(&pages[1].image, dpi, &work, &second);
        let (w, h) = (img.width(), img.height());
        let mut names = Vec::new();
        for (from, k) in FED {
            let y0 = from * h as f32;
            // Received row y shows the sheet's row y0 + (y - y0) / k below y0.
            let fed = GrayImage::from_fn(w, h, |x, y| {
                let y = y as f32;
                let src = if y < y0 { y } else { y0 + (y - y0) / k };
                if (src as u32) < h {
                    *img.get_pixel(x, src as u32)
                } else {
                    image::Luma([255])
                }
            });
            let first = work.join("first.tif");
            write_g4(&fed, dpi, &work, &first);
            let name = format!("fed{from}-{k}.tif");
            let both =
                [&first, &second, &inbox.join(&name)].map(|p| p.to_str().unwrap().to_string());
            tool("tiffcp", &[&both[0], &both[1], &both[2]]);
            names.push(name);
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        // What is asked of these pages is no cell read wrong without a row: a column
        // placed a box off goes to a person whole, so rows are not counted.
        read_as_the_original(&inbox, &dir.path().join("out"), &names, 100);
    }
}

/// Where the feed went wrong (share of the page's height) and how the rest came out
/// (received rows per sheet row).
const FED: [(f32, f32); 8] = [
    (0.3, 0.95),
    (0.4, 0.93),
    (0.4, 0.9),
    (0.5, 0.9),
    (0.5, 0.88),
    (0.35, 1.06),
    (0.5, 1.08),
    (0.6, 0.85),
];

/// The cells of the ticks synth made on an option's words, away from its box
/// (`label_tick`), as score names them: a single choice's `file:page qN: truth "c"` and a
/// multiple choice's `file:page qN_c:`.
fn label_tick_cells(corpus: &Path) -> Vec<(String, String)> {
    let truth = std::fs::read_to_string(corpus.join("truth-marks.jsonl")).unwrap();
    let mut out = Vec::new();
    for line in truth.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let rid = v["response_id"].as_str().unwrap();
        for m in v["marks"].as_array().unwrap() {
            if m["style"] == "label_tick" {
                let (q, c) = (m["question"].as_str().unwrap(), m["code"].as_u64().unwrap());
                out.push((
                    format!("{rid} {q}: truth \"{c}\""),
                    format!("{rid} {q}_{c}:"),
                ));
            }
        }
    }
    out
}

/// 24 synthetic hodanren faxes (`seed`, `profile`, with `extra` synth options) read
/// with no form page rejected, no response lost and no cell wrong unasked; the score, for
/// more checks. Ticks made on an option's words, away from its box, are a class of their
/// own (about one in twenty read blank with no review row; README, Known limits): those
/// are allowed, up to half of the set's.
fn synthetic_set_reads_with_nothing_wrong_unasked(
    seed: &str,
    profile: &str,
    extra: &[&str],
) -> faxform::score::Score {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = folder(tmp.path(), "corpus");
    synth_with(
        &root().join("templates"),
        "hodanren-2024-12-a",
        "24",
        seed,
        Some(profile),
        extra,
        &corpus,
    );
    let out = tmp.path().join("out");
    let r = run_no_ocr(&[&corpus], &out);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let templates = faxform::template::load_all(&root().join("templates")).unwrap();
    let s = faxform::score::score(&corpus, &out, &templates).unwrap();
    assert_eq!(
        s.form_pages_rejected,
        0,
        "{:?}",
        table(&out.join("rejected.csv"))
    );
    assert!(s.responses_missing.is_empty(), "{:?}", s.responses_missing);
    let ticks = label_tick_cells(&corpus);
    let (on_labels, others): (Vec<&String>, Vec<&String>) =
        s.wrong_examples.iter().partition(|e| {
            ticks
                .iter()
                .any(|(a, b)| e.starts_with(a) || e.starts_with(b))
        });
    assert_eq!(s.checkbox_cells_wrong, s.wrong_examples.len());
    assert!(others.is_empty(), "{others:?}");
    assert!(
        on_labels.len() * 2 <= ticks.len(),
        "{on_labels:?} of {} ticks on labels",
        ticks.len()
    );
    s
}

#[test]
fn synthetic_sheets_copied_a4_to_b5_lose_no_page_and_read_no_box_wrong_unasked() {
    // `faxform synth --zoom 0.86`: every sheet copied A4 to B5 before it was filled in
    // and sent, through the harsh chain (its paper feed shrinks or stretches it 4 % more,
    // standard resolution on most pages, speckle and line errors). Pages of the form
    // scored 0.32-0.54 at the feed's scales and were rejected; with each axis searched
    // alone, the copier's scales put the boxes of 2 responses in 24 at the wrong places,
    // 12 cells read wrong with no review row.
    synthetic_set_reads_with_nothing_wrong_unasked("77", "harsh", &["--zoom", "0.86"]);
}

#[test]
fn faxes_from_a_machine_set_to_dark_read_no_empty_box_as_marked_unasked() {
    // `faxform synth --bold 1`: every stroke a pixel bolder to the right and down (two
    // rows at 200 dpi on a standard-resolution page), through the harsh chain. The boxes'
    // sides and their labels' print leave slivers the grown print does not explain, and
    // next to dense labels they passed for light ticks: 6 empty boxes read as marked with
    // no review row before the page's boldness was measured (`marks::boldness`).
    synthetic_set_reads_with_nothing_wrong_unasked("83", "harsh", &["--bold", "1"]);
}

#[test]
fn an_a4_sheet_sent_from_a_b4_machine_reads_as_from_an_a4_one() {
    // `faxform synth --line 2048`: every fax sent from a B4 machine, the A4 sheet in the
    // middle of a 2048-pixel line, its edge often grey against the lid. The edge band,
    // 20 mm inside the image, was not cleared as a shadow and outweighed the form in the
    // column profile; identification then placed the form a few characters to one side
    // (Japanese text on a fixed pitch matches there too) and the boxes landed on label
    // glyphs: 7 cells read wrong with no review row and 17 % of cells to review.
    let s = synthetic_set_reads_with_nothing_wrong_unasked("79", "fax", &["--line", "2048"]);
    assert!(
        s.checkbox_cells_review * 10 < s.checkbox_cells,
        "{} of {} cells to review",
        s.checkbox_cells_review,
        s.checkbox_cells
    );
}

#[test]
fn faxes_printed_and_scanned_back_in_grey_read_as_the_faxes_themselves() {
    // `faxform synth --rescan`: every fax printed on A4 at the receiving office and
    // scanned back at 300 dpi grey (PDF of JPEGs, LZW TIFF or PNG), soft-edged, on paper
    // that is not white, with sensor noise. The same 24 faxes read as sent for the
    // baseline. Read as grey and cut at mid-grey (before normalise::binarise), this set
    // needed 61 cells reviewed against the faxes' 21; a blot of fax speckle that the blur
    // joined into one dot was read as a lone light mark with no review row (marks::alone,
    // DOT_SPAN) on a larger set. The sheet sent from an A4 line: a B4 or A3 line printed on
    // A4 is reduced to 79 or 67 % (the first reads as a copy, the second is rejected).
    let s = synthetic_set_reads_with_nothing_wrong_unasked(
        "21",
        "fax",
        &["--line", "1728", "--rescan"],
    );
    let fax = synthetic_set_reads_with_nothing_wrong_unasked("21", "fax", &["--line", "1728"]);
    assert!(
        s.checkbox_cells_review * 2 <= fax.checkbox_cells_review * 3,
        "{} cells to review on the grey scans, {} on the faxes",
        s.checkbox_cells_review,
        fax.checkbox_cells_review
    );
}

#[test]
fn writing_on_faxes_printed_and_scanned_back_in_grey_is_read_in_its_shades() {
    // 12 hodanren faxes printed and rescanned (`synth --rescan`), read with PP-OCR. Made
    // black and white, a thin stroke that the fax made and the scan left pale reads worse:
    // 10 of 12 prefectures were read exactly and accepted from the black-and-white field,
    // 12 from its shades (ocr::prepare::shaded).
    let tmp = tempfile::tempdir().unwrap();
    let corpus = folder(tmp.path(), "corpus");
    let templates = root().join("templates");
    let extra = ["--line", "1728", "--rescan"];
    synth_with(
        &templates,
        "hodanren-2024-12-a",
        "12",
        "21",
        None,
        &extra,
        &corpus,
    );
    let out = tmp.path().join("out");
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_faxform"))
        .arg("run")
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "2", "--templates"])
        .arg(&templates)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let all = faxform::template::load_all(&templates).unwrap();
    let t = faxform::score::score(&corpus, &out, &all).unwrap().text;
    assert_eq!(t.prefecture_filled, 12, "{:?}", t.examples);
    assert_eq!(t.prefecture_wrong_accepted, 0, "{:?}", t.examples);
    // The bar for prefectures: 90 % exact and accepted.
    assert!(
        t.prefecture_exact_accepted * 10 >= t.prefecture_filled * 9,
        "{} of {} prefectures exact and accepted: {:?}",
        t.prefecture_exact_accepted,
        t.prefecture_filled,
        t.examples
    );
    assert!(t.cer() <= 0.15, "comment CER {:.3}", t.cer());
}

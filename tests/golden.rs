//! The pictures faxform draws, against reference renderings in tests/golden/: the
//! template check overlay and the review crops. A picture that differs fails the test
//! and is saved, with an image of where it differs, under target/golden-failures/.
//! After a change that is meant to alter a picture, look at the saved ones and make them
//! the references with `FAXFORM_BLESS=1 cargo test --release --test golden`.
use crate::common;

use common::{root, run_no_ocr};
use image::{Rgb, RgbImage};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    root().join("tests").join("golden")
}

fn failures_dir() -> PathBuf {
    root().join("target").join("golden-failures")
}

/// Compares `actual` with the reference `name`.png, pixel for pixel.
fn compare(name: &str, actual: &RgbImage) {
    let reference = golden_dir().join(format!("{name}.png"));
    if std::env::var_os("FAXFORM_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        actual.save(&reference).unwrap();
        return;
    }
    let expected = image::open(&reference)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (make it with FAXFORM_BLESS=1 after checking the picture)",
                reference.display()
            )
        })
        .to_rgb8();
    let same_size = expected.dimensions() == actual.dimensions();
    let differing = if same_size {
        expected
            .pixels()
            .zip(actual.pixels())
            .filter(|(a, b)| a != b)
            .count()
    } else {
        usize::MAX
    };
    if differing == 0 {
        return;
    }
    std::fs::create_dir_all(failures_dir()).unwrap();
    let saved = failures_dir().join(format!("{name}.actual.png"));
    actual.save(&saved).unwrap();
    if same_size {
        let diff = RgbImage::from_fn(actual.width(), actual.height(), |x, y| {
            if expected.get_pixel(x, y) == actual.get_pixel(x, y) {
                let v = expected.get_pixel(x, y).0[0] / 2 + 127;
                Rgb([v, v, v])
            } else {
                Rgb([255, 0, 0])
            }
        });
        diff.save(failures_dir().join(format!("{name}.diff.png")))
            .unwrap();
    }
    panic!(
        "{name}: the drawing differs from {} ({} pixels{}); saved {}",
        reference.display(),
        if same_size {
            differing.to_string()
        } else {
            "all".into()
        },
        if same_size {
            String::new()
        } else {
            format!(
                ", size {:?} vs {:?}",
                actual.dimensions(),
                expected.dimensions()
            )
        },
        saved.display()
    );
}

#[test]
fn template_check_overlay_matches_its_reference() {
    let templates = faxform::template::load_all(&root().join("templates")).unwrap();
    // (template, page, where the band compared starts, in tenths of the page's height)
    for (id, page, from) in [("hodanren-2024-12-a", 1, 4), ("chiba-2023-05-a", 2, 1)] {
        let t = templates.iter().find(|t| t.id == id).unwrap();
        let base = t.reference_image(page).unwrap();
        let drawn = faxform::template::overlay::draw_page(t, page, &base).unwrap();
        // A band of the page with boxes, labels and a write-in field keeps the reference
        // small; the drawing is the same everywhere.
        let (w, h) = drawn.dimensions();
        let band = image::imageops::crop_imm(&drawn, 0, h * from / 10, w, h / 4).to_image();
        compare(&format!("overlay-{id}-p{page}"), &band);
    }
}

#[test]
fn review_crops_match_their_references() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // A sample with several review items: a single-choice question and options of a
    // multiple-choice one.
    let input = root()
        .join("samples")
        .join("hodanren")
        .join("fax-00002.tif");
    let run = run_no_ocr(&[&input], &out);
    assert!(run.status.success(), "{run:?}");
    let rows = common::table(&out.join("review.csv"));
    assert!(rows.len() >= 3, "{rows:?}");
    for r in rows {
        let crop = image::open(out.join(&r["image"])).unwrap().to_rgb8();
        compare(&format!("crop-hodanren-00002-{}", r["column"]), &crop);
    }
}

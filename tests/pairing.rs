//! Pages of a response are put together by what each page is, not by where it lies in the
//! file: sheets scanned back first, blank backs between pages, and a page that never
//! arrived. The files are rearranged by libtiff's own tools from a two-page sample fax.

use crate::common;

use common::{root, run_no_ocr, table, tool};
use std::collections::HashMap;

/// The checkbox cells of a response row (columns q<n> and q<n>_<code> with codes).
fn boxes(row: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut v: Vec<_> = row
        .iter()
        .filter(|(k, _)| k.starts_with('q') && !k.ends_with("_other") && !k.ends_with("_text"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn back_first_scans_blank_backs_and_missing_pages() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let src = root().join("samples/chiba/fax-00101.tif");
    tool("tiffsplit", &[src.to_str().unwrap(), &d("side-")]);
    let (p1, p2) = (d("side-aaa.tif"), d("side-aab.tif"));
    // A white page as a scanner sends a sheet's empty back (8-bit grey, 1728 wide).
    std::fs::write(d("white.raw"), vec![255u8; 1728 * 1100]).unwrap();
    tool(
        "raw2tiff",
        &[
            "-w",
            "1728",
            "-l",
            "1100",
            "-p",
            "minisblack",
            &d("white.raw"),
            &d("white.tif"),
        ],
    );

    let folder = common::folder(dir.path(), "in");
    let f = |n: &str| folder.join(n).to_str().unwrap().to_string();
    tool("tiffcp", &[&src.to_string_lossy(), &f("upright.tif")]);
    tool("tiffcp", &[&p2, &p1, &p2, &p1, &f("backfirst.tif")]);
    tool(
        "tiffcp",
        &[&p1, &d("white.tif"), &p2, &d("white.tif"), &f("backs.tif")],
    );
    tool("tiffcp", &[&p1, &f("front-only.tif")]);
    let out = dir.path().join("out");
    let o = run_no_ocr(&[&folder], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let rows: HashMap<String, HashMap<String, String>> = table(&out.join("responses.csv"))
        .into_iter()
        .map(|r| (r["response_id"].clone(), r))
        .collect();
    let mut ids: Vec<&String> = rows.keys().collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "backfirst.tif:1",
            "backfirst.tif:3",
            "backs.tif:1",
            "front-only.tif:1",
            "upright.tif:1"
        ],
        "responses"
    );
    let want = boxes(&rows["upright.tif:1"]);
    for id in ["backfirst.tif:1", "backfirst.tif:3", "backs.tif:1"] {
        assert_eq!(boxes(&rows[id]), want, "{id}");
    }

    // The page that never arrived: its cells empty, each with a review row saying so;
    // page 1's cells as read.
    let review = table(&out.join("review.csv"));
    let missing: Vec<&String> = review
        .iter()
        .filter(|r| r["response_id"] == "front-only.tif:1" && r["reason"].contains("missing"))
        .map(|r| &r["column"])
        .collect();
    let front = &rows["front-only.tif:1"];
    let mut on_page_2 = 0;
    for (col, value) in boxes(front) {
        let upright = &rows["upright.tif:1"][&col];
        if missing.contains(&&col) {
            on_page_2 += 1;
            assert_eq!(value, "", "{col} of the missing page");
        } else {
            assert_eq!(&value, upright, "{col} of the page that arrived");
        }
    }
    // chiba page 2: q9, q10 and q11_1..q11_5 (and q12, a write-in).
    assert!(
        on_page_2 >= 7,
        "checkbox columns of page 2 in review: {on_page_2}"
    );
    for review_free in ["backfirst.tif:1", "backfirst.tif:3", "backs.tif:1"] {
        assert!(
            !review
                .iter()
                .any(|r| r["response_id"] == review_free && r["reason"].contains("missing")),
            "{review_free} is complete"
        );
    }
}

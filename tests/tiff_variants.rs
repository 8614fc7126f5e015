//! TIFF variants written by libtiff's own tools (tiffcp, tiffset, raw2tiff, ppm2tiff,
//! tiffmedian), not by faxform's encoder, so that a mistake made symmetrically in our
//! writer and reader cannot pass: each must decode to the same pixels as the sample it was
//! made from.

use crate::common;

use common::{root, tool};
use faxform::ingest::{IngestOptions, read_bytes};
use faxform::raster::GrayImage;
use std::path::Path;

fn decode(path: &Path) -> Vec<GrayImage> {
    let bytes = std::fs::read(path).unwrap();
    read_bytes(&bytes, &IngestOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .map(|p| {
            p.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .image
        })
        .collect()
}

/// Pixels that differ between two images of the same size (`None` when sizes differ).
fn differing(a: &GrayImage, b: &GrayImage) -> Option<usize> {
    (a.dimensions() == b.dimensions()).then(|| {
        a.as_raw()
            .iter()
            .zip(b.as_raw())
            .filter(|(x, y)| x.abs_diff(**y) > 1)
            .count()
    })
}

#[test]
fn libtiff_writers_decode_to_the_same_page() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    // A two-page G4 fax (min-is-white, as fax servers write it).
    let src = root().join("samples/chiba/fax-00101.tif");
    let src = src.to_str().unwrap();
    let want = decode(Path::new(src));
    assert_eq!(want.len(), 2);

    let mut cases: Vec<(String, Vec<&str>)> = Vec::new();
    for (name, c) in [
        ("none", "none"),
        ("packbits", "packbits"),
        ("lzw", "lzw"),
        ("zip", "zip"),
        ("g3", "g3"),
        ("g3-2d", "g3:2d"),
    ] {
        cases.push((format!("{name}.tif"), vec!["-c", c]));
        cases.push((format!("{name}-fo2.tif"), vec!["-f", "lsb2msb", "-c", c]));
    }
    cases.push((
        "tiled-g4.tif".into(),
        vec!["-c", "g4", "-t", "-w", "512", "-l", "512"],
    ));
    cases.push((
        "tiled-none.tif".into(),
        vec!["-c", "none", "-t", "-w", "256", "-l", "256"],
    ));
    cases.push(("strips-g4.tif".into(), vec!["-c", "g4", "-r", "64"]));
    cases.push(("bigendian-lzw.tif".into(), vec!["-B", "-c", "lzw"]));
    let mut failures = Vec::new();
    for (name, args) in &cases {
        let out = d(name);
        let mut a: Vec<&str> = args.clone();
        a.push(src);
        a.push(&out);
        tool("tiffcp", &a);
        let got = std::panic::catch_unwind(|| decode(Path::new(&out)));
        match got {
            Err(_) => failures.push(format!("{name}: not decoded")),
            Ok(got) => {
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    match differing(g, w) {
                        Some(0) => {}
                        other => {
                            failures.push(format!("{name} page {}: {other:?} pixels differ", i + 1))
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn orientation_and_photometric_variants_from_libtiff_tools() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let src = root().join("samples/hodanren/fax-00001.tif");
    let want = decode(&src).remove(0);
    let (w, h) = want.dimensions();

    // Orientation 6 (rows are the page's right-hand column): the page is turned to be
    // shown as stored. Written by tiffset on a tiffcp copy.
    let o = d("orient6.tif");
    tool("tiffcp", &["-c", "g4", src.to_str().unwrap(), &o]);
    tool("tiffset", &["-s", "274", "6", &o]);
    let got = decode(Path::new(&o)).remove(0);
    let turned = image::imageops::rotate90(&want);
    assert_eq!(differing(&got, &turned), Some(0), "orientation 6");

    // 8-bit grey, min-is-black, from raw samples (raw2tiff), and RGB from a PPM
    // (ppm2tiff), and an 8-bit palette made from it (tiffmedian).
    let raw = d("page.raw");
    std::fs::write(&raw, want.as_raw()).unwrap();
    let grey = d("grey.tif");
    let (ws, hs) = (w.to_string(), h.to_string());
    tool(
        "raw2tiff",
        &[
            "-w",
            &ws,
            "-l",
            &hs,
            "-d",
            "byte",
            "-p",
            "minisblack",
            "-c",
            "lzw",
            &raw,
            &grey,
        ],
    );
    let ppm = d("page.ppm");
    let mut p = format!("P6\n{w} {h}\n255\n").into_bytes();
    for &v in want.as_raw() {
        p.extend_from_slice(&[v, v, v]);
    }
    std::fs::write(&ppm, p).unwrap();
    let rgb = d("rgb.tif");
    tool("ppm2tiff", &["-c", "packbits", &ppm, &rgb]);
    let pal = d("palette.tif");
    tool("tiffmedian", &["-C", "16", &rgb, &pal]);
    for f in [&grey, &rgb] {
        let got = decode(Path::new(f)).remove(0);
        assert_eq!(differing(&got, &want), Some(0), "{f}");
    }
    // tiffmedian picks its own colours (white may become 248): compare ink with paper.
    let ink = |g: &GrayImage| {
        GrayImage::from_fn(g.width(), g.height(), |x, y| {
            image::Luma([if g.get_pixel(x, y).0[0] < 128 { 0 } else { 255 }])
        })
    };
    let got = decode(Path::new(&pal)).remove(0);
    assert_eq!(differing(&ink(&got), &want), Some(0), "{pal}");
}

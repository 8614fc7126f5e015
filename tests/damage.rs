//! Damage: a fax server's folder holds whatever arrived. A generator makes truncated,
//! bit-flipped, zeroed, wrongly named and absurdly tagged variants of the samples (and the
//! cases that once ended the whole batch); `faxform run` must exit 0, write its CSVs, and
//! account for every page of every file with a response or a rejected row. The page counts
//! come from outside tools (libtiff's tiffdump, poppler's pdfinfo), not from faxform.

use crate::common;

use common::{folder, root, run_no_ocr as run, table};
use faxform::encode::{FaxPage, Scheme, tiff_out};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small deterministic generator (xorshift64*), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Truncated, bit-flipped, zeroed and wrongly named variants of one file.
fn variants(name: &str, bytes: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let (stem, ext) = name.rsplit_once('.').unwrap();
    let mut out = Vec::new();
    for f in [0.05, 0.3, 0.6, 0.9, 0.99] {
        let n = (bytes.len() as f64 * f) as usize;
        out.push((
            format!("{stem}-cut{}.{ext}", (f * 100.0) as u32),
            bytes[..n].to_vec(),
        ));
    }
    for (i, flips) in [1usize, 1, 8, 8, 64, 64].into_iter().enumerate() {
        let mut b = bytes.to_vec();
        for _ in 0..flips {
            let at = rng.below(b.len());
            b[at] ^= 1 << rng.below(8);
        }
        out.push((format!("{stem}-flip{i}.{ext}"), b));
    }
    for i in 0..3 {
        let mut b = bytes.to_vec();
        let at = rng.below(b.len());
        let end = (at + 1024).min(b.len());
        b[at..end].fill(0);
        out.push((format!("{stem}-zero{i}.{ext}"), b));
    }
    let wrong = match ext {
        "tif" => "pdf",
        "pdf" => "png",
        _ => "tif",
    };
    out.push((format!("{stem}-named.{wrong}"), bytes.to_vec()));
    out.push((format!("{stem}-noext"), bytes.to_vec()));
    out
}

/// Little-endian classic TIFF: the offset of tag `tag`'s entry in the first directory.
fn tiff_entry(b: &[u8], tag: u16) -> Option<usize> {
    let ifd = u32::from_le_bytes(b[4..8].try_into().ok()?) as usize;
    let n = u16::from_le_bytes(b[ifd..ifd + 2].try_into().ok()?) as usize;
    (0..n)
        .map(|i| ifd + 2 + 12 * i)
        .find(|&e| u16::from_le_bytes([b[e], b[e + 1]]) == tag)
}

/// Sets a TIFF's X and Y resolution (rationals) and unit (2 inch, 3 cm).
fn tiff_with_resolution(b: &[u8], num: u32, den: u32, unit: u16) -> Vec<u8> {
    let mut b = b.to_vec();
    for tag in [282u16, 283] {
        let e = tiff_entry(&b, tag).expect("resolution tag");
        let off = u32::from_le_bytes(b[e + 8..e + 12].try_into().unwrap()) as usize;
        b[off..off + 4].copy_from_slice(&num.to_le_bytes());
        b[off + 4..off + 8].copy_from_slice(&den.to_le_bytes());
    }
    if let Some(e) = tiff_entry(&b, 296) {
        b[e + 8..e + 10].copy_from_slice(&unit.to_le_bytes());
    }
    b
}

/// A PNG with its pHYs chunk replaced by one stating `ppm` pixels per metre.
fn png_with_density(b: &[u8], ppm: u32) -> Vec<u8> {
    let at = b.windows(4).position(|w| w == b"pHYs").expect("pHYs") - 4;
    let mut body = b"pHYs".to_vec();
    body.extend_from_slice(&ppm.to_be_bytes());
    body.extend_from_slice(&ppm.to_be_bytes());
    body.push(1);
    let mut out = b[..at].to_vec();
    out.extend_from_slice(&9u32.to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    out.extend_from_slice(&b[at + 21..]);
    out
}

/// A PDF whose one page shows a CCITT image stated as `w`×`h` pixels; `count` is what its
/// page tree declares (it has one page object).
fn pdf_with_image(w: i32, h: i32, count: i32, data: &[u8]) -> Vec<u8> {
    pdf_with(w, h, count, data, pdf_writer::Filter::CcittFaxDecode)
}

/// As [`pdf_with_image`], with the image's data under `filter`.
fn pdf_with(w: i32, h: i32, count: i32, data: &[u8], filter: pdf_writer::Filter) -> Vec<u8> {
    use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};
    let mut pdf = Pdf::new();
    let (cat, pages, page, img, content) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
    );
    pdf.catalog(cat).pages(pages);
    pdf.pages(pages).kids([page]).count(count);
    let mut p = pdf.page(page);
    // An A4 page (595 × 842 pt), the image filling it.
    p.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
        .parent(pages)
        .contents(content);
    p.resources().x_objects().pair(Name(b"Im0"), img);
    p.finish();
    let mut x = pdf.image_xobject(img, data);
    x.filter(filter);
    x.width(w);
    x.height(h);
    x.color_space().device_gray();
    if filter == Filter::CcittFaxDecode {
        x.bits_per_component(1);
        x.decode_parms()
            .pair(Name(b"K"), -1)
            .pair(Name(b"Columns"), w);
    } else {
        x.bits_per_component(8);
    }
    x.finish();
    pdf.stream(content, b"q 595 0 0 842 0 0 cm /Im0 Do Q");
    pdf.finish()
}

/// The first page of a sample, decoded, as a bilevel fax page.
fn sample_page(rel: &str) -> FaxPage {
    let bytes = std::fs::read(root().join(rel)).unwrap();
    let p = faxform::ingest::read_bytes(&bytes, &Default::default()).unwrap()[0]
        .clone()
        .unwrap();
    FaxPage {
        width: p.image.width() as usize,
        height: p.image.height() as usize,
        pixels: p.image.as_raw().iter().map(|&v| v < 128).collect(),
        dpi_x: p.dpi_x,
        dpi_y: p.dpi_y,
    }
}

/// Pages of a file as outside tools count them: TIFF directories by tiffdump, PDF pages
/// by pdfinfo, one for a PNG or JPEG by its signature. `None` when no page is found.
fn outside_pages(path: &Path) -> Option<usize> {
    let head = std::fs::read(path).ok()?;
    let n = if head.starts_with(b"II") || head.starts_with(b"MM") {
        let out = Command::new("tiffdump").arg(path).output().ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("Directory "))
            .count()
    } else if head.windows(5).take(1024).any(|w| w == b"%PDF-") {
        let out = Command::new("pdfinfo").arg(path).output().ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    } else if head.starts_with(b"\x89PNG") || head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        1
    } else {
        0
    };
    (n > 0).then_some(n)
}

/// Reasons that may refuse a whole file even when it declares pages.
fn whole_file_reason_allowed(reason: &str) -> bool {
    ["over the limit", "empty file", "duplicate"]
        .iter()
        .any(|r| reason.contains(r))
}

/// Checks that every file in `files` is accounted for page by page.
fn check_accounting(out: &Path, files: &[PathBuf]) {
    let rejected = table(&out.join("rejected.csv"));
    let store = faxform::store::Store::open_existing(out).unwrap();
    let mut covered: HashMap<String, BTreeSet<usize>> = HashMap::new();
    for (path, _, pages) in store.response_pages().unwrap() {
        covered.entry(path).or_default().extend(pages);
    }
    let mut whole: HashMap<String, String> = HashMap::new();
    for r in &rejected {
        assert!(
            !r["reason"].contains("internal error"),
            "a panic inside faxform: {r:?}"
        );
        match r["page"].parse::<usize>() {
            Ok(p) => {
                covered.entry(r["file"].clone()).or_default().insert(p);
            }
            Err(_) => {
                whole.insert(r["file"].clone(), r["reason"].clone());
            }
        }
    }
    for f in files {
        let shown = f.display().to_string();
        let got = covered.get(&shown).cloned().unwrap_or_default();
        let is_image = {
            let h = std::fs::read(f).unwrap_or_default();
            h.starts_with(b"\x89PNG") || h.starts_with(&[0xFF, 0xD8, 0xFF])
        };
        match (outside_pages(f), whole.get(&shown)) {
            (_, Some(reason))
                if got.is_empty() && (is_image || whole_file_reason_allowed(reason)) => {}
            (None, w) => assert!(
                w.is_some() || !got.is_empty(),
                "{shown}: no page found by outside tools, and faxform says nothing of it"
            ),
            (Some(n), w) => {
                let missing: Vec<usize> = (1..=n).filter(|p| !got.contains(p)).collect();
                assert!(
                    missing.is_empty(),
                    "{shown}: {n} pages by outside tools, pages {missing:?} neither read nor rejected (file row: {w:?})"
                );
            }
        }
    }
}

#[test]
fn a_damaged_folder_is_read_to_the_end_and_every_page_is_accounted_for() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = folder(tmp.path(), "inbox");
    let mut rng = Rng(0x5eed_fa11);
    let bases = [
        "samples/hodanren/fax-00001.tif",
        "samples/chiba/fax-00103.tif",
        "samples/hodanren/fax-00004.pdf",
        "samples/chiba/fax-00104.pdf",
        "samples/hodanren/fax-00005.png",
    ];
    for b in bases {
        let bytes = std::fs::read(root().join(b)).unwrap();
        let name = Path::new(b).file_name().unwrap().to_str().unwrap();
        for (n, v) in variants(name, &bytes, &mut rng) {
            std::fs::write(inbox.join(n), v).unwrap();
        }
    }
    // Absurdly tagged: 1 dpi, 0.01 dpi, 4e9 dpi, 0.01 pixels per cm; a PNG of 1 pixel per
    // metre and one of 2,000,000 dpi. Each is still the form page it was.
    let tif = std::fs::read(root().join("samples/hodanren/fax-00002.tif")).unwrap();
    let tagged = [
        ("dpi-1.tif", tiff_with_resolution(&tif, 1, 1, 2)),
        ("dpi-0.01.tif", tiff_with_resolution(&tif, 1, 100, 2)),
        (
            "dpi-4e9.tif",
            tiff_with_resolution(&tif, 4_000_000_000, 1, 2),
        ),
        ("ppcm-0.01.tif", tiff_with_resolution(&tif, 1, 100, 3)),
    ];
    let png = std::fs::read(root().join("samples/hodanren/fax-00005.png")).unwrap();
    let mut tagged = tagged.to_vec();
    tagged.push(("ppm-1.png", png_with_density(&png, 1)));
    tagged.push(("dpi-2e6.png", png_with_density(&png, 78_740_157)));
    for (n, b) in &tagged {
        std::fs::write(inbox.join(n), b).unwrap();
    }
    // A PDF whose CCITT image claims 99999×99999; one whose page tree declares 8 pages
    // but holds 1.
    let g4 = faxform::encode::ccitt::encode(
        &sample_page("samples/hodanren/fax-00002.tif").bilevel(),
        Scheme::G4,
    );
    std::fs::write(
        inbox.join("huge-image.pdf"),
        pdf_with_image(99999, 99999, 1, &g4[..4096]),
    )
    .unwrap();
    // (An upright standard-resolution page; fax-00006 is stored turned.)
    let page = sample_page("samples/hodanren/fax-00002.tif");
    let g4 = faxform::encode::ccitt::encode(&page.bilevel(), Scheme::G4);
    std::fs::write(
        inbox.join("count8.pdf"),
        pdf_with_image(page.width as i32, page.height as i32, 8, &g4),
    )
    .unwrap();
    // Damaged images inside PDFs (CCITT and DCT data that is noise), a PDF whose
    // cross-reference offset is wrong (read by rebuilding the table), and a JPEG stating
    // 1 dpi.
    let mut noise = vec![0u8; 6000];
    noise.iter_mut().for_each(|b| *b = rng.next() as u8);
    std::fs::write(
        inbox.join("ccitt-noise.pdf"),
        pdf_with_image(1728, 2200, 1, &noise),
    )
    .unwrap();
    std::fs::write(
        inbox.join("dct-noise.pdf"),
        pdf_with(1654, 2339, 1, &noise, pdf_writer::Filter::DctDecode),
    )
    .unwrap();
    let mut xref = std::fs::read(root().join("samples/hodanren/fax-00004.pdf")).unwrap();
    let at = xref.windows(9).rposition(|w| w == b"startxref").unwrap() + 10;
    xref[at] = if xref[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(inbox.join("bad-xref.pdf"), &xref).unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&image::DynamicImage::ImageLuma8(page.to_gray()))
        .unwrap();
    // JFIF APP0: units 1 (dpi), density 1×1.
    assert_eq!(&jpeg[6..11], b"JFIF\0");
    jpeg[13] = 1;
    jpeg[14..18].copy_from_slice(&[0, 1, 0, 1]);
    std::fs::write(inbox.join("dpi-1.jpg"), &jpeg).unwrap();
    // A fax cut off in transmission (2,050 of a fine page's 2,314 rows), a thumbnail, and
    // a Group 3 page with a run of damaged lines in the middle.
    let mut cut = sample_page("samples/hodanren/fax-00001.tif");
    // The last eighth of the page lost (the bottom questions), at either resolution.
    let rows = cut.height * 7 / 8;
    cut.height = rows;
    cut.pixels.truncate(rows * cut.width);
    std::fs::write(
        inbox.join("cut-off.tif"),
        tiff_out::write(&[cut], Scheme::G4, tiff_out::FillOrder::MsbFirst).unwrap(),
    )
    .unwrap();
    image::GrayImage::from_fn(128, 128, |x, y| {
        image::Luma([if (x + y) % 9 == 0 { 0 } else { 255 }])
    })
    .save(inbox.join("thumb.png"))
    .unwrap();
    let mut g3 = tiff_out::write(
        std::slice::from_ref(&page),
        Scheme::G3OneD,
        tiff_out::FillOrder::MsbFirst,
    )
    .unwrap();
    let mid = g3.len() / 2;
    g3[mid..mid + 40].fill(0xA5);
    std::fs::write(inbox.join("g3-damaged-lines.tif"), &g3).unwrap();
    // Two clinics' FAX0001.TIF in two folders, two names that differ only outside ASCII,
    // two empty files, a symlink loop, and a sparse file stated as 2 GB.
    for (dir, src) in [
        ("a/12月", "samples/hodanren/fax-00006.tif"),
        ("b/12月", "samples/hodanren/fax-00008.tif"),
    ] {
        std::fs::create_dir_all(inbox.join(dir)).unwrap();
        std::fs::copy(root().join(src), inbox.join(dir).join("FAX0001.TIF")).unwrap();
    }
    // (fax-00007: a cover, then the form on page 2.)
    std::fs::copy(
        root().join("samples/hodanren/fax-00007.tif"),
        inbox.join("受信1.tif"),
    )
    .unwrap();
    std::fs::copy(
        root().join("samples/hodanren/fax-00002.tif"),
        inbox.join("送信1.tif"),
    )
    .unwrap();
    std::fs::write(inbox.join("empty1.tif"), b"").unwrap();
    std::fs::write(inbox.join("empty2.tif"), b"").unwrap();
    std::os::unix::fs::symlink(&inbox, inbox.join("a/loop")).unwrap();
    std::fs::File::create(inbox.join("sparse.tif"))
        .unwrap()
        .set_len(2 << 30)
        .unwrap();

    let out = tmp.path().join("out");
    let res = run(&[&inbox], &out);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "exit {:?}: {stderr}", res.status);
    for f in ["responses.csv", "review.csv", "rejected.csv", "report.json"] {
        assert!(out.join(f).is_file(), "{f} not written");
    }
    // Every real file (the loop adds none).
    let mut files = Vec::new();
    let mut stack = vec![inbox.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_symlink() {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 90, "{} files", files.len());
    check_accounting(&out, &files);

    let responses: HashMap<String, HashMap<String, String>> = table(&out.join("responses.csv"))
        .into_iter()
        .map(|r| (r["response_id"].clone(), r))
        .collect();
    let rejected = table(&out.join("rejected.csv"));
    let reason = |file: &str| -> Vec<String> {
        rejected
            .iter()
            .filter(|r| r["file"].ends_with(file))
            .map(|r| format!("{}: {}", r["page"], r["reason"]))
            .collect()
    };
    // Absurd resolutions are taken as unstated: the pages are read.
    for (n, _) in &tagged {
        assert!(
            responses.contains_key(&format!("{n}:1")),
            "{n}: {:?}",
            reason(n)
        );
    }
    assert!(
        reason("huge-image.pdf")
            .iter()
            .any(|r| r.contains("over the limit")),
        "{:?}",
        reason("huge-image.pdf")
    );
    assert!(
        reason("sparse.tif")
            .iter()
            .any(|r| r.contains("over the limit")),
        "{:?}",
        reason("sparse.tif")
    );
    for n in ["ccitt-noise.pdf", "dct-noise.pdf"] {
        let r = reason(n);
        assert!(
            r.iter()
                .any(|r| r.contains("cannot decode") || r.contains("damaged")),
            "{n}: {r:?}"
        );
        assert!(r.iter().all(|r| !r.contains("blank")), "{n}: {r:?}");
    }
    assert!(
        responses.contains_key("dpi-1.jpg:1"),
        "{:?}",
        reason("dpi-1.jpg")
    );
    for p in ["bad-xref.pdf:1", "bad-xref.pdf:2"] {
        let r = &responses
            .get(p)
            .unwrap_or_else(|| panic!("{p}: {:?}", reason("bad-xref.pdf")));
        assert_eq!(
            r["status"], "review",
            "{p}: a page of a rebuilt PDF was auto-accepted"
        );
    }
    let count8 = reason("count8.pdf");
    assert_eq!(count8.len(), 7, "pages 2–8 of count8.pdf: {count8:?}");
    for n in ["empty1.tif", "empty2.tif"] {
        assert!(
            reason(n).iter().any(|r| r.contains("empty file")),
            "{n}: {:?}",
            reason(n)
        );
    }
    // Same name in two folders: two responses, each named by its folder.
    for id in ["a/12月/FAX0001.TIF:1", "b/12月/FAX0001.TIF:1"] {
        assert!(responses.contains_key(id), "{id} missing");
    }
    // A page read from repaired data is never auto-accepted.
    let review = table(&out.join("review.csv"));
    if let Some(r) = responses.get("g3-damaged-lines.tif:1") {
        assert_eq!(r["status"], "review");
        assert!(
            review
                .iter()
                .any(|v| v["response_id"] == "g3-damaged-lines.tif:1"
                    && v["reason"].contains("damaged")),
            "the repaired page's cells are not in review"
        );
    } else {
        assert!(
            reason("g3-damaged-lines.tif")
                .iter()
                .any(|r| r.contains("cannot decode"))
        );
    }
    // The questions the cut-off page no longer reaches are in review, not blank answers.
    match responses.get("cut-off.tif:1") {
        Some(r) => {
            assert_eq!(r["status"], "review");
            assert!(
                review.iter().any(|v| v["response_id"] == "cut-off.tif:1"
                    && v["reason"].contains("beyond the edge"))
            );
        }
        None => panic!("cut-off page not read: {:?}", reason("cut-off.tif")),
    }
    // No two review items share a crop, whatever the file names.
    let mut crops = HashSet::new();
    for v in &review {
        if !v["image"].is_empty() {
            assert!(
                crops.insert(v["image"].clone()),
                "crop {} shared",
                v["image"]
            );
        }
    }
    // The loop was followed once: no path goes round it.
    assert!(
        rejected.iter().all(|r| !r["file"].contains("loop/")),
        "loop followed"
    );

    // A second night into the same folder, with a new 受信1.tif at the top (another fax:
    // the same pages with a byte more at the end, so not a duplicate): it gets its own id
    // and the first night's answers stay.
    let night2 = tmp.path().join("night2");
    std::fs::create_dir_all(&night2).unwrap();
    let mut other = std::fs::read(root().join("samples/hodanren/fax-00007.tif")).unwrap();
    other.push(0);
    std::fs::write(night2.join("受信1.tif"), other).unwrap();
    let res = run(&[&night2], &out);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let ids: HashSet<String> = table(&out.join("responses.csv"))
        .into_iter()
        .map(|r| r["response_id"].clone())
        .collect();
    assert!(
        ids.contains("受信1.tif:2") && ids.len() == responses.len() + 1,
        "{ids:?}"
    );
    // Both hold their response on page 2 (page 1 is a cover).
    assert!(ids.contains("受信1.tif#2:2"), "{ids:?}");
}

#[test]
fn fuzz_regressions_are_read_without_a_panic() {
    let dir = root().join("fuzz/regressions");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let res = run(&[&dir], &out);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().unwrap() != "README.md")
        .collect();
    check_accounting(&out, &files);
    // Template texts the fuzzer made: each loads or says why, never panics.
    for e in std::fs::read_dir(dir.join("templates")).unwrap() {
        let p = e.unwrap().path();
        let src = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let res = std::panic::catch_unwind(|| {
            faxform::template::parse(&src, &root().join("templates/x.toml")).map(|t| t.columns())
        });
        assert!(res.is_ok(), "{} panics the template parser", p.display());
    }
}

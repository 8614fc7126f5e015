//! PDF pages, rasterised by hayro (which decodes CCITT, JBIG2, Flate and DCT images).
//!
//! hayro is forgiving: it rebuilds a damaged cross-reference table, leaves out page
//! objects it cannot find and draws nothing for an image it cannot decode. A batch must
//! not be: every page the file declares is accounted for, an image is checked against the
//! limits before hayro allocates it, an undecodable image is said to be one (never "a
//! blank page"), and pages of a rebuilt file are marked as repaired.

use super::{FileError, IngestOptions, Limits, PageError, PageImage, PageResult};
use hayro::hayro_interpret::{InterpreterSettings, InterpreterWarning};
use hayro::hayro_syntax::object::{Array, Dict, Name, Stream};
use hayro::hayro_syntax::{Filter, Pdf};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use std::sync::{Arc, Mutex};

pub fn read(bytes: &[u8], opts: &IngestOptions) -> Result<Vec<PageResult>, FileError> {
    let pdf = Pdf::new(bytes.to_vec())
        .map_err(|e| FileError::Corrupt(format!("unreadable PDF: {e:?}")))?;
    let pages = pdf.pages();
    let declared = declared_pages(&pdf);
    if pages.is_empty() && declared.is_none_or(|n| n == 0) {
        return Err(FileError::Corrupt("PDF has no pages".into()));
    }
    let repaired = !xref_intact(bytes);
    let cache = RenderCache::new();
    let warnings: Arc<Mutex<Vec<InterpreterWarning>>> = Arc::default();
    let sink = warnings.clone();
    let settings = InterpreterSettings {
        warning_sink: Arc::new(move |w| sink.lock().unwrap_or_else(|p| p.into_inner()).push(w)),
        ..Default::default()
    };
    let limits = &opts.limits;
    let mut out = Vec::with_capacity(pages.len().min(limits.max_pages + 1));
    for (i, page) in pages.iter().enumerate() {
        if i >= limits.max_pages {
            out.push(Err(PageError {
                page: i + 1,
                reason: format!(
                    "file has {} pages, more than the limit of {}; this page and those after it not read (faxform run --max-pages)",
                    pages.len(),
                    limits.max_pages
                ),
            }));
            break;
        }
        let (w, h) = page.render_dimensions();
        // A faxed page is one bilevel image: render on that image's own pixel grid (204×98
        // stays 204×98) so that nothing is resampled twice. Vector pages use render_dpi.
        let (dpi_x, dpi_y) = native_dpi(page, w, h).unwrap_or((opts.render_dpi, opts.render_dpi));
        // Scales chosen so the pixel size rounds rather than truncates (hayro truncates,
        // and 1728 fax pixels must not come back as 1727).
        let (pw, ph) = (
            (w * dpi_x / 72.0).round() as u64,
            (h * dpi_y / 72.0).round() as u64,
        );
        let size = limits
            .check_size_mm(w / 72.0 * 25.4, h / 72.0 * 25.4)
            .and_then(|()| {
                limits.check_pixels(
                    pw.min(u32::MAX as u64) as u32,
                    ph.min(u32::MAX as u64) as u32,
                )
            });
        if let Err(e) = size.and_then(|()| check_images(page, limits)) {
            out.push(Err(PageError {
                page: i + 1,
                reason: e,
            }));
            continue;
        }
        let damage = repaired.then(|| {
            "the PDF's cross-reference table is damaged; the file was rebuilt to read it"
                .to_string()
        });
        if let Some(image) = lone_fax_image(page, (pw, ph)) {
            out.push(
                direct(&image, (pw as usize, ph as usize), damage)
                    .map(|(image, damage)| PageImage {
                        image,
                        dpi_x,
                        dpi_y,
                        damage,
                    })
                    .map_err(|reason| PageError {
                        page: i + 1,
                        reason,
                    }),
            );
            continue;
        }
        warnings.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let image = rendered(page, &cache, &settings, (pw, ph));
        let failed = warnings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|w| matches!(w, InterpreterWarning::ImageDecodeFailure));
        if failed {
            out.push(Err(PageError {
                page: i + 1,
                reason: "cannot decode image: the page's image data is damaged".into(),
            }));
            continue;
        }
        out.push(
            with_ccitt_damage(damage, ccitt_damage(page))
                .map(|damage| PageImage {
                    image,
                    dpi_x,
                    dpi_y,
                    damage,
                })
                .map_err(|reason| PageError {
                    page: i + 1,
                    reason,
                }),
        );
    }
    // Pages the page tree declares but hayro could not find (a damaged file): each
    // still gets its row.
    let found = pages.len();
    if let Some(n) = declared
        && n > found
        && found < limits.max_pages
    {
        let last = n.min(limits.max_pages);
        for page in found + 1..=last {
            out.push(Err(PageError {
                page,
                reason: format!(
                    "page declared by the PDF ({n} pages) but its page object cannot be found (damaged file)"
                ),
            }));
        }
        if n > last {
            out.push(Err(PageError {
                page: last + 1,
                reason: format!(
                    "the PDF declares {n} pages, more than the limit of {}; the rest not read (faxform run --max-pages)",
                    limits.max_pages
                ),
            }));
        }
    }
    Ok(out)
}

/// The page drawn by hayro at `(pw, ph)` pixels, in grey.
fn rendered<'a>(
    page: &'a hayro::hayro_syntax::page::Page<'a>,
    cache: &RenderCache<'a>,
    settings: &InterpreterSettings,
    (pw, ph): (u64, u64),
) -> crate::raster::GrayImage {
    let (w, h) = page.render_dimensions();
    let pix = hayro::render(
        page,
        cache,
        settings,
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: (pw as f32 + 0.25) / w,
            y_scale: (ph as f32 + 0.25) / h,
            bg_color: WHITE,
        },
    );
    let (pw, ph) = (pix.width() as u32, pix.height() as u32);
    let grey: Vec<u8> = pix
        .data_as_u8_slice()
        .chunks_exact(4)
        .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
        .collect();
    crate::raster::GrayImage::from_raw(pw, ph, grey).expect("pixmap size matches")
}

/// The page count the document's page tree declares (`/Count` of the root `/Pages`).
fn declared_pages(pdf: &Pdf) -> Option<usize> {
    let x = pdf.xref();
    let n = x
        .get::<Dict>(x.root_id())?
        .get::<Dict>("Pages")?
        .get::<u32>("Count")?;
    Some(n as usize)
}

/// Whether the file's last `startxref` points at a cross-reference section (a table or a
/// stream object). When it does not, hayro rebuilt the table by scanning the file.
fn xref_intact(bytes: &[u8]) -> bool {
    let key = b"startxref";
    let Some(at) = bytes.windows(key.len()).rposition(|w| w == key) else {
        return false;
    };
    let digits: String = bytes[at + key.len()..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    let Ok(off) = digits.parse::<usize>() else {
        return false;
    };
    let Some(rest) = bytes.get(off..) else {
        return false;
    };
    let head = &rest[..rest.len().min(40)];
    if head.starts_with(b"xref") {
        return true;
    }
    // An xref stream: "N G obj".
    let text = String::from_utf8_lossy(head);
    let mut words = text.split_ascii_whitespace();
    matches!(
        (words.next(), words.next(), words.next()),
        (Some(a), Some(b), Some(c)) if a.bytes().all(|x| x.is_ascii_digit())
            && b.bytes().all(|x| x.is_ascii_digit())
            && c.starts_with("obj")
    )
}

/// The page's image XObjects.
fn images<'a>(page: &hayro::hayro_syntax::page::Page<'a>) -> Vec<Stream<'a>> {
    let res = page.resources();
    res.x_objects
        .keys()
        .filter_map(|name| res.get_x_object(&name))
        .filter(|s| {
            s.dict()
                .get::<Name>("Subtype")
                .is_some_and(|t| t.as_ref() == b"Image")
        })
        .collect()
}

/// The decode parameters of filter `i` of an image (a dictionary or an array of them).
fn filter_params<'a>(d: &Dict<'a>, i: usize) -> Option<Dict<'a>> {
    for key in ["DecodeParms", "DP"] {
        if let Some(p) = d.get::<Dict>(key) {
            return (i == 0).then_some(p);
        }
        if let Some(a) = d.get::<Array>(key) {
            return a.iter::<Dict>().nth(i);
        }
    }
    None
}

/// A CCITT image's `/Columns` (1728 when unstated), or `None` for an image of another kind.
fn ccitt_columns(s: &Stream) -> Option<u32> {
    let i = s
        .filters()
        .iter()
        .position(|f| *f == Filter::CcittFaxDecode)?;
    Some(
        filter_params(s.dict(), i)
            .and_then(|p| p.get::<u32>("Columns"))
            .unwrap_or(1728),
    )
}

/// The pixel grid an image will be decoded to, as its dictionary states it (a CCITT
/// image's rows come from its decode parameters' `/Columns`).
fn image_size(s: &Stream) -> (u64, u64) {
    let d = s.dict();
    let get = |a: &str, b: &str| d.get::<u32>(a).or_else(|| d.get::<u32>(b)).unwrap_or(0);
    let (w, h) = (get("Width", "W"), get("Height", "H"));
    (ccitt_columns(s).unwrap_or(w).max(w) as u64, h as u64)
}

/// Refuses a page whose images would be larger than the limits allow, before hayro
/// allocates their pixels.
fn check_images(page: &hayro::hayro_syntax::page::Page, limits: &Limits) -> Result<(), String> {
    for s in images(page) {
        let (w, h) = image_size(&s);
        let px = w.saturating_mul(h);
        if px > limits.max_page_pixels || w > u32::MAX as u64 || h > u32::MAX as u64 {
            return Err(format!(
                "image of {w}×{h} pixels is over the limit of {} Mpx per page",
                limits.max_page_pixels / 1_000_000
            ));
        }
    }
    Ok(())
}

/// The page's image when the page is nothing but one bilevel CCITT image drawn over all of
/// it, pixel for pixel (`q W 0 0 H X Y cm /Im Do Q`, as fax servers and faxform synth write
/// them): its decoded rows are the page, with no rendering. Anything else on the page, a
/// rotation, a flip, a decode array, a mask, or an image not on the page's pixel grid
/// `(pw, ph)` goes to the renderer.
fn lone_fax_image<'a>(
    page: &hayro::hayro_syntax::page::Page<'a>,
    (pw, ph): (u64, u64),
) -> Option<Stream<'a>> {
    use hayro::hayro_syntax::content::ops::TypedInstruction as Op;
    use hayro::hayro_syntax::page::Rotation;
    if !matches!(page.rotation(), Rotation::None) {
        return None;
    }
    let crop = page.intersected_crop_box();
    let media = page.media_box();
    if [crop.x0, crop.y0, crop.x1, crop.y1] != [media.x0, media.y0, media.x1, media.y1] {
        return None;
    }
    let (mut placed, mut drawn) = (None, None);
    let mut ops = page.typed_operations();
    while let Some(op) = ops.next() {
        match op {
            Op::SaveState(_) | Op::RestoreState(_) => {}
            Op::Transform(t) if placed.is_none() && drawn.is_none() => {
                placed = Some([t.0, t.1, t.2, t.3, t.4, t.5].map(|n| n.as_f64()));
            }
            Op::XObject(x) if placed.is_some() && drawn.is_none() => {
                drawn = Some(page.resources().get_x_object(x.0)?);
            }
            _ => return None,
        }
    }
    let [a, b, c, d, e, f] = placed?;
    let near = |u: f64, v: f64| (u - v).abs() < 0.1;
    let fills = near(a, crop.width())
        && near(d, crop.height())
        && b == 0.0
        && c == 0.0
        && near(e, crop.x0)
        && near(f, crop.y0);
    if !fills {
        return None;
    }
    let s = drawn?;
    let dict = s.dict();
    let plain = dict
        .get::<Name>("Subtype")
        .is_some_and(|t| t.as_ref() == b"Image")
        && dict.get::<u32>("BitsPerComponent").unwrap_or(1) == 1
        && dict
            .get::<Name>("ColorSpace")
            .is_some_and(|c| c.as_ref() == b"DeviceGray")
        && !dict.get::<bool>("ImageMask").unwrap_or(false)
        && !dict.contains_key("Decode")
        && !dict.contains_key("Mask")
        && !dict.contains_key("SMask")
        && s.filters().as_slice() == [Filter::CcittFaxDecode];
    let (w, h) = (dict.get::<u32>("Width")?, dict.get::<u32>("Height")?);
    (plain && ccitt_columns(&s) == Some(w) && (w as u64, h as u64) == (pw, ph)).then_some(s)
}

/// A lone fax image's pixels (see [`lone_fax_image`]), `size` pixels: rows the data does
/// not reach are white paper, as the renderer leaves them, and said to be missing.
fn direct(
    s: &Stream,
    (w, h): (usize, usize),
    damage: Option<String>,
) -> Result<(crate::raster::GrayImage, Option<String>), String> {
    let mut px = s
        .decoded()
        .map_err(|e| format!("cannot decode image: CCITT data damaged ({e:?})"))?
        .into_owned();
    let rows = px.len() / w.max(1);
    let damage = with_ccitt_damage(damage, short_rows(rows as u64, h as u64))?;
    // Whole rows only, then white paper below them.
    px.truncate(rows.min(h) * w);
    px.resize(w * h, 255);
    let image = crate::raster::GrayImage::from_raw(w as u32, h as u32, px).expect("sized");
    Ok((image, damage))
}

/// The page's damage with a CCITT image's added: a partial image is noted beside what
/// was already wrong; an unreadable one is the page's error.
fn with_ccitt_damage(
    damage: Option<String>,
    ccitt: Option<CcittDamage>,
) -> Result<Option<String>, String> {
    match ccitt {
        Some(CcittDamage::Unreadable(e)) => Err(format!("cannot decode image: {e}")),
        Some(CcittDamage::Partial(e)) => Ok(Some(match damage {
            Some(d) => format!("{d}; {e}"),
            None => e,
        })),
        None => Ok(damage),
    }
}

/// What is wrong with a page's CCITT image.
enum CcittDamage {
    /// Less than half its rows decode: nothing on the page can be trusted.
    Unreadable(String),
    /// It ends early; the rest of the page is white.
    Partial(String),
}

/// A CCITT image on the page whose data ends before its last row: hayro draws the rows it
/// got and leaves the rest white without a word.
fn ccitt_damage(page: &hayro::hayro_syntax::page::Page) -> Option<CcittDamage> {
    for s in images(page) {
        // Only an image whose last filter is CCITT decodes to its rows here.
        if s.filters().last() != Some(&Filter::CcittFaxDecode) {
            continue;
        }
        let Some(cols) = ccitt_columns(&s) else {
            continue;
        };
        let cols = cols.max(1) as usize;
        let (_, h) = image_size(&s);
        // Decoded without a height, hayro keeps exactly the rows the data holds, one byte
        // per pixel.
        let rows = match s.decoded() {
            Err(e) => {
                return Some(CcittDamage::Unreadable(format!(
                    "CCITT data damaged ({e:?})"
                )));
            }
            Ok(d) => (d.len() / cols) as u64,
        };
        if let Some(d) = short_rows(rows, h) {
            return Some(d);
        }
    }
    None
}

/// The damage of a CCITT image of `h` rows whose data held `rows`.
fn short_rows(rows: u64, h: u64) -> Option<CcittDamage> {
    if rows >= h {
        return None;
    }
    let what = format!("CCITT image data ends after {rows} of {h} rows");
    Some(
        if (rows as f32) < super::tiff::MIN_DECODED_SHARE * h as f32 {
            CcittDamage::Unreadable(what)
        } else {
            CcittDamage::Partial(what)
        },
    )
}

/// The resolution of the largest image on the page, if it fills most of the page (as a
/// faxed page's image does).
fn native_dpi(page: &hayro::hayro_syntax::page::Page, w_pt: f32, h_pt: f32) -> Option<(f32, f32)> {
    let res = page.resources();
    let mut best: Option<(u32, u32)> = None;
    for name in res.x_objects.keys() {
        let Some(stream) = res.get_x_object(&name) else {
            continue;
        };
        let d = stream.dict();
        let is_image = d
            .get::<hayro::hayro_syntax::object::Name>("Subtype")
            .is_some_and(|s| s.as_ref() == b"Image");
        let (Some(iw), Some(ih)) = (d.get::<u32>("Width"), d.get::<u32>("Height")) else {
            continue;
        };
        if is_image && best.is_none_or(|(bw, bh)| iw as u64 * ih as u64 > bw as u64 * bh as u64) {
            best = Some((iw, ih));
        }
    }
    let (iw, ih) = best?;
    let (dx, dy) = (iw as f32 / (w_pt / 72.0), ih as f32 / (h_pt / 72.0));
    // Only believable fax/scan resolutions; a logo on a vector page is not the page.
    let plausible = |v: f32| (90.0..=610.0).contains(&v);
    (plausible(dx) && plausible(dy) && iw >= 800).then_some((dx, dy))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{FaxPage, Scheme, pdf_out};

    /// A fax page with ink of many shapes: bars, single pixels, a diagonal, ink at the edges.
    fn page() -> FaxPage {
        let (w, h) = (1728usize, 300usize);
        let mut pixels = vec![false; w * h];
        for y in 0..h {
            for x in 0..w {
                let bar = (40..70).contains(&y) && (200..1200).contains(&x);
                let dots = (x * 7 + y * 13) % 97 == 0;
                let edge = x == 0 || x == w - 1 || y == h - 1;
                pixels[y * w + x] = bar || dots || edge || x == y * 5;
            }
        }
        FaxPage {
            width: w,
            height: h,
            pixels,
            dpi_x: 204.0,
            dpi_y: 98.0,
        }
    }

    fn first_page<'a>(pdf: &'a Pdf) -> &'a hayro::hayro_syntax::page::Page<'a> {
        &pdf.pages()[0]
    }

    #[test]
    fn a_lone_fax_image_is_decoded_to_the_pixels_the_renderer_draws() {
        let p = page();
        for scheme in [Scheme::G4, Scheme::G3TwoD { k: 4 }, Scheme::G3OneD] {
            let pdf = Pdf::new(pdf_out::write(std::slice::from_ref(&p), scheme)).unwrap();
            let page = first_page(&pdf);
            let size = (p.width as u64, p.height as u64);
            let image = lone_fax_image(page, size).expect("one CCITT image over the page");
            let (got, damage) = direct(&image, (p.width, p.height), None).unwrap();
            let drawn = rendered(
                page,
                &RenderCache::new(),
                &InterpreterSettings::default(),
                size,
            );
            assert_eq!(damage, None);
            assert_eq!(got.dimensions(), drawn.dimensions());
            assert!(got.as_raw() == drawn.as_raw(), "{scheme:?}: same pixels");
            let black = p.pixels.iter().filter(|&&b| b).count();
            assert_eq!(got.as_raw().iter().filter(|&&v| v == 0).count(), black);
        }
    }

    #[test]
    fn a_page_with_more_than_its_image_is_rendered() {
        let p = page();
        let bytes = pdf_out::write(std::slice::from_ref(&p), Scheme::G4);
        let size = (p.width as u64, p.height as u64);
        // The same file with a line drawn over the image, a flipped image, and an image
        // drawn at half size: none is the image's pixels alone.
        for (from, to) in [
            ("/Im0 Do Q", "/Im0 Do Q 0 0 m 100 100 l S"),
            (" 0 0 cm", " 0 0 cm 1 0 0 -1 0 1 cm"),
        ] {
            let edited = replace(&bytes, from, to);
            let pdf = Pdf::new(edited).unwrap();
            assert!(lone_fax_image(first_page(&pdf), size).is_none(), "{to}");
        }
        let pdf = Pdf::new(bytes).unwrap();
        assert!(lone_fax_image(first_page(&pdf), (size.0, size.1 / 2)).is_none());
        assert!(lone_fax_image(first_page(&pdf), size).is_some());
    }

    /// `bytes` with `from` replaced by `to` (a content stream written uncompressed).
    fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
        let at = bytes
            .windows(from.len())
            .position(|w| w == from.as_bytes())
            .expect("in the content stream");
        let mut out = bytes[..at].to_vec();
        out.extend_from_slice(to.as_bytes());
        out.extend_from_slice(&bytes[at + from.len()..]);
        // The stream's /Length no longer fits; hayro reads to `endstream` regardless.
        out
    }
}

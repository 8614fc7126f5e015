//! PDF pages, rasterised by hayro (which decodes CCITT, JBIG2, Flate and DCT images).

use super::{FileError, IngestOptions, MAX_PIXELS, PageError, PageImage, PageResult};
use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

pub fn read(bytes: &[u8], opts: &IngestOptions) -> Result<Vec<PageResult>, FileError> {
    let pdf = Pdf::new(bytes.to_vec())
        .map_err(|e| FileError::Corrupt(format!("unreadable PDF: {e:?}")))?;
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(FileError::Corrupt("PDF has no pages".into()));
    }
    let cache = RenderCache::new();
    let settings = InterpreterSettings::default();
    let mut out = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
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
        if pw == 0
            || ph == 0
            || pw * ph > MAX_PIXELS
            || pw > u16::MAX as u64
            || ph > u16::MAX as u64
        {
            out.push(Err(PageError {
                page: i + 1,
                reason: format!("page of absurd size {w}×{h} pt"),
            }));
            continue;
        }
        let pix = hayro::render(
            page,
            &cache,
            &settings,
            &RenderSettings::default(),
            &PixmapSettings {
                x_scale: (pw as f32 + 0.25) / w,
                y_scale: (ph as f32 + 0.25) / h,
                bg_color: WHITE,
            },
        );
        let (pw, ph) = (pix.width() as u32, pix.height() as u32);
        let rgba = pix.data_as_u8_slice();
        let grey: Vec<u8> = rgba
            .chunks_exact(4)
            .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
            .collect();
        let image = crate::raster::GrayImage::from_raw(pw, ph, grey).expect("pixmap size matches");
        out.push(Ok(PageImage {
            image,
            dpi_x,
            dpi_y,
        }));
    }
    Ok(out)
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

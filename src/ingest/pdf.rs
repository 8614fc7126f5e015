//! PDF pages, rasterised by hayro (which decodes CCITT, JBIG2, Flate and DCT images).

use super::{FileError, IngestOptions, MAX_PIXELS, PageError, PageImage, PageResult};
use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

pub fn read(bytes: &[u8], opts: &IngestOptions) -> Result<Vec<PageResult>, FileError> {
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| FileError::Corrupt(format!("unreadable PDF: {e:?}")))?;
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(FileError::Corrupt("PDF has no pages".into()));
    }
    let cache = RenderCache::new();
    let settings = InterpreterSettings::default();
    let mut out = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        let (w, h) = page.render_dimensions();
        let scale = opts.render_dpi / 72.0;
        let (pw, ph) = ((w * scale) as u64, (h * scale) as u64);
        if pw == 0 || ph == 0 || pw * ph > MAX_PIXELS || pw > u16::MAX as u64 || ph > u16::MAX as u64 {
            out.push(Err(PageError { page: i + 1, reason: format!("page of absurd size {w}×{h} pt") }));
            continue;
        }
        let pix = hayro::render(
            page,
            &cache,
            &settings,
            &RenderSettings::default(),
            &PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE },
        );
        let (pw, ph) = (pix.width() as u32, pix.height() as u32);
        let rgba = pix.data_as_u8_slice();
        let grey: Vec<u8> = rgba
            .chunks_exact(4)
            .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
            .collect();
        let image = crate::raster::GrayImage::from_raw(pw, ph, grey).expect("pixmap size matches");
        out.push(Ok(PageImage { image, dpi_x: opts.render_dpi, dpi_y: opts.render_dpi }));
    }
    Ok(out)
}

//! Normalise: bringing pages to square pixels at the working resolution (orientation and
//! deskew join here with the night batch).

use crate::ingest::PageImage;
use crate::raster::{GrayImage, sample_bilinear};

/// Resamples a page to `dpi` in both directions. Standard-resolution faxes (204×98) get
/// their rows doubled this way before anything looks at them.
pub fn to_square_dpi(p: &PageImage, dpi: f32) -> GrayImage {
    if (p.dpi_x - dpi).abs() < 0.5 && (p.dpi_y - dpi).abs() < 0.5 {
        return p.image.clone();
    }
    let sx = p.dpi_x as f64 / dpi as f64;
    let sy = p.dpi_y as f64 / dpi as f64;
    let w = (p.image.width() as f64 / sx).round() as u32;
    let h = (p.image.height() as f64 / sy).round() as u32;
    GrayImage::from_fn(w, h, |x, y| {
        let v = sample_bilinear(
            &p.image,
            (x as f64 + 0.5) * sx - 0.5,
            (y as f64 + 0.5) * sy - 0.5,
        );
        image::Luma([v.round() as u8])
    })
}

//! Encode: writing fax pages as fax servers deliver them (CCITT in TIFF or PDF, or PNG),
//! and grey pages as office scanners do.
//! Used by `faxform synth`; the reading side is [`crate::ingest`].

pub mod ccitt;
pub mod grey;
pub mod pdf_out;
pub mod tiff_out;

pub use ccitt::{Bilevel, Scheme};

/// One bilevel fax page ready to be written.
#[derive(Debug, Clone)]
pub struct FaxPage {
    pub width: usize,
    pub height: usize,
    /// `true` is black.
    pub pixels: Vec<bool>,
    pub dpi_x: f32,
    pub dpi_y: f32,
}

impl FaxPage {
    pub fn bilevel(&self) -> Bilevel<'_> {
        Bilevel {
            width: self.width,
            height: self.height,
            pixels: &self.pixels,
        }
    }

    /// A white page `size` (width, height) pixels at 204 × `dpi_y` dpi with a black bar
    /// over `rows` and `cols`: what writer and reader tests send.
    #[cfg(test)]
    pub fn bar(
        (width, height): (usize, usize),
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
        dpi_y: f32,
    ) -> FaxPage {
        let mut pixels = vec![false; width * height];
        for y in rows {
            pixels[y * width + cols.start..y * width + cols.end].fill(true);
        }
        FaxPage {
            width,
            height,
            pixels,
            dpi_x: 204.0,
            dpi_y,
        }
    }

    pub fn to_gray(&self) -> crate::raster::GrayImage {
        let px = self
            .pixels
            .iter()
            .map(|&b| if b { 0 } else { 255 })
            .collect();
        crate::raster::GrayImage::from_raw(self.width as u32, self.height as u32, px)
            .expect("sized")
    }
}

/// Writes a page as a 1-bit PNG with its resolution in the pHYs chunk.
pub fn png(page: &FaxPage) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    {
        let mut enc = png_encoder(&mut buf, page);
        let stride = page.width.div_ceil(8);
        let mut packed = vec![0u8; stride * page.height];
        for y in 0..page.height {
            for x in 0..page.width {
                if !page.pixels[y * page.width + x] {
                    packed[y * stride + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        enc.write_image_data(&packed)?;
        enc.finish()?;
    }
    Ok(buf)
}

fn png_encoder<'a>(buf: &'a mut Vec<u8>, page: &FaxPage) -> png::Writer<&'a mut Vec<u8>> {
    let mut e = png::Encoder::new(buf, page.width as u32, page.height as u32);
    e.set_color(png::ColorType::Grayscale);
    e.set_depth(png::BitDepth::One);
    e.set_pixel_dims(Some(png::PixelDimensions {
        xppu: (page.dpi_x / 0.0254).round() as u32,
        yppu: (page.dpi_y / 0.0254).round() as u32,
        unit: png::Unit::Meter,
    }));
    e.write_header().expect("PNG header to memory")
}

//! Grey pages as office scanners write them: 8-bit PNG, LZW TIFF (one page per
//! directory) and PDF with one JPEG (DCT) image per page.

use crate::raster::GrayImage;
use anyhow::Result;
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use pdf_writer::{Filter, Finish};
use std::io::Cursor;
use tiff::encoder::{Compression, Rational, TiffEncoder, colortype::Gray8};
use tiff::tags::ResolutionUnit;

/// One grey page with square pixels.
#[derive(Debug, Clone)]
pub struct GreyPage {
    pub image: GrayImage,
    pub dpi: f32,
}

/// An 8-bit grey PNG with its resolution in the pHYs chunk.
pub fn png(page: &GreyPage) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    {
        let mut e = png::Encoder::new(&mut buf, page.image.width(), page.image.height());
        e.set_color(png::ColorType::Grayscale);
        e.set_depth(png::BitDepth::Eight);
        let ppm = (page.dpi / 0.0254).round() as u32;
        e.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut w = e.write_header()?;
        w.write_image_data(page.image.as_raw())?;
        w.finish()?;
    }
    Ok(buf)
}

/// A multi-page 8-bit grey TIFF, LZW-compressed.
pub fn tiff(pages: &[GreyPage]) -> Result<Vec<u8>> {
    let mut buf = Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut buf)?.with_compression(Compression::Lzw);
    for page in pages {
        let mut img = enc.new_image::<Gray8>(page.image.width(), page.image.height())?;
        img.resolution_unit(ResolutionUnit::Inch);
        let dpi = Rational {
            n: page.dpi.round() as u32,
            d: 1,
        };
        img.x_resolution(dpi.clone());
        img.y_resolution(dpi);
        img.write_data(page.image.as_raw())?;
    }
    Ok(buf.into_inner())
}

/// A PDF with one grey JPEG per page at `quality` (1-100), as scan-to-PDF writes.
pub fn pdf(pages: &[GreyPage], quality: u8) -> Result<Vec<u8>> {
    let jpegs = pages
        .iter()
        .map(|page| {
            let mut jpeg = Vec::new();
            let mut enc = JpegEncoder::new_with_quality(&mut jpeg, quality);
            enc.set_pixel_density(PixelDensity::dpi(page.dpi.round() as u16));
            enc.encode_image(&page.image)?;
            Ok(jpeg)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(super::pdf_out::image_pages(pages.len(), |pdf, i, id| {
        let (page, (w, h)) = (&pages[i], pages[i].image.dimensions());
        let mut image = pdf.image_xobject(id, &jpegs[i]);
        image.filter(Filter::DctDecode);
        image.width(w as i32);
        image.height(h as i32);
        image.bits_per_component(8);
        image.color_space().device_gray();
        image.finish();
        (w as f32 * 72.0 / page.dpi, h as f32 * 72.0 / page.dpi)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{IngestOptions, read_bytes};

    fn page() -> GreyPage {
        // A grey ramp across, a black bar down: what each writer keeps is checked. 900
        // pixels wide: ingest takes a PDF's resolution from an image that size or larger.
        let image = GrayImage::from_fn(900, 200, |x, y| {
            image::Luma([if (300..330).contains(&x) && y > 20 {
                10
            } else {
                (60 + x * 190 / 900) as u8
            }])
        });
        GreyPage { image, dpi: 300.0 }
    }

    #[test]
    fn every_writer_reads_back_as_the_page_at_its_resolution() {
        let p = page();
        let files = [
            ("png", png(&p).unwrap(), 0),
            ("tiff", tiff(&[p.clone(), p.clone()]).unwrap(), 0),
            ("pdf", pdf(&[p.clone(), p.clone()], 90).unwrap(), 12),
        ];
        for (kind, bytes, tolerance) in files {
            let pages = read_bytes(&bytes, &IngestOptions::default()).unwrap();
            assert_eq!(pages.len(), if kind == "png" { 1 } else { 2 }, "{kind}");
            for got in pages {
                let got = got.unwrap();
                // PNG keeps pixels per metre: 11811 of them are 299.9994 to the inch.
                let dpi = (got.dpi_x.round(), got.dpi_y.round());
                assert_eq!(dpi, (300.0, 300.0), "{kind}");
                assert_eq!(got.image.dimensions(), p.image.dimensions(), "{kind}");
                for (a, b) in got.image.pixels().zip(p.image.pixels()) {
                    assert!(a.0[0].abs_diff(b.0[0]) <= tolerance, "{kind}: {a:?} {b:?}");
                }
            }
        }
    }
}

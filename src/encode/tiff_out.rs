//! Multi-page TIFF files of CCITT-coded pages, as fax servers store received faxes.

use super::{FaxPage, Scheme, ccitt};
use anyhow::Result;
use std::io::Cursor;
use tiff::encoder::{Rational, TiffEncoder};
use tiff::tags::Tag;

/// TIFF bit order within a byte: 1 = most significant bit first (the TIFF default),
/// 2 = least significant first (what many fax modems produce).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillOrder {
    MsbFirst = 1,
    LsbFirst = 2,
}

pub fn write(pages: &[FaxPage], scheme: Scheme, fill: FillOrder) -> Result<Vec<u8>> {
    let mut buf = Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut buf)?;
    let total = pages.len() as u16;
    for (i, page) in pages.iter().enumerate() {
        let mut data = ccitt::encode(&page.bilevel(), scheme);
        if fill == FillOrder::LsbFirst {
            data.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        let mut dir = enc.image_directory()?;
        let offset = dir.write_data(&data[..])?;
        dir.write_tag(Tag::NewSubfileType, 2u32)?;
        dir.write_tag(Tag::ImageWidth, page.width as u32)?;
        dir.write_tag(Tag::ImageLength, page.height as u32)?;
        dir.write_tag(Tag::BitsPerSample, 1u16)?;
        let (compression, options_tag, options) = match scheme {
            // T4Options: bit 0 = 2-D coding, bit 2 = EOLs byte-aligned.
            Scheme::G3OneD => (3u16, 292u16, 4u32),
            Scheme::G3TwoD { .. } => (3, 292, 5),
            Scheme::G4 => (4, 293, 0),
        };
        dir.write_tag(Tag::Compression, compression)?;
        dir.write_tag(Tag::PhotometricInterpretation, 0u16)?;
        dir.write_tag(Tag::FillOrder, fill as u16)?;
        dir.write_tag(Tag::StripOffsets, offset as u32)?;
        dir.write_tag(Tag::SamplesPerPixel, 1u16)?;
        dir.write_tag(Tag::RowsPerStrip, page.height as u32)?;
        dir.write_tag(Tag::StripByteCounts, data.len() as u32)?;
        dir.write_tag(
            Tag::XResolution,
            Rational {
                n: page.dpi_x.round() as u32,
                d: 1,
            },
        )?;
        dir.write_tag(
            Tag::YResolution,
            Rational {
                n: page.dpi_y.round() as u32,
                d: 1,
            },
        )?;
        dir.write_tag(Tag::from_u16_exhaustive(options_tag), options)?;
        dir.write_tag(Tag::ResolutionUnit, 2u16)?;
        dir.write_tag(Tag::from_u16_exhaustive(297), &[i as u16, total][..])?;
        dir.finish()?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{IngestOptions, read_bytes};

    fn page(w: usize, h: usize, dpi_y: f32, seed: usize) -> FaxPage {
        let pixels = (0..w * h)
            .map(|i| (i * 7 + seed).is_multiple_of(13) || (i / w) % 9 == seed % 9)
            .collect();
        FaxPage {
            width: w,
            height: h,
            pixels,
            dpi_x: 204.0,
            dpi_y,
        }
    }

    #[test]
    fn multi_page_tiffs_read_back_in_every_scheme_and_fill_order() {
        let pages = vec![page(1728, 30, 98.0, 1), page(1728, 25, 98.0, 2)];
        for scheme in [Scheme::G3OneD, Scheme::G3TwoD { k: 2 }, Scheme::G4] {
            for fill in [FillOrder::MsbFirst, FillOrder::LsbFirst] {
                let bytes = write(&pages, scheme, fill).unwrap();
                let got = read_bytes(&bytes, &IngestOptions::default()).unwrap();
                assert_eq!(got.len(), 2, "{scheme:?} {fill:?}");
                for (p, g) in pages.iter().zip(got) {
                    let g = g.unwrap();
                    assert_eq!((g.dpi_x, g.dpi_y), (204.0, 98.0));
                    assert_eq!(
                        g.image.as_raw(),
                        p.to_gray().as_raw(),
                        "{scheme:?} {fill:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn truncated_tiff_names_the_page() {
        let pages = vec![page(1728, 40, 196.0, 3)];
        let bytes = write(&pages, Scheme::G4, FillOrder::MsbFirst).unwrap();
        // Cut into the strip data, keeping the header and directory (written after data? no:
        // the directory follows the strip, so cut the directory's strip and keep the header).
        let cut = &bytes[..bytes.len() - 40];
        match read_bytes(cut, &IngestOptions::default()) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(pages) => assert!(pages.iter().any(|p| p.is_err())),
        }
    }
}

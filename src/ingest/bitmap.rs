//! PNG and JPEG pages, decoded by the `image` crate.

use super::{FileError, Limits, PageImage};
use crate::raster::GrayImage;

pub fn read(bytes: &[u8], limits: &Limits) -> Result<PageImage, FileError> {
    // The PNG header states the size up front: refuse absurd pages before decoding, even
    // when the rest of the file is missing.
    if bytes.starts_with(b"\x89PNG") && bytes.len() >= 24 && &bytes[12..16] == b"IHDR" {
        let w = u32::from_be_bytes(bytes[16..20].try_into().expect("4 bytes"));
        let h = u32::from_be_bytes(bytes[20..24].try_into().expect("4 bytes"));
        limits.check_pixels(w, h).map_err(FileError::Corrupt)?;
    }
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| FileError::Corrupt(e.to_string()))?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| FileError::Corrupt(format!("unreadable image header: {e}")))?;
    limits.check_pixels(w, h).map_err(FileError::Corrupt)?;
    let image = match bilevel_png(bytes) {
        Some(image) => image,
        None => image::load_from_memory(bytes)
            .map_err(|e| FileError::Corrupt(format!("cannot decode image: {e}")))?
            .to_luma8(),
    };
    let dpi = limits
        .page_resolution(w, h, density(bytes))
        .map_err(FileError::Corrupt)?;
    Ok(PageImage {
        image,
        dpi_x: dpi.0,
        dpi_y: dpi.1,
        damage: None,
    })
}

/// A one-bit greyscale PNG (how fax software saves a page), its rows widened by
/// [`super::widen_bilevel`] to 0 and 255 as the image crate widens them. `None` for any
/// other PNG, and for one that does not decode, which the image crate then reads or names.
fn bilevel_png(bytes: &[u8]) -> Option<GrayImage> {
    if !bytes.starts_with(b"\x89PNG") {
        return None;
    }
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().ok()?;
    let info = reader.info();
    let bilevel = info.color_type == png::ColorType::Grayscale
        && info.bit_depth == png::BitDepth::One
        && !info.interlaced
        && info.trns.is_none();
    if !bilevel {
        return None;
    }
    let mut packed = vec![0u8; reader.output_buffer_size()?];
    let frame = reader.next_frame(&mut packed).ok()?;
    let (w, h) = (frame.width as usize, frame.height as usize);
    let px = super::widen_bilevel(&packed, frame.line_size, w, h);
    GrayImage::from_raw(w as u32, h as u32, px)
}

/// Reads the pixel density of a PNG (pHYs chunk) or JPEG (JFIF header), if it states one.
fn density(bytes: &[u8]) -> Option<(f32, f32)> {
    if bytes.starts_with(b"\x89PNG") {
        let mut pos = 8;
        while pos + 8 <= bytes.len() {
            let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
            let kind = &bytes[pos + 4..pos + 8];
            if kind == b"pHYs" && pos + 8 + 9 <= bytes.len() {
                let d = &bytes[pos + 8..pos + 17];
                let x = u32::from_be_bytes(d[0..4].try_into().ok()?) as f32;
                let y = u32::from_be_bytes(d[4..8].try_into().ok()?) as f32;
                if d[8] == 1 && x > 0.0 && y > 0.0 {
                    return Some((x * 0.0254, y * 0.0254));
                }
                return None;
            }
            if kind == b"IDAT" {
                return None;
            }
            pos += 12 + len;
        }
        None
    } else if bytes.len() > 18 && &bytes[6..11] == b"JFIF\0" {
        let unit = bytes[13];
        let x = u16::from_be_bytes([bytes[14], bytes[15]]) as f32;
        let y = u16::from_be_bytes([bytes[16], bytes[17]]) as f32;
        match unit {
            1 if x > 0.0 && y > 0.0 => Some((x, y)),
            2 if x > 0.0 && y > 0.0 => Some((x * 2.54, y * 2.54)),
            _ => None,
        }
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-bit greyscale PNG of `w` × `h` pixels, black where `ink(x, y)`.
    fn one_bit_png(w: u32, h: u32, ink: impl Fn(u32, u32) -> bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        let stride = w.div_ceil(8) as usize;
        let mut data = vec![0u8; stride * h as usize];
        for y in 0..h {
            for x in 0..w {
                if !ink(x, y) {
                    data[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        enc.write_header().unwrap().write_image_data(&data).unwrap();
        out
    }

    #[test]
    fn a_one_bit_png_reads_as_the_image_crate_reads_it() {
        // Widths with and without a partial last byte.
        for w in [64, 61, 1, 9] {
            let bytes = one_bit_png(w, 13, |x, y| (x * 3 + y * 5) % 7 < 3);
            let ours = bilevel_png(&bytes).expect("a one-bit greyscale PNG");
            let theirs = image::load_from_memory(&bytes).unwrap().to_luma8();
            assert_eq!(ours.dimensions(), theirs.dimensions());
            assert!(ours.as_raw() == theirs.as_raw(), "width {w}");
            assert!(ours.as_raw().contains(&0) && ours.as_raw().contains(&255));
        }
    }

    #[test]
    fn other_pngs_are_left_to_the_image_crate() {
        let grey = {
            let mut out = Vec::new();
            let img = image::GrayImage::from_fn(5, 4, |x, _| image::Luma([x as u8 * 40]));
            img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
                .unwrap();
            out
        };
        assert!(bilevel_png(&grey).is_none());
        let mut cut = one_bit_png(64, 13, |x, _| x % 2 == 0);
        cut.truncate(cut.len() / 2);
        assert!(bilevel_png(&cut).is_none());
        assert!(read(&cut, &Limits::default()).is_err());
    }
}

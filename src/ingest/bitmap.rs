//! PNG and JPEG pages, decoded by the `image` crate.

use super::{FileError, Limits, PageImage};

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
    let img = image::load_from_memory(bytes)
        .map_err(|e| FileError::Corrupt(format!("cannot decode image: {e}")))?;
    let dpi = limits
        .page_resolution(w, h, density(bytes))
        .map_err(FileError::Corrupt)?;
    Ok(PageImage {
        image: img.to_luma8(),
        dpi_x: dpi.0,
        dpi_y: dpi.1,
        damage: None,
    })
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

//! TIFF pages: tags and uncompressed/LZW/Deflate/PackBits data through the `tiff` crate;
//! CCITT strips (compression 2, 3 and 4, both fill orders) through hayro-ccitt, because
//! the `tiff` crate decodes only Group 4 and fax servers send all three modes.

use super::{FileError, MAX_PIXELS, PageError, PageImage, PageResult};
use crate::raster::GrayImage;
use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
use std::io::Cursor;
use tiff::decoder::{Decoder, DecodingResult, ifd::Value};
use tiff::tags::Tag;

const TAG_T4_OPTIONS: u16 = 292;

pub fn read(bytes: &[u8]) -> Result<Vec<PageResult>, FileError> {
    let mut dec = Decoder::new(Cursor::new(bytes))
        .map_err(|e| FileError::Corrupt(format!("unreadable TIFF: {e}")))?;
    let mut out = Vec::new();
    loop {
        let page = out.len() + 1;
        out.push(read_page(&mut dec, bytes).map_err(|reason| PageError { page, reason }));
        if !dec.more_images() {
            break;
        }
        if let Err(e) = dec.next_image() {
            out.push(Err(PageError {
                page: page + 1,
                reason: format!("broken page directory: {e}"),
            }));
            break;
        }
    }
    Ok(out)
}

fn tag_u32(dec: &mut Decoder<Cursor<&[u8]>>, tag: Tag) -> Result<Option<u32>, String> {
    dec.find_tag_unsigned::<u32>(tag)
        .map_err(|e| format!("tag {tag:?}: {e}"))
}

fn resolution(dec: &mut Decoder<Cursor<&[u8]>>, tag: Tag) -> Option<f32> {
    match dec.find_tag(tag).ok()?? {
        Value::Rational(n, d) if d > 0 && n > 0 => Some(n as f32 / d as f32),
        Value::Unsigned(n) if n > 0 => Some(n as f32),
        Value::Float(f) if f > 0.0 => Some(f),
        _ => None,
    }
}

fn read_page(dec: &mut Decoder<Cursor<&[u8]>>, bytes: &[u8]) -> Result<PageImage, String> {
    let width = tag_u32(dec, Tag::ImageWidth)?.ok_or("no image width")?;
    let height = tag_u32(dec, Tag::ImageLength)?.ok_or("no image length")?;
    if width == 0 || height == 0 {
        return Err(format!("empty image {width}×{height}"));
    }
    if width as u64 * height as u64 > MAX_PIXELS {
        return Err(format!("image of absurd size {width}×{height} pixels"));
    }
    let compression = tag_u32(dec, Tag::Compression)?.unwrap_or(1);
    let photometric = tag_u32(dec, Tag::PhotometricInterpretation)?.unwrap_or(0);
    let unit = tag_u32(dec, Tag::ResolutionUnit)?.unwrap_or(2);
    let to_dpi = |v: f32| if unit == 3 { v * 2.54 } else { v };
    let dpi_x = resolution(dec, Tag::XResolution)
        .map(to_dpi)
        .unwrap_or(204.0);
    let dpi_y = resolution(dec, Tag::YResolution)
        .map(to_dpi)
        .unwrap_or(dpi_x);

    let image = match compression {
        2..=4 => read_ccitt(dec, bytes, width, height, compression, photometric)?,
        _ => read_generic(dec, width, height, photometric)?,
    };
    Ok(PageImage {
        image,
        dpi_x,
        dpi_y,
    })
}

/// Collects decoded rows as grey pixels (0 black, 255 white).
struct RowSink<'a> {
    width: usize,
    out: &'a mut Vec<u8>,
}

impl hayro_ccitt::Decoder for RowSink<'_> {
    fn push_row(&mut self, changes: &[u32]) {
        let start = self.out.len();
        self.out.resize(start + self.width, 255);
        let row = &mut self.out[start..];
        for pair in changes.chunks(2) {
            let a = pair[0] as usize;
            let b = pair
                .get(1)
                .map(|&b| b as usize)
                .unwrap_or(self.width)
                .min(self.width);
            row[a.min(b)..b].fill(0);
        }
    }
}

fn read_ccitt(
    dec: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    width: u32,
    height: u32,
    compression: u32,
    photometric: u32,
) -> Result<GrayImage, String> {
    let offsets = dec
        .get_tag_u64_vec(Tag::StripOffsets)
        .map_err(|e| format!("strip offsets: {e}"))?;
    let counts = dec
        .get_tag_u64_vec(Tag::StripByteCounts)
        .map_err(|e| format!("strip byte counts: {e}"))?;
    let rows_per_strip = tag_u32(dec, Tag::RowsPerStrip)?
        .unwrap_or(height)
        .min(height);
    let fill_order = tag_u32(dec, Tag::FillOrder)?.unwrap_or(1);
    let t4 = tag_u32(dec, Tag::from_u16_exhaustive(TAG_T4_OPTIONS))?.unwrap_or(0);
    let encoding = match compression {
        4 => EncodingMode::Group4,
        3 if t4 & 1 != 0 => EncodingMode::Group3_2D,
        _ => EncodingMode::Group3_1D,
    };
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    let mut rows_left = height;
    for (i, (&off, &len)) in offsets.iter().zip(&counts).enumerate() {
        if rows_left == 0 {
            break;
        }
        let rows = rows_per_strip.min(rows_left);
        let (off, len) = (off as usize, len as usize);
        let end = off.checked_add(len).ok_or("strip offset overflows")?;
        if end > bytes.len() {
            return Err(format!(
                "file truncated: strip {} needs bytes {off}..{end}, the file has {}",
                i + 1,
                bytes.len()
            ));
        }
        let mut data = bytes[off..end].to_vec();
        if fill_order == 2 {
            data.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        let settings = DecodeSettings {
            columns: width,
            rows,
            end_of_block: compression != 2,
            end_of_line: compression == 3,
            // Compression 2 (CCITT RLE) pads every row to a byte.
            rows_are_byte_aligned: compression == 2,
            encoding,
            strict: false,
        };
        let mut ctx = DecoderContext::new(settings);
        let before = pixels.len();
        let mut sink = RowSink {
            width: width as usize,
            out: &mut pixels,
        };
        let res = hayro_ccitt::decode(&data, &mut sink, &mut ctx);
        let got = ((pixels.len() - before) / width as usize) as u32;
        if let Err(e) = res
            && got < rows
        {
            return Err(format!(
                "corrupt CCITT data in strip {} after row {got} of {rows}: {e:?}",
                i + 1
            ));
        }
        if got < rows {
            return Err(format!(
                "CCITT strip {} ends after {got} of {rows} rows",
                i + 1
            ));
        }
        pixels.truncate(before + rows as usize * width as usize);
        rows_left -= rows;
    }
    if rows_left > 0 {
        return Err(format!(
            "image data stops {rows_left} rows short of {height}"
        ));
    }
    if photometric == 1 {
        pixels.iter_mut().for_each(|p| *p = 255 - *p);
    }
    Ok(GrayImage::from_raw(width, height, pixels).expect("sized"))
}

fn read_generic(
    dec: &mut Decoder<Cursor<&[u8]>>,
    width: u32,
    height: u32,
    photometric: u32,
) -> Result<GrayImage, String> {
    let bps = tag_u32(dec, Tag::BitsPerSample)?.unwrap_or(1);
    let spp = tag_u32(dec, Tag::SamplesPerPixel)?.unwrap_or(1) as usize;
    let data = match dec
        .read_image()
        .map_err(|e| format!("cannot decode image data: {e}"))?
    {
        DecodingResult::U8(v) => v,
        DecodingResult::U16(v) => v.into_iter().map(|x| (x >> 8) as u8).collect(),
        other => {
            return Err(format!(
                "unsupported sample format {:?}",
                std::mem::discriminant(&other)
            ));
        }
    };
    let (w, h) = (width as usize, height as usize);
    let mut grey = vec![255u8; w * h];
    if bps == 1 {
        let stride = w.div_ceil(8);
        if data.len() < stride * h {
            return Err("bilevel image data too short".into());
        }
        for y in 0..h {
            for x in 0..w {
                let bit = data[y * stride + x / 8] >> (7 - x % 8) & 1;
                // WhiteIsZero (0): a set bit is black; BlackIsZero (1): a set bit is white.
                let black = if photometric == 0 { bit == 1 } else { bit == 0 };
                grey[y * w + x] = if black { 0 } else { 255 };
            }
        }
    } else {
        if data.len() < w * h * spp {
            return Err("image data too short".into());
        }
        for i in 0..w * h {
            let px = &data[i * spp..i * spp + spp];
            let v = if spp >= 3 {
                ((px[0] as u32 * 299 + px[1] as u32 * 587 + px[2] as u32 * 114) / 1000) as u8
            } else {
                px[0]
            };
            grey[i] = if photometric == 0 { 255 - v } else { v };
        }
    }
    Ok(GrayImage::from_raw(width, height, grey).expect("sized"))
}

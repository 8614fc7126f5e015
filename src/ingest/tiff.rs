//! TIFF pages: tags and uncompressed/LZW/Deflate/PackBits data through the `tiff` crate;
//! CCITT strips (compression 2, 3 and 4, both fill orders) through hayro-ccitt, because
//! the `tiff` crate decodes only Group 4 and fax servers send all three modes.

use super::{FileError, Limits, PageError, PageImage, PageResult};
use crate::raster::GrayImage;
use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
use std::io::Cursor;
use tiff::decoder::{Decoder, DecodingResult, ifd::Value};
use tiff::tags::Tag;

const TAG_T4_OPTIONS: u16 = 292;

pub fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<PageResult>, FileError> {
    // The pages the file's directory chain declares, counted without the decoder, so that
    // a page whose directory the decoder cannot take is still accounted for.
    let declared = declared_pages(bytes, limits.max_pages + 1);
    let capped = declared.min(limits.max_pages);
    let mut dec = match Decoder::new(Cursor::new(bytes)) {
        Ok(d) => d,
        Err(e) if declared == 0 => return Err(FileError::Corrupt(format!("unreadable TIFF: {e}"))),
        Err(e) => {
            return Ok((1..=capped)
                .map(|page| {
                    Err(PageError {
                        page,
                        reason: format!("unreadable TIFF: {e}"),
                    })
                })
                .collect());
        }
    };
    let mut out = Vec::new();
    loop {
        let page = out.len() + 1;
        out.push(read_page(&mut dec, bytes, limits).map_err(|reason| PageError { page, reason }));
        if !dec.more_images() || page >= limits.max_pages {
            break;
        }
        if let Err(e) = dec.next_image() {
            for page in page + 1..=capped.max(page + 1) {
                out.push(Err(PageError {
                    page,
                    reason: format!("broken page directory: {e}"),
                }));
            }
            break;
        }
    }
    for page in out.len() + 1..=capped {
        out.push(Err(PageError {
            page,
            reason: "page directory cannot be read (damaged file)".into(),
        }));
    }
    if declared > limits.max_pages {
        out.push(Err(PageError {
            page: limits.max_pages + 1,
            reason: format!(
                "file has more than {} pages; this page and those after it not read (faxform run --max-pages)",
                limits.max_pages
            ),
        }));
    }
    Ok(out)
}

/// Counts the image directories chained from the header (classic and BigTIFF), up to
/// `cap`; stops at a loop or at an offset outside the file.
pub fn declared_pages(bytes: &[u8], cap: usize) -> usize {
    let big_endian = match bytes.get(..2) {
        Some(b"II") => false,
        Some(b"MM") => true,
        _ => return 0,
    };
    let uint = |at: usize, n: usize| -> Option<u64> {
        let b = bytes.get(at..at.checked_add(n)?)?;
        let mut v = 0u64;
        for i in 0..n {
            let byte = if big_endian { b[i] } else { b[n - 1 - i] };
            v = v << 8 | byte as u64;
        }
        Some(v)
    };
    let (offset_size, count_size, entry_size, first) = match uint(2, 2) {
        Some(42) => (4, 2, 12, uint(4, 4)),
        Some(43) => (8, 8, 20, uint(8, 8)),
        _ => return 0,
    };
    let mut seen = std::collections::HashSet::new();
    let mut at = first.unwrap_or(0);
    let mut n = 0;
    while at != 0 && n < cap && seen.insert(at) {
        let Ok(pos) = usize::try_from(at) else { break };
        let Some(entries) = uint(pos, count_size) else {
            break;
        };
        n += 1;
        let next = entries
            .checked_mul(entry_size)
            .and_then(|e| e.checked_add((pos + count_size) as u64))
            .and_then(|p| usize::try_from(p).ok())
            .and_then(|p| uint(p, offset_size));
        at = next.unwrap_or(0);
    }
    n
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

fn read_page(
    dec: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    limits: &Limits,
) -> Result<PageImage, String> {
    let width = tag_u32(dec, Tag::ImageWidth)?.ok_or("no image width")?;
    let height = tag_u32(dec, Tag::ImageLength)?.ok_or("no image length")?;
    limits.check_pixels(width, height)?;
    let compression = tag_u32(dec, Tag::Compression)?.unwrap_or(1);
    let photometric = tag_u32(dec, Tag::PhotometricInterpretation)?.unwrap_or(0);
    let unit = tag_u32(dec, Tag::ResolutionUnit)?.unwrap_or(2);
    let to_dpi = |v: f32| if unit == 3 { v * 2.54 } else { v };
    let stated_x = resolution(dec, Tag::XResolution).map(to_dpi);
    let stated_y = resolution(dec, Tag::YResolution).map(to_dpi);
    let stated = match (stated_x, stated_y) {
        (Some(x), Some(y)) => Some((x, y)),
        (Some(x), None) => Some((x, x)),
        (None, Some(y)) => Some((f32::NAN, y)),
        (None, None) => None,
    };
    let (dpi_x, dpi_y) = limits.page_resolution(width, height, stated)?;

    let (image, damage) = match compression {
        2..=4 => read_ccitt(dec, bytes, width, height, compression, photometric)?,
        _ => (read_generic(dec, width, height, photometric)?, None),
    };
    Ok(PageImage {
        image,
        dpi_x,
        dpi_y,
        damage,
    })
}

/// Writes decoded rows into a strip's pixels (0 black, 255 white), ignoring any rows
/// beyond the strip.
struct RowSink<'a> {
    width: usize,
    rows: usize,
    got: usize,
    out: &'a mut [u8],
}

impl hayro_ccitt::Decoder for RowSink<'_> {
    fn push_row(&mut self, changes: &[u32]) {
        if self.got >= self.rows {
            return;
        }
        let row = &mut self.out[self.got * self.width..(self.got + 1) * self.width];
        self.got += 1;
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

/// Below this share of its rows decoded, a damaged page is not read at all.
pub(super) const MIN_DECODED_SHARE: f32 = 0.5;

/// Decodes a CCITT page strip by strip. A strip whose data is damaged is decoded again
/// leniently (Group 3 lines resynchronise at the next EOL, as libtiff does) and a strip
/// cut short keeps the rows it has, white below; either way the page says it was
/// repaired. Pages with less than half their rows are refused.
fn read_ccitt(
    dec: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    width: u32,
    height: u32,
    compression: u32,
    photometric: u32,
) -> Result<(GrayImage, Option<String>), String> {
    let offsets = dec
        .get_tag_u64_vec(Tag::StripOffsets)
        .map_err(|e| format!("strip offsets: {e}"))?;
    let counts = dec
        .get_tag_u64_vec(Tag::StripByteCounts)
        .map_err(|e| format!("strip byte counts: {e}"))?;
    let rows_per_strip = tag_u32(dec, Tag::RowsPerStrip)?
        .unwrap_or(height)
        .clamp(1, height);
    let fill_order = tag_u32(dec, Tag::FillOrder)?.unwrap_or(1);
    let t4 = tag_u32(dec, Tag::from_u16_exhaustive(TAG_T4_OPTIONS))?.unwrap_or(0);
    let encoding = match compression {
        4 => EncodingMode::Group4,
        3 if t4 & 1 != 0 => EncodingMode::Group3_2D,
        _ => EncodingMode::Group3_1D,
    };
    let (w, h) = (width as usize, height as usize);
    let mut pixels = vec![255u8; w * h];
    let mut damage: Vec<String> = Vec::new();
    let mut decoded_rows = 0usize;
    let strips = h.div_ceil(rows_per_strip as usize);
    for i in 0..strips {
        let first = i * rows_per_strip as usize;
        let rows = (rows_per_strip as usize).min(h - first);
        let (Some(&off), Some(&len)) = (offsets.get(i), counts.get(i)) else {
            damage.push(format!("strip {} of {strips} missing", i + 1));
            continue;
        };
        let off = (off as usize).min(bytes.len());
        let end = off.saturating_add(len as usize).min(bytes.len());
        let mut data = bytes[off..end].to_vec();
        if end - off < len as usize {
            damage.push(format!("strip {} cut short (file truncated)", i + 1));
        }
        if fill_order == 2 {
            data.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        let settings = |strict| DecodeSettings {
            columns: width,
            rows: rows as u32,
            end_of_block: compression != 2,
            end_of_line: compression == 3,
            // Compression 2 (CCITT RLE) pads every row to a byte.
            rows_are_byte_aligned: compression == 2,
            encoding,
            strict,
        };
        let region = &mut pixels[first * w..(first + rows) * w];
        let (got, err) = decode_strip(&data, settings(true), region, w);
        let (got, err) = if err.is_some() || got < rows {
            // Damaged: once more, resynchronising where the coding allows.
            region.fill(255);
            let (got, lenient_err) = decode_strip(&data, settings(false), region, w);
            let what = err
                .or(lenient_err)
                .unwrap_or_else(|| "data ends early".into());
            (got, Some(what))
        } else {
            (got, None)
        };
        decoded_rows += got.min(rows);
        if let Some(e) = err {
            damage.push(if got < rows {
                format!(
                    "strip {}: CCITT data damaged ({e}) after row {got} of {rows}",
                    i + 1
                )
            } else {
                format!("strip {}: damaged CCITT lines resynchronised ({e})", i + 1)
            });
        }
    }
    if (decoded_rows as f32) < MIN_DECODED_SHARE * h as f32 {
        return Err(format!(
            "cannot decode image: only {decoded_rows} of {h} rows could be decoded ({})",
            damage.join("; ")
        ));
    }
    if photometric == 1 {
        pixels.iter_mut().for_each(|p| *p = 255 - *p);
    }
    let damage = (!damage.is_empty()).then(|| damage.join("; "));
    Ok((
        GrayImage::from_raw(width, height, pixels).expect("sized"),
        damage,
    ))
}

/// Decodes one strip into `region` (rows of `width` grey pixels, white beforehand):
/// the rows decoded and the decoder's complaint, if any.
fn decode_strip(
    data: &[u8],
    settings: DecodeSettings,
    region: &mut [u8],
    width: usize,
) -> (usize, Option<String>) {
    let rows = region.len() / width.max(1);
    let mut sink = RowSink {
        width,
        rows,
        got: 0,
        out: region,
    };
    let mut ctx = DecoderContext::new(settings);
    let res = hayro_ccitt::decode(data, &mut sink, &mut ctx);
    (sink.got, res.err().map(|e| format!("{e:?}")))
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

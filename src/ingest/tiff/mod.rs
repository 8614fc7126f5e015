//! TIFF pages: tags and uncompressed/LZW/Deflate/PackBits data through the `tiff` crate
//! ([`pixels`]); CCITT strips (compression 2, 3 and 4, both fill orders) through
//! hayro-ccitt, because the `tiff` crate decodes only Group 4 and fax servers send all
//! three modes.

use super::{FileError, Limits, PageError, PageImage, PageResult};
use crate::raster::GrayImage;
use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
use std::io::Cursor;
use tiff::decoder::{Decoder, ifd::Value};

mod layout;
mod pixels;

use layout::Layout;
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
        out.push(
            decode_page(&mut dec, bytes, page - 1, limits)
                .map_err(|reason| PageError { page, reason }),
        );
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
    let Some(layout) = Layout::of(bytes) else {
        return 0;
    };
    let mut seen = std::collections::HashSet::new();
    let mut at = layout.first_ifd(bytes);
    let mut n = 0;
    while at != 0 && n < cap && seen.insert(at) {
        let Ok(pos) = usize::try_from(at) else { break };
        if layout.entries(bytes, pos).is_none() {
            break;
        }
        n += 1;
        at = layout.next_ifd(bytes, pos);
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

fn decode_page(
    dec: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    index: usize,
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

    let orientation = tag_u32(dec, Tag::Orientation).ok().flatten().unwrap_or(1);
    let (image, damage) = match compression {
        2..=4 => read_ccitt(dec, bytes, width, height, compression, photometric)?,
        _ => (pixels::read(dec, bytes, index, width, height)?, None),
    };
    let (image, swapped) = orient(image, orientation);
    let (dpi_x, dpi_y) = if swapped {
        (dpi_y, dpi_x)
    } else {
        (dpi_x, dpi_y)
    };
    Ok(PageImage {
        image,
        dpi_x,
        dpi_y,
        damage,
    })
}

/// Turns a decoded image the way its Orientation tag says its rows and columns lie
/// (1 = rows top to bottom, columns left to right), and whether the axes were swapped.
fn orient(img: GrayImage, orientation: u32) -> (GrayImage, bool) {
    use image::imageops::{flip_horizontal, flip_vertical, rotate90, rotate180, rotate270};
    match orientation {
        2 => (flip_horizontal(&img), false),
        3 => (rotate180(&img), false),
        4 => (flip_vertical(&img), false),
        // Row 0 is the left column, column 0 the top row: a transpose.
        5 => (flip_horizontal(&rotate90(&img)), true),
        6 => (rotate90(&img), true),
        7 => (flip_horizontal(&rotate270(&img)), true),
        8 => (rotate270(&img), true),
        _ => (img, false),
    }
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
    let chunks = ccitt_chunks(dec, width, height)?;
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
    let mut decoded_px = 0usize;
    let n = chunks.len();
    for (i, c) in chunks.iter().enumerate() {
        let name = if c.tiled { "tile" } else { "strip" };
        let Some((off, len)) = c.data else {
            damage.push(format!("{name} {} of {n} missing", i + 1));
            continue;
        };
        let off = (off as usize).min(bytes.len());
        let end = off.saturating_add(len as usize).min(bytes.len());
        let mut data = bytes[off..end].to_vec();
        if end - off < len as usize {
            damage.push(format!("{name} {} cut short (file truncated)", i + 1));
        }
        if fill_order == 2 {
            data.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        let settings = |strict| DecodeSettings {
            columns: c.w as u32,
            rows: c.h as u32,
            end_of_block: compression != 2,
            end_of_line: compression == 3,
            // Compression 2 (CCITT RLE) pads every row to a byte.
            rows_are_byte_aligned: compression == 2,
            encoding,
            strict,
        };
        // A strip as wide as the page and inside it (most are) is decoded in place; an
        // edge tile that overhangs the image, beside it first.
        let in_place = c.x == 0 && c.w == w && c.y + c.h <= h;
        let mut beside = Vec::new();
        let region: &mut [u8] = if in_place {
            &mut pixels[c.y * w..(c.y + c.h) * w]
        } else {
            beside.resize(c.w * c.h, 255u8);
            &mut beside
        };
        let (got, err) = decode_strip(&data, settings(true), region, c.w);
        let (got, err) = if err.is_some() || got < c.h {
            // Damaged: once more, resynchronising where the coding allows.
            region.fill(255);
            let (got, lenient_err) = decode_strip(&data, settings(false), region, c.w);
            let what = err
                .or(lenient_err)
                .unwrap_or_else(|| "data ends early".into());
            (got, Some(what))
        } else {
            (got, None)
        };
        // The part of the chunk inside the image (edge tiles overhang it).
        let (vw, vh) = (c.w.min(w - c.x), c.h.min(h - c.y));
        if !in_place {
            for row in 0..vh {
                let dst = (c.y + row) * w + c.x;
                pixels[dst..dst + vw].copy_from_slice(&beside[row * c.w..row * c.w + vw]);
            }
        }
        decoded_px += got.min(vh) * vw;
        if let Some(e) = err {
            damage.push(if got < c.h {
                format!(
                    "{name} {}: CCITT data damaged ({e}) after row {got} of {}",
                    i + 1,
                    c.h
                )
            } else {
                format!("{name} {}: damaged CCITT lines resynchronised ({e})", i + 1)
            });
        }
    }
    if (decoded_px as f32) < MIN_DECODED_SHARE * (w * h) as f32 {
        return Err(format!(
            "cannot decode image: only {:.0} % of it could be decoded ({})",
            100.0 * decoded_px as f32 / (w * h) as f32,
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

/// One separately coded piece of a CCITT page: a strip, or a tile.
struct Chunk {
    /// Offset and length of its data, if the file lists them.
    data: Option<(u64, u64)>,
    /// Where it lies on the page, and its coded size (an edge tile overhangs the page).
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    tiled: bool,
}

/// The strips (or tiles) of the current page, in page order.
fn ccitt_chunks(
    dec: &mut Decoder<Cursor<&[u8]>>,
    width: u32,
    height: u32,
) -> Result<Vec<Chunk>, String> {
    let (w, h) = (width as usize, height as usize);
    if let (Ok(offsets), Ok(counts)) = (
        dec.get_tag_u64_vec(Tag::TileOffsets),
        dec.get_tag_u64_vec(Tag::TileByteCounts),
    ) {
        let tw = tag_u32(dec, Tag::TileWidth)?.ok_or("tiled image without a tile width")? as usize;
        let th =
            tag_u32(dec, Tag::TileLength)?.ok_or("tiled image without a tile length")? as usize;
        if tw == 0 || th == 0 || tw > 1 << 16 || th > 1 << 16 {
            return Err(format!("tiles of {tw}×{th} pixels"));
        }
        let across = w.div_ceil(tw);
        return Ok((0..across * h.div_ceil(th))
            .map(|i| Chunk {
                data: offsets.get(i).copied().zip(counts.get(i).copied()),
                x: (i % across) * tw,
                y: (i / across) * th,
                w: tw,
                h: th,
                tiled: true,
            })
            .collect());
    }
    let offsets = dec
        .get_tag_u64_vec(Tag::StripOffsets)
        .map_err(|e| format!("strip offsets: {e}"))?;
    let counts = dec
        .get_tag_u64_vec(Tag::StripByteCounts)
        .map_err(|e| format!("strip byte counts: {e}"))?;
    let rows = tag_u32(dec, Tag::RowsPerStrip)?
        .unwrap_or(height)
        .clamp(1, height) as usize;
    Ok((0..h.div_ceil(rows))
        .map(|i| Chunk {
            data: offsets.get(i).copied().zip(counts.get(i).copied()),
            x: 0,
            y: i * rows,
            w,
            h: rows.min(h - i * rows),
            tiled: false,
        })
        .collect())
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

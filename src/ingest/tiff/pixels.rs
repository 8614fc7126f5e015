//! TIFF pages that are not CCITT-coded (uncompressed, PackBits, LZW, Deflate): pixels
//! through the `tiff` crate, turned into grey whatever their colour type.
//!
//! Two things the `tiff` crate leaves to its caller: it ignores FillOrder (libtiff reverses
//! the bits of every raw strip of a FillOrder 2 file before decompressing it, for every
//! compression but CCITT and JBIG), and it hands palette images back as indices. It
//! already turns WhiteIsZero into BlackIsZero: its samples are 0 for black here.

use crate::raster::GrayImage;
use std::io::Cursor;
use tiff::ColorType;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;

/// Decodes the decoder's current image to grey (0 black, 255 white).
/// `index` is the image's 0-based place in the file.
pub fn read(
    dec: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    index: usize,
    width: u32,
    height: u32,
) -> Result<GrayImage, String> {
    let cannot = |e: tiff::TiffError| format!("cannot decode image: {e}");
    let tag =
        |dec: &mut Decoder<Cursor<&[u8]>>, t: Tag| dec.find_tag_unsigned::<u32>(t).ok().flatten();
    let fill_order = tag(dec, Tag::FillOrder).unwrap_or(1);
    let is_palette = tag(dec, Tag::PhotometricInterpretation) == Some(3);
    let palette = if is_palette {
        Some(
            dec.get_tag_u16_vec(Tag::ColorMap)
                .map_err(|e| format!("palette image without a colour map: {e}"))?,
        )
    } else {
        None
    };
    // What the `tiff` crate cannot take as it is, it is given as a patched copy: raw data
    // bit-reversed for FillOrder 2, and palette indices read as grey (mapped below).
    let (color, data) = if fill_order == 2 || is_palette {
        let mut copy = bytes.to_vec();
        let ifd = dec.ifd_pointer().ok_or("no image directory")?.0 as usize;
        if fill_order == 2 {
            reverse_raw_data(dec, &mut copy)?;
            set_short(&mut copy, ifd, Tag::FillOrder.to_u16(), 1)
                .ok_or("FillOrder tag not found in its directory")?;
        }
        if is_palette {
            set_short(&mut copy, ifd, Tag::PhotometricInterpretation.to_u16(), 1)
                .ok_or("PhotometricInterpretation tag not found in its directory")?;
        }
        let mut d2 = Decoder::new(Cursor::new(copy.as_slice())).map_err(cannot)?;
        d2.seek_to_image(index).map_err(cannot)?;
        let color = match d2.colortype().map_err(cannot)? {
            ColorType::Gray(b) if is_palette => ColorType::Palette(b),
            c => c,
        };
        (color, d2.read_image().map_err(cannot)?)
    } else {
        (
            dec.colortype().map_err(cannot)?,
            dec.read_image().map_err(cannot)?,
        )
    };
    to_grey(
        data,
        color,
        palette.as_deref(),
        width as usize,
        height as usize,
    )
    .map(|g| GrayImage::from_raw(width, height, g).expect("sized"))
}

/// Bit-reverses the current image's raw strips (or tiles) in `copy`: what libtiff does to
/// a FillOrder 2 file's data before decompressing it.
fn reverse_raw_data(dec: &mut Decoder<Cursor<&[u8]>>, copy: &mut [u8]) -> Result<(), String> {
    let (offsets, counts) = match (
        dec.get_tag_u64_vec(Tag::StripOffsets),
        dec.get_tag_u64_vec(Tag::StripByteCounts),
    ) {
        (Ok(o), Ok(c)) => (o, c),
        _ => (
            dec.get_tag_u64_vec(Tag::TileOffsets)
                .map_err(|e| format!("no strip or tile offsets: {e}"))?,
            dec.get_tag_u64_vec(Tag::TileByteCounts)
                .map_err(|e| format!("no strip or tile byte counts: {e}"))?,
        ),
    };
    for (&off, &len) in offsets.iter().zip(&counts) {
        let start = (off as usize).min(copy.len());
        let end = start.saturating_add(len as usize).min(copy.len());
        copy[start..end]
            .iter_mut()
            .for_each(|b| *b = b.reverse_bits());
    }
    Ok(())
}

/// Rewrites the value of a SHORT entry `tag` of the directory at `ifd`.
fn set_short(b: &mut [u8], ifd: usize, tag: u16, value: u16) -> Option<()> {
    let layout = super::Layout::of(b)?;
    let v = layout.value_at(b, ifd, tag)?;
    b.get_mut(v..v + 2)?.copy_from_slice(&layout.short(value));
    Some(())
}

/// Samples of any colour type to grey.
fn to_grey(
    data: DecodingResult,
    color: ColorType,
    palette: Option<&[u16]>,
    w: usize,
    h: usize,
) -> Result<Vec<u8>, String> {
    let (bits, samples) = match color {
        ColorType::Gray(b) | ColorType::Palette(b) => (b, 1),
        ColorType::GrayA(b) => (b, 2),
        ColorType::RGB(b) => (b, 3),
        ColorType::RGBA(b) | ColorType::CMYK(b) => (b, 4),
        ColorType::CMYKA(b) => (b, 5),
        other => return Err(format!("unsupported colour type {other:?}")),
    };
    // 8-bit grey, as scanners write it: the samples are the grey levels already (the
    // general path below widens each to 32 bits and scales it by 255 / 255).
    let data = match (color, data) {
        (ColorType::Gray(8), DecodingResult::U8(mut v)) => {
            if v.len() < w * h {
                return Err("cannot decode image: image data too short".into());
            }
            v.truncate(w * h);
            return Ok(v);
        }
        // Bilevel, as fax servers write uncompressed and PackBits pages: widened from a
        // table (the general path below takes every bit through 32 bits).
        (ColorType::Gray(1), DecodingResult::U8(v)) => return bilevel(&v, w, h),
        (_, data) => data,
    };
    // Every sample as a value and its maximum.
    let (values, max): (Vec<u32>, u32) = match data {
        DecodingResult::U8(v) if bits < 8 => (unpack(&v, bits, samples * w, h)?, (1 << bits) - 1),
        DecodingResult::U8(v) => (v.into_iter().map(u32::from).collect(), 255),
        DecodingResult::U16(v) => (v.into_iter().map(u32::from).collect(), 65535),
        _ => return Err(format!("unsupported sample format ({bits}-bit {color:?})")),
    };
    if values.len() < w * h * samples {
        return Err("cannot decode image: image data too short".into());
    }
    let scale = |v: u32| (v * 255 / max.max(1)) as u8;
    let luma = |r: u32, g: u32, b: u32| ((r * 299 + g * 587 + b * 114) / 1000) as u8;
    let px = values.chunks_exact(samples).take(w * h);
    Ok(match color {
        ColorType::Palette(_) => {
            let map = palette.unwrap_or_default();
            let n = 1usize << bits;
            if map.len() < 3 * n {
                return Err("colour map shorter than its palette".into());
            }
            px.map(|p| {
                let i = (p[0] as usize).min(n - 1);
                let c = |k: usize| map[k * n + i] as u32 >> 8;
                luma(c(0), c(1), c(2))
            })
            .collect()
        }
        ColorType::RGB(_) | ColorType::RGBA(_) => px
            .map(|p| luma(scale(p[0]) as u32, scale(p[1]) as u32, scale(p[2]) as u32))
            .collect(),
        ColorType::CMYK(_) | ColorType::CMYKA(_) => px
            .map(|p| {
                let k = 255 - scale(p[3]) as u32;
                let c = |v: u32| (255 - scale(v) as u32) * k / 255;
                luma(c(p[0]), c(p[1]), c(p[2]))
            })
            .collect(),
        _ => px.map(|p| scale(p[0])).collect(),
    })
}

/// 1-bit grey samples (rows padded to whole bytes, most significant bit first) as 0 for
/// a 0 bit and 255 for a 1.
fn bilevel(v: &[u8], w: usize, h: usize) -> Result<Vec<u8>, String> {
    let stride = w.div_ceil(8);
    if v.len() < stride * h {
        return Err("cannot decode image: image data too short".into());
    }
    Ok(crate::ingest::widen_bilevel(v, stride, w, h))
}

/// Sub-byte samples, rows padded to whole bytes, most significant bits first.
fn unpack(v: &[u8], bits: u8, per_row: usize, h: usize) -> Result<Vec<u32>, String> {
    let bits = bits as usize;
    let stride = (per_row * bits).div_ceil(8);
    if v.len() < stride * h {
        return Err("cannot decode image: image data too short".into());
    }
    let mask = (1u32 << bits) - 1;
    let mut out = Vec::with_capacity(per_row * h);
    for row in v.chunks_exact(stride).take(h) {
        for i in 0..per_row {
            let bit = i * bits;
            let byte = row[bit / 8] as u32;
            out.push(byte >> (8 - bits - bit % 8) & mask);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_byte_samples_unpack_msb_first() {
        assert_eq!(unpack(&[0b1010_0000], 1, 3, 1).unwrap(), [1, 0, 1]);
        assert_eq!(unpack(&[0x1F, 0x80], 4, 3, 1).unwrap(), [1, 15, 8]);
        let g = to_grey(
            DecodingResult::U8(vec![0b0100_0000]),
            ColorType::Gray(1),
            None,
            2,
            1,
        );
        assert_eq!(g.unwrap(), [0, 255]);
    }

    #[test]
    fn bilevel_rows_read_as_the_general_path_reads_them() {
        // Width 11: each row padded to two bytes, the padding bits not read.
        let (w, h) = (11, 3);
        let data = vec![0b1011_0010, 0b1101_1111, 0x00, 0xE0, 0x5A, 0x3F];
        let fast = bilevel(&data, w, h).unwrap();
        let general: Vec<u8> = unpack(&data, 1, w, h)
            .unwrap()
            .into_iter()
            .map(|v| (v * 255) as u8)
            .collect();
        assert_eq!(fast, general);
        assert_eq!(&fast[..4], [255, 0, 255, 255]);
        assert!(bilevel(&data[..5], w, h).is_err());
    }

    #[test]
    fn palettes_map_through_the_colour_map() {
        // 1-bit palette: 0 -> white, 1 -> black.
        let map = [65535, 0, 65535, 0, 65535, 0];
        let g = to_grey(
            DecodingResult::U8(vec![0b0100_0000]),
            ColorType::Palette(1),
            Some(&map),
            2,
            1,
        );
        assert_eq!(g.unwrap(), [255, 0]);
    }
}

//! Finding the system fonts we draw with, and drawing text into grey page bitmaps.
//!
//! Synthetic handwriting uses the Debian fonts `fonts-klee` and `fonts-kiloji`; printed
//! text (cover sheets, fax header lines, overlay captions) uses Noto Sans CJK or DejaVu.

use ab_glyph::{Font, FontArc, PxScale, ScaleFont, point};
use anyhow::{Context, Result, bail};
use image::GrayImage;
use std::path::Path;

/// What a font is used for; each role has a list of candidate files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontRole {
    /// Japanese printed text.
    Print,
    /// Handwriting-like Japanese (several faces, picked per respondent).
    Hand(usize),
}

const PRINT: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
];

/// Handwriting faces: Klee One imitates a pen, kiloji a felt tip and a ballpoint.
const HAND: &[&str] = &[
    "/usr/share/fonts/truetype/klee/KleeOne-Regular.ttf",
    "/usr/share/fonts/truetype/klee/KleeOne-SemiBold.ttf",
    "/usr/share/fonts/truetype/kiloji/kiloji.ttf",
    "/usr/share/fonts/truetype/kiloji/kiloji_p.ttf",
    "/usr/share/fonts/truetype/kiloji/kiloji_b.ttf",
];

pub fn hand_face_count() -> usize {
    HAND.len()
}

fn load(path: &str, index: u32) -> Result<FontArc> {
    let data = std::fs::read(path).with_context(|| format!("reading font {path}"))?;
    let font = ab_glyph::FontVec::try_from_vec_and_index(data, index)
        .map_err(|e| anyhow::anyhow!("font {path}: {e}"))?;
    Ok(FontArc::new(font))
}

/// Loads the font for a role. Errors name the Debian package to install.
pub fn font(role: FontRole) -> Result<FontArc> {
    match role {
        FontRole::Print => {
            for (p, i) in PRINT {
                if Path::new(p).exists() {
                    return load(p, *i);
                }
            }
            bail!("no printed-text font found: install fonts-noto-cjk (make setup does)")
        }
        FontRole::Hand(i) => {
            let p = HAND[i % HAND.len()];
            if !Path::new(p).exists() {
                bail!(
                    "handwriting font {p} missing: install fonts-klee and fonts-kiloji (make setup does)"
                );
            }
            load(p, 0)
        }
    }
}

/// Per-glyph distortion used to imitate handwriting.
#[derive(Debug, Clone, Copy)]
pub struct GlyphJitter {
    pub scale: f32,
    pub angle: f32,
    pub dx: f32,
    pub dy: f32,
}

impl GlyphJitter {
    pub const NONE: GlyphJitter = GlyphJitter {
        scale: 1.0,
        angle: 0.0,
        dx: 0.0,
        dy: 0.0,
    };
}

/// Draws `text` with its baseline starting at `(x, baseline)` in ink darkness `ink`
/// (0 = black) and returns the advance in pixels. `jitter(i)` distorts glyph `i`.
pub fn draw_text(
    img: &mut GrayImage,
    font: &FontArc,
    px: f32,
    (x, baseline): (f32, f32),
    text: &str,
    ink: u8,
    mut jitter: impl FnMut(usize) -> GlyphJitter,
) -> f32 {
    let mut pen = x;
    for (i, ch) in text.chars().enumerate() {
        let j = jitter(i);
        let size = px * j.scale;
        let scaled = font.as_scaled(PxScale::from(size));
        let id = font.glyph_id(ch);
        let advance = scaled.h_advance(id);
        let glyph = id.with_scale_and_position(size, point(0.0, 0.0));
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            let (gw, gh) = (
                b.width().ceil() as usize + 1,
                b.height().ceil() as usize + 1,
            );
            let mut cov = vec![0f32; gw * gh];
            outline.draw(|gx, gy, c| {
                if let Some(v) = cov.get_mut(gy as usize * gw + gx as usize) {
                    *v = c;
                }
            });
            // Rotate each glyph about its own centre so the baseline wanders like a hand's.
            let cx = b.min.x + gw as f32 / 2.0;
            let cy = b.min.y + gh as f32 / 2.0;
            let (s, c) = j.angle.sin_cos();
            let r = ((gw * gw + gh * gh) as f32).sqrt() / 2.0 + 1.0;
            let ox = pen + j.dx + cx;
            let oy = baseline + j.dy + cy;
            let (x0, x1) = ((ox - r).floor() as i32, (ox + r).ceil() as i32);
            let (y0, y1) = ((oy - r).floor() as i32, (oy + r).ceil() as i32);
            for yy in y0.max(0)..y1.min(img.height() as i32) {
                for xx in x0.max(0)..x1.min(img.width() as i32) {
                    let (rx, ry) = (xx as f32 - ox, yy as f32 - oy);
                    let gx = c * rx + s * ry + gw as f32 / 2.0;
                    let gy = -s * rx + c * ry + gh as f32 / 2.0;
                    let (ix, iy) = (gx.floor() as i64, gy.floor() as i64);
                    if ix < 0 || iy < 0 || ix as usize >= gw || iy as usize >= gh {
                        continue;
                    }
                    let a = cov[iy as usize * gw + ix as usize].clamp(0.0, 1.0);
                    if a <= 0.0 {
                        continue;
                    }
                    let p = img.get_pixel_mut(xx as u32, yy as u32);
                    let v = p.0[0] as f32 * (1.0 - a) + ink as f32 * a;
                    p.0[0] = p.0[0].min(v.round() as u8);
                }
            }
        }
        pen += advance * (1.0 + (j.scale - 1.0) * 0.5);
    }
    pen - x
}

/// Width of `text` at `px` without distortion.
pub fn text_width(font: &FontArc, px: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    text.chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum()
}

/// Whether the font has a glyph for every character of `text`.
pub fn covers(font: &FontArc, text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || font.glyph_id(c).0 != 0)
}

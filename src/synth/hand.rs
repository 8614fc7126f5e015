//! Handwriting-like Japanese in write-in fields: a handwriting font with per-character
//! jitter in size, angle and baseline, wrapped to the field.

use crate::fonts::{GlyphJitter, draw_text};
use crate::geometry::Rect;
use crate::raster::GrayImage;
use crate::template::FieldShape;
use ab_glyph::{Font, FontArc, PxScale, ScaleFont};
use rand::Rng;

/// Writes `text` into field `r`; returns the text actually written (a long comment is cut
/// where the field runs out, as a respondent would stop).
pub fn write(
    img: &mut GrayImage,
    font: &FontArc,
    text: &str,
    r: &Rect,
    shape: FieldShape,
    rng: &mut impl Rng,
) -> String {
    // Character height follows the space: one line on underlines and paren blanks, lines of
    // about 6 mm in boxes.
    let px = match shape {
        FieldShape::Box => rng.random_range(34.0..46.0f32),
        _ => (r.h as f32 * rng.random_range(0.68..0.85)).clamp(24.0, 44.0),
    };
    let line_h = px * rng.random_range(1.15..1.35);
    let margin = px * 0.3;
    let max_lines = (((r.h as f32 - margin) / line_h).floor() as usize).max(1);
    let max_w = r.w as f32 - 2.0 * margin;
    let scaled = font.as_scaled(PxScale::from(px));
    let mut lines: Vec<String> = vec![String::new()];
    let mut width = 0.0;
    let mut written = String::new();
    'outer: for ch in text.chars() {
        let adv = scaled.h_advance(font.glyph_id(ch)) * 1.05;
        if width + adv > max_w {
            if lines.len() == max_lines {
                break 'outer;
            }
            lines.push(String::new());
            width = 0.0;
        }
        lines.last_mut().unwrap().push(ch);
        written.push(ch);
        width += adv;
    }
    let ink = rng.random_range(0..60);
    let slope = rng.random_range(-0.02..0.02f32);
    let x0 = r.x as f32 + margin + rng.random_range(0.0..px * 0.6);
    let first_base = match shape {
        FieldShape::Box => r.y as f32 + margin + px,
        // Writing sits on the underline or in the middle of the paren blank.
        FieldShape::Underline => r.bottom() as f32 - 6.0 - rng.random_range(0.0..4.0),
        FieldShape::Paren => r.y as f32 + r.h as f32 / 2.0 + px * 0.38,
    };
    for (i, line) in lines.iter().enumerate() {
        let base = first_base + i as f32 * line_h;
        let mut drift = 0.0f32;
        draw_text(img, font, px, (x0, base), line, ink, |k| {
            drift += rng.random_range(-0.6..0.6);
            GlyphJitter {
                scale: rng.random_range(0.88..1.1),
                angle: rng.random_range(-0.09..0.09),
                dx: rng.random_range(-1.5..1.5),
                dy: drift.clamp(-3.0, 3.0) + slope * k as f32 * px,
            }
        });
    }
    written
}

//! `faxform template check`: drawing a template's regions over its reference image.

use super::{FieldShape, Template};
use crate::fonts::{FontRole, GlyphJitter, draw_text, font};
use crate::geometry::Rect;
use crate::raster::GrayImage;
use ab_glyph::FontArc;
use image::{Rgb, RgbImage};

/// Distinct colours for neighbouring questions, readable over black-on-white forms.
const PALETTE: [[u8; 3]; 8] = [
    [230, 25, 75],
    [0, 130, 200],
    [60, 180, 75],
    [245, 130, 48],
    [145, 30, 180],
    [0, 128, 128],
    [170, 110, 40],
    [240, 50, 230],
];

/// Draws every box, label region and field of page `page` over `base` (the reference
/// image, or a scan already registered to the template's coordinates).
pub fn draw_page(t: &Template, page: usize, base: &GrayImage) -> anyhow::Result<RgbImage> {
    let mut out = RgbImage::from_fn(base.width(), base.height(), |x, y| {
        // Fade the form so the overlay stands out.
        let v = base.get_pixel(x, y).0[0] as u16;
        let v = (v + 3 * 255) / 4;
        let v = if base.get_pixel(x, y).0[0] < 128 {
            150
        } else {
            v as u8 as u16
        };
        Rgb([v as u8; 3])
    });
    let f = font(FontRole::Print)?;
    let caption_px = (t.dpi / 200.0 * 21.0).max(10.0);
    for (qi, q) in t.questions.iter().enumerate() {
        let c = PALETTE[qi % PALETTE.len()];
        for o in q.options.iter().filter(|o| o.page == page) {
            outline(&mut out, &o.rect.inflate(2), c, 3);
            if let Some(l) = &o.label_rect {
                outline(&mut out, l, c, 1);
            }
            caption(
                &mut out,
                &f,
                caption_px,
                o.rect.x,
                o.rect.y - 2,
                &format!("{}:{}", q.id, o.code),
                c,
            );
        }
        if let Some(fl) = q.field.as_ref().filter(|fl| fl.page == page) {
            let thickness = if fl.shape == FieldShape::Box { 3 } else { 2 };
            outline(&mut out, &fl.rect, c, thickness);
            caption(
                &mut out,
                &f,
                caption_px,
                fl.rect.x + 4,
                fl.rect.y + caption_px as i32 + 2,
                &q.id,
                c,
            );
        }
    }
    for d in t.decoys.iter().filter(|d| d.page == page) {
        let grey = [120, 120, 120];
        outline(&mut out, &d.rect.inflate(2), grey, 2);
        caption(
            &mut out,
            &f,
            caption_px,
            d.rect.x,
            d.rect.y - 2,
            "decoy",
            grey,
        );
    }
    Ok(out)
}

fn outline(img: &mut RgbImage, r: &Rect, c: [u8; 3], t: i32) {
    for y in r.y - t..r.bottom() + t {
        for x in r.x - t..r.right() + t {
            let inside = x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
            if !inside && x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height()
            {
                img.put_pixel(x as u32, y as u32, Rgb(c));
            }
        }
    }
}

/// Text in colour `c`: rendered as coverage into a grey scratch image, then tinted.
fn caption(
    img: &mut RgbImage,
    f: &FontArc,
    px: f32,
    x: i32,
    baseline: i32,
    text: &str,
    c: [u8; 3],
) {
    let w = crate::fonts::text_width(f, px, text).ceil() as u32 + 4;
    let h = (px * 1.4).ceil() as u32;
    let mut scratch = GrayImage::from_pixel(w, h, image::Luma([255]));
    draw_text(&mut scratch, f, px, (1.0, px), text, 0, |_| {
        GlyphJitter::NONE
    });
    let top = baseline - px as i32;
    for (sx, sy, p) in scratch.enumerate_pixels() {
        let a = 1.0 - p.0[0] as f32 / 255.0;
        if a <= 0.0 {
            continue;
        }
        let (px, py) = (x + sx as i32, top + sy as i32);
        if px < 0 || py < 0 || px as u32 >= img.width() || py as u32 >= img.height() {
            continue;
        }
        let d = img.get_pixel_mut(px as u32, py as u32);
        for (v, ck) in d.0.iter_mut().zip(c) {
            *v = (*v as f32 * (1.0 - a) + ck as f32 * a) as u8;
        }
    }
}

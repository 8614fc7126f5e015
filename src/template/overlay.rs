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

/// The reference image faded, so that the overlay stands out.
fn faded(base: &GrayImage) -> RgbImage {
    RgbImage::from_fn(base.width(), base.height(), |x, y| {
        // Fade the form so the overlay stands out.
        let v = base.get_pixel(x, y).0[0] as u16;
        let v = (v + 3 * 255) / 4;
        let v = if base.get_pixel(x, y).0[0] < 128 {
            150
        } else {
            v as u8 as u16
        };
        Rgb([v as u8; 3])
    })
}

/// Draws every box, label region and field of page `page` over `base` (the reference
/// image, or a scan already registered to the template's coordinates).
pub fn draw_page(t: &Template, page: usize, base: &GrayImage) -> anyhow::Result<RgbImage> {
    draw_page_moved(t, page, base, &[])
}

/// [`draw_page`] over a registered scan, each box (and its label) drawn where it is read:
/// `moved` pairs a box's template rectangle with its own shift off the page's fit, in
/// template pixels (a fax line error moves bands of boxes that no single fit follows).
pub fn draw_page_moved(
    t: &Template,
    page: usize,
    base: &GrayImage,
    moved: &[(Rect, (i32, i32))],
) -> anyhow::Result<RgbImage> {
    let shift = |r: &Rect| {
        moved
            .iter()
            .find(|(m, _)| m == r)
            .map_or((0, 0), |&(_, s)| s)
    };
    let mut out = faded(base);
    let f = font(FontRole::Print)?;
    // Tags readable at 100 %: digits about 3 mm high on the 200-dpi reference.
    let caption_px = (t.dpi / 200.0 * 30.0).max(12.0);
    for (qi, q) in t.questions.iter().enumerate() {
        let c = PALETTE[qi % PALETTE.len()];
        for o in q.options.iter().filter(|o| o.page == page) {
            let (dx, dy) = shift(&o.rect);
            let at = |r: &Rect| Rect::new(r.x + dx, r.y + dy, r.w, r.h);
            outline(&mut out, &at(&o.rect).inflate(2), c, 3);
            if let Some(l) = &o.label_rect {
                outline(&mut out, &at(l), c, 1);
            }
            caption(
                &mut out,
                &f,
                caption_px,
                o.rect.x + dx,
                o.rect.y + dy - 2,
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

/// Draws a draft that does not load yet ([`super::Sketch`]): every box with its number in
/// the file (`#12`, and its name once it has one), decoys in grey, fields with `field #n`,
/// so that a person names the boxes from the picture.
pub fn draw_sketch(s: &super::Sketch, page: usize, base: &GrayImage) -> anyhow::Result<RgbImage> {
    let mut out = faded(base);
    let f = font(FontRole::Print)?;
    let px = 30.0;
    let (named, unnamed, grey) = ([0, 130, 200], [230, 25, 75], [120, 120, 120]);
    for b in s.boxes.iter().filter(|b| b.page == page) {
        let c = if b.decoy {
            grey
        } else if b.name.is_some() {
            named
        } else {
            unnamed
        };
        outline(&mut out, &b.rect.inflate(2), c, 3);
        let tag = match (&b.name, b.decoy) {
            (_, true) => format!("#{} decoy", b.number),
            (Some(n), _) => format!("#{} {n}", b.number),
            (None, _) => format!("#{}", b.number),
        };
        caption(&mut out, &f, px, b.rect.x, b.rect.y - 4, &tag, c);
    }
    for fl in s.fields.iter().filter(|fl| fl.page == page) {
        let c = if fl.name.is_some() { named } else { unnamed };
        outline(&mut out, &fl.rect, c, 2);
        let tag = match &fl.name {
            Some(n) => format!("field #{} {n}", fl.number),
            None => format!("field #{}", fl.number),
        };
        caption(
            &mut out,
            &f,
            px,
            fl.rect.x + 4,
            fl.rect.y + px as i32 + 2,
            &tag,
            c,
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
    // A white chip under the text: a tag sitting on a box's border or on the form's
    // printing stays readable at 100 %.
    for sy in 2..px as i32 + 3 {
        for sx in 0..w as i32 {
            let (px, py) = (x + sx, top + sy);
            if px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height() {
                let d = img.get_pixel_mut(px as u32, py as u32);
                for v in d.0.iter_mut() {
                    *v = ((*v as u16 + 3 * 255) / 4) as u8;
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_moved_off_the_fit_is_drawn_where_it_is_read() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let t = crate::template::load(&root.join("templates/hodanren-2024-12-a.toml")).unwrap();
        let (qi, q) = t
            .questions
            .iter()
            .enumerate()
            .find(|(_, q)| q.options.iter().any(|o| o.page == 1))
            .unwrap();
        let o = q.options.iter().find(|o| o.page == 1).unwrap();
        let base = GrayImage::from_pixel(t.pages[0].width, t.pages[0].height, image::Luma([255]));
        let colour = PALETTE[qi % PALETTE.len()];
        // The outline's outermost row below the box, 3 px thick round the rectangle grown by 2.
        let below = |img: &RgbImage, dy: i32| {
            let y = (o.rect.bottom() + 2 + dy) as u32;
            img.get_pixel((o.rect.x + o.rect.w / 2) as u32, y).0 == colour
        };
        let still = draw_page(&t, 1, &base).unwrap();
        let moved = draw_page_moved(&t, 1, &base, &[(o.rect, (0, 8))]).unwrap();
        assert!(below(&still, 0) && !below(&still, 8));
        assert!(below(&moved, 8) && !below(&moved, 0));
    }
}

//! Pages of no known form that arrive in the same inbox: the clinic's FAX cover sheet, and
//! blank pages. `faxform run` must reject these, never read them as responses.

use crate::fonts::{GlyphJitter, draw_text};
use crate::raster::GrayImage;
use ab_glyph::FontArc;
use image::Luma;
use rand::Rng;

/// A typical 送付状: title, addressee, sender, page count, a ruled message box.
pub fn cover_sheet(
    w: u32,
    h: u32,
    font: &FontArc,
    clinic: &str,
    number: &str,
    pages: usize,
    rng: &mut impl Rng,
) -> GrayImage {
    let mut img = GrayImage::from_pixel(w, h, Luma([255]));
    let s = w as f32 / 1652.0;
    let line = |img: &mut GrayImage, y: f32, px: f32, x: f32, text: &str| {
        draw_text(img, font, px * s, (x * s, y * s), text, 0, |_| {
            GlyphJitter::NONE
        });
    };
    let title = ["FAX送信票", "FAX送付状", "ＦＡＸ送信のご案内"][rng.random_range(0..3)];
    line(&mut img, 260.0, 90.0, 560.0, title);
    line(&mut img, 480.0, 44.0, 160.0, "保険医協会 事務局 御中");
    line(&mut img, 580.0, 40.0, 160.0, &format!("送信元：{clinic}"));
    line(&mut img, 650.0, 40.0, 160.0, &format!("FAX：{number}"));
    line(
        &mut img,
        720.0,
        40.0,
        160.0,
        &format!("送信枚数：{pages}枚（本票を含む）"),
    );
    line(
        &mut img,
        860.0,
        38.0,
        160.0,
        "いつもお世話になっております。",
    );
    line(
        &mut img,
        920.0,
        38.0,
        160.0,
        "アンケートに回答しましたので送付いたします。",
    );
    line(
        &mut img,
        980.0,
        38.0,
        160.0,
        "ご確認のほど、よろしくお願いいたします。",
    );
    // The message box.
    let (x0, y0, x1, y1) = (
        (150.0 * s) as u32,
        (1100.0 * s) as u32,
        (1500.0 * s) as u32,
        (1700.0 * s) as u32,
    );
    for x in x0..x1 {
        for t in 0..3 {
            img.put_pixel(x, y0 + t, Luma([0]));
            img.put_pixel(x, y1 + t, Luma([0]));
        }
    }
    for y in y0..y1 {
        for t in 0..3 {
            img.put_pixel(x0 + t, y, Luma([0]));
            img.put_pixel(x1 + t, y, Luma([0]));
        }
    }
    line(&mut img, 1160.0, 34.0, 180.0, "通信欄");
    img
}

/// A blank page, as when a respondent feeds the sheet twice or the back side.
pub fn blank_page(w: u32, h: u32) -> GrayImage {
    GrayImage::from_pixel(w, h, Luma([255]))
}

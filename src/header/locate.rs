//! Finding the header line: the first band of small text above the form's own printing.

use crate::geometry::Rect;
use crate::normalise::px_len;
use crate::raster::{GrayImage, ink_count, is_ink, spans};

/// How far down the page a header line may start: machines print it in the top margin.
const ZONE: i32 = px_len(12.0);
/// Paper kept between the header zone and the form's first printing (misfit of the
/// registration, skew across the width).
pub const FORM_GAP: i32 = px_len(1.0);
/// Columns this near the page's sides are left out: edge shadows and feed marks.
const SIDE: i32 = px_len(3.0);
/// A row with fewer ink pixels is paper (speckle).
const ROW_INK: usize = 3;
/// Gaps inside one line of text (between the parts of a character) are narrower.
const ROW_GAP: i32 = px_len(0.6);
/// Header text is this high (2 to 3 mm print, thickened by the fax) ...
const MIN_HEIGHT: i32 = px_len(1.0);
const MAX_HEIGHT: i32 = px_len(5.5);
/// ... and runs at least this far across the page (a date alone is about 25 mm).
const MIN_WIDTH: i32 = px_len(20.0);
/// A column inked over this share of the zone's rows is a streak, not text.
const STREAK: f32 = 0.8;
/// A column whose ink runs from top to bottom over more than a header line's height
/// (with its gaps), in [`DASHES`] pieces or more, is a streak too when it is inked over
/// this share of that run: a scanner's dashed streak. A text column's ink stays within
/// one line (a speck far above or below it makes two pieces, not three).
const DASHED_STREAK: f32 = 0.3;
const DASHES: usize = 3;
/// Paper kept round the found line, at its ends and above and below. With more paper
/// above and below, the recogniser (which scales each crop to 48 rows) read the senders'
/// numbers better on both independent corpora: 0.3 mm 78.8 / 77.3 %, 0.8 mm 79.6 /
/// 80.7 %, 1.2 mm 81.8 / 80.7 %.
const PAD: i32 = px_len(0.8);
const V_PAD: i32 = px_len(1.2);

/// The rectangle of the header line on an upright page, if there is one above
/// `form_top` (the page row where the form's own printing starts).
pub fn header_band(page: &GrayImage, form_top: i32) -> Option<Rect> {
    let (w, h) = (page.width() as i32, page.height() as i32);
    let bottom = ZONE.min(form_top - FORM_GAP).min(h);
    if bottom <= MIN_HEIGHT || w <= 2 * SIDE {
        return None;
    }
    let ink = |x: i32, y: i32| is_ink(page.get_pixel(x as u32, y as u32).0[0]);
    let streak: Vec<bool> = (0..w)
        .map(|x| {
            let rows: Vec<i32> = (0..bottom).filter(|&y| ink(x, y)).collect();
            let (n, run) = match (rows.first(), rows.last()) {
                (Some(a), Some(b)) => (rows.len() as f32, b - a + 1),
                _ => return false,
            };
            let pieces = 1 + rows.windows(2).filter(|p| p[1] > p[0] + 1).count();
            n > STREAK * bottom as f32
                || (run > MAX_HEIGHT + 2 * ROW_GAP
                    && n > DASHED_STREAK * run as f32
                    && pieces >= DASHES)
        })
        .collect();
    let cols = SIDE..w - SIDE;
    let row_ink = |y: i32| {
        cols.clone()
            .filter(|&x| !streak[x as usize] && ink(x, y))
            .count()
    };
    let bands = spans((0..bottom).filter(|&y| row_ink(y) >= ROW_INK), ROW_GAP);
    bands.into_iter().find_map(|(y0, y1)| {
        if !(MIN_HEIGHT..=MAX_HEIGHT).contains(&(y1 - y0)) {
            return None;
        }
        let inked: Vec<i32> = cols
            .clone()
            .filter(|&x| !streak[x as usize] && (y0..y1).any(|y| ink(x, y)))
            .collect();
        let (x0, x1) = (*inked.first()?, *inked.last()? + 1);
        (x1 - x0 >= MIN_WIDTH)
            .then(|| Rect::new(x0 - PAD, y0 - V_PAD, x1 - x0 + 2 * PAD, y1 - y0 + 2 * V_PAD))?
            .clip(page.width(), page.height())
    })
}

/// A gap between words of a header this wide or wider separates its parts (date, name,
/// number, page); a gap inside a word or a number is narrower.
const WORD_GAP: i32 = px_len(1.6);

/// The parts of a header line image (as [`header_band`] cut it), left to right, each
/// read alone: the recogniser drops the spaces between them, which the parser needs.
pub fn words(line: &GrayImage) -> Vec<Rect> {
    let (w, h) = (line.width() as i32, line.height() as i32);
    let inked = (0..w).filter(|&x| ink_count(line, &Rect::new(x, 0, 1, h)) > 0);
    spans(inked, WORD_GAP - 1)
        .into_iter()
        .filter_map(|(x0, x1)| {
            // The band already has paper above and below; more would shrink the
            // characters in the recogniser's 48-pixel rows.
            Rect::new(x0 - PAD, 0, x1 - x0 + 2 * PAD, h).clip(line.width(), line.height())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(img: &mut GrayImage, x: i32, y: i32, w: i32, h: i32) {
        for yy in y..y + h {
            for xx in x..x + w {
                img.put_pixel(xx as u32, yy as u32, image::Luma([0]));
            }
        }
    }

    #[test]
    fn wide_gaps_split_the_line_into_words() {
        let mut line = GrayImage::from_pixel(600, 30, image::Luma([255]));
        block(&mut line, 10, 5, 100, 20); // "23-NOV-26"
        block(&mut line, 116, 5, 60, 20); // "17:11", a narrow gap away
        block(&mut line, 250, 5, 120, 20); // the name, a wide gap away
        let w = words(&line);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].x <= 10 && w[0].right() >= 176 && w[1].x <= 250);
    }

    #[test]
    fn a_line_of_small_text_above_the_form_is_the_header() {
        let mut page = GrayImage::from_pixel(1600, 600, image::Luma([255]));
        // Header "characters" 2.5 mm high along the top.
        for i in 0..30 {
            block(&mut page, 100 + i * 25, 20, 15, px_len(2.5));
        }
        // The form's title, lower down.
        block(&mut page, 300, 140, 900, 40);
        // A streak down the whole page, and a dashed one from the top edge to the form.
        block(&mut page, 1500, 0, 2, 600);
        for y in (0..140).step_by(8) {
            block(&mut page, 1300, y, 3, 4);
        }
        let r = header_band(&page, 140).expect("a header");
        assert!(r.y <= 20 && r.bottom() >= 20 + px_len(2.5), "{r:?}");
        assert!(
            r.x <= 100 && r.right() >= 100 + 29 * 25 + 15 && r.right() < 1300,
            "{r:?}"
        );
        // No header: the zone above the form is empty (the streak is not text).
        let mut bare = GrayImage::from_pixel(1600, 600, image::Luma([255]));
        block(&mut bare, 300, 140, 900, 40);
        block(&mut bare, 1500, 0, 2, 600);
        assert_eq!(header_band(&bare, 140), None);
        // The form's own first line is never taken for a header.
        assert_eq!(header_band(&bare, 145), None);
    }
}

//! Splitting a comment box's writing into lines for a line recogniser.
//!
//! The printed box is already removed, so what is left is writing: rows of ink separated
//! by rows of paper. Small bands (a dakuten or 、 standing apart, a dot of dirt) join the
//! nearest line rather than being read alone.

use super::ppocr::Line;
use crate::geometry::Rect;
use crate::normalise::px_len;
use crate::raster::{GrayImage, ink_count, is_ink, spans};

/// A gap between lines narrower than this is a gap inside one line (between a kanji's
/// upper and lower parts).
const LINE_GAP: i32 = px_len(0.6);
/// A band lower than this is not a line of its own.
const MIN_LINE: i32 = px_len(1.8);
/// Paper kept around each line, above and below.
const LINE_PAD: i32 = px_len(0.8);

/// The rectangles (in `img`) of the lines of writing inside `area`, top to bottom, each
/// trimmed to its own ink left and right and padded.
pub fn split(img: &GrayImage, area: Rect) -> Vec<Rect> {
    let Some(area) = area.clip(img.width(), img.height()) else {
        return Vec::new();
    };
    let ink = |x: i32, y: i32| is_ink(img.get_pixel(x as u32, y as u32).0[0]);
    let row_ink = |y: i32| ink_count(img, &Rect::new(area.x, y, area.w, 1)) > 0;
    // Bands of inked rows, gaps up to LINE_GAP bridged.
    let mut bands = spans((area.y..area.bottom()).filter(|&y| row_ink(y)), LINE_GAP);
    // Thin bands join their nearer neighbour.
    while let Some(i) = (0..bands.len()).find(|&i| bands[i].1 - bands[i].0 < MIN_LINE) {
        if bands.len() == 1 {
            break;
        }
        let gap_up = (i > 0).then(|| bands[i].0 - bands[i - 1].1);
        let gap_down = (i + 1 < bands.len()).then(|| bands[i + 1].0 - bands[i].1);
        let j = match (gap_up, gap_down) {
            (Some(u), Some(d)) if u <= d => i - 1,
            (Some(_), None) => i - 1,
            _ => i + 1,
        };
        let (lo, hi) = (i.min(j), i.max(j));
        bands[lo] = (bands[lo].0, bands[hi].1);
        bands.remove(hi);
    }
    bands
        .into_iter()
        .filter_map(|(y0, y1)| {
            let cols: Vec<i32> = (area.x..area.x + area.w)
                .filter(|&x| (y0..y1).any(|y| ink(x, y)))
                .collect();
            let (x0, x1) = (*cols.first()?, *cols.last()? + 1);
            Rect::new(x0, y0, x1 - x0, y1 - y0)
                .inflate(LINE_PAD)
                .clip(img.width(), img.height())
        })
        .collect()
}

/// Detected lines in reading order: rows top to bottom, each row left to right. A piece
/// joins a row when its core shares most of its height with the row's cores (the grown
/// areas of close lines overlap, so they cannot tell rows apart).
pub fn reading_order(mut found: Vec<Line>) -> Vec<Rect> {
    found.sort_by_key(|l| l.core.y + l.core.h / 2);
    let mut rows: Vec<Vec<Line>> = Vec::new();
    for l in found {
        let r = l.core;
        let joins = rows.last().is_some_and(|row| {
            let (top, bottom) = (
                row.iter().map(|q| q.core.y).min().unwrap_or(0),
                row.iter().map(|q| q.core.bottom()).max().unwrap_or(0),
            );
            let overlap = r.bottom().min(bottom) - r.y.max(top);
            overlap * 2 >= r.h.min(bottom - top)
        });
        match rows.last_mut() {
            Some(row) if joins => row.push(l),
            _ => rows.push(vec![l]),
        }
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by_key(|l| l.core.x);
            row.into_iter().map(|l| l.area)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(img: &mut GrayImage, x: u32, y: u32, w: u32, h: u32) {
        for yy in y..y + h {
            for xx in x..x + w {
                img.put_pixel(xx, yy, image::Luma([0]));
            }
        }
    }

    #[test]
    fn detected_pieces_are_read_row_by_row_left_to_right() {
        // Cores as the detector finds them; areas grown so far that close lines overlap.
        let line = |x, y, w, h| Line {
            core: Rect::new(x, y, w, h),
            area: Rect::new(x, y, w, h).inflate(h),
        };
        let a = line(300, 10, 100, 20); // row 1, right
        let b = line(10, 14, 250, 20); // row 1, left, a little lower
        let c = line(10, 44, 380, 20); // row 2
        let d = line(10, 72, 200, 20); // row 3
        assert_eq!(
            reading_order(vec![d, c, a, b]),
            vec![b.area, a.area, c.area, d.area]
        );
    }

    #[test]
    fn two_lines_are_two_and_a_dakuten_stays_with_its_line() {
        let mut img = GrayImage::from_pixel(400, 200, image::Luma([255]));
        block(&mut img, 20, 20, 300, 40); // line 1
        block(&mut img, 330, 12, 6, 5); // a dakuten above its line, apart from it
        block(&mut img, 40, 110, 200, 40); // line 2
        let lines = split(&img, Rect::new(0, 0, 400, 200));
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].y <= 12 && lines[0].x + lines[0].w >= 336,
            "{lines:?}"
        );
        assert!(lines[1].y > 60 && lines[1].x < 40 && lines[1].x + lines[1].w < 260);
    }

    #[test]
    fn nothing_written_is_no_line() {
        let img = GrayImage::from_pixel(100, 100, image::Luma([255]));
        assert!(split(&img, Rect::new(0, 0, 100, 100)).is_empty());
    }
}

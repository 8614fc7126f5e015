//! The bare paper beside a box that has no label: a grid's cell, where the choices are
//! the column heads and each box sits alone between printed lines.
//!
//! A respondent who ticks beside such a box puts the tick anywhere in the cell, often a
//! box size or two from it: further out than the ink hugging the box
//! ([`super::BoxFeatures::close`]) and with no label under it to look over
//! ([`super::BoxFeatures::label_ink`]). On synthetic nights of a drafted grid layout
//! every unlabelled box read blank with no row while a person sees it ticked had its
//! tick so placed. The zones are worked out once per template from the blank form; the
//! ink in them is [`super::BoxFeatures::cell_ink`].

use super::excess::{Excess, Explained, PageView};
use super::params::{
    BESIDE_TICK_LENGTH, BESIDE_TICK_WIDTH, CELL_BAND, CELL_GAP, CELL_MIN_WIDTH, CELL_REACH,
    CELL_TICK_NARROW, SPECKLE,
};
use crate::geometry::Rect;
use crate::raster::{GrayImage, ink_count};
use crate::register::{BoxModel, Registration};

/// For each box (same order as `boxes`), the zones of bare paper beside it on the
/// blank form `reference`, left and right, when it has no label (`labels[k]` is `None`);
/// none for a labelled box.
///
/// A zone starts past the ink hugging the box ([`CELL_GAP`]) and runs at the box's
/// height (and [`CELL_BAND`] above and below) until the first printed column (a cell's
/// line, a character), half way to the next box at that height, or [`CELL_REACH`] box
/// sizes, whichever comes first; one narrower than [`CELL_MIN_WIDTH`] is left out.
pub fn zones(boxes: &[BoxModel], labels: &[Option<Rect>], reference: &GrayImage) -> Vec<Vec<Rect>> {
    boxes
        .iter()
        .zip(labels)
        .map(|(b, label)| {
            if label.is_some() {
                return Vec::new();
            }
            [Side::Left, Side::Right]
                .into_iter()
                .filter_map(|side| zone(b.rect, side, boxes, reference))
                .collect()
        })
        .collect()
}

/// [`super::BoxFeatures::cell_ink`] of box `i` (`r`, template pixels) with `zones`: the
/// ink in each zone that the blank form does not explain, in pieces a respondent draws
/// there; the larger zone's. Those are tick-like pieces (at least [`CELL_TICK_NARROW`]
/// across both ways and [`BESIDE_TICK_LENGTH`] long) that lie within a box size round the
/// zone, and flat lines at the box's height drawn out from beside it. A fax's specks and
/// broken streaks land on bare paper too, and a ring round a neighbour's label or a
/// streak runs on out of the look or up and down past the box.
pub(super) fn ink(
    img: &PageView,
    reg: &Registration,
    i: usize,
    explained: &Explained,
    r: &Rect,
    zones: &[Rect],
) -> u32 {
    let s = r.w.max(r.h);
    // Rows above and below a line that must be clear of the form's print.
    const PRINT_CLEAR: i32 = 3;
    let narrow = ((s as f32 * CELL_TICK_NARROW) as i32).max(BESIDE_TICK_WIDTH);
    zones
        .iter()
        .map(|zone| {
            let window = zone.inflate(s);
            let e = Excess::sample(img, reg, i, explained, window, true, SPECKLE);
            let (x0, y0, x1, y1) = (window.x, window.y, window.right() - 1, window.bottom() - 1);
            let right = zone.x > r.x;
            let none = Rect::new(zone.x, zone.y, 0, 0);
            // A line is looked for down to three quarters of a box size under the box: a
            // line drawn beside it runs along its foot.
            let foot = (s * 3) / 4;
            let line_zone = Rect::new(zone.x, r.y - foot, zone.w, r.h + 2 * foot);
            e.pieces_at()
                .iter()
                .map(|p| {
                    let (a, b, c, d) = p.bounds;
                    let inside = a > x0 && b > y0 && c < x1 && d < y1;
                    if inside && p.narrow() >= narrow && p.span() >= BESIDE_TICK_LENGTH {
                        return p.count_in(zone, &none);
                    }
                    // A line drawn out from beside the box, under or through where a
                    // label would be: flat, at the box's height, its near end by the box.
                    let near_end = if right {
                        (r.right()..r.right() + s).contains(&a)
                    } else {
                        (r.x - s..r.x).contains(&c)
                    };
                    // Not where the form has print: a printed rule under the row leaves
                    // flat slivers along it on a thickened or misfitted fax.
                    let bare = || {
                        (b - PRINT_CLEAR..=d + PRINT_CLEAR)
                            .all(|y| (zone.x..zone.right()).all(|x| !explained.get(x, y)))
                    };
                    let line = near_end
                        && c - a + 1 >= s
                        && d - b < s / 2
                        && b >= line_zone.y
                        && d < line_zone.bottom()
                        && bare();
                    if line {
                        p.count_in(&line_zone, &none)
                    } else {
                        0
                    }
                })
                .sum()
        })
        .max()
        .unwrap_or(0)
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
}

fn zone(r: Rect, side: Side, boxes: &[BoxModel], reference: &GrayImage) -> Option<Rect> {
    let s = r.w.max(r.h);
    let band = (s as f32 * CELL_BAND) as i32;
    let (y0, y1) = (
        (r.y - band).max(0),
        (r.bottom() + band).min(reference.height() as i32),
    );
    if y1 <= y0 {
        return None;
    }
    let gap = (s as f32 * CELL_GAP) as i32 + 1;
    let reach = (s as f32 * CELL_REACH) as i32;
    let level = |o: &Rect| o.y < y1 && o.bottom() > y0;
    // How far out from the box's side the zone may run: the next box at this height
    // shares the paper between them.
    let mut limit = reach;
    for o in boxes.iter().map(|o| o.rect).filter(|o| *o != r && level(o)) {
        let apart = match side {
            Side::Right => o.x - r.right(),
            Side::Left => r.x - o.right(),
        };
        if apart > 0 {
            limit = limit.min(apart / 2);
        }
    }
    let width = reference.width() as i32;
    let column = |d: i32| match side {
        Side::Right => r.right() + d,
        Side::Left => r.x - 1 - d,
    };
    let mut end = gap;
    while end < limit {
        let x = column(end);
        if !(0..width).contains(&x) || ink_count(reference, &Rect::new(x, y0, 1, y1 - y0)) > 0 {
            break;
        }
        end += 1;
    }
    let w = end - gap;
    if (w as f32) < s as f32 * CELL_MIN_WIDTH {
        return None;
    }
    let x = match side {
        Side::Right => column(gap),
        Side::Left => column(end - 1),
    };
    Some(Rect::new(x, y0, w, y1 - y0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blank grid row: three boxes of 30 px, 150 px apart, a cell line half way
    /// between the first two, and a label after the third.
    fn grid() -> (GrayImage, Vec<BoxModel>) {
        let mut img = GrayImage::from_pixel(600, 100, image::Luma([255]));
        let mut draw = |r: Rect| {
            for y in r.y..r.bottom() {
                for x in r.x..r.right() {
                    img.put_pixel(x as u32, y as u32, image::Luma([0]));
                }
            }
        };
        for x in [100, 250, 400] {
            for side in [
                Rect::new(x, 30, 30, 2),
                Rect::new(x, 58, 30, 2),
                Rect::new(x, 30, 2, 30),
                Rect::new(x + 28, 30, 2, 30),
            ] {
                draw(side);
            }
        }
        draw(Rect::new(190, 0, 2, 100));
        draw(Rect::new(450, 35, 60, 20));
        let boxes = [100, 250, 400]
            .iter()
            .enumerate()
            .map(|(k, &x)| BoxModel::new(&img, 0, k as u32 + 1, Rect::new(x, 30, 30, 30)))
            .collect();
        (img, boxes)
    }

    #[test]
    fn a_zone_runs_to_the_cell_line_half_way_to_the_next_box_or_to_print() {
        let (img, boxes) = grid();
        let z = zones(&boxes, &[None, None, None], &img);
        let s = 30;
        let gap = (s as f32 * CELL_GAP) as i32 + 1;
        // First box: left out to its reach (bare paper), right up to the cell line.
        let reach = (s as f32 * CELL_REACH) as i32;
        assert_eq!(z[0][0], Rect::new(100 - reach, 23, reach - gap, 44));
        assert_eq!(z[0][1], Rect::new(130 + gap, 23, 190 - 130 - gap, 44));
        // Second box: left from the cell line, right half way to the third box.
        assert_eq!(z[1][0], Rect::new(192, 23, 250 - gap - 192, 44));
        assert_eq!(z[1][1], Rect::new(280 + gap, 23, 60 - gap, 44));
        // Third box: the label's print after it is too near for a zone there.
        assert_eq!(z[2].len(), 1, "{:?}", z[2]);
        assert_eq!(z[2][0].right(), 400 - gap);
    }

    /// A pen stroke `w` pixels wide from `a` to `b`.
    fn stroke(img: &mut GrayImage, a: (f32, f32), b: (f32, f32), w: f32) {
        let n = ((b.0 - a.0).hypot(b.1 - a.1) * 2.0) as i32 + 1;
        for k in 0..=n {
            let t = k as f32 / n as f32;
            let (cx, cy) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            let r = w / 2.0;
            for y in (cy - r).floor() as i32..=(cy + r).ceil() as i32 {
                for x in (cx - r).floor() as i32..=(cx + r).ceil() as i32 {
                    let inside =
                        x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height();
                    if inside && (x as f32 - cx).hypot(y as f32 - cy) <= r {
                        img.put_pixel(x as u32, y as u32, image::Luma([0]));
                    }
                }
            }
        }
    }

    /// The cell ink of box `k` of the grid on `page`.
    fn cell_ink(page: &GrayImage, k: usize) -> u32 {
        let (reference, boxes) = grid();
        let z = zones(&boxes, &[None, None, None], &reference);
        let explained = Explained::new(&reference, super::super::params::EXPLAIN_GROW);
        ink(
            &PageView::clean(page),
            &Registration::identity(),
            k,
            &explained,
            &boxes[k].rect,
            &z[k],
        )
    }

    #[test]
    fn a_tick_or_a_line_out_from_the_box_counts_specks_streaks_and_passing_arcs_do_not() {
        let (blank, _) = grid();
        assert_eq!(cell_ink(&blank, 0), 0);
        // A tick in the first box's cell, right of it.
        let mut page = blank.clone();
        stroke(&mut page, (150.0, 44.0), (158.0, 54.0), 3.0);
        stroke(&mut page, (158.0, 54.0), (175.0, 32.0), 3.0);
        assert!(
            cell_ink(&page, 0) >= super::super::params::CELL_TICK_INK,
            "{}",
            cell_ink(&page, 0)
        );
        // Specks and a fax's thin streak down the same cell.
        let mut page = blank.clone();
        for (x, y) in [(150, 40), (160, 50), (170, 35), (175, 55)] {
            stroke(
                &mut page,
                (x as f32, y as f32),
                (x as f32 + 1.0, y as f32),
                2.0,
            );
        }
        stroke(&mut page, (165.0, 0.0), (165.0, 99.0), 2.0);
        assert_eq!(cell_ink(&page, 0), 0);
        // An arc of a ring drawn round something above runs up and down past the box and
        // on out of the look.
        let mut page = blank.clone();
        stroke(&mut page, (150.0, 0.0), (165.0, 45.0), 3.0);
        stroke(&mut page, (165.0, 45.0), (150.0, 99.0), 3.0);
        assert_eq!(cell_ink(&page, 0), 0);
        // A line drawn out from the second box's foot, under where a label would be.
        let mut page = blank.clone();
        stroke(&mut page, (284.0, 64.0), (340.0, 62.0), 3.0);
        assert!(
            cell_ink(&page, 1) >= super::super::params::CELL_TICK_INK,
            "{}",
            cell_ink(&page, 1)
        );
    }

    #[test]
    fn a_labelled_box_has_no_zone() {
        let (img, boxes) = grid();
        let label = Some(Rect::new(450, 35, 60, 20));
        let z = zones(&boxes, &[None, None, label], &img);
        assert!(z[2].is_empty());
        assert_eq!(z[0].len(), 2);
    }
}

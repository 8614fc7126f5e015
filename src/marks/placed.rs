//! Whether a box read as marked sits where the page's print says it does. Registration
//! places a box by its printed ring, or from its neighbours; on a page that bends, or a
//! reduced copy, a ring can be matched on a label's character (口, あ) one character to the
//! side, and the character's strokes inside the "box" read as a mark. Around such a box
//! the blank form's print (the box and its label's first characters) fits the page far
//! better a character's width to the side than where the box was placed.
//!
//! A column of boxes can also be matched one box up or down: on a sheet fed unevenly a
//! fit through the page's top misses its foot by a row's height, and there every ring
//! matches its neighbour's, each box agreeing with the next. The rings cannot tell; the
//! labels can, each fitting the page far better a row up or down ([`placed_off_row`]).

use super::excess::PageView;
use super::hidden::{PrintNear, PrintUnderPage};
use super::params::{PLACED_BETTER, PLACED_LABEL_CHARS, PLACED_NEAR};
use crate::geometry::Rect;
use crate::register::{BoxModel, Located, Registration};

/// How much of the print around box `r` (box `i`) the page's ink covers where the box
/// was placed (within [`PLACED_NEAR`] pixels), and at best up to a box size and a half to
/// either side (searched along the row, then [`PLACED_NEAR`] up and down round the best).
fn print_fit(
    page: &PageView,
    reg: &Registration,
    i: usize,
    r: &Rect,
    print: &PrintNear,
) -> (f32, f32) {
    let s = r.w.max(r.h);
    // The box and a box size and a half of paper and label either side of it.
    let zone = Rect::new(r.x - s * 3 / 2, r.y - s / 4, r.w + 3 * s, r.h + s / 2);
    let reach = s * 3 / 2;
    let near = PLACED_NEAR;
    // Every other row of the print is enough to tell a fit.
    let under = PrintUnderPage::new(page, reg, i, zone, (reach, near), 2, print);
    if under.print_pixels() == 0 {
        return (0.0, 0.0);
    }
    let share = |dx: i32, dy: i32| under.covered(dx, dy) as f32 / under.print_pixels() as f32;
    let here = best_round(&under, 0, near);
    // No fit aside can then be better by the margin asked.
    if here > 1.0 - PLACED_BETTER {
        return (here, here);
    }
    // Aside on the same rows first, then up and down round the best of those.
    let aside = (-reach..=reach)
        .filter(|dx| dx.abs() > near)
        .map(|dx| (dx, share(dx, 0)))
        .fold((0, 0.0f32), |b, c| if c.1 > b.1 { c } else { b });
    let mut best = here.max(aside.1);
    for dy in -near..=near {
        for dx in aside.0 - 1..=aside.0 + 1 {
            if dx.abs() <= reach {
                best = best.max(share(dx, dy));
            }
        }
    }
    (here, best)
}

/// The print around box `r` fits the page clearly better to the side than where the box
/// was placed (by [`PLACED_BETTER`] of it).
pub fn placed_aside(
    page: &PageView,
    reg: &Registration,
    i: usize,
    r: &Rect,
    print: &PrintNear,
) -> bool {
    let (here, best) = print_fit(page, reg, i, r, print);
    best - here >= PLACED_BETTER
}

/// The start of label `label` (of box `i`, up to [`PLACED_LABEL_CHARS`] box sizes of it)
/// fits the page clearly better (by [`PLACED_BETTER`] of its print) a row up or down,
/// `rows` being the heights from this box to the boxes above and below it in its column,
/// than where the box was placed. A label that reads like its neighbours' (「あった（1～5
/// 件）」 above 「あった（6～10件）」) fits both about as well, and is left as placed.
fn placed_off_row(
    page: &PageView,
    reg: &Registration,
    i: usize,
    (r, label): (&Rect, &Rect),
    rows: &[i32],
    print: &PrintNear,
) -> bool {
    let s = r.w.max(r.h);
    let Some(&far) = rows.iter().map(|d| d.abs()).max().as_ref() else {
        return false;
    };
    let near = PLACED_NEAR;
    let zone = Rect::new(
        label.x,
        label.y,
        label.w.min(PLACED_LABEL_CHARS * s),
        label.h,
    );
    let under = PrintUnderPage::new(page, reg, i, zone, (near, far + near), 2, print);
    if under.print_pixels() == 0 {
        return false;
    }
    let here = best_round(&under, 0, near);
    here <= 1.0 - PLACED_BETTER
        && rows
            .iter()
            .any(|&dy| best_round(&under, dy, near) - here >= PLACED_BETTER)
}

/// The best share of the print the page covers moved by up to `near` pixels either way
/// round `dy` rows down (see [`PrintUnderPage::covered`]); `under` has print.
fn best_round(under: &PrintUnderPage, dy: i32, near: i32) -> f32 {
    (-near..=near)
        .flat_map(|y| (-near..=near).map(move |x| (x, dy + y)))
        .map(|(x, y)| under.covered(x, y) as f32 / under.print_pixels() as f32)
        .fold(0.0f32, f32::max)
}

/// Which boxes of `boxes` (labels `labels`) sit in a column matched a box off: a box whose
/// label fits better a row up or down ([`placed_off_row`]) next to another such in its
/// column. Only columns with a box not found where the others put it are looked at: a
/// column moved a box along leaves its last box on paper, or on print of another kind.
/// (One label alone fitting better elsewhere is a faded or crossed-out label as often.)
pub fn column_off_row(
    page: &PageView,
    reg: &Registration,
    boxes: &[BoxModel],
    labels: &[Option<Rect>],
    print: &PrintNear,
) -> Vec<bool> {
    let next: Vec<Vec<usize>> = (0..boxes.len()).map(|i| column_next(boxes, i)).collect();
    // Each box's column: the boxes reached through neighbours.
    let mut column = vec![usize::MAX; boxes.len()];
    for start in 0..boxes.len() {
        if column[start] != usize::MAX {
            continue;
        }
        let mut stack = vec![start];
        column[start] = start;
        while let Some(k) = stack.pop() {
            for &j in &next[k] {
                if column[j] == usize::MAX {
                    column[j] = start;
                    stack.push(j);
                }
            }
        }
    }
    let mut unsettled = vec![false; boxes.len()];
    for (j, &c) in column.iter().enumerate() {
        unsettled[c] |= reg.located.get(j) != Some(&Located::Found);
    }
    let off: Vec<bool> = (0..boxes.len())
        .map(|i| {
            let Some(label) = labels[i] else {
                return false;
            };
            let rows: Vec<i32> = next[i]
                .iter()
                .map(|&j| boxes[j].rect.y - boxes[i].rect.y)
                .collect();
            !rows.is_empty()
                && unsettled[column[i]]
                && placed_off_row(page, reg, i, (&boxes[i].rect, &label), &rows, print)
        })
        .collect();
    (0..boxes.len())
        .map(|i| off[i] && next[i].iter().any(|&j| off[j]))
        .collect()
}

/// The nearest box above and the nearest below box `i` in its column: boxes beginning
/// within half a box size of its left side, one to three box sizes away.
fn column_next(boxes: &[BoxModel], i: usize) -> Vec<usize> {
    let r = &boxes[i].rect;
    let s = r.w.max(r.h);
    let near = |up: bool| {
        boxes
            .iter()
            .enumerate()
            .filter(|&(j, b)| j != i && (b.rect.x - r.x).abs() <= s / 2)
            .filter(|(_, b)| {
                let dy = b.rect.y - r.y;
                (dy < 0) == up && (s..=3 * s).contains(&dy.abs())
            })
            .min_by_key(|(_, b)| (b.rect.y - r.y).abs())
            .map(|(j, _)| j)
    };
    near(true).into_iter().chain(near(false)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::GrayImage;

    /// A 20 px box at (100, 40) and a label of 口-like characters after it, 24 px apart;
    /// the page is the form moved `dx` pixels sideways.
    fn fit(dx: i64) -> (f32, f32) {
        let mut form = GrayImage::from_pixel(300, 100, image::Luma([255]));
        let mut fill = |x: i32, y: i32, w: i32, h: i32| {
            for yy in y..y + h {
                for xx in x..x + w {
                    form.put_pixel(xx as u32, yy as u32, image::Luma([0]));
                }
            }
        };
        let b = Rect::new(100, 40, 20, 20);
        for (x, y, w, h) in [
            (100, 40, 20, 2),
            (100, 58, 20, 2),
            (100, 40, 2, 20),
            (118, 40, 2, 20),
        ] {
            fill(x, y, w, h);
        }
        for k in 0..4 {
            let gx = 126 + 24 * k;
            for (x, y, w, h) in [
                (gx, 41, 18, 2),
                (gx, 57, 18, 2),
                (gx, 41, 2, 18),
                (gx + 16, 41, 2, 18),
            ] {
                fill(x, y, w, h);
            }
        }
        let mut page = GrayImage::from_pixel(300, 100, image::Luma([255]));
        image::imageops::replace(&mut page, &form, dx, 0);
        let print = PrintNear::new(&form);
        print_fit(
            &PageView::clean(&page),
            &Registration::identity(),
            0,
            &b,
            &print,
        )
    }

    #[test]
    fn a_box_placed_a_character_aside_fits_its_print_better_there() {
        // Where it is printed, or a pixel off: the print fits here as well as anywhere.
        for dx in [0, 1] {
            let (here, best) = fit(dx);
            assert!(best - here < PLACED_BETTER, "dx {dx}: {here} {best}");
        }
        // The page a character's width to the side of where the box was placed.
        let (here, best) = fit(-26);
        assert!(best - here >= PLACED_BETTER, "{here} {best}");
    }

    /// Three boxes down a column, 50 px apart, each with a label of different strokes
    /// (rows of bars, a grid, diagonals); the page is the form moved `dy` rows down.
    fn column(dy: i64) -> Vec<bool> {
        let mut form = GrayImage::from_pixel(300, 220, image::Luma([255]));
        let mut ink = |x: i32, y: i32| form.put_pixel(x as u32, y as u32, image::Luma([0]));
        let (boxes, labels): (Vec<Rect>, Vec<Rect>) = (0..3)
            .map(|k| {
                (
                    Rect::new(40, 40 + 50 * k, 20, 20),
                    Rect::new(66, 38 + 50 * k, 120, 24),
                )
            })
            .unzip();
        for (k, (b, l)) in boxes.iter().zip(&labels).enumerate() {
            for t in 0..20 {
                for (x, y) in [
                    (b.x + t, b.y),
                    (b.x + t, b.y + 19),
                    (b.x, b.y + t),
                    (b.x + 19, b.y + t),
                ] {
                    ink(x, y);
                }
            }
            for y in l.y + 2..l.bottom() - 2 {
                for x in l.x..l.right() {
                    let on = match k {
                        0 => (y - l.y) % 6 < 2,
                        1 => (x - l.x) % 8 < 2 || (y - l.y) % 10 < 2,
                        _ => (x + y) % 9 < 2,
                    };
                    if on {
                        ink(x, y);
                    }
                }
            }
        }
        let mut page = GrayImage::from_pixel(300, 220, image::Luma([255]));
        image::imageops::replace(&mut page, &form, 0, dy);
        let print = PrintNear::new(&form);
        (0..3)
            .map(|k| {
                let rows: Vec<i32> = [-50, 50]
                    .into_iter()
                    .filter(|d| (0..3).contains(&(k as i32 + d / 50)))
                    .collect();
                placed_off_row(
                    &PageView::clean(&page),
                    &Registration::identity(),
                    0,
                    (&boxes[k], &labels[k]),
                    &rows,
                    &print,
                )
            })
            .collect()
    }

    #[test]
    fn a_column_placed_a_row_off_has_labels_that_fit_a_row_away() {
        // Where it is printed, or a pixel off: every label fits where its box is.
        for dy in [0, 1] {
            assert_eq!(column(dy), vec![false; 3], "dy {dy}");
        }
        // The page a row down (each box placed on the one above): the labels that have
        // a neighbour's place to fit fit there.
        assert_eq!(column(50), vec![true, true, false]);
    }
}

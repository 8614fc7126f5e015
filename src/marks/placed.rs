//! Whether a box read as marked sits where the page's print says it does. Registration
//! places a box by its printed ring, or from its neighbours; on a page that bends, or a
//! reduced copy, a ring can be matched on a label's character (口, あ) one character to the
//! side, and the character's strokes inside the "box" read as a mark. Around such a box
//! the blank form's print (the box and its label's first characters) fits the page far
//! better a character's width to the side than where the box was placed.

use super::excess::PageView;
use super::hidden::{PrintNear, PrintUnderPage};
use super::params::{PLACED_BETTER, PLACED_NEAR};
use crate::geometry::Rect;
use crate::register::Registration;

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
    let mut here = 0.0f32;
    for dy in -near..=near {
        for dx in -near..=near {
            here = here.max(share(dx, dy));
        }
    }
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
}

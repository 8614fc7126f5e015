//! The form's printing round a box (its label, the text beside it) as a second way to
//! find the box: where a fax has all but erased the thin box lines, the heavier print of
//! the label beside it still shows where it is.

use super::defs::{
    BESIDE_APART, BESIDE_MARGIN, BESIDE_MIN_POINTS, BESIDE_REACH, BESIDE_SHARE, SEARCH,
};
use super::rings::Frame;
use crate::geometry::{Affine, round_i64};
use crate::raster::GrayImage;

/// The form's printing samples (template pixels) near one box, matched as one piece.
pub struct Beside {
    points: Vec<(i32, i32)>,
}

/// The best shift of the printing beside a box: its offset in page pixels from where
/// the placement puts it, the share of its samples on ink there, and the best share at
/// shifts `apart` or more pixels from it (how distinct the match is).
#[derive(Debug, Clone, Copy)]
struct PrintingMatch {
    offset: (i32, i32),
    share: f32,
    elsewhere: f32,
}

impl Beside {
    /// The printing samples of `boxes` within [`BESIDE_REACH`] of box `i`'s rectangle.
    pub fn of(boxes: &super::PageBoxes, i: usize) -> Beside {
        let r = boxes.boxes[i].rect;
        let (x0, x1) = (r.x - BESIDE_REACH.0, r.right() + BESIDE_REACH.0);
        let (y0, y1) = (r.y - BESIDE_REACH.1, r.bottom() + BESIDE_REACH.1);
        Beside {
            points: boxes
                .printing
                .iter()
                .copied()
                .filter(|&(x, y)| x >= x0 && x < x1 && y >= y0 && y < y1)
                .collect(),
        }
    }

    /// The box's offset (page pixels) from where `a` puts it, when the printing beside it
    /// matches the page there well and distinctly (see [`BESIDE_SHARE`]).
    pub fn locate(&self, img: &GrayImage, a: &Affine) -> Option<(i32, i32)> {
        if self.points.len() < BESIDE_MIN_POINTS {
            return None;
        }
        let m = self.best_shift(img, a, SEARCH, BESIDE_APART);
        (m.share >= BESIDE_SHARE && m.share - m.elsewhere >= BESIDE_MARGIN).then_some(m.offset)
    }

    /// The best shift within `radius` pixels either way.
    fn best_shift(&self, img: &GrayImage, a: &Affine, radius: i32, apart: i32) -> PrintingMatch {
        let pts: Vec<(i64, i64)> = self
            .points
            .iter()
            .map(|&(x, y)| {
                let (u, v) = a.apply(x as f64, y as f64);
                (round_i64(u), round_i64(v))
            })
            .collect();
        let frame = Frame::round(pts.iter(), radius);
        let (ox, oy, w) = (frame.ox, frame.oy, frame.w);
        // Per pixel: 2 on ink, 1 beside ink (the ink grown by a pixel, as
        // `PageBoxes::printing_agreement` counts it), 0 on paper.
        let (ink, grown) = frame.ink(img);
        let level: Vec<u8> = ink
            .iter()
            .zip(&grown)
            .map(|(&i, &g)| u8::from(i) + u8::from(g))
            .collect();
        let (r, side) = (radius as usize, (2 * radius + 1) as usize);
        // Samples on grown ink per shift, and on the ink itself (which of a few shifts
        // the grown ink ties is the match).
        let (mut counts, mut exact) = (vec![0u32; side * side], vec![0u32; side * side]);
        for &(x, y) in &pts {
            let (lx, ly) = ((x - ox) as usize, (y - oy) as usize);
            // Shifts (j - r, k - r): a row of shifts reads a row of `level`.
            for (k, (row, row_exact)) in counts
                .chunks_exact_mut(side)
                .zip(exact.chunks_exact_mut(side))
                .enumerate()
            {
                let from = (ly + k - r) * w + lx - r;
                for ((c, e), &l) in row
                    .iter_mut()
                    .zip(row_exact.iter_mut())
                    .zip(&level[from..from + side])
                {
                    *c += u32::from(l > 0);
                    *e += u32::from(l == 2);
                }
            }
        }
        let n = pts.len() as f32;
        let (best, &most) = counts
            .iter()
            .enumerate()
            .max_by_key(|&(i, &c)| (c, exact[i], std::cmp::Reverse(i)))
            .expect("at least one shift");
        let (bj, bk) = ((best % side) as i32, (best / side) as i32);
        let elsewhere = counts
            .iter()
            .enumerate()
            .filter(|&(i, _)| {
                let (j, k) = ((i % side) as i32, (i / side) as i32);
                (j - bj).abs().max((k - bk).abs()) >= apart
            })
            .map(|(_, &c)| c)
            .max()
            .unwrap_or(0);
        PrintingMatch {
            offset: (bj - radius, bk - radius),
            share: most as f32 / n,
            elsewhere: elsewhere as f32 / n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::is_ink;

    /// A label of strokes at random (a 140 × 24 px patch) at `(x, y)` on a page.
    fn label(page: &mut GrayImage, x: u32, y: u32) {
        let mut state = 0x1234_5678_u32;
        for _ in 0..30 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let (across, at, from) = (
                state.is_multiple_of(2),
                (state >> 3) % 22,
                (state >> 9) % 120,
            );
            for k in 0..14 {
                for t in 0..2 {
                    let (px, py) = if across {
                        (x + from + k, y + at + t)
                    } else {
                        (x + from + at % 10 + t, y + (k + at) % 24)
                    };
                    page.put_pixel(px, py, image::Luma([0]));
                }
            }
        }
    }

    #[test]
    fn printing_places_a_box_only_where_it_matches_distinctly() {
        let mut reference = GrayImage::from_pixel(400, 120, image::Luma([255]));
        label(&mut reference, 100, 40);
        let points = (0..reference.height())
            .step_by(3)
            .flat_map(|y| {
                (0..reference.width())
                    .step_by(3)
                    .map(move |x| (x as i32, y as i32))
            })
            .filter(|&(x, y)| is_ink(reference.get_pixel(x as u32, y as u32).0[0]))
            .collect::<Vec<_>>();
        assert!(points.len() >= BESIDE_MIN_POINTS);
        let beside = Beside { points };
        // The label moved 5 px left and 2 down.
        let mut page = GrayImage::from_pixel(400, 120, image::Luma([255]));
        label(&mut page, 95, 42);
        assert_eq!(beside.locate(&page, &Affine::IDENTITY), Some((-5, 2)));
        // Ink everywhere (a blot over the label) matches at every shift: no place.
        let blot = GrayImage::from_pixel(400, 120, image::Luma([0]));
        assert_eq!(beside.locate(&blot, &Affine::IDENTITY), None);
        // Paper: nothing matches.
        let paper = GrayImage::from_pixel(400, 120, image::Luma([255]));
        assert_eq!(beside.locate(&paper, &Affine::IDENTITY), None);
    }
}

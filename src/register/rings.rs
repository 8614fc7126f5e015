//! The printed ring of each box, and how well a page's ink matches it at a given shift.

use crate::geometry::round_i64;
use crate::geometry::{Affine, Rect};
use crate::raster::{GrayImage, is_ink};
use crate::template::Template;

/// The reference form's ink near one box, in template pixels.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BoxModel {
    pub question: usize,
    pub code: u32,
    pub rect: Rect,
    /// Printed ring pixels.
    ring: Vec<(i32, i32)>,
    /// Pixels just outside the ring, which are paper on a blank form.
    halo: Vec<(i32, i32)>,
}

impl BoxModel {
    /// The box's centre in template pixels.
    pub fn centre(&self) -> (f64, f64) {
        let (cx, cy) = self.rect.center();
        (cx as f64, cy as f64)
    }
}

/// All boxes of one template page, and a sample of the page's other printing (text,
/// rules) to judge a whole placement by.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PageBoxes {
    pub boxes: Vec<BoxModel>,
    /// Reference ink pixels away from the boxes, on a sparse grid (template pixels).
    pub printing: Vec<(i32, i32)>,
}

/// Every this many pixels across and down, one reference ink pixel is sampled.
const PRINTING_STEP: u32 = 3;

impl BoxModel {
    /// The box at `r` of question `question`, option `code`, as the reference shows it.
    pub fn new(reference: &GrayImage, question: usize, code: u32, r: Rect) -> BoxModel {
        let mut ring = Vec::new();
        let mut halo = Vec::new();
        let outer = r.inflate(3);
        let within = r.inflate(1);
        for y in outer.y..outer.bottom() {
            for x in outer.x..outer.right() {
                let inside = within.contains_point(x as f32, y as f32);
                let ink = x >= 0
                    && y >= 0
                    && (x as u32) < reference.width()
                    && (y as u32) < reference.height()
                    && is_ink(reference.get_pixel(x as u32, y as u32).0[0]);
                if inside && ink {
                    ring.push((x, y));
                } else if !inside && !ink {
                    halo.push((x, y));
                }
            }
        }
        BoxModel {
            question,
            code,
            rect: r,
            ring,
            halo,
        }
    }
}

impl PageBoxes {
    pub fn build(t: &Template, page: usize, reference: &GrayImage) -> PageBoxes {
        let mut boxes = Vec::new();
        for (qi, q) in t.questions.iter().enumerate() {
            for o in q.options.iter().filter(|o| o.page == page) {
                boxes.push(BoxModel::new(reference, qi, o.code, o.rect));
            }
        }
        PageBoxes::with_printing(boxes, reference)
    }

    /// `boxes` with a sample of the reference's other printing: its ink pixels on a grid
    /// of [`PRINTING_STEP`], away from the boxes.
    pub fn with_printing(boxes: Vec<BoxModel>, reference: &GrayImage) -> PageBoxes {
        let near_box = |x: u32, y: u32| {
            boxes
                .iter()
                .any(|b| b.rect.inflate(4).contains_point(x as f32, y as f32))
        };
        let mut printing = Vec::new();
        for y in (0..reference.height()).step_by(PRINTING_STEP as usize) {
            for x in (0..reference.width()).step_by(PRINTING_STEP as usize) {
                if is_ink(reference.get_pixel(x, y).0[0]) && !near_box(x, y) {
                    printing.push((x as i32, y as i32));
                }
            }
        }
        PageBoxes { boxes, printing }
    }

    /// The share of the sampled printing that `a` puts on ink of `img` (within a pixel):
    /// how well a placement fits the whole page, text and rules, not only the boxes.
    pub fn printing_agreement(&self, img: &GrayImage, a: &Affine) -> f64 {
        if self.printing.is_empty() {
            return 0.0;
        }
        let (w, h) = (img.width() as i64, img.height() as i64);
        let inked = |x: i64, y: i64| {
            x >= 0 && y >= 0 && x < w && y < h && is_ink(img.get_pixel(x as u32, y as u32).0[0])
        };
        let hits = self
            .printing
            .iter()
            .filter(|&&(x, y)| {
                let (u, v) = a.apply(x as f64, y as f64);
                let (u, v) = (round_i64(u), round_i64(v));
                inked(u, v)
                    || inked(u - 1, v)
                    || inked(u + 1, v)
                    || inked(u, v - 1)
                    || inked(u, v + 1)
            })
            .count();
        hits as f64 / self.printing.len() as f64
    }
}

/// The page pixels round some points, padded by a search radius and a pixel more on
/// every side, so that every shift within the radius is a plain index: its top-left
/// corner and size.
pub(super) struct Frame {
    pub ox: i64,
    pub oy: i64,
    pub w: usize,
    pub h: usize,
}

impl Frame {
    pub fn round<'a>(points: impl Iterator<Item = &'a (i64, i64)>, radius: i32) -> Frame {
        let (mut x0, mut y0, mut x1, mut y1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
        for &(x, y) in points {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let pad = radius as i64 + 1;
        Frame {
            ox: x0 - pad,
            oy: y0 - pad,
            w: (x1 - x0 + 1 + 2 * pad) as usize,
            h: (y1 - y0 + 1 + 2 * pad) as usize,
        }
    }

    /// The page's ink over the frame (paper beyond the page's edges), row by row, and
    /// that ink grown by a pixel to its four neighbours (the frame's outermost pixels,
    /// which no shift within the radius reads, as they are).
    pub fn ink(&self, img: &GrayImage) -> (Vec<bool>, Vec<bool>) {
        let (w, h) = (self.w, self.h);
        let (iw, ih) = (img.width() as i64, img.height() as i64);
        let raw = img.as_raw();
        let mut ink = vec![false; w * h];
        // The frame's columns on the page, the same for every row.
        let (lx0, lx1) = (
            (-self.ox).clamp(0, w as i64),
            (iw - self.ox).clamp(0, w as i64),
        );
        for (ly, row) in ink.chunks_exact_mut(w.max(1)).enumerate() {
            let y = self.oy + ly as i64;
            if y < 0 || y >= ih || lx0 >= lx1 {
                continue;
            }
            let from = (y * iw + self.ox + lx0) as usize;
            let src = &raw[from..from + (lx1 - lx0) as usize];
            for (o, &v) in row[lx0 as usize..lx1 as usize].iter_mut().zip(src) {
                *o = is_ink(v);
            }
        }
        // Row by row over slices of the rows above, at and below (a loop the compiler
        // turns into vector instructions).
        let mut grown = ink.clone();
        if w >= 3 {
            for ly in 1..h.saturating_sub(1) {
                let (up, at, down) = (
                    &ink[(ly - 1) * w..ly * w],
                    &ink[ly * w..(ly + 1) * w],
                    &ink[(ly + 1) * w..(ly + 2) * w],
                );
                let out = &mut grown[ly * w + 1..(ly + 1) * w - 1];
                for (lx, o) in out.iter_mut().enumerate() {
                    *o = at[lx + 1] | at[lx] | at[lx + 2] | up[lx + 1] | down[lx + 1];
                }
            }
        }
        (ink, grown)
    }
}

/// Coarse searches this many shifts wide or narrower (the local search round a predicted
/// box) are counted in fixed-width rows.
const NARROW: usize = 16;

/// The page's ink around one box's predicted place, padded by the search radius so that
/// every shift within it is a plain index (no rounding or bounds checks per lookup).
pub struct Window {
    width: usize,
    radius: i32,
    ring: Vec<usize>,
    halo: Vec<usize>,
    ink: Vec<bool>,
    /// The ink grown by one pixel: a 1-pixel ring still scores between grid points of a
    /// coarse search.
    grown: Vec<bool>,
    /// `grown` split into its even and odd places (as 0 or 1): the coarse search's shifts,
    /// every other pixel along a row, are then neighbouring values.
    grown_halves: [Vec<u8>; 2],
}

impl Window {
    /// `None` for a box without printed ring (nothing to match).
    pub fn new(img: &GrayImage, b: &BoxModel, a: &Affine, radius: i32) -> Option<Window> {
        if b.ring.is_empty() || b.halo.is_empty() {
            return None;
        }
        let round = |&(x, y): &(i32, i32)| {
            let (u, v) = a.apply(x as f64, y as f64);
            (round_i64(u), round_i64(v))
        };
        let ring: Vec<(i64, i64)> = b.ring.iter().map(round).collect();
        let halo: Vec<(i64, i64)> = b.halo.iter().map(round).collect();
        let frame = Frame::round(ring.iter().chain(&halo), radius);
        let (ink, grown) = frame.ink(img);
        let Frame { ox, oy, w, .. } = frame;
        let idx = |v: &[(i64, i64)]| -> Vec<usize> {
            v.iter()
                .map(|&(x, y)| (y - oy) as usize * w + (x - ox) as usize)
                .collect()
        };
        // Padded so that a fixed-width read from any shift's first pixel stays inside.
        let half = |odd: usize| {
            let mut v: Vec<u8> = grown
                .iter()
                .skip(odd)
                .step_by(2)
                .map(|&g| g as u8)
                .collect();
            v.resize(v.len() + NARROW, 0);
            v
        };
        let grown_halves = [half(0), half(1)];
        Some(Window {
            width: w,
            radius,
            ring: idx(&ring),
            halo: idx(&halo),
            ink,
            grown,
            grown_halves,
        })
    }

    /// Ring ink found minus halo ink found at a shift (0..1), on the exact or grown ink.
    pub fn score(&self, dx: i32, dy: i32, grown: bool) -> f32 {
        let map = if grown { &self.grown } else { &self.ink };
        let shift = dy as isize * self.width as isize + dx as isize;
        let hit = |v: &[usize]| {
            v.iter()
                .filter(|&&i| map[(i as isize + shift) as usize])
                .count() as f32
                / v.len() as f32
        };
        hit(&self.ring) - hit(&self.halo)
    }

    /// [`Window::score`] on the grown ink at every other pixel within the radius, `dy`
    /// from `-radius` in steps of 2, and `dx` likewise within each: the same values.
    ///
    /// Counted point by point over all shifts at once rather than shift by shift: for one
    /// ring point and one `dy`, the shifts' pixels are every other pixel along a row,
    /// neighbouring values in one of `grown_halves` (a loop the compiler vectorises).
    fn coarse_grid(&self) -> Vec<f32> {
        let r = self.radius as isize;
        let side = (r + 1) as usize;
        let count = |points: &[usize]| -> Vec<u32> {
            let mut counts = vec![0u32; side * side];
            if side <= NARROW && points.len() < u16::MAX as usize {
                // Narrow enough for fixed-width rows of u16 lanes (a few vector
                // instructions per point and row); the lanes past `side` are not read.
                let mut lanes = vec![[0u16; NARROW]; side];
                for &p in points {
                    for (m, row) in lanes.iter_mut().enumerate() {
                        let dy = 2 * m as isize - r;
                        let j = (p as isize + dy * self.width as isize - r) as usize;
                        let values = &self.grown_halves[j % 2][j / 2..][..NARROW];
                        for (c, &v) in row.iter_mut().zip(values) {
                            *c += v as u16;
                        }
                    }
                }
                for (row, l) in counts.chunks_exact_mut(side).zip(&lanes) {
                    for (c, &v) in row.iter_mut().zip(l) {
                        *c = v as u32;
                    }
                }
                return counts;
            }
            for &p in points {
                for (m, row) in counts.chunks_exact_mut(side).enumerate() {
                    let dy = 2 * m as isize - r;
                    // The window is padded by the radius: never below zero or past its end.
                    let j = (p as isize + dy * self.width as isize - r) as usize;
                    let values = &self.grown_halves[j % 2][j / 2..][..side];
                    for (c, &v) in row.iter_mut().zip(values) {
                        *c += v as u32;
                    }
                }
            }
            counts
        };
        let (ring, halo) = (count(&self.ring), count(&self.halo));
        let (nr, nh) = (self.ring.len() as f32, self.halo.len() as f32);
        ring.iter()
            .zip(&halo)
            .map(|(&a, &b)| a as f32 / nr - b as f32 / nh)
            .collect()
    }

    /// The shift `(dx, dy)` of place `i` in [`Window::coarse_grid`].
    fn coarse_shift(&self, i: usize) -> (i32, i32) {
        let (r, side) = (self.radius, self.radius as usize + 1);
        (2 * (i % side) as i32 - r, 2 * (i / side) as i32 - r)
    }

    /// Local maxima of the score on the grown ink, every other pixel within the radius:
    /// the places the box could be, best first, at most `k` of them above `min`.
    pub fn peaks(&self, min: f32, k: usize) -> Vec<((i32, i32), f32)> {
        let r = self.radius;
        let side = (r + 1) as usize;
        let grid = self.coarse_grid();
        let mut out = Vec::new();
        for (i, &g) in grid.iter().enumerate() {
            if g <= min {
                continue;
            }
            let (gx, gy) = ((i % side) as i64, (i / side) as i64);
            let highest = (-1..=1).all(|oy| {
                (-1..=1).all(|ox| {
                    let (nx, ny) = (gx + ox, gy + oy);
                    nx < 0
                        || ny < 0
                        || nx >= side as i64
                        || ny >= side as i64
                        || grid[ny as usize * side + nx as usize] <= g
                })
            });
            if highest {
                out.push((self.coarse_shift(i), g));
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out.truncate(k);
        out
    }

    /// Best whole-pixel shift within the radius and its score: a coarse pass every other
    /// pixel on the grown ink, then a fine pass around the three best coarse shifts. A
    /// best shift on the edge of the search is no match (`f32::MIN`): the ring lies
    /// beyond it, and what scores there is a ring's side overlapping another part.
    pub fn best(&self) -> ((f64, f64), f32) {
        let r = self.radius;
        // Prefer the smaller shift among equals: boxes rarely move far.
        let penalty = |dx: i32, dy: i32| 0.002 * (dx.abs() + dy.abs()) as f32;
        let mut coarse: Vec<(f32, i32, i32)> = self
            .coarse_grid()
            .iter()
            .enumerate()
            .map(|(i, &score)| {
                let (dx, dy) = self.coarse_shift(i);
                (score - penalty(dx, dy), dx, dy)
            })
            .collect();
        coarse.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut best = ((0.0, 0.0), f32::MIN);
        let mut tried = Vec::with_capacity(27);
        for &(_, cx, cy) in coarse.iter().take(3) {
            for dy in (cy - 1).max(-r)..=(cy + 1).min(r) {
                for dx in (cx - 1).max(-r)..=(cx + 1).min(r) {
                    if tried.contains(&(dx, dy)) {
                        continue;
                    }
                    tried.push((dx, dy));
                    let score = self.score(dx, dy, false) - penalty(dx, dy);
                    if score > best.1 {
                        best = ((dx as f64, dy as f64), score);
                    }
                }
            }
        }
        let ((dx, dy), _) = best;
        if dx.abs() >= r as f64 || dy.abs() >= r as f64 {
            return (best.0, f32::MIN);
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coarse_grid_scores_as_shift_by_shift() {
        // A box drawn on a reference; pages with its ring moved, partly off the page, and
        // dirt about, searched at both radii the registration uses.
        let reference = GrayImage::from_fn(120, 100, |x, y| {
            let ring = (40..=68).contains(&x) && (y == 40 || y == 68)
                || (40..=68).contains(&y) && (x == 40 || x == 68);
            image::Luma([if ring { 0 } else { 255 }])
        });
        let b = BoxModel::new(&reference, 0, 1, Rect::new(40, 40, 29, 29));
        for (dx, dy) in [(0, 0), (3, -5), (-7, 2), (-45, -44)] {
            let page = GrayImage::from_fn(120, 100, |x, y| {
                let (sx, sy) = (x as i32 - dx, y as i32 - dy);
                let ring = sx >= 0
                    && sy >= 0
                    && (sx as u32) < 120
                    && (sy as u32) < 100
                    && is_ink(reference.get_pixel(sx as u32, sy as u32).0[0]);
                let dirt = (x * 7 + y * 11) % 23 == 0;
                image::Luma([if ring || dirt { 0 } else { 255 }])
            });
            for radius in [5, 13, 48] {
                let w = Window::new(&page, &b, &Affine::IDENTITY, radius).unwrap();
                let side = (radius + 1) as usize;
                let grid = w.coarse_grid();
                assert_eq!(grid.len(), side * side);
                for (i, &g) in grid.iter().enumerate() {
                    let (sx, sy) = w.coarse_shift(i);
                    assert_eq!(
                        g.to_bits(),
                        w.score(sx, sy, true).to_bits(),
                        "{sx},{sy} r {radius}"
                    );
                }
            }
        }
    }
}

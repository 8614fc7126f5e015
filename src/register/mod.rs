//! Register: where each checkbox of the template lies on the page.
//!
//! Identification gives a global fit from row and column profiles. Here every box is looked
//! for near its predicted place by matching its printed ring, because fax paper feed
//! stretches pages unevenly; a least-squares affine through the boxes that were found
//! replaces the global fit, and a box keeps its own local offset only when it agrees with
//! its neighbours' affine (so a box under a big mark cannot drift onto its label).

use crate::geometry::round_i64;
use crate::geometry::{Affine, Rect};
use crate::raster::{GrayImage, is_ink};
use crate::template::Template;

/// The reference form's ink near one box, in template pixels.
#[derive(Debug, Clone)]
pub struct BoxModel {
    pub question: usize,
    pub code: u32,
    pub rect: Rect,
    /// Printed ring pixels.
    ring: Vec<(i32, i32)>,
    /// Pixels just outside the ring, which are paper on a blank form.
    halo: Vec<(i32, i32)>,
}

/// All boxes of one template page.
#[derive(Debug, Clone)]
pub struct PageBoxes {
    pub boxes: Vec<BoxModel>,
}

impl PageBoxes {
    pub fn build(t: &Template, page: usize, reference: &GrayImage) -> PageBoxes {
        let mut boxes = Vec::new();
        for (qi, q) in t.questions.iter().enumerate() {
            for o in q.options.iter().filter(|o| o.page == page) {
                let r = o.rect;
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
                boxes.push(BoxModel {
                    question: qi,
                    code: o.code,
                    rect: r,
                    ring,
                    halo,
                });
            }
        }
        PageBoxes { boxes }
    }
}

/// Where the template's boxes are on one page.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Template pixels -> page pixels, fitted through the found boxes.
    pub transform: Affine,
    /// Per box (same order as [`PageBoxes::boxes`]): extra shift in page pixels.
    pub offsets: Vec<(f64, f64)>,
    /// How many boxes were found by their ring.
    pub found: usize,
    /// Root-mean-square residual of the found boxes around the affine, in pixels.
    pub rms: f64,
}

impl Registration {
    /// Page position of template point `(x, y)` near box `i`.
    pub fn map(&self, i: usize, x: f64, y: f64) -> (f64, f64) {
        let (px, py) = self.transform.apply(x, y);
        let (dx, dy) = self.offsets.get(i).copied().unwrap_or((0.0, 0.0));
        (px + dx, py + dy)
    }
}

const SEARCH: i32 = 9;
const AGREE_PX: f64 = 2.5;

/// Best local shift of one box's ring around its predicted place, with its score
/// (ring ink found minus halo ink found, 0..1).
fn find_box(img: &GrayImage, b: &BoxModel, a: &Affine) -> ((f64, f64), f32) {
    // Page positions rounded once; the search then adds whole-pixel shifts, indexing a
    // padded copy of the neighbourhood so that no lookup needs rounding or bounds checks.
    let round = |&(x, y): &(i32, i32)| {
        let (u, v) = a.apply(x as f64, y as f64);
        (round_i64(u), round_i64(v))
    };
    let ring: Vec<(i64, i64)> = b.ring.iter().map(round).collect();
    let halo: Vec<(i64, i64)> = b.halo.iter().map(round).collect();
    let (mut x0, mut y0, mut x1, mut y1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    for &(x, y) in ring.iter().chain(&halo) {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    if ring.is_empty() || halo.is_empty() {
        return ((0.0, 0.0), f32::MIN);
    }
    let pad = SEARCH as i64 + 1;
    let (ox, oy) = (x0 - pad, y0 - pad);
    let (w, h) = (
        (x1 - x0 + 1 + 2 * pad) as usize,
        (y1 - y0 + 1 + 2 * pad) as usize,
    );
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let mut local = vec![false; w * h];
    for ly in 0..h {
        let y = oy + ly as i64;
        if y < 0 || y >= ih {
            continue;
        }
        for lx in 0..w {
            let x = ox + lx as i64;
            if x >= 0 && x < iw {
                local[ly * w + lx] = is_ink(raw[(y * iw + x) as usize]);
            }
        }
    }
    let idx = |v: &[(i64, i64)]| -> Vec<usize> {
        v.iter()
            .map(|&(x, y)| (y - oy) as usize * w + (x - ox) as usize)
            .collect()
    };
    let (ring, halo) = (idx(&ring), idx(&halo));
    // Coarse pass every other pixel on the ink grown by one pixel (so a 1-pixel ring still
    // scores between the grid points), then a fine pass around the best coarse shifts.
    let mut grown = local.clone();
    for ly in 1..h - 1 {
        for lx in 1..w - 1 {
            let i = ly * w + lx;
            grown[i] = local[i] || local[i - 1] || local[i + 1] || local[i - w] || local[i + w];
        }
    }
    let score_at = |map: &[bool], dx: i32, dy: i32| -> f32 {
        let shift = dy as isize * w as isize + dx as isize;
        let hit = |v: &[usize]| {
            v.iter()
                .filter(|&&i| map[(i as isize + shift) as usize])
                .count() as f32
                / v.len() as f32
        };
        // Prefer the smaller shift among equals: boxes rarely move far.
        hit(&ring) - hit(&halo) - 0.002 * (dx.abs() + dy.abs()) as f32
    };
    let mut coarse: Vec<(f32, i32, i32)> = Vec::new();
    for dy in (-SEARCH..=SEARCH).step_by(2) {
        for dx in (-SEARCH..=SEARCH).step_by(2) {
            coarse.push((score_at(&grown, dx, dy), dx, dy));
        }
    }
    coarse.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut best = ((0.0, 0.0), f32::MIN);
    let mut tried = Vec::with_capacity(27);
    for &(_, cx, cy) in coarse.iter().take(3) {
        for dy in (cy - 1).max(-SEARCH)..=(cy + 1).min(SEARCH) {
            for dx in (cx - 1).max(-SEARCH)..=(cx + 1).min(SEARCH) {
                if tried.contains(&(dx, dy)) {
                    continue;
                }
                tried.push((dx, dy));
                let score = score_at(&local, dx, dy);
                if score > best.1 {
                    best = ((dx as f64, dy as f64), score);
                }
            }
        }
    }
    best
}

/// A template point and where it was found on the page.
type PointPair = ((f64, f64), (f64, f64));

/// Least-squares affine from template points to page points.
fn fit_affine(pairs: &[PointPair]) -> Option<Affine> {
    if pairs.len() < 3 {
        return None;
    }
    // Normal equations for [x y 1] -> u and -> v separately.
    let mut m = [[0f64; 3]; 3];
    let mut bu = [0f64; 3];
    let mut bv = [0f64; 3];
    for &((x, y), (u, v)) in pairs {
        let r = [x, y, 1.0];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] += r[i] * r[j];
            }
            bu[i] += r[i] * u;
            bv[i] += r[i] * v;
        }
    }
    let su = solve3(m, bu)?;
    let sv = solve3(m, bv)?;
    Some(Affine {
        a: su[0],
        b: su[1],
        c: su[2],
        d: sv[0],
        e: sv[1],
        f: sv[2],
    })
}

fn solve3(m: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    if d.abs() < 1e-9 {
        return None;
    }
    let mut out = [0f64; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let mut mk = m;
        for i in 0..3 {
            mk[i][k] = b[i];
        }
        *o = det(&mk) / d;
    }
    Some(out)
}

/// Registers a page's boxes starting from the identification's global fit.
///
/// Boxes far from where the global fit is best can lie beyond the local search (a 2 %
/// scale error is 30 px across the page), so the fit is refined in rounds: fit through the
/// boxes found, look again for the others, until no more are found.
pub fn register(img: &GrayImage, boxes: &PageBoxes, initial: &Affine) -> Registration {
    let centre = |b: &BoxModel| {
        let (cx, cy) = b.rect.center();
        (cx as f64, cy as f64)
    };
    // Where each box was found on the page (absolute), once found.
    let mut at: Vec<Option<(f64, f64)>> = vec![None; boxes.boxes.len()];
    let mut transform = *initial;
    for _round in 0..4 {
        let mut newly = 0;
        for (i, b) in boxes.boxes.iter().enumerate() {
            if at[i].is_some() {
                continue;
            }
            let (off, score) = find_box(img, b, &transform);
            if score > FOUND_SCORE {
                let (px, py) = transform.apply(centre(b).0, centre(b).1);
                at[i] = Some((px + off.0, py + off.1));
                newly += 1;
            }
        }
        let pairs: Vec<_> = boxes
            .boxes
            .iter()
            .zip(&at)
            .filter_map(|(b, p)| p.map(|p| (centre(b), p)))
            .collect();
        match robust_fit(&pairs) {
            Some(fit) => transform = fit,
            None => break,
        }
        if newly == 0 || pairs.len() == boxes.boxes.len() {
            break;
        }
    }
    let mut offsets = Vec::with_capacity(boxes.boxes.len());
    let mut sq = 0.0;
    let mut n = 0;
    for (b, p) in boxes.boxes.iter().zip(&at) {
        let (fx, fy) = transform.apply(centre(b).0, centre(b).1);
        match p {
            Some((mx, my)) if ((mx - fx).powi(2) + (my - fy).powi(2)).sqrt() <= AGREE_PX => {
                offsets.push((mx - fx, my - fy));
                sq += (mx - fx).powi(2) + (my - fy).powi(2);
                n += 1;
            }
            _ => offsets.push((0.0, 0.0)),
        }
    }
    Registration {
        transform,
        offsets,
        found: n,
        rms: if n > 0 {
            (sq / n as f64).sqrt()
        } else {
            f64::NAN
        },
    }
}

/// A box counts as found by its ring above this match score.
const FOUND_SCORE: f32 = 0.45;

/// Least squares through the pairs, then again without those far from the first fit.
fn robust_fit(pairs: &[PointPair]) -> Option<Affine> {
    let mut pairs = pairs.to_vec();
    let mut fit = fit_affine(&pairs)?;
    for _ in 0..3 {
        let before = pairs.len();
        pairs.retain(|&(t, p)| {
            let (u, v) = fit.apply(t.0, t.1);
            ((u - p.0).powi(2) + (v - p.1).powi(2)).sqrt() <= AGREE_PX * 1.5
        });
        if pairs.len() == before || pairs.len() < 4 {
            break;
        }
        fit = fit_affine(&pairs)?;
    }
    Some(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_fit_recovers_a_known_map() {
        let a = Affine::translate(12.0, -4.0)
            .then_after(&Affine::rotate(0.02))
            .then_after(&Affine::scale(1.01, 0.98));
        let pairs: Vec<_> = [
            (10.0, 10.0),
            (500.0, 40.0),
            (80.0, 900.0),
            (700.0, 1200.0),
            (300.0, 300.0),
        ]
        .iter()
        .map(|&(x, y)| ((x, y), a.apply(x, y)))
        .collect();
        let f = fit_affine(&pairs).unwrap();
        for (k, (g, w)) in [
            (f.a, a.a),
            (f.b, a.b),
            (f.c, a.c),
            (f.d, a.d),
            (f.e, a.e),
            (f.f, a.f),
        ]
        .iter()
        .enumerate()
        {
            assert!((g - w).abs() < 1e-6, "coefficient {k}: {g} vs {w}");
        }
    }
}

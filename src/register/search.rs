//! A fresh start when identification's fit is too far off for the local search: streaks,
//! edge shadows and heavy marks can pull its profiles by millimetres or a few percent of
//! scale. Every box proposes the few places within a wide radius where its ring could be;
//! the scale and shift that the most boxes agree on wins (a consensus, as RANSAC finds
//! one, but over all pairs, since there are only tens of boxes).

use super::rings::{BoxModel, PageBoxes, Window};
use crate::geometry::Affine;
use crate::raster::GrayImage;

/// Wide-search constants: distances in mm, converted to template pixels.
mod defs {
    /// How far from identification's prediction a box is looked for (6 mm).
    pub const RADIUS: i32 = crate::normalise::px_len(6.1);
    /// Places proposed per box.
    pub const PEAKS: usize = 3;
    /// Two boxes closer than this in a direction say nothing about scale along it.
    pub const MIN_SEPARATION_PX: f64 = crate::normalise::px_dist(19.05);
    /// A box agrees with a hypothesis when one of its places lies this close (the
    /// proposals lie on a 2-pixel grid).
    pub const AGREE_PX: f64 = crate::normalise::px_dist(0.381);
    /// The most a fax stretches a page either way beyond what identification found.
    pub const MAX_SCALE_CHANGE: f64 = 0.08;
}
use defs::*;

/// Proposed page positions of one box's centre, with their ring scores.
struct Proposals {
    centre: (f64, f64),
    places: Vec<((f64, f64), f32)>,
}

fn proposals(img: &GrayImage, b: &BoxModel, initial: &Affine, min: f32) -> Option<Proposals> {
    let w = Window::new(img, b, initial, RADIUS)?;
    let centre = b.centre();
    let (px, py) = initial.apply(centre.0, centre.1);
    let places: Vec<_> = w
        .peaks(min, PEAKS)
        .into_iter()
        .map(|((dx, dy), s)| ((px + dx as f64, py + dy as f64), s))
        .collect();
    (!places.is_empty()).then_some(Proposals { centre, places })
}

/// The map with `initial`'s rotation and shear whose scale and shift along each axis
/// take template points `p` and `q` to page points `u` and `w`.
fn through(
    initial: &Affine,
    (p, u): ((f64, f64), (f64, f64)),
    (q, w): ((f64, f64), (f64, f64)),
) -> Option<Affine> {
    let (dx, dy) = (p.0 - q.0, p.1 - q.1);
    if dx.abs() < MIN_SEPARATION_PX || dy.abs() < MIN_SEPARATION_PX {
        return None;
    }
    let a = (u.0 - w.0 - initial.b * dy) / dx;
    let e = (u.1 - w.1 - initial.d * dx) / dy;
    if (a / initial.a - 1.0).abs() > MAX_SCALE_CHANGE
        || (e / initial.e - 1.0).abs() > MAX_SCALE_CHANGE
    {
        return None;
    }
    Some(Affine {
        a,
        e,
        c: u.0 - a * p.0 - initial.b * p.1,
        f: u.1 - initial.d * p.0 - e * p.1,
        ..*initial
    })
}

/// Total ring score of the boxes with a proposed place where `a` puts them.
fn support(a: &Affine, all: &[Proposals]) -> f32 {
    all.iter()
        .filter_map(|p| {
            let (x, y) = a.apply(p.centre.0, p.centre.1);
            p.places
                .iter()
                .filter(|(at, _)| ((at.0 - x).powi(2) + (at.1 - y).powi(2)).sqrt() <= AGREE_PX)
                .map(|(_, s)| *s)
                .reduce(f32::max)
        })
        .sum()
}

/// The scale and shift along each axis (keeping `initial`'s rotation) that the most box
/// rings within [`RADIUS`] agree on; `None` when no two boxes far enough apart propose
/// anything.
pub fn consensus_start(
    img: &GrayImage,
    boxes: &PageBoxes,
    initial: &Affine,
    min_score: f32,
) -> Option<Affine> {
    let all: Vec<Proposals> = boxes
        .boxes
        .iter()
        .filter_map(|b| proposals(img, b, initial, min_score))
        .collect();
    let mut best: Option<(f32, Affine)> = None;
    for (i, pi) in all.iter().enumerate() {
        for pj in &all[i + 1..] {
            for &(u, _) in &pi.places {
                for &(w, _) in &pj.places {
                    let Some(a) = through(initial, (pi.centre, u), (pj.centre, w)) else {
                        continue;
                    };
                    let s = support(&a, &all);
                    if best.is_none_or(|b| s > b.0) {
                        best = Some((s, a));
                    }
                }
            }
        }
    }
    best.map(|b| b.1)
}

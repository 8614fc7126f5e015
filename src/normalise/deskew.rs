//! Skew and quarter-turn detection from the straightness of text lines.
//!
//! Printed forms are mostly horizontal lines of text: projected along the right angle, ink
//! piles up in sharp rows, and the sum of squared row counts peaks. The same measure across
//! the page tells a page turned a quarter (rows are columns then).

/// Sum of squared histogram counts of the points projected at `angle` (radians). Each
/// point is split linearly between its two nearest bins so that the measure changes
/// smoothly with the angle instead of jumping as points cross bin edges.
/// The points' bounding box `(x0, y0, x1, y1)`.
fn bounds(points: &[(f32, f32)]) -> (f32, f32, f32, f32) {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for &(x, y) in points {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    (x0, y0, x1, y1)
}

/// Points projected per pass of [`sharpness_in`].
const CHUNK: usize = 256;
/// A point's position along the projection is kept to 1/2^FRACTION_BITS of a bin: its
/// weight is split between its two bins in whole units, so the histogram's sums are
/// integers, the same in whatever order the points are added.
const FRACTION_BITS: u32 = 10;
/// Histograms filled side by side, point `i` into lane `i % LANES`: neighbouring points
/// mostly fall in the same bin, and one histogram would make each addition wait for the
/// one before it.
const LANES: usize = 2;

fn sharpness(points: &[(f32, f32)], angle: f32, bin: f32) -> f64 {
    sharpness_in(points, bounds(points), angle, bin)
}

/// [`sharpness`] with the points' bounding box already known (it bounds the projection's
/// range, so the histogram is sized without a second pass over the points).
fn sharpness_in(
    points: &[(f32, f32)],
    (x0, y0, x1, y1): (f32, f32, f32, f32),
    angle: f32,
    bin: f32,
) -> f64 {
    if points.is_empty() {
        return 0.0;
    }
    let (s, c) = angle.sin_cos();
    let (s, c) = (s / bin, c / bin);
    let corners = [(x0, y0), (x0, y1), (x1, y0), (x1, y1)];
    let lo = corners
        .iter()
        .map(|&(x, y)| -x * s + y * c)
        .fold(f32::MAX, f32::min);
    let hi = corners
        .iter()
        .map(|&(x, y)| -x * s + y * c)
        .fold(f32::MIN, f32::max);
    let base = lo.floor() - 2.0;
    let bins = (hi - base) as usize + 4;
    let mut lanes = vec![vec![0u32; bins]; LANES];
    let one = 1u32 << FRACTION_BITS;
    let scale = one as f32;
    // Positions first, a chunk at a time (the arithmetic vectorises), then the
    // histograms (a scatter).
    let (mut bin_of, mut frac) = ([0u32; CHUNK], [0u32; CHUNK]);
    for chunk in points.chunks(CHUNK) {
        for ((b, f), &(x, y)) in bin_of.iter_mut().zip(frac.iter_mut()).zip(chunk) {
            // Never negative and far below 2^31: through i32, one instruction on x86-64.
            let q = ((-x * s + y * c - base).max(0.0) * scale) as i32 as u32;
            (*b, *f) = (q >> FRACTION_BITS, q & (one - 1));
        }
        let n = chunk.len();
        let whole = n - n % LANES;
        for (bs, fs) in bin_of[..whole]
            .chunks_exact(LANES)
            .zip(frac[..whole].chunks_exact(LANES))
        {
            for ((h, &b), &f) in lanes.iter_mut().zip(bs).zip(fs) {
                add(h, b as usize, one, f);
            }
        }
        for (&b, &f) in bin_of[whole..n].iter().zip(&frac[whole..n]) {
            add(&mut lanes[0], b as usize, one, f);
        }
    }
    // In units of a whole point squared, as a float histogram would give.
    let unit = (one as f64) * (one as f64);
    (0..bins)
        .map(|i| {
            let v = lanes.iter().map(|h| h[i] as u64).sum::<u64>() as f64;
            v * v
        })
        .sum::<f64>()
        / unit
}

/// One point at bin `b` and `f` parts in `one` of the way to the next, split between them.
#[inline(always)]
fn add(hist: &mut [u32], b: usize, one: u32, f: u32) {
    if let Some(pair) = hist.get_mut(b..b + 2) {
        pair[0] += one - f;
        pair[1] += f;
    }
}

/// The sharpness at each angle from `lo` to `hi` in steps of `step` (degrees), and the
/// index of the sharpest (the first of equals).
fn scan(points: &[(f32, f32)], lo: f32, hi: f32, step: f32, bin: f32) -> (Vec<(f32, f64)>, usize) {
    let bb = bounds(points);
    let n = ((hi - lo) / step).round() as i32;
    let all: Vec<(f32, f64)> = (0..=n)
        .map(|i| {
            let a = lo + step * i as f32;
            (a, sharpness_in(points, bb, a.to_radians(), bin))
        })
        .collect();
    let mut best = 0;
    for (i, &(_, v)) in all.iter().enumerate() {
        if v > all[best].1 {
            best = i;
        }
    }
    (all, best)
}

/// Estimated skew in degrees (positive: content rotated clockwise on screen, y down), from
/// coarse points (e.g. 50 dpi cells) and fine points (e.g. 100 dpi cells), with the fine
/// points' scale relative to the coarse ones.
pub fn skew_degrees(coarse: &[(f32, f32)], fine: &[(f32, f32)], max_deg: f32) -> f32 {
    // Every other point is plenty to find the right quarter degree.
    let thin: Vec<(f32, f32)> = coarse.iter().step_by(2).copied().collect();
    let (all, best) = scan(&thin, -max_deg, max_deg, 0.25, 1.0);
    let a0 = all[best].0;
    let step = 0.05;
    let (all, best) = scan(fine, a0 - 0.3, a0 + 0.3, step, 1.0);
    let (a1, v1) = all[best];
    // A parabola through the peak and its neighbours places it between the steps (the
    // neighbours measured by the scan where it reached them).
    let beside = |i: Option<usize>, a: f32| match i.and_then(|i| all.get(i)) {
        Some(&(_, v)) => v,
        None => sharpness(fine, a.to_radians(), 1.0),
    };
    let v0 = beside(best.checked_sub(1), a1 - step);
    let v2 = beside(Some(best + 1), a1 + step);
    let denom = v0 - 2.0 * v1 + v2;
    if denom < 0.0 {
        let shift = (0.5 * (v0 - v2) / denom).clamp(-1.0, 1.0) as f32;
        a1 + shift * step
    } else {
        a1
    }
}

/// How much sharper the rows are than the columns: well above 1 for an upright (or upside
/// down) page of text, below 1 for a page turned a quarter.
pub fn row_column_ratio(points: &[(f32, f32)], skew_deg: f32) -> f64 {
    let rows = sharpness(points, skew_deg.to_radians(), 1.0);
    let swapped: Vec<(f32, f32)> = points.iter().map(|&(x, y)| (y, x)).collect();
    let cols = sharpness(&swapped, -skew_deg.to_radians(), 1.0);
    rows / cols.max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dotted "text lines" rotated by `deg`.
    fn lines(deg: f32) -> Vec<(f32, f32)> {
        let (s, c) = deg.to_radians().sin_cos();
        let mut v = Vec::new();
        for row in 0..30 {
            for x in 0..700 {
                if (x / 7) % 5 != 0 {
                    let (px, py) = (x as f32, 20.0 + row as f32 * 12.0 + (x % 2) as f32);
                    v.push((px * c - py * s, px * s + py * c));
                }
            }
        }
        v
    }

    #[test]
    fn finds_skew_to_a_fraction_of_a_degree() {
        for deg in [-3.7f32, -0.8, 0.0, 1.33, 3.9] {
            let p = lines(deg);
            let got = skew_degrees(&p, &p, 5.0);
            assert!((got - deg).abs() < 0.05, "{deg} -> {got}");
        }
    }

    #[test]
    fn tells_a_quarter_turn() {
        let p = lines(0.5);
        assert!(row_column_ratio(&p, 0.5) > 1.5);
        let turned: Vec<(f32, f32)> = p.iter().map(|&(x, y)| (y, -x)).collect();
        assert!(row_column_ratio(&turned, 0.0) < 0.7);
    }
}

//! Skew and quarter-turn detection from the straightness of text lines.
//!
//! Printed forms are mostly horizontal lines of text: projected along the right angle, ink
//! piles up in sharp rows, and the sum of squared row counts peaks. The same measure across
//! the page tells a page turned a quarter (rows are columns then).

use super::inkmap::InkMap;

/// The points' bounding box `(x0, y0, x1, y1)`.
fn bounds(points: &[(f32, f32)]) -> (f32, f32, f32, f32) {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for &(x, y) in points {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    (x0, y0, x1, y1)
}

/// The variance (in bands²) of the spread of each strip's counts over the projection's
/// bands (see [`Strips::sharpness`]).
const SPREAD: f32 = 0.25;

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

/// Sum of squared histogram counts of the points projected at `angle` (radians), for
/// [`row_column_ratio`] at one angle (the skew search uses [`Strips`]). Each point is
/// split linearly between its two nearest bins.
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

/// A page's ink counted in vertical strips, band by band of rows: the projection at a
/// small angle is then the strips' counts added, each shifted by its distance from the
/// page's middle times the angle's tangent. Per angle that costs a pass over strips ×
/// bands, not over every inked cell, and a few dozen angles are tried.
///
/// Within a strip every cell is shifted as its centre is: a text line running across a
/// strip at the page's skew is smeared over `strip width × tan(skew)` (under half a band
/// for a 2 mm strip at 4°), symmetrically, so the sharpest angle stays where it was.
pub struct Strips {
    /// Strip `k`'s counts, band by band, are `counts[k * (bands + 2 PAD)..][PAD..PAD +
    /// bands]`, with `PAD` zeros either side (so that the spread in
    /// [`Strips::sharpness`] reads whole slices).
    counts: Vec<f32>,
    bands: usize,
    /// Each strip's centre, in bands, from the middle of the page.
    centres: Vec<f32>,
}

/// How many of `cells` are set: eight at a time as the bytes of one word (each 0 or 1,
/// so their sum, gathered into the top byte by the multiplication, cannot carry).
fn inked(cells: &[bool]) -> u16 {
    let mut words = cells.chunks_exact(8);
    let mut n: u16 = 0;
    for w in &mut words {
        let bytes: [u8; 8] = std::array::from_fn(|i| w[i] as u8);
        n += (u64::from_le_bytes(bytes).wrapping_mul(0x0101_0101_0101_0101) >> 56) as u16;
    }
    n + words.remainder().iter().map(|&v| v as u16).sum::<u16>()
}

/// Zeros either side of a strip's counts.
const PAD: usize = 2;

impl Strips {
    /// Strips `strip_cells` wide of bands `band_cells` high, over the ink map, leaving out
    /// its rows `skip` marks (the line of a fax line error runs exactly along a row and
    /// would pull the measure to 0°).
    pub fn of(map: &InkMap, strip_cells: usize, band_cells: usize, skip: &[bool]) -> Strips {
        let (sw, bh) = (strip_cells.max(1), band_cells.max(1));
        let strips = map.width / sw;
        let bands = map.height.div_ceil(bh);
        let mut by_band = vec![0u16; strips * bands];
        let mut kept_rows = vec![0u16; bands];
        for (y, row) in map.cells.chunks_exact(map.width.max(1)).enumerate() {
            if skip.get(y).copied().unwrap_or(false) {
                continue;
            }
            kept_rows[y / bh] += 1;
            let band = &mut by_band[y / bh * strips..][..strips];
            for (c, cells) in band.iter_mut().zip(row.chunks_exact(sw)) {
                *c += inked(cells);
            }
        }
        // Rows left out must not leave a dip across every strip at the same height: a
        // line of paper straight along the raster pulls the estimate towards 0° (a burst
        // of line errors is a few rows thick). A band counts as its kept rows would over
        // all of it, and a band left out whole as the mean of the kept bands either side.
        let rows_in = |b: usize| (map.height - b * bh).min(bh) as f32;
        let stride = bands + 2 * PAD;
        // Strip-major, so that a strip's bands are one slice to add.
        let mut counts = vec![0f32; strips * stride];
        for (b, band) in by_band.chunks_exact(strips.max(1)).enumerate() {
            let scale = rows_in(b) / kept_rows[b].max(1) as f32;
            for (k, &c) in band.iter().enumerate() {
                counts[k * stride + PAD + b] = c as f32 * scale;
            }
        }
        let kept = |b: usize| kept_rows[b] > 0;
        for b in (0..bands).filter(|&b| !kept(b)) {
            let above = (0..b).rev().find(|&a| kept(a));
            let below = (b + 1..bands).find(|&a| kept(a));
            for k in 0..strips {
                let at = |a: usize| counts[k * stride + PAD + a];
                counts[k * stride + PAD + b] = match (above, below) {
                    (Some(a), Some(c)) => (at(a) + at(c)) / 2.0,
                    (Some(a), None) | (None, Some(a)) => at(a),
                    (None, None) => 0.0,
                };
            }
        }
        let middle = map.width as f32 / 2.0;
        let centres = (0..strips)
            .map(|k| ((k * sw) as f32 + sw as f32 / 2.0 - middle) / bh as f32)
            .collect();
        Strips {
            counts,
            bands,
            centres,
        }
    }

    /// Neighbouring strips added in pairs (a lone last strip dropped): half the work per
    /// angle, for a search that needs only the nearest quarter degree.
    fn paired(&self) -> Strips {
        let stride = self.bands + 2 * PAD;
        let strips: Vec<&[f32]> = self.counts.chunks_exact(stride).collect();
        let counts = strips
            .chunks_exact(2)
            .flat_map(|two| two[0].iter().zip(two[1]).map(|(a, b)| a + b))
            .collect();
        let centres = self
            .centres
            .chunks_exact(2)
            .map(|two| (two[0] + two[1]) / 2.0)
            .collect();
        Strips {
            counts,
            bands: self.bands,
            centres,
        }
    }

    /// Sum of squared counts of the bands projected at `angle` (degrees, positive:
    /// content turned clockwise, y down).
    ///
    /// Each strip's counts go to the three bands nearest its shift, weighted so that their
    /// centre is the shift and their spread (variance a quarter of a band²) the same for
    /// every shift. Split linearly between two bands instead, a count would be spread
    /// by nothing at a whole-band shift and by a quarter band² at a half: the measure
    /// would favour angles at which the strips' shifts are whole, 0° above all, and a
    /// page skewed by under a degree read as straight.
    fn sharpness(&self, angle: f32) -> f64 {
        let t = angle.to_radians().tan();
        let reach = self.centres.iter().fold(0f32, |m, c| m.max(c.abs())) * t.abs();
        let base = reach.ceil() + 2.0;
        let (n, stride) = (self.bands, self.bands + 2 * PAD);
        let mut hist = vec![0f32; n + 2 * base as usize + 3];
        for (strip, &c) in self.counts.chunks_exact(stride).zip(&self.centres) {
            // A line through (x, y) at this angle crosses the middle at y - x tan(angle).
            let at = (base - c * t).max(1.0);
            let i = (at - 0.5) as usize;
            let m = at - i as f32;
            // Weights at i, i + 1, i + 2 with mean m (in 0.5..1.5) and variance SPREAD.
            let w2 = (SPREAD + m * m - m) / 2.0;
            let w1 = 2.0 * m - m * m - SPREAD;
            let w0 = 1.0 - w1 - w2;
            // Band b's count goes to i + b (w0), i + b + 1 (w1) and i + b + 2 (w2): place
            // i + j takes counts j, j - 1 and j - 2, read from the padded strip.
            let out = &mut hist[i..i + n + PAD];
            let (a, b, c) = (&strip[PAD..], &strip[PAD - 1..], strip);
            for (((h, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
                *h += w0 * x + w1 * y + w2 * z;
            }
        }
        hist.iter().map(|&v| (v as f64) * (v as f64)).sum()
    }

    /// The sharpness at each angle from `lo` to `hi` in steps of `step` (degrees), and
    /// the index of the sharpest (the first of equals).
    fn scan(&self, lo: f32, hi: f32, step: f32) -> (Vec<(f32, f64)>, usize) {
        let n = ((hi - lo) / step).round() as i32;
        let all: Vec<(f32, f64)> = (0..=n)
            .map(|i| {
                let a = lo + step * i as f32;
                (a, self.sharpness(a))
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
}

/// Estimated skew in degrees (positive: content rotated clockwise on screen, y down), at
/// most `max_deg` either way: the sharpest angle in quarter degrees, then in twentieths
/// around it, placed between those by a parabola.
pub fn skew_degrees(strips: &Strips, max_deg: f32) -> f32 {
    let (all, best) = strips.paired().scan(-max_deg, max_deg, 0.25);
    let a0 = all[best].0;
    let step = 0.05;
    let (all, best) = strips.scan(a0 - 0.3, a0 + 0.3, step);
    let (a1, v1) = all[best];
    // A parabola through the peak and its neighbours places it between the steps (the
    // neighbours measured by the scan where it reached them).
    let beside = |i: Option<usize>, a: f32| match i.and_then(|i| all.get(i)) {
        Some(&(_, v)) => v,
        None => strips.sharpness(a),
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

    /// The points as cells of an ink map (cells of `scale` points' units).
    fn map_of(points: &[(f32, f32)], scale: f32) -> InkMap {
        let (w, h) = (1100usize, 900usize);
        let mut cells = vec![false; w * h];
        for &(x, y) in points {
            let (cx, cy) = ((x * scale + 150.0) as usize, (y * scale + 150.0) as usize);
            if cx < w && cy < h {
                cells[cy * w + cx] = true;
            }
        }
        InkMap {
            width: w,
            height: h,
            factor: 2,
            cells,
        }
    }

    #[test]
    fn finds_skew_to_a_fraction_of_a_degree() {
        for deg in [-3.7f32, -0.8, 0.0, 1.33, 3.9, 5.6] {
            let map = map_of(&lines(deg), 1.0);
            let got = skew_degrees(&Strips::of(&map, 8, 2, &[]), 6.0);
            assert!((got - deg).abs() < 0.05, "{deg} -> {got}");
        }
    }

    #[test]
    fn inked_counts_set_cells_in_any_length() {
        for len in [0usize, 1, 7, 8, 9, 16, 23] {
            for seed in 0..5usize {
                let cells: Vec<bool> = (0..len).map(|i| (i * 7 + seed * 3) % 5 < seed).collect();
                let want = cells.iter().filter(|&&c| c).count() as u16;
                assert_eq!(inked(&cells), want, "{len} {seed}");
            }
        }
        assert_eq!(inked(&[true; 8]), 8);
    }

    #[test]
    fn tells_a_quarter_turn() {
        let p = lines(0.5);
        assert!(row_column_ratio(&p, 0.5) > 1.5);
        let turned: Vec<(f32, f32)> = p.iter().map(|&(x, y)| (y, -x)).collect();
        assert!(row_column_ratio(&turned, 0.0) < 0.7);
    }
}

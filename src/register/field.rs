//! What an affine cannot follow: fax line errors (rows dropped or repeated) and uneven
//! paper feed move whole bands of a page against the rest. Each box's remaining offset
//! is taken from the boxes found near it in height.

/// How far in height (2 mm) a found box speaks for another:
/// a line error moves everything below it, so the boxes on the same line are the ones
/// that know.
const SIGMA_Y: f64 = crate::normalise::px_dist(2.032);
/// Across the page (100 mm): boxes on one line share its line errors wherever they are.
const SIGMA_X: f64 = crate::normalise::px_dist(101.6);

/// A found box: its index, template centre, and offset from the affine in page pixels.
#[derive(Debug, Clone, Copy)]
pub struct Anchor {
    pub index: usize,
    pub centre: (f64, f64),
    pub offset: (f64, f64),
}

/// The found boxes of a page.
pub struct Field {
    points: Vec<Anchor>,
}

/// An offset predicted for a box from the others.
#[derive(Debug, Clone, Copy)]
pub struct Prediction {
    pub offset: (f64, f64),
    /// Height difference to the nearest box that spoke, in template pixels.
    pub nearest_dy: f64,
}

impl Field {
    pub fn new(points: Vec<Anchor>) -> Field {
        Field { points }
    }

    /// Gaussian-weighted mean offset of the found boxes other than `skip` around the
    /// template point `at`; `None` when no other box was found.
    pub fn predict(&self, at: (f64, f64), skip: usize) -> Option<Prediction> {
        let logw: Vec<(f64, (f64, f64), f64)> = self
            .points
            .iter()
            .filter(|p| p.index != skip)
            .map(
                |&Anchor {
                     centre: (x, y),
                     offset: r,
                     ..
                 }| {
                    let (dx, dy) = ((x - at.0) / SIGMA_X, (y - at.1) / SIGMA_Y);
                    (-0.5 * (dx * dx + dy * dy), r, (y - at.1).abs())
                },
            )
            .collect();
        // Weights relative to the largest, so that far lines still weigh something
        // (not zero by underflow) when no box near is found.
        let top = logw.iter().map(|l| l.0).fold(f64::NEG_INFINITY, f64::max);
        if !top.is_finite() {
            return None;
        }
        let (mut sw, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for &(lw, r, _) in &logw {
            let w = (lw - top).exp();
            sw += w;
            sx += w * r.0;
            sy += w * r.1;
        }
        let nearest_dy = logw.iter().map(|l| l.2).fold(f64::INFINITY, f64::min);
        Some(Prediction {
            offset: (sx / sw, sy / sw),
            nearest_dy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_error_moves_the_boxes_below_it_only() {
        // Two lines of boxes; a repeated row between them pushed the lower line 4 px down.
        let mut pts = Vec::new();
        for (i, x) in [100.0, 400.0, 700.0].iter().enumerate() {
            let at = |index, y, offset| Anchor {
                index,
                centre: (*x, y),
                offset,
            };
            pts.push(at(i, 300.0, (0.5, 0.0)));
            pts.push(at(i + 3, 360.0, (0.5, 4.0)));
        }
        let f = Field::new(pts);
        let upper = f.predict((550.0, 302.0), 99).unwrap();
        let lower = f.predict((550.0, 358.0), 99).unwrap();
        assert!(upper.offset.1.abs() < 0.1, "{upper:?}");
        assert!((lower.offset.1 - 4.0).abs() < 0.1, "{lower:?}");
        // A box left out is predicted from its line-mates, not from the line below.
        let alone = f.predict((400.0, 300.0), 1).unwrap();
        assert!(alone.offset.1.abs() < 0.1 && alone.nearest_dy == 0.0);
        assert!(Field::new(vec![]).predict((0.0, 0.0), 0).is_none());
    }
}

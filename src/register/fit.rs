//! Fitting template-to-page maps through found boxes, refusing what the boxes cannot
//! determine.

use crate::geometry::Affine;

/// A template point and where it was found on the page.
pub type PointPair = ((f64, f64), (f64, f64));

/// Below this spread of the found boxes across their narrowest direction (5 mm), an
/// affine's scale and shear along that direction are
/// guesses: boxes in one column say nothing about the page's width.
const MIN_SPREAD_PX: f64 = crate::normalise::px_dist(5.08);
/// The most a fax stretches or shrinks a page in either direction.
const MAX_SCALE_ERROR: f64 = 0.12;
/// The most rotation (as its sine) and shear a deskewed fax page keeps.
const MAX_ROTATION: f64 = 0.1;
const MAX_SHEAR: f64 = 0.05;

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

/// The square root of the smaller principal variance of the template points: how far
/// they spread across their narrowest direction.
fn narrow_spread(pairs: &[PointPair]) -> f64 {
    let n = pairs.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(sx, sy), ((x, y), _)| (sx + x / n, sy + y / n));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for ((x, y), _) in pairs {
        sxx += (x - mx).powi(2) / n;
        syy += (y - my).powi(2) / n;
        sxy += (x - mx) * (y - my) / n;
    }
    let half_trace = (sxx + syy) / 2.0;
    let root = (((sxx - syy) / 2.0).powi(2) + sxy * sxy).sqrt();
    (half_trace - root).max(0.0).sqrt()
}

/// Whether an affine's linear part is one a fax page can have.
fn plausible(a: &Affine) -> bool {
    let scale_ok = |s: f64| (s - 1.0).abs() <= MAX_SCALE_ERROR;
    scale_ok(a.a)
        && scale_ok(a.e)
        && a.b.abs() <= MAX_ROTATION
        && a.d.abs() <= MAX_ROTATION
        && (a.b + a.d).abs() <= MAX_SHEAR
}

/// `prior`'s linear part with the translation moved by the pairs' median residual: what
/// boxes that cannot determine a full affine still say.
fn shifted(prior: &Affine, pairs: &[PointPair]) -> Affine {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let res: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&((x, y), (u, v))| {
            let (pu, pv) = prior.apply(x, y);
            (u - pu, v - pv)
        })
        .collect();
    if res.is_empty() {
        return *prior;
    }
    Affine {
        c: prior.c + median(res.iter().map(|r| r.0).collect()),
        f: prior.f + median(res.iter().map(|r| r.1).collect()),
        ..*prior
    }
}

/// The map from template to page through the pairs: a full affine where the pairs
/// spread enough to determine one and it is one a fax can have; otherwise `prior` moved
/// by their median residual.
pub fn fit(pairs: &[PointPair], prior: &Affine) -> Affine {
    if pairs.len() >= 3
        && narrow_spread(pairs) >= MIN_SPREAD_PX
        && let Some(a) = fit_affine(pairs)
        && plausible(&a)
    {
        return a;
    }
    shifted(prior, pairs)
}

/// [`fit`], then again without the pairs farther than `tolerance` from the first fit.
pub fn robust_fit(pairs: &[PointPair], prior: &Affine, tolerance: f64) -> Affine {
    let mut pairs = pairs.to_vec();
    let mut fitted = fit(&pairs, prior);
    for _ in 0..3 {
        let before = pairs.len();
        pairs.retain(|&(t, p)| {
            let (u, v) = fitted.apply(t.0, t.1);
            ((u - p.0).powi(2) + (v - p.1).powi(2)).sqrt() <= tolerance
        });
        if pairs.len() == before || pairs.len() < 4 {
            break;
        }
        fitted = fit(&pairs, prior);
    }
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs_through(a: &Affine, points: &[(f64, f64)]) -> Vec<PointPair> {
        points
            .iter()
            .map(|&(x, y)| ((x, y), a.apply(x, y)))
            .collect()
    }

    #[test]
    fn affine_fit_recovers_a_known_map() {
        let a = Affine::translate(12.0, -4.0)
            .then_after(&Affine::rotate(0.02))
            .then_after(&Affine::scale(1.01, 0.98));
        let pairs = pairs_through(
            &a,
            &[
                (10.0, 10.0),
                (500.0, 40.0),
                (80.0, 900.0),
                (700.0, 1200.0),
                (300.0, 300.0),
            ],
        );
        let f = fit(&pairs, &Affine::IDENTITY);
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

    #[test]
    fn boxes_in_one_column_keep_the_prior_scale_and_move_it() {
        // Four boxes one above the other, found 1 px apart sideways from a straight
        // column: a free affine would read that as a shear of the whole page.
        let prior = Affine::scale(1.01, 0.99);
        let found: Vec<PointPair> = [(200.0, 0.0), (400.0, 0.0), (600.0, 1.0), (800.0, -1.0)]
            .iter()
            .map(|&(y, jitter)| {
                let (u, v) = prior.apply(100.0, y);
                ((100.0, y), (u + 5.0 + jitter, v - 3.0))
            })
            .collect();
        let f = fit(&found, &prior);
        assert_eq!((f.a, f.b, f.d, f.e), (prior.a, prior.b, prior.d, prior.e));
        assert!((f.c - prior.c - 5.0).abs() < 1e-9, "{f:?}");
        assert!((f.f - prior.f + 3.0).abs() < 1e-9, "{f:?}");
    }

    #[test]
    fn an_implausible_shear_falls_back_to_the_prior() {
        let shear = Affine {
            b: 0.2,
            ..Affine::IDENTITY
        };
        let pairs = pairs_through(
            &shear,
            &[(0.0, 0.0), (800.0, 0.0), (0.0, 1000.0), (800.0, 1000.0)],
        );
        let f = fit(&pairs, &Affine::IDENTITY);
        assert_eq!((f.a, f.b, f.d, f.e), (1.0, 0.0, 0.0, 1.0));
    }
}

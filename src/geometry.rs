//! Rectangles and affine maps between page coordinate systems.

use serde::{Deserialize, Serialize};

/// An axis-aligned rectangle in pixels: `[x, y, width, height]` in TOML and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "[i32; 4]", into = "[i32; 4]")]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl From<[i32; 4]> for Rect {
    fn from(v: [i32; 4]) -> Self {
        Rect {
            x: v[0],
            y: v[1],
            w: v[2],
            h: v[3],
        }
    }
}

impl From<Rect> for [i32; 4] {
    fn from(r: Rect) -> Self {
        [r.x, r.y, r.w, r.h]
    }
}

impl Rect {
    pub fn new(x: i32, y: i32, w: i32, h: i32) -> Self {
        Rect { x, y, w, h }
    }

    pub fn right(&self) -> i32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }

    pub fn center(&self) -> (f32, f32) {
        (
            self.x as f32 + self.w as f32 / 2.0,
            self.y as f32 + self.h as f32 / 2.0,
        )
    }

    pub fn area(&self) -> i64 {
        self.w.max(0) as i64 * self.h.max(0) as i64
    }

    pub fn intersection(&self, o: &Rect) -> Option<Rect> {
        let x0 = self.x.max(o.x);
        let y0 = self.y.max(o.y);
        let x1 = self.right().min(o.right());
        let y1 = self.bottom().min(o.bottom());
        (x1 > x0 && y1 > y0).then(|| Rect::new(x0, y0, x1 - x0, y1 - y0))
    }

    pub fn intersects(&self, o: &Rect) -> bool {
        self.intersection(o).is_some()
    }

    pub fn union(&self, o: &Rect) -> Rect {
        let x0 = self.x.min(o.x);
        let y0 = self.y.min(o.y);
        let x1 = self.right().max(o.right());
        let y1 = self.bottom().max(o.bottom());
        Rect::new(x0, y0, x1 - x0, y1 - y0)
    }

    /// Grows the rectangle by `d` pixels on every side (shrinks for negative `d`).
    pub fn inflate(&self, d: i32) -> Rect {
        Rect::new(self.x - d, self.y - d, self.w + 2 * d, self.h + 2 * d)
    }

    /// Clips to an image of the given size; `None` when nothing is left.
    pub fn clip(&self, width: u32, height: u32) -> Option<Rect> {
        self.intersection(&Rect::new(0, 0, width as i32, height as i32))
    }

    pub fn contains_point(&self, x: f32, y: f32) -> bool {
        x >= self.x as f32
            && x < self.right() as f32
            && y >= self.y as f32
            && y < self.bottom() as f32
    }
}

impl std::fmt::Display for Rect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}, {}, {}, {}]", self.x, self.y, self.w, self.h)
    }
}

/// A 2-D affine map `(x, y) -> (a*x + b*y + c, d*x + e*y + f)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Affine {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Affine {
    pub const IDENTITY: Affine = Affine {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 0.0,
        e: 1.0,
        f: 0.0,
    };

    pub fn translate(tx: f64, ty: f64) -> Affine {
        Affine {
            c: tx,
            f: ty,
            ..Affine::IDENTITY
        }
    }

    pub fn scale(sx: f64, sy: f64) -> Affine {
        Affine {
            a: sx,
            e: sy,
            ..Affine::IDENTITY
        }
    }

    /// Rotation by `radians`, counter-clockwise on screen is negative because y points down.
    pub fn rotate(radians: f64) -> Affine {
        let (s, c) = radians.sin_cos();
        Affine {
            a: c,
            b: -s,
            c: 0.0,
            d: s,
            e: c,
            f: 0.0,
        }
    }

    /// `self * other`: apply `other` first, then `self`.
    pub fn then_after(&self, other: &Affine) -> Affine {
        Affine {
            a: self.a * other.a + self.b * other.d,
            b: self.a * other.b + self.b * other.e,
            c: self.a * other.c + self.b * other.f + self.c,
            d: self.d * other.a + self.e * other.d,
            e: self.d * other.b + self.e * other.e,
            f: self.d * other.c + self.e * other.f + self.f,
        }
    }

    #[inline]
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.a * x + self.b * y + self.c,
            self.d * x + self.e * y + self.f,
        )
    }

    pub fn inverse(&self) -> Option<Affine> {
        let det = self.a * self.e - self.b * self.d;
        if det.abs() < 1e-12 {
            return None;
        }
        let ia = self.e / det;
        let ib = -self.b / det;
        let id = -self.d / det;
        let ie = self.a / det;
        Some(Affine {
            a: ia,
            b: ib,
            c: -(ia * self.c + ib * self.f),
            d: id,
            e: ie,
            f: -(id * self.c + ie * self.f),
        })
    }

    /// The bounding box of a rectangle mapped through this transform.
    pub fn map_rect(&self, r: &Rect) -> Rect {
        let corners = [
            (r.x as f64, r.y as f64),
            (r.right() as f64, r.y as f64),
            (r.x as f64, r.bottom() as f64),
            (r.right() as f64, r.bottom() as f64),
        ];
        let pts: Vec<(f64, f64)> = corners.iter().map(|&(x, y)| self.apply(x, y)).collect();
        let x0 = pts.iter().map(|p| p.0).fold(f64::MAX, f64::min);
        let y0 = pts.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        let x1 = pts.iter().map(|p| p.0).fold(f64::MIN, f64::max);
        let y1 = pts.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        Rect::new(
            x0.round() as i32,
            y0.round() as i32,
            (x1 - x0).round() as i32,
            (y1 - y0).round() as i32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_undoes_a_compound_transform() {
        let t = Affine::translate(12.0, -7.0)
            .then_after(&Affine::rotate(0.03))
            .then_after(&Affine::scale(1.02, 0.97));
        let inv = t.inverse().unwrap();
        let (x, y) = t.apply(400.0, 900.0);
        let (bx, by) = inv.apply(x, y);
        assert!((bx - 400.0).abs() < 1e-9 && (by - 900.0).abs() < 1e-9);
    }

    #[test]
    fn rect_intersection_and_clip() {
        let a = Rect::new(0, 0, 10, 10);
        assert_eq!(
            a.intersection(&Rect::new(5, 5, 10, 10)),
            Some(Rect::new(5, 5, 5, 5))
        );
        assert_eq!(a.intersection(&Rect::new(10, 0, 5, 5)), None);
        assert_eq!(
            Rect::new(-3, 2, 10, 10).clip(5, 5),
            Some(Rect::new(0, 2, 5, 3))
        );
    }
}

/// `v.round() as i64` without the libm call `round` compiles to on baseline x86-64, where
/// it was a few percent of a page's time (every box pixel is mapped through it). Same
/// result: half away from zero; `v - t` is exact for |v| < 2^52.
/// Built with SSE4.1 (x86-64-v3, see .cargo/config.toml) the float rounds in one
/// instruction, which a loop can vectorise: used instead, the same values.
#[inline]
pub fn round_i64(v: f64) -> i64 {
    by_sse41(v, |v| v.round() as i64, round_i64_by_parts)
}

/// `fast(v)` in a build with SSE4.1 (a float rounds in one instruction), `by_parts(v)`
/// without it; both give the same values.
#[inline(always)]
fn by_sse41<T>(v: f64, fast: fn(f64) -> T, by_parts: fn(f64) -> T) -> T {
    if cfg!(target_feature = "sse4.1") {
        fast(v)
    } else {
        by_parts(v)
    }
}

#[inline]
fn round_i64_by_parts(v: f64) -> i64 {
    // Beyond 2^52 every float is whole (frac 0); beyond i64 `as` saturates and so does
    // the step; NaN casts to 0 and fails both tests: no special case is needed.
    let t = v as i64;
    let frac = v - t as f64;
    if frac >= 0.5 {
        t.saturating_add(1)
    } else if frac <= -0.5 {
        t.saturating_sub(1)
    } else {
        t
    }
}

/// `v.floor() as i64`, likewise without a libm call.
#[inline]
pub fn floor_i64(v: f64) -> i64 {
    by_sse41(v, |v| v.floor() as i64, floor_i64_by_parts)
}

#[inline]
fn floor_i64_by_parts(v: f64) -> i64 {
    let t = v as i64;
    if (t as f64) > v {
        t.saturating_sub(1)
    } else {
        t
    }
}

/// `v.floor() as i32`, likewise (saturating as `as` does, NaN to 0). With SSE4.1 straight
/// to i32, which vectorises where i64 does not (AVX2 has no conversion to 64-bit integers).
#[inline]
pub fn floor_i32(v: f64) -> i32 {
    by_sse41(v, |v| v.floor() as i32, floor_i32_by_parts)
}

#[inline]
fn floor_i32_by_parts(v: f64) -> i32 {
    floor_i64_by_parts(v).clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

#[cfg(test)]
mod rounding {
    use super::{floor_i32, floor_i64, round_i64};
    use super::{floor_i32_by_parts, floor_i64_by_parts, round_i64_by_parts};

    #[test]
    fn fast_round_and_floor_equal_std() {
        let mut vals = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            1e15 + 0.5,
            -3.0000000000000004,
            7.999999999999999,
            4.5e15 + 0.5,
            -4.5e15 - 0.5,
            9007199254740993.0,
            -9007199254740993.0,
            9.223372036854776e18,
            -9.223372036854776e18,
            2147483647.5,
            -2147483648.5,
            -2147483647.5,
            1e19,
            -1e19,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut x = 0.123_f64;
        for _ in 0..100_000 {
            x = (x * 9301.0 + 49297.0) % 233280.0;
            vals.push((x - 116640.0) / 37.3);
        }
        for v in vals {
            // The arithmetic used on a CPU without SSE4.1, and whichever this build uses.
            for round in [round_i64_by_parts, round_i64] {
                assert_eq!(round(v), v.round() as i64, "{v}");
            }
            for floor in [floor_i64_by_parts, floor_i64] {
                assert_eq!(floor(v), v.floor() as i64, "{v}");
            }
            for w in [v, v * 1e-5, v * 1e5] {
                for floor in [floor_i32_by_parts, floor_i32] {
                    assert_eq!(floor(w), w.floor() as i32, "{w}");
                }
            }
        }
    }
}

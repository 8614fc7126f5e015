//! A ballpoint on paper: wobbly strokes of a given width and darkness on a grey page.

use crate::raster::GrayImage;
use rand::Rng;

/// Paints a soft-edged disc; darkness only ever increases (ink does not erase ink).
fn dab(img: &mut GrayImage, cx: f32, cy: f32, r: f32, ink: u8) {
    let (x0, x1) = ((cx - r - 1.0).floor() as i32, (cx + r + 1.0).ceil() as i32);
    let (y0, y1) = ((cy - r - 1.0).floor() as i32, (cy + r + 1.0).ceil() as i32);
    for y in y0.max(0)..y1.min(img.height() as i32) {
        for x in x0.max(0)..x1.min(img.width() as i32) {
            let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
            let a = (r + 0.5 - d).clamp(0.0, 1.0);
            if a > 0.0 {
                let p = img.get_pixel_mut(x as u32, y as u32);
                let v = p.0[0] as f32 * (1.0 - a) + ink as f32 * a;
                p.0[0] = p.0[0].min(v as u8);
            }
        }
    }
}

/// Draws a polyline through `pts` with a hand's wobble: each segment bows slightly and the
/// pen presses a little unevenly.
pub fn stroke(img: &mut GrayImage, pts: &[(f32, f32)], width: f32, ink: u8, rng: &mut impl Rng) {
    for seg in pts.windows(2) {
        let ((ax, ay), (bx, by)) = (seg[0], seg[1]);
        let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let bow = rng.random_range(-0.08..0.08) * len;
        let (nx, ny) = if len > 0.0 {
            (-(by - ay) / len, (bx - ax) / len)
        } else {
            (0.0, 0.0)
        };
        let steps = (len * 2.0).ceil().max(1.0) as usize;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            let b = 4.0 * t * (1.0 - t) * bow;
            let x = ax + (bx - ax) * t + nx * b;
            let y = ay + (by - ay) * t + ny * b;
            let press = 1.0 + 0.15 * (t * 6.0).sin();
            dab(img, x, y, width * press / 2.0, ink);
        }
    }
}

/// Dashes of half-width `r` along the polyline through `pts`, starting about `gap` apart
/// (each gap varies by a third either way) and running on for a third of it, as a stroke a
/// fax broke up leaves them.
pub fn dotted(
    img: &mut GrayImage,
    pts: &[(f32, f32)],
    gap: f32,
    r: f32,
    ink: u8,
    rng: &mut impl Rng,
) {
    let mut to_next = 0.0;
    for seg in pts.windows(2) {
        let ((ax, ay), (bx, by)) = (seg[0], seg[1]);
        let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let mut at = to_next;
        while at <= len {
            // Along the segment from `at` for a third of a gap, in half-pixel steps.
            let end = (at + gap / 3.0).min(len);
            let mut u = at;
            while u <= end {
                let t = if len > 0.0 { u / len } else { 0.0 };
                dab(img, ax + (bx - ax) * t, ay + (by - ay) * t, r, ink);
                u += 0.5;
            }
            at += gap * rng.random_range(0.67..1.33);
        }
        to_next = at - len;
    }
}

/// An ellipse outline (a circled answer), started and ended with a little overlap.
pub fn ellipse(
    img: &mut GrayImage,
    (cx, cy): (f32, f32),
    (rx, ry): (f32, f32),
    width: f32,
    ink: u8,
    rng: &mut impl Rng,
) {
    arc(img, (cx, cy), (rx, ry), 1.02..1.15, width, ink, rng);
}

/// Part of an ellipse (or a little more than all of it), `turns` of a full turn from a
/// random start: a ring drawn short leaves a gap.
pub fn arc(
    img: &mut GrayImage,
    (cx, cy): (f32, f32),
    (rx, ry): (f32, f32),
    turns: std::ops::Range<f32>,
    width: f32,
    ink: u8,
    rng: &mut impl Rng,
) {
    let start = rng.random_range(0.0..std::f32::consts::TAU);
    let sweep = std::f32::consts::TAU * rng.random_range(turns);
    let n = 48;
    let tilt = rng.random_range(-0.15..0.15f32);
    let pts: Vec<(f32, f32)> = (0..=n)
        .map(|i| {
            let a = start + sweep * i as f32 / n as f32;
            let wob = 1.0 + 0.04 * (a * 3.0).sin();
            let (x, y) = (rx * wob * a.cos(), ry * wob * a.sin());
            (
                cx + x * tilt.cos() - y * tilt.sin(),
                cy + x * tilt.sin() + y * tilt.cos(),
            )
        })
        .collect();
    for seg in pts.windows(2) {
        stroke_straight(img, seg[0], seg[1], width, ink);
    }
}

fn stroke_straight(img: &mut GrayImage, a: (f32, f32), b: (f32, f32), width: f32, ink: u8) {
    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let steps = (len * 2.0).ceil().max(1.0) as usize;
    for i in 0..=steps {
        let t = i as f32 / steps as f32;
        dab(
            img,
            a.0 + (b.0 - a.0) * t,
            a.1 + (b.1 - a.1) * t,
            width / 2.0,
            ink,
        );
    }
}

/// A filled blob (a box blacked in), irregular at the edge.
pub fn blob(img: &mut GrayImage, cx: f32, cy: f32, r: f32, ink: u8, rng: &mut impl Rng) {
    let n = rng.random_range(5..9);
    for _ in 0..n {
        let (dx, dy) = (
            rng.random_range(-0.35..0.35) * r,
            rng.random_range(-0.35..0.35) * r,
        );
        dab(img, cx + dx, cy + dy, r * rng.random_range(0.55..0.8), ink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_dotted_stroke_is_separate_dashes_most_smaller_than_speckle() {
        let mut img = GrayImage::from_pixel(60, 60, image::Luma([255]));
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        dotted(
            &mut img,
            &[(10.0, 30.0), (25.0, 45.0), (50.0, 10.0)],
            5.0,
            0.8,
            0,
            &mut rng,
        );
        let (w, h) = (img.width() as usize, img.height() as usize);
        let labels = crate::raster::label_runs(img.as_raw(), w, h, |&v| v < 128);
        let sizes: Vec<u32> = labels.extents().iter().map(|e| e.cells).collect();
        // Pieces apart, most of them speckle-sized (under 8 px) before the fax blurs or
        // thins them.
        assert!(sizes.len() >= 8, "{sizes:?}");
        assert!(
            sizes.iter().filter(|&&n| n < 8).count() * 2 > sizes.len(),
            "{sizes:?}"
        );
    }
}

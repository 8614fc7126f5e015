//! A received fax printed on paper and scanned back in grey, as an office does with faxes
//! that came in on a paper machine, or a scan-to-folder copier delivers them into the
//! fax server's folder: the fax's pixels fitted to an A4 sheet by the printer, their
//! edges softened by toner and the scanner's optics, on paper that is not white with ink
//! that is not black, laid a little crooked on the glass, with sensor noise.
//!
//! What a person sees does not change: every mark on the fax is still there, only grey.

use crate::encode::FaxPage;
use crate::encode::grey::GreyPage;
use crate::geometry::Affine;
use crate::raster::{GrayImage, sample_bilinear};
use rand::Rng;
use serde::Serialize;

/// The scanner's resolution (dots per inch, both ways).
const SCAN_DPI: f32 = 300.0;
/// The sheet the fax is printed on (A4, mm).
const SHEET_MM: (f64, f64) = (210.0, 297.0);
/// The printer's unprinted margin on every side (mm); a fax page wider than the sheet
/// less its margins is reduced to fit, as printers do by default.
const MARGIN_MM: f64 = 4.0;
/// Toner spread and scanner blur: the standard deviation of the soft edge (mm).
const BLUR_MM: (f32, f32) = (0.04, 0.09);
/// Grey level of the scanned paper and of solid toner.
const PAPER: (f32, f32) = (212.0, 248.0);
const INK: (f32, f32) = (8.0, 60.0);
/// Sensor noise, half-width of the triangular spread (grey levels).
const NOISE: (f32, f32) = (2.0, 8.0);
/// How crooked the sheet lies on the glass (degrees either way) and how far off centre
/// (mm either way).
const SKEW_DEG: f64 = 0.6;
const SHIFT_MM: f64 = 2.0;

/// How one page was printed and scanned, for truth-marks.jsonl.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rescanned {
    pub dpi: f32,
    /// Scale the printer fitted the fax page to the sheet with.
    pub fit: f64,
    pub skew_deg: f64,
    /// Where the sheet lay off the glass's centre (mm, across and down).
    pub shift_mm: (f64, f64),
    pub blur_mm: f32,
    pub paper: u8,
    pub ink: u8,
    pub noise: u8,
}

/// Prints `page` and scans it in grey.
pub fn rescan(page: &FaxPage, rng: &mut impl Rng) -> (GreyPage, Rescanned) {
    let (fax_w, fax_h) = (
        page.width as f64 / page.dpi_x as f64 * 25.4,
        page.height as f64 / page.dpi_y as f64 * 25.4,
    );
    let fit = ((SHEET_MM.0 - 2.0 * MARGIN_MM) / fax_w)
        .min((SHEET_MM.1 - 2.0 * MARGIN_MM) / fax_h)
        .min(1.0);
    let skew_deg = rng.random_range(-SKEW_DEG..=SKEW_DEG);
    let blur_mm = rng.random_range(BLUR_MM.0..=BLUR_MM.1);
    let paper = rng.random_range(PAPER.0..=PAPER.1) as u8;
    let ink = rng.random_range(INK.0..=INK.1) as u8;
    let noise = rng.random_range(NOISE.0..=NOISE.1) as u8;
    let shift = (
        rng.random_range(-SHIFT_MM..=SHIFT_MM),
        rng.random_range(-SHIFT_MM..=SHIFT_MM),
    );
    let how = Rescanned {
        dpi: SCAN_DPI,
        fit,
        skew_deg,
        shift_mm: shift,
        blur_mm,
        paper,
        ink,
        noise,
    };
    let mm_per_px = 25.4 / SCAN_DPI as f64;
    let (w, h) = (
        (SHEET_MM.0 / mm_per_px).round() as u32,
        (SHEET_MM.1 / mm_per_px).round() as u32,
    );
    // Fax pixel -> sheet mm (fitted, centred, turned on the glass), inverted to map each
    // scanned pixel back onto the fax.
    let forward = Affine::translate(SHEET_MM.0 / 2.0 + shift.0, SHEET_MM.1 / 2.0 + shift.1)
        .then_after(&Affine::rotate(how.skew_deg.to_radians()))
        .then_after(&Affine::scale(fit, fit))
        .then_after(&Affine::translate(-fax_w / 2.0, -fax_h / 2.0))
        .then_after(&Affine::scale(
            25.4 / page.dpi_x as f64,
            25.4 / page.dpi_y as f64,
        ));
    let back = forward.inverse().expect("invertible");
    let fax = page.to_gray();
    let sharp = GrayImage::from_fn(w, h, |x, y| {
        let (u, v) = back.apply((x as f64 + 0.5) * mm_per_px, (y as f64 + 0.5) * mm_per_px);
        // Outside the fax page the sheet is paper.
        let g = if u < 0.0 || v < 0.0 || u >= page.width as f64 || v >= page.height as f64 {
            255.0
        } else {
            sample_bilinear(&fax, u - 0.5, v - 0.5)
        };
        image::Luma([g.round() as u8])
    });
    let sigma = how.blur_mm / mm_per_px as f32;
    let mut soft = imageproc::filter::gaussian_blur_f32(&sharp, sigma);
    let (paper, ink, noise) = (how.paper as f32, how.ink as f32, how.noise as f32);
    for px in soft.pixels_mut() {
        let bits = rng.next_u32();
        // Triangular noise: the sum of two uniform draws, centred.
        let n = ((bits & 0xffff) as f32 + (bits >> 16) as f32) / 65535.0 - 1.0;
        let g = ink + (paper - ink) * px.0[0] as f32 / 255.0 + n * noise;
        px.0[0] = g.round().clamp(0.0, 255.0) as u8;
    }
    (
        GreyPage {
            image: soft,
            dpi: SCAN_DPI,
        },
        how,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_fax_bar_scans_as_dark_grey_on_light_paper_fitted_to_a4() {
        // A standard-resolution A4 fax (1728 × 1100) with a 4 mm black bar across.
        let page = FaxPage::bar((1728, 1100), 500..516, 100..1600, 98.0);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let (grey, how) = rescan(&page, &mut rng);
        assert_eq!(grey.image.dimensions(), (2480, 3508));
        assert!(how.fit < 1.0, "a 215 mm line is reduced onto A4");
        // The bar's middle row (508 of 1100, the fax 285 mm long) on the sheet.
        let (cx, cy) = (
            1240i32,
            (1754.0 + (508.0 / 1100.0 - 0.5) * 285.0 * how.fit * 300.0 / 25.4),
        );
        let dark = (-40..40)
            .flat_map(|dy| (-300..300).step_by(50).map(move |dx| (dx, dy)))
            .filter(|&(dx, dy)| {
                grey.image
                    .get_pixel((cx + dx) as u32, (cy as i32 + dy) as u32)
                    .0[0]
                    < how.ink + 20
            })
            .count();
        assert!(dark > 40, "the bar is there ({dark} dark samples)");
        let corner = grey.image.get_pixel(40, 40).0[0];
        assert!(
            corner.abs_diff(how.paper) <= how.noise + 1,
            "{corner} vs {}",
            how.paper
        );
    }
}

//! How much bolder than its template a page prints: a sending machine set to "dark", a
//! bold copy, a low threshold on grey paper. Every printed stroke comes out thicker than
//! the grown print ([`super::params::EXPLAIN_GROW`]) allows for in places, and leaves
//! slivers of unexplained ink along lines and characters: near a label's dense print, or
//! with a pixel of misfit, enough to pass for a light mark. Measured on the printed sides
//! of the boxes the registration found, against the same sides on the blank form. On such
//! a page a box read as marked on weak evidence is asked about.

use super::decide::{BoxReading, Doubt};
use super::excess::PageView;
use super::hidden::PrintNear;
use super::params::{BOLD_ALLOWED, BOLD_SAMPLES_MIN, BOLD_SCAN, BOLD_SLIVER_SHARE, WEAK_MARK};
use crate::geometry::round_i64;
use crate::raster::is_ink;
use crate::register::{BoxModel, Located, Registration};

/// How much thicker than the blank form's a page prints its boxes' sides, in template
/// pixels: across the vertical sides (`across`) and down the horizontal ones (`down`),
/// each the median over the sides measured (0 when too few were).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Boldness {
    pub across: i32,
    pub down: i32,
}

impl Boldness {
    /// Whether the page prints bolder than the blank form either way by more than
    /// [`BOLD_ALLOWED`].
    pub fn bold(self) -> bool {
        self.across > BOLD_ALLOWED || self.down > BOLD_ALLOWED
    }
}

/// The page's ink and the blank form's print counted along short scan lines across the
/// sides of every box found by its ring (three across each side, [`BOLD_SCAN`] either
/// way): how much thicker the page prints them.
pub fn measure(
    page: &PageView,
    reg: &Registration,
    boxes: &[BoxModel],
    print: &PrintNear,
) -> Boldness {
    let img = page.image;
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    // Page ink at template point (x, y) of box i, or None where the page cannot tell (off
    // the page, a row a line error repeated or a line hit crossed).
    let page_ink = |i: usize, x: i32, y: i32| -> Option<bool> {
        let (u, v) = reg.map(i, x as f64, y as f64);
        let (u, v) = (round_i64(u), round_i64(v));
        if u < 0 || v < 0 || u >= iw || v >= ih {
            return None;
        }
        let row = v as usize;
        let damaged = page.suspect_rows.get(row).copied().unwrap_or(false)
            || page.line_rows.get(row).copied().unwrap_or(false);
        (!damaged).then(|| is_ink(raw[(v * iw + u) as usize]))
    };
    let (mut across, mut down) = (Vec::new(), Vec::new());
    for (i, b) in boxes.iter().enumerate() {
        if reg.located.get(i) != Some(&Located::Found) {
            continue;
        }
        let r = b.rect;
        // (the side's coordinate, whether it runs along x, the scan's positions along it)
        let sides = [
            (r.y, true),
            (r.bottom() - 1, true),
            (r.x, false),
            (r.right() - 1, false),
        ];
        for (at, horizontal) in sides {
            for k in 1..=3 {
                let along = if horizontal {
                    r.x + r.w * k / 4
                } else {
                    r.y + r.h * k / 4
                };
                let point = |d: i32| {
                    if horizontal {
                        (along, at + d)
                    } else {
                        (at + d, along)
                    }
                };
                let mut extra = Some(0i32);
                for d in -BOLD_SCAN..=BOLD_SCAN {
                    let (x, y) = point(d);
                    extra = extra
                        .zip(page_ink(i, x, y))
                        .map(|(e, ink)| e + i32::from(ink) - i32::from(print.printed(x, y)));
                }
                if let Some(e) = extra {
                    if horizontal {
                        down.push(e);
                    } else {
                        across.push(e);
                    }
                }
            }
        }
    }
    let median = |mut v: Vec<i32>| {
        if v.len() < BOLD_SAMPLES_MIN {
            return 0;
        }
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1
    };
    Boldness {
        across: median(across),
        down: median(down),
    }
}

/// Marks read on weak evidence and not asked about yet, asked about, on a page printing
/// `bold`: less ink inside the box than [`WEAK_MARK`] and the slivers its sides may leave
/// ([`BOLD_SLIVER_SHARE`] of the thickening each way along the box's inside), or ink
/// that all hugs the sides (none of it clear of them, `core`); not a circle round the
/// label. On such a page that ink is as likely the print's own.
pub fn ask_about_weak_marks(bold: Boldness, readings: &mut [BoxReading]) {
    let thickening = (bold.across.max(0) + bold.down.max(0)) as f32;
    for r in readings {
        let f = &r.features;
        let side = (f.inner_area as f32).sqrt();
        let slivers = (BOLD_SLIVER_SHARE * thickening * side) as u32;
        if r.marked
            && !r.by_circle
            && r.doubt.is_none()
            && (f.inner < WEAK_MARK + slivers || f.core == 0)
        {
            r.doubt = Some(Doubt::BoldPrint);
            r.confidence = r.confidence.min(0.3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{Affine, Rect};
    use crate::raster::GrayImage;

    /// Twelve boxes 21 px wide with sides `side` px thick (to the right and down from
    /// the blank form's 2), as a page printing that much bolder shows them.
    fn page_with_sides(side: u32) -> (GrayImage, Vec<Rect>) {
        let mut img = GrayImage::from_pixel(400, 200, image::Luma([255]));
        let mut rects = Vec::new();
        for k in 0..12 {
            let r = Rect::new(20 + (k % 6) * 60, 30 + (k / 6) * 80, 21, 21);
            for y in r.y..r.bottom() + side as i32 - 2 {
                for x in r.x..r.right() + side as i32 - 2 {
                    let (lx, ly) = (x - r.x, y - r.y);
                    let on_side =
                        |l: i32, n: i32| l < side as i32 || (l >= n - 2 && l < n - 2 + side as i32);
                    if on_side(lx, r.w) || on_side(ly, r.h) {
                        img.put_pixel(x as u32, y as u32, image::Luma([0]));
                    }
                }
            }
            rects.push(r);
        }
        (img, rects)
    }

    fn boldness_of(page: &GrayImage, reference: &GrayImage, rects: &[Rect]) -> Boldness {
        let boxes: Vec<BoxModel> = rects
            .iter()
            .map(|&r| BoxModel::new(reference, 0, 1, r))
            .collect();
        let reg = Registration {
            transform: Affine::translate(0.0, 0.0),
            offsets: vec![],
            located: vec![Located::Found; boxes.len()],
            rms: 0.0,
        };
        measure(
            &PageView::clean(page),
            &reg,
            &boxes,
            &PrintNear::new(reference),
        )
    }

    #[test]
    fn a_page_printing_its_box_sides_thicker_than_the_form_is_bold() {
        let (reference, rects) = page_with_sides(2);
        assert!(!boldness_of(&reference, &reference, &rects).bold());
        let (bolder, _) = page_with_sides(3);
        let b = boldness_of(&bolder, &reference, &rects);
        assert_eq!((b.across, b.down), (1, 1), "{b:?}");
        assert!(b.bold());
    }

    #[test]
    fn weak_marks_on_a_bold_page_are_asked_about_and_strong_ones_are_not() {
        let reading = |inner: u32, core: u32| BoxReading {
            marked: true,
            confidence: 0.9,
            doubt: None,
            by_circle: false,
            features: crate::marks::BoxFeatures {
                inner,
                core,
                inner_area: 400,
                ..Default::default()
            },
        };
        // A box 20 px inside on a page a pixel bolder each way: slivers of up to 20 px
        // (half of 2 x 20) beyond WEAK_MARK's 45.
        let bold = Boldness { across: 1, down: 1 };
        let mut rs = [
            reading(20, 10),
            reading(60, 30),
            reading(70, 30),
            reading(200, 0),
            reading(200, 120),
        ];
        ask_about_weak_marks(bold, &mut rs);
        let asked: Vec<bool> = rs
            .iter()
            .map(|r| r.doubt == Some(Doubt::BoldPrint))
            .collect();
        assert_eq!(asked, [true, true, false, true, false]);
    }
}

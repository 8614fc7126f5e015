//! Grey pages made black and white once, at the working resolution, as a fax machine
//! would: a fax is bilevel when it arrives, and every later stage was made for that. A grey
//! page (a scanner's, a fax printed and scanned again, a JPEG) carries its paper at some
//! grey (230 rather than 255) and its ink above black; read as grey, its paper counted as
//! faint ink round the boxes, and a light tick the scan blurred into a grey line was
//! paper. The page is cut midway between its own paper and ink levels, measured from its
//! histogram, and a pixel lighter than that is still ink on a thin stroke: darker than
//! the paper by [`BinariseParams::thin_share`] of the contrast, darker by
//! [`BinariseParams::valley_share`] than the pixels [`BinariseParams::valley_mm`] away on
//! both sides across it, and joined to at least [`BinariseParams::stroke_neighbours`]
//! such or darker pixels. Only a line a few pixels wide has paper so close on both sides
//! (the grey edge of a thick stroke has its dark core beside it, so the print does not
//! grow), and a speck or the grain of dithered grey is a dot, not a line.

use crate::raster::GrayImage;

/// Parameters of [`grey_page`]: quantiles of the page's greys and grey levels.
#[derive(Debug, Clone, Copy)]
pub struct BinariseParams {
    /// The paper's level: this quantile of the page's greys (most of a form is paper).
    pub paper_quantile: f32,
    /// Pixels darker than the paper by at least this many grey levels are ink pixels ...
    pub ink_gap: u8,
    /// ... and the ink's level is this quantile of them: the darkest the strokes reach,
    /// not their edges (thin strokes blurred by a scan never reach their pen's black, and
    /// a level taken from them would cut thick strokes too wide).
    pub ink_quantile: f32,
    /// Below this share of the page in ink pixels, the page has no ink level of its own:
    /// black is taken as its ink.
    pub min_ink_share: f32,
    /// A thin stroke's pixel is darker than the paper by at least this share of the
    /// contrast (paper level minus ink level) ...
    pub thin_share: f32,
    /// ... and by at least this share darker than the pixels this far (mm) on both sides
    /// (left and right, or above and below) ...
    pub valley_share: f32,
    pub valley_mm: f32,
    /// ... and has at least this many of its 8 neighbours ink or on a thin stroke.
    pub stroke_neighbours: usize,
}

impl Default for BinariseParams {
    fn default() -> Self {
        BinariseParams {
            paper_quantile: 0.5,
            ink_gap: 60,
            ink_quantile: 0.01,
            min_ink_share: 0.001,
            thin_share: 0.3,
            valley_share: 0.1,
            valley_mm: 0.25,
            stroke_neighbours: 2,
        }
    }
}

/// A page's ink and paper levels.
fn levels(px: &[u8], bp: &BinariseParams) -> (u8, u8) {
    let mut hist = [0usize; 256];
    for &v in px {
        hist[v as usize] += 1;
    }
    let quantile = |hist: &[usize], total: usize, q: f32| -> usize {
        let n = (total as f32 * q) as usize;
        let mut seen = 0;
        for (level, &h) in hist.iter().enumerate() {
            seen += h;
            if seen > n {
                return level;
            }
        }
        hist.len() - 1
    };
    let paper = quantile(&hist, px.len(), bp.paper_quantile);
    let dark_end = paper.saturating_sub(bp.ink_gap as usize);
    let dark: usize = hist[..dark_end].iter().sum();
    let ink = if (dark as f32) < bp.min_ink_share * px.len() as f32 {
        0
    } else {
        quantile(&hist[..dark_end], dark, bp.ink_quantile)
    };
    (ink as u8, paper as u8)
}

/// What a pixel of a grey page is.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Paper,
    /// Lighter than midway, on a thin stroke.
    Thin,
    /// Darker than midway.
    Ink,
}

/// A grey page made black and white (see the module's notes), and its ink and paper
/// levels.
pub fn grey_page(img: &GrayImage, bp: &BinariseParams) -> (GrayImage, (u8, u8)) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (ink, paper) = levels(img.as_raw(), bp);
    let contrast = f32::from(paper) - f32::from(ink);
    let mid = ((u16::from(paper) + u16::from(ink)) / 2) as u8;
    let thin = (f32::from(paper) - bp.thin_share * contrast).round() as u8;
    let depth = (bp.valley_share * contrast).round().max(1.0) as u8;
    let d = super::px_len(bp.valley_mm).max(1) as usize;
    let src = img.as_raw();
    let at = |x: usize, y: usize| src[y * w + x];
    let mut class = vec![Class::Paper; w * h];
    for (y, row) in class.chunks_exact_mut(w.max(1)).enumerate() {
        for (x, c) in row.iter_mut().enumerate() {
            let v = at(x, y);
            // Lighter by `depth` than the pixels `d` away on both sides along (dx, dy).
            let across = |dx: usize, dy: usize| {
                x >= dx
                    && y >= dy
                    && x + dx < w
                    && y + dy < h
                    && at(x - dx, y - dy) >= v.saturating_add(depth)
                    && at(x + dx, y + dy) >= v.saturating_add(depth)
            };
            *c = if v < mid {
                Class::Ink
            } else if v < thin && (across(d, 0) || across(0, d)) {
                Class::Thin
            } else {
                Class::Paper
            };
        }
    }
    let on_stroke = |x: usize, y: usize| {
        let mut n = 0;
        for yy in y.saturating_sub(1)..(y + 2).min(h) {
            for xx in x.saturating_sub(1)..(x + 2).min(w) {
                n += usize::from((xx, yy) != (x, y) && class[yy * w + xx] != Class::Paper);
            }
        }
        n >= bp.stroke_neighbours
    };
    let out: Vec<u8> = (0..w * h)
        .map(|i| {
            let black = match class[i] {
                Class::Ink => true,
                Class::Thin => on_stroke(i % w, i / w),
                Class::Paper => false,
            };
            if black { 0 } else { 255 }
        })
        .collect();
    let out = GrayImage::from_raw(w as u32, h as u32, out).expect("sized");
    (out, (ink, paper))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paper at `paper` with a thick bar of ink at `ink` (its blurred edge at `edge`), a
    /// thin light line (one pixel, lighter neighbours either side, as a scan blurs a
    /// one-pixel stroke) and a blurred speck.
    fn scan(paper: u8, ink: u8, edge: u8, line: u8) -> GrayImage {
        GrayImage::from_fn(200, 200, |x, y| {
            let v = if (40..60).contains(&x) && (20..180).contains(&y) {
                ink
            } else if (38..62).contains(&x) && (18..182).contains(&y) {
                edge
            } else if y == 100 && (80..190).contains(&x) {
                line
            } else if (y == 99 || y == 101) && (80..190).contains(&x) {
                ((paper as u32 + line as u32) / 2) as u8
            } else if (x, y) == (150, 40) {
                line
            } else {
                paper
            };
            image::Luma([v])
        })
    }

    #[test]
    fn a_grey_page_is_cut_between_its_paper_and_ink_and_keeps_thin_strokes() {
        // Paper 235, ink 25 (a laser print scanned): midway is 130; the light line at 165
        // is lighter than that, and kept as the thin stroke it is.
        let grey = scan(235, 25, 150, 165);
        assert_eq!(levels(grey.as_raw(), &BinariseParams::default()), (25, 235));
        let (img, _) = grey_page(&grey, &BinariseParams::default());
        let ink = |x: u32, y: u32| img.get_pixel(x, y)[0] == 0;
        // The bar, its core only: its grey edge (150, lighter than midway, the core
        // beside it) stays paper.
        assert!(ink(50, 100) && ink(40, 100) && ink(59, 100));
        assert!(!ink(39, 100) && !ink(60, 100) && !ink(50, 19));
        // The light line, one pixel high; its halo is paper.
        assert!((81..189).all(|x| ink(x, 100)));
        assert!(!ink(120, 99) && !ink(120, 101));
        // A speck as light as the line is a dot, not a stroke.
        assert!(!ink(150, 40));
        assert!(!ink(150, 50) && !ink(5, 5));
        assert!(img.as_raw().iter().all(|&v| v == 0 || v == 255));
    }

    #[test]
    fn paper_texture_alone_stays_paper() {
        // Paper 200 with a grain at 185: not dark enough for a stroke.
        let grey = GrayImage::from_fn(100, 100, |x, y| {
            image::Luma([if (x + 2 * y) % 5 == 0 { 185 } else { 200 }])
        });
        let (img, _) = grey_page(&grey, &BinariseParams::default());
        assert!(img.as_raw().iter().all(|&v| v == 255));
    }
}

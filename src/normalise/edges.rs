//! Shadows along a page's edges: a scanner lid left open, a curled sheet, or the grey edge
//! of textured paper binarised by the fax into a band of dots. Such a band dwarfs the
//! form in the page's column profile (identification then lands the form tens of
//! millimetres off) and is nothing anybody wrote, so it is cleared to paper.

use crate::raster::{GrayImage, is_ink};

/// Edge-shadow constants (millimetres and shares of the page's height or width).
#[derive(Debug, Clone, Copy)]
pub struct ShadowParams {
    /// A shadow starts this close to the page's edge (mm): a form's own rules lie inside
    /// its margin, which no fax shift removes entirely.
    pub start_within_mm: f32,
    /// The deepest shadow cleared (mm); a form's content begins beyond it.
    pub max_depth_mm: f32,
    /// A line across the page (a column for the left and right edges, a row for the top
    /// and bottom) belongs to a shadow when at least this share of it is ink: a grey
    /// dithered to dots, far above text or a rule over part of the page.
    pub min_share: f32,
    /// Lighter lines inside a shadow bridged (mm): dither density varies.
    pub gap_mm: f32,
    /// Left and right only: a fax line is wider than the sheet when an A4 page is sent
    /// from a B4 or A3 machine (2048 or 2432 pixels, not 1728), and the sheet's edge, with
    /// its shadow, lies this far inside the image or less (mm): A4 in an A3 line leaves
    /// 46 mm either side, and the feeder shifts the sheet and skews it (at 1° its edge
    /// drifts 5 mm down the page).
    pub beyond_sheet_mm: f32,
    /// Columns with less than this share of ink are beyond the sheet (the scanner's lid
    /// or the line's blank end), speckle allowed.
    pub blank_share: f32,
    /// A shadow found at a sheet's edge inside the image is at least this deep (mm): the
    /// blank run also reaches a form's own first rule, one or two pixels wide.
    pub min_inner_depth_mm: f32,
}

impl Default for ShadowParams {
    fn default() -> Self {
        ShadowParams {
            start_within_mm: 1.0,
            max_depth_mm: 20.0,
            min_share: 0.25,
            gap_mm: 1.5,
            beyond_sheet_mm: 60.0,
            blank_share: 0.01,
            min_inner_depth_mm: 1.5,
        }
    }
}

/// How deep a shadow was cleared at each edge, in pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shadows {
    pub left: u32,
    pub right: u32,
    pub top: u32,
    pub bottom: u32,
}

/// Depth of the shadow along a side, from the image's edge, where the sheet's edge lies
/// beyond a blank run of at most [`ShadowParams::beyond_sheet_mm`] (0 when none): the
/// blank run and the shadow after it are cleared together.
fn depth_inside(shares: &[f32], p: &ShadowParams, px_per_mm: f32) -> u32 {
    let at_edge = depth(shares.iter().copied(), p, px_per_mm);
    if at_edge > 0 {
        return at_edge;
    }
    let beyond = (p.beyond_sheet_mm * px_per_mm) as usize;
    // The blank run ends where ink starts that goes on for the least depth of a shadow
    // (as much ink over it as in one column of the least share, however a dither spreads
    // it): specks on the blank line, or a burst of line errors across the whole line,
    // do not end it.
    let least = (p.min_inner_depth_mm * px_per_mm).ceil() as usize;
    let ends = |x: usize| {
        let ahead = &shares[x..(x + least).min(shares.len())];
        shares[x] >= p.blank_share && ahead.iter().sum::<f32>() >= p.blank_share * least as f32
    };
    // Ink from the image's edge on is no blank line before a sheet.
    let Some(blank) = (0..shares.len().min(beyond))
        .find(|&x| ends(x))
        .filter(|&b| b > 0)
    else {
        return 0;
    };
    let inner = depth(shares[blank..].iter().copied(), p, px_per_mm);
    if (inner as f32) < p.min_inner_depth_mm * px_per_mm {
        return 0;
    }
    (blank as u32) + inner
}

/// Depth of the shadow starting at index 0 of `shares` (0 when none).
fn depth(shares: impl Iterator<Item = f32>, p: &ShadowParams, px_per_mm: f32) -> u32 {
    let (start, max, gap) = (
        (p.start_within_mm * px_per_mm).ceil() as usize,
        (p.max_depth_mm * px_per_mm) as usize,
        (p.gap_mm * px_per_mm).ceil() as usize,
    );
    let mut end: Option<usize> = None;
    for (i, s) in shares.take(max).enumerate() {
        let dark = s >= p.min_share;
        match end {
            None if dark && i <= start => end = Some(i + 1),
            None if i > start => return 0,
            None => {}
            Some(_) if dark => end = Some(i + 1),
            Some(e) if i >= e + gap => return e as u32,
            Some(_) => {}
        }
    }
    // Dark all the way in: a dark page, not a shadow along its edge.
    0
}

/// Rows sampled beyond an edge's own band (see [`clear_edge_shadows`]).
const SPARSE_ROWS: usize = 8;

/// Clears shadows along the four edges of `img` (at `dpi`) to paper.
pub fn clear_edge_shadows(img: &mut GrayImage, dpi: f32, p: &ShadowParams) -> Shadows {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Shadows::default();
    }
    let px_per_mm = dpi / 25.4;
    let raw = img.as_raw();
    // Only the bands a shadow can lie in are counted: 20 mm along each edge in every row,
    // and the sides' further 50 mm in every [`SPARSE_ROWS`]th.
    let band = ((p.max_depth_mm * px_per_mm) as usize + 1).min(w).min(h);
    // Left and right, the sheet's edge may lie inside the image (see `beyond_sheet_mm`).
    let side_band = (((p.max_depth_mm + p.beyond_sheet_mm) * px_per_mm) as usize + 1).min(w);
    let ink = |v: &u8| is_ink(*v) as u32;
    let mut left = vec![0u32; side_band];
    let mut right = vec![0u32; side_band];
    for (y, row) in raw.chunks_exact(w).enumerate() {
        // Beyond the edge's own band, where only a sheet's edge inside a wider line can
        // be, every [`SPARSE_ROWS`]th row is counted (for that many): a share of ink,
        // not a count, is what is asked there, and this band covers most of the page.
        let reach = if y % SPARSE_ROWS == 0 {
            side_band
        } else {
            band
        };
        for (c, v) in left.iter_mut().zip(&row[..reach]) {
            *c += ink(v);
        }
        for (c, v) in right.iter_mut().zip(row[w - reach..].iter().rev()) {
            *c += ink(v);
        }
    }
    for c in left[band..].iter_mut().chain(right[band..].iter_mut()) {
        *c *= SPARSE_ROWS as u32;
    }
    let row_ink = |y: usize| raw[y * w..(y + 1) * w].iter().map(ink).sum::<u32>();
    let top: Vec<u32> = (0..band).map(row_ink).collect();
    let bottom: Vec<u32> = (0..band).map(|k| row_ink(h - 1 - k)).collect();
    let col_share = |x: &u32| *x as f32 / h as f32;
    let row_share = |y: &u32| *y as f32 / w as f32;
    let s = Shadows {
        left: depth_inside(
            &left.iter().map(col_share).collect::<Vec<_>>(),
            p,
            px_per_mm,
        ),
        right: depth_inside(
            &right.iter().map(col_share).collect::<Vec<_>>(),
            p,
            px_per_mm,
        ),
        top: depth(top.iter().map(row_share), p, px_per_mm),
        bottom: depth(bottom.iter().map(row_share), p, px_per_mm),
    };
    if s == Shadows::default() {
        return s;
    }
    let (l, r, t, b) = (
        s.left as usize,
        s.right as usize,
        s.top as usize,
        s.bottom as usize,
    );
    for (y, row) in img.chunks_exact_mut(w).enumerate() {
        if y < t || y >= h.saturating_sub(b) {
            row.fill(255);
            continue;
        }
        row[..l.min(w)].fill(255);
        row[w.saturating_sub(r)..].fill(255);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with a form-like frame 12 mm in and a dotted band along its left edge.
    fn page(band_px: u32) -> GrayImage {
        GrayImage::from_fn(400, 600, |x, y| {
            let frame = (x == 100 || x == 300) && (100..500).contains(&y);
            let dots = x < band_px && (x + y) % 2 == 0;
            image::Luma([if frame || dots { 0 } else { 255 }])
        })
    }

    #[test]
    fn a_dotted_band_at_the_edge_is_cleared_and_the_form_kept() {
        let mut img = page(60);
        let s = clear_edge_shadows(&mut img, 200.0, &ShadowParams::default());
        assert_eq!(s.left, 60);
        assert_eq!((s.right, s.top, s.bottom), (0, 0, 0));
        assert!((0..60).all(|x| (0..600).all(|y| img.get_pixel(x, y).0[0] == 255)));
        assert_eq!(img.get_pixel(100, 300).0[0], 0);
    }

    #[test]
    fn a_band_at_the_sheets_edge_inside_a_wider_line_is_cleared_with_the_blank_before_it() {
        // An A4 sheet in a B4 machine's line: 20 mm of blank line, then the sheet's edge
        // band (4 mm of dots), then the form's frame 12 mm further in.
        let mut img = GrayImage::from_fn(600, 600, |x, y| {
            let band = (157..189).contains(&x) && (x + y) % 2 == 0;
            let frame = (x == 290 || x == 500) && (100..500).contains(&y);
            image::Luma([if band || frame { 0 } else { 255 }])
        });
        let s = clear_edge_shadows(&mut img, 200.0, &ShadowParams::default());
        assert_eq!(s.left, 189);
        assert!((0..189).all(|x| (0..600).all(|y| img.get_pixel(x, y).0[0] == 255)));
        assert_eq!(img.get_pixel(290, 300).0[0], 0);
        // The same line without the band: the frame after the blank is the form's.
        let mut bare = GrayImage::from_fn(600, 600, |x, y| {
            let frame = (x == 290 || x == 500) && (100..500).contains(&y);
            image::Luma([if frame { 0 } else { 255 }])
        });
        let before = bare.clone();
        let s = clear_edge_shadows(&mut bare, 200.0, &ShadowParams::default());
        assert_eq!(s, Shadows::default());
        assert_eq!(bare, before);
    }

    #[test]
    fn specks_and_a_burst_on_the_blank_line_before_a_sheets_edge_do_not_hide_it() {
        // As above, and on the blank line the fax header the sending machine prints
        // across its whole line (ten rows of thin strokes at the top), a burst of line
        // errors (four rows of long dashes) and a few specks of two or three pixels:
        // columns there with more ink than the blank share each, far less over 1.5 mm
        // than where the sheet's band begins.
        let mut img = GrayImage::from_fn(600, 600, |x, y| {
            let band = (157..189).contains(&x) && (x + y) % 2 == 0;
            let frame = (x == 290 || x == 500) && (100..500).contains(&y);
            let header = (5..15).contains(&y) && x % 12 == 0;
            let burst = (300..304).contains(&y) && x % 70 < 55;
            let speck = [(40, 50), (90, 420), (120, 77)]
                .iter()
                .any(|&(sx, sy)| (sx..sx + 2).contains(&x) && (sy..sy + 3).contains(&y));
            image::Luma([if band || frame || header || burst || speck {
                0
            } else {
                255
            }])
        });
        let s = clear_edge_shadows(&mut img, 200.0, &ShadowParams::default());
        assert_eq!(s.left, 189);
        assert_eq!(img.get_pixel(290, 200).0[0], 0);
    }

    #[test]
    fn a_page_dark_all_over_is_left_alone() {
        let mut img = page(400);
        let before = img.clone();
        assert_eq!(
            clear_edge_shadows(&mut img, 200.0, &ShadowParams::default()).left,
            0
        );
        assert_eq!(img, before);
    }

    #[test]
    fn rules_inside_the_margin_are_not_shadows() {
        let mut img = page(0);
        let before = img.clone();
        let s = clear_edge_shadows(&mut img, 200.0, &ShadowParams::default());
        assert_eq!(s, Shadows::default());
        assert_eq!(img, before);
    }
}

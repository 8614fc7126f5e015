//! Normalise: bringing every page to square pixels at the templates' resolution, finding
//! its skew, and telling pages turned a quarter (which we reject rather than guess).

pub mod binarise;
pub mod deskew;
pub mod doubled;
pub mod edges;
pub mod inkmap;

use crate::ingest::PageImage;
use crate::raster::{GrayImage, runs_where};
pub use inkmap::InkMap;

/// Resamples a page to `dpi` in both directions. Standard-resolution faxes (204×98) get
/// their rows doubled this way before anything looks at them; a bilevel page is sampled
/// at its nearest pixels, a grey one bilinearly.
pub fn to_square_dpi(p: &PageImage, dpi: f32) -> GrayImage {
    square(p, dpi).0
}

/// [`to_square_dpi`], and whether the page is grey (not only black and white).
fn square(p: &PageImage, dpi: f32) -> (GrayImage, bool) {
    if (p.dpi_x - dpi).abs() < 0.5 && (p.dpi_y - dpi).abs() < 0.5 {
        return (p.image.clone(), !is_bilevel(p.image.as_raw()));
    }
    if is_bilevel(p.image.as_raw()) {
        return (nearest(p, dpi), false);
    }
    (bilinear(p, dpi), true)
}

/// Separable bilinear resampling (grey pages), with precomputed taps and integer weights:
/// the per-pixel general sampler cost ten times as much.
fn bilinear(p: &PageImage, dpi: f32) -> GrayImage {
    let (sw, sh) = (p.image.width() as usize, p.image.height() as usize);
    let sx = p.dpi_x as f64 / dpi as f64;
    let sy = p.dpi_y as f64 / dpi as f64;
    // At least one pixel: a page must never vanish into a zero-sized image.
    let w = ((sw as f64 / sx).round() as usize).max(1);
    let h = ((sh as f64 / sy).round() as usize).max(1);
    let taps = |n: usize, scale: f64, limit: usize| -> Vec<(usize, usize, u32)> {
        (0..n)
            .map(|i| {
                let f = ((i as f64 + 0.5) * scale - 0.5).clamp(0.0, (limit - 1) as f64);
                let i0 = f.floor() as usize;
                let i1 = (i0 + 1).min(limit - 1);
                (i0, i1, ((f - i0 as f64) * 256.0).round() as u32)
            })
            .collect()
    };
    let xt = taps(w, sx, sw);
    let yt = taps(h, sy, sh);
    let src = p.image.as_raw();
    let mut out = vec![255u8; w * h];
    let mut row0 = vec![0u32; w];
    let mut row1 = vec![0u32; w];
    let resample_row = |y: usize, dst: &mut [u32]| {
        let r = &src[y * sw..(y + 1) * sw];
        for (d, &(x0, x1, f)) in dst.iter_mut().zip(&xt) {
            *d = r[x0] as u32 * (256 - f) + r[x1] as u32 * f;
        }
    };
    let mut cached = (usize::MAX, usize::MAX);
    for (y, &(y0, y1, f)) in yt.iter().enumerate() {
        if cached != (y0, y1) {
            if cached.1 == y0 {
                std::mem::swap(&mut row0, &mut row1);
            } else {
                resample_row(y0, &mut row0);
            }
            resample_row(y1, &mut row1);
            cached = (y0, y1);
        }
        let o = &mut out[y * w..(y + 1) * w];
        for ((d, &a), &b) in o.iter_mut().zip(&row0).zip(&row1) {
            *d = ((a * (256 - f) + b * f + (1 << 15)) >> 16) as u8;
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).expect("sized")
}

/// Nearest-neighbour resampling, for bilevel (fax) pages: interpolating and thresholding
/// again would only cost time.
fn nearest(p: &PageImage, dpi: f32) -> GrayImage {
    let (sw, sh) = (p.image.width() as usize, p.image.height() as usize);
    let sx = p.dpi_x as f64 / dpi as f64;
    let sy = p.dpi_y as f64 / dpi as f64;
    // At least one pixel: a page must never vanish into a zero-sized image.
    let w = ((sw as f64 / sx).round() as usize).max(1);
    let h = ((sh as f64 / sy).round() as usize).max(1);
    let xs: Vec<usize> = (0..w)
        .map(|x| (((x as f64 + 0.5) * sx) as usize).min(sw - 1))
        .collect();
    // Columns taken in runs of consecutive source pixels: a scale near 1 (a 204 dpi row
    // made 200) is a few dozen slice copies a row, not a lookup per pixel.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &from in &xs {
        match runs.last_mut() {
            Some((start, len)) if *start + *len == from => *len += 1,
            _ => runs.push((from, 1)),
        }
    }
    let src = p.image.as_raw();
    // Every pixel is written once, in order: no page of white first.
    let mut out = Vec::with_capacity(w * h);
    // A standard-resolution fax doubles most rows: a row from the same source row is a
    // copy of the one before.
    let mut last = usize::MAX;
    for y in 0..h {
        let sy_i = (((y as f64 + 0.5) * sy) as usize).min(sh - 1);
        if sy_i == last {
            out.extend_from_within((y - 1) * w..y * w);
            continue;
        }
        last = sy_i;
        let s = &src[sy_i * sw..(sy_i + 1) * sw];
        // The runs cover the row's columns left to right. Widened columns (a page turned
        // from standard resolution doubles each) make runs of a pixel or two, where a copy
        // call per run costs more than a lookup per pixel.
        if runs.len() * GATHER_RUN > w {
            out.extend(xs.iter().map(|&x| s[x]));
        } else {
            for &(from, len) in &runs {
                out.extend_from_slice(&s[from..from + len]);
            }
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).expect("sized")
}

/// Runs shorter than this on average are copied a pixel at a time (see [`nearest`]).
const GATHER_RUN: usize = 8;

/// Whether every pixel is black or white. In blocks without an early exit inside, which
/// the compiler turns into vector instructions.
fn is_bilevel(px: &[u8]) -> bool {
    let mut blocks = px.chunks_exact(64);
    let whole = blocks
        .by_ref()
        .all(|b| b.iter().fold(true, |ok, &v| ok & ((v == 0) | (v == 255))));
    whole && blocks.remainder().iter().all(|&v| v == 0 || v == 255)
}

/// The half- and quarter-resolution ink maps of a page. Template pages and received pages
/// must be reduced alike for identification, so this is the one definition of both.
pub fn ink_maps(img: &GrayImage) -> (InkMap, InkMap) {
    InkMap::pair(img, FINE_MIN, COARSE_MIN)
}

/// The points of a coarse map that identification matches, a page's and a template
/// page's alike: its inked cells without fax speckle and scanner streaks, which a sparse
/// form's few lines of print cannot outweigh (see [`SPECK_MAX_MM2`], [`STREAK_MIN_SHARE`]).
pub fn printing_points(map: &InkMap) -> Vec<(f32, f32)> {
    let cell_mm = map.factor as f32 * 25.4 / WORKING_DPI;
    let speck_cells = (SPECK_MAX_MM2 / (cell_mm * cell_mm)) as usize;
    let streak_cells = (STREAK_MIN_SHARE * map.height as f32).ceil() as usize;
    map.printing_points(speck_cells, streak_cells)
}

/// [`ink_maps`]'s coarse map of `img` turned 180° (without turning it).
pub fn coarse_map_turned_half(img: &GrayImage) -> InkMap {
    InkMap::coarse_turned_half(img, COARSE_MIN)
}

/// Inked pixels that make a cell of the half- and the quarter-resolution map inked.
const FINE_MIN: u32 = 2;
const COARSE_MIN: u32 = 3;

/// The resolution pages are read at and templates are drawn at. Stages give their
/// constants in mm and mm² and convert them at this resolution ([`px_len`], [`px_dist`],
/// [`px_area`]); a template at another is refused (see `run::Kit::build`) rather than
/// read with wrong thresholds.
pub const WORKING_DPI: f32 = 200.0;

/// Pixels spanning `mm` millimetres at [`WORKING_DPI`] (rounded): stages give their
/// distances in mm and convert them with this.
pub const fn px_len(mm: f32) -> i32 {
    (mm * WORKING_DPI / 25.4 + 0.5) as i32
}

/// Pixels (fractional) spanning `mm` millimetres at [`WORKING_DPI`], for distances
/// compared with measured sub-pixel positions.
pub const fn px_dist(mm: f64) -> f64 {
    mm * WORKING_DPI as f64 / 25.4
}

/// Pixels covering `mm2` square millimetres of paper at [`WORKING_DPI`] (rounded): stages
/// give amounts of ink in mm² and convert them with this.
pub const fn px_area(mm2: f32) -> u32 {
    let per_mm = WORKING_DPI / 25.4;
    (mm2 * per_mm * per_mm + 0.5) as u32
}

/// A page ready for identification: square pixels, its ink maps and skew.
#[derive(Clone)]
pub struct NormalPage {
    pub image: GrayImage,
    pub dpi: f32,
    /// Rows (of `image`) that repeat the row before them on the received page: a fax line
    /// error. What they show is not what was on the paper.
    pub suspect_rows: Vec<bool>,
    /// Rows (of `image`) crossed by a line hit: a fax line error that prints a thin
    /// black line across the page. Ink there is nobody's mark.
    pub line_rows: Vec<bool>,
    /// Rows of `image` per received row: about 2 for a standard-resolution fax, whose
    /// speckle dots are therefore twice as tall as on a fine page.
    pub row_scale: f32,
    /// 1/4 resolution (50 dpi at 200) ink map.
    pub coarse: InkMap,
    /// Centres of its inked cells that can be printing ([`printing_points`]), which
    /// identification matches.
    pub coarse_points: Vec<(f32, f32)>,
    /// Skew in degrees (content rotated clockwise by this much).
    pub skew_deg: f32,
    /// Its text lines look like columns: probably sent sideways. Only a hint for the order
    /// in which orientations are tried; identification decides.
    pub looks_sideways: bool,
    /// For a page that came in shades of grey (made black and white here, [`binarise`]),
    /// its shades as they came, squared like `image`: a recogniser reads small print and
    /// thin writing better with them.
    pub shades: Option<Shades>,
}

/// A grey page's shades before it was made black and white, and its levels.
#[derive(Clone)]
pub struct Shades {
    pub image: GrayImage,
    /// Grey of solid ink and of paper (see [`binarise`]).
    pub ink: u8,
    pub paper: u8,
}

impl NormalPage {
    /// The page turned 180° (a sheet fed upside down), its row marks and ink maps with it.
    pub fn turned_half(&self) -> NormalPage {
        let image = crate::raster::rotate180(&self.image);
        let (_, coarse) = ink_maps(&image);
        let reversed = |rows: &[bool]| rows.iter().rev().copied().collect::<Vec<bool>>();
        NormalPage {
            coarse_points: printing_points(&coarse),
            suspect_rows: reversed(&self.suspect_rows),
            line_rows: reversed(&self.line_rows),
            coarse,
            image,
            shades: self.shades.as_ref().map(|s| Shades {
                image: crate::raster::rotate180(&s.image),
                ..*s
            }),
            ..*self
        }
    }
}

/// Why a page cannot be normalised.
#[derive(Debug, Clone, PartialEq)]
pub enum NormaliseError {
    Blank,
}

impl std::fmt::Display for NormaliseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NormaliseError::Blank => write!(f, "blank page (no printed form on it)"),
        }
    }
}

/// Below this share of inked coarse cells a page is blank (speckle reaches about a tenth
/// of it) ...
pub const BLANK_INK_SHARE: f32 = 0.004;
/// ... inside margins this wide on every side: the sending machine prints its header line
/// along one edge (the top as received, a side of a page sent sideways), and a long
/// header in a bold font alone can pass the share.
pub const BLANK_TOP_MM: f32 = 12.0;
/// Ink in groups no larger than this (at the 50 dpi map's resolution: three cells) is
/// speckle to identification, not printing. Harsh synthetic faxes of a sparse drafted
/// form (five lines of print a page) lost 14 pages in 120 as of no known form with every
/// speck counted, 7 with groups of up to three cells left out (1-2 cells: 11, 9; 5-8: 8,
/// 6); a full stop or a dakuten of the template is left out alike.
pub const SPECK_MAX_MM2: f32 = 0.8;
/// A thin vertical run of ink this long (a share of the page's height) is a scanner's
/// streak (dirt on the sending machine's glass), left out of identification. With it the
/// same night lost 4 pages in 120, not 7, at any share from 0.15 to 0.5.
pub const STREAK_MIN_SHARE: f32 = 0.3;
/// Widest skew searched, degrees either way. A fax feeder rarely skews past 3, but a
/// sheet laid crooked on a flatbed scanner or pushed into the feeder at an angle does:
/// at 6 a page turned 7° was rejected as of no known form.
pub const MAX_SKEW_DEG: f32 = 10.0;
/// Skew is measured on the page's ink counted in vertical strips this wide (see
/// [`deskew::Strips`]): a text line crossing one at 4° is smeared by a seventh of a
/// millimetre, and a page has about a hundred of them to line up.
pub const SKEW_STRIP_MM: f32 = 2.0;
/// ... in bands of rows this high: the bins of the projection (the pitch of the 50 dpi
/// map, about a tenth of a line of print).
pub const SKEW_BAND_MM: f32 = 0.5;
/// Text lines that run along rows rather than columns by less than this ratio hint a page
/// sent sideways (only the order in which turns are tried; identification decides).
pub const SIDEWAYS_RATIO: f64 = 0.9;
/// Pages received at this vertical resolution or more are fine-mode faxes, whose rows
/// repeat naturally through thin text: not checked for line errors.
pub const FINE_DPI_Y: f32 = 150.0;
/// A repeated row crossing at least this many separate ink runs (a line of text) is a
/// line error; fewer (a flat pen stroke between lines) repeats naturally.
pub const REPEATED_ROW_RUNS: u32 = 12;

/// Squares, maps and measures a page.
pub fn normalise(p: &PageImage, dpi: f32) -> Result<NormalPage, NormaliseError> {
    let (mut image, grey) = square(p, dpi);
    let shades = grey.then(|| {
        let (binary, (ink, paper)) =
            binarise::grey_page(&image, &binarise::BinariseParams::default());
        Shades {
            image: std::mem::replace(&mut image, binary),
            ink,
            paper,
        }
    });
    edges::clear_edge_shadows(&mut image, dpi, &edges::ShadowParams::default());
    let (fine, coarse) = ink_maps(&image);
    let margin_rows = (BLANK_TOP_MM / 25.4 * dpi / coarse.factor as f32) as usize;
    if coarse.ink_fraction_inside(margin_rows) < BLANK_INK_SHARE {
        return Err(NormaliseError::Blank);
    }
    let cp = printing_points(&coarse);
    let fine_cells = |mm: f32| ((mm / 25.4 * dpi / fine.factor as f32).round() as usize).max(1);
    let line_rows = line_hit_rows(&image, dpi);
    // A map row is left out where a line hit crosses either of its image rows.
    let f = fine.factor as usize;
    let hit_cells: Vec<bool> = (0..fine.height)
        .map(|y| line_rows[y * f..(y + 1) * f].iter().any(|&h| h))
        .collect();
    let strips = deskew::Strips::of(
        &fine,
        fine_cells(SKEW_STRIP_MM),
        fine_cells(SKEW_BAND_MM),
        &hit_cells,
    );
    let skew_deg = deskew::skew_degrees(&strips, MAX_SKEW_DEG);
    let looks_sideways = deskew::row_column_ratio(&cp, skew_deg) < SIDEWAYS_RATIO;
    let suspect_rows = suspect_rows(p, image.height() as usize);
    let row_scale = dpi / p.dpi_y;
    Ok(NormalPage {
        image,
        dpi,
        suspect_rows,
        line_rows,
        row_scale,
        coarse,
        coarse_points: cp,
        skew_deg,
        looks_sideways,
        shades,
    })
}

/// A row whose ink in runs of at least [`LINE_HIT_PIECE_MM`] covers this share of the
/// page's width is a line hit: a line across the page, whole or broken into dashes by a
/// burst of line errors (a few rows of garbled runs). No pen stroke runs straight along
/// one row that far, and a form's own rules are explained by its template wherever they
/// lie. (Rows through a title bar's white text count too: they hold no boxes.)
const LINE_HIT_SHARE: f32 = 0.4;
/// The shortest run of a line hit's pieces: longer than a character's stroke, so that a
/// row through a line of text never adds up to a line hit.
const LINE_HIT_PIECE_MM: f32 = 6.0;

/// Marks the rows crossed by a line hit, and the row either side (where the line's edge
/// falls between rows).
fn line_hit_rows(img: &GrayImage, dpi: f32) -> Vec<bool> {
    let w = img.width() as usize;
    let min_ink = (w as f32 * LINE_HIT_SHARE) as usize;
    let piece = (LINE_HIT_PIECE_MM / 25.4 * dpi).round() as usize;
    let hit: Vec<bool> = img
        .as_raw()
        .chunks_exact(w.max(1))
        .map(|row| {
            // Counting first is cheap (and vectorises); runs only where enough ink is.
            if row.iter().filter(|&&v| crate::raster::is_ink(v)).count() < min_ink {
                return false;
            }
            let long_ink: usize = runs_where(row, |&v| crate::raster::is_ink(v))
                .map(|r| r.len())
                .filter(|&n| n >= piece)
                .sum();
            long_ink >= min_ink
        })
        .collect();
    (0..hit.len())
        .map(|y| hit[y] || (y > 0 && hit[y - 1]) || hit.get(y + 1).copied().unwrap_or(false))
        .collect()
}

/// Marks the rows of the normalised page that come from repeated received rows.
///
/// A line error makes the receiver repeat the previous row, often for a burst; real
/// content almost never gives two identical 1728-pixel rows through a line of text
/// (many ink runs). Rows with little ink are left alone: repeating paper is harmless, and
/// the flat part of a thick pen stroke repeats naturally.
fn suspect_rows(p: &PageImage, height: usize) -> Vec<bool> {
    let (w, h) = (p.image.width() as usize, p.image.height() as usize);
    // At fine resolution rows through thin text repeat naturally, and a repeated row
    // there moves content by only 0.13 mm: only standard-resolution pages are checked.
    if p.dpi_y >= FINE_DPI_Y {
        return vec![false; height];
    }
    let src = p.image.as_raw();
    let mut flags = vec![false; h];
    for y in 1..h {
        let (a, b) = (&src[(y - 1) * w..y * w], &src[y * w..(y + 1) * w]);
        if a == b {
            let mut runs = 0;
            let mut inside = false;
            for &v in b {
                let ink = crate::raster::is_ink(v);
                runs += (ink && !inside) as u32;
                inside = ink;
            }
            // Rows through a line of text cross many strokes; a flat pen stroke in the
            // white between lines repeats naturally and must not count as damage.
            flags[y] = runs >= REPEATED_ROW_RUNS;
        }
    }
    let scale = h as f64 / height.max(1) as f64;
    (0..height)
        .map(|y| {
            let src_y = ((y as f64 + 0.5) * scale - 0.5).max(0.0);
            let (y0, y1) = (src_y.floor() as usize, (src_y.ceil() as usize).min(h - 1));
            flags[y0.min(h - 1)] || flags[y1]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::sample_bilinear;

    #[test]
    fn a_blank_page_with_a_bold_header_line_is_blank_whichever_edge_it_is_on() {
        // A4 at 200 dpi; the header a solid 3 mm band (bolder than any real one), 150 mm
        // long: about 0.7 % of the page's coarse cells, over the blank share alone.
        let (w, h) = (1654u32, 2339u32);
        let band = |horizontal: bool| {
            GrayImage::from_fn(w, h, |x, y| {
                let (along, across) = if horizontal { (x, y) } else { (y, x) };
                let ink = (40..1220).contains(&along) && (16..40).contains(&across);
                image::Luma([if ink { 0 } else { 255 }])
            })
        };
        for horizontal in [true, false] {
            let p = PageImage {
                image: band(horizontal),
                dpi_x: 200.0,
                dpi_y: 200.0,
                damage: None,
            };
            assert!(
                matches!(normalise(&p, 200.0), Err(NormaliseError::Blank)),
                "header along the {} edge",
                if horizontal { "top" } else { "left" }
            );
        }
    }

    #[test]
    fn a_line_across_the_page_is_a_line_hit_and_a_rule_of_a_third_is_not() {
        // 600 pixels at 200 dpi: pieces of a line hit are at least 47 pixels long.
        let img = GrayImage::from_fn(600, 60, |x, y| {
            let hit = y == 10 && x >= 30;
            let rule = y == 30 && (100..300).contains(&x);
            // A burst of line errors: a row of long dashes with short gaps, more ink
            // than paper (indep-chiba rx000055 p.2: 12-16 runs, up to 350 long).
            let burst = y == 40 && x % 70 < 55;
            // A row through text: as much ink, in strokes a character wide at most.
            let text = y == 50 && x % 30 < 20;
            image::Luma([if hit || rule || burst || text { 0 } else { 255 }])
        });
        let rows = line_hit_rows(&img, 200.0);
        let flagged: Vec<usize> = (0..60).filter(|&y| rows[y]).collect();
        assert_eq!(flagged, vec![9, 10, 11, 39, 40, 41]);
    }

    #[test]
    fn bilevel_resampling_takes_the_nearest_source_pixel_everywhere() {
        let img = GrayImage::from_fn(301, 97, |x, y| {
            image::Luma([if (x * 5 + y * 3) % 7 < 3 || x == y {
                0
            } else {
                255
            }])
        });
        for (dx, dy) in [
            (204.0, 196.0),
            (204.0, 98.0),
            // Turned from standard resolution: every column doubled (copied a pixel at a
            // time, not in runs).
            (98.0, 204.0),
            (196.0, 200.0),
            (400.0, 400.0),
            (75.0, 120.0),
        ] {
            let p = PageImage {
                image: img.clone(),
                dpi_x: dx,
                dpi_y: dy,
                damage: None,
            };
            let out = to_square_dpi(&p, 200.0);
            let (sx, sy) = (dx as f64 / 200.0, dy as f64 / 200.0);
            for (x, y, v) in out.enumerate_pixels() {
                let from_x = (((x as f64 + 0.5) * sx) as u32).min(300);
                let from_y = (((y as f64 + 0.5) * sy) as u32).min(96);
                assert_eq!(
                    v.0[0],
                    img.get_pixel(from_x, from_y).0[0],
                    "{dx}x{dy} at ({x},{y})"
                );
            }
        }
    }

    #[test]
    fn fast_resampling_matches_the_reference_sampler() {
        let img = GrayImage::from_fn(300, 140, |x, y| {
            image::Luma([((x * 7 + y * 13) % 256) as u8])
        });
        let p = PageImage {
            image: img.clone(),
            dpi_x: 204.0,
            dpi_y: 98.0,
            damage: None,
        };
        let out = to_square_dpi(&p, 200.0);
        assert_eq!((out.width(), out.height()), (294, 286));
        let (sx, sy) = (204.0 / 200.0, 98.0 / 200.0);
        for (x, y) in [(0u32, 0u32), (10, 17), (150, 200), (293, 285)] {
            let fx = ((x as f64 + 0.5) * sx - 0.5).clamp(0.0, 299.0);
            let fy = ((y as f64 + 0.5) * sy - 0.5).clamp(0.0, 139.0);
            let want = sample_bilinear(&img, fx, fy);
            let got = out.get_pixel(x, y).0[0] as f32;
            assert!((want - got).abs() <= 1.5, "({x},{y}) {want} vs {got}");
        }
    }
}

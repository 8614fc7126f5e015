//! Read marks: is each checkbox marked, and how sure are we.
//!
//! A mark is ink the blank form does not explain. Around each registered box we sample the
//! page in template coordinates, remove everything near the reference form's own ink, drop
//! speckle-sized pieces and fax streaks, and measure what is left: inside the box, just
//! around it (overrunning marks), on a band around the option's label (circled answers),
//! and how often it crosses the box's sides (struck-through corrections).

use crate::geometry::Rect;
use crate::geometry::round_i64;
use crate::raster::{GrayImage, is_ink};
use crate::register::{BoxModel, Registration};

/// The reference form's ink, grown by a few pixels, so that printed text and box lines
/// survive thickening by the fax threshold and small misregistration.
pub struct Explained {
    width: i32,
    height: i32,
    ink: Vec<bool>,
}

impl Explained {
    pub fn new(reference: &GrayImage, grow: i32) -> Explained {
        let (w, h) = (reference.width() as i32, reference.height() as i32);
        let mut ink = vec![false; (w * h) as usize];
        let src = reference.as_raw();
        // Separable dilation: rows, then columns.
        let mut rows = vec![false; (w * h) as usize];
        for y in 0..h {
            let mut last = i32::MIN / 2;
            for x in 0..w {
                if is_ink(src[(y * w + x) as usize]) {
                    last = x;
                }
                if x - last <= grow {
                    rows[(y * w + x) as usize] = true;
                }
            }
            let mut next = i32::MAX / 2;
            for x in (0..w).rev() {
                if is_ink(src[(y * w + x) as usize]) {
                    next = x;
                }
                if next - x <= grow {
                    rows[(y * w + x) as usize] = true;
                }
            }
        }
        for x in 0..w {
            let mut last = i32::MIN / 2;
            for y in 0..h {
                if rows[(y * w + x) as usize] {
                    last = y;
                }
                if y - last <= grow {
                    ink[(y * w + x) as usize] = true;
                }
            }
            let mut next = i32::MAX / 2;
            for y in (0..h).rev() {
                if rows[(y * w + x) as usize] {
                    next = y;
                }
                if next - y <= grow {
                    ink[(y * w + x) as usize] = true;
                }
            }
        }
        Explained {
            width: w,
            height: h,
            ink,
        }
    }

    fn get(&self, x: i32, y: i32) -> bool {
        x >= 0
            && y >= 0
            && x < self.width
            && y < self.height
            && self.ink[(y * self.width + x) as usize]
    }
}

/// What was measured around one box.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct BoxFeatures {
    /// Unexplained ink pixels inside the box.
    pub inner: u32,
    /// Inside-box area sampled, pixels.
    pub inner_area: u32,
    /// Of [`BoxFeatures::inner`], the ink more than [`CORE_CLEAR`] pixels from the form's
    /// own (grown) ink: a pen mark crosses the middle, a sliver along the inside of a
    /// printed side that a bolder fax or a pixel of misfit leaves does not.
    pub core: u32,
    /// Unexplained ink within about half a box around it (overrunning marks).
    pub near: u32,
    /// Unexplained ink hugging the box (within a third of its size): an oversized mark of
    /// this box passes here, ink from a neighbour's mark rarely does.
    pub close: u32,
    /// Of [`BoxFeatures::close`], the ink in pieces spanning less than
    /// [`PASSING_STROKE`] box sizes: a mark made beside the box is about its size, the
    /// arc of a circle drawn round a neighbouring label passes by and runs on. Measured
    /// only for an empty box with ink close to it (otherwise equal to `close`).
    pub close_compact: u32,
    /// The smaller of the shares of the label's width with unexplained ink above it and
    /// below it (a circle drawn around the label).
    pub circle: f32,
    /// The longest stretch of the label with ink both above and below it, in box sizes:
    /// a circle drawn round part of a long label still runs on for several box sizes,
    /// while leftovers of printed text that a bolder fax thickened are scattered.
    pub circle_run: f32,
    /// Separate ink runs crossing just left and just right of the box.
    pub runs_left: u32,
    pub runs_right: u32,
    /// Ink pixels inside the box on rows repeated by a line error (could be a smear).
    pub unknown: u32,
    /// Share of directions from the box's centre in which unexplained ink lies just
    /// outside the box (between its side and about two thirds of its size out): a ring
    /// drawn round the box reaches nearly all, a mark beside it or a neighbour's a few.
    pub around: f32,
    /// Ink lies just outside the middle of two opposite sides (left and right, or top
    /// and bottom): a ring round the box, however partial, does this; an arc passing by
    /// a corner, round a neighbouring label, does not.
    pub enclosed: bool,
    /// Speckle-sized ink dropped from the middle of the box (its central half): where a
    /// small deliberate dot is made.
    pub centre_specks: u32,
}

/// A window of unexplained ink in template coordinates.
struct Excess {
    rect: Rect,
    mask: Vec<bool>,
    unknown: Vec<bool>,
    /// Ink dropped as speckle or speckle-sized dots (kept to look at where a small
    /// deliberate dot would be).
    dropped: Vec<bool>,
}

impl Excess {
    /// `drop_dots`: also drop the tall speckle dots of standard-resolution faxes. Right
    /// for a box's inside; wrong around labels, where a thin circle arc breaks into pieces
    /// of the same size. Pieces smaller than `min_piece` pixels are dropped.
    fn sample(
        page: &PageView,
        reg: &Registration,
        i: usize,
        explained: &Explained,
        rect: Rect,
        drop_dots: bool,
        min_piece: usize,
    ) -> Excess {
        let img = page.image;
        let mut mask = vec![false; (rect.w * rect.h).max(0) as usize];
        let mut unknown = vec![false; mask.len()];
        for y in 0..rect.h {
            for x in 0..rect.w {
                let (tx, ty) = (rect.x + x, rect.y + y);
                if explained.get(tx, ty) {
                    continue;
                }
                let (px, py) = reg.map(i, tx as f64, ty as f64);
                let (xi, yi) = (round_i64(px), round_i64(py));
                if xi >= 0 && yi >= 0 && (xi as u32) < img.width() && (yi as u32) < img.height() {
                    let on_line = page.line_rows.get(yi as usize).copied().unwrap_or(false);
                    let ink = !on_line && is_ink(img.get_pixel(xi as u32, yi as u32).0[0]);
                    // Ink on a repeated row may be a copy of the row above (a box edge
                    // smeared down): unknown. Paper there is paper.
                    if ink && page.suspect_rows.get(yi as usize).copied().unwrap_or(false) {
                        unknown[(y * rect.w + x) as usize] = true;
                    } else {
                        mask[(y * rect.w + x) as usize] = ink;
                    }
                }
            }
        }
        let dropped = vec![false; mask.len()];
        let mut e = Excess {
            rect,
            mask,
            unknown,
            dropped,
        };
        e.drop_noise(if drop_dots { page.row_scale } else { 1.0 }, min_piece);
        e
    }

    /// Removes speckle-sized pieces and the thin vertical streaks of dirty scanner glass.
    fn drop_noise(&mut self, row_scale: f32, speckle: usize) {
        let (w, h) = (self.rect.w as usize, self.rect.h as usize);
        let mut seen = vec![false; w * h];
        // Tall dots are dropped only when no pen stroke is near: a thin stroke on a
        // standard-resolution page breaks into pieces of the same size.
        let mut dots: Vec<Vec<usize>> = Vec::new();
        let mut stroke = false;
        let mut stack = Vec::new();
        for start in 0..w * h {
            if !self.mask[start] || seen[start] {
                continue;
            }
            let mut comp = Vec::new();
            stack.push(start);
            seen[start] = true;
            while let Some(p) = stack.pop() {
                comp.push(p);
                let (x, y) = ((p % w) as i32, (p / w) as i32);
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        let (nx, ny) = (x + dx, y + dy);
                        if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h {
                            let q = ny as usize * w + nx as usize;
                            if self.mask[q] && !seen[q] {
                                seen[q] = true;
                                stack.push(q);
                            }
                        }
                    }
                }
            }
            let xs = comp.iter().map(|p| p % w);
            let ys = comp.iter().map(|p| p / w);
            let cw = xs.clone().max().unwrap() - xs.min().unwrap() + 1;
            let ch = ys.clone().max().unwrap() - ys.min().unwrap() + 1;
            let streak = ch * 2 >= h && cw <= 4;
            // On a standard-resolution fax the receiver's speckle dots (up to 4 pixels
            // across) come out twice as tall; pen marks were drawn before and keep their size.
            let tall_dot =
                row_scale > 1.5 && cw <= 4 && (ch as f32) <= 4.5 * row_scale && comp.len() <= 28;
            if comp.len() < speckle || streak {
                for p in comp {
                    self.mask[p] = false;
                    self.dropped[p] = !streak;
                }
            } else if tall_dot {
                dots.push(comp);
            } else {
                stroke = true;
            }
        }
        if !stroke {
            for p in dots.into_iter().flatten() {
                self.dropped[p] = true;
                self.mask[p] = false;
            }
        }
    }

    fn at(&self, x: i32, y: i32) -> bool {
        let (lx, ly) = (x - self.rect.x, y - self.rect.y);
        lx >= 0
            && ly >= 0
            && lx < self.rect.w
            && ly < self.rect.h
            && self.mask[(ly * self.rect.w + lx) as usize]
    }

    /// Set cells of `mask` (one of this window's masks) inside `r`.
    fn count_in(&self, mask: &[bool], r: &Rect) -> u32 {
        let Some(c) = r.intersection(&self.rect) else {
            return 0;
        };
        let mut n = 0;
        for y in c.y - self.rect.y..c.bottom() - self.rect.y {
            let row = &mask[(y * self.rect.w) as usize..((y + 1) * self.rect.w) as usize];
            n += row[(c.x - self.rect.x) as usize..(c.right() - self.rect.x) as usize]
                .iter()
                .filter(|&&v| v)
                .count() as u32;
        }
        n
    }

    fn count_unknown(&self, r: &Rect) -> u32 {
        self.count_in(&self.unknown, r)
    }

    fn count(&self, r: &Rect) -> u32 {
        self.count_in(&self.mask, r)
    }

    /// Ink pixels inside `zone` but outside `hole` that belong to pieces spanning less
    /// than `extent` pixels either way (within this window; a piece cut by its edge
    /// spans at least to it).
    fn compact_in(&self, zone: &Rect, hole: &Rect, extent: i32) -> u32 {
        let (w, h) = (self.rect.w, self.rect.h);
        let mut seen = vec![false; self.mask.len()];
        let mut stack = Vec::new();
        let mut total = 0;
        let inside = |x: i32, y: i32| {
            let (tx, ty) = (x + self.rect.x, y + self.rect.y);
            zone.contains_point(tx as f32, ty as f32) && !hole.contains_point(tx as f32, ty as f32)
        };
        for y in 0..h {
            for x in 0..w {
                let start = (y * w + x) as usize;
                if !self.mask[start] || seen[start] || !inside(x, y) {
                    continue;
                }
                let (mut x0, mut y0, mut x1, mut y1) = (x, y, x, y);
                let mut counted = 0;
                seen[start] = true;
                stack.push((x, y));
                while let Some((cx, cy)) = stack.pop() {
                    (x0, y0, x1, y1) = (x0.min(cx), y0.min(cy), x1.max(cx), y1.max(cy));
                    counted += inside(cx, cy) as u32;
                    for (dx, dy) in [
                        (-1, -1),
                        (0, -1),
                        (1, -1),
                        (-1, 0),
                        (1, 0),
                        (-1, 1),
                        (0, 1),
                        (1, 1),
                    ] {
                        let (nx, ny) = (cx + dx, cy + dy);
                        if nx < 0 || ny < 0 || nx >= w || ny >= h {
                            continue;
                        }
                        let q = (ny * w + nx) as usize;
                        if self.mask[q] && !seen[q] {
                            seen[q] = true;
                            stack.push((nx, ny));
                        }
                    }
                }
                if (x1 - x0 + 1).max(y1 - y0 + 1) < extent {
                    total += counted;
                }
            }
        }
        total
    }

    /// Ink pixels inside `r` farther than `clear` pixels (either way) from explained ink.
    fn count_clear_of(&self, r: &Rect, explained: &Explained, clear: i32) -> u32 {
        let Some(c) = r.intersection(&self.rect) else {
            return 0;
        };
        let mut n = 0;
        for y in c.y..c.bottom() {
            for x in c.x..c.right() {
                if self.at(x, y)
                    && !(-clear..=clear)
                        .any(|dy| (-clear..=clear).any(|dx| explained.get(x + dx, y + dy)))
                {
                    n += 1;
                }
            }
        }
        n
    }

    fn runs_in_column(&self, x: i32, y0: i32, y1: i32) -> u32 {
        let mut runs = 0;
        let mut inside = false;
        for y in y0..y1 {
            let v = self.at(x, y) || self.at(x - 1, y) || self.at(x + 1, y);
            if v && !inside {
                runs += 1;
            }
            inside = v;
        }
        runs
    }
}

/// See [`BoxFeatures::core`] (pixels at 200 dpi).
const CORE_CLEAR: i32 = 2;
/// Pieces of unexplained ink smaller than this (pixels at 200 dpi) are fax speckle.
const SPECKLE: usize = 8;
/// Around a label, smaller pieces are dither and speckle along the printed text rather
/// than a circle's arc.
const ARC_PIECE: usize = 16;

/// The page as mark reading sees it.
pub struct PageView<'a> {
    pub image: &'a GrayImage,
    /// Rows repeated by fax line errors (see [`crate::normalise::NormalPage::suspect_rows`]).
    pub suspect_rows: &'a [bool],
    /// Rows crossed by line hits (see [`crate::normalise::NormalPage::line_rows`]): read as
    /// paper.
    pub line_rows: &'a [bool],
    /// Rows per received row (see [`crate::normalise::NormalPage::row_scale`]).
    pub row_scale: f32,
}

/// Measures box `i` (model `b`) of a registered page.
pub fn measure(
    img: &PageView,
    reg: &Registration,
    i: usize,
    b: &BoxModel,
    label: Option<&Rect>,
    explained: &Explained,
) -> BoxFeatures {
    let r = b.rect;
    let s = r.w.max(r.h);
    let win = r.inflate(s * 7 / 10);
    let e = Excess::sample(img, reg, i, explained, win, true, SPECKLE);
    let inside = r.inflate(-1);
    let inner = e.count(&inside);
    let core = e.count_clear_of(&inside, explained, CORE_CLEAR);
    let near = e.count(&win) - inner;
    let close = e.count(&r.inflate(s / 3)) - inner;
    let (y0, y1) = (r.y - s / 3, r.bottom() + s / 3);
    let runs_left = e.runs_in_column(r.x - 3, y0, y1);
    let runs_right = e.runs_in_column(r.right() + 2, y0, y1);
    let (circle, circle_run) = label
        .map(|l| circle_coverage(img, reg, i, l, s, explained))
        .unwrap_or((0.0, 0.0));
    let unknown = e.count_unknown(&inside);
    let (around, enclosed) = around_share(&e, &r);
    let centre_specks = e.count_in(&e.dropped, &r.inflate(-(s / 4)));
    // Only where the box would go to a person for ink beside it: a wider look costs.
    let close_compact = if inner <= INNER_BLANK && close >= BESIDE_CLOSE {
        let wide = Excess::sample(img, reg, i, explained, r.inflate(s * 2), true, SPECKLE);
        wide.compact_in(
            &r.inflate(s / 3),
            &inside,
            (PASSING_STROKE * s as f32) as i32,
        )
    } else {
        close
    };
    BoxFeatures {
        inner,
        inner_area: inside.area() as u32,
        core,
        near,
        close,
        close_compact,
        circle,
        circle_run,
        runs_left,
        runs_right,
        unknown,
        around,
        enclosed,
        centre_specks,
    }
}

/// Directions looked along for [`BoxFeatures::around`].
const AROUND_DIRECTIONS: usize = 24;

/// See [`BoxFeatures::around`] and [`BoxFeatures::enclosed`]: each direction is followed
/// from just outside the box's side to about two thirds of the box's size beyond it.
fn around_share(e: &Excess, r: &Rect) -> (f32, bool) {
    let (cx, cy) = r.center();
    let half = r.w.max(r.h) as f32 / 2.0;
    let hit: Vec<bool> = (0..AROUND_DIRECTIONS)
        .map(|k| {
            let a = k as f32 * std::f32::consts::TAU / AROUND_DIRECTIONS as f32;
            let (dx, dy) = (a.cos(), a.sin());
            // Distance from the centre to the box's side along this direction.
            let side = half / dx.abs().max(dy.abs());
            let (from, to) = (side + 2.0, side + half * 1.3);
            let mut d = from;
            while d <= to {
                let (x, y) = ((cx + dx * d).round() as i32, (cy + dy * d).round() as i32);
                if e.at(x, y) {
                    return true;
                }
                d += 1.0;
            }
            false
        })
        .collect();
    // The middle of each side: its normal and the directions either side of it.
    let q = AROUND_DIRECTIONS / 4;
    let side =
        |k: usize| (0..3).any(|j| hit[(k * q + AROUND_DIRECTIONS + j - 1) % AROUND_DIRECTIONS]);
    let enclosed = (side(0) && side(2)) || (side(1) && side(3));
    (
        hit.iter().filter(|&&h| h).count() as f32 / AROUND_DIRECTIONS as f32,
        enclosed,
    )
}

/// How much of the label's width has unexplained ink above it and below it (the smaller
/// share), as a circle drawn around the label leaves, and the longest stretch of it (see
/// [`BoxFeatures::circle_run`]).
fn circle_coverage(
    img: &PageView,
    reg: &Registration,
    i: usize,
    l: &Rect,
    s: i32,
    explained: &Explained,
) -> (f32, f32) {
    // Wide enough for a loose, tilted oval around a long label; only the bands above and
    // below the label are sampled.
    let band = s * 3 / 2;
    let top = Excess::sample(
        img,
        reg,
        i,
        explained,
        Rect::new(l.x - band, l.y - band, l.w + 2 * band, band + 2),
        false,
        ARC_PIECE,
    );
    let bottom = Excess::sample(
        img,
        reg,
        i,
        explained,
        Rect::new(l.x - band, l.bottom() - 2, l.w + 2 * band, band + 2),
        false,
        ARC_PIECE,
    );
    // Share of the label's columns with ink in the band above, and in the band below;
    // a circle (even a tilted one, whose arcs run through the text at one end) reaches
    // both sides along much of the label, a neighbour's stray mark only one.
    let (mut above, mut below) = (0, 0);
    // Longest stretch of columns with ink both above and below, gaps of a few columns
    // bridged: a circle's arcs run on, remnants of printed text are scattered.
    let (mut run, mut longest, mut gap) = (0, 0, 0);
    for x in l.x..l.right() {
        let a = (l.y - band..l.y + 2).any(|y| top.at(x, y));
        let b = (l.bottom() - 2..l.bottom() + band).any(|y| bottom.at(x, y));
        above += a as i32;
        below += b as i32;
        if a && b {
            run += gap + 1;
            gap = 0;
            longest = longest.max(run);
        } else if run > 0 && gap < ARC_GAP {
            gap += 1;
        } else {
            (run, gap) = (0, 0);
        }
    }
    (
        above.min(below) as f32 / l.w.max(1) as f32,
        longest as f32 / s.max(1) as f32,
    )
}

/// Columns without arc ink bridged in [`BoxFeatures::circle_run`] (a thin arc on a fax
/// breaks up).
const ARC_GAP: i32 = 4;

/// Why a box needs a person (its texts: [`crate::reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Doubt {
    /// Neither clearly marked nor clearly blank.
    Unsure,
    /// Heavy ink struck across the box: probably a mark taken back.
    Correction,
    /// Stray ink that a circle around a neighbouring label may explain.
    NeighbourCircle,
    /// The box lies on rows a fax line error repeated.
    LostRows,
    /// A circle near two labels: which one it was drawn around is unclear.
    CircleBetween,
    /// Too few of the page's printed boxes were found to trust where any box is.
    Unregistered,
    /// This box was not found where the boxes around it put it, or only far from them.
    Unlocated,
    /// The page's image needed repair when it was decoded: what it shows may not be what
    /// was sent.
    DamagedImage,
    /// Ink just beside an empty box, crossing out past its side: a mark made beside it?
    Beside,
    /// The box lies (partly) beyond the edge of the received image: a fax cut short, or
    /// a page shifted off the paper. Its blank is not an answer.
    OffPage,
}

/// The reading of one box.
#[derive(Debug, Clone, Copy)]
pub struct BoxReading {
    pub marked: bool,
    /// 0..1: how far the evidence is from the decision boundary.
    pub confidence: f32,
    pub doubt: Option<Doubt>,
    /// Marked by a circle around the label (rather than ink in the box).
    pub by_circle: bool,
    pub features: BoxFeatures,
}

/// Thresholds, in pixels at 200 dpi; set from synthetic corpora (see README, make bench).
const INNER_MARK: u32 = 20;
const INNER_WITH_OVERRUN: u32 = 10;
const NEAR_OVERRUN: u32 = 60;
const INNER_BLANK: u32 = 4;
const CIRCLE_MARK: f32 = 0.3;
/// Circle evidence under [`CIRCLE_MARK`] counts from this share of the label, and only
/// where it runs on for [`ARC_RUN`] box sizes (a circle round the label's first words);
/// scattered leftovers of printed text on a bolder fax reach this share but not the run.
const CIRCLE_BLANK: f32 = 0.05;
const ARC_RUN: f32 = 2.0;
/// Circle evidence between [`CIRCLE_MARK`] and this is read as chosen but reviewed.
const CIRCLE_SURE: f32 = 0.5;
const UNKNOWN_DOUBT: u32 = 10;
const CLOSE_BLANK: u32 = 30;
/// A label this circled probably has a circle around it, whose strokes may cross neighbours.
const CIRCLE_NEIGHBOUR: f32 = 0.15;
/// Less ink than this inside is a faint or small mark, or stray ink (a neighbour's stroke,
/// a side note, a box line off by a pixel): on faxes the project did not make, these are
/// as often unmarked boxes as light ticks, so a person decides.
const WEAK_MARK: u32 = 45;
/// Heavy ink that fills much of the box, spills around it and crosses its sides, short of
/// a filled box: a struck-through or scribbled-out mark as often as a big tick.
const HEAVY_INNER: u32 = 110;
const FILLED_INNER: u32 = 200;
const HEAVY_CLOSE: u32 = 60;
/// ... or less ink hugging it when the strokes cross its sides three times or more: a
/// strike-through goes back and forth, a tick or cross crosses each side once.
const CROSSED_CLOSE: u32 = 40;
/// A full box with this much ink hugging it, reaching round it in this share of
/// directions, may be a scribble over a mark rather than a filled box.
const SPILL_CLOSE: u32 = 120;
const SPILL_AROUND: f32 = 0.3;
/// Speckle-sized ink in the middle of an empty box, pixels, that a person should see.
const CENTRE_DOT: u32 = 12;
/// Unexplained ink just outside the box in this share of directions is a ring round it;
/// marks beside the box, struck-through marks and neighbours' circles reach far fewer.
const RING_AROUND: f32 = 0.7;
/// Ink hugging an empty box and crossing out past its side: a mark made just beside it.
const BESIDE_CLOSE: u32 = 12;
/// A piece of ink spanning this many box sizes or more is a stroke passing by (a circle
/// round a neighbouring label), not a mark made beside the box.
const PASSING_STROKE: f32 = 2.5;

impl BoxReading {
    /// Read surely as a mark that covers or surrounds the box's printed ring (a filled
    /// box, a ring drawn round it): registration's ring match near such a box finds the
    /// mark's edge, so a ring "found" off the box's predicted place says nothing against
    /// the reading there.
    pub fn hides_ring(&self) -> bool {
        self.marked
            && self.doubt.is_none()
            && (self.features.inner >= FILLED_INNER || self.features.around >= RING_AROUND)
    }
}

/// Decides one box from its features alone.
pub fn classify(f: BoxFeatures) -> BoxReading {
    let r = |marked, confidence: f32, doubt| BoxReading {
        marked,
        confidence: confidence.clamp(0.0, 1.0),
        doubt,
        by_circle: false,
        features: f,
    };
    // Weak ink inside that all lies along the printed sides, and nothing round the box:
    // slivers of the box's own lines (a bolder fax, a pixel of misfit), not a mark.
    let f = if f.core == 0 && f.close == 0 && f.inner < WEAK_MARK {
        BoxFeatures { inner: 0, ..f }
    } else {
        f
    };
    if f.unknown >= UNKNOWN_DOUBT && f.inner < INNER_MARK {
        return r(f.inner >= INNER_MARK, 0.3, Some(Doubt::LostRows));
    }
    // Scribbles cross the sides again and again but stay near the box; big overrunning
    // crosses reach much further out.
    if f.inner >= 140 && f.runs_left + f.runs_right >= 3 && f.near < 180 {
        return r(false, 0.4, Some(Doubt::Correction));
    }
    if f.circle >= CIRCLE_MARK {
        // A label ringed over only part of its length may be a neighbour's overrunning
        // stroke above and one below: a person looks.
        let doubt = (f.circle < CIRCLE_SURE).then_some(Doubt::Unsure);
        let mut b = r(true, 0.5 + f.circle / 2.0, doubt);
        b.by_circle = true;
        return b;
    }
    // A filled box whose ink spills well round it: filled, or scribbled over to take it
    // back; on faxes the two look alike.
    if f.inner >= FILLED_INNER && f.close >= SPILL_CLOSE && f.around >= SPILL_AROUND {
        return r(true, 0.4, Some(Doubt::Correction));
    }
    // A ring drawn round the box, its inside left clean: chosen, as a person reads it.
    if f.around >= RING_AROUND && f.inner < INNER_MARK {
        return r(true, 0.5 + f.around / 2.0, None);
    }
    let crossings = f.runs_left + f.runs_right;
    let some_circle = f.circle >= CIRCLE_BLANK && f.circle_run >= ARC_RUN;
    if (HEAVY_INNER..FILLED_INNER).contains(&f.inner)
        && ((f.close >= HEAVY_CLOSE && crossings >= 2)
            || (f.close >= CROSSED_CLOSE && crossings >= 3))
    {
        return r(true, 0.4, Some(Doubt::Correction));
    }
    if f.inner >= INNER_MARK && f.inner < WEAK_MARK {
        return r(true, 0.5, Some(Doubt::Unsure));
    }
    if f.inner >= INNER_MARK {
        return r(true, 0.6 + f.inner as f32 / 100.0, None);
    }
    // A big mark overrunning the box crosses its sides; ink round the box that does not
    // (slivers of its printed lines and label on rows a fax shifted sideways) is not read
    // alone.
    if f.inner >= INNER_WITH_OVERRUN && f.near >= NEAR_OVERRUN {
        let doubt = (crossings == 0).then_some(Doubt::Unsure);
        return r(true, 0.6, doubt);
    }
    // A speck in the middle of an otherwise empty box: fax speckle lands anywhere, a
    // small dot made with a pencil lands here and looks the same.
    if f.inner <= INNER_BLANK && f.centre_specks >= CENTRE_DOT {
        return r(false, 0.4, Some(Doubt::Unsure));
    }
    // Nothing inside and nothing hugging the box: ink further out belongs to a
    // neighbour's mark. (An oversized mark of this box that misses its inside still
    // passes close by, and goes to a person below.)
    if f.inner <= INNER_BLANK && !some_circle && f.close >= BESIDE_CLOSE && crossings >= 1 {
        return r(false, 0.4, Some(Doubt::Beside));
    }
    if f.inner <= INNER_BLANK && !some_circle && f.close < CLOSE_BLANK {
        return r(
            false,
            1.0 - f.inner as f32 / 10.0 - f.near as f32 / 1000.0,
            None,
        );
    }
    r(
        f.inner >= INNER_WITH_OVERRUN || some_circle,
        0.3,
        Some(Doubt::Unsure),
    )
}

/// Decides all boxes of a page: each alone, then with its neighbours in view, since a
/// circle drawn around one label often crosses the boxes above, below or beside it.
pub fn classify_page(
    boxes: &[BoxModel],
    labels: &[Option<Rect>],
    features: &[BoxFeatures],
) -> Vec<BoxReading> {
    let mut out: Vec<BoxReading> = features.iter().map(|&f| classify(f)).collect();
    // Two nearby labels both with circle evidence: one loose circle shows around both.
    for i in 0..boxes.len() {
        for j in 0..boxes.len() {
            let (Some(li), Some(lj)) = (labels[i], labels[j]) else {
                continue;
            };
            let s = boxes[i].rect.w.max(boxes[i].rect.h);
            if i == j
                || features[i].circle < CIRCLE_NEIGHBOUR
                || features[j].circle < CIRCLE_NEIGHBOUR
                || !li.inflate(s * 2).intersects(&lj)
            {
                continue;
            }
            for k in [i, j] {
                if out[k].features.inner <= INNER_BLANK {
                    out[k].doubt = Some(Doubt::CircleBetween);
                    out[k].confidence = 0.3;
                }
            }
        }
    }
    passing_strokes_explained(boxes, labels, &mut out);
    for (ci, c) in out.clone().iter().enumerate() {
        if c.features.circle < CIRCLE_NEIGHBOUR {
            continue;
        }
        let Some(l) = labels[ci] else { continue };
        let s = boxes[ci].rect.w.max(boxes[ci].rect.h);
        let band = Rect::new(l.x - s * 2, l.y - s * 2, l.w + s * 4, l.h + s * 4);
        for (bi, b) in boxes.iter().enumerate() {
            if bi == ci || !b.rect.intersects(&band) {
                continue;
            }
            let o = &mut out[bi];
            if o.marked && !o.by_circle && o.doubt.is_none() && o.features.inner < 150 {
                o.doubt = Some(Doubt::NeighbourCircle);
                o.confidence = 0.3;
            }
        }
    }
    out
}

/// An empty box asked about for ink beside it, when all that ink is in strokes passing by
/// (see [`BoxFeatures::close_compact`]), none of them on two opposite sides (a partial
/// ring round this box), and a neighbour read as chosen by a circle round its label
/// reaches here: the strokes are that circle's, as a person sees it. A mark made beside
/// the box is about its size and stays asked about. (Rings round neighbouring boxes are
/// not used: two ringed boxes one above the other look like one ring passing the other.)
fn passing_strokes_explained(boxes: &[BoxModel], labels: &[Option<Rect>], out: &mut [BoxReading]) {
    for k in 0..out.len() {
        let f = out[k].features;
        if out[k].doubt != Some(Doubt::Beside) || f.close_compact > 0 || f.enclosed {
            continue;
        }
        let s = boxes[k].rect.w.max(boxes[k].rect.h);
        let here = boxes[k].rect.inflate(s / 3);
        let circled_near = (0..out.len()).any(|j| {
            let o = &out[j];
            let sj = boxes[j].rect.w.max(boxes[j].rect.h);
            let by_label =
                o.by_circle && labels[j].is_some_and(|l| l.inflate(sj * 3 / 2).intersects(&here));
            j != k && o.doubt.is_none() && by_label
        });
        if circled_near {
            out[k].doubt = None;
            out[k].confidence = 0.6;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(inner: u32, close: u32, around: f32, runs: u32) -> BoxFeatures {
        BoxFeatures {
            inner,
            inner_area: 400,
            core: inner,
            near: close * 2,
            close,
            close_compact: close,
            runs_left: runs,
            runs_right: runs,
            around,
            ..Default::default()
        }
    }

    #[test]
    fn a_ring_round_a_clean_box_is_chosen_and_ink_on_one_side_is_asked_about() {
        let ring = classify(features(0, 150, 0.85, 2));
        assert!(ring.marked && ring.doubt.is_none(), "{ring:?}");
        let beside = classify(features(0, 40, 0.2, 1));
        assert!(
            !beside.marked && beside.doubt == Some(Doubt::Beside),
            "{beside:?}"
        );
        // A heavy scribble that also reaches round the box stays a correction.
        let scribble = classify(features(150, 200, 0.8, 2));
        assert_eq!(scribble.doubt, Some(Doubt::Correction), "{scribble:?}");
    }

    #[test]
    fn a_full_box_spilling_round_it_is_asked_about_and_a_neat_fill_is_not() {
        let spilled = classify(features(215, 140, 0.4, 2));
        assert_eq!(spilled.doubt, Some(Doubt::Correction), "{spilled:?}");
        let neat = classify(features(225, 10, 0.05, 0));
        assert!(neat.marked && neat.doubt.is_none(), "{neat:?}");
    }

    #[test]
    fn a_dot_in_the_middle_of_an_empty_box_is_asked_about_a_speck_is_not() {
        let dot = classify(BoxFeatures {
            centre_specks: 14,
            ..features(0, 0, 0.0, 0)
        });
        assert_eq!(dot.doubt, Some(Doubt::Unsure), "{dot:?}");
        let speck = classify(BoxFeatures {
            centre_specks: 4,
            ..features(0, 0, 0.0, 0)
        });
        assert!(!speck.marked && speck.doubt.is_none(), "{speck:?}");
    }

    #[test]
    fn scattered_ink_round_a_label_is_not_a_circle_a_short_arc_run_is_asked_about() {
        // A bolder fax leaves bits of the printed lines above and below the label.
        let remnants = classify(BoxFeatures {
            circle: 0.12,
            circle_run: 0.8,
            ..features(0, 0, 0.0, 0)
        });
        assert!(!remnants.marked && remnants.doubt.is_none(), "{remnants:?}");
        // A circle round the first words of a long label runs on.
        let words = classify(BoxFeatures {
            circle: 0.12,
            circle_run: 3.5,
            ..features(0, 0, 0.0, 0)
        });
        assert!(words.marked && words.doubt.is_some(), "{words:?}");
    }

    #[test]
    fn strokes_passing_from_a_circled_neighbour_explain_ink_beside_a_box() {
        let reference = GrayImage::from_pixel(400, 200, image::Luma([255]));
        let boxes: Vec<BoxModel> = [Rect::new(20, 20, 20, 20), Rect::new(20, 60, 20, 20)]
            .iter()
            .enumerate()
            .map(|(i, r)| BoxModel::new(&reference, 0, i as u32 + 1, *r))
            .collect();
        let labels = vec![
            Some(Rect::new(50, 20, 300, 20)),
            Some(Rect::new(50, 60, 300, 20)),
        ];
        let circled = BoxFeatures {
            circle: 0.9,
            circle_run: 10.0,
            ..features(0, 60, 0.3, 1)
        };
        let passing = BoxFeatures {
            close_compact: 0,
            ..features(0, 40, 0.3, 1)
        };
        let read = classify_page(&boxes, &labels, &[circled, passing]);
        assert!(read[0].marked && read[0].by_circle, "{:?}", read[0]);
        assert!(!read[1].marked && read[1].doubt.is_none(), "{:?}", read[1]);
        // A mark made beside the second box is its own piece of ink: still asked about.
        let beside = BoxFeatures {
            close_compact: 30,
            ..features(0, 40, 0.3, 1)
        };
        let read = classify_page(&boxes, &labels, &[circled, beside]);
        assert_eq!(read[1].doubt, Some(Doubt::Beside), "{:?}", read[1]);
        // So is a partial ring round it.
        let ring = BoxFeatures {
            close_compact: 0,
            enclosed: true,
            ..features(0, 40, 0.5, 1)
        };
        let read = classify_page(&boxes, &labels, &[circled, ring]);
        assert_eq!(read[1].doubt, Some(Doubt::Beside), "{:?}", read[1]);
    }

    #[test]
    fn compact_ink_counts_small_pieces_only() {
        // A 100 px window: a long stroke along row 10 and a small tick near (50, 30).
        let rect = Rect::new(0, 0, 100, 100);
        let mut mask = vec![false; 100 * 100];
        for x in 5..95 {
            mask[10 * 100 + x] = true;
        }
        for d in 0..8 {
            mask[(30 + d) * 100 + 50 + d] = true;
        }
        let e = Excess {
            rect,
            unknown: vec![false; mask.len()],
            dropped: vec![false; mask.len()],
            mask,
        };
        let zone = Rect::new(40, 0, 30, 60);
        let hole = Rect::new(0, 0, 0, 0);
        assert_eq!(e.count(&zone), 30 + 8);
        assert_eq!(e.compact_in(&zone, &hole, 50), 8);
    }

    #[test]
    fn ink_round_a_box_read_as_an_overrun_only_when_it_crosses_the_sides() {
        let overrun = classify(BoxFeatures {
            near: 80,
            ..features(12, 50, 0.2, 1)
        });
        assert!(overrun.marked && overrun.doubt.is_none(), "{overrun:?}");
        let slivers = classify(BoxFeatures {
            near: 80,
            ..features(12, 50, 0.2, 0)
        });
        assert_eq!(slivers.doubt, Some(Doubt::Unsure), "{slivers:?}");
    }

    #[test]
    fn slivers_along_the_printed_sides_alone_are_not_a_mark() {
        // 14 px inside, all within two pixels of the box's printed line, nothing around.
        let sliver = classify(BoxFeatures {
            core: 0,
            ..features(14, 0, 0.0, 0)
        });
        assert!(!sliver.marked && sliver.doubt.is_none(), "{sliver:?}");
        // The same with ink hugging the box outside too is asked about.
        let hugging = classify(BoxFeatures {
            core: 0,
            ..features(14, 20, 0.1, 1)
        });
        assert!(hugging.doubt.is_some(), "{hugging:?}");
        // Weak ink across the middle is asked about.
        let light = classify(BoxFeatures {
            core: 6,
            ..features(14, 0, 0.0, 0)
        });
        assert_eq!(light.doubt, Some(Doubt::Unsure), "{light:?}");
    }

    #[test]
    fn fills_and_drawn_rings_hide_the_printed_ring_ticks_do_not() {
        assert!(classify(features(225, 10, 0.05, 0)).hides_ring());
        assert!(classify(features(0, 150, 0.85, 2)).hides_ring());
        assert!(!classify(features(80, 10, 0.1, 1)).hides_ring());
        assert!(!classify(features(0, 0, 0.0, 0)).hides_ring());
    }
}

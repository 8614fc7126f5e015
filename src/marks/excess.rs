//! The ink the blank form does not explain, in a window of template coordinates: the
//! reference's ink grown ([`Explained`]), the page sampled through the registration,
//! speckle and streaks dropped ([`Excess`]), and counts over it.

use super::params::{
    SIDE_BAR_GAP, SIDE_BAR_SHARE, SIDE_BAR_THICK, STREAK_COVER, STREAK_END, STREAK_PART,
    STREAK_WIDTH,
};
use crate::geometry::{Rect, round_i64};
use crate::raster::{GrayImage, block_all, is_ink, label_runs};
use crate::register::Registration;

/// Window pixels looked at as one run when the page is paper under all of it.
const PAPER_RUN: i32 = 32;

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

impl<'a> PageView<'a> {
    /// A page with no line errors or line hits, at square resolution (tests).
    #[cfg(test)]
    pub fn clean(image: &'a GrayImage) -> PageView<'a> {
        PageView {
            image,
            suspect_rows: &[],
            line_rows: &[],
            row_scale: 1.0,
        }
    }
}

/// The reference form's ink, grown by a few pixels, so that printed text and box lines
/// survive thickening by the fax threshold and small misregistration.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Explained {
    width: i32,
    height: i32,
    #[serde(with = "crate::bits")]
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

    /// Whether its mask has a pixel for every place (a cached copy read back).
    pub fn consistent(&self) -> bool {
        self.width >= 0 && self.height >= 0 && self.ink.len() == (self.width * self.height) as usize
    }

    /// Row `y` of the grown ink, if `y` is a row of the reference.
    #[inline]
    pub(super) fn row(&self, y: i32) -> Option<&[bool]> {
        (y >= 0 && y < self.height).then(|| {
            let w = self.width as usize;
            &self.ink[y as usize * w..(y as usize + 1) * w]
        })
    }

    #[inline]
    pub(super) fn get(&self, x: i32, y: i32) -> bool {
        x >= 0
            && y >= 0
            && x < self.width
            && y < self.height
            && self.ink[(y * self.width + x) as usize]
    }
}

/// One 8-connected piece of ink: its pixels and their bounds (x0, y0, x1, y1, inclusive),
/// in template coordinates.
pub(super) struct Piece {
    pub(super) points: Vec<(i32, i32)>,
    pub(super) bounds: (i32, i32, i32, i32),
}

impl Piece {
    /// Its width or height, whichever is larger.
    pub(super) fn span(&self) -> i32 {
        let (x0, y0, x1, y1) = self.bounds;
        (x1 - x0).max(y1 - y0) + 1
    }

    /// [`Piece::span`] of its pixels inside `r` alone, if any lie there.
    pub(super) fn span_within(&self, r: &Rect) -> Option<i32> {
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for &(x, y) in self
            .points
            .iter()
            .filter(|&&(x, y)| r.contains_point(x as f32, y as f32))
        {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        (x1 >= x0).then(|| (x1 - x0).max(y1 - y0) + 1)
    }

    /// Its width or height, whichever is smaller.
    pub(super) fn narrow(&self) -> i32 {
        let (x0, y0, x1, y1) = self.bounds;
        (x1 - x0).min(y1 - y0) + 1
    }

    /// Whether it lies along a side of box `r` as that side would, moved out of place by a
    /// fax line error (rows dropped or repeated through the box, or shifted sideways): a
    /// bar at most [`SIDE_BAR_THICK`] thick, running along at least [`SIDE_BAR_SHARE`] of
    /// the side, within [`SIDE_BAR_GAP`] of it outside the box.
    pub(super) fn along_side(&self, r: &Rect) -> bool {
        let (x0, y0, x1, y1) = self.bounds;
        // One way: the piece's extent across a side (`a`) and along it (`b`), and the
        // box's the same ways.
        let bar = |a: (i32, i32), b: (i32, i32), box_a: (i32, i32), box_b: (i32, i32)| {
            let gap = if a.0 > box_a.1 {
                a.0 - box_a.1
            } else if a.1 < box_a.0 {
                box_a.0 - a.1
            } else {
                return false;
            };
            let overlap = (b.1.min(box_b.1) - b.0.max(box_b.0) + 1).max(0);
            a.1 - a.0 < SIDE_BAR_THICK
                && overlap as f32 >= SIDE_BAR_SHARE * (box_b.1 - box_b.0 + 1) as f32
                && gap <= SIDE_BAR_GAP + 1
        };
        let (xs, ys) = ((r.x, r.right() - 1), (r.y, r.bottom() - 1));
        bar((y0, y1), (x0, x1), ys, xs) || bar((x0, x1), (y0, y1), xs, ys)
    }

    /// Whether any of its pixels lies inside `zone`.
    pub(super) fn reaches(&self, zone: &Rect) -> bool {
        self.points
            .iter()
            .any(|&(x, y)| zone.contains_point(x as f32, y as f32))
    }

    /// Its pixels inside `zone` but outside `hole`.
    pub(super) fn count_in(&self, zone: &Rect, hole: &Rect) -> u32 {
        self.points
            .iter()
            .filter(|&&(x, y)| {
                zone.contains_point(x as f32, y as f32) && !hole.contains_point(x as f32, y as f32)
            })
            .count() as u32
    }
}

/// The page's ink over `rect` in template coordinates, mapped through the registration
/// (box `i`'s own offset included), and its ink on rows a fax line error repeated
/// (unknown: perhaps a copy of the row above). Lines hit by a line error read as paper.
/// Pixels set in `skip(y)` (a row of template pixels) are not looked at and stay clear.
pub(super) fn sample_page<'a>(
    page: &PageView,
    reg: &Registration,
    i: usize,
    rect: Rect,
    skip: impl Fn(i32) -> &'a [bool],
) -> (Vec<bool>, Vec<bool>) {
    let img = page.image;
    let mut mask = vec![false; (rect.w * rect.h).max(0) as usize];
    let mut unknown = vec![false; mask.len()];
    // Registration::map per pixel, with what is the same along a row taken out of the
    // inner loop; the same arithmetic in the same order, so the same pixels.
    let t = &reg.transform;
    let (dx, dy) = reg.offsets.get(i).copied().unwrap_or((0.0, 0.0));
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    // Whether the map along the window's rows is steady enough to read side by side (see
    // `side_by_side` below): its scale away from 1, and every term under 2^20.
    let small = |v: f64| v.abs() < (1 << 20) as f64;
    let (wx0, wx1) = (rect.x as f64, rect.right() as f64);
    let steady_window = t.a > 0.0
        && (t.a - 1.0).abs() > 1e-6
        && [t.c, dx, wx0, wx1, t.a * wx0, t.a * wx1]
            .into_iter()
            .all(small);
    for y in 0..rect.h {
        let ty = rect.y + y;
        let skip_row = skip(ty);
        let (by, ey) = (t.b * ty as f64, t.e * ty as f64);
        let steady = steady_window && small(by);
        let row = (y * rect.w) as usize;
        let column_at = |tx: i32| round_i64(t.a * tx as f64 + by + t.c + dx);
        let row_at = |tx: i32| round_i64(t.d * tx as f64 + ey + t.f + dy);
        for x0 in (0..rect.w).step_by(PAPER_RUN as usize) {
            // A run of window pixels whose page pixels (all within the box of its first and
            // last ones: a float affine map rounded is monotone along a row) are paper or
            // off the page reads as paper: skipped whole.
            let last = (x0 + PAPER_RUN).min(rect.w) - 1;
            let (tx0, tx1) = (rect.x + x0, rect.x + last);
            let ((u0, v0), (u1, v1)) =
                ((column_at(tx0), row_at(tx0)), (column_at(tx1), row_at(tx1)));
            let (c0, c1) = (u0.min(u1).max(0), u0.max(u1).min(iw - 1));
            let (r0, r1) = (v0.min(v1).max(0), v0.max(v1).min(ih - 1));
            let cols = (c0 as usize, c1 as usize);
            if c0 > c1
                || r0 > r1
                || block_all(img, cols, (r0 as usize, r1 as usize), |v| !is_ink(v))
            {
                continue;
            }
            // The run in pieces on one page row each (the map is monotone along a row: a
            // row's pixels are consecutive, found by halving): the row's flags once per
            // piece, then the columns alone.
            let n = (last - x0 + 1) as usize;
            // The skip row over the run, when it covers the run (as it does inside the
            // reference); otherwise looked up pixel by pixel.
            let skip_run = (tx0 >= 0)
                .then(|| skip_row.get(tx0 as usize..(tx1 + 1) as usize))
                .flatten();
            let skipped = |k: usize| match skip_run {
                Some(s) => s[k],
                None => {
                    let tx = tx0 + k as i32;
                    tx >= 0 && skip_row.get(tx as usize).copied().unwrap_or(false)
                }
            };
            let out = row + x0 as usize;
            // Where the run's pixels k0..=k1 map to consecutive pixels of a page row, the
            // first of them. Along a row the map is t.a·x plus a constant; with every term
            // under 2^20 it is computed to within 1e-8 of a pixel. So with t.a more than
            // 1e-6 above 1 every step moves at least one pixel, below it at most one, and
            // steps adding up to one a pixel are each one (on the page, where rounding is
            // flooring half a pixel on). At t.a of about 1 steps of 0 and 2 could cancel:
            // looked at pixel by pixel.
            let side_by_side = |k0: usize, k1: usize| {
                // The run's ends are mapped already.
                let x0 = if k0 == 0 {
                    u0
                } else {
                    column_at(tx0 + k0 as i32)
                };
                let x1 = if k1 == n - 1 {
                    u1
                } else {
                    column_at(tx0 + k1 as i32)
                };
                (steady && x0 >= 0 && x1 < iw && x1 - x0 == (k1 - k0) as i64).then_some(x0 as usize)
            };
            let mut start = 0;
            while start < n {
                let yi = if start == 0 {
                    v0
                } else {
                    row_at(tx0 + start as i32)
                };
                let end = if yi == v1 {
                    n - 1
                } else {
                    let (mut on, mut off) = (start, n - 1);
                    while off - on > 1 {
                        let mid = (on + off) / 2;
                        if row_at(tx0 + mid as i32) == yi {
                            on = mid;
                        } else {
                            off = mid;
                        }
                    }
                    on
                };
                let (k0, k1) = (start, end);
                start = end + 1;
                if yi < 0 || yi >= ih || page.line_rows.get(yi as usize).copied().unwrap_or(false) {
                    continue;
                }
                let page_row = &raw[(yi * iw) as usize..((yi + 1) * iw) as usize];
                // Ink on a repeated row may be a copy of the row above (a box edge smeared
                // down): unknown. Paper there is paper.
                let suspect = page.suspect_rows.get(yi as usize).copied().unwrap_or(false);
                let into = if suspect { &mut unknown } else { &mut mask };
                // The piece's page pixels side by side on the row: read as one slice.
                if let Some(from) = side_by_side(k0, k1) {
                    let src = &page_row[from..=from + (k1 - k0)];
                    let dst = &mut into[out + k0..=out + k1];
                    match skip_run {
                        // The skip row as a slice too: a loop that vectorises.
                        Some(skip) => {
                            for ((o, &v), &sk) in dst.iter_mut().zip(src).zip(&skip[k0..=k1]) {
                                *o = is_ink(v) & !sk;
                            }
                        }
                        None => {
                            for (k, (o, &v)) in (k0..).zip(dst.iter_mut().zip(src)) {
                                *o = is_ink(v) & !skipped(k);
                            }
                        }
                    }
                    continue;
                }
                for k in k0..=k1 {
                    if skipped(k) {
                        continue;
                    }
                    let xi = column_at(tx0 + k as i32);
                    if xi >= 0 && xi < iw && is_ink(page_row[xi as usize]) {
                        into[out + k] = true;
                    }
                }
            }
        }
    }
    (mask, unknown)
}

/// One 8-connected piece of a window's mask: its pixels' indices and bounds (x0, y0, x1,
/// y1, inclusive), in window pixels.
struct WindowPiece {
    pixels: Vec<usize>,
    bounds: (usize, usize, usize, usize),
}

impl WindowPiece {
    /// Its width and height.
    fn size(&self) -> (usize, usize) {
        let (x0, y0, x1, y1) = self.bounds;
        (x1 - x0 + 1, y1 - y0 + 1)
    }
}

/// Ink near a box in pieces of a mark's size (see [`Excess::compact_in`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Compact {
    pub(super) all: u32,
    /// In pieces as wide and long as a pen stroke ...
    pub(super) wide: u32,
    /// ... of which lying along a side of the box.
    pub(super) side: u32,
}

/// A window of unexplained ink in template coordinates.
pub(super) struct Excess {
    pub(super) rect: Rect,
    pub(super) mask: Vec<bool>,
    pub(super) unknown: Vec<bool>,
    /// Ink dropped as speckle or speckle-sized dots (kept to look at where a small
    /// deliberate dot would be).
    pub(super) dropped: Vec<bool>,
}

impl Excess {
    /// `drop_dots`: also drop the tall speckle dots of standard-resolution faxes. Right
    /// for a box's inside; wrong around labels, where a thin circle arc breaks into pieces
    /// of the same size. Pieces smaller than `min_piece` pixels are dropped.
    pub(super) fn sample(
        page: &PageView,
        reg: &Registration,
        i: usize,
        explained: &Explained,
        rect: Rect,
        drop_dots: bool,
        min_piece: usize,
    ) -> Excess {
        let (mask, unknown) = sample_page(page, reg, i, rect, |ty| {
            // Outside the reference's rows nothing is explained.
            explained.row(ty).unwrap_or(&[])
        });
        let dropped = vec![false; mask.len()];
        let mut e = Excess {
            rect,
            mask,
            unknown,
            dropped,
        };
        e.clean(
            if drop_dots { page.row_scale } else { 1.0 },
            min_piece,
            |x, y| explained.get(x, y),
        );
        e
    }

    /// Drops noise ([`Excess::drop_noise`]), then streaks that print or the fax broke into
    /// pieces ([`Excess::drop_broken_streaks`]), from one pass over the window's pieces.
    fn clean(&mut self, row_scale: f32, speckle: usize, printed: impl Fn(i32, i32) -> bool) {
        let narrow = self.drop_noise(row_scale, speckle);
        self.drop_broken_streaks(narrow, printed);
    }

    /// The 8-connected pieces of ink in the mask, in the order of their first pixel, each
    /// piece's pixels in row order.
    fn pieces(&self) -> Vec<WindowPiece> {
        let (w, h) = (self.rect.w.max(0) as usize, self.rect.h.max(0) as usize);
        let labels = label_runs(&self.mask, w, h, |&v| v);
        let mut out: Vec<WindowPiece> = labels
            .extents()
            .into_iter()
            .map(|e| WindowPiece {
                pixels: Vec::with_capacity(e.cells as usize),
                bounds: (e.x0 as usize, e.y0 as usize, e.x1 as usize, e.y1 as usize),
            })
            .collect();
        for (&(y, a, b), &l) in labels.runs.iter().zip(&labels.label) {
            let (y, a, b) = (y as usize, a as usize, b as usize);
            out[l as usize].pixels.extend(y * w + a..=y * w + b);
        }
        out
    }

    /// The pieces of ink in the window, in template coordinates.
    pub(super) fn pieces_at(&self) -> Vec<Piece> {
        let w = self.rect.w as usize;
        let (ox, oy) = (self.rect.x, self.rect.y);
        self.pieces()
            .into_iter()
            .map(|piece| {
                let points = piece
                    .pixels
                    .iter()
                    .map(|&p| ((p % w) as i32 + ox, (p / w) as i32 + oy))
                    .collect();
                let (x0, y0, x1, y1) = piece.bounds;
                let bounds = (
                    x0 as i32 + ox,
                    y0 as i32 + oy,
                    x1 as i32 + ox,
                    y1 as i32 + oy,
                );
                Piece { points, bounds }
            })
            .collect()
    }

    /// Removes speckle-sized pieces and the thin vertical streaks of dirty scanner glass;
    /// returns the pieces kept that are no wider than a streak.
    fn drop_noise(&mut self, row_scale: f32, speckle: usize) -> Vec<WindowPiece> {
        let h = self.rect.h as usize;
        // Tall dots are dropped only when no pen stroke is near: a thin stroke on a
        // standard-resolution page breaks into pieces of the same size.
        let mut dots: Vec<WindowPiece> = Vec::new();
        let mut narrow: Vec<WindowPiece> = Vec::new();
        let mut stroke = false;
        for piece in self.pieces() {
            let (cw, ch) = piece.size();
            let n = piece.pixels.len();
            let streak = ch * 2 >= h && cw <= STREAK_WIDTH;
            // On a standard-resolution fax the receiver's speckle dots (up to 4 pixels
            // across) come out twice as tall; pen marks were drawn before and keep their size.
            let tall_dot = row_scale > 1.5 && cw <= 4 && (ch as f32) <= 4.5 * row_scale && n <= 28;
            if n < speckle || streak {
                for &p in &piece.pixels {
                    self.mask[p] = false;
                    self.dropped[p] = !streak;
                }
            } else if tall_dot {
                dots.push(piece);
            } else {
                stroke = true;
                if cw <= STREAK_WIDTH {
                    narrow.push(piece);
                }
            }
        }
        if stroke {
            narrow.extend(dots.into_iter().filter(|d| d.size().0 <= STREAK_WIDTH));
        } else {
            for p in dots.into_iter().flat_map(|d| d.pixels) {
                self.dropped[p] = true;
                self.mask[p] = false;
            }
        }
        narrow
    }

    /// Removes a streak that the form's print, or the fax, broke into pieces: narrow pieces
    /// in one column that together run from the window's top rows to its bottom rows and
    /// are ink, or hidden by print, over most of the height. A streak through a box is cut
    /// by the box's printed sides into pieces shorter than the streak rule above sees; a
    /// pen stroke stays inside or near its box and does not run the window's height.
    /// A streak that starts or ends near the box (dirt that came or went during the scan,
    /// or a dashed one) runs from one end of the window only: it goes too when it also
    /// runs most of the height ([`STREAK_PART`]) and crosses two bands of print on its way
    /// (in through the box's near side and out through its far side). A pen stroke coming
    /// in from above or below stops in the box, across one band.
    /// `narrow`: the window's pieces no wider than a streak (see [`Excess::drop_noise`]).
    fn drop_broken_streaks(
        &mut self,
        mut narrow: Vec<WindowPiece>,
        printed: impl Fn(i32, i32) -> bool,
    ) {
        let (w, h) = (self.rect.w as usize, self.rect.h as usize);
        if h == 0 {
            return;
        }
        narrow.sort_by_key(|n| (n.bounds.0, n.pixels[0]));
        let end = ((STREAK_END * h as f32).ceil() as usize).max(1);
        let mut start = 0;
        while start < narrow.len() {
            // A run of pieces whose columns overlap within a pixel (a streak leans little).
            let mut stop = start + 1;
            let mut right = narrow[start].bounds.2;
            while stop < narrow.len() && narrow[stop].bounds.0 <= right + 1 {
                right = right.max(narrow[stop].bounds.2);
                stop += 1;
            }
            let group = &narrow[start..stop];
            let left = group.iter().map(|n| n.bounds.0).min().unwrap_or(0);
            let top = group.iter().map(|n| n.bounds.1).min().unwrap_or(h);
            let bottom = group.iter().map(|n| n.bounds.3).max().unwrap_or(0);
            let (from_top, to_bottom) = (top < end, bottom + end >= h);
            let run = bottom.saturating_sub(top) + 1;
            let whole = from_top && to_bottom;
            let part = (from_top || to_bottom) && run as f32 >= STREAK_PART * h as f32;
            if stop - start >= 2 && right - left < STREAK_WIDTH + 2 && (whole || part) {
                let print_at = |y: usize| {
                    (left..=right).any(|x| printed(self.rect.x + x as i32, self.rect.y + y as i32))
                };
                let (rows, span) = if whole {
                    (0..h, h)
                } else {
                    (top..bottom + 1, run)
                };
                let covered = rows
                    .clone()
                    .filter(|&y| print_at(y) || (left..=right).any(|x| self.mask[y * w + x]))
                    .count();
                // Bands of print the run crosses (rows with print between rows without).
                let bands = rows
                    .map(print_at)
                    .fold((0, false), |(n, was), now| {
                        (n + usize::from(now && !was), now)
                    })
                    .0;
                if covered as f32 >= STREAK_COVER * span as f32 && (whole || bands >= 2) {
                    for &p in group.iter().flat_map(|n| &n.pixels) {
                        self.mask[p] = false;
                    }
                }
            }
            start = stop;
        }
    }

    /// For each column of the window, whether it has ink in any row.
    pub(super) fn inked_columns(&self) -> Vec<bool> {
        let w = self.rect.w.max(0) as usize;
        let mut out = vec![false; w];
        for row in self.mask.chunks_exact(w.max(1)) {
            for (o, &v) in out.iter_mut().zip(row) {
                *o |= v;
            }
        }
        out
    }

    pub(super) fn at(&self, x: i32, y: i32) -> bool {
        self.in_mask(&self.mask, x, y)
    }

    /// Whether ink at `(x, y)` was dropped as speckle.
    pub(super) fn dropped_at(&self, x: i32, y: i32) -> bool {
        self.in_mask(&self.dropped, x, y)
    }

    fn in_mask(&self, mask: &[bool], x: i32, y: i32) -> bool {
        let (lx, ly) = (x - self.rect.x, y - self.rect.y);
        lx >= 0
            && ly >= 0
            && lx < self.rect.w
            && ly < self.rect.h
            && mask[(ly * self.rect.w + lx) as usize]
    }

    /// How many separate pieces of the dropped speckle lie inside `r` (8-connected).
    pub(super) fn speck_pieces_in(&self, r: &Rect) -> u32 {
        let Some(c) = r.intersection(&self.rect) else {
            return 0;
        };
        let (w, h) = (c.w as usize, c.h as usize);
        let mut sub = Vec::with_capacity(w * h);
        for y in c.y - self.rect.y..c.bottom() - self.rect.y {
            let row = (y * self.rect.w + c.x - self.rect.x) as usize;
            sub.extend_from_slice(&self.dropped[row..row + w]);
        }
        crate::raster::label_runs(&sub, w, h, |&v| v).count as u32
    }

    /// Set cells of `mask` (one of this window's masks) inside `r`.
    pub(super) fn count_in(&self, mask: &[bool], r: &Rect) -> u32 {
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

    /// For each row of `r` (top down), the share of its pixels the form leaves open
    /// (`explained` does not cover) that are ink; `None` for a row the form covers.
    pub(super) fn row_shares(&self, r: &Rect, explained: &Explained) -> Vec<Option<f32>> {
        (r.y..r.bottom())
            .map(|y| {
                let open = (r.x..r.right()).filter(|&x| !explained.get(x, y));
                let (n, ink) = open.fold((0u32, 0u32), |(n, ink), x| {
                    (n + 1, ink + u32::from(self.at(x, y)))
                });
                (n > 0).then(|| ink as f32 / n as f32)
            })
            .collect()
    }

    /// The longer side of the box round the largest-spanning single piece of ink within
    /// `r`, counting only each piece's pixels inside `r` (0 when there are none).
    pub(super) fn longest_piece_span(&self, r: &Rect) -> u32 {
        self.pieces_at()
            .iter()
            .filter_map(|p| p.span_within(r))
            .max()
            .map_or(0, |s| s as u32)
    }

    /// The bounding box of this window's ink inside `r`, if any.
    pub(super) fn bounds(&self, r: &Rect) -> Option<Rect> {
        let c = r.intersection(&self.rect)?;
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for y in c.y..c.bottom() {
            let row = &self.mask[((y - self.rect.y) * self.rect.w) as usize..];
            for x in c.x..c.right() {
                if row[(x - self.rect.x) as usize] {
                    (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
                }
            }
        }
        (x1 >= x0).then(|| Rect::new(x0, y0, x1 - x0 + 1, y1 - y0 + 1))
    }

    pub(super) fn count_unknown(&self, r: &Rect) -> u32 {
        self.count_in(&self.unknown, r)
    }

    pub(super) fn count(&self, r: &Rect) -> u32 {
        self.count_in(&self.mask, r)
    }

    /// Ink pixels inside `zone` but outside `hole` that belong to pieces spanning less
    /// than `extent` pixels either way (within this window; a piece cut by its edge
    /// spans at least to it); of those, the ink in stroke-like pieces: at least `width`
    /// pixels across both ways and `length` pixels long one way; and of those, the ink in
    /// pieces lying along a side of box `r` (see [`Piece::along_side`]).
    pub(super) fn compact_in(
        &self,
        zone: &Rect,
        hole: &Rect,
        r: &Rect,
        extent: i32,
        (width, length): (i32, i32),
    ) -> Compact {
        let mut c = Compact::default();
        for p in self.pieces_at().iter().filter(|p| p.span() < extent) {
            let n = p.count_in(zone, hole);
            c.all += n;
            if p.narrow() >= width && p.span() >= length {
                c.wide += n;
                if p.along_side(r) {
                    c.side += n;
                }
            }
        }
        c
    }

    /// Ink pixels inside `r` farther than `clear` pixels (either way) from explained ink.
    pub(super) fn count_clear_of(&self, r: &Rect, explained: &Explained, clear: i32) -> u32 {
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

    pub(super) fn runs_in_column(&self, x: i32, y0: i32, y1: i32) -> u32 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Affine;

    /// The flood fill [`Excess::pieces`] replaced, as the reference: pieces in the order
    /// of their first pixel, pixels in the order visited.
    fn pieces_by_flood_fill(mask: &[bool], w: usize, h: usize) -> Vec<WindowPiece> {
        let mut seen = vec![false; w * h];
        let mut out = Vec::new();
        for start in 0..w * h {
            if !mask[start] || seen[start] {
                continue;
            }
            let (mut comp, mut stack) = (Vec::new(), vec![start]);
            seen[start] = true;
            while let Some(p) = stack.pop() {
                comp.push(p);
                let (x, y) = ((p % w) as i32, (p / w) as i32);
                for (dx, dy) in (-1..=1).flat_map(|dy| (-1..=1).map(move |dx| (dx, dy))) {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h {
                        let q = ny as usize * w + nx as usize;
                        if mask[q] && !seen[q] {
                            seen[q] = true;
                            stack.push(q);
                        }
                    }
                }
            }
            let bounds =
                comp.iter()
                    .fold((usize::MAX, usize::MAX, 0, 0), |(x0, y0, x1, y1), &p| {
                        let (x, y) = (p % w, p / w);
                        (x0.min(x), y0.min(y), x1.max(x), y1.max(y))
                    });
            out.push(WindowPiece {
                pixels: comp,
                bounds,
            });
        }
        out
    }

    #[test]
    fn pieces_by_runs_are_the_flood_filled_ones() {
        for (w, h) in [(1usize, 1usize), (1, 7), (7, 1), (33, 21), (120, 45)] {
            for seed in 0..6usize {
                let mask: Vec<bool> = (0..w * h)
                    .map(|i| {
                        let v = (i.wrapping_mul(2654435761) ^ seed.wrapping_mul(977))
                            .wrapping_mul(2246822519)
                            >> 9;
                        v % (3 + 20 * (seed % 3)) == 0 || (i / w % 6 == 0 && i % w < seed * 5)
                    })
                    .collect();
                let e = Excess {
                    rect: Rect::new(-4, 9, w as i32, h as i32),
                    unknown: vec![false; mask.len()],
                    dropped: vec![false; mask.len()],
                    mask: mask.clone(),
                };
                let got = e.pieces();
                let want = pieces_by_flood_fill(&mask, w, h);
                assert_eq!(got.len(), want.len(), "{w}x{h} seed {seed}");
                for (g, mut r) in got.into_iter().zip(want) {
                    // The first pixel leads in both (a streak's pieces sort by it).
                    assert_eq!(g.pixels[0], r.pixels[0], "{w}x{h} seed {seed}");
                    r.pixels.sort_unstable();
                    assert_eq!((g.pixels, g.bounds), (r.pixels, r.bounds));
                }
            }
        }
    }

    #[test]
    fn runs_of_paper_sample_as_pixel_by_pixel() {
        let page = GrayImage::from_fn(300, 200, |x, y| {
            image::Luma([if (x + 3 * y) % 53 < 2 || (x * y) % 211 == 0 {
                0
            } else {
                255
            }])
        });
        let (w, h) = (300usize, 200usize);
        let suspect: Vec<bool> = (0..h).map(|y| y % 17 == 0).collect();
        let line: Vec<bool> = (0..h).map(|y| y == 50).collect();
        let view = PageView {
            image: &page,
            suspect_rows: &suspect,
            line_rows: &line,
            row_scale: 1.0,
        };
        // Template rows to skip: every seventh pixel of row 40.
        let skipped: Vec<bool> = (0..w).map(|x| x % 7 == 0).collect();
        // Windows partly off the page, turned, scaled and shifted per box.
        let rect = Rect::new(-15, 20, 290, 150);
        for (deg, scale, off) in [
            (0.0f64, 1.0, (0.0, 0.0)),
            (1.7, 1.03, (2.5, -1.25)),
            (-3.0, 0.97, (-40.0, 6.0)),
        ] {
            let (s, c) = deg.to_radians().sin_cos();
            let reg = Registration {
                transform: Affine {
                    a: scale * c,
                    b: -scale * s,
                    c: 4.0,
                    d: scale * s,
                    e: scale * c,
                    f: -3.0,
                },
                offsets: vec![(0.0, 0.0), off],
                located: vec![],
                rms: 0.0,
            };
            let skip = |ty: i32| if ty == 40 { &skipped[..] } else { &[][..] };
            let (mask, unknown) = sample_page(&view, &reg, 1, rect, skip);
            let mut inked = 0;
            for y in 0..rect.h {
                for x in 0..rect.w {
                    let (tx, ty) = (rect.x + x, rect.y + y);
                    let (u, v) = reg.transform.apply(tx as f64, ty as f64);
                    let (xi, yi) = (round_i64(u + off.0), round_i64(v + off.1));
                    let on = xi >= 0 && yi >= 0 && xi < w as i64 && yi < h as i64;
                    let skip = ty == 40 && tx >= 0 && skipped[tx as usize];
                    let ink = on
                        && !skip
                        && !line[yi as usize]
                        && is_ink(page.get_pixel(xi as u32, yi as u32).0[0]);
                    let i = (y * rect.w + x) as usize;
                    let doubtful = ink && suspect[yi as usize];
                    assert_eq!(
                        (mask[i], unknown[i]),
                        (ink && !doubtful, doubtful),
                        "{deg} degrees at ({x},{y})"
                    );
                    inked += usize::from(ink);
                }
            }
            assert!(inked > 100, "strokes sampled at {deg} degrees");
        }
    }

    fn piece(x0: i32, y0: i32, x1: i32, y1: i32) -> Piece {
        Piece {
            points: (y0..=y1)
                .flat_map(|y| (x0..=x1).map(move |x| (x, y)))
                .collect(),
            bounds: (x0, y0, x1, y1),
        }
    }

    #[test]
    fn a_bar_along_a_side_just_outside_the_box_is_that_side_out_of_place() {
        let r = Rect::new(100, 100, 22, 22);
        // The bottom side 2 px low (a line error repeated rows through the box), the
        // right side 3 px to the right, the top side 1 px high and a little short.
        assert!(piece(100, 124, 121, 127).along_side(&r));
        assert!(piece(125, 101, 128, 120).along_side(&r));
        assert!(piece(103, 95, 120, 98).along_side(&r));
        // A tick's stroke beside the box is wider than a side, or shorter, or farther.
        assert!(!piece(124, 100, 134, 118).along_side(&r));
        assert!(!piece(100, 124, 110, 127).along_side(&r));
        assert!(!piece(100, 132, 121, 135).along_side(&r));
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
        // A dash of a streak: 2 px wide, 6 high.
        for y in 45..51 {
            mask[y * 100 + 60] = true;
            mask[y * 100 + 61] = true;
        }
        let e = Excess {
            rect,
            unknown: vec![false; mask.len()],
            dropped: vec![false; mask.len()],
            mask,
        };
        let zone = Rect::new(40, 0, 30, 60);
        let hole = Rect::new(0, 0, 0, 0);
        assert_eq!(e.count(&zone), 30 + 8 + 12);
        // Both short pieces are compact; only the diagonal is wide both ways, and only
        // while it is long enough.
        let c = |w| {
            let c = e.compact_in(&zone, &hole, &hole, 50, w);
            (c.all, c.wide, c.side)
        };
        assert_eq!(c((3, 8)), (8 + 12, 8, 0));
        assert_eq!(c((3, 9)), (8 + 12, 0, 0));
    }

    fn window(w: usize, h: usize, ink: &[(usize, usize)]) -> Excess {
        let mut mask = vec![false; w * h];
        for &(x, y) in ink {
            mask[y * w + x] = true;
        }
        Excess {
            rect: Rect::new(0, 0, w as i32, h as i32),
            unknown: vec![false; mask.len()],
            dropped: vec![false; mask.len()],
            mask,
        }
    }

    /// A 48 px window round a box printed on rows 14..16 and 32..34.
    fn box_print(_: i32, y: i32) -> bool {
        (14..17).contains(&y) || (32..35).contains(&y)
    }

    /// A 2 px streak in column 20 over `rows`, cut by the box's print.
    fn streak_over(rows: std::ops::Range<usize>) -> Vec<(usize, usize)> {
        rows.filter(|&y| !box_print(0, y as i32))
            .flat_map(|y| [(20, y), (21, y)])
            .collect()
    }

    /// The ink of `ink` in the 48 px window left after cleaning.
    fn kept(ink: &[(usize, usize)]) -> u32 {
        let mut e = window(48, 48, ink);
        e.clean(1.0, 1, box_print);
        e.count(&Rect::new(0, 0, 48, 48))
    }

    #[test]
    fn a_streak_cut_by_the_print_it_crosses_goes_and_a_pen_stroke_stays() {
        // A streak running the window's height, cut into three pieces by the print.
        let streak = streak_over(0..48);
        assert_eq!(kept(&streak), 0);
        // A pen stroke of the same width inside the box alone, and a streak's piece that
        // stops short of the window's bottom, stay.
        let stroke: Vec<(usize, usize)> = (18..31).flat_map(|y| [(20, y), (21, y)]).collect();
        assert_eq!(kept(&stroke), 26);
        let short: Vec<(usize, usize)> = streak.iter().copied().filter(|&(_, y)| y < 30).collect();
        assert_eq!(kept(&short), short.len() as u32);
    }

    #[test]
    fn a_streak_ending_past_the_box_goes_and_one_ending_in_it_stays() {
        // A streak that came down from the top and stopped a few rows below the box
        // (chiba, a second-chain copy: read as a light mark with no row). Through both
        // printed sides: a streak, whichever way it ran.
        let (down, up) = (streak_over(0..39), streak_over(9..48));
        assert_eq!((kept(&down), kept(&up)), (0, 0));
        // Across one side only, as a pen stroke from above into the box; and through both
        // sides but off both ends of the window by more than a streak's end.
        let into: Vec<(usize, usize)> = down.iter().copied().filter(|&(_, y)| y < 31).collect();
        let within = streak_over(7..41);
        for run in [&into, &within] {
            assert_eq!(kept(run), run.len() as u32);
        }
    }

    #[test]
    fn a_dashed_streak_goes() {
        // Dirt that skips: dashes of 4 rows every 9 (60 % of the rows inked, with the
        // print), through the window's height or down from its top past the box.
        let dashed = |rows: std::ops::Range<usize>| -> Vec<(usize, usize)> {
            streak_over(rows)
                .into_iter()
                .filter(|&(_, y)| y % 9 < 4)
                .collect()
        };
        let (whole, down) = (dashed(0..48), dashed(0..39));
        assert_eq!((kept(&whole), kept(&down)), (0, 0));
        // A pen stroke across one side stays, dashed or not.
        let into: Vec<(usize, usize)> = down.iter().copied().filter(|&(_, y)| y < 31).collect();
        assert_eq!(kept(&into), into.len() as u32);
    }
}

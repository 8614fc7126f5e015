//! Measuring one box: the features the decision reads (see [`BoxFeatures`]).

use super::excess::{Compact, Excess, Explained, PageView};
use super::hidden::{LabelLook, PrintFit, PrintNear, beside_label, over_label};
use super::params::*;
use crate::geometry::Rect;
use crate::register::{BoxModel, Registration};

/// What was measured around one box.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct BoxFeatures {
    /// Unexplained ink pixels inside the box.
    pub inner: u32,
    /// Rows inside the box, from its top side, wholly inked side to side ([`BAND_FULL`])
    /// above a straight edge and paper beyond it ([`edge_band`]): the box's top line
    /// repeated by a fax line error, which a grey rescan of the fax no longer shows as
    /// repeated rows. A line error repeats the row sent before, so on a page fed upside
    /// down and turned back the band hangs from the bottom side: both are looked at. 0
    /// when the ink is not so.
    pub edge_band: u32,
    /// The share of the box's printed outline found inked on the page, within a pixel of
    /// where the registration puts it: a fax that dropped or repeated rows through the box
    /// squashed or stretched it, and what is left of its sides lies inside as weak ink.
    pub outline: f32,
    /// Inside-box area sampled, pixels.
    pub inner_area: u32,
    /// The longer side of the box round the unexplained ink inside the box (pixels): a
    /// dot or a blot of speckle is small both ways, a pen stroke of as much ink runs on.
    pub inner_span: u32,
    /// The same for the one piece of that ink that spans farthest, measured only for weak
    /// ink (at least [`INNER_MARK`], less than [`WEAK_MARK`]; else equal to
    /// [`BoxFeatures::inner_span`]): fax blots hanging from a printed side lie apart like a
    /// stroke's ends, each no bigger than a dot.
    pub inner_piece_span: u32,
    /// The shorter side of the same box (pixels): a printed side that the registration
    /// missed by a few pixels lies inside as a straight band as thin as a line.
    pub inner_thin: u32,
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
    /// Of [`BoxFeatures::close_compact`], the ink in pieces at least [`BESIDE_TICK_WIDTH`]
    /// across both ways and [`BESIDE_TICK_LENGTH`] long: a tick made beside the box; a
    /// streak's dash or a fragment of a thin line passing by is narrower one way, a
    /// cluster of fax speckle shorter. Measured where `close_compact` is (else 0).
    pub close_tick: u32,
    /// Of [`BoxFeatures::close_tick`], the ink in bars along one of the box's sides (see
    /// [`SIDE_BAR_THICK`]): the side itself, moved by a line error.
    pub close_side: u32,
    /// The smaller of the shares of the label's width with unexplained ink above it and
    /// below it (a circle drawn around the label).
    pub circle: f32,
    /// The longest stretch of the label with ink both above and below it, in box sizes:
    /// a circle drawn round part of a long label still runs on for several box sizes,
    /// while leftovers of printed text that a bolder fax thickened are scattered.
    pub circle_run: f32,
    /// The share of the label's width with a line drawn under it (see
    /// [`UNDERLINE_THICK`]): an option underlined instead of ticked. A ring round the
    /// option below passes there too, but curves on down past [`UNDERLINE_DEPTH`].
    pub underline: f32,
    /// How far below the label's foot that line lies, in box sizes (its mean height; 0
    /// with no line): a ring round the option below passes just above that option's
    /// label, a line drawn under this one just under it.
    pub underline_below: f32,
    /// Separate ink runs crossing just beside the box: on its bare side (before the box
    /// when its label follows it, as is usual, or when it has none; after it when its
    /// label precedes it) and on its label's side.
    pub runs_bare: u32,
    pub runs_label: u32,
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
    /// How many of the box's four corners have ink just outside them, in the directions
    /// of its diagonals (each the diagonal and the direction either side): a cross drawn
    /// big over the box runs out at all four; a line struck through a mark runs out at
    /// the middles of two opposite sides or at two opposite corners.
    pub corners: u32,
    /// Speckle-sized ink dropped from the middle of the box (its central half): where a
    /// small deliberate dot is made.
    pub centre_specks: u32,
    /// Speckle-sized ink dropped from anywhere inside the box, and in how many pieces;
    /// the pieces are counted only when the ink amounts to a piece kept as ink
    /// ([`SPECKLE`]; else 0). A light stroke that the sender's fax broke up leaves a trail
    /// of such pieces, often along the sides where a tick starts.
    pub specks: u32,
    pub speck_pieces: u32,
    /// How far heavy ink runs on beside the box at mid-height, on its label's side and on
    /// its bare side (as [`BoxFeatures::runs_label`]): of the
    /// columns within [`STRIKE_REACH`] box sizes of that side, the share that a
    /// near-horizontal line (within [`STRIKE_SLANT_DEG`] of level) through the middle half
    /// of the box finds inked, for the best such line. Columns the grown print hides are
    /// not counted, unless the page, fitted to the print there, has ink thicker than a
    /// fax's fringe two pixels off it, between the strokes (a line struck on through the
    /// label's characters). A line struck through the option, or a scribble over it, leaves the
    /// box sideways; a tick or a cross leaves it at its corners if at all. Measured for
    /// every box with a mark's ink inside ([`INNER_MARK`]; else 0): a tick struck through
    /// with one line leaves less ink inside than a heavy mark.
    pub beyond_label: f32,
    pub beyond_bare: f32,
    /// As [`BoxFeatures::beyond_label`], over [`STRIKE_ALONG_REACH`] box sizes on the
    /// label's side: a line struck through the option runs on along the label's words,
    /// where a tick's or a cross's arm ends within a box or two of the box. Measured for
    /// every labelled box with a mark's ink inside that is not ringed round its label
    /// ([`CIRCLE_MARK`]: a ring passes the box at mid-height too) and has little ink round
    /// it (under [`HEAVY_CLOSE`] hugging it, in at most [`STRUCK_ALONG_AROUND`] of the
    /// directions); else 0.
    pub along_label: f32,
    /// Ink exactly two pixels off the print in the box-sized zone beside the box on its
    /// label's side, after fitting the page to the print there (see [`super::hidden`]):
    /// where the grown print hides a tick made over the label's first characters.
    /// Measured for every box with a label (else 0); [`super::classify_page`] reads it
    /// above the page's median.
    pub hidden_far: u32,
    /// Of the same zone, ink one or two pixels off the print whose four neighbours are
    /// all ink: a pen line is thicker than the fringe a fax adds to print.
    pub hidden_thick: u32,
    /// Pen ink over the first words of the label ([`super::hidden::over_label`]): a tick
    /// made on the option's words, away from its box. Measured for a box with a label
    /// and next to nothing inside ([`INNER_BLANK`]; else `None`); [`super::classify_page`]
    /// reads it above the page's median.
    pub label_ink: Option<u32>,
    /// Pen ink in the bare paper beside a box with no label (see `marks::cell`), the
    /// larger of its two sides, in the pieces a respondent draws there (tick-like pieces,
    /// a line out from the box's foot): a tick made in a grid's cell, away from its box.
    /// Measured for a box with such a zone and next to nothing inside ([`INNER_BLANK`];
    /// else `None`); [`super::classify_page`] reads it above the page's median.
    pub cell_ink: Option<u32>,
}

/// What the blank form has beside a box: its label, or, for a box with none, the bare
/// paper of its cell (see `marks::cell`).
#[derive(Clone, Copy, Default)]
pub struct Beside<'a> {
    pub label: Option<&'a Rect>,
    pub cells: &'a [Rect],
}

/// Measures box `i` (model `b`) of a registered page.
pub fn measure(
    img: &PageView,
    reg: &Registration,
    i: usize,
    b: &BoxModel,
    beside: Beside,
    explained: &Explained,
    print: &PrintNear,
) -> BoxFeatures {
    let Beside { label, cells } = beside;
    let r = b.rect;
    let s = r.w.max(r.h);
    let win = r.inflate(s * 7 / 10);
    let e = Excess::sample(img, reg, i, explained, win, true, SPECKLE);
    let inside = r.inflate(-1);
    let inner = e.count(&inside);
    let bounds = e.bounds(&inside);
    let inner_span = bounds.map_or(0, |b| b.w.max(b.h) as u32);
    let inner_thin = bounds.map_or(0, |b| b.w.min(b.h) as u32);
    let inner_piece_span = if (INNER_MARK..WEAK_MARK).contains(&inner) {
        e.longest_piece_span(&inside)
    } else {
        inner_span
    };
    let edge_band = if inner >= INNER_MARK {
        edge_band(&e.row_shares(&inside, explained))
    } else {
        0
    };
    let outline = outline_found(img, reg, i, &r);
    let core = e.count_clear_of(&inside, explained, CORE_CLEAR);
    let near = e.count(&win) - inner;
    let close = e.count(&r.inflate(s / 3)) - inner;
    let (y0, y1) = (r.y - s / 3, r.bottom() + s / 3);
    // A label printed before its box (「医科診療所 □」) puts the label's side on the left.
    let label_before = label.is_some_and(|l| l.x + l.w / 2 < r.x + r.w / 2);
    let (runs_left, runs_right) = (
        e.runs_in_column(r.x - 3, y0, y1),
        e.runs_in_column(r.right() + 2, y0, y1),
    );
    let look = label.map(|label| LabelLook {
        img,
        reg,
        i,
        r,
        label,
        explained,
        print,
    });
    let (circle, circle_run, below) = look
        .as_ref()
        .map(circle_coverage)
        .unwrap_or((0.0, 0.0, 0.0));
    // Only where the box may read blank (slivers of its own sides, weak ink, nothing): a
    // look under the label costs.
    let underline = match &look {
        Some(look) if inner < WEAK_MARK && circle < CIRCLE_MARK && below >= UNDERLINE_BELOW => {
            super::underline::underlined(look)
        }
        _ => Default::default(),
    };
    let unknown = e.count_unknown(&inside);
    let Around {
        share: around,
        enclosed,
        corners,
    } = around_share(&e, &r);
    // Only where it can decide (see `classify`): a fill, a heavy mark or a ring spills
    // round the box, and following a line far along the label costs.
    let along_label = if inner >= INNER_MARK
        && label.is_some()
        && circle < CIRCLE_MARK
        && close < HEAVY_CLOSE
        && around <= STRUCK_ALONG_AROUND
    {
        let long = (STRIKE_ALONG_REACH * s as f32).round() as i32;
        let (left, right) = if label_before { (long, 0) } else { (0, long) };
        let follow = Follow {
            left,
            right,
            one_in: ALONG_SEEN_ONE_IN,
        };
        let (right, left) = beside_at_mid_height(img, reg, i, explained, print, &r, follow);
        if label_before { left } else { right }
    } else {
        0.0
    };
    let centre_specks = e.count_in(&e.dropped, &r.inflate(-(s / 4)));
    let specks = e.count_in(&e.dropped, &inside);
    let speck_pieces = if inner <= INNER_BLANK && specks as usize >= SPECKLE {
        e.speck_pieces_in(&inside)
    } else {
        0
    };
    // Only where the box would go to a person for ink beside it: a wider look costs.
    let compact = if inner <= INNER_BLANK && close >= BESIDE_CLOSE {
        let wide = Excess::sample(img, reg, i, explained, r.inflate(s * 2), true, SPECKLE);
        wide.compact_in(
            &r.inflate(s / 3),
            &inside,
            &r,
            (PASSING_STROKE * s as f32) as i32,
            (BESIDE_TICK_WIDTH, BESIDE_TICK_LENGTH),
        )
    } else {
        Compact {
            all: close,
            ..Compact::default()
        }
    };
    let reach = (STRIKE_REACH * s as f32).round() as i32;
    let (beyond_right, beyond_left) = if inner >= INNER_MARK {
        beside_at_mid_height(
            img,
            reg,
            i,
            explained,
            print,
            &r,
            Follow {
                left: reach,
                right: reach,
                one_in: STRIKE_SEEN_ONE_IN,
            },
        )
    } else {
        (0.0, 0.0)
    };
    let ((runs_bare, runs_label), (beyond_bare, beyond_label)) = if label_before {
        ((runs_right, runs_left), (beyond_right, beyond_left))
    } else {
        ((runs_left, runs_right), (beyond_left, beyond_right))
    };
    // Every labelled box, not only empty ones: the page's usual amount is the baseline.
    let hidden = look.as_ref().map(beside_label);
    // Only where the box reads blank: a look over the label costs.
    let label_ink = look
        .as_ref()
        .filter(|_| inner <= INNER_BLANK)
        .map(over_label);
    let cell_ink = (inner <= INNER_BLANK && !cells.is_empty())
        .then(|| super::cell::ink(img, reg, i, explained, &r, cells));
    BoxFeatures {
        label_ink,
        cell_ink,
        hidden_far: hidden.as_ref().map_or(0, |h| h.far),
        hidden_thick: hidden.as_ref().map_or(0, |h| h.thick),
        inner,
        inner_area: inside.area() as u32,
        inner_span,
        inner_piece_span,
        inner_thin,
        edge_band,
        outline,
        core,
        near,
        close,
        close_compact: compact.all,
        close_tick: compact.wide,
        close_side: compact.side,
        circle,
        circle_run,
        underline: underline.share,
        underline_below: underline.below,
        runs_bare,
        runs_label,
        unknown,
        around,
        enclosed,
        corners,
        centre_specks,
        specks,
        speck_pieces,
        beyond_label,
        beyond_bare,
        along_label,
    }
}

/// See [`BoxFeatures::outline`].
fn outline_found(img: &PageView, reg: &Registration, i: usize, r: &Rect) -> f32 {
    let page = img.image;
    let (w, h) = (page.width() as i64, page.height() as i64);
    let inked = |x: i32, y: i32| {
        let (px, py) = reg.map(i, x as f64, y as f64);
        let (px, py) = (px.round() as i64, py.round() as i64);
        (py - 1..=py + 1).any(|yy| {
            (px - 1..=px + 1).any(|xx| {
                xx >= 0
                    && yy >= 0
                    && xx < w
                    && yy < h
                    && crate::raster::is_ink(page.get_pixel(xx as u32, yy as u32)[0])
            })
        })
    };
    let mut points = Vec::new();
    for x in r.x..r.right() {
        points.push((x, r.y));
        points.push((x, r.bottom() - 1));
    }
    for y in r.y + 1..r.bottom() - 1 {
        points.push((r.x, y));
        points.push((r.right() - 1, y));
    }
    let found = points.iter().filter(|&&(x, y)| inked(x, y)).count();
    found as f32 / points.len().max(1) as f32
}

/// See [`BoxFeatures::edge_band`]; `shares` is each inside row's inked share of what the
/// form leaves open, top down (`None` where a grown side covers the row).
fn edge_band(shares: &[Option<f32>]) -> u32 {
    let up: Vec<Option<f32>> = shares.iter().rev().copied().collect();
    band_from_start(shares).max(band_from_start(&up))
}

/// The band of [`edge_band`] hanging from the side at the start of `shares`.
fn band_from_start(shares: &[Option<f32>]) -> u32 {
    let rows: Vec<f32> = shares
        .iter()
        .skip_while(|v| v.is_none())
        .map(|v| v.unwrap_or(0.0))
        .collect();
    let band = rows.iter().take_while(|&&v| v >= BAND_FULL).count();
    let rest = &rows[band..];
    // The edge falls within a few rows (a fax row tilted by the fax's skew across the box)
    // and below it the box is paper, as a pen's fill seldom leaves it.
    let Some(edge) = rest.iter().position(|&v| v <= BAND_EDGE) else {
        return 0;
    };
    let below = &rest[edge..];
    let clear = below.iter().sum::<f32>() / below.len() as f32 <= BAND_BELOW
        && below.len() * 3 >= rows.len();
    if edge <= BAND_EDGE_ROWS && clear {
        band as u32
    } else {
        0
    }
}

/// Where ink lies just outside a box (see [`BoxFeatures::around`],
/// [`BoxFeatures::enclosed`] and [`BoxFeatures::corners`]).
struct Around {
    share: f32,
    enclosed: bool,
    corners: u32,
}

/// Each direction is followed from just outside the box's side to about two thirds of
/// the box's size beyond it.
fn around_share(e: &Excess, r: &Rect) -> Around {
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
    let side = |k: usize| towards(&hit, k * q);
    let enclosed = (side(0) && side(2)) || (side(1) && side(3));
    // The corners lie half way between the sides' middles.
    let corner = |k: usize| towards(&hit, k * q + q / 2);
    Around {
        share: hit.iter().filter(|&&h| h).count() as f32 / AROUND_DIRECTIONS as f32,
        enclosed,
        corners: (0..4).filter(|&k| corner(k)).count() as u32,
    }
}

/// Whether ink lies in direction `k` (of [`AROUND_DIRECTIONS`]) or the one either side.
fn towards(hit: &[bool], k: usize) -> bool {
    (0..3).any(|j| hit[(k + AROUND_DIRECTIONS + j - 1) % AROUND_DIRECTIONS])
}

/// How much of the label's width has unexplained ink above it and below it (the smaller
/// share), as a circle drawn around the label leaves, and the longest stretch of it (see
/// [`BoxFeatures::circle_run`]).
fn circle_coverage(look: &LabelLook) -> (f32, f32, f32) {
    let (l, s) = (look.label, look.s());
    // Wide enough for a loose, tilted oval around a long label; only the bands above and
    // below the label are sampled.
    let band = s * 3 / 2;
    let top = look.sample(
        Rect::new(l.x - band, l.y - band, l.w + 2 * band, band + 2),
        false,
        ARC_PIECE,
    );
    let bottom = look.sample(
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
    // Both bands start `band` columns left of the label.
    let (above_label, below_label) = (top.inked_columns(), bottom.inked_columns());
    for c in band as usize..(band + l.w) as usize {
        let (a, b) = (above_label[c], below_label[c]);
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
        below as f32 / l.w.max(1) as f32,
    )
}

/// How far [`beside_at_mid_height`] follows lines through a box: `left` and `right`
/// pixels beside it (a side given 0 reads 0), on lines of which the grown print leaves at
/// least one column in `one_in` in view.
#[derive(Debug, Clone, Copy)]
struct Follow {
    left: i32,
    right: i32,
    one_in: i32,
}

/// How far ink runs on beside the box at mid-height to its right and to its left, as far
/// as `follow` says: [`BoxFeatures::beyond_label`] and
/// [`BoxFeatures::beyond_bare`] over [`STRIKE_REACH`] box sizes either side,
/// [`BoxFeatures::along_label`] further on the label's.
fn beside_at_mid_height(
    img: &PageView,
    reg: &Registration,
    i: usize,
    explained: &Explained,
    print: &PrintNear,
    r: &Rect,
    Follow {
        left,
        right,
        one_in,
    }: Follow,
) -> (f32, f32) {
    let s = r.w.max(r.h);
    let (cx, _) = r.center();
    let (x_lo, x_hi) = (r.x - 2 - left, r.right() + 2 + right);
    let tan = (STRIKE_SLANT_DEG as f32).to_radians().tan();
    // Tall enough for the steepest line tried at its far end (a long reach drifts past
    // the half box above and below that is enough within a box size or two).
    let drift = (tan * (cx - x_lo as f32).max(x_hi as f32 - cx)).ceil() as i32 + 2;
    let top = (r.y - s / 2).min(r.y + s / 4 - drift);
    let bottom = (r.y - s / 2 + r.h + s).max(r.bottom() - s / 4 + drift);
    let win = Rect::new(x_lo - 1, top, x_hi - x_lo + 2, bottom - top);
    let e = Excess::sample(img, reg, i, explained, win, true, SPECKLE);
    // Each column's ink and print as bits, one per row from `y_lo`: the lines tried ask
    // three rows of a column at a time. Rows past the 128 kept (boxes over about 70 px)
    // read as paper the form leaves open.
    let dy = tan * (x_hi - x_lo) as f32;
    let y_lo = r.y + s / 4 - dy.ceil() as i32 - 2;
    let rows = (r.bottom() - s / 4 + dy.ceil() as i32 + 2 - y_lo + 1).clamp(0, 128);
    // Where the grown print hides a column (a line struck on through the label's
    // characters), the page fitted to the print there still shows the line two pixels off
    // it, between the strokes: ink as thick as a pen's, which a fax's fringe is not.
    let fit = PrintFit::new(img, reg, i, Rect::new(x_lo, y_lo, x_hi - x_lo, rows), print);
    // The lines are read beside the box only: its own columns are left empty.
    let unread = r.x - 2..r.right() + 2;
    let columns: Vec<[u128; 3]> = (x_lo..x_hi)
        .map(|x| {
            if unread.contains(&x) {
                return [0u128; 3];
            }
            // Only the rows a line tried can pass (with the row either side it reads), a
            // band that widens away from the box.
            let spread = tan * (x as f32 - cx).abs();
            let from = ((r.y + s / 4) as f32 - spread).floor() as i32 - 3 - y_lo;
            let to = ((r.bottom() - s / 4) as f32 + spread).ceil() as i32 + 4 - y_lo;
            (from.max(0)..to.min(rows)).fold([0u128; 3], |[ink, print, off_ink], k| {
                let y = y_lo + k;
                let hidden = explained.get(x, y);
                let far = hidden && fit.distance(x, y) == 2;
                [
                    ink | (e.at(x, y) as u128) << k,
                    print | (hidden as u128) << k,
                    off_ink | ((far && fit.thick(x, y)) as u128) << k,
                ]
            })
        })
        .collect();
    // Share of columns x0..x1 with ink within a pixel of the line; a line that the printed
    // form hides for all but one column in `one_in` of its length says nothing.
    let share = |y0: i32, slope: f32, x0: i32, x1: i32| {
        let (mut ink, mut seen) = (0, 0);
        for x in x0..x1 {
            let y = (y0 as f32 + slope * (x as f32 - cx)).round() as i32;
            let [ink_bits, print_bits, off_ink_bits] = columns[(x - x_lo) as usize];
            let three = |bits: u128| match y - 1 - y_lo {
                k @ 0..=125 => (bits >> k) as u32 & 7,
                _ => 0,
            };
            if three(print_bits) == 7 {
                // Only a pen line's thick ink between the strokes is taken: its absence
                // says little where print leaves two pixels of paper.
                if three(off_ink_bits) != 0 {
                    seen += 1;
                    ink += 1;
                }
                continue;
            }
            seen += 1;
            ink += (three(ink_bits) != 0) as i32;
        }
        if seen * one_in < x1 - x0 {
            0.0
        } else {
            ink as f32 / seen as f32
        }
    };
    let mut best = (0.0f32, 0.0f32);
    for deg in (-STRIKE_SLANT_DEG..=STRIKE_SLANT_DEG).step_by(2) {
        let slope = (deg as f32).to_radians().tan();
        for y0 in r.y + s / 4..=r.bottom() - s / 4 {
            if right > 0 {
                best.0 = best.0.max(share(y0, slope, r.right() + 2, x_hi));
            }
            if left > 0 {
                best.1 = best.1.max(share(y0, slope, x_lo, r.x - 2));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::GrayImage;

    fn fill(img: &mut GrayImage, r: Rect) {
        for y in r.y..r.bottom() {
            for x in r.x..r.right() {
                img.put_pixel(x as u32, y as u32, image::Luma([0]));
            }
        }
    }

    /// The sides of `r`, `t` pixels thick, inside it.
    fn outline(img: &mut GrayImage, r: Rect, t: i32) {
        for side in [
            Rect::new(r.x, r.y, r.w, t),
            Rect::new(r.x, r.bottom() - t, r.w, t),
            Rect::new(r.x, r.y, t, r.h),
            Rect::new(r.right() - t, r.y, t, r.h),
        ] {
            fill(img, side);
        }
    }

    /// A 200 x 100 px strip of paper with a 20 px box printed in the middle, and the box.
    fn boxed_strip() -> (GrayImage, Rect) {
        let b = Rect::new(90, 40, 20, 20);
        let mut reference = GrayImage::from_pixel(200, 100, image::Luma([255]));
        outline(&mut reference, b, 1);
        (reference, b)
    }

    #[test]
    fn a_box_squashed_by_dropped_rows_shows_less_of_its_outline() {
        let (page, b) = boxed_strip();
        let reg = Registration::identity();
        let view = PageView::clean(&page);
        assert_eq!(outline_found(&view, &reg, 0, &b), 1.0);
        // Six rows through the box dropped by a line error: its bottom side rises inside
        // and the rows where it was are paper.
        let mut squashed = GrayImage::from_pixel(200, 100, image::Luma([255]));
        for y in 0..94u32 {
            let from = if y < 50 { y } else { y + 6 };
            for x in 0..200 {
                squashed.put_pixel(x, y, *page.get_pixel(x, from));
            }
        }
        let view = PageView::clean(&squashed);
        let share = outline_found(&view, &reg, 0, &b);
        assert!(share < 0.8, "{share}");
    }

    /// A 20 px box in the middle of a 200 px wide strip and a label of 口-like glyphs
    /// after it; `mirrored`: the same page flipped left to right, the label before the
    /// box (the box's place is the same either way).
    fn page(mirrored: bool, marked: bool) -> (GrayImage, GrayImage, Rect, Rect) {
        let w = 200u32;
        let (mut reference, b) = boxed_strip();
        for gx in [116, 140] {
            outline(&mut reference, Rect::new(gx, 40, 18, 20), 2);
        }
        let mut page = reference.clone();
        if marked {
            // The box filled in, and a line struck through it from the bare paper before it
            // on over the label.
            fill(&mut page, Rect::new(94, 44, 12, 12));
            fill(&mut page, Rect::new(78, 49, 90, 2));
        }
        let mut label = Rect::new(114, 38, 48, 24);
        if mirrored {
            image::imageops::flip_horizontal_in_place(&mut reference);
            image::imageops::flip_horizontal_in_place(&mut page);
            label = Rect::new(w as i32 - label.right(), label.y, label.w, label.h);
        }
        (reference, page, b, label)
    }

    /// Box `b` with its label measured on `page` against the blank `reference`.
    fn measured(reference: &GrayImage, page: &GrayImage, b: Rect, label: Rect) -> BoxFeatures {
        let view = PageView::clean(page);
        let reg = Registration::identity();
        let model = BoxModel::new(reference, 0, 1, b);
        let explained = Explained::new(reference, EXPLAIN_GROW);
        let print = PrintNear::new(reference);
        measure(
            &view,
            &reg,
            0,
            &model,
            Beside {
                label: Some(&label),
                cells: &[],
            },
            &explained,
            &print,
        )
    }

    fn features(mirrored: bool, marked: bool) -> BoxFeatures {
        let (reference, page, b, label) = page(mirrored, marked);
        measured(&reference, &page, b, label)
    }

    /// The box and label of [`page`], blank, with a 3 px pen line from x 112 to 160 at
    /// row `y` (the label's characters end on row 59, its rectangle on row 61).
    fn lined_at(y: i32) -> BoxFeatures {
        let (reference, mut page, b, label) = page(false, false);
        fill(&mut page, Rect::new(112, y, 48, 3));
        measured(&reference, &page, b, label)
    }

    #[test]
    fn a_line_under_the_label_is_asked_about_and_one_a_row_lower_is_not() {
        let under = lined_at(63);
        assert!(under.underline >= UNDERLINE_ASK, "{under:?}");
        let read = super::super::classify(under);
        assert!(!read.marked && read.doubt.is_some(), "{read:?}");
        // A row further down (a line struck through the option below) is not this one's.
        for y in [80, 84] {
            let lower = lined_at(y);
            assert!(lower.underline < UNDERLINE_ASK, "row {y}: {lower:?}");
            assert_eq!(super::super::classify(lower).doubt, None, "row {y}");
        }
        assert_eq!(features(false, false).underline, 0.0);
    }

    #[test]
    fn a_line_under_the_label_crossed_by_a_streak_or_joined_by_a_stroke_is_asked_about() {
        use imageproc::drawing::draw_line_segment_mut;
        // A scanner's streak down the whole strip through the line, and a neighbour's
        // stroke from below joining its start: the line is one piece with ink that runs
        // out of the band under the label.
        fn streak(page: &mut GrayImage) {
            fill(page, Rect::new(140, 0, 2, 100));
        }
        fn stroke(page: &mut GrayImage) {
            for d in 0..3 {
                let d = d as f32;
                let (from, to) = ((119.0 + d, 64.0), (104.0 + d, 95.0));
                draw_line_segment_mut(page, from, to, image::Luma([0]));
            }
        }
        type Draw = fn(&mut GrayImage);
        for (what, add) in [("streak", streak as Draw), ("stroke", stroke as Draw)] {
            let (reference, mut lined, b, label) = page(false, false);
            fill(&mut lined, Rect::new(118, 63, 44, 3));
            add(&mut lined);
            let under = measured(&reference, &lined, b, label);
            assert!(under.underline >= UNDERLINE_ASK, "{what}: {under:?}");
            // The streak or the stroke alone is no underline.
            let (reference, mut bare, b, label) = page(false, false);
            add(&mut bare);
            let alone = measured(&reference, &bare, b, label);
            assert!(alone.underline < UNDERLINE_ASK, "{what} alone: {alone:?}");
        }
    }

    #[test]
    fn a_felt_pen_line_under_the_label_is_asked_about() {
        // A sign pen's line, 1 mm across, that a fax thickens to 8-9 px: thicker than a
        // ballpoint's, thinner than a written word's strokes piled up.
        for thick in [8, 9] {
            let (reference, mut page, b, label) = page(false, false);
            fill(&mut page, Rect::new(118, 63, 44, thick));
            let under = measured(&reference, &page, b, label);
            assert!(under.underline >= UNDERLINE_ASK, "{thick} px: {under:?}");
            let read = super::super::classify(under);
            assert_eq!(
                read.doubt,
                Some(super::super::Doubt::Underlined),
                "{thick} px"
            );
        }
    }

    #[test]
    fn ink_beside_a_box_is_measured_from_its_labels_side() {
        // A strike-through runs a little way out over the bare paper and on over the
        // label: read the same whether the label follows the box or precedes it
        // (「医科診療所 □」), where the bare paper is on the right.
        let after = features(false, true);
        let before = features(true, true);
        assert!(after.beyond_bare > 0.0, "{after:?}");
        assert!(after.beyond_label > after.beyond_bare + 0.2, "{after:?}");
        assert!(
            (after.beyond_label - before.beyond_label).abs() <= 0.1
                && (after.beyond_bare - before.beyond_bare).abs() <= 0.1,
            "label after: {after:?}\nlabel before: {before:?}"
        );
        assert_eq!(
            (after.runs_bare, after.runs_label),
            (before.runs_bare, before.runs_label)
        );
        // Blank, the printed label leaves nothing beside the box on either side.
        for mirrored in [false, true] {
            let blank = features(mirrored, false);
            assert_eq!((blank.inner, blank.runs_bare, blank.runs_label), (0, 0, 0));
        }
    }

    /// A 3 px pen line from `a` to `b` on `img`.
    fn line(img: &mut GrayImage, a: (f32, f32), b: (f32, f32)) {
        let n = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil() as i32;
        for k in 0..=n {
            let t = k as f32 / n as f32;
            let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            fill(img, Rect::new(x as i32 - 1, y as i32 - 1, 3, 3));
        }
    }

    #[test]
    fn a_big_cross_runs_out_at_four_corners_and_a_struck_line_through_two_sides() {
        let (reference, b) = boxed_strip();
        let label = Rect::new(114, 40, 50, 20);
        // A cross drawn over the box and 8 px past each corner.
        let mut cross = reference.clone();
        line(&mut cross, (82.0, 32.0), (118.0, 68.0));
        line(&mut cross, (118.0, 32.0), (82.0, 68.0));
        let f = measured(&reference, &cross, b, label);
        assert_eq!((f.corners, f.enclosed), (4, false), "{f:?}");
        // A tick in the box struck through by a line from the paper before it on past it.
        let mut struck = reference.clone();
        line(&mut struck, (94.0, 48.0), (99.0, 55.0));
        line(&mut struck, (99.0, 55.0), (107.0, 43.0));
        line(&mut struck, (78.0, 52.0), (125.0, 48.0));
        let f = measured(&reference, &struck, b, label);
        assert!(f.enclosed && f.corners < 4, "{f:?}");
    }

    #[test]
    fn a_line_struck_on_along_the_labels_words_runs_further_than_a_ticks_arm() {
        // A label of characters 10 px apart (two upright strokes each, 2 px wide and 4 px
        // apart) over four box sizes after the box.
        let (mut reference, b) = boxed_strip();
        for k in 0..8 {
            fill(&mut reference, Rect::new(116 + 10 * k, 40, 2, 20));
            fill(&mut reference, Rect::new(120 + 10 * k, 40, 2, 20));
        }
        let label = Rect::new(114, 38, 78, 24);
        let ticked = |page: &mut GrayImage| {
            line(page, (94.0, 48.0), (99.0, 55.0));
            line(page, (99.0, 55.0), (107.0, 43.0));
        };
        // Struck from the box's side on along the words, rising a little.
        let mut struck = reference.clone();
        ticked(&mut struck);
        line(&mut struck, (92.0, 51.0), (196.0, 48.0));
        let f = measured(&reference, &struck, b, label);
        assert!(f.along_label >= STRIKE_ALONG, "{f:?}");
        assert_eq!(
            crate::marks::classify(f).doubt,
            Some(super::super::Doubt::Correction)
        );
        // A tick whose long arm runs out over the label, and a cross overrunning the box:
        // their arms leave it at a slant and end within a box size.
        let mut tick = reference.clone();
        line(&mut tick, (94.0, 48.0), (99.0, 55.0));
        line(&mut tick, (99.0, 55.0), (128.0, 28.0));
        let mut cross = reference.clone();
        line(&mut cross, (82.0, 32.0), (118.0, 68.0));
        line(&mut cross, (118.0, 32.0), (82.0, 68.0));
        for page in [tick, cross] {
            let f = measured(&reference, &page, b, label);
            assert!(
                f.inner >= INNER_MARK && f.along_label < STRIKE_ALONG / 2.0,
                "{f:?}"
            );
        }
    }

    /// A 20 px box and a label of dense upright strokes (2 px wide, 7 px apart): grown by
    /// [`EXPLAIN_GROW`], the print hides six columns in seven beside the box, and cuts a
    /// line through it into pieces of speckle size.
    /// The page: the reference thickened by `bold` pixels all round, a small mark inside
    /// the box, and with `struck` a line 3 px thick from the bare paper before the box on
    /// through the label.
    fn dense_label(bold: u32, struck: bool) -> BoxFeatures {
        let (w, h) = (200u32, 100u32);
        let (mut reference, b) = boxed_strip();
        for k in 0..7 {
            fill(&mut reference, Rect::new(116 + 7 * k, 38, 2, 24));
        }
        let mut page = reference.clone();
        for _ in 0..bold {
            let before = page.clone();
            for (x, y, p) in before.enumerate_pixels() {
                if p[0] == 0 && x > 0 && y > 0 && x + 1 < w && y + 1 < h {
                    for (dx, dy) in [(0i32, 1i32), (1, 0), (0, -1), (-1, 0)] {
                        let (nx, ny) = ((x as i32 + dx) as u32, (y as i32 + dy) as u32);
                        page.put_pixel(nx, ny, image::Luma([0]));
                    }
                }
            }
        }
        fill(&mut page, Rect::new(94, 44, 10, 6));
        if struck {
            fill(&mut page, Rect::new(70, 49, 95, 3));
        }
        measured(&reference, &page, b, Rect::new(114, 38, 50, 24))
    }

    #[test]
    fn a_line_struck_on_through_dense_print_is_seen_between_its_strokes() {
        // Two pixels off the strokes the line is still thick ink: seen on over the label,
        // where the grown print alone hides it.
        let struck = dense_label(0, true);
        assert!(struck.inner >= INNER_MARK, "{struck:?}");
        assert!(
            struck.beyond_label > STRIKE_LABEL && struck.beyond_bare >= STRIKE_BARE_FAR,
            "{struck:?}"
        );
        // The same mark on a page whose print a fax thickened, with no line: the fringes
        // of the strokes are not a line.
        for bold in [0, 1, 2] {
            let plain = dense_label(bold, false);
            assert!(plain.beyond_label < STRIKE_LABEL, "bold {bold}: {plain:?}");
            assert_eq!(crate::marks::classify(plain).doubt, None, "bold {bold}");
        }
    }

    /// A box `side` pixels across (outer) in a blank strip with a label of 口-like glyphs
    /// after it, ticked and scribbled over back and forth by `faxform synth`'s pen
    /// (seeded), measured and read.
    fn scribbled_over(side: i32, seed: u64) -> super::super::BoxReading {
        use rand::SeedableRng;
        let (w, h) = (300u32, 140u32);
        let b = Rect::new(100, 50, side, side);
        let mut reference = GrayImage::from_pixel(w, h, image::Luma([255]));
        outline(&mut reference, b, 1);
        let lx = b.right() + 6;
        for k in 0..3 {
            outline(
                &mut reference,
                Rect::new(lx + k * (side + 4), b.y, side, side),
                2,
            );
        }
        let label = Rect::new(lx - 2, b.y - 2, 3 * (side + 4), side + 4);
        let mut page = reference.clone();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        // No label given to the pen: scribbled over, never struck through along it.
        crate::synth::marks::draw(
            &mut page,
            crate::synth::marks::MarkStyle::Corrected,
            &b,
            None,
            &mut rng,
        );
        super::super::classify(measured(&reference, &page, b, label))
    }

    #[test]
    fn a_scribble_over_a_bigger_box_is_a_correction_as_over_the_shipped_forms() {
        // The shipped forms' boxes (21-22 px outside) and a drafted form's 3.5 mm ones
        // (29-30 px): a scribble's ink round a bigger box grows with it, and is no more
        // read as a chosen mark with no one asked.
        for side in [22, 29, 32] {
            let unasked: Vec<u64> = (0..40)
                .filter(|&seed| {
                    let read = scribbled_over(side, seed);
                    read.marked && read.doubt.is_none()
                })
                .collect();
            assert!(unasked.is_empty(), "{side} px, seeds {unasked:?}");
        }
    }

    #[test]
    fn a_line_errors_band_from_either_side_is_told_from_a_pens_fill() {
        let rows = |v: &[f32]| -> Vec<Option<f32>> {
            [None, None]
                .into_iter()
                .chain(v.iter().map(|&x| Some(x)))
                .collect()
        };
        // The box's top line repeated six rows down, a straight edge, paper below.
        let band = rows(&[
            1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.28, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ]);
        assert_eq!(edge_band(&band), 6);
        // The same band on a page fed upside down, turned back: from the bottom side.
        let turned: Vec<Option<f32>> = band.iter().rev().copied().collect();
        assert_eq!(edge_band(&turned), 6);
        // A fill to the bottom, a fill whose edge is ragged, a fill with marks below it.
        for fill in [
            rows(&[1.0; 13]),
            rows(&[
                1.0, 1.0, 1.0, 0.9, 0.7, 0.6, 0.5, 0.4, 0.35, 0.2, 0.0, 0.0, 0.0,
            ]),
            rows(&[
                1.0, 1.0, 1.0, 1.0, 0.1, 0.4, 0.5, 0.4, 0.3, 0.4, 0.2, 0.3, 0.0,
            ]),
        ] {
            assert_eq!(edge_band(&fill), 0, "{fill:?}");
        }
    }
}

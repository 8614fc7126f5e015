//! A line drawn under an option's label instead of a mark in its box: a person reads the
//! option as chosen, and a reader that looks only in and round the box reads it blank.
//! Not seen on the independent corpora; `faxform synth` draws it (`underline_label`), and
//! the box is asked about ([`super::params::UNDERLINE_ASK`]).

use super::hidden::LabelLook;
use super::params::*;
use crate::geometry::Rect;

/// [`super::BoxFeatures::underline`]: the share of the label's width spanned by a line drawn
/// under it. The line is followed from piece to piece of unexplained ink in a band from
/// half a box size up into the label to [`UNDERLINE_DEPTH`] box sizes under it: pieces as
/// thin per column as a pen's line ([`UNDERLINE_THICK`]) that stay inside the band (a
/// ring round the option below curves on down out of it), each next one starting near
/// the height where the last one ended, across columns where the line would pass under
/// the label's grown print (which hides a line touching the characters' feet) or its bits
/// left between the characters (too small to keep as a piece), or over at most
/// [`UNDERLINE_SKIP`] of paper. A long piece that fails is looked at column by column:
/// a streak crossing the line, or a neighbour's stroke joining it, leaves the line's
/// columns between theirs (see [`line_of`]). On the 33 sets, that read two underlined
/// labels left blank unasked (a streak through one, a stroke from the row below joining
/// the other) for two more rows (a line struck through the option below, along the
/// label's foot).
pub(super) fn underlined(look: &LabelLook) -> Underline {
    let (l, s) = (look.label, look.s());
    let top = l.bottom() - s / 2;
    let band = Rect::new(
        l.x - s,
        top,
        l.w + 2 * s,
        s / 2 + (UNDERLINE_DEPTH * s as f32) as i32 + 2,
    );
    let e = look.sample(band, true, SPECKLE);
    let mut lines: Vec<(i32, i32, f32, f32)> = Vec::new();
    for p in e.pieces_at() {
        let (x0, _, x1, _) = p.bounds;
        // Each column's rows of the piece: first, last, how many, their sum.
        let mut cols: Vec<Column> = vec![(i32::MAX, i32::MIN, 0, 0); (x1 - x0 + 1) as usize];
        for &(x, y) in &p.points {
            let c = &mut cols[(x - x0) as usize];
            *c = (c.0.min(y), c.1.max(y), c.2 + 1, c.3 + y);
        }
        if let Some(line) = line_of(x0, &cols, l, s, &band) {
            lines.push(line);
            continue;
        }
        // A line crossed by a streak, or joined at one end by a stroke from a neighbour's
        // mark, is one piece that runs out of the band: what is left of it between the
        // columns where ink reaches the band's edge or piles up thicker than a line
        // (a ring round the option below leaves its top arc so, and is told apart
        // afterwards, see `decide::underlines_explained_by_rings_below`). Only for pieces
        // a box size long or more: a character's remnants are shorter.
        if x1 - x0 + 1 < s {
            continue;
        }
        let crossing = |c: &Column| {
            c.2 > 0
                && (c.1 - c.0 + 1 > UNDERLINE_THICK || c.0 <= band.y || c.1 >= band.bottom() - 1)
        };
        let mut from = 0;
        while from < cols.len() {
            if cols[from].2 == 0 || crossing(&cols[from]) {
                from += 1;
                continue;
            }
            let mut to = from;
            while to + 1 < cols.len() && cols[to + 1].2 > 0 && !crossing(&cols[to + 1]) {
                to += 1;
            }
            if let Some(line) = line_of(x0 + from as i32, &cols[from..=to], l, s, &band) {
                lines.push(line);
            }
            from = to + 1;
        }
    }
    lines.sort_by_key(|l| l.0);
    // Whether the line may run on from column `c1` at height `y` to a piece starting at
    // column `x0` at height `y0`: not far off its height, and hidden or inked (bits too
    // small to keep) between, but for a pen's skip of paper.
    let bridged = |c1: i32, y: f32, x0: i32, y0: f32| {
        let row = |x: i32| (y + (y0 - y) * (x - c1) as f32 / (x0 - c1) as f32).round() as i32;
        let paper = (c1 + 1..x0)
            .filter(|&x| {
                !(row(x) - 1..=row(x) + 1)
                    .any(|yy| look.explained.get(x, yy) || e.dropped_at(x, yy))
            })
            .count() as i32;
        (y - y0).abs() <= (s / 4) as f32 && paper <= UNDERLINE_SKIP
    };
    // The longest chain of pieces, as the label's columns it spans.
    let span = |a: i32, b: i32| (b.min(l.right() - 1) - a.max(l.x) + 1).max(0);
    let (mut best, mut best_y) = (0, 0.0);
    // The chain so far: its first and last columns, its height at the first and at the
    // last.
    let mut chain: Option<(i32, i32, f32, f32)> = None;
    for &(x0, x1, y_start, y_end) in &lines {
        let next = match chain {
            // Overlapping the chain: it runs on if this piece reaches further.
            Some((c0, c1, y_first, y)) if x0 <= c1 + 1 => {
                (c0, c1.max(x1), y_first, if x1 > c1 { y_end } else { y })
            }
            Some((c0, c1, y_first, y)) if bridged(c1, y, x0, y_start) => (c0, x1, y_first, y_end),
            _ => (x0, x1, y_start, y_end),
        };
        let reach = span(next.0, next.1);
        if reach > best {
            (best, best_y) = (reach, (next.2 + next.3) / 2.0);
        }
        chain = Some(next);
    }
    Underline {
        share: best as f32 / l.w.max(1) as f32,
        below: (best_y - l.bottom() as f32) / s.max(1) as f32,
    }
}

/// A line under a label: the share of the label's width it spans, and how far below the
/// label's foot it lies (its mean height, in box sizes; 0 with no line).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Underline {
    pub(super) share: f32,
    pub(super) below: f32,
}

/// A column of a piece of ink: its first and last rows, how many pixels, their rows' sum.
type Column = (i32, i32, i32, i32);

/// A piece of ink (its columns from `x0`, see [`Column`]) that may be part
/// of a line under label `l` in `band`: as thin per column as a pen's line
/// ([`UNDERLINE_THICK`]), below the characters' middles (remnants of their print lie
/// higher) and not running on out of the band, longer than tall. Its first and last
/// columns and its height at each (the mean row there).
fn line_of(
    x0: i32,
    cols: &[Column],
    l: &Rect,
    s: i32,
    band: &Rect,
) -> Option<(i32, i32, f32, f32)> {
    let inked: Vec<(i32, &Column)> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.2 > 0)
        .map(|(k, c)| (x0 + k as i32, c))
        .collect();
    let (&(first, at_first), &(last, at_last)) = (inked.first()?, inked.last()?);
    let long = last - first + 1;
    let n: i32 = inked.iter().map(|(_, c)| c.2).sum();
    let (y0, y1) = inked.iter().fold((i32::MAX, i32::MIN), |(a, b), (_, c)| {
        (a.min(c.0), b.max(c.1))
    });
    let thin = n as f32 <= UNDERLINE_THICK as f32 * long as f32;
    let mean = inked.iter().map(|(_, c)| c.3 as f32).sum::<f32>() / n.max(1) as f32;
    let mid = |c: &Column| c.3 as f32 / c.2.max(1) as f32;
    let inside = mean >= (l.bottom() - s / 6) as f32 && y0 > band.y && y1 < band.bottom() - 1;
    (thin && inside && long >= 3 && long >= (y1 - y0 + 1) / 2)
        .then(|| (first, last, mid(at_first), mid(at_last)))
}

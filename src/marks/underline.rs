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
/// [`UNDERLINE_SKIP`] of paper.
pub(super) fn underlined(look: &LabelLook) -> f32 {
    let (l, s) = (look.label, look.s());
    let top = l.bottom() - s / 2;
    let band = Rect::new(
        l.x - s,
        top,
        l.w + 2 * s,
        s / 2 + (UNDERLINE_DEPTH * s as f32) as i32 + 2,
    );
    let e = look.sample(band, true, SPECKLE);
    let mut lines: Vec<(i32, i32, f32, f32)> = e
        .pieces_at()
        .into_iter()
        .filter_map(|p| {
            let (x0, y0, x1, y1) = p.bounds;
            let long = x1 - x0 + 1;
            let thin = p.points.len() as f32 <= UNDERLINE_THICK as f32 * long as f32;
            // Below the characters' middles (remnants of their print lie higher) and
            // not running on out of the band.
            let mean = p.points.iter().map(|q| q.1).sum::<i32>() as f32 / p.points.len() as f32;
            let inside =
                mean >= (l.bottom() - s / 6) as f32 && y0 > band.y && y1 < band.bottom() - 1;
            // Its height at its two ends: the mean row of its first and last columns.
            let at = |x: i32| {
                let ys: Vec<i32> = p.points.iter().filter(|q| q.0 == x).map(|q| q.1).collect();
                ys.iter().sum::<i32>() as f32 / ys.len().max(1) as f32
            };
            (thin && inside && long >= 3 && long >= (y1 - y0 + 1) / 2)
                .then(|| (x0, x1, at(x0), at(x1)))
        })
        .collect();
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
    let mut best = 0;
    // The chain so far: its first and last columns and its height at the last.
    let mut chain: Option<(i32, i32, f32)> = None;
    for &(x0, x1, y_start, y_end) in &lines {
        let next = match chain {
            // Overlapping the chain: it runs on if this piece reaches further.
            Some((c0, c1, y)) if x0 <= c1 + 1 => (c0, c1.max(x1), if x1 > c1 { y_end } else { y }),
            Some((c0, c1, y)) if bridged(c1, y, x0, y_start) => (c0, x1, y_end),
            _ => (x0, x1, y_end),
        };
        best = best.max(span(next.0, next.1));
        chain = Some(next);
    }
    best as f32 / l.w.max(1) as f32
}

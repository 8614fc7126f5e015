//! The ways respondents mark an option, drawn on the clean page in template coordinates.

use super::pen;
use crate::geometry::Rect;
use crate::raster::GrayImage;
use rand::Rng;
use serde::Serialize;

/// How a mark looks. Written to truth-marks.jsonl so that accuracy can be broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkStyle {
    Tick,
    Cross,
    Slash,
    Blob,
    /// A circle drawn around the option's label instead of marking the box.
    CircleLabel,
    /// A line drawn under the option's label instead of marking the box (a person reads
    /// the option as chosen; not seen on the independent corpora, but an answer a reader
    /// must not pass over as blank). Not in [`pick_style`]'s table: a share of
    /// [`MarkStyle::CircleLabel`] picks ([`UNDERLINED`]).
    UnderlineLabel,
    /// A tick or cross much larger than the box, overrunning it.
    Overrun,
    /// Drawn with little pressure: light grey that the fax threshold may break up.
    Faint,
    /// A light tick that the sender's fax has already broken up: a trail of short dark
    /// dashes, each about the size of the speckle a reader drops, which a person still
    /// sees as a dotted stroke (seen on the independent corpora, read blank with no review
    /// row).
    Broken,
    /// A small dot or dash inside the box.
    Tiny,
    /// A mark struck through to take it back: the respondent did not choose this option.
    Corrected,
    /// A ring drawn round the box, its inside left clean.
    CircleBox,
    /// A tick made just beside the box instead of in it (seen on returned forms: the
    /// respondent meant the option, and a person reading the fax sees it).
    Beside,
    /// A tick made on the label's characters, away from the box: the respondent ticked
    /// the words, and a person reads the option as chosen. Not in [`pick_style`]'s table:
    /// a share of [`MarkStyle::Beside`] picks ([`ON_LABEL`]).
    LabelTick,
}

impl MarkStyle {
    /// The respondent's intent: every style but a correction means "chosen".
    pub fn chosen(self) -> bool {
        self != MarkStyle::Corrected
    }
}

/// Of the labels a respondent would circle, the share underlined instead (1.3 % of
/// marks); see `synth::fill`.
pub const UNDERLINED: f64 = 0.2;

/// Of the ticks a respondent would make beside a box, the share made on the label's
/// characters instead (1 % of marks); see `synth::fill`.
pub const ON_LABEL: f64 = 0.33;

/// Draws a style with the relative frequencies seen on returned forms: most marks are
/// ticks, the odd ones are rare.
pub fn pick_style(rng: &mut impl Rng) -> MarkStyle {
    let table = [
        (MarkStyle::Tick, 52.0),
        (MarkStyle::Cross, 10.0),
        (MarkStyle::Slash, 6.0),
        (MarkStyle::Blob, 8.0),
        (MarkStyle::CircleLabel, 7.0),
        (MarkStyle::Overrun, 9.0),
        (MarkStyle::Faint, 3.0),
        (MarkStyle::Broken, 1.0),
        (MarkStyle::Tiny, 4.0),
        (MarkStyle::Beside, 3.0),
        (MarkStyle::CircleBox, 3.0),
    ];
    let total: f64 = table.iter().map(|t| t.1).sum();
    let mut x = rng.random::<f64>() * total;
    for (s, w) in table {
        if x < w {
            return s;
        }
        x -= w;
    }
    MarkStyle::Tick
}

/// Draws `style` for the option with checkbox `b` and label region `label`.
pub fn draw(
    img: &mut GrayImage,
    style: MarkStyle,
    b: &Rect,
    label: Option<&Rect>,
    rng: &mut impl Rng,
) {
    let s = b.w.max(b.h) as f32;
    let (cx, cy) = b.center();
    let width = rng.random_range(2.2..4.0) * s / 21.0;
    let ink = rng.random_range(0..50);
    let j = |rng: &mut dyn rand::RngCore, v: f32| {
        v + (rng.next_u32() as f32 / u32::MAX as f32 - 0.5) * 0.2 * s
    };
    match style {
        MarkStyle::Tick => tick(img, cx, cy, s * rng.random_range(0.9..1.3), width, ink, rng),
        MarkStyle::Cross => cross(
            img,
            cx,
            cy,
            s * rng.random_range(0.8..1.15),
            width,
            ink,
            rng,
        ),
        MarkStyle::Slash => {
            let h = s * rng.random_range(0.5..0.75);
            let p = [
                (j(rng, cx - h * 0.6), j(rng, cy + h)),
                (j(rng, cx + h * 0.6), j(rng, cy - h)),
            ];
            pen::stroke(img, &p, width, ink, rng);
        }
        MarkStyle::Blob => pen::blob(
            img,
            j(rng, cx),
            j(rng, cy),
            s * rng.random_range(0.45..0.7),
            ink,
            rng,
        ),
        MarkStyle::CircleLabel => {
            let l = label
                .copied()
                .unwrap_or(Rect::new(b.right() + 4, b.y, b.w * 4, b.h));
            // Around the label, sometimes taking in the box too; loose circles pass by the
            // neighbouring boxes above and below.
            let r = if rng.random_bool(0.3) { l.union(b) } else { l };
            let (lx, ly) = r.center();
            let loose = rng.random_range(0.0..0.45);
            pen::ellipse(
                img,
                (lx, ly),
                (
                    r.w as f32 / 2.0 + s * (0.35 + loose),
                    r.h as f32 / 2.0 + s * (0.45 + loose),
                ),
                width * 0.8,
                ink,
                rng,
            );
        }
        MarkStyle::UnderlineLabel => {
            let l = label
                .copied()
                .unwrap_or(Rect::new(b.right() + 4, b.y, b.w * 4, b.h));
            // Just under the label's characters, along most of it, sometimes from under
            // the box; a hand's line drifts a little.
            let from = if rng.random_bool(0.25) {
                b.x.min(l.x) as f32
            } else {
                l.x as f32 + rng.random_range(0.0..0.15) * l.w as f32
            };
            let to = l.right() as f32 - rng.random_range(0.0..0.2) * l.w as f32;
            let y = l.bottom() as f32 + rng.random_range(0.1..0.35) * s;
            let drift = rng.random_range(-0.15..0.15) * s;
            // In short strokes, each bowing a little: a long line drawn with one bow
            // would sag by a character's height.
            let n = ((to - from) / (3.0 * s)).ceil().max(1.0) as usize;
            let pts: Vec<(f32, f32)> = (0..=n)
                .map(|k| {
                    let t = k as f32 / n as f32;
                    let wobble = rng.random_range(-0.06..0.06) * s;
                    (from + t * (to - from), y + t * drift + wobble)
                })
                .collect();
            pen::stroke(img, &pts, width * 0.9, ink, rng);
        }
        MarkStyle::Overrun => {
            let big = s * rng.random_range(1.8..2.6);
            let (ox, oy) = (
                cx + rng.random_range(-0.3..0.5) * s,
                cy - rng.random_range(0.0..0.5) * s,
            );
            if rng.random_bool(0.7) {
                tick(img, ox, oy, big, width * 1.1, ink, rng)
            } else {
                cross(img, ox, oy, big, width * 1.1, ink, rng)
            }
        }
        MarkStyle::Faint => {
            // Light, but darker than the lightest fax threshold: weak yet present.
            let light = rng.random_range(55..95);
            tick(img, cx, cy, s * 1.1, width * 0.75, light, rng)
        }
        MarkStyle::Broken => {
            let gap = rng.random_range(4.0..6.0) * s / 21.0;
            let r = rng.random_range(0.7..0.9) * s / 21.0;
            broken_tick(img, cx, cy, s * 1.1, (gap, r), ink, rng)
        }
        MarkStyle::Tiny => {
            let t = s * rng.random_range(0.18..0.3);
            let p = [
                (j(rng, cx - t), j(rng, cy)),
                (j(rng, cx + t), j(rng, cy + t * 0.3)),
            ];
            pen::stroke(img, &p, width * 1.2, ink, rng);
        }
        MarkStyle::CircleBox => {
            let r = s * rng.random_range(0.75..0.95);
            // One ring in three is drawn short, open on one side: the independent corpora
            // had rings round the box that reach only half to three quarters round.
            let turns = if rng.random_bool(1.0 / 3.0) {
                0.55..0.8
            } else {
                1.02..1.15
            };
            pen::arc(
                img,
                (j(rng, cx), j(rng, cy)),
                (r * rng.random_range(1.0..1.2), r),
                turns,
                width * 0.8,
                ink,
                rng,
            );
        }
        MarkStyle::Beside => {
            // Left of the box, or right of it (over the start of the label), close enough
            // to touch or almost touch it.
            let side = if rng.random_bool(0.5) { -1.0 } else { 1.0 };
            let ox = cx + side * s * rng.random_range(0.7..0.95);
            tick(img, ox, cy, s * rng.random_range(0.8..1.1), width, ink, rng)
        }
        MarkStyle::LabelTick => {
            let l = label
                .copied()
                .unwrap_or(Rect::new(b.right() + 4, b.y, b.w * 4, b.h));
            // Over the first words (a short label anywhere on it), at their height.
            let from = l.x as f32 + (s * 0.6).min(l.w as f32 * 0.3);
            let to = (l.x as f32 + (l.w as f32 * 0.6).min(s * 4.5)).max(from + 1.0);
            let ox = rng.random_range(from..to);
            let oy = l.center().1 + rng.random_range(-0.15..0.15) * s;
            tick(img, ox, oy, s * rng.random_range(0.8..1.2), width, ink, rng)
        }
        MarkStyle::Corrected => {
            tick(img, cx, cy, s * 1.1, width, ink, rng);
            // Struck through with one line through the box and on along the label (as
            // returned forms do), or scribbled out back and forth across the box.
            if let Some(l) = label.filter(|_| rng.random_bool(0.5)) {
                // From the bare paper on the box's other side: before the box when the label
                // follows it, after it when the label precedes it (「病院 □」).
                let away = if l.x < b.x { 1.0 } else { -1.0 };
                let from = cx + away * s * rng.random_range(0.6..1.2);
                let along = rng.random_range(0.3..0.9);
                let to = if away < 0.0 {
                    l.x as f32 + l.w as f32 * along
                } else {
                    l.right() as f32 - l.w as f32 * along
                };
                let p = [
                    (from, j(rng, cy)),
                    (to, cy + (to - from) * rng.random_range(-0.08..0.08)),
                ];
                pen::stroke(img, &p, width, ink, rng);
                return;
            }
            let n = rng.random_range(3..6);
            let pts: Vec<(f32, f32)> = (0..=n)
                .map(|i| {
                    let y = cy - s * 0.45 + s * 0.9 * i as f32 / n as f32;
                    let x = if i % 2 == 0 {
                        cx - s * 0.75
                    } else {
                        cx + s * 0.75
                    };
                    (x, y)
                })
                .collect();
            pen::stroke(img, &pts, width * 1.2, ink, rng);
        }
    }
}

fn tick(img: &mut GrayImage, cx: f32, cy: f32, s: f32, w: f32, ink: u8, rng: &mut impl Rng) {
    let p = tick_path(cx, cy, s, rng);
    pen::stroke(img, &p, w, ink, rng);
}

/// A tick's path (as [`tick`]) as dashes `r` wide every `gap` pixels or so.
fn broken_tick(
    img: &mut GrayImage,
    cx: f32,
    cy: f32,
    s: f32,
    (gap, r): (f32, f32),
    ink: u8,
    rng: &mut impl Rng,
) {
    let p = tick_path(cx, cy, s, rng);
    pen::dotted(img, &p, gap, r, ink, rng);
}

/// A tick of size `s` round `(cx, cy)`: a short arm down, a long one up to the right,
/// each point moved a little by the hand.
fn tick_path(cx: f32, cy: f32, s: f32, rng: &mut impl Rng) -> [(f32, f32); 3] {
    let jit =
        |rng: &mut dyn rand::RngCore| (rng.next_u32() as f32 / u32::MAX as f32 - 0.5) * 0.15 * s;
    [
        (cx - 0.35 * s + jit(rng), cy + jit(rng)),
        (cx - 0.05 * s + jit(rng), cy + 0.35 * s + jit(rng)),
        (cx + 0.5 * s + jit(rng), cy - 0.6 * s + jit(rng)),
    ]
}

fn cross(img: &mut GrayImage, cx: f32, cy: f32, s: f32, w: f32, ink: u8, rng: &mut impl Rng) {
    let h = s / 2.0;
    let jit =
        |rng: &mut dyn rand::RngCore| (rng.next_u32() as f32 / u32::MAX as f32 - 0.5) * 0.15 * s;
    pen::stroke(
        img,
        &[
            (cx - h + jit(rng), cy - h + jit(rng)),
            (cx + h + jit(rng), cy + h + jit(rng)),
        ],
        w,
        ink,
        rng,
    );
    pen::stroke(
        img,
        &[
            (cx + h + jit(rng), cy - h + jit(rng)),
            (cx - h + jit(rng), cy + h + jit(rng)),
        ],
        w,
        ink,
        rng,
    );
}

//! Mark reading's constants, in one place (as SDAPS keeps its recognition constants):
//! ink amounts are pixels and distances pixels at `normalise::WORKING_DPI` (200 dpi;
//! `run::Kit::build` refuses templates at any other), shares are ratios of directions or
//! of a label's width, and reaches are in box sizes. Each says which failure class it
//! answers; they were set from synthetic corpora and checked on the independent ones
//! (README, Measured).

/// How far the reference form's ink is grown before page ink there counts as explained
/// (printed text and box lines thicken on a fax and misfit by a pixel).
pub const EXPLAIN_GROW: i32 = 2;
/// See [`BoxFeatures::core`] (pixels at 200 dpi).
pub const CORE_CLEAR: i32 = 2;
/// Pieces of unexplained ink smaller than this (pixels at 200 dpi) are fax speckle.
pub const SPECKLE: usize = 8;
/// Around a label, smaller pieces are dither and speckle along the printed text rather
/// than a circle's arc.
pub const ARC_PIECE: usize = 16;
/// Directions looked along for [`BoxFeatures::around`].
pub const AROUND_DIRECTIONS: usize = 24;
/// Columns without arc ink bridged in [`BoxFeatures::circle_run`] (a thin arc on a fax
/// breaks up).
pub const ARC_GAP: i32 = 4;
pub const INNER_MARK: u32 = 20;
pub const INNER_WITH_OVERRUN: u32 = 10;
pub const NEAR_OVERRUN: u32 = 60;
pub const INNER_BLANK: u32 = 4;
pub const CIRCLE_MARK: f32 = 0.3;
/// Circle evidence under [`CIRCLE_MARK`] counts from this share of the label, and only
/// where it runs on for [`ARC_RUN`] box sizes (a circle round the label's first words);
/// scattered leftovers of printed text on a bolder fax reach this share but not the run.
pub const CIRCLE_BLANK: f32 = 0.05;
pub const ARC_RUN: f32 = 2.0;
/// Circle evidence between [`CIRCLE_MARK`] and this is read as chosen but reviewed.
pub const CIRCLE_SURE: f32 = 0.5;
pub const UNKNOWN_DOUBT: u32 = 10;
pub const CLOSE_BLANK: u32 = 30;
/// A label this circled probably has a circle around it, whose strokes may cross neighbours.
pub const CIRCLE_NEIGHBOUR: f32 = 0.15;
/// Less ink than this inside is a faint or small mark, or stray ink (a neighbour's stroke,
/// a side note, a box line off by a pixel): on faxes the project did not make, these are
/// as often unmarked boxes as light ticks, so a person decides.
pub const WEAK_MARK: u32 = 45;
/// Heavy ink that fills much of the box, spills around it and crosses its sides, short of
/// a filled box: a struck-through or scribbled-out mark as often as a big tick.
pub const HEAVY_INNER: u32 = 110;
pub const FILLED_INNER: u32 = 200;
pub const HEAVY_CLOSE: u32 = 60;
/// ... or less ink hugging it when the strokes cross its sides three times or more: a
/// strike-through goes back and forth, a tick or cross crosses each side once.
pub const CROSSED_CLOSE: u32 = 40;
/// A full box with this much ink hugging it, reaching round it in this share of
/// directions, may be a scribble over a mark rather than a filled box.
pub const SPILL_CLOSE: u32 = 120;
pub const SPILL_AROUND: f32 = 0.3;
/// Speckle-sized ink in the middle of an empty box, pixels, that a person should see.
pub const CENTRE_DOT: u32 = 12;
/// Unexplained ink just outside the box in this share of directions is a ring round it;
/// marks beside the box, struck-through marks and neighbours' circles reach far fewer.
pub const RING_AROUND: f32 = 0.7;
/// Ink hugging an empty box and crossing out past its side: a mark made just beside it.
pub const BESIDE_CLOSE: u32 = 12;
/// A piece of ink spanning this many box sizes or more is a stroke passing by (a circle
/// round a neighbouring label), not a mark made beside the box.
pub const PASSING_STROKE: f32 = 2.5;
/// Heavy ink inside a box (pixels), crossing its sides this many times in all, that stays
/// within this much ink around it: a scribble over the box (a correction), not a big
/// overrunning cross, which reaches further out.
pub const SCRIBBLE_INNER: u32 = 140;
pub const SCRIBBLE_CROSSINGS: u32 = 3;
pub const SCRIBBLE_NEAR: u32 = 180;
/// Less ink than this inside a box near a circled label may be that circle's stroke.
pub const NEIGHBOUR_INNER: u32 = 150;

//! Mark reading's constants, in one place (as SDAPS keeps its recognition constants):
//! amounts of ink are given in mm² of paper and distances in mm, converted here to pixels
//! at `normalise::WORKING_DPI`, the resolution pages and templates are read at
//! (`run::Kit::build` refuses a template at any other); shares are ratios of directions
//! or of a label's width, and reaches are in box sizes. Each says which failure class it
//! answers; they were set from synthetic corpora and checked on the independent ones
//! (README, Measured). (At 200 dpi a pixel is 0.127 mm, and 0.0161 mm² of ink.)

use crate::normalise::{px_area as area, px_len as length};

/// How far the reference form's ink is grown before page ink there counts as explained
/// (printed text and box lines thicken on a fax and misfit by a pixel).
pub const EXPLAIN_GROW: i32 = length(0.25);
/// A page whose boxes' sides print thicker than the blank form's (template pixels, the
/// median over the sides of the boxes found, the form's print taken to its grey edge,
/// [`PRINT_GREY`]) by more than this prints bolder than it (see `marks::boldness`): a
/// fax's own threshold leaves them thinner than that or as thick (every page of both
/// independent corpora but 13 of chiba's 213; synthetic faxes likewise).
pub const BOLD_ALLOWED: i32 = 0;
/// On a bold page, the ink the boxes' thickened sides may leave inside a box, as a share
/// of (thickening across + down) × the box's inside width: a side thickened into the box
/// by the whole measured amount leaves that much, and the grown print takes up part of
/// it. Half: synthetic faxes made a pixel or two bolder (`faxform synth --bold`) read
/// with 0-1 empty boxes taken for marks unasked in 40-60 (5 and 57 of 40 with no share;
/// 14 at two pixels), for 1-2 points more review than with no share; the whole amount
/// cost 3-7 points more on chiba's pages.
pub const BOLD_SLIVER_SHARE: f32 = 0.5;
/// How far either side of a box's printed side its thickness is counted.
pub const BOLD_SCAN: i32 = length(0.64);
/// Fewer measured sides than this say nothing about the page.
pub const BOLD_SAMPLES_MIN: usize = 12;
/// See `BoxFeatures::core`: ink this far from the form's own is clear of it.
pub const CORE_CLEAR: i32 = length(0.25);
/// Pieces of unexplained ink smaller than this are fax speckle.
pub const SPECKLE: usize = area(0.13) as usize;
/// Around a label, smaller pieces are dither and speckle along the printed text rather
/// than a circle's arc.
pub const ARC_PIECE: usize = area(0.26) as usize;
/// Directions looked along for [`BoxFeatures::around`].
pub const AROUND_DIRECTIONS: usize = 24;
/// Columns without arc ink bridged in [`BoxFeatures::circle_run`] (a thin arc on a fax
/// breaks up).
pub const ARC_GAP: i32 = length(0.51);
pub const INNER_MARK: u32 = area(0.32);
pub const INNER_WITH_OVERRUN: u32 = area(0.16);
pub const NEAR_OVERRUN: u32 = area(0.97);
pub const INNER_BLANK: u32 = area(0.06);
pub const CIRCLE_MARK: f32 = 0.3;
/// Circle evidence under [`CIRCLE_MARK`] counts from this share of the label, and only
/// where it runs on for [`ARC_RUN`] box sizes (a circle round the label's first words);
/// scattered leftovers of printed text on a bolder fax reach this share but not the run.
pub const CIRCLE_BLANK: f32 = 0.05;
pub const ARC_RUN: f32 = 2.0;
/// Circle evidence from [`CIRCLE_NEIGHBOUR`] running on for this many box sizes, short of
/// [`ARC_RUN`], is asked about rather than read as blank: on nine corpora (independent and
/// synthetic, about 31,000 boxes read blank with no doubt) no empty box reached it on the
/// independent ones and 7 did on the synthetic ones; rings round a label whose print a
/// light fax had mostly dropped reached 0.86 and 1.2 (seed 12, hodanren `harsh`).
pub const ARC_RUN_ASK: f32 = 0.5;
/// A line under a label ([`BoxFeatures::underline`](super::BoxFeatures::underline)) is at
/// most this thick per column on average (a ballpoint's line on a fax is 2-5 px, a sign
/// pen's 1 mm line 8-9 px; a written word's strokes pile up thicker), and lies within this
/// many box sizes below the label.
/// Thickness at 0.9 mm: a thick line under a drafted layout's label (7.5 px a column on a
/// `harsh` night) read blank unasked; 1.2 mm changed no other review row on the 33 sets.
/// Depth at 0.7: a hand's line drifting down to three quarters of a box size (its pen's
/// width included) touched the band's edge and counted as running on out of it: 5 of 22
/// underlined labels left unasked on twelve synthetic nights. Deeper, the band reaches
/// the top arc of a ring round the option below (see `RING_BELOW_REACH`).
pub const UNDERLINE_THICK: i32 = length(1.2);
pub const UNDERLINE_DEPTH: f32 = 0.9;
/// Paper a hand's line under a label may skip, pixels (a pen lifting for a moment).
pub const UNDERLINE_SKIP: i32 = length(0.4);
/// Looked for only under a label with ink under this share of it (circle evidence's
/// band below, pieces from [`ARC_PIECE`]): a line partly hidden by the characters' feet
/// still shows there between them.
pub const UNDERLINE_BELOW: f32 = 0.25;
/// An empty box whose label is underlined over this share of its width is asked about.
/// A hand's line drawn under most of a label reaches less on a harsh fax, which breaks it
/// and drops its ends into the print's grown feet: on twelve synthetic nights (seeds
/// 45-47, 1800 responses) 8 of 22 underlined labels left unasked measured 0.42-0.50; the
/// independent corpora, which have no underlines, have no empty box from 0.3 to 0.5.
pub const UNDERLINE_ASK: f32 = 0.4;
/// An underline's doubt is cleared by a ring round the label of the option below (see
/// `decide::underlines_explained_by_rings_below`) whose label starts within this many
/// box sizes under this one's. With the deeper band alone, indep-hodanren-a had 6 more
/// empty boxes asked about, each under a ring round the next option's label; with this,
/// none.
pub const RING_BELOW_REACH: i32 = 2;
/// ... and only where the line lies within this many box sizes above that label's top: a
/// ring's top arc hugs the label it rings (-0.06 to 0.63 box sizes above it, every line so
/// explained on twelve of the sets, independent and synthetic), while a line drawn under
/// this label lies just under it: on a form with rows wide apart (a grid's leader rows,
/// 1.4 box sizes) 1.2 above the next row's label, which read blank with no row when that
/// row was ringed too.
pub const RING_ARC_ABOVE: f32 = 1.0;
/// Circle evidence between [`CIRCLE_MARK`] and this is read as chosen but reviewed.
pub const CIRCLE_SURE: f32 = 0.5;
pub const UNKNOWN_DOUBT: u32 = area(0.16);
pub const CLOSE_BLANK: u32 = area(0.48);
/// A label this circled probably has a circle around it, whose strokes may cross neighbours.
pub const CIRCLE_NEIGHBOUR: f32 = 0.15;
/// A scanner streak is at most this many pixels wide (a pen line on a fax is wider, or
/// leans).
pub const STREAK_WIDTH: usize = length(0.51) as usize;
/// A streak broken into pieces (by the print it crosses, or by the fax) is dropped when its
/// pieces reach within this share of the window's height from its top and its bottom ...
pub const STREAK_END: f32 = 0.12;
/// ... and are ink, or hidden by print, over this share of the window's rows (of the rows
/// they run, for one that starts or ends in the window). Dirt that skips draws a streak in
/// dashes inked over half to three quarters of its length; a pen stroke as thin that runs
/// most of the window's height through the box is no mark of this box either.
pub const STREAK_COVER: f32 = 0.45;
/// A streak that reaches only one end of the window is dropped when it runs at least this
/// share of the window's height and crosses two bands of print (through a box).
pub const STREAK_PART: f32 = 0.75;
/// Less ink than this inside is a faint or small mark, or stray ink (a neighbour's stroke,
/// a side note, a box line off by a pixel): on faxes the project did not make, these are
/// as often unmarked boxes as light ticks, so a person decides (unless it is its
/// question's only candidate and looks like a pen's: [`WEAK_CORE`]).
pub const WEAK_MARK: u32 = area(0.73);
/// A weak mark alone in its question (see `marks::alone`) is read as chosen when at least
/// this share of its ink lies clear of the printed sides ([`CORE_CLEAR`]): slivers that a
/// bolder fax or a pixel of misfit leaves along the sides are mostly within it ...
pub const WEAK_CORE: f32 = 0.3;
/// ... and is not a dot: ink inside the box that fits in this many pixels both ways is the
/// touch of a pen or a blot of speckle (a fax's speckle, joined up by a grey rescan's
/// blur), which a person looks at like a speck in the middle of an empty box
/// ([`CENTRE_DOT`]). Weak marks alone on the independent corpora span 1 mm or more.
pub const DOT_SPAN: u32 = length(0.9) as u32;
/// ... or, when it also hugs the box outside, it crosses the box's sides at most this
/// often (a tick's or check's tail leaves once or twice; a streak or a passing line more).
pub const WEAK_CROSSINGS: u32 = 2;
/// Heavy ink that fills much of the box, spills around it and crosses its sides, short of
/// a filled box: a struck-through or scribbled-out mark as often as a big tick.
pub const HEAVY_INNER: u32 = area(1.77);
pub const FILLED_INNER: u32 = area(3.23);
pub const HEAVY_CLOSE: u32 = area(0.97);
/// ... or less ink hugging it when the strokes cross its sides three times or more: a
/// strike-through goes back and forth, a tick or cross crosses each side once.
pub const CROSSED_CLOSE: u32 = area(0.65);
/// A full box with this much ink hugging it, reaching round it in this share of
/// directions, may be a scribble over a mark rather than a filled box.
pub const SPILL_CLOSE: u32 = area(1.94);
pub const SPILL_AROUND: f32 = 0.3;
/// A band of rows from the top inside a box (or from the bottom: a page fed upside down),
/// each at least [`BAND_FULL`] inked, ending within [`BAND_EDGE_ROWS`] rows in a row at
/// most [`BAND_EDGE`] inked, with the rest of the box at most [`BAND_BELOW`] inked on
/// average over at least a third of it (see `BoxFeatures::edge_band`): this many rows or
/// more of it are a line error's repeats of the box's side (a standard-resolution row is
/// two), not a pen's fill, whose edge is ragged.
pub const BAND_ROWS: u32 = length(0.38) as u32;
pub const BAND_FULL: f32 = 0.85;
pub const BAND_EDGE: f32 = 0.3;
pub const BAND_EDGE_ROWS: usize = 3;
pub const BAND_BELOW: f32 = 0.15;
/// Ink inside a box that is one straight band at most this thick and at least this share
/// of the box's inside long is asked about (see `decide::side_band`): on five synthetic
/// nights of 150, five empty boxes read as marked with no review row held only their own
/// printed side, missed by 3 px where a fax dropped or stretched the lines round them;
/// no pen mark read without a row on the independent corpora was such a band.
pub const SIDE_BAND_THICK: u32 = length(0.38) as u32;
/// ... and up to this thick where the box's printed outline shows [`OUTLINE_SHORT`] less
/// than whole: a line error that broke the box's sides leaves one of them inside doubled
/// on a standard-resolution page and a pixel thicker for every pixel it leans (drafted
/// grid layout, harsh night: a box read ticked unasked on a 5 px band).
pub const SIDE_BAND_THICK_BROKEN: u32 = length(0.64) as u32;
pub const SIDE_BAND_LONG: f32 = 0.6;
/// Speckle-sized ink in the middle of an empty box that a person should see.
pub const CENTRE_DOT: u32 = area(0.19);
/// Speckle inside an empty box in at least this many pieces that together make a piece of
/// ink ([`SPECKLE`]) is a light stroke broken up by the fax (see `BoxFeatures::specks`).
/// On the independent corpora two light ticks in 52 were read blank with no review row,
/// one of them so; blank boxes carry that much speckle in one piece (a
/// standard-resolution fax's tall dot) far more often than in several.
pub const BROKEN_PIECES: u32 = 2;
/// Unexplained ink just outside the box in this share of directions is a ring round it;
/// marks beside the box, struck-through marks and neighbours' circles reach far fewer.
pub const RING_AROUND: f32 = 0.7;
/// A ring round an empty box drawn short (open, or faint in places) still reaches this
/// share of directions: on faxes the project did not make, every box asked about for ink
/// beside it that reached half its directions was ringed, by itself or beside other marks.
/// A ring that touches the box leaves weak ink inside it; passing both sides as well, it
/// is read the same.
pub const RING_PARTIAL: f32 = 0.5;
/// Ink hugging an empty box and crossing out past its side: a mark made just beside it.
pub const BESIDE_CLOSE: u32 = area(0.19);
/// A piece of ink spanning this many box sizes or more is a stroke passing by (a circle
/// round a neighbouring label), not a mark made beside the box.
pub const PASSING_STROKE: f32 = 2.5;
/// A mark made beside an empty box, in a question where no other box holds a mark or a
/// doubt, is read as that box's answer (see [`super::beside`]): at least this much ink
/// hugging the box in tick-like pieces ([`super::BoxFeatures::close_tick`]: at least
/// [`BESIDE_TICK_WIDTH`] across both ways, as a pen stroke is, and [`BESIDE_TICK_LENGTH`]
/// long, as a deliberate stroke is and a cluster of fax speckle is not), making up at
/// least half of the ink that hugs the box. On the six corpora (synthetic and
/// independent), about 115 such boxes were all chosen marks; unmarked boxes with ink
/// beside them were beside another mark of the same question, or had less, or thinner,
/// shorter or mostly passing ink.
pub const BESIDE_TICK: u32 = area(0.26);
pub const BESIDE_TICK_WIDTH: i32 = length(0.38);
/// Ink beside a box in a bar along one of its sides, at most [`SIDE_BAR_THICK`] thick,
/// running along [`SIDE_BAR_SHARE`] of the side or more, at most [`SIDE_BAR_GAP`] outside
/// it, is the side itself where a fax line error moved it (rows dropped, repeated or
/// shifted through the box), not a tick made beside the box: it is not read as the
/// answer without a person (see [`super::BoxFeatures::close_side`]). A drafted dense
/// form's harsh night read an empty box as chosen for its own bottom side, 2 px below
/// its place; of the 75 boxes read chosen for ink beside them on 22 nights, no chosen
/// mark was such a bar.
pub const SIDE_BAR_THICK: i32 = length(0.64);
pub const SIDE_BAR_SHARE: f32 = 0.75;
pub const SIDE_BAR_GAP: i32 = length(0.5);
pub const BESIDE_TICK_LENGTH: i32 = length(1.5);
/// Heavy ink inside a box, crossing its sides this many times in all, that stays
/// within this much ink around it: a scribble over the box (a correction), not a big
/// overrunning cross, which reaches further out. The ink around is stated for a box of
/// [`REFERENCE_INSIDE`] and grows with the box's side (see [`side_scale`]): the zone it
/// is counted in is half a box wide, and a scribble's strokes run as far out as the box
/// is big. (With it fixed, on drafted forms with 3.5 mm boxes, scribbles left 220-230
/// pixels around and read as chosen with no row.)
pub const SCRIBBLE_INNER: u32 = area(2.26);
pub const SCRIBBLE_CROSSINGS: u32 = 3;
pub const SCRIBBLE_NEAR: u32 = area(2.90);
/// The inside of the boxes the ink amounts above were set on (the shipped forms' boxes,
/// 19-20 pixels inside at 200 dpi).
pub const REFERENCE_INSIDE: f32 = 2.5;

/// How much bigger a box is than [`REFERENCE_INSIDE`], by side, from its inside area in
/// pixels: ink drawn as strokes across or round a box grows with its side. Never below 1:
/// the amounts hold on the boxes they were set on, 19 pixels inside as well as 20 (scaled
/// down to hodanren's 19, three scribbles there fell below and read as chosen, asked
/// about only as a sub-option without its parent).
pub fn side_scale(inner_area: u32) -> f32 {
    ((inner_area as f32).sqrt() / length(REFERENCE_INSIDE) as f32).max(1.0)
}
/// See [`super::BoxFeatures::beyond_label`]: how far beside the box, in box sizes, and
/// how far off level, in degrees, a line through it is followed.
pub const STRIKE_REACH: f32 = 1.5;
pub const STRIKE_SLANT_DEG: i32 = 10;
/// A line is read there where the grown print leaves at least one column in this many in
/// view (see [`ALONG_SEEN_ONE_IN`] further along the label).
pub const STRIKE_SEEN_ONE_IN: i32 = 3;
/// Heavy ink crossing the box's sides is a correction only where a line through the box
/// runs on beside it, for this share of the reach on the label's side (whose print a fax
/// thickens into fringes the blank form does not explain) or on the bare side. Crosses and big ticks that cross the sides at the corners do not:
/// on faxes the project did not make, one correction flag in three was a plain cross.
pub const STRIKE_LABEL: f32 = 0.3;
pub const STRIKE_BARE: f32 = 0.1;
/// A thin line struck through hugs the box with too little ink for the rules above, but
/// runs on beside it: past both sides (the two shares above), or over this share of the
/// reach on the label's side, or this share on the bare side. On the six corpora (labels
/// after their boxes), clean ticks and checks reached at most 0.19 on the bare side and
/// 0.8 on the label's, strike-throughs as far as 0.4 and 1.0.
pub const STRIKE_LABEL_FAR: f32 = 0.9;
pub const STRIKE_BARE_FAR: f32 = 0.2;
/// Less ink than heavy, with a line level beside the box over this share of the reach on
/// its bare side: a line through the option. Of about 4,000 marked boxes on ten corpora
/// (independent and synthetic), one check reached it; 3 empty boxes read as marked with no
/// review row did.
pub const STRIKE_BARE_ALL: f32 = 0.9;
/// ... or a line out past both sides: over this share of the reach on the label's side
/// (seen between the characters' strokes, see [`super::BoxFeatures::beyond_label`]) and
/// [`STRIKE_BARE_FAR`] on the bare side. A tick struck through with a line on along its
/// label: on eleven synthetic sets, 5 fewer of them read as chosen with no row, for 4 more
/// rows on the two independent corpora (ticks and crosses run on over the label's first
/// character).
pub const STRIKE_LABEL_ALONG: f32 = 0.6;
/// See [`super::BoxFeatures::along_label`]: how far along the label, in box sizes, a line
/// through the box is followed, the share of that reach from which it is a line struck
/// on along the label's words, and the most of the directions round the box its ink may
/// take (with less than [`HEAVY_CLOSE`] hugging the box). On the survey-sized synthetic
/// hodanren night (10,026 replies, seed 4242), struck ticks were read as chosen with no
/// row 31 times; so, 12 of them are asked about (and 3 empty boxes read as marked), for
/// 15 chosen marks asked about in 270,054 cells. On the independent corpora, chosen fills
/// and ticks on standard-resolution pages reached 0.6 to 0.9 of the reach, in boxes with
/// 100 to 200 pixels hugging them or in 0.3 to 0.5 of the directions.
pub const STRIKE_ALONG_REACH: f32 = 4.0;
pub const STRIKE_ALONG: f32 = 0.7;
pub const STRUCK_ALONG_AROUND: f32 = 0.2;
/// Along a label the grown print hides most of a line at the characters' middle (four
/// kanji struck through leave a sixth to a fifth of the columns in view, between the
/// characters); a line is read where at least one column in this many is seen.
pub const ALONG_SEEN_ONE_IN: i32 = 6;
/// ... or [`STRIKE_BARE_FAR`] out on the bare side with less ink than this round the box
/// (within half a box of it, for a box of [`REFERENCE_INSIDE`], see [`side_scale`]) and
/// in at most this share of the directions round it, and under [`STRIKE_LABEL`] on the
/// label's side: a short line struck through a tick, its other end hidden in the label's
/// print. On 44 synthetic nights (11 layouts, seeds 404 and 505, `fax` and `harsh`) 6
/// such struck ticks in multi-choice questions read as chosen with no row, and are now
/// asked about, for 9 more review rows in all; marks out as far on the bare side that
/// overran the box left 148 px or more round it, in 0.16 of the directions or more. On
/// the independent corpora one more box is asked about (a tick whose stroke runs out
/// before its box).
pub const STRUCK_SHORT_NEAR: u32 = area(1.6);
pub const STRUCK_SHORT_AROUND: f32 = 0.12;
/// See [`super::placed`]: the page is fitted to the print around a box within this many
/// pixels of where the box was placed, and ...
pub const PLACED_NEAR: i32 = length(0.25);
/// ... a fit this much better (a share of the print's pixels inked) a character's width
/// to the side says the box is not where it was placed. Of about 10,900 boxes read as
/// marked with no doubt on the two independent corpora and thirteen synthetic sets, those
/// placed where they are printed fitted at most 0.13 better aside; 11 boxes read wrongly
/// as marked (placed on a label's character on reduced copies and a bent page) fitted
/// 0.15–0.49 better.
pub const PLACED_BETTER: f32 = 0.15;
/// A box's label is compared a row up and down over its first this many box sizes (about
/// four characters): enough print to tell one option's words from the next's.
pub const PLACED_LABEL_CHARS: i32 = 4;
/// A page of at least [`PAGE_MARKED_MIN_BOXES`] boxes with more than this share of them
/// read as marked is not trusted: on the independent corpora and eight synthetic nights
/// respondents marked at most 46 % of a page's boxes, while pages read 88–100 % marked had
/// their boxes placed on the labels' print (registered one option to the side), with up
/// to ten empty boxes read as marked and no review row.
pub const PAGE_MARKED_MAX: f32 = 2.0 / 3.0;
pub const PAGE_MARKED_MIN_BOXES: usize = 10;
/// How far round an empty box, in box sizes, ink beside it is followed to see whether it
/// belongs to a neighbouring box's mark (boxes in a column stand 1.5 to 2 box sizes apart).
pub const NEIGHBOUR_LOOK: i32 = 2;
/// Less ink than this inside a box near a circled label may be that circle's stroke.
pub const NEIGHBOUR_INNER: u32 = area(2.42);
/// A neighbour's circle stroke through a box crosses the box's sides at least this often
/// (in across one side, out across another); a tick's tail leaves across one, once.
pub const NEIGHBOUR_CROSSINGS: u32 = 2;

/// See [`super::hidden`]: reference pixels darker than this are print. Not the ink
/// threshold: the thin strokes of brackets and kana are grey in the reference and come
/// out black on a fax.
pub const PRINT_GREY: u8 = 220;
/// Distances to the print told apart, in pixels (farther is unexplained ink).
pub const PRINT_NEAR: usize = 3;
/// How far the page is moved to fit the print beside a box before ink off it counts.
pub const HIDDEN_SHIFT: i32 = length(0.25);
/// Pen ink over an empty box's label start, hidden by the grown print: at least this
/// much more ink two pixels off the print ([`super::BoxFeatures::hidden_far`]) and this
/// much more ink thicker than a print edge ([`super::BoxFeatures::hidden_thick`]) than
/// beside the page's median label. A tick made
/// beside the box leaves both; a bold or misfitted fax leaves a one-pixel fringe, which
/// has neither. On the project's fax corpora this asks about 19 of 22 such ticks for
/// one cell in 150 of the others (README, Measured).
pub const HIDDEN_FAR: u32 = area(0.13);
pub const HIDDEN_THICK: u32 = area(0.16);
/// How far along an empty box's label pen ink is looked for over its words
/// ([`super::BoxFeatures::label_ink`]), in box sizes (about a character each): a tick on
/// the option's words is made on its first ones, and the further along a long label
/// one looks the more a fax's noise there outgrows the page's median.
pub const LABEL_TICK_REACH: f32 = 6.0;
/// Of the label's height, the share a column of it must be inked down to be passed over
/// when pen ink over the label is counted: a fax streak crosses it top to bottom, a
/// tick's stroke crosses a column in a few rows.
pub const LABEL_STREAK_SHARE: f32 = 0.8;
/// A box whose printed outline is found on this share less of it than the page's usual box
/// ([`BoxFeatures::outline`](super::BoxFeatures::outline)) is not read as chosen for weak
/// ink alone (see `marks::alone::weak_alone_read_as_chosen`): a fax line error dropped or
/// repeated rows through it, and its own side lies inside out of place. Of the weak marks
/// so read on eighteen corpora (twelve synthetic nights, the two independent ones and
/// those refaxed through synth's chains), 10 of 17 empty boxes and 20 of 966 marks were
/// this far below.
pub const OUTLINE_SHORT: f32 = 0.2;
/// Pen ink over an empty box's label's first words, in the window of one box size that
/// holds most, at least this much more than over the page's median label: a tick made on
/// the option's words, away from its box. On synthetic nights of 300 (seed 45, `fax` and
/// `harsh`, hodanren and chiba) 1.0 mm² left 19 of 79 such ticks read blank unasked (66
/// before), for 13-28 more cells to review a night, and 0 and 2 more on the independent
/// corpora (README, Measured). At 0.8 mm² (session 13), on twelve such nights (seeds
/// 45-47, 250 such ticks): 22 → 14 unasked, +61 review cells; the independent corpora +1.
pub const LABEL_TICK_INK: u32 = area(0.8);
/// The same ink, where no other box of the question is marked or in doubt (see
/// `marks::alone`): less. A small tick over dense kanji leaves little ink two pixels off
/// the print, and an unanswered question is rare enough to ask about.
pub const LABEL_TICK_ALONE: u32 = area(0.5);
/// The zone of bare paper beside a box with no label (see `marks::cell`) starts this
/// share of a box size out from its side, where [`super::BoxFeatures::close`] ends.
pub const CELL_GAP: f32 = 1.0 / 3.0;
/// ... and runs at most this many box sizes out from its side: a tick made in a grid's
/// cell beside its box lies within two box sizes of it.
pub const CELL_REACH: f32 = 3.0;
/// ... at the box's height and this share of a box size above and below it.
pub const CELL_BAND: f32 = 0.25;
/// ... and is left out when narrower than this share of a box size.
pub const CELL_MIN_WIDTH: f32 = 0.5;
/// Pen ink in a box-size window of the bare paper beside an empty box with no label
/// ([`super::BoxFeatures::cell_ink`]), above the page's median: a tick made in a grid's cell.
pub const CELL_TICK_INK: u32 = LABEL_TICK_INK;
/// Only pieces at least this share of a box size across both ways count as a tick in
/// the cell: a tick or a cross is as wide as it is tall, a fax's broken streak or a
/// fragment of a thickened cell line is a few pixels across.
pub const CELL_TICK_NARROW: f32 = 0.25;
/// The same, where no other box of the question is marked or in doubt.
pub const CELL_TICK_ALONE: u32 = LABEL_TICK_ALONE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::WORKING_DPI;

    #[test]
    fn millimetres_give_the_pixels_the_thresholds_were_calibrated_at() {
        // Calibrated on 200-dpi pages (README, Measured): the conversion must land on them.
        assert_eq!(WORKING_DPI, 200.0);
        assert_eq!((EXPLAIN_GROW, CORE_CLEAR, ARC_GAP), (2, 2, 4));
        assert_eq!((SPECKLE, ARC_PIECE), (8, 16));
        assert_eq!(
            [
                INNER_MARK,
                INNER_WITH_OVERRUN,
                NEAR_OVERRUN,
                INNER_BLANK,
                UNKNOWN_DOUBT
            ],
            [20, 10, 60, 4, 10]
        );
        assert_eq!(
            [
                CLOSE_BLANK,
                WEAK_MARK,
                HEAVY_INNER,
                FILLED_INNER,
                HEAVY_CLOSE,
                CROSSED_CLOSE
            ],
            [30, 45, 110, 200, 60, 40]
        );
        assert_eq!(
            [
                SPILL_CLOSE,
                CENTRE_DOT,
                BESIDE_CLOSE,
                SCRIBBLE_INNER,
                SCRIBBLE_NEAR,
                NEIGHBOUR_INNER
            ],
            [120, 12, 12, 140, 180, 150]
        );
        assert_eq!((HIDDEN_SHIFT, HIDDEN_FAR, HIDDEN_THICK), (2, 8, 10));
        assert_eq!((LABEL_TICK_INK, LABEL_TICK_ALONE), (50, 31));
        assert_eq!(
            (BESIDE_TICK, BESIDE_TICK_WIDTH, BESIDE_TICK_LENGTH),
            (16, 3, 12)
        );
    }
}

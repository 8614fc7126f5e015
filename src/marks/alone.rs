//! Ink that is a question's only candidate answer, read as a person reads it: when
//! nothing else in the question is marked or in doubt, a mark that alone would be asked
//! about is that box's answer, if its ink looks like a pen's.
//!
//! Four classes, all from faxes the project did not make:
//! - a tick made just beside an empty box ([`beside_alone_read_as_chosen`]): ticks beside
//!   an empty box were the largest share of boxes asked about; where nothing else in the
//!   question was marked or in doubt, every one with a tick's worth of ink was a chosen
//!   mark. Beside another mark of the same question the same ink is as often that mark's
//!   overrun or a circle's arc, so those stay with a person.
//! - a small or light mark in the box ([`weak_alone_read_as_chosen`]): less ink than a
//!   sure mark, but clear of the printed sides, or leaving the box as a pen stroke does.
//!   Slivers of a bolder print or a pixel of misfit hug the sides; a streak or a line
//!   from elsewhere crosses the sides many times or passes by without touching the box.
//! - a tick on an option's words, away from its box, or one hugging the box without
//!   crossing its sides ([`lone_ink_asked_about`]): in an otherwise unanswered question,
//!   weaker pen ink over the label, or any tick-like piece beside the box, is asked about.
//! - a mark struck through or scribbled over in a single-choice question whose only other
//!   mark is sure ([`taken_back_beside_one_answer`]): the respondent changed the answer.
//!   On six corpora every such box struck across (out on both sides of it) was a mark
//!   taken back; a heavy mark running on over its label only was once a second answer,
//!   and in multi-choice questions a struck mark beside other marks is as often kept, so
//!   those stay with a person.

use super::decide::{BoxReading, Doubt};
use super::params::*;
use crate::register::BoxModel;

/// Reads as chosen each box asked about for ink beside it whose hugging ink is mostly
/// tick-like pieces (see [`BESIDE_TICK`]; bars along a side apart, see [`SIDE_BAR_THICK`])
/// and whose question has no other box marked or in doubt on this page. Run after every
/// pass that may clear or add a doubt beside a box (neighbours' marks, circles round
/// labels).
pub fn beside_alone_read_as_chosen(boxes: &[BoxModel], out: &mut [BoxReading]) {
    read_alone_as_chosen(boxes, out, 0.6, |r| {
        let f = r.features;
        let tick = f.close_tick - f.close_side;
        r.doubt == Some(Doubt::Beside) && tick >= BESIDE_TICK && tick * 2 >= f.close
    });
}

/// Reads as chosen each box asked about only for having less ink inside than a sure mark
/// ([`WEAK_MARK`]) whose question has no other box marked or in doubt on this page, when
/// its ink is a pen's: either wholly inside, one piece of it larger than a dot
/// ([`DOT_SPAN`]; blots hanging from a printed side are dots apart), with at
/// least [`WEAK_CORE`] of it clear of the printed sides, or also hugging the box and
/// crossing its sides at most [`WEAK_CROSSINGS`] times. Run after [`beside_alone_read_as_chosen`].
pub fn weak_alone_read_as_chosen(boxes: &[BoxModel], out: &mut [BoxReading]) {
    let usual = median_outline(out);
    read_alone_as_chosen(boxes, out, 0.55, |r| {
        let f = r.features;
        let weak = r.marked
            && !r.by_circle
            && r.doubt == Some(Doubt::Unsure)
            && (INNER_MARK..WEAK_MARK).contains(&f.inner);
        let inside = f.near == 0
            && f.core as f32 >= WEAK_CORE * f.inner as f32
            && f.inner_piece_span > DOT_SPAN
            && !super::decide::side_band(&f);
        let leaving = f.close > 0 && f.runs_bare + f.runs_label <= WEAK_CROSSINGS;
        // A box whose printed sides are found much less than the page's others: a line
        // error squashed it, and its weak ink may be its own side out of place.
        let intact = f.outline >= usual - OUTLINE_SHORT;
        weak && intact && (inside || leaving)
    });
}

/// The page's usual share of a box's outline found (see
/// [`BoxFeatures::outline`](super::BoxFeatures::outline)).
fn median_outline(out: &[BoxReading]) -> f32 {
    let mut all: Vec<f32> = out.iter().map(|r| r.features.outline).collect();
    all.sort_by(f32::total_cmp);
    all.get(all.len() / 2).copied().unwrap_or(0.0)
}

/// Reads as taken back (not marked, no doubt) each box asked about as a correction, its
/// ink crossing out over the paper before the box as well, whose question is
/// single-choice (`single(question)`) and has exactly one other box marked, surely, and
/// none other in doubt on this page. Only a box with its label printed beside it
/// (`labelled(box)`): a line through the option runs over the label and out over the paper
/// before the box; a box in a grid's cell has bare paper on both sides, which a big
/// cross or a tick's overrun crosses as well (a drafted grid layout, synthetic `harsh`:
/// a cross beside a slash in one row read as taken back, with no row). Nor a box whose ink
/// runs out at three of its corners or more and at no side's middle
/// ([`BoxFeatures::corners`]): a cross drawn big over it, one arm perhaps short, a mark (on
/// 44 synthetic nights, 3 such crosses beside a tick read as taken back with no row; the
/// marks struck through and read as taken back that ran out at no side's middle ran out at
/// two corners at most, 26 of them).
///
/// [`BoxFeatures::corners`]: super::BoxFeatures::corners
pub fn taken_back_beside_one_answer(
    boxes: &[BoxModel],
    labelled: impl Fn(usize) -> bool,
    single: impl Fn(usize) -> bool,
    out: &mut [BoxReading],
) {
    let taken: Vec<usize> = (0..out.len())
        .filter(|&k| {
            // Struck across: the ink also runs out over the bare paper on the box's other side. A heavy
            // mark whose tail runs on over the label alone may be a second answer.
            let f = out[k].features;
            out[k].doubt == Some(Doubt::Correction)
                && labelled(k)
                && single(boxes[k].question)
                && f.runs_bare >= 1
                && f.beyond_bare > 0.0
                // Out at three corners or more and no side's middle: a big cross (a line
                // struck through leaves at two opposite corners at most).
                && (f.enclosed || f.corners < 3)
        })
        .filter(|&k| {
            let sure = others_in_question(boxes, k)
                .filter(|&j| out[j].marked && out[j].doubt.is_none())
                .count();
            sure == 1 && others_in_question(boxes, k).all(|j| out[j].doubt.is_none())
        })
        .collect();
    for k in taken {
        out[k].marked = false;
        out[k].doubt = None;
        out[k].confidence = 0.6;
    }
}

/// Asks about each box read blank with no doubt, when no other box of its question is
/// marked or in doubt on this page, and it has pen ink near it that may be the answer:
/// - over its label's first words ([`BoxFeatures::label_ink`](super::BoxFeatures::label_ink))
///   at least [`LABEL_TICK_ALONE`]: a small tick on the words leaves less ink off dense
///   print than [`LABEL_TICK_INK`] asks for (reason: over the label);
/// - in the bare paper beside a box with no label
///   ([`BoxFeatures::cell_ink`](super::BoxFeatures::cell_ink)) at least
///   [`CELL_TICK_ALONE`] (reason: in the cell);
/// - hugging the box in a tick-like piece
///   ([`BoxFeatures::close_tick`](super::BoxFeatures::close_tick)) that does not cross its
///   sides, so it was not asked about as a mark beside it: a tick made just beside the box
///   (reason: beside). On the independent corpora and six second-chain copies, the one
///   such box of an otherwise unanswered question was a chosen mark; 80 others, in
///   questions with an answer, were not asked about and stay so.
///
/// There a blank read costs the answer. Run after the passes that read lone ink as chosen.
pub fn lone_ink_asked_about(boxes: &[BoxModel], out: &mut [BoxReading]) {
    let lone: Vec<(usize, Doubt)> = (0..out.len())
        .filter(|&k| !out[k].marked && out[k].doubt.is_none())
        .filter_map(|k| {
            let f = &out[k].features;
            let doubt = if f.label_ink.is_some_and(|ink| ink >= LABEL_TICK_ALONE) {
                Doubt::OverLabel
            } else if f.cell_ink.is_some_and(|ink| ink >= CELL_TICK_ALONE) {
                Doubt::InCell
            } else if f.close_tick > 0 {
                Doubt::Beside
            } else {
                return None;
            };
            Some((k, doubt))
        })
        .filter(|&(k, _)| {
            others_in_question(boxes, k).all(|j| !out[j].marked && out[j].doubt.is_none())
        })
        .collect();
    for (k, doubt) in lone {
        out[k].doubt = Some(doubt);
        out[k].confidence = 0.4;
    }
}

/// Sets each box that `candidate` picks as marked, without doubt, at `confidence`, when no
/// other box of its question is marked or in doubt.
fn read_alone_as_chosen(
    boxes: &[BoxModel],
    out: &mut [BoxReading],
    confidence: f32,
    candidate: impl Fn(&BoxReading) -> bool,
) {
    let lone: Vec<usize> = (0..out.len())
        .filter(|&k| candidate(&out[k]))
        .filter(|&k| others_in_question(boxes, k).all(|j| !out[j].marked && out[j].doubt.is_none()))
        .collect();
    for k in lone {
        out[k].marked = true;
        out[k].doubt = None;
        out[k].confidence = confidence;
    }
}

/// The other boxes of box `k`'s question on this page.
fn others_in_question(boxes: &[BoxModel], k: usize) -> impl Iterator<Item = usize> + '_ {
    (0..boxes.len()).filter(move |&j| j != k && boxes[j].question == boxes[k].question)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;
    use crate::marks::{BoxFeatures, classify};
    use crate::raster::GrayImage;

    fn boxes(questions: &[usize]) -> Vec<BoxModel> {
        let reference = GrayImage::from_pixel(100, 400, image::Luma([255]));
        questions
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                BoxModel::new(
                    &reference,
                    q,
                    i as u32 + 1,
                    Rect::new(20, 20 + 60 * i as i32, 20, 20),
                )
            })
            .collect()
    }

    fn classified(fs: &[BoxFeatures]) -> Vec<BoxReading> {
        fs.iter().copied().map(classify).collect()
    }

    fn beside(tick: u32, close: u32) -> BoxFeatures {
        BoxFeatures {
            inner_area: 400,
            near: close * 2,
            close,
            close_compact: tick,
            close_tick: tick,
            runs_bare: 1,
            around: 0.15,
            ..Default::default()
        }
    }

    #[test]
    fn a_tick_beside_the_only_marked_box_of_its_question_is_its_answer() {
        let b = boxes(&[0, 0, 0]);
        let mut out = classified(&[
            BoxFeatures::default(),
            beside(30, 34),
            BoxFeatures::default(),
        ]);
        assert_eq!(out[1].doubt, Some(Doubt::Beside), "{:?}", out[1]);
        beside_alone_read_as_chosen(&b, &mut out);
        assert!(out[1].marked && out[1].doubt.is_none(), "{:?}", out[1]);
        assert!(!out[0].marked && !out[2].marked);
    }

    #[test]
    fn beside_ink_stays_asked_about_next_to_another_mark_or_when_thin_or_passing() {
        let tick = BoxFeatures {
            inner: 80,
            core: 60,
            ..BoxFeatures::default()
        };
        // Another box of the same question holds a mark: the ink may be its overrun.
        let b = boxes(&[0, 0]);
        let mut out: Vec<BoxReading> = [tick, beside(30, 34)].into_iter().map(classify).collect();
        beside_alone_read_as_chosen(&b, &mut out);
        assert_eq!(out[1].doubt, Some(Doubt::Beside), "{:?}", out[1]);
        // In another question it is not.
        let b = boxes(&[0, 1]);
        let mut out: Vec<BoxReading> = [tick, beside(30, 34)].into_iter().map(classify).collect();
        beside_alone_read_as_chosen(&b, &mut out);
        assert!(out[1].marked && out[1].doubt.is_none(), "{:?}", out[1]);
        // Too little tick-like ink (dashes of a streak are narrow), or mostly passing ink.
        let b = boxes(&[0]);
        for f in [
            beside(10, 34),
            BoxFeatures {
                close_tick: 4,
                ..beside(30, 34)
            },
            beside(30, 80),
            // The box's own side, moved out of place by a line error.
            BoxFeatures {
                close_side: 30,
                ..beside(30, 34)
            },
        ] {
            let mut out = vec![classify(f)];
            beside_alone_read_as_chosen(&b, &mut out);
            assert_eq!(out[0].doubt, Some(Doubt::Beside), "{:?}", out[0]);
        }
    }

    fn weak(inner: u32, core: u32, near: u32, close: u32, runs: u32) -> BoxFeatures {
        BoxFeatures {
            inner_area: 400,
            inner,
            // A light tick's ink, not a dot's.
            inner_span: 12,
            inner_piece_span: 12,
            inner_thin: 9,
            core,
            near,
            close,
            runs_label: runs,
            ..Default::default()
        }
    }

    #[test]
    fn weak_ink_in_a_box_whose_outline_a_line_error_broke_stays_asked_about() {
        // A light tick whose box shows `own` of its outline, between two empty boxes of the
        // same question that show `others`: the tick's reading after the pass.
        let read = |own: f32, others: f32| {
            let b = boxes(&[0, 0, 0]);
            let other = BoxFeatures {
                outline: others,
                ..Default::default()
            };
            let tick = BoxFeatures {
                outline: own,
                ..weak(30, 20, 0, 0, 0)
            };
            let mut out = classified(&[other, tick, other]);
            weak_alone_read_as_chosen(&b, &mut out);
            out[1]
        };
        // Its sides found as well as the page's other boxes': read.
        let r = read(0.9, 0.95);
        assert!(r.marked && r.doubt.is_none(), "{r:?}");
        // A third of its outline missing where the others are whole: asked about.
        assert_eq!(read(0.6, 0.95).doubt, Some(Doubt::Unsure));
        // On a light page every box's outline is broken as much: read.
        let r = read(0.6, 0.65);
        assert!(r.marked && r.doubt.is_none(), "{r:?}");
    }

    #[test]
    fn a_weak_mark_alone_in_its_question_is_read_when_its_ink_is_a_pens() {
        let b = boxes(&[0, 0, 0]);
        for f in [
            // A light tick clear of the sides.
            weak(30, 20, 0, 0, 0),
            // A light check whose tail leaves the box once.
            weak(30, 5, 20, 15, 1),
        ] {
            let mut out = classified(&[BoxFeatures::default(), f, BoxFeatures::default()]);
            assert_eq!(out[1].doubt, Some(Doubt::Unsure), "{:?}", out[1]);
            weak_alone_read_as_chosen(&b, &mut out);
            assert!(out[1].marked && out[1].doubt.is_none(), "{:?}", out[1]);
        }
        for f in [
            // Slivers along the printed sides.
            weak(30, 5, 0, 0, 0),
            // Ink round the box that does not touch it.
            weak(30, 20, 20, 0, 0),
            // A line crossing the sides again and again.
            weak(30, 20, 40, 15, 3),
            // A dot or a blot of speckle in the middle, no more than 0.9 mm either way.
            BoxFeatures {
                inner_span: DOT_SPAN,
                inner_piece_span: DOT_SPAN,
                ..weak(30, 20, 0, 0, 0)
            },
            // Blots of fax speckle hanging from the top side, apart as a stroke's ends but
            // each a dot (a drafted layout's harsh night: read ticked unasked).
            BoxFeatures {
                inner_piece_span: DOT_SPAN / 2,
                ..weak(30, 20, 0, 0, 0)
            },
        ] {
            let mut out = vec![classify(f)];
            weak_alone_read_as_chosen(&boxes(&[0]), &mut out);
            assert_eq!(out[0].doubt, Some(Doubt::Unsure), "{:?}", out[0]);
        }
        // Beside another mark of its question it stays with a person.
        let sure = weak(120, 100, 0, 0, 0);
        let mut out: Vec<BoxReading> = [sure, weak(30, 20, 0, 0, 0)]
            .into_iter()
            .map(classify)
            .collect();
        weak_alone_read_as_chosen(&boxes(&[0, 0]), &mut out);
        assert_eq!(out[1].doubt, Some(Doubt::Unsure), "{:?}", out[1]);
    }

    #[test]
    fn a_struck_mark_beside_a_single_choice_questions_one_sure_answer_is_taken_back() {
        let struck = BoxFeatures {
            inner_area: 400,
            inner: 150,
            core: 90,
            near: 130,
            close: 90,
            runs_bare: 1,
            runs_label: 2,
            beyond_label: 1.0,
            beyond_bare: 0.3,
            ..Default::default()
        };
        let tick = weak(100, 80, 0, 0, 0);
        let read = |fs: &[BoxFeatures], single: bool| {
            let b = boxes(&vec![0; fs.len()]);
            let mut out: Vec<BoxReading> = fs.iter().copied().map(classify).collect();
            assert_eq!(out[0].doubt, Some(Doubt::Correction), "{:?}", out[0]);
            taken_back_beside_one_answer(&b, |_| true, |_| single, &mut out);
            out
        };
        let out = read(&[struck, tick, BoxFeatures::default()], true);
        assert!(!out[0].marked && out[0].doubt.is_none(), "{:?}", out[0]);
        assert!(out[1].marked && out[1].doubt.is_none());
        // Not in a multi-choice question, nor with no other answer or two of them.
        for (fs, single) in [
            (vec![struck, tick], false),
            (vec![struck, BoxFeatures::default()], true),
            (vec![struck, tick, tick], true),
        ] {
            let out = read(&fs, single);
            assert_eq!(out[0].doubt, Some(Doubt::Correction), "{:?}", out[0]);
        }
        // Nor a heavy mark whose ink runs on over its label only: perhaps a second answer.
        let tail = BoxFeatures {
            runs_bare: 0,
            beyond_bare: 0.0,
            ..struck
        };
        let out = read(&[tail, tick], true);
        assert_eq!(out[0].doubt, Some(Doubt::Correction), "{:?}", out[0]);
        // Nor a cross drawn big over the box, out at its four corners and at no side's
        // middle (a drafted layout's night: read as taken back beside a tick, no row).
        for corners in [3, 4] {
            let cross = BoxFeatures {
                corners,
                enclosed: false,
                ..struck
            };
            let out = read(&[cross, tick], true);
            assert_eq!(out[0].doubt, Some(Doubt::Correction), "{:?}", out[0]);
        }
        // A line struck through at a slant, out at two opposite corners: taken back.
        let slant = BoxFeatures {
            corners: 2,
            enclosed: false,
            ..struck
        };
        let out = read(&[slant, tick], true);
        assert!(!out[0].marked && out[0].doubt.is_none(), "{:?}", out[0]);
        // Nor a box with no label beside it (a grid's cell): still asked about.
        let b = boxes(&[0, 0, 0]);
        let mut out: Vec<BoxReading> = [struck, tick, BoxFeatures::default()]
            .into_iter()
            .map(classify)
            .collect();
        taken_back_beside_one_answer(&b, |k| k != 0, |_| true, &mut out);
        assert_eq!(out[0].doubt, Some(Doubt::Correction), "{:?}", out[0]);
    }

    /// `lone` (ink a box alone reads blank with no doubt) is asked about as `doubt` when
    /// its question is otherwise empty; beside a mark of the same question it is left, and
    /// so is `short` (the same ink below the bar).
    fn asked_about_only_alone(lone: BoxFeatures, short: BoxFeatures, doubt: Doubt) {
        assert_eq!(classify(lone).doubt, None);
        let tick = BoxFeatures {
            inner: 80,
            core: 60,
            ..BoxFeatures::default()
        };
        let b = boxes(&[0, 0, 1]);
        let mut out = classified(&[BoxFeatures::default(), lone, tick]);
        lone_ink_asked_about(&b, &mut out);
        assert_eq!(out[1].doubt, Some(doubt), "{:?}", out[1]);
        assert!(!out[1].marked && out[0].doubt.is_none());
        let b = boxes(&[0, 0]);
        for fs in [[tick, lone], [BoxFeatures::default(), short]] {
            let mut out = classified(&fs);
            lone_ink_asked_about(&b, &mut out);
            assert_eq!(out[1].doubt, None, "{:?}", out[1]);
        }
    }

    #[test]
    fn weak_ink_on_a_label_is_asked_about_only_in_an_unanswered_question() {
        let on_label = |ink: u32| BoxFeatures {
            label_ink: Some(ink),
            ..BoxFeatures::default()
        };
        // Too little for a box alone, enough in an unanswered question.
        asked_about_only_alone(
            on_label(LABEL_TICK_ALONE),
            on_label(LABEL_TICK_ALONE - 1),
            Doubt::OverLabel,
        );
    }

    #[test]
    fn weak_ink_in_an_unlabelled_box_s_cell_is_asked_about_only_in_an_unanswered_question() {
        let in_cell = |ink: u32| BoxFeatures {
            cell_ink: Some(ink),
            ..BoxFeatures::default()
        };
        asked_about_only_alone(
            in_cell(CELL_TICK_ALONE),
            in_cell(CELL_TICK_ALONE - 1),
            Doubt::InCell,
        );
    }

    #[test]
    fn a_tick_hugging_an_empty_box_is_asked_about_only_in_an_unanswered_question() {
        // Tick-like ink beside the box that never crosses its sides: read blank alone.
        let beside = BoxFeatures {
            close: 21,
            close_compact: 21,
            close_tick: 15,
            ..BoxFeatures::default()
        };
        let no_tick = BoxFeatures {
            close_tick: 0,
            ..beside
        };
        asked_about_only_alone(beside, no_tick, Doubt::Beside);
    }
}

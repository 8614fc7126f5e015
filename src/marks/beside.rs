//! A mark made just beside a box rather than in it, read as a person reads it: when it is
//! the only mark of its question, it is that box's answer.
//!
//! On faxes the project did not make, ticks beside an empty box were the largest share of
//! boxes asked about ([`Doubt::Beside`]); where nothing else in the question was marked or
//! in doubt, every one with a tick's worth of ink was a chosen mark. Beside another mark of
//! the same question the same ink is as often that mark's overrun or a circle's arc, so
//! those stay with a person.

use super::decide::{BoxReading, Doubt};
use super::params::*;
use crate::register::BoxModel;

/// Reads as chosen each box asked about for ink beside it whose hugging ink is mostly
/// tick-like pieces (see [`BESIDE_TICK`]) and whose question has no other box marked or
/// in doubt on this page. Run after every pass that may clear or add a doubt beside a box
/// (neighbours' marks, circles round labels).
pub fn beside_alone_read_as_chosen(boxes: &[BoxModel], out: &mut [BoxReading]) {
    let lone: Vec<usize> = (0..out.len())
        .filter(|&k| {
            let f = out[k].features;
            out[k].doubt == Some(Doubt::Beside)
                && f.close_tick >= BESIDE_TICK
                && f.close_tick * 2 >= f.close
        })
        .filter(|&k| {
            (0..out.len()).all(|j| {
                j == k
                    || boxes[j].question != boxes[k].question
                    || (!out[j].marked && out[j].doubt.is_none())
            })
        })
        .collect();
    for k in lone {
        out[k].marked = true;
        out[k].doubt = None;
        out[k].confidence = 0.6;
    }
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

    fn beside(tick: u32, close: u32) -> BoxFeatures {
        BoxFeatures {
            inner_area: 400,
            near: close * 2,
            close,
            close_compact: tick,
            close_tick: tick,
            runs_left: 1,
            around: 0.15,
            ..Default::default()
        }
    }

    #[test]
    fn a_tick_beside_the_only_marked_box_of_its_question_is_its_answer() {
        let b = boxes(&[0, 0, 0]);
        let mut out: Vec<BoxReading> = [
            BoxFeatures::default(),
            beside(30, 34),
            BoxFeatures::default(),
        ]
        .into_iter()
        .map(classify)
        .collect();
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
        ] {
            let mut out = vec![classify(f)];
            beside_alone_read_as_chosen(&b, &mut out);
            assert_eq!(out[0].doubt, Some(Doubt::Beside), "{:?}", out[0]);
        }
    }
}

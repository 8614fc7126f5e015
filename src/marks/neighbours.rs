//! Ink beside an empty box that is part of a neighbouring box's mark: the tail of a tick
//! made in the box below, the arc of a ring drawn round the box above. On faxes the
//! project did not make, these were most of the "ink beside an empty box" asked about
//! where nobody had marked anything.

use super::decide::{BoxReading, Doubt};
use super::excess::{Excess, Explained, PageView, Piece};
use super::params::*;
use crate::geometry::Rect;
use crate::register::{BoxModel, Registration};

/// A registered page's boxes and what is printed round them: what the passes that look
/// at neighbouring boxes' ink read.
#[derive(Clone, Copy)]
pub struct Neighbours<'a> {
    pub img: &'a PageView<'a>,
    pub reg: &'a Registration,
    pub boxes: &'a [BoxModel],
    pub explained: &'a Explained,
}

impl Neighbours<'_> {
    /// Where box `k`'s neighbours are looked for: its rectangle grown by
    /// [`NEIGHBOUR_LOOK`] of its size.
    fn window(&self, k: usize) -> Rect {
        let r = self.boxes[k].rect;
        r.inflate(r.w.max(r.h) * NEIGHBOUR_LOOK)
    }

    /// The ink in `window` (see [`Neighbours::window`]) that the print round box `k`
    /// does not explain, in pieces.
    fn ink(&self, k: usize, window: Rect) -> Excess {
        Excess::sample(self.img, self.reg, k, self.explained, window, true, SPECKLE)
    }
}

/// Clears the [`Doubt::Beside`] of box `k` when every piece of ink hugging it also
/// reaches into a neighbour read surely as marked, or encloses that neighbour's centre
/// (a ring round it), and none encloses this box's own centre (a ring round this box,
/// however partial, is this box's mark).
pub fn beside_explained_by_neighbours(page: &Neighbours, out: &mut [BoxReading]) {
    let boxes = page.boxes;
    for k in 0..out.len() {
        if out[k].doubt != Some(Doubt::Beside) {
            continue;
        }
        let r = boxes[k].rect;
        let window = page.window(k);
        let marked = marked_near(boxes, out, k, &window, |o| o.doubt.is_none());
        if marked.is_empty() {
            continue;
        }
        let e = page.ink(k, window);
        let close = r.inflate(r.w.max(r.h) / 3);
        let inside = r.inflate(-1);
        let own_centre = r.center();
        let mut hugging = 0;
        let mut explained_pieces = 0;
        for piece in e.pieces_at() {
            if piece.count_in(&close, &inside) == 0 {
                continue;
            }
            hugging += 1;
            let (x0, y0, x1, y1) = piece.bounds;
            let encloses = |(cx, cy): (f32, f32)| {
                x0 as f32 <= cx && cx <= x1 as f32 && y0 as f32 <= cy && cy <= y1 as f32
            };
            if encloses(own_centre) {
                break;
            }
            // A stroke out of a neighbour is cut from the ink inside it by the printed
            // side it crosses: reaching that side is reaching the mark.
            let neighbours = marked.iter().any(|&j| {
                let rj = boxes[j].rect;
                let side = rj.inflate(EXPLAIN_GROW + 1);
                encloses(rj.center())
                    || (out[j].features.inner >= INNER_MARK && piece.reaches(&side))
            });
            if !neighbours {
                break;
            }
            explained_pieces += 1;
        }
        if hugging > 0 && explained_pieces == hugging {
            out[k].doubt = None;
            out[k].confidence = 0.6;
        }
    }
}

/// Sends to a person box `k` read surely as marked when every piece of the ink inside
/// comes in across its printed sides and a stroke outside runs from its sides to the side
/// of a neighbour read as marked with more ink inside: the long arm of a big tick or
/// cross made in the neighbour, drawn on across this box. A person cannot tell that from
/// a second answer made with one stroke, and read alone it was a silent second answer
/// (rows of options close together: a grid, or labels before their boxes on two lines).
/// However much ink the arm leaves inside: a broad pen's arm across a grid's box holds as
/// much as a heavy mark of its own (two such on a fresh drafted night, read unasked).
pub fn inside_reached_from_neighbours(page: &Neighbours, out: &mut [BoxReading]) {
    let boxes = page.boxes;
    for k in 0..out.len() {
        let f = out[k].features;
        if !out[k].marked || out[k].doubt.is_some() || out[k].by_circle {
            continue;
        }
        let r = boxes[k].rect;
        let window = page.window(k);
        let fuller = marked_near(boxes, out, k, &window, |o| o.features.inner > f.inner);
        if fuller.is_empty() {
            continue;
        }
        let e = page.ink(k, window);
        let inside = r.inflate(-1);
        // A piece came in across the sides when it meets the printed ring (with the margin
        // that explains it), which cut it from the stroke outside.
        let at_ring = |&(x, y): &(i32, i32)| {
            [(1, 0), (-1, 0), (0, 1), (0, -1)]
                .iter()
                .any(|&(dx, dy)| page.explained.get(x + dx, y + dy))
        };
        let pieces = e.pieces_at();
        let (within, outside): (Vec<&Piece>, Vec<&Piece>) =
            pieces.iter().partition(|p| p.reaches(&inside));
        let came_in = !within.is_empty() && within.iter().all(|p| p.points.iter().any(at_ring));
        let side = r.inflate(EXPLAIN_GROW + 1);
        let bridged = outside.iter().any(|p| {
            p.reaches(&side)
                && fuller
                    .iter()
                    .any(|&j| p.reaches(&boxes[j].rect.inflate(EXPLAIN_GROW + 1)))
        });
        if came_in && bridged {
            out[k].doubt = Some(Doubt::Unsure);
            out[k].confidence = 0.3;
        }
    }
}

/// The boxes but `k` read as marked (not by a ring round their label) that lie in `window`
/// and whose reading passes `also`.
fn marked_near(
    boxes: &[BoxModel],
    out: &[BoxReading],
    k: usize,
    window: &Rect,
    also: impl Fn(&BoxReading) -> bool,
) -> Vec<usize> {
    (0..out.len())
        .filter(|&j| {
            j != k
                && out[j].marked
                && !out[j].by_circle
                && also(&out[j])
                && boxes[j].rect.intersects(window)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;
    use crate::marks::{classify_page, measure};
    use crate::raster::GrayImage;

    /// A pen line's ends.
    type Stroke = ((f32, f32), (f32, f32));

    /// Sets a 3-pixel-wide pen line from `a` to `b`.
    fn pen(img: &mut GrayImage, a: (f32, f32), b: (f32, f32)) {
        let n = ((b.0 - a.0).abs().max((b.1 - a.1).abs()) * 2.0) as i32;
        for k in 0..=n {
            let t = k as f32 / n as f32;
            let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            for d in -1..=1 {
                img.put_pixel(
                    x.round() as u32,
                    (y.round() as i32 + d) as u32,
                    image::Luma([0]),
                );
            }
        }
    }

    fn outline(img: &mut GrayImage, r: Rect) {
        for x in r.x..r.right() {
            img.put_pixel(x as u32, r.y as u32, image::Luma([0]));
            img.put_pixel(x as u32, (r.bottom() - 1) as u32, image::Luma([0]));
        }
        for y in r.y..r.bottom() {
            img.put_pixel(r.x as u32, y as u32, image::Luma([0]));
            img.put_pixel((r.right() - 1) as u32, y as u32, image::Luma([0]));
        }
    }

    /// Reads two boxes in a column (the upper empty) with `mark` drawn on the page.
    fn read(mark: &[Stroke]) -> Vec<BoxReading> {
        let (upper, lower) = (Rect::new(40, 40, 20, 20), Rect::new(40, 72, 20, 20));
        let mut reference = GrayImage::from_pixel(200, 200, image::Luma([255]));
        outline(&mut reference, upper);
        outline(&mut reference, lower);
        let mut page = reference.clone();
        for &(a, b) in mark {
            pen(&mut page, a, b);
        }
        let boxes: Vec<BoxModel> = [upper, lower]
            .iter()
            .enumerate()
            .map(|(i, r)| BoxModel::new(&reference, 0, i as u32 + 1, *r))
            .collect();
        let explained = Explained::new(&reference, EXPLAIN_GROW);
        let print = crate::marks::PrintNear::new(&reference);
        let view = PageView::clean(&page);
        let reg = Registration::identity();
        let features: Vec<_> = boxes
            .iter()
            .enumerate()
            .map(|(i, b)| measure(&view, &reg, i, b, Default::default(), &explained, &print))
            .collect();
        let mut out = classify_page(&boxes, &[None, None], &features);
        let page = Neighbours {
            img: &view,
            reg: &reg,
            boxes: &boxes,
            explained: &explained,
        };
        beside_explained_by_neighbours(&page, &mut out);
        inside_reached_from_neighbours(&page, &mut out);
        out
    }

    /// A tick in the lower box, its arm ending below the upper box.
    const BELOW: [Stroke; 2] = [((43.0, 80.0), (49.0, 88.0)), ((49.0, 88.0), (57.0, 75.0))];

    #[test]
    fn the_arm_of_a_big_tick_below_drawn_across_the_box_above_is_asked_about() {
        // A big tick in the lower box whose long arm runs on up across the upper box's
        // inside: one mark, or a second answer made with the same stroke.
        // (The test pen is thin across a steep line: the arm is drawn three times side by
        // side.)
        let tick = [
            ((42.0, 82.0), (48.0, 90.0)),
            ((48.0, 90.0), (53.0, 44.0)),
            ((49.0, 90.0), (54.0, 44.0)),
            ((50.0, 90.0), (55.0, 44.0)),
        ];
        let out = read(&tick);
        assert!(out[1].marked && out[1].doubt.is_none(), "{:?}", out[1]);
        assert!(out[0].features.inner >= WEAK_MARK, "{:?}", out[0]);
        assert_eq!(out[0].doubt, Some(Doubt::Unsure), "{:?}", out[0]);
        // Its own tick in the upper box, clear of a tick below, is read alone.
        let two = [
            BELOW[0],
            BELOW[1],
            ((43.0, 50.0), (48.0, 56.0)),
            ((48.0, 56.0), (56.0, 44.0)),
        ];
        let out = read(&two);
        assert!(out[0].marked && out[0].doubt.is_none(), "{:?}", out[0]);
        assert!(out[1].marked && out[1].doubt.is_none(), "{:?}", out[1]);
    }

    #[test]
    fn a_heavy_arm_of_a_big_cross_below_drawn_across_the_box_above_is_asked_about() {
        // A cross made with a broad pen in the lower box, one arm running on up across the
        // upper box: as much ink inside the upper box as a heavy mark of its own (a grid
        // of options, a fresh drafted layout's night: read ticked unasked).
        let mut cross = Vec::new();
        for k in 0..9 {
            let d = k as f32;
            cross.push(((41.0 + d, 74.0), (47.0 + d, 42.0)));
            if k < 6 {
                cross.push(((42.0 + d, 74.0), (52.0 + d, 90.0)));
                cross.push(((52.0 + d, 74.0), (42.0 + d, 90.0)));
            }
        }
        let out = read(&cross);
        assert!(out[1].marked && out[1].features.inner > out[0].features.inner);
        assert!(out[0].features.inner >= HEAVY_INNER, "{:?}", out[0]);
        assert_eq!(out[0].doubt, Some(Doubt::Unsure), "{:?}", out[0]);
    }

    #[test]
    fn the_tail_of_a_tick_in_the_box_below_is_not_asked_about() {
        // A tick in the lower box whose long arm runs up past the upper box's corner.
        let tick = [((43.0, 80.0), (49.0, 88.0)), ((49.0, 88.0), (64.0, 56.0))];
        let out = read(&tick);
        assert!(out[1].marked && out[1].doubt.is_none(), "{:?}", out[1]);
        assert!(!out[0].marked && out[0].doubt.is_none(), "{:?}", out[0]);
    }

    #[test]
    fn a_mark_made_beside_the_upper_box_is_still_asked_about() {
        // A tick below, and a separate tick just right of the upper box.
        let marks = [
            BELOW[0],
            BELOW[1],
            ((63.0, 48.0), (66.0, 53.0)),
            ((66.0, 53.0), (72.0, 42.0)),
        ];
        let out = read(&marks);
        assert!(out[1].marked, "{:?}", out[1]);
        assert_eq!(out[0].doubt, Some(Doubt::Beside), "{:?}", out[0]);
    }
}

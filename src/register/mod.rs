//! Register: where each checkbox of the template lies on the page.
//!
//! Identification gives a global fit from row and column profiles. Here every box is looked
//! for near its predicted place by matching its printed ring, because fax paper feed
//! stretches pages unevenly and line errors shift bands of rows; where the ring does not
//! show, by the printing beside it ([`printing`]). An affine through the
//! boxes found (refused where they cannot determine one) carries the page; what is left
//! of each box's offset is taken from the boxes found on its line ([`field`]). A box keeps
//! its own found place only when its neighbours agree, so a box under a big mark cannot
//! drift onto its label; one found where its neighbours say it cannot be is reported.

mod field;
mod fit;
mod printing;
mod rings;
mod search;

pub use rings::{BoxModel, PageBoxes};

use crate::geometry::Affine;
use crate::raster::GrayImage;
use field::{Anchor, Field};
use fit::{PointPair, robust_fit};
use rings::Window;

/// Registration constants: distances in mm, converted to template pixels at the working
/// resolution, and ring-match scores (share of ring pixels inked less share of halo).
mod defs {
    use crate::normalise::{px_dist, px_len};
    /// Local search radius around a box's predicted place (1.6 mm): a few rows dropped
    /// by a line error move a band of boxes past a millimetre.
    pub const SEARCH: i32 = px_len(1.65);
    /// A found box agrees with its neighbours within this distance (0.3 mm).
    pub const AGREE_PX: f64 = px_dist(0.3175);
    /// Boxes farther than this from a first fit are left out of it (a line error of a few
    /// rows moves a band of boxes this far).
    pub const FIT_TOLERANCE_PX: f64 = px_dist(0.9525);
    /// A box counts as found by its ring above this score, and the fit is made from such.
    pub const FOUND_SCORE: f32 = 0.45;
    /// Above this score a box is a candidate that counts when its neighbours agree: thin
    /// box lines break up on light faxes.
    pub const WEAK_SCORE: f32 = 0.25;
    /// A box not found is placed from the boxes found within this height (6 mm); farther,
    /// whatever moved its line may not have moved theirs.
    pub const PREDICT_REACH_PX: f64 = px_dist(6.096);
    /// Found boxes farther than this on average (root mean square) from where the others
    /// put them mean the page bends in ways the prediction does not follow. (Heights, here
    /// and in [`AGREE_PX`], are counted in received rows: see [`super::register`].)
    pub const MAX_RMS_PX: f64 = px_dist(0.1905);
    /// A fresh placement may fit the page's printing by this share less than the first
    /// and still be taken (the first may be a little off: that is why it is redone).
    pub const PRINTING_SLACK: f64 = 0.02;
    /// Fewest boxes found (and three in four of the page's) to confirm a weak
    /// identification: a sparse page (a few questions, five boxes) shares too little ink
    /// with a noisy fax to clear the score, and a mark may hide one box's ring.
    pub const CONFIRM_MIN_BOXES: usize = 4;
    /// Below this share of a page's boxes found by their rings, the fit they agree on is
    /// itself in doubt (see [`super::Registration::outvoted`]). On the independent corpora
    /// as sent, 1 page of 350 falls below it; refaxed through synth's chains, 8 of 694.
    pub const FOUND_SHARE_MIN: f64 = 0.5;
    /// The printing matched beside a box whose ring does not show: what lies within
    /// this distance across (12 mm: a label of a few characters either side) and down
    /// (1.5 mm: its own line of print) of the box.
    pub const BESIDE_REACH: (i32, i32) = (px_len(12.0), px_len(1.5));
    /// Fewest printing samples (one pixel in nine of the form's ink) for a match.
    pub const BESIDE_MIN_POINTS: usize = 30;
    /// The printing beside a box places it when this share of its samples lies on ink
    /// (grown by a pixel) at the best shift within [`SEARCH`] ...
    pub const BESIDE_SHARE: f32 = 0.85;
    /// ... and at every shift [`BESIDE_APART`] or more from it, at least this share less.
    /// On indep-hodanren-a's boxes found by their rings (5,151), the printing so matched
    /// (4,491 of them) put 97 % within a pixel of the ring and 8 three or more pixels
    /// (0.4 mm) from it, as strict bars did (0.9, 0.3: 6 of 3,428). Matches sharing
    /// 0.75-0.85 were as close on harsh refaxed hodanren nights (746 boxes, 0.4-1.1 %
    /// three pixels off), but taken from 0.75 one box under a mark made beside it was
    /// read blank unasked (rhh rx000104): the bar stays at 0.85.
    pub const BESIDE_MARGIN: f32 = 0.2;
    pub const BESIDE_APART: i32 = px_len(0.635);
}
use defs::*;

/// How one box's place on the page was settled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Located {
    /// Its printed ring was found where its neighbours agree.
    Found,
    /// Its ring did not show, but the printing beside it (its label, the text around it)
    /// did, where its neighbours agree: a fax that all but erased hair-thin box lines
    /// keeps the heavier print of the labels.
    Printed,
    /// Not found (hidden under a mark, faded): placed from the boxes found near it;
    /// `nearest_dy` is how far away in height the nearest of them is (template pixels).
    Predicted { nearest_dy: f64 },
    /// A ring match was found where the boxes around it say the box cannot be; `ring_at`
    /// is that match's offset (as in [`Registration::offsets`]), the box being read where
    /// the others put it.
    Disputed { ring_at: (f64, f64) },
}

/// Where the template's boxes are on one page.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Template pixels -> page pixels, fitted through the found boxes.
    pub transform: Affine,
    /// Per box (same order as [`PageBoxes::boxes`]): extra shift in page pixels.
    pub offsets: Vec<(f64, f64)>,
    /// Per box: how its place was settled.
    pub located: Vec<Located>,
    /// Root-mean-square distance of the found boxes from where the others predict them,
    /// in pixels across and received rows down.
    pub rms: f64,
}

impl Registration {
    /// The page placed exactly on the template (tests that draw both).
    #[cfg(test)]
    pub fn identity() -> Registration {
        Registration {
            transform: Affine::translate(0.0, 0.0),
            offsets: vec![],
            located: vec![],
            rms: 0.0,
        }
    }

    /// Page position of template point `(x, y)` near box `i`.
    pub fn map(&self, i: usize, x: f64, y: f64) -> (f64, f64) {
        let (px, py) = self.transform.apply(x, y);
        let (dx, dy) = self.offsets.get(i).copied().unwrap_or((0.0, 0.0));
        (px + dx, py + dy)
    }

    /// How many boxes were found where their neighbours agree, by their ring or by the
    /// printing beside them.
    pub fn found(&self) -> usize {
        self.located
            .iter()
            .filter(|l| matches!(l, Located::Found | Located::Printed))
            .count()
    }

    /// How many boxes were found by their ring where their neighbours agree.
    pub fn found_by_ring(&self) -> usize {
        self.located
            .iter()
            .filter(|l| **l == Located::Found)
            .count()
    }

    fn disputed(&self) -> usize {
        self.located
            .iter()
            .filter(|l| matches!(l, Located::Disputed { .. }))
            .count()
    }

    /// Most boxes found where their neighbours agree: the start was good enough, and a
    /// single box disputed is a local matter (a mark over its ring).
    fn clean(&self) -> bool {
        self.found() * 4 >= self.located.len() * 3 && self.disputed() < 2 && self.rms <= MAX_RMS_PX
    }

    /// Some box not found could only be placed from boxes farther away in height than
    /// [`PREDICT_REACH_PX`]: the fit may be right where boxes were found and wrong
    /// between them. A page fed unevenly, fitted from its top, matched a column of boxes
    /// near its foot one box further down, every one agreeing with the next, and left
    /// the boxes between unfound (a fresh second-chain copy, chiba): worth the wide search.
    fn placed_from_afar(&self) -> bool {
        self.located.iter().any(
            |l| matches!(l, Located::Predicted { nearest_dy } if *nearest_dy > PREDICT_REACH_PX),
        )
    }

    fn better_than(&self, other: &Registration) -> bool {
        (self.found(), usize::MAX - self.disputed())
            > (other.found(), usize::MAX - other.disputed())
    }

    /// The boxes confirm that the page is of this template page: enough of them (a
    /// constellation of a few is met by chance) found by their rings where their
    /// neighbours agree, as on a cleanly registered page (see [`confirm`]).
    pub fn confirms_form(&self) -> bool {
        self.found_by_ring() >= CONFIRM_MIN_BOXES && self.clean()
    }

    /// Too few boxes were found to place any box from them: a fourth of the page's boxes,
    /// at least six (thin box lines fade on light faxes), but on a page of fewer all but
    /// one (a fill may hide a ring) and never fewer than three. A sparse page's five
    /// boxes, four of them found where they agree, were all sent to review before: on a
    /// harsh night of such a form (120 pages) 24.9 % of the cells went to review, 22.8 %
    /// since, none read wrong either way; the box not found is placed from the others and
    /// asked about on its own if they are far (see [`Registration::unsure`]).
    pub fn unreliable(&self) -> bool {
        let n = self.located.len();
        let need = (n / 4).max(6.min(n - 1)).max(3.min(n));
        n > 0 && (self.found() < need || self.rms.is_nan())
    }

    /// Fewer than [`FOUND_SHARE_MIN`] of the page's boxes were found by their rings: the
    /// ones found agree on a fit the rest of the page does not bear out. A page placed a
    /// few characters to the side (a wrong shift taken in the wide search) has rings
    /// matched on label characters (口, 保), consistently with each other and with nothing
    /// else; no reading of such a page is trusted alone.
    pub fn outvoted(&self) -> bool {
        let n = self.located.len();
        n > 0 && (self.found() as f64) < FOUND_SHARE_MIN * n as f64
    }

    /// The page as the template sees it: `width` x `height` template pixels, each taken
    /// from the page through the fitted transform (nearest pixel; paper beyond the page).
    pub fn template_view(&self, page: &GrayImage, width: u32, height: u32) -> GrayImage {
        GrayImage::from_fn(width, height, |x, y| {
            let (px, py) = self.transform.apply(x as f64, y as f64);
            let (xi, yi) = (px.round() as i64, py.round() as i64);
            let inside =
                xi >= 0 && yi >= 0 && (xi as u32) < page.width() && (yi as u32) < page.height();
            image::Luma([if inside {
                page.get_pixel(xi as u32, yi as u32).0[0]
            } else {
                255
            }])
        })
    }

    /// Box `i`'s ring was matched where the boxes around it say it cannot be.
    pub fn disputed_at(&self, i: usize) -> bool {
        matches!(self.located.get(i), Some(Located::Disputed { .. }))
    }

    /// The registration with box `i` read where its own ring matched, if that match was
    /// disputed by the boxes around it.
    pub fn at_own_ring(&self, i: usize) -> Option<Registration> {
        let Some(Located::Disputed { ring_at }) = self.located.get(i) else {
            return None;
        };
        let mut r = self.clone();
        r.offsets[i] = *ring_at;
        Some(r)
    }

    /// Box `i` (model `b`) was placed from its neighbours, and its printed ring does not
    /// show there: ring ink less the paper just outside it (on ink grown by a pixel, as
    /// the ring search scores a match) below [`WEAK_SCORE`].
    pub fn ring_missing(&self, page: &GrayImage, i: usize, b: &BoxModel) -> bool {
        if !matches!(self.located.get(i), Some(Located::Predicted { .. })) {
            return false;
        }
        let (dx, dy) = self.offsets.get(i).copied().unwrap_or((0.0, 0.0));
        let mut a = self.transform;
        a.c += dx;
        a.f += dy;
        rings::Window::new(page, b, &a, 1).is_some_and(|w| w.score(0, 0, true) < WEAK_SCORE)
    }

    /// Box `i`'s place is uncertain: its ring was found where the others say it cannot
    /// be, or it was placed from boxes too far away or on a page that bends.
    pub fn unsure(&self, i: usize) -> bool {
        match self.located.get(i) {
            Some(Located::Found | Located::Printed) => false,
            Some(Located::Predicted { nearest_dy }) => {
                *nearest_dy > PREDICT_REACH_PX || self.rms > MAX_RMS_PX
            }
            Some(Located::Disputed { .. }) | None => true,
        }
    }
}

/// Registers a page's boxes starting from the identification's global fit; if that leaves
/// boxes unfound or disputed, again from the scale and shift most boxes agree on within a
/// wide search, keeping whichever finds more.
///
/// `row_scale` is the page's rows per received row (about 2 for a standard-resolution
/// fax): a box's height on such a page is known only to a received row, so agreement
/// between boxes is judged in received rows vertically.
pub fn register(
    img: &GrayImage,
    boxes: &PageBoxes,
    initial: &Affine,
    row_scale: f32,
) -> Registration {
    let row = f64::from(row_scale).max(1.0);
    let first = register_from(img, boxes, *initial, row);
    if first.clean() && !first.placed_from_afar() {
        return first;
    }
    match search::consensus_start(img, boxes, initial, WEAK_SCORE) {
        Some(start) => {
            let second = register_from(img, boxes, start, row);
            // More boxes found is not enough: where the printed boxes are hair-thin and
            // the fax all but erased them, a column of label glyphs can agree on a wrong
            // shift. The new placement must also fit the page's own printing as well.
            let fits = boxes.printing_agreement(img, &second.transform)
                >= boxes.printing_agreement(img, &first.transform) - PRINTING_SLACK;
            if second.better_than(&first) && fits {
                second
            } else {
                first
            }
        }
        None => first,
    }
}

/// The page's boxes looked for where `initial` (a weak identification's fit) puts them,
/// without the wide search [`register`] falls back on: `Some` when they confirm the page
/// is of this template page ([`Registration::confirms_form`]).
pub fn confirm(
    img: &GrayImage,
    boxes: &PageBoxes,
    initial: &Affine,
    row_scale: f32,
) -> Option<Registration> {
    let r = register_from(img, boxes, *initial, f64::from(row_scale).max(1.0));
    r.confirms_form().then_some(r)
}

/// A box found on the page: its centre's page position, and its ring's match score or,
/// where the ring did not show, that the printing beside it placed it.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    at: (f64, f64),
    score: f32,
    by_printing: bool,
}

/// Boxes found, refined in rounds: fit through the boxes found, look again for the
/// others where the fit and their neighbours put them, until nothing changes.
fn register_from(img: &GrayImage, boxes: &PageBoxes, start: Affine, row: f64) -> Registration {
    let n = boxes.boxes.len();
    let centres: Vec<(f64, f64)> = boxes.boxes.iter().map(BoxModel::centre).collect();
    let mut cands: Vec<Option<Candidate>> = vec![None; n];
    // The printing beside each box, gathered when first needed (most boxes' rings show).
    let mut beside: Vec<Option<printing::Beside>> = Vec::new();
    beside.resize_with(n, || None);
    let mut transform = start;
    let mut settled = Settled::none(n);
    for _round in 0..4 {
        let mut changed = 0;
        for (i, b) in boxes.boxes.iter().enumerate() {
            if matches!(settled.located[i], Located::Found | Located::Printed) {
                continue;
            }
            let (ox, oy) = settled.offsets[i];
            let predicted = Affine::translate(ox, oy).then_after(&transform);
            let Some(w) = Window::new(img, b, &predicted, SEARCH) else {
                continue;
            };
            let (px, py) = predicted.apply(centres[i].0, centres[i].1);
            let (off, score) = w.best();
            let c = if score > WEAK_SCORE {
                Candidate {
                    at: (px + off.0, py + off.1),
                    score,
                    by_printing: false,
                }
            } else if let Some(m) = cands[i]
                // A ring matched strongly (if off where its neighbours put it, disputed)
                // says more about the box than its label: the printing does not replace it.
                .is_none_or(|c| c.by_printing || c.score <= FOUND_SCORE)
                .then(|| {
                    beside[i]
                        .get_or_insert_with(|| printing::Beside::of(boxes, i))
                        .locate(img, &predicted)
                })
                .flatten()
            {
                Candidate {
                    at: (px + m.0 as f64, py + m.1 as f64),
                    score: FOUND_SCORE,
                    by_printing: true,
                }
            } else {
                continue;
            };
            let moved = cands[i].is_none_or(|o| o.at != c.at);
            if moved {
                changed += 1;
                cands[i] = Some(c);
            }
        }
        let pairs = |min: f32, printed: bool| -> Vec<PointPair> {
            cands
                .iter()
                .zip(&centres)
                .filter_map(|(c, &t)| {
                    c.filter(|c| c.score > min || (printed && c.by_printing))
                        .map(|c| (t, c.at))
                })
                .collect()
        };
        let strong = pairs(FOUND_SCORE, false);
        let basis = if strong.len() >= 3 {
            strong
        } else {
            pairs(WEAK_SCORE, false)
        };
        if basis.is_empty() {
            break;
        }
        let by_rings = robust_fit(&basis, &transform, FIT_TOLERANCE_PX);
        // Rings matched on label glyphs (国, 口) a column over, where the fax all but
        // erased the real ones, bend the fit onto the labels; boxes placed by their
        // printing then say otherwise. Neither kind is right every time: the fit that
        // puts more of the form's printing on the page's ink is kept.
        let with_printing = pairs(FOUND_SCORE, true);
        transform = if with_printing.len() > basis.len() {
            let by_both = robust_fit(&with_printing, &transform, FIT_TOLERANCE_PX);
            if boxes.printing_agreement(img, &by_both) > boxes.printing_agreement(img, &by_rings) {
                by_both
            } else {
                by_rings
            }
        } else {
            by_rings
        };
        settled = settle(&cands, &centres, &transform, row);
        if changed == 0 {
            break;
        }
    }
    Registration {
        transform,
        offsets: settled.offsets,
        located: settled.located,
        rms: settled.rms,
    }
}

/// Each box's offset from the affine and how it was settled.
struct Settled {
    offsets: Vec<(f64, f64)>,
    located: Vec<Located>,
    rms: f64,
}

impl Settled {
    fn none(n: usize) -> Settled {
        Settled {
            offsets: vec![(0.0, 0.0); n],
            located: vec![
                Located::Predicted {
                    nearest_dy: f64::INFINITY
                };
                n
            ],
            rms: f64::NAN,
        }
    }
}

/// Which candidates agree with the boxes found around them (each judged by the others,
/// starting from those near the affine), and every box's offset from that. Distances are
/// measured with heights in received rows (`row` page rows each).
fn settle(cands: &[Option<Candidate>], centres: &[(f64, f64)], t: &Affine, row: f64) -> Settled {
    let residual = |i: usize| {
        cands[i].map(|c| {
            let (u, v) = t.apply(centres[i].0, centres[i].1);
            (c.at.0 - u, c.at.1 - v)
        })
    };
    let dist =
        |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + ((a.1 - b.1) / row).powi(2)).sqrt();
    let n = cands.len();
    let mut inlier: Vec<bool> = (0..n)
        .map(|i| residual(i).is_some_and(|r| dist(r, (0.0, 0.0)) <= FIT_TOLERANCE_PX))
        .collect();
    let field_of = |inlier: &[bool]| {
        Field::new(
            (0..n)
                .filter(|&i| inlier[i])
                .filter_map(|i| {
                    residual(i).map(|offset| Anchor {
                        index: i,
                        centre: centres[i],
                        offset,
                    })
                })
                .collect(),
        )
    };
    for _ in 0..3 {
        let field = field_of(&inlier);
        let next: Vec<bool> = (0..n)
            .map(|i| {
                residual(i).is_some_and(|r| {
                    let expected = field
                        .predict(centres[i], i)
                        .map_or((0.0, 0.0), |p| p.offset);
                    dist(r, expected) <= AGREE_PX
                })
            })
            .collect();
        if next == inlier {
            break;
        }
        inlier = next;
    }
    let field = field_of(&inlier);
    let mut out = Settled::none(n);
    let (mut sq, mut found) = (0.0, 0);
    for i in 0..n {
        let predicted = field.predict(centres[i], i);
        let expected = predicted.map_or((0.0, 0.0), |p| p.offset);
        if inlier[i] {
            let r = residual(i).unwrap_or_default();
            out.offsets[i] = r;
            out.located[i] = if cands[i].is_some_and(|c| c.by_printing) {
                Located::Printed
            } else {
                Located::Found
            };
            found += 1;
            sq += dist(r, expected).powi(2);
        } else {
            out.offsets[i] = expected;
            let strong = cands[i].is_some_and(|c| c.score > FOUND_SCORE);
            out.located[i] = if strong {
                Located::Disputed {
                    ring_at: residual(i).unwrap_or_default(),
                }
            } else {
                Located::Predicted {
                    nearest_dy: predicted.map_or(f64::INFINITY, |p| p.nearest_dy),
                }
            };
        }
    }
    if found > 0 {
        out.rms = (sq / found as f64).sqrt();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;

    /// A registration with `found` boxes found by their rings and `missed` placed from
    /// them.
    fn found_and_missed(found: usize, missed: usize) -> Registration {
        Registration {
            located: [
                vec![Located::Found; found],
                vec![Located::Predicted { nearest_dy: 0.0 }; missed],
            ]
            .concat(),
            ..Registration::identity()
        }
    }

    #[test]
    fn four_boxes_found_confirm_a_form_three_in_four_of_its_boxes() {
        let with = found_and_missed;
        // A sparse page's five boxes, all found or one hidden by a mark: its
        // constellation identifies it.
        assert!(with(5, 0).confirms_form());
        assert!(with(4, 1).confirms_form());
        // Three boxes are met by chance; three of five is not three in four.
        assert!(!with(3, 0).confirms_form());
        assert!(!with(3, 2).confirms_form());
        // On a page of more, three in four found, as on any clean page.
        assert!(with(6, 2).confirms_form());
        assert!(!with(5, 3).confirms_form());
    }

    #[test]
    fn a_small_page_is_placed_from_all_its_boxes_but_one() {
        let with = found_and_missed;
        // Five boxes: one may hide under a fill, two may not; three is the least.
        assert!(!with(4, 1).unreliable());
        assert!(with(3, 2).unreliable());
        assert!(with(2, 1).unreliable() && !with(3, 0).unreliable());
        // Seven and more: six, or a fourth of them.
        assert!(with(5, 2).unreliable() && !with(6, 1).unreliable());
        assert!(with(9, 31).unreliable() && !with(10, 30).unreliable());
    }

    /// A page of `rows` x 4 empty boxes (20 px, 2 px lines), every row 60 px apart.
    fn boxes_at(rows: i32, shift: impl Fn(i32, i32) -> (i32, i32)) -> (GrayImage, Vec<Rect>) {
        let mut img = GrayImage::from_pixel(900, 120 + rows as u32 * 60, image::Luma([255]));
        let mut rects = Vec::new();
        for r in 0..rows {
            for c in 0..4 {
                let rect = Rect::new(100 + c * 200, 80 + r * 60, 20, 20);
                rects.push(rect);
                let (dx, dy) = shift(rect.x, rect.y);
                ring_at(&mut img, rect.x + dx, rect.y + dy);
            }
        }
        (img, rects)
    }

    /// An empty box's ring, 20 px with 2 px lines, its top-left corner at `(x, y)`.
    fn ring_at(img: &mut GrayImage, x: i32, y: i32) {
        for dy in 0..20 {
            for dx in 0..20 {
                if dx < 2 || dy < 2 || dx >= 18 || dy >= 18 {
                    img.put_pixel((x + dx) as u32, (y + dy) as u32, image::Luma([0]));
                }
            }
        }
    }

    fn model(rects: &[Rect]) -> PageBoxes {
        let (reference, _) = boxes_at(rects.len() as i32 / 4, |_, _| (0, 0));
        PageBoxes {
            boxes: rects
                .iter()
                .enumerate()
                .map(|(i, r)| BoxModel::new(&reference, i, 1, *r))
                .collect(),
            printing: Vec::new(),
        }
    }

    #[test]
    fn boxes_below_a_line_error_are_followed_band_by_band() {
        // Rows dropped by a line error moved everything below y = 300 up by 6 px, and
        // identification's fit is 15 px off sideways: beyond the local search.
        let shift = |_x: i32, y: i32| (15, if y > 300 { -6 } else { 0 });
        let (page, rects) = boxes_at(8, shift);
        let boxes = model(&rects);
        let reg = register(&page, &boxes, &Affine::IDENTITY, 1.0);
        assert_eq!(reg.found(), rects.len(), "{:?}", reg.located);
        assert!(!reg.unreliable());
        for (i, r) in rects.iter().enumerate() {
            let (x, y) = reg.map(i, r.x as f64, r.y as f64);
            let (dx, dy) = shift(r.x, r.y);
            assert!(
                (x - (r.x + dx) as f64).abs() <= 1.0 && (y - (r.y + dy) as f64).abs() <= 1.0,
                "box {i} at ({x:.1}, {y:.1}), printed at ({}, {})",
                r.x + dx,
                r.y + dy
            );
            assert!(!reg.unsure(i));
        }
    }

    #[test]
    fn on_a_standard_resolution_page_heights_agree_to_a_received_row() {
        // Each received row is two page rows: boxes land up to a row off, neighbours
        // 4 px apart in height where the paper put them level.
        let shift = |x: i32, y: i32| (0, if (x / 200 + y / 60) % 2 == 0 { 0 } else { 4 });
        let (page, rects) = boxes_at(6, shift);
        let boxes = model(&rects);
        let fine = register(&page, &boxes, &Affine::IDENTITY, 1.0);
        assert!(fine.found() < rects.len(), "{:?}", fine.located);
        let standard = register(&page, &boxes, &Affine::IDENTITY, 2.0);
        assert_eq!(standard.found(), rects.len(), "{:?}", standard.located);
        assert!((0..rects.len()).all(|i| !standard.unsure(i)));
    }

    #[test]
    fn a_box_printed_off_its_neighbours_line_is_disputed_and_can_be_read_at_its_ring() {
        // One box of the second row sits 5 px lower than its neighbours put it.
        let odd = (300, 140);
        let shift = move |x: i32, y: i32| (0, if (x, y) == odd { 5 } else { 0 });
        let (page, rects) = boxes_at(3, shift);
        let boxes = model(&rects);
        let reg = register(&page, &boxes, &Affine::IDENTITY, 1.0);
        let k = rects
            .iter()
            .position(|r| (r.x, r.y) == odd)
            .expect("odd box");
        assert!(reg.disputed_at(k) && reg.unsure(k), "{:?}", reg.located[k]);
        let (_, y) = reg.map(k, odd.0 as f64, odd.1 as f64);
        assert!((y - odd.1 as f64).abs() <= 1.0, "read at {y:.1}");
        let own = reg.at_own_ring(k).expect("ring match kept");
        let (_, y) = own.map(k, odd.0 as f64, odd.1 as f64);
        assert!((y - (odd.1 + 5) as f64).abs() <= 1.0, "own ring at {y:.1}");
        assert!(reg.at_own_ring((k + 1) % rects.len()).is_none());
    }

    #[test]
    fn a_box_placed_from_its_neighbours_off_its_ring_is_told() {
        let (page, rects) = boxes_at(1, |_, _| (0, 0));
        let boxes = model(&rects);
        let placed = |located: Located, dx: f64| Registration {
            transform: Affine::IDENTITY,
            offsets: vec![(dx, 0.0); rects.len()],
            located: vec![located; rects.len()],
            rms: 0.0,
        };
        let predicted = Located::Predicted { nearest_dy: 0.0 };
        let b = &boxes.boxes[0];
        // On its ring, or a pixel off it: there.
        assert!(!placed(predicted, 0.0).ring_missing(&page, 0, b));
        assert!(!placed(predicted, 1.0).ring_missing(&page, 0, b));
        // On the paper beside it: not there.
        assert!(placed(predicted, 60.0).ring_missing(&page, 0, b));
        // A box found by its ring is not asked.
        assert!(!placed(Located::Found, 60.0).ring_missing(&page, 0, b));
    }

    #[test]
    fn millimetres_give_the_pixels_registration_was_calibrated_at() {
        let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert_eq!(SEARCH, 13);
        assert!(near(AGREE_PX, 2.5) && near(FIT_TOLERANCE_PX, 7.5));
        assert!(near(PREDICT_REACH_PX, 48.0) && near(MAX_RMS_PX, 1.5));
    }

    #[test]
    fn a_page_without_its_boxes_is_unreliable() {
        let (_, rects) = boxes_at(3, |_, _| (0, 0));
        let blank = GrayImage::from_pixel(900, 300, image::Luma([255]));
        let reg = register(&blank, &model(&rects), &Affine::IDENTITY, 1.0);
        assert_eq!(reg.found(), 0);
        assert!(reg.unreliable());
        assert!(reg.outvoted());
    }

    #[test]
    fn a_page_with_fewer_than_half_its_boxes_found_is_outvoted() {
        // Eight rows of four boxes; the page shows the rings of the first `rows` rows only.
        let (_, rects) = boxes_at(8, |_, _| (0, 0));
        let boxes = model(&rects);
        for (rows, outvoted) in [(3, true), (5, false)] {
            let (shown, _) = boxes_at(rows, |_, _| (0, 0));
            let mut page = GrayImage::from_pixel(900, 120 + 8 * 60, image::Luma([255]));
            image::imageops::replace(&mut page, &shown, 0, 0);
            let reg = register(&page, &boxes, &Affine::IDENTITY, 1.0);
            assert_eq!(reg.found(), rows as usize * 4, "{:?}", reg.located);
            assert!(!reg.unreliable(), "{rows} rows");
            assert_eq!(reg.outvoted(), outvoted, "{rows} rows");
        }
    }
    /// A page of `rows` x 4 boxes as [`boxes_at`] draws them, each with a label of six
    /// made-up characters to its right (strokes at random, the same on every call),
    /// moved by `shift`; `rings`: whether the boxes' rings are drawn too.
    fn labelled(rows: i32, shift: (i32, i32), rings: bool) -> (GrayImage, Vec<Rect>) {
        let (mut img, rects) = boxes_at(rows, |_, _| shift);
        if !rings {
            img = GrayImage::from_pixel(img.width(), img.height(), image::Luma([255]));
        }
        let mut state = 0x9e37_79b9_u32;
        let mut next = move |n: u32| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state % n) as i32
        };
        for r in &rects {
            for c in 0..6 {
                let (x0, y0) = (r.x + 28 + c * 22 + shift.0, r.y + shift.1);
                for _ in 0..4 {
                    let (across, at, from, len) = (next(2) == 0, next(18), next(10), 6 + next(12));
                    for t in 0..2 {
                        for k in 0..len.min(20 - from) {
                            let (x, y) = if across {
                                (x0 + from + k, y0 + at + t)
                            } else {
                                (x0 + at + t, y0 + from + k)
                            };
                            img.put_pixel(x as u32, y as u32, image::Luma([0]));
                        }
                    }
                }
            }
        }
        (img, rects)
    }

    /// The boxes at `rects` of the blank form `reference`, with its printing sampled.
    fn with_printing(reference: &GrayImage, rects: &[Rect]) -> PageBoxes {
        let models = rects
            .iter()
            .enumerate()
            .map(|(i, r)| BoxModel::new(reference, i, 1, *r))
            .collect();
        PageBoxes::with_printing(models, reference)
    }

    #[test]
    fn boxes_whose_rings_the_fax_erased_are_found_by_the_printing_beside_them() {
        let (reference, rects) = labelled(6, (0, 0), true);
        let boxes = with_printing(&reference, &rects);
        // The page's box lines faded away; its labels, moved 3 px right and 4 up, show.
        let (page, _) = labelled(6, (3, -4), false);
        let reg = register(&page, &boxes, &Affine::IDENTITY, 1.0);
        // (A label whose made-up strokes match themselves a few pixels off is not
        // distinct enough to place its box: its neighbours place it.)
        let printed = reg
            .located
            .iter()
            .filter(|l| **l == Located::Printed)
            .count();
        assert!(printed + 2 >= rects.len(), "{:?}", reg.located);
        assert!(!reg.unreliable() && !reg.outvoted());
        assert_eq!(reg.found_by_ring(), 0);
        for (i, b) in boxes.boxes.iter().enumerate() {
            let (cx, cy) = b.centre();
            let (x, y) = reg.map(i, cx, cy);
            assert!(
                (x - cx - 3.0).abs() <= 1.0 && (y - cy + 4.0).abs() <= 1.0,
                "box {i} at ({x}, {y})"
            );
        }
        // Neither rings nor labels: nothing to place the boxes by.
        let blank = GrayImage::from_pixel(page.width(), page.height(), image::Luma([255]));
        let reg = register(&blank, &boxes, &Affine::IDENTITY, 1.0);
        assert_eq!(reg.found(), 0);
        assert!(reg.unreliable());
    }

    #[test]
    fn rings_matched_on_label_glyphs_do_not_bend_the_page_onto_its_labels() {
        // Three rows of four labelled boxes, then five rows of one (a column of options).
        let lower = |x: i32, y: i32| y >= 80 + 3 * 60 - 10 && x >= 100 + 200 - 20;
        let keep_upper = |img: &mut GrayImage| {
            for y in 0..img.height() {
                for x in 0..img.width() {
                    if lower(x as i32, y as i32) {
                        img.put_pixel(x, y, image::Luma([255]));
                    }
                }
            }
        };
        let (mut reference, rects) = labelled(8, (0, 0), true);
        keep_upper(&mut reference);
        let rects: Vec<Rect> = rects.into_iter().filter(|r| !lower(r.x, r.y)).collect();
        let boxes = with_printing(&reference, &rects);
        // The page's top rows show their rings; below, the fax erased the rings and kept
        // the labels, and every other label opens with a ring-shaped glyph (国) 10 px
        // right of its box: those glyphs alone would shear the lower page onto them.
        let (mut page, _) = labelled(8, (0, 0), false);
        keep_upper(&mut page);
        let (rings, _) = boxes_at(3, |_, _| (0, 0));
        image::imageops::replace(&mut page, &rings, 0, 0);
        for r in rects
            .iter()
            .filter(|r| r.y >= 80 + 3 * 60 && (r.y - 80) % 120 == 60)
        {
            ring_at(&mut page, r.x + 10, r.y);
        }
        let reg = register(&page, &boxes, &Affine::IDENTITY, 1.0);
        for (i, b) in boxes.boxes.iter().enumerate() {
            let (cx, cy) = b.centre();
            let (x, y) = reg.map(i, cx, cy);
            assert!(
                ((x - cx).abs() <= 2.0 && (y - cy).abs() <= 2.0) || reg.unsure(i),
                "box {i} at ({x:.1}, {y:.1}), not ({cx}, {cy}): {:?}",
                reg.located[i]
            );
        }
    }
}

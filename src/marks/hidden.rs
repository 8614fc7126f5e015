//! Pen ink that the label's print hides: a tick made just beside a box, over the first
//! characters of its label. The grown reference ink ([`super::Explained`]) that keeps a
//! fax's thickened print from reading as a mark also swallows most of such a tick, so the
//! box read blank with no one asked (8 of 12 silent misreads on the project's own fax
//! corpora). Here the print is not grown away but compared: the page is aligned to the
//! reference's print locally, and ink two pixels off the print, or ink thicker than a
//! pen line where the blank form has only a print edge, is pen ink the form does not have.

use super::excess::{Excess, Explained, PageView, sample_page};
use super::params::*;
use crate::geometry::Rect;
use crate::raster::{GrayImage, each_set};
use crate::register::Registration;

/// Shifts tried either way in one axis by [`PrintFit`].
const NEAR_SIDE: usize = (2 * HIDDEN_SHIFT + 1) as usize;

/// How far each template pixel is from the reference's print, up to [`PRINT_NEAR`]
/// pixels (Chebyshev distance), the print taken as every pixel darker than
/// [`PRINT_GREY`].
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PrintNear {
    /// The print itself.
    print: Explained,
    width: i32,
    height: i32,
    /// Each pixel's distance, row by row: read once per pixel where a search through
    /// maps grown by each distance read up to [`PRINT_NEAR`] of them.
    #[serde(with = "crate::bits::bytes")]
    distance: Vec<u8>,
}

impl PrintNear {
    pub fn new(reference: &GrayImage) -> PrintNear {
        let mut print = reference.clone();
        for p in print.pixels_mut() {
            p[0] = if p[0] < PRINT_GREY { 0 } else { 255 };
        }
        let within: [Explained; PRINT_NEAR] =
            std::array::from_fn(|d| Explained::new(&print, d as i32));
        let (width, height) = (reference.width() as i32, reference.height() as i32);
        let mut distance = Vec::with_capacity((width * height).max(0) as usize);
        for y in 0..height {
            for x in 0..width {
                let d = (0..PRINT_NEAR).find(|&d| within[d].get(x, y));
                distance.push(d.unwrap_or(PRINT_NEAR) as u8);
            }
        }
        let [print, ..] = within;
        PrintNear {
            print,
            width,
            height,
            distance,
        }
    }

    /// Whether the maps are whole (a cached copy read back).
    pub fn consistent(&self) -> bool {
        self.print.consistent()
            && self.width >= 0
            && self.height >= 0
            && self.distance.len() == (self.width * self.height) as usize
    }

    /// Whether the blank form prints at `(x, y)`.
    pub(super) fn printed(&self, x: i32, y: i32) -> bool {
        self.print.get(x, y)
    }

    /// Distance to the print, [`PRINT_NEAR`] for that far or farther (and off the form).
    fn distance(&self, x: i32, y: i32) -> usize {
        if x >= 0 && y >= 0 && x < self.width && y < self.height {
            self.distance[(y * self.width + x) as usize] as usize
        } else {
            PRINT_NEAR
        }
    }
}

/// Ink near the print beside box `r` on the side of its label (see
/// [`super::BoxFeatures::hidden_far`] and [`super::BoxFeatures::hidden_thick`]).
pub(super) struct HiddenInk {
    pub far: u32,
    pub thick: u32,
}

/// The page's ink over a zone with room round it to move, and the reference's print
/// pixels in the zone as offsets into that ink: how much of the print the page inks when
/// moved by a shift is then one count over offsets.
pub(super) struct PrintUnderPage {
    /// The zone grown by the room to move, and the page's ink over it.
    win: Rect,
    ink: Vec<bool>,
    on_print: Vec<i32>,
}

impl PrintUnderPage {
    /// The page's ink over `zone` (template coordinates, box `i`'s registration) grown by
    /// `room` pixels across and down, and the print's pixels on every `row_step`th row of
    /// the zone.
    pub(super) fn new(
        page: &PageView,
        reg: &Registration,
        i: usize,
        zone: Rect,
        room: (i32, i32),
        row_step: usize,
        print: &PrintNear,
    ) -> PrintUnderPage {
        let win = Rect::new(
            zone.x - room.0,
            zone.y - room.1,
            zone.w + 2 * room.0,
            zone.h + 2 * room.1,
        );
        let (ink, _) = sample_page(page, reg, i, win, |_| &[]);
        // Every shift within the room keeps these inside the window, so a shift is an
        // offset into it.
        let mut on_print = Vec::new();
        for y in (zone.y..zone.bottom()).step_by(row_step) {
            let Some(row) = print.print.row(y) else {
                continue;
            };
            let (x0, x1) = (zone.x.max(0), zone.right().min(row.len() as i32));
            let first = (y - win.y) * win.w - win.x;
            if x0 >= x1 {
                continue;
            }
            let at = first + x0;
            each_set(&row[x0 as usize..x1 as usize], |k| {
                on_print.push(at + k as i32)
            });
        }
        PrintUnderPage { win, ink, on_print }
    }

    /// How many of the print's pixels the page covers with ink, moved by `(dx, dy)`
    /// (within the room).
    pub(super) fn covered(&self, dx: i32, dy: i32) -> usize {
        let off = dy * self.win.w + dx;
        self.on_print
            .iter()
            .filter(|&&k| self.ink[(k + off) as usize])
            .count()
    }

    /// [`PrintUnderPage::covered`] for every shift within [`HIDDEN_SHIFT`], indexed
    /// `[dy + HIDDEN_SHIFT][dx + HIDDEN_SHIFT]`: one pass over the print, each pixel's
    /// neighbourhood rows read once, instead of one pass per shift.
    fn covered_near(&self) -> [[usize; NEAR_SIDE]; NEAR_SIDE] {
        let m = HIDDEN_SHIFT;
        let mut counts = [[0usize; NEAR_SIDE]; NEAR_SIDE];
        for &k in &self.on_print {
            for (dy, row) in (-m..=m).zip(counts.iter_mut()) {
                let start = (k + dy * self.win.w - m) as usize;
                let near: &[bool; NEAR_SIDE] = self.ink[start..start + NEAR_SIDE]
                    .try_into()
                    .expect("within the room");
                for (c, &v) in row.iter_mut().zip(near) {
                    *c += usize::from(v);
                }
            }
        }
        counts
    }

    /// How many print pixels are counted.
    pub(super) fn print_pixels(&self) -> usize {
        self.on_print.len()
    }
}

/// The page's ink over a zone, moved by the shift that puts most of it on the reference's
/// print there: the registration is good to a pixel or two, and print that a fax moved by
/// one would otherwise read as ink off the print along every stroke.
pub(super) struct PrintFit<'p> {
    print: &'p PrintNear,
    /// The page's ink over the zone grown by one pixel more than [`HIDDEN_SHIFT`] (for
    /// the four neighbours of a shifted pixel).
    under: PrintUnderPage,
    shift: (i32, i32),
}

impl<'p> PrintFit<'p> {
    /// Fits the page's ink over `zone` (template coordinates, box `i`'s registration) to
    /// the print, the smallest shift of equals.
    pub(super) fn new(
        page: &PageView,
        reg: &Registration,
        i: usize,
        zone: Rect,
        print: &'p PrintNear,
    ) -> PrintFit<'p> {
        PrintFit::on_rows(page, reg, i, zone, print, 1)
    }

    /// As [`PrintFit::new`], the print looked at on every `row_step`th row of the zone:
    /// a zone many characters long has print enough on half its rows.
    pub(super) fn on_rows(
        page: &PageView,
        reg: &Registration,
        i: usize,
        zone: Rect,
        print: &'p PrintNear,
        row_step: usize,
    ) -> PrintFit<'p> {
        let m = HIDDEN_SHIFT;
        let under = PrintUnderPage::new(page, reg, i, zone, (m + 1, m + 1), row_step, print);
        let mut shifts: Vec<(i32, i32)> = (-m..=m)
            .flat_map(|dy| (-m..=m).map(move |dx| (dx, dy)))
            .collect();
        shifts.sort_by_key(|&(dx, dy)| dx.abs() + dy.abs());
        let counts = under.covered_near();
        let covered = |dx: i32, dy: i32| counts[(dy + m) as usize][(dx + m) as usize];
        let mut best = (shifts[0], covered(shifts[0].0, shifts[0].1));
        for &(dx, dy) in &shifts[1..] {
            let n = covered(dx, dy);
            if n > best.1 {
                best = ((dx, dy), n);
            }
        }
        PrintFit {
            print,
            under,
            shift: best.0,
        }
    }

    /// Whether the page, moved onto the print, has ink at template pixel `(x, y)` (of the
    /// zone, or within [`HIDDEN_SHIFT`] of it).
    pub(super) fn inked(&self, x: i32, y: i32) -> bool {
        let w = &self.under.win;
        let (lx, ly) = (x + self.shift.0 - w.x, y + self.shift.1 - w.y);
        lx >= 0 && ly >= 0 && lx < w.w && ly < w.h && self.under.ink[(ly * w.w + lx) as usize]
    }

    /// The page's ink moved onto the print as rows of a window, and the index in it of
    /// template pixel `(x, y)` (which must lie within [`HIDDEN_SHIFT`] + 1 of the zone):
    /// for loops over the zone that look at every pixel and its neighbours.
    fn window_at(&self, x: i32, y: i32) -> (&[bool], usize, usize) {
        let w = &self.under.win;
        let (lx, ly) = (x + self.shift.0 - w.x, y + self.shift.1 - w.y);
        (&self.under.ink, (ly * w.w + lx) as usize, w.w as usize)
    }

    /// Whether the page has ink at `(x, y)` and its four neighbours (as [`PrintFit::inked`]):
    /// thicker than the fringe a fax adds to print.
    pub(super) fn thick(&self, x: i32, y: i32) -> bool {
        self.inked(x, y)
            && self.inked(x - 1, y)
            && self.inked(x + 1, y)
            && self.inked(x, y - 1)
            && self.inked(x, y + 1)
    }

    /// Distance of template pixel `(x, y)` to the print, [`PRINT_NEAR`] for that far or
    /// farther.
    pub(super) fn distance(&self, x: i32, y: i32) -> usize {
        self.print.distance(x, y)
    }
}

/// What a look round box `i`'s label needs: the page, its registration, the box and its
/// label, the ink the blank form explains and its print.
pub(super) struct LabelLook<'a> {
    pub img: &'a PageView<'a>,
    pub reg: &'a Registration,
    pub i: usize,
    pub r: Rect,
    pub label: &'a Rect,
    pub explained: &'a Explained,
    pub print: &'a PrintNear,
}

impl<'a> LabelLook<'a> {
    /// The box's size (pixels), its longer side.
    pub(super) fn s(&self) -> i32 {
        self.r.w.max(self.r.h)
    }

    /// The ink the blank form does not explain over `rect` (see [`Excess::sample`]).
    pub(super) fn sample(&self, rect: Rect, drop_dots: bool, min_piece: usize) -> Excess {
        Excess::sample(
            self.img,
            self.reg,
            self.i,
            self.explained,
            rect,
            drop_dots,
            min_piece,
        )
    }

    /// The page fitted to the print over `zone` (see [`PrintFit::on_rows`]).
    fn fit(&self, zone: Rect, row_step: usize) -> PrintFit<'a> {
        PrintFit::on_rows(self.img, self.reg, self.i, zone, self.print, row_step)
    }
}

/// Measures the zone one box size wide beside the box on its label's side, a quarter box
/// above and below it.
pub(super) fn beside_label(look: &LabelLook) -> HiddenInk {
    let (r, label, s) = (&look.r, look.label, look.s());
    let x = if label.center().0 >= r.center().0 {
        r.right() + 1
    } else {
        r.x - s - 1
    };
    let zone = Rect::new(x, r.y - s / 4, s, r.h + s / 2);
    let fit = look.fit(zone, 1);
    let mut out = HiddenInk { far: 0, thick: 0 };
    for y in zone.y..zone.bottom() {
        for x in zone.x..zone.right() {
            // Ink first: most of the zone is paper, and the distance costs more to read.
            if !fit.inked(x, y) {
                continue;
            }
            let d = fit.distance(x, y);
            if !(1..=2).contains(&d) {
                continue;
            }
            // Two pixels off the print a fax's thickening rarely reaches; three and more
            // is unexplained ink, which the other features measure.
            if d == 2 {
                out.far += 1;
            }
            if fit.thick(x, y) {
                out.thick += 1;
            }
        }
    }
    out
}

/// [`super::BoxFeatures::label_ink`]: pen ink over the first words of the box's label,
/// [`LABEL_TICK_REACH`] box sizes of it at the characters' height, after fitting the page
/// to the print there. Ink two or more pixels off the print, and ink one or two off it
/// thicker than a print edge, is counted in each window one box size wide (about a
/// character); the largest count is the label's.
pub(super) fn over_label(look: &LabelLook) -> u32 {
    let (label, s) = (look.label, look.s());
    let reach = (LABEL_TICK_REACH * s as f32) as i32;
    let zone = Rect::new(label.x, label.y, label.w.min(reach).max(1), label.h.max(1));
    let fit = look.fit(zone, 2);
    let (ink, origin, stride) = fit.window_at(zone.x, zone.y);
    let (w, h) = (zone.w as usize, zone.h as usize);
    let tall = (LABEL_STREAK_SHARE * h as f32) as usize;
    let cols: Vec<u32> = (0..w)
        .map(|x| {
            let column = || (0..h).map(move |y| origin + y * stride + x);
            // A column inked down most of the characters' height is a fax streak (or a
            // character's upright); a tick's stroke crosses a column in a few rows.
            if column().filter(|&k| ink[k]).count() >= tall {
                return 0;
            }
            column()
                .enumerate()
                .filter(|&(_, k)| ink[k])
                .map(|(y, k)| {
                    let d = fit.distance(zone.x + x as i32, zone.y + y as i32);
                    // Two off and more the fax's thickening rarely reaches; a pixel of it
                    // that is also thick counts twice, as a pen line's middle.
                    let off = u32::from(d >= 2);
                    let thick = (1..PRINT_NEAR).contains(&d)
                        && ink[k - 1]
                        && ink[k + 1]
                        && ink[k - stride]
                        && ink[k + stride];
                    off + u32::from(thick)
                })
                .sum()
        })
        .collect();
    let win = (s as usize).clamp(1, cols.len());
    cols.windows(win).map(|c| c.iter().sum()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's box `r` and its label, looked at on `page`.
    fn looked<T>(page: &GrayImage, f: impl Fn(&LabelLook) -> T) -> T {
        let (refimg, r, label) = reference();
        let (explained, print) = (
            Explained::new(&refimg, EXPLAIN_GROW),
            PrintNear::new(&refimg),
        );
        let view = PageView::clean(page);
        f(&LabelLook {
            img: &view,
            reg: &Registration::identity(),
            i: 0,
            r,
            label: &label,
            explained: &explained,
            print: &print,
        })
    }

    /// A box at (40, 40), 20 px, and a glyph like 日 right of it, strokes 2 px wide, as
    /// printed label characters are at 200 dpi.
    fn reference() -> (GrayImage, Rect, Rect) {
        let mut img = GrayImage::from_pixel(160, 120, image::Luma([255]));
        let b = Rect::new(40, 40, 20, 20);
        let label = Rect::new(64, 38, 60, 24);
        let mut fill = |r: Rect| {
            for y in r.y..r.bottom() {
                for x in r.x..r.right() {
                    img.put_pixel(x as u32, y as u32, image::Luma([0]));
                }
            }
        };
        for (x, y, w, h) in [
            (40, 40, 20, 1),
            (40, 59, 20, 1),
            (40, 40, 1, 20),
            (59, 40, 1, 20),
            (66, 40, 18, 2),
            (66, 58, 18, 2),
            (66, 40, 2, 20),
            (82, 40, 2, 20),
            (66, 49, 18, 2),
        ] {
            fill(Rect::new(x, y, w, h));
        }
        (img, b, label)
    }

    fn measure_on(page: &GrayImage) -> HiddenInk {
        looked(page, beside_label)
    }

    fn assert_neither_count_reaches_its_bar(h: &HiddenInk) {
        assert!(
            h.far < HIDDEN_FAR && h.thick < HIDDEN_THICK,
            "{}/{}",
            h.far,
            h.thick
        );
    }

    #[test]
    fn a_thickened_or_shifted_print_is_not_hidden_ink() {
        let (refimg, ..) = reference();
        assert_eq!(measure_on(&refimg).far, 0);
        assert_neither_count_reaches_its_bar(&measure_on(&bolder(&refimg)));
        assert_neither_count_reaches_its_bar(&measure_on(&moved(&refimg)));
    }

    /// Thickened by a pixel all round, as a dark fax does.
    fn bolder(refimg: &GrayImage) -> GrayImage {
        let mut bold = refimg.clone();
        for y in 1..119 {
            for x in 1..159 {
                if refimg.get_pixel(x, y)[0] == 0 {
                    for (dx, dy) in [(0, 1), (1, 0), (0, -1), (-1, 0)] {
                        bold.put_pixel(
                            (x as i32 + dx) as u32,
                            (y as i32 + dy) as u32,
                            image::Luma([0]),
                        );
                    }
                }
            }
        }
        bold
    }

    /// Moved by two pixels right and one down.
    fn moved(refimg: &GrayImage) -> GrayImage {
        let mut moved = GrayImage::from_pixel(160, 120, image::Luma([255]));
        image::imageops::replace(&mut moved, refimg, 2, 1);
        moved
    }

    /// A pen line 3 px wide through `pts`.
    fn pen(page: &mut GrayImage, pts: &[(f32, f32)]) {
        for seg in pts.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            for k in 0..=60 {
                let t = k as f32 / 60.0;
                let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        page.put_pixel(
                            (x.round() as i32 + dx) as u32,
                            (y.round() as i32 + dy) as u32,
                            image::Luma([0]),
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_tick_over_the_first_character_is_hidden_ink() {
        let (mut page, ..) = reference();
        // A tick 3 px wide from the box's right side down and up across the glyph.
        pen(&mut page, &[(58.0, 50.0), (64.0, 58.0), (78.0, 34.0)]);
        let h = measure_on(&page);
        assert!(
            h.far >= HIDDEN_FAR && h.thick >= HIDDEN_THICK,
            "{}/{}",
            h.far,
            h.thick
        );
    }

    fn ink_over_label(page: &GrayImage) -> u32 {
        looked(page, over_label)
    }

    #[test]
    fn a_tick_on_the_label_away_from_the_box_is_pen_ink_over_it() {
        // Across the glyph's lower half, and on the label's paper after it, two box sizes
        // from the box.
        for pts in [
            [(68.0, 50.0), (72.0, 57.0), (86.0, 38.0)],
            [(92.0, 48.0), (96.0, 56.0), (106.0, 38.0)],
        ] {
            let (mut page, ..) = reference();
            pen(&mut page, &pts);
            let ink = ink_over_label(&page);
            assert!(ink >= LABEL_TICK_INK, "{pts:?}: {ink}");
        }
    }

    #[test]
    fn print_thickened_moved_or_crossed_by_a_streak_is_not_pen_ink_over_the_label() {
        let (refimg, ..) = reference();
        assert_eq!(ink_over_label(&refimg), 0);
        for page in [bolder(&refimg), moved(&refimg)] {
            let ink = ink_over_label(&page);
            assert!(ink < LABEL_TICK_INK / 2, "{ink}");
        }
        // A scanner's streak 2 px wide down the page, through the label's paper.
        let mut streak = refimg.clone();
        for y in 0..120 {
            for x in 100..102 {
                streak.put_pixel(x, y, image::Luma([0]));
            }
        }
        assert_eq!(ink_over_label(&streak), 0);
    }

    #[test]
    fn a_line_drawn_under_a_label_three_quarters_of_a_box_down_is_an_underline() {
        // The label's foot at y = 62, boxes 20 px: a hand's line under it drifts down as
        // far as this (synth draws one up to 0.56 box sizes down plus its width).
        let (mut page, ..) = reference();
        pen(&mut page, &[(62.0, 76.0), (124.0, 76.0)]);
        let line = looked(&page, super::super::underline::underlined);
        assert!(line.share >= 0.9, "{line:?}");
        // Its height measured: 76 (the pen's middle) is 0.7 box sizes under the foot.
        assert!((line.below - 0.7).abs() <= 0.1, "{line:?}");
        // A line a box and a half down is under nothing (the ring round an option below
        // passes there).
        let (mut page, ..) = reference();
        pen(&mut page, &[(62.0, 92.0), (124.0, 92.0)]);
        assert_eq!(
            looked(&page, super::super::underline::underlined).share,
            0.0
        );
    }
}

//! Identify: which template and which page a normalised page is, and which way up.
//!
//! Each template page is reduced to a 50 dpi ink map. A page's deskewed ink is matched to
//! it by row and column profiles (scale and shift in each direction, since fax paper feed
//! stretches pages), and the fit is judged by how much ink the two share in 2-D. The best
//! template page above [`MIN_SCORE`] wins; below it the page is of no known form.

use crate::geometry::Affine;
use crate::normalise::{InkMap, NormalPage};
use crate::template::Template;

/// A page matched to a template page.
#[derive(Debug, Clone)]
pub struct Identification {
    /// Index into the template list.
    pub template: usize,
    /// 1-based template page.
    pub page: usize,
    /// The page was upside down (already turned when this is returned).
    pub flipped: bool,
    /// Template pixels -> page pixels (page as normalised, after any flip).
    pub transform: Affine,
    /// Shared-ink F-measure of the fit, 0..1.
    pub score: f32,
}

/// Below this shared-ink score a page is of no known form...
pub const MIN_SCORE: f32 = 0.55;
/// ...unless it scores at least this and the template page's printed boxes are found on
/// it where the fit puts them (see `run::page`): a sparse form (a few lines of questions
/// and round boxes) shares too little ink for the score alone once marks and fax noise
/// are added, but its boxes in their constellation identify it as well as any ink. On
/// synthetic harsh nights of two sparse drafted layouts, pages of the form scored down to
/// 0.22 and covers up to 0.31. From 0.2, two more responses in 80 were saved there, but
/// every cover of a dense form's night went through a registration for nothing (4 % more
/// instructions on 35 hodanren pages): the bar stays here.
pub const CONFIRM_SCORE: f32 = 0.35;
/// An upright fit this good is not tried turned 180° (most faxes arrive upright).
pub const UPRIGHT_SURE: f32 = 0.8;
/// The scales a search tries along each axis, and how many of the best (scale, shift)
/// pairs per axis it judges in 2-D.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    /// Smallest scale on the coarse grid.
    pub min: f32,
    /// Coarse grid step of scale (the local search refines round each candidate to 0.1 %,
    /// reaching 1 % either way).
    pub step: f32,
    /// Steps of `step` above `min`.
    pub steps: usize,
    /// Profile matches per axis kept for the 2-D check: a form's regular columns of boxes
    /// and lines of text make a profile match well at a wrong scale with a matching wrong
    /// shift, and the wider the scales tried, the more such aliases.
    pub candidates: usize,
    /// The shifts tried at each scale are centred where the page's centre puts the
    /// template's: a sheet copied reduced about its centre moves the form's top and left
    /// by half of what it loses, more than the shifts alone reach at 80 %.
    pub centred: bool,
    /// When set, the scales across are searched only within this share of each candidate
    /// scale down: a copier zooms a sheet alike both ways, and only a fax's paper feed
    /// stretches it down (by up to 6 %). Searched alone, the column profile of a form with
    /// a few columns of boxes matches as well at a scale a tenth off.
    pub across_within: Option<f32>,
}

/// What a fax's paper feed does to a page: stretches or shrinks it by up to 6 %. Three
/// matches per axis are judged in 2-D: Japanese text is set on a fixed pitch, so a column
/// profile also matches a few characters off at a scale some per cent off, and with a
/// sheet's edge band or blank line ends beside the form (an A4 sheet in a B4 machine's
/// line) such an alias came first in hodanren-a pages made so. Down as well: with one
/// match down, indep-chiba's pages reduced to 90 % read 7 cells wrong unasked, with three
/// 2.
pub const FEED: Scales = Scales {
    min: 0.94,
    step: 0.01,
    steps: 12,
    candidates: 3,
    centred: false,
    across_within: None,
};

/// A sheet copied reduced or enlarged before it was sent (a copier's "A4 to B5" is 86 %,
/// "fit to page" 90-97 %), or a fax from a B4 machine printed on A4 and scanned back (its
/// 2048-pixel line reduced to 79 %), tried when nothing matched surely at [`FEED`]: 0.74
/// to 1.16, which takes either through a feed that shrinks it 6 % more. Synthetic faxes
/// copied at 76-114 % (harsh profile) read as well as those not copied. Printed from B4
/// and rescanned (24 synthetic responses of each form): 0 and 1 form pages rejected, none
/// read wrong unasked (2 and 4 rejected, 1 wrong, with the search from 0.80). An A3 line
/// printed on A4 (67 %) stays rejected: read so, a mark overrunning its box was missed
/// with no review row.
pub const COPIED: Scales = Scales {
    min: 0.74,
    step: 0.02,
    steps: 21,
    candidates: 3,
    centred: true,
    across_within: Some(0.06),
};

impl Scales {
    /// Largest scale on the coarse grid.
    pub fn max(&self) -> f32 {
        self.min + self.step * self.steps as f32
    }

    /// The scales across searched with a match at scale `down` down: these, or those
    /// within [`Scales::across_within`] of it. Across, the shifts are always centred: a
    /// fax machine centres the sheet in its scan line, and a B4 or A3 machine's line
    /// (2048 or 2432 pixels) leaves an A4 sheet 22 or 46 mm from its left end, beyond
    /// the shifts' reach from there.
    fn across(&self, down: f32) -> Scales {
        let centred = Scales {
            centred: true,
            ..*self
        };
        match self.across_within {
            None => centred,
            Some(within) => Scales {
                min: down * (1.0 - within),
                steps: (2.0 * within * down / self.step).round() as usize,
                ..centred
            },
        }
    }
}

/// One template page reduced for matching.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PageModel {
    pub template: usize,
    pub page: usize,
    map: InkMap,
    dilated: InkMap,
    points: Vec<(f32, f32)>,
    rows: Vec<f32>,
    cols: Vec<f32>,
}

/// All template pages, built once per run.
pub struct Catalogue {
    pub models: Vec<PageModel>,
}

impl Catalogue {
    pub fn build(templates: &[Template]) -> anyhow::Result<Catalogue> {
        let mut models = Vec::new();
        for (ti, t) in templates.iter().enumerate() {
            for p in &t.pages {
                let img = t.reference_image(p.number)?;
                models.push(PageModel::new(ti, p.number, &img));
            }
        }
        Ok(Catalogue { models })
    }
}

impl PageModel {
    /// Whether its maps have a cell for every place (a cached copy read back).
    pub fn consistent(&self) -> bool {
        self.map.consistent() && self.dilated.consistent()
    }

    /// The model of page `page` of template number `template` from its reference image.
    pub fn new(template: usize, page: usize, reference: &crate::raster::GrayImage) -> PageModel {
        let (_, map) = crate::normalise::ink_maps(reference);
        let points = crate::normalise::printing_points(&map);
        PageModel {
            template,
            page,
            dilated: map.dilated(),
            rows: profile(&points, map.height, |p| p.1),
            cols: profile(&points, map.width, |p| p.0),
            points,
            map,
        }
    }
}

fn profile(points: &[(f32, f32)], n: usize, axis: impl Fn(&(f32, f32)) -> f32) -> Vec<f32> {
    let mut v = vec![0f32; n + 2];
    for p in points {
        // Flooring first would change nothing: below zero both give 0.
        let i = axis(p) as usize;
        if i < v.len() {
            v[i] += 1.0;
        }
    }
    // A scanner streak or an edge shadow runs the whole page in one line of bins and
    // would outweigh the form's every line of text; no bin counts for more than a few
    // typical inked bins.
    let mut inked: Vec<f32> = v.iter().copied().filter(|&x| x > 0.0).collect();
    if !inked.is_empty() {
        let mid = inked.len() / 2;
        let (_, median, _) = inked.select_nth_unstable_by(mid, f32::total_cmp);
        let cap = *median * PROFILE_CAP;
        v.iter_mut().for_each(|x| *x = x.min(cap));
    }
    let mean = v.iter().sum::<f32>() / v.len() as f32;
    v.iter_mut().for_each(|x| *x -= mean);
    v
}

/// The most one profile bin counts, as a multiple of the median inked bin.
const PROFILE_CAP: f32 = 2.5;

/// A template profile matched against a page profile: page(scale * t + shift) ~
/// template(t), scored by correlation.
struct Matcher<'a> {
    tpl: &'a [f32],
    page_len: usize,
    /// The page profile padded with zeros so that every sample is a plain index.
    padded: Vec<f32>,
    /// The norms' product.
    norms: f32,
}

/// A profile match: (scale, shift, correlation).
type ProfileMatch = (f32, f32, f32);

/// Zeros before the page profile in [`Matcher::padded`].
const PAD: usize = 160;
/// Shifts on the coarse grid, 2 cells apart ...
const SHIFTS: usize = 71;
/// ... reaching this many cells either way.
const SPAN: f32 = (SHIFTS - 1) as f32;

impl<'a> Matcher<'a> {
    /// Ready for scales up to `max_scale`.
    fn new(tpl: &'a [f32], page: &[f32], max_scale: f32) -> Matcher<'a> {
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        // Long enough for the largest scale over the whole template, however short the
        // page (a fax cut off in transmission, a thumbnail).
        let reach = page
            .len()
            .max((tpl.len() as f32 * (max_scale + 0.05)) as usize + 2);
        let mut padded = vec![0f32; reach + 2 * PAD + 2];
        padded[PAD..PAD + page.len()].copy_from_slice(page);
        Matcher {
            tpl,
            page_len: page.len(),
            padded,
            norms: norm(tpl) * norm(page),
        }
    }

    /// The correlations at scale `s` and each of the shifts `ds`, in one pass over the
    /// template: each shift's sum adds the same terms in the same order as alone (the
    /// same bits), and the sums no longer wait on one another's additions.
    fn corr_at<const N: usize>(&self, s: f32, ds: [f32; N]) -> [f32; N] {
        let last = (self.padded.len() - 2) as f32;
        let p = &self.padded;
        let mut acc = [0f32; N];
        for (t, &v) in self.tpl.iter().enumerate() {
            let st = s * t as f32;
            for (a, &d) in acc.iter_mut().zip(&ds) {
                let x = (st + d + PAD as f32).clamp(0.0, last);
                // Clamped to the padded profile, far shorter than i32::MAX: through i32
                // the same index, in one instruction instead of an unsigned conversion's
                // several.
                let i = x as i32 as usize;
                let f = x - i as f32;
                let [lo, hi] = [p[i], p[i + 1]];
                *a += v * (lo + (hi - lo) * f);
            }
        }
        acc.map(|a| a / self.norms)
    }

    /// The best (scale, shift, correlation) on the coarse grid of `sc` (scale steps of
    /// `sc.step`, shifts of 2 cells), then its next best local maxima, up to
    /// `sc.candidates` in all.
    fn coarse(&self, sc: Scales) -> Vec<(f32, f32, f32)> {
        // Shifts of 2 cells on the coarse grid: halving the profiles instead aliases the
        // regular line spacing of forms and lands a whole line off.
        let mut best = (1.0f32, 0.0f32, f32::MIN);
        // Per scale, each template bin's page index and fraction are the same for every
        // whole shift: compute them once and the shifts become plain indexed sums.
        // The sums run bin by bin over all 71 shifts at once (each shift's sum adds the
        // same terms in the same order as one shift at a time, so the same bits), over the
        // page profile split into even and odd cells so that consecutive shifts are
        // consecutive values: a loop the compiler turns into vector instructions.
        let split =
            |odd: usize| -> Vec<f32> { self.padded.iter().skip(odd).step_by(2).copied().collect() };
        let halves = [split(0), split(1)];
        let mut acc = [0f32; SHIFTS];
        // Every coarse correlation, scale by scale, for the runners-up.
        let mut grid = vec![0f32; (sc.steps + 1) * SHIFTS];
        let mut offsets = Vec::with_capacity(sc.steps + 1);
        for si in 0..=sc.steps {
            let s = sc.min + sc.step * si as f32;
            let off = centre_offset(sc, s, self.tpl.len(), self.page_len);
            offsets.push(off);
            acc.fill(0.0);
            for (t, &v) in self.tpl.iter().enumerate() {
                let x = s * t as f32 + PAD as f32 - SPAN + off;
                let (i, f) = (x as usize, x - (x as usize) as f32);
                // padded[i + 2 di] and padded[i + 2 di + 1] for di = 0..71.
                let (lo, hi) = (
                    &halves[i % 2][i / 2..],
                    &halves[(i + 1) % 2][i.div_ceil(2)..],
                );
                for ((c, &a), &b) in acc.iter_mut().zip(&lo[..SHIFTS]).zip(&hi[..SHIFTS]) {
                    *c += v * (a + (b - a) * f);
                }
            }
            for (di, &sum) in acc.iter().enumerate() {
                let d = 2 * di;
                let c = sum / self.norms;
                grid[si * SHIFTS + di] = c;
                if c > best.2 {
                    best = (s, d as f32 - SPAN + off, c);
                }
            }
        }
        let mut found = vec![best];
        if sc.candidates > 1 {
            let at = |si: usize, di: usize| grid[si * SHIFTS + di];
            let mut peaks: Vec<(f32, f32, f32)> = Vec::new();
            for (si, &off) in offsets.iter().enumerate() {
                for di in 0..SHIFTS {
                    let c = at(si, di);
                    let peak = (si.saturating_sub(1)..=(si + 1).min(sc.steps)).all(|sj| {
                        (di.saturating_sub(1)..=(di + 1).min(SHIFTS - 1)).all(|dj| at(sj, dj) <= c)
                    });
                    if peak {
                        peaks.push((
                            sc.min + sc.step * si as f32,
                            2.0 * di as f32 - SPAN + off,
                            c,
                        ));
                    }
                }
            }
            peaks.sort_by(|a, b| b.2.total_cmp(&a.2));
            found.extend(
                peaks
                    .into_iter()
                    .filter(|p| (p.0, p.1) != (best.0, best.1))
                    .take(sc.candidates - 1),
            );
        }
        found
    }

    /// A coarse match refined by a local search down to 0.1 % of scale and a quarter cell
    /// (reaching 1 % and 2 cells either way).
    fn refine(&self, mut best: (f32, f32, f32)) -> (f32, f32, f32) {
        const REACH: i32 = 2;
        for (step_s, step_d) in [(0.005f32, 1.0f32), (0.0025, 0.5), (0.001, 0.25)] {
            let (cs, cd, _) = best;
            for i in -REACH..=REACH {
                let s = cs + step_s * i as f32;
                let ds: [f32; (2 * REACH + 1) as usize] =
                    std::array::from_fn(|j| cd + step_d * (j as i32 - REACH) as f32);
                for (&d, c) in ds.iter().zip(self.corr_at(s, ds)) {
                    if c > best.2 {
                        best = (s, d, c);
                    }
                }
            }
        }
        best
    }
}

/// Where the shifts tried at scale `s` are centred, in whole steps of two cells (so that
/// the coarse search's sums stay plain indexed ones), within what the padding allows.
fn centre_offset(sc: Scales, s: f32, tpl_len: usize, page_len: usize) -> f32 {
    if !sc.centred {
        return 0.0;
    }
    let off = (page_len as f32 - s * tpl_len as f32) / 2.0;
    // Every index of the coarse sums stays inside the padding, as at no offset.
    let limit = PAD as f32 - SPAN - 2.0;
    (2.0 * (off / 2.0).round()).clamp(-limit, limit)
}

/// Page points turned by -skew about the map centre (into deskewed cell coordinates).
fn deskewed(points: &[(f32, f32)], skew_deg: f32, w: usize, h: usize) -> Vec<(f32, f32)> {
    let (s, c) = (-skew_deg).to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    points
        .iter()
        .map(|&(x, y)| {
            let (dx, dy) = (x - cx, y - cy);
            (cx + dx * c - dy * s, cy + dx * s + dy * c)
        })
        .collect()
}

#[derive(Clone)]
struct Fit {
    sx: f32,
    sy: f32,
    dx: f32,
    dy: f32,
    score: f32,
}

/// A page's deskewed row and column profiles (computed once per orientation).
struct PageProfiles {
    rows: Vec<f32>,
    cols: Vec<f32>,
}

fn page_profiles(page: &InkMap, points: &[(f32, f32)], skew: f32) -> PageProfiles {
    let dp = deskewed(points, skew, page.width, page.height);
    PageProfiles {
        rows: profile(&dp, page.height, |p| p.1),
        cols: profile(&dp, page.width, |p| p.0),
    }
}

/// A template page's profile matches ranked on a sample of the points: the best pair,
/// to be refined and judged in full, and its score on the sample (none when there was
/// only one pair, which is not ranked).
struct Ranked {
    y: ProfileMatch,
    x: ProfileMatch,
    sampled: Option<f32>,
}

/// One orientation of the page as identification searches it: its coarse ink map, that
/// map dilated, its ink points and its skew.
struct PageSearch<'a> {
    page: &'a InkMap,
    dilated: &'a InkMap,
    points: &'a [Point],
    skew: f32,
}

/// Template page `m`'s candidate fits at scales `sc`, ranked (see [`Ranked`]).
fn rank(m: &PageModel, at: &PageSearch, (rows, cols): (&Matcher, &Matcher), sc: Scales) -> Ranked {
    // (y match, x match) pairs, as the coarse grids found them. The scales across are
    // the same for every match down unless they follow it (`across_within`).
    let mut across: Option<(Scales, Vec<ProfileMatch>)> = None;
    let mut combos = Vec::new();
    for y in rows.coarse(sc) {
        let sa = sc.across(y.0);
        if across.as_ref().is_none_or(|(s, _)| *s != sa) {
            across = Some((sa, cols.coarse(sa)));
        }
        let xs = &across.as_ref().expect("just set").1;
        combos.extend(xs.iter().map(|&x| (y, x)));
    }
    // Several candidates are ranked on a sample of the points, as the coarse grids found
    // them (the 2-D check and the refinement cost more than the grids), and only the best
    // is refined and judged in full.
    if combos.len() == 1 {
        let (y, x) = combos[0];
        return Ranked {
            y,
            x,
            sampled: None,
        };
    }
    let sample = |p: &[Point]| -> Vec<Point> { p.iter().step_by(RANK_STRIDE).copied().collect() };
    let (tpl_sample, page_sample) = (sample(&m.points), sample(at.points));
    let ((y, x), score) = combos
        .iter()
        .map(|&(y, x)| {
            let c = (x.0, y.0, x.1, y.1);
            let samples = (tpl_sample.as_slice(), page_sample.as_slice());
            let f = judged(at, &m.dilated, samples, c);
            ((y, x), f.score)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("several candidates");
    Ranked {
        y,
        x,
        sampled: Some(score),
    }
}

/// The ranked match refined and judged on every point.
fn finish(m: &PageModel, at: &PageSearch, (rows, cols): (&Matcher, &Matcher), r: &Ranked) -> Fit {
    let (sy, dy, _) = rows.refine(r.y);
    let (sx, dx, _) = cols.refine(r.x);
    let all = (m.points.as_slice(), at.points);
    judged(at, &m.dilated, all, (sx, sy, dx, dy))
}

/// A template page whose ranked sample scores this far below a sure fit of another is
/// not refined and judged in full: on the independent corpora the other pages' sampled
/// and full scores differ by under 0.05, and beside a sure fit (0.8 or more) they score
/// 0.51 at most; the full 2-D check and refinement are most of identification's cost.
const OUTRANKED: f32 = 0.2;

/// An ink cell's centre, in cells.
type Point = (f32, f32);

/// Candidate fits are ranked on every this many ink points of page and template.
const RANK_STRIDE: usize = 8;

/// A fit's 2-D check: template ink on page ink (precision) and page ink on template ink
/// (recall), over the points given of each (all, or a sample of every [`RANK_STRIDE`]th).
fn judged(
    at: &PageSearch,
    tpl_dilated: &InkMap,
    (tpl_points, points): (&[Point], &[Point]),
    (sx, sy, dx, dy): (f32, f32, f32, f32),
) -> Fit {
    let (w, h) = (at.page.width, at.page.height);
    let t2p = cell_transform(sx, sy, dx, dy, at.skew, w, h);
    let share = |hits: usize, of: usize| hits as f32 / of.max(1) as f32;
    let precision = share(at.dilated.hits(&t2p, tpl_points), tpl_points.len());
    let p2t = t2p.inverse().unwrap_or(Affine::IDENTITY);
    let recall = share(tpl_dilated.hits(&p2t, points), points.len());
    let score = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Fit {
        sx,
        sy,
        dx,
        dy,
        score,
    }
}

/// Template cells -> page cells: scale and shift in deskewed space, then the skew.
fn cell_transform(sx: f32, sy: f32, dx: f32, dy: f32, skew: f32, w: usize, h: usize) -> Affine {
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    Affine::translate(cx, cy)
        .then_after(&Affine::rotate((skew as f64).to_radians()))
        .then_after(&Affine::translate(-cx, -cy))
        .then_after(&Affine::translate(dx as f64, dy as f64))
        .then_after(&Affine::scale(sx as f64, sy as f64))
}

/// What identification made of a page.
pub struct Identified {
    /// The best template page, if it fits well enough.
    pub id: Option<Identification>,
    /// When the best template page does not fit well enough but scores at least
    /// [`CONFIRM_SCORE`]: it, to be confirmed by its boxes, then the next best other
    /// template page in the same orientation if it scores as much (which must not be).
    pub below: Vec<Identification>,
    /// The page turned the right way up as `id` or `below` found it best (as given when
    /// both are empty).
    pub page: NormalPage,
    /// The best fit's score, whether or not it was good enough.
    pub score: f32,
}

/// The best template page for `page` at scales `sc`, trying it as it is and turned 180°.
pub fn identify(cat: &Catalogue, page: NormalPage, sc: Scales) -> Identified {
    let mut best: Option<(usize, bool, Fit)> = None;
    // Every model's fit in each orientation tried, for the runner-up of a weak match.
    let mut fits: Vec<(usize, bool, Fit)> = Vec::new();
    // The page turned 180° is tried on its coarse map alone; the page is turned only if
    // it fits so.
    let mut turned: Option<(InkMap, Vec<Point>)> = None;
    for flip in [false, true] {
        // Most faxes arrive upright: try the turn only when upright fits poorly.
        if flip && best.as_ref().is_some_and(|b| b.2.score >= UPRIGHT_SURE) {
            break;
        }
        let (coarse, pts) = if flip {
            let map = crate::normalise::coarse_map_turned_half(&page.image);
            let points = crate::normalise::printing_points(&map);
            let (map, points) = turned.insert((map, points));
            (&*map, &*points)
        } else {
            (&page.coarse, &page.coarse_points)
        };
        let dil = coarse.dilated();
        let search = PageSearch {
            page: coarse,
            dilated: &dil,
            points: pts,
            skew: page.skew_deg,
        };
        let prof = page_profiles(coarse, pts, page.skew_deg);
        let matchers: Vec<(Matcher, Matcher)> = cat
            .models
            .iter()
            .map(|m| {
                (
                    Matcher::new(&m.rows, &prof.rows, sc.max()),
                    Matcher::new(&m.cols, &prof.cols, sc.across(sc.max()).max()),
                )
            })
            .collect();
        let ranked: Vec<Ranked> = cat
            .models
            .iter()
            .zip(&matchers)
            .map(|(m, (r, c))| rank(m, &search, (r, c), sc))
            .collect();
        // The best ranked first, so that a sure fit spares the others' full check.
        let mut order: Vec<usize> = (0..ranked.len()).collect();
        order.sort_by(|&a, &b| {
            let s = |i: usize| ranked[i].sampled.unwrap_or(f32::MAX);
            s(b).total_cmp(&s(a)).then(a.cmp(&b))
        });
        let mut sure: Option<f32> = None;
        let mut these: Vec<(usize, Fit)> = Vec::new();
        for mi in order {
            let (m, r) = (&cat.models[mi], &ranked[mi]);
            let outranked = sure
                .zip(r.sampled)
                .is_some_and(|(s, own)| own < s - OUTRANKED);
            if outranked {
                continue;
            }
            let (rows, cols) = &matchers[mi];
            let f = finish(m, &search, (rows, cols), r);
            if f.score >= UPRIGHT_SURE {
                sure = Some(sure.map_or(f.score, |s| s.max(f.score)));
            }
            these.push((mi, f));
        }
        // In model order, as each was compared before (the first of equals wins).
        these.sort_by_key(|(mi, _)| *mi);
        for (mi, f) in these {
            if best.as_ref().is_none_or(|b| f.score > b.2.score) {
                best = Some((mi, flip, f.clone()));
            }
            fits.push((mi, flip, f));
        }
    }
    let (mi, flip, f) = best.expect("at least one template page");
    let score = f.score;
    if score < CONFIRM_SCORE {
        return Identified {
            id: None,
            below: Vec::new(),
            page,
            score,
        };
    }
    let page = if flip { page.turned_half() } else { page };
    let id = identification(cat, mi, flip, &f, &page);
    if score >= MIN_SCORE {
        return Identified {
            id: Some(id),
            below: Vec::new(),
            page,
            score,
        };
    }
    // A weak match is confirmed by its boxes only if the next best template page (in the
    // same orientation) is not confirmed as well: two pages sharing a grid of boxes.
    let runner_up = fits
        .iter()
        .filter(|(m, fl, g)| *fl == flip && *m != mi && g.score >= CONFIRM_SCORE)
        .max_by(|a, b| a.2.score.total_cmp(&b.2.score))
        .map(|(m, fl, g)| identification(cat, *m, *fl, g, &page));
    Identified {
        id: None,
        below: std::iter::once(id).chain(runner_up).collect(),
        page,
        score,
    }
}

fn identification(
    cat: &Catalogue,
    mi: usize,
    flip: bool,
    f: &Fit,
    page: &NormalPage,
) -> Identification {
    let m = &cat.models[mi];
    // Cells are 4 px: template px -> template cells -> page cells -> page px.
    let k = m.map.factor as f64;
    let transform = Affine::scale(k, k)
        .then_after(&cell_transform(
            f.sx,
            f.sy,
            f.dx,
            f.dy,
            page.skew_deg,
            page.coarse.width,
            page.coarse.height,
        ))
        .then_after(&Affine::scale(1.0 / k, 1.0 / k));
    Identification {
        template: m.template,
        page: m.page,
        flipped: flip,
        transform,
        score: f.score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The project's templates, their catalogue, and the index of template `id`.
    fn catalogue_with(id: &str) -> (Vec<Template>, Catalogue, usize) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let templates = crate::template::load_all(&dir).unwrap();
        let cat = Catalogue::build(&templates).unwrap();
        let ti = templates.iter().position(|t| t.id == id).unwrap();
        (templates, cat, ti)
    }

    fn best_match(tpl: &[f32], page: &[f32]) -> (f32, f32, f32) {
        let m = Matcher::new(tpl, page, FEED.max());
        m.refine(m.coarse(FEED)[0])
    }

    #[test]
    fn profiles_match_however_short_the_page() {
        // A template profile with a few lines, and pages cut to a fraction of it (a fax cut
        // off in transmission, a thumbnail): a fit or a poor score, never a panic.
        let tpl: Vec<f32> = (0..760)
            .map(|i| if i % 37 < 3 { 9.0 } else { -0.5 })
            .collect();
        for len in [0usize, 1, 5, 32, 200, 700, 760, 900] {
            let page: Vec<f32> = tpl
                .iter()
                .copied()
                .chain(std::iter::repeat(0.0))
                .take(len)
                .collect();
            let (s, _, c) = best_match(&tpl, &page);
            assert!(
                (0.9..=1.1).contains(&s) && c.is_finite(),
                "len {len}: {s} {c}"
            );
        }
        let (s, d, c) = best_match(&tpl, &tpl);
        assert!(
            (s - 1.0).abs() < 0.01 && d.abs() < 1.0 && c > 0.99,
            "{s} {d} {c}"
        );
    }

    #[test]
    fn a_form_page_is_found_upright_and_upside_down_and_a_blank_is_not() {
        let (templates, cat, ti) = catalogue_with("chiba-2023-05-a");
        let page = |image| crate::ingest::PageImage {
            image,
            dpi_x: 200.0,
            dpi_y: 200.0,
            damage: None,
        };
        let reference = templates[ti].reference_image(2).unwrap();
        let np = crate::normalise::normalise(&page(reference.clone()), 200.0).unwrap();
        let found = identify(&cat, np, FEED);
        let id = found.id.expect("its own reference page");
        assert_eq!((id.template, id.page, id.flipped), (ti, 2, false));
        assert!(id.score > 0.9, "{}", id.score);

        let turned = crate::raster::rotate180(&reference);
        let np = crate::normalise::normalise(&page(turned), 200.0).unwrap();
        let id = identify(&cat, np, FEED).id.expect("turned 180°");
        assert_eq!((id.template, id.page, id.flipped), (ti, 2, true));

        let blank = crate::raster::GrayImage::from_pixel(
            reference.width(),
            reference.height(),
            image::Luma([255]),
        );
        if let Ok(np) = crate::normalise::normalise(&page(blank), 200.0) {
            let found = identify(&cat, np, FEED);
            assert!(
                found.id.is_none() && found.score < MIN_SCORE,
                "{}",
                found.score
            );
        }
    }

    #[test]
    fn a_copy_reduced_or_enlarged_is_found_at_its_scale_only_by_the_copiers_search() {
        let (templates, cat, ti) = catalogue_with("hodanren-2024-12-a");
        let reference = templates[ti].reference_image(1).unwrap();
        let (cx, cy) = (
            reference.width() as f32 / 2.0,
            reference.height() as f32 / 2.0,
        );
        for zoom in [0.84f32, 0.9, 1.12] {
            use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp};
            let about_centre = Projection::translate(cx, cy)
                * Projection::scale(zoom, zoom)
                * Projection::translate(-cx, -cy);
            let copy = warp(
                &reference,
                about_centre,
                Interpolation::Bilinear,
                Border::Constant(image::Luma([255])),
            );
            let page = crate::ingest::PageImage {
                image: copy,
                dpi_x: 200.0,
                dpi_y: 200.0,
                damage: None,
            };
            let np = || crate::normalise::normalise(&page, 200.0).unwrap();
            let feed = identify(&cat, np(), FEED);
            assert!(feed.id.is_none(), "{zoom}: found at the feed's scales");
            let id = identify(&cat, np(), COPIED)
                .id
                .unwrap_or_else(|| panic!("{zoom}: not found as a copy"));
            assert_eq!((id.template, id.page, id.flipped), (ti, 1, false), "{zoom}");
            let t = id.transform;
            for (axis, got) in [("across", t.a.hypot(t.d)), ("down", t.b.hypot(t.e))] {
                assert!(
                    (got / zoom as f64 - 1.0).abs() < 0.01,
                    "{zoom}: scale {axis} {got}"
                );
            }
        }
    }
}

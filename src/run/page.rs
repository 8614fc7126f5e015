//! One page through normalise, identify, register and read marks.

use super::kit::Kit;
use crate::geometry::Rect;
use crate::identify::identify;
use crate::ingest::PageImage;
use crate::marks::{BoxReading, Doubt, PageView, classify_page, measure};
use crate::normalise::normalise;
use crate::ocr::{FieldReading, read_fields};
use crate::raster::GrayImage;
use crate::reason::Reason;
use crate::register::{Registration, register};
use std::time::{Duration, Instant};

/// Time spent per stage, summed over pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub decode: Duration,
    pub normalise: Duration,
    pub identify: Duration,
    pub register: Duration,
    pub marks: Duration,
    /// Write-in fields: cleaning, writing-present test and OCR.
    pub fields: Duration,
    pub output: Duration,
}

impl StageTimes {
    pub fn add(&mut self, o: &StageTimes) {
        self.decode += o.decode;
        self.normalise += o.normalise;
        self.identify += o.identify;
        self.register += o.register;
        self.marks += o.marks;
        self.fields += o.fields;
        self.output += o.output;
    }
}

/// One option's box as read, with what it is.
#[derive(Debug, Clone, Copy)]
pub struct OptionRead {
    /// Index of its question in the template.
    pub question: usize,
    pub code: u32,
    /// The box and its label, in template pixels.
    pub rect: Rect,
    pub label: Option<Rect>,
    pub reading: BoxReading,
}

impl OptionRead {
    /// The box and its label together.
    pub fn with_label(&self) -> Rect {
        self.label.map(|l| l.union(&self.rect)).unwrap_or(self.rect)
    }
}

/// A page of a known form, read.
pub struct ReadPage {
    /// 1-based page number in its file.
    pub file_page: usize,
    pub template: usize,
    /// 1-based template page.
    pub page: usize,
    pub image: GrayImage,
    pub reg: Registration,
    /// Every option box of the page, read.
    pub options: Vec<OptionRead>,
    /// Write-in fields in the order of `kit.pages[template][page - 1].fields`.
    pub fields: Vec<FieldReading>,
    /// How the page had to be turned or stretched to be read.
    pub adjustment: Adjustment,
}

impl ReadPage {
    /// The page-pixel bounding box of a template rectangle.
    pub fn page_rect(&self, r: &Rect) -> Rect {
        self.reg.transform.map_rect(r)
    }
}

/// How a page had to be turned or stretched to be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Adjustment {
    /// Clockwise turn, in degrees (0, 90, 180, 270).
    pub turned: u16,
    /// Its rows were stretched twice: a standard-resolution fax stored with square pixels
    /// (a half-height page).
    pub half_height: bool,
    /// Its ink matched its form too little to identify it alone, and its printed boxes,
    /// found where the match put them, did (see `identify::CONFIRM_SCORE`).
    pub by_boxes: bool,
    /// It matched its form only as a copy reduced or enlarged (see `identify::COPIED`).
    pub copied: bool,
}

impl std::fmt::Display for Adjustment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if self.turned != 0 {
            parts.push(format!("turned {}°", self.turned));
        }
        if self.half_height {
            parts.push("stretched from half height".to_string());
        }
        if self.by_boxes {
            parts.push("identified by its printed boxes".to_string());
        }
        if self.copied {
            parts.push("read as a copy reduced or enlarged".to_string());
        }
        f.write_str(&parts.join(", "))
    }
}

/// An identification good enough that no other orientation is tried (forms score above
/// 0.85 on clean faxes, 0.6–0.8 on poor ones; a wrong orientation scores under 0.5).
const SURE_SCORE: f32 = 0.65;

/// Resolutions across and down within this ratio are square pixels (fine, 204×196,
/// among them); standard resolution (204×98) is twice.
const SQUARE_DPI_RATIO: f32 = 1.1;

/// The ways a page may have to be read: as it came, turned a quarter (identification
/// also tries each turned half, so this covers all four), and, in an orientation where
/// the page is too short for its width, at half height. The page's own look decides which
/// orientation comes first.
fn candidates(p: &PageImage, looks_sideways: bool) -> Vec<Adjustment> {
    let turns: [u16; 2] = if looks_sideways { [90, 0] } else { [0, 90] };
    // Width and height in inches as the page would stand after each turn.
    let (w_in, h_in) = (
        p.image.width() as f32 / p.dpi_x,
        p.image.height() as f32 / p.dpi_y,
    );
    // A portrait form page is √2 as tall as wide; a fax of square pixels only half as
    // tall as that is a standard-resolution page stored as fine. A page whose resolution
    // says its rows are half as dense (204×98) was stored as what it is: stretching it
    // again, turned or not, would make a sheet no fax line sends.
    let square = p.dpi_x.max(p.dpi_y) <= SQUARE_DPI_RATIO * p.dpi_x.min(p.dpi_y);
    let short = |w: f32, h: f32| square && h < 0.8 * w * std::f32::consts::SQRT_2 && h > 0.3 * w;
    let mut plain = Vec::new();
    let mut half = Vec::new();
    for turned in turns {
        plain.push(Adjustment {
            turned,
            ..Adjustment::default()
        });
        let (w, h) = if turned == 90 {
            (h_in, w_in)
        } else {
            (w_in, h_in)
        };
        if short(w, h) {
            half.push(Adjustment {
                turned,
                half_height: true,
                ..Adjustment::default()
            });
        }
    }
    // The likely orientation, then half height in it, then the rest.
    let mut out = vec![plain[0]];
    out.extend(half.iter().filter(|a| a.turned == plain[0].turned));
    out.push(plain[1]);
    out.extend(half.iter().filter(|a| a.turned == plain[1].turned));
    out
}

/// The page as received and turned a quarter, each made once on first need: the tries
/// of one page (and its tries as a copy) share them, where turning the page for every try
/// cost as much as reading it. An adjustment is one of them with its rows' resolution
/// halved or not.
struct Variants<'a> {
    given: &'a PageImage,
    /// Turned, and its rows paired where its server doubled them (see [`Variants::turned`]).
    turned: Option<PageImage>,
    /// The page as received, owned, to be read at half height.
    own: Option<PageImage>,
}

impl<'a> Variants<'a> {
    fn new(given: &'a PageImage) -> Variants<'a> {
        Variants {
            given,
            turned: None,
            own: None,
        }
    }

    /// The page with `a` applied (turned first, then its rows, as it now stands,
    /// stretched), handed to `f`.
    fn with<T>(&mut self, a: Adjustment, f: impl FnOnce(&PageImage) -> T) -> T {
        let given = self.given;
        let q = match (a.turned == 90, a.half_height) {
            (false, false) => return f(given),
            (false, true) => self.own.get_or_insert_with(|| given.clone()),
            (true, _) => self.turned.get_or_insert_with(|| Variants::turned(given)),
        };
        if !a.half_height {
            return f(q);
        }
        let rows = q.dpi_y;
        q.dpi_y /= 2.0;
        let out = f(q);
        q.dpi_y = rows;
        out
    }

    fn turned(p: &PageImage) -> PageImage {
        let turned = PageImage {
            image: crate::raster::rotate90(&p.image),
            dpi_x: p.dpi_y,
            dpi_y: p.dpi_x,
            damage: p.damage.clone(),
        };
        // Stored sideways after its server wrote each received row twice: its rows are
        // paired once turned back.
        crate::normalise::doubled::undoubled(&turned).unwrap_or(turned)
    }
}

/// One received page: its fax header line (read when OCR is on), and the page read or why
/// it is not a page of a known form.
pub struct PageOutcome {
    /// The header line as read (with the recogniser's evidence for its number).
    pub heard: crate::header::HeardPage,
    pub read: Result<ReadPage, String>,
}

/// Reads one page (its write-in fields by OCR when `ocr`), or says why it is not a page of
/// a known form.
pub fn read_page(
    kit: &Kit,
    p: &PageImage,
    file_page: usize,
    ocr: Option<crate::ocr::OcrEngine>,
    t: &mut StageTimes,
) -> Result<ReadPage, String> {
    read_page_and_header(kit, p, file_page, ocr, t).read
}

/// [`read_page`], and the page's fax header line: the header is printed on the page as
/// received (an upside-down sheet has it upright at the top), so it is looked for there.
pub fn read_page_and_header(
    kit: &Kit,
    p: &PageImage,
    file_page: usize,
    ocr: Option<crate::ocr::OcrEngine>,
    t: &mut StageTimes,
) -> PageOutcome {
    let t0 = Instant::now();
    // A standard-resolution page its server stored with every row twice is read as
    // received.
    let undoubled = crate::normalise::doubled::undoubled(p);
    let p = undoubled.as_ref().unwrap_or(p);
    let first = match normalise(p, kit.dpi) {
        Ok(n) => n,
        Err(e) => {
            return PageOutcome {
                heard: Default::default(),
                read: Err(e.to_string()),
            };
        }
    };
    t.normalise += t0.elapsed();
    // Kept for the header of a page read turned or not read at all.
    let as_received = ocr.map(|_| first.image.clone());
    // A grey page's header in grey: its small print reads better with the shades the
    // page was made black and white without (8 to 10-pixel glyphs).
    let grey = ocr.and(first.shades.as_ref()).map(|s| s.image.clone());
    let read = read_form(kit, p, file_page, ocr, t, first);
    let t1 = Instant::now();
    let band = match (&read, &as_received) {
        (_, None) => None,
        // A page read upright, or turned a quarter (stored sideways after it was sent: the
        // header was printed on top of the upright page): the header is above the form's
        // own printing (so the form's printed "FAX 050-..." is never taken for the
        // sender's number).
        (Ok(rp), _) if rp.adjustment.turned != 180 => {
            let tp = &kit.templates[rp.template].pages[rp.page - 1];
            let top = kit.pages[rp.template][rp.page - 1].form_top;
            let (_, y) = rp.reg.transform.apply(tp.width as f64 / 2.0, top as f64);
            let as_given = rp.adjustment.turned == 0 && !rp.adjustment.half_height;
            crate::header::header_band(&rp.image, y as i32).map(|r| match &grey {
                Some(g) if as_given => crate::raster::crop(g, &r),
                _ => crate::raster::crop(&rp.image, &r),
            })
        }
        // Turned upside down to be read (the sheet was fed upside down), or no form: the
        // header is printed across the top of the page as it was received.
        (_, Some(img)) => crate::header::header_band(img, i32::MAX)
            .map(|r| crate::raster::crop(grey.as_ref().unwrap_or(img), &r)),
    };
    let mut heard = crate::header::HeardPage::default();
    if let (Some(img), Some(kind)) = (band, ocr) {
        let read: Result<Vec<_>, _> = crate::header::words(&img)
            .iter()
            .map(|w| {
                let part = crate::raster::crop(&img, w);
                crate::ocr::read_printed_line(&part, kind, &crate::header::number_spans)
            })
            .collect();
        if let Ok(words) = read {
            let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
            heard.header = Some(crate::header::parse(&text.join(" ")));
            heard.words = words.into_iter().filter_map(|w| w.digits).collect();
        }
    }
    t.fields += t1.elapsed();
    PageOutcome { heard, read }
}

/// Each prefecture of the page torn between names, one of them the area's of the
/// sender's number (`header`, as the pages of the fax settled it): that one is offered
/// first (and is the cell's value), still for a person to confirm. A confident reading is
/// never touched.
pub fn prefer_senders_area(rp: &mut ReadPage, header: Option<&crate::header::FaxHeader>) {
    let Some(area) = header.and_then(|h| crate::header::area::prefecture_of(h.sender.as_deref()?))
    else {
        return;
    };
    for f in &mut rp.fields {
        prefer_area(f, area);
    }
}

fn prefer_area(f: &mut FieldReading, area: &str) {
    for r in &mut f.doubt {
        if let Reason::PrefectureUnsure { top, .. } = r
            && let Some(i) = top.iter().position(|t| t.0 == area)
        {
            let chosen = top.remove(i);
            top.insert(0, chosen);
            f.value = area.to_string();
        }
    }
}

/// A page that matched no template page: each try's best score, in the order tried.
struct Miss {
    tried: Vec<(Adjustment, f32)>,
}

impl Miss {
    fn score(&self) -> f32 {
        self.tried.iter().map(|t| t.1).fold(0.0, f32::max)
    }

    /// The tries that came within [`COPY_TRY_SHARE`] of the best score.
    fn near_best(&self) -> Vec<Adjustment> {
        let best = self.score();
        self.tried
            .iter()
            .filter(|t| t.1 >= COPY_TRY_SHARE * best)
            .map(|t| t.0)
            .collect()
    }
}

/// A page that matched no form at the feed's scales is tried as a copy only as it came
/// within this share of its best match: a copy's orientation and resolution match its form
/// at the feed's scales, if weakly (0.3-0.55 on synthetic copies at 80-116 %), as well as
/// its other readings do or better, and a page of no form (a cover sheet) would otherwise
/// cost the copier's whole search once for each of its three or four readings.
const COPY_TRY_SHARE: f32 = 0.8;

/// A page matched to a template page, turned and adjusted as it matched, with its boxes'
/// registration if they were what confirmed it.
type Match = (
    crate::identify::Identification,
    crate::normalise::NormalPage,
    Adjustment,
    Option<Registration>,
);

/// The page's template page among `tries` at scales `sc`, or the best score it reached and
/// in which try.
/// The page is normalised for each try unless `ready` holds it so already; what it was
/// normalised to and did not match is left there for another search.
fn find_form(
    kit: &Kit,
    variants: &mut Variants,
    ready: &mut Vec<(Adjustment, crate::normalise::NormalPage)>,
    tries: &[Adjustment],
    sc: crate::identify::Scales,
    t: &mut StageTimes,
) -> Result<Match, Miss> {
    let mut best: Option<(
        crate::identify::Identification,
        crate::normalise::NormalPage,
        Adjustment,
    )> = None;
    let mut miss = Miss { tried: Vec::new() };
    // The best fit below the bar (and its runner-up), to be confirmed by its boxes if
    // nothing clears the bar.
    let mut below: Option<(
        Vec<crate::identify::Identification>,
        crate::normalise::NormalPage,
        Adjustment,
    )> = None;
    // A page as identify returns it, turned back as it was given.
    let as_given = |under: &[crate::identify::Identification],
                    page: crate::normalise::NormalPage| {
        if under.first().is_some_and(|u| u.flipped) {
            page.turned_half()
        } else {
            page
        }
    };
    for &a in tries {
        let t1 = Instant::now();
        let np = match ready.iter().position(|(r, _)| *r == a) {
            Some(i) => Some(ready.swap_remove(i).1),
            None => variants.with(a, |q| normalise(q, kit.dpi).ok()),
        };
        let t2 = Instant::now();
        t.normalise += t2 - t1;
        let Some(np) = np else { continue };
        let crate::identify::Identified {
            id,
            below: under,
            page,
            score,
        } = identify(&kit.catalogue, np, sc);
        t.identify += t2.elapsed();
        miss.tried.push((a, score));
        if let Some(u) = under.first() {
            if best.is_none() && below.as_ref().is_none_or(|b| u.score > b.0[0].score) {
                if let Some((ids, old, oa)) = below.take() {
                    ready.push((oa, as_given(&ids, old)));
                }
                below = Some((under, page, a));
            } else {
                ready.push((a, as_given(&under, page)));
            }
            continue;
        }
        match id {
            Some(id) if best.as_ref().is_none_or(|b| id.score > b.0.score) => {
                let sure = id.score >= SURE_SCORE;
                best = Some((id, page, a));
                if sure {
                    break;
                }
            }
            // Matched, though not best: another search will not need it.
            Some(_) => {}
            None => ready.push((a, page)),
        }
    }
    if let Some((id, page, a)) = best {
        return Ok((id, page, a, None));
    }
    // Nothing cleared the bar: the best fit below it stands if the template page's boxes
    // are found on the page where it puts them.
    let Some((mut ids, page, a)) = below else {
        return Err(miss);
    };
    let by_boxes = |id: &crate::identify::Identification| {
        let pk = &kit.pages[id.template][id.page - 1];
        crate::register::confirm(&page.image, &pk.boxes, &id.transform, page.row_scale)
    };
    // The best is confirmed, and the runner-up (another page sharing its grid of
    // boxes, as pages of one form or two printings may) is not.
    let t3 = Instant::now();
    let reg = by_boxes(&ids[0]);
    let ambiguous = reg.is_some() && ids.get(1).is_some_and(|r| by_boxes(r).is_some());
    t.register += t3.elapsed();
    match reg.filter(|_| !ambiguous) {
        Some(reg) => Ok((
            ids.swap_remove(0),
            page,
            Adjustment {
                by_boxes: true,
                ..a
            },
            Some(reg),
        )),
        None => {
            ready.push((a, as_given(&ids, page)));
            Err(miss)
        }
    }
}

fn read_form(
    kit: &Kit,
    p: &PageImage,
    file_page: usize,
    ocr: Option<crate::ocr::OcrEngine>,
    t: &mut StageTimes,
    first: crate::normalise::NormalPage,
) -> Result<ReadPage, String> {
    let tries = candidates(p, first.looks_sideways);
    // Pages that match surely at the scales of a fax's paper feed are read as they always
    // were; a page that does not is tried as a copy reduced or enlarged, and read as one if
    // that fits it better (a form's regular lines can match weakly at a wrong scale).
    let mut ready = vec![(Adjustment::default(), first)];
    let mut variants = Variants::new(p);
    let feed = find_form(
        kit,
        &mut variants,
        &mut ready,
        &tries,
        crate::identify::FEED,
        t,
    );
    // As a copy, the page is tried only as it came closest to a form at the feed's scales
    // (see COPY_TRY_SHARE; identification still tries each turned 180°).
    let mut copied = |ready: &mut Vec<_>, at: &[Adjustment], t: &mut StageTimes| {
        find_form(kit, &mut variants, ready, at, crate::identify::COPIED, t)
            .map(|(id, page, a, reg)| (id, page, Adjustment { copied: true, ..a }, reg))
    };
    let found = match feed {
        Ok(m) if m.0.score >= SURE_SCORE => Ok(m),
        Ok(m) => {
            let at = Adjustment {
                by_boxes: false,
                ..m.2
            };
            let page = if m.0.flipped {
                m.1.turned_half()
            } else {
                m.1.clone()
            };
            ready.push((at, page));
            match copied(&mut ready, &[at], t) {
                Ok(c) if c.0.score > m.0.score => Ok(c),
                _ => Ok(m),
            }
        }
        Err(miss) => {
            let closest = miss.near_best();
            copied(&mut ready, &closest, t).map_err(|c| (c.score().max(miss.score()), closest))
        }
    };
    let (id, page, mut adjustment, confirmed) = match found {
        Ok(m) => m,
        Err((best_score, as_copies)) => {
            let named = |tries: &[Adjustment]| -> String {
                let names: Vec<String> = tries
                    .iter()
                    .map(|a| match a.to_string() {
                        s if s.is_empty() => "as received".to_string(),
                        s => s,
                    })
                    .collect();
                names.join("; ")
            };
            return Err(format!(
                "not a page of any known form (best match {:.2}, needs {:.2}; tried {}; as a copy reduced or enlarged to {:.0}-{:.0} %, tried {})",
                best_score,
                crate::identify::MIN_SCORE,
                named(&tries),
                crate::identify::COPIED.min * 100.0,
                crate::identify::COPIED.max() * 100.0,
                named(&as_copies),
            ));
        }
    };
    if id.flipped {
        adjustment.turned = (adjustment.turned + 180) % 360;
    }
    let pk = &kit.pages[id.template][id.page - 1];
    let t2 = Instant::now();
    let reg = match confirmed {
        Some(reg) => reg,
        None => register(&page.image, &pk.boxes, &id.transform, page.row_scale),
    };
    let t3 = Instant::now();
    t.register += t3 - t2;
    let view = PageView {
        image: &page.image,
        suspect_rows: &page.suspect_rows,
        line_rows: &page.line_rows,
        row_scale: page.row_scale,
    };
    let features: Vec<_> = pk
        .boxes
        .boxes
        .iter()
        .enumerate()
        .map(|(i, b)| measure(&view, &reg, i, b, pk.beside(i), &pk.explained, &pk.print))
        .collect();
    let mut readings = classify_page(&pk.boxes.boxes, &pk.labels, &features);
    let neighbours = crate::marks::Neighbours {
        img: &view,
        reg: &reg,
        boxes: &pk.boxes.boxes,
        explained: &pk.explained,
    };
    crate::marks::beside_explained_by_neighbours(&neighbours, &mut readings);
    crate::marks::beside_alone_read_as_chosen(&pk.boxes.boxes, &mut readings);
    crate::marks::weak_alone_read_as_chosen(&pk.boxes.boxes, &mut readings);
    let template = &kit.templates[id.template];
    crate::marks::taken_back_beside_one_answer(
        &pk.boxes.boxes,
        |k| pk.labels[k].is_some(),
        |q| template.questions[q].kind == crate::template::Kind::Single,
        &mut readings,
    );
    crate::marks::inside_reached_from_neighbours(&neighbours, &mut readings);
    crate::marks::lone_ink_asked_about(&pk.boxes.boxes, &mut readings);
    // On a page that prints bolder than the blank form, slivers of every line and
    // character are unexplained ink: weak evidence of a mark is asked about.
    let bold = crate::marks::boldness::measure(&view, &reg, &pk.boxes.boxes, &pk.print);
    if bold.bold() {
        crate::marks::boldness::ask_about_weak_marks(bold, &mut readings);
    }
    // If too few printed boxes were found to place the others, or fewer than half of them
    // (those found may agree on a wrong place), or nearly every box reads as marked (the
    // boxes were placed on print, as no respondent answers), no reading of this page is
    // trusted alone; otherwise only the boxes whose own place is uncertain.
    let unreliable =
        reg.unreliable() || reg.outvoted() || crate::marks::implausibly_marked(&readings);
    // The reading of a box at the place its own ring matched, when that is off where its
    // neighbours put it.
    let at_own_ring = |i: usize| {
        reg.at_own_ring(i).map(|own| {
            let b = &pk.boxes.boxes[i];
            crate::marks::classify(measure(
                &view,
                &own,
                i,
                b,
                pk.beside(i),
                &pk.explained,
                &pk.print,
            ))
        })
    };
    for (i, r) in readings.iter_mut().enumerate() {
        // Looked at only where it may change the reading (a fill hides its ring).
        let own = if r.hides_ring() { None } else { at_own_ring(i) };
        let explained;
        (*r, explained) = at_disputed_place(*r, reg.disputed_at(i), own);
        if unreliable || (reg.unsure(i) && !explained) {
            r.doubt = Some(if unreliable {
                crate::marks::Doubt::Unregistered
            } else {
                crate::marks::Doubt::Unlocated
            });
            r.confidence = r.confidence.min(0.2);
        }
    }
    // A box read as marked that may not be where it was placed, its ink a label's print
    // beside the box: placed from its neighbours, with ink inside, where its own printed
    // ring does not show (less than a weak ring match; the page may bend there), or with
    // its print fitting the page better a character's width to the side. And any box of a
    // column matched a box off: its reading, marked or blank, is another option's.
    let off_row = crate::marks::column_off_row(&view, &reg, &pk.boxes.boxes, &pk.labels, &pk.print);
    for (i, r) in readings.iter_mut().enumerate() {
        let b = &pk.boxes.boxes[i];
        let ring_missing = || {
            !r.hides_ring()
                && r.features.inner >= crate::marks::params::INNER_MARK
                && reg.ring_missing(&page.image, i, b)
        };
        let aside = || crate::marks::placed_aside(&view, &reg, i, &b.rect, &pk.print);
        if r.doubt.is_none() && (off_row[i] || (r.marked && (ring_missing() || aside()))) {
            r.doubt = Some(crate::marks::Doubt::Unlocated);
            r.confidence = r.confidence.min(0.2);
        }
    }
    // Boxes the received image does not reach (a fax cut off in transmission) read as
    // blank paper: they are not answers.
    let (pw, ph) = (page.image.width() as i32, page.image.height() as i32);
    let off_page = |r: &Rect| {
        let m = reg.transform.map_rect(r);
        m.x < 0 || m.y < 0 || m.x + m.w > pw || m.y + m.h > ph
    };
    for (r, b) in readings.iter_mut().zip(&pk.boxes.boxes) {
        if off_page(&b.rect) {
            r.doubt = Some(crate::marks::Doubt::OffPage);
            r.confidence = 0.0;
        }
    }
    // A page decoded with repair: nothing on it is auto-accepted.
    let damaged = p.damage.is_some();
    if damaged {
        for r in &mut readings {
            r.doubt = Some(crate::marks::Doubt::DamagedImage);
            r.confidence = r.confidence.min(0.2);
        }
    }
    let t4 = Instant::now();
    t.marks += t4 - t3;
    let mut fields = read_fields(
        &page.image,
        page.shades.as_ref(),
        &reg.transform,
        &pk.fields,
        ocr,
    );
    for f in &mut fields {
        if off_page(&f.area) {
            f.add_doubt(
                Reason::Field {
                    doubt: Doubt::OffPage,
                },
                0.0,
            );
        }
        if damaged {
            f.add_doubt(
                Reason::Field {
                    doubt: Doubt::DamagedImage,
                },
                0.2,
            );
        }
    }
    t.fields += t4.elapsed();
    Ok(ReadPage {
        file_page,
        template: id.template,
        page: id.page,
        image: page.image,
        reg,
        options: pk
            .boxes
            .boxes
            .iter()
            .zip(&pk.labels)
            .zip(readings)
            .map(|((b, &label), reading)| OptionRead {
                question: b.question,
                code: b.code,
                rect: b.rect,
                label,
                reading,
            })
            .collect(),
        fields,
        adjustment,
    })
}

/// A box's reading where its neighbours put it (`here`), given whether its own ring
/// matched off that place (`disputed`) and its reading there (`own`, when looked at): the
/// reading to keep, and whether the disputed place is explained (no need to ask where the
/// box is).
///
/// - A fill or a drawn ring hides the printed one: a match off its place is the mark's.
/// - A box that reads the same at both places, surely, does not depend on which is right
///   (on faxes fed unevenly, clean boxes stand a few pixels off their neighbours' line).
/// - Ink read where the neighbours put a box whose printed ring stands clean a few pixels
///   away is the print or mark of something else (a label, a neighbour's stroke): the box
///   is read at its ring. On six corpora every box read marked at the neighbours' place
///   and surely blank at its own ring was unmarked.
fn at_disputed_place(
    here: BoxReading,
    disputed: bool,
    own: Option<BoxReading>,
) -> (BoxReading, bool) {
    if !disputed {
        return (here, false);
    }
    if here.hides_ring() {
        return (here, true);
    }
    let Some(o) = own else {
        return (here, false);
    };
    let sure = |r: &BoxReading| r.doubt.is_none();
    if here.marked && !o.marked && sure(&o) {
        let confidence = o.confidence.min(0.6);
        return (BoxReading { confidence, ..o }, true);
    }
    (here, sure(&here) && sure(&o) && o.marked == here.marked)
}

#[cfg(test)]
mod area_tests {
    use super::*;

    fn torn(names: &[&str]) -> FieldReading {
        FieldReading {
            column: "q1".into(),
            value: names[0].into(),
            raw: String::new(),
            confidence: 0.3,
            status: crate::ocr::FieldStatus::Read,
            doubt: vec![Reason::PrefectureUnsure {
                read: "x".into(),
                top: names.iter().map(|n| (n.to_string(), 0.3)).collect(),
            }],
            ink: 500,
            area: Rect::new(0, 0, 10, 10),
            ocr_seconds: 0.0,
            kind: crate::ocr::FieldKind::Prefecture,
        }
    }

    #[test]
    fn the_senders_area_breaks_a_tie_and_nothing_more() {
        let mut f = torn(&["奈良", "千葉", "秋田"]);
        prefer_area(&mut f, "千葉");
        assert_eq!(f.value, "千葉");
        let Reason::PrefectureUnsure { top, .. } = &f.doubt[0] else {
            panic!()
        };
        assert_eq!(top[0].0, "千葉");
        assert_eq!(f.doubt.len(), 1, "still for a person");
        // Not among the names: unchanged.
        let mut f = torn(&["奈良", "千葉", "秋田"]);
        prefer_area(&mut f, "東京");
        assert_eq!(f.value, "奈良");
        // A confident reading (no doubt) is never changed.
        let mut f = torn(&["奈良"]);
        f.doubt.clear();
        prefer_area(&mut f, "千葉");
        assert_eq!(f.value, "奈良");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marks::{BoxFeatures, classify};

    #[test]
    fn a_disputed_box_is_read_at_its_clean_ring_and_asked_about_otherwise() {
        let blank = classify(BoxFeatures {
            inner_area: 400,
            ..Default::default()
        });
        let tick = classify(BoxFeatures {
            inner_area: 400,
            inner: 90,
            core: 70,
            ..Default::default()
        });
        let weak = classify(BoxFeatures {
            inner_area: 400,
            inner: 30,
            core: 20,
            ..Default::default()
        });
        assert!(!blank.marked && tick.marked && weak.doubt.is_some());
        // Not disputed: nothing to explain.
        let (r, explained) = at_disputed_place(tick, false, None);
        assert!(r.marked && !explained);
        // Ink where the neighbours put it, sure or weak, the ring clean a few pixels
        // away: blank.
        for here in [tick, weak] {
            let (r, explained) = at_disputed_place(here, true, Some(blank));
            assert!(!r.marked && r.doubt.is_none() && explained, "{r:?}");
        }
        // The same, surely, at both places.
        let (r, explained) = at_disputed_place(blank, true, Some(blank));
        assert!(!r.marked && explained);
        // Blank here, ink at the ring, or anything unsure: where is the box? Ask.
        for (here, own) in [(blank, tick), (blank, weak), (tick, weak)] {
            let (r, explained) = at_disputed_place(here, true, Some(own));
            assert!(!explained && r.marked == here.marked, "{here:?} {own:?}");
        }
        assert!(!at_disputed_place(tick, true, None).1);
    }

    fn page(w: u32, h: u32, dpi_x: f32, dpi_y: f32) -> PageImage {
        PageImage {
            image: GrayImage::new(w, h),
            dpi_x,
            dpi_y,
            damage: None,
        }
    }

    fn adj(turned: u16, half_height: bool) -> Adjustment {
        Adjustment {
            turned,
            half_height,
            ..Adjustment::default()
        }
    }

    #[test]
    fn orientations_and_half_height_are_tried_where_the_page_suggests_them() {
        // A fine A4 fax: as it came, then a quarter turn (which stands as short as a
        // half-height page would, so that is tried last).
        let fine = page(1728, 2290, 204.0, 196.0);
        assert_eq!(
            candidates(&fine, false),
            [adj(0, false), adj(90, false), adj(90, true)]
        );
        // A standard page stored with square pixels: half height right after upright.
        let half = page(1728, 1150, 204.0, 204.0);
        assert_eq!(
            candidates(&half, false),
            [adj(0, false), adj(0, true), adj(90, false)]
        );
        // A standard page that says so (204×98): as it came, then turned; never
        // stretched, upright or turned.
        let standard = page(1728, 1143, 204.0, 98.0);
        assert_eq!(
            candidates(&standard, false),
            [adj(0, false), adj(90, false)]
        );
        // The same stored sideways: the turn first, then the turn at half height.
        let sideways = page(1150, 1728, 204.0, 204.0);
        assert_eq!(
            candidates(&sideways, true),
            [adj(90, false), adj(90, true), adj(0, false)]
        );
        // Turning and stretching: the result stands as an A4 fax.
        let mut v = Variants::new(&sideways);
        let q = v.with(adj(90, true), |q| (q.image.dimensions(), q.dpi_x, q.dpi_y));
        assert_eq!(q, ((1728, 1150), 204.0, 102.0));
        // The turned page is kept as it stands, for the next try.
        let q = v.with(adj(90, false), |q| (q.image.dimensions(), q.dpi_x, q.dpi_y));
        assert_eq!(q, ((1728, 1150), 204.0, 204.0));
    }
}

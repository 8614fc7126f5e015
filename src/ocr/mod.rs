//! Reading the write-in fields: is anything written, and what.
//!
//! Per page: every field of the template page is [prepared](prepare::prepare) (printed
//! form removed, speckle dropped); a field with too little writing is blank and costs no
//! OCR. The others are read by the worker thread's [recogniser](recognise::Recognise)
//! under their constraint (prefecture names, digits, Japanese text). OCR trouble never
//! stops a page: the field is left empty and sent to a person.

pub mod ctc;
pub mod digits;
pub mod engine;
pub mod lines;
pub mod ppocr;
pub mod prefecture;
pub mod prepare;
pub mod recognise;
pub mod text;

use crate::geometry::{Affine, Rect};
use crate::raster::GrayImage;
use crate::reason::Reason;
use crate::template::TextFormat;
use prepare::{FieldModel, Prepared, prepare};
pub use recognise::OcrEngine;
use recognise::{OcrError, Reading, Recognise, Thresholds};
use std::cell::RefCell;
use std::time::Instant;

/// Writing in stroke-like pieces (mm² of ink after cleaning; see
/// [`prepare::Prepared::strokes`]) from which a field counts as written. A single
/// handwritten digit is about 1.6 mm² (100 pixels).
pub const PRESENT_INK: u32 = crate::normalise::px_area(0.65);
/// Below [`PRESENT_INK`] but at least this much in strokes, or [`PRESENT_INK`] of ink in
/// any pieces: a faint or tiny mark a person should see.
pub const FAINT_INK: u32 = crate::normalise::px_area(0.32);

/// A write-in field of a template page, ready to read.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FieldSpec {
    /// The responses.csv column (the question id).
    pub column: String,
    pub format: TextFormat,
    pub model: FieldModel,
    /// For a comment box: the models read when the writing reaches the box's upper or
    /// its lower edge (see [`FieldModel::widened`]).
    pub wide: Option<[FieldModel; 2]>,
}

/// How a field came out.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldStatus {
    /// Nothing written.
    Blank,
    /// Written and read by OCR.
    Read,
    /// Written but not read: OCR off or failed (the reason).
    Unread(String),
}

/// One field as read.
#[derive(Debug, Clone)]
pub struct FieldReading {
    pub column: String,
    /// The cell value (empty when blank or unread).
    pub value: String,
    /// What OCR returned, before the field's constraint was applied.
    pub raw: String,
    /// 0..1: how sure the value is.
    pub confidence: f32,
    pub status: FieldStatus,
    /// Why a person should look at it (empty: they need not).
    pub doubt: Vec<Reason>,
    /// Writing pixels found.
    pub ink: u32,
    /// Template rectangle showing the field, for the review crop.
    pub area: Rect,
    /// Seconds of OCR spent on this field.
    pub ocr_seconds: f64,
    /// What kind of writing the field holds, for timing by kind.
    pub kind: FieldKind,
}

/// The kinds of write-in field, as the recognisers treat them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Prefecture,
    Number,
    /// Free text on one line (その他（ ）).
    TextLine,
    /// Free text in a box of several lines.
    TextBox,
}

impl FieldKind {
    pub const ALL: [FieldKind; 4] = [
        FieldKind::Prefecture,
        FieldKind::Number,
        FieldKind::TextLine,
        FieldKind::TextBox,
    ];

    pub fn of(f: &FieldSpec) -> FieldKind {
        match (f.format, f.model.shape) {
            (TextFormat::Prefecture, _) => FieldKind::Prefecture,
            (TextFormat::Digits, _) => FieldKind::Number,
            (TextFormat::Free, crate::template::FieldShape::Box) => FieldKind::TextBox,
            (TextFormat::Free, _) => FieldKind::TextLine,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Prefecture => "prefecture",
            FieldKind::Number => "number",
            FieldKind::TextLine => "text_line",
            FieldKind::TextBox => "text_box",
        }
    }
}

impl FieldReading {
    /// Sends the field to review for `why` (before any reason it already has), its
    /// confidence at most `confidence`.
    pub fn add_doubt(&mut self, why: Reason, confidence: f32) {
        self.doubt.insert(0, why);
        self.confidence = self.confidence.min(confidence);
    }
}

/// A recogniser, or why it could not start.
type EngineSlot = Result<Box<dyn Recognise>, String>;

thread_local! {
    /// This worker thread's recognisers, made on first use; one that failed to start is
    /// remembered so that every field says why instead of retrying per field.
    static ENGINES: RefCell<Vec<(OcrEngine, EngineSlot)>> =
        const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's recogniser for `kind`. PP-OCR without its models falls
/// back to Tesseract, said once per run on stderr.
fn with_engine<T>(kind: OcrEngine, f: impl FnOnce(&mut dyn Recognise) -> T) -> Result<T, String> {
    ENGINES.with(|cell| {
        let mut engines = cell.borrow_mut();
        let i = match engines.iter().position(|(k, _)| *k == kind) {
            Some(i) => i,
            None => {
                engines.push((kind, make_engine(kind)));
                engines.len() - 1
            }
        };
        match &mut engines[i].1 {
            Ok(e) => Ok(f(e.as_mut())),
            Err(e) => Err(e.clone()),
        }
    })
}

/// Set once PP-OCR, asked for, was missing and Tesseract read instead.
static FELL_BACK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The recogniser that read when `asked` was asked for in this process (reports say what
/// really read the fields, not what the command line asked).
pub fn engine_used(asked: OcrEngine) -> OcrEngine {
    match asked {
        OcrEngine::Ppocr if FELL_BACK.load(std::sync::atomic::Ordering::Relaxed) => {
            OcrEngine::Tesseract
        }
        other => other,
    }
}

fn make_engine(kind: OcrEngine) -> Result<Box<dyn Recognise>, String> {
    match kind {
        OcrEngine::Tesseract => recognise::Tesseract::new()
            .map(|e| Box::new(e) as Box<dyn Recognise>)
            .map_err(|e| e.to_string()),
        OcrEngine::Ppocr => match recognise::PpOcr::new() {
            Ok(e) => Ok(Box::new(e)),
            Err(ppocr::PpOcrError::Missing(where_)) => {
                FELL_BACK.store(true, std::sync::atomic::Ordering::Relaxed);
                static SAID: std::sync::Once = std::sync::Once::new();
                SAID.call_once(|| {
                    eprintln!(
                        "faxform: the PP-OCR models are not installed (looked in {where_}); \
                         reading handwriting with Tesseract instead. Run `make setup` to fetch them."
                    )
                });
                make_engine(OcrEngine::Tesseract)
            }
            Err(e) => Err(e.to_string()),
        },
    }
}

/// Reads the fields of one page registered by `transform` (template → page). With
/// `ocr == None` written fields are found but left unread.
/// A grey page's `shades` are what written fields are read from (see
/// [`prepare::shaded`]); whether a field is written is decided on `page` alone.
pub fn read_fields(
    page: &GrayImage,
    shades: Option<&crate::normalise::Shades>,
    transform: &Affine,
    fields: &[FieldSpec],
    ocr: Option<OcrEngine>,
) -> Vec<FieldReading> {
    let prepared: Vec<Prepared> = fields
        .iter()
        .map(|f| prepare(page, transform, &f.model))
        .collect();
    let mut out: Vec<FieldReading> = fields
        .iter()
        .zip(&prepared)
        .map(|(f, p)| FieldReading {
            column: f.column.clone(),
            value: String::new(),
            raw: String::new(),
            confidence: blank_confidence(p.ink),
            status: FieldStatus::Blank,
            doubt: (p.strokes < PRESENT_INK && (p.strokes >= FAINT_INK || p.ink >= PRESENT_INK))
                .then_some(Reason::Faint { ink: p.ink })
                .into_iter()
                .collect(),
            ink: p.ink,
            area: f.model.rect.inflate(12),
            ocr_seconds: 0.0,
            kind: FieldKind::of(f),
        })
        .collect();
    let written: Vec<usize> = (0..fields.len())
        .filter(|&i| prepared[i].strokes >= PRESENT_INK)
        .collect();
    if written.is_empty() {
        return out;
    }
    for &i in &written {
        out[i].status = FieldStatus::Unread("OCR off (--no-ocr)".into());
        out[i].doubt.clear();
        out[i].confidence = 0.0;
    }
    let Some(kind) = ocr else {
        return out;
    };
    let result = with_engine(kind, |engine| {
        let limits = engine.thresholds();
        for &i in &written {
            let t0 = Instant::now();
            let f = &fields[i];
            // Writing that reaches the box's upper or lower edge may run on past its line:
            // read it with the paper on that side when more writing is found there.
            let p0 = &prepared[i];
            let wide = f.wide.as_ref().zip(p0.writing).and_then(|(m, w)| {
                let h = p0.image.height() as i32;
                let model = if w.y <= WRITING_AT_EDGE {
                    &m[0]
                } else if w.bottom() >= h - WRITING_AT_EDGE {
                    &m[1]
                } else {
                    return None;
                };
                let q = prepare(page, transform, model);
                let grew = q.writing.is_some_and(|qw| qw.h >= w.h + RUNS_ON);
                grew.then_some((q, model))
            });
            let (p, model) = wide
                .as_ref()
                .map_or((&prepared[i], &f.model), |(q, m)| (q, *m));
            let in_shades = shades.map(|s| prepare::shaded(p, s, transform, model));
            let field = recognise::Field {
                image: in_shades.as_ref().unwrap_or(&p.image),
                writing: p.writing.unwrap_or(Rect::new(
                    0,
                    0,
                    p.image.width() as i32,
                    p.image.height() as i32,
                )),
                format: f.format,
                shape: f.model.shape,
            };
            let r = engine.read(&field);
            out[i].ocr_seconds = t0.elapsed().as_secs_f64();
            interpret(&mut out[i], f, r, &limits);
        }
    });
    if let Err(reason) = result {
        for &i in &written {
            out[i].status = FieldStatus::Unread(reason.clone());
            out[i].doubt = vec![Reason::NotRead {
                error: reason.clone(),
            }];
        }
    }
    out
}

/// Reads one line of printed text (a fax header) with this thread's recogniser (see
/// [`Recognise::read_line`]).
pub fn read_printed_line(
    line: &GrayImage,
    kind: OcrEngine,
    numbers: &dyn Fn(&str) -> Vec<std::ops::Range<usize>>,
) -> Result<recognise::PrintedWord, String> {
    with_engine(kind, |e| {
        e.read_line(line, numbers).map_err(|e| e.to_string())
    })?
}

/// Writing this near a comment box's upper or lower edge (pixels) reaches it ...
const WRITING_AT_EDGE: i32 = 2;
/// ... and runs on past the line when reading beyond it finds this much more height of
/// writing.
const RUNS_ON: i32 = crate::normalise::px_len(1.0);

/// A blank field is surer the less ink there is.
fn blank_confidence(ink: u32) -> f32 {
    1.0 - (ink as f32 / PRESENT_INK as f32).min(1.0) * 0.6
}

/// Turns a reading into the cell value, its confidence and any doubt.
fn interpret(
    fr: &mut FieldReading,
    f: &FieldSpec,
    r: Result<Reading, OcrError>,
    limits: &Thresholds,
) {
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            fr.status = FieldStatus::Unread(e.to_string());
            fr.doubt = vec![Reason::NotRead {
                error: e.to_string(),
            }];
            return;
        }
    };
    fr.status = FieldStatus::Read;
    fr.raw = r.text.clone();
    let tidy = r.text.clone();
    // Strokes that read as nothing but rules and brackets (「|」「)」) are leftovers of the
    // printed form or dirt far more often than writing: blank, with a person told. (An
    // empty reading is not: faint writing often reads as nothing at all.)
    if !tidy.is_empty() && !tidy.chars().any(char::is_alphanumeric) {
        fr.status = FieldStatus::Blank;
        fr.confidence = 0.3;
        fr.doubt = vec![Reason::FaintRead { read: tidy }];
        return;
    }
    match f.format {
        TextFormat::Prefecture if !r.names.is_empty() => {
            let (name, share) = r.names[0];
            fr.value = name.to_string();
            fr.confidence = share;
            if share < limits.prefecture || r.unexplained > limits.unexplained {
                fr.confidence = share.min(0.3);
                fr.doubt = vec![Reason::PrefectureUnsure {
                    read: tidy.clone(),
                    top: r.names.iter().map(|(n, p)| (n.to_string(), *p)).collect(),
                }];
            }
        }
        TextFormat::Prefecture => match prefecture::best_match(&tidy) {
            Some(m) => {
                fr.value = m.name.to_string();
                fr.confidence = if m.is_sure() {
                    r.confidence.max(0.5)
                } else {
                    r.confidence.min(0.3)
                };
                if !m.is_sure() {
                    fr.doubt = vec![Reason::Prefecture {
                        read: tidy.clone(),
                        closest: m.name.to_string(),
                        distance: m.distance,
                        runner_up: m.runner_up,
                    }];
                }
            }
            None => {
                fr.confidence = 0.0;
                fr.doubt = vec![Reason::NoPrefecture];
            }
        },
        TextFormat::Digits => {
            let digits = text::digits(&tidy);
            fr.value = digits.clone();
            fr.confidence = r.confidence;
            if digits.is_empty() {
                fr.confidence = 0.0;
                fr.doubt = vec![Reason::NoDigits];
            } else if r.confidence < limits.number {
                fr.doubt = vec![Reason::NumberUnsure { digits }];
            }
        }
        TextFormat::Free => {
            fr.value = tidy.clone();
            fr.confidence = r.confidence;
            if tidy.is_empty() {
                fr.confidence = 0.0;
                fr.doubt = vec![Reason::NoText];
            } else if r.confidence < limits.text {
                fr.doubt = vec![Reason::TextUnsure];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::{FontRole, GlyphJitter, draw_text, font};
    use crate::template::FieldShape;

    /// A blank form with an underline (prefecture), a short underline (number) and a
    /// box (comment), and the fields for them.
    fn form() -> (GrayImage, Vec<FieldSpec>) {
        let mut img = GrayImage::from_pixel(900, 400, image::Luma([255]));
        let mut line = |x0: u32, x1: u32, y0: u32, y1: u32| {
            for y in y0..y1 {
                for x in x0..x1 {
                    img.put_pixel(x, y, image::Luma([0]));
                }
            }
        };
        line(40, 340, 98, 101); // prefecture underline
        line(400, 520, 98, 101); // number underline
        line(40, 860, 150, 153); // box
        line(40, 860, 347, 350);
        line(40, 43, 150, 350);
        line(857, 860, 150, 350);
        let spec = |column: &str, format, rect, shape, img: &GrayImage| FieldSpec {
            column: column.into(),
            format,
            model: FieldModel::new(img, rect, shape),
            wide: None,
        };
        let fields = vec![
            spec(
                "q1",
                TextFormat::Prefecture,
                Rect::new(40, 50, 300, 50),
                FieldShape::Underline,
                &img,
            ),
            spec(
                "count",
                TextFormat::Digits,
                Rect::new(400, 50, 120, 50),
                FieldShape::Underline,
                &img,
            ),
            spec(
                "comment",
                TextFormat::Free,
                Rect::new(40, 150, 820, 200),
                FieldShape::Box,
                &img,
            ),
        ];
        (img, fields)
    }

    fn write(img: &mut GrayImage, at: (f32, f32), text: &str) {
        let f = font(FontRole::Print).unwrap();
        draw_text(img, &f, 40.0, at, text, 0, |_| GlyphJitter::NONE);
    }

    /// The fields of a page registered as drawn, read by PP-OCR.
    fn read_by_ppocr(page: &GrayImage, fields: &[FieldSpec]) -> Vec<FieldReading> {
        read_fields(
            page,
            None,
            &Affine::translate(0.0, 0.0),
            fields,
            Some(OcrEngine::Ppocr),
        )
    }

    #[test]
    fn writing_across_a_boxs_upper_line_is_read_above_it_too() {
        let (blank, mut fields) = form();
        let mut page = blank.clone();
        // The comment is written across the box's upper line (y 150): most of every
        // character is above the box, the rest inside.
        write(&mut page, (70.0, 162.0), "保険証を持参した");
        let read = |fields: &[FieldSpec]| {
            let r = read_by_ppocr(&page, fields);
            text::cer(&r[2].value, "保険証を持参した").0
        };
        let inside_only = read(&fields);
        let m = &fields[2].model;
        let by = crate::normalise::px_len(5.0);
        fields[2].wide = Some([m.widened(&blank, by, 0), m.widened(&blank, 0, by)]);
        let across = read(&fields);
        assert!(across <= 1, "{across} edits read across the line");
        assert!(
            across < inside_only,
            "{across} edits, {inside_only} inside the box only"
        );
    }

    #[test]
    fn written_fields_are_read_with_their_constraints() {
        let (mut page, fields) = form();
        write(&mut page, (60.0, 90.0), "千葉県");
        write(&mut page, (420.0, 90.0), "12");
        write(&mut page, (70.0, 210.0), "保険証を持参した");
        let r = read_by_ppocr(&page, &fields);
        assert_eq!(r[0].status, FieldStatus::Read, "{:?}", r[0]);
        assert_eq!(r[0].value, "千葉", "{:?}", r[0]);
        assert!(r[0].doubt.is_empty(), "{:?}", r[0]);
        assert_eq!(r[1].value, "12", "{:?}", r[1]);
        let (edits, chars) = text::cer(&r[2].value, "保険証を持参した");
        assert!(edits <= 1, "{:?} ({edits} edits of {chars})", r[2]);
        assert!(r.iter().all(|f| f.ocr_seconds > 0.0 && f.confidence > 0.5));
    }

    #[test]
    fn a_comment_of_two_lines_is_read_line_by_line() {
        // One line high, a comment is read as a line; taller, its lines are found first.
        let (mut page, fields) = form();
        write(&mut page, (70.0, 200.0), "保険証を持参した");
        write(&mut page, (70.0, 280.0), "窓口で確認した");
        let r = read_by_ppocr(&page, &fields);
        let (edits, chars) = text::cer(&r[2].value, "保険証を持参した窓口で確認した");
        assert!(edits <= 2, "{:?} ({edits} edits of {chars})", r[2]);
    }

    #[test]
    fn blank_fields_cost_no_ocr_and_the_form_alone_is_blank() {
        let (page, fields) = form();
        // The page is the blank form shifted a little, as received.
        let mut shifted = GrayImage::from_pixel(900, 400, image::Luma([255]));
        image::imageops::overlay(&mut shifted, &page, 2, -1);
        for r in read_fields(
            &shifted,
            None,
            &Affine::translate(0.0, 0.0),
            &fields,
            Some(OcrEngine::Ppocr),
        ) {
            assert_eq!(r.status, FieldStatus::Blank, "{r:?}");
            assert_eq!(r.value, "");
            assert_eq!(r.ink, 0, "{r:?}");
            assert_eq!(r.ocr_seconds, 0.0);
            assert!(r.doubt.is_empty());
        }
    }

    #[test]
    fn without_ocr_written_fields_are_found_but_left_unread() {
        let (mut page, fields) = form();
        write(&mut page, (420.0, 90.0), "7");
        let r = read_fields(&page, None, &Affine::translate(0.0, 0.0), &fields, None);
        assert_eq!(r[0].status, FieldStatus::Blank);
        assert!(matches!(r[1].status, FieldStatus::Unread(_)), "{:?}", r[1]);
        assert_eq!(r[1].value, "");
        assert!(r[1].doubt.is_empty(), "--no-ocr is not a review item");
    }

    #[test]
    fn texture_dots_and_line_slivers_are_not_writing() {
        let (mut page, fields) = form();
        // Error-diffused paper texture: clusters of one- and two-pixel dots, close enough
        // together to survive despeckling, in the comment box ...
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..60 {
            let (x, y) = (300 + rng.random_range(0..60), 230 + rng.random_range(0..30));
            page.put_pixel(x, y, image::Luma([0]));
        }
        // ... and a sliver of the number's underline, as a misregistered page leaves it.
        for x in 420..470 {
            for y in 95..97 {
                page.put_pixel(x, y, image::Luma([0]));
            }
        }
        let r = read_fields(&page, None, &Affine::translate(0.0, 0.0), &fields, None);
        assert_eq!(r[1].status, FieldStatus::Blank, "{:?}", r[1]);
        assert_eq!(r[2].status, FieldStatus::Blank, "{:?}", r[2]);
        assert!(
            r[2].ink >= PRESENT_INK,
            "the dots survive cleaning: {:?}",
            r[2]
        );
        // Ink that much is shown to a person, not dropped silently.
        assert!(r[2].doubt.first().is_some_and(Reason::is_faint));
        // A lone digit is writing.
        write(&mut page, (860.0 / 2.0, 300.0), "1");
        let r = read_fields(&page, None, &Affine::translate(0.0, 0.0), &fields, None);
        assert!(matches!(r[2].status, FieldStatus::Unread(_)), "{:?}", r[2]);
    }
}

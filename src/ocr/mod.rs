//! Reading the write-in fields: is anything written, and what.
//!
//! Per page: every field of the template page is [prepared](prepare::prepare) (printed
//! form removed, speckle dropped); a field with too little writing is blank and costs no
//! OCR. The writing of the others is cut out, enlarged and laid on one strip image that is
//! set on the thread's [engine](engine::Engine) once; each field is then read as a
//! rectangle of it, with its constraint (prefecture names, digits) and layout. OCR
//! trouble never stops a page: the field is left empty and sent to a person.

pub mod engine;
pub mod prefecture;
pub mod prepare;
pub mod text;

use crate::geometry::{Affine, Rect};
use crate::raster::GrayImage;
use crate::template::{FieldShape, TextFormat};
use engine::{Engine, Layout, OcrError};
use prepare::{FieldModel, Prepared, prepare};
use std::cell::RefCell;
use std::time::Instant;

/// Writing pixels (at 200 dpi, after cleaning) from which a field counts as written. A
/// single handwritten digit is about 100.
pub const PRESENT_INK: u32 = 40;
/// Below [`PRESENT_INK`] but at least this much: a faint or tiny mark a person should see.
pub const FAINT_INK: u32 = 20;
/// How the review reason of a field taken for blank despite a small mark begins.
pub const FAINT_REASON: &str = "a small mark in the field";
/// Tesseract confidence under which a free-text reading goes to a person.
pub const TEXT_CONFIDENCE: f32 = 0.75;
/// Tesseract confidence under which a number goes to a person.
pub const NUMBER_CONFIDENCE: f32 = 0.60;
/// Enlargement of the writing before OCR (200 dpi → 300 dpi).
const SCALE: f32 = 1.5;
/// White space around each crop on the strip, in strip pixels.
const PAD: u32 = 24;

/// A write-in field of a template page, ready to read.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// The responses.csv column (the question id).
    pub column: String,
    pub format: TextFormat,
    pub model: FieldModel,
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
    /// Why a person should look at it, if they should.
    pub doubt: Option<String>,
    /// Writing pixels found.
    pub ink: u32,
    /// Template rectangle showing the field, for the review crop.
    pub area: Rect,
    /// Seconds of OCR spent on this field.
    pub ocr_seconds: f64,
}

thread_local! {
    /// This worker thread's engine, made on first use; an engine that failed to start is
    /// remembered so that every field says why instead of retrying per field.
    static ENGINE: RefCell<Option<Result<Engine, String>>> = const { RefCell::new(None) };
}

/// Reads the fields of one page registered by `transform` (template → page). With
/// `ocr == false` written fields are found but left unread.
pub fn read_fields(
    page: &GrayImage,
    transform: &Affine,
    fields: &[FieldSpec],
    ocr: bool,
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
            doubt: (p.ink >= FAINT_INK && p.ink < PRESENT_INK)
                .then(|| format!("{FAINT_REASON} ({} px); blank?", p.ink)),
            ink: p.ink,
            area: f.model.rect.inflate(12),
            ocr_seconds: 0.0,
        })
        .collect();
    let written: Vec<usize> = (0..fields.len())
        .filter(|&i| prepared[i].ink >= PRESENT_INK)
        .collect();
    if written.is_empty() {
        return out;
    }
    for &i in &written {
        out[i].status = FieldStatus::Unread("OCR off (--no-ocr)".into());
        out[i].doubt = None;
        out[i].confidence = 0.0;
    }
    if !ocr {
        return out;
    }
    let crops: Vec<GrayImage> = written.iter().map(|&i| ocr_crop(&prepared[i])).collect();
    let (strip, rects) = lay_out(&crops);
    let result = ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let engine = slot.get_or_insert_with(|| Engine::new().map_err(|e| e.to_string()));
        let engine = match engine {
            Ok(e) => e,
            Err(e) => return Err(e.clone()),
        };
        engine
            .set_image(&strip, (200.0 * SCALE) as u32)
            .map_err(|e| e.to_string())?;
        for (k, &i) in written.iter().enumerate() {
            let t0 = Instant::now();
            let f = &fields[i];
            let r = read_one(engine, &rects[k], f);
            out[i].ocr_seconds = t0.elapsed().as_secs_f64();
            interpret(&mut out[i], f, r);
        }
        Ok(())
    });
    if let Err(reason) = result {
        for &i in &written {
            out[i].status = FieldStatus::Unread(reason.clone());
            out[i].doubt = Some(format!("writing not read: {reason}"));
        }
    }
    out
}

/// A blank field is surer the less ink there is.
fn blank_confidence(ink: u32) -> f32 {
    1.0 - (ink as f32 / PRESENT_INK as f32).min(1.0) * 0.6
}

fn read_one(engine: &mut Engine, r: &Rect, f: &FieldSpec) -> Result<engine::Recognised, OcrError> {
    let layout = match (f.format, f.model.shape) {
        // Tesseract's line finding drops handwritten digits more often than it reads
        // them as a raw line (calibration corpus: 67 % against 52 % exact).
        (TextFormat::Digits, _) => Layout::RawLine,
        (_, FieldShape::Box) => Layout::Block,
        (_, FieldShape::Underline | FieldShape::Paren) => Layout::Line,
    };
    let whitelist = match f.format {
        TextFormat::Prefecture => prefecture::alphabet(),
        TextFormat::Digits => "0123456789".to_string(),
        TextFormat::Free => String::new(),
    };
    engine.read(r, layout, &whitelist)
}

/// Turns an OCR result into the cell value, its confidence and any doubt.
fn interpret(fr: &mut FieldReading, f: &FieldSpec, r: Result<engine::Recognised, OcrError>) {
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            fr.status = FieldStatus::Unread(e.to_string());
            fr.doubt = Some(format!("writing not read: {e}"));
            return;
        }
    };
    fr.status = FieldStatus::Read;
    fr.raw = r.text.trim().to_string();
    let tidy = text::tidy(&r.text);
    match f.format {
        TextFormat::Prefecture => match prefecture::best_match(&tidy) {
            Some(m) => {
                fr.value = m.name.to_string();
                fr.confidence = if m.is_sure() {
                    r.confidence.max(0.5)
                } else {
                    r.confidence.min(0.3)
                };
                if !m.is_sure() {
                    fr.doubt = Some(format!(
                        "prefecture read as 「{tidy}」: closest {} at distance {}, next at {}",
                        m.name, m.distance, m.runner_up
                    ));
                }
            }
            None => {
                fr.confidence = 0.0;
                fr.doubt = Some("writing found but no prefecture read".into());
            }
        },
        TextFormat::Digits => {
            let digits = text::digits(&tidy);
            fr.value = digits.clone();
            fr.confidence = r.confidence;
            if digits.is_empty() {
                fr.confidence = 0.0;
                fr.doubt = Some("writing found but no digits read".into());
            } else if r.confidence < NUMBER_CONFIDENCE {
                fr.doubt = Some(format!("number read as {digits} with low confidence"));
            }
        }
        TextFormat::Free => {
            fr.value = tidy.clone();
            fr.confidence = r.confidence;
            if tidy.is_empty() {
                fr.confidence = 0.0;
                fr.doubt = Some("writing found but no text read".into());
            } else if r.confidence < TEXT_CONFIDENCE {
                fr.doubt = Some("handwriting read with low confidence".into());
            }
        }
    }
}

/// The writing of a prepared field, with a margin, enlarged for Tesseract.
fn ocr_crop(p: &Prepared) -> GrayImage {
    let w = p
        .writing
        .unwrap_or(Rect::new(
            0,
            0,
            p.image.width() as i32,
            p.image.height() as i32,
        ))
        .inflate(6)
        .clip(p.image.width(), p.image.height())
        .unwrap_or(Rect::new(0, 0, 1, 1));
    let cut = crate::raster::crop(&p.image, &w);
    let (nw, nh) = (
        ((cut.width() as f32 * SCALE).round() as u32).max(1),
        ((cut.height() as f32 * SCALE).round() as u32).max(1),
    );
    image::imageops::resize(&cut, nw, nh, image::imageops::FilterType::Triangle)
}

/// Stacks crops on one white strip; returns it and each crop's rectangle on it.
fn lay_out(crops: &[GrayImage]) -> (GrayImage, Vec<Rect>) {
    let width = crops.iter().map(|c| c.width()).max().unwrap_or(1) + 2 * PAD;
    let height = crops.iter().map(|c| c.height() + PAD).sum::<u32>() + PAD;
    let mut strip = GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut rects = Vec::new();
    let mut y = PAD;
    for c in crops {
        image::imageops::replace(&mut strip, c, PAD as i64, y as i64);
        // The rectangle read includes some paper around the writing: Tesseract finds
        // the text line more reliably with a margin.
        rects.push(
            Rect::new(PAD as i32, y as i32, c.width() as i32, c.height() as i32)
                .inflate(PAD as i32 / 2),
        );
        y += c.height() + PAD;
    }
    (strip, rects)
}

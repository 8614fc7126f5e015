//! One interface over the handwriting recognisers, so that engines can be compared on the
//! same fields: PP-OCR (made for handwriting and scene text; the default) and Tesseract
//! (made for print; the alternative, and the fallback when PP-OCR's models are missing).
//!
//! Each engine reads a [`Field`] (the cleaned writing of one write-in field) under the
//! field's constraint and returns a [`Reading`]. PP-OCR decodes under the constraint: a
//! prefecture is scored against each of the 47 names, digits and Japanese text come from
//! only those characters; Tesseract is given a character whitelist and its text is
//! matched to a name afterwards.

use super::ctc::{Frames, Greedy, log_add};
use super::digits::DigitEvidence;
use super::engine::{self as tess, Layout};
use super::lines;
use super::ppocr::{self, PpOcrError};
use super::prefecture::PREFECTURES;
use super::text;
use crate::geometry::Rect;
use crate::normalise::px_len;
use crate::raster::GrayImage;
use crate::template::{FieldShape, TextFormat};
use std::ops::Range;

/// Which recogniser reads handwriting.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OcrEngine {
    /// PaddleOCR PP-OCRv6 via ONNX Runtime (models from `make setup`).
    Ppocr,
    /// Tesseract's `jpn` model from Debian.
    Tesseract,
}

impl OcrEngine {
    pub fn name(self) -> &'static str {
        match self {
            OcrEngine::Ppocr => "ppocr",
            OcrEngine::Tesseract => "tesseract",
        }
    }
}

/// The cleaned writing of one field, ready to read.
pub struct Field<'a> {
    /// Printed form removed; 0 = ink.
    pub image: &'a GrayImage,
    /// Where the writing is in `image`.
    pub writing: Rect,
    pub format: TextFormat,
    pub shape: FieldShape,
}

/// What an engine read in one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The text, tidied (no spaces between Japanese characters).
    pub text: String,
    /// 0..1, the engine's own measure (comparable within an engine only).
    pub confidence: f32,
    /// Prefecture fields decoded under the 47 names: the names (as tabulated) with their
    /// share of the probability, best first, at most three. Empty when the engine reads
    /// text only.
    pub names: Vec<(&'static str, f32)>,
    /// Prefecture fields decoded under the names: how much likelier the free reading is
    /// than the best name (natural log, ≥ 0). Large when something else is written
    /// (「千葉市」, a word), so that a name is not forced onto it.
    pub unexplained: f32,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum OcrError {
    #[error(transparent)]
    Tesseract(#[from] tess::OcrError),
    #[error(transparent)]
    PpOcr(#[from] PpOcrError),
}

pub trait Recognise {
    fn read(&mut self, field: &Field) -> Result<Reading, OcrError>;
    /// One line of printed text (a fax header), as read, spaces kept. Where `numbers`
    /// finds a number in the reading (character ranges), it is read again as a number:
    /// without the letters small printed digits are taken for (B, O, /, I).
    fn read_line(
        &mut self,
        line: &GrayImage,
        numbers: &dyn Fn(&str) -> Vec<Range<usize>>,
    ) -> Result<PrintedWord, OcrError>;
    /// Below these confidences a reading goes to a person.
    fn thresholds(&self) -> Thresholds;
}

/// A word of printed text as read.
#[derive(Debug, Clone)]
pub struct PrintedWord {
    /// The text, spaces kept.
    pub text: String,
    /// What the recogniser saw of its digits, to score other readings of a number in it
    /// (PP-OCR only).
    pub digits: Option<DigitEvidence>,
}

/// Confidences (each engine's own scale) under which a reading goes to a person.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A number's least sure digit (PP-OCR) or Tesseract's mean word confidence.
    pub number: f32,
    /// Free text's mean character probability (PP-OCR) or Tesseract's confidence.
    pub text: f32,
    /// A prefecture's share of the probability among the 47 names (PP-OCR only).
    pub prefecture: f32,
    /// How much likelier (natural log) the free reading may be than the best name
    /// before the name is doubted (PP-OCR only).
    pub unexplained: f32,
}

/// A header word is padded to this width only (not the 320 of a written line): the
/// header's short words cost a third of the time.
const HEADER_MIN_WIDTH: u32 = 96;

/// Writing in a comment box at most this high is one line: read without the detector.
const ONE_LINE: i32 = px_len(6.0);

/// Paper kept round the writing in a line crop.
const CROP_PAD: i32 = px_len(0.8);

// ---------------------------------------------------------------------------------------
// PP-OCR

/// PP-OCR with the field constraints prepared for its character set.
pub struct PpOcr {
    rec: ppocr::Recogniser,
    det: ppocr::Detector,
    /// Per class: may appear in Japanese text (JIS X 0208, so not simplified Chinese
    /// forms such as 爱, 贺, 长), or is the space.
    japanese: Vec<bool>,
    digit: Vec<bool>,
    /// Per class: a character of a printed number (a digit, hyphen or bracket).
    number_char: Vec<bool>,
    /// The blank and the class of each character of a printed number
    /// ([`super::digits::ALPHABET`]), found once; `None` when the model lacks one.
    number_classes: Option<Vec<usize>>,
    /// Per prefecture: the label sequences it may be written as (with or without its
    /// suffix).
    names: Vec<(&'static str, Vec<Vec<usize>>)>,
}

impl PpOcr {
    pub fn new() -> Result<PpOcr, PpOcrError> {
        let rec = ppocr::Recogniser::new()?;
        let japanese = rec
            .charset
            .iter()
            .map(|c| {
                !c.is_empty()
                    && (c == " " || !encoding_rs::SHIFT_JIS.encode(c).2)
                    && !c.chars().any(char::is_control)
            })
            .collect();
        // Per class: one character (full width narrowed) that `is` admits.
        let single = |is: fn(char) -> bool| -> Vec<bool> {
            rec.charset
                .iter()
                .map(|c| {
                    let mut cs = c.chars().map(text::narrow);
                    matches!((cs.next(), cs.next()), (Some(d), None) if is(d))
                })
                .collect()
        };
        let digit = single(|d| d.is_ascii_digit());
        let number_char = single(|d| d.is_ascii_digit() || "-()".contains(d));
        let names = PREFECTURES
            .iter()
            .map(|(name, suffix)| {
                let forms = [name.to_string(), format!("{name}{suffix}")];
                let mut labels: Vec<Vec<usize>> =
                    forms.iter().filter_map(|f| rec.labels(f)).collect();
                labels.dedup();
                (*name, labels)
            })
            .collect();
        let number_classes = std::iter::once(Some(0))
            .chain(
                super::digits::ALPHABET
                    .iter()
                    .map(|c| rec.labels(&c.to_string()).map(|l| l[0])),
            )
            .collect();
        Ok(PpOcr {
            rec,
            det: ppocr::Detector::new()?,
            japanese,
            digit,
            number_char,
            number_classes,
            names,
        })
    }

    fn line(&mut self, img: &GrayImage, r: Rect, pad: i32) -> Result<Frames, OcrError> {
        let r = r
            .inflate(pad)
            .clip(img.width(), img.height())
            .unwrap_or(Rect::new(0, 0, 1, 1));
        Ok(self.rec.frames(&crate::raster::crop(img, &r))?)
    }

    fn read_prefecture(&self, f: &Frames) -> Reading {
        let free = f.greedy(|c| self.japanese[c]);
        let free_ll = f.log_likelihood(&free.labels);
        let mut scored: Vec<(&'static str, f64)> = self
            .names
            .iter()
            .map(|(name, forms)| {
                let ll = forms
                    .iter()
                    .map(|l| f.log_likelihood(l))
                    .fold(f64::NEG_INFINITY, log_add);
                (*name, ll)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        let total = scored.iter().map(|s| s.1).fold(f64::NEG_INFINITY, log_add);
        let names: Vec<(&'static str, f32)> = scored
            .iter()
            .take(3)
            .map(|&(n, ll)| (n, (ll - total).exp() as f32))
            .collect();
        let best = scored.first().map_or(f64::NEG_INFINITY, |s| s.1);
        Reading {
            text: self.rec.spell(&free.labels),
            confidence: names.first().map_or(0.0, |n| n.1),
            names,
            unexplained: (free_ll - best).clamp(0.0, 1e6) as f32,
        }
    }

    fn reading(&self, g: &Greedy, mean: bool) -> Reading {
        Reading {
            text: text::tidy(&self.rec.spell(&g.labels)),
            confidence: if mean { g.mean_prob() } else { g.min_prob() },
            names: Vec::new(),
            unexplained: 0.0,
        }
    }
}

/// PP-OCR's thresholds (see [`Thresholds`]). The prefecture share is a posterior over
/// the names: 0.95 leaves a runner-up at most one chance in twenty. A free reading 20×
/// likelier than every name means something else is written.
pub const PPOCR_THRESHOLDS: Thresholds = Thresholds {
    number: 0.80,
    text: 0.85,
    prefecture: 0.95,
    unexplained: 3.0,
};

/// Tesseract's (calibration corpus of the project's synthetic handwriting).
pub const TESSERACT_THRESHOLDS: Thresholds = Thresholds {
    number: 0.60,
    text: 0.75,
    prefecture: 1.0,
    unexplained: 0.0,
};

impl Recognise for PpOcr {
    fn thresholds(&self) -> Thresholds {
        PPOCR_THRESHOLDS
    }

    fn read_line(
        &mut self,
        line: &GrayImage,
        numbers: &dyn Fn(&str) -> Vec<Range<usize>>,
    ) -> Result<PrintedWord, OcrError> {
        let f = self.rec.frames_padded(line, HEADER_MIN_WIDTH)?;
        // Japanese text only (時, not 时).
        let mut g = f.greedy(|c| self.japanese[c]);
        let text = self.rec.spell(&g.labels);
        // Each number again over its own frames, as the characters of a number only;
        // from the last, so that the labels before keep their places.
        let mut spans = numbers(&text);
        spans.reverse();
        for chars in spans {
            let labels = labels_of_chars(&g.labels, |l| self.rec.charset[l].chars().count(), chars);
            let from = g.starts[labels.start];
            let to = g.starts.get(labels.end).copied().unwrap_or(f.frames);
            let again = f.greedy_in(from..to, |c| self.number_char[c]);
            g.splice(labels, again);
        }
        let text = self.rec.spell(&g.labels);
        let rec = &self.rec;
        let digits = self
            .number_classes
            .as_deref()
            .map(|classes| DigitEvidence::new(&f, &g, |l| rec.charset[l].clone(), classes));
        Ok(PrintedWord { text, digits })
    }

    fn read(&mut self, field: &Field) -> Result<Reading, OcrError> {
        match (field.format, field.shape) {
            (TextFormat::Prefecture, _) => {
                let f = self.line(field.image, field.writing, CROP_PAD)?;
                Ok(self.read_prefecture(&f))
            }
            (TextFormat::Digits, _) => {
                let f = self.line(field.image, field.writing, CROP_PAD)?;
                let g = f.greedy(|c| self.digit[c]);
                Ok(self.reading(&g, false))
            }
            // Writing more than one line high in a box: its lines are found first (one
            // line high, it is read as a line field is: the detector would find that line).
            (TextFormat::Free, FieldShape::Box) if field.writing.h > ONE_LINE => {
                let mut all = Greedy::default();
                let mut text = String::new();
                let area = field
                    .writing
                    .inflate(CROP_PAD)
                    .clip(field.image.width(), field.image.height())
                    .unwrap_or(Rect::new(0, 0, 1, 1));
                let found = self.det.lines(&crate::raster::crop(field.image, &area))?;
                let shift = |r: Rect| Rect::new(r.x + area.x, r.y + area.y, r.w, r.h);
                let found: Vec<ppocr::Line> = found
                    .into_iter()
                    .map(|l| ppocr::Line {
                        core: shift(l.core),
                        area: shift(l.area),
                    })
                    .collect();
                // Nothing detected in writing that is there: read it as the detector's
                // fallback would, by its rows of ink.
                let order = if found.is_empty() {
                    lines::split(field.image, field.writing.inflate(2))
                } else {
                    lines::reading_order(found)
                };
                let mut offset = 0;
                for r in order {
                    let f = self.line(field.image, r, 0)?;
                    let g = f.greedy(|c| self.japanese[c]);
                    text.push_str(&self.rec.spell(&g.labels));
                    text.push('\n');
                    // Frames counted on from the lines before.
                    all.starts.extend(g.starts.iter().map(|t| t + offset));
                    offset += f.frames;
                    all.labels.extend(&g.labels);
                    all.probs.extend(&g.probs);
                }
                let mut r = self.reading(&all, true);
                r.text = text::tidy(&text);
                Ok(r)
            }
            (TextFormat::Free, _) => {
                let f = self.line(field.image, field.writing, CROP_PAD)?;
                let g = f.greedy(|c| self.japanese[c]);
                Ok(self.reading(&g, true))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tesseract

/// Enlargement of the writing before Tesseract (200 dpi → 300 dpi).
const TESS_SCALE: f32 = 1.5;
/// White space round the crop, in enlarged pixels: Tesseract finds a text line more
/// reliably with a margin.
const TESS_PAD: u32 = 24;

pub struct Tesseract {
    engine: tess::Engine,
}

impl Tesseract {
    pub fn new() -> Result<Tesseract, tess::OcrError> {
        Ok(Tesseract {
            engine: tess::Engine::new()?,
        })
    }

    /// Sets `img` on the engine with [`TESS_PAD`] of paper round it; returns its size
    /// with the paper.
    fn set_padded(&mut self, img: &GrayImage, dpi: u32) -> Result<(u32, u32), OcrError> {
        let (w, h) = (img.width() + 2 * TESS_PAD, img.height() + 2 * TESS_PAD);
        let mut canvas = GrayImage::from_pixel(w, h, image::Luma([255]));
        image::imageops::replace(&mut canvas, img, TESS_PAD as i64, TESS_PAD as i64);
        self.engine.set_image(&canvas, dpi)?;
        Ok((w, h))
    }
}

impl Recognise for Tesseract {
    fn thresholds(&self) -> Thresholds {
        TESSERACT_THRESHOLDS
    }

    fn read_line(
        &mut self,
        line: &GrayImage,
        numbers: &dyn Fn(&str) -> Vec<Range<usize>>,
    ) -> Result<PrintedWord, OcrError> {
        let (w, h) = self.set_padded(line, crate::normalise::WORKING_DPI as u32)?;
        let whole = Rect::new(0, 0, w as i32, h as i32);
        let mut text = self.engine.read(&whole, Layout::Line, "")?.text;
        // Tesseract reads a whole line under a whitelist or none: again as digits when
        // it is mostly a number.
        let in_numbers: usize = numbers(&text).iter().map(|r| r.len()).sum();
        let chars = text.chars().filter(|c| !c.is_whitespace()).count();
        if chars > 0 && in_numbers * 10 >= chars * 7 {
            text = self.engine.read(&whole, Layout::Line, "0123456789-")?.text;
        }
        Ok(PrintedWord {
            text: text.trim().to_string(),
            digits: None,
        })
    }

    fn read(&mut self, field: &Field) -> Result<Reading, OcrError> {
        let r = field
            .writing
            .inflate(6)
            .clip(field.image.width(), field.image.height())
            .unwrap_or(Rect::new(0, 0, 1, 1));
        let cut = crate::raster::crop(field.image, &r);
        let (nw, nh) = (
            ((cut.width() as f32 * TESS_SCALE).round() as u32).max(1),
            ((cut.height() as f32 * TESS_SCALE).round() as u32).max(1),
        );
        let big = image::imageops::resize(&cut, nw, nh, image::imageops::FilterType::Triangle);
        self.set_padded(&big, (crate::normalise::WORKING_DPI * TESS_SCALE) as u32)?;
        let layout = match (field.format, field.shape) {
            // Tesseract's line finding drops handwritten digits more often than it reads
            // them as a raw line (calibration corpus: 67 % against 52 % exact).
            (TextFormat::Digits, _) => Layout::RawLine,
            (_, FieldShape::Box) => Layout::Block,
            (_, FieldShape::Underline | FieldShape::Paren) => Layout::Line,
        };
        let whitelist = match field.format {
            TextFormat::Prefecture => super::prefecture::alphabet(),
            TextFormat::Digits => "0123456789".to_string(),
            TextFormat::Free => String::new(),
        };
        let whole = Rect::new(
            TESS_PAD as i32 / 2,
            TESS_PAD as i32 / 2,
            (nw + TESS_PAD) as i32,
            (nh + TESS_PAD) as i32,
        );
        let r = self.engine.read(&whole, layout, &whitelist)?;
        Ok(Reading {
            text: text::tidy(&r.text),
            confidence: r.confidence,
            names: Vec::new(),
            unexplained: 0.0,
        })
    }
}

/// The labels (each spelling `chars_of(label)` characters) that spell the characters
/// `chars` of their text.
fn labels_of_chars(
    labels: &[usize],
    chars_of: impl Fn(usize) -> usize,
    chars: Range<usize>,
) -> Range<usize> {
    let (mut first, mut end, mut at) = (labels.len(), labels.len(), 0);
    for (i, &l) in labels.iter().enumerate() {
        let next = at + chars_of(l);
        if first == labels.len() && next > chars.start {
            first = i;
        }
        if next >= chars.end {
            end = i + 1;
            break;
        }
        at = next;
    }
    first.min(end)..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_found_in_the_labels_that_spell_them() {
        // Labels spelling "20", "2", "6", " ", "F", "AX", "0", "4": the text "2026 FAX04".
        let width = [2, 1, 1, 1, 1, 2, 1, 1];
        let labels: Vec<usize> = (0..width.len()).collect();
        let of = |chars| labels_of_chars(&labels, |l| width[l], chars);
        assert_eq!(of(8..10), 6..8); // "04"
        assert_eq!(of(0..1), 0..1); // half of a two-character label is in it
        assert_eq!(of(5..8), 4..6); // "FAX"
        assert_eq!(of(2..4), 1..3); // "26"
    }
}

//! A Tesseract engine (the `tesseract` crate on the system libtesseract, `jpn` model).
//!
//! Each worker thread owns one engine: an engine is not shareable between threads, and
//! several engines each running OpenMP threads on two cores collapse throughput, which is
//! why the binary runs with `OMP_THREAD_LIMIT=1` (see `main`). A page's field crops are
//! set as one image once; each field is then read as a rectangle of it.

use crate::geometry::Rect;
use crate::raster::GrayImage;
use std::ffi::CString;
use tesseract::plumbing::TessBaseApi;
use tesseract::plumbing::tesseract_sys::{
    TessPageSegMode_PSM_AUTO, TessPageSegMode_PSM_RAW_LINE, TessPageSegMode_PSM_SINGLE_BLOCK,
    TessPageSegMode_PSM_SINGLE_LINE,
};

/// The model read with.
pub const LANGUAGE: &str = "jpn";

/// How the writing in a rectangle is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One line (underline and parenthesis blanks).
    Line,
    /// One line taken as it is, without Tesseract's own line finding (short numbers).
    RawLine,
    /// Several lines (comment boxes).
    Block,
}

/// What Tesseract read in one rectangle.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    pub text: String,
    /// Tesseract's mean word confidence, 0..1.
    pub confidence: f32,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum OcrError {
    #[error(
        "Tesseract could not load its '{LANGUAGE}' model (install tesseract-ocr-jpn, or set TESSDATA_PREFIX)"
    )]
    Init,
    #[error("Tesseract refused the image: {0}")]
    Image(String),
    #[error("Tesseract failed to recognise the field")]
    Recognise,
    #[error("Tesseract returned no text")]
    Text,
}

pub struct Engine {
    api: TessBaseApi,
    whitelist: String,
    layout: Option<Layout>,
}

impl Engine {
    pub fn new() -> Result<Engine, OcrError> {
        let mut api = TessBaseApi::create();
        let lang = CString::new(LANGUAGE).expect("no NUL");
        api.init_2(None, Some(&lang)).map_err(|_| OcrError::Init)?;
        // Tesseract's own diagnostics ("Empty page!!", resolution guesses) would otherwise
        // interleave with the batch's output on stderr.
        let _ = api.set_variable(c"debug_file", c"/dev/null");
        Ok(Engine {
            api,
            whitelist: String::new(),
            layout: None,
        })
    }

    /// Sets the image whose rectangles are read next (8-bit grey, 0 = ink).
    pub fn set_image(&mut self, img: &GrayImage, dpi: u32) -> Result<(), OcrError> {
        let (w, h) = (img.width() as i32, img.height() as i32);
        self.api
            .set_image(img.as_raw(), w, h, 1, w)
            .map_err(|e| OcrError::Image(format!("{e:?}")))?;
        self.api.set_source_resolution(dpi as i32);
        Ok(())
    }

    /// Limits the characters Tesseract may answer with (empty: any), when that changes.
    fn set_whitelist(&mut self, whitelist: &str) -> Result<(), OcrError> {
        if self.whitelist != whitelist {
            let v = CString::new(whitelist).expect("no NUL in a whitelist");
            self.api
                .set_variable(c"tessedit_char_whitelist", &v)
                .map_err(|_| OcrError::Recognise)?;
            self.whitelist = whitelist.to_string();
        }
        Ok(())
    }

    /// The words printed on a whole page (8-bit grey, 0 = ink) with their places, as
    /// Tesseract finds the page's layout: a blank form's text when it came as a scan.
    pub fn words(
        &mut self,
        img: &GrayImage,
        dpi: u32,
    ) -> Result<Vec<crate::template::textlayer::Word>, OcrError> {
        self.set_image(img, dpi)?;
        self.api.set_page_seg_mode(TessPageSegMode_PSM_AUTO);
        self.layout = None;
        self.set_whitelist("")?;
        self.api.recognize().map_err(|_| OcrError::Recognise)?;
        let tsv = self.api.get_tsv_text(0).map_err(|_| OcrError::Text)?;
        let tsv = tsv.as_ref().to_string_lossy().into_owned();
        Ok(words_of_tsv(&tsv))
    }

    /// Reads one rectangle of the image set last; `whitelist` limits the characters
    /// Tesseract may answer with (empty: any).
    pub fn read(
        &mut self,
        r: &Rect,
        layout: Layout,
        whitelist: &str,
    ) -> Result<Recognised, OcrError> {
        if self.layout != Some(layout) {
            self.api.set_page_seg_mode(match layout {
                Layout::Line => TessPageSegMode_PSM_SINGLE_LINE,
                Layout::RawLine => TessPageSegMode_PSM_RAW_LINE,
                Layout::Block => TessPageSegMode_PSM_SINGLE_BLOCK,
            });
            self.layout = Some(layout);
        }
        self.set_whitelist(whitelist)?;
        self.api.set_rectangle(r.x, r.y, r.w, r.h);
        self.api.recognize().map_err(|_| OcrError::Recognise)?;
        let text = self.api.get_utf8_text().map_err(|_| OcrError::Text)?;
        let text = text.as_ref().to_string_lossy().into_owned();
        let confidence = self.api.mean_text_conf().clamp(0, 100) as f32 / 100.0;
        Ok(Recognised { text, confidence })
    }
}

/// The words of Tesseract's TSV output (its level-5 rows: level, page, block, paragraph,
/// line, word, left, top, width, height, confidence, text), each with the number of its
/// line; 間 before a number read as 問 (the model takes one for the other; no question
/// opens with 間 and a number).
fn words_of_tsv(tsv: &str) -> Vec<crate::template::textlayer::Word> {
    let mut out: Vec<crate::template::textlayer::Word> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for row in tsv.lines() {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        if f.len() < 12 || f[0] != "5" || f[11].trim().is_empty() {
            continue;
        }
        let n = |i: usize| f[i].parse::<i32>().ok();
        let (Some(x), Some(y), Some(w), Some(h)) = (n(6), n(7), n(8), n(9)) else {
            continue;
        };
        let key = f[1..5].join(".");
        if lines.last() != Some(&key) {
            lines.push(key);
        }
        out.push(crate::template::textlayer::Word {
            rect: Rect::new(x, y, w.max(1), h.max(1)),
            text: f[11].trim().to_string(),
            line: lines.len() - 1,
        });
    }
    let digit_first = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| crate::chars::narrow(c).is_ascii_digit())
    };
    for k in 0..out.len() {
        let Some(rest) = out[k].text.strip_prefix('間') else {
            continue;
        };
        let numbered = if rest.is_empty() {
            out.get(k + 1)
                .is_some_and(|n| n.line == out[k].line && digit_first(&n.text))
        } else {
            digit_first(rest)
        };
        if numbered {
            out[k].text = format!("問{rest}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_fifth_level_of_the_tsv_with_their_lines() {
        let tsv = "1\t1\t0\t0\t0\t0\t0\t0\t1653\t2339\t-1\t\n\
                   4\t1\t1\t1\t1\t0\t120\t300\t400\t30\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t120\t300\t30\t30\t96.5\t間\n\
                   5\t1\t1\t1\t1\t2\t152\t302\t16\t28\t96.5\t1\n\
                   5\t1\t1\t1\t1\t3\t200\t301\t150\t29\t91.0\t医療機関\n\
                   5\t1\t1\t1\t1\t4\t380\t301\t10\t29\t12.0\t \n\
                   5\t1\t1\t1\t2\t1\t120\t340\t30\t30\t90.0\t期間\n\
                   5\t1\t1\t1\t3\t1\t120\t380\t30\t30\t90.0\t間\n\
                   5\t1\t1\t1\t4\t1\t120\t420\t30\t30\t90.0\t2\n";
        let w = words_of_tsv(tsv);
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        // 間 and a number on another line is no heading.
        assert_eq!(texts, ["問", "1", "医療機関", "期間", "間", "2"]);
        let lines: Vec<usize> = w.iter().map(|w| w.line).collect();
        assert_eq!(lines, [0, 0, 0, 1, 2, 3]);
        assert_eq!(w[2].rect, Rect::new(200, 301, 150, 29));
    }
}

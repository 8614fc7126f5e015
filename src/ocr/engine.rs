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
    TessPageSegMode_PSM_RAW_LINE, TessPageSegMode_PSM_SINGLE_BLOCK, TessPageSegMode_PSM_SINGLE_LINE,
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
        if self.whitelist != whitelist {
            let v = CString::new(whitelist).expect("no NUL in a whitelist");
            self.api
                .set_variable(c"tessedit_char_whitelist", &v)
                .map_err(|_| OcrError::Recognise)?;
            self.whitelist = whitelist.to_string();
        }
        self.api.set_rectangle(r.x, r.y, r.w, r.h);
        self.api.recognize().map_err(|_| OcrError::Recognise)?;
        let text = self.api.get_utf8_text().map_err(|_| OcrError::Text)?;
        let text = text.as_ref().to_string_lossy().into_owned();
        let confidence = self.api.mean_text_conf().clamp(0, 100) as f32 / 100.0;
        Ok(Recognised { text, confidence })
    }
}

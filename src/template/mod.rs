//! Templates: what one layout of one questionnaire looks like and what its marks mean.
//!
//! A template is a TOML file (format in `templates/README.md`) plus one reference image per
//! page, the blank form rasterised at the template's resolution. Geometry (`[[box]]`,
//! `[[field]]`) and meaning (`[[question]]`) are kept apart so that a draft written by
//! `faxform template detect` becomes a template by naming its boxes, without touching a
//! coordinate.

mod branching;
mod columns;
pub mod detect;
pub mod draft;
pub mod edit;
pub mod layouts;
pub mod like;
mod load;
pub mod overlay;
pub mod textlayer;

pub use columns::{Column, ColumnKind};
pub use load::{
    LoadError, Sketch, SketchItem, dir, load, load_all, others_beside, parse, problems_beside,
    sketch,
};

use crate::geometry::Rect;
use std::path::PathBuf;

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One box at most.
    Single,
    /// Any number of boxes.
    Multi,
    /// Handwritten text.
    Text,
    /// Handwritten number.
    Number,
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multi => "multi",
            Kind::Text => "text",
            Kind::Number => "number",
        }
    }
}

/// What a text field must contain, used by OCR to constrain its reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextFormat {
    /// One of the 47 prefectures.
    Prefecture,
    /// Digits only.
    Digits,
    /// Free text.
    Free,
}

/// The printed shape of a write-in area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldShape {
    /// A ruled rectangle.
    Box,
    /// A printed underline; the writing sits above it.
    Underline,
    /// The blank between printed parentheses, as in その他（　　）.
    Paren,
}

/// One template page and its reference image.
#[derive(Debug, Clone)]
pub struct Page {
    pub number: usize,
    pub image_path: PathBuf,
    pub width: u32,
    pub height: u32,
}

/// A printed checkbox of an option.
#[derive(Debug, Clone)]
pub struct OptionBox {
    /// 1-based code in printed order.
    pub code: u32,
    pub label: String,
    pub page: usize,
    pub rect: Rect,
    /// Where the option's printed label is; respondents often circle it instead of ticking.
    pub label_rect: Option<Rect>,
    /// Source line in the template file, for messages.
    pub line: usize,
}

/// A write-in area.
#[derive(Debug, Clone)]
pub struct Field {
    pub page: usize,
    pub rect: Rect,
    pub shape: FieldShape,
    pub line: usize,
}

/// Options of a multi-choice question that may be chosen only together with a parent option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubOptions {
    pub parent: u32,
    pub codes: Vec<u32>,
}

/// A branch: when one of `when` is chosen, questions after this one up to `to` are skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub when: Vec<u32>,
    pub to: String,
}

/// One question (one or more columns of responses.csv).
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub kind: Kind,
    pub text: String,
    /// Options in code order (single and multi only).
    pub options: Vec<OptionBox>,
    /// The write-in area (text and number only).
    pub field: Option<Field>,
    pub format: TextFormat,
    /// Options that exclude every other option of the question (e.g. 特にトラブルはない).
    pub exclusive: Vec<u32>,
    pub sub: Vec<SubOptions>,
    pub skip: Vec<Skip>,
    /// For その他（ ）-style fields: the option this text belongs to.
    pub attached_to: Option<(String, u32)>,
    pub line: usize,
}

impl Question {
    pub fn option(&self, code: u32) -> Option<&OptionBox> {
        self.options.iter().find(|o| o.code == code)
    }

    pub fn is_choice(&self) -> bool {
        matches!(self.kind, Kind::Single | Kind::Multi)
    }

    /// The parent option of a sub-option, if `code` is one.
    pub fn parent_of(&self, code: u32) -> Option<u32> {
        self.sub
            .iter()
            .find(|s| s.codes.contains(&code))
            .map(|s| s.parent)
    }
}

/// A printed box that is not an answer (e.g. the □ in 「□にチェック」 instructions).
#[derive(Debug, Clone)]
pub struct Decoy {
    pub page: usize,
    pub rect: Rect,
    pub line: usize,
}

/// A loaded and validated template.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub questionnaire: String,
    pub title: String,
    pub dpi: f32,
    pub pages: Vec<Page>,
    pub questions: Vec<Question>,
    pub decoys: Vec<Decoy>,
    pub path: PathBuf,
    /// blake3 of the exact text this template was parsed from (what the template model
    /// cache is keyed by, so a file changed since it was read cannot match).
    pub source_digest: [u8; 32],
}

impl Template {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    /// Reads a page's reference image.
    pub fn reference_image(&self, page: usize) -> anyhow::Result<crate::raster::GrayImage> {
        let p = &self.pages[page - 1];
        let img = image::open(&p.image_path).map_err(|e| {
            anyhow::anyhow!(
                "template {}: reference image {}: {e}",
                self.id,
                p.image_path.display()
            )
        })?;
        Ok(img.to_luma8())
    }

    /// Questions that `skip` rules make unanswerable given the chosen codes of `q`.
    pub fn skipped_by(&self, q: &Question, chosen: &[u32]) -> Vec<&Question> {
        let Some(from) = self.question_index(&q.id) else {
            return vec![];
        };
        let mut out = Vec::new();
        for s in &q.skip {
            if chosen.iter().any(|c| s.when.contains(c))
                && let Some(to) = self.question_index(&s.to)
            {
                out.extend(self.questions[from + 1..to].iter());
            }
        }
        out
    }
}

//! What the page shows of one review item: the store's item plus the template's words for
//! it (question text, option labels), and which values a decision may take.

use crate::reason::Reason;
use crate::store::Item;
use crate::template::{Column, ColumnKind, OptionBox, Template, TextFormat};
use serde::Serialize;
use std::collections::HashMap;

/// How the item's cell is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// A single-choice column: an option code, or empty for none.
    Single,
    /// One option of a multiple-choice question: `1` or `0`.
    Flag,
    /// Handwriting: any text.
    Text,
    /// A column no template names (or none at all, e.g. a missing page): can only be
    /// acknowledged as the machine read it.
    Note,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub code: u32,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub id: i64,
    pub response_id: String,
    pub template: String,
    pub column: String,
    /// Question id (`q6`), used to group similar items.
    pub question: String,
    pub question_text: String,
    pub kind: CellKind,
    /// `prefecture`, `digits` or `free` for text items.
    pub format: Option<&'static str>,
    /// All options of a single-choice question.
    pub options: Vec<OptionView>,
    /// The option the item is about (flag items, and box doubts of single questions).
    pub option: Option<OptionView>,
    /// The reasons in Japanese, and in English as review.csv writes them.
    pub reason: String,
    pub reason_en: String,
    pub guess: String,
    /// Values offered on keys 1–3 of a text item: a prefecture's likeliest names.
    pub choices: Vec<String>,
    pub confidence: f32,
    pub machine: String,
    /// The cell's current value (decided, else the machine's).
    pub value: String,
    pub decided: bool,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub version: i64,
    pub has_image: bool,
}

/// The templates with their columns indexed by (template id, column name): the page's
/// item list views every item every few seconds, so each column is found once, here.
pub struct Forms {
    templates: Vec<Template>,
    columns: HashMap<String, HashMap<String, Column>>,
}

impl Forms {
    pub fn new(templates: Vec<Template>) -> Forms {
        let columns = templates
            .iter()
            .map(|t| {
                let cols = t.columns().into_iter().map(|c| (c.name.clone(), c));
                (t.id.clone(), cols.collect())
            })
            .collect();
        Forms { templates, columns }
    }

    fn column(&self, template: &str, column: &str) -> Option<(&Template, &Column)> {
        let c = self.columns.get(template)?.get(column)?;
        let t = self.templates.iter().find(|t| t.id == template)?;
        Some((t, c))
    }
}

fn option_view(o: &OptionBox) -> OptionView {
    OptionView {
        code: o.code,
        label: o.label.clone(),
    }
}

/// Builds the view of `item` (a column no template knows gives a `Note` item that still
/// shows the crop and the reason).
pub fn view(item: &Item, forms: &Forms) -> ItemView {
    let column = forms.column(&item.template, &item.column);
    let (question, question_text, kind, format, options, option) = match column {
        Some((t, c)) => {
            let q = t.question(&c.question).expect("column of a question");
            let opt = |code: u32| q.option(code).map(option_view);
            let (kind, options, option) = match c.kind {
                ColumnKind::Single => (
                    CellKind::Single,
                    q.options.iter().map(option_view).collect(),
                    item.option.and_then(opt),
                ),
                ColumnKind::Flag { code } => (CellKind::Flag, vec![], opt(code)),
                ColumnKind::Text => (CellKind::Text, vec![], None),
            };
            let format = (kind == CellKind::Text).then_some(match q.format {
                TextFormat::Prefecture => "prefecture",
                TextFormat::Digits => "digits",
                TextFormat::Free => "free",
            });
            (q.id.clone(), q.text.clone(), kind, format, options, option)
        }
        None => (
            item.column.clone(),
            String::new(),
            CellKind::Note,
            None,
            vec![],
            None,
        ),
    };
    ItemView {
        id: item.id,
        response_id: item.response_id.clone(),
        template: item.template.clone(),
        column: item.column.clone(),
        question,
        question_text,
        kind,
        format,
        options,
        option,
        reason: crate::reason::japanese(&item.reasons),
        reason_en: crate::reason::english(&item.reasons),
        guess: item.guess.clone(),
        choices: choices(&item.reasons),
        confidence: item.confidence,
        machine: item.machine.clone(),
        value: item.value().to_string(),
        decided: item.decision.is_some(),
        decided_by: item.decision.as_ref().map(|d| d.reviewer.clone()),
        decided_at: item.decision.as_ref().map(|d| d.at.clone()),
        version: item.version,
        has_image: !item.image.is_empty(),
    }
}

/// What the recogniser offers for a text item: the names a prefecture was torn between.
fn choices(reasons: &[Reason]) -> Vec<String> {
    reasons
        .iter()
        .find_map(|r| match r {
            Reason::PrefectureUnsure { top, .. } => {
                Some(top.iter().take(3).map(|t| t.0.clone()).collect())
            }
            Reason::Prefecture { closest, .. } => Some(vec![closest.clone()]),
            _ => None,
        })
        .unwrap_or_default()
}

impl ItemView {
    /// Whether `value` is one this item's cell may take; the reason when not.
    pub fn check(&self, value: &str) -> Result<(), String> {
        match self.kind {
            CellKind::Single => {
                if value.is_empty() || self.options.iter().any(|o| o.code.to_string() == value) {
                    Ok(())
                } else {
                    Err(format!("{value:?} is not an option of {}", self.question))
                }
            }
            CellKind::Flag => match value {
                "0" | "1" => Ok(()),
                _ => Err(format!("{} takes 0 or 1, not {value:?}", self.column)),
            },
            CellKind::Text => {
                if value.chars().count() > 4000 {
                    Err("text longer than 4000 characters".into())
                } else if value.chars().any(|c| c.is_control() && c != '\n') {
                    Err("text with control characters".into())
                } else {
                    Ok(())
                }
            }
            CellKind::Note => {
                if value == self.machine {
                    Ok(())
                } else {
                    Err("this item can only be acknowledged".into())
                }
            }
        }
    }
}

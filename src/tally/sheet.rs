//! One questionnaire's rows of the reviewed table, read through its template: a single
//! choice is its code, a multiple choice the codes marked `1`, a field its trimmed text.

use crate::store::Table;
use crate::template::{Kind, Question, Template};
use std::collections::HashMap;

pub struct Sheet<'a> {
    table: &'a Table,
    index: HashMap<&'a str, usize>,
    /// Rows of the table that belong to this questionnaire.
    pub rows: Vec<usize>,
}

/// A choice question's answer in one row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    pub codes: Vec<u32>,
    /// A cell that holds no code of the question (left out, counted in the notes).
    pub invalid: bool,
}

impl<'a> Sheet<'a> {
    pub fn new(table: &'a Table, questionnaire: &str) -> Sheet<'a> {
        let index: HashMap<&str, usize> = table
            .header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), i))
            .collect();
        let rows = match index.get("questionnaire") {
            Some(&qc) => (0..table.rows.len())
                .filter(|&r| table.rows[r].get(qc).is_some_and(|v| v == questionnaire))
                .collect(),
            None => (0..table.rows.len()).collect(),
        };
        Sheet { table, index, rows }
    }

    pub fn cell(&self, row: usize, column: &str) -> &'a str {
        self.index
            .get(column)
            .and_then(|&c| self.table.rows[row].get(c))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    pub fn response_id(&self, row: usize) -> &'a str {
        self.cell(row, "response_id")
    }

    pub fn choice(&self, row: usize, q: &Question) -> Choice {
        match q.kind {
            Kind::Single => {
                let v = self.cell(row, &q.id);
                if v.is_empty() {
                    return Choice::default();
                }
                match code(v).filter(|c| q.option(*c).is_some()) {
                    Some(c) => Choice {
                        codes: vec![c],
                        invalid: false,
                    },
                    None => Choice {
                        codes: vec![],
                        invalid: true,
                    },
                }
            }
            Kind::Multi => {
                let mut out = Choice::default();
                for o in &q.options {
                    match code(self.cell(row, &format!("{}_{}", q.id, o.code))) {
                        Some(1) => out.codes.push(o.code),
                        Some(0) => {}
                        None if self.cell(row, &format!("{}_{}", q.id, o.code)).is_empty() => {}
                        _ => out.invalid = true,
                    }
                }
                out
            }
            Kind::Text | Kind::Number => Choice::default(),
        }
    }

    pub fn text(&self, row: usize, q: &Question) -> &'a str {
        self.cell(row, &q.id)
    }

    /// Whether the row answers `q` at all.
    pub fn answers(&self, row: usize, q: &Question) -> bool {
        match q.kind {
            Kind::Single | Kind::Multi => !self.choice(row, q).codes.is_empty(),
            Kind::Text | Kind::Number => !self.text(row, q).is_empty(),
        }
    }
}

/// A code as a spreadsheet may have kept it: 「１」 (full width), `1.0`.
fn code(v: &str) -> Option<u32> {
    let v: String = v.chars().map(crate::ocr::text::narrow).collect();
    let v = v.trim();
    v.strip_suffix(".0").unwrap_or(v).parse().ok()
}

/// The template's questions of `questionnaire`: the first template of it (every layout of
/// a questionnaire has the same questions and columns).
pub fn template_of<'t>(templates: &'t [Template], questionnaire: &str) -> Option<&'t Template> {
    templates.iter().find(|t| t.questionnaire == questionnaire)
}

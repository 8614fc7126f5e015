//! The columns of responses.csv a template produces, per ../shared/CONTRACT.md.

use super::{Kind, Template};

/// What one column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    /// Single choice: the chosen code, empty when none.
    Single,
    /// Multiple choice: `1` when option `code` is marked, else `0`.
    Flag { code: u32 },
    /// Text or number as read.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub question: String,
    pub kind: ColumnKind,
}

impl Template {
    /// Question columns in template order (without the leading id/template/status columns).
    pub fn columns(&self) -> Vec<Column> {
        let mut out = Vec::new();
        for q in &self.questions {
            match q.kind {
                Kind::Single => out.push(Column {
                    name: q.id.clone(),
                    question: q.id.clone(),
                    kind: ColumnKind::Single,
                }),
                Kind::Multi => {
                    for o in &q.options {
                        out.push(Column {
                            name: format!("{}_{}", q.id, o.code),
                            question: q.id.clone(),
                            kind: ColumnKind::Flag { code: o.code },
                        });
                    }
                }
                Kind::Text | Kind::Number => out.push(Column {
                    name: q.id.clone(),
                    question: q.id.clone(),
                    kind: ColumnKind::Text,
                }),
            }
        }
        out
    }
}

//! Answers the form's branching did not ask for: a respondent who answered a question the
//! form told them to skip, or wrote the follow-up of an answer they did not give. The
//! reading of such cells is as sure as any other; what to count is the tally's policy,
//! not a person's reading of the fax, so they are listed (report.json) rather than sent
//! to review.

use super::columns::{Column, ColumnKind};
use super::{Kind, Template};

/// One answer given against the branching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgainstBranching {
    /// The responses.csv column holding the answer.
    pub column: String,
    /// The question and code whose choice made it unasked.
    pub because: (String, u32),
}

/// One answered cell of a response: its column and, for a choice, the code it chose.
struct Answer {
    column: String,
    code: Option<u32>,
}

/// The answered cells of question `question` (a chosen code, a `1` flag, written text),
/// found by the template's own columns.
fn answers(columns: &[Column], cells: &[(String, String)], question: &str) -> Vec<Answer> {
    let value = |name: &str| {
        cells
            .iter()
            .find(|(c, _)| c == name)
            .map_or("", |(_, v)| v.as_str())
    };
    columns
        .iter()
        .filter(|c| c.question == question)
        .filter_map(|c| {
            let v = value(&c.name);
            let code = match c.kind {
                ColumnKind::Flag { code } if v == "1" => Some(code),
                ColumnKind::Single if !v.is_empty() => Some(v.parse().ok()?),
                ColumnKind::Text if !v.is_empty() => None,
                _ => return None,
            };
            Some(Answer {
                column: c.name.clone(),
                code,
            })
        })
        .collect()
}

/// The codes chosen in question `question`.
fn chosen(columns: &[Column], cells: &[(String, String)], question: &str) -> Vec<u32> {
    answers(columns, cells, question)
        .into_iter()
        .filter_map(|a| a.code)
        .collect()
}

impl Template {
    /// The cells of a response (responses.csv columns and values) answered against the
    /// branching: in questions a skip rule made unasked, and follow-up fields of a
    /// single-choice option (「感じると回答した方は…」) written while another option was
    /// chosen. (A follow-up written with nothing chosen, or the blank of a multiple-choice
    /// option such as その他（ ）, is more likely a missed tick: that goes to review.)
    pub fn against_branching(&self, cells: &[(String, String)]) -> Vec<AgainstBranching> {
        let columns = self.columns();
        let mut out = Vec::new();
        for q in &self.questions {
            let picked = chosen(&columns, cells, &q.id);
            for s in &q.skip {
                let Some(&trigger) = picked.iter().find(|c| s.when.contains(c)) else {
                    continue;
                };
                for sq in self.skipped_by(q, &[trigger]) {
                    for a in answers(&columns, cells, &sq.id) {
                        out.push(AgainstBranching {
                            column: a.column,
                            because: (q.id.clone(), trigger),
                        });
                    }
                }
            }
        }
        for q in &self.questions {
            let Some((parent, code)) = &q.attached_to else {
                continue;
            };
            let Some(pq) = self.question(parent) else {
                continue;
            };
            let picked = chosen(&columns, cells, parent);
            if pq.kind == Kind::Single && !picked.is_empty() && !picked.contains(code) {
                for a in answers(&columns, cells, &q.id) {
                    out.push(AgainstBranching {
                        column: a.column,
                        because: (parent.clone(), picked[0]),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.column.cmp(&b.column));
        out.dedup_by(|a, b| a.column == b.column);
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::template::load_all;
    use std::path::Path;

    fn cells(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn answers_the_form_did_not_ask_for() {
        let ts = load_all(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("templates")
                .as_path(),
        )
        .unwrap();
        let chiba = ts.iter().find(|t| t.id == "chiba-2023-05-a").unwrap();
        // q5 = 2 (なかった) says skip to q12; q6 and q8 answered anyway.
        let got = chiba.against_branching(&cells(&[
            ("q4", "1"),
            ("q5", "2"),
            ("q6_1", "1"),
            ("q6_2", "0"),
            ("q8_3", "1"),
            ("q12", ""),
        ]));
        let cols: Vec<&str> = got.iter().map(|a| a.column.as_str()).collect();
        assert_eq!(cols, ["q6_1", "q8_3"]);
        assert!(got.iter().all(|a| a.because == ("q5".to_string(), 2)));
        // Nothing skipped: nothing listed.
        assert!(
            chiba
                .against_branching(&cells(&[("q4", "1"), ("q5", "1"), ("q6_1", "1")]))
                .is_empty()
        );

        let hodanren = ts.iter().find(|t| t.id == "hodanren-2024-12-a").unwrap();
        // The merits asked of those who feel some (q8 = 1), written with q8 = 3.
        let got = hodanren.against_branching(&cells(&[("q8", "3"), ("q8_text", "便利")]));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].column, "q8_text");
        // Written with nothing chosen: not listed (a missed tick goes to review).
        assert!(
            hodanren
                .against_branching(&cells(&[("q8", ""), ("q8_text", "便利")]))
                .is_empty()
        );
    }
}

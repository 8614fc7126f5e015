//! Answers the form's branching did not ask for: a respondent who answered a question the
//! form told them to skip, or wrote the follow-up of an answer they did not give. The
//! reading of such cells is as sure as any other; what to count is the tally's policy,
//! not a person's reading of the fax, so they are listed (report.json) rather than sent
//! to review.

use super::{Kind, Template};

/// One answer given against the branching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgainstBranching {
    /// The responses.csv column holding the answer.
    pub column: String,
    /// The question and code whose choice made it unasked.
    pub because: (String, u32),
}

/// The chosen codes of a choice question from a response's cells.
fn chosen(cells: &[(String, String)], q: &super::Question) -> Vec<u32> {
    let cell = |name: &str| {
        cells
            .iter()
            .find(|(c, _)| c == name)
            .map(|(_, v)| v.as_str())
    };
    match q.kind {
        Kind::Single => cell(&q.id)
            .and_then(|v| v.parse().ok())
            .into_iter()
            .collect(),
        Kind::Multi => q
            .options
            .iter()
            .filter(|o| cell(&format!("{}_{}", q.id, o.code)) == Some("1"))
            .map(|o| o.code)
            .collect(),
        Kind::Text | Kind::Number => Vec::new(),
    }
}

/// The answered cells of one question (`1` flags, a chosen code, written text).
fn answered_columns(q: &super::Question, cells: &[(String, String)]) -> Vec<String> {
    let answered = |name: &str, v: &str| match q.kind {
        Kind::Multi => v == "1" && name.starts_with(&format!("{}_", q.id)),
        _ => !v.is_empty() && name == q.id,
    };
    cells
        .iter()
        .filter(|(c, v)| answered(c, v))
        .map(|(c, _)| c.clone())
        .collect()
}

impl Template {
    /// The cells of a response (responses.csv columns and values) answered against the
    /// branching: in questions a skip rule made unasked, and follow-up fields of a
    /// single-choice option (「感じると回答した方は…」) written while another option was
    /// chosen. (A follow-up written with nothing chosen, or the blank of a multiple-choice
    /// option such as その他（ ）, is more likely a missed tick: that goes to review.)
    pub fn against_branching(&self, cells: &[(String, String)]) -> Vec<AgainstBranching> {
        let mut out = Vec::new();
        for q in &self.questions {
            let picked = chosen(cells, q);
            for s in &q.skip {
                let Some(&trigger) = picked.iter().find(|c| s.when.contains(c)) else {
                    continue;
                };
                for sq in self.skipped_by(q, &[trigger]) {
                    for column in answered_columns(sq, cells) {
                        out.push(AgainstBranching {
                            column,
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
            let picked = chosen(cells, pq);
            if pq.kind == Kind::Single && !picked.is_empty() && !picked.contains(code) {
                for column in answered_columns(q, cells) {
                    out.push(AgainstBranching {
                        column,
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

//! `faxform score`: measuring a run against ground truth (synth's truth.csv or a table a
//! person keyed in), the way the bars in README are stated.

use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Accuracy of one run against truth, checkbox cells only unless stated.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Score {
    pub responses_truth: usize,
    pub responses_found: usize,
    /// Truth responses with no response row in the run.
    pub responses_missing: Vec<String>,
    pub checkbox_cells: usize,
    pub checkbox_cells_review: usize,
    /// Auto-accepted (no review row) checkbox cells that differ from truth.
    pub checkbox_cells_wrong: usize,
    pub wrong_examples: Vec<String>,
    /// Pages of known forms that went to rejected.csv (needs truth-pages.csv).
    pub form_pages_rejected: usize,
}

impl Score {
    pub fn review_rate(&self) -> f64 {
        self.checkbox_cells_review as f64 / self.checkbox_cells.max(1) as f64
    }

    pub fn wrong_rate(&self) -> f64 {
        self.checkbox_cells_wrong as f64
            / (self.checkbox_cells - self.checkbox_cells_review).max(1) as f64
    }
}

type Table = BTreeMap<String, HashMap<String, String>>;

fn read_table(path: &Path) -> Result<(Vec<String>, Table)> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let mut t = Table::new();
    for rec in r.records() {
        let rec = rec?;
        let row: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(rec.iter().map(String::from))
            .collect();
        t.insert(row["response_id"].clone(), row);
    }
    Ok((header, t))
}

/// Scores the run in `out` against `truth_dir` (truth.csv, optional truth-pages.csv).
/// Response ids are matched by file name and page (`fax-00001.tif:1`).
pub fn score(
    truth_dir: &Path,
    out: &Path,
    templates: &[crate::template::Template],
) -> Result<Score> {
    let (_, truth) = read_table(&truth_dir.join("truth.csv"))?;
    let (_, got) = read_table(&out.join("responses.csv"))?;
    let mut review: HashSet<(String, String)> = HashSet::new();
    for rec in csv::Reader::from_path(out.join("review.csv"))?.records() {
        let rec = rec?;
        review.insert((rec[0].to_string(), rec[1].to_string()));
    }
    let mut s = Score {
        responses_truth: truth.len(),
        ..Default::default()
    };
    for (rid, t) in &truth {
        let Some(g) = got.get(rid) else {
            s.responses_missing.push(rid.clone());
            continue;
        };
        s.responses_found += 1;
        let Some(tpl) = templates.iter().find(|x| x.id == t["template"]) else {
            continue;
        };
        for c in tpl.columns() {
            if c.kind == crate::template::ColumnKind::Text {
                continue;
            }
            s.checkbox_cells += 1;
            if review.contains(&(rid.clone(), c.name.clone())) {
                s.checkbox_cells_review += 1;
                continue;
            }
            let (tv, gv) = (
                t.get(&c.name).map(String::as_str).unwrap_or(""),
                g.get(&c.name).map(String::as_str).unwrap_or(""),
            );
            if tv != gv {
                s.checkbox_cells_wrong += 1;
                if s.wrong_examples.len() < 50 {
                    s.wrong_examples
                        .push(format!("{rid} {}: truth {tv:?}, read {gv:?}", c.name));
                }
            }
        }
    }
    let pages = truth_dir.join("truth-pages.csv");
    if pages.exists() {
        let mut form_pages = HashSet::new();
        for rec in csv::Reader::from_path(&pages)?.records() {
            let rec = rec?;
            if &rec[2] == "response" {
                form_pages.insert((rec[0].to_string(), rec[1].to_string()));
            }
        }
        for rec in csv::Reader::from_path(out.join("rejected.csv"))?.records() {
            let rec = rec?;
            let file = Path::new(&rec[0])
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            if form_pages.contains(&(file, rec[1].to_string())) {
                s.form_pages_rejected += 1;
            }
        }
    }
    Ok(s)
}

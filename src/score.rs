//! `faxform score`: measuring a run against ground truth (synth's truth.csv or a table a
//! person keyed in), the way the bars in README are stated.

use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap};
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
    pub text: TextScore,
    pub headers: HeaderScore,
}

/// Fax header lines against truth-pages.csv's `sender` (synth's TTI number).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct HeaderScore {
    /// Pages whose truth has a sender number.
    pub pages: usize,
    /// ... with a header line found in pages.csv.
    pub found: usize,
    /// ... whose sender number was read exactly.
    pub sender_exact: usize,
    /// ... read as another number.
    pub sender_wrong: usize,
}

/// Write-in fields against truth.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct TextScore {
    /// Text and number cells of found responses.
    pub fields: usize,
    /// Fields whose written / blank decision matches truth.
    pub presence_correct: usize,
    pub blank_read_as_written: usize,
    pub written_read_as_blank: usize,
    /// Of the wrong presence decisions, those a person sees in review.csv.
    pub presence_wrong_in_review: usize,
    /// Prefecture fields with something written.
    pub prefecture_filled: usize,
    /// ... read exactly and accepted without review.
    pub prefecture_exact_accepted: usize,
    /// ... sent to review.
    pub prefecture_review: usize,
    /// ... accepted without review but wrong.
    pub prefecture_wrong_accepted: usize,
    pub number_filled: usize,
    /// Numbers read exactly (accepted or not).
    pub number_exact: usize,
    pub number_review: usize,
    pub number_wrong_accepted: usize,
    /// Free-text fields with something written.
    pub free_filled: usize,
    pub free_review: usize,
    /// Character edits and truth characters over all written free-text fields ...
    pub free_edits: usize,
    pub free_chars: usize,
    /// ... and over those accepted without review.
    pub free_edits_accepted: usize,
    pub free_chars_accepted: usize,
    pub examples: Vec<String>,
}

impl TextScore {
    pub fn presence_rate(&self) -> f64 {
        self.presence_correct as f64 / self.fields.max(1) as f64
    }
    pub fn cer(&self) -> f64 {
        self.free_edits as f64 / self.free_chars.max(1) as f64
    }
    pub fn cer_accepted(&self) -> f64 {
        self.free_edits_accepted as f64 / self.free_chars_accepted.max(1) as f64
    }
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

/// The pages of responses listed in a synth folder's truth-pages.csv: (file name, 1-based
/// page) -> response id. Cover sheets are left out.
pub fn truth_pages(dir: &Path) -> Result<HashMap<(String, usize), String>> {
    let path = dir.join("truth-pages.csv");
    let mut out = HashMap::new();
    for rec in csv::Reader::from_path(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .records()
    {
        let rec = rec?;
        if &rec[2] == "response" {
            let page = rec[1]
                .parse()
                .with_context(|| format!("{}: page {:?}", path.display(), &rec[1]))?;
            out.insert((rec[0].to_string(), page), rec[3].to_string());
        }
    }
    Ok(out)
}

/// Adds one write-in cell: `truth` and `read` values, and its review reason if any.
fn score_text(
    s: &mut TextScore,
    rid: &str,
    column: &str,
    format: crate::template::TextFormat,
    truth: &str,
    read: &str,
    codes: Option<&String>,
) {
    use crate::template::TextFormat;
    s.fields += 1;
    // The machine found writing when it gave a value, or sent the cell to review for a
    // reason that says writing is there.
    let found = !read.is_empty()
        || codes.is_some_and(|c| c.split(';').any(crate::reason::says_writing_is_there));
    let reason = codes;
    let written = !truth.is_empty();
    if found == written {
        s.presence_correct += 1;
    } else {
        if written {
            s.written_read_as_blank += 1;
        } else {
            s.blank_read_as_written += 1;
        }
        if reason.is_some() {
            s.presence_wrong_in_review += 1;
        }
        if s.examples.len() < 40 {
            s.examples.push(format!(
                "{rid} {column}: presence: truth {truth:?}, read {read:?}"
            ));
        }
    }
    if !written {
        return;
    }
    let reviewed = reason.is_some();
    match format {
        TextFormat::Prefecture => {
            s.prefecture_filled += 1;
            if reviewed {
                s.prefecture_review += 1;
            } else if read == truth {
                s.prefecture_exact_accepted += 1;
            } else {
                s.prefecture_wrong_accepted += 1;
                if s.examples.len() < 40 {
                    s.examples
                        .push(format!("{rid} {column}: truth {truth:?}, read {read:?}"));
                }
            }
        }
        TextFormat::Digits => {
            s.number_filled += 1;
            s.number_exact += usize::from(read == truth);
            if reviewed {
                s.number_review += 1;
            } else if read != truth {
                s.number_wrong_accepted += 1;
                if s.examples.len() < 40 {
                    s.examples
                        .push(format!("{rid} {column}: truth {truth:?}, read {read:?}"));
                }
            }
        }
        TextFormat::Free => {
            s.free_filled += 1;
            let (edits, chars) = crate::ocr::text::cer(read, truth);
            s.free_edits += edits;
            s.free_chars += chars;
            if reviewed {
                s.free_review += 1;
            } else {
                s.free_edits_accepted += edits;
                s.free_chars_accepted += chars;
            }
        }
    }
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
    // Cell -> its review reasons' codes.
    let mut review: HashMap<(String, String), String> = HashMap::new();
    let mut reader = csv::Reader::from_path(out.join("review.csv"))?;
    let code_at = reader
        .headers()?
        .iter()
        .position(|h| h == "reason_code")
        .context("review.csv has no reason_code column (made by an older faxform?)")?;
    for rec in reader.records() {
        let rec = rec?;
        review.insert(
            (rec[0].to_string(), rec[1].to_string()),
            rec[code_at].to_string(),
        );
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
                let (tv, gv) = (
                    t.get(&c.name).map(String::as_str).unwrap_or(""),
                    g.get(&c.name).map(String::as_str).unwrap_or(""),
                );
                let format = tpl
                    .question(&c.name)
                    .map_or(crate::template::TextFormat::Free, |q| q.format);
                let reason = review.get(&(rid.clone(), c.name.clone()));
                score_text(&mut s.text, rid, &c.name, format, tv, gv, reason);
                continue;
            }
            s.checkbox_cells += 1;
            if review.contains_key(&(rid.clone(), c.name.clone())) {
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
    if truth_dir.join("truth-pages.csv").exists() && out.join("pages.csv").exists() {
        s.headers = score_headers(truth_dir, out)?;
    }
    if truth_dir.join("truth-pages.csv").exists() {
        let form_pages = truth_pages(truth_dir)?;
        for rec in csv::Reader::from_path(out.join("rejected.csv"))?.records() {
            let rec = rec?;
            let file = Path::new(&rec[0])
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Whole-file rejections have no page.
            let Ok(page) = rec[1].parse::<usize>() else {
                continue;
            };
            if form_pages.contains_key(&(file, page)) {
                s.form_pages_rejected += 1;
            }
        }
    }
    Ok(s)
}

fn score_headers(truth_dir: &Path, out: &Path) -> Result<HeaderScore> {
    let file_name = |f: &str| {
        Path::new(f)
            .file_name()
            .map(|x| x.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut read: HashMap<(String, usize), (String, String)> = HashMap::new();
    let mut r = csv::Reader::from_path(out.join("pages.csv"))?;
    for rec in r.deserialize::<HashMap<String, String>>() {
        let rec = rec?;
        let page = rec["page"].parse().unwrap_or(0);
        read.insert(
            (file_name(&rec["file"]), page),
            (rec["header"].clone(), rec["sender"].clone()),
        );
    }
    let mut s = HeaderScore::default();
    let mut t = csv::Reader::from_path(truth_dir.join("truth-pages.csv"))?;
    for rec in t.deserialize::<HashMap<String, String>>() {
        let rec = rec?;
        let Some(want) = rec.get("sender").filter(|x| !x.is_empty()) else {
            continue;
        };
        if rec["kind"] == "blank" {
            continue;
        }
        s.pages += 1;
        let page = rec["page"].parse().unwrap_or(0);
        if let Some((header, got)) = read.get(&(rec["file"].clone(), page)) {
            s.found += usize::from(!header.is_empty());
            s.sender_exact += usize::from(got == want);
            s.sender_wrong += usize::from(!got.is_empty() && got != want);
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{ColumnKind, Template};

    fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
        let mut w = csv::Writer::from_path(path).unwrap();
        w.write_record(header).unwrap();
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
    }

    #[test]
    fn wrong_cells_count_only_without_review_and_missing_responses_are_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let templates = crate::template::load_all(&dir).unwrap();
        let t: &Template = templates
            .iter()
            .find(|t| t.id == "chiba-2023-05-a")
            .unwrap();
        let cols: Vec<_> = t.columns();
        let mut header: Vec<String> = vec!["response_id".into(), "template".into()];
        header.extend(cols.iter().map(|c| c.name.clone()));
        let row = |id: &str, f: &dyn Fn(&str) -> String| {
            let mut r = vec![id.to_string(), t.id.clone()];
            r.extend(cols.iter().map(|c| f(&c.name)));
            r
        };
        let boxes: Vec<&str> = cols
            .iter()
            .filter(|c| c.kind != ColumnKind::Text)
            .map(|c| c.name.as_str())
            .collect();
        let blank = |name: &str| {
            if name.contains('_') && boxes.contains(&name) {
                "0".to_string()
            } else {
                String::new()
            }
        };
        let (truth, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write_csv(
            &truth.path().join("truth.csv"),
            &header,
            &[row("a.tif:1", &blank), row("b.tif:1", &blank)],
        );
        // The run read a.tif only; two cells differ from truth, one of them in review.
        let (wrong, reviewed) = (boxes[0], boxes[1]);
        let read = |name: &str| {
            if name == wrong || name == reviewed {
                "9".to_string()
            } else {
                blank(name)
            }
        };
        write_csv(
            &out.path().join("responses.csv"),
            &header,
            &[row("a.tif:1", &read)],
        );
        std::fs::write(
            out.path().join("review.csv"),
            format!(
                "response_id,column,reason,guess,confidence,image,reason_code\na.tif:1,{reviewed},two or more marks in a single-choice question,9,0.00,,two_marks\n"
            ),
        )
        .unwrap();
        let s = score(truth.path(), out.path(), &templates).unwrap();
        assert_eq!(s.responses_truth, 2);
        assert_eq!(s.responses_missing, vec!["b.tif:1".to_string()]);
        assert_eq!(s.checkbox_cells, boxes.len());
        assert_eq!(s.checkbox_cells_review, 1);
        assert_eq!(s.checkbox_cells_wrong, 1, "{:?}", s.wrong_examples);
        assert!(s.wrong_examples[0].contains(wrong));
    }
}

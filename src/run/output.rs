//! Writing responses.csv, review.csv, rejected.csv and report.json from the job store.

use crate::store::Store;
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// Column names in order of first appearance across responses (one questionnaire's
/// columns in template order, then any further questionnaire's).
fn union_columns(rows: &[&crate::store::ResponseRecord]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for r in rows {
        for (c, _) in &r.cells {
            if !cols.contains(c) {
                cols.push(c.clone());
            }
        }
    }
    cols
}

fn write_responses(path: &Path, rows: &[&crate::store::ResponseRecord]) -> Result<()> {
    let cols = union_columns(rows);
    let mut w = csv::Writer::from_path(path)?;
    let mut header = vec!["response_id", "template", "questionnaire", "status"];
    header.extend(cols.iter().map(String::as_str));
    w.write_record(&header)?;
    for r in rows {
        let map: BTreeMap<&str, &str> = r
            .cells
            .iter()
            .map(|(c, v)| (c.as_str(), v.as_str()))
            .collect();
        let mut rec = vec![
            r.response_id.as_str(),
            &r.template,
            &r.questionnaire,
            &r.status,
        ];
        rec.extend(
            cols.iter()
                .map(|c| map.get(c.as_str()).copied().unwrap_or("")),
        );
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the CSV outputs. Besides responses.csv (all responses, columns of every
/// questionnaire present), each questionnaire gets responses-<questionnaire>.csv with
/// exactly its own columns, ready for its tally.
pub fn write_csvs(store: &Store, out: &Path) -> Result<(usize, usize, usize)> {
    let responses = store.responses()?;
    let all: Vec<_> = responses.iter().collect();
    write_responses(&out.join("responses.csv"), &all)?;
    let mut by_q: BTreeMap<&str, Vec<&crate::store::ResponseRecord>> = BTreeMap::new();
    for r in &responses {
        by_q.entry(r.questionnaire.as_str()).or_default().push(r);
    }
    for (q, rows) in by_q {
        write_responses(&out.join(format!("responses-{q}.csv")), &rows)?;
    }
    let reviews = store.reviews()?;
    let mut w = csv::Writer::from_path(out.join("review.csv"))?;
    w.write_record([
        "response_id",
        "column",
        "reason",
        "guess",
        "confidence",
        "image",
    ])?;
    for v in &reviews {
        w.write_record([
            &v.response_id,
            &v.column,
            &v.reason,
            &v.guess,
            &format!("{:.2}", v.confidence),
            &v.image,
        ])?;
    }
    w.flush()?;
    let rejected = store.rejected()?;
    let mut w = csv::Writer::from_path(out.join("rejected.csv"))?;
    w.write_record(["file", "page", "reason"])?;
    for r in &rejected {
        w.write_record([
            &r.file,
            &r.page.map(|p| p.to_string()).unwrap_or_default(),
            &r.reason,
        ])?;
    }
    w.flush()?;
    Ok((responses.len(), reviews.len(), rejected.len()))
}

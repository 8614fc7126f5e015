//! Writing responses.csv, review.csv, rejected.csv, pages.csv and report.json from the job
//! store.

use crate::reason;
use crate::store::{Store, Table};
use anyhow::Result;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Writes the CSV outputs. Besides responses.csv (all responses, columns of every
/// questionnaire present), each questionnaire gets responses-<questionnaire>.csv with
/// exactly its own columns, ready for its tally.
pub fn write_csvs(store: &Store, out: &Path) -> Result<(usize, usize, usize)> {
    let responses = store.responses()?;
    let all: Vec<_> = responses.iter().collect();
    Table::machine(&all).write_csv(&out.join("responses.csv"))?;
    let mut by_q: BTreeMap<&str, Vec<&crate::store::ResponseRecord>> = BTreeMap::new();
    for r in &responses {
        by_q.entry(r.questionnaire.as_str()).or_default().push(r);
    }
    for (q, rows) in by_q {
        Table::machine(&rows).write_csv(&out.join(format!("responses-{q}.csv")))?;
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
        "reason_code",
    ])?;
    for v in &reviews {
        w.write_record([
            &v.response_id,
            &v.column,
            &reason::english(&v.reasons),
            &v.guess,
            &format!("{:.2}", v.confidence),
            &v.image,
            &reason::codes(&v.reasons),
        ])?;
    }
    w.flush()?;
    let pages = store.pages()?;
    // Each page's sender, and a file's first (for a row about the whole file).
    let mut senders: HashMap<(&str, Option<usize>), &str> = HashMap::new();
    for p in &pages {
        if let Some(s) = p.header.as_ref().and_then(|h| h.sender.as_deref()) {
            senders.insert((&p.file, Some(p.page)), s);
            senders.entry((&p.file, None)).or_insert(s);
        }
    }
    let sender_of = |file: &str, page: Option<usize>| -> String {
        senders
            .get(&(file, page))
            .copied()
            .unwrap_or_default()
            .to_string()
    };
    let rejected = store.rejected()?;
    let mut w = csv::Writer::from_path(out.join("rejected.csv"))?;
    // `sender`: the fax number on the page's header, so that staff can ask for it again.
    w.write_record(["file", "page", "reason", "sender"])?;
    for r in &rejected {
        w.write_record([
            &r.file,
            &r.page.map(|p| p.to_string()).unwrap_or_default(),
            &r.reason,
            &sender_of(&r.file, r.page),
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(out.join("pages.csv"))?;
    w.write_record([
        "file", "page", "header", "sender", "sent_at", "page_of", "pages",
    ])?;
    let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    for p in &pages {
        let h = p.header.clone().unwrap_or_default();
        w.write_record([
            p.file.as_str(),
            &p.page.to_string(),
            &h.text,
            &h.sender.unwrap_or_default(),
            &h.sent_at.unwrap_or_default(),
            &num(h.page),
            &num(h.pages),
        ])?;
    }
    w.flush()?;
    Ok((responses.len(), reviews.len(), rejected.len()))
}

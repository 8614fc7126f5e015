//! `tally.csv`: every printed figure in long format, for scripts and tests.
//!
//! Columns: `question, table, grouping, option_code, label, count, base, percent,
//! base_answered, percent_answered`. `table` is `main`, `number`, `text`,
//! `crosstab:<dimension>` (with the category in `grouping`), `prefectures` (replies per
//! prefecture) or `spread` (prefectures an option came from, in `base`). Percentages are
//! the printed strings.

use super::model::{Body, Tally};
use anyhow::{Context, Result};
use std::path::Path;

pub const HEADER: [&str; 10] = [
    "question",
    "table",
    "grouping",
    "option_code",
    "label",
    "count",
    "base",
    "percent",
    "base_answered",
    "percent_answered",
];

pub fn write(t: &Tally, path: &Path) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    w.write_record(HEADER)?;
    let s = |x: &u64| x.to_string();
    let o = |x: &Option<String>| x.clone().unwrap_or_default();
    w.write_record([
        "",
        "summary",
        "",
        "replies",
        "回答数",
        &s(&t.summary.replies),
        &t.summary.sent.map(|x| x.to_string()).unwrap_or_default(),
        &o(&t.summary.rate),
        "",
        "",
    ])?;
    for q in &t.questions {
        match &q.body {
            Body::Choice { rows, .. } => {
                for r in rows {
                    w.write_record([
                        q.id.as_str(),
                        "main",
                        "",
                        &r.key.code(),
                        &r.label,
                        &s(&r.count),
                        &s(&q.n),
                        &o(&r.pct),
                        &s(&q.answered),
                        &o(&r.pct_answered),
                    ])?;
                }
            }
            Body::Number(n) => {
                for (k, v) in [
                    ("answered", n.answered.to_string()),
                    ("sum", n.sum.to_string()),
                    ("mean", o(&n.mean)),
                    ("min", n.min.map(|x| x.to_string()).unwrap_or_default()),
                    ("max", n.max.map(|x| x.to_string()).unwrap_or_default()),
                ] {
                    w.write_record([q.id.as_str(), "number", "", k, "", &v, &s(&q.n), "", "", ""])?;
                }
            }
            Body::Text { written, share } => {
                w.write_record([
                    q.id.as_str(),
                    "text",
                    "",
                    "written",
                    "記入あり",
                    &s(written),
                    &s(&q.n),
                    &o(share),
                    "",
                    "",
                ])?;
            }
        }
    }
    for x in &t.crosstabs {
        let table = format!("crosstab:{}", x.by);
        for r in &x.rows {
            for ((key, label), (c, p)) in x.columns.iter().zip(&r.cells) {
                w.write_record([
                    x.question.as_str(),
                    &table,
                    &r.label,
                    &key.code(),
                    label,
                    &s(c),
                    &s(&r.n),
                    &o(p),
                    "",
                    "",
                ])?;
            }
            w.write_record([
                x.question.as_str(),
                &table,
                &r.label,
                "na",
                &t.no_answer,
                &s(&r.no_answer.0),
                &s(&r.n),
                &o(&r.no_answer.1),
                "",
                "",
            ])?;
        }
    }
    for (name, n) in &t.summary.prefectures {
        w.write_record(["", "prefectures", name, "", name, &s(n), "", "", "", ""])?;
    }
    if let Some(p) = &t.prefectures {
        for r in &p.rows {
            w.write_record([
                r.question.as_str(),
                "spread",
                "",
                &r.code.to_string(),
                &r.label,
                &s(&r.count),
                &s(&r.prefectures),
                "",
                "",
                "",
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

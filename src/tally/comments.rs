//! The comment lists: one row per written text cell, ordered by question, prefecture (JIS)
//! and 区分, with the columns staff fill before publishing (publish?, theme, edited text).
//!
//! Staff fill those columns in `comments.csv` of the tally folder; the next tally of the
//! same folder keeps them (matched by response and question), so a re-run after more
//! replies never loses their work.

use super::count::table_number;
use super::crosstab::prefecture_index;
use super::model::Comment;
use super::sheet::Sheet;
use super::spec::TallySpec;
use crate::ocr::prefecture::PREFECTURES;
use crate::template::{Kind, Template, TextFormat};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::Path;

pub const FILE: &str = "comments.csv";
pub const HEADER: [&str; 10] = [
    "no",
    "response_id",
    "question",
    "number",
    "prefecture",
    "category",
    "text",
    "publish",
    "theme",
    "edited",
];

/// Staff's columns by (response id, question).
pub type StaffColumns = HashMap<(String, String), (String, String, String)>;

pub fn collect(
    t: &Template,
    spec: &TallySpec,
    sheet: &Sheet,
    staff: &StaffColumns,
) -> Vec<Comment> {
    let pref_q = spec.prefecture_question(t);
    let cat_q = spec.category.as_deref().and_then(|c| t.question(c));
    // (question order, prefecture order, category code, row) for sorting.
    let mut found: Vec<((usize, usize, u32, usize), Comment)> = Vec::new();
    for (qi, q) in t.questions.iter().enumerate() {
        if q.kind != Kind::Text || q.format == TextFormat::Prefecture {
            continue;
        }
        for (i, &r) in sheet.rows.iter().enumerate() {
            let text = sheet.text(r, q);
            // Every written cell, also where the form did not ask for it: a comment is
            // the staff's to publish or not.
            if text.is_empty() {
                continue;
            }
            let p = pref_q.and_then(|pq| prefecture_index(sheet.text(r, pq)));
            let (code, category) = match cat_q {
                Some(cq) => match sheet.choice(r, cq).codes.first() {
                    Some(&c) => (
                        c,
                        cq.option(c)
                            .map(|o| spec.short_label(&cq.id, c, &o.label).to_string())
                            .unwrap_or_default(),
                    ),
                    None => (u32::MAX, String::new()),
                },
                None => (u32::MAX, String::new()),
            };
            let rid = sheet.response_id(r).to_string();
            let (publish, theme, edited) = staff
                .get(&(rid.clone(), q.id.clone()))
                .cloned()
                .unwrap_or_default();
            found.push((
                (qi, p.unwrap_or(usize::MAX), code, i),
                Comment {
                    no: 0,
                    response_id: rid,
                    question: q.id.clone(),
                    number: table_number(spec, q),
                    prefecture: p.map(|p| PREFECTURES[p].0.to_string()).unwrap_or_default(),
                    category,
                    text: text.to_string(),
                    publish,
                    theme,
                    edited,
                },
            ));
        }
    }
    found.sort_by_key(|(k, _)| *k);
    found
        .into_iter()
        .enumerate()
        .map(|(n, (_, mut c))| {
            c.no = n as u64 + 1;
            c
        })
        .collect()
}

/// Staff's columns from an earlier `comments.csv`, if there is one.
pub fn read_staff(path: &Path) -> Result<StaffColumns> {
    let mut out = StaffColumns::new();
    if !path.is_file() {
        return Ok(out);
    }
    let text = super::input::read_text(path)?;
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = rd.headers()?.iter().map(str::to_string).collect();
    let col = |name: &str| head.iter().position(|h| h == name);
    let (Some(rid), Some(q)) = (col("response_id"), col("question")) else {
        anyhow::bail!("{}: no response_id and question columns", path.display());
    };
    let get = |r: &csv::StringRecord, c: Option<usize>| {
        c.and_then(|c| r.get(c)).unwrap_or("").to_string()
    };
    for (i, r) in rd.records().enumerate() {
        let r = r.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        let staff = (
            get(&r, col("publish")),
            get(&r, col("theme")),
            super::input::undefuse(&get(&r, col("edited"))),
        );
        if staff != Default::default() {
            out.insert((get(&r, Some(rid)), get(&r, Some(q))), staff);
        }
    }
    Ok(out)
}

/// Writes the comments with the staff columns (UTF-8 with BOM, for Excel).
pub fn write(comments: &[Comment], path: &Path) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for c in comments {
        w.write_record([
            c.no.to_string().as_str(),
            &c.response_id,
            &c.question,
            &c.number,
            &c.prefecture,
            &c.category,
            &crate::export::defuse(&c.text),
            &c.publish,
            &c.theme,
            &crate::export::defuse(&c.edited),
        ])?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(w.into_inner()?);
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

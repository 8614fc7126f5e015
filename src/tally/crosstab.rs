//! Cross-tabs (a choice question by 区分, 年齢 or prefecture, row %), and the prefecture
//! summary: replies per prefecture, and for each option how many prefectures it came from.

use super::base::Bases;
use super::count::number_of;
use super::model::{CrossRow, CrossTab, PrefectureSpread, PrefectureSummary, RowKey};
use super::percent::percent;
use super::sheet::Sheet;
use super::spec::TallySpec;
use crate::ocr::prefecture::PREFECTURES;
use crate::template::{Kind, Question, Template, TextFormat};

/// The JIS index of a written prefecture (「千葉」 or 「千葉県」), or `None`.
pub fn prefecture_index(v: &str) -> Option<usize> {
    let v = v.trim();
    PREFECTURES
        .iter()
        .position(|(name, suffix)| v == *name || v == format!("{name}{suffix}"))
}

/// How a dimension sorts respondents: category labels in order, and each row's category.
pub struct Dimension {
    pub id: String,
    pub text: String,
    pub labels: Vec<String>,
    /// Per sheet row: its category, or `None` (no answer, or no prefecture).
    pub of_row: Vec<Option<usize>>,
}

impl Dimension {
    pub fn new(t: &Template, spec: &TallySpec, sheet: &Sheet, id: &str) -> Option<Dimension> {
        let q = t.question(id)?;
        if q.format == TextFormat::Prefecture {
            let idx: Vec<Option<usize>> = sheet
                .rows
                .iter()
                .map(|&r| prefecture_index(sheet.text(r, q)))
                .collect();
            let mut present: Vec<usize> = idx.iter().flatten().copied().collect();
            present.sort_unstable();
            present.dedup();
            let of_row = idx
                .iter()
                .map(|p| p.and_then(|p| present.iter().position(|&x| x == p)))
                .collect();
            return Some(Dimension {
                id: id.into(),
                text: q.text.clone(),
                labels: present
                    .iter()
                    .map(|&p| PREFECTURES[p].0.to_string())
                    .collect(),
                of_row,
            });
        }
        if q.kind != Kind::Single {
            return None;
        }
        // Options in form order; a group takes the place of its first member.
        let mut labels = Vec::new();
        let mut category_of = Vec::new();
        for o in &q.options {
            match spec.groups_of(id).find(|g| g.codes.contains(&o.code)) {
                Some(g) => {
                    let at = match labels.iter().position(|l| l == &g.label) {
                        Some(at) => at,
                        None => {
                            labels.push(g.label.clone());
                            labels.len() - 1
                        }
                    };
                    category_of.push((o.code, at));
                }
                None => {
                    labels.push(spec.short_label(id, o.code, &o.label).to_string());
                    category_of.push((o.code, labels.len() - 1));
                }
            }
        }
        let of_row = sheet
            .rows
            .iter()
            .map(|&r| {
                let c = sheet.choice(r, q).codes;
                c.first()
                    .and_then(|c| category_of.iter().find(|(x, _)| x == c).map(|p| p.1))
            })
            .collect();
        Some(Dimension {
            id: id.into(),
            text: q.text.clone(),
            labels,
            of_row,
        })
    }
}

/// Question `qi` by `dim`: per category, N (those asked, in the category) and row %.
pub fn crosstab(
    t: &Template,
    spec: &TallySpec,
    sheet: &Sheet,
    bases: &Bases,
    qi: usize,
    dim: &Dimension,
) -> CrossTab {
    let q = &t.questions[qi];
    let d = spec.decimals();
    let mut columns: Vec<(RowKey, String)> = Vec::new();
    for o in &q.options {
        for m in spec
            .merges_of(&q.id)
            .filter(|m| m.codes.first() == Some(&o.code))
        {
            columns.push((RowKey::Merged(m.codes.clone()), m.label.clone()));
        }
        columns.push((
            RowKey::Code(o.code),
            spec.short_label(&q.id, o.code, &o.label).to_string(),
        ));
    }
    let mut counts = vec![vec![0u64; columns.len()]; dim.labels.len()];
    let mut n = vec![0u64; dim.labels.len()];
    let mut none = vec![0u64; dim.labels.len()];
    let mut unanswered = 0;
    for (i, &r) in sheet.rows.iter().enumerate() {
        if !bases.asked(i, qi) {
            continue;
        }
        let Some(cat) = dim.of_row[i] else {
            unanswered += 1;
            continue;
        };
        n[cat] += 1;
        let chosen = sheet.choice(r, q).codes;
        if chosen.is_empty() {
            none[cat] += 1;
        }
        for (k, (key, _)) in columns.iter().enumerate() {
            let hit = match key {
                RowKey::Code(c) => chosen.contains(c),
                RowKey::Merged(cs) => chosen.iter().any(|c| cs.contains(c)),
                RowKey::NoAnswer => false,
            };
            counts[cat][k] += u64::from(hit);
        }
    }
    let rows = (0..dim.labels.len())
        .map(|c| CrossRow {
            label: dim.labels[c].clone(),
            n: n[c],
            cells: counts[c]
                .iter()
                .map(|&x| (x, percent(x, n[c], d)))
                .collect(),
            no_answer: (none[c], percent(none[c], n[c], d)),
        })
        .collect();
    CrossTab {
        question: q.id.clone(),
        number: number_of(spec, &q.id),
        text: q.text.clone(),
        by: dim.id.clone(),
        by_text: dim.text.clone(),
        multi: q.kind == Kind::Multi,
        columns,
        rows,
        dimension_unanswered: unanswered,
    }
}

/// For every option of every choice question: in how many prefectures it was chosen, and
/// how often (only those asked count).
pub fn prefecture_summary(
    t: &Template,
    spec: &TallySpec,
    sheet: &Sheet,
    bases: &Bases,
    pref: &Question,
) -> PrefectureSummary {
    let of_row: Vec<Option<usize>> = sheet
        .rows
        .iter()
        .map(|&r| prefecture_index(sheet.text(r, pref)))
        .collect();
    let mut rows = Vec::new();
    for (qi, q) in t.questions.iter().enumerate() {
        if !q.is_choice() {
            continue;
        }
        for o in &q.options {
            let mut seen = [false; 47];
            let mut count = 0;
            for (i, &r) in sheet.rows.iter().enumerate() {
                if bases.asked(i, qi) && sheet.choice(r, q).codes.contains(&o.code) {
                    count += 1;
                    if let Some(p) = of_row[i] {
                        seen[p] = true;
                    }
                }
            }
            rows.push(PrefectureSpread {
                question: q.id.clone(),
                number: number_of(spec, &q.id),
                code: o.code,
                label: o.label.clone(),
                prefectures: seen.iter().filter(|&&s| s).count() as u64,
                count,
            });
        }
    }
    PrefectureSummary {
        question: pref.id.clone(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefectures_with_or_without_their_suffix() {
        assert_eq!(prefecture_index("千葉"), Some(11));
        assert_eq!(prefecture_index("千葉県"), Some(11));
        assert_eq!(prefecture_index("北海道"), Some(0));
        assert_eq!(prefecture_index("東京都"), Some(12));
        assert_eq!(prefecture_index("千葉市"), None);
        assert_eq!(prefecture_index(""), None);
    }
}

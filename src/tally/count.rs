//! The per-question tables: options in form order with merged rows and sub-options, a
//! no-answer row and N; number fields' sums; write-in fields' shares.

use super::base::{Bases, Status};
use super::model::{Body, NumberStats, Outside, QuestionTally, Row, RowKey};
use super::percent::{mean, percent};
use super::sheet::Sheet;
use super::spec::TallySpec;
use crate::template::{Kind, Question, Template, TextFormat};

/// 「問3」 for `q3`; a field attached to a question (`q6_other`) has its question's number.
pub fn number_of(spec: &TallySpec, id: &str) -> String {
    if let Some(n) = spec.numbers.get(id) {
        return n.clone();
    }
    let head = id.split('_').next().unwrap_or(id);
    match head
        .strip_prefix('q')
        .filter(|d| d.chars().all(|c| c.is_ascii_digit()))
    {
        Some(d) if !d.is_empty() => format!("問{d}"),
        _ => id.to_string(),
    }
}

/// The heading number of a question's own table: a write-in attached to an option is
/// marked as such (「問8（記入）」, 「問7（数）」), so that it never reads as a question of
/// its own and every table's name is unique.
pub fn table_number(spec: &TallySpec, q: &Question) -> String {
    let n = number_of(spec, &q.id);
    match (&q.attached_to, q.kind) {
        (Some(_), Kind::Number) => format!("{n}（数）"),
        (Some(_), _) => format!("{n}（記入）"),
        _ => n,
    }
}

/// The table of question `qi` of `t`.
pub fn question(
    t: &Template,
    spec: &TallySpec,
    sheet: &Sheet,
    bases: &Bases,
    qi: usize,
) -> QuestionTally {
    let q = &t.questions[qi];
    let d = spec.decimals();
    let asked: Vec<usize> = (0..sheet.rows.len())
        .filter(|&i| bases.asked(i, qi))
        .collect();
    let mut outside = Outside::default();
    for i in 0..sheet.rows.len() {
        let r = sheet.rows[i];
        if bases.asked(i, qi) || !sheet.answers(r, q) {
            continue;
        }
        match bases.status[i][qi] {
            Status::Skipped => outside.skipped += 1,
            Status::GateBlank => outside.gate_blank += 1,
            Status::OptionNotTicked => outside.option_not_ticked += 1,
            Status::Excluded => outside.excluded += 1,
            Status::Asked => {}
        }
        if q.kind == Kind::Number {
            outside.sum += number_value(sheet.text(r, q)).unwrap_or(0);
        }
    }
    let n = asked.len() as u64;
    let answered = asked
        .iter()
        .filter(|&&i| sheet.answers(sheet.rows[i], q))
        .count() as u64;
    let body = match q.kind {
        Kind::Single | Kind::Multi => Body::Choice {
            multi: q.kind == Kind::Multi,
            rows: choice_rows(q, spec, sheet, &asked, n, answered, d),
        },
        Kind::Number => Body::Number(number_stats(q, sheet, &asked, d)),
        Kind::Text => Body::Text {
            written: answered,
            share: percent(answered, n, d),
        },
    };
    QuestionTally {
        id: q.id.clone(),
        number: table_number(spec, q),
        text: q.text.clone(),
        n,
        answered,
        outside,
        base_note: base_note(t, spec, q, n, sheet.rows.len() as u64),
        body,
    }
}

/// Whether a question has a table of its own (the prefecture has the summary instead).
pub fn tabulated(q: &Question) -> bool {
    q.format != TextFormat::Prefecture
}

fn choice_rows(
    q: &Question,
    spec: &TallySpec,
    sheet: &Sheet,
    asked: &[usize],
    n: u64,
    answered: u64,
    d: u32,
) -> Vec<Row> {
    let chosen: Vec<Vec<u32>> = asked
        .iter()
        .map(|&i| sheet.choice(sheet.rows[i], q).codes)
        .collect();
    let count = |codes: &[u32]| {
        chosen
            .iter()
            .filter(|c| c.iter().any(|x| codes.contains(x)))
            .count() as u64
    };
    let row = |key: RowKey, label: String, short: String, indent: u8, c: u64| Row {
        key,
        label,
        short,
        indent,
        count: c,
        pct: percent(c, n, d),
        pct_answered: percent(c, answered, d),
    };
    let merges: Vec<_> = spec.merges_of(&q.id).collect();
    let mut rows = Vec::new();
    for o in &q.options {
        for m in merges.iter().filter(|m| m.codes.first() == Some(&o.code)) {
            rows.push(row(
                RowKey::Merged(m.codes.clone()),
                m.label.clone(),
                m.label.clone(),
                0,
                count(&m.codes),
            ));
        }
        let merged = merges.iter().any(|m| m.codes.contains(&o.code));
        let indent = u8::from(merged) + u8::from(q.parent_of(o.code).is_some());
        rows.push(row(
            RowKey::Code(o.code),
            o.label.clone(),
            spec.short_label(&q.id, o.code, &o.label).to_string(),
            indent,
            count(&[o.code]),
        ));
    }
    let none = n - answered;
    rows.push(Row {
        key: RowKey::NoAnswer,
        label: spec.no_answer().to_string(),
        short: spec.no_answer().to_string(),
        indent: 0,
        count: none,
        pct: percent(none, n, d),
        pct_answered: None,
    });
    rows
}

fn number_stats(q: &Question, sheet: &Sheet, asked: &[usize], d: u32) -> NumberStats {
    let mut values = Vec::new();
    let mut unreadable = 0;
    for &i in asked {
        let v = sheet.text(sheet.rows[i], q);
        if v.is_empty() {
            continue;
        }
        match number_value(v) {
            Some(x) => values.push(x),
            None => unreadable += 1,
        }
    }
    let sum: u64 = values.iter().sum();
    NumberStats {
        answered: values.len() as u64,
        sum,
        mean: mean(sum, values.len() as u64, d),
        min: values.iter().min().copied(),
        max: values.iter().max().copied(),
        unreadable,
    }
}

/// A written number (「12」, 「１２件」, 「1,200」), or `None` when it is not one.
pub fn number_value(v: &str) -> Option<u64> {
    let digits: String = v
        .chars()
        .map(crate::ocr::text::narrow)
        .filter(|c| !matches!(c, ',' | ' ' | '件'))
        .collect();
    digits.parse().ok()
}

/// The base in words when it is not simply everyone who replied.
fn base_note(t: &Template, spec: &TallySpec, q: &Question, n: u64, replies: u64) -> Option<String> {
    if let Some(note) = spec.bases_of(&q.id).find_map(|b| b.note.clone()) {
        return Some(note);
    }
    if let Some((parent, code)) = &q.attached_to {
        let label = t
            .question(parent)
            .and_then(|p| p.option(*code))
            .map(|o| o.label.as_str())
            .unwrap_or("");
        return Some(format!(
            "{}で「{label}」を選んだ回答者",
            number_of(spec, parent)
        ));
    }
    let qi = t.question_index(&q.id)?;
    let mut gates = Vec::new();
    for g in &t.questions[..qi] {
        for rule in &g.skip {
            if t.question_index(&rule.to).is_some_and(|to| qi < to) {
                let allowed: Vec<String> = g
                    .options
                    .iter()
                    .filter(|o| !rule.when.contains(&o.code))
                    .map(|o| format!("「{}」", o.label))
                    .collect();
                gates.push(format!("{}で{}", number_of(spec, &g.id), allowed.join("")));
            }
        }
    }
    if !gates.is_empty() {
        return Some(format!("{}と回答した人", gates.join("、")));
    }
    (n != replies).then(|| "設問の対象となった回答者".to_string())
}

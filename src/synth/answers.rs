//! Drawing one respondent's answers from the answer model, with the slips real respondents
//! make (a second box in a single-choice question, a sub-option without its parent, an
//! answer where the form said to skip).

use super::model::{AnswerModel, TextSource};
use crate::template::{Kind, Template, TextFormat};
use rand::Rng;
use rand::seq::IndexedRandom;
use std::collections::BTreeMap;

/// One respondent's intended answers.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// Chosen codes per choice question.
    pub choices: BTreeMap<String, Vec<u32>>,
    /// Written text per text/number field (absent when left blank).
    pub texts: BTreeMap<String, String>,
    /// Slips drawn on purpose, named for truth-marks.jsonl.
    pub slips: Vec<String>,
}

/// Text material for write-in fields.
pub struct TextBank {
    pub comments: Vec<String>,
    pub phrases: Vec<String>,
}

impl TextBank {
    pub fn builtin() -> TextBank {
        let lines = |s: &str| -> Vec<String> {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect()
        };
        TextBank {
            comments: lines(include_str!("comments.txt")),
            phrases: lines(include_str!("phrases.txt")),
        }
    }
}

fn pct(rng: &mut impl Rng, p: f64) -> bool {
    rng.random::<f64>() * 100.0 < p
}

fn pick_weighted(rng: &mut impl Rng, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, v) in w.iter().enumerate() {
        if x < *v {
            return i;
        }
        x -= v;
    }
    w.len() - 1
}

/// Probability (percent) of each slip per eligible question; small, as on real forms.
const DOUBLE_MARK: f64 = 0.8;
const SKIP_IGNORED: f64 = 3.0;
const SUB_WITHOUT_PARENT: f64 = 15.0;

pub fn draw(t: &Template, m: &AnswerModel, bank: &TextBank, rng: &mut impl Rng) -> Answers {
    let mut a = Answers::default();
    let mut skip_until: Option<usize> = None;
    for (qi, q) in t.questions.iter().enumerate() {
        if let Some(end) = skip_until {
            if qi < end {
                // The form says to skip; a few respondents answer anyway.
                if !(q.is_choice() && pct(rng, SKIP_IGNORED)) {
                    continue;
                }
                a.slips.push(format!(
                    "answered {} although the form said to skip it",
                    q.id
                ));
            } else {
                skip_until = None;
            }
        }
        let qm = m.question(&q.id);
        if let Some(req) = &qm.requires {
            let ok = a
                .choices
                .get(&req.question)
                .is_some_and(|c| c.iter().any(|x| req.any.contains(x)));
            if !ok {
                continue;
            }
        }
        let n = q.options.len();
        match q.kind {
            Kind::Single => {
                if pct(rng, qm.blank) {
                    continue;
                }
                let w = qm
                    .weights
                    .clone()
                    .filter(|w| w.len() == n)
                    .unwrap_or_else(|| vec![1.0; n]);
                let mut chosen = vec![pick_weighted(rng, &w) as u32 + 1];
                if n > 1 && pct(rng, DOUBLE_MARK) {
                    let other = loop {
                        let c = rng.random_range(1..=n as u32);
                        if c != chosen[0] {
                            break c;
                        }
                    };
                    chosen.push(other);
                    a.slips.push(format!("two marks in single-choice {}", q.id));
                }
                a.choices.insert(q.id.clone(), chosen);
            }
            Kind::Multi => {
                if pct(rng, qm.blank) {
                    continue;
                }
                let rates = qm
                    .rates
                    .clone()
                    .filter(|r| r.len() == n)
                    .unwrap_or_else(|| vec![100.0 / n as f64; n]);
                let mut chosen: Vec<u32> = Vec::new();
                for (i, r) in rates.iter().enumerate() {
                    let code = i as u32 + 1;
                    if q.exclusive.contains(&code) {
                        continue;
                    }
                    match q.sub.iter().find(|s| s.codes.contains(&code)) {
                        // Sub-options are drawn given their parent: rate / parent rate.
                        Some(s) => {
                            let parent_rate = rates[s.parent as usize - 1].max(0.1);
                            if chosen.contains(&s.parent) && pct(rng, 100.0 * r / parent_rate) {
                                chosen.push(code);
                            }
                        }
                        None => {
                            if pct(rng, *r) {
                                chosen.push(code);
                            }
                        }
                    }
                }
                // A respondent who ticks a sub-option sometimes forgets its parent.
                for s in &q.sub {
                    if chosen.contains(&s.parent)
                        && s.codes.iter().any(|c| chosen.contains(c))
                        && pct(rng, SUB_WITHOUT_PARENT)
                    {
                        chosen.retain(|c| *c != s.parent);
                        a.slips.push(format!(
                            "sub-option of {} without its parent {}",
                            q.id, s.parent
                        ));
                    }
                }
                for &e in &q.exclusive {
                    let r = rates[e as usize - 1];
                    if chosen.is_empty() && pct(rng, r * 3.0) {
                        chosen.push(e);
                    } else if !chosen.is_empty() && pct(rng, r * 0.02) {
                        chosen.push(e);
                        a.slips
                            .push(format!("exclusive option {e} of {} with others", q.id));
                    }
                }
                if chosen.is_empty() {
                    continue;
                }
                chosen.sort();
                a.choices.insert(q.id.clone(), chosen);
            }
            Kind::Text | Kind::Number => {
                if let Some((parent, code)) = &q.attached_to {
                    let on = a.choices.get(parent).is_some_and(|c| c.contains(code));
                    if !on {
                        continue;
                    }
                }
                let fill = qm.fill.unwrap_or(50.0);
                if !pct(rng, fill) {
                    continue;
                }
                let text = match (q.format, qm.text) {
                    (TextFormat::Prefecture, _) => {
                        let list = qm
                            .prefectures
                            .clone()
                            .unwrap_or_else(|| vec!["東京".into()]);
                        list.choose(rng).cloned().unwrap_or_default()
                    }
                    (TextFormat::Digits, _) | (_, Some(TextSource::Number)) => {
                        let v: u32 = if rng.random_bool(0.7) {
                            rng.random_range(1..10)
                        } else {
                            rng.random_range(10..60)
                        };
                        v.to_string()
                    }
                    (_, Some(TextSource::Phrase)) => {
                        bank.phrases.choose(rng).cloned().unwrap_or_default()
                    }
                    _ => bank.comments.choose(rng).cloned().unwrap_or_default(),
                };
                a.texts.insert(q.id.clone(), text);
            }
        }
        if let Some(chosen) = a.choices.get(&q.id) {
            for qs in t.skipped_by(q, chosen) {
                let end = t.question_index(&qs.id).unwrap_or(qi) + 1;
                skip_until = Some(skip_until.map_or(end, |e: usize| e.max(end)));
            }
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::path::Path;

    fn templates() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")
    }

    #[test]
    fn chiba_respects_skip_logic_apart_from_recorded_slips() {
        let t = crate::template::load(&templates().join("chiba-2023-05-a.toml")).unwrap();
        let m = AnswerModel::load(&templates(), "chiba-2023-05").unwrap();
        let bank = TextBank::builtin();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut skipped = 0;
        for _ in 0..500 {
            let a = draw(&t, &m, &bank, &mut rng);
            let q4 = a.choices.get("q4").cloned().unwrap_or_default();
            if q4.iter().any(|c| [2, 3, 4].contains(c)) && !q4.contains(&1) {
                skipped += 1;
                let stray = ["q5", "q6", "q8", "q9", "q10", "q11"]
                    .iter()
                    .any(|q| a.choices.contains_key(*q));
                let slip = a.slips.iter().any(|s| s.contains("said to skip"));
                assert!(!stray || slip, "{a:?}");
                assert!(!a.texts.contains_key("q7"));
            }
        }
        assert!(skipped > 50, "{skipped}");
    }

    #[test]
    fn hodanren_shares_follow_the_report() {
        let t = crate::template::load(&templates().join("hodanren-2024-12-a.toml")).unwrap();
        let m = AnswerModel::load(&templates(), "hodanren-2024-12").unwrap();
        let bank = TextBank::builtin();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let n = 4000;
        let mut q2_1 = 0;
        let mut q6_14_with_others = 0;
        let mut q6_8_without_7 = 0;
        for _ in 0..n {
            let a = draw(&t, &m, &bank, &mut rng);
            if a.choices.get("q2").is_some_and(|c| c.contains(&1)) {
                q2_1 += 1;
            }
            if let Some(c) = a.choices.get("q6") {
                if c.contains(&14) && c.len() > 1 {
                    q6_14_with_others += 1;
                }
                if c.contains(&8) && !c.contains(&7) {
                    q6_8_without_7 += 1;
                }
            }
            if let Some(p) = a.texts.get("q1") {
                assert!(m.question("q1").prefectures.unwrap().contains(p));
            }
        }
        let share = q2_1 as f64 / n as f64 * 100.0;
        assert!((share - 73.3).abs() < 3.0, "{share}");
        // Slips exist but stay rare.
        assert!(q6_14_with_others < n / 50, "{q6_14_with_others}");
        assert!(
            q6_8_without_7 > 0 && q6_8_without_7 < n / 20,
            "{q6_8_without_7}"
        );
    }
}

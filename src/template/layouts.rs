//! Checks across templates and within one: the mistakes that would otherwise pass `check`
//! and `run` silently and change what the tally counts.
//!
//! - All layouts of one questionnaire must give the same columns: the same questions in
//!   the same order, with the same kinds, formats, options, branching and write-ins (a
//!   field renamed `q7_cnt`, a decoy named as a fourth option of q2).
//! - Two questionnaires whose ids differ by a keystroke or two but whose questions are the
//!   same are a typo in one id (`hodanren-2024-2`), which would split one survey's
//!   replies into two tables.
//! - Within a layout, each write-in field lies in the question order of the file (the
//!   printed order): two field names swapped put a field among another question's boxes.

use super::{Kind, Question, Template};
use crate::normalise::px_len;

/// How far a write-in may start above the question before it (same printed row, skew of
/// the reference scan) and still be in order.
const ORDER_SLACK: i32 = px_len(3.0);

/// Every disagreement found, one message each, naming the templates' files.
pub fn problems(templates: &[Template]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in templates.iter().enumerate() {
        // Each questionnaire's first layout is the reference for the others.
        if let Some(b) = templates[..i]
            .iter()
            .find(|b| b.questionnaire == a.questionnaire)
        {
            let diffs = differences(b, a);
            if !diffs.is_empty() {
                out.push(format!(
                    "templates {} ({}) and {} ({}) are layouts of questionnaire {} but give different columns:\n    {}",
                    b.id,
                    b.path.display(),
                    a.id,
                    a.path.display(),
                    a.questionnaire,
                    diffs.join("\n    ")
                ));
            }
        } else if let Some(b) = templates[..i].iter().find(|b| {
            b.questionnaire != a.questionnaire
                && strsim::levenshtein(&b.questionnaire, &a.questionnaire) <= 2
                && differences(b, a).is_empty()
        }) {
            out.push(format!(
                "template {} ({}) names questionnaire {}, template {} ({}) names {}: the same questions under ids a keystroke apart; is one a typo? (give both layouts one questionnaire id)",
                a.id,
                a.path.display(),
                a.questionnaire,
                b.id,
                b.path.display(),
                b.questionnaire
            ));
        }
        out.extend(field_order(a));
    }
    out
}

/// What makes layout `b` give other columns than layout `a`.
fn differences(a: &Template, b: &Template) -> Vec<String> {
    let mut out = Vec::new();
    let ids = |t: &Template| t.questions.iter().map(|q| q.id.clone()).collect::<Vec<_>>();
    let (ia, ib) = (ids(a), ids(b));
    for q in &a.questions {
        if b.question(&q.id).is_none() {
            out.push(format!(
                "{} lacks {} ({}), which {} has",
                b.id,
                q.id,
                q.kind.name(),
                a.id
            ));
        }
    }
    for q in &b.questions {
        if a.question(&q.id).is_none() {
            out.push(format!(
                "{} has {} ({}), which {} lacks",
                b.id,
                q.id,
                q.kind.name(),
                a.id
            ));
        }
    }
    let common = |v: &[String], other: &Template| {
        v.iter()
            .filter(|id| other.question(id).is_some())
            .cloned()
            .collect::<Vec<_>>()
    };
    if common(&ia, b) != common(&ib, a) {
        out.push(format!(
            "the questions come in another order ({}: {}; {}: {})",
            a.id,
            ia.join(" "),
            b.id,
            ib.join(" ")
        ));
    }
    for qa in &a.questions {
        let Some(qb) = b.question(&qa.id) else {
            continue;
        };
        out.extend(
            question_differences(qa, qb)
                .into_iter()
                .map(|d| format!("{}: {d}", qa.id)),
        );
    }
    out
}

fn question_differences(a: &Question, b: &Question) -> Vec<String> {
    let mut out = Vec::new();
    if a.kind != b.kind {
        out.push(format!("{} here, {} there", a.kind.name(), b.kind.name()));
        return out;
    }
    if a.format != b.format {
        out.push(format!("format {:?} here, {:?} there", a.format, b.format));
    }
    let codes = |q: &Question| q.options.iter().map(|o| o.code).collect::<Vec<_>>();
    if codes(a) != codes(b) {
        out.push(format!(
            "{} option(s) here, {} there",
            a.options.len(),
            b.options.len()
        ));
    }
    if a.exclusive != b.exclusive {
        out.push(format!(
            "exclusive {:?} here, {:?} there",
            a.exclusive, b.exclusive
        ));
    }
    if a.sub != b.sub {
        out.push("other sub-options".into());
    }
    if a.skip != b.skip {
        out.push("other skip rules".into());
    }
    if a.attached_to != b.attached_to {
        out.push(format!(
            "attached to {:?} here, {:?} there",
            a.attached_to, b.attached_to
        ));
    }
    out
}

/// Where a question's printing starts: (page, top) of its first box or field.
fn start(q: &Question) -> Option<(usize, i32)> {
    let boxes = q.options.iter().map(|o| (o.page, o.rect.y));
    let field = q.field.iter().map(|f| (f.page, f.rect.y));
    boxes.chain(field).min()
}

/// Write-in fields out of the file's question order (the printed order).
fn field_order(t: &Template) -> Vec<String> {
    let mut out = Vec::new();
    let starts: Vec<Option<(usize, i32)>> = t.questions.iter().map(start).collect();
    for (i, q) in t.questions.iter().enumerate() {
        if q.kind == Kind::Single || q.kind == Kind::Multi {
            continue;
        }
        let Some(f) = &q.field else { continue };
        let here = (f.page, f.rect.y);
        let before = starts[..i].iter().rev().flatten().next();
        let after = starts[i + 1..].iter().flatten().next();
        let late =
            before.is_some_and(|&(p, y)| p > here.0 || (p == here.0 && y > here.1 + ORDER_SLACK));
        let early =
            after.is_some_and(|&(p, y)| p < here.0 || (p == here.0 && y + ORDER_SLACK < here.1));
        if late || early {
            let (other, pos) = if late {
                (&t.questions[..i], "above")
            } else {
                (&t.questions[i + 1..], "below")
            };
            let neighbour = if late {
                other.iter().rev().find(|x| start(x).is_some())
            } else {
                other.iter().find(|x| start(x).is_some())
            };
            out.push(format!(
                "{}:{}: the field of {} (page {}, y {}) lies {pos} {} on the paper, against the question order of the file: are two fields' names swapped?",
                t.path.display(),
                f.line,
                q.id,
                f.page,
                f.rect.y,
                neighbour.map(|x| x.id.as_str()).unwrap_or("")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn templates_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")
    }

    fn shipped(name: &str) -> (String, PathBuf) {
        let p = templates_dir().join(name);
        (std::fs::read_to_string(&p).unwrap(), p)
    }

    /// A second layout of hodanren made from the first with `edit` applied to its text.
    fn second(edit: impl Fn(String) -> String) -> Vec<Template> {
        let (src, p) = shipped("hodanren-2024-12-a.toml");
        let a = super::super::parse(&src, &p).unwrap();
        let other = edit(src.replace("id = \"hodanren-2024-12-a\"", "id = \"hodanren-2024-12-b\""));
        let b = super::super::parse(&other, &p.with_file_name("hodanren-2024-12-b.toml")).unwrap();
        vec![a, b]
    }

    #[test]
    fn the_shipped_templates_agree() {
        let ts = super::super::load_all(&templates_dir()).unwrap();
        assert_eq!(problems(&ts), Vec::<String>::new());
        assert!(
            problems(&second(|s| s)).is_empty(),
            "a faithful second layout"
        );
    }

    #[test]
    fn a_renamed_field_is_named() {
        let p = problems(&second(|s| s.replace("\"q7_count\"", "\"q7_cnt\"")));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].contains("lacks q7_count") && p[0].contains("has q7_cnt"),
            "{}",
            p[0]
        );
        assert!(p[0].contains("hodanren-2024-12-a") && p[0].contains("hodanren-2024-12-b"));
    }

    #[test]
    fn a_decoy_named_as_an_option_is_named() {
        // The instructions' □ named as a fourth option of q2.
        let p = problems(&second(|s| {
            let at = s.find("decoy = true\n").expect("the template has a decoy");
            let end = at + s[at..].find("\n\n").unwrap();
            format!(
                "{}question = \"q2\"\ncode = 4\nlabel = \"decoy\"{}",
                &s[..at],
                &s[end..]
            )
        }));
        assert!(
            p.iter()
                .any(|x| x.contains("q2: 3 option(s) here, 4 there")),
            "{p:#?}"
        );
    }

    #[test]
    fn a_questionnaire_id_typo_is_named() {
        let p = problems(&second(|s| {
            s.replace(
                "questionnaire = \"hodanren-2024-12\"",
                "questionnaire = \"hodanren-2024-2\"",
            )
        }));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(p[0].contains("typo"), "{}", p[0]);
    }

    #[test]
    fn swapped_field_names_are_named() {
        // q5 and q10 are both free comments: swap the names of their fields.
        let (src, p) = shipped("hodanren-2024-12-a.toml");
        let swapped = src
            .replace("question = \"q5\"\n", "question = \"@@\"\n")
            .replace("question = \"q10\"\n", "question = \"q5\"\n")
            .replace("question = \"@@\"\n", "question = \"q10\"\n");
        assert_ne!(swapped, src);
        let t = super::super::parse(&swapped, &p).unwrap();
        let found = problems(&[t]);
        assert!(!found.is_empty(), "swapped fields pass");
        assert!(
            found
                .iter()
                .any(|x| x.contains("q5") && x.contains("swapped")),
            "{found:#?}"
        );
    }
}

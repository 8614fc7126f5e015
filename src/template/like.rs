//! `template detect BLANK --like TEMPLATE`: a new layout of a questionnaire named after a
//! layout that already has its template. Boxes and fields are matched in reading order
//! (a retyping keeps the printed order of the options), and question, code, label, field
//! names and the question blocks are carried over; what cannot be matched is listed and
//! left for a person, never guessed.

use super::detect::{PageFindings, reading_order};
use super::{Kind, Question, Template, TextFormat};
use crate::geometry::Rect;
use std::fmt::Write as _;

/// A draft's names and what goes with them: where they came from, the questionnaire id,
/// title and question blocks to write.
#[derive(Debug, Default)]
pub struct Naming {
    /// 「like hodanren-2024-12-a」, 「from the PDF's text」: said in the draft's header.
    pub source: String,
    pub questionnaire: String,
    pub title: String,
    pub names: Names,
    /// The `[[question]]` blocks, as the file writes them.
    pub questions: String,
}

/// The naming of a draft after `reference` ([`names_like`]).
pub fn naming_like(reference: &Template, pages: &[PageFindings]) -> Naming {
    Naming {
        source: format!("like {} ({})", reference.id, reference.path.display()),
        questionnaire: reference.questionnaire.clone(),
        title: reference.title.clone(),
        names: names_like(reference, pages),
        questions: questions_toml(reference),
    }
}

/// Names for a draft's boxes and fields, in the draft's order (pages in turn, each in
/// reading order), and what could not be matched.
#[derive(Debug, Default)]
pub struct Names {
    /// Per box: (question, code, label) for an answer box; `None` for a decoy or a box
    /// left unnamed.
    pub boxes: Vec<Option<(String, u32, String)>>,
    pub fields: Vec<Option<String>>,
    /// One sentence per thing left for a person.
    pub unmatched: Vec<String>,
}

/// Names the draft's answer boxes and fields after `reference`'s.
pub fn names_like(reference: &Template, pages: &[PageFindings]) -> Names {
    let mut names = Names::default();
    // The reference's option boxes and fields in reading order, as detect orders a draft.
    let mut options: Vec<(usize, Rect, &Question, u32, &str)> = reference
        .questions
        .iter()
        .flat_map(|q| {
            q.options
                .iter()
                .map(move |o| (o.page, o.rect, q, o.code, o.label.as_str()))
        })
        .collect();
    let box_size = median(options.iter().map(|o| o.1.h).collect()).max(1);
    let mut ordered = Vec::new();
    for page in 1..=reference.pages.len() {
        let mut on: Vec<_> = options.iter().filter(|o| o.0 == page).cloned().collect();
        reading_order(&mut on, |o| o.1, box_size);
        ordered.extend(on);
    }
    options = ordered;
    let mut fields: Vec<(usize, Rect, &Question)> = reference
        .questions
        .iter()
        .filter_map(|q| q.field.as_ref().map(|f| (f.page, f.rect, q)))
        .collect();
    fields.sort_by_key(|f| (f.0, f.1.y, f.1.x));

    let answer_boxes: usize = pages
        .iter()
        .map(|p| p.boxes.iter().filter(|b| b.decoy.is_none()).count())
        .sum();
    let draft_fields: usize = pages.iter().map(|p| p.fields.len()).sum();
    let mut next = options.iter();
    for p in pages {
        for b in &p.boxes {
            names
                .boxes
                .push(if b.decoy.is_some() || answer_boxes != options.len() {
                    None
                } else {
                    next.next().map(|o| (o.2.id.clone(), o.3, o.4.to_string()))
                });
        }
    }
    if answer_boxes != options.len() {
        names.unmatched.push(format!(
            "the blank has {answer_boxes} answer boxes, {} has {}: no box named (a decoy taken for an answer box, or the other way round? name them on the `template check` picture)",
            reference.id,
            options.len()
        ));
    }
    let mut next = fields.iter();
    for p in pages {
        for _ in &p.fields {
            names.fields.push(if draft_fields != fields.len() {
                None
            } else {
                next.next().map(|f| f.2.id.clone())
            });
        }
    }
    if draft_fields != fields.len() {
        names.unmatched.push(format!(
            "the blank has {draft_fields} write-in areas, {} has {} fields: no field named",
            reference.id,
            fields.len()
        ));
    }
    names
}

fn median(mut v: Vec<i32>) -> i32 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// The `[[question]]` blocks of `t`, in its order, as a template file writes them.
pub fn questions_toml(t: &Template) -> String {
    let mut s = String::new();
    for q in &t.questions {
        let _ = writeln!(s, "[[question]]");
        let _ = writeln!(s, "id = {:?}", q.id);
        let _ = writeln!(s, "kind = {:?}", q.kind.name());
        let default = if q.kind == Kind::Number {
            TextFormat::Digits
        } else {
            TextFormat::Free
        };
        if q.format != default {
            let f = match q.format {
                TextFormat::Prefecture => "prefecture",
                TextFormat::Digits => "digits",
                TextFormat::Free => "free",
            };
            let _ = writeln!(s, "format = {f:?}");
        }
        let _ = writeln!(s, "text = {:?}", q.text);
        if !q.exclusive.is_empty() {
            let _ = writeln!(s, "exclusive = {:?}", q.exclusive);
        }
        if !q.sub.is_empty() {
            let subs: Vec<String> = q
                .sub
                .iter()
                .map(|x| format!("{{ parent = {}, codes = {:?} }}", x.parent, x.codes))
                .collect();
            let _ = writeln!(s, "sub = [{}]", subs.join(", "));
        }
        if !q.skip.is_empty() {
            let skips: Vec<String> = q
                .skip
                .iter()
                .map(|x| format!("{{ when = {:?}, to = {:?} }}", x.when, x.to))
                .collect();
            let _ = writeln!(s, "skip = [{}]", skips.join(", "));
        }
        if let Some((aq, code)) = &q.attached_to {
            let _ = writeln!(s, "attached = {{ question = {aq:?}, code = {code} }}");
        }
        let _ = writeln!(s);
    }
    s
}

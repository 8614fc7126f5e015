//! From the read pages of one response to its cells and the findings a person must look
//! at: doubtful boxes and fields, and the consistency rules, each a small function. Crops
//! are not written here: the findings say where to crop, and the output step writes them
//! (see [`super::crops`]).

use super::page::{OptionRead, ReadPage};
use crate::geometry::Rect;
use crate::ocr::FieldStatus;
use crate::reason::Reason;
use crate::store::ResponseRecord;
use crate::template::{ColumnKind, Kind, Question, Template};
use std::collections::BTreeMap;

/// Something about one cell a person must look at, before its crop is written.
#[derive(Debug, Clone)]
pub struct Finding {
    pub column: String,
    pub reasons: Vec<Reason>,
    pub guess: String,
    pub confidence: f32,
    /// The option the finding is about, when it is about one (the reviewer's "mark" sets it).
    pub option: Option<u32>,
    /// Where to crop: a page of the group (index) and a template rectangle on it.
    pub at: Option<(usize, Rect)>,
}

/// An option as read on a page of the group.
#[derive(Clone, Copy)]
struct Read {
    /// Index of the page in the group.
    page: usize,
    option: OptionRead,
}

impl Read {
    /// The box with its label and some context around.
    fn area(&self) -> (usize, Rect) {
        let o = &self.option;
        let s = o.rect.w.max(o.rect.h);
        (self.page, o.with_label().inflate(s))
    }
}

/// The response's options as read, by (question index, code).
type Reads = BTreeMap<(usize, u32), Read>;

/// Builds the response `source:first page` of template `t` from its group of pages, and
/// the findings (one per cell, several reasons joined).
pub fn assemble(t: &Template, source: &str, group: &[ReadPage]) -> (ResponseRecord, Vec<Finding>) {
    let reads: Reads = group
        .iter()
        .enumerate()
        .flat_map(|(page, p)| {
            p.options
                .iter()
                .map(move |&option| ((option.question, option.code), Read { page, option }))
        })
        .collect();
    let present: Vec<usize> = group.iter().map(|p| p.page).collect();
    let mut findings = missing_pages(t, &present);
    let mut cells: Vec<(String, String)> = Vec::new();
    let mut chosen: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut unread: Vec<String> = Vec::new();
    let mut written: Vec<(&Question, usize, Rect)> = Vec::new();
    for (qi, q) in t.questions.iter().enumerate() {
        match q.kind {
            Kind::Single | Kind::Multi => {
                let marked = read_boxes(q, qi, &reads, &mut cells, &mut findings);
                let area = question_area(q, qi, &reads);
                findings.extend(two_marks(q, &marked, area));
                findings.extend(exclusive_with_others(q, &marked, area));
                findings.extend(sub_without_parent(q, &marked, area));
                chosen.insert(q.id.clone(), marked);
            }
            Kind::Text | Kind::Number => {
                let found = group.iter().enumerate().find_map(|(pi, p)| {
                    p.fields.iter().find(|f| f.column == q.id).map(|f| (pi, f))
                });
                let Some((pi, f)) = found else {
                    // Its page is missing: already a finding.
                    cells.push((q.id.clone(), String::new()));
                    continue;
                };
                if let FieldStatus::Unread(_) = f.status {
                    unread.push(q.id.clone());
                }
                if !f.doubt.is_empty() {
                    // A prefecture torn between names: all of them, likeliest first, as
                    // two marks list their options.
                    let guess = f
                        .doubt
                        .iter()
                        .find_map(|r| match r {
                            Reason::PrefectureUnsure { top, .. } => Some(
                                top.iter()
                                    .map(|t| t.0.as_str())
                                    .collect::<Vec<_>>()
                                    .join(";"),
                            ),
                            _ => None,
                        })
                        .unwrap_or_else(|| f.value.clone());
                    findings.push(Finding {
                        column: q.id.clone(),
                        reasons: f.doubt.clone(),
                        guess,
                        confidence: f.confidence,
                        option: None,
                        at: Some((pi, f.area)),
                    });
                }
                if f.status != FieldStatus::Blank {
                    written.push((q, pi, f.area));
                }
                cells.push((q.id.clone(), f.value.clone()));
            }
        }
    }
    findings.extend(
        written
            .into_iter()
            .filter_map(|(q, pi, area)| written_option_unmarked(t, q, &chosen, (pi, area))),
    );
    let findings = merge(findings);
    let status = if findings.is_empty() { "ok" } else { "review" };
    let first = &group[0];
    (
        ResponseRecord {
            response_id: format!("{source}:{}", first.file_page),
            template: t.id.clone(),
            questionnaire: t.questionnaire.clone(),
            status: status.into(),
            cells,
            unread,
            pages: group.iter().map(|p| p.file_page).collect(),
        },
        findings,
    )
}

/// The cells of a question of boxes, and a finding for each doubtful box; returns the
/// codes read as marked.
fn read_boxes(
    q: &Question,
    qi: usize,
    reads: &Reads,
    cells: &mut Vec<(String, String)>,
    findings: &mut Vec<Finding>,
) -> Vec<u32> {
    let single = q.kind == Kind::Single;
    let mut marked = Vec::new();
    let first = findings.len();
    for o in &q.options {
        let Some(rd) = reads.get(&(qi, o.code)) else {
            continue;
        };
        let r = rd.option.reading;
        if r.marked {
            marked.push(o.code);
        }
        if let Some(doubt) = r.doubt {
            findings.push(Finding {
                column: if single {
                    q.id.clone()
                } else {
                    format!("{}_{}", q.id, o.code)
                },
                reasons: vec![Reason::Box {
                    doubt,
                    option: o.code,
                    label: o.label.clone(),
                }],
                // A single-choice question's guess is set below, once all is read.
                guess: (r.marked as u8).to_string(),
                confidence: r.confidence,
                option: Some(o.code),
                at: Some(rd.area()),
            });
        }
    }
    if single {
        // A doubt about one box of a single-choice question is a doubt about its one
        // column: the guess offered is what the question reads as, not that box alone (an
        // empty box asked about beside a sure answer guesses the answer, not a blank).
        let guess = codes(&marked);
        for f in &mut findings[first..] {
            f.guess = guess.clone();
        }
        let value = match marked[..] {
            [one] => one.to_string(),
            _ => String::new(),
        };
        cells.push((q.id.clone(), value));
    } else {
        for o in &q.options {
            // An option on a page that is missing was not read: empty, not "not marked".
            let value = if reads.contains_key(&(qi, o.code)) {
                (marked.contains(&o.code) as u8).to_string()
            } else {
                String::new()
            };
            cells.push((format!("{}_{}", q.id, o.code), value));
        }
    }
    marked
}

/// Missing pages: the response is still recorded, its cells there left empty (not "not
/// marked"), each with a person told. A column is on its option's page (a flag), else its
/// question's.
fn missing_pages(t: &Template, present: &[usize]) -> Vec<Finding> {
    let page_of = |c: &crate::template::Column| {
        let q = t.question(&c.question)?;
        match c.kind {
            ColumnKind::Flag { code } => q.option(code).map(|o| o.page),
            _ => q
                .options
                .first()
                .map(|o| o.page)
                .or(q.field.as_ref().map(|f| f.page)),
        }
    };
    t.columns()
        .into_iter()
        .filter_map(|c| {
            let page = page_of(&c)?;
            (!present.contains(&page)).then(|| Finding {
                column: c.name,
                reasons: vec![Reason::MissingPage { page }],
                guess: String::new(),
                confidence: 0.0,
                option: None,
                at: None,
            })
        })
        .collect()
}

/// Option codes as a guess lists them: `1;3`.
fn codes(marked: &[u32]) -> String {
    marked
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(";")
}

/// Two or more options marked in a single-choice question.
fn two_marks(q: &Question, marked: &[u32], area: Option<(usize, Rect)>) -> Option<Finding> {
    (q.kind == Kind::Single && marked.len() > 1).then(|| Finding {
        column: q.id.clone(),
        reasons: vec![Reason::TwoMarks],
        guess: codes(marked),
        confidence: 0.0,
        option: None,
        at: area,
    })
}

/// An exclusive option ("none of these") marked together with others.
fn exclusive_with_others(
    q: &Question,
    marked: &[u32],
    area: Option<(usize, Rect)>,
) -> Vec<Finding> {
    if q.kind != Kind::Multi || marked.len() < 2 {
        return Vec::new();
    }
    q.exclusive
        .iter()
        .filter(|e| marked.contains(e))
        .map(|&e| Finding {
            column: format!("{}_{e}", q.id),
            reasons: vec![Reason::ExclusiveWithOthers { option: e }],
            guess: "1".into(),
            confidence: 0.0,
            option: Some(e),
            at: area,
        })
        .collect()
}

/// A sub-option marked while its parent option is not (one finding per parent).
fn sub_without_parent(q: &Question, marked: &[u32], area: Option<(usize, Rect)>) -> Vec<Finding> {
    if q.kind != Kind::Multi {
        return Vec::new();
    }
    q.sub
        .iter()
        .filter(|s| !marked.contains(&s.parent))
        .filter_map(|s| {
            let sub = *s.codes.iter().find(|c| marked.contains(c))?;
            Some(Finding {
                column: format!("{}_{}", q.id, s.parent),
                reasons: vec![Reason::SubWithoutParent {
                    sub,
                    parent: s.parent,
                }],
                guess: "0".into(),
                confidence: 0.0,
                option: Some(s.parent),
                at: area,
            })
        })
        .collect()
}

/// その他（ ）-style field `q` filled in while its option is left unmarked: usually a missed
/// tick, which a person should decide. (The follow-up of a single-choice answer written
/// while another answer is chosen is the respondent's, read surely: listed as against the
/// branching, see Template::against_branching.)
fn written_option_unmarked(
    t: &Template,
    q: &Question,
    chosen: &BTreeMap<String, Vec<u32>>,
    at: (usize, Rect),
) -> Option<Finding> {
    let (parent, code) = q.attached_to.as_ref()?;
    let pq = t.question(parent)?;
    let picked = chosen.get(parent).map(Vec::as_slice).unwrap_or_default();
    let single = pq.kind == Kind::Single;
    if picked.contains(code) || (single && !picked.is_empty()) {
        return None;
    }
    Some(Finding {
        column: if single {
            parent.clone()
        } else {
            format!("{parent}_{code}")
        },
        reasons: vec![Reason::WrittenOptionUnmarked {
            field: q.id.clone(),
            option: *code,
        }],
        guess: if single { String::new() } else { "0".into() },
        confidence: 0.3,
        option: Some(*code),
        at: Some(at),
    })
}

/// One finding per cell: the reasons of several for one cell are joined, in order.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::new();
    for f in findings {
        match merged.iter_mut().find(|m| m.column == f.column) {
            Some(m) => {
                m.reasons.extend(f.reasons);
                m.confidence = m.confidence.min(f.confidence);
                if m.at.is_none() {
                    m.at = f.at;
                }
            }
            None => merged.push(f),
        }
    }
    merged
}

/// All of a question's options on the page of its first option, with labels.
fn question_area(q: &Question, qi: usize, reads: &Reads) -> Option<(usize, Rect)> {
    let first = reads.get(&(qi, q.options.first()?.code))?;
    let page = first.page;
    let r = q
        .options
        .iter()
        .filter_map(|o| reads.get(&(qi, o.code)))
        .filter(|rd| rd.page == page)
        .fold(first.option.with_label(), |r, rd| {
            r.union(&rd.option.with_label())
        });
    let s = first.option.rect.w.max(first.option.rect.h);
    Some((page, r.inflate(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{OptionBox, SubOptions, TextFormat};

    fn question(kind: Kind, codes: &[u32]) -> Question {
        Question {
            id: "q6".into(),
            kind,
            text: String::new(),
            options: codes
                .iter()
                .map(|&code| OptionBox {
                    code,
                    label: format!("option {code}"),
                    page: 1,
                    rect: Rect::new(0, 0, 10, 10),
                    label_rect: None,
                    line: 0,
                })
                .collect(),
            field: None,
            format: TextFormat::Free,
            exclusive: vec![],
            sub: vec![],
            skip: vec![],
            attached_to: None,
            line: 0,
        }
    }

    /// Reads of question 0's options: (code, marked, doubt).
    fn reads(boxes: &[(u32, bool, Option<crate::marks::Doubt>)]) -> Reads {
        boxes
            .iter()
            .map(|&(code, marked, doubt)| {
                let reading = crate::marks::BoxReading {
                    marked,
                    confidence: if doubt.is_some() { 0.4 } else { 1.0 },
                    doubt,
                    by_circle: false,
                    features: Default::default(),
                };
                let option = OptionRead {
                    question: 0,
                    code,
                    rect: Rect::new(0, 0, 10, 10),
                    label: None,
                    reading,
                };
                ((0, code), Read { page: 0, option })
            })
            .collect()
    }

    #[test]
    fn a_doubt_about_a_box_guesses_its_question_s_reading() {
        use crate::marks::Doubt::InCell;
        let single = question(Kind::Single, &[1, 2, 3]);
        let read = reads(&[(1, false, Some(InCell)), (2, false, None), (3, true, None)]);
        let (mut cells, mut findings) = (Vec::new(), Vec::new());
        assert_eq!(
            read_boxes(&single, 0, &read, &mut cells, &mut findings),
            [3]
        );
        assert_eq!(cells, [("q6".to_string(), "3".to_string())]);
        // The empty box asked about guesses the answer read, not a blank column.
        assert_eq!((findings.len(), findings[0].guess.as_str()), (1, "3"));
        assert_eq!(findings[0].option, Some(1));
        // Multiple choice: each box is its own column, and guesses itself.
        let multi = question(Kind::Multi, &[1, 2, 3]);
        let (mut cells, mut findings) = (Vec::new(), Vec::new());
        read_boxes(&multi, 0, &read, &mut cells, &mut findings);
        assert_eq!(
            (findings[0].column.as_str(), findings[0].guess.as_str()),
            ("q6_1", "0")
        );
    }

    #[test]
    fn each_consistency_rule_raises_its_finding() {
        let single = question(Kind::Single, &[1, 2, 3]);
        assert!(two_marks(&single, &[2], None).is_none());
        let two = two_marks(&single, &[1, 3], None).unwrap();
        assert_eq!((two.column.as_str(), two.guess.as_str()), ("q6", "1;3"));
        assert_eq!(two.reasons, vec![Reason::TwoMarks]);

        let mut multi = question(Kind::Multi, &[1, 7, 8, 9, 14]);
        multi.exclusive = vec![14];
        multi.sub = vec![SubOptions {
            parent: 7,
            codes: vec![8, 9],
        }];
        assert!(exclusive_with_others(&multi, &[14], None).is_empty());
        let ex = exclusive_with_others(&multi, &[1, 14], None);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].column, "q6_14");
        assert!(sub_without_parent(&multi, &[7, 8], None).is_empty());
        let sub = sub_without_parent(&multi, &[8, 9], None);
        assert_eq!(sub.len(), 1, "one finding per parent");
        assert_eq!(
            sub[0].reasons,
            vec![Reason::SubWithoutParent { sub: 8, parent: 7 }]
        );
    }

    #[test]
    fn findings_for_one_cell_are_merged_in_order() {
        let f = |column: &str, reason: Reason, confidence| Finding {
            column: column.into(),
            reasons: vec![reason],
            guess: String::new(),
            confidence,
            option: None,
            at: None,
        };
        let merged = merge(vec![
            f("q3", Reason::TwoMarks, 0.0),
            f("q4", Reason::NoText, 0.5),
            f("q3", Reason::MissingPage { page: 2 }, 0.3),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(
            merged[0].reasons,
            vec![Reason::TwoMarks, Reason::MissingPage { page: 2 }]
        );
        assert_eq!(merged[0].confidence, 0.0);
    }
}

//! `template detect BLANK --like TEMPLATE`: a new layout of a questionnaire named after a
//! layout that already has its template. Boxes and fields are matched in reading order
//! (a retyping keeps the printed order of the options), and question, code, label, field
//! names and the question blocks are carried over; what cannot be matched is listed and
//! left for a person, never guessed.
//!
//! Reading order is rows, left to right; a layout that prints a question's options in
//! columns read downwards (a word processor's newspaper columns) meets them in another
//! order. When the blank has a text layer, the label printed beside each box is compared
//! with the known layout's labels within each question, and a question whose printed labels
//! clearly name another order takes it; one whose labels fit no order surely is left
//! unnamed.

use super::detect::{PageFindings, reading_order};
use super::{Kind, Question, Template, TextFormat};
use crate::geometry::Rect;
use std::fmt::Write as _;

/// Labels at least this alike ([`likeness`], 0..1) may name a box against the reading
/// order ...
const CLEAR_LIKENESS: f32 = 0.5;
/// ... when they are this much more alike than the label reading order gives the box, and
/// than any other box of the question is to that option. Labels one word apart
/// (「10～20％未満」, 「20～30％未満」) are 0.6 alike; a label and itself 1.
const CLEAR_MARGIN: f32 = 0.2;
/// A pair less alike than this is no evidence either way (「その他」 against 「病院」).
const NO_LIKENESS: f32 = 0.3;

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

/// The naming of a draft after `reference` ([`names_like`]); `printed` as there.
pub fn naming_like(
    reference: &Template,
    pages: &[PageFindings],
    printed: Option<&[String]>,
) -> Naming {
    Naming {
        source: format!("like {} ({})", reference.id, reference.path.display()),
        questionnaire: reference.questionnaire.clone(),
        title: reference.title.clone(),
        names: names_like(reference, pages, printed),
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
    /// One sentence per thing done that a person should know of (names taken from the
    /// printed labels, not the reading order).
    pub notes: Vec<String>,
}

/// Names the draft's answer boxes and fields after `reference`'s. `printed`: the label
/// printed beside each of the draft's boxes (decoys included, the draft's order), when the
/// blank has text.
pub fn names_like(
    reference: &Template,
    pages: &[PageFindings],
    printed: Option<&[String]>,
) -> Names {
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
    // Per answer box (the draft's order): the option it is, and its number in the draft.
    let mut answers: Vec<(usize, &str)> = Vec::new();
    let mut n = 0;
    for p in pages {
        for b in &p.boxes {
            if b.decoy.is_none() {
                answers.push((n, printed.and_then(|t| t.get(n)).map_or("", String::as_str)));
            }
            n += 1;
        }
    }
    let chosen: Vec<Option<usize>> = if answer_boxes != options.len() {
        vec![None; answers.len()]
    } else if printed.is_some() {
        let labels: Vec<(&str, &str)> = options.iter().map(|o| (o.2.id.as_str(), o.4)).collect();
        by_printed_labels(&answers, &labels, &mut names)
    } else {
        (0..answers.len()).map(Some).collect()
    };
    let mut chosen = chosen.into_iter();
    for p in pages {
        for b in &p.boxes {
            let o = if b.decoy.is_some() {
                None
            } else {
                chosen.next().flatten().map(|k| &options[k])
            };
            names
                .boxes
                .push(o.map(|o| (o.2.id.clone(), o.3, o.4.to_string())));
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

/// The option (index into `options`, reading order) each answer box is, checked against
/// the labels printed beside the boxes. `answers`: per answer box in reading order, its
/// number in the draft and its printed label; `options`: per option, its question and
/// label. Boxes and options pair up in reading order question by question (a question's
/// options are a run of the reading order, its block on the page between its heading and
/// the next); within a question, the printed labels may reorder them (see the module's
/// documentation). A question whose labels fit no order surely is left unnamed.
fn by_printed_labels(
    answers: &[(usize, &str)],
    options: &[(&str, &str)],
    names: &mut Names,
) -> Vec<Option<usize>> {
    let mut out: Vec<Option<usize>> = (0..answers.len()).map(Some).collect();
    let mut start = 0;
    while start < options.len() {
        let q = options[start].0;
        let end = (start..options.len())
            .find(|&k| options[k].0 != q)
            .unwrap_or(options.len());
        let like: Vec<Vec<f32>> = (start..end)
            .map(|i| {
                (start..end)
                    .map(|j| likeness(answers[i].1, options[j].1))
                    .collect()
            })
            .collect();
        let boxes = |ks: &mut dyn Iterator<Item = usize>| {
            ks.map(|k| format!("#{}", answers[start + k].0 + 1))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match order_by_labels(&like) {
            Some(order) => {
                let moved: Vec<usize> = (0..order.len()).filter(|&i| order[i] != i).collect();
                if !moved.is_empty() {
                    names.notes.push(format!(
                        "{q}: boxes {} named by the labels printed beside them, not in reading order (this layout prints its options in another order)",
                        boxes(&mut moved.iter().copied())
                    ));
                }
                for (i, j) in order.into_iter().enumerate() {
                    out[start + i] = Some(start + j);
                }
            }
            None => {
                names.unmatched.push(format!(
                    "{q}: the labels printed beside boxes {} fit its options in no order surely: they are left unnamed",
                    boxes(&mut (0..end - start))
                ));
                for o in &mut out[start..end] {
                    *o = None;
                }
            }
        }
        start = end;
    }
    out
}

/// Within one question, `like[i][j]` = likeness of box i's printed label (reading order)
/// to option j's: the option of each box, `None` when the labels name no order surely.
/// Pairs are taken most alike first (reading order's pair first among equals); a box
/// whose label is no evidence keeps its reading-order option when that is free. Every
/// box moved off its reading-order option must be [`CLEAR_LIKENESS`] alike to its new one
/// and [`CLEAR_MARGIN`] more than to the old one and than any other box is to the new one;
/// a box left on it must not be [`CLEAR_MARGIN`] more alike to another option.
fn order_by_labels(like: &[Vec<f32>]) -> Option<Vec<usize>> {
    let m = like.len();
    let mut pairs: Vec<(usize, usize)> = (0..m)
        .flat_map(|i| (0..m).map(move |j| (i, j)))
        .filter(|&(i, j)| like[i][j] >= NO_LIKENESS)
        .collect();
    pairs.sort_by(|a, b| {
        like[b.0][b.1]
            .total_cmp(&like[a.0][a.1])
            .then((a.0 != a.1).cmp(&(b.0 != b.1)))
    });
    let mut to: Vec<Option<usize>> = vec![None; m];
    let mut taken = vec![false; m];
    for (i, j) in pairs {
        if to[i].is_none() && !taken[j] {
            to[i] = Some(j);
            taken[j] = true;
        }
    }
    for i in 0..m {
        if to[i].is_none() && !taken[i] {
            to[i] = Some(i);
            taken[i] = true;
        }
    }
    let mut free = (0..m)
        .filter(|&j| !taken[j])
        .collect::<Vec<_>>()
        .into_iter();
    let order: Vec<usize> = to
        .into_iter()
        .map(|t| t.or_else(|| free.next()).unwrap_or(0))
        .collect();
    let clear = |i: usize, j: usize| {
        let l = like[i][j];
        l >= CLEAR_LIKENESS
            && l >= like[i][i] + CLEAR_MARGIN
            && (0..m).all(|k| k == i || like[k][j] + CLEAR_MARGIN <= l)
    };
    // A box kept in place whose label is clearly another option's (two boxes print the
    // same label) is no sure order either.
    let contradicted = |i: usize| (0..m).any(|j| like[i][j] >= like[i][i] + CLEAR_MARGIN);
    (0..m)
        .all(|i| {
            if order[i] == i {
                !contradicted(i)
            } else {
                clear(i, order[i])
            }
        })
        .then_some(order)
}

/// How alike two printed labels are, 0..1: the Dice coefficient of their pairs of
/// neighbouring characters (of their characters when one is a single character), spaces,
/// brackets and punctuation left out and full-width letters and digits narrowed; 0 when
/// either is empty.
fn likeness(a: &str, b: &str) -> f32 {
    let fold = |s: &str| -> Vec<char> {
        s.chars()
            .map(crate::chars::narrow)
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    let (a, b) = (fold(a), fold(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let grams = |s: &[char]| -> Vec<(char, char)> {
        if a.len() == 1 || b.len() == 1 {
            s.iter().map(|&c| (c, c)).collect()
        } else {
            s.windows(2).map(|w| (w[0], w[1])).collect()
        }
    };
    let (ga, mut gb) = (grams(&a), grams(&b));
    let total = ga.len() + gb.len();
    let mut common = 0;
    for g in &ga {
        if let Some(k) = gb.iter().position(|x| x == g) {
            gb.swap_remove(k);
            common += 1;
        }
    }
    (2 * common) as f32 / total as f32
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `like[i][j]` for boxes printing `printed` (reading order) and options `options`.
    fn table(printed: &[&str], options: &[&str]) -> Vec<Vec<f32>> {
        printed
            .iter()
            .map(|p| options.iter().map(|o| likeness(p, o)).collect())
            .collect()
    }

    #[test]
    fn labels_are_alike_by_their_character_pairs() {
        assert_eq!(likeness("10％未満", "１０％未満"), 1.0);
        assert_eq!(likeness("その他（", "その他"), 1.0);
        assert_eq!(likeness("", "病院"), 0.0);
        // One word apart is alike, not the same; a shortened label is still close.
        let near = likeness("10～20％未満", "20～30％未満");
        assert!((0.5..0.75).contains(&near), "{near}");
        let short = likeness(
            "その日に持ち合わせていた健康保険証で資格確認をした",
            "健康保険証で資格確認",
        );
        assert!(short > 0.5, "{short}");
        assert!(likeness("国保", "社保") < NO_LIKENESS);
    }

    #[test]
    fn options_printed_down_columns_are_named_by_their_labels() {
        // Two columns read downwards: rows meet 1, 4, 2, 5, 3, 6.
        let options = [
            "10％未満",
            "10～20％未満",
            "20～30％未満",
            "30％以上",
            "行っていない",
            "分からない",
        ];
        let printed = [
            "10％未満",
            "30％以上",
            "10～20％未満",
            "行っていない",
            "20～30％未満",
            "分からない",
        ];
        assert_eq!(
            order_by_labels(&table(&printed, &options)),
            Some(vec![0, 3, 1, 4, 2, 5])
        );
        // In reading order already: kept, shortened labels and all.
        let printed = [
            "健康保険証で資格確認をした",
            "「資格情報のお知らせ」で確認した",
            "その他（",
        ];
        let options = ["健康保険証で資格確認", "資格情報のお知らせ", "その他"];
        assert_eq!(
            order_by_labels(&table(&printed, &options)),
            Some(vec![0, 1, 2])
        );
    }

    #[test]
    fn labels_that_fit_no_order_surely_name_nothing() {
        // The second box's label is as like its own option as the first's: no sure order.
        let options = ["負担を感じる", "とても負担を感じる"];
        let printed = ["とても負担を感じる", "とても負担を感じる"];
        assert_eq!(order_by_labels(&table(&printed, &options)), None);
        // A box without a printed label keeps its place; one moved onto it cannot be sure.
        let options = ["医科診療所", "歯科診療所", "病院"];
        let printed = ["", "医科診療所", "病院"];
        assert_eq!(order_by_labels(&table(&printed, &options)), None);
        let printed = ["医科診療所", "", "病院"];
        assert_eq!(
            order_by_labels(&table(&printed, &options)),
            Some(vec![0, 1, 2])
        );
    }
}

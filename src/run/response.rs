//! From read pages to responses: grouping pages, cell values, and the items a person must
//! look at (conflicts and doubtful boxes), each with a crop.

use super::kit::Kit;
use super::page::ReadPage;
use crate::geometry::Rect;
use crate::marks::BoxReading;
use crate::ocr::FieldStatus;
use crate::raster::crop;
use crate::reason::Reason;
use crate::store::{ResponseRecord, ReviewRecord};
use crate::template::{Kind, Template};
use std::collections::BTreeMap;
use std::path::Path;

/// Pages of one response, put together by what each page is (template and page number),
/// in whichever order the file holds them. Two readings of the file's order are tried:
/// pages in ascending runs (1, 2, 1, 2: the usual), and in descending runs (2, 1, 2, 1:
/// sheets scanned two-sided with the back first). The one leaving fewer incomplete
/// responses wins, ascending on a tie; pages other than form pages between (blank backs,
/// covers) do not part a response. Each group keeps the file's order.
pub fn group(kit: &Kit, pages: Vec<ReadPage>) -> Vec<Vec<ReadPage>> {
    let keys: Vec<PageKey> = pages
        .iter()
        .map(|p| PageKey {
            template: p.template,
            page: p.page,
        })
        .collect();
    let parts = partition(&keys, |t| kit.templates[t].pages.len());
    let mut slots: Vec<Option<ReadPage>> = pages.into_iter().map(Some).collect();
    parts
        .into_iter()
        .map(|g| g.into_iter().filter_map(|i| slots[i].take()).collect())
        .collect()
}

/// What a read page is, for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageKey {
    pub template: usize,
    /// 1-based page of the template.
    pub page: usize,
}

/// Groups of indices into `keys` (see [`group`]); `pages_of(template)` is its page count.
pub fn partition(keys: &[PageKey], pages_of: impl Fn(usize) -> usize) -> Vec<Vec<usize>> {
    let runs = |step: isize| -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let joins = out.last().is_some_and(|g| {
                let last = keys[*g.last().expect("groups are never empty")];
                last.template == k.template
                    && k.page as isize == last.page as isize + step
                    && g.iter().all(|&j| keys[j].page != k.page)
            });
            match out.last_mut() {
                Some(g) if joins => g.push(i),
                _ => out.push(vec![i]),
            }
        }
        out
    };
    let incomplete = |groups: &[Vec<usize>]| {
        groups
            .iter()
            .filter(|g| g.len() < pages_of(keys[g[0]].template))
            .count()
    };
    let (ascending, descending) = (runs(1), runs(-1));
    if incomplete(&descending) < incomplete(&ascending) {
        descending
    } else {
        ascending
    }
}

/// One option as read on a page of the group.
struct Read<'a> {
    page: &'a ReadPage,
    rect: Rect,
    label: Option<Rect>,
    r: BoxReading,
}

/// A review item before its crop is written.
struct Item {
    column: String,
    reasons: Vec<Reason>,
    guess: String,
    confidence: f32,
    /// The option the item is about, when it is about one (the reviewer's "mark" sets it).
    option: Option<u32>,
    /// Where to crop: a page of the group and a template rectangle on it.
    at: Option<(usize, Rect)>,
}

/// Builds a response and its review items from a group of pages of the file known as
/// `source`; crops go to `out/crops`, named by `crop_key` (unique per file content), the
/// response's first page and the column.
pub fn assemble(
    kit: &Kit,
    source: &str,
    crop_key: &str,
    group: &[ReadPage],
    out: &Path,
) -> std::io::Result<(ResponseRecord, Vec<ReviewRecord>)> {
    let first = &group[0];
    let t: &Template = &kit.templates[first.template];
    let response_id = format!("{source}:{}", first.file_page);
    let crop_stem = format!("{crop_key}-p{}", first.file_page);
    let mut reads: BTreeMap<(usize, u32), Read> = BTreeMap::new();
    for p in group {
        let pk = &kit.pages[p.template][p.page - 1];
        for (i, b) in pk.boxes.boxes.iter().enumerate() {
            reads.insert(
                (b.question, b.code),
                Read {
                    page: p,
                    rect: b.rect,
                    label: pk.labels[i],
                    r: p.readings[i],
                },
            );
        }
    }
    let present: Vec<usize> = group.iter().map(|p| p.page).collect();
    let mut items: Vec<Item> = Vec::new();
    let mut cells: Vec<(String, String)> = Vec::new();
    let page_index = |p: &ReadPage| group.iter().position(|g| std::ptr::eq(g, p)).unwrap_or(0);
    let box_area = |rd: &Read| -> (usize, Rect) {
        let s = rd.rect.w.max(rd.rect.h);
        (
            page_index(rd.page),
            rd.label
                .map(|l| l.union(&rd.rect))
                .unwrap_or(rd.rect)
                .inflate(s),
        )
    };

    // Missing pages: the response is still recorded, its cells there left empty (not
    // "not marked"), each with a person told. A column is read from its option's page (a
    // flag, as its cell is filled below), else its question's.
    let page_of = |c: &crate::template::Column| {
        let q = t.question(&c.question)?;
        match c.kind {
            crate::template::ColumnKind::Flag { code } => q.option(code).map(|o| o.page),
            _ => q
                .options
                .first()
                .map(|o| o.page)
                .or(q.field.as_ref().map(|f| f.page)),
        }
    };
    for c in t.columns() {
        let Some(p) = page_of(&c) else {
            continue;
        };
        if !present.contains(&p) {
            items.push(Item {
                column: c.name,
                reasons: vec![Reason::MissingPage { page: p }],
                guess: String::new(),
                confidence: 0.0,
                option: None,
                at: None,
            });
        }
    }

    let mut chosen: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut unread: Vec<String> = Vec::new();
    let mut written: Vec<(&crate::template::Question, usize, Rect)> = Vec::new();
    for (qi, q) in t.questions.iter().enumerate() {
        match q.kind {
            Kind::Single | Kind::Multi => {
                let mut marked = Vec::new();
                for o in &q.options {
                    let Some(rd) = reads.get(&(qi, o.code)) else {
                        continue;
                    };
                    if rd.r.marked {
                        marked.push(o.code);
                    }
                    if let Some(d) = rd.r.doubt {
                        let column = if q.kind == Kind::Single {
                            q.id.clone()
                        } else {
                            format!("{}_{}", q.id, o.code)
                        };
                        items.push(Item {
                            column,
                            reasons: vec![Reason::Box {
                                doubt: d,
                                option: o.code,
                                label: o.label.clone(),
                            }],
                            guess: if q.kind == Kind::Single {
                                if rd.r.marked {
                                    o.code.to_string()
                                } else {
                                    String::new()
                                }
                            } else {
                                (rd.r.marked as u8).to_string()
                            },
                            confidence: rd.r.confidence,
                            option: Some(o.code),
                            at: Some(box_area(rd)),
                        });
                    }
                }
                let area = question_area(q, &reads, qi).map(|(p, r)| (page_index(p), r));
                if q.kind == Kind::Single {
                    let value = if marked.len() == 1 {
                        marked[0].to_string()
                    } else {
                        String::new()
                    };
                    if marked.len() > 1 {
                        items.push(Item {
                            column: q.id.clone(),
                            reasons: vec![Reason::TwoMarks],
                            guess: join(&marked),
                            confidence: 0.0,
                            option: None,
                            at: area,
                        });
                    }
                    cells.push((q.id.clone(), value));
                } else {
                    for o in &q.options {
                        // An option on a page that is missing was not read: empty.
                        let value = if reads.contains_key(&(qi, o.code)) {
                            (marked.contains(&o.code) as u8).to_string()
                        } else {
                            String::new()
                        };
                        cells.push((format!("{}_{}", q.id, o.code), value));
                    }
                    for &e in &q.exclusive {
                        if marked.contains(&e) && marked.len() > 1 {
                            items.push(Item {
                                column: format!("{}_{e}", q.id),
                                reasons: vec![Reason::ExclusiveWithOthers { option: e }],
                                guess: "1".into(),
                                confidence: 0.0,
                                option: Some(e),
                                at: area,
                            });
                        }
                    }
                    for s in &q.sub {
                        for c in s.codes.iter().filter(|c| marked.contains(c)) {
                            if !marked.contains(&s.parent) {
                                items.push(Item {
                                    column: format!("{}_{}", q.id, s.parent),
                                    reasons: vec![Reason::SubWithoutParent {
                                        sub: *c,
                                        parent: s.parent,
                                    }],
                                    guess: "0".into(),
                                    confidence: 0.0,
                                    option: Some(s.parent),
                                    at: area,
                                });
                                break;
                            }
                        }
                    }
                }
                chosen.insert(q.id.clone(), marked);
            }
            Kind::Text | Kind::Number => {
                let found = group.iter().enumerate().find_map(|(pi, p)| {
                    p.fields.iter().find(|f| f.column == q.id).map(|f| (pi, f))
                });
                let Some((pi, f)) = found else {
                    // Its page is missing: already reported above.
                    cells.push((q.id.clone(), String::new()));
                    continue;
                };
                if let FieldStatus::Unread(_) = f.status {
                    unread.push(q.id.clone());
                }
                if !f.doubt.is_empty() {
                    items.push(Item {
                        column: q.id.clone(),
                        reasons: f.doubt.clone(),
                        guess: f.value.clone(),
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

    // その他（ ）-style blanks filled in while their option is left unmarked: usually a
    // missed tick, which a person should decide. (The follow-up of a single-choice answer
    // written while another answer is chosen is the respondent's, read surely: listed as
    // against the branching, see Template::against_branching.)
    for (q, pi, area) in written {
        let Some((parent, code)) = &q.attached_to else {
            continue;
        };
        let Some(pq) = t.question(parent) else {
            continue;
        };
        let picked = chosen.get(parent).map(Vec::as_slice).unwrap_or_default();
        let another = pq.kind == Kind::Single && !picked.is_empty();
        if !picked.contains(code) && !another {
            items.push(Item {
                column: if pq.kind == Kind::Single {
                    parent.clone()
                } else {
                    format!("{parent}_{code}")
                },
                reasons: vec![Reason::WrittenOptionUnmarked {
                    field: q.id.clone(),
                    option: *code,
                }],
                guess: if pq.kind == Kind::Single {
                    String::new()
                } else {
                    "0".into()
                },
                confidence: 0.3,
                option: Some(*code),
                at: Some((pi, area)),
            });
        }
    }

    // One row per cell: several reasons for one cell are joined.
    let mut merged: Vec<Item> = Vec::new();
    for it in items {
        match merged.iter_mut().find(|m| m.column == it.column) {
            Some(m) => {
                m.reasons.extend(it.reasons);
                m.confidence = m.confidence.min(it.confidence);
                if m.at.is_none() {
                    m.at = it.at;
                }
            }
            None => merged.push(it),
        }
    }
    let mut reviews = Vec::new();
    for it in merged {
        let image = match it.at {
            Some((pi, r)) => write_crop(out, &crop_stem, &it.column, &group[pi], &r)?,
            None => String::new(),
        };
        reviews.push(ReviewRecord {
            response_id: response_id.clone(),
            column: it.column,
            reasons: it.reasons,
            guess: it.guess,
            confidence: it.confidence,
            option: it.option,
            image,
        });
    }
    let status = if reviews.is_empty() { "ok" } else { "review" };
    Ok((
        ResponseRecord {
            response_id,
            template: t.id.clone(),
            questionnaire: t.questionnaire.clone(),
            status: status.into(),
            cells,
            unread,
            pages: group.iter().map(|p| p.file_page).collect(),
        },
        reviews,
    ))
}

fn join(v: &[u32]) -> String {
    v.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(";")
}

/// All of a question's options (on the page of its first option), with labels.
fn question_area<'a>(
    q: &crate::template::Question,
    reads: &BTreeMap<(usize, u32), Read<'a>>,
    qi: usize,
) -> Option<(&'a ReadPage, Rect)> {
    let first = reads.get(&(qi, q.options.first()?.code))?;
    let mut r = first
        .label
        .map(|l| l.union(&first.rect))
        .unwrap_or(first.rect);
    for o in &q.options {
        if let Some(rd) = reads.get(&(qi, o.code))
            && std::ptr::eq(rd.page, first.page)
        {
            r = r.union(&rd.label.map(|l| l.union(&rd.rect)).unwrap_or(rd.rect));
        }
    }
    let s = first.rect.w.max(first.rect.h);
    Some((first.page, r.inflate(s)))
}

/// Writes the page region showing template rectangle `r` and returns its path relative to
/// the output folder. `stem` is unique per response in the folder, `column` per item.
fn write_crop(
    out: &Path,
    stem: &str,
    column: &str,
    page: &ReadPage,
    r: &Rect,
) -> std::io::Result<String> {
    let area = page.page_rect(r);
    let img = crop(&page.image, &area);
    let safe: String = format!("{stem}-{column}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let rel = format!("crops/{safe}.png");
    std::fs::create_dir_all(out.join("crops"))?;
    img.save(out.join(&rel)).map_err(std::io::Error::other)?;
    Ok(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pages: &[usize]) -> Vec<PageKey> {
        pages
            .iter()
            .map(|&page| PageKey { template: 0, page })
            .collect()
    }

    #[test]
    fn pages_pair_up_in_the_order_they_were_scanned() {
        let two = |_| 2;
        // Front first, as usual.
        assert_eq!(
            partition(&keys(&[1, 2, 1, 2]), two),
            vec![vec![0, 1], vec![2, 3]]
        );
        // Back first: page 2 of one respondent is never joined to page 1 of the next.
        assert_eq!(
            partition(&keys(&[2, 1, 2, 1]), two),
            vec![vec![0, 1], vec![2, 3]]
        );
        // A respondent's page 2 lost: the next respondent's pages stay together.
        assert_eq!(partition(&keys(&[1, 1, 2]), two), vec![vec![0], vec![1, 2]]);
        // Two pages 1 of one form never make one response.
        assert_eq!(partition(&keys(&[1, 1]), two), vec![vec![0], vec![1]]);
        // Different forms never join.
        let mixed = [
            PageKey {
                template: 0,
                page: 1,
            },
            PageKey {
                template: 1,
                page: 2,
            },
        ];
        assert_eq!(partition(&mixed, two), vec![vec![0], vec![1]]);
        // One-page forms: every page is a response.
        assert_eq!(
            partition(&keys(&[1, 1, 1]), |_| 1),
            vec![vec![0], vec![1], vec![2]]
        );
    }
}

//! Naming a draft from the blank PDF's own text, when it has a text layer (a form typed in
//! a word processor and saved as PDF): each box's label is the text printed in its label
//! region, each 「問N」 heading starts question `qN`, and the boxes and fields below it
//! belong to it, codes in reading order. A blank without text (a scan) keeps today's
//! unnamed draft.
//!
//! The words and their places come from poppler's `pdftotext -bbox` (Debian's
//! poppler-utils, which `make setup` installs); without it, the draft is unnamed.
//!
//! What the text cannot say is left for a person and listed: branching (skip rules),
//! exclusive options and sub-options.

use super::FieldShape;
use super::detect::PageFindings;
use super::like::{Names, Naming};
use crate::geometry::Rect;
use regex::Regex;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// A word printed on a blank, in draft pixels: from the PDF's text layer ([`pdf_words`]),
/// or read off the page's image by a recogniser for print (a scanned blank).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub rect: Rect,
    pub text: String,
    /// The run of print it belongs to: itself for a text layer's word; its line for
    /// words read off an image, which a recogniser splits between a heading's 問 and its
    /// number.
    pub line: usize,
}

/// One printed character with its place in draft pixels (a word's width shared evenly
/// among its characters: Japanese type is near enough monospaced for that).
#[derive(Debug, Clone)]
struct Glyph {
    c: char,
    rect: Rect,
    /// The run of print it was printed in ([`Word::line`]): a heading's number ends with
    /// it.
    word: usize,
}

/// A 「問N」 heading: where it is, its number, and the rest of its printed line.
#[derive(Debug, Clone)]
struct Heading {
    page: usize,
    x: i32,
    y: i32,
    number: String,
    text: String,
}

/// The draft's naming from the words printed on the blank (`words`, per page; `source`
/// says where they came from), or `None` when there are none or no 問 headings.
pub fn naming_from_text(
    words: &[Vec<Word>],
    source: &str,
    pages: &[PageFindings],
) -> Option<Naming> {
    let glyphs = glyphs(words)?;
    let headings: Vec<Heading> = glyphs
        .iter()
        .enumerate()
        .flat_map(|(p, g)| {
            headings(g)
                .into_iter()
                .map(move |h| Heading { page: p + 1, ..h })
        })
        .collect();
    if headings.is_empty() {
        return None;
    }
    // The heading a box or field belongs to: of the nearest heading line above it, the
    // heading to its left (questions printed side by side, 【問２】年齢 and 【問３】区分).
    let under = |page: usize, x: i32, y: i32| -> Option<usize> {
        let above = |h: &Heading| h.page < page || (h.page == page && h.y <= y + 4);
        let last = headings.iter().rposition(above)?;
        let line =
            |h: &Heading| h.page == headings[last].page && h.y.abs_diff(headings[last].y) <= 6;
        headings
            .iter()
            .enumerate()
            .filter(|(_, h)| above(h) && line(h) && h.x <= x + 4)
            .max_by_key(|(_, h)| h.x)
            .map(|(i, _)| i)
            .or(Some(last))
    };
    let mut names = Names::default();
    // Per heading: its boxes (draft box index, code, label) and fields (draft field index,
    // page, rect, shape).
    let mut boxes_of: Vec<Vec<(usize, u32, String, Rect)>> = vec![Vec::new(); headings.len()];
    let mut fields_of: Vec<Vec<(usize, usize, Rect, FieldShape)>> =
        vec![Vec::new(); headings.len()];
    let mut n = 0;
    for (p, f) in pages.iter().enumerate() {
        for b in &f.boxes {
            n += 1;
            names.boxes.push(None);
            if b.decoy.is_some() {
                continue;
            }
            let Some(h) = under(p + 1, b.rect.x, b.rect.y) else {
                names
                    .unmatched
                    .push(format!("box #{n} stands above the first 問 heading"));
                continue;
            };
            let label = b
                .label_rect
                .map(|l| label(&glyphs[p], &l))
                .unwrap_or_default();
            let code = boxes_of[h].len() as u32 + 1;
            boxes_of[h].push((n - 1, code, label, b.rect));
        }
    }
    let mut nf = 0;
    for (p, f) in pages.iter().enumerate() {
        for fl in &f.fields {
            nf += 1;
            names.fields.push(None);
            match under(p + 1, fl.rect.x, fl.rect.y + fl.rect.h / 2) {
                Some(h) => fields_of[h].push((nf - 1, p, fl.rect, fl.shape)),
                None => names
                    .unmatched
                    .push(format!("field #{nf} stands above the first 問 heading")),
            }
        }
    }
    let mut questions = String::new();
    let mut seen = std::collections::HashSet::new();
    for (hi, h) in headings.iter().enumerate() {
        let id = format!("q{}", h.number);
        if !seen.insert(id.clone()) || (boxes_of[hi].is_empty() && fields_of[hi].is_empty()) {
            continue;
        }
        let text = h.text.chars().take(40).collect::<String>();
        if boxes_of[hi].is_empty() {
            // A write-in question: its field(s). A second one is `qN_text2`, never
            // `qN_2`: that is how a multiple-choice option's column is named (CONTRACT),
            // and a scorer or a tally reading `q8_2` would take the text for a tick.
            for (k, &(fi, page, fr, shape)) in fields_of[hi].iter().enumerate() {
                let fid = if k == 0 {
                    id.clone()
                } else {
                    format!("{id}_text{}", k + 1)
                };
                // Asked for on the heading, or the blank is followed by the suffix a
                // prefecture takes (「（　　）県」「（　　）都・道・府・県」).
                let prefecture = ["都道府県", "都・道・府・県", "所在地"]
                    .iter()
                    .any(|w| h.text.contains(w))
                    || next_printed(&glyphs[page], &fr).is_some_and(|c| "都道府県".contains(c));
                // A count asked on the heading's row: 「医師数（　　）人」. (Not a box: a
                // comment box under 「…件数や内容をご記入ください」 is text.)
                let before = text_in(&glyphs[page], &Rect::new(0, fr.y, fr.x, fr.h));
                let kind = if !prefecture
                    && shape != FieldShape::Box
                    && counted(&glyphs[page], &fr, &before)
                {
                    "number"
                } else {
                    "text"
                };
                block(
                    &mut questions,
                    &fid,
                    kind,
                    prefecture.then_some("prefecture"),
                    &text,
                    None,
                );
                names.fields[fi] = Some(fid);
            }
            continue;
        }
        // 「（複数回答）」 may stand on its own line between the heading and the options.
        let first_box = boxes_of[hi].iter().map(|b| b.3.y).min().unwrap_or(h.y);
        let between: String = glyphs[h.page - 1]
            .iter()
            .filter(|g| g.rect.y >= h.y && g.rect.y < first_box && g.rect.x >= h.x - 4)
            .map(|g| g.c)
            .collect();
        let multi = ["複数回答", "複数選択", "複数可", "いくつでも", "すべて"]
            .iter()
            .any(|w| h.text.contains(w) || between.contains(w));
        let kind = if multi { "multi" } else { "single" };
        if let Some(grid) = matrix(&boxes_of[hi], &glyphs[h.page - 1], h) {
            // Each row its own question, `qN_1`, `qN_2`, … (問N (1), (2), … in a report),
            // its options the columns.
            for (r, row) in grid.rows.iter().enumerate() {
                let rid = format!("{id}_{}", r + 1);
                seen.insert(rid.clone());
                let rtext = if grid.row_text[r].is_empty() {
                    format!("{text}（{}）", r + 1)
                } else {
                    grid.row_text[r].chars().take(40).collect()
                };
                block(&mut questions, &rid, kind, None, &rtext, None);
                for (c, &k) in row.iter().enumerate() {
                    let bi = boxes_of[hi][k].0;
                    names.boxes[bi] = Some((rid.clone(), c as u32 + 1, grid.heads[c].clone()));
                }
            }
            for &(fi, ..) in &fields_of[hi] {
                let mut fid = format!("{id}_text");
                let mut k = 2;
                while !seen.insert(fid.clone()) {
                    fid = format!("{id}_text{k}");
                    k += 1;
                }
                block(&mut questions, &fid, "text", None, &text, None);
                names.fields[fi] = Some(fid);
            }
            continue;
        }
        // Options numbered in print (「□１．はい」「□①…」): their numbers are the printed
        // order, whichever way the options stand. Unnumbered options in columns: reading
        // across the rows may not be the order they were printed in, so a person looks.
        if let Some(numbers) = printed_numbers(&boxes_of[hi]) {
            for (b, n) in boxes_of[hi].iter_mut().zip(numbers) {
                b.1 = n;
            }
        } else if in_columns(&boxes_of[hi]) {
            names.notes.push(format!(
                "{id}: its options stand in columns and are numbered across the rows, left to right; if they were printed down each column, renumber them"
            ));
        }
        block(&mut questions, &id, kind, None, &text, None);
        for (bi, code, label, _) in &boxes_of[hi] {
            names.boxes[*bi] = Some((id.clone(), *code, label.clone()));
        }
        // Fields among the options: その他（ ） after its box, a count after its box, or
        // a box of its own below the options.
        for &(fi, page, fr, _) in &fields_of[hi] {
            let same_row = boxes_of[hi]
                .iter()
                .filter(|(_, _, _, r)| r.y < fr.bottom() && fr.y < r.bottom() && r.x < fr.x)
                .max_by_key(|(_, _, _, r)| r.x);
            // The text of the row from that box to the field's end (「…（件数　）」).
            let row_text = same_row
                .map(|(_, _, _, r)| {
                    text_in(&glyphs[page], &Rect::new(r.x, fr.y, fr.right() - r.x, fr.h))
                })
                .unwrap_or_default();
            let counted = counted(&glyphs[page], &fr, &row_text);
            let (fid, kind, attached) = match same_row {
                Some((_, code, l, _)) if l.starts_with("その他") => {
                    (format!("{id}_other"), "text", Some((id.clone(), *code)))
                }
                Some((_, code, _, _)) if counted => {
                    (format!("{id}_count"), "number", Some((id.clone(), *code)))
                }
                Some((_, code, _, _)) => (
                    format!("{id}_{code}_text"),
                    "text",
                    Some((id.clone(), *code)),
                ),
                None => (format!("{id}_text"), "text", None),
            };
            let mut fid2 = fid.clone();
            let mut k = 2;
            while !seen.insert(fid2.clone()) {
                fid2 = format!("{fid}{k}");
                k += 1;
            }
            block(&mut questions, &fid2, kind, None, &text, attached.as_ref());
            names.fields[fi] = Some(fid2);
        }
    }
    names.unmatched.push(
        "not in the text: branching (skip), exclusive options and sub-options: add them to the question blocks".into(),
    );
    let title = glyphs
        .first()
        .and_then(|g| g.iter().max_by_key(|x| x.rect.h))
        .map(|big| {
            glyphs[0]
                .iter()
                .filter(|x| (x.rect.y - big.rect.y).abs() <= 2 && x.rect.h + 2 >= big.rect.h)
                .map(|x| x.c)
                .collect::<String>()
        })
        .unwrap_or_default();
    Some(Naming {
        source: source.to_string(),
        questionnaire: String::new(),
        title,
        names,
        questions,
    })
}

/// A question printed as a grid: rows of items, a box in each row under each column head
/// (問3 (1) オンライン資格確認 □ □ □ □, the heads とても負担 … わからない above).
struct Matrix {
    /// Per row, left to right: indices into the heading's boxes.
    rows: Vec<Vec<usize>>,
    /// Per row, the text printed before its first box (empty when none).
    row_text: Vec<String>,
    /// Per column, its head, or the label each row prints beside that column's box.
    heads: Vec<String>,
}

/// The heading's boxes as a grid, if they are one: at least two rows of the same number
/// (two or more) of boxes, column by column aligned within a box's width, whose boxes
/// carry no label of their own but a column head above the first row (each column's
/// span, as far as half-way to its neighbours), or each row the same labels (「□はい
/// □いいえ」 repeated). Options laid out in rows and columns each carry their own label,
/// and are one question.
fn matrix(boxes: &[(usize, u32, String, Rect)], glyphs: &[Glyph], h: &Heading) -> Option<Matrix> {
    let rows = rows_of(0..boxes.len(), |i| boxes[i].3);
    let cols = rows.first()?.len();
    if rows.len() < 2 || cols < 2 || rows.iter().any(|r| r.len() != cols) {
        return None;
    }
    let x = |i: usize| boxes[i].3.x;
    let aligned = rows.iter().all(|row| {
        row.iter()
            .zip(&rows[0])
            .all(|(&a, &b)| (x(a) - x(b)).abs() <= boxes[a].3.w.max(boxes[b].3.w))
    });
    if !aligned {
        return None;
    }
    let labels = |row: &Vec<usize>| row.iter().map(|&i| boxes[i].2.clone()).collect::<Vec<_>>();
    let first = labels(&rows[0]);
    let repeated = first.iter().all(|l| !l.is_empty()) && rows.iter().all(|r| labels(r) == first);
    let unlabelled = rows.iter().all(|r| labels(r).iter().all(String::is_empty));
    if !repeated && !unlabelled {
        return None;
    }
    let top = rows[0].iter().map(|&i| boxes[i].3.y).min()?;
    let size = boxes[rows[0][0]].3.h;
    let heads = if repeated {
        first
    } else {
        // Each column's span: half-way to its neighbours (the outer ones as far out).
        let centre = |c: usize| x(rows[0][c]) + boxes[rows[0][c]].3.w / 2;
        let pitch = centre(1) - centre(0);
        let heading_bottom = glyphs
            .iter()
            .filter(|g| g.rect.y.abs_diff(h.y) <= 6)
            .map(|g| g.rect.bottom())
            .max()
            .unwrap_or(h.y);
        let heads: Vec<String> = (0..cols)
            .map(|c| {
                let left = if c == 0 {
                    centre(0) - pitch / 2
                } else {
                    (centre(c - 1) + centre(c)) / 2
                };
                let right = if c + 1 == cols {
                    centre(c) + pitch / 2
                } else {
                    (centre(c) + centre(c + 1)) / 2
                };
                // Between the heading's line and the first row, a few lines up at most.
                let from = heading_bottom.max(top - size * 6);
                lines_in(glyphs, &Rect::new(left, from, right - left, top - from))
            })
            .collect();
        if heads.iter().any(String::is_empty) {
            return None;
        }
        heads
    };
    let row_text = rows
        .iter()
        .map(|row| {
            let b = boxes[row[0]].3;
            let from = h.x - size;
            text_in(
                glyphs,
                &Rect::new(from, b.y - size / 4, b.x - from, b.h + size / 2),
            )
        })
        .collect();
    Some(Matrix {
        rows,
        row_text,
        heads,
    })
}

fn block(
    out: &mut String,
    id: &str,
    kind: &str,
    format: Option<&str>,
    text: &str,
    attached: Option<&(String, u32)>,
) {
    let _ = writeln!(out, "[[question]]\nid = {id:?}\nkind = {kind:?}");
    if let Some(f) = format {
        let _ = writeln!(out, "format = {f:?}");
    }
    let _ = writeln!(out, "text = {text:?}");
    if let Some((q, c)) = attached {
        let _ = writeln!(out, "attached = {{ question = {q:?}, code = {c} }}");
    }
    let _ = writeln!(out);
}

/// Words before a blank that ask for a count (「件数（　）」「患者数（　）」).
const COUNT_WORDS: [&str; 8] = [
    "件数", "人数", "回数", "日数", "枚数", "台数", "者数", "師数",
];
/// Counters and units printed right after a blank that is written in figures
/// (「（　　）件」「（　）人」「（　）％」).
const COUNTERS: &str = "件人名回日枚台歳床円割％%";

/// Whether the blank `field` asks for a number: `before` (the printed text from its option
/// or heading up to it) asks for a count, or the first character printed after it on
/// its row (past a closing bracket) is a counter or unit.
fn counted(glyphs: &[Glyph], field: &Rect, before: &str) -> bool {
    if COUNT_WORDS.iter().any(|w| before.contains(w)) {
        return true;
    }
    next_printed(glyphs, field).is_some_and(|c| COUNTERS.contains(c))
}

/// The first character printed after the blank `field` on its row, past a closing
/// bracket (within a few characters' width).
fn next_printed(glyphs: &[Glyph], field: &Rect) -> Option<char> {
    let after = Rect::new(field.right(), field.y, 3 * field.h.max(8), field.h);
    let mut next = glyphs_in(glyphs, &after);
    next.sort_by_key(|g| g.rect.x);
    next.iter()
        .map(|g| g.c)
        .find(|c| !c.is_whitespace() && !"）)".contains(*c))
}

/// The label printed beside each of the draft's boxes (pages in turn, each page's boxes
/// in the draft's order; empty where no text was found), or `None` when the blank has no
/// words: what `--like` checks its reading-order names against.
pub fn printed_labels(words: &[Vec<Word>], pages: &[PageFindings]) -> Option<Vec<String>> {
    let glyphs = glyphs(words)?;
    Some(
        pages
            .iter()
            .enumerate()
            .flat_map(|(p, f)| {
                let on = glyphs.get(p).map(Vec::as_slice).unwrap_or(&[]);
                f.boxes
                    .iter()
                    .map(move |b| b.label_rect.map(|l| label(on, &l)).unwrap_or_default())
            })
            .collect(),
    )
}

/// The text printed inside `r`: the characters whose centre lies in it, without □ and
/// spaces, an unclosed 「（…」 at the end cut off (「その他（」 → 「その他」).
fn label(glyphs: &[Glyph], r: &Rect) -> String {
    let s = text_in(glyphs, r);
    let s = match (s.rfind('（'), s.rfind('）')) {
        (Some(o), c) if c.is_none_or(|c| c < o) => s[..o].to_string(),
        _ => s,
    };
    // 「国保・□社保」: the separator before the next box is not the label's.
    let s = s.trim_end_matches(['・', '、', '，']).to_string();
    // An opening bracket printed against the box falls outside the label region.
    if s.contains('」') && !s.contains('「') {
        format!("「{s}")
    } else {
        s
    }
}

/// The characters whose centre lies in `r`, left to right, without □ and spaces.
fn text_in(glyphs: &[Glyph], r: &Rect) -> String {
    let mut inside = glyphs_in(glyphs, r);
    inside.sort_by_key(|g| g.rect.x);
    printed(inside)
}

/// The glyphs whose centre lies in `r` (2 pixels of slack), in the text layer's order.
fn glyphs_in<'g>(glyphs: &'g [Glyph], r: &Rect) -> Vec<&'g Glyph> {
    let r = r.inflate(2);
    glyphs
        .iter()
        .filter(|g| {
            let (cx, cy) = g.rect.center();
            r.contains_point(cx, cy)
        })
        .collect()
}

/// The characters of `glyphs` in their order, without □ and spaces.
fn printed<'g>(glyphs: impl IntoIterator<Item = &'g Glyph>) -> String {
    glyphs
        .into_iter()
        .map(|g| g.c)
        .filter(|c| *c != '□' && !c.is_whitespace())
        .collect()
}

/// [`text_in`] for text of more than one line (a column head broken over two): line by
/// line, top to bottom.
fn lines_in(glyphs: &[Glyph], r: &Rect) -> String {
    printed(
        rows_of(glyphs_in(glyphs, r), |g| g.rect)
            .into_iter()
            .flatten(),
    )
}

/// `items` in rows, top to bottom, each left to right: an item joins the row above when
/// its centre is within half the height of that row's first item of that item's centre.
fn rows_of<T: Copy>(items: impl IntoIterator<Item = T>, rect: impl Fn(T) -> Rect) -> Vec<Vec<T>> {
    let centre = |r: Rect| r.y + r.h / 2;
    let mut order: Vec<T> = items.into_iter().collect();
    order.sort_by_key(|&t| (centre(rect(t)), rect(t).x));
    let mut rows: Vec<Vec<T>> = Vec::new();
    for t in order {
        let same_row = rows.last().is_some_and(|row| {
            let f = rect(row[0]);
            (centre(f) - centre(rect(t))).abs() <= f.h / 2
        });
        match rows.last_mut() {
            Some(row) if same_row => row.push(t),
            _ => rows.push(vec![t]),
        }
    }
    for row in &mut rows {
        row.sort_by_key(|&t| rect(t).x);
    }
    rows
}

/// 「問N」 headings of one page: the glyph 問 (or 設問, 質問, Q as other forms number
/// their questions), then digits (full-width or not).
fn headings(g: &[Glyph]) -> Vec<Heading> {
    let mut out = Vec::new();
    for (i, q) in g.iter().enumerate() {
        if !matches!(q.c, '問' | 'Q' | 'Ｑ') {
            continue;
        }
        // 設問N, 質問N: the heading starts at the first character of its word.
        let start = match i.checked_sub(1) {
            Some(j) if q.c == '問' && g[j].word == q.word && matches!(g[j].c, '設' | '質') => j,
            _ => i,
        };
        let x = &g[start];
        // Its digits: in its run, each within half a character of the one before. Read
        // off an image, a run is a line and glyph boxes are the ink's: 「問４　１２月」 is
        // one run, and the 1 and 2 of 「問１２」 may stand further apart than the 4 and 1.
        // Digits further apart (up to two line heights) count only when they make the
        // number after the page's last heading's.
        let (mut digits, mut tight, mut loose) = (String::new(), 0, false);
        let mut last: Option<&Glyph> = None;
        for d in g[i + 1..].iter().take_while(|d| d.word == q.word) {
            let Some(n) = digit(d.c) else { break };
            if let Some(l) = last {
                let gap = d.rect.x - l.rect.right();
                if gap > l.rect.h.max(l.rect.w) * 2 {
                    break;
                }
                loose |= gap > l.rect.w / 2;
            }
            tight += usize::from(!loose);
            digits.push(n);
            last = Some(d);
        }
        if tight < digits.len() {
            let follows = out
                .last()
                .and_then(|h: &Heading| h.number.parse::<u32>().ok())
                .is_some_and(|p| digits.parse::<u32>().ok() == Some(p + 1));
            if !follows {
                digits.truncate(tight);
            }
        }
        if digits.is_empty() {
            continue;
        }
        // Only a heading that starts its line or a bracket (【問１】): not 「問１２」へ in a
        // sentence.
        // (In a recogniser's run of print, a glyph's box may be far narrower than the
        // glyph: its height measures the line.)
        let near = |o: &Glyph| {
            let size = if o.word == x.word {
                x.rect.w.max(x.rect.h)
            } else {
                x.rect.w
            };
            x.rect.x - o.rect.right() < size * 2
        };
        let starts = !g.iter().any(|o| {
            (o.rect.y.abs_diff(x.rect.y) <= 3 || o.word == x.word)
                && o.rect.right() <= x.rect.x
                && near(o)
                && !matches!(o.c, '【' | '［' | '[')
        });
        if !starts {
            continue;
        }
        let line_h = x.rect.h;
        let mut rest: Vec<&Glyph> = g
            .iter()
            .filter(|o| {
                // On its line; or in its run, where a recogniser's boxes of one line of
                // print are of many heights.
                let cy = o.rect.y + o.rect.h / 2;
                (o.word == q.word || (cy >= x.rect.y && cy <= x.rect.y + line_h))
                    && o.rect.x > x.rect.x
            })
            .collect();
        rest.sort_by_key(|o| o.rect.x);
        // The question's words, up to the first box of options printed on the same line.
        let text: String = rest
            .iter()
            .map(|o| o.c)
            .skip(i - start + digits.chars().count())
            .take_while(|c| *c != '□')
            .collect::<String>()
            .trim_start_matches([
                '】', '］', ']', '．', '.', ')', '）', ':', '：', '、', ' ', '　',
            ])
            .trim()
            .to_string();
        out.push(Heading {
            page: 0,
            x: x.rect.x,
            y: x.rect.y,
            number: digits,
            text,
        });
    }
    out
}

/// The number printed at the start of each option's label (「１．」「1)」「（2）」「③」), when
/// every option has one and together they are 1, 2, … in some order.
fn printed_numbers(boxes: &[(usize, u32, String, Rect)]) -> Option<Vec<u32>> {
    let numbers: Vec<u32> = boxes
        .iter()
        .map(|b| printed_number(&b.2))
        .collect::<Option<_>>()?;
    let mut sorted = numbers.clone();
    sorted.sort_unstable();
    (sorted.len() >= 2 && sorted.iter().zip(1..).all(|(&n, k)| n == k)).then_some(numbers)
}

/// The option number a label starts with: a circled digit, or one or two digits closed
/// by 「．」「、」「）」 or 「：」 (opened by 「（」 when closed by 「）」). Not the number of
/// the label's own words (「10％未満」「1～2件」「20歳代」).
fn printed_number(label: &str) -> Option<u32> {
    let cs: Vec<char> = label.chars().collect();
    let first = *cs.first()?;
    if ('①'..='⑳').contains(&first) {
        return Some(first as u32 - '①' as u32 + 1);
    }
    let opened = matches!(first, '(' | '（');
    let from = usize::from(opened);
    let digits: String = cs[from..].iter().map_while(|&c| digit(c)).collect();
    let closer = *cs.get(from + digits.chars().count())?;
    let closed = if opened {
        matches!(closer, ')' | '）')
    } else {
        matches!(closer, '.' | '．' | '、' | ')' | '）' | ':' | '：')
    };
    if digits.is_empty() || digits.len() > 2 || !closed {
        return None;
    }
    digits.parse().ok()
}

/// Whether a question's boxes stand as a grid of columns: two rows or more, each with
/// the same number of boxes (two or more), each column's boxes one above the other.
fn in_columns(boxes: &[(usize, u32, String, Rect)]) -> bool {
    let Some(size) = boxes.iter().map(|b| b.3.h).max() else {
        return false;
    };
    let rows = rows_of(boxes.iter(), |b| b.3);
    let Some(first) = rows.first() else {
        return false;
    };
    rows.len() >= 2
        && first.len() >= 2
        && rows.iter().all(|r| {
            r.len() == first.len()
                && r.iter()
                    .zip(first.iter())
                    .all(|(a, b)| (a.3.x - b.3.x).abs() <= size)
        })
}

/// A digit, full width (「１２」) or not.
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// Every page's words, in draft pixels at `dpi`, from the text layer of `pdf`
/// (`pdftotext -bbox`); `None` when it has none, is no PDF, or pdftotext is missing.
pub fn pdf_words(pdf: &Path, dpi: f32) -> Option<Vec<Vec<Word>>> {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let html = String::from_utf8_lossy(&out.stdout);
    let page_re = Regex::new(r"<page width=").expect("a valid pattern");
    let word_re = Regex::new(
        r#"<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>"#,
    )
    .expect("a valid pattern");
    let scale = dpi as f64 / 72.0;
    let mut pages: Vec<Vec<Word>> = Vec::new();
    let mut rest = html.as_ref();
    while let Some(m) = page_re.find(rest) {
        let after = &rest[m.end()..];
        let end = page_re
            .find(after)
            .map(|n| n.start())
            .unwrap_or(after.len());
        let page = word_re
            .captures_iter(&after[..end])
            .enumerate()
            .map(|(i, c)| {
                let v = |i: usize| (c[i].parse::<f64>().unwrap_or(0.0) * scale).round() as i32;
                let (x0, y0, x1, y1) = (v(1), v(2), v(3), v(4));
                Word {
                    line: i,
                    rect: Rect::new(x0, y0, (x1 - x0).max(1), (y1 - y0).max(1)),
                    text: c[5]
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&amp;", "&"),
                }
            })
            .collect();
        pages.push(page);
        rest = &after[end..];
    }
    pages.iter().any(|p| !p.is_empty()).then_some(pages)
}

/// Every page's characters, each word's width shared evenly among its characters;
/// `None` when no page has any.
fn glyphs(words: &[Vec<Word>]) -> Option<Vec<Vec<Glyph>>> {
    let pages: Vec<Vec<Glyph>> = words
        .iter()
        .map(|page| {
            page.iter()
                .enumerate()
                .flat_map(|(i, word)| {
                    let chars: Vec<char> =
                        word.text.chars().filter(|c| !c.is_whitespace()).collect();
                    // A recogniser's word box may reach over the next words of its run
                    // (「(複数」 drawn over 「回答可」): it ends where the next one starts.
                    let mut r = word.rect;
                    if let Some(next) = page.get(i + 1).filter(|n| n.line == word.line)
                        && next.rect.x > r.x
                        && next.rect.x < r.right()
                    {
                        r.w = next.rect.x - r.x;
                    }
                    let w = r.w as f64 / chars.len().max(1) as f64;
                    chars.into_iter().enumerate().map(move |(k, c)| Glyph {
                        word: word.line,
                        c,
                        rect: Rect::new(
                            (r.x as f64 + w * k as f64).round() as i32,
                            r.y,
                            (w.round() as i32).max(1),
                            r.h,
                        ),
                    })
                })
                .collect()
        })
        .collect();
    pages.iter().any(|p| !p.is_empty()).then_some(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(label: &str, x: i32, y: i32) -> (usize, u32, String, Rect) {
        (0, 0, label.to_string(), Rect::new(x, y, 20, 20))
    }

    #[test]
    fn an_option_number_is_printed_before_the_words_not_in_them() {
        for (label, n) in [
            ("１．個人", 1),
            ("②外科", 2),
            ("（３）キャッシュレス", 3),
            ("4)なし", 4),
            ("12：その他", 12),
        ] {
            assert_eq!(printed_number(label), Some(n), "{label}");
        }
        for label in [
            "10％未満",
            "1～2件あった",
            "20歳代",
            "（件数",
            "個人",
            "123．長い",
        ] {
            assert_eq!(printed_number(label), None, "{label}");
        }
    }

    #[test]
    fn printed_numbers_count_only_when_they_number_every_option_once() {
        let down = [
            option("①内科", 0, 0),
            option("③外科", 300, 0),
            option("②眼科", 0, 40),
        ];
        assert_eq!(printed_numbers(&down), Some(vec![1, 3, 2]));
        let gap = [option("①内科", 0, 0), option("③外科", 300, 0)];
        assert_eq!(printed_numbers(&gap), None);
        let some = [option("①内科", 0, 0), option("外科", 300, 0)];
        assert_eq!(printed_numbers(&some), None);
    }

    #[test]
    fn options_in_aligned_rows_stand_in_columns() {
        let grid = [
            option("a", 0, 0),
            option("b", 300, 0),
            option("c", 2, 40),
            option("d", 305, 40),
        ];
        assert!(in_columns(&grid));
        let ragged = [
            option("a", 0, 0),
            option("b", 300, 0),
            option("c", 0, 40),
            option("d", 150, 40),
        ];
        assert!(!in_columns(&ragged));
        let one_row = [option("a", 0, 0), option("b", 300, 0)];
        assert!(!in_columns(&one_row));
    }
}

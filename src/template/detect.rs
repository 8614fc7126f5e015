//! `faxform template detect`: finding the printed checkboxes and write-in areas of a blank form.
//!
//! Works on connected components of a clean raster of the blank (rendered PDF or a good
//! scan). A checkbox is a square ring about 2–5 mm wide with nothing inside; a write-in area
//! is an empty ruled rectangle, a free-standing underline, or a wide blank between printed
//! parentheses. Boxes that are part of running instruction text (「□にチェック」) are kept but
//! flagged as probable decoys, so that a person naming the draft sees why.

use crate::geometry::Rect;
use crate::raster::{Component, GrayImage, components, ink_ratio, is_ink};
use crate::template::FieldShape;

/// A checkbox found on the blank.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundBox {
    pub rect: Rect,
    /// The printed label to the right of the box, up to the next box or a wide gap.
    pub label_rect: Option<Rect>,
    /// Why the box is probably not an answer box; `None` for answer boxes.
    pub decoy: Option<String>,
}

/// A write-in area found on the blank.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundField {
    pub rect: Rect,
    pub shape: FieldShape,
}

/// What detection found on one page, each list in reading order.
#[derive(Debug, Clone, Default)]
pub struct PageFindings {
    pub boxes: Vec<FoundBox>,
    pub fields: Vec<FoundField>,
}

/// Tuning in millimetres, converted to pixels with the page's resolution.
struct Scale {
    px_per_mm: f32,
}

impl Scale {
    fn mm(&self, v: f32) -> i32 {
        (v * self.px_per_mm).round() as i32
    }
}

/// Detects boxes and fields on a blank page rendered at `dpi` (square pixels).
pub fn detect_page(img: &GrayImage, dpi: f32) -> PageFindings {
    let s = Scale {
        px_per_mm: dpi / 25.4,
    };
    let comps = components(img);
    let mut boxes: Vec<Rect> = comps
        .iter()
        .filter(|c| is_checkbox(img, c, &s))
        .map(|c| c.bbox)
        .collect();
    // A box whose printed sides broke in two or more places (a scanned blank) comes as
    // pieces: pieces lying within a gap of each other are tried as one box.
    let broken = broken_checkboxes(img, &comps, &boxes, &s);
    boxes.extend(broken);
    let joined: Vec<Rect> = comps
        .iter()
        .filter(|c| !boxes.contains(&c.bbox))
        .filter_map(|c| joined_checkbox(img, c, &s))
        .collect();
    boxes.extend(joined);
    // Round checkboxes (○) where a page has no square ones: a page with square boxes
    // keeps its 〇 and ○ of running text (「〇保険医協会」) out of the answers.
    if boxes.is_empty() {
        boxes = comps
            .iter()
            .filter(|c| is_round_checkbox(img, c, &s))
            .map(|c| c.bbox)
            .collect();
    }
    let box_size = median(boxes.iter().map(|b| b.w.max(b.h)).collect()).unwrap_or(s.mm(3.0));

    // Glyph-sized components make up the text lines; everything larger is a rule or frame.
    let glyphs: Vec<Rect> = comps
        .iter()
        .map(|c| c.bbox)
        .filter(|b| b.h <= box_size * 2 && b.w <= box_size * 3 && !boxes.contains(b))
        .collect();
    let lines = text_lines(&glyphs, &boxes);

    let mut found: Vec<FoundBox> = Vec::new();
    for b in &boxes {
        let line = lines.iter().find(|l| l.band_contains(b));
        let label_rect = line.and_then(|l| label_of(b, l, &boxes, box_size));
        let decoy = decoy_reason(b, box_size, line, &boxes);
        found.push(FoundBox {
            rect: *b,
            label_rect,
            decoy,
        });
    }

    let mut fields = Vec::new();
    fields.extend(
        ruled_boxes(img, &comps, &s)
            .into_iter()
            .map(|rect| FoundField {
                rect,
                shape: FieldShape::Box,
            }),
    );
    let underlines = underlines(&comps, img.width(), box_size, &s);
    fields.extend(underlines.iter().map(|&rect| FoundField {
        rect,
        shape: FieldShape::Underline,
    }));
    for l in &lines {
        for rect in paren_blanks(l, box_size, &underlines) {
            if !boxes.iter().any(|b| b.intersects(&rect)) {
                fields.push(FoundField {
                    rect,
                    shape: FieldShape::Paren,
                });
            }
        }
    }
    boxes.clear();
    reading_order(&mut found, |f| f.rect, box_size);
    reading_order(&mut fields, |f| f.rect, box_size);
    PageFindings {
        boxes: found,
        fields,
    }
}

fn median(mut v: Vec<i32>) -> Option<i32> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

/// A square ring: right size, sides drawn, inside empty.
fn is_checkbox(img: &GrayImage, c: &Component, s: &Scale) -> bool {
    let b = c.bbox;
    let (lo, hi) = (s.mm(1.8), s.mm(5.5));
    if b.w < lo || b.h < lo || b.w > hi || b.h > hi {
        return false;
    }
    if (b.w - b.h).abs() > (b.w.max(b.h) / 8).max(2) {
        return false;
    }
    if c.area as f32 > 0.55 * b.area() as f32 {
        return false;
    }
    square_box_at(img, &b)
}

/// Boxes made of several components: the union of pieces of box size or smaller that lie
/// within [`SIDE_GAP`] pixels of each other, when it is square and outlines a box.
fn broken_checkboxes(img: &GrayImage, comps: &[Component], boxes: &[Rect], s: &Scale) -> Vec<Rect> {
    let (lo, hi) = (s.mm(1.8), s.mm(5.5));
    let gap = SIDE_GAP as i32;
    let mut pieces: Vec<Rect> = comps
        .iter()
        .map(|c| c.bbox)
        .filter(|b| b.w <= hi && b.h <= hi && (b.w >= lo || b.h >= lo))
        .filter(|b| !boxes.iter().any(|x| x.intersects(b)))
        .collect();
    pieces.sort_by_key(|b| b.x);
    let mut out: Vec<Rect> = Vec::new();
    for (i, a) in pieces.iter().enumerate() {
        let mut u = *a;
        for b in &pieces[i + 1..] {
            if b.x > u.right() + gap {
                break;
            }
            let near = b.x <= u.right() + gap
                && u.x <= b.right() + gap
                && b.y <= u.bottom() + gap
                && u.y <= b.bottom() + gap;
            let grown = Rect::new(
                u.x.min(b.x),
                u.y.min(b.y),
                u.right().max(b.right()) - u.x.min(b.x),
                u.bottom().max(b.bottom()) - u.y.min(b.y),
            );
            if near && grown.w <= hi && grown.h <= hi {
                u = grown;
            }
        }
        let square = (u.w - u.h).abs() <= (u.w.max(u.h) / 8).max(2);
        if u != *a
            && square
            && u.w >= lo
            && u.h >= lo
            && !out.iter().any(|o| o.intersects(&u))
            && square_box_at(img, &u)
        {
            out.push(u);
        }
    }
    out
}

/// A box joined to a dotted or solid leader line (a grid's rows, 「□……」): the
/// component runs on past the box, so the square at its left or right end (top or
/// bottom, for a line down) is tried as a box.
fn joined_checkbox(img: &GrayImage, c: &Component, s: &Scale) -> Option<Rect> {
    let b = c.bbox;
    let (lo, hi) = (s.mm(1.8), s.mm(5.5));
    let ends = if b.h >= lo && b.h <= hi && b.w > b.h + 2 {
        [
            Rect::new(b.x, b.y, b.h, b.h),
            Rect::new(b.right() - b.h, b.y, b.h, b.h),
        ]
    } else if b.w >= lo && b.w <= hi && b.h > b.w + 2 {
        [
            Rect::new(b.x, b.y, b.w, b.w),
            Rect::new(b.x, b.bottom() - b.w, b.w, b.w),
        ]
    } else {
        return None;
    };
    ends.into_iter().find(|r| square_box_at(img, r))
}

/// Whether `b` outlines a box: four unbroken sides, paper inside.
fn square_box_at(img: &GrayImage, b: &Rect) -> bool {
    let b = *b;
    let t = (b.w / 8).max(2);
    let sides = [
        Rect::new(b.x, b.y, b.w, t),
        Rect::new(b.x, b.bottom() - t, b.w, t),
        Rect::new(b.x, b.y, t, b.h),
        Rect::new(b.right() - t, b.y, t, b.h),
    ];
    // Each side must be an unbroken stroke: most of its columns/rows carry ink.
    let strong = sides.iter().all(|r| side_coverage(img, r) > 0.85);
    let inner = b.inflate(-(t + 1));
    strong && inner.w > 0 && inner.h > 0 && ink_ratio(img, &inner) < 0.02
}

/// A printed ring (○) of checkbox size: its ink lies on a circle all the way round, its
/// middle and the corners of its bounding square are paper.
fn is_round_checkbox(img: &GrayImage, c: &Component, s: &Scale) -> bool {
    let b = c.bbox;
    let (lo, hi) = (s.mm(1.8), s.mm(5.5));
    if b.w < lo || b.h < lo || b.w > hi || b.h > hi {
        return false;
    }
    if (b.w - b.h).abs() > (b.w.max(b.h) / 8).max(2) || c.area as f32 > 0.45 * b.area() as f32 {
        return false;
    }
    let (cx, cy) = (b.x as f32 + b.w as f32 / 2.0, b.y as f32 + b.h as f32 / 2.0);
    let r = (b.w + b.h) as f32 / 4.0;
    const SECTORS: usize = 24;
    let mut covered = [false; SECTORS];
    let (mut ink, mut on_ring, mut corner) = (0u32, 0u32, 0u32);
    for y in b.y..b.bottom() {
        for x in b.x..b.right() {
            if !is_ink(img.get_pixel(x as u32, y as u32).0[0]) {
                continue;
            }
            ink += 1;
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            let d = (dx * dx + dy * dy).sqrt();
            if d > 0.62 * r && d <= r + 1.0 {
                on_ring += 1;
                let a = dy.atan2(dx) + std::f32::consts::PI;
                covered[((a / std::f32::consts::TAU * SECTORS as f32) as usize).min(SECTORS - 1)] =
                    true;
            }
            if d > r + 1.5 {
                corner += 1;
            }
        }
    }
    ink > 0
        && on_ring as f32 >= 0.9 * ink as f32
        && corner == 0
        && covered.iter().filter(|&&c| c).count() >= SECTORS - 1
}

/// A gap this long in a box's side is bridged: a scanned blank's printed edges break up.
const SIDE_GAP: usize = 3;

/// Fraction of positions along a thin band (rows of a vertical band, columns of a
/// horizontal one) where the band has ink, gaps of up to [`SIDE_GAP`] positions bridged.
fn side_coverage(img: &GrayImage, r: &Rect) -> f32 {
    let horizontal = r.w >= r.h;
    let n = if horizontal { r.w } else { r.h }.max(0) as usize;
    let hits: Vec<bool> = (0..n as i32)
        .map(|i| {
            let probe = if horizontal {
                Rect::new(r.x + i, r.y, 1, r.h)
            } else {
                Rect::new(r.x, r.y + i, r.w, 1)
            };
            ink_ratio(img, &probe) > 0.0
        })
        .collect();
    let covered = (0..n)
        .filter(|&i| {
            // Inked here, or between ink on both sides within the gap.
            hits[i]
                || (hits[i.saturating_sub(SIDE_GAP)..i].iter().any(|&h| h)
                    && hits[i + 1..(i + 1 + SIDE_GAP).min(n)].iter().any(|&h| h))
        })
        .count();
    covered as f32 / n.max(1) as f32
}

/// A horizontal band of text: glyphs (and boxes) that overlap vertically.
#[derive(Debug, Clone)]
struct TextLine {
    top: i32,
    bottom: i32,
    /// Glyph and box rectangles on the line, left to right.
    items: Vec<Rect>,
}

impl TextLine {
    fn band_contains(&self, r: &Rect) -> bool {
        let cy = r.y + r.h / 2;
        cy >= self.top && cy <= self.bottom
    }

    fn height(&self) -> i32 {
        self.bottom - self.top
    }
}

fn text_lines(glyphs: &[Rect], boxes: &[Rect]) -> Vec<TextLine> {
    let mut items: Vec<Rect> = glyphs.iter().chain(boxes).copied().collect();
    items.sort_by_key(|r| r.y + r.h / 2);
    let mut lines: Vec<TextLine> = Vec::new();
    for r in items {
        let cy = r.y + r.h / 2;
        // Small marks (dots, commas) join whichever line their centre falls in.
        match lines
            .iter_mut()
            .rev()
            .find(|l| cy >= l.top && cy <= l.bottom)
        {
            Some(l) => {
                if r.h > l.height() / 3 {
                    l.top = l.top.min(r.y);
                    l.bottom = l.bottom.max(r.bottom());
                }
                l.items.push(r);
            }
            None => lines.push(TextLine {
                top: r.y,
                bottom: r.bottom(),
                items: vec![r],
            }),
        }
    }
    for l in &mut lines {
        l.items.sort_by_key(|r| r.x);
    }
    lines
}

/// Groups a line's items into runs separated by gaps wider than `gap`.
fn runs(items: &[Rect], gap: i32) -> Vec<Rect> {
    let mut out: Vec<Rect> = Vec::new();
    for r in items {
        match out.last_mut() {
            Some(last) if r.x - last.right() <= gap => *last = last.union(r),
            _ => out.push(*r),
        }
    }
    out
}

/// How far (in box sizes) the label of a box alone on its line may start after it: three
/// full-width spaces of 10.5-point type and a 3.2 mm box (about 13 mm).
const LONE_REACH: i32 = 4;

/// The printed label of box `b` on its text line: the run of text after it (「□ 医科」),
/// up to the next box; or, on a line that prints its labels before its boxes, the run
/// before it (see [`labels_before`]).
fn label_of(b: &Rect, line: &TextLine, boxes: &[Rect], box_size: i32) -> Option<Rect> {
    let on: Vec<&Rect> = boxes.iter().filter(|o| line.band_contains(o)).collect();
    // The right side of the line's box before this one, and the left side of the next.
    let prev_box = on.iter().filter(|o| o.x < b.x).map(|o| o.right()).max();
    let next_box = on.iter().filter(|o| o.x > b.x).map(|o| o.x).min();
    let text = |from: i32, to: i32| -> Vec<Rect> {
        line.items
            .iter()
            .filter(|r| r.x >= from && r.right() <= to && !boxes.contains(r))
            .copied()
            .collect()
    };
    if labels_before(line, &on, boxes, box_size) {
        let before = text(prev_box.unwrap_or(i32::MIN), b.x);
        let last = before.last()?;
        if b.x - last.right() > box_size * 2 {
            return None;
        }
        return runs(&before, box_size * 3 / 2)
            .last()
            .map(|r| Rect::new(r.x, line.top, r.w, line.height()));
    }
    let after = text(b.right(), next_box.unwrap_or(i32::MAX));
    let first = after.first()?;
    // Text nearer this box than the next one is its label, however widely the line is
    // spaced (「□　　費用　　□　　人手不足」); after the line's last box, text as near as
    // half the space the line leaves between boxes; after a box alone on its line, text
    // within [`LONE_REACH`] boxes (「□　　患者さんから…」: two full-width spaces are wider
    // than two boxes).
    let space = next_box
        .map(|n| n - b.right())
        .or(prev_box.map(|p| b.x - p));
    let reach = space.map_or(box_size * LONE_REACH, |s| (s / 2).max(box_size * 2));
    if first.x - b.right() > reach {
        return None;
    }
    runs(&after, box_size * 3 / 2)
        .first()
        .map(|r| Rect::new(r.x, line.top, r.w, line.height()))
}

/// Whether a line prints its boxes' labels before them (「医科診療所 □　歯科診療所 □」):
/// text stands right before each of its boxes (`on`, the line's boxes) and none after its
/// last. The usual way, label after box (「□ 医科　□ 歯科」), has text after the last
/// box; a row of a grid (「紙の保険証 □ □」, its labels the column heads) has text before
/// its first box only. Dots of a leader line are not text here.
fn labels_before(line: &TextLine, on: &[&Rect], boxes: &[Rect], box_size: i32) -> bool {
    let mut on = on.to_vec();
    on.sort_by_key(|r| r.x);
    let Some(last) = on.last() else {
        return false;
    };
    let text = || {
        line.items
            .iter()
            .filter(|r| !boxes.contains(r) && r.h * 3 >= box_size)
    };
    let mut from = i32::MIN;
    for b in &on {
        let near = text()
            .filter(|r| r.x >= from && r.right() <= b.x)
            .any(|r| b.x - r.right() <= box_size * 2);
        if !near {
            return false;
        }
        from = b.right();
    }
    !text().any(|r| r.x >= last.right())
}

/// Why a box is probably part of instructions rather than an answer box.
fn decoy_reason(
    b: &Rect,
    box_size: i32,
    line: Option<&TextLine>,
    boxes: &[Rect],
) -> Option<String> {
    let size = b.w.max(b.h);
    if (size as f32) < 0.9 * box_size as f32 {
        return Some(format!(
            "smaller than the answer boxes ({size} px against {box_size} px): probably a □ glyph in instruction text"
        ));
    }
    let line = line?;
    let others_on_line = boxes
        .iter()
        .filter(|o| *o != b && line.band_contains(o))
        .count();
    if others_on_line > 0 {
        return None;
    }
    let tight = box_size / 2;
    let before: Vec<&Rect> = line.items.iter().filter(|r| r.right() <= b.x).collect();
    let after = line
        .items
        .iter()
        .filter(|r| r.x >= b.right())
        .min_by_key(|r| r.x)?;
    let left = *before.iter().max_by_key(|r| r.right())?;
    if b.x - left.right() > tight || after.x - b.right() > tight {
        return None;
    }
    // Count the glyphs in the unbroken run of text leading up to the box.
    let mut run = 0;
    let mut edge = b.x;
    for r in before.iter().rev() {
        if edge - r.right() > tight {
            break;
        }
        run += 1;
        edge = r.x;
    }
    (run >= 4)
        .then(|| "inside a run of instruction text, with no other box on its line".to_string())
}

/// Empty ruled rectangles large enough to write in.
fn ruled_boxes(img: &GrayImage, comps: &[Component], s: &Scale) -> Vec<Rect> {
    comps
        .iter()
        .filter(|c| {
            let b = c.bbox;
            if b.w < s.mm(20.0) || b.h < s.mm(6.0) || b.w as u32 > img.width() * 98 / 100 {
                return false;
            }
            let t = s.mm(0.6).max(2);
            let top = side_coverage(img, &Rect::new(b.x, b.y, b.w, t));
            let bottom = side_coverage(img, &Rect::new(b.x, b.bottom() - t, b.w, t));
            let left = side_coverage(img, &Rect::new(b.x, b.y, t, b.h));
            let inner = b.inflate(-s.mm(1.0));
            // Word-processor boxes sometimes lose their right edge at the margin.
            top > 0.95 && bottom > 0.95 && left > 0.95 && ink_ratio(img, &inner) < 0.002
        })
        .map(|c| c.bbox.inflate(-(s.mm(0.6).max(2))))
        .collect()
}

/// Free-standing printed underlines: the field is the space above them.
fn underlines(comps: &[Component], page_width: u32, box_size: i32, s: &Scale) -> Vec<Rect> {
    comps
        .iter()
        .map(|c| c.bbox)
        .filter(|b| {
            b.h <= s.mm(0.6).max(3) && b.w >= s.mm(8.0) && (b.w as u32) < page_width * 6 / 10
        })
        .map(|b| {
            // Writing above a line runs about 5–6 mm tall.
            let h = box_size * 11 / 5;
            Rect::new(b.x, b.y - h, b.w, h + b.h + 2)
        })
        .collect()
}

/// Blanks between a tall narrow glyph pair such as （ and ）, four box widths or wider
/// (four full-width spaces: a retyped 「件数（　　　　）」 is often that short).
fn paren_blanks(line: &TextLine, box_size: i32, underlines: &[Rect]) -> Vec<Rect> {
    let tallish =
        |r: &Rect| r.h as f32 >= 0.7 * line.height().min(box_size * 3 / 2) as f32 && r.w * 2 <= r.h;
    let mut out = Vec::new();
    for (i, pair) in line.items.windows(2).enumerate() {
        let (l, r) = (pair[0], pair[1]);
        let gap = r.x - l.right();
        // The blank may follow a short label inside the parentheses: 「（件数　　　）」.
        let opened = tallish(&l) || line.items[i.saturating_sub(3)..i].iter().any(&tallish);
        if gap < box_size * 4 || !opened || !tallish(&r) {
            continue;
        }
        let rect = Rect::new(
            l.right() + 2,
            line.top - box_size / 4,
            gap - 4,
            line.height() + box_size / 2,
        );
        if underlines.iter().any(|u| u.intersects(&rect)) {
            continue;
        }
        out.push(rect);
    }
    out
}

/// Sorts top to bottom by rows (items whose centres are within half a box of each other
/// share a row), then left to right.
pub(super) fn reading_order<T>(items: &mut [T], rect: impl Fn(&T) -> Rect, box_size: i32) {
    items.sort_by_key(|t| rect(t).y + rect(t).h / 2);
    let mut row_of = Vec::with_capacity(items.len());
    let mut row = 0;
    let mut last: Option<i32> = None;
    for t in items.iter() {
        let cy = rect(t).y + rect(t).h / 2;
        if let Some(prev) = last
            && cy - prev > box_size / 2
        {
            row += 1;
        }
        last = Some(cy);
        row_of.push(row);
    }
    let mut keyed: Vec<(usize, i32, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, t)| (row_of[i], rect(t).x, i))
        .collect();
    keyed.sort();
    let order: Vec<usize> = keyed.into_iter().map(|k| k.2).collect();
    apply_order(items, &order);
}

fn apply_order<T>(items: &mut [T], order: &[usize]) {
    // Cycle-following permutation in place: position i receives items[order[i]].
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        if done[start] {
            continue;
        }
        let mut i = start;
        loop {
            done[i] = true;
            let next = order[i];
            if next == start {
                break;
            }
            items.swap(i, next);
            i = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn blank(w: u32, h: u32) -> GrayImage {
        GrayImage::from_pixel(w, h, Luma([255]))
    }

    fn rect_outline(img: &mut GrayImage, r: Rect, t: i32) {
        for y in r.y..r.bottom() {
            for x in r.x..r.right() {
                if x < r.x + t || x >= r.right() - t || y < r.y + t || y >= r.bottom() - t {
                    img.put_pixel(x as u32, y as u32, Luma([0]));
                }
            }
        }
    }

    fn fill(img: &mut GrayImage, r: Rect) {
        rect_outline(img, r, r.w.max(r.h));
    }

    #[test]
    fn finds_boxes_in_reading_order_and_flags_small_decoy() {
        let mut img = blank(800, 400);
        // Two answer boxes on one row, one below, and a smaller decoy inside "text".
        rect_outline(&mut img, Rect::new(300, 100, 22, 22), 2);
        rect_outline(&mut img, Rect::new(100, 101, 22, 22), 2);
        rect_outline(&mut img, Rect::new(100, 200, 22, 22), 2);
        rect_outline(&mut img, Rect::new(500, 300, 16, 16), 2);
        // A filled square is not a box.
        fill(&mut img, Rect::new(600, 100, 20, 20));
        let f = detect_page(&img, 200.0);
        let rects: Vec<Rect> = f.boxes.iter().map(|b| b.rect).collect();
        assert_eq!(
            rects,
            [
                Rect::new(100, 101, 22, 22),
                Rect::new(300, 100, 22, 22),
                Rect::new(100, 200, 22, 22),
                Rect::new(500, 300, 16, 16)
            ]
        );
        assert!(f.boxes[..3].iter().all(|b| b.decoy.is_none()));
        assert!(f.boxes[3].decoy.as_deref().unwrap().contains("smaller"));
    }

    #[test]
    fn finds_ruled_box_and_underline_but_not_page_rule() {
        let mut img = blank(1600, 1000);
        rect_outline(&mut img, Rect::new(100, 100, 1200, 200), 2);
        fill(&mut img, Rect::new(200, 500, 300, 2));
        fill(&mut img, Rect::new(20, 700, 1560, 3));
        let f = detect_page(&img, 200.0);
        let shapes: Vec<FieldShape> = f.fields.iter().map(|f| f.shape).collect();
        assert_eq!(shapes, [FieldShape::Box, FieldShape::Underline]);
        assert!(f.fields[0].rect.w > 1150 && f.fields[0].rect.h > 180);
        assert_eq!(f.fields[1].rect.right(), 500);
    }

    #[test]
    fn apply_order_permutes() {
        let mut v = vec!['a', 'b', 'c', 'd'];
        apply_order(&mut v, &[2, 0, 3, 1]);
        assert_eq!(v, ['c', 'a', 'd', 'b']);
    }
}

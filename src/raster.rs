//! Grey-scale page bitmaps and the few pixel operations every stage shares.
//!
//! Pages travel between stages as [`GrayImage`] (8-bit, 0 = black ink, 255 = paper),
//! whatever their source encoding, so that every stage has one representation to reason about.

use crate::geometry::Rect;
pub use image::GrayImage;
use image::Luma;
use std::ops::Range;

/// Pixel values below this are ink on a binarised or near-binary page.
pub const INK_THRESHOLD: u8 = 128;

#[inline]
pub fn is_ink(v: u8) -> bool {
    v < INK_THRESHOLD
}

/// A connected group of ink pixels (8-connected).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Component {
    pub bbox: Rect,
    /// Number of ink pixels.
    pub area: u32,
}

/// Whether every pixel of `img` in columns `x0..=x1` and rows `y0..=y1` (inside the image)
/// passes `test`. Rows are tested whole, without an early exit inside a row (the compiler
/// vectorises that), and rows one after another with one.
#[inline]
pub fn block_all(
    img: &GrayImage,
    (x0, x1): (usize, usize),
    (y0, y1): (usize, usize),
    test: impl Fn(u8) -> bool + Copy,
) -> bool {
    let w = img.width() as usize;
    let raw = img.as_raw();
    (y0..=y1).all(|y| {
        raw[y * w + x0..=y * w + x1]
            .iter()
            .fold(true, |ok, &v| ok & test(v))
    })
}

/// The 8-connected ink components of `img`, in the order of their first pixel (row by
/// row), with their bounding boxes and areas.
///
/// Written here rather than taken from imageproc because we need bounding boxes and areas
/// only, and imageproc's labelling allocates a `u32` label image four times the page size.
pub fn components(img: &GrayImage) -> Vec<Component> {
    let labels = label_runs(
        img.as_raw(),
        img.width() as usize,
        img.height() as usize,
        |&v| is_ink(v),
    );
    labels
        .extents()
        .into_iter()
        .map(|e| {
            let (x0, y0) = (e.x0 as i32, e.y0 as i32);
            Component {
                bbox: Rect::new(x0, y0, e.x1 as i32 - x0 + 1, e.y1 as i32 - y0 + 1),
                area: e.cells,
            }
        })
        .collect()
}

/// The runs of set cells along the rows of a raster and the 8-connected component each
/// belongs to (see [`label_runs`]).
pub struct RunLabels {
    /// `(row, first column, last column)`, row by row, left to right.
    pub runs: Vec<(u32, u32, u32)>,
    /// Each run's component, numbered in the order of the components' first cells (row by
    /// row).
    pub label: Vec<u32>,
    /// How many components.
    pub count: usize,
}

/// One component of [`RunLabels`]: its first and last column and row (inclusive) and how
/// many cells it has.
pub struct Extent {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    pub cells: u32,
}

impl RunLabels {
    /// Each component's extent, in the components' order.
    pub fn extents(&self) -> Vec<Extent> {
        let mut out: Vec<Extent> = (0..self.count)
            .map(|_| Extent {
                x0: u32::MAX,
                y0: u32::MAX,
                x1: 0,
                y1: 0,
                cells: 0,
            })
            .collect();
        for (&(y, a, b), &l) in self.runs.iter().zip(&self.label) {
            let e = &mut out[l as usize];
            (e.x0, e.y0) = (e.x0.min(a), e.y0.min(y));
            (e.x1, e.y1) = (e.x1.max(b), e.y1.max(y));
            e.cells += b - a + 1;
        }
        out
    }
}

/// Labels the 8-connected components of the cells that are `on` in a `w` × `h` raster
/// (row-major `px`) by runs along rows, not cell by cell: a run joins the runs of the row
/// above that touch it, diagonals included (union-find over runs).
pub fn label_runs<T>(px: &[T], w: usize, h: usize, on: impl Fn(&T) -> bool + Copy) -> RunLabels {
    // `rows[y]..rows[y + 1]` are row y's runs.
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut rows = Vec::with_capacity(h + 1);
    for (y, row) in px.chunks_exact(w.max(1)).take(h).enumerate() {
        rows.push(runs.len());
        for r in runs_where(row, on) {
            runs.push((y as u32, r.start as u32, r.end as u32 - 1));
        }
    }
    rows.push(runs.len());
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    let mut parent: Vec<u32> = (0..runs.len() as u32).collect();
    for y in 1..rows.len().saturating_sub(1) {
        let (above, here) = (rows[y - 1]..rows[y], rows[y]..rows[y + 1]);
        let mut j = above.start;
        for i in here {
            let (_, a, b) = runs[i];
            // Runs above that end left of this one's reach cannot touch it or any run
            // right of it.
            while j < above.end && runs[j].2 + 1 < a {
                j += 1;
            }
            let mut k = j;
            while k < above.end && runs[k].1 <= b + 1 {
                let (ri, rk) = (find(&mut parent, i as u32), find(&mut parent, k as u32));
                if ri != rk {
                    parent[ri.max(rk) as usize] = ri.min(rk);
                }
                k += 1;
            }
        }
    }
    // A component's root is its lowest run, which holds its first cell: numbering roots
    // as they first appear numbers components in the order of their first cells.
    let mut index = vec![u32::MAX; runs.len()];
    let mut count = 0u32;
    let label = (0..runs.len())
        .map(|i| {
            let r = find(&mut parent, i as u32) as usize;
            if index[r] == u32::MAX {
                index[r] = count;
                count += 1;
            }
            index[r]
        })
        .collect();
    RunLabels {
        runs,
        label,
        count: count as usize,
    }
}

/// Count of ink pixels inside `r` (clipped to the image).
pub fn ink_count(img: &GrayImage, r: &Rect) -> u32 {
    let Some(r) = r.clip(img.width(), img.height()) else {
        return 0;
    };
    let w = img.width() as usize;
    let px = img.as_raw();
    let mut n = 0;
    for y in r.y..r.bottom() {
        let row = &px[y as usize * w..];
        n += row[r.x as usize..r.right() as usize]
            .iter()
            .filter(|&&v| is_ink(v))
            .count() as u32;
    }
    n
}

/// The runs of neighbouring values along `row` that are `on`, as half-open ranges, left to
/// right.
pub fn runs_where<T>(
    row: &[T],
    on: impl Fn(&T) -> bool + Copy,
) -> impl Iterator<Item = Range<usize>> {
    // Most of a row is paper: skipped a block at a time, each block tested whole without
    // an early exit (the compiler vectorises that).
    const BLOCK: usize = 16;
    let mut x = 0;
    std::iter::from_fn(move || {
        while let Some(block) = row.get(x..x + BLOCK) {
            if block.iter().fold(false, |any, v| any | on(v)) {
                break;
            }
            x += BLOCK;
        }
        while x < row.len() && !on(&row[x]) {
            x += 1;
        }
        let start = x;
        while x < row.len() && on(&row[x]) {
            x += 1;
        }
        (start < x).then_some(start..x)
    })
}

/// Calls `f` with each place of `row` that is set, in order. Most rows of a page or a
/// template are mostly paper: eight unset places are passed over at once.
pub fn each_set(row: &[bool], mut f: impl FnMut(usize)) {
    for (i, eight) in row.chunks(8).enumerate() {
        if eight.iter().fold(false, |any, &c| any | c) {
            for (x, _) in (i * 8..).zip(eight).filter(|(_, c)| **c) {
                f(x);
            }
        }
    }
}

/// Groups increasing positions (inked rows or columns) into half-open spans `(first,
/// last + 1)`, a span bridging gaps of up to `gap` positions without ink.
pub fn spans(inked: impl IntoIterator<Item = i32>, gap: i32) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::new();
    for p in inked {
        match out.last_mut() {
            Some(s) if p - s.1 <= gap => s.1 = p + 1,
            _ => out.push((p, p + 1)),
        }
    }
    out
}

/// Fraction of ink pixels inside `r` (0 when `r` is empty).
pub fn ink_ratio(img: &GrayImage, r: &Rect) -> f32 {
    match r.clip(img.width(), img.height()) {
        Some(c) if c.area() > 0 => ink_count(img, &c) as f32 / c.area() as f32,
        _ => 0.0,
    }
}

/// Crops `r` (clipped to the image; paper-white beyond the page).
pub fn crop(img: &GrayImage, r: &Rect) -> GrayImage {
    let mut out = GrayImage::from_pixel(r.w.max(1) as u32, r.h.max(1) as u32, Luma([255]));
    if let Some(c) = r.clip(img.width(), img.height()) {
        for y in c.y..c.bottom() {
            for x in c.x..c.right() {
                out.put_pixel(
                    (x - r.x) as u32,
                    (y - r.y) as u32,
                    *img.get_pixel(x as u32, y as u32),
                );
            }
        }
    }
    out
}

/// The image turned 180° (a sheet fed upside down): its pixels in reverse order.
pub fn rotate180(img: &GrayImage) -> GrayImage {
    let mut turned = img.clone();
    let buf: &mut [u8] = &mut turned;
    buf.reverse();
    turned
}

/// The image turned a quarter clockwise, as `image::imageops::rotate90` turns it. In
/// square blocks, so that reads and writes stay within a few cache lines (the library's
/// pixel-by-pixel loop cost 45 M instructions on a fax page, a tenth of reading it).
pub fn rotate90(img: &GrayImage) -> GrayImage {
    const BLOCK: usize = 32;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = img.as_raw();
    let mut out = vec![255u8; w * h];
    for by in (0..h).step_by(BLOCK) {
        for bx in (0..w).step_by(BLOCK) {
            let xs = bx..(bx + BLOCK).min(w);
            for y in by..(by + BLOCK).min(h) {
                // Source row y becomes output column h - 1 - y.
                let col = h - 1 - y;
                for (x, &v) in xs.clone().zip(&src[y * w + bx..]) {
                    out[x * h + col] = v;
                }
            }
        }
    }
    GrayImage::from_raw(h as u32, w as u32, out).expect("sized")
}

/// Bilinear sample with paper-white outside the image.
#[inline]
pub fn sample_bilinear(img: &GrayImage, x: f64, y: f64) -> f32 {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let x0 = crate::geometry::floor_i64(x);
    let y0 = crate::geometry::floor_i64(y);
    let fx = (x - x0 as f64) as f32;
    let fy = (y - y0 as f64) as f32;
    let px = img.as_raw();
    if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
        // Inside: no bounds test per neighbour (every field pixel comes through here).
        let i = (y0 * w + x0) as usize;
        let wu = w as usize;
        let top = px[i] as f32 * (1.0 - fx) + px[i + 1] as f32 * fx;
        let bot = px[i + wu] as f32 * (1.0 - fx) + px[i + wu + 1] as f32 * fx;
        return top * (1.0 - fy) + bot * fy;
    }
    let get = |xx: i64, yy: i64| -> f32 {
        if xx < 0 || yy < 0 || xx >= w || yy >= h {
            255.0
        } else {
            px[(yy * w + xx) as usize] as f32
        }
    };
    let top = get(x0, y0) * (1.0 - fx) + get(x0 + 1, y0) * fx;
    let bot = get(x0, y0 + 1) * (1.0 - fx) + get(x0 + 1, y0 + 1) * fx;
    top * (1.0 - fy) + bot * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_set_gives_every_set_place_in_order_whatever_the_length() {
        for n in [0usize, 1, 7, 8, 9, 23, 64, 100] {
            let row: Vec<bool> = (0..n).map(|i| (i * 7 + 3) % 5 == 0 || i == n - 1).collect();
            let mut got = Vec::new();
            each_set(&row, |x| got.push(x));
            let want: Vec<usize> = (0..n).filter(|&i| row[i]).collect();
            assert_eq!(got, want, "{n}");
        }
    }

    /// The pixel-by-pixel union-find `components` replaced, as the reference.
    fn components_pixel_by_pixel(img: &GrayImage) -> Vec<Component> {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let px = img.as_raw();
        let mut labels = vec![0u32; w * h];
        let mut parent: Vec<u32> = vec![0];
        fn find(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                parent[x as usize] = parent[parent[x as usize] as usize];
                x = parent[x as usize];
            }
            x
        }
        for y in 0..h {
            for x in 0..w {
                if !is_ink(px[y * w + x]) {
                    continue;
                }
                let mut best = 0u32;
                let mut neigh = [0u32; 4];
                if x > 0 {
                    neigh[0] = labels[y * w + x - 1];
                }
                if y > 0 {
                    neigh[1] = labels[(y - 1) * w + x];
                    if x > 0 {
                        neigh[2] = labels[(y - 1) * w + x - 1];
                    }
                    if x + 1 < w {
                        neigh[3] = labels[(y - 1) * w + x + 1];
                    }
                }
                for &n in &neigh {
                    if n != 0 {
                        let r = find(&mut parent, n);
                        if best == 0 || r < best {
                            best = r;
                        }
                    }
                }
                if best == 0 {
                    let l = parent.len() as u32;
                    parent.push(l);
                    labels[y * w + x] = l;
                } else {
                    labels[y * w + x] = best;
                    for &n in &neigh {
                        if n != 0 {
                            let r = find(&mut parent, n);
                            if r != best {
                                parent[r as usize] = best;
                            }
                        }
                    }
                }
            }
        }
        let mut index = vec![u32::MAX; parent.len()];
        let mut out: Vec<(i32, i32, i32, i32, u32)> = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let l = labels[y * w + x];
                if l == 0 {
                    continue;
                }
                let r = find(&mut parent, l) as usize;
                if index[r] == u32::MAX {
                    index[r] = out.len() as u32;
                    out.push((x as i32, y as i32, x as i32, y as i32, 0));
                }
                let c = &mut out[index[r] as usize];
                c.0 = c.0.min(x as i32);
                c.1 = c.1.min(y as i32);
                c.2 = c.2.max(x as i32);
                c.3 = c.3.max(y as i32);
                c.4 += 1;
            }
        }
        out.into_iter()
            .map(|(x0, y0, x1, y1, area)| Component {
                bbox: Rect::new(x0, y0, x1 - x0 + 1, y1 - y0 + 1),
                area,
            })
            .collect()
    }

    #[test]
    fn components_by_runs_are_the_pixel_by_pixel_ones() {
        // Random ink at several densities (touching diagonally, in long runs, alone) on
        // odd sizes down to one pixel.
        for (w, h) in [(1u32, 1u32), (1, 9), (9, 1), (31, 17), (64, 40), (203, 37)] {
            for seed in 0..8u32 {
                let img = GrayImage::from_fn(w, h, |x, y| {
                    let v = (x.wrapping_mul(2654435761)
                        ^ y.wrapping_mul(40503)
                        ^ seed.wrapping_mul(977))
                    .wrapping_mul(2246822519)
                        >> 9;
                    // Seeds 5 to 7 sparse, with long stretches of paper between.
                    let ink = if seed >= 5 {
                        v % 61 < seed - 4
                    } else {
                        v % 7 < 1 + seed % 5 || (y % 5 == 0 && x % 9 < seed)
                    };
                    image::Luma([if ink { 0 } else { 255 }])
                });
                assert_eq!(
                    components(&img),
                    components_pixel_by_pixel(&img),
                    "{w}x{h} seed {seed}"
                );
            }
        }
    }

    #[test]
    fn spans_bridge_gaps_up_to_their_width() {
        assert_eq!(spans([1, 2, 4, 8, 9], 1), vec![(1, 5), (8, 10)]);
        assert_eq!(spans([1, 2, 4, 8, 9], 0), vec![(1, 3), (4, 5), (8, 10)]);
        assert_eq!(spans([], 3), vec![]);
    }

    #[test]
    fn components_join_diagonal_neighbours_and_count_area() {
        let mut img = GrayImage::from_pixel(10, 10, Luma([255]));
        for (x, y) in [(1, 1), (2, 2), (3, 3), (7, 1), (7, 2)] {
            img.put_pixel(x, y, Luma([0]));
        }
        let mut cs = components(&img);
        cs.sort_by_key(|c| c.bbox.x);
        assert_eq!(cs.len(), 2);
        assert_eq!(
            cs[0],
            Component {
                bbox: Rect::new(1, 1, 3, 3),
                area: 3
            }
        );
        assert_eq!(
            cs[1],
            Component {
                bbox: Rect::new(7, 1, 1, 2),
                area: 2
            }
        );
    }

    #[test]
    fn components_merge_u_shapes_labelled_apart() {
        // A "U": the two arms get different provisional labels and meet at the bottom.
        let mut img = GrayImage::from_pixel(6, 5, Luma([255]));
        for y in 0..5 {
            img.put_pixel(0, y, Luma([0]));
            img.put_pixel(5, y, Luma([0]));
        }
        for x in 0..6 {
            img.put_pixel(x, 4, Luma([0]));
        }
        let cs = components(&img);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].area, 14);
    }

    #[test]
    fn blocked_quarter_turn_is_the_librarys() {
        for (w, h) in [(1u32, 1u32), (5, 3), (33, 70), (97, 64)] {
            let img = GrayImage::from_fn(w, h, |x, y| Luma([((x * 31 + y * 17) % 251) as u8]));
            assert_eq!(rotate90(&img), image::imageops::rotate90(&img), "{w}x{h}");
        }
    }
}

//! Low-resolution ink maps: the page reduced to blocks that do or do not carry ink, the
//! representation in which skew, orientation and form identity are decided cheaply.

use crate::geometry::{Affine, floor_i32};
use crate::raster::{GrayImage, each_set, is_ink};

/// A page reduced by `factor` in both directions; a block is inked when enough of its
/// pixels are (see [`InkMap::pair`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct InkMap {
    pub width: usize,
    pub height: usize,
    pub factor: u32,
    #[serde(with = "crate::bits")]
    pub cells: Vec<bool>,
}

/// Sums of `weight` over the 2 × 2 blocks of `src` (rows `stride` long), `w` × `h` of
/// them. Two rows are added a pixel at a time, then neighbouring columns a pair at a time
/// (read as one u16): both loops vectorise, where taking pixels two by two from one row
/// did not. Each sum must fit a byte.
fn block_sums(
    src: &[u8],
    stride: usize,
    (w, h): (usize, usize),
    weight: impl Fn(u8) -> u8,
) -> Vec<u8> {
    let mut out = vec![0u8; w * h];
    let mut column = vec![0u8; w * 2];
    for (y, o) in out.chunks_exact_mut(w.max(1)).enumerate().take(h) {
        let (a, b) = (
            &src[2 * y * stride..][..w * 2],
            &src[(2 * y + 1) * stride..][..w * 2],
        );
        for ((c, &p), &q) in column.iter_mut().zip(a).zip(b) {
            *c = weight(p) + weight(q);
        }
        for (o, pair) in o.iter_mut().zip(column.chunks_exact(2)) {
            let v = u16::from_le_bytes([pair[0], pair[1]]);
            *o = ((v & 0xff) + (v >> 8)) as u8;
        }
    }
    out
}

/// Ink counts per block, row by row, and the size in blocks (across, down).
type Counts = (Vec<u8>, (usize, usize));

/// Ink counts of `img` in 2 × 2 blocks, and in 2 × 2 blocks of those (4 × 4 pixels). The
/// blocks are laid from the image's top-left corner, or from its bottom-right one
/// (`from_far`: where the blocks of the image turned 180° lie); an odd row or column at
/// the other edge is left out.
fn block_counts(img: &GrayImage, from_far: bool) -> (Counts, Counts) {
    // Where the first whole block of a level starts: past the odd row and column at the
    // near edges when laid from the far corner (no block at all: nothing to pass).
    let start = |stride: usize, (w, h): (usize, usize), (bw, bh): (usize, usize)| {
        if from_far && bw > 0 && bh > 0 {
            (h % 2) * stride + w % 2
        } else {
            0
        }
    };
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (fw, fh) = (w / 2, h / 2);
    let from = start(w, (w, h), (fw, fh));
    let fine = block_sums(&img.as_raw()[from..], w, (fw, fh), |v| is_ink(v) as u8);
    let (cw, ch) = (fw / 2, fh / 2);
    let from = start(fw, (fw, fh), (cw, ch));
    let coarse = block_sums(&fine[from..], fw, (cw, ch), |n| n);
    ((fine, (fw, fh)), (coarse, (cw, ch)))
}

impl InkMap {
    /// The factor-2 and factor-4 maps of a page in one pass over its pixels: the fine map
    /// needs `fine_min` of its 4 pixels inked, the coarse one `coarse_min` of its 16.
    pub fn pair(img: &GrayImage, fine_min: u32, coarse_min: u32) -> (InkMap, InkMap) {
        let ((fine, (fw, fh)), (coarse, (cw, ch))) = block_counts(img, false);
        (
            InkMap {
                width: fw,
                height: fh,
                factor: 2,
                cells: fine.into_iter().map(|c| c as u32 >= fine_min).collect(),
            },
            InkMap {
                width: cw,
                height: ch,
                factor: 4,
                cells: coarse.into_iter().map(|n| n as u32 >= coarse_min).collect(),
            },
        )
    }

    /// The factor-4 map [`InkMap::pair`] makes of `img` turned 180°, without turning it:
    /// the turned image's blocks are the image's counted from its far corner, so the
    /// blocks are anchored there and the map read backwards. (Trying a page upside down
    /// needs only this; the page itself is turned only if it fits so.)
    pub fn coarse_turned_half(img: &GrayImage, coarse_min: u32) -> InkMap {
        let (_, (coarse, (cw, ch))) = block_counts(img, true);
        let mut cells: Vec<bool> = coarse.into_iter().map(|n| n as u32 >= coarse_min).collect();
        cells.reverse();
        InkMap {
            width: cw,
            height: ch,
            factor: 4,
            cells,
        }
    }

    pub fn get(&self, x: i32, y: i32) -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < self.width
            && (y as usize) < self.height
            && self.cells[y as usize * self.width + x as usize]
    }

    /// How many of `points` (cell coordinates of another map) land on a set cell through
    /// `t`, each floored to its cell as [`InkMap::get`] would be asked. Positions are
    /// computed a chunk at a time (the map and its floor vectorise), the cells looked up
    /// after: the same count as asking `get` point by point.
    pub fn hits(&self, t: &Affine, points: &[(f32, f32)]) -> usize {
        const CHUNK: usize = 64;
        // Cells number far fewer than 2^32 (a page's map): indices as u32, and a position
        // off the map's either side fails one unsigned comparison.
        let (w, h) = (self.width as u32, self.height as u32);
        let mut at = [u32::MAX; CHUNK];
        let mut hits = 0;
        for chunk in points.chunks(CHUNK) {
            let at = &mut at[..chunk.len()];
            for (o, &(x, y)) in at.iter_mut().zip(chunk) {
                let (px, py) = t.apply(x as f64, y as f64);
                let (px, py) = (floor_i32(px) as u32, floor_i32(py) as u32);
                *o = if px < w && py < h {
                    py * w + px
                } else {
                    u32::MAX
                };
            }
            hits += at
                .iter()
                .filter(|&&i| i != u32::MAX && self.cells[i as usize])
                .count();
        }
        hits
    }

    /// Whether it has a cell for every place (a cached copy read back).
    pub fn consistent(&self) -> bool {
        self.cells.len() == self.width * self.height
    }

    /// Centres of the inked cells that can be printing: not in 8-connected groups of at
    /// most `speck_cells` cells (a speck of fax noise), nor in a vertical run of at least
    /// `streak_cells` cells with no ink two cells to either side (a scanner's streak; ink
    /// crossing it stays). In rows, left to right, as [`InkMap::points`].
    pub fn printing_points(&self, speck_cells: usize, streak_cells: usize) -> Vec<(f32, f32)> {
        if self.width == 0 {
            return Vec::new();
        }
        let streaked = self.without_streaks(streak_cells);
        let cells = streaked.as_deref().unwrap_or(&self.cells);
        // Groups are joined from runs along rows (a union-find over runs, not cells: a
        // page has a tenth as many runs as inked cells).
        let runs = Runs::of(cells, self.width);
        let mut parent: Vec<u32> = (0..runs.len() as u32).collect();
        let root = |parent: &mut Vec<u32>, mut i: u32| {
            while parent[i as usize] != i {
                let up = parent[parent[i as usize] as usize];
                parent[i as usize] = up;
                i = up;
            }
            i
        };
        for y in 1..self.height {
            let (above, here) = (runs.row(y - 1), runs.row(y));
            let mut a = above.start;
            for r in here {
                // Runs above ending left of this one's left neighbour touch nothing more.
                while a < above.end && runs.x1[a] < runs.x0[r] {
                    a += 1;
                }
                let mut b = a;
                while b < above.end && runs.x0[b] <= runs.x1[r] {
                    let (ra, rb) = (root(&mut parent, r as u32), root(&mut parent, b as u32));
                    parent[ra.max(rb) as usize] = ra.min(rb);
                    b += 1;
                }
            }
        }
        let mut size = vec![0usize; runs.len()];
        let roots: Vec<u32> = (0..runs.len() as u32)
            .map(|i| root(&mut parent, i))
            .collect();
        for (i, &r) in roots.iter().enumerate() {
            size[r as usize] += (runs.x1[i] - runs.x0[i]) as usize;
        }
        let mut out = Vec::new();
        for y in 0..self.height {
            for i in runs.row(y) {
                if size[roots[i] as usize] > speck_cells {
                    let yc = y as f32 + 0.5;
                    out.extend((runs.x0[i]..runs.x1[i]).map(|x| (x as f32 + 0.5, yc)));
                }
            }
        }
        out
    }

    /// The cells with the thin parts of long vertical runs cleared (see
    /// [`InkMap::printing_points`]), or `None` when there are none.
    fn without_streaks(&self, streak_cells: usize) -> Option<Vec<bool>> {
        let (w, h) = (self.width, self.height);
        if streak_cells == 0 || w == 0 || h < streak_cells {
            return None;
        }
        // Each column's inked run so far, as its length; updated a row at a time, which
        // the compiler turns into vector instructions, and a run's end looked at only
        // where some column's run is long enough.
        let mut run = vec![0u32; w];
        let mut long: Vec<(usize, usize, usize)> = Vec::new();
        let need = streak_cells as u32;
        for y in 0..=h {
            let row = if y < h {
                &self.cells[y * w..(y + 1) * w]
            } else {
                &[][..]
            };
            let ended = |x: usize| row.get(x).is_none_or(|&c| !c);
            if run.iter().any(|&n| n >= need) {
                for (x, n) in run.iter().enumerate() {
                    if *n >= need && ended(x) {
                        long.push((x, y - *n as usize, y));
                    }
                }
            }
            if y < h {
                for (n, &c) in run.iter_mut().zip(row) {
                    *n = (*n + 1) * u32::from(c);
                }
            }
        }
        if long.is_empty() {
            return None;
        }
        let mut cells = self.cells.clone();
        for (x, from, to) in long {
            for y in from..to {
                let row = &self.cells[y * w..(y + 1) * w];
                if (x < 2 || !row[x - 2]) && (x + 2 >= w || !row[x + 2]) {
                    cells[y * w + x] = false;
                }
            }
        }
        Some(cells)
    }

    /// Centres of inked cells.
    pub fn points(&self) -> Vec<(f32, f32)> {
        let mut v = Vec::new();
        for (y, row) in self.cells.chunks_exact(self.width.max(1)).enumerate() {
            each_set(row, |x| v.push((x as f32 + 0.5, y as f32 + 0.5)));
        }
        v
    }

    pub fn ink_fraction(&self) -> f32 {
        self.cells.iter().filter(|&&c| c).count() as f32 / self.cells.len().max(1) as f32
    }

    /// [`InkMap::ink_fraction`] inside a margin of `m` cells on every side.
    pub fn ink_fraction_inside(&self, m: usize) -> f32 {
        let (mut inked, mut all) = (0usize, 0usize);
        for y in m..self.height.saturating_sub(m) {
            for x in m..self.width.saturating_sub(m) {
                all += 1;
                inked += usize::from(self.cells[y * self.width + x]);
            }
        }
        inked as f32 / all.max(1) as f32
    }

    /// The map grown by one cell in every direction (tolerance for small misalignment).
    pub fn dilated(&self) -> InkMap {
        // The 3 x 3 square is a row of three then a column of three: two passes over
        // slices instead of nine bounds-checked reads per cell, the same cells.
        let w = self.width;
        let mut rows = vec![false; self.cells.len()];
        for (src, dst) in self
            .cells
            .chunks_exact(w.max(1))
            .zip(rows.chunks_exact_mut(w.max(1)))
        {
            // Each cell with its left and right neighbours, as three shifted slices (the
            // inner part vectorises); the two end cells have one neighbour each.
            dst.copy_from_slice(src);
            if w > 1 {
                for ((d, &l), &r) in dst[1..w - 1].iter_mut().zip(&src[..w - 2]).zip(&src[2..]) {
                    *d |= l | r;
                }
                dst[0] |= src[1];
                dst[w - 1] |= src[w - 2];
            }
        }
        let mut out = vec![false; self.cells.len()];
        for y in 0..self.height {
            let (lo, hi) = (y.saturating_sub(1), (y + 2).min(self.height));
            let o = &mut out[y * w..(y + 1) * w];
            for yy in lo..hi {
                for (d, &r) in o.iter_mut().zip(&rows[yy * w..(yy + 1) * w]) {
                    *d |= r;
                }
            }
        }
        InkMap {
            cells: out,
            ..*self
        }
    }
}

/// A map's inked runs along rows: run `i` covers columns `x0[i]..x1[i]` of its row, and
/// the runs of row `y` are `row(y)`, left to right.
struct Runs {
    x0: Vec<u32>,
    x1: Vec<u32>,
    row_start: Vec<usize>,
}

impl Runs {
    fn of(cells: &[bool], w: usize) -> Runs {
        let mut runs = Runs {
            x0: Vec::new(),
            x1: Vec::new(),
            row_start: vec![0],
        };
        for row in cells.chunks_exact(w.max(1)) {
            let mut x = 0;
            while x < w {
                // Most of a page is paper: eight empty cells are passed over at once.
                if x + 8 <= w && !row[x..x + 8].iter().fold(false, |any, &c| any | c) {
                    x += 8;
                    continue;
                }
                if !row[x] {
                    x += 1;
                    continue;
                }
                let from = x;
                while x < w && row[x] {
                    x += 1;
                }
                runs.x0.push(from as u32);
                runs.x1.push(x as u32);
            }
            runs.row_start.push(runs.x0.len());
        }
        runs
    }

    fn len(&self) -> usize {
        self.x0.len()
    }

    fn row(&self, y: usize) -> std::ops::Range<usize> {
        self.row_start[y]..self.row_start[y + 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_points_count_ink_as_pixel_by_pixel() {
        // Grey levels on both sides of the threshold, an odd width, a ragged right edge.
        for w in [1u32, 5, 6, 37, 64, 203] {
            let img =
                GrayImage::from_fn(w, 29, |x, y| image::Luma([((x * 37 + y * 91) % 251) as u8]));
            let (fine, coarse) = InkMap::pair(&img, 2, 3);
            let ink = |x: usize, y: usize| is_ink(img.get_pixel(x as u32, y as u32).0[0]) as u32;
            let block = |x0: usize, y0: usize, n: usize| -> u32 {
                (0..n * n).map(|i| ink(x0 + i % n, y0 + i / n)).sum()
            };
            // A cell of factor n is inked when its n × n pixels hold at least `min`.
            for (map, n, min) in [(&fine, 2, 2), (&coarse, 4, 3)] {
                for y in 0..map.height {
                    for x in 0..map.width {
                        let want = block(n * x, n * y, n) >= min;
                        assert_eq!(map.cells[y * map.width + x], want, "factor {n} ({x},{y})");
                    }
                }
            }
            let want: Vec<(f32, f32)> = (0..fine.height)
                .flat_map(|y| (0..fine.width).map(move |x| (x, y)))
                .filter(|&(x, y)| fine.cells[y * fine.width + x])
                .map(|(x, y)| (x as f32 + 0.5, y as f32 + 0.5))
                .collect();
            assert!(w < 8 || (!want.is_empty() && want.len() < fine.cells.len()));
            assert_eq!(fine.points(), want);
        }
    }

    /// A map drawn in rows of `#` (ink) and `.` (paper).
    fn drawn(rows: &[&str]) -> InkMap {
        InkMap {
            width: rows[0].len(),
            height: rows.len(),
            factor: 4,
            cells: rows
                .iter()
                .flat_map(|r| r.bytes().map(|b| b == b'#'))
                .collect(),
        }
    }

    /// The sizes of the 8-connected groups of inked cells, cell by cell, by flood fill.
    fn group_sizes(map: &InkMap) -> Vec<usize> {
        let (w, h) = (map.width as i64, map.height as i64);
        let mut size = vec![0; map.cells.len()];
        let mut seen = vec![false; map.cells.len()];
        for start in 0..map.cells.len() {
            if !map.cells[start] || seen[start] {
                continue;
            }
            let (mut group, mut stack) = (Vec::new(), vec![start]);
            seen[start] = true;
            while let Some(i) = stack.pop() {
                group.push(i);
                let (x, y) = ((i % map.width) as i64, (i / map.width) as i64);
                for (nx, ny) in (-1..=1).flat_map(|dy| (-1..=1).map(move |dx| (x + dx, y + dy))) {
                    let j = (ny * w + nx) as usize;
                    if nx >= 0 && ny >= 0 && nx < w && ny < h && map.cells[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
            for &i in &group {
                size[i] = group.len();
            }
        }
        size
    }

    #[test]
    fn printing_points_are_the_cells_of_groups_larger_than_a_speck() {
        // Random maps from sparse to dense: groups of every size and shape, runs joined
        // above, below and only corner to corner.
        for (w, h, per_mille) in [
            (1, 7, 300),
            (13, 1, 500),
            (37, 29, 80),
            (64, 41, 300),
            (97, 53, 550),
        ] {
            let mut state = 0x2545_f491_u32 ^ (w * h) as u32;
            let cells = (0..w * h)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state % 1000 < per_mille
                })
                .collect();
            let map = InkMap {
                width: w,
                height: h,
                factor: 4,
                cells,
            };
            let size = group_sizes(&map);
            for speck in [0, 1, 3, 6] {
                let want: Vec<(f32, f32)> = map
                    .points()
                    .into_iter()
                    .filter(|&(x, y)| size[y as usize * w + x as usize] > speck)
                    .collect();
                // No run is as long as the map is tall: no streak.
                assert_eq!(
                    map.printing_points(speck, h + 1),
                    want,
                    "{w}x{h} speck {speck}"
                );
            }
        }
    }

    #[test]
    fn a_long_thin_vertical_run_is_left_out_but_ink_crossing_it_stays() {
        let map = drawn(&[
            "..#.....#...",
            "..#.....#...",
            "..#.....#.##",
            "###.....#...",
            "..#.........",
            "..#..#..#...",
            "..#.....#...",
        ]);
        // Column 2 runs the whole height: streak but where the stroke joins it (its own
        // cell two to the left is ink). Column 8 breaks after four rows: kept at 5. The
        // lone cell at (5, 5) is a speck.
        let got = map.printing_points(1, 5);
        let want = [(0, 3), (1, 3), (2, 3)]
            .into_iter()
            .chain((0..4).map(|y| (8, y)))
            .chain([(10, 2), (11, 2)])
            .chain((5..7).map(|y| (8, y)));
        let mut want: Vec<(f32, f32)> = want
            .map(|(x, y)| (x as f32 + 0.5, y as f32 + 0.5))
            .collect();
        want.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
        assert_eq!(got, want);
    }

    #[test]
    fn the_coarse_map_turned_is_that_of_the_image_turned() {
        for (w, h) in [
            (1u32, 1u32),
            (3, 9),
            (8, 8),
            (9, 8),
            (8, 9),
            (37, 29),
            (203, 66),
        ] {
            // A sixth of the pixels inked: some coarse cells hold 3 of 16, some fewer.
            let img = GrayImage::from_fn(w, h, |x, y| {
                image::Luma([if (x * 37 + y * 91) % 251 < 40 { 0 } else { 255 }])
            });
            let (_, want) = InkMap::pair(&crate::raster::rotate180(&img), 2, 3);
            let got = InkMap::coarse_turned_half(&img, 3);
            assert_eq!(
                (got.width, got.height),
                (want.width, want.height),
                "{w}x{h}"
            );
            assert_eq!(got.cells, want.cells, "{w}x{h}");
            assert!(w < 37 || got.cells.iter().any(|&c| c) && got.cells.iter().any(|&c| !c));
        }
    }

    #[test]
    fn dilation_is_the_three_by_three_square_at_every_cell_and_edge() {
        // Against the definition, on maps of awkward sizes with ink on their edges.
        for (w, h) in [(1, 1), (1, 5), (2, 3), (7, 1), (13, 9)] {
            let cells: Vec<bool> = (0..w * h)
                .map(|i| (i * 2654435761usize).is_multiple_of(7))
                .collect();
            let m = InkMap {
                width: w,
                height: h,
                factor: 1,
                cells,
            };
            let d = m.dilated();
            for y in 0..h as i32 {
                for x in 0..w as i32 {
                    let want = (-1..=1).any(|dy| (-1..=1).any(|dx| m.get(x + dx, y + dy)));
                    assert_eq!(d.get(x, y), want, "{w}x{h} at ({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn dilation_grows_by_one_cell_including_diagonals() {
        let mut m = InkMap {
            width: 5,
            height: 4,
            factor: 1,
            cells: vec![false; 20],
        };
        m.cells[2 * 5 + 2] = true;
        let d = m.dilated();
        let on: Vec<(i32, i32)> = (0..4)
            .flat_map(|y| (0..5).map(move |x| (x, y)))
            .filter(|&(x, y)| d.get(x, y))
            .collect();
        assert_eq!(
            on,
            [
                (1, 1),
                (2, 1),
                (3, 1),
                (1, 2),
                (2, 2),
                (3, 2),
                (1, 3),
                (2, 3),
                (3, 3)
            ]
        );
    }

    #[test]
    fn hits_count_as_get_asked_point_by_point() {
        let (w, h) = (37usize, 23usize);
        let cells: Vec<bool> = (0..w * h).map(|i| (i * 2654435761usize) % 5 < 2).collect();
        let m = InkMap {
            width: w,
            height: h,
            factor: 1,
            cells,
        };
        // Points on, beside and off the map (more than one chunk), through a turned,
        // scaled and shifted map that sends some past each edge.
        let points: Vec<(f32, f32)> = (0..300)
            .map(|i| ((i % 47) as f32 * 0.9 - 3.5, (i / 7) as f32 * 0.7 - 2.25))
            .collect();
        let (s, c) = 0.05f64.sin_cos();
        let t = Affine {
            a: 1.02 * c,
            b: -s,
            c: -1.5,
            d: s,
            e: 0.98 * c,
            f: 0.75,
        };
        let want = points
            .iter()
            .filter(|&&(x, y)| {
                let (u, v) = t.apply(x as f64, y as f64);
                m.get(u.floor() as i32, v.floor() as i32)
            })
            .count();
        assert!(want > 20 && want < points.len() / 2, "{want}");
        assert_eq!(m.hits(&t, &points), want);
    }
}

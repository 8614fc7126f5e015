//! Low-resolution ink maps: the page reduced to blocks that do or do not carry ink, the
//! representation in which skew, orientation and form identity are decided cheaply.

use crate::raster::{GrayImage, is_ink};

/// A page reduced by `factor` in both directions; a block is inked when at least
/// `min_ink` of its pixels are.
#[derive(Debug, Clone)]
pub struct InkMap {
    pub width: usize,
    pub height: usize,
    pub factor: u32,
    pub cells: Vec<bool>,
}

impl InkMap {
    pub fn new(img: &GrayImage, factor: u32, min_ink: u32) -> InkMap {
        let f = factor as usize;
        let (w, h) = (img.width() as usize / f, img.height() as usize / f);
        let src = img.as_raw();
        let iw = img.width() as usize;
        let mut counts = vec![0u32; w * h];
        for y in 0..h * f {
            let row = &src[y * iw..y * iw + w * f];
            let out = &mut counts[(y / f) * w..(y / f + 1) * w];
            for (x, &v) in row.iter().enumerate() {
                if is_ink(v) {
                    out[x / f] += 1;
                }
            }
        }
        InkMap {
            width: w,
            height: h,
            factor,
            cells: counts.into_iter().map(|c| c >= min_ink).collect(),
        }
    }

    pub fn get(&self, x: i32, y: i32) -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < self.width
            && (y as usize) < self.height
            && self.cells[y as usize * self.width + x as usize]
    }

    /// Centres of inked cells.
    pub fn points(&self) -> Vec<(f32, f32)> {
        let mut v = Vec::new();
        for y in 0..self.height {
            for x in 0..self.width {
                if self.cells[y * self.width + x] {
                    v.push((x as f32 + 0.5, y as f32 + 0.5));
                }
            }
        }
        v
    }

    pub fn ink_fraction(&self) -> f32 {
        self.cells.iter().filter(|&&c| c).count() as f32 / self.cells.len().max(1) as f32
    }

    /// The map grown by one cell in every direction (tolerance for small misalignment).
    pub fn dilated(&self) -> InkMap {
        let mut out = vec![false; self.cells.len()];
        for y in 0..self.height as i32 {
            for x in 0..self.width as i32 {
                if (-1..=1).any(|dy| (-1..=1).any(|dx| self.get(x + dx, y + dy))) {
                    out[y as usize * self.width + x as usize] = true;
                }
            }
        }
        InkMap {
            cells: out,
            ..*self
        }
    }
}

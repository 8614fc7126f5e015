//! Limits checked before anything large is allocated, as image-rs checks its decoding
//! `Limits`: a fax server's folder holds whatever arrived, and one absurd file must cost a
//! rejected row, not the night's memory.

use std::io::Read;
use std::path::Path;

/// What one input file may cost. Every refusal names the limit and how to change it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest file read, in bytes. Default 256 MiB: a faxed page is 20–200 KB, so this
    /// is over a thousand pages (`faxform run --max-file-mb`).
    pub max_file_bytes: u64,
    /// Most pages read from one file; further pages get one rejected row. Default 1,000
    /// (`faxform run --max-pages`).
    pub max_pages: usize,
    /// Largest page image decoded, in pixels. Default 80 Mpx (A3 at 600 dpi is 70).
    pub max_page_pixels: u64,
    /// Largest page after it is brought to the templates' resolution, in millimetres
    /// (width × height, either way round). Default 500 × 720 mm, beyond A2.
    pub max_page_mm: (f32, f32),
    /// Stated resolutions outside this range, in dots per inch, are taken as unstated and
    /// inferred from the page width (default 50–1,200 dpi).
    pub dpi_range: (f32, f32),
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_pages: 1000,
            max_page_pixels: 80_000_000,
            max_page_mm: (500.0, 720.0),
            dpi_range: (50.0, 1200.0),
        }
    }
}

/// A fax line's width in pixels at standard and fine horizontal resolution (8 dots/mm on
/// 216 mm), and the wider B4/A3 lines; all mean 204 dpi across (408 at superfine).
const FAX_LINE_WIDTHS: [u32; 3] = [1728, 2048, 2432];
const FAX_DPI_X: f32 = 204.0;

/// A4's width in inches, the page assumed when nothing else tells the resolution.
const A4_WIDTH_IN: f32 = 210.0 / 25.4;

/// The fax line width `pixels` is (at standard or superfine horizontal resolution).
fn fax_line(pixels: u32) -> Option<u32> {
    FAX_LINE_WIDTHS
        .iter()
        .copied()
        .find(|&w| pixels.abs_diff(w) <= 8 || pixels.abs_diff(2 * w) <= 16)
}

fn is_fax_line(pixels: u32) -> bool {
    fax_line(pixels).is_some()
}

impl Limits {
    fn plausible(&self, dpi: f32) -> bool {
        dpi.is_finite() && dpi >= self.dpi_range.0 && dpi <= self.dpi_range.1
    }

    /// The resolution to use for a page of `width`×`height` pixels that states `stated`
    /// (x, y) dots per inch, if anything. A resolution outside [`Limits::dpi_range`] is
    /// taken as unstated: a fax line width means 204 dpi across, anything else is taken
    /// for an A4 page's width; down the page, half the horizontal resolution when the page
    /// is too short for A4 at square pixels (a standard-resolution fax), else square.
    pub fn resolution(&self, width: u32, height: u32, stated: Option<(f32, f32)>) -> (f32, f32) {
        match stated {
            Some((x, y)) if self.plausible(x) && self.plausible(y) => return (x, y),
            Some((x, _)) if self.plausible(x) => return (x, self.infer_y(x, width, height)),
            Some((_, y)) if self.plausible(y) && self.plausible(self.infer_x(width, height)) => {
                return (self.infer_x(width, height), y);
            }
            _ => {}
        }
        // A fax image stored turned a quarter: its fax line runs down the page.
        if !is_fax_line(width) && is_fax_line(height) {
            let (y, x) = self.resolution(height, width, None);
            return (x, y);
        }
        let x = self.infer_x(width, height);
        (x, self.infer_y(x, width, height))
    }

    /// Across the page: a fax line width is 204 dpi; otherwise the width is A4's width, or
    /// A4's height for a landscape image (a page scanned sideways).
    fn infer_x(&self, width: u32, height: u32) -> f32 {
        if let Some(w) = fax_line(width) {
            return if width > w + 8 {
                2.0 * FAX_DPI_X
            } else {
                FAX_DPI_X
            };
        }
        let across = if width > height {
            A4_WIDTH_IN * std::f32::consts::SQRT_2
        } else {
            A4_WIDTH_IN
        };
        (width as f32 / across).clamp(self.dpi_range.0, self.dpi_range.1)
    }

    fn infer_y(&self, dpi_x: f32, width: u32, height: u32) -> f32 {
        let page_in = width as f32 / dpi_x;
        // A portrait page is √2 as tall as wide; a standard-resolution fax's rows are
        // halved, so its image is about 0.7 as tall as wide.
        let aspect = height as f32 / width.max(1) as f32;
        let half = aspect < 0.95 && page_in <= A4_WIDTH_IN * 1.3;
        if half { dpi_x / 2.0 } else { dpi_x }
    }

    /// The resolution of a page (as [`Limits::resolution`]), refusing a page larger than
    /// [`Limits::max_page_mm`] at it.
    pub fn page_resolution(
        &self,
        width: u32,
        height: u32,
        stated: Option<(f32, f32)>,
    ) -> Result<(f32, f32), String> {
        let (x, y) = self.resolution(width, height, stated);
        self.check_size_mm(width as f32 / x * 25.4, height as f32 / y * 25.4)?;
        Ok((x, y))
    }

    /// Refuses a page larger than [`Limits::max_page_mm`] (either way round).
    pub fn check_size_mm(&self, w_mm: f32, h_mm: f32) -> Result<(), String> {
        let (a, b) = (w_mm.min(h_mm), w_mm.max(h_mm));
        let (la, lb) = self.max_page_mm;
        if a > la || b > lb || !a.is_finite() || !b.is_finite() {
            return Err(format!(
                "page of {w_mm:.0}×{h_mm:.0} mm is larger than the limit of {la:.0}×{lb:.0} mm"
            ));
        }
        Ok(())
    }

    /// Refuses a page of this many pixels.
    pub fn check_pixels(&self, width: u32, height: u32) -> Result<(), String> {
        if width == 0 || height == 0 {
            return Err(format!("empty image ({width}×{height} pixels)"));
        }
        if width as u64 * height as u64 > self.max_page_pixels {
            return Err(format!(
                "image of {width}×{height} pixels is over the limit of {} Mpx per page",
                self.max_page_pixels / 1_000_000
            ));
        }
        Ok(())
    }
}

/// Why a file was not read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty file (0 bytes)")]
    Empty,
    #[error(
        "file of {size} bytes is over the limit of {limit} MiB per file (faxform run --max-file-mb)",
        limit = .limit >> 20
    )]
    TooLarge { size: u64, limit: u64 },
}

/// A file's bytes and their BLAKE3 hash, from one read that never goes past the limit.
pub struct FileBytes {
    pub bytes: Vec<u8>,
    pub hash: String,
}

/// Reads a file once, hashing as it goes; refuses it from its stated size before reading
/// when that is over the limit, and stops reading at the limit when the size grows.
pub fn read_limited(path: &Path, limits: &Limits) -> Result<FileBytes, ReadError> {
    let f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    if size > limits.max_file_bytes {
        return Err(ReadError::TooLarge {
            size,
            limit: limits.max_file_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    let mut hasher = blake3::Hasher::new();
    let mut chunk = vec![0u8; 1 << 20];
    let mut r = f.take(limits.max_file_bytes + 1);
    loop {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        hasher.update(&chunk[..n]);
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(ReadError::TooLarge {
                size: bytes.len() as u64,
                limit: limits.max_file_bytes,
            });
        }
    }
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(FileBytes {
        bytes,
        hash: hasher.finalize().to_hex().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_resolutions_are_inferred_from_the_page() {
        let l = Limits::default();
        // Stated and sane: kept.
        assert_eq!(
            l.resolution(1728, 2200, Some((204.0, 196.0))),
            (204.0, 196.0)
        );
        assert_eq!(l.resolution(1728, 1100, Some((204.0, 98.0))), (204.0, 98.0));
        // 1 dpi, 0.01 dpi, 4e9 dpi on a fax line: 204 across, fine or standard down.
        for bad in [1.0, 0.01, 4e9, f32::NAN, 0.0] {
            assert_eq!(l.resolution(1728, 2200, Some((bad, bad))), (204.0, 204.0));
            assert_eq!(l.resolution(1728, 1100, Some((bad, bad))), (204.0, 102.0));
        }
        // Unstated on an A4 scan at 300 dpi.
        let (x, y) = l.resolution(2480, 3508, None);
        assert!((x - 300.0).abs() < 1.0 && x == y, "{x} {y}");
        // Unstated on a page scanned sideways: A4's height across, square pixels.
        let (x, y) = l.resolution(2339, 1654, None);
        assert!((x - 200.0).abs() < 1.0 && x == y, "{x} {y}");
        // A standard-resolution fax stored turned a quarter, unstated.
        assert_eq!(l.resolution(1158, 1728, None), (102.0, 204.0));
        // One direction sane: the other follows it.
        assert_eq!(l.resolution(1728, 2200, Some((204.0, 1e9))), (204.0, 204.0));
        // A tiny image stays within the range however it is tagged.
        let (x, _) = l.resolution(128, 128, Some((0.01, 0.01)));
        assert!(x >= 50.0, "{x}");
    }

    #[test]
    fn files_over_the_byte_limit_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.tif");
        let f = std::fs::File::create(&p).unwrap();
        // Sparse: stated 2 GB, nothing written.
        f.set_len(2 << 30).unwrap();
        let l = Limits::default();
        let e = read_limited(&p, &l).err().unwrap();
        assert!(
            matches!(e, ReadError::TooLarge { size, .. } if size == 2 << 30),
            "{e}"
        );
        assert!(e.to_string().contains("--max-file-mb"), "{e}");
        std::fs::write(&p, b"").unwrap();
        assert!(matches!(read_limited(&p, &l), Err(ReadError::Empty)));
        std::fs::write(&p, b"II*\0abc").unwrap();
        let got = read_limited(&p, &l).unwrap();
        assert_eq!(got.bytes, b"II*\0abc");
        assert_eq!(got.hash, blake3::hash(b"II*\0abc").to_hex().to_string());
    }
}

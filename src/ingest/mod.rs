//! Ingest: turning input files (TIFF, PDF, PNG, JPEG) into grey page bitmaps.
//!
//! Every page keeps its own resolution; standard-resolution faxes (204×98 dpi) are not
//! square-pixelled, and later stages decide how to resample. A file that cannot be read
//! at all is a [`FileError`]; a file with some unreadable pages yields those pages as
//! errors beside the good ones, so the batch can go on and report each.

pub mod bitmap;
pub mod limits;
pub mod pdf;
pub mod tiff;

pub use limits::{FileBytes, Limits, ReadError, read_limited};

use crate::raster::GrayImage;
use std::path::Path;

/// A byte of a bilevel row as its eight pixels, most significant bit first: 255 for a set
/// bit, 0 for a clear one.
const WIDENED: [[u8; 8]; 256] = {
    let mut t = [[0u8; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            if b & (0x80 >> i) != 0 {
                t[b][i] = 255;
            }
            i += 1;
        }
        b += 1;
    }
    t
};

/// Bilevel rows of `w` pixels packed eight to a byte (most significant bit first, each
/// row `stride` bytes) widened to grey, 255 for a set bit and 0 for a clear one, eight
/// pixels at a time from a table: how PNG and TIFF pages of one bit a pixel are read
/// (their decoders widen them a pixel or a bit at a time, which cost more than the rest
/// of the page's reading). Rows the data does not reach stay 0.
pub(crate) fn widen_bilevel(packed: &[u8], stride: usize, w: usize, h: usize) -> Vec<u8> {
    let mut px = vec![0u8; w * h];
    if w == 0 || stride == 0 {
        return px;
    }
    for (row, out) in packed.chunks(stride).zip(px.chunks_exact_mut(w)) {
        let mut eights = out.chunks_exact_mut(8);
        for (o, &b) in eights.by_ref().zip(row) {
            o.copy_from_slice(&WIDENED[b as usize]);
        }
        let rest = eights.into_remainder();
        let n = rest.len();
        if let Some(&b) = row.get(w / 8) {
            rest.copy_from_slice(&WIDENED[b as usize][..n]);
        }
    }
    px
}

/// One decoded page.
#[derive(Debug, Clone)]
pub struct PageImage {
    pub image: GrayImage,
    /// Horizontal and vertical resolution in dots per inch.
    pub dpi_x: f32,
    pub dpi_y: f32,
    /// Why this page's image is not wholly what was sent, when decoding it needed repair
    /// (damaged CCITT lines resynchronised, a strip cut short, a PDF rebuilt from a
    /// damaged cross-reference table). Nothing read from such a page is auto-accepted.
    pub damage: Option<String>,
}

/// File formats we accept, recognised by content, not by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tiff,
    Pdf,
    Png,
    Jpeg,
}

impl Format {
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"II*\0")
            || bytes.starts_with(b"MM\0*")
            || bytes.starts_with(b"II+\0")
            || bytes.starts_with(b"MM\0+")
        {
            Some(Format::Tiff)
        } else if bytes.len() >= 5
            && bytes[..bytes.len().min(1024)]
                .windows(5)
                .any(|w| w == b"%PDF-")
        {
            Some(Format::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else {
            None
        }
    }
}

/// Why a whole file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("not a TIFF, PDF, PNG or JPEG file")]
    UnknownFormat,
    #[error("{0}")]
    Corrupt(String),
}

/// Why one page of a file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("page {page}: {reason}")]
pub struct PageError {
    /// 1-based page number within the file.
    pub page: usize,
    pub reason: String,
}

/// How files are decoded.
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    /// Resolution at which vector PDF pages are rendered.
    pub render_dpi: f32,
    pub limits: Limits,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            render_dpi: 200.0,
            limits: Limits::default(),
        }
    }
}

impl IngestOptions {
    /// Default limits, vector pages rendered at `dpi`.
    pub fn at_dpi(dpi: f32) -> IngestOptions {
        IngestOptions {
            render_dpi: dpi,
            ..Default::default()
        }
    }
}

pub type PageResult = Result<PageImage, PageError>;

/// Reads every page of a file.
pub fn read_file(path: &Path, opts: &IngestOptions) -> Result<Vec<PageResult>, FileError> {
    let bytes = std::fs::read(path)?;
    read_bytes(&bytes, opts)
}

pub fn read_bytes(bytes: &[u8], opts: &IngestOptions) -> Result<Vec<PageResult>, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    match Format::sniff(bytes).ok_or(FileError::UnknownFormat)? {
        Format::Tiff => tiff::read(bytes, &opts.limits),
        Format::Pdf => pdf::read(bytes, opts),
        Format::Png | Format::Jpeg => bitmap::read(bytes, &opts.limits).map(|p| vec![Ok(p)]),
    }
}

/// Reads every page and fails on the first unreadable one, naming it. For tools that need
/// a whole document (template detection) rather than a batch that goes on.
pub fn read_all_pages(path: &Path, opts: &IngestOptions) -> anyhow::Result<Vec<PageImage>> {
    let pages = read_file(path, opts).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    pages
        .into_iter()
        .map(|p| p.map_err(|e| anyhow::anyhow!("{}: {e}", path.display())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(Format::sniff(b"II*\0rest"), Some(Format::Tiff));
        assert_eq!(Format::sniff(b"MM\0*rest"), Some(Format::Tiff));
        assert_eq!(Format::sniff(b"%PDF-1.4\n"), Some(Format::Pdf));
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(Format::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"hello"), None);
    }

    #[test]
    fn empty_and_unknown_files_are_errors() {
        let o = IngestOptions::default();
        assert!(matches!(read_bytes(b"", &o), Err(FileError::Empty)));
        assert!(matches!(
            read_bytes(b"not an image", &o),
            Err(FileError::UnknownFormat)
        ));
    }
}

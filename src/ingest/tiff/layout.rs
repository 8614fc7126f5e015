//! The raw layout of a TIFF file's directories, read without the decoder: byte order,
//! classic or BigTIFF, and where each directory and entry lies. Used to count the pages a
//! damaged file declares and to patch an entry in a copy for the `tiff` crate.

/// Byte order and offset sizes of a TIFF file.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    big_endian: bool,
    bigtiff: bool,
}

impl Layout {
    /// The layout its header states, if it is a TIFF header at all.
    pub fn of(bytes: &[u8]) -> Option<Layout> {
        let big_endian = match bytes.get(..2)? {
            b"II" => false,
            b"MM" => true,
            _ => return None,
        };
        let l = Layout {
            big_endian,
            bigtiff: false,
        };
        match l.uint(bytes, 2, 2)? {
            42 => Some(l),
            43 => Some(Layout { bigtiff: true, ..l }),
            _ => None,
        }
    }

    /// An unsigned integer of `n` bytes at `at`, in the file's byte order.
    pub fn uint(&self, bytes: &[u8], at: usize, n: usize) -> Option<u64> {
        let b = bytes.get(at..at.checked_add(n)?)?;
        Some(b.iter().enumerate().fold(0u64, |v, (i, &x)| {
            let shift = if self.big_endian {
                8 * (n - 1 - i)
            } else {
                8 * i
            };
            v | (x as u64) << shift
        }))
    }

    fn offset_size(&self) -> usize {
        if self.bigtiff { 8 } else { 4 }
    }

    fn count_size(&self) -> usize {
        if self.bigtiff { 8 } else { 2 }
    }

    fn entry_size(&self) -> usize {
        if self.bigtiff { 20 } else { 12 }
    }

    /// Offset of the first directory (0 when there is none).
    pub fn first_ifd(&self, bytes: &[u8]) -> u64 {
        let at = if self.bigtiff { 8 } else { 4 };
        self.uint(bytes, at, self.offset_size()).unwrap_or(0)
    }

    /// Number of entries of the directory at `ifd`, if its count can be read.
    pub fn entries(&self, bytes: &[u8], ifd: usize) -> Option<u64> {
        self.uint(bytes, ifd, self.count_size())
    }

    /// Offset of the next directory after the one at `ifd` (0 when there is none or it
    /// cannot be read).
    pub fn next_ifd(&self, bytes: &[u8], ifd: usize) -> u64 {
        self.entries(bytes, ifd)
            .and_then(|n| n.checked_mul(self.entry_size() as u64))
            .and_then(|e| e.checked_add((ifd + self.count_size()) as u64))
            .and_then(|p| usize::try_from(p).ok())
            .and_then(|p| self.uint(bytes, p, self.offset_size()))
            .unwrap_or(0)
    }

    /// Where the value of entry `tag` of the directory at `ifd` is held (a value that fits
    /// in the entry is held there).
    pub fn value_at(&self, bytes: &[u8], ifd: usize, tag: u16) -> Option<usize> {
        let n = self.entries(bytes, ifd)? as usize;
        (0..n.min(4096))
            .map(|i| ifd + self.count_size() + i * self.entry_size())
            .find(|&e| self.uint(bytes, e, 2) == Some(tag as u64))
            .map(|e| e + if self.bigtiff { 12 } else { 8 })
    }

    /// A SHORT in the file's byte order.
    pub fn short(&self, value: u16) -> [u8; 2] {
        if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        }
    }
}

//! CCITT T.4 / T.6 encoding of bilevel pages: Group 3 1-D (MH), Group 3 2-D (MR) and
//! Group 4 (MMR), as fax servers store them in TIFF and PDF files.
//!
//! The code tables come from the `fax` crate; the mode coding is ours because `fax` encodes
//! Group 4 only and Group 3 needs EOLs, tag bits and a K parameter between lines. Every mode
//! is checked by decoding with hayro-ccitt, the decoder ingest uses.

use fax::maps::{Mode, black, mode, white};

/// Which CCITT scheme to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scheme {
    /// Group 3 one-dimensional (Modified Huffman), EOL before every line.
    G3OneD,
    /// Group 3 two-dimensional (Modified READ) with parameter K: one 1-D line, then K-1 2-D lines.
    G3TwoD { k: u32 },
    /// Group 4 (Modified Modified READ).
    G4,
}

/// Bilevel rows: `true` is black.
pub struct Bilevel<'a> {
    pub width: usize,
    pub height: usize,
    pub pixels: &'a [bool],
}

impl Bilevel<'_> {
    fn row(&self, y: usize) -> &[bool] {
        &self.pixels[y * self.width..(y + 1) * self.width]
    }
}

struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    nbits: u32,
}

impl BitWriter {
    fn new() -> Self {
        BitWriter {
            out: Vec::new(),
            acc: 0,
            nbits: 0,
        }
    }

    fn put(&mut self, data: u16, len: u8) {
        for i in (0..len).rev() {
            self.acc = (self.acc << 1) | ((data >> i) & 1) as u32;
            self.nbits += 1;
            if self.nbits == 8 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.nbits = 0;
            }
        }
    }

    fn bits(&mut self, b: fax::Bits) {
        self.put(b.data, b.len);
    }

    /// EOL (0000 0000 0001). With `aligned`, zero fill first so the EOL ends on a byte
    /// boundary (TIFF T4Options bit 2), which lets damaged lines resynchronise cleanly.
    fn eol(&mut self, aligned: bool) {
        if aligned {
            while !(self.nbits + 12).is_multiple_of(8) {
                self.put(0, 1);
            }
        }
        self.put(1, 12);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.nbits > 0 {
            self.acc <<= 8 - self.nbits;
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Positions where the colour changes, starting from an imaginary white pixel before the
/// row, followed by two sentinels at `width`.
fn changes(row: &[bool]) -> Vec<usize> {
    let mut v = Vec::new();
    let mut prev = false;
    for (i, &p) in row.iter().enumerate() {
        if p != prev {
            v.push(i);
            prev = p;
        }
    }
    v.push(row.len());
    v.push(row.len());
    v
}

fn run(w: &mut BitWriter, black_run: bool, mut n: usize) {
    let enc = |n: usize| {
        let b = if black_run {
            black::encode(n as u16)
        } else {
            white::encode(n as u16)
        };
        b.expect("run length within the CCITT tables")
    };
    while n >= 2560 {
        w.bits(enc(2560));
        n -= 2560;
    }
    if n >= 64 {
        let m = n / 64 * 64;
        w.bits(enc(m));
        n -= m;
    }
    w.bits(enc(n));
}

fn encode_1d(w: &mut BitWriter, row: &[bool]) {
    let ch = changes(row);
    let mut pos = 0;
    let mut black_run = false;
    for &c in ch.iter().take(ch.len() - 1) {
        run(w, black_run, c - pos);
        pos = c;
        black_run = !black_run;
        if c == row.len() {
            break;
        }
    }
}

/// Two-dimensional coding of `row` against `reference` (T.4 §4.2.1.3).
fn encode_2d(w: &mut BitWriter, row: &[bool], reference: &[usize]) {
    let width = row.len();
    let coding = changes(row);
    // Changing elements of the reference line alternate black-start (even index) and
    // white-start (odd index); b1 must start the colour opposite to a0's.
    let mut a0: isize = -1;
    let mut colour_black = false;
    let mut ci = 0; // index into coding of a1
    loop {
        while coding[ci] as isize <= a0 && coding[ci] < width {
            ci += 1;
        }
        let a1 = coding[ci];
        let a2 = coding[(ci + 1).min(coding.len() - 1)];
        // b1: first reference change right of a0 whose colour is opposite to a0's colour.
        let mut bi = 0;
        while bi < reference.len() - 1 {
            let r = reference[bi];
            let starts_black = bi % 2 == 0;
            if (r as isize > a0 || (a0 < 0 && r == 0)) && starts_black != colour_black {
                break;
            }
            bi += 1;
        }
        let b1 = reference[bi.min(reference.len() - 1)];
        let b2 = reference[(bi + 1).min(reference.len() - 1)];
        if b2 < a1 {
            w.bits(mode::encode(Mode::Pass).unwrap());
            a0 = b2 as isize;
        } else if (a1 as isize - b1 as isize).abs() <= 3 {
            w.bits(mode::encode(Mode::Vertical((a1 as isize - b1 as isize) as i8)).unwrap());
            a0 = a1 as isize;
            colour_black = !colour_black;
        } else {
            w.bits(mode::encode(Mode::Horizontal).unwrap());
            let start = a0.max(0) as usize;
            run(w, colour_black, a1 - start);
            run(w, !colour_black, a2 - a1);
            a0 = a2 as isize;
        }
        if a0 >= width as isize {
            break;
        }
    }
}

/// Encodes a whole page (one TIFF strip or one PDF image stream).
///
/// Group 3 streams use byte-aligned EOLs before every line (TIFF T4Options bit 2) and no
/// RTC; Group 4 streams end with EOFB.
pub fn encode(img: &Bilevel, scheme: Scheme) -> Vec<u8> {
    let mut w = BitWriter::new();
    let white_line = changes(&vec![false; img.width]);
    let mut reference = white_line.clone();
    for y in 0..img.height {
        let row = img.row(y);
        match scheme {
            Scheme::G3OneD => {
                w.eol(true);
                encode_1d(&mut w, row);
            }
            Scheme::G3TwoD { k } => {
                w.eol(true);
                let one_d = (y as u32).is_multiple_of(k.max(1));
                w.put(one_d as u16, 1);
                if one_d {
                    encode_1d(&mut w, row);
                } else {
                    encode_2d(&mut w, row, &reference);
                }
            }
            Scheme::G4 => encode_2d(&mut w, row, &reference),
        }
        reference = changes(row);
    }
    if scheme == Scheme::G4 {
        w.put(1, 12);
        w.put(1, 12);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};

    struct Rows(Vec<Vec<bool>>, usize);
    impl hayro_ccitt::Decoder for Rows {
        fn push_row(&mut self, changes: &[u32]) {
            let mut row = vec![false; self.1];
            for p in changes.chunks(2) {
                let end = p.get(1).map(|&e| e as usize).unwrap_or(self.1);
                row[p[0] as usize..end].fill(true);
            }
            self.0.push(row);
        }
    }

    fn decode(data: &[u8], w: usize, h: usize, scheme: Scheme) -> Vec<bool> {
        let encoding = match scheme {
            Scheme::G3OneD => EncodingMode::Group3_1D,
            Scheme::G3TwoD { .. } => EncodingMode::Group3_2D,
            Scheme::G4 => EncodingMode::Group4,
        };
        let mut ctx = DecoderContext::new(DecodeSettings {
            columns: w as u32,
            rows: h as u32,
            end_of_block: true,
            end_of_line: scheme != Scheme::G4,
            rows_are_byte_aligned: false,
            encoding,
            strict: true,
        });
        let mut rows = Rows(Vec::new(), w);
        hayro_ccitt::decode(data, &mut rows, &mut ctx).expect("decodes");
        assert_eq!(rows.0.len(), h);
        rows.0.concat()
    }

    /// A page-like pattern: text-ish noise, long runs over 2560, full black and white rows.
    fn pattern(w: usize, h: usize, seed: u64) -> Vec<bool> {
        let mut s = seed;
        let mut px = vec![false; w * h];
        for y in 0..h {
            for x in 0..w {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let noise = (s >> 33) % 100 < 8;
                let bar = (x / 7 + y / 3) % 11 == 0;
                px[y * w + x] = match y % 17 {
                    0 => true,
                    1 => false,
                    2 => x < w / 3,
                    _ => noise || bar,
                };
            }
        }
        // A row whose runs cross the extended make-up codes.
        if h > 5 {
            for x in 0..w {
                px[5 * w + x] = x >= 1 && x < w - 1;
            }
        }
        px
    }

    #[test]
    fn every_scheme_round_trips_through_hayro_ccitt() {
        for (w, h) in [(1728usize, 40usize), (3000, 12), (13, 9), (1, 3)] {
            let px = pattern(w, h, w as u64);
            let img = Bilevel {
                width: w,
                height: h,
                pixels: &px,
            };
            for scheme in [
                Scheme::G3OneD,
                Scheme::G3TwoD { k: 2 },
                Scheme::G3TwoD { k: 4 },
                Scheme::G4,
            ] {
                let data = encode(&img, scheme);
                assert_eq!(decode(&data, w, h, scheme), px, "{scheme:?} {w}x{h}");
            }
        }
    }

    #[test]
    fn group4_is_much_smaller_than_raw_bits() {
        let (w, h) = (1728, 200);
        let mut px = vec![false; w * h];
        for y in 50..60 {
            px[y * w + 100..y * w + 900].fill(true);
        }
        let data = encode(
            &Bilevel {
                width: w,
                height: h,
                pixels: &px,
            },
            Scheme::G4,
        );
        assert!(data.len() < w * h / 8 / 50, "{} bytes", data.len());
    }
}

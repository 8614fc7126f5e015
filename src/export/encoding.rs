//! Text encodings of the exported CSV, and what cp932 cannot hold.

use encoding_rs::{EncoderResult, SHIFT_JIS};

/// How the CSV is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 with a byte-order mark: what Excel on Japanese Windows needs to open UTF-8 CSV
    /// as UTF-8 (without it, Excel assumes cp932 and shows mojibake).
    #[value(name = "utf8-bom")]
    Utf8Bom,
    Utf8,
    /// Windows' Shift_JIS, for older tools.
    Cp932,
}

/// A character cp932 cannot hold, replaced by `?` in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmappable {
    pub ch: char,
}

/// Characters Windows' cp932 holds but the WHATWG Shift_JIS encoder (encoding_rs) only
/// knows by another code point: cp932 decodes these bytes to the first of each pair, so
/// mapping to the second gives the bytes Excel reads back as the first.
const CP932_ALIASES: [(char, char); 6] = [
    ('～', '〜'), // FULLWIDTH TILDE, 0x8160
    ('∥', '‖'),   // PARALLEL TO, 0x8161
    ('－', '−'),  // FULLWIDTH HYPHEN-MINUS, 0x817C
    ('￠', '¢'),  // 0x8191
    ('￡', '£'),  // 0x8192
    ('￢', '¬'),  // 0x81CA
];

/// Encodes `s` as cp932; characters it cannot hold become `?` and are returned.
pub fn to_cp932(s: &str, out: &mut Vec<u8>) -> Vec<Unmappable> {
    let mut missing = Vec::new();
    let mut enc = SHIFT_JIS.new_encoder();
    let mut buf = [0u8; 16];
    let mut tmp = [0u8; 4];
    for ch in s.chars() {
        let mut try_char = |c: char, out: &mut Vec<u8>| -> bool {
            let (res, _, written) =
                enc.encode_from_utf8_without_replacement(c.encode_utf8(&mut tmp), &mut buf, false);
            match res {
                EncoderResult::InputEmpty => {
                    out.extend_from_slice(&buf[..written]);
                    true
                }
                _ => false,
            }
        };
        if try_char(ch, out) {
            continue;
        }
        let alias = CP932_ALIASES.iter().find(|(a, _)| *a == ch).map(|p| p.1);
        if let Some(a) = alias
            && try_char(a, out)
        {
            continue;
        }
        out.push(b'?');
        missing.push(Unmappable { ch });
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> (Vec<u8>, Vec<char>) {
        let mut out = Vec::new();
        let m = to_cp932(s, &mut out);
        (out, m.into_iter().map(|u| u.ch).collect())
    }

    #[test]
    fn cp932_holds_what_windows_holds() {
        // The answer options' own characters, Windows extensions and the tilde of 10～20％.
        for (s, bytes) in [
            ("千葉", vec![0x90, 0xe7, 0x97, 0x74]),
            ("～", vec![0x81, 0x60]),
            ("－", vec![0x81, 0x7c]),
            ("①", vec![0x87, 0x40]),
            ("髙", vec![0xfb, 0xfc]),
            ("ｱ", vec![0xb1]),
        ] {
            assert_eq!(enc(s), (bytes, vec![]), "{s}");
        }
    }

    #[test]
    fn cp932_reports_what_it_cannot_hold() {
        let (bytes, missing) = enc("𠮷野家😀a");
        assert_eq!(missing, vec!['𠮷', '😀']);
        assert_eq!(bytes[0], b'?');
        assert_eq!(*bytes.last().unwrap(), b'a');
    }
}

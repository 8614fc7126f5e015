//! Character folding shared by the stages that compare printed or read text (headers,
//! written fields, template labels, tally sheets).

/// Full-width ASCII (ＡＢＣ１２３) to ASCII, the ideographic space to a space; other
/// characters unchanged.
pub fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_ascii_is_narrowed_and_kana_kept() {
        let s: String = "ＦＡＸ０４３　あア％".chars().map(narrow).collect();
        assert_eq!(s, "FAX043 あア%");
    }
}

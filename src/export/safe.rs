//! Cells a spreadsheet would take for a formula.

use std::borrow::Cow;

/// Prefixes a cell that Excel or LibreOffice would evaluate as a formula (one starting
/// with `=`, `+`, `-`, `@`, or a tab or carriage return that hides one) with an
/// apostrophe, so it shows as the text it is. Handwriting read as `=1+1` or a file named
/// `-fax.tif` must never run as a formula on a colleague's machine.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formula_starts_are_defused_and_the_rest_untouched() {
        for s in ["=1+1", "+81 3", "-2", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(defuse(s), format!("'{s}"), "{s:?}");
        }
        for s in ["", "千葉", "12", "a=b", "'=x", "－特になし"] {
            assert_eq!(defuse(s), s, "{s:?}");
        }
    }
}

//! Tidying what Tesseract returns for Japanese.

pub use crate::chars::narrow;

/// Joins lines and drops the spaces Tesseract puts between Japanese characters, keeping
/// one space between two ASCII words; full-width ASCII becomes ASCII; vertical bars (a
/// streak or box line read as a character; nobody writes them in a comment) go.
pub fn tidy(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().map(narrow).filter(|&c| c != '|').collect();
    let mut out = String::new();
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev = out.chars().last().unwrap_or(' ');
            if prev.is_ascii_alphanumeric() && c.is_ascii_alphanumeric() {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// The digits of a reading (ASCII or full-width), in order.
pub fn digits(s: &str) -> String {
    s.chars()
        .map(narrow)
        .filter(|c| c.is_ascii_digit())
        .collect()
}

/// Character error rate of `read` against `truth`: edit distance over the truth's length,
/// whitespace ignored and full-width ASCII narrowed on both sides.
pub fn cer(read: &str, truth: &str) -> (usize, usize) {
    let norm = |s: &str| -> Vec<char> {
        s.chars()
            .map(narrow)
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let (r, t) = (norm(read), norm(truth));
    (super::prefecture::edit_distance(&r, &t), t.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_japanese_characters_go() {
        assert_eq!(tidy("保 険 証 を\n 持 参 し た \n"), "保険証を持参した");
        assert_eq!(tidy("ＯＫ です"), "OKです");
        assert_eq!(tidy("12 月 2 日"), "12月2日");
        assert_eq!(tidy("New York\n"), "New York");
        assert_eq!(tidy("  \n "), "");
    }

    #[test]
    fn digits_are_taken_from_either_width() {
        assert_eq!(digits("１2 件"), "12");
        assert_eq!(digits("件"), "");
    }

    #[test]
    fn cer_counts_edits_per_truth_character() {
        assert_eq!(cer("保険証", "保険証"), (0, 3));
        assert_eq!(cer("保検証", "保 険 証"), (1, 3));
        assert_eq!(cer("", "ab"), (2, 2));
    }
}

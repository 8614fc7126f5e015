//! What a recogniser saw of a printed number, kept small so that other readings of the
//! same number can be scored against it later: the pages of one fax carry the same
//! sender's number in their headers, each page's print damaged differently, and the
//! reading likeliest over all of them is surer than any page's own.

use super::ctc::{Frames, Greedy};
use std::ops::Range;

/// The characters a printed number is written with (`0475-12-3456`, `(0475)12-3456`);
/// with the blank, the classes kept.
pub const ALPHABET: [char; 14] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-', ' ', '(', ')',
];

/// The frames a number's characters are scored over reach this far on either side of
/// the frames they were first read at: CTC may read a character a frame or two before,
/// and a last character lasts a few more.
const MARGIN: usize = 2;
const TAIL: usize = 4;

/// One printed word as a recogniser read it, with its frames over the blank and
/// [`ALPHABET`].
#[derive(Debug, Clone)]
pub struct DigitEvidence {
    frames: Frames,
    /// The word as read, each character with the frame it was first read at.
    read: Vec<(char, usize)>,
}

impl DigitEvidence {
    /// `f` a word's frames, `g` its reading, `spell` a label's text, `classes` the
    /// model's blank (0) and its class of each character of [`ALPHABET`], in order.
    pub fn new(
        f: &Frames,
        g: &Greedy,
        spell: impl Fn(usize) -> String,
        classes: &[usize],
    ) -> DigitEvidence {
        let read = g
            .labels
            .iter()
            .zip(&g.starts)
            .flat_map(|(&l, &t)| spell(l).chars().map(move |c| (c, t)).collect::<Vec<_>>())
            .collect();
        DigitEvidence {
            frames: f.select(classes, 0..f.frames),
            read,
        }
    }

    /// The word as read.
    pub fn text(&self) -> String {
        self.read.iter().map(|r| r.0).collect()
    }

    /// The frames the characters `chars` were read from, with a margin.
    fn span(&self, chars: Range<usize>) -> Option<Range<usize>> {
        let first = self.read.get(chars.start)?.1;
        let last = self.read.get(chars.end.checked_sub(1)?)?.1;
        Some(first.saturating_sub(MARGIN)..last + TAIL)
    }

    /// Natural log of the probability that the characters `chars` of the word (indices
    /// into [`DigitEvidence::text`]'s characters) read `candidate` instead; `None` when
    /// the range is outside the word or `candidate` has a character outside
    /// [`ALPHABET`].
    pub fn score(&self, chars: Range<usize>, candidate: &str) -> Option<f64> {
        let span = self.span(chars)?;
        let labels: Vec<usize> = candidate
            .chars()
            .map(|c| ALPHABET.iter().position(|&a| a == c).map(|i| i + 1))
            .collect::<Option<_>>()?;
        let classes: Vec<usize> = (0..self.frames.classes).collect();
        Some(self.frames.select(&classes, span).log_likelihood(&labels))
    }
}

/// Evidence for tests: per frame, the character seen (`None`: the blank) and how surely,
/// the rest of the mass spread over the other classes.
#[cfg(test)]
pub fn test_evidence(seen: &[(Option<char>, f32)]) -> DigitEvidence {
    let classes = ALPHABET.len() + 1;
    let mut probs = Vec::new();
    for &(c, p) in seen {
        let class = c.map_or(0, |c| ALPHABET.iter().position(|&a| a == c).unwrap() + 1);
        let mut row = vec![(1.0 - p) / (classes - 1) as f32; classes];
        row[class] = p;
        probs.extend(row);
    }
    let f = Frames {
        frames: seen.len(),
        classes,
        probs,
    };
    let g = f.greedy(|_| true);
    let all: Vec<usize> = (0..classes).collect();
    DigitEvidence::new(&f, &g, |l| ALPHABET[l - 1].to_string(), &all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(seen: &[(Option<char>, f32)]) -> DigitEvidence {
        test_evidence(seen)
    }

    #[test]
    fn a_doubtful_digit_is_scored_near_its_rival_and_a_clear_one_far() {
        let b = (None, 0.9);
        let e = evidence(&[
            b,
            (Some('0'), 0.9),
            b,
            (Some('6'), 0.5),
            b,
            (Some('-'), 0.9),
            b,
            (Some('1'), 0.9),
            b,
        ]);
        assert_eq!(e.text(), "06-1");
        let read = e.score(0..4, "06-1").unwrap();
        let near = e.score(0..4, "05-1").unwrap();
        let far = e.score(0..4, "06-7").unwrap();
        assert!(read > near && near > far, "{read} {near} {far}");
        // Outside the word, or not a number's character: no score.
        assert_eq!(e.score(2..9, "1"), None);
        assert_eq!(e.score(0..4, "06-B"), None);
    }
}

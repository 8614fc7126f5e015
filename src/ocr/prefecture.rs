//! Matching a read prefecture name to one of Japan's 47 prefectures.
//!
//! Respondents write the name with or without its 都・道・府・県 (the form prints it after
//! the blank on some questionnaires), and OCR confuses similar kanji, so a reading is
//! matched to the closest name by edit distance, and the distance is reported so that a
//! doubtful match goes to a person.

/// The 47 names as tabulated (without 都・府・県; 北海道 keeps its 道, as in the seeds'
/// tables), and the suffix written after each.
pub const PREFECTURES: [(&str, &str); 47] = [
    ("北海道", ""),
    ("青森", "県"),
    ("岩手", "県"),
    ("宮城", "県"),
    ("秋田", "県"),
    ("山形", "県"),
    ("福島", "県"),
    ("茨城", "県"),
    ("栃木", "県"),
    ("群馬", "県"),
    ("埼玉", "県"),
    ("千葉", "県"),
    ("東京", "都"),
    ("神奈川", "県"),
    ("新潟", "県"),
    ("富山", "県"),
    ("石川", "県"),
    ("福井", "県"),
    ("山梨", "県"),
    ("長野", "県"),
    ("岐阜", "県"),
    ("静岡", "県"),
    ("愛知", "県"),
    ("三重", "県"),
    ("滋賀", "県"),
    ("京都", "府"),
    ("大阪", "府"),
    ("兵庫", "県"),
    ("奈良", "県"),
    ("和歌山", "県"),
    ("鳥取", "県"),
    ("島根", "県"),
    ("岡山", "県"),
    ("広島", "県"),
    ("山口", "県"),
    ("徳島", "県"),
    ("香川", "県"),
    ("愛媛", "県"),
    ("高知", "県"),
    ("福岡", "県"),
    ("佐賀", "県"),
    ("長崎", "県"),
    ("熊本", "県"),
    ("大分", "県"),
    ("宮崎", "県"),
    ("鹿児島", "県"),
    ("沖縄", "県"),
];

/// The best prefecture for a reading.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefectureMatch {
    /// The tabulated name (`千葉`, `北海道`).
    pub name: &'static str,
    /// Edit distance (in characters) between the reading and the closest written form.
    pub distance: usize,
    /// Distance of the next-best prefecture: a close runner-up makes the match doubtful.
    pub runner_up: usize,
}

impl PrefectureMatch {
    /// Sure enough to accept without a person: read exactly, or one character off where
    /// every other prefecture is at least three characters away.
    pub fn is_sure(&self) -> bool {
        self.distance == 0 || (self.distance == 1 && self.runner_up >= 3)
    }
}

/// Every character that appears in a prefecture name or suffix: the OCR whitelist for a
/// prefecture field.
pub fn alphabet() -> String {
    let mut cs: Vec<char> = PREFECTURES
        .iter()
        .flat_map(|(n, s)| n.chars().chain(s.chars()))
        .chain("都道府県".chars())
        .collect();
    cs.sort_unstable();
    cs.dedup();
    cs.into_iter().collect()
}

/// Closest prefecture to `read` (whitespace and punctuation ignored), or `None` when
/// nothing was read.
pub fn best_match(read: &str) -> Option<PrefectureMatch> {
    let s: Vec<char> = read
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !is_cjk_punct(*c))
        .collect();
    if s.is_empty() {
        return None;
    }
    let mut scored: Vec<(usize, &'static str)> = PREFECTURES
        .iter()
        .map(|(name, suffix)| {
            let short: Vec<char> = name.chars().collect();
            let long: Vec<char> = name.chars().chain(suffix.chars()).collect();
            (
                edit_distance(&s, &short).min(edit_distance(&s, &long)),
                *name,
            )
        })
        .collect();
    scored.sort_by_key(|&(d, _)| d);
    Some(PrefectureMatch {
        name: scored[0].1,
        distance: scored[0].0,
        runner_up: scored.get(1).map_or(usize::MAX, |x| x.0),
    })
}

fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '、' | '。' | '・' | '（' | '）' | '「' | '」' | '　' | '＿'
    )
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> PrefectureMatch {
        best_match(s).unwrap()
    }

    #[test]
    fn names_match_with_or_without_their_suffix() {
        for (name, suffix) in PREFECTURES {
            assert_eq!(m(name).name, name);
            assert_eq!(m(name).distance, 0);
            let long = format!("{name}{suffix}");
            assert_eq!(m(&long).name, name, "{long}");
            assert_eq!(m(&long).distance, 0);
        }
        assert_eq!(m("東京都").name, "東京");
        assert_eq!(m("京都府").name, "京都");
        assert_eq!(m(" 千 葉 ").distance, 0);
    }

    #[test]
    fn near_misses_are_matched_with_their_distance() {
        // One kanji misread: 千葉 read as 干葉.
        let x = m("干葉");
        assert_eq!((x.name, x.distance), ("千葉", 1));
        // A stray character from the printed suffix or a speck.
        let x = m("神奈川県,");
        assert_eq!((x.name, x.distance), ("神奈川", 0));
        // One character off, and 奈良 is two away: a person decides.
        let x = m("神奈州");
        assert_eq!((x.name, x.distance, x.runner_up), ("神奈川", 1, 2));
        assert!(!x.is_sure(), "{x:?}");
        // One character off with nothing else near: accepted.
        let x = m("鹿児鳥県");
        assert_eq!((x.name, x.distance), ("鹿児島", 1));
        assert!(x.is_sure(), "{x:?}");
        let x = m("和歌止");
        assert_eq!((x.name, x.distance, x.runner_up), ("和歌山", 1, 3));
    }

    #[test]
    fn ambiguous_near_misses_are_not_sure() {
        // 山口 / 山形 / 岡山 / 富山: one misread character leaves several at distance 1.
        let x = m("山日");
        assert_eq!(x.distance, 1);
        assert!(!x.is_sure(), "{x:?}");
        // 宮城 / 宮崎 differ in one character.
        let x = m("宮山");
        assert!(!x.is_sure(), "{x:?}");
        // Nothing like a prefecture.
        let x = m("あいうえお");
        assert!(x.distance >= 3 && !x.is_sure());
        assert_eq!(best_match("  "), None);
    }

    #[test]
    fn the_alphabet_holds_every_name() {
        let a = alphabet();
        for (name, suffix) in PREFECTURES {
            assert!(name.chars().chain(suffix.chars()).all(|c| a.contains(c)));
        }
    }
}

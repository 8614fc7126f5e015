//! Parsing a fax header line in the formats sending machines print.

use super::FaxHeader;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Reiwa year 1 is 2019.
const REIWA_BASE: u32 = 2018;

/// A date and time as one machine prints it: the pattern, with named groups `y`, `mo`
/// (a number or a month's name), `d`, and the time's groups (see [`TIME`]).
struct DateFormat {
    re: Regex,
    /// The year is Reiwa's (R08 is 2026).
    reiwa: bool,
}

/// A time of day: `17:11`, `16時04分`, `10:23AM`, `PM 3:05`, `午後3時05分`.
/// (An AM or PM after the time stands alone: not the start of a name such as AMANO.)
const TIME: &str = r"(?:(?P<ap1>AM|PM|午前|午後)\s*)?(?P<h>\d{1,2})\s*[:時]\s*(?P<mi>\d{2})\s*分?(?:\s*(?P<ap2>AM|PM)(?:[^A-Za-z]|$))?";
/// What may stand between a date and its time: a weekday, `(火)`, `（火）` or `TUE`.
const WEEKDAY: &str = r"(?:\s*[(（]\s*[^)）\s]{1,3}\s*[)）]|\s+[A-Za-z]{3}\.?)?\s*";

struct Patterns {
    /// Tried in this order:
    /// - R08.11.07 18:36 (Reiwa year)
    /// - 2026年11月23日 16時04分, 2026-12-20 08:39, 2026/12/01(火) 10:23
    /// - 12/20 2026 15:27, 12/20/2026 03:27PM
    /// - 23-NOV-26 17:11, 01 DEC 2026 10:23
    /// - DEC-01-2026 TUE 10:23AM
    dates: Vec<DateFormat>,
    /// A run of digit groups with hyphens or single spaces between (a recogniser often
    /// reads a header's small hyphen as a gap).
    number: Regex,
    /// A number in the international form (`+81 3 1234 5678`, `+81 (0)3-...`): its
    /// domestic form starts with 0 where `+81` stands.
    international: Regex,
    /// An area code in brackets (`(03)1234-5678`, `03(1234)5678`).
    bracketed: Regex,
    /// P01/02, P1/1, P.001
    page_p: Regex,
    /// 1/2 at the end
    page_slash: Regex,
    /// 001 at the end
    page_bare: Regex,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).expect("a valid pattern");
    let date = |d: &str, reiwa: bool| DateFormat {
        re: re(&format!("{d}{WEEKDAY}{TIME}")),
        reiwa,
    };
    Patterns {
        dates: vec![
            date(r"R\s*(?P<y>\d{1,2})\.(?P<mo>\d{1,2})\.(?P<d>\d{1,2})", true),
            date(
                r"(?P<y>\d{4})\s*[年/\-.]\s*(?P<mo>\d{1,2})\s*[月/\-.]\s*(?P<d>\d{1,2})\s*日?",
                false,
            ),
            date(r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})[\s/]*(?P<y>\d{4})", false),
            date(
                r"(?P<d>\d{1,2})[\-\s]?(?P<mo>[A-Za-z]{3})[\-\s]?(?P<y>\d{2}(?:\d{2})?)",
                false,
            ),
            date(
                r"(?P<mo>[A-Za-z]{3})[\-\s.]?(?P<d>\d{1,2})[\-\s,]*(?P<y>\d{4})",
                false,
            ),
        ],
        number: re(r"\d+(?:[\- ]\d+)*"),
        international: re(r"[+十]\s*81[\s\-]*(?:\(\s*0\s*\)[\s\-]*|0[\s\-]*)?([1-9])"),
        bracketed: re(r"\((\d{1,5})\)\s*(\d)"),
        page_p: re(r"P\.?\s*0*(\d{1,3})(?:\s*/\s*0*(\d{1,3}))?"),
        page_slash: re(r"(?:^|\s)0*(\d{1,3})\s*/\s*0*(\d{1,3})\s*$"),
        page_bare: re(r"(?:^|\s)(\d{3})\s*$"),
    }
});

/// The date and time in `text` as `YYYY-MM-DDTHH:MM`, and where it was found.
fn sent_at(text: &str) -> Option<(Option<String>, std::ops::Range<usize>)> {
    let num = |c: &regex::Captures, g: &str| c.name(g).and_then(|m| m.as_str().parse::<u32>().ok());
    PATTERNS.dates.iter().find_map(|f| {
        let c = f.re.captures(text)?;
        let span = c.get(0)?.range();
        let month = num(&c, "mo").or_else(|| {
            let name = c.name("mo")?.as_str();
            MONTHS
                .iter()
                .position(|m| m.eq_ignore_ascii_case(name))
                .map(|i| i as u32 + 1)
        });
        let year = num(&c, "y").map(|y| match (f.reiwa, y) {
            (true, y) => REIWA_BASE + y,
            (false, y) if y < 100 => 2000 + y,
            (false, y) => y,
        });
        let ap = c.name("ap1").or(c.name("ap2")).map(|m| m.as_str());
        let hour = num(&c, "h").map(|h| match ap {
            Some("PM" | "午後") if h < 12 => h + 12,
            Some("AM" | "午前") if h == 12 => 0,
            _ => h,
        });
        let stamp = match (year, month, num(&c, "d"), hour, num(&c, "mi")) {
            (Some(y), Some(mo), Some(d), Some(h), Some(mi))
                if (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 =>
            {
                Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}"))
            }
            _ => None,
        };
        Some((stamp, span))
    })
}

/// `text` with an international or bracketed fax number written as a domestic one
/// (`+81 3 1234 5678` → `03 1234 5678`, `(03)1234-5678` → `03-1234-5678`).
fn domestic(text: &str) -> String {
    let p = &*PATTERNS;
    let t = p.international.replace_all(text, "0$1");
    p.bracketed.replace_all(&t, "$1-$2").into_owned()
}

/// The header fields of one read line. OCR's full-width forms and letter-for-digit
/// confusions inside numbers are undone first; what cannot be found stays `None`.
pub fn parse(line: &str) -> FaxHeader {
    let p = &*PATTERNS;
    let read: String = line.chars().map(crate::ocr::text::narrow).collect();
    let read = read.trim().to_string();
    let num = |s: &str| s.parse::<u32>().ok();
    // Dates and numbers are found in the line with its numbers written domestically.
    let text = domestic(&read);
    let (sent_at, date_span) = match sent_at(&text) {
        Some((at, span)) => (at, Some(span)),
        None => (None, None),
    };
    // The sender: a number of 10 or 11 digits starting with 0 (a Japanese fax number with
    // its area code), outside the date; one after "FAX" is preferred.
    let outside_date = |r: &std::ops::Range<usize>| {
        date_span
            .as_ref()
            .is_none_or(|d| r.end <= d.start || r.start >= d.end)
    };
    // Letters a recogniser reads for digits between digits (04/5 for 0475, @ for 0), for
    // the number only: the page's "1/2" is parsed below from the text without them.
    let digitish = undo_confusions(&text);
    let mut candidates: Vec<(usize, String)> = Vec::new();
    for m in p.number.find_iter(&digitish) {
        // Consecutive groups starting with 0 that make 10 or 11 digits: the number, with
        // a "#1234" or page count after it left out.
        let groups: Vec<(usize, &str)> = m
            .as_str()
            .split([' ', '-'])
            .scan(m.start(), |at, g| {
                let here = *at;
                *at += g.len() + 1;
                Some((here, g))
            })
            .filter(|(at, g)| outside_date(&(*at..at + g.len())))
            .collect();
        for i in 0..groups.len() {
            if !groups[i].1.starts_with('0') {
                continue;
            }
            let mut digits = String::new();
            for g in &groups[i..] {
                digits.push_str(g.1);
                if digits.len() >= 10 {
                    break;
                }
            }
            if (10..=11).contains(&digits.len()) {
                candidates.push((groups[i].0, digits));
                break;
            }
        }
    }
    let after_fax = candidates
        .iter()
        .find(|(at, _)| text[..*at].trim_end().to_ascii_uppercase().ends_with("FAX"));
    let sender = after_fax.or(candidates.first()).map(|c| c.1.clone());
    let (page, pages) = if let Some(c) = p.page_p.captures(&text) {
        (
            c.get(1).and_then(|m| num(m.as_str())),
            c.get(2).and_then(|m| num(m.as_str())),
        )
    } else if let Some(c) = p.page_slash.captures(&text) {
        (num(&c[1]), num(&c[2]))
    } else if let Some(c) = p.page_bare.captures(&text) {
        (num(&c[1]), None)
    } else {
        (None, None)
    };
    FaxHeader {
        text: read,
        sender,
        sent_at,
        page,
        pages,
    }
}

/// Letters and signs a recogniser takes small printed digits for (`047B-31-7616`,
/// `04/5-80-1215`, `@376296138`).
const DIGIT_LOOKALIKES: &str = "BOo@/IlDSZGbgqQ|";
/// Those among them that stand for a zero, which opens every fax number in Japan.
const ZERO_LOOKALIKES: &str = "0Oo@DQ";
/// A fax number has ten or eleven digits; one or two may be lost or merged in small print.
const NUMBER_CHARS: usize = 9;

/// Where a line read from a header holds a fax number, perhaps with letters read for
/// some of its digits: character ranges (indices into `text`'s characters) to decode
/// again as digits only. The recogniser reads the header's small print without the
/// spaces a machine put between its parts often enough (`2026 11:29 FAX 04340//941`,
/// `14:3bb FA× 04b6b/8421 青端台`) that the number is looked for inside a word, not only
/// as a word of its own.
///
/// A number is a run of digits, hyphens, brackets and digit lookalikes, opening with a zero or a letter for one, of
/// [`NUMBER_CHARS`] characters or more besides hyphens and brackets, six in ten of them
/// digits. A date (`2026-12-20`, `11/10202615`) opens with another digit; a time, a
/// page or a transmission number is shorter.
pub fn number_spans(text: &str) -> Vec<Range<usize>> {
    let cs: Vec<char> = text.chars().map(crate::ocr::text::narrow).collect();
    let part = |i: usize| {
        let c = cs[i];
        c.is_ascii_digit() || "-()".contains(c) || DIGIT_LOOKALIKES.contains(c)
    };
    let mut spans = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        if !part(i) {
            i += 1;
            continue;
        }
        let run_end = (i..cs.len()).find(|&j| !part(j)).unwrap_or(cs.len());
        // The number opens at its zero (brackets or letters before it are not its own).
        if let Some(open) = (i..run_end).find(|&j| ZERO_LOOKALIKES.contains(cs[j])) {
            let body = &cs[open..run_end];
            let chars = body.iter().filter(|c| !"-()".contains(**c)).count();
            let digits = body.iter().filter(|c| c.is_ascii_digit()).count();
            // A digit before the zero: a date or a count, not a number opening there.
            let opens_at_run = (i..open).all(|j| !cs[j].is_ascii_digit());
            if opens_at_run && chars >= NUMBER_CHARS && digits * 10 >= chars * 6 {
                spans.push(open..run_end);
            }
        }
        i = run_end;
    }
    spans
}

/// `text` with the characters a recogniser confuses with digits replaced where they sit
/// between digits (or a digit and a hyphen), byte offsets kept.
pub(super) fn undo_confusions(text: &str) -> String {
    let cs: Vec<char> = text.chars().collect();
    let numeric = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_digit() || *c == '-');
    cs.iter()
        .enumerate()
        .map(|(i, &c)| {
            let prev = i.checked_sub(1).and_then(|j| cs.get(j));
            let between = numeric(prev) && numeric(cs.get(i + 1));
            // A zero also opens a number: after a space, before a digit.
            let opens = !prev.is_some_and(|c| c.is_alphanumeric()) && numeric(cs.get(i + 1));
            match c {
                '/' if between => '7',
                'O' | 'o' | '@' if between || opens => '0',
                'I' | 'l' if between => '1',
                _ => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> (Option<String>, Option<String>, Option<u32>, Option<u32>) {
        let x = parse(s);
        (x.sender, x.sent_at, x.page, x.pages)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn the_machine_formats_are_parsed() {
        assert_eq!(
            h("23-NOV-26 17:11 たかはし眼科 0526429762 P01/01"),
            (
                some("0526429762"),
                some("2026-11-23T17:11"),
                Some(1),
                Some(1)
            )
        );
        assert_eq!(
            h("2026年11月23日 16時04分  ひまわり診療所  FAX 0120-81-6013  P1/1"),
            (
                some("0120816013"),
                some("2026-11-23T16:04"),
                Some(1),
                Some(1)
            )
        );
        assert_eq!(
            h("12/20 2026 15:27 FAX 0361263299 中央歯科 #4314 P.001"),
            (some("0361263299"), some("2026-12-20T15:27"), Some(1), None)
        );
        assert_eq!(
            h("R08.11.07 18:36   0343571601   いとう皮ふ科   001"),
            (some("0343571601"), some("2026-11-07T18:36"), Some(1), None)
        );
        assert_eq!(
            h("2026-12-20 08:39  CLINIC  043-4878-8623  #8555  1/2"),
            (
                some("04348788623"),
                some("2026-12-20T08:39"),
                Some(1),
                Some(2)
            )
        );
        assert_eq!(
            h("2026年12月 6日 19時01分  ｶﾜｸﾞﾁ ｼｶ  FAX 0120-21-5700  P1/1"),
            (
                some("0120215700"),
                some("2026-12-06T19:01"),
                Some(1),
                Some(1)
            )
        );
    }

    #[test]
    fn international_numbers_weekdays_and_twelve_hour_clocks() {
        assert_eq!(
            h("DEC-01-2026 TUE 10:23AM   FROM: +81 3 1234 5678   CLINIC   P.001"),
            (some("0312345678"), some("2026-12-01T10:23"), Some(1), None)
        );
        assert_eq!(
            h("2026/12/01(火) 22:15  山田医院  TEL/FAX (0475)12-3456  P.1/2"),
            (
                some("0475123456"),
                some("2026-12-01T22:15"),
                Some(1),
                Some(2)
            )
        );
        assert_eq!(
            h("01 DEC 2026 PM 3:05 +81-(0)92-123-4567 P01/01").1,
            some("2026-12-01T15:05")
        );
        assert_eq!(
            h("01 DEC 2026 PM 3:05 +81-(0)92-123-4567 P01/01").0,
            some("0921234567")
        );
        assert_eq!(
            h("2026年12月1日(火) 午後3時05分 FAX 03(1234)5678").1,
            some("2026-12-01T15:05")
        );
        assert_eq!(
            h("2026年12月1日(火) 午後3時05分 FAX 03(1234)5678").0,
            some("0312345678")
        );
        assert_eq!(
            h("12/20/2026 12:10AM FAX 0361263299").1,
            some("2026-12-20T00:10")
        );
        // A name after the time is not its AM or PM; a domestic 0 after +81 is not doubled.
        assert_eq!(
            h("2026-12-20 12:30 AMANO CLINIC +81 0476-31-7618").1,
            some("2026-12-20T12:30")
        );
        assert_eq!(
            h("2026-12-20 12:30 AMANO CLINIC +81 0476-31-7618").0,
            some("0476317618")
        );
        // The line is kept as read.
        assert_eq!(parse("＋８１ ３ １２３４ ５６７８").text, "+81 3 1234 5678");
    }

    #[test]
    fn hyphens_read_as_gaps_and_letters_read_for_digits() {
        assert_eq!(
            h("2026 11 09 09:00 ﾆｼﾑﾗ 0120 65 4560 #2653 1/2").0,
            some("0120654560")
        );
        assert_eq!(
            h("2026-11-06 09:33 CLINIC 04/5-80-1215 #0645 2/2").0,
            some("0475801215")
        );
        assert_eq!(
            h("11/05 2026 09:57 FAX @376296138 CL1NIC").0,
            some("0376296138")
        );
        // The page count after the number is not part of it.
        assert_eq!(
            h("R08.12.20 17:48 0348741673 CLINIC 001").0,
            some("0348741673")
        );
    }

    #[test]
    fn fax_numbers_read_with_letters_are_found_inside_words() {
        let spans = |t: &str| -> Vec<String> {
            let cs: Vec<char> = t.chars().collect();
            number_spans(t)
                .into_iter()
                .map(|r| cs[r].iter().collect())
                .collect()
        };
        assert_eq!(spans("047B-31-7616"), ["047B-31-7616"]);
        assert_eq!(spans("04/5-80-1215"), ["04/5-80-1215"]);
        assert_eq!(spans("0475862709"), ["0475862709"]);
        assert_eq!(spans("FAX020/8/1499"), ["020/8/1499"]);
        assert_eq!(spans("(0475)12-3456"), ["0475)12-3456"]);
        // Run together with the date and the name by the recogniser.
        assert_eq!(spans("2026 11:29 FAX 04340//941"), ["04340//941"]);
        assert_eq!(spans("14:3bb FA× 04b6b/8421 青端台クリ"), ["04b6b/8421"]);
        // The page after it, run on: not a part of the number.
        assert_eq!(spans("FAX011-8616-6724P1/2"), ["011-8616-6724"]);
        assert_eq!(spans("０４７５８６２７０９"), ["０４７５８６２７０９"]);
        // Dates, times, page and transmission numbers are not fax numbers.
        for t in [
            "R08.12.05",
            "#8555",
            "2026-12-20",
            "11/10202615:32",
            "P.001",
            "09:22",
            "さくら内科クリニック",
            "CLINIC",
        ] {
            assert!(spans(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn full_width_digits_and_missing_parts() {
        assert_eq!(
            h("２０２６－１２－２０ ０８：３９ ＣＬＩＮＩＣ ０４３－４８７８－８６２３"),
            (some("04348788623"), some("2026-12-20T08:39"), None, None)
        );
        // No number of a fax's length: no sender, rather than a wrong one.
        assert_eq!(h("中央歯科 #4314").0, None);
        assert_eq!(h(""), (None, None, None, None));
    }
}

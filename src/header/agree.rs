//! One sender per transmission: the pages of one received file came in one call, and the
//! header of each carries the same sender's number, its small print damaged differently
//! on each page. A page's own reading is replaced by the reading likeliest over all the
//! pages that read (nearly) the same number, scored against what the recogniser saw on
//! each ([`DigitEvidence`]).

use super::FaxHeader;
use super::parse::undo_confusions;
use crate::ocr::digits::DigitEvidence;
use std::ops::Range;

/// Readings this many edits apart or fewer are one number misread (a fax number differs
/// from another sender's in most of its digits); further apart, another transmission's.
const SAME_NUMBER: usize = 3;

/// A page's header as read, with what the recogniser saw of each of its words (none when
/// the engine keeps nothing, as Tesseract).
#[derive(Debug, Clone, Default)]
pub struct HeardPage {
    pub header: Option<FaxHeader>,
    pub words: Vec<DigitEvidence>,
}

/// Settles the sender's number over the pages of one received file (in page order),
/// `file_name` the name the fax server gave it.
///
/// Pages whose readings are linked by steps of at most [`SAME_NUMBER`] edits form one
/// transmission; each takes the reading that is likeliest over those of its pages where
/// the recogniser's evidence for the number was found. Where none was (Tesseract keeps
/// none; a number in its international form is not found in the word as read), the
/// readings are left. (Two faxes in one file from numbers a few digits apart would be
/// taken for one; a fax server writes one call to a file.)
///
/// Many fax servers name a received file with the caller's number (the sending
/// machine's identity, sent as data, not print). A fax number in the file name that has
/// as many digits as the reading and differs from it in at most [`SAME_NUMBER`] digits
/// is the number the small print shows, misread. (A number with a digit more or fewer is
/// printed differently from the server's record, and the header is what is reported.)
///
/// A page with a header line but no number read takes the number when the file holds
/// one transmission.
pub fn agree(pages: &mut [HeardPage], file_name: &str) {
    let read: Vec<Option<String>> = pages
        .iter()
        .map(|p| p.header.as_ref().and_then(|h| h.sender.clone()))
        .collect();
    let groups = group(&read);
    for g in &groups {
        // Per page of the group that has it: where its number was read, and as what.
        let found: Vec<(&str, Located)> = g
            .iter()
            .filter_map(|&i| {
                let r = read[i].as_deref()?;
                Some((r, locate(&pages[i].words, r)?))
            })
            .collect();
        if found.is_empty() {
            continue;
        }
        // Each candidate with the shape it was read in (its hyphens, spaces, brackets).
        let mut candidates: Vec<(String, &str)> = found
            .iter()
            .flat_map(|(r, f)| possible(r).into_iter().map(|c| (c, f.run.as_str())))
            .collect();
        candidates.sort_unstable();
        candidates.dedup_by(|a, b| a.0 == b.0);
        let score = |(c, own): (&str, &str)| -> f64 {
            found
                .iter()
                .map(|(_, Located { ev, chars, run })| {
                    // Written as this page shows the number when it read as many digits,
                    // else as the candidate's own page showed it.
                    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
                    let shape = if digits(run) == c.len() { run } else { own };
                    ev.score(chars.clone(), &shaped(shape, c))
                        .unwrap_or(f64::NEG_INFINITY)
                })
                .sum()
        };
        let best = candidates
            .iter()
            .map(|(c, own)| (c.as_str(), score((c, own))))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(c, _)| c.to_string());
        for &i in g {
            if let Some(h) = pages[i].header.as_mut() {
                h.sender = best.clone();
            }
        }
    }
    for h in pages.iter_mut().filter_map(|p| p.header.as_mut()) {
        if let Some(n) = h.sender.as_deref().and_then(|s| recorded(file_name, s)) {
            h.sender = Some(n);
        }
    }
    if let [g] = groups.as_slice() {
        let sender = pages[g[0]].header.as_ref().and_then(|h| h.sender.clone());
        for p in pages.iter_mut() {
            if let Some(h) = p.header.as_mut().filter(|h| h.sender.is_none()) {
                h.sender = sender.clone();
            }
        }
    }
}

/// The numbers a reading may stand for: itself, or where it opens with two zeros (which
/// dial abroad: a number in Japan opens with one), the numbers with its second digit read
/// as any other.
fn possible(read: &str) -> Vec<String> {
    match read.strip_prefix("00") {
        Some(rest) => (1..=9).map(|d| format!("0{d}{rest}")).collect(),
        None => vec![read.to_string()],
    }
}

/// The fax number in `file_name` (10 or 11 digits starting with 0, between other
/// characters than digits) that differs from `read` only in a few digits.
fn recorded(file_name: &str, read: &str) -> Option<String> {
    file_name
        .split(|c: char| !c.is_ascii_digit())
        .find(|n| {
            (10..=11).contains(&n.len())
                && n.starts_with('0')
                && n.len() == read.len()
                && n.chars().zip(read.chars()).filter(|(a, b)| a != b).count() <= SAME_NUMBER
        })
        .map(str::to_string)
}

/// The pages with a number read, grouped: two pages are in one group when a chain of
/// readings, each within [`SAME_NUMBER`] edits of the next, joins them (whatever the
/// pages' order). Groups and their pages in page order.
fn group(read: &[Option<String>]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, r) in read.iter().enumerate() {
        let Some(r) = r else { continue };
        let near = |g: &Vec<usize>| {
            g.iter().any(|&j| {
                read[j]
                    .as_deref()
                    .is_some_and(|s| edits(r, s) <= SAME_NUMBER)
            })
        };
        // Every group this reading is near joins it.
        let (joined, apart): (Vec<Vec<usize>>, Vec<Vec<usize>>) =
            groups.into_iter().partition(near);
        let mut merged: Vec<usize> = joined.into_iter().flatten().chain([i]).collect();
        merged.sort_unstable();
        groups = apart;
        groups.push(merged);
    }
    groups.sort_by_key(|g| g[0]);
    groups
}

/// Where a page's number was read.
struct Located<'a> {
    /// The word.
    ev: &'a DigitEvidence,
    /// The characters of the word the number was read from (with the hyphens, spaces and
    /// brackets between its digits) ...
    chars: Range<usize>,
    /// ... and those characters.
    run: String,
}

/// The word where `digits` were read, and the characters they were read from.
fn locate<'a>(words: &'a [DigitEvidence], digits: &str) -> Option<Located<'a>> {
    words.iter().find_map(|ev| {
        let text: Vec<char> = undo_confusions(
            &ev.text()
                .chars()
                .map(crate::ocr::text::narrow)
                .collect::<String>(),
        )
        .chars()
        .collect();
        let digit_at: Vec<usize> = (0..text.len())
            .filter(|&i| text[i].is_ascii_digit())
            .collect();
        let all: String = digit_at.iter().map(|&i| text[i]).collect();
        let n = digits.chars().count();
        (0..=all.len().checked_sub(n)?).find_map(|k| {
            let (a, b) = (digit_at[k], digit_at[k + n - 1]);
            let run: String = text[a..=b].iter().collect();
            let joined = run
                .chars()
                .all(|c| c.is_ascii_digit() || "- ()".contains(c));
            (joined && all[k..k + n] == *digits).then(|| Located {
                ev,
                chars: a..b + 1,
                run,
            })
        })
    })
}

/// `candidate`'s digits written in the shape of `run` (its hyphens and spaces kept where
/// they were read); digits beyond the run's are added at its end, and a shorter
/// candidate ends the run early.
fn shaped(run: &str, candidate: &str) -> String {
    let mut digits = candidate.chars();
    let mut out = String::new();
    for c in run.chars() {
        if c.is_ascii_digit() {
            match digits.next() {
                Some(d) => out.push(d),
                None => break,
            }
        } else {
            out.push(c);
        }
    }
    out.extend(digits);
    out.trim_end_matches(['-', ' ']).to_string()
}

/// Levenshtein distance between two strings of digits.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_distances() {
        assert_eq!(shaped("0476-31-7616", "0475317618"), "0475-31-7618");
        assert_eq!(shaped("0476 31 7616", "04753176189"), "0475 31 76189");
        assert_eq!(shaped("047-631-7616", "047631761"), "047-631-761");
        assert_eq!(edits("0475317618", "0476317616"), 2);
        assert_eq!(edits("01150511640", "0115051640"), 1);
        assert_eq!(edits("0475317618", "0926591146"), 8);
    }

    /// A page whose header read `shown`, each character surely but those at the
    /// positions `doubt`.
    fn page(shown: &str, doubt: &[usize]) -> HeardPage {
        let mut seen = vec![(None, 0.9)];
        for (i, c) in shown.chars().enumerate() {
            let p = if doubt.contains(&i) { 0.45 } else { 0.95 };
            seen.push((Some(c), p));
            seen.push((None, 0.9));
        }
        HeardPage {
            header: Some(FaxHeader {
                text: shown.to_string(),
                sender: Some(shown.replace('-', "")),
                ..Default::default()
            }),
            words: vec![crate::ocr::digits::test_evidence(&seen)],
        }
    }

    #[test]
    fn the_pages_of_a_fax_settle_its_number_together() {
        // Page 1 read a damaged 5 as 6, doubtfully; page 2 read it surely; page 3 found the
        // header line but no number; page 4 is another sender's.
        let mut pages = vec![
            page("0476-31-7618", &[3]),
            page("0475-31-7618", &[]),
            HeardPage {
                header: Some(FaxHeader::default()),
                words: Vec::new(),
            },
            page("0926591145", &[]),
        ];
        agree(&mut pages, "rx000086.tif");
        let sender = |i: usize| pages[i].header.as_ref().unwrap().sender.clone();
        assert_eq!(sender(0).as_deref(), Some("0475317618"));
        assert_eq!(sender(1).as_deref(), Some("0475317618"));
        // Two transmissions in the file: the page without a number is not guessed.
        assert_eq!(sender(2), None);
        assert_eq!(sender(3).as_deref(), Some("0926591145"));
        // One transmission: it is.
        pages.pop();
        pages[2].header.as_mut().unwrap().sender = None;
        agree(&mut pages, "rx000086.tif");
        assert_eq!(
            pages[2].header.as_ref().unwrap().sender.as_deref(),
            Some("0475317618")
        );
        // Without evidence (Tesseract), each page keeps its own reading.
        let mut bare = vec![page("0476317618", &[]), page("0475317618", &[])];
        bare.iter_mut().for_each(|p| p.words.clear());
        agree(&mut bare, "rx000086.tif");
        assert_eq!(
            bare[0].header.as_ref().unwrap().sender.as_deref(),
            Some("0476317618")
        );
    }

    #[test]
    fn a_number_never_opens_with_two_zeros() {
        assert_eq!(possible("0475317618"), ["0475317618"]);
        let p = possible("0025371436");
        assert_eq!(p.len(), 9);
        assert!(
            p.iter()
                .all(|c| c.len() == 10 && c.starts_with('0') && !c.starts_with("00"))
        );
        // The second zero doubtful: the likeliest number that can be dialled instead.
        let mut pages = vec![page("0025371436", &[1])];
        agree(&mut pages, "fax00021.png");
        let sender = pages[0].header.as_ref().unwrap().sender.clone().unwrap();
        assert!(
            sender.starts_with('0') && !sender.starts_with("00"),
            "{sender}"
        );
        assert_eq!(&sender[2..], "25371436");
    }

    #[test]
    fn the_callers_number_in_the_file_name_settles_misread_digits() {
        let one = || vec![page("0110140769", &[])];
        let sender = |p: &[HeardPage]| p[0].header.as_ref().unwrap().sender.clone();
        let mut p = one();
        agree(&mut p, "2026-12-12-0118440769-141.tif");
        assert_eq!(sender(&p).as_deref(), Some("0118440769"));
        // Not a number near the one printed, or printed with a digit more: left.
        for name in [
            "2026-12-12-0926591145-141.tif",
            "2026-12-12-011044076-141.tif",
            "0001104407690.tif",
        ] {
            let mut p = one();
            agree(&mut p, name);
            assert_eq!(sender(&p).as_deref(), Some("0110140769"), "{name}");
        }
        let mut p = vec![page("01150511640", &[])];
        agree(&mut p, "2026-12-04-0115051640-028.tif");
        assert_eq!(sender(&p).as_deref(), Some("01150511640"));
    }

    #[test]
    fn pages_are_grouped_by_near_readings() {
        let r = |s: &str| Some(s.to_string());
        let read = [r("0475317618"), None, r("0476317616"), r("0926591146")];
        assert_eq!(group(&read), vec![vec![0, 2], vec![3]]);
        // A reading between two groups joins them, in whichever order the pages come.
        let (a, b, c) = (r("0475317618"), r("0475317000"), r("0475310000"));
        assert_eq!(
            group(&[a.clone(), c.clone(), b.clone()]),
            vec![vec![0, 1, 2]]
        );
        assert_eq!(group(&[a, b, c]), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_page_whose_number_is_not_found_in_its_words_sits_out() {
        // Page 2's number was read, but its words do not show it (read in another form):
        // pages 1 and 3 settle the number, and page 2 takes it.
        let mut pages = vec![
            page("0476-31-7618", &[3]),
            page("0475-31-7618", &[]),
            page("0475-31-7618", &[]),
        ];
        pages[1].words = vec![crate::ocr::digits::test_evidence(&[(Some('1'), 0.9)])];
        pages[2].header.as_mut().unwrap().sender = Some("0475317618".into());
        agree(&mut pages, "rx.tif");
        for p in &pages {
            assert_eq!(
                p.header.as_ref().unwrap().sender.as_deref(),
                Some("0475317618")
            );
        }
    }
}

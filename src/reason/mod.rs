//! Why a cell needs a person: the review reason as a type.
//!
//! Stages raise reasons (marks: a doubtful box; ocr: a doubtful field; run: the consistency
//! rules and missing pages); the store keeps them as JSON beside their English text;
//! review.csv writes the text and the codes; the review page shows the Japanese; score
//! and the tally read the codes. Each reason's code, English and Japanese are exhaustive
//! matches below, so a new reason cannot be raised without all three.

mod legacy;

use crate::marks::Doubt;
use serde::{Deserialize, Serialize};

/// One reason a cell of a response needs a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// A box whose reading is doubtful, and why.
    Box {
        doubt: Doubt,
        option: u32,
        label: String,
    },
    /// Two or more options marked in a single-choice question.
    TwoMarks,
    /// An option that excludes the others marked together with others.
    ExclusiveWithOthers {
        option: u32,
    },
    /// A sub-option marked while its parent option is not.
    SubWithoutParent {
        sub: u32,
        parent: u32,
    },
    /// A その他（ ）-style field written in while its option is left unmarked.
    WrittenOptionUnmarked {
        field: String,
        option: u32,
    },
    /// The page of the form this cell is on is not in the fax.
    MissingPage {
        page: usize,
    },
    /// The same answers from the same fax number as an earlier response: sent twice?
    Resent {
        of: String,
        sender: String,
    },
    /// A field taken for blank despite a little ink in it (`ink` pixels).
    Faint {
        ink: u32,
    },
    /// A field taken for blank whose strokes read as rules or brackets only.
    FaintRead {
        read: String,
    },
    /// Writing found but not read (the recogniser failed or is off).
    NotRead {
        error: String,
    },
    /// A prefecture read only approximately.
    Prefecture {
        read: String,
        closest: String,
        distance: usize,
        runner_up: usize,
    },
    /// A prefecture decoded among the 47 names without a clear winner, or with writing
    /// the names do not explain: the likeliest three with their shares.
    PrefectureUnsure {
        read: String,
        top: Vec<(String, f32)>,
    },
    NoPrefecture,
    NoDigits,
    /// Digits read with low confidence.
    NumberUnsure {
        digits: String,
    },
    NoText,
    /// Free text read with low confidence.
    TextUnsure,
    /// A field that a page-level doubt touches (cut-off page, repaired image).
    Field {
        doubt: Doubt,
    },
    /// A reason stored by a version before reasons were typed: its English text.
    Legacy {
        text: String,
    },
}

impl Reason {
    /// The stable code: review.csv's `reason_code`, the store's JSON tag.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Box { doubt, .. } => doubt_code(*doubt),
            Reason::TwoMarks => "two_marks",
            Reason::ExclusiveWithOthers { .. } => "exclusive_with_others",
            Reason::SubWithoutParent { .. } => "sub_without_parent",
            Reason::WrittenOptionUnmarked { .. } => "written_option_unmarked",
            Reason::MissingPage { .. } => "missing_page",
            Reason::Resent { .. } => "resent",
            Reason::Faint { .. } => "faint",
            Reason::FaintRead { .. } => "faint_read",
            Reason::NotRead { .. } => "not_read",
            Reason::Prefecture { .. } => "prefecture",
            Reason::PrefectureUnsure { .. } => "prefecture_unsure",
            Reason::NoPrefecture => "no_prefecture",
            Reason::NoDigits => "no_digits",
            Reason::NumberUnsure { .. } => "number_unsure",
            Reason::NoText => "no_text",
            Reason::TextUnsure => "text_unsure",
            Reason::Field { doubt } => doubt_code(*doubt),
            Reason::Legacy { .. } => "legacy",
        }
    }

    /// English, as review.csv writes it.
    pub fn english(&self) -> String {
        match self {
            Reason::Box {
                doubt,
                option,
                label,
            } => format!("{} (option {option} {label})", doubt_english(*doubt)),
            Reason::TwoMarks => "two or more marks in a single-choice question".into(),
            Reason::ExclusiveWithOthers { option } => {
                format!("exclusive option {option} marked together with others")
            }
            Reason::SubWithoutParent { sub, parent } => {
                format!("sub-option {sub} marked without its parent option {parent}")
            }
            Reason::WrittenOptionUnmarked { field, option } => {
                format!("{field} is written in but option {option} is not marked")
            }
            Reason::MissingPage { page } => {
                format!("page {page} of the form is missing from this fax")
            }
            Reason::Resent { of, sender } => {
                format!("the same answers from the same fax number ({sender}) as {of}: sent twice?")
            }
            Reason::Faint { ink } => {
                format!("probably blank: a small mark in the field ({ink} px)")
            }
            Reason::FaintRead { read } => {
                format!("probably blank: marks in the field read as 「{read}」 only")
            }
            Reason::NotRead { error } => format!("writing not read: {error}"),
            Reason::Prefecture {
                read,
                closest,
                distance,
                runner_up,
            } => format!(
                "prefecture read as 「{read}」: closest {closest} at distance {distance}, next at {runner_up}"
            ),
            Reason::PrefectureUnsure { read, top } => format!(
                "prefecture unsure (read 「{read}」): {}",
                shares(top, " %", ", ")
            ),
            Reason::NoPrefecture => "writing found but no prefecture read".into(),
            Reason::NoDigits => "writing found but no digits read".into(),
            Reason::NumberUnsure { digits } => {
                format!("number read as {digits} with low confidence")
            }
            Reason::NoText => "writing found but no text read".into(),
            Reason::TextUnsure => "handwriting read with low confidence".into(),
            Reason::Field { doubt } => doubt_english(*doubt).into(),
            Reason::Legacy { text } => text.clone(),
        }
    }

    /// Japanese, as the review page shows it to the staff.
    pub fn japanese(&self) -> String {
        match self {
            Reason::Box {
                doubt,
                option,
                label,
            } => format!("{}（選択肢 {option} {label}）", doubt_japanese(*doubt)),
            Reason::TwoMarks => "一つだけ選ぶ設問に二つ以上の印".into(),
            Reason::ExclusiveWithOthers { option } => {
                format!("ほかと併用しない選択肢 {option} がほかと一緒に選ばれている")
            }
            Reason::SubWithoutParent { sub, parent } => {
                format!("下位の選択肢 {sub} が、上位の選択肢 {parent} なしで選ばれている")
            }
            Reason::WrittenOptionUnmarked { field, option } => {
                format!("{field} に記入があるのに選択肢 {option} に印がない")
            }
            Reason::MissingPage { page } => format!("このFAXには様式の {page} ページ目がない"),
            Reason::Resent { of, sender } => {
                format!("同じFAX番号（{sender}）から同じ回答が {of} にもある（二重送信？）")
            }
            Reason::Faint { ink } => format!("おそらく空欄: 欄内に小さな汚れ（{ink} px）"),
            Reason::FaintRead { read } => {
                format!("おそらく空欄: 欄内の線は「{read}」としか読めない")
            }
            Reason::NotRead { error } => format!("記入を読み取れなかった: {error}"),
            Reason::Prefecture {
                read,
                closest,
                distance,
                runner_up,
            } => format!(
                "都道府県名を「{read}」と読んだ: 最も近いのは{closest}（{distance}字違い、次点は{runner_up}字違い）"
            ),
            Reason::PrefectureUnsure { read, top } => format!(
                "都道府県名を確定できない（「{read}」と読んだ）: 候補 {}",
                shares(top, "%", "、")
            ),
            Reason::NoPrefecture => "記入はあるが都道府県名として読めない".into(),
            Reason::NoDigits => "記入はあるが数字として読めない".into(),
            Reason::NumberUnsure { digits } => format!("数字を {digits} と読んだが自信がない"),
            Reason::NoText => "記入はあるが文字を読めない".into(),
            Reason::TextUnsure => "手書き文字の読み取りに自信がない".into(),
            Reason::Field { doubt } => doubt_japanese(*doubt).into(),
            Reason::Legacy { text } => legacy::japanese(text),
        }
    }

    /// A field taken for blank with a little ink in it: the only field reason that does
    /// not say writing is there.
    pub fn is_faint(&self) -> bool {
        matches!(self, Reason::Faint { .. } | Reason::FaintRead { .. })
    }
}

/// Whether a reason with this code says the field has writing in it (everything but a
/// field taken for blank and the page-level doubts a field can share).
pub fn says_writing_is_there(code: &str) -> bool {
    !matches!(code, "faint" | "faint_read" | "off_page" | "page_damaged")
}

/// Names with their shares in per cent: `千葉 62 %, 奈良 30 %`.
fn shares(top: &[(String, f32)], percent: &str, sep: &str) -> String {
    top.iter()
        .map(|(n, p)| format!("{n} {:.0}{percent}", p * 100.0))
        .collect::<Vec<_>>()
        .join(sep)
}

fn doubt_code(d: Doubt) -> &'static str {
    match d {
        Doubt::Unsure => "box_unsure",
        Doubt::Correction => "box_correction",
        Doubt::NeighbourCircle => "box_neighbour_circle",
        Doubt::LostRows => "box_lost_rows",
        Doubt::CircleBetween => "box_circle_between",
        Doubt::Unregistered => "page_unregistered",
        Doubt::Unlocated => "box_unlocated",
        Doubt::DamagedImage => "page_damaged",
        Doubt::Beside => "box_beside",
        Doubt::OverLabel => "box_over_label",
        Doubt::InCell => "box_in_cell",
        Doubt::Underlined => "box_underlined",
        Doubt::OffPage => "off_page",
        Doubt::BoldPrint => "box_bold_print",
    }
}

fn doubt_english(d: Doubt) -> &'static str {
    match d {
        Doubt::Unsure => "low-confidence box",
        Doubt::Correction => "struck-through mark (a correction?)",
        Doubt::NeighbourCircle => "stray ink, perhaps from a circle around a neighbouring label",
        Doubt::LostRows => "box damaged by a fax line error",
        Doubt::CircleBetween => "a circle drawn between two labels: which one is meant?",
        Doubt::Unregistered => "page could not be aligned to the form reliably",
        Doubt::Unlocated => "box not found where the boxes around it put it",
        Doubt::DamagedImage => "page image was damaged and needed repair to be read",
        Doubt::Beside => "ink just beside an empty box (a mark made beside it?)",
        Doubt::OverLabel => {
            "pen ink over the start of an empty box's label (a mark made beside it?)"
        }
        Doubt::InCell => {
            "pen ink in an empty box's cell, away from the box (a mark made beside it?)"
        }
        Doubt::Underlined => "a line under an empty box's label (the option underlined?)",
        Doubt::OffPage => "box lies beyond the edge of the received page (fax cut short?)",
        Doubt::BoldPrint => {
            "little ink in the box on a page printed bolder than the form (a light mark, or the print's own?)"
        }
    }
}

fn doubt_japanese(d: Doubt) -> &'static str {
    match d {
        Doubt::Unsure => "印の有無を判断しにくい",
        Doubt::Correction => "取り消し線のある印（訂正？）",
        Doubt::NeighbourCircle => "はみ出した線（隣の選択肢を囲んだ丸？）",
        Doubt::LostRows => "FAXの回線エラーで枠が欠けている",
        Doubt::CircleBetween => "二つの選択肢の間に丸: どちらを選んだか不明",
        Doubt::Unregistered => "ページを様式に正確に合わせられなかった",
        Doubt::Unlocated => "枠が周りの枠から予想される位置に見つからない",
        Doubt::DamagedImage => "ページの画像が壊れていて、修復して読んだ",
        Doubt::Beside => "空の枠のすぐ横に書き込み（枠の外に付けた印？）",
        Doubt::OverLabel => "空の枠の選択肢の文字に重なる書き込み（枠の外に付けた印？）",
        Doubt::InCell => "空の枠と同じ欄の、枠から離れた所に書き込み（枠の外に付けた印？）",
        Doubt::Underlined => "空の枠の選択肢の文字に下線（枠に印を付けず下線で選んだ？）",
        Doubt::OffPage => "選択肢が受信したページの外にある（FAXが途中で切れた？）",
        Doubt::BoldPrint => "印刷が濃く太いページで枠内のインクが少ない（薄い印？印刷のにじみ？）",
    }
}

/// Several reasons for one cell, as review.csv's `reason` writes them.
pub fn english(reasons: &[Reason]) -> String {
    join(reasons, Reason::english, "; ")
}

/// Several reasons for one cell, as the review page shows them.
pub fn japanese(reasons: &[Reason]) -> String {
    join(reasons, Reason::japanese, "／")
}

/// Their codes, as review.csv's `reason_code` writes them.
pub fn codes(reasons: &[Reason]) -> String {
    join(reasons, |r| r.code().to_string(), ";")
}

fn join(reasons: &[Reason], f: impl Fn(&Reason) -> String, sep: &str) -> String {
    reasons.iter().map(f).collect::<Vec<_>>().join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_reason() -> Vec<Reason> {
        let doubts = [
            Doubt::Unsure,
            Doubt::Correction,
            Doubt::NeighbourCircle,
            Doubt::LostRows,
            Doubt::CircleBetween,
            Doubt::Unregistered,
            Doubt::Unlocated,
            Doubt::DamagedImage,
            Doubt::Beside,
            Doubt::OverLabel,
            Doubt::InCell,
            Doubt::Underlined,
            Doubt::OffPage,
            Doubt::BoldPrint,
        ];
        let mut all: Vec<Reason> = doubts
            .iter()
            .map(|&doubt| Reason::Box {
                doubt,
                option: 5,
                label: "カードリーダーの接続不良".into(),
            })
            .collect();
        // Fields share only the page-level doubts.
        all.extend([Doubt::OffPage, Doubt::DamagedImage].map(|doubt| Reason::Field { doubt }));
        all.extend([
            Reason::TwoMarks,
            Reason::ExclusiveWithOthers { option: 14 },
            Reason::SubWithoutParent { sub: 8, parent: 7 },
            Reason::WrittenOptionUnmarked {
                field: "q6_other".into(),
                option: 13,
            },
            Reason::MissingPage { page: 2 },
            Reason::Faint { ink: 20 },
            Reason::FaintRead { read: "|".into() },
            Reason::NotRead {
                error: "OCR off".into(),
            },
            Reason::Prefecture {
                read: "岐重県".into(),
                closest: "岐阜".into(),
                distance: 1,
                runner_up: 1,
            },
            Reason::NoPrefecture,
            Reason::NoDigits,
            Reason::NumberUnsure {
                digits: "12".into(),
            },
            Reason::NoText,
            Reason::TextUnsure,
        ]);
        all
    }

    #[test]
    fn every_reason_round_trips_through_the_store_and_has_its_texts() {
        for r in every_reason() {
            let json = serde_json::to_string(std::slice::from_ref(&r)).unwrap();
            let back: Vec<Reason> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, vec![r.clone()], "{json}");
            assert!(!r.code().is_empty() && r.code().is_ascii(), "{r:?}");
            assert!(!r.english().is_empty(), "{r:?}");
            if !matches!(r, Reason::Box { .. }) {
                assert_eq!(
                    says_writing_is_there(r.code()),
                    !(r.is_faint() || matches!(r, Reason::Field { .. })),
                    "{r:?}"
                );
            }
            // The page shows Japanese: every reason has some.
            assert!(!r.japanese().is_ascii(), "{r:?}");
        }
    }

    #[test]
    fn several_reasons_join_as_the_run_and_the_page_write_them() {
        let rs = [
            Reason::Box {
                doubt: Doubt::Unsure,
                option: 5,
                label: "カードリーダーの接続不良・認証エラー".into(),
            },
            Reason::TwoMarks,
        ];
        assert_eq!(
            english(&rs),
            "low-confidence box (option 5 カードリーダーの接続不良・認証エラー); two or more marks in a single-choice question"
        );
        assert_eq!(
            japanese(&rs),
            "印の有無を判断しにくい（選択肢 5 カードリーダーの接続不良・認証エラー）／一つだけ選ぶ設問に二つ以上の印"
        );
        assert_eq!(codes(&rs), "box_unsure;two_marks");
    }
}

//! Japanese for the English reason texts that stores made before reasons were typed hold
//! (see [`super::Reason::Legacy`]). New runs never come here. A reason not known below is
//! shown as written rather than dropped.

/// Fixed reasons and their Japanese.
const FIXED: [(&str, &str); 15] = [
    ("low-confidence box", "印の有無を判断しにくい"),
    (
        "struck-through mark (a correction?)",
        "取り消し線のある印（訂正？）",
    ),
    (
        "stray ink, perhaps from a circle around a neighbouring label",
        "はみ出した線（隣の選択肢を囲んだ丸？）",
    ),
    (
        "box damaged by a fax line error",
        "FAXの回線エラーで枠が欠けている",
    ),
    (
        "a circle drawn between two labels: which one is meant?",
        "二つの選択肢の間に丸: どちらを選んだか不明",
    ),
    (
        "page could not be aligned to the form reliably",
        "ページを様式に正確に合わせられなかった",
    ),
    (
        "box not found where the boxes around it put it",
        "枠が周りの枠から予想される位置に見つからない",
    ),
    (
        "page image was damaged and needed repair to be read",
        "ページの画像が壊れていて、修復して読んだ",
    ),
    (
        "box lies beyond the edge of the received page (fax cut short?)",
        "選択肢が受信したページの外にある（FAXが途中で切れた？）",
    ),
    (
        "ink just beside an empty box (a mark made beside it?)",
        "空の枠のすぐ横に書き込み（枠の外に付けた印？）",
    ),
    (
        "two or more marks in a single-choice question",
        "一つだけ選ぶ設問に二つ以上の印",
    ),
    (
        "writing found but no prefecture read",
        "記入はあるが都道府県名として読めない",
    ),
    (
        "writing found but no digits read",
        "記入はあるが数字として読めない",
    ),
    (
        "writing found but no text read",
        "記入はあるが文字を読めない",
    ),
    (
        "handwriting read with low confidence",
        "手書き文字の読み取りに自信がない",
    ),
];

/// One reason (without the `; ` that joins several).
fn one(r: &str) -> String {
    if let Some((_, ja)) = FIXED.iter().find(|(en, _)| *en == r) {
        return ja.to_string();
    }
    // "<reason> (option N label)"
    if let Some((head, opt)) = r.split_once(" (option ")
        && let Some(opt) = opt.strip_suffix(')')
    {
        return format!("{}（選択肢 {opt}）", one(head));
    }
    if let Some(rest) = r.strip_prefix("probably blank: ") {
        if let Some(px) = rest
            .strip_prefix("a small mark in the field (")
            .and_then(|s| s.strip_suffix(')'))
        {
            return format!("おそらく空欄: 欄内に小さな汚れ（{px}）");
        }
        if let Some(read) = rest
            .strip_prefix("marks in the field read as ")
            .and_then(|s| s.strip_suffix(" only"))
        {
            return format!("おそらく空欄: 欄内の線は{read}としか読めない");
        }
    }
    if let Some(e) = r.strip_prefix("writing not read: ") {
        return format!("記入を読み取れなかった: {e}");
    }
    if let Some(rest) = r.strip_prefix("prefecture read as ")
        && let Some((read, near)) = rest.split_once(": closest ")
        && let Some((name, dist)) = near.split_once(" at distance ")
        && let Some((d, next)) = dist.split_once(", next at ")
    {
        return format!(
            "都道府県名を{read}と読んだ: 最も近いのは{name}（{d}字違い、次点は{next}字違い）"
        );
    }
    if let Some(d) = r
        .strip_prefix("number read as ")
        .and_then(|s| s.strip_suffix(" with low confidence"))
    {
        return format!("数字を {d} と読んだが自信がない");
    }
    if let Some((e, _)) = r
        .strip_prefix("exclusive option ")
        .and_then(|s| s.split_once(" marked together with others"))
    {
        return format!("ほかと併用しない選択肢 {e} がほかと一緒に選ばれている");
    }
    if let Some(rest) = r.strip_prefix("sub-option ")
        && let Some((c, p)) = rest.split_once(" marked without its parent option ")
    {
        return format!("下位の選択肢 {c} が、上位の選択肢 {p} なしで選ばれている");
    }
    if let Some((field, rest)) = r.split_once(" is written in but option ")
        && let Some(n) = rest.strip_suffix(" is not marked")
    {
        return format!("{field} に記入があるのに選択肢 {n} に印がない");
    }
    if let Some(rest) = r.strip_prefix("answered although ")
        && let Some((cond, to)) = rest.split_once(" says skip to ")
    {
        return format!("{cond} なら {to} へ進む指示だが回答がある");
    }
    if let Some(n) = r
        .strip_prefix("page ")
        .and_then(|s| s.strip_suffix(" of the form is missing from this fax"))
    {
        return format!("このFAXには様式の {n} ページ目がない");
    }
    r.to_string()
}

/// The page's Japanese for a review reason (several joined by `; `).
pub fn japanese(reason: &str) -> String {
    reason.split("; ").map(one).collect::<Vec<_>>().join("／")
}

#[cfg(test)]
mod tests {
    use super::japanese;

    #[test]
    fn reasons_the_run_writes_read_in_japanese() {
        for (en, ja) in [
            (
                "low-confidence box (option 5 カードリーダーの接続不良・認証エラー)",
                "印の有無を判断しにくい（選択肢 5 カードリーダーの接続不良・認証エラー）",
            ),
            (
                "prefecture read as 「岐重県」: closest 岐阜 at distance 1, next at 1",
                "都道府県名を「岐重県」と読んだ: 最も近いのは岐阜（1字違い、次点は1字違い）",
            ),
            (
                "two or more marks in a single-choice question; answered although q4 = 2 says skip to q12",
                "一つだけ選ぶ設問に二つ以上の印／q4 = 2 なら q12 へ進む指示だが回答がある",
            ),
            (
                "q6_other is written in but option 13 is not marked",
                "q6_other に記入があるのに選択肢 13 に印がない",
            ),
            (
                "probably blank: a small mark in the field (20 px)",
                "おそらく空欄: 欄内に小さな汚れ（20 px）",
            ),
            (
                "page 2 of the form is missing from this fax",
                "このFAXには様式の 2 ページ目がない",
            ),
            ("something new", "something new"),
        ] {
            assert_eq!(japanese(en), ja);
        }
    }
}

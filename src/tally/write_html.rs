//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, no external
//! files), printable to PDF from the browser. Japanese throughout.

use super::model::{Body, Comment, QuestionTally, Tally};
use super::percent::thousands;
use super::svg::{bars, escape, pie};
use anyhow::{Context, Result};
use std::fmt::Write;
use std::path::Path;

const STYLE: &str = r#"
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; margin: 2em auto; max-width: 56em; color: #222; }
h1 { font-size: 1.5em; border-bottom: 3px solid #1f5fa8; padding-bottom: .3em; }
h2 { font-size: 1.15em; margin-top: 2em; border-left: 6px solid #1f5fa8; padding-left: .5em; break-after: avoid; }
h3 { font-size: 1em; margin: 1.2em 0 .3em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #999; padding: .2em .6em; }
th { background: #eef3fa; font-weight: normal; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.indent1 { padding-left: 2em; }
td.indent2 { padding-left: 3.4em; }
tr.merged td { font-weight: bold; }
.note { font-size: .85em; color: #555; }
.chart { display: block; margin: .4em 0 1em; max-width: 100%; height: auto; }
section.question { break-inside: avoid; }
.comment { margin: .2em 0 .8em 1em; }
.comment .who { font-size: .85em; color: #555; }
.theme { font-weight: bold; margin-top: 1em; }
.warn { border: 2px solid #c8363a; padding: .4em .8em; color: #8a1c1f; }
th { white-space: nowrap; }
@media print { body { margin: 0; max-width: none; } h2 { break-before: auto; } }
"#;

pub fn write(t: &Tally, path: &Path) -> Result<()> {
    std::fs::write(path, render(t)).with_context(|| format!("writing {}", path.display()))
}

pub fn render(t: &Tally) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&t.title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", escape(&t.title));
    summary(&mut h, t);
    for q in &t.questions {
        question(&mut h, t, q);
    }
    if !t.crosstabs.is_empty() {
        h.push_str("<h2>クロス集計</h2>\n");
        for x in &t.crosstabs {
            let _ = write!(
                h,
                "<h3>{}　{}（{}別）</h3>\n<table><tr><th>{}</th><th>N</th>",
                escape(&x.number),
                escape(&x.text),
                escape(&x.by_text),
                escape(&x.by_text)
            );
            for (_, label) in &x.columns {
                let _ = write!(h, "<th>{}</th>", escape(label));
            }
            let _ = writeln!(h, "<th>{}</th></tr>", escape(&t.no_answer));
            for r in &x.rows {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td>",
                    escape(&r.label),
                    thousands(r.n)
                );
                for (c, p) in r.cells.iter().chain(std::iter::once(&r.no_answer)) {
                    let _ = write!(
                        h,
                        "<td class=\"n\">{}<br><span class=\"note\">{}％</span></td>",
                        thousands(*c),
                        p.as_deref().unwrap_or("－")
                    );
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</table>\n");
            let mut notes = vec![format!("行％（各行の N に対する割合）")];
            if x.multi {
                notes.push("複数回答のため合計は100％を超える".into());
            }
            if x.dimension_unanswered > 0 {
                notes.push(format!(
                    "{}が無回答の {} 件は除く",
                    x.by_text, x.dimension_unanswered
                ));
            }
            let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&notes.join("。")));
        }
    }
    prefectures(&mut h, t);
    comments(&mut h, t);
    if !t.notes.is_empty() {
        h.push_str("<h2>集計上の注記</h2>\n<ul class=\"note\">\n");
        for n in &t.notes {
            let _ = writeln!(h, "<li>{}</li>", escape(n));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body></html>\n");
    h
}

fn summary(h: &mut String, t: &Tally) {
    let s = &t.summary;
    if s.unreviewed > 0 {
        let _ = writeln!(
            h,
            "<p class=\"warn\">確認が済んでいない項目のある回答 {} 件を、機械の読み取りのまま集計しています（速報値）。</p>",
            thousands(s.unreviewed)
        );
    }
    h.push_str("<table class=\"summary\">\n");
    if let Some(sent) = s.sent {
        let _ = writeln!(
            h,
            "<tr><th>送付数</th><td class=\"n\">{}</td></tr>",
            thousands(sent)
        );
    }
    let _ = writeln!(
        h,
        "<tr><th>回答数</th><td class=\"n\">{}</td></tr>",
        thousands(s.replies)
    );
    if let Some(rate) = &s.rate {
        let _ = writeln!(h, "<tr><th>回答率</th><td class=\"n\">{rate}％</td></tr>");
    }
    if let Some(p) = &s.period {
        let _ = writeln!(h, "<tr><th>調査期間</th><td>{}</td></tr>", escape(p));
    }
    if !s.prefectures.is_empty() {
        let list: Vec<String> = s
            .prefectures
            .iter()
            .map(|(p, n)| format!("{p} {}", thousands(*n)))
            .collect();
        let _ = writeln!(
            h,
            "<tr><th>都道府県</th><td>{}都道府県：{}</td></tr>",
            s.prefectures.len(),
            escape(&list.join("、"))
        );
    }
    h.push_str("</table>\n");
}

fn question(h: &mut String, t: &Tally, q: &QuestionTally) {
    let title = format!("{}　{}（N＝{}）", q.number, q.text, thousands(q.n));
    let _ = writeln!(
        h,
        "<section class=\"question\" id=\"{}\">\n<h2>{}</h2>",
        escape(&q.id),
        escape(&title)
    );
    if let Some(b) = &q.base_note {
        let _ = writeln!(h, "<p class=\"note\">対象：{}</p>", escape(b));
    }
    match &q.body {
        Body::Choice { multi, rows } => {
            let _ = writeln!(
                h,
                "<table><tr><th>選択肢</th><th>件数</th><th>％（N＝{}）</th><th>％（無回答を除く N＝{}）</th></tr>",
                thousands(q.n),
                thousands(q.answered)
            );
            for r in rows {
                let class = if matches!(r.key, super::model::RowKey::Merged(_)) {
                    " class=\"merged\""
                } else {
                    ""
                };
                let _ = writeln!(
                    h,
                    "<tr{class}><td class=\"indent{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    r.indent,
                    escape(&r.label),
                    thousands(r.count),
                    r.pct.as_deref().unwrap_or("－"),
                    r.pct_answered.as_deref().unwrap_or("－")
                );
            }
            h.push_str("</table>\n");
            if *multi {
                h.push_str("<p class=\"note\">複数回答のため合計は100％を超える</p>\n");
                h.push_str(&bars(rows, &title));
            } else {
                h.push_str(&pie(rows, &title));
            }
        }
        Body::Number(s) => {
            let _ = writeln!(
                h,
                "<table><tr><th>記入数</th><th>合計</th><th>平均</th><th>最小</th><th>最大</th></tr><tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>",
                thousands(s.answered),
                thousands(s.sum),
                s.mean.as_deref().unwrap_or("－"),
                s.min.map(thousands).unwrap_or("－".into()),
                s.max.map(thousands).unwrap_or("－".into())
            );
        }
        Body::Text { written, share } => {
            let _ = writeln!(
                h,
                "<p>記入あり {} 件（{}％）</p>",
                thousands(*written),
                share.as_deref().unwrap_or("－")
            );
        }
    }
    let _ = writeln!(h, "</section>");
    let _ = t;
}

/// Replies per prefecture (JIS order), and per option how many prefectures it came from
/// (「31都道府県で114件」). A single-prefecture survey has no such section.
fn prefectures(h: &mut String, t: &Tally) {
    let s = &t.summary;
    let Some(p) = &t.prefectures else { return };
    if s.prefectures.len() <= 1 {
        return;
    }
    h.push_str("<h2>都道府県別の回答</h2>\n<table><tr><th>都道府県</th><th>回答数</th></tr>\n");
    for (name, n) in &s.prefectures {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(name),
            thousands(*n)
        );
    }
    if s.prefecture_unknown > 0 {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&t.no_answer),
            thousands(s.prefecture_unknown)
        );
    }
    h.push_str("</table>\n<h3>選択肢ごとの回答があった都道府県</h3>\n<table><tr><th>設問</th><th>選択肢</th><th>都道府県数と件数</th></tr>\n");
    for r in &p.rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}都道府県で{}件</td></tr>",
            escape(&r.number),
            escape(&r.label),
            r.prefectures,
            thousands(r.count)
        );
    }
    h.push_str("</table>\n");
}

/// Comments per question, in JIS prefecture order then 区分, each headed 「神奈川 歯科診療
/// 所」 (the prefecture left out when every reply is from one prefecture); under 【theme】
/// where staff gave themes; withheld ones left out.
fn comments(h: &mut String, t: &Tally) {
    let shown: Vec<&Comment> = t.comments.iter().filter(|c| !c.withheld()).collect();
    if shown.is_empty() {
        return;
    }
    let one_prefecture = t.summary.prefectures.len() <= 1;
    h.push_str("<h2>自由記載</h2>\n");
    let mut questions: Vec<(&str, &str)> = Vec::new();
    for c in &shown {
        if !questions.iter().any(|(q, _)| *q == c.question) {
            questions.push((&c.question, &c.number));
        }
    }
    for (qid, number) in questions {
        let text = t
            .questions
            .iter()
            .find(|q| q.id == qid)
            .map(|q| q.text.as_str())
            .unwrap_or("");
        let of_q: Vec<&&Comment> = shown.iter().filter(|c| c.question == qid).collect();
        let _ = writeln!(
            h,
            "<h3>{}　{}（{}件）</h3>",
            escape(number),
            escape(text),
            of_q.len()
        );
        let mut themes: Vec<&str> = Vec::new();
        for c in &of_q {
            let th = c.theme.trim();
            if !themes.contains(&th) {
                themes.push(th);
            }
        }
        // Themed comments first, in the order staff first used each theme; the rest
        // under a heading of their own once there are themes.
        themes.sort_by_key(|th| th.is_empty());
        let themed = themes.iter().any(|th| !th.is_empty());
        for th in themes {
            if !th.is_empty() {
                let _ = writeln!(h, "<p class=\"theme\">【{}】</p>", escape(th));
            } else if themed {
                h.push_str("<p class=\"theme\">【テーマ未設定】</p>\n");
            }
            for c in of_q.iter().filter(|c| c.theme.trim() == th) {
                let who: Vec<&str> = [
                    (!one_prefecture).then_some(c.prefecture.as_str()),
                    Some(c.category.as_str()),
                ]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect();
                let _ = writeln!(
                    h,
                    "<div class=\"comment\"><div class=\"who\">{}</div><div>{}</div></div>",
                    escape(&who.join(" ")),
                    escape(c.shown())
                );
            }
        }
    }
}

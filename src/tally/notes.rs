//! The notes a report prints under its tables: each base in words, and every answer left
//! out of the figures with the reason (a skip the form printed, a blank question the skip
//! hangs on, a write-in without its option ticked, a base rule, a value that is no code).

use super::base::Bases;
use super::count::number_of;
use super::model::{Body, QuestionTally};
use super::percent::thousands;
use super::sheet::Sheet;
use super::spec::TallySpec;
use crate::template::{Kind, Template};

pub fn notes(
    t: &Template,
    spec: &TallySpec,
    sheet: &Sheet,
    bases: &Bases,
    questions: &[QuestionTally],
) -> Vec<String> {
    let mut out = Vec::new();
    for q in questions {
        if let Some(b) = &q.base_note {
            out.push(format!(
                "{}（{}）の集計対象：{b}（N＝{}）",
                q.number,
                q.text,
                thousands(q.n)
            ));
        }
        let o = &q.outside;
        if o.skipped > 0 {
            out.push(format!(
                "{}：設問の分岐で回答不要とされた回答者の回答 {} 件は集計から除きました",
                q.number, o.skipped
            ));
        }
        if o.gate_blank > 0 {
            out.push(format!(
                "{}：分岐のもとになる設問が無回答の回答者の回答 {} 件は集計から除きました",
                q.number, o.gate_blank
            ));
        }
        if o.option_not_ticked > 0 {
            let option = t
                .question(&q.id)
                .and_then(|x| x.attached_to.as_ref())
                .and_then(|(p, c)| t.question(p).and_then(|p| p.option(*c)))
                .map(|o| o.label.as_str())
                .unwrap_or("");
            let sum = match &q.body {
                Body::Number(_) => format!("（計 {}）", thousands(o.sum)),
                _ => String::new(),
            };
            let listed = match &q.body {
                Body::Text { .. } => "（自由記載の一覧には載せています）",
                _ => "",
            };
            out.push(format!(
                "{}：「{option}」を選ばずに記入された {} 件{sum}は集計から除きました{listed}",
                q.number, o.option_not_ticked
            ));
        }
        if o.excluded > 0 {
            out.push(format!(
                "{}：集計対象の条件で除いた回答者の回答 {} 件",
                q.number, o.excluded
            ));
        }
        if let Body::Number(s) = &q.body
            && s.unreadable > 0
        {
            out.push(format!(
                "{}：数として読めない記入 {} 件は集計から除きました",
                q.number, s.unreadable
            ));
        }
    }
    for (qi, q) in t.questions.iter().enumerate() {
        if !q.is_choice() {
            continue;
        }
        let invalid = (0..sheet.rows.len())
            .filter(|&i| bases.asked(i, qi) && sheet.choice(sheet.rows[i], q).invalid)
            .count();
        if invalid == 0 {
            continue;
        }
        let n = number_of(spec, &q.id);
        out.push(match q.kind {
            Kind::Single => format!("{n}：選択肢にない値 {invalid} 件は無回答として扱いました"),
            _ => format!("{n}：印の欄に「1」「0」以外の値があった {invalid} 件は、その欄を印なしとして扱いました"),
        });
    }
    out
}

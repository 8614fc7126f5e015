//! The codebook: what each column of the final table means, from the templates.

use crate::store::LEADING;
use crate::template::{ColumnKind, Kind, Template, TextFormat};

/// One column's meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct CodebookRow {
    pub column: String,
    pub questionnaire: String,
    pub question: String,
    /// `single`, `multi`, `text`, `number`, or `id` for the leading columns.
    pub kind: String,
    pub text: String,
    /// The values the column holds and what they mean, one per line.
    pub values: String,
}

/// The leading columns, then for each questionnaire in `questionnaires` one row per
/// column of `header` it has (two questionnaires may both have a `q2` meaning different
/// things). A column no template knows is listed with empty meaning rather than left out.
pub fn codebook(
    templates: &[Template],
    header: &[String],
    questionnaires: &[&str],
) -> Vec<CodebookRow> {
    let leading = [
        ("response_id", "<受信ファイル名>:<最初のページ番号>"),
        ("template", "テンプレート（様式）"),
        ("questionnaire", "調査票"),
        ("status", "ok: 確認済み / review: 未確認の項目あり"),
    ];
    let mut out: Vec<CodebookRow> = leading
        .iter()
        .map(|(c, v)| CodebookRow {
            column: c.to_string(),
            questionnaire: String::new(),
            question: String::new(),
            kind: "id".into(),
            text: String::new(),
            values: v.to_string(),
        })
        .collect();
    debug_assert_eq!(LEADING.len(), out.len());
    let known = |name: &str, q: &str| {
        templates
            .iter()
            .filter(|t| t.questionnaire == q)
            .find_map(|t| {
                t.columns()
                    .into_iter()
                    .find(|c| c.name == name)
                    .map(|c| (t, c))
            })
    };
    let wanted = header.iter().skip(LEADING.len());
    let pairs = questionnaires
        .iter()
        .flat_map(|q| wanted.clone().filter_map(move |h| known(h, q)));
    let mut listed: Vec<&String> = Vec::new();
    for (t, col) in pairs {
        out.push(row(t, &col));
        listed.push(header.iter().find(|h| **h == col.name).unwrap());
    }
    for name in header.iter().skip(LEADING.len()) {
        if !listed.contains(&name) {
            out.push(CodebookRow {
                column: name.clone(),
                questionnaire: String::new(),
                question: String::new(),
                kind: String::new(),
                text: String::new(),
                values: String::new(),
            });
        }
    }
    out
}

fn row(t: &Template, col: &crate::template::Column) -> CodebookRow {
    let q = t.question(&col.question).expect("column of a question");
    let values = match col.kind {
        ColumnKind::Single => {
            let mut v: Vec<String> = q
                .options
                .iter()
                .map(|o| format!("{}: {}", o.code, o.label))
                .collect();
            v.push("(空欄): 無回答".into());
            v.join("\n")
        }
        ColumnKind::Flag { code } => {
            let label = q.option(code).map(|o| o.label.as_str()).unwrap_or("");
            format!("1: 「{label}」に印あり\n0: 印なし")
        }
        ColumnKind::Text => match (q.kind, q.format) {
            (_, TextFormat::Prefecture) => "都道府県名（例: 千葉）".into(),
            (Kind::Number, _) | (_, TextFormat::Digits) => "数字".into(),
            _ => "記入された文".into(),
        },
    };
    CodebookRow {
        column: col.name.clone(),
        questionnaire: t.questionnaire.clone(),
        question: q.id.clone(),
        kind: q.kind.name().into(),
        text: q.text.clone(),
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Vec<Template> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        crate::template::load_all(&dir).unwrap()
    }

    /// The leading columns, then `columns`.
    fn header(columns: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut h: Vec<String> = LEADING.iter().map(|s| s.to_string()).collect();
        h.extend(columns);
        h
    }

    #[test]
    fn codebook_names_every_column_with_its_labels() {
        let ts = templates();
        let t = ts.iter().find(|t| t.id == "hodanren-2024-12-a").unwrap();
        let mut header = header(t.columns().into_iter().map(|c| c.name));
        header.push("nobody_knows".into());
        let book = codebook(&ts, &header, &["hodanren-2024-12"]);
        assert_eq!(book.len(), header.len());
        let q2 = book.iter().find(|r| r.column == "q2").unwrap();
        assert_eq!(q2.kind, "single");
        assert!(
            q2.values
                .starts_with("1: 医科診療所\n2: 歯科診療所\n3: 病院"),
            "{}",
            q2.values
        );
        let q6 = book.iter().find(|r| r.column == "q6_13").unwrap();
        assert!(q6.values.contains("その他"), "{}", q6.values);
        assert!(!q6.text.is_empty());
        assert_eq!(book.last().unwrap().kind, "");
    }

    #[test]
    fn a_column_two_questionnaires_share_is_listed_for_each() {
        let ts = templates();
        let header = header(["q2", "q5"].map(String::from));
        let book = codebook(&ts, &header, &["chiba-2023-05", "hodanren-2024-12"]);
        let q5: Vec<_> = book.iter().filter(|r| r.column == "q5").collect();
        assert_eq!(q5.len(), 2);
        assert_eq!(
            (q5[0].questionnaire.as_str(), q5[0].kind.as_str()),
            ("chiba-2023-05", "single")
        );
        assert_eq!(
            (q5[1].questionnaire.as_str(), q5[1].kind.as_str()),
            ("hodanren-2024-12", "text")
        );
    }
}

//! What a report needs that the template does not say: the per-questionnaire file
//! `templates/<questionnaire>.tally.toml` (short chart labels, merged rows, bases the form
//! does not print, cross-tab dimensions, the survey's facts, decimals, the no-answer row).
//!
//! Every key is optional: a questionnaire without the file is tallied from its template
//! alone, with the defaults below.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The tally settings of one questionnaire.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TallySpec {
    /// The report's title (default: the template's title).
    pub title: Option<String>,
    /// Questionnaires sent out, for the response rate (`--sent` overrides it).
    pub sent: Option<u64>,
    /// The survey period as printed, e.g. 「2024年12月2日～12月27日」.
    pub period: Option<String>,
    /// Decimals percentages are printed with (default 1).
    pub decimals: Option<u32>,
    /// The label of the no-answer row (default 「無回答」; seed 002 prints 「N/A」).
    pub no_answer: Option<String>,
    /// The prefecture question, for the prefecture summary and cross-tab.
    pub prefecture: Option<String>,
    /// The respondent's category question (区分), named beside each comment.
    pub category: Option<String>,
    /// Cross-tab dimensions: question ids, in the order their sheets are written.
    #[serde(default)]
    pub crosstab: Vec<String>,
    /// Options of a dimension tabulated together (chiba q3: 医科 = codes 1 and 2).
    #[serde(default)]
    pub group: Vec<Group>,
    /// Rows summing several options (hodanren q3 「30％未満」 = codes 1–3).
    #[serde(default)]
    pub merge: Vec<Merge>,
    /// Bases the form does not print (seed 002 computes 問7 on those who did not tick
    /// 特にトラブルはない).
    #[serde(default)]
    pub base: Vec<BaseRule>,
    /// Short labels for charts: question id → option code → label.
    #[serde(default)]
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Question numbers as printed (「問１」), where the id does not give them.
    #[serde(default)]
    pub numbers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub question: String,
    pub label: String,
    pub codes: Vec<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    pub question: String,
    pub label: String,
    pub codes: Vec<u32>,
}

/// Respondents left out of (`unless`) or kept in (`only`) a question's base by their
/// answer to another question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseRule {
    pub question: String,
    pub unless: Option<Condition>,
    pub only: Option<Condition>,
    /// How the report states the base, e.g. 「問6で「特にトラブルはない」以外の回答者」.
    pub note: Option<String>,
}

/// Chose one of `codes` in `question`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub question: String,
    pub codes: Vec<u32>,
}

/// Percentages print with one decimal unless the file says otherwise.
pub const DEFAULT_DECIMALS: u32 = 1;
pub const DEFAULT_NO_ANSWER: &str = "無回答";

impl TallySpec {
    pub fn decimals(&self) -> u32 {
        self.decimals.unwrap_or(DEFAULT_DECIMALS)
    }

    pub fn no_answer(&self) -> &str {
        self.no_answer.as_deref().unwrap_or(DEFAULT_NO_ANSWER)
    }

    /// The chart label of an option: its short label, else `label`.
    pub fn short_label<'a>(&'a self, question: &str, code: u32, label: &'a str) -> &'a str {
        self.labels
            .get(question)
            .and_then(|m| m.get(&code.to_string()))
            .map(String::as_str)
            .unwrap_or(label)
    }

    pub fn groups_of<'a>(&'a self, question: &'a str) -> impl Iterator<Item = &'a Group> + 'a {
        self.group.iter().filter(move |g| g.question == question)
    }

    pub fn merges_of<'a>(&'a self, question: &'a str) -> impl Iterator<Item = &'a Merge> + 'a {
        self.merge.iter().filter(move |m| m.question == question)
    }

    /// The prefecture question: the one named in the settings, else the template's
    /// question whose format is a prefecture.
    pub fn prefecture_question<'t>(
        &self,
        t: &'t crate::template::Template,
    ) -> Option<&'t crate::template::Question> {
        self.prefecture
            .as_deref()
            .and_then(|p| t.question(p))
            .or_else(|| {
                t.questions
                    .iter()
                    .find(|q| q.format == crate::template::TextFormat::Prefecture)
            })
    }

    pub fn bases_of<'a>(&'a self, question: &'a str) -> impl Iterator<Item = &'a BaseRule> + 'a {
        self.base.iter().filter(move |b| b.question == question)
    }
}

impl TallySpec {
    /// Every reference to the template that does not hold (a question id or code the
    /// template does not have), all at once: a mistyped base rule must never be ignored
    /// while its note still claims the exclusion.
    pub fn problems(&self, t: &crate::template::Template) -> Vec<String> {
        use crate::template::Kind;
        let mut out = Vec::new();
        let choice = |what: &str, q: &str, codes: &[u32], out: &mut Vec<String>| match t.question(q)
        {
            None => out.push(format!("{what}: no question {q} in template {}", t.id)),
            Some(x) if !x.is_choice() => out.push(format!("{what}: {q} is not a choice question")),
            Some(x) => {
                for c in codes {
                    if x.option(*c).is_none() {
                        out.push(format!("{what}: {q} has no option {c}"));
                    }
                }
            }
        };
        for m in &self.merge {
            choice(
                &format!("merge 「{}」", m.label),
                &m.question,
                &m.codes,
                &mut out,
            );
        }
        for g in &self.group {
            choice(
                &format!("group 「{}」", g.label),
                &g.question,
                &g.codes,
                &mut out,
            );
        }
        for b in &self.base {
            if t.question(&b.question).is_none() {
                out.push(format!(
                    "base: no question {} in template {}",
                    b.question, t.id
                ));
            }
            if b.unless.is_none() && b.only.is_none() {
                out.push(format!("base of {}: give `unless` or `only`", b.question));
            }
            for c in b.unless.iter().chain(&b.only) {
                choice(
                    &format!("base of {}", b.question),
                    &c.question,
                    &c.codes,
                    &mut out,
                );
            }
        }
        for (q, labels) in &self.labels {
            let codes: Vec<u32> = labels
                .keys()
                .filter_map(|k| match k.parse() {
                    Ok(c) => Some(c),
                    Err(_) => {
                        out.push(format!("labels.{q}: {k} is not an option code"));
                        None
                    }
                })
                .collect();
            choice(&format!("labels.{q}"), q, &codes, &mut out);
        }
        for d in &self.crosstab {
            match t.question(d) {
                Some(x)
                    if x.kind == Kind::Single
                        || x.format == crate::template::TextFormat::Prefecture => {}
                Some(_) => out.push(format!(
                    "crosstab: {d} is neither a single choice nor the prefecture"
                )),
                None => out.push(format!("crosstab: no question {d} in template {}", t.id)),
            }
        }
        for (what, q) in [
            ("prefecture", &self.prefecture),
            ("category", &self.category),
        ] {
            if let Some(q) = q
                && t.question(q).is_none()
            {
                out.push(format!("{what}: no question {q} in template {}", t.id));
            }
        }
        for q in self.numbers.keys() {
            if t.question(q).is_none() {
                out.push(format!("numbers: no question {q} in template {}", t.id));
            }
        }
        out
    }
}

/// Where the spec of `questionnaire` lives in a templates folder.
pub fn path(templates: &Path, questionnaire: &str) -> PathBuf {
    templates.join(format!("{questionnaire}.tally.toml"))
}

/// Reads the spec beside the templates; a missing file is the defaults.
pub fn load(templates: &Path, questionnaire: &str) -> anyhow::Result<(TallySpec, Option<PathBuf>)> {
    let p = path(templates, questionnaire);
    if !p.is_file() {
        return Ok((TallySpec::default(), None));
    }
    let src = std::fs::read_to_string(&p)
        .map_err(|e| anyhow::anyhow!("tally settings {}: {e}", p.display()))?;
    let spec: TallySpec = toml::from_str(&src).map_err(|e| {
        let line = e
            .span()
            .map(|s| src[..s.start].lines().count().max(1))
            .unwrap_or(0);
        anyhow::anyhow!(
            "tally settings {} line {line}: {}",
            p.display(),
            e.message()
        )
    })?;
    Ok((spec, Some(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_optional_and_unknown_keys_are_refused() {
        let s: TallySpec = toml::from_str("").unwrap();
        assert_eq!(s.decimals(), 1);
        assert_eq!(s.no_answer(), "無回答");
        let s: TallySpec = toml::from_str(
            r#"
            no_answer = "N/A"
            crosstab = ["q2"]
            [[merge]]
            question = "q3"
            label = "30％未満"
            codes = [1, 2, 3]
            [[base]]
            question = "q7"
            unless = { question = "q6", codes = [14] }
            [labels.q6]
            5 = "カードリーダー"
            "#,
        )
        .unwrap();
        assert_eq!(s.no_answer(), "N/A");
        assert_eq!(s.merges_of("q3").count(), 1);
        assert_eq!(s.short_label("q6", 5, "long"), "カードリーダー");
        assert_eq!(s.short_label("q6", 4, "long"), "long");
        assert!(toml::from_str::<TallySpec>("decimal = 2").is_err());
    }

    #[test]
    fn references_the_template_lacks_are_all_named() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let t = crate::template::load(&dir.join("hodanren-2024-12-a.toml")).unwrap();
        let (spec, _) = load(&dir, "hodanren-2024-12").unwrap();
        assert_eq!(
            spec.problems(&t),
            Vec::<String>::new(),
            "the shipped settings fit"
        );
        let bad: TallySpec = toml::from_str(
            r#"
            crosstab = ["q5", "q99"]
            [[merge]]
            question = "q3"
            label = "x"
            codes = [1, 9]
            [[base]]
            question = "q7"
            unless = { question = "q06", codes = [14] }
            [labels.q2]
            4 = "decoy"
            "#,
        )
        .unwrap();
        let p = bad.problems(&t);
        assert_eq!(p.len(), 5, "{p:#?}");
        for want in [
            "q3 has no option 9",
            "no question q06",
            "q2 has no option 4",
            "q5 is neither",
            "no question q99",
        ] {
            assert!(p.iter().any(|x| x.contains(want)), "{want} in {p:#?}");
        }
    }
}

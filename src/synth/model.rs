//! The answer model: how synthetic respondents answer one questionnaire, read from
//! `templates/<questionnaire>.synth.toml` (figures from the published reports).

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerModel {
    pub questionnaire: String,
    #[serde(default)]
    pub q: HashMap<String, QuestionModel>,
}

/// What kind of writing a text field gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextSource {
    /// A respondent's comment from the seed reports.
    Comment,
    /// A short phrase, for その他（ ） blanks.
    Phrase,
    /// A small count.
    Number,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionModel {
    /// Single choice: relative weight of each code.
    pub weights: Option<Vec<f64>>,
    /// Multi choice: percent marking each option.
    pub rates: Option<Vec<f64>>,
    /// Percent leaving a choice question blank.
    #[serde(default)]
    pub blank: f64,
    /// Text fields: percent filling the field (given its option is chosen, if attached).
    pub fill: Option<f64>,
    pub text: Option<TextSource>,
    /// Prefecture fields: the names respondents write.
    pub prefectures: Option<Vec<String>>,
    /// Answered only when another question has one of these codes.
    pub requires: Option<Requires>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    pub question: String,
    pub any: Vec<u32>,
}

impl AnswerModel {
    /// The model for `questionnaire` from the templates folder; a uniform model when the
    /// folder has none, so that a new layout can be synthesised before anyone writes one.
    pub fn load(dir: &Path, questionnaire: &str) -> Result<AnswerModel> {
        let path = dir.join(format!("{questionnaire}.synth.toml"));
        if !path.exists() {
            return Ok(AnswerModel {
                questionnaire: questionnaire.into(),
                q: HashMap::new(),
            });
        }
        let src = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let m: AnswerModel = toml::from_str(&src).with_context(|| format!("{}", path.display()))?;
        Ok(m)
    }

    pub fn question(&self, id: &str) -> QuestionModel {
        self.q.get(id).cloned().unwrap_or_default()
    }
}

//! The tally as plain data: what the counting stage hands to the writers (XLSX, HTML,
//! CSV). Every figure is final here: percentages are the strings the report prints, so
//! that a table and its chart can never disagree.

/// Everything one questionnaire's report shows.
#[derive(Debug, Clone)]
pub struct Tally {
    pub questionnaire: String,
    pub title: String,
    pub summary: Summary,
    pub questions: Vec<QuestionTally>,
    pub crosstabs: Vec<CrossTab>,
    pub prefectures: Option<PrefectureSummary>,
    pub comments: Vec<Comment>,
    /// Bases used, answers left out and why, one sentence each (Japanese).
    pub notes: Vec<String>,
    pub decimals: u32,
    pub no_answer: String,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub sent: Option<u64>,
    pub replies: u64,
    /// replies / sent, as printed.
    pub rate: Option<String>,
    pub period: Option<String>,
    /// Replies per prefecture in JIS order (only prefectures with replies).
    pub prefectures: Vec<(String, u64)>,
    /// Replies whose prefecture is blank or not one of the 47.
    pub prefecture_unknown: u64,
    /// Replies tallied with review items still open (`--allow-open`): their doubtful
    /// cells are the machine's reading.
    pub unreviewed: u64,
}

#[derive(Debug, Clone)]
pub struct QuestionTally {
    pub id: String,
    /// 「問3」
    pub number: String,
    pub text: String,
    /// The respondents the question was meant for (the percentages' base).
    pub n: u64,
    /// Those of them who answered.
    pub answered: u64,
    /// Answers given by respondents outside the base, left out of the figures (and named
    /// in the notes; written text is still listed with the comments).
    pub outside: Outside,
    /// The base in words when it is not every reply.
    pub base_note: Option<String>,
    pub body: Body,
}

/// Answers outside a question's base, by why the respondent was outside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outside {
    /// The form said to skip the question.
    pub skipped: u64,
    /// The question the skip hangs on was left blank.
    pub gate_blank: u64,
    /// A write-in whose option was not ticked.
    pub option_not_ticked: u64,
    /// Left out by a base rule of the tally settings.
    pub excluded: u64,
    /// Number fields: the sum of the numbers left out.
    pub sum: u64,
}

#[derive(Debug, Clone)]
pub enum Body {
    Choice { multi: bool, rows: Vec<Row> },
    Number(NumberStats),
    Text { written: u64, share: Option<String> },
}

/// One printed row of a choice table.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: RowKey,
    pub label: String,
    /// The chart's label.
    pub short: String,
    /// 0 for an option, 1 for a sub-option or a merged row's member.
    pub indent: u8,
    pub count: u64,
    /// Of the respondents the question was meant for.
    pub pct: Option<String>,
    /// Of those who answered (not for the no-answer row).
    pub pct_answered: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    Code(u32),
    Merged(Vec<u32>),
    NoAnswer,
}

impl RowKey {
    /// The key as tally.csv writes it: `3`, `1+2+3`, `na`.
    pub fn code(&self) -> String {
        match self {
            RowKey::Code(c) => c.to_string(),
            RowKey::Merged(cs) => cs.iter().map(u32::to_string).collect::<Vec<_>>().join("+"),
            RowKey::NoAnswer => "na".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NumberStats {
    pub answered: u64,
    pub sum: u64,
    pub mean: Option<String>,
    pub min: Option<u64>,
    pub max: Option<u64>,
    /// Writing that is not a number (left out of the figures).
    pub unreadable: u64,
}

/// A choice question by a dimension (区分, 年齢, prefecture): row % of each category.
#[derive(Debug, Clone)]
pub struct CrossTab {
    pub question: String,
    pub number: String,
    pub text: String,
    pub by: String,
    pub by_text: String,
    pub multi: bool,
    /// The question's rows (options and merged rows; no no-answer column: it is a row of
    /// each category's own).
    pub columns: Vec<(RowKey, String)>,
    pub rows: Vec<CrossRow>,
    /// Respondents left out because the dimension itself was not answered.
    pub dimension_unanswered: u64,
}

#[derive(Debug, Clone)]
pub struct CrossRow {
    pub label: String,
    pub n: u64,
    /// Per column: count and row %.
    pub cells: Vec<(u64, Option<String>)>,
    pub no_answer: (u64, Option<String>),
}

/// Per option, how many prefectures it came from (001: 「31都道府県で114件」).
#[derive(Debug, Clone)]
pub struct PrefectureSummary {
    pub question: String,
    pub rows: Vec<PrefectureSpread>,
}

#[derive(Debug, Clone)]
pub struct PrefectureSpread {
    pub question: String,
    pub number: String,
    pub code: u32,
    pub label: String,
    pub prefectures: u64,
    pub count: u64,
}

/// One written comment, with the columns staff fill before publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub no: u64,
    pub response_id: String,
    pub question: String,
    pub number: String,
    pub prefecture: String,
    pub category: String,
    pub text: String,
    /// Staff's columns, kept from the previous tally's comments.csv.
    pub publish: String,
    pub theme: String,
    pub edited: String,
}

impl Comment {
    /// Whether it stays out of the report: staff wrote anything in `publish` but a plain
    /// yes (可, 掲載, ○, yes, 1 …). A blank is published; 不可, NG, 保留 or a typo are not,
    /// so that a comment is never published against a note staff made.
    pub fn withheld(&self) -> bool {
        let p = self.publish.trim().to_lowercase();
        !(p.is_empty()
            || matches!(
                p.as_str(),
                "可" | "掲載"
                    | "掲載可"
                    | "する"
                    | "はい"
                    | "○"
                    | "〇"
                    | "◯"
                    | "yes"
                    | "y"
                    | "ok"
                    | "1"
                    | "true"
            ))
    }

    /// The text as published: staff's edit where given.
    pub fn shown(&self) -> &str {
        if self.edited.trim().is_empty() {
            &self.text
        } else {
            &self.edited
        }
    }
}

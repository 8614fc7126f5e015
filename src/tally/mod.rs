//! `faxform tally`: the report's tables, charts and comment lists from the reviewed table.
//!
//! The stages: [`input`] reads the reviewed table (an output folder, or an exported CSV or
//! XLSX); [`sheet`] reads one questionnaire's rows through its template; [`base`] decides
//! whom each question was meant for (skip logic and the bases in the tally settings,
//! [`spec`]); [`count`], [`crosstab`] and [`comments`] make the plain [`model::Tally`];
//! the writers turn it into `tally.xlsx`, `report.html`, `tally.csv` and `comments.csv`.

mod base;
mod comments;
mod count;
mod crosstab;
mod input;
pub mod model;
mod notes;
pub mod percent;
mod sheet;
pub mod spec;
mod svg;
mod write_csv;
mod write_html;
mod write_xlsx;

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Clone)]
pub struct TallyArgs {
    /// An output folder of `faxform run`, or a CSV or XLSX that `faxform export` wrote.
    pub source: PathBuf,
    /// Folder to write tally.xlsx, report.html, tally.csv and comments.csv into.
    #[arg(long)]
    pub out: PathBuf,
    /// The questionnaire to tally (needed when the table holds several).
    #[arg(long)]
    pub questionnaire: Option<String>,
    /// Questionnaires sent out, for the response rate (overrides the tally settings).
    #[arg(long)]
    pub sent: Option<u64>,
    /// Tally although review items are still open (their cells keep the machine's
    /// reading).
    #[arg(long)]
    pub allow_open: bool,
    /// Template folder, with the `<questionnaire>.tally.toml` settings beside the
    /// templates (default: ./templates, else the one beside the program).
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

/// What a tally wrote.
#[derive(Debug)]
pub struct Tallied {
    pub out: PathBuf,
    pub questionnaire: String,
    pub replies: u64,
    /// Review items still open in the source (tallied with the machine's reading).
    pub open: usize,
    pub settings: Option<PathBuf>,
    pub files: Vec<PathBuf>,
}

pub fn tally(args: &TallyArgs) -> Result<Tallied> {
    let loaded = input::load(&args.source, args.allow_open)?;
    let questionnaire =
        pick_questionnaire(&loaded.table, args.questionnaire.as_deref(), &args.source)?;
    let tdir = crate::template::dir(args.templates.as_deref());
    let templates = crate::template::load_all(&tdir)?;
    let Some(t) = sheet::template_of(&templates, &questionnaire) else {
        bail!(
            "no template of questionnaire {questionnaire} in {}",
            tdir.display()
        );
    };
    let (mut spec, settings) = spec::load(&tdir, &questionnaire)?;
    if args.sent.is_some() {
        spec.sent = args.sent;
    }
    let problems = spec.problems(t);
    if !problems.is_empty() {
        bail!(
            "tally settings {} do not fit template {}:\n  {}",
            settings
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            t.id,
            problems.join("\n  ")
        );
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", args.out.display()))?;
    let staff = comments::read_staff(&args.out.join(comments::FILE))?;
    let result = build(t, &spec, &loaded.table, &questionnaire, &staff);
    let files = write_all(&result, &args.out)?;
    Ok(Tallied {
        out: args.out.clone(),
        questionnaire,
        replies: result.summary.replies,
        open: loaded.open,
        settings,
        files,
    })
}

/// Writes every output of a tally into `out`; returns the paths written.
pub fn write_all(t: &model::Tally, out: &Path) -> Result<Vec<PathBuf>> {
    let files = [
        out.join("tally.xlsx"),
        out.join("report.html"),
        out.join("tally.csv"),
        out.join(comments::FILE),
    ];
    write_xlsx::write(t, &files[0])?;
    write_html::write(t, &files[1])?;
    write_csv::write(t, &files[2])?;
    comments::write(&t.comments, &files[3])?;
    Ok(files.to_vec())
}

fn pick_questionnaire(
    table: &crate::store::Table,
    asked: Option<&str>,
    source: &Path,
) -> Result<String> {
    let col = table.header.iter().position(|h| h == "questionnaire");
    let mut found: Vec<&str> = Vec::new();
    for r in &table.rows {
        if let Some(q) = col.and_then(|c| r.get(c))
            && !found.contains(&q.as_str())
        {
            found.push(q);
        }
    }
    match asked {
        Some(q) if found.contains(&q) => Ok(q.to_string()),
        Some(q) => bail!(
            "no responses of questionnaire {q} in {} (it holds: {})",
            source.display(),
            found.join(", ")
        ),
        None if found.len() == 1 => Ok(found[0].to_string()),
        None if found.is_empty() => bail!("{}: no responses to tally", source.display()),
        None => bail!(
            "{} holds several questionnaires ({}): choose one with --questionnaire",
            source.display(),
            found.join(", ")
        ),
    }
}

/// The whole tally of `questionnaire`'s rows of `table`.
pub fn build(
    t: &crate::template::Template,
    spec: &spec::TallySpec,
    table: &crate::store::Table,
    questionnaire: &str,
    staff: &comments::StaffColumns,
) -> model::Tally {
    let sheet = sheet::Sheet::new(table, questionnaire);
    let bases = base::Bases::new(t, spec, &sheet);
    let d = spec.decimals();
    let replies = sheet.rows.len() as u64;
    let questions: Vec<model::QuestionTally> = (0..t.questions.len())
        .filter(|&qi| count::tabulated(&t.questions[qi]))
        .map(|qi| count::question(t, spec, &sheet, &bases, qi))
        .collect();
    let pref_q = spec.prefecture_question(t);
    let mut prefectures = Vec::new();
    let mut prefecture_unknown = 0;
    if let Some(pq) = pref_q {
        let mut per = [0u64; 47];
        for &r in &sheet.rows {
            match crosstab::prefecture_index(sheet.text(r, pq)) {
                Some(p) => per[p] += 1,
                None => prefecture_unknown += 1,
            }
        }
        prefectures = (0..47)
            .filter(|&p| per[p] > 0)
            .map(|p| (crate::ocr::prefecture::PREFECTURES[p].0.to_string(), per[p]))
            .collect();
    }
    let mut crosstabs = Vec::new();
    let mut notes = Vec::new();
    for by in &spec.crosstab {
        let Some(dim) = crosstab::Dimension::new(t, spec, &sheet, by) else {
            notes.push(format!(
                "クロス集計の軸 {by} は単一回答の設問でも都道府県でもないため省略しました"
            ));
            continue;
        };
        for (qi, q) in t.questions.iter().enumerate() {
            if q.is_choice() && q.id != *by {
                crosstabs.push(crosstab::crosstab(t, spec, &sheet, &bases, qi, &dim));
            }
        }
    }
    notes.extend(notes::notes(t, spec, &sheet, &bases, &questions));
    let summary = model::Summary {
        sent: spec.sent,
        replies,
        rate: spec.sent.and_then(|s| percent::percent(replies, s, d)),
        period: spec.period.clone(),
        prefectures,
        prefecture_unknown,
        unreviewed: sheet
            .rows
            .iter()
            .filter(|&&r| sheet.cell(r, "status") == "review")
            .count() as u64,
    };
    model::Tally {
        questionnaire: questionnaire.to_string(),
        title: spec.title.clone().unwrap_or_else(|| t.title.clone()),
        summary,
        questions,
        crosstabs,
        prefectures: pref_q.map(|pq| crosstab::prefecture_summary(t, spec, &sheet, &bases, pq)),
        comments: comments::collect(t, spec, &sheet, staff),
        notes,
        decimals: d,
        no_answer: spec.no_answer().to_string(),
    }
}

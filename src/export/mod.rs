//! `faxform export`: the reviewed final table for the tally tool.
//!
//! The machine's reading with every reviewer's decision applied, in responses.csv's
//! columns, as CSV (UTF-8 with BOM by default, so Excel on Japanese Windows opens it as
//! UTF-8; plain UTF-8; or cp932 with every character it cannot hold reported) or as XLSX
//! with a codebook sheet. Export refuses while review items are open unless told.

mod codebook;
mod csv_out;
mod encoding;
mod safe;
mod xlsx;

pub use codebook::{CodebookRow, codebook};
pub use encoding::Encoding;
pub use safe::defuse;

use crate::store::{Store, Table};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// Output folder of `faxform run`.
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// CSV encoding (XLSX is always Unicode).
    #[arg(long, value_enum, default_value_t = Encoding::Utf8Bom)]
    pub encoding: Encoding,
    /// Where to write (default: DIR/final.csv or DIR/final.xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Export although review items are still open (their cells keep the machine's reading
    /// and their responses keep status `review`).
    #[arg(long)]
    pub allow_open: bool,
    /// Only this questionnaire's responses, with exactly its columns.
    #[arg(long)]
    pub questionnaire: Option<String>,
    /// Template folder, for the codebook (default: ./templates, else the one built in).
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    pub path: PathBuf,
    pub responses: usize,
    pub decisions: usize,
    pub open: usize,
    /// Written fields OCR left unread (their cells are empty).
    pub unread: usize,
    /// Cells made safe from spreadsheet formula evaluation.
    pub defused: usize,
    /// cp932 only: (response id, column, character) for each character replaced by `?`.
    pub unmappable: Vec<(String, String, char)>,
}

/// The job store of an output folder, which must exist (export never creates one).
pub fn open_store(dir: &Path) -> Result<Store> {
    let path = dir.join(crate::store::FILE);
    if !path.is_file() {
        bail!(
            "{} has no job store ({}): is it the output folder of `faxform run`?",
            dir.display(),
            crate::store::FILE
        );
    }
    Store::open(&path)
}

pub fn export(args: &ExportArgs) -> Result<Exported> {
    let store = open_store(&args.dir)?;
    let items = store.items()?;
    let open = items.iter().filter(|i| i.decision.is_none()).count();
    if open > 0 && !args.allow_open {
        bail!(
            "{open} review item(s) in {} are still open: clear them with `faxform review {}`, \
             or export anyway with --allow-open",
            args.dir.display(),
            args.dir.display()
        );
    }
    let responses = store.responses()?;
    let chosen: Vec<_> = responses
        .iter()
        .filter(|r| {
            args.questionnaire
                .as_ref()
                .is_none_or(|q| &r.questionnaire == q)
        })
        .collect();
    if let Some(q) = &args.questionnaire
        && chosen.is_empty()
    {
        bail!("no responses of questionnaire {q} in {}", args.dir.display());
    }
    let ids: std::collections::HashSet<&str> =
        chosen.iter().map(|r| r.response_id.as_str()).collect();
    let items: Vec<_> = items
        .into_iter()
        .filter(|i| ids.contains(i.response_id.as_str()))
        .collect();
    let table = Table::reviewed(&chosen, &items);
    let path = args.out.clone().unwrap_or_else(|| {
        args.dir.join(match args.format {
            Format::Csv => "final.csv",
            Format::Xlsx => "final.xlsx",
        })
    });
    let mut exported = Exported {
        path: path.clone(),
        responses: table.rows.len(),
        decisions: items.iter().filter(|i| i.decision.is_some()).count(),
        open: items.iter().filter(|i| i.decision.is_none()).count(),
        unread: chosen.iter().map(|r| r.unread.len()).sum(),
        defused: 0,
        unmappable: Vec::new(),
    };
    match args.format {
        Format::Csv => {
            let w = csv_out::write(&table, args.encoding, &path)
                .with_context(|| format!("writing {}", path.display()))?;
            exported.defused = w.defused;
            exported.unmappable = w.unmappable;
        }
        Format::Xlsx => {
            let templates =
                crate::template::load_all(&crate::run::templates_dir(args.templates.as_deref()))?;
            let book = codebook(&templates, &table.header);
            xlsx::write(&table, &book, &path)
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(exported)
}

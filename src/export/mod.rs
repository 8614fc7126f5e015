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
use std::path::PathBuf;

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

pub fn export(args: &ExportArgs) -> Result<Exported> {
    let store = Store::open_existing(&args.dir)?;
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
        bail!(
            "no responses of questionnaire {q} in {}",
            args.dir.display()
        );
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
                crate::template::load_all(&crate::template::dir(args.templates.as_deref()))?;
            let mut questionnaires: Vec<&str> = Vec::new();
            for r in &chosen {
                if !questionnaires.contains(&r.questionnaire.as_str()) {
                    questionnaires.push(&r.questionnaire);
                }
            }
            let book = codebook(&templates, &table.header, &questionnaires);
            xlsx::write(&table, &book, &store.audit()?, &path)
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(exported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Decided, FileRecord, ResponseRecord, ReviewRecord};
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use std::path::Path;

    fn cells(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(c, v)| (c.to_string(), v.to_string()))
            .collect()
    }

    /// An output folder with two responses and two review items (one on each).
    fn folder() -> (tempfile::TempDir, Vec<i64>) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join(crate::store::FILE)).unwrap();
        let response = |rid: &str, c: Vec<(String, String)>| ResponseRecord {
            response_id: rid.into(),
            template: "hodanren-2024-12-a".into(),
            questionnaire: "hodanren-2024-12".into(),
            status: "review".into(),
            cells: c,
            unread: vec![],
            pages: vec![1],
        };
        let review = |rid: &str, col: &str, guess: &str| ReviewRecord {
            response_id: rid.into(),
            column: col.into(),
            reasons: vec![crate::reason::Reason::TextUnsure],
            guess: guess.into(),
            confidence: 0.4,
            option: None,
            image: String::new(),
        };
        s.commit(&FileRecord {
            hash: "h1".into(),
            path: "in/a.tif".into(),
            pages: 2,
            responses: vec![
                response(
                    "a.tif:1",
                    cells(&[("q2", "1"), ("q5", "=1+1 大変"), ("q6_13", "0")]),
                ),
                response(
                    "-b.tif:1",
                    cells(&[("q2", ""), ("q5", "𠮷野家で10～20分"), ("q6_13", "1")]),
                ),
            ],
            reviews: vec![
                review("a.tif:1", "q6_13", "0"),
                review("-b.tif:1", "q2", ""),
            ],
            rejected: vec![],
            pages_read: vec![],
        })
        .unwrap();
        let ids = s.items().unwrap().iter().map(|i| i.id).collect();
        (dir, ids)
    }

    fn args(dir: &Path) -> ExportArgs {
        ExportArgs {
            dir: dir.to_path_buf(),
            format: Format::Csv,
            encoding: Encoding::Utf8Bom,
            out: None,
            allow_open: false,
            questionnaire: None,
            templates: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")),
        }
    }

    fn decide(dir: &Path, id: i64, value: &str) {
        let mut s = Store::open(&dir.join(crate::store::FILE)).unwrap();
        assert!(matches!(
            s.decide(id, value, "set", "佐藤", 0).unwrap(),
            Some(Decided::Done(_))
        ));
    }

    fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn export_refuses_with_a_count_while_items_are_open() {
        let (dir, ids) = folder();
        let e = export(&args(dir.path())).unwrap_err().to_string();
        assert!(e.contains("2 review item(s)"), "{e}");
        decide(dir.path(), ids[0], "1");
        let e = export(&args(dir.path())).unwrap_err().to_string();
        assert!(e.contains("1 review item(s)"), "{e}");
        assert!(!dir.path().join("final.csv").exists());
        let no_store = tempfile::tempdir().unwrap();
        let e = export(&args(no_store.path())).unwrap_err().to_string();
        assert!(e.contains("no job store"), "{e}");
    }

    #[test]
    fn csv_has_bom_decisions_status_and_formula_safe_cells() {
        let (dir, ids) = folder();
        decide(dir.path(), ids[0], "1");
        decide(dir.path(), ids[1], "3");
        let e = export(&args(dir.path())).unwrap();
        assert_eq!((e.responses, e.decisions, e.open), (2, 2, 0));
        let bytes = std::fs::read(dir.path().join("final.csv")).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        assert!(bytes.windows(2).any(|w| w == b"\r\n"), "CRLF line ends");
        let rows = read_csv(&bytes[3..]);
        assert_eq!(
            rows[0],
            [
                "response_id",
                "template",
                "questionnaire",
                "status",
                "q2",
                "q5",
                "q6_13"
            ]
        );
        assert_eq!(rows[1][3..], ["ok", "1", "'=1+1 大変", "1"]);
        assert_eq!(rows[2][0], "'-b.tif:1");
        assert_eq!(rows[2][3..5], ["ok", "3"]);
        assert_eq!(rows[2][5], "𠮷野家で10～20分");
        assert_eq!(e.defused, 2);
    }

    #[test]
    fn allow_open_keeps_machine_values_and_review_status() {
        let (dir, ids) = folder();
        decide(dir.path(), ids[0], "1");
        let mut a = args(dir.path());
        a.allow_open = true;
        a.encoding = Encoding::Utf8;
        a.out = Some(dir.path().join("x.csv"));
        let e = export(&a).unwrap();
        assert_eq!(e.open, 1);
        let rows = read_csv(&std::fs::read(dir.path().join("x.csv")).unwrap());
        assert_eq!(rows[0][0], "response_id", "no BOM with --encoding utf8");
        assert_eq!(rows[1][3], "ok");
        assert_eq!(rows[1][6], "1");
        assert_eq!(rows[2][3], "review");
        assert_eq!(rows[2][4], "", "open item keeps the machine's reading");
    }

    #[test]
    fn cp932_reports_each_character_it_cannot_hold() {
        let (dir, _) = folder();
        let mut a = args(dir.path());
        a.allow_open = true;
        a.encoding = Encoding::Cp932;
        let e = export(&a).unwrap();
        assert_eq!(e.unmappable, vec![("-b.tif:1".into(), "q5".into(), '𠮷')]);
        let bytes = std::fs::read(dir.path().join("final.csv")).unwrap();
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert!(!bad);
        assert!(text.contains("?野家で10"), "{text}");
        assert!(text.contains("'=1+1 大変"));
    }

    #[test]
    fn xlsx_has_numbers_strings_never_formulas_and_a_codebook() {
        let (dir, ids) = folder();
        decide(dir.path(), ids[0], "1");
        decide(dir.path(), ids[1], "3");
        let mut a = args(dir.path());
        a.format = Format::Xlsx;
        let e = export(&a).unwrap();
        assert_eq!(e.path, dir.path().join("final.xlsx"));
        let mut wb: Xlsx<_> = open_workbook(&e.path).unwrap();
        let r = wb.worksheet_range("responses").unwrap();
        assert_eq!(r.get((0, 4)), Some(&Data::String("q2".into())));
        assert_eq!(r.get((1, 4)), Some(&Data::Float(1.0)));
        assert_eq!(r.get((2, 4)), Some(&Data::Float(3.0)));
        assert_eq!(r.get((1, 5)), Some(&Data::String("=1+1 大変".into())));
        assert_eq!(r.get((2, 0)), Some(&Data::String("-b.tif:1".into())));
        let f = wb.worksheet_formula("responses").unwrap();
        assert!(f.used_cells().all(|(_, _, s)| s.is_empty()), "no formulas");
        let book = wb.worksheet_range("codebook").unwrap();
        let rows: Vec<Vec<String>> = book
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0][0], "column");
        let q2 = rows.iter().find(|r| r[0] == "q2").unwrap();
        assert_eq!(q2[3], "single");
        assert!(q2[5].contains("1: 医科診療所"), "{q2:?}");
        assert!(
            rows.iter()
                .any(|r| r[0] == "q6_13" && r[5].contains("その他"))
        );
        let audit = wb.worksheet_range("audit").unwrap();
        assert_eq!(audit.height(), 3, "header and the two decisions");
        assert_eq!(audit.get((2, 3)), Some(&Data::String("q2".into())));
        assert_eq!(audit.get((2, 6)), Some(&Data::String("3".into())));
        assert_eq!(audit.get((2, 7)), Some(&Data::String("佐藤".into())));
    }
}

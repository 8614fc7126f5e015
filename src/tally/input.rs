//! The reviewed table a tally is made from: an output folder of `faxform run` (its
//! machine reading with every decision applied, as `faxform export` makes it), or a CSV or
//! XLSX that export wrote (perhaps edited since by hand).

use crate::store::{Store, Table};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Where the table came from and what it holds.
#[derive(Debug)]
pub struct Loaded {
    pub table: Table,
    /// Review items still open (an output folder), or responses exported with open items
    /// (status `review` in a CSV or XLSX); refused unless allowed.
    pub open: usize,
}

/// Reads `source`: a folder is an output folder; a file is read by its extension.
pub fn load(source: &Path, allow_open: bool) -> Result<Loaded> {
    if source.is_dir() {
        return from_folder(source, allow_open);
    }
    let ext = source
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let table = match ext.as_deref() {
        Some("csv") => from_csv(source)?,
        Some("xlsx") => from_xlsx(source)?,
        _ => bail!(
            "{}: not an output folder, nor a .csv or .xlsx that `faxform export` wrote",
            source.display()
        ),
    };
    check_header(&table, source)?;
    // An exported table marks a response with open items `review` (export --allow-open).
    let status = table.header.iter().position(|h| h == "status");
    let open = status.map_or(0, |c| {
        table
            .rows
            .iter()
            .filter(|r| r.get(c).is_some_and(|s| s == "review"))
            .count()
    });
    if open > 0 && !allow_open {
        bail!(
            "{open} response(s) in {} still have open review items (status review): clear them \
             with `faxform review` and export again, or tally anyway with --allow-open",
            source.display()
        );
    }
    Ok(Loaded { table, open })
}

fn from_folder(dir: &Path, allow_open: bool) -> Result<Loaded> {
    let store = Store::open_existing(dir)?;
    let items = store.items()?;
    let open = items.iter().filter(|i| i.decision.is_none()).count();
    if open > 0 && !allow_open {
        bail!(
            "{open} review item(s) in {} are still open: clear them with `faxform review {}`, \
             or tally anyway with --allow-open (their cells keep the machine's reading)",
            dir.display(),
            dir.display()
        );
    }
    let responses = store.responses()?;
    let refs: Vec<_> = responses.iter().collect();
    Ok(Loaded {
        table: Table::reviewed(&refs, &items),
        open,
    })
}

/// A CSV's text: export writes UTF-8 (with or without BOM) or cp932, and Excel on
/// Japanese Windows saves CSV as cp932.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(match std::str::from_utf8(&bytes) {
        Ok(s) => s.strip_prefix('\u{feff}').unwrap_or(s).to_string(),
        Err(_) => {
            let (s, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
            if bad {
                bail!("{}: neither UTF-8 nor cp932 text", path.display());
            }
            s.into_owned()
        }
    })
}

fn from_csv(path: &Path) -> Result<Table> {
    let text = read_text(path)?;
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .with_context(|| format!("{}: header row", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, r) in rd.records().enumerate() {
        let r = r.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        rows.push(r.iter().map(undefuse).collect());
    }
    Ok(Table { header, rows })
}

fn from_xlsx(path: &Path) -> Result<Table> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> =
        open_workbook(path).with_context(|| format!("opening {}", path.display()))?;
    let range = wb
        .worksheet_range("responses")
        .with_context(|| format!("{}: no sheet named responses", path.display()))?;
    let cell = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::String(s) => undefuse(s),
        other => other.to_string(),
    };
    let mut rows = range.rows();
    let header = rows
        .next()
        .map(|r| r.iter().map(cell).collect())
        .unwrap_or_default();
    Ok(Table {
        header,
        rows: rows.map(|r| r.iter().map(cell).collect()).collect(),
    })
}

/// Export prefixes a cell that a spreadsheet would run as a formula with `'`
/// ([`crate::export::defuse`]); the text itself is what is tallied.
pub fn undefuse(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if crate::export::defuse(rest).len() != rest.len() => rest.to_string(),
        _ => cell.to_string(),
    }
}

fn check_header(t: &Table, path: &Path) -> Result<()> {
    for need in ["response_id", "questionnaire"] {
        if !t.header.iter().any(|h| h == need) {
            bail!(
                "{}: no column {need}: not a table `faxform export` wrote",
                path.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_defused_formula_is_read_back_as_written() {
        assert_eq!(undefuse("'=1+1"), "=1+1");
        assert_eq!(undefuse("'-2"), "-2");
        assert_eq!(undefuse("'quoted"), "'quoted");
        assert_eq!(undefuse("千葉"), "千葉");
    }

    #[test]
    fn csv_in_utf8_with_bom_and_in_cp932() {
        let dir = tempfile::tempdir().unwrap();
        let body = "response_id,template,questionnaire,status,q1,q2\na.tif:1,t,q,ok,千葉,1\n";
        let p = dir.path().join("bom.csv");
        std::fs::write(&p, format!("\u{feff}{body}")).unwrap();
        let t = load(&p, false).unwrap().table;
        assert_eq!(t.header[0], "response_id");
        assert_eq!(t.rows[0][4], "千葉");
        let p = dir.path().join("sjis.csv");
        std::fs::write(&p, encoding_rs::SHIFT_JIS.encode(body).0).unwrap();
        assert_eq!(load(&p, false).unwrap().table.rows[0][4], "千葉");
        let p = dir.path().join("other.csv");
        std::fs::write(&p, "a,b\n1,2\n").unwrap();
        let e = load(&p, false).unwrap_err().to_string();
        assert!(e.contains("other.csv") && e.contains("response_id"), "{e}");
    }
}

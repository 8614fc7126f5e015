//! The final table as an Excel workbook: sheets `responses`, `codebook`, and `audit` (every
//! reviewer's change, so the workbook carries its own record of who decided what).
//!
//! Codes and flags are numbers (so COUNTIF and pivot tables work on them), everything else
//! is a string cell. A string cell is never evaluated, so text that looks like a formula
//! is safe here without the apostrophe the CSV needs.

use super::codebook::CodebookRow;
use crate::store::{AuditEntry, LEADING, Table};
use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::collections::HashMap;
use std::path::Path;

/// Whether a cell should be written as a number: a choice code or a 0/1 flag.
fn is_code(column_kind: &str, cell: &str) -> bool {
    matches!(column_kind, "single" | "multi")
        && !cell.is_empty()
        && cell.len() <= 3
        && cell.bytes().all(|b| b.is_ascii_digit())
}

/// Writes `cells` as text cells along row `r` from column `c0`.
fn strings(ws: &mut Worksheet, r: u32, c0: u16, cells: &[&str], f: &Format) -> Result<()> {
    for (c, v) in cells.iter().enumerate() {
        ws.write_string_with_format(r, c0 + c as u16, *v, f)?;
    }
    Ok(())
}

pub fn write(table: &Table, book: &[CodebookRow], audit: &[AuditEntry], path: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    // By questionnaire: `q5` may be a choice in one and handwriting in another.
    let kinds: HashMap<(&str, &str), &str> = book
        .iter()
        .map(|r| {
            (
                (r.questionnaire.as_str(), r.column.as_str()),
                r.kind.as_str(),
            )
        })
        .collect();

    let ws = wb.add_worksheet();
    ws.set_name("responses")?;
    let head: Vec<&str> = table.header.iter().map(String::as_str).collect();
    strings(ws, 0, 0, &head, &bold)?;
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let kind = kinds
                .get(&(row[2].as_str(), table.header[c].as_str()))
                .copied()
                .unwrap_or("");
            if c >= LEADING.len() && is_code(kind, cell) {
                ws.write_number(r, c as u16, cell.parse::<f64>()?)?;
            } else {
                ws.write_string(r, c as u16, cell)?;
            }
        }
    }
    ws.set_freeze_panes(1, 1)?;
    ws.set_autofit_max_width(300);
    ws.autofit();

    let ws = wb.add_worksheet();
    ws.set_name("codebook")?;
    let head = [
        "column",
        "questionnaire",
        "question",
        "kind",
        "question text",
        "values",
    ];
    strings(ws, 0, 0, &head, &bold)?;
    for (r, b) in book.iter().enumerate() {
        let cells = [
            &b.column,
            &b.questionnaire,
            &b.question,
            &b.kind,
            &b.text,
            &b.values,
        ]
        .map(String::as_str);
        strings(ws, r as u32 + 1, 0, &cells, &wrap)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(4, 60)?;
    ws.set_column_width(5, 40)?;

    let ws = wb.add_worksheet();
    ws.set_name("audit")?;
    let head = [
        "entry",
        "item",
        "response_id",
        "column",
        "action",
        "old_value",
        "new_value",
        "reviewer",
        "at (UTC)",
        "undone_by",
    ];
    strings(ws, 0, 0, &head, &bold)?;
    for (r, a) in audit.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, a.id as f64)?;
        ws.write_number(r, 1, a.item_id as f64)?;
        let cells = [
            &a.response_id,
            &a.column,
            &a.action,
            &a.old_value,
            &a.new_value,
            &a.reviewer,
            &a.at,
        ]
        .map(String::as_str);
        strings(ws, r, 2, &cells, &Format::new())?;
        if let Some(u) = a.undone_by {
            ws.write_number(r, 9, u as f64)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save(path)?;
    Ok(())
}

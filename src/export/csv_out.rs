//! The final table as CSV in the chosen encoding.

use super::encoding::{Encoding, to_cp932};
use super::safe::defuse;
use crate::store::Table;
use anyhow::Result;
use std::io::Write;
use std::path::Path;

pub struct Written {
    pub defused: usize,
    /// (response id, column, character) for each character cp932 could not hold.
    pub unmappable: Vec<(String, String, char)>,
}

/// Writes `table` with CRLF line ends (Excel's own), every cell made formula-safe.
pub fn write(table: &Table, encoding: Encoding, path: &Path) -> Result<Written> {
    let mut defused = 0;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(&table.header)?;
    for row in &table.rows {
        let cells: Vec<std::borrow::Cow<str>> = row.iter().map(|c| defuse(c)).collect();
        defused += cells
            .iter()
            .zip(row)
            .filter(|(a, b)| a.as_ref() != b.as_str())
            .count();
        w.write_record(cells.iter().map(|c| c.as_ref()))?;
    }
    let utf8 = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut unmappable = Vec::new();
    let bytes = match encoding {
        Encoding::Utf8 => utf8,
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), &utf8].concat(),
        Encoding::Cp932 => {
            // Cell by cell first, so that each lost character is reported with its cell;
            // CSV quoting is ASCII, so the whole text then encodes the same way.
            let mut scratch = Vec::new();
            for row in &table.rows {
                for (i, cell) in row.iter().enumerate() {
                    for m in to_cp932(cell, &mut scratch) {
                        unmappable.push((row[0].clone(), table.header[i].clone(), m.ch));
                    }
                }
            }
            let mut b = Vec::with_capacity(utf8.len());
            to_cp932(std::str::from_utf8(&utf8)?, &mut b);
            b
        }
    };
    let mut f = std::fs::File::create(path)?;
    f.write_all(&bytes)?;
    f.sync_all()?;
    Ok(Written {
        defused,
        unmappable,
    })
}

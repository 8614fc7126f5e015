//! Each received page's fax header (pages.csv), kept with the file that brought it.

use crate::header::FaxHeader;
use anyhow::Result;
use rusqlite::{Connection, Transaction, params};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fax_pages (
    file_hash TEXT NOT NULL, file TEXT NOT NULL, page INTEGER NOT NULL, header TEXT NOT NULL,
    sender TEXT, sent_at TEXT, page_no INTEGER, page_count INTEGER,
    PRIMARY KEY (file_hash, page));
";

/// One page of an input file, with its header line if one was read.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRecord {
    /// Path as shown in the other tables.
    pub file: String,
    /// 1-based page of the file.
    pub page: usize,
    pub header: Option<FaxHeader>,
}

pub(super) fn insert(tx: &Transaction, hash: &str, pages: &[PageRecord]) -> Result<()> {
    let mut st = tx.prepare(
        "INSERT OR REPLACE INTO fax_pages (file_hash, file, page, header, sender, sent_at, page_no, page_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for p in pages {
        let h = p.header.clone().unwrap_or_default();
        st.execute(params![
            hash,
            p.file,
            p.page as i64,
            h.text,
            h.sender,
            h.sent_at,
            h.page,
            h.pages
        ])?;
    }
    Ok(())
}

/// Every page in the order files were done.
pub(super) fn all(conn: &Connection) -> Result<Vec<PageRecord>> {
    let mut st = conn.prepare(
        "SELECT p.file, p.page, p.header, p.sender, p.sent_at, p.page_no, p.page_count
         FROM fax_pages p JOIN files f ON f.hash = p.file_hash ORDER BY f.seq, p.page",
    )?;
    let rows = st.query_map([], |r| {
        let text: String = r.get(2)?;
        let header = FaxHeader {
            text,
            sender: r.get(3)?,
            sent_at: r.get(4)?,
            page: r.get(5)?,
            pages: r.get(6)?,
        };
        Ok(PageRecord {
            file: r.get(0)?,
            page: r.get::<_, i64>(1)? as usize,
            header: (header != FaxHeader::default()).then_some(header),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each stored response's sender: the number on the header of one of its pages.
pub(super) fn response_senders(
    conn: &Connection,
) -> Result<std::collections::HashMap<String, String>> {
    let mut st = conn.prepare(
        "SELECT r.response_id, r.pages, p.page, p.sender FROM responses r
         JOIN fax_pages p ON p.file_hash = r.file_hash WHERE p.sender IS NOT NULL",
    )?;
    let mut out = std::collections::HashMap::new();
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (rid, pages, page, sender) = row?;
        let pages: Vec<i64> = serde_json::from_str(&pages).unwrap_or_default();
        if pages.contains(&page) {
            out.entry(rid).or_insert(sender);
        }
    }
    Ok(out)
}

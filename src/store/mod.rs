//! Store: the job's SQLite file in the output folder.
//!
//! Every input file is recorded by its content hash together with everything it produced,
//! in one transaction, so that a second run skips what is done, a run killed half way
//! resumes without losing or doubling a response, and the same fax received twice is
//! recognised. The CSV outputs are always written from here, never from memory.

use crate::reason::{self, Reason};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

mod decisions;
mod pages;
mod table;
pub use decisions::{AuditEntry, Decided, Decision, Item};
pub use pages::PageRecord;
pub use table::{LEADING, Table};

/// Adds a column that folders made by an earlier version lack.
fn add_column(conn: &Connection, table: &str, column: &str, decl: &str) -> Result<()> {
    let has: bool = conn
        .prepare(&format!(
            "SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"
        ))?
        .exists([column])?;
    if !has {
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
    }
    Ok(())
}

/// A review item's reasons from the store: its JSON, or for an item stored before reasons
/// were typed, its English text as a legacy reason (shown as it was).
pub(crate) fn stored_reasons(json: Option<String>, text: String) -> Vec<Reason> {
    json.and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_else(|| vec![Reason::Legacy { text }])
}

/// Everything one input file produced.
#[derive(Debug, Clone, Default)]
pub struct FileRecord {
    pub hash: String,
    /// Path as given (relative to the working folder).
    pub path: String,
    pub pages: usize,
    pub responses: Vec<ResponseRecord>,
    pub reviews: Vec<ReviewRecord>,
    pub rejected: Vec<RejectRecord>,
    /// Every page of the file, with its fax header where one was read.
    pub pages_read: Vec<PageRecord>,
}

#[derive(Debug, Clone)]
pub struct ResponseRecord {
    pub response_id: String,
    pub template: String,
    pub questionnaire: String,
    pub status: String,
    /// (column, value) in template column order.
    pub cells: Vec<(String, String)>,
    /// Text columns with writing that OCR did not read (`--no-ocr`, or OCR failed).
    pub unread: Vec<String>,
    /// The pages of its file the response was read from (1-based).
    pub pages: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct ReviewRecord {
    pub response_id: String,
    pub column: String,
    /// Why (one or more; never empty).
    pub reasons: Vec<Reason>,
    pub guess: String,
    pub confidence: f32,
    /// The option the item is about, when it is about one.
    pub option: Option<u32>,
    pub image: String,
}

#[derive(Debug, Clone)]
pub struct RejectRecord {
    pub file: String,
    /// 1-based page, or `None` for the whole file.
    pub page: Option<usize>,
    pub reason: String,
}

/// The store's file name in an output folder.
pub const FILE: &str = "faxform.sqlite";

pub struct Store {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS files (
    hash TEXT PRIMARY KEY, path TEXT NOT NULL, pages INTEGER NOT NULL, seq INTEGER NOT NULL, done_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS responses (
    response_id TEXT PRIMARY KEY, file_hash TEXT NOT NULL, seq INTEGER NOT NULL,
    template TEXT NOT NULL, questionnaire TEXT NOT NULL, status TEXT NOT NULL, cells TEXT NOT NULL,
    unread TEXT NOT NULL DEFAULT '[]', pages TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS review_items (
    id INTEGER PRIMARY KEY, file_hash TEXT NOT NULL, response_id TEXT NOT NULL, col TEXT NOT NULL,
    reason TEXT NOT NULL, guess TEXT NOT NULL, confidence REAL NOT NULL, image TEXT NOT NULL,
    option_code INTEGER, reasons TEXT);
CREATE TABLE IF NOT EXISTS rejected (
    id INTEGER PRIMARY KEY, file_hash TEXT, file TEXT NOT NULL, page INTEGER, reason TEXT NOT NULL);
";

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)
            .with_context(|| format!("opening job store {}", path.display()))?;
        // WAL keeps readers (the review page) and this writer out of each other's way.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A second process (another reviewer, or a run adding files) may hold the write
        // lock for a moment: wait for it rather than fail.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(decisions::SCHEMA)?;
        conn.execute_batch(pages::SCHEMA)?;
        // Folders made by earlier versions lack these columns.
        add_column(&conn, "responses", "unread", "TEXT NOT NULL DEFAULT '[]'")?;
        add_column(&conn, "review_items", "option_code", "INTEGER")?;
        add_column(&conn, "responses", "pages", "TEXT NOT NULL DEFAULT '[]'")?;
        // Before reasons were typed only their English text was kept: see stored_reasons.
        add_column(&conn, "review_items", "reasons", "TEXT")?;
        Ok(Store { conn })
    }

    /// The store of an output folder `faxform run` made; never creates one (review and
    /// export of a mistyped folder must say so, not start an empty store there).
    pub fn open_existing(dir: &Path) -> Result<Store> {
        let path = dir.join(FILE);
        if !path.is_file() {
            anyhow::bail!(
                "{} has no job store ({FILE}): is it the output folder of `faxform run`?",
                dir.display()
            );
        }
        Store::open(&path)
    }

    /// The path under which a file with this content was already done, if any.
    pub fn done(&self, hash: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT path FROM files WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Every file done so far: content hash -> path it was read under.
    pub fn done_files(&self) -> Result<std::collections::HashMap<String, String>> {
        let mut st = self.conn.prepare("SELECT hash, path FROM files")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The source parts (`<source>` of `<source>:<page>`) of every stored response id: a
    /// new file under a name already used must take another (`#2`, …).
    pub fn response_sources(&self) -> Result<std::collections::HashSet<String>> {
        let mut st = self.conn.prepare("SELECT response_id FROM responses")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = std::collections::HashSet::new();
        for id in rows {
            let id = id?;
            let source = id.rsplit_once(':').map_or(id.as_str(), |(s, _)| s);
            out.insert(source.to_string());
        }
        Ok(out)
    }

    /// Whether a rejection with this file and reason is already recorded (duplicates are
    /// noted once however often the run is repeated).
    pub fn has_rejection(&self, file: &str, reason: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM rejected WHERE file = ?1 AND reason = ?2",
                params![file, reason],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn add_rejection(&mut self, r: &RejectRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO rejected (file_hash, file, page, reason) VALUES (NULL, ?1, ?2, ?3)",
            params![r.file, r.page.map(|p| p as i64), r.reason],
        )?;
        Ok(())
    }

    /// Records a processed file and all it produced, atomically.
    pub fn commit(&mut self, f: &FileRecord) -> Result<()> {
        let tx = self.conn.transaction()?;
        let seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM files", [], |r| {
            r.get(0)
        })?;
        tx.execute(
            "INSERT INTO files (hash, path, pages, seq, done_at) VALUES (?1, ?2, ?3, ?4, datetime('now'))",
            params![f.hash, f.path, f.pages as i64, seq],
        )?;
        for (i, r) in f.responses.iter().enumerate() {
            let cells = serde_json::to_string(&r.cells)?;
            let unread = serde_json::to_string(&r.unread)?;
            let pages = serde_json::to_string(&r.pages)?;
            tx.execute(
                "INSERT INTO responses (response_id, file_hash, seq, template, questionnaire, status, cells, unread, pages)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![r.response_id, f.hash, seq * 1000 + i as i64, r.template, r.questionnaire, r.status, cells, unread, pages],
            )
            .with_context(|| format!("response {}", r.response_id))?;
        }
        for v in &f.reviews {
            tx.execute(
                "INSERT INTO review_items (file_hash, response_id, col, reason, guess, confidence, image, option_code, reasons)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![f.hash, v.response_id, v.column, reason::english(&v.reasons), v.guess, v.confidence as f64, v.image, v.option, serde_json::to_string(&v.reasons)?],
            )?;
        }
        for r in &f.rejected {
            tx.execute(
                "INSERT INTO rejected (file_hash, file, page, reason) VALUES (?1, ?2, ?3, ?4)",
                params![f.hash, r.file, r.page.map(|p| p as i64), r.reason],
            )?;
        }
        pages::insert(&tx, &f.hash, &f.pages_read)?;
        tx.commit()?;
        Ok(())
    }

    /// Every page of every file done, with its fax header (pages.csv).
    pub fn pages(&self) -> Result<Vec<PageRecord>> {
        pages::all(&self.conn)
    }

    /// Response id -> the sender's number read on one of its pages.
    pub fn response_senders(&self) -> Result<std::collections::HashMap<String, String>> {
        pages::response_senders(&self.conn)
    }

    pub fn responses(&self) -> Result<Vec<ResponseRecord>> {
        let mut st = self.conn.prepare("SELECT response_id, template, questionnaire, status, cells, unread, pages FROM responses ORDER BY seq")?;
        let rows = st.query_map([], |r| {
            let cells: String = r.get(4)?;
            let unread: String = r.get(5)?;
            let pages: String = r.get(6)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                cells,
                unread,
                pages,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (response_id, template, questionnaire, status, cells, unread, pages) = row?;
            out.push(ResponseRecord {
                response_id,
                template,
                questionnaire,
                status,
                cells: serde_json::from_str(&cells)?,
                unread: serde_json::from_str(&unread)?,
                pages: serde_json::from_str(&pages)?,
            });
        }
        Ok(out)
    }

    pub fn reviews(&self) -> Result<Vec<ReviewRecord>> {
        let mut st = self.conn.prepare(
            "SELECT v.response_id, v.col, v.reason, v.guess, v.confidence, v.image, v.option_code, v.reasons FROM review_items v
             JOIN responses r ON r.response_id = v.response_id ORDER BY r.seq, v.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ReviewRecord {
                response_id: r.get(0)?,
                column: r.get(1)?,
                reasons: stored_reasons(r.get(7)?, r.get(2)?),
                guess: r.get(3)?,
                confidence: r.get::<_, f64>(4)? as f32,
                image: r.get(5)?,
                option: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn rejected(&self) -> Result<Vec<RejectRecord>> {
        let mut st = self
            .conn
            .prepare("SELECT file, page, reason FROM rejected ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(RejectRecord {
                file: r.get(0)?,
                page: r.get::<_, Option<i64>>(1)?.map(|p| p as usize),
                reason: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Each stored response with the path of its file and the pages it was read from: with
    /// rejected.csv, what accounts for every page of every file.
    pub fn response_pages(&self) -> Result<Vec<(String, String, Vec<usize>)>> {
        let mut st = self.conn.prepare(
            "SELECT f.path, r.response_id, r.pages FROM responses r JOIN files f ON f.hash = r.file_hash ORDER BY r.seq",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (path, id, pages) = row?;
            out.push((path, id, serde_json::from_str(&pages)?));
        }
        Ok(out)
    }

    pub fn file_count(&self) -> Result<(usize, usize)> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(pages), 0) FROM files",
            [],
            |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(hash: &str, rid: &str) -> FileRecord {
        FileRecord {
            hash: hash.into(),
            path: format!("{rid}.tif"),
            pages: 1,
            responses: vec![ResponseRecord {
                response_id: rid.into(),
                template: "t-a".into(),
                questionnaire: "t".into(),
                status: "ok".into(),
                cells: vec![("q1".into(), "2".into())],
                unread: vec![],
                pages: vec![1],
            }],
            reviews: vec![],
            rejected: vec![],
            pages_read: vec![PageRecord {
                file: format!("{rid}.tif"),
                page: 1,
                header: Some(crate::header::parse(
                    "23-NOV-26 17:11 たかはし眼科 0526429762 P01/01",
                )),
            }],
        }
    }

    #[test]
    fn page_headers_are_kept_with_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("job.sqlite")).unwrap();
        s.commit(&record("h1", "a.tif:1")).unwrap();
        let mut second = record("h2", "b.tif:1");
        second.pages_read.push(PageRecord {
            file: "b.tif:1.tif".into(),
            page: 2,
            header: None,
        });
        s.commit(&second).unwrap();
        let pages = s.pages().unwrap();
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].file, "a.tif:1.tif");
        let h = pages[0].header.as_ref().unwrap();
        assert_eq!(h.sender.as_deref(), Some("0526429762"));
        assert_eq!(h.sent_at.as_deref(), Some("2026-11-23T17:11"));
        assert_eq!((h.page, h.pages), (Some(1), Some(1)));
        assert_eq!((pages[2].page, &pages[2].header), (2, &None));
    }

    #[test]
    fn commits_are_atomic_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.sqlite");
        {
            let mut s = Store::open(&path).unwrap();
            s.commit(&record("h1", "a.tif:1")).unwrap();
            // A second file claiming the same response id fails as a whole.
            let mut bad = record("h2", "b.tif:1");
            bad.responses.push(bad.responses[0].clone());
            assert!(s.commit(&bad).is_err());
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.done("h1").unwrap().as_deref(), Some("a.tif:1.tif"));
        assert_eq!(
            s.done("h2").unwrap(),
            None,
            "the failed file left nothing behind"
        );
        assert_eq!(s.responses().unwrap().len(), 1);
    }

    #[test]
    fn reasons_are_kept_typed_and_old_stores_keep_their_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.sqlite");
        let reasons = vec![
            Reason::Box {
                doubt: crate::marks::Doubt::Beside,
                option: 3,
                label: "どちらともいえない".into(),
            },
            Reason::TwoMarks,
        ];
        // A store made before reasons were typed: its items have text only.
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE review_items (
                    id INTEGER PRIMARY KEY, file_hash TEXT NOT NULL, response_id TEXT NOT NULL,
                    col TEXT NOT NULL, reason TEXT NOT NULL, guess TEXT NOT NULL,
                    confidence REAL NOT NULL, image TEXT NOT NULL, option_code INTEGER);",
            )
            .unwrap();
        {
            let mut s = Store::open(&path).unwrap();
            let mut r = record("h1", "a.tif:1");
            r.reviews.push(ReviewRecord {
                response_id: "a.tif:1".into(),
                column: "q1".into(),
                reasons: reasons.clone(),
                guess: String::new(),
                confidence: 0.4,
                option: Some(3),
                image: String::new(),
            });
            s.commit(&r).unwrap();
            s.conn
                .execute(
                    "INSERT INTO review_items (file_hash, response_id, col, reason, guess, confidence, image)
                     VALUES ('h1', 'a.tif:1', 'q2', 'low-confidence box (option 1 はい)', '', 0.3, '')",
                    [],
                )
                .unwrap();
        }
        let got = Store::open(&path).unwrap().reviews().unwrap();
        assert_eq!(got[0].reasons, reasons);
        let old = &got[1].reasons;
        assert!(matches!(&old[..], [Reason::Legacy { .. }]), "{old:?}");
        assert_eq!(old[0].japanese(), "印の有無を判断しにくい（選択肢 1 はい）");
        assert_eq!(old[0].english(), "low-confidence box (option 1 はい)");
    }
}

//! Reviewers' decisions on review items, and the audit trail of every change.
//!
//! A decision is written in its own transaction the moment it is made, so a closed browser
//! or a killed server loses nothing. Each item carries a version; a decision names the
//! version it was made on, and one made on a stale version is refused as a conflict, so
//! two reviewers on the same folder (two tabs, or two servers) never overwrite each other
//! unseen. Nothing is ever deleted: undo is one more audited change.

use super::Store;
use crate::reason::Reason;
use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    item_id INTEGER PRIMARY KEY, value TEXT, reviewer TEXT NOT NULL, at TEXT NOT NULL,
    version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL, response_id TEXT NOT NULL, col TEXT NOT NULL,
    action TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL, prev_state TEXT,
    version INTEGER NOT NULL, reviewer TEXT NOT NULL, at TEXT NOT NULL, undone_by INTEGER);
CREATE TABLE IF NOT EXISTS viewing (
    reviewer TEXT PRIMARY KEY, item_id INTEGER NOT NULL, at REAL NOT NULL);
";

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// A review item with the machine's reading of its cell and its decision, if any.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    pub id: i64,
    pub response_id: String,
    pub template: String,
    pub column: String,
    /// Why it is in review (one or more).
    pub reasons: Vec<Reason>,
    pub guess: String,
    pub confidence: f32,
    /// Crop path relative to the output folder (may be empty).
    pub image: String,
    pub option: Option<u32>,
    /// The cell as the machine read it (responses.csv).
    pub machine: String,
    pub decision: Option<Decision>,
    /// Bumped by every change; a decision must name the version it was made on.
    pub version: i64,
}

impl Item {
    /// The cell's value in the final table: the decision, else the machine's reading.
    pub fn value(&self) -> &str {
        self.decision
            .as_ref()
            .map(|d| d.value.as_str())
            .unwrap_or(&self.machine)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    pub value: String,
    pub reviewer: String,
    pub at: String,
}

/// The outcome of a decision or an undo.
#[derive(Debug, Clone)]
pub enum Decided {
    Done(Item),
    /// The item changed since the reviewer saw it; here it is as it is now.
    Conflict(Item),
}

/// One change of one item.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub item_id: i64,
    pub response_id: String,
    pub column: String,
    /// `accept`, `set`, `mark`, `unmark`, `edit` or `undo`.
    pub action: String,
    pub old_value: String,
    pub new_value: String,
    pub reviewer: String,
    pub at: String,
    /// The entry that undid this one.
    pub undone_by: Option<i64>,
}

const ITEM_SQL: &str = "
SELECT v.id, v.response_id, r.template, v.col, v.reason, v.guess, v.confidence, v.image,
       v.option_code, r.cells, d.value, d.reviewer, d.at, COALESCE(d.version, 0), v.reasons
FROM review_items v JOIN responses r ON r.response_id = v.response_id
LEFT JOIN decisions d ON d.item_id = v.id";

fn item_from_row(
    row: &rusqlite::Row,
    cells_cache: &mut HashMap<String, HashMap<String, String>>,
) -> Result<Item> {
    let response_id: String = row.get(1)?;
    let column: String = row.get(3)?;
    let cells_json: String = row.get(9)?;
    if !cells_cache.contains_key(&response_id) {
        let cells: Vec<(String, String)> = serde_json::from_str(&cells_json)
            .with_context(|| format!("cells of response {response_id}"))?;
        cells_cache.insert(response_id.clone(), cells.into_iter().collect());
    }
    let machine = cells_cache[&response_id]
        .get(&column)
        .cloned()
        .unwrap_or_default();
    let value: Option<String> = row.get(10)?;
    let decision = match value {
        Some(value) => Some(Decision {
            value,
            reviewer: row.get(11)?,
            at: row.get(12)?,
        }),
        None => None,
    };
    Ok(Item {
        id: row.get(0)?,
        response_id,
        template: row.get(2)?,
        column,
        reasons: super::stored_reasons(row.get(14)?, row.get(4)?),
        guess: row.get(5)?,
        confidence: row.get::<_, f64>(6)? as f32,
        image: row.get(7)?,
        option: row.get(8)?,
        machine,
        decision,
        version: row.get(13)?,
    })
}

/// Records that `item` (as it was before) became `new_value` at `version`; returns the
/// entry's id. `prev_state` keeps the decision it replaced (none: the item was open), which
/// is what an undo of this entry goes back to.
fn audit_change(
    conn: &rusqlite::Connection,
    item: &Item,
    action: &str,
    new_value: &str,
    version: i64,
    reviewer: &str,
) -> Result<i64> {
    conn.execute(
        &format!(
            "INSERT INTO audit (item_id, response_id, col, action, old_value, new_value, prev_state, version, reviewer, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {NOW})"
        ),
        params![
            item.id,
            item.response_id,
            item.column,
            action,
            item.value(),
            new_value,
            item.decision.as_ref().map(|d| &d.value),
            version,
            reviewer
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

fn item_in(conn: &rusqlite::Connection, id: i64) -> Result<Option<Item>> {
    let mut st = conn.prepare(&format!("{ITEM_SQL} WHERE v.id = ?1"))?;
    let mut rows = st.query([id])?;
    match rows.next()? {
        Some(row) => Ok(Some(item_from_row(row, &mut HashMap::new())?)),
        None => Ok(None),
    }
}

impl Store {
    /// Every review item in response order, with its machine reading and decision.
    pub fn items(&self) -> Result<Vec<Item>> {
        let mut st = self
            .conn
            .prepare(&format!("{ITEM_SQL} ORDER BY r.seq, v.id"))?;
        let mut rows = st.query([])?;
        let mut cache = HashMap::new();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(item_from_row(row, &mut cache)?);
        }
        Ok(out)
    }

    pub fn item(&self, id: i64) -> Result<Option<Item>> {
        item_in(&self.conn, id)
    }

    /// (open, total) review items.
    pub fn item_counts(&self) -> Result<(usize, usize)> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) - COUNT(d.value), COUNT(*) FROM review_items v
             JOIN responses r ON r.response_id = v.response_id
             LEFT JOIN decisions d ON d.item_id = v.id",
            [],
            |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
        )?)
    }

    /// Sets item `id` to `value`, provided it is still at `version` (else a conflict).
    pub fn decide(
        &mut self,
        id: i64,
        value: &str,
        action: &str,
        reviewer: &str,
        version: i64,
    ) -> Result<Option<Decided>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(item) = item_in(&tx, id)? else {
            return Ok(None);
        };
        if item.version != version {
            return Ok(Some(Decided::Conflict(item)));
        }
        let next = version + 1;
        tx.execute(
            &format!(
                "INSERT INTO decisions (item_id, value, reviewer, at, version) VALUES (?1, ?2, ?3, {NOW}, ?4)
                 ON CONFLICT(item_id) DO UPDATE SET value = ?2, reviewer = ?3, at = {NOW}, version = ?4"
            ),
            params![id, value, reviewer, next],
        )?;
        audit_change(&tx, &item, action, value, next, reviewer)?;
        let done = item_in(&tx, id)?.context("decided item vanished")?;
        tx.commit()?;
        Ok(Some(Decided::Done(done)))
    }

    /// Undoes `reviewer`'s latest change that is not undone yet: the item goes back to what
    /// it was before (open, or the earlier decision). Refused as a conflict when somebody
    /// changed the item since. `None` when the reviewer has nothing to undo.
    pub fn undo(&mut self, reviewer: &str) -> Result<Option<Decided>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<(i64, i64, Option<String>, i64)> = tx
            .query_row(
                "SELECT id, item_id, prev_state, version FROM audit
                 WHERE reviewer = ?1 AND action != 'undo' AND undone_by IS NULL
                 ORDER BY id DESC LIMIT 1",
                [reviewer],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((entry, id, prev_state, version)) = last else {
            return Ok(None);
        };
        let item = item_in(&tx, id)?.context("undone item vanished")?;
        if item.version != version {
            return Ok(Some(Decided::Conflict(item)));
        }
        let next = version + 1;
        tx.execute(
            &format!(
                "UPDATE decisions SET value = ?2, reviewer = ?3, at = {NOW}, version = ?4 WHERE item_id = ?1"
            ),
            params![id, prev_state, reviewer, next],
        )?;
        let new_value = prev_state.clone().unwrap_or_else(|| item.machine.clone());
        let undo_id = audit_change(&tx, &item, "undo", &new_value, next, reviewer)?;
        tx.execute(
            "UPDATE audit SET undone_by = ?2 WHERE id = ?1",
            params![entry, undo_id],
        )?;
        let done = item_in(&tx, id)?.context("undone item vanished")?;
        tx.commit()?;
        Ok(Some(Decided::Done(done)))
    }

    /// Notes that `reviewer` has item `id` on screen now (one item per reviewer), so that
    /// other reviewers' pages pass it by instead of both deciding it.
    pub fn set_viewing(&self, id: i64, reviewer: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO viewing (reviewer, item_id, at) VALUES (?1, ?2, julianday('now'))
             ON CONFLICT(reviewer) DO UPDATE SET item_id = ?2, at = julianday('now')",
            params![reviewer, id],
        )?;
        Ok(())
    }

    /// (item, reviewer) for every item some reviewer had on screen in the last `secs`.
    pub fn viewing(&self, secs: f64) -> Result<Vec<(i64, String)>> {
        let mut st = self.conn.prepare(
            "SELECT item_id, reviewer FROM viewing WHERE (julianday('now') - at) * 86400.0 < ?1
             ORDER BY item_id",
        )?;
        let rows = st.query_map([secs], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT id, item_id, response_id, col, action, old_value, new_value, reviewer, at, undone_by
             FROM audit ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                item_id: r.get(1)?,
                response_id: r.get(2)?,
                column: r.get(3)?,
                action: r.get(4)?,
                old_value: r.get(5)?,
                new_value: r.get(6)?,
                reviewer: r.get(7)?,
                at: r.get(8)?,
                undone_by: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FileRecord, ResponseRecord, ReviewRecord};
    use super::*;

    fn store_with_item(dir: &std::path::Path) -> (Store, i64) {
        let mut s = Store::open(&dir.join("job.sqlite")).unwrap();
        s.commit(&FileRecord {
            hash: "h".into(),
            path: "a.tif".into(),
            pages: 1,
            responses: vec![ResponseRecord {
                response_id: "a.tif:1".into(),
                template: "t-a".into(),
                questionnaire: "t".into(),
                status: "review".into(),
                cells: vec![("q6_3".into(), "0".into())],
                unread: vec![],
                pages: vec![1],
            }],
            reviews: vec![ReviewRecord {
                response_id: "a.tif:1".into(),
                column: "q6_3".into(),
                reasons: vec![Reason::Faint { ink: 20 }],
                guess: "0".into(),
                confidence: 0.4,
                option: Some(3),
                image: "crops/x.png".into(),
            }],
            rejected: vec![],
            pages_read: vec![],
        })
        .unwrap();
        let id = s.items().unwrap()[0].id;
        (s, id)
    }

    fn done(d: Option<Decided>) -> Item {
        match d {
            Some(Decided::Done(i)) => i,
            other => panic!("expected a decision, got {other:?}"),
        }
    }

    #[test]
    fn decisions_are_versioned_audited_and_undone() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, id) = store_with_item(dir.path());
        assert_eq!(s.item_counts().unwrap().0, 1);
        let it = done(s.decide(id, "1", "mark", "佐藤", 0).unwrap());
        assert_eq!((it.value(), it.version), ("1", 1));
        assert_eq!(s.item_counts().unwrap().0, 0);
        // A second reviewer who saw version 0 is told, and changes nothing.
        match s.decide(id, "0", "unmark", "鈴木", 0).unwrap() {
            Some(Decided::Conflict(now)) => assert_eq!(now.value(), "1"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        // 鈴木 has nothing to undo; 佐藤's undo reopens the item.
        assert!(s.undo("鈴木").unwrap().is_none());
        let it = done(s.undo("佐藤").unwrap());
        assert!(it.decision.is_none());
        assert_eq!(it.value(), "0");
        assert_eq!(s.item_counts().unwrap().0, 1);
        let trail = s.audit().unwrap();
        assert_eq!(trail.len(), 2);
        assert_eq!(
            (trail[0].action.as_str(), trail[0].old_value.as_str()),
            ("mark", "0")
        );
        assert_eq!(trail[0].new_value, "1");
        assert_eq!(trail[0].reviewer, "佐藤");
        assert_eq!(trail[0].undone_by, Some(trail[1].id));
        assert_eq!(
            (trail[1].action.as_str(), trail[1].new_value.as_str()),
            ("undo", "0")
        );
        // Nothing left to undo for 佐藤 either.
        assert!(s.undo("佐藤").unwrap().is_none());
    }

    #[test]
    fn each_reviewer_views_one_item_and_old_views_fade() {
        let dir = tempfile::tempdir().unwrap();
        let (s, id) = store_with_item(dir.path());
        s.set_viewing(id, "佐藤").unwrap();
        s.set_viewing(id + 1, "佐藤").unwrap();
        s.set_viewing(id, "鈴木").unwrap();
        assert_eq!(
            s.viewing(60.0).unwrap(),
            vec![(id, "鈴木".to_string()), (id + 1, "佐藤".to_string())]
        );
        assert!(s.viewing(0.0).unwrap().is_empty());
    }

    #[test]
    fn a_decision_survives_reopening_and_a_second_connection_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut a, id) = store_with_item(dir.path());
        let b = Store::open(&dir.path().join("job.sqlite")).unwrap();
        done(a.decide(id, "1", "mark", "佐藤", 0).unwrap());
        assert_eq!(b.item(id).unwrap().unwrap().value(), "1");
        drop(a);
        let c = Store::open(&dir.path().join("job.sqlite")).unwrap();
        let it = c.item(id).unwrap().unwrap();
        assert_eq!(it.decision.unwrap().reviewer, "佐藤");
    }
}

//! The responses table (responses.csv's columns) built from stored responses, with the
//! reviewers' decisions applied or not.

use super::{Item, ResponseRecord};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows of strings under a header: `response_id, template, questionnaire, status`, then
/// the question columns in order of first appearance (one questionnaire's columns in
/// template order, then any further questionnaire's).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Leading columns before the question columns.
pub const LEADING: [&str; 4] = ["response_id", "template", "questionnaire", "status"];

impl Table {
    /// The machine's reading, as `faxform run` writes it.
    pub fn machine(responses: &[&ResponseRecord]) -> Table {
        Table::build(responses, None)
    }

    /// The final table: every decided item's value replaces the machine's, and a response
    /// is `ok` once none of its items is open.
    pub fn reviewed(responses: &[&ResponseRecord], items: &[Item]) -> Table {
        Table::build(responses, Some(items))
    }

    /// `items`: the review items with their decisions, or `None` for the machine's table.
    fn build(responses: &[&ResponseRecord], items: Option<&[Item]>) -> Table {
        let mut cols: Vec<&str> = Vec::new();
        for r in responses {
            for (c, _) in &r.cells {
                if !cols.contains(&c.as_str()) {
                    cols.push(c);
                }
            }
        }
        let mut decided: HashMap<(&str, &str), &str> = HashMap::new();
        let mut open: HashSet<&str> = HashSet::new();
        for it in items.unwrap_or_default() {
            match &it.decision {
                Some(d) => {
                    decided.insert((&it.response_id, &it.column), &d.value);
                }
                None => {
                    open.insert(&it.response_id);
                }
            }
        }
        let mut header: Vec<String> = LEADING.iter().map(|s| s.to_string()).collect();
        header.extend(cols.iter().map(|c| c.to_string()));
        let rows = responses
            .iter()
            .map(|r| {
                let cells: BTreeMap<&str, &str> = r
                    .cells
                    .iter()
                    .map(|(c, v)| (c.as_str(), v.as_str()))
                    .collect();
                let status = if items.is_none() {
                    r.status.clone()
                } else if open.contains(r.response_id.as_str()) {
                    "review".to_string()
                } else {
                    "ok".to_string()
                };
                let mut row = vec![
                    r.response_id.clone(),
                    r.template.clone(),
                    r.questionnaire.clone(),
                    status,
                ];
                row.extend(cols.iter().map(|c| {
                    let machine = cells.get(c).copied();
                    match (machine, decided.get(&(r.response_id.as_str(), *c))) {
                        (Some(_), Some(v)) => v.to_string(),
                        (Some(m), None) => m.to_string(),
                        // Not a column of this response's questionnaire.
                        (None, _) => String::new(),
                    }
                }));
                row
            })
            .collect();
        Table { header, rows }
    }

    /// Writes plain UTF-8 CSV (the run's outputs).
    pub fn write_csv(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let mut w = csv::Writer::from_path(path)?;
        w.write_record(&self.header)?;
        for r in &self.rows {
            w.write_record(r)?;
        }
        w.flush()?;
        Ok(())
    }
}

//! A fax sent twice: the same answers from the same fax number, in two different files
//! (a second transmission is never byte-identical to the first, so the content hash that
//! catches a file received twice does not). Both responses are kept; the later one gets a
//! review item naming the earlier, so that a person decides.

use crate::reason::Reason;
use crate::store::{FileRecord, ResponseRecord, ReviewRecord, Store};
use crate::template::{ColumnKind, Template};
use std::collections::{HashMap, HashSet};

/// The pseudo-column of a review item about a whole response.
pub const RESPONSE_COLUMN: &str = "response";

/// Responses seen so far by sender and answers.
pub struct Resent {
    /// Per template id, its text columns: handwriting is read differently from one
    /// transmission to the next, so only the checkbox answers are compared.
    text_columns: HashMap<String, HashSet<String>>,
    seen: HashMap<(String, String), String>,
}

impl Resent {
    /// Starts from the responses already in the store (earlier nights).
    pub fn new(templates: &[Template], store: &Store) -> anyhow::Result<Resent> {
        let text_columns = templates
            .iter()
            .map(|t| {
                let cols = t.columns().into_iter();
                let text = cols.filter(|c| c.kind == ColumnKind::Text).map(|c| c.name);
                (t.id.clone(), text.collect())
            })
            .collect();
        let mut r = Resent {
            text_columns,
            seen: HashMap::new(),
        };
        let senders = store.response_senders()?;
        for resp in store.responses()? {
            if let Some(sender) = senders.get(&resp.response_id) {
                let k = (sender.clone(), r.answers(&resp));
                r.seen.entry(k).or_insert(resp.response_id);
            }
        }
        Ok(r)
    }

    /// The response's template and checkbox answers, as one comparable string.
    fn answers(&self, resp: &ResponseRecord) -> String {
        let text = self.text_columns.get(&resp.template);
        let answers: Vec<String> = resp
            .cells
            .iter()
            .filter(|(c, _)| !text.is_some_and(|t| t.contains(c)))
            .map(|(c, v)| format!("{c}={v}"))
            .collect();
        format!("{}|{}", resp.template, answers.join(","))
    }

    /// Flags the file's responses that repeat one seen before, and remembers them.
    pub fn check(&mut self, record: &mut FileRecord) {
        for resp in &mut record.responses {
            // The record is one file's: its pages are the response's by number.
            let sender = record
                .pages_read
                .iter()
                .filter(|p| resp.pages.contains(&p.page))
                .find_map(|p| p.header.as_ref()?.sender.clone());
            let Some(sender) = sender else {
                continue;
            };
            let k = (sender, self.answers(resp));
            match self.seen.get(&k) {
                Some(of) if *of != resp.response_id => {
                    resp.status = "review".into();
                    record.reviews.push(ReviewRecord {
                        response_id: resp.response_id.clone(),
                        column: RESPONSE_COLUMN.into(),
                        reasons: vec![Reason::Resent {
                            of: of.clone(),
                            sender: k.0.clone(),
                        }],
                        guess: of.clone(),
                        confidence: 0.0,
                        option: None,
                        image: String::new(),
                    });
                }
                Some(_) => {}
                None => {
                    self.seen.insert(k, resp.response_id.clone());
                }
            }
        }
    }
}

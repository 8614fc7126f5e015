//! Who each question was meant for: the template's skip logic (chiba q5 only where q4 =
//! 1), a write-in's option (その他（ ） only where その他 is ticked), and the bases the
//! form does not print ([`super::spec::BaseRule`]).

use super::sheet::Sheet;
use super::spec::{Condition, TallySpec};
use crate::template::Template;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Asked,
    /// A skip rule sent the respondent past it.
    Skipped,
    /// The question a skip rule hangs on was left blank: the form does not say whether to
    /// answer this one, and reports count only those it was meant for.
    GateBlank,
    /// Left out of the base by a rule of the tally settings.
    Excluded,
    /// A write-in whose option was not ticked.
    OptionNotTicked,
}

/// Per sheet row (in `sheet.rows` order), per template question.
pub struct Bases {
    pub status: Vec<Vec<Status>>,
}

impl Bases {
    pub fn new(t: &Template, spec: &TallySpec, sheet: &Sheet) -> Bases {
        let status = sheet
            .rows
            .iter()
            .map(|&r| row_status(t, spec, sheet, r))
            .collect();
        Bases { status }
    }

    pub fn asked(&self, i: usize, q: usize) -> bool {
        self.status[i][q] == Status::Asked
    }
}

fn row_status(t: &Template, spec: &TallySpec, sheet: &Sheet, r: usize) -> Vec<Status> {
    let qs = &t.questions;
    let mut out: Vec<Status> = Vec::with_capacity(qs.len());
    for (i, q) in qs.iter().enumerate() {
        let mut s = Status::Asked;
        // Every earlier question whose skip rule spans this one gates it.
        for (j, g) in qs[..i].iter().enumerate() {
            for rule in &g.skip {
                let Some(to) = t.question_index(&rule.to) else {
                    continue;
                };
                if i >= to {
                    continue;
                }
                let chosen = sheet.choice(r, g).codes;
                let here = if out[j] != Status::Asked {
                    out[j]
                } else if chosen.is_empty() {
                    Status::GateBlank
                } else if chosen.iter().any(|c| rule.when.contains(c)) {
                    Status::Skipped
                } else {
                    Status::Asked
                };
                if s == Status::Asked {
                    s = here;
                }
            }
        }
        if s == Status::Asked
            && let Some((parent, code)) = &q.attached_to
            && let Some(pi) = t.question_index(parent)
        {
            if out[pi] != Status::Asked {
                s = out[pi];
            } else if !sheet.choice(r, &qs[pi]).codes.contains(code) {
                s = Status::OptionNotTicked;
            }
        }
        if s == Status::Asked {
            for b in spec.bases_of(&q.id) {
                let holds = |c: &Condition| {
                    t.question(&c.question).is_some_and(|g| {
                        sheet.choice(r, g).codes.iter().any(|x| c.codes.contains(x))
                    })
                };
                if b.unless.as_ref().is_some_and(holds)
                    || b.only.as_ref().is_some_and(|c| !holds(c))
                {
                    s = Status::Excluded;
                }
            }
        }
        out.push(s);
    }
    out
}

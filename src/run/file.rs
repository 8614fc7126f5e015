//! One input file through the batch: read once within the limits, settled as new,
//! already done or a duplicate, then decoded and its pages read, each stage under a guard.

use super::guard::guarded;
use super::kit::Kit;
use super::page::{self, StageTimes};
use super::{crops, pairing, response};
use crate::ingest::{IngestOptions, read_bytes};
use crate::store::{FileRecord, RejectRecord, Store};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct FieldTally {
    pub(super) fields: usize,
    pub(super) written: usize,
    pub(super) read: usize,
    pub(super) ocr_seconds: f64,
    /// Fields read and their OCR seconds, by kind (in `FieldKind::ALL`'s order).
    pub(super) by_kind: [(usize, f64); 4],
}

impl FieldTally {
    pub(super) fn add(&mut self, o: &FieldTally) {
        self.fields += o.fields;
        self.written += o.written;
        self.read += o.read;
        self.ocr_seconds += o.ocr_seconds;
        for (a, b) in self.by_kind.iter_mut().zip(&o.by_kind) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }
}

/// What one file produced, for the store and the summary.
#[derive(Default)]
pub(super) struct Done {
    pub(super) record: FileRecord,
    pub(super) times: StageTimes,
    pub(super) tally: FieldTally,
    /// Wall time this file took its worker, reading included.
    pub(super) seconds: f64,
    /// Pages read only once turned or stretched: `file page N: turned 90°`.
    pub(super) adjusted: Vec<String>,
}

/// One input file, queued.
pub(super) struct Job {
    pub(super) path: PathBuf,
    /// The path as found, for rejected.csv and messages.
    pub(super) shown: String,
    /// Its source name, unique in the output folder: the file part of its response ids.
    pub(super) source: String,
}

/// What became of one queued file.
pub(super) enum Outcome {
    /// Same content under the same path as a file done in an earlier run.
    AlreadyDone,
    /// Same content as another file (this run's or an earlier one's).
    Duplicate(RejectRecord),
    /// Not read at all (empty, over the size limit, unreadable).
    Unread(RejectRecord),
    Read(Box<Done>),
}

impl Outcome {
    pub(super) fn pages(&self) -> usize {
        match self {
            Outcome::Read(d) => d.record.pages,
            _ => 0,
        }
    }
}

/// Keeps the five slowest files.
pub(super) fn note_slowest(list: &mut Vec<(String, f64)>, path: &str, seconds: f64) {
    list.push((path.to_string(), (seconds * 1000.0).round() / 1000.0));
    list.sort_by(|a, b| b.1.total_cmp(&a.1));
    list.truncate(5);
}

/// `source`, or `source#2`, `source#3` … when it is taken; the result is taken from then on.
pub(super) fn unique_source(source: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let mut candidate = source.to_string();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{source}#{n}");
    }
    taken.insert(candidate.clone());
    candidate
}

/// A whole-file rejection that does not depend on content (empty, duplicate, unreadable)
/// is recorded once however often the folder is run again.
pub(super) fn note_once(store: &mut Store, r: RejectRecord) {
    let res = store
        .has_rejection(&r.file, &r.reason)
        .and_then(|has| if has { Ok(()) } else { store.add_rejection(&r) });
    if let Err(e) = res {
        eprintln!(
            "faxform: {}: could not record \"{}\": {e:#}",
            r.file, r.reason
        );
    }
}

/// Stores a file's results; when that fails, stores the failure as the file's rejected row
/// so that the file is not silently lost, and carries on. Returns the failure, if any.
pub(super) fn commit_or_report(store: &mut Store, record: FileRecord) -> Option<String> {
    let err = match store.commit(&record) {
        Ok(()) => return None,
        Err(e) => e,
    };
    let failure = format!(
        "{}: could not store this file's results: {err:#}",
        record.path
    );
    eprintln!("faxform: {failure}");
    let fallback = FileRecord {
        hash: record.hash.clone(),
        path: record.path.clone(),
        pages: record.pages,
        rejected: vec![RejectRecord {
            file: record.path.clone(),
            page: None,
            reason: format!("could not store this file's results: {err:#}"),
        }],
        ..Default::default()
    };
    if let Err(e) = store.commit(&fallback) {
        eprintln!(
            "faxform: {}: not even its rejected row could be stored: {e:#}",
            record.path
        );
    }
    Some(failure)
}

/// Reads one queued file once (within the limits), settles whether it is new, and reads
/// it. Never fails and never panics out: whatever goes wrong becomes rejected rows.
pub(super) fn take_file(
    kit: &Kit,
    job: &Job,
    claims: &std::sync::Mutex<std::collections::HashMap<String, String>>,
    limits: &crate::ingest::Limits,
    out: &Path,
    ocr: Option<crate::ocr::OcrEngine>,
) -> Outcome {
    let reject = |reason: String| RejectRecord {
        file: job.shown.clone(),
        page: None,
        reason,
    };
    let t0 = Instant::now();
    let file = match crate::ingest::read_limited(&job.path, limits) {
        Ok(f) => f,
        Err(e) => return Outcome::Unread(reject(e.to_string())),
    };
    let read_time = t0.elapsed();
    {
        let mut claims = claims.lock().unwrap_or_else(|p| p.into_inner());
        match claims.get(&file.hash) {
            Some(prev) if *prev == job.shown => return Outcome::AlreadyDone,
            Some(prev) => {
                return Outcome::Duplicate(reject(format!(
                    "duplicate: same content as {prev} (the same fax received twice)"
                )));
            }
            None => {
                claims.insert(file.hash.clone(), job.shown.clone());
            }
        }
    }
    let opts = IngestOptions {
        limits: *limits,
        ..Default::default()
    };
    let mut done =
        guarded(|| process_file(kit, job, &file, &opts, out, ocr)).unwrap_or_else(|e| Done {
            record: FileRecord {
                hash: file.hash.clone(),
                path: job.shown.clone(),
                rejected: vec![reject(format!(
                    "internal error while reading the file: {e}"
                ))],
                ..Default::default()
            },
            ..Default::default()
        });
    done.times.decode += read_time;
    done.seconds = t0.elapsed().as_secs_f64();
    Outcome::Read(Box::new(done))
}

/// Decodes and reads one file's pages. Each page and each response is read under its own
/// guard, so that a bug on one page costs that page, not the file.
fn process_file(
    kit: &Kit,
    job: &Job,
    file: &crate::ingest::FileBytes,
    opts: &IngestOptions,
    out: &Path,
    ocr: Option<crate::ocr::OcrEngine>,
) -> Done {
    let shown = &job.shown;
    let mut record = FileRecord {
        hash: file.hash.clone(),
        path: shown.clone(),
        ..Default::default()
    };
    let mut times = StageTimes::default();
    let t0 = Instant::now();
    let pages = match read_bytes(&file.bytes, opts) {
        Ok(p) => p,
        Err(e) => {
            record.rejected.push(RejectRecord {
                file: shown.clone(),
                page: None,
                reason: e.to_string(),
            });
            return Done {
                record,
                times,
                ..Default::default()
            };
        }
    };
    times.decode += t0.elapsed();
    record.pages = pages.len();
    let mut read = Vec::new();
    // Per page in order: its header as read.
    let mut heard: Vec<crate::header::HeardPage> = Vec::new();
    for (i, p) in pages.into_iter().enumerate() {
        let page_no = i + 1;
        let reject = |reason: String| RejectRecord {
            file: shown.clone(),
            page: Some(page_no),
            reason,
        };
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                record.rejected.push(reject(e.reason));
                heard.push(Default::default());
                continue;
            }
        };
        match guarded(|| page::read_page_and_header(kit, &p, page_no, ocr, &mut times)) {
            Ok(o) => {
                heard.push(o.heard);
                match o.read {
                    Ok(rp) => read.push(rp),
                    Err(reason) => record.rejected.push(reject(reason)),
                }
            }
            Err(e) => {
                heard.push(Default::default());
                record.rejected.push(reject(format!(
                    "internal error while reading page {page_no}: {e}"
                )))
            }
        }
    }
    let name = Path::new(&shown).file_name().map(|n| n.to_string_lossy());
    crate::header::agree(&mut heard, name.as_deref().unwrap_or(""));
    for rp in &mut read {
        let header = heard.get(rp.file_page - 1).and_then(|h| h.header.as_ref());
        page::prefer_senders_area(rp, header);
    }
    record.pages_read = heard
        .into_iter()
        .enumerate()
        .map(|(i, h)| crate::store::PageRecord {
            file: shown.clone(),
            page: i + 1,
            header: h.header,
        })
        .collect();
    let adjusted = read
        .iter()
        .filter(|p| p.adjustment != page::Adjustment::default())
        .map(|p| format!("{shown} page {}: {}", p.file_page, p.adjustment))
        .collect();
    let mut tally = FieldTally::default();
    for f in read.iter().flat_map(|p| &p.fields) {
        tally.fields += 1;
        if f.status != crate::ocr::FieldStatus::Blank {
            tally.written += 1;
        }
        if f.status == crate::ocr::FieldStatus::Read {
            tally.read += 1;
            let k = crate::ocr::FieldKind::ALL
                .iter()
                .position(|&k| k == f.kind)
                .expect("every kind is listed");
            tally.by_kind[k].0 += 1;
            tally.by_kind[k].1 += f.ocr_seconds;
        }
        tally.ocr_seconds += f.ocr_seconds;
    }
    let t1 = Instant::now();
    // Crops are named by content, not by file name: two files of one name (two folders,
    // two nights) never share a crop.
    let crop_key = &file.hash[..16];
    for g in pairing::group(kit, read) {
        let first = g[0].file_page;
        let reject = |reason: String| RejectRecord {
            file: shown.clone(),
            page: Some(first),
            reason,
        };
        let t = &kit.templates[g[0].template];
        match guarded(|| response::assemble(t, &job.source, &g)) {
            Ok((resp, findings)) => {
                let stem = format!("{crop_key}-p{first}");
                match crops::review_records(out, &stem, &resp.response_id, &g, findings) {
                    Ok(reviews) => {
                        record.responses.push(resp);
                        record.reviews.extend(reviews);
                    }
                    Err(e) => record
                        .rejected
                        .push(reject(format!("could not write the review crops: {e}"))),
                }
            }
            Err(e) => record.rejected.push(reject(format!(
                "internal error while putting together the response from page {first}: {e}"
            ))),
        }
    }
    times.output += t1.elapsed();
    Done {
        record,
        times,
        tally,
        adjusted,
        ..Default::default()
    }
}

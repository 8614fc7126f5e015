//! `faxform run`: the night batch.
//!
//! Inputs are hashed and checked against the job store first (done files are skipped, a
//! second copy of a fax is flagged); the rest are read in parallel, each file by one
//! worker (decode, normalise, identify, register, read marks, assemble responses, write
//! crops), and every file's results are committed to the store by a single writer as soon
//! as the file is done. The CSVs and report.json are then written from the store.

mod inputs;
mod kit;
mod output;
pub mod page;
mod response;

pub use kit::Kit;
pub use page::StageTimes;

use crate::ingest::{IngestOptions, read_bytes};
use crate::store::{FileRecord, RejectRecord, Store};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Files or folders (read recursively).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[arg(long)]
    pub out: PathBuf,
    /// Template folder (default: ./templates, else the one built in).
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Leave handwriting unread (checkbox columns only; written fields are listed as
    /// unread in report.json). For quick counts and speed comparisons.
    #[arg(long)]
    pub no_ocr: bool,
}

/// The templates folder: given, else ./templates, else the source tree's.
pub fn templates_dir(given: Option<&Path>) -> PathBuf {
    if let Some(p) = given {
        return p.to_path_buf();
    }
    let local = PathBuf::from("templates");
    if local.is_dir() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates")
    }
}

/// What one run did, for the summary and report.json.
#[derive(Debug, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub pages: usize,
    pub responses: usize,
    pub review_items: usize,
    pub rejected: usize,
    pub this_run: ThisRun,
    pub skipped_inputs: Vec<(String, String)>,
    pub seconds: Seconds,
    pub fields: FieldSummary,
}

/// Write-in fields read in this run, and every written cell left unread in the folder.
#[derive(Debug, Default, serde::Serialize)]
pub struct FieldSummary {
    pub ocr: bool,
    /// Fields looked at (every write-in field of every page read now).
    pub fields: usize,
    /// ... with writing found.
    pub written: usize,
    /// ... read by OCR.
    pub read: usize,
    /// OCR seconds summed over worker threads, and per field read.
    pub ocr_seconds: f64,
    pub ocr_ms_per_read_field: f64,
    /// `response_id column` of written cells that OCR did not read (`--no-ocr`, or OCR
    /// failed; the latter are also in review.csv).
    pub unread: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy)]
struct FieldTally {
    fields: usize,
    written: usize,
    read: usize,
    ocr_seconds: f64,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct ThisRun {
    pub files_read: usize,
    pub pages_read: usize,
    pub files_already_done: usize,
    pub duplicates: usize,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Seconds {
    pub wall: f64,
    pub pages_per_second: f64,
    /// Summed over worker threads, and per page read.
    pub stages: std::collections::BTreeMap<String, f64>,
    pub stages_per_page_ms: std::collections::BTreeMap<String, f64>,
}

struct Done {
    record: FileRecord,
    times: StageTimes,
    tally: FieldTally,
}

pub fn run(args: &RunArgs) -> Result<Summary> {
    let start = Instant::now();
    let templates = crate::template::load_all(&templates_dir(args.templates.as_deref()))?;
    let kit = Kit::build(templates)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut store = Store::open(&args.out.join(crate::store::FILE))?;
    let found = inputs::collect(&args.inputs)?;
    let mut summary = Summary {
        skipped_inputs: found
            .skipped
            .iter()
            .map(|(p, r)| (p.display().to_string(), r.clone()))
            .collect(),
        ..Default::default()
    };

    // Hash first: skip what is done, flag second copies, queue the rest.
    let mut queue: Vec<(PathBuf, String)> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for p in &found.files {
        let shown = p.display().to_string();
        let bytes = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => {
                store.add_rejection(&RejectRecord {
                    file: shown,
                    page: None,
                    reason: format!("cannot read file: {e}"),
                })?;
                continue;
            }
        };
        let hash = blake3::hash(&bytes).to_hex().to_string();
        let earlier = store.done(&hash)?.or_else(|| seen.get(&hash).cloned());
        match earlier {
            Some(prev) if prev == shown => summary.this_run.files_already_done += 1,
            Some(prev) => {
                let reason =
                    format!("duplicate: same content as {prev} (the same fax received twice)");
                if !store.has_rejection(&shown, &reason)? {
                    store.add_rejection(&RejectRecord {
                        file: shown,
                        page: None,
                        reason,
                    })?;
                }
                summary.this_run.duplicates += 1;
            }
            None => {
                seen.insert(hash.clone(), shown);
                queue.push((p.clone(), hash));
            }
        }
    }

    let progress = Progress::new(queue.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()?;
    let (tx, rx) = mpsc::sync_channel::<Done>(64);
    let mut times = StageTimes::default();
    let mut tally = FieldTally::default();
    let out = args.out.clone();
    let kit_ref = &kit;
    let ocr = !args.no_ocr;
    let mut commit_error = None;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.install(|| {
                queue.par_iter().for_each_with(tx, |tx, (path, hash)| {
                    let done = process_file(kit_ref, path, hash, &out, ocr);
                    let _ = tx.send(done);
                });
            });
        });
        for done in rx {
            times.add(&done.times);
            tally.fields += done.tally.fields;
            tally.written += done.tally.written;
            tally.read += done.tally.read;
            tally.ocr_seconds += done.tally.ocr_seconds;
            summary.this_run.files_read += 1;
            summary.this_run.pages_read += done.record.pages;
            progress.file_done(done.record.pages);
            if let Err(e) = store.commit(&done.record) {
                commit_error
                    .get_or_insert(e.context(format!("storing results of {}", done.record.path)));
            }
        }
    });
    progress.finish();
    if let Some(e) = commit_error {
        return Err(e);
    }

    let t_out = Instant::now();
    let (responses, reviews, rejected) = output::write_csvs(&store, &args.out)?;
    times.output += t_out.elapsed();
    let (files, pages) = store.file_count()?;
    summary.files = files;
    summary.pages = pages;
    summary.responses = responses;
    summary.review_items = reviews;
    summary.rejected = rejected;
    summary.fields = FieldSummary {
        ocr,
        fields: tally.fields,
        written: tally.written,
        read: tally.read,
        ocr_seconds: tally.ocr_seconds,
        ocr_ms_per_read_field: tally.ocr_seconds * 1000.0 / tally.read.max(1) as f64,
        unread: store
            .responses()?
            .iter()
            .flat_map(|r| {
                r.unread
                    .iter()
                    .map(move |c| format!("{} {c}", r.response_id))
            })
            .collect(),
    };
    let wall = start.elapsed().as_secs_f64();
    let per_page = summary.this_run.pages_read.max(1) as f64;
    let stages = [
        ("decode", times.decode),
        ("normalise", times.normalise),
        ("identify", times.identify),
        ("register", times.register),
        ("marks", times.marks),
        ("fields", times.fields),
        ("output", times.output),
    ];
    summary.seconds = Seconds {
        wall,
        pages_per_second: summary.this_run.pages_read as f64 / wall.max(1e-9),
        stages: stages
            .iter()
            .map(|(k, d)| (k.to_string(), d.as_secs_f64()))
            .collect(),
        stages_per_page_ms: stages
            .iter()
            .map(|(k, d)| (k.to_string(), d.as_secs_f64() * 1000.0 / per_page))
            .collect(),
    };
    std::fs::write(
        args.out.join("report.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(summary)
}

/// A scanned page identified, registered and resampled into its template's coordinates
/// (for `faxform template check --scan`): template index, template page, the image.
pub fn align_to_template(
    kit: &Kit,
    p: &crate::ingest::PageImage,
) -> Result<(usize, usize, crate::raster::GrayImage), String> {
    let mut times = StageTimes::default();
    let rp = page::read_page(kit, p, 1, false, &mut times)?;
    let t = &kit.templates[rp.template];
    let tp = &t.pages[rp.page - 1];
    let img = crate::raster::GrayImage::from_fn(tp.width, tp.height, |x, y| {
        let (px, py) = rp.reg.transform.apply(x as f64, y as f64);
        let (xi, yi) = (px.round() as i64, py.round() as i64);
        let inside =
            xi >= 0 && yi >= 0 && (xi as u32) < rp.image.width() && (yi as u32) < rp.image.height();
        image::Luma([if inside {
            rp.image.get_pixel(xi as u32, yi as u32).0[0]
        } else {
            255
        }])
    });
    Ok((rp.template, rp.page, img))
}

/// Reads one file to the end; never fails: what cannot be read becomes rejected rows.
fn process_file(kit: &Kit, path: &Path, hash: &str, out: &Path, ocr: bool) -> Done {
    let shown = path.display().to_string();
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let mut record = FileRecord {
        hash: hash.to_string(),
        path: shown.clone(),
        ..Default::default()
    };
    let mut times = StageTimes::default();
    let t0 = Instant::now();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            record.rejected.push(RejectRecord {
                file: shown,
                page: None,
                reason: format!("cannot read file: {e}"),
            });
            return Done {
                record,
                times,
                tally: FieldTally::default(),
            };
        }
    };
    let pages = match read_bytes(&bytes, &IngestOptions::default()) {
        Ok(p) => p,
        Err(e) => {
            record.rejected.push(RejectRecord {
                file: shown,
                page: None,
                reason: e.to_string(),
            });
            return Done {
                record,
                times,
                tally: FieldTally::default(),
            };
        }
    };
    times.decode += t0.elapsed();
    record.pages = pages.len();
    let mut read = Vec::new();
    for (i, p) in pages.into_iter().enumerate() {
        let page_no = i + 1;
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                record.rejected.push(RejectRecord {
                    file: shown.clone(),
                    page: Some(page_no),
                    reason: e.reason,
                });
                continue;
            }
        };
        match page::read_page(kit, &p, page_no, ocr, &mut times) {
            Ok(rp) => read.push(rp),
            Err(reason) => record.rejected.push(RejectRecord {
                file: shown.clone(),
                page: Some(page_no),
                reason,
            }),
        }
    }
    let mut tally = FieldTally::default();
    for f in read.iter().flat_map(|p| &p.fields) {
        tally.fields += 1;
        if f.status != crate::ocr::FieldStatus::Blank {
            tally.written += 1;
        }
        if f.status == crate::ocr::FieldStatus::Read {
            tally.read += 1;
        }
        tally.ocr_seconds += f.ocr_seconds;
    }
    let t1 = Instant::now();
    for g in response::group(read) {
        match response::assemble(kit, &file_name, &g, out) {
            Ok((resp, reviews)) => {
                record.responses.push(resp);
                record.reviews.extend(reviews);
            }
            Err(e) => record.rejected.push(RejectRecord {
                file: shown.clone(),
                page: Some(g[0].file_page),
                reason: format!("could not write the review crops: {e}"),
            }),
        }
    }
    times.output += t1.elapsed();
    Done {
        record,
        times,
        tally,
    }
}

/// A progress bar on a terminal, plain lines otherwise (CI, cron, logs).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: std::cell::Cell<usize>,
    pages: std::cell::Cell<usize>,
    last: std::cell::Cell<Instant>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} files {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            b
        });
        Progress {
            bar,
            total,
            done: 0.into(),
            pages: 0.into(),
            last: Instant::now().into(),
        }
    }

    fn file_done(&self, pages: usize) {
        self.done.set(self.done.get() + 1);
        self.pages.set(self.pages.get() + pages);
        match &self.bar {
            Some(b) => {
                b.inc(1);
                b.set_message(format!("{} pages", self.pages.get()));
            }
            None => {
                if self.last.get().elapsed() >= Duration::from_secs(10)
                    || self.done.get() == self.total
                {
                    eprintln!(
                        "faxform: {}/{} files, {} pages",
                        self.done.get(),
                        self.total,
                        self.pages.get()
                    );
                    self.last.set(Instant::now());
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish();
        }
    }
}

//! `faxform run`: the night batch.
//!
//! Inputs are found ([`inputs`]) and given their source names in input order; then each
//! file is read by one worker ([`file`]: read once within the limits and hashed, skipped
//! when done, flagged when a second copy, else decoded and its pages read, each stage
//! under a guard), and every file's results are committed to the store by a single
//! writer as soon as the file is done. The CSVs and report.json are then written from the
//! store, whatever happened to any one file.

mod crops;
mod file;
mod guard;
pub mod inputs;
mod kit;
mod output;
pub mod page;
mod pairing;
mod resent;
mod response;

pub use kit::Kit;
pub use page::StageTimes;

use crate::store::Store;
use anyhow::{Context, Result};
use file::{
    FieldTally, Job, Outcome, commit_or_report, note_once, note_slowest, take_file, unique_source,
};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;
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
    /// The handwriting recogniser: ppocr (PaddleOCR, made for handwriting; its models
    /// come with `make setup`, and without them Tesseract reads) or tesseract.
    #[arg(long, value_enum, default_value_t = crate::ocr::OcrEngine::Ppocr)]
    pub ocr_engine: crate::ocr::OcrEngine,
    /// Largest input file read, in MiB; larger files get a rejected row.
    #[arg(long, default_value_t = crate::ingest::Limits::default().max_file_bytes >> 20)]
    pub max_file_mb: u64,
    /// Most pages read from one file; further pages get a rejected row.
    #[arg(long, default_value_t = crate::ingest::Limits::default().max_pages)]
    pub max_pages: usize,
}

impl RunArgs {
    /// The ingest limits these arguments set (the rest at their defaults).
    pub fn limits(&self) -> crate::ingest::Limits {
        crate::ingest::Limits {
            max_file_bytes: self.max_file_mb.saturating_mul(1 << 20),
            max_pages: self.max_pages.max(1),
            ..Default::default()
        }
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
    /// `response_id column (question = code)` of every answer given where the form's
    /// branching did not ask for one (see `Template::against_branching`): kept as read,
    /// listed for the tally's policy rather than sent to review.
    pub against_branching: Vec<String>,
}

/// Write-in fields read in this run, and every written cell left unread in the folder.
#[derive(Debug, Default, serde::Serialize)]
pub struct FieldSummary {
    pub ocr: bool,
    /// The recogniser that read (PP-OCR asked for falls back to Tesseract when its models
    /// are missing, said on stderr).
    pub engine: Option<crate::ocr::OcrEngine>,
    /// PP-OCR's comment-box line detector: `int8` (made by `make setup`) or `float32`.
    pub detector: Option<&'static str>,
    /// Fields looked at (every write-in field of every page read now).
    pub fields: usize,
    /// ... with writing found.
    pub written: usize,
    /// ... read by OCR.
    pub read: usize,
    /// OCR seconds summed over worker threads, and per field read.
    pub ocr_seconds: f64,
    pub ocr_ms_per_read_field: f64,
    /// Per kind of field (prefecture, number, text_line, text_box): fields read and
    /// milliseconds of OCR per field.
    pub by_kind: std::collections::BTreeMap<&'static str, KindTime>,
    /// `response_id column` of written cells that OCR did not read (`--no-ocr`, or OCR
    /// failed; the latter are also in review.csv).
    pub unread: Vec<String>,
}

/// Fields of one kind read, and OCR milliseconds per field.
#[derive(Debug, Default, serde::Serialize)]
pub struct KindTime {
    pub read: usize,
    pub ms_per_field: f64,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct ThisRun {
    pub files_read: usize,
    pub pages_read: usize,
    pub files_already_done: usize,
    pub duplicates: usize,
    /// Files not read at all (empty, over the size limit, unreadable): each a rejected row.
    pub unread: usize,
    /// Files whose results could not be stored (each has a rejected row when even that
    /// could be stored).
    pub store_failures: Vec<String>,
    /// The files that took longest (path, seconds of their worker's time), slowest first.
    pub slowest_files: Vec<(String, f64)>,
    /// Pages read only once turned (sent sideways or upside down) or stretched (a
    /// standard-resolution page stored at half height).
    pub pages_adjusted: Vec<String>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Seconds {
    pub wall: f64,
    pub pages_per_second: f64,
    /// Summed over worker threads, and per page read.
    pub stages: std::collections::BTreeMap<String, f64>,
    pub stages_per_page_ms: std::collections::BTreeMap<String, f64>,
}

pub fn run(args: &RunArgs) -> Result<Summary> {
    let start = Instant::now();
    let templates = crate::template::load_all(&crate::template::dir(args.templates.as_deref()))?;
    let kit = Kit::load(templates)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut store = Store::open(&args.out.join(crate::store::FILE))?;
    let found = inputs::collect(&args.inputs)?;
    let limits = args.limits();
    let mut summary = Summary {
        skipped_inputs: found
            .skipped
            .iter()
            .map(|(p, r)| (p.display().to_string(), r.clone()))
            .collect(),
        ..Default::default()
    };

    // Each file gets its source name now, in input order, so that a clash is settled the
    // same way every time: the later file (or a new file under an old name) takes `#2`.
    let mut taken = store.response_sources()?;
    let queue: Vec<Job> = found
        .files
        .into_iter()
        .map(|f| Job {
            shown: f.path.display().to_string(),
            source: unique_source(&f.source, &mut taken),
            path: f.path,
        })
        .collect();
    // Content hash -> the path it was first read under: files done in earlier runs, then
    // each file of this run as a worker reads it (a second copy is a duplicate).
    let claims = std::sync::Mutex::new(store.done_files()?);
    let mut resent = resent::Resent::new(&kit.templates, &store)?;
    let progress = Progress::new(queue.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()?;
    let (tx, rx) = mpsc::sync_channel::<Outcome>(64);
    let mut times = StageTimes::default();
    let mut tally = FieldTally::default();
    let out = args.out.clone();
    let kit_ref = &kit;
    let claims_ref = &claims;
    let ocr = (!args.no_ocr).then_some(args.ocr_engine);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.install(|| {
                queue.par_iter().for_each_with(tx, |tx, job| {
                    let _ = tx.send(take_file(kit_ref, job, claims_ref, &limits, &out, ocr));
                });
            });
        });
        for outcome in rx {
            progress.file_done(outcome.pages());
            match outcome {
                Outcome::AlreadyDone => summary.this_run.files_already_done += 1,
                Outcome::Unread(r) => {
                    summary.this_run.unread += 1;
                    note_once(&mut store, r);
                }
                Outcome::Duplicate(r) => {
                    summary.this_run.duplicates += 1;
                    note_once(&mut store, r);
                }
                Outcome::Read(mut done) => {
                    times.add(&done.times);
                    tally.add(&done.tally);
                    summary.this_run.files_read += 1;
                    summary.this_run.pages_read += done.record.pages;
                    summary.this_run.pages_adjusted.append(&mut done.adjusted);
                    note_slowest(
                        &mut summary.this_run.slowest_files,
                        &done.record.path,
                        done.seconds,
                    );
                    resent.check(&mut done.record);
                    if let Some(failure) = commit_or_report(&mut store, done.record) {
                        summary.this_run.store_failures.push(failure);
                    }
                }
            }
        }
    });
    progress.finish();

    let t_out = Instant::now();
    let (responses, reviews, rejected) = output::write_csvs(&store, &args.out)?;
    times.output += t_out.elapsed();
    let (files, pages) = store.file_count()?;
    summary.files = files;
    summary.pages = pages;
    summary.responses = responses;
    summary.review_items = reviews;
    summary.rejected = rejected;
    // The stored responses, read once for both lists below.
    let stored = store.responses()?;
    summary.against_branching = stored
        .iter()
        .flat_map(|r| {
            let t = kit.templates.iter().find(|t| t.id == r.template);
            t.map(|t| t.against_branching(&r.cells))
                .unwrap_or_default()
                .into_iter()
                .map(move |a| {
                    format!(
                        "{} {} ({} = {})",
                        r.response_id, a.column, a.because.0, a.because.1
                    )
                })
        })
        .collect();
    let engine = ocr.map(crate::ocr::engine_used);
    summary.fields = FieldSummary {
        ocr: ocr.is_some(),
        engine,
        detector: (engine == Some(crate::ocr::OcrEngine::Ppocr))
            .then(crate::ocr::ppocr::models_dir)
            .and_then(Result::ok)
            .map(|d| crate::ocr::ppocr::DetectorModel::in_dir(&d).name()),
        fields: tally.fields,
        written: tally.written,
        read: tally.read,
        ocr_seconds: tally.ocr_seconds,
        ocr_ms_per_read_field: tally.ocr_seconds * 1000.0 / tally.read.max(1) as f64,
        by_kind: crate::ocr::FieldKind::ALL
            .iter()
            .zip(&tally.by_kind)
            .map(|(k, &(n, s))| {
                (
                    k.name(),
                    KindTime {
                        read: n,
                        ms_per_field: s * 1000.0 / n.max(1) as f64,
                    },
                )
            })
            .collect(),
        unread: stored
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
/// (for `faxform template check --scan`), with how well its boxes were found.
pub struct Aligned {
    pub template: usize,
    /// 1-based template page.
    pub page: usize,
    pub image: crate::raster::GrayImage,
    /// The page's boxes: found by their ring where their neighbours agree, found by the
    /// printing beside them (their ring did not show), placed from their neighbours, and
    /// disputed (a ring match where the others say it cannot be).
    pub found: usize,
    pub printed: usize,
    pub predicted: usize,
    pub disputed: usize,
    /// Root-mean-square misfit of the found boxes, pixels.
    pub rms: f64,
    /// What the run would do with this page's boxes: every box to review as "could not be
    /// aligned" (`unreliable`), or these many as "not located".
    pub unreliable: bool,
    pub unsure: usize,
    /// Each box's template rectangle and its own shift off the page's fit (template
    /// pixels, rounded): where the run reads it in `image`.
    pub moved: Vec<(crate::geometry::Rect, (i32, i32))>,
}

pub fn align_to_template(kit: &Kit, p: &crate::ingest::PageImage) -> Result<Aligned, String> {
    let mut times = StageTimes::default();
    let rp = page::read_page(kit, p, 1, None, &mut times)?;
    let t = &kit.templates[rp.template];
    let tp = &t.pages[rp.page - 1];
    let img = rp.reg.template_view(&rp.image, tp.width, tp.height);
    // Offsets are page pixels; the fit's linear part, inverted, turns them into the
    // template's.
    let linear = crate::geometry::Affine {
        c: 0.0,
        f: 0.0,
        ..rp.reg.transform
    }
    .inverse();
    let boxes = &kit.pages[rp.template][rp.page - 1].boxes.boxes;
    let moved = boxes
        .iter()
        .zip(&rp.reg.offsets)
        .filter_map(|(b, &(dx, dy))| {
            let (x, y) = linear?.apply(dx, dy);
            Some((b.rect, (x.round() as i32, y.round() as i32)))
        })
        .collect();
    let count = |want: fn(&crate::register::Located) -> bool| {
        rp.reg.located.iter().filter(|l| want(l)).count()
    };
    use crate::register::Located;
    Ok(Aligned {
        template: rp.template,
        page: rp.page,
        image: img,
        found: count(|l| *l == Located::Found),
        printed: count(|l| *l == Located::Printed),
        predicted: count(|l| matches!(l, Located::Predicted { .. })),
        disputed: count(|l| matches!(l, Located::Disputed { .. })),
        rms: rp.reg.rms,
        unreliable: rp.reg.unreliable() || rp.reg.outvoted(),
        unsure: (0..rp.reg.located.len())
            .filter(|&i| rp.reg.unsure(i))
            .count(),
        moved,
    })
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

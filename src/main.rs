//! The `faxform` command line. Exit status: 0 done, 1 could not run, 2 usage error.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use faxform::ingest::{IngestOptions, read_all_pages};
use faxform::template;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "faxform",
    version,
    about = "FAXed questionnaires in, a reviewed table out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make or check templates.
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
    /// Read a night's faxes: responses.csv, review.csv, rejected.csv, report.json.
    Run(faxform::run::RunArgs),
    /// Make a synthetic night of faxes with ground truth.
    Synth(faxform::synth::SynthArgs),
    /// Serve the review page for an output folder (local, keyboard first).
    Review(faxform::review::ReviewArgs),
    /// Write the reviewed final table (machine reading plus decisions) as CSV or XLSX.
    Export(faxform::export::ExportArgs),
    /// The report's tables, charts and comment lists from the reviewed table (tally.xlsx,
    /// report.html, tally.csv, comments.csv).
    Tally(faxform::tally::TallyArgs),
    /// Measure a run's output against ground truth (truth.csv, truth-pages.csv).
    Score {
        /// Folder with truth.csv (and optionally truth-pages.csv).
        #[arg(long)]
        truth: PathBuf,
        /// Output folder of `faxform run`.
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        templates: Option<PathBuf>,
        /// Also write the full score as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TemplateCommand {
    /// Find the checkboxes and write-in areas of a blank form and write a draft template.
    Detect {
        /// The blank form (PDF, TIFF or PNG).
        blank: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Resolution of the draft's reference images.
        #[arg(long, default_value_t = 200.0)]
        dpi: f32,
        /// Name the draft after another layout of the same questionnaire: a template file,
        /// or a template id in the templates folder (./templates when there is one, else
        /// the one installed beside faxform).
        #[arg(long)]
        like: Option<String>,
        /// Write the boxes and fields only, unnamed, to name in `template edit` (a blank
        /// without a text layer is otherwise named from what Tesseract reads off it).
        #[arg(long, conflicts_with = "like")]
        unnamed: bool,
    },
    /// Serve a local page to name a draft template by keyboard; every change is saved to
    /// the TOML at once.
    Edit(faxform::template::edit::EditArgs),
    /// Draw a template's regions over its reference image, one PNG per page.
    Check {
        template: PathBuf,
        /// Draw over this scan instead of the reference image.
        #[arg(long)]
        scan: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    if let Err(missing) = cpu_check() {
        eprintln!(
            "faxform: this build is for x86-64 CPUs with {missing} (x86-64-v3, .cargo/config.toml), \
             which this one lacks; build it here with `make build` (which builds for the baseline \
             on such a CPU) or `RUSTFLAGS='-C target-cpu=x86-64' cargo build --release`"
        );
        return ExitCode::from(2);
    }
    limit_openmp();
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // The review server must survive a browser that closes its connection mid-answer.
    if !matches!(
        cli.command,
        Command::Review(_)
            | Command::Template {
                command: TemplateCommand::Edit(_)
            }
    ) {
        restore_sigpipe();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("faxform: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// A build for x86-64-v3 (see .cargo/config.toml) on a CPU without its instructions would
/// die of an illegal instruction somewhere in the first page: stop first, and say why.
/// Checked before anything else runs, in code that only calls the standard library
/// (built for the baseline).
#[inline(never)]
fn cpu_check() -> Result<(), &'static str> {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    {
        // The Makefile's V3_FLAGS, as Rust names them.
        let needed = [
            ("AVX", std::arch::is_x86_feature_detected!("avx")),
            ("AVX2", std::arch::is_x86_feature_detected!("avx2")),
            ("BMI1", std::arch::is_x86_feature_detected!("bmi1")),
            ("BMI2", std::arch::is_x86_feature_detected!("bmi2")),
            ("F16C", std::arch::is_x86_feature_detected!("f16c")),
            ("FMA", std::arch::is_x86_feature_detected!("fma")),
            ("LZCNT", std::arch::is_x86_feature_detected!("lzcnt")),
            ("MOVBE", std::arch::is_x86_feature_detected!("movbe")),
            ("SSE4.2", std::arch::is_x86_feature_detected!("sse4.2")),
            ("POPCNT", std::arch::is_x86_feature_detected!("popcnt")),
        ];
        if let Some((name, _)) = needed.iter().find(|(_, has)| !has) {
            return Err(name);
        }
    }
    Ok(())
}

/// Rust ignores SIGPIPE, so `faxform score … | head` would panic on its next line of
/// output; like other Unix tools, end quietly when the reader has gone.
fn restore_sigpipe() {
    // SAFETY: setting a signal's disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Freed blocks stay with the process up to this size (bytes): glibc gives every block
/// of 128 KiB or more back to the kernel when it is freed, and a run frees and takes back
/// such blocks all night (a page is a few MB at each stage; the recogniser's tensors,
/// without an arena, at every field), each time faulted in again page by page as zeros.
/// Kept: 3 % less CPU with OCR (system time 0.77 -> 0.30 s on 46 pages), 3 % without; peak
/// memory a tenth higher, and as flat in the number of pages (freed blocks are reused).
const KEEP_FREED: i32 = 64 << 20;

fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, KEEP_FREED);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 2 * KEEP_FREED);
    }
}

/// Tesseract's OpenMP runtime reads `OMP_THREAD_LIMIT` when the library is loaded, before
/// `main`, so setting it here would be too late: the process re-executes itself with the
/// variable set. One OpenMP thread per engine: our workers already use every core, and
/// several engines each spinning OpenMP threads on two cores collapse throughput.
fn limit_openmp() {
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    use std::os::unix::process::CommandExt;
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        .exec();
    // exec returns only on failure; carry on with OpenMP's default rather than stop.
    eprintln!("faxform: could not restart with OMP_THREAD_LIMIT=1 ({err}); OCR may be slow");
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Template {
            command:
                TemplateCommand::Detect {
                    blank,
                    out,
                    dpi,
                    like,
                    unnamed,
                },
        } => detect(&blank, &out, dpi, like.as_deref(), unnamed),
        Command::Template {
            command:
                TemplateCommand::Check {
                    template,
                    scan,
                    out,
                },
        } => check(&template, scan.as_deref(), &out),
        Command::Template {
            command: TemplateCommand::Edit(args),
        } => faxform::template::edit::serve(&args),
        Command::Synth(args) => faxform::synth::run(&args),
        Command::Export(args) => export(&args),
        Command::Tally(args) => tally(&args),
        Command::Review(args) => faxform::review::serve(&args),
        Command::Score {
            truth,
            out,
            templates,
            json,
        } => {
            let ts = template::load_all(&template::dir(templates.as_deref()))?;
            let s = faxform::score::score(&truth, &out, &ts)?;
            println!(
                "responses {}/{} found; checkbox cells {}: to review {} ({:.2} %), wrong among auto-accepted {} ({:.3} %); form pages rejected {}",
                s.responses_found,
                s.responses_truth,
                s.checkbox_cells,
                s.checkbox_cells_review,
                100.0 * s.review_rate(),
                s.checkbox_cells_wrong,
                100.0 * s.wrong_rate(),
                s.form_pages_rejected
            );
            let x = &s.text;
            println!(
                "write-in fields {}: written/blank right {:.2} % ({} blank taken for written, {} written taken for blank, {} of these in review)",
                x.fields,
                100.0 * x.presence_rate(),
                x.blank_read_as_written,
                x.written_read_as_blank,
                x.presence_wrong_in_review
            );
            let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
            println!(
                "prefectures {}: exact and accepted {:.1} %, to review {:.1} %, wrong among accepted {}; numbers {}: exact {:.1} %, to review {:.1} %, wrong among accepted {}",
                x.prefecture_filled,
                pct(x.prefecture_exact_accepted, x.prefecture_filled),
                pct(x.prefecture_review, x.prefecture_filled),
                x.prefecture_wrong_accepted,
                x.number_filled,
                pct(x.number_exact, x.number_filled),
                pct(x.number_review, x.number_filled),
                x.number_wrong_accepted
            );
            println!(
                "free text {} fields: character error rate {:.1} % over all, {:.1} % over the {} accepted without review",
                x.free_filled,
                100.0 * x.cer(),
                100.0 * x.cer_accepted(),
                x.free_filled - x.free_review
            );
            let h = &s.headers;
            if h.pages > 0 {
                println!(
                    "fax headers on {} pages: found {:.1} %, sender number exact {:.1} %, wrong {:.1} %",
                    h.pages,
                    pct(h.found, h.pages),
                    pct(h.sender_exact, h.pages),
                    pct(h.sender_wrong, h.pages)
                );
            }
            if let Some(j) = json {
                std::fs::write(&j, serde_json::to_string_pretty(&s)?)?;
            }
            Ok(())
        }
        Command::Run(args) => {
            let s = faxform::run::run(&args)?;
            println!(
                "faxform: {} files, {} pages: {} responses, {} review items, {} rejected ({} files read now, {} already done, {} duplicates) in {:.1} s",
                s.files,
                s.pages,
                s.responses,
                s.review_items,
                s.rejected,
                s.this_run.files_read,
                s.this_run.files_already_done,
                s.this_run.duplicates,
                s.seconds.wall
            );
            for (p, why) in &s.skipped_inputs {
                println!("faxform: skipped {p}: {why}");
            }
            println!("results in {}", args.out.display());
            Ok(())
        }
    }
}

/// Where the words naming a draft came from.
#[derive(Clone, Copy)]
enum Print {
    /// The blank PDF's text layer.
    Text,
    /// Read off the blank's page images by Tesseract (a scan).
    Read,
}

impl Print {
    /// Said in the draft's header.
    fn source(self, blank: &Path) -> String {
        match self {
            Print::Text => format!("from the text of {}", blank.display()),
            Print::Read => format!(
                "from the text Tesseract read off {} (a scan: check the names)",
                blank.display()
            ),
        }
    }

    /// Said on stdout.
    fn said(self) -> &'static str {
        match self {
            Print::Text => "from the PDF's text",
            Print::Read => "from the text Tesseract read off the blank (check the names)",
        }
    }
}

/// The words printed on a blank and where they came from: its PDF text layer, or else (a
/// scan, a PDF of page images) what Tesseract reads off its pages. `None` when neither
/// gives any (Tesseract missing: said, and the draft goes unnamed).
fn printed_words(
    blank: &Path,
    dpi: f32,
    pages: &[(faxform::raster::GrayImage, template::detect::PageFindings)],
) -> Option<(Vec<Vec<template::textlayer::Word>>, Print)> {
    if let Some(w) = template::textlayer::pdf_words(blank, dpi) {
        return Some((w, Print::Text));
    }
    let mut engine = match faxform::ocr::engine::Engine::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "faxform: note: {} has no text layer and it could not be read: {e}",
                blank.display()
            );
            return None;
        }
    };
    let mut words = Vec::new();
    for (i, (img, _)) in pages.iter().enumerate() {
        match engine.words(img, dpi as u32) {
            Ok(w) => words.push(w),
            Err(e) => {
                eprintln!("faxform: {} page {}: {e}", blank.display(), i + 1);
                words.push(Vec::new());
            }
        }
    }
    words
        .iter()
        .any(|w| !w.is_empty())
        .then_some((words, Print::Read))
}

fn detect(blank: &Path, out: &Path, dpi: f32, like: Option<&str>, unnamed: bool) -> Result<()> {
    let reference = match like {
        None => None,
        Some(l) if Path::new(l).is_file() => Some(template::load(Path::new(l))?),
        Some(l) => {
            let dir = template::dir(None);
            Some(template::load(&dir.join(format!("{l}.toml"))).map_err(|e| {
                anyhow::anyhow!(
                    "--like {l}: no template file {l} nor id {l} in {}: {e}",
                    dir.display()
                )
            })?)
        }
    };
    if (dpi - faxform::normalise::WORKING_DPI).abs() > 0.01 {
        eprintln!(
            "faxform: note: a template drafted at {dpi} dpi can be checked but not run: `faxform run` reads pages at {} dpi",
            faxform::normalise::WORKING_DPI
        );
    }
    let pages = read_all_pages(blank, &IngestOptions::at_dpi(dpi))?;
    let mut found = Vec::new();
    for p in pages {
        let img = faxform::normalise::to_square_dpi(&p, dpi);
        let f = template::detect::detect_page(&img, dpi);
        found.push((img, f));
    }
    let findings: Vec<_> = found.iter().map(|(_, f)| f.clone()).collect();
    let words = if unnamed {
        None
    } else {
        printed_words(blank, dpi, &found)
    };
    let mut naming = match &reference {
        Some(r) => {
            let printed = words
                .as_ref()
                .and_then(|(w, _)| template::textlayer::printed_labels(w, &findings));
            Some(template::like::naming_like(
                r,
                &findings,
                printed.as_deref(),
            ))
        }
        None => words.as_ref().and_then(|(w, print)| {
            template::textlayer::naming_from_text(w, &print.source(blank), &findings)
        }),
    };
    if let Some(n) = naming.as_mut().filter(|n| n.questionnaire.is_empty()) {
        // The draft's name less its layout letter: `newsurvey-a` is layout a of `newsurvey`.
        let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("draft");
        n.questionnaire = match stem.rsplit_once('-') {
            Some((q, l)) if l.len() == 1 && l.chars().all(|c| c.is_ascii_lowercase()) => q,
            _ => stem,
        }
        .to_string();
    }
    template::draft::write_draft(out, blank, dpi, &found, naming.as_ref())?;
    for (i, (_, f)) in found.iter().enumerate() {
        let decoys = f.boxes.iter().filter(|b| b.decoy.is_some()).count();
        println!(
            "page {}: {} checkboxes ({} probable decoys), {} write-in areas",
            i + 1,
            f.boxes.len(),
            decoys,
            f.fields.len()
        );
    }
    println!("draft written to {}", out.display());
    if naming.is_none() {
        println!(
            "name it: faxform template edit {} (a page in the browser), then check it: faxform template check {} --out OVERLAY.png",
            out.display(),
            out.display()
        );
    }
    if let Some(n) = &naming {
        let boxes = n.names.boxes.iter().filter(|b| b.is_some()).count();
        let fields = n.names.fields.iter().filter(|f| f.is_some()).count();
        let blocks = n.questions.matches("[[question]]").count();
        let source = match &reference {
            Some(r) => format!("like {}", r.id),
            None => words
                .as_ref()
                .map_or(Print::Text, |(_, print)| *print)
                .said()
                .to_string(),
        };
        println!("named {source}: {boxes} boxes and {fields} fields, {blocks} question blocks");
        let answer_boxes: usize = found
            .iter()
            .map(|(_, f)| f.boxes.iter().filter(|b| b.decoy.is_none()).count())
            .sum();
        let all_fields: usize = found.iter().map(|(_, f)| f.fields.len()).sum();
        if boxes == answer_boxes && fields == all_fields {
            println!("  every box (but the probable decoys) and every field is named");
        } else {
            println!(
                "  left unnamed: {} box(es), {} field(s); name them with `faxform template edit {}`",
                answer_boxes.saturating_sub(boxes),
                all_fields.saturating_sub(fields),
                out.display()
            );
        }
        for u in &n.names.unmatched {
            println!("  not matched: {u}");
        }
        for u in &n.names.notes {
            println!("  note: {u}");
        }
        println!(
            "check it: faxform template check {} --out OVERLAY.png",
            out.display()
        );
    }
    Ok(())
}

fn check(path: &Path, scan: Option<&Path>, out: &Path) -> Result<()> {
    let t = match template::load(path) {
        Ok(t) => t,
        Err(e) => {
            // A draft that does not load yet is still drawn, each box with its number, so
            // that it can be named from the picture; then every problem is listed.
            if scan.is_none()
                && let Some(sk) = template::sketch(path)
            {
                let n = sk.pages.len();
                for p in &sk.pages {
                    let base = image::open(&p.image_path)
                        .with_context(|| format!("reading {}", p.image_path.display()))?
                        .to_luma8();
                    let img = template::overlay::draw_sketch(&sk, p.number, &base)?;
                    let target = page_path(out, p.number, n);
                    img.save(&target)
                        .with_context(|| format!("writing {}", target.display()))?;
                    println!("{} (draft: boxes and fields by number)", target.display());
                }
                let unnamed = sk
                    .boxes
                    .iter()
                    .filter(|b| b.name.is_none() && !b.decoy)
                    .count();
                let fields = sk.fields.iter().filter(|f| f.name.is_none()).count();
                println!(
                    "{} boxes ({} decoys, {unnamed} not named yet), {} fields ({fields} not named yet)",
                    sk.boxes.len(),
                    sk.boxes.iter().filter(|b| b.decoy).count(),
                    sk.fields.len()
                );
            }
            let problems = 1 + e.more.len();
            return Err(anyhow::anyhow!("{problems} problem(s):\n{e}"));
        }
    };
    // Layouts of the same questionnaire beside it must give the same columns.
    let others = template::others_beside(path, &t);
    let problems = template::problems_beside(&t, &others);
    summary(&t);
    if !problems.is_empty() {
        anyhow::bail!(
            "{} problem(s) with the templates beside it:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    let same: Vec<String> = others
        .into_iter()
        .filter(|o| o.questionnaire == t.questionnaire)
        .map(|o| o.id)
        .collect();
    if same.is_empty() {
        println!(
            "OK: the template loads (no other layout of {} beside it)",
            t.questionnaire
        );
    } else {
        println!(
            "OK: the template loads and gives the same columns as {}",
            same.join(", ")
        );
    }
    // (template page, base image, what the output shows) for each output page.
    let mut bases = Vec::new();
    if let Some(scan) = scan {
        // The scan's pages, each found on the template and drawn over in its coordinates.
        let kit = faxform::run::Kit::build(vec![t.clone()])?;
        let pages = faxform::ingest::read_all_pages(scan, &IngestOptions::default())?;
        for (i, p) in pages.iter().enumerate() {
            let a = match faxform::run::align_to_template(&kit, p) {
                Ok(a) => a,
                Err(e) => {
                    // A cover sheet or another form's page: said, and the next page drawn.
                    println!("scan page {}: {e}", i + 1);
                    continue;
                }
            };
            let total = a.found + a.printed + a.predicted + a.disputed;
            // The verdict the night batch would reach on this page's boxes.
            let verdict = if a.unreliable {
                format!(
                    "the run would send all {total} boxes to review: the page could not be aligned to the form reliably"
                )
            } else if a.unsure > 0 {
                format!(
                    "the run would read the page, up to {} box(es) to review as not located (unless a fill hides their ring)",
                    a.unsure
                )
            } else {
                "the run would read every box".to_string()
            };
            println!(
                "scan page {} = template page {}: {} of {total} boxes found where their neighbours agree ({} of them by the printing beside them), {} placed from neighbours, {} disputed; misfit {:.1} px; {verdict}",
                i + 1,
                a.page,
                a.found + a.printed,
                a.printed,
                a.predicted,
                a.disputed,
                a.rms
            );
            bases.push((
                a.page,
                a.image,
                a.moved,
                format!(" (scan page {} = template page {})", i + 1, a.page),
            ));
        }
    } else {
        for p in &t.pages {
            bases.push((
                p.number,
                t.reference_image(p.number)?,
                Vec::new(),
                String::new(),
            ));
        }
    }
    if bases.is_empty() {
        anyhow::bail!(
            "no page of {} is a page of template {}",
            scan.map(|s| s.display().to_string()).unwrap_or_default(),
            t.id
        );
    }
    let n = bases.len();
    for (i, (page, base, moved, shows)) in bases.into_iter().enumerate() {
        let img = template::overlay::draw_page_moved(&t, page, &base, &moved)?;
        let target = page_path(out, i + 1, n);
        img.save(&target)
            .with_context(|| format!("writing {}", target.display()))?;
        println!("{}{shows}", target.display());
    }
    Ok(())
}

/// What `template check` prints of a template that loads: pages, each question's boxes or
/// field, decoys, and the columns it gives (to compare with the contract and with the
/// questionnaire's other layouts).
fn summary(t: &template::Template) {
    println!(
        "template {} (questionnaire {}): {} page(s) at {} dpi, {} questions, {} boxes, {} decoy(s), {} field(s)",
        t.id,
        t.questionnaire,
        t.pages.len(),
        t.dpi,
        t.questions.len(),
        t.questions.iter().map(|q| q.options.len()).sum::<usize>(),
        t.decoys.len(),
        t.questions.iter().filter(|q| q.field.is_some()).count()
    );
    for q in &t.questions {
        let what = match &q.field {
            Some(f) => format!("field on page {}", f.page),
            None => format!("{} boxes", q.options.len()),
        };
        println!("  {:<10} {:<6} {what}  {}", q.id, q.kind.name(), q.text);
    }
    let cols: Vec<String> = t.columns().into_iter().map(|c| c.name).collect();
    println!("columns ({}): {}", cols.len(), cols.join(","));
}

/// `out.png` for one page; `out.p2.png` style names for the further pages.
fn page_path(out: &Path, page: usize, pages: usize) -> PathBuf {
    if pages == 1 || page == 1 {
        return out.to_path_buf();
    }
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("overlay");
    out.with_file_name(format!("{stem}.p{page}.png"))
}

fn tally(args: &faxform::tally::TallyArgs) -> Result<()> {
    let t = faxform::tally::tally(args)?;
    if t.open > 0 {
        eprintln!(
            "faxform tally: {} review item(s) still open: their cells keep the machine's reading",
            t.open
        );
    }
    match &t.settings {
        Some(p) => println!("tally settings: {}", p.display()),
        None => println!(
            "no tally settings for {} (templates/{}.tally.toml): defaults used",
            t.questionnaire, t.questionnaire
        ),
    }
    println!(
        "{}: {} replies tallied; report {}",
        t.questionnaire,
        t.replies,
        t.out.join("report.html").display()
    );
    for f in &t.files {
        println!("  {}", f.display());
    }
    Ok(())
}

fn export(args: &faxform::export::ExportArgs) -> Result<()> {
    let e = faxform::export::export(args)?;
    if !e.unmappable.is_empty() {
        eprintln!(
            "faxform export: {} character(s) cp932 cannot hold were written as '?':",
            e.unmappable.len()
        );
        for (rid, col, ch) in &e.unmappable {
            eprintln!("  {rid} {col}: {ch} (U+{:04X})", *ch as u32);
        }
        eprintln!("  (export with --encoding utf8-bom to keep them)");
    }
    if e.unread > 0 {
        eprintln!(
            "faxform export: {} written field(s) were not read by OCR and are empty (report.json lists them)",
            e.unread
        );
    }
    let defused = if args.format == faxform::export::Format::Csv {
        format!(", {} cells made formula-safe", e.defused)
    } else {
        String::new()
    };
    println!(
        "{}: {} responses, {} decisions applied, {} review items open{defused}",
        e.path.display(),
        e.responses,
        e.decisions,
        e.open,
    );
    Ok(())
}

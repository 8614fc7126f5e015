//! `faxform synth`: a synthetic night of faxes with ground truth.
//!
//! Fills the template's blank pages the way respondents do (answers drawn from the
//! published distributions, marks in many styles, handwriting), sends every page through a
//! fax-like chain and writes the files as fax servers deliver them, with `truth.csv` and
//! `truth-marks.jsonl` beside them. Everything follows from `--seed`: the same seed gives
//! the same bytes, whatever the number of threads.

mod answers;
mod cover;
mod faxchain;
mod hand;
pub(crate) mod marks;
mod model;
mod pen;
mod rescan;

pub use answers::{Answers, TextBank};
pub use faxchain::Profile;
pub use marks::MarkStyle;
pub use model::AnswerModel;

use crate::encode::{self, FaxPage, Scheme, tiff_out::FillOrder};
use crate::fonts::{self, FontRole};
use crate::raster::GrayImage;
use crate::template::{ColumnKind, Template};
use anyhow::{Context, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct SynthArgs {
    /// Template id (a file `<id>.toml` in the templates folder).
    #[arg(long)]
    pub template: String,
    /// Number of responses.
    #[arg(long)]
    pub count: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Profile::Fax)]
    pub profile: Profile,
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
    /// Cycle through every output format, both resolutions and each oddity (cover sheet,
    /// upside-down page, several responses in one file) so that a small set covers them all.
    #[arg(long)]
    pub showcase: bool,
    /// First file number (to keep names unique when several runs share a folder).
    #[arg(long, default_value_t = 1)]
    pub first: usize,
    /// Every sheet copied at this scale before it was sent (0.86 is A4 to B5), onto a sheet
    /// as long as the form's; by default a share of faxes, by profile, is copied reduced.
    #[arg(long)]
    pub zoom: Option<f64>,
    /// Every fax sent from a machine whose scan line is this many pixels wide (2048 for
    /// B4, 2432 for A3: the A4 sheet centred in it, often with its edge showing grey); by
    /// default a share of faxes, by profile.
    #[arg(long)]
    pub line: Option<usize>,
    /// Every fax sent from a machine set to print darker: each stroke this many pixels
    /// bolder to the right and down (a row down is 0.26 mm at standard resolution); by
    /// default a share of faxes, by profile, a pixel bolder (0 for none).
    #[arg(long)]
    pub bold: Option<usize>,
    /// Every file printed at the receiving office and scanned back in grey at 300 dpi
    /// (PDF of JPEGs, LZW TIFF or PNG); by default one file in ten.
    #[arg(long)]
    pub rescan: bool,
}

/// How a file is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutFormat {
    TiffG3OneD,
    TiffG3TwoD,
    TiffG4,
    Pdf,
    Png,
}

impl OutFormat {
    const ALL: [OutFormat; 5] = [
        OutFormat::TiffG3OneD,
        OutFormat::TiffG3TwoD,
        OutFormat::TiffG4,
        OutFormat::Pdf,
        OutFormat::Png,
    ];

    fn ext(self) -> &'static str {
        match self {
            OutFormat::Pdf => "pdf",
            OutFormat::Png => "png",
            _ => "tif",
        }
    }
}

/// What one page of a file is.
#[derive(Debug, Clone)]
enum Item {
    Cover,
    Blank,
    Response,
}

/// One file in this many comes from a server that stores standard-resolution pages as
/// fine (each row twice).
const ROWS_TWICE_ONE_IN: u64 = 6;
/// One file in this many was printed on paper and scanned back in grey.
const RESCANNED_ONE_IN: u64 = 10;

struct FilePlan {
    name: String,
    format: OutFormat,
    items: Vec<Item>,
    seed: u64,
    force_upside_down: bool,
    force_dpi_y: Option<f32>,
    /// Clockwise turn of every stored page (0, 90 or 270).
    turned: u16,
    /// Standard-resolution PDF pages stored with square pixels (half height).
    half_height: bool,
    /// Standard-resolution pages stored as fine, every row twice, as many fax servers and
    /// fax-to-mail gateways write them.
    rows_twice: bool,
    /// Printed and scanned back in grey (see [`rescan`]); such a file is stored as the
    /// scanner writes it, not turned, halved or with rows twice.
    rescanned: bool,
    /// How the sender's scanner fed two-sided sheets.
    duplex: Duplex,
}

/// Two-sided scanning of the respondent's sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duplex {
    /// One side a page, in order.
    No,
    /// Each form page followed by its sheet's blank back.
    BlankBacks,
    /// Each sheet's back first: pages 2, 1 of a two-page form (one sheet, both sides),
    /// or a blank back before a one-page form.
    BackFirst,
}

/// One mark as drawn.
#[derive(Debug, Clone, Serialize)]
pub struct MarkTruth {
    pub question: String,
    pub code: u32,
    pub style: MarkStyle,
    /// The respondent's intent for this option.
    pub chosen: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TextTruth {
    pub question: String,
    /// The respondent's intended value (for prefectures, the name without 都道府県).
    pub text: String,
    /// Exactly what was written.
    pub written: String,
    pub face: usize,
}

#[derive(Debug, Clone, Serialize)]
struct PageTruth {
    file_page: usize,
    template_page: usize,
    damage: faxchain::PageDamage,
}

#[derive(Debug, Clone, Serialize)]
struct ResponseTruth {
    response_id: String,
    template: String,
    /// As planned; a file printed and scanned back (its pages' `rescanned`) holds grey
    /// pages instead: an LZW TIFF for a TIFF, JPEGs in a PDF, an 8-bit PNG.
    format: OutFormat,
    pages: Vec<PageTruth>,
    marks: Vec<MarkTruth>,
    texts: Vec<TextTruth>,
    slips: Vec<String>,
}

/// A file's rendering: its bytes and what is in it.
struct RenderedFile {
    bytes: Vec<u8>,
    pages: usize,
    responses: Vec<(ResponseTruth, Vec<String>)>,
    other_pages: Vec<(usize, &'static str)>,
    /// The sender's fax number in the TTI line, digits only.
    sender: String,
}

struct Kit<'a> {
    t: &'a Template,
    model: &'a AnswerModel,
    bank: &'a TextBank,
    refs: Vec<GrayImage>,
    print: ab_glyph::FontArc,
    hands: Vec<ab_glyph::FontArc>,
    profile: Profile,
    zoom: Option<f64>,
    line: Option<usize>,
    bold: Option<usize>,
}

pub fn run(args: &SynthArgs) -> Result<()> {
    let start = std::time::Instant::now();
    let path = args.templates.join(format!("{}.toml", args.template));
    let t = crate::template::load(&path)?;
    let model = AnswerModel::load(&args.templates, &t.questionnaire)?;
    let bank = TextBank::builtin();
    let refs = (1..=t.pages.len())
        .map(|p| t.reference_image(p))
        .collect::<Result<Vec<_>>>()?;
    let hands = (0..fonts::hand_face_count())
        .map(|i| fonts::font(FontRole::Hand(i)))
        .collect::<Result<Vec<_>>>()?;
    let kit = Kit {
        t: &t,
        model: &model,
        bank: &bank,
        refs,
        print: fonts::font(FontRole::Print)?,
        hands,
        profile: args.profile,
        zoom: args.zoom,
        line: args.line,
        bold: args.bold,
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;

    let plans = plan(args, t.pages.len());
    let rendered: Vec<Result<RenderedFile>> =
        plans.par_iter().map(|p| render_file(&kit, p)).collect();

    let mut truth = csv::Writer::from_path(args.out.join("truth.csv"))?;
    let mut header = vec![
        "response_id".to_string(),
        "template".into(),
        "questionnaire".into(),
    ];
    header.extend(t.columns().into_iter().map(|c| c.name));
    truth.write_record(&header)?;
    let mut marks_out = String::new();
    let mut pages_out = csv::Writer::from_path(args.out.join("truth-pages.csv"))?;
    pages_out.write_record(["file", "page", "kind", "response_id", "sender"])?;
    let (mut files, mut pages, mut responses) = (0, 0, 0);
    for (plan, r) in plans.iter().zip(rendered) {
        let r = r.with_context(|| format!("rendering {}", plan.name))?;
        std::fs::write(args.out.join(&plan.name), &r.bytes)?;
        files += 1;
        pages += r.pages;
        for (rt, row) in &r.responses {
            truth.write_record(row)?;
            marks_out.push_str(&serde_json::to_string(rt)?);
            marks_out.push('\n');
            for p in &rt.pages {
                pages_out.write_record([
                    plan.name.as_str(),
                    &p.file_page.to_string(),
                    "response",
                    &rt.response_id,
                    &r.sender,
                ])?;
            }
            responses += 1;
        }
        for (page, kind) in &r.other_pages {
            pages_out.write_record([plan.name.as_str(), &page.to_string(), kind, "", &r.sender])?;
        }
    }
    truth.flush()?;
    pages_out.flush()?;
    std::fs::write(args.out.join("truth-marks.jsonl"), marks_out)?;
    println!(
        "synth: {responses} responses of {} in {files} files ({pages} pages, profile {:?}) in {:.1} s -> {}",
        t.id,
        args.profile,
        start.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

/// Decides, from the seed alone, which responses go in which file and how it is delivered.
fn plan(args: &SynthArgs, form_pages: usize) -> Vec<FilePlan> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut plans = Vec::new();
    let mut i = 0;
    let mut file_no = args.first;
    while i < args.count {
        let k = plans.len();
        let mut items = Vec::new();
        let cover = if args.showcase {
            k % 4 == 2
        } else {
            rng.random_bool(0.06)
        };
        if cover {
            items.push(Item::Cover);
        }
        items.push(Item::Response);
        i += 1;
        // Fax servers sometimes store several received faxes in one file.
        let batch = if args.showcase {
            k % 4 == 3
        } else {
            rng.random_bool(0.04)
        };
        if batch && i < args.count {
            items.push(Item::Response);
            i += 1;
        }
        if !args.showcase && rng.random_bool(0.015) {
            items.push(Item::Blank);
        }
        let pages = items
            .iter()
            .map(|it| {
                if matches!(it, Item::Response) {
                    form_pages
                } else {
                    1
                }
            })
            .sum::<usize>();
        let mut format = if args.showcase {
            OutFormat::ALL[k % OutFormat::ALL.len()]
        } else {
            match rng.random_range(0..100) {
                0..20 => OutFormat::TiffG3OneD,
                20..40 => OutFormat::TiffG3TwoD,
                40..65 => OutFormat::TiffG4,
                65..85 => OutFormat::Pdf,
                _ => OutFormat::Png,
            }
        };
        // A PNG holds one page.
        if format == OutFormat::Png && pages > 1 {
            format = OutFormat::TiffG4;
        }
        let seed: u64 = rng.random();
        // Derived from the file's seed, so that the other files' draws stay as they were.
        let (turned, half_height) = if args.showcase {
            (if k % 7 == 2 { 90 } else { 0 }, true)
        } else {
            let turned = match seed % 100 {
                0 => 90,
                1 => 270,
                _ => 0,
            };
            (turned, (seed >> 8).is_multiple_of(3))
        };
        let duplex = if args.showcase {
            if k % 6 == 2 {
                Duplex::BackFirst
            } else {
                Duplex::No
            }
        } else {
            match (seed >> 16) % 100 {
                0..4 => Duplex::BlankBacks,
                4..7 => Duplex::BackFirst,
                _ => Duplex::No,
            }
        };
        // A PNG holds one page.
        if format == OutFormat::Png && duplex != Duplex::No {
            format = OutFormat::TiffG4;
        }
        // From the file's seed alone, as the turn.
        let rescanned =
            args.rescan || !args.showcase && (seed >> 32).is_multiple_of(RESCANNED_ONE_IN);
        let half_height = half_height && format == OutFormat::Pdf && !rescanned;
        plans.push(FilePlan {
            name: format!("fax-{file_no:05}.{}", format.ext()),
            format,
            items,
            seed,
            turned: if rescanned { 0 } else { turned },
            half_height,
            rows_twice: !(args.showcase || half_height || rescanned)
                && (seed >> 24).is_multiple_of(ROWS_TWICE_ONE_IN),
            rescanned,
            duplex,
            force_upside_down: args.showcase && k % 5 == 1,
            force_dpi_y: args
                .showcase
                .then_some(if k % 2 == 0 { 196.0 } else { 98.0 }),
        });
        file_no += 1;
    }
    plans
}

/// The sides of one response's sheets in the order the scanner sends them: a template
/// page (0-based) or a blank back.
fn sending_order(form_pages: usize, duplex: Duplex) -> Vec<Option<usize>> {
    match duplex {
        Duplex::No => (0..form_pages).map(Some).collect(),
        Duplex::BlankBacks => (0..form_pages).flat_map(|p| [Some(p), None]).collect(),
        Duplex::BackFirst if form_pages == 1 => vec![None, Some(0)],
        Duplex::BackFirst => (0..form_pages)
            .step_by(2)
            .flat_map(|p| {
                if p + 1 < form_pages {
                    vec![Some(p + 1), Some(p)]
                } else {
                    vec![None, Some(p)]
                }
            })
            .collect(),
    }
}

/// A Japanese fax number of ten digits: 0, an area code of one to four more digits, the
/// exchange, and four digits (03-1234-5678, 0475-12-3456). The draws are as many as the
/// old nine-or-ten-digit form took, so that a seed's marks do not move.
fn fax_number(rng: &mut ChaCha8Rng) -> String {
    let a = rng.random_range(3..99u32);
    let b = rng.random_range(100..999u32);
    let c = rng.random_range(0..10000u32);
    let area = if a < 10 {
        format!("{a}")
    } else {
        format!("{a}{}", b % 10)
    };
    let exchange_len = 5 - area.len();
    let exchange = format!(
        "{:0w$}",
        b % 10u32.pow(exchange_len as u32),
        w = exchange_len
    );
    format!("0{area}-{exchange}-{c:04}")
}

fn render_file(kit: &Kit, plan: &FilePlan) -> Result<RenderedFile> {
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let clinic = clinic_name(&mut rng);
    let sender = faxchain::Sender {
        number: fax_number(&mut rng),
        name: clinic.clone(),
        time: format!(
            "2026/11/{:02} {:02}:{:02}",
            rng.random_range(18..22),
            rng.random_range(8..23),
            rng.random_range(0..60)
        ),
        // Drawn from its own stream: the marks a seed gives stay as they were.
        style: faxchain::TtiStyle::pick(plan.seed),
    };
    let (w, h) = (kit.refs[0].width(), kit.refs[0].height());
    let sent = sending_order(kit.refs.len(), plan.duplex);
    let total_pages: usize = plan
        .items
        .iter()
        .map(|it| {
            if matches!(it, Item::Response) {
                sent.len()
            } else {
                1
            }
        })
        .sum();
    let mut fax_pages: Vec<FaxPage> = Vec::new();
    let mut responses = Vec::new();
    let mut other_pages = Vec::new();
    let upside_down = plan.force_upside_down || rng.random_bool(kit.profile.upside_down_rate());
    let copied = kit.zoom.map_or_else(
        || faxchain::Copied::pick(kit.profile, plan.seed),
        faxchain::Copied::at,
    );
    let line = kit.line.map_or_else(
        || faxchain::Line::pick(kit.profile, plan.seed),
        |px| faxchain::Line::of(px, plan.seed),
    );
    let bolder_px = kit
        .bold
        .unwrap_or_else(|| faxchain::bolder_pick(kit.profile, plan.seed));
    // Its own stream, so that a file's other draws are the same rescanned or not.
    let mut scan_rng = ChaCha8Rng::seed_from_u64(plan.seed ^ 0x5ca7_5ca7);
    let mut grey_pages = Vec::new();
    for item in &plan.items {
        let first = fax_pages.len() + 1;
        let mut send = |img: &GrayImage, rng: &mut ChaCha8Rng, fax_pages: &mut Vec<FaxPage>| {
            let n = fax_pages.len() + 1;
            let (mut page, mut damage) = faxchain::transmit(
                img,
                kit.t.dpi,
                kit.profile,
                upside_down,
                copied,
                line,
                &sender,
                (n, total_pages),
                &kit.print,
                rng,
            );
            damage.smudges = faxchain::smudge(&mut page, kit.profile, plan.seed, n);
            if bolder_px > 0 {
                faxchain::bolder(&mut page, bolder_px);
                damage.bolder_px = bolder_px;
            }
            if let Some(dpi_y) = plan.force_dpi_y
                && page.dpi_y != dpi_y
            {
                page = resample_rows(&page, dpi_y);
                damage.dpi_y = dpi_y;
            }
            if plan.half_height && page.dpi_y < 150.0 {
                page.dpi_y = page.dpi_x;
                damage.half_height = true;
            }
            if plan.rows_twice && page.dpi_y < 150.0 {
                page = resample_rows(&page, page.dpi_y * 2.0);
                damage.rows_twice = true;
            }
            if plan.turned != 0 {
                page = turn_quarter(&page, plan.turned == 90);
                damage.turned_deg = plan.turned;
            }
            if plan.rescanned {
                let (grey, how) = rescan::rescan(&page, &mut scan_rng);
                grey_pages.push(grey);
                damage.rescanned = Some(how);
            }
            fax_pages.push(page);
            damage
        };
        match item {
            Item::Cover => {
                let img = cover::cover_sheet(
                    w,
                    h,
                    &kit.print,
                    &clinic,
                    &sender.number,
                    total_pages,
                    &mut rng,
                );
                send(&img, &mut rng, &mut fax_pages);
                other_pages.push((first, "cover"));
            }
            Item::Blank => {
                send(&cover::blank_page(w, h), &mut rng, &mut fax_pages);
                other_pages.push((first, "blank"));
            }
            Item::Response => {
                let mut pages = kit.refs.clone();
                let filled = fill(kit, &mut pages, &mut rng);
                let mut page_truth = Vec::new();
                for side in &sent {
                    let file_page = fax_pages.len() + 1;
                    match *side {
                        Some(tp) => {
                            let damage = send(&pages[tp], &mut rng, &mut fax_pages);
                            page_truth.push(PageTruth {
                                file_page,
                                template_page: tp + 1,
                                damage,
                            });
                        }
                        None => {
                            send(&cover::blank_page(w, h), &mut rng, &mut fax_pages);
                            other_pages.push((file_page, "blank"));
                        }
                    }
                }
                // A response is known by the first of its form pages in the file.
                let response_id = format!("{}:{}", plan.name, page_truth[0].file_page);
                let row = truth_row(kit.t, &response_id, &filled);
                responses.push((
                    ResponseTruth {
                        response_id,
                        template: kit.t.id.clone(),
                        format: plan.format,
                        pages: page_truth,
                        marks: filled.marks,
                        texts: filled.texts,
                        slips: filled.answers.slips,
                    },
                    row,
                ));
            }
        }
    }
    let bytes = match plan.format {
        _ if plan.rescanned => match plan.format {
            OutFormat::Pdf => encode::grey::pdf(&grey_pages, scan_rng.random_range(70..=92))?,
            OutFormat::Png => encode::grey::png(&grey_pages[0])?,
            _ => encode::grey::tiff(&grey_pages)?,
        },
        OutFormat::TiffG3OneD | OutFormat::TiffG3TwoD | OutFormat::TiffG4 => {
            let fill = if rng.random_bool(0.3) {
                FillOrder::LsbFirst
            } else {
                FillOrder::MsbFirst
            };
            let scheme = match plan.format {
                OutFormat::TiffG3OneD => Scheme::G3OneD,
                OutFormat::TiffG3TwoD => Scheme::G3TwoD {
                    k: if fax_pages[0].dpi_y > 150.0 { 4 } else { 2 },
                },
                _ => Scheme::G4,
            };
            encode::tiff_out::write(&fax_pages, scheme, fill)?
        }
        OutFormat::Pdf => {
            let scheme = if rng.random_bool(0.7) {
                Scheme::G4
            } else {
                Scheme::G3TwoD { k: 4 }
            };
            encode::pdf_out::write(&fax_pages, scheme)
        }
        OutFormat::Png => encode::png(&fax_pages[0])?,
    };
    Ok(RenderedFile {
        bytes,
        pages: fax_pages.len(),
        responses,
        other_pages,
        sender: sender.number.chars().filter(char::is_ascii_digit).collect(),
    })
}

/// A page turned a quarter (clockwise or not), its resolutions swapped with its axes.
fn turn_quarter(p: &FaxPage, clockwise: bool) -> FaxPage {
    let (w, h) = (p.width, p.height);
    let mut pixels = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            // Clockwise: source (x, y) lands at (h-1-y, x) of the h-wide result.
            let (nx, ny) = if clockwise {
                (h - 1 - y, x)
            } else {
                (y, w - 1 - x)
            };
            pixels[ny * h + nx] = p.pixels[y * w + x];
        }
    }
    FaxPage {
        width: h,
        height: w,
        pixels,
        dpi_x: p.dpi_y,
        dpi_y: p.dpi_x,
    }
}

/// Halves or doubles the rows of a page (fine <-> standard), as a receiver would.
fn resample_rows(p: &FaxPage, dpi_y: f32) -> FaxPage {
    let height = (p.height as f32 * dpi_y / p.dpi_y).round() as usize;
    let mut pixels = vec![false; p.width * height];
    for y in 0..height {
        let sy = ((y as f32 + 0.5) * p.dpi_y / dpi_y) as usize;
        let sy = sy.min(p.height - 1);
        pixels[y * p.width..(y + 1) * p.width]
            .copy_from_slice(&p.pixels[sy * p.width..(sy + 1) * p.width]);
    }
    FaxPage {
        width: p.width,
        height,
        pixels,
        dpi_x: p.dpi_x,
        dpi_y,
    }
}

struct Filled {
    answers: Answers,
    marks: Vec<MarkTruth>,
    texts: Vec<TextTruth>,
}

/// Draws one respondent's answers onto clean copies of the template pages.
fn fill(kit: &Kit, pages: &mut [GrayImage], rng: &mut ChaCha8Rng) -> Filled {
    let t = kit.t;
    let answers = answers::draw(t, kit.model, kit.bank, rng);
    let mut marks = Vec::new();
    for (qid, codes) in &answers.choices {
        let q = t.question(qid).expect("answers name template questions");
        for &code in codes {
            let o = q.option(code).expect("answers use template codes");
            let mut style = marks::pick_style(rng);
            // A share of the labels that would be circled are underlined instead, decided
            // and drawn from a stream of their own while the circle's draws are still taken
            // (on a scratch copy): every other mark a seed gives stays as it was.
            let mut own = ChaCha8Rng::seed_from_u64(
                u64::from_le_bytes(rng.get_seed()[..8].try_into().expect("8 bytes"))
                    ^ rng.get_word_pos() as u64
                    ^ 0x0de7_11de,
            );
            let instead = match style {
                MarkStyle::CircleLabel if own.random_bool(marks::UNDERLINED) => {
                    Some(MarkStyle::UnderlineLabel)
                }
                MarkStyle::Beside if own.random_bool(marks::ON_LABEL) => Some(MarkStyle::LabelTick),
                _ => None,
            };
            if let Some(other) = instead {
                let mut scratch = pages[o.page - 1].clone();
                marks::draw(&mut scratch, style, &o.rect, o.label_rect.as_ref(), rng);
                style = other;
            }
            let pen = if instead.is_some() {
                &mut own
            } else {
                &mut *rng
            };
            marks::draw(
                &mut pages[o.page - 1],
                style,
                &o.rect,
                o.label_rect.as_ref(),
                pen,
            );
            marks.push(MarkTruth {
                question: qid.clone(),
                code,
                style,
                chosen: true,
            });
        }
        // Now and then a respondent changes their mind: a struck-through mark on an
        // option they did not choose in the end.
        if rng.random_bool(0.025) {
            let others: Vec<u32> = q
                .options
                .iter()
                .map(|o| o.code)
                .filter(|c| !codes.contains(c))
                .collect();
            if let Some(&code) = others.get(
                rng.random_range(0..others.len().max(1))
                    .min(others.len().saturating_sub(1)),
            ) {
                let o = q.option(code).unwrap();
                marks::draw(
                    &mut pages[o.page - 1],
                    MarkStyle::Corrected,
                    &o.rect,
                    o.label_rect.as_ref(),
                    rng,
                );
                marks.push(MarkTruth {
                    question: qid.clone(),
                    code,
                    style: MarkStyle::Corrected,
                    chosen: false,
                });
            }
        }
    }
    let mut texts = Vec::new();
    let face_pref = rng.random_range(0..kit.hands.len());
    for (qid, text) in &answers.texts {
        let q = t.question(qid).unwrap();
        let f = q.field.as_ref().unwrap();
        let mut written = text.clone();
        if q.format == crate::template::TextFormat::Prefecture && rng.random_bool(0.2) {
            written.push_str(prefecture_suffix(text));
        }
        // Not every handwriting face has every kanji; fall back to one that does.
        let face = (0..kit.hands.len())
            .map(|k| (face_pref + k) % kit.hands.len())
            .find(|&k| fonts::covers(&kit.hands[k], &written))
            .unwrap_or(0);
        let done = hand::write(
            &mut pages[f.page - 1],
            &kit.hands[face],
            &written,
            &f.rect,
            f.shape,
            rng,
        );
        let intended = if q.format == crate::template::TextFormat::Prefecture {
            text.clone()
        } else {
            done.clone()
        };
        texts.push(TextTruth {
            question: qid.clone(),
            text: intended,
            written: done,
            face,
        });
    }
    Filled {
        answers,
        marks,
        texts,
    }
}

fn prefecture_suffix(name: &str) -> &'static str {
    match name {
        "東京" => "都",
        "京都" | "大阪" => "府",
        "北海道" => "",
        _ => "県",
    }
}

/// The truth.csv row: the respondent's intent per contract column.
fn truth_row(t: &Template, response_id: &str, f: &Filled) -> Vec<String> {
    let mut row = vec![
        response_id.to_string(),
        t.id.clone(),
        t.questionnaire.clone(),
    ];
    for c in t.columns() {
        let chosen = f.answers.choices.get(&c.question);
        row.push(match c.kind {
            // Two boxes in a single-choice question: the intent cannot be known, so the
            // truth is empty and only a person's review can settle the cell.
            ColumnKind::Single => match chosen.map(|v| v.as_slice()) {
                Some([one]) => one.to_string(),
                _ => String::new(),
            },
            ColumnKind::Flag { code } => {
                (chosen.is_some_and(|v| v.contains(&code)) as u8).to_string()
            }
            ColumnKind::Text => f
                .texts
                .iter()
                .find(|x| x.question == c.question)
                .map(|x| x.text.clone())
                .unwrap_or_default(),
        });
    }
    row
}

fn clinic_name(rng: &mut impl Rng) -> String {
    const NAMES: [&str; 16] = [
        "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田",
        "山田", "松本", "井上", "木村", "林",
    ];
    const KINDS: [&str; 8] = [
        "内科クリニック",
        "医院",
        "歯科医院",
        "小児科",
        "整形外科",
        "眼科",
        "内科医院",
        "歯科クリニック",
    ];
    format!(
        "{}{}",
        NAMES[rng.random_range(0..NAMES.len())],
        KINDS[rng.random_range(0..KINDS.len())]
    )
}

/// Sends pages that another fax chain already made (any resolution, bilevel or grey)
/// through this one once more, as a clinic does when it prints a received fax and sends
/// it on: the marks, handwriting and first chain are someone else's, the second pass is
/// this generator's (its skew, scale, shift, threshold or dither, speckle and line
/// errors for `profile`, and a header line of its own above the first). A page wider
/// than it is tall (turned a quarter) is sent as it is, clipped to the scan line.
pub fn refax(
    pages: &[crate::ingest::PageImage],
    profile: Profile,
    seed: u64,
) -> Result<Vec<FaxPage>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let print = fonts::font(FontRole::Print)?;
    let sender = faxchain::Sender {
        number: fax_number(&mut rng),
        name: clinic_name(&mut rng),
        time: format!(
            "2026/12/{:02} {:02}:{:02}",
            rng.random_range(1..28),
            rng.random_range(8..23),
            rng.random_range(0..60)
        ),
        style: faxchain::TtiStyle::pick(seed),
    };
    let copied = faxchain::Copied::pick(profile, seed);
    let line = faxchain::Line::pick(profile, seed);
    let total = pages.len();
    Ok(pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // Square pixels at the page's horizontal resolution: a standard-resolution
            // page's rows repeated, as a printer prints them.
            let rows = (p.dpi_x / p.dpi_y).round().max(1.0) as u32;
            let src = &p.image;
            let square = GrayImage::from_fn(src.width(), src.height() * rows, |x, y| {
                *src.get_pixel(x, y / rows)
            });
            let (page, _) = faxchain::transmit(
                &square,
                p.dpi_x,
                profile,
                false,
                copied,
                line,
                &sender,
                (i + 1, total),
                &print,
                &mut rng,
            );
            page
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::PageImage;

    /// A standard-resolution page (rows half the columns' resolution) with a black square
    /// in its middle, sent on: it arrives as a fax page of a scan line's width whose ink
    /// is the square where it was (within the chain's shift and skew) and a header line.
    #[test]
    fn a_received_page_sent_on_keeps_its_ink_where_it_was() {
        let (w, h) = (1728u32, 1140u32);
        let image = GrayImage::from_fn(w, h, |x, y| {
            let inside = (800..928).contains(&x) && (540..604).contains(&y);
            image::Luma([if inside { 0 } else { 255 }])
        });
        let page = PageImage {
            image,
            dpi_x: 204.0,
            dpi_y: 98.0,
            damage: None,
        };
        let sent = refax(&[page], Profile::Clean, 7).unwrap();
        assert_eq!(sent.len(), 1);
        let p = &sent[0];
        assert!(p.width >= 1728, "{}", p.width);
        // Rows of the sent page, in mm, holding ink: the header at the top, the square
        // round the middle of the 300 mm sheet.
        let mm = |y: usize| y as f32 * 25.4 / p.dpi_y;
        let inked: Vec<f32> = (0..p.height)
            .filter(|&y| p.pixels[y * p.width..(y + 1) * p.width].iter().any(|&b| b))
            .map(mm)
            .collect();
        assert!(inked.iter().any(|&y| y < 8.0), "no header line");
        let middle: Vec<f32> = inked.iter().copied().filter(|&y| y > 20.0).collect();
        let (top, bottom) = (middle[0], middle[middle.len() - 1]);
        // 64 rows at 98 dpi: 16.6 mm tall, from 139.9 mm down.
        assert!(
            (top - 139.9).abs() < 12.0 && (bottom - top - 16.6).abs() < 2.5,
            "{top} {bottom}"
        );
    }
}

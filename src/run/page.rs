//! One page through normalise, identify, register and read marks.

use super::kit::Kit;
use crate::geometry::Rect;
use crate::identify::identify;
use crate::ingest::PageImage;
use crate::marks::{BoxReading, PageView, classify_page, measure};
use crate::normalise::normalise;
use crate::ocr::{FieldReading, read_fields};
use crate::raster::GrayImage;
use crate::register::{Registration, register};
use std::time::{Duration, Instant};

/// Time spent per stage, summed over pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub decode: Duration,
    pub normalise: Duration,
    pub identify: Duration,
    pub register: Duration,
    pub marks: Duration,
    /// Write-in fields: cleaning, writing-present test and OCR.
    pub fields: Duration,
    pub output: Duration,
}

impl StageTimes {
    pub fn add(&mut self, o: &StageTimes) {
        self.decode += o.decode;
        self.normalise += o.normalise;
        self.identify += o.identify;
        self.register += o.register;
        self.marks += o.marks;
        self.fields += o.fields;
        self.output += o.output;
    }
}

/// A page of a known form, read.
pub struct ReadPage {
    /// 1-based page number in its file.
    pub file_page: usize,
    pub template: usize,
    /// 1-based template page.
    pub page: usize,
    pub image: GrayImage,
    pub reg: Registration,
    /// Readings in the order of `kit.pages[template][page - 1].boxes.boxes`.
    pub readings: Vec<BoxReading>,
    /// Write-in fields in the order of `kit.pages[template][page - 1].fields`.
    pub fields: Vec<FieldReading>,
}

impl ReadPage {
    /// The page-pixel bounding box of a template rectangle.
    pub fn page_rect(&self, r: &Rect) -> Rect {
        self.reg.transform.map_rect(r)
    }
}

/// Reads one page (its write-in fields by OCR when `ocr`), or says why it is not a page of
/// a known form.
pub fn read_page(
    kit: &Kit,
    p: &PageImage,
    file_page: usize,
    ocr: bool,
    t: &mut StageTimes,
) -> Result<ReadPage, String> {
    let t0 = Instant::now();
    let np = normalise(p, kit.dpi).map_err(|e| e.to_string())?;
    let t1 = Instant::now();
    t.normalise += t1 - t0;
    let (id, page, score) = identify(&kit.catalogue, np);
    let t2 = Instant::now();
    t.identify += t2 - t1;
    let Some(id) = id else {
        return Err(format!(
            "not a page of any known form (best match {:.2}, needs {:.2})",
            score,
            crate::identify::MIN_SCORE
        ));
    };
    let pk = &kit.pages[id.template][id.page - 1];
    let reg = register(&page.image, &pk.boxes, &id.transform);
    let t3 = Instant::now();
    t.register += t3 - t2;
    let view = PageView {
        image: &page.image,
        suspect_rows: &page.suspect_rows,
        row_scale: page.row_scale,
    };
    let features: Vec<_> = pk
        .boxes
        .boxes
        .iter()
        .enumerate()
        .map(|(i, b)| measure(&view, &reg, i, b, pk.labels[i].as_ref(), &pk.explained))
        .collect();
    let mut readings = classify_page(&pk.boxes.boxes, &pk.labels, &features);
    // If too few printed boxes were found to fit the page, or they disagree with the fit,
    // no reading of this page is trusted alone. (Thin box lines fade on light faxes, so a
    // quarter of the boxes agreeing closely is enough.)
    let n = pk.boxes.boxes.len();
    if n > 0 && (reg.found < (n / 4).max(6.min(n)) || reg.rms.is_nan() || reg.rms > 1.5) {
        for r in &mut readings {
            r.doubt = Some(crate::marks::Doubt::Unregistered);
            r.confidence = r.confidence.min(0.2);
        }
    }
    // Boxes the received image does not reach (a fax cut off in transmission) read as
    // blank paper: they are not answers.
    let (pw, ph) = (page.image.width() as i32, page.image.height() as i32);
    let off_page = |r: &Rect| {
        let m = reg.transform.map_rect(r);
        m.x < 0 || m.y < 0 || m.x + m.w > pw || m.y + m.h > ph
    };
    for (r, b) in readings.iter_mut().zip(&pk.boxes.boxes) {
        if off_page(&b.rect) {
            r.doubt = Some(crate::marks::Doubt::OffPage);
            r.confidence = 0.0;
        }
    }
    // A page decoded with repair: nothing on it is auto-accepted.
    let damaged = p.damage.is_some();
    if damaged {
        for r in &mut readings {
            r.doubt = Some(crate::marks::Doubt::DamagedImage);
            r.confidence = r.confidence.min(0.2);
        }
    }
    let t4 = Instant::now();
    t.marks += t4 - t3;
    let mut fields = read_fields(&page.image, &reg.transform, &pk.fields, ocr);
    for f in &mut fields {
        if off_page(&f.area) {
            f.add_doubt(crate::marks::Doubt::OffPage.reason(), 0.0);
        }
        if damaged {
            f.add_doubt(crate::marks::Doubt::DamagedImage.reason(), 0.2);
        }
    }
    t.fields += t4.elapsed();
    Ok(ReadPage {
        file_page,
        template: id.template,
        page: id.page,
        image: page.image,
        reg,
        readings,
        fields,
    })
}

//! Everything precomputed from the templates once per run and shared by all workers.

use crate::geometry::Rect;
use crate::identify::Catalogue;
use crate::marks::Explained;
use crate::ocr::FieldSpec;
use crate::ocr::prepare::FieldModel;
use crate::register::PageBoxes;
use crate::template::Template;
use anyhow::Result;

pub struct PageKit {
    pub boxes: PageBoxes,
    /// Label rectangles per box (same order as `boxes.boxes`).
    pub labels: Vec<Option<Rect>>,
    pub explained: Explained,
    /// Write-in fields on this page.
    pub fields: Vec<FieldSpec>,
    /// The first template row with printing on it: a fax header lies above it.
    pub form_top: i32,
}

/// How far above and below a comment box writing that crosses its line is read.
const WIDE_BOX: i32 = crate::normalise::px_len(5.0);

pub struct Kit {
    pub templates: Vec<Template>,
    pub catalogue: Catalogue,
    /// `pages[template][page - 1]`.
    pub pages: Vec<Vec<PageKit>>,
    pub dpi: f32,
}

impl Kit {
    pub fn build(templates: Vec<Template>) -> Result<Kit> {
        let dpi = crate::normalise::WORKING_DPI;
        if let Some(t) = templates.iter().find(|t| (t.dpi - dpi).abs() > 0.01) {
            anyhow::bail!(
                "template {} ({}) is at {} dpi: faxform reads pages at {dpi} dpi and its \
                 recognition thresholds are set there; draft the template again with \
                 `faxform template detect --dpi {dpi}`",
                t.id,
                t.path.display(),
                t.dpi,
            );
        }
        let catalogue = Catalogue::build(&templates)?;
        let mut pages = Vec::new();
        for t in &templates {
            let mut v = Vec::new();
            for p in &t.pages {
                let reference = t.reference_image(p.number)?;
                let boxes = PageBoxes::build(t, p.number, &reference);
                let labels = boxes
                    .boxes
                    .iter()
                    .map(|b| {
                        t.questions[b.question]
                            .option(b.code)
                            .and_then(|o| o.label_rect)
                    })
                    .collect();
                let fields = t
                    .questions
                    .iter()
                    .filter_map(|q| {
                        let f = q.field.as_ref().filter(|f| f.page == p.number)?;
                        let model = FieldModel::new(&reference, f.rect, f.shape);
                        let wide = (f.shape == crate::template::FieldShape::Box).then(|| {
                            [
                                model.widened(&reference, WIDE_BOX, 0),
                                model.widened(&reference, 0, WIDE_BOX),
                            ]
                        });
                        Some(FieldSpec {
                            column: q.id.clone(),
                            format: q.format,
                            model,
                            wide,
                        })
                    })
                    .collect();
                let (w, h) = (reference.width() as i32, reference.height() as i32);
                let form_top = (0..h)
                    .find(|&y| crate::raster::ink_count(&reference, &Rect::new(0, y, w, 1)) >= 3)
                    .unwrap_or(h);
                v.push(PageKit {
                    boxes,
                    form_top,
                    labels,
                    explained: Explained::new(&reference, crate::marks::params::EXPLAIN_GROW),
                    fields,
                });
            }
            pages.push(v);
        }
        Ok(Kit {
            templates,
            catalogue,
            pages,
            dpi,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_at_another_resolution_is_refused_by_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut templates = crate::template::load_all(&dir).unwrap();
        templates[0].dpi = 300.0;
        let err = Kit::build(templates).err().expect("300 dpi is refused");
        let msg = format!("{err:#}");
        assert!(
            msg.contains("300 dpi") && msg.contains("template detect --dpi 200"),
            "{msg}"
        );
    }
}

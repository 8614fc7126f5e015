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
}

pub struct Kit {
    pub templates: Vec<Template>,
    pub catalogue: Catalogue,
    /// `pages[template][page - 1]`.
    pub pages: Vec<Vec<PageKit>>,
    pub dpi: f32,
}

impl Kit {
    pub fn build(templates: Vec<Template>) -> Result<Kit> {
        let dpi = templates[0].dpi;
        if let Some(t) = templates.iter().find(|t| (t.dpi - dpi).abs() > 0.01) {
            anyhow::bail!(
                "template {} is at {} dpi but {} is at {dpi}: all templates must share one resolution",
                t.id,
                t.dpi,
                templates[0].id
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
                        Some(FieldSpec {
                            column: q.id.clone(),
                            format: q.format,
                            model: FieldModel::new(&reference, f.rect, f.shape),
                        })
                    })
                    .collect();
                v.push(PageKit {
                    boxes,
                    labels,
                    explained: Explained::new(&reference, 2),
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

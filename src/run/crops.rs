//! The output step for findings: each finding's crop written beside the results, and
//! the review record that names it. Reading never writes files; this does.

use super::page::ReadPage;
use super::response::Finding;
use crate::geometry::Rect;
use crate::raster::crop;
use crate::store::ReviewRecord;
use std::path::Path;

/// The review records of `findings` about response `response_id` (read from `group`),
/// their crops written to `out/crops` and named by `stem` (unique per response in the
/// folder) and the column.
pub fn review_records(
    out: &Path,
    stem: &str,
    response_id: &str,
    group: &[ReadPage],
    findings: Vec<Finding>,
) -> std::io::Result<Vec<ReviewRecord>> {
    findings
        .into_iter()
        .map(|f| {
            let image = match f.at {
                Some((pi, r)) => write_crop(out, stem, &f.column, &group[pi], &r)?,
                None => String::new(),
            };
            Ok(ReviewRecord {
                response_id: response_id.to_string(),
                column: f.column,
                reasons: f.reasons,
                guess: f.guess,
                confidence: f.confidence,
                option: f.option,
                image,
            })
        })
        .collect()
}

/// Writes the page region showing template rectangle `r` and returns its path relative to
/// the output folder.
fn write_crop(
    out: &Path,
    stem: &str,
    column: &str,
    page: &ReadPage,
    r: &Rect,
) -> std::io::Result<String> {
    let area = page.page_rect(r);
    let img = crop(&page.image, &area);
    let safe: String = format!("{stem}-{column}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let rel = format!("crops/{safe}.png");
    std::fs::create_dir_all(out.join("crops"))?;
    img.save(out.join(&rel)).map_err(std::io::Error::other)?;
    Ok(rel)
}

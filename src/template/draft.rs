//! Writing what detection found as a draft template for a person to name.
//!
//! The draft has the template's own format: every box and field in reading order with an
//! empty `question` and a zero `code`. Naming a draft means filling those in and adding the
//! `[[question]]` entries; coordinates are never typed by hand.

use super::detect::PageFindings;
use crate::geometry::Rect;
use crate::raster::GrayImage;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::Path;

/// Writes `out` (the draft TOML) and one reference PNG per page beside it; with a
/// `naming` (after another layout, [`super::like`], or from the PDF's text,
/// [`super::textlayer`]), its names and question blocks.
pub fn write_draft(
    out: &Path,
    source: &Path,
    dpi: f32,
    pages: &[(GrayImage, PageFindings)],
    naming: Option<&super::like::Naming>,
) -> Result<()> {
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("draft")
        .to_string();
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut t = String::new();
    writeln!(
        t,
        "# Draft template written by `faxform template detect` from {}.",
        source.display()
    )?;
    if naming.is_some() {
        writeln!(
            t,
            "# Named by detection (below): check it with `faxform template check`."
        )?;
    } else {
        writeln!(
            t,
            "# Name every [[box]] (question, code, label) or keep decoy = true, name every"
        )?;
        writeln!(
            t,
            "# [[field]], and add a [[question]] for each question in printed order:"
        )?;
        writeln!(t, "# `faxform template edit` does it in the browser.")?;
    }
    writeln!(
        t,
        "# Format: the \"Template format\" page (templates/README.md in the source)."
    )?;
    writeln!(t, "id = \"{stem}\"")?;
    match naming {
        Some(n) => {
            writeln!(t, "# Named {}.", n.source)?;
            for u in &n.names.unmatched {
                writeln!(t, "# Not matched: {u}")?;
            }
            for u in &n.names.notes {
                writeln!(t, "# Note: {u}")?;
            }
            writeln!(t, "questionnaire = {:?}", n.questionnaire)?;
            writeln!(t, "title = {:?}", n.title)?;
        }
        None => {
            writeln!(t, "questionnaire = \"\"")?;
            writeln!(t, "title = \"\"")?;
        }
    }
    writeln!(t, "dpi = {dpi}\n")?;
    for (i, (img, _)) in pages.iter().enumerate() {
        let name = format!("{stem}.p{}.png", i + 1);
        let path = dir.join(&name);
        img.save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        writeln!(
            t,
            "[[page]]\nnumber = {}\nimage = \"{name}\"\nsize = [{}, {}]\n",
            i + 1,
            img.width(),
            img.height()
        )?;
    }
    let mut n = 0;
    for (i, (_, f)) in pages.iter().enumerate() {
        for b in &f.boxes {
            n += 1;
            writeln!(t, "[[box]] # {n}")?;
            writeln!(t, "page = {}", i + 1)?;
            writeln!(t, "rect = {}", rect(&b.rect))?;
            if let Some(l) = &b.label_rect {
                writeln!(t, "label_rect = {}", rect(l))?;
            }
            let name = naming.and_then(|x| x.names.boxes.get(n - 1).cloned().flatten());
            match (&b.decoy, name) {
                (Some(why), _) => writeln!(t, "decoy = true\nwhy = {:?}", why)?,
                (None, Some((q, code, label))) => {
                    writeln!(t, "question = {q:?}\ncode = {code}\nlabel = {label:?}")?
                }
                (None, None) => writeln!(t, "question = \"\"\ncode = 0\nlabel = \"\"")?,
            }
            writeln!(t)?;
        }
    }
    let mut nf = 0;
    for (i, (_, f)) in pages.iter().enumerate() {
        for fld in &f.fields {
            nf += 1;
            writeln!(t, "[[field]]")?;
            writeln!(t, "page = {}", i + 1)?;
            writeln!(t, "rect = {}", rect(&fld.rect))?;
            writeln!(
                t,
                "shape = \"{}\"",
                format!("{:?}", fld.shape).to_lowercase()
            )?;
            let name = naming.and_then(|x| x.names.fields.get(nf - 1).cloned().flatten());
            writeln!(t, "question = {:?}\n", name.unwrap_or_default())?;
        }
    }
    if let Some(n) = naming {
        t.push_str(&n.questions);
    }
    std::fs::write(out, t).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

fn rect(r: &Rect) -> String {
    format!("[{}, {}, {}, {}]", r.x, r.y, r.w, r.h)
}

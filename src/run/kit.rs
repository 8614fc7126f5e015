//! Everything precomputed from the templates once per run and shared by all workers.
//!
//! Building it (reference images decoded, ink maps, box rings, grown ink, field models)
//! costs about 0.2 CPU-seconds for the two shipped templates, every run. [`Kit::load`]
//! keeps what one template gives in a cache file beside the template, named by a hash of
//! everything it is built from (the template file, its reference images, and this very
//! faxform executable), so a run starts by reading it back; any change to one of those
//! gives another name, and the old file is removed when the new one is written.

use crate::geometry::Rect;
use crate::identify::{Catalogue, PageModel};
use crate::marks::{Explained, PrintNear};
use crate::ocr::FieldSpec;
use crate::ocr::prepare::FieldModel;
use crate::raster::GrayImage;
use crate::register::PageBoxes;
use crate::template::Template;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Serialize, Deserialize)]
pub struct PageKit {
    pub boxes: PageBoxes,
    /// Label rectangles per box (same order as `boxes.boxes`).
    pub labels: Vec<Option<Rect>>,
    /// Per box, the bare paper beside it when it has no label (see `marks::cell`).
    pub cells: Vec<Vec<Rect>>,
    pub explained: Explained,
    /// The reference's print, for pen ink the grown print hides.
    pub print: PrintNear,
    /// Write-in fields on this page.
    pub fields: Vec<FieldSpec>,
    /// The first template row with printing on it: a fax header lies above it.
    pub form_top: i32,
}

impl PageKit {
    /// What the blank form has beside box `i`: its label, or its cell's bare paper.
    pub fn beside(&self, i: usize) -> crate::marks::Beside<'_> {
        crate::marks::Beside {
            label: self.labels[i].as_ref(),
            cells: &self.cells[i],
        }
    }
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

/// What one template gives: its pages' identification models and reading kits.
#[derive(Serialize, Deserialize)]
struct TemplateKit {
    models: Vec<PageModel>,
    pages: Vec<PageKit>,
}

impl TemplateKit {
    /// Whether a kit read back has the template's pages and whole masks: a file that
    /// decodes but is not one (damaged, or written by another build) is rebuilt, not used.
    fn consistent(&self, t: &Template) -> bool {
        self.pages.len() == t.pages.len()
            && self.models.len() == t.pages.len()
            && self.models.iter().all(PageModel::consistent)
            && self.pages.iter().all(|p| {
                p.explained.consistent()
                    && p.print.consistent()
                    && p.fields.iter().all(|f| {
                        f.model.consistent()
                            && f.wide
                                .as_ref()
                                .is_none_or(|w| w.iter().all(FieldModel::consistent))
                    })
            })
    }
}

/// Bump when what a [`TemplateKit`] holds changes shape (the executable's identity in the
/// cache key covers changes of how it is computed).
const CACHE_FORMAT: u32 = 1;

impl Kit {
    /// Builds every template's models afresh.
    pub fn build(templates: Vec<Template>) -> Result<Kit> {
        Self::assemble(templates, build_template)
    }

    /// As [`Kit::build`], with each template's models read from its cache file when there
    /// is a current one, and written there (or in the user's cache folder when the
    /// templates folder is read-only) when there is not. A cache that cannot be read or
    /// written is built around, never an error.
    // Never inlined: `make profile` reports the run's start up by this function's name.
    #[inline(never)]
    pub fn load(templates: Vec<Template>) -> Result<Kit> {
        Self::assemble(templates, |t, ti| {
            let dirs = cache_dirs(t);
            // The reference images are read once: hashed for the key and decoded from the
            // same bytes, so the kit is built from exactly what its key names.
            let inputs = if dirs.is_empty() {
                None
            } else {
                cache_inputs(t)
            };
            let Some((key, files)) = inputs else {
                return build_template(t, ti);
            };
            for dir in &dirs {
                if let Some(mut k) =
                    read_cache(&dir.join(cache_name(t, &key))).filter(|k| k.consistent(t))
                {
                    for m in &mut k.models {
                        m.template = ti;
                    }
                    return Ok(k);
                }
            }
            // Decoded only now, on a miss: a hit needs the bytes only for the key.
            let images = files
                .iter()
                .map(|b| image::load_from_memory(b).map(|i| i.to_luma8()))
                .collect::<Result<Vec<_>, _>>();
            let Ok(images) = images else {
                return build_template(t, ti);
            };
            let k = build_from(t, ti, &images)?;
            for dir in &dirs {
                if write_cache(dir, t, &key, &k).is_ok() {
                    break;
                }
            }
            Ok(k)
        })
    }

    fn assemble(
        templates: Vec<Template>,
        mut one: impl FnMut(&Template, usize) -> Result<TemplateKit>,
    ) -> Result<Kit> {
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
        let mut models = Vec::new();
        let mut pages = Vec::new();
        for (ti, t) in templates.iter().enumerate() {
            let k = one(t, ti)?;
            models.extend(k.models);
            pages.push(k.pages);
        }
        Ok(Kit {
            templates,
            catalogue: Catalogue { models },
            pages,
            dpi,
        })
    }
}

fn build_template(t: &Template, ti: usize) -> Result<TemplateKit> {
    let images = t
        .pages
        .iter()
        .map(|p| t.reference_image(p.number))
        .collect::<Result<Vec<_>>>()?;
    build_from(t, ti, &images)
}

/// The kit of template `t` (number `ti` in this run) from its pages' reference images.
fn build_from(t: &Template, ti: usize, images: &[GrayImage]) -> Result<TemplateKit> {
    let mut models = Vec::new();
    let mut v = Vec::new();
    for (p, reference) in t.pages.iter().zip(images) {
        models.push(PageModel::new(ti, p.number, reference));
        let boxes = PageBoxes::build(t, p.number, reference);
        let labels = boxes
            .boxes
            .iter()
            .map(|b| {
                t.questions[b.question]
                    .option(b.code)
                    .and_then(|o| o.label_rect)
            })
            .collect::<Vec<_>>();
        let cells = crate::marks::cell_zones(&boxes.boxes, &labels, reference);
        let fields = t
            .questions
            .iter()
            .filter_map(|q| {
                let f = q.field.as_ref().filter(|f| f.page == p.number)?;
                let model = FieldModel::new(reference, f.rect, f.shape);
                let wide = (f.shape == crate::template::FieldShape::Box).then(|| {
                    [
                        model.widened(reference, WIDE_BOX, 0),
                        model.widened(reference, 0, WIDE_BOX),
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
            .find(|&y| crate::raster::ink_count(reference, &Rect::new(0, y, w, 1)) >= 3)
            .unwrap_or(h);
        v.push(PageKit {
            boxes,
            form_top,
            labels,
            cells,
            explained: Explained::new(reference, crate::marks::params::EXPLAIN_GROW),
            print: PrintNear::new(reference),
            fields,
        });
    }
    Ok(TemplateKit { models, pages: v })
}

/// A hash of everything a template's kit is built from, with the reference images' bytes
/// as hashed (a miss builds from those very bytes); `None` when one cannot be read (then
/// the kit is built the usual way, and the error, if it matters, comes from building).
fn cache_inputs(t: &Template) -> Option<(String, Vec<Vec<u8>>)> {
    let mut h = blake3::Hasher::new();
    h.update(&CACHE_FORMAT.to_le_bytes());
    // This executable: its path, size and modification time (a rebuilt faxform may
    // compute the models differently; hashing its 50 MB would cost what the cache saves).
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    h.update(exe.as_os_str().as_encoded_bytes());
    h.update(&meta.len().to_le_bytes());
    h.update(&mtime.as_nanos().to_le_bytes());
    // The template as parsed (not as the file may read now).
    h.update(&t.source_digest);
    let mut files = Vec::new();
    for p in &t.pages {
        let bytes = std::fs::read(&p.image_path).ok()?;
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
        files.push(bytes);
    }
    Some((h.finalize().to_hex()[..32].to_string(), files))
}

/// A template id that can name a file: the cache is skipped for any other.
fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn cache_name(t: &Template, key: &str) -> String {
    format!("{}.{key}.kit", t.id)
}

/// Beside the template first, then the user's cache folder.
fn cache_dirs(t: &Template) -> Vec<PathBuf> {
    if std::env::var_os("FAXFORM_NO_CACHE").is_some() || !safe_id(&t.id) {
        return vec![];
    }
    let mut v = vec![
        t.path
            .parent()
            .unwrap_or(Path::new("."))
            .join(".faxform-cache"),
    ];
    let user = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    if let Some(u) = user {
        v.push(u.join("faxform"));
    }
    v
}

fn read_cache(path: &Path) -> Option<TemplateKit> {
    let bytes = std::fs::read(path).ok()?;
    let (k, used) = bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).ok()?;
    (used == bytes.len()).then_some(k)
}

/// Writes whole or not at all (a new file renamed into place: runs side by side may
/// write the same entry), then removes this template's stale entries.
fn write_cache(dir: &Path, t: &Template, key: &str, k: &TemplateKit) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let bytes = bincode::serde::encode_to_vec(k, bincode::config::standard())?;
    let name = cache_name(t, key);
    let tmp = dir.join(format!(
        ".{name}.{}.{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, dir.join(&name))?;
    let prefix = format!("{}.", t.id);
    for e in std::fs::read_dir(dir)?.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        // Only this template's own entries: `<id>.<32 hex>.kit`.
        let stale = n != name
            && n.ends_with(".kit")
            && n.strip_prefix(&prefix)
                .and_then(|r| r.strip_suffix(".kit"))
                .is_some_and(|k| k.len() == 32 && k.chars().all(|c| c.is_ascii_hexdigit()));
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Vec<Template> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        crate::template::load_all(&dir).unwrap()
    }

    fn bytes(k: &TemplateKit) -> Vec<u8> {
        bincode::serde::encode_to_vec(k, bincode::config::standard()).unwrap()
    }

    #[test]
    fn a_cached_kit_is_the_built_one_and_a_changed_template_misses_it() {
        let tmp = tempfile::tempdir().unwrap();
        // A copy of a shipped template, to change it.
        let t0 = &shipped()[0];
        let src = t0.path.parent().unwrap();
        let path = tmp.path().join(t0.path.file_name().unwrap());
        std::fs::copy(&t0.path, &path).unwrap();
        for p in &t0.pages {
            let name = p.image_path.file_name().unwrap();
            std::fs::copy(src.join(name), tmp.path().join(name)).unwrap();
        }
        let t = crate::template::load(&path).unwrap();
        let built = build_template(&t, 0).unwrap();
        let key = cache_inputs(&t).unwrap().0;
        let dir = tmp.path().join(".faxform-cache");
        write_cache(&dir, &t, &key, &built).unwrap();
        let read = read_cache(&dir.join(cache_name(&t, &key))).unwrap();
        assert_eq!(bytes(&read), bytes(&built));
        // A damaged file is not a kit.
        let file = dir.join(cache_name(&t, &key));
        let mut b = std::fs::read(&file).unwrap();
        b.truncate(b.len() / 2);
        std::fs::write(&file, &b).unwrap();
        assert!(read_cache(&file).is_none());
        // Any change to the template gives another key, and writing the new entry
        // removes the old one.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("title = ", "title = \"x\" # ", 1)).unwrap();
        let t2 = crate::template::load(&path).unwrap();
        let key2 = cache_inputs(&t2).unwrap().0;
        assert_ne!(key, key2);
        write_cache(&dir, &t2, &key2, &build_template(&t2, 0).unwrap()).unwrap();
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(left, [cache_name(&t2, &key2)]);
    }

    /// The shipped templates copied into a scratch folder (their cache goes there).
    fn copies(dir: &Path) -> Vec<Template> {
        for t in shipped() {
            let src = t.path.parent().unwrap();
            std::fs::copy(&t.path, dir.join(t.path.file_name().unwrap())).unwrap();
            for p in &t.pages {
                let name = p.image_path.file_name().unwrap();
                std::fs::copy(src.join(name), dir.join(name)).unwrap();
            }
        }
        crate::template::load_all(dir).unwrap()
    }

    fn models(k: &Kit) -> Vec<(usize, usize, Vec<u8>)> {
        k.catalogue
            .models
            .iter()
            .map(|m| {
                let b = bincode::serde::encode_to_vec(m, bincode::config::standard()).unwrap();
                (m.template, m.page, b)
            })
            .collect()
    }

    #[test]
    fn a_kit_loaded_from_the_cache_is_the_built_one_in_this_runs_order() {
        let tmp = tempfile::tempdir().unwrap();
        let templates = copies(tmp.path());
        let first = Kit::load(templates.clone()).unwrap();
        assert!(
            tmp.path()
                .join(".faxform-cache")
                .read_dir()
                .unwrap()
                .count()
                == 2
        );
        // Another run lists the templates the other way round: each model must carry
        // this run's template number, not the one it was cached with.
        let reversed: Vec<Template> = templates.iter().rev().cloned().collect();
        let cached = Kit::load(reversed.clone()).unwrap();
        let built = Kit::build(reversed).unwrap();
        assert_eq!(models(&cached), models(&built));
        assert_ne!(models(&first), models(&built));
    }

    #[test]
    fn a_cache_file_that_is_not_this_templates_kit_is_rebuilt() {
        let tmp = tempfile::tempdir().unwrap();
        let templates = copies(tmp.path());
        let (one, two) = (&templates[0], &templates[1]);
        assert_ne!(one.pages.len(), two.pages.len());
        // The other template's kit, under this one's name: it decodes, but it is not it.
        let key = cache_inputs(one).unwrap().0;
        let other = build_template(two, 0).unwrap();
        let dir = tmp.path().join(".faxform-cache");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(cache_name(one, &key)), bytes(&other)).unwrap();
        assert!(read_cache(&dir.join(cache_name(one, &key))).is_some());
        let loaded = Kit::load(vec![one.clone()]).unwrap();
        let built = Kit::build(vec![one.clone()]).unwrap();
        assert_eq!(models(&loaded), models(&built));
        assert_eq!(loaded.pages[0].len(), one.pages.len());
    }

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

//! Reading template files and checking them, with errors that name the line.

use super::*;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A template that cannot be used, with the file and line at fault, and every further
/// problem found in the same file (`more`: line, message).
#[derive(Debug)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub message: String,
    pub more: Vec<(usize, String)>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)?;
        for (line, m) in &self.more {
            write!(f, "\n{}:{line}: {m}", self.file)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    id: String,
    questionnaire: String,
    #[serde(default)]
    title: String,
    dpi: f32,
    #[serde(default)]
    page: Vec<Spanned<RawPage>>,
    #[serde(default)]
    question: Vec<Spanned<RawQuestion>>,
    #[serde(default, rename = "box")]
    boxes: Vec<Spanned<RawBox>>,
    #[serde(default)]
    field: Vec<Spanned<RawField>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    number: usize,
    image: String,
    size: [u32; 2],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    kind: Kind,
    #[serde(default)]
    text: String,
    format: Option<TextFormat>,
    #[serde(default)]
    exclusive: Vec<u32>,
    #[serde(default)]
    sub: Vec<RawSub>,
    #[serde(default)]
    skip: Vec<RawSkip>,
    attached: Option<RawAttached>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSub {
    parent: u32,
    codes: Vec<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSkip {
    when: Vec<u32>,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttached {
    question: String,
    code: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBox {
    page: usize,
    rect: Rect,
    label_rect: Option<Rect>,
    #[serde(default)]
    question: String,
    #[serde(default)]
    code: u32,
    #[serde(default)]
    label: String,
    #[serde(default)]
    decoy: bool,
    /// Written by `template detect` to explain a decoy; ignored when loading.
    #[serde(default, rename = "why")]
    _why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    page: usize,
    rect: Rect,
    shape: FieldShape,
    #[serde(default)]
    question: String,
}

struct Lines<'a> {
    src: &'a str,
    file: String,
}

impl Lines<'_> {
    /// 1-based line of a byte offset; the span of a `[[...]]` item is its header.
    fn line_of(&self, offset: usize) -> usize {
        self.src[..offset.min(self.src.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1
    }

    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Result<T, LoadError> {
        Err(LoadError {
            file: self.file.clone(),
            line: self.line_of(span.start),
            message: message.into(),
            more: Vec::new(),
        })
    }
}

/// What a template file places on its pages, named or not: enough to draw a draft that
/// does not load yet (a fresh `template detect` draft has no names), so that a person sees
/// each box's number while naming it.
#[derive(Debug, Clone)]
pub struct Sketch {
    pub pages: Vec<Page>,
    pub boxes: Vec<SketchItem>,
    pub fields: Vec<SketchItem>,
}

/// One box or field of a [`Sketch`]: its number in the file (1-based, as the draft's
/// `# n` comments count), where it is, and its name (`q2:1`, `q5`) when it has one.
#[derive(Debug, Clone)]
pub struct SketchItem {
    pub number: usize,
    pub page: usize,
    pub rect: Rect,
    pub name: Option<String>,
    pub decoy: bool,
}

/// The [`Sketch`] of a template file that parses as TOML, whatever else is wrong with it.
pub fn sketch(path: &Path) -> Option<Sketch> {
    let src = std::fs::read_to_string(path).ok()?;
    let raw: RawTemplate = toml::from_str(&src).ok()?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let pages = raw
        .page
        .iter()
        .enumerate()
        .map(|(i, p)| Page {
            number: i + 1,
            image_path: dir.join(&p.get_ref().image),
            width: p.get_ref().size[0],
            height: p.get_ref().size[1],
        })
        .collect();
    let boxes = raw
        .boxes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let b = b.get_ref();
            SketchItem {
                number: i + 1,
                page: b.page,
                rect: b.rect,
                name: (!b.question.is_empty()).then(|| format!("{}:{}", b.question, b.code)),
                decoy: b.decoy,
            }
        })
        .collect();
    let fields = raw
        .field
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let f = f.get_ref();
            SketchItem {
                number: i + 1,
                page: f.page,
                rect: f.rect,
                name: (!f.question.is_empty()).then(|| f.question.clone()),
                decoy: false,
            }
        })
        .collect();
    Some(Sketch {
        pages,
        boxes,
        fields,
    })
}

/// Loads and validates one template file.
pub fn load(path: &Path) -> Result<Template, LoadError> {
    let src = std::fs::read_to_string(path).map_err(|e| LoadError {
        file: path.display().to_string(),
        line: 0,
        message: format!("cannot read: {e}"),
        more: Vec::new(),
    })?;
    parse(&src, path)
}

/// The other templates in the folder of `path` (the file `t` was loaded from) that load,
/// as `run` would load them beside `t`.
pub fn others_beside(path: &std::path::Path, t: &Template) -> Vec<Template> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut all: Vec<Template> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p != path)
                .filter_map(|p| load(&p).ok())
                .filter(|o| o.id != t.id)
                .collect()
        })
        .unwrap_or_default();
    all.sort_by(|a, b| a.path.cmp(&b.path));
    all
}

/// The problems of `t` with `others`, the templates beside it ([`others_beside`]).
pub fn problems_beside(t: &Template, others: &[Template]) -> Vec<String> {
    let mut all = others.to_vec();
    all.push(t.clone());
    super::layouts::problems(&all)
}

/// The templates folder: `given`, else `./templates`, else `templates` beside the
/// executable or in `../share/faxform/` from it (an installed binary). When none exists,
/// `./templates`, so that loading names the folder it looked for.
pub fn dir(given: Option<&Path>) -> PathBuf {
    if let Some(p) = given {
        return p.to_path_buf();
    }
    let local = PathBuf::from("templates");
    if local.is_dir() {
        return local;
    }
    let beside_exe = std::env::current_exe().ok().and_then(|exe| {
        let bin = exe.parent()?.to_path_buf();
        [
            bin.join("templates"),
            bin.join("../share/faxform/templates"),
        ]
        .into_iter()
        .find(|d| d.is_dir())
    });
    beside_exe.unwrap_or(local)
}

/// Loads every `*.toml` template in a folder, sorted by id. Files that are not templates
/// (no `id` key at the top, e.g. synth answer models) are passed over.
pub fn load_all(dir: &Path) -> anyhow::Result<Vec<Template>> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            anyhow::anyhow!(
                "templates folder {}: {e} (give the folder with --templates)",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    for p in entries {
        let src = std::fs::read_to_string(&p)?;
        if !is_template(&src) {
            continue;
        }
        out.push(parse(&src, &p)?);
    }
    if out.is_empty() {
        anyhow::bail!("no templates in {}", dir.display());
    }
    let problems = super::layouts::problems(&out);
    if !problems.is_empty() {
        anyhow::bail!(
            "templates in {} disagree ({} problem(s)):\n  {}",
            dir.display(),
            problems.len(),
            problems.join("\n  ")
        );
    }
    Ok(out)
}

fn is_template(src: &str) -> bool {
    src.lines()
        .any(|l| l.trim_start().starts_with("id") && l.contains('='))
        && src.contains("[[page]]")
}

/// Parses template text; `path` locates reference images and names the file in errors.
pub fn parse(src: &str, path: &Path) -> Result<Template, LoadError> {
    let lines = Lines {
        src,
        file: path.display().to_string(),
    };
    let raw: RawTemplate = toml::from_str(src).map_err(|e| LoadError {
        file: lines.file.clone(),
        line: e.span().map(|s| lines.line_of(s.start)).unwrap_or(0),
        message: e.message().to_string(),
        more: Vec::new(),
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    if raw.dpi.is_nan() || raw.dpi <= 0.0 {
        return lines.err(0..0, "dpi must be positive");
    }

    let mut pages = Vec::new();
    for (i, p) in raw.page.iter().enumerate() {
        if p.get_ref().number != i + 1 {
            return lines.err(
                p.span(),
                format!(
                    "page {} listed as page number {}",
                    i + 1,
                    p.get_ref().number
                ),
            );
        }
        let [width, height] = p.get_ref().size;
        pages.push(Page {
            number: i + 1,
            image_path: dir.join(&p.get_ref().image),
            width,
            height,
        });
    }
    if pages.is_empty() {
        return lines.err(0..0, "template has no [[page]]");
    }
    let check_rect = |span: std::ops::Range<usize>,
                      page: usize,
                      r: &Rect,
                      what: &str|
     -> Result<(), LoadError> {
        let Some(p) = pages.get(page.wrapping_sub(1)) else {
            return lines.err(
                span,
                format!(
                    "{what} on page {page}, but the template has {} page(s)",
                    pages.len()
                ),
            );
        };
        if r.w <= 0
            || r.h <= 0
            || r.x < 0
            || r.y < 0
            || r.right() > p.width as i32
            || r.bottom() > p.height as i32
        {
            return lines.err(
                span,
                format!(
                    "{what} {r} is empty or outside page {page} ({}×{})",
                    p.width, p.height
                ),
            );
        }
        Ok(())
    };

    // Questions, in file order (= column order).
    let mut questions: Vec<Question> = Vec::new();
    let mut qspans = Vec::new();
    let mut seen = HashSet::new();
    for q in &raw.question {
        let r = q.get_ref();
        if r.id.is_empty() || !r.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return lines.err(
                q.span(),
                format!("question id {:?} must be letters, digits and _", r.id),
            );
        }
        if !seen.insert(r.id.clone()) {
            return lines.err(q.span(), format!("question id {} used twice", r.id));
        }
        let default_format = if r.kind == Kind::Number {
            TextFormat::Digits
        } else {
            TextFormat::Free
        };
        questions.push(Question {
            id: r.id.clone(),
            kind: r.kind,
            text: r.text.clone(),
            options: Vec::new(),
            field: None,
            format: r.format.unwrap_or(default_format),
            exclusive: r.exclusive.clone(),
            sub: r
                .sub
                .iter()
                .map(|s| SubOptions {
                    parent: s.parent,
                    codes: s.codes.clone(),
                })
                .collect(),
            skip: r
                .skip
                .iter()
                .map(|s| Skip {
                    when: s.when.clone(),
                    to: s.to.clone(),
                })
                .collect(),
            attached_to: r.attached.as_ref().map(|a| (a.question.clone(), a.code)),
            line: lines.line_of(q.span().start),
        });
        qspans.push(q.span());
    }
    let index: HashMap<String, usize> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.clone(), i))
        .collect();

    // From here on every problem is collected, so that `template check` names them all at
    // once (a draft has many).
    let mut errs: Vec<(usize, String)> = Vec::new();
    let mut fail =
        |span: std::ops::Range<usize>, m: String| errs.push((lines.line_of(span.start), m));

    // Boxes: options and decoys. Overlapping printed boxes mean a detection or naming slip.
    let mut decoys = Vec::new();
    let mut placed: Vec<(usize, Rect, std::ops::Range<usize>)> = Vec::new();
    for b in &raw.boxes {
        let r = b.get_ref();
        if let Err(e) = check_rect(b.span(), r.page, &r.rect, "box") {
            fail(b.span(), e.message);
            continue;
        }
        if let Some(lr) = &r.label_rect
            && let Err(e) = check_rect(b.span(), r.page, lr, "label_rect")
        {
            fail(b.span(), e.message);
        }
        if let Some((_, other, span)) = placed
            .iter()
            .find(|(page, other, _)| *page == r.page && other.intersects(&r.rect))
        {
            fail(
                b.span(),
                format!(
                    "box {} overlaps the box at line {} ({other})",
                    r.rect,
                    lines.line_of(span.start)
                ),
            );
        }
        placed.push((r.page, r.rect, b.span()));
        if r.decoy {
            decoys.push(Decoy {
                page: r.page,
                rect: r.rect,
                line: lines.line_of(b.span().start),
            });
            continue;
        }
        if r.question.is_empty() {
            fail(
                b.span(),
                "box has no question: name it, or mark it decoy = true".into(),
            );
            continue;
        }
        let Some(&qi) = index.get(&r.question) else {
            fail(
                b.span(),
                format!("box names unknown question {}", r.question),
            );
            continue;
        };
        let q = &mut questions[qi];
        if !q.is_choice() {
            fail(
                b.span(),
                format!("box names {} which is a {} question", q.id, q.kind.name()),
            );
            continue;
        }
        if r.code == 0 {
            fail(
                b.span(),
                format!("box of {} has no code (codes start at 1)", q.id),
            );
            continue;
        }
        if let Some(prev) = q.option(r.code) {
            fail(
                b.span(),
                format!(
                    "code {} of {} used twice (first at line {})",
                    r.code, q.id, prev.line
                ),
            );
            continue;
        }
        q.options.push(OptionBox {
            code: r.code,
            label: r.label.clone(),
            page: r.page,
            rect: r.rect,
            label_rect: r.label_rect,
            line: lines.line_of(b.span().start),
        });
    }

    for f in &raw.field {
        let r = f.get_ref();
        if let Err(e) = check_rect(f.span(), r.page, &r.rect, "field") {
            fail(f.span(), e.message);
            continue;
        }
        if r.question.is_empty() {
            fail(f.span(), "field has no question: name it".into());
            continue;
        }
        let Some(&qi) = index.get(&r.question) else {
            fail(
                f.span(),
                format!("field names unknown question {}", r.question),
            );
            continue;
        };
        let q = &mut questions[qi];
        if q.is_choice() {
            fail(
                f.span(),
                format!("field names {} which is a {} question", q.id, q.kind.name()),
            );
            continue;
        }
        if q.field.is_some() {
            fail(f.span(), format!("question {} has two fields", q.id));
            continue;
        }
        q.field = Some(Field {
            page: r.page,
            rect: r.rect,
            shape: r.shape,
            line: lines.line_of(f.span().start),
        });
    }

    // Per-question checks that need everything in place.
    for (qi, q) in questions.iter_mut().enumerate() {
        let span = qspans[qi].clone();
        q.options.sort_by_key(|o| o.code);
        if q.is_choice() {
            if q.options.is_empty() {
                fail(span.clone(), format!("question {} has no options", q.id));
            }
            if let Some(i) = (0..q.options.len()).find(|&i| q.options[i].code != i as u32 + 1) {
                fail(
                    span.clone(),
                    format!(
                        "question {} has codes that skip {} (codes run 1..n)",
                        q.id,
                        i + 1
                    ),
                );
            }
        } else if q.field.is_none() {
            fail(span.clone(), format!("question {} has no [[field]]", q.id));
        }
        let n = q.options.len() as u32;
        let valid = |c: &u32| *c >= 1 && *c <= n;
        if let Some(c) = q.exclusive.iter().find(|c| !valid(c)) {
            fail(
                span.clone(),
                format!("exclusive option {c} is not an option of {}", q.id),
            );
        }
        for s in &q.sub {
            if q.kind != Kind::Multi {
                fail(
                    span.clone(),
                    format!(
                        "sub-options need a multi question, {} is {}",
                        q.id,
                        q.kind.name()
                    ),
                );
            } else if let Some(c) = std::iter::once(&s.parent)
                .chain(&s.codes)
                .find(|c| !valid(c))
            {
                fail(
                    span.clone(),
                    format!("sub-option code {c} is not an option of {}", q.id),
                );
            }
        }
        for s in &q.skip {
            match index.get(&s.to) {
                None => fail(
                    span.clone(),
                    format!("{} branches to unknown question {}", q.id, s.to),
                ),
                Some(&t) if t <= qi => fail(
                    span.clone(),
                    format!("{} branches back to {} (branches go forward)", q.id, s.to),
                ),
                _ => {}
            }
            if let Some(c) = s.when.iter().find(|c| !valid(c)) {
                fail(
                    span.clone(),
                    format!("branch of {} on code {c}, which is not an option", q.id),
                );
            }
        }
    }
    for (qi, q) in questions.iter().enumerate() {
        if let Some((aq, code)) = &q.attached_to {
            let ok = index
                .get(aq)
                .map(|&i| questions[i].option(*code).is_some())
                .unwrap_or(false);
            if !ok {
                fail(
                    qspans[qi].clone(),
                    format!(
                        "{} is attached to {aq} option {code}, which does not exist",
                        q.id
                    ),
                );
            }
        }
    }
    if !errs.is_empty() {
        errs.sort_by_key(|e| e.0);
        let (line, message) = errs.remove(0);
        return Err(LoadError {
            file: lines.file.clone(),
            line,
            message,
            more: errs,
        });
    }

    Ok(Template {
        id: raw.id,
        questionnaire: raw.questionnaire,
        title: raw.title,
        dpi: raw.dpi,
        pages,
        questions,
        decoys,
        path: path.to_path_buf(),
        source_digest: *blake3::hash(src.as_bytes()).as_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "t-a"
questionnaire = "t"
dpi = 200

[[page]]
number = 1
image = "t.p1.png"
size = [1000, 1000]

[[question]]
id = "q1"
kind = "single"
skip = [{ when = [2], to = "q3" }]

[[question]]
id = "q2"
kind = "multi"
exclusive = [3]
sub = [{ parent = 1, codes = [2] }]

[[question]]
id = "q3"
kind = "text"
format = "prefecture"

[[box]]
page = 1
rect = [10, 10, 20, 20]
question = "q1"
code = 1

[[box]]
page = 1
rect = [50, 10, 20, 20]
question = "q1"
code = 2

[[box]]
page = 1
rect = [10, 50, 20, 20]
question = "q2"
code = 1

[[box]]
page = 1
rect = [50, 50, 20, 20]
question = "q2"
code = 2

[[box]]
page = 1
rect = [90, 50, 20, 20]
question = "q2"
code = 3

[[box]]
page = 1
rect = [300, 300, 15, 15]
decoy = true

[[field]]
page = 1
rect = [10, 100, 300, 40]
shape = "underline"
question = "q3"
"#;

    fn parse_str(s: &str) -> Result<Template, LoadError> {
        parse(s, Path::new("templates/t-a.toml"))
    }

    /// Replaces the first occurrence of `from` in the good template.
    fn broken(from: &str, to: &str) -> LoadError {
        assert!(GOOD.contains(from), "{from}");
        parse_str(&GOOD.replacen(from, to, 1)).expect_err("must be rejected")
    }

    fn line_of(s: &str, needle: &str) -> usize {
        s[..s.find(needle).unwrap()].lines().count() + 1
    }

    #[test]
    fn good_template_loads_with_contract_columns() {
        let t = parse_str(GOOD).unwrap();
        let names: Vec<_> = t.columns().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["q1", "q2_1", "q2_2", "q2_3", "q3"]);
        assert_eq!(t.decoys.len(), 1);
        assert_eq!(t.question("q3").unwrap().format, TextFormat::Prefecture);
        let q1 = t.question("q1").unwrap();
        let skipped: Vec<_> = t
            .skipped_by(q1, &[2])
            .iter()
            .map(|q| q.id.clone())
            .collect();
        assert_eq!(skipped, ["q2"]);
        assert!(t.skipped_by(q1, &[1]).is_empty());
        assert_eq!(t.question("q2").unwrap().parent_of(2), Some(1));
    }

    #[test]
    fn overlapping_boxes_name_both_lines() {
        let e = broken("rect = [50, 10, 20, 20]", "rect = [15, 15, 20, 20]");
        assert_eq!(e.line, line_of(GOOD, "rect = [50, 10, 20, 20]") - 2);
        assert!(e.message.contains("overlaps"), "{e}");
        assert!(
            e.message.contains(&format!(
                "line {}",
                line_of(GOOD, "rect = [10, 10, 20, 20]") - 2
            )),
            "{e}"
        );
    }

    #[test]
    fn question_without_options_is_rejected() {
        let src = GOOD
            .replace("question = \"q1\"\ncode = 1", "decoy = true")
            .replace("question = \"q1\"\ncode = 2", "decoy = true");
        let e = parse_str(&src).unwrap_err();
        assert!(e.message.contains("q1 has no options"), "{e}");
        assert_eq!(e.line, line_of(GOOD, "id = \"q1\"") - 1);
    }

    #[test]
    fn code_used_twice_is_rejected() {
        let e = broken("question = \"q1\"\ncode = 2", "question = \"q1\"\ncode = 1");
        assert!(e.to_string().contains("code 1 of q1 used twice"), "{e}");
    }

    #[test]
    fn branch_to_unknown_question_is_rejected() {
        let e = broken("to = \"q3\"", "to = \"q9\"");
        assert!(e.message.contains("unknown question q9"), "{e}");
        assert_eq!(e.line, line_of(GOOD, "id = \"q1\"") - 1);
    }

    #[test]
    fn other_mistakes_are_rejected_with_reasons() {
        assert!(
            broken("kind = \"single\"", "kind = \"several\"")
                .to_string()
                .contains("unknown variant")
        );
        assert!(
            broken("exclusive = [3]", "exclusive = [4]")
                .to_string()
                .contains("exclusive option 4")
        );
        assert!(
            broken("codes = [2]", "codes = [7]")
                .to_string()
                .contains("sub-option code 7")
        );
        assert!(
            broken("to = \"q3\"", "to = \"q1\"")
                .to_string()
                .contains("branches back")
        );
        assert!(
            broken(
                "rect = [300, 300, 15, 15]\ndecoy = true",
                "rect = [300, 300, 15, 15]"
            )
            .to_string()
            .contains("no question")
        );
        assert!(
            broken("rect = [10, 100, 300, 40]", "rect = [10, 990, 300, 40]")
                .to_string()
                .contains("outside page 1")
        );
        assert!(
            broken("question = \"q3\"", "question = \"q1\"")
                .to_string()
                .contains("single")
        );
        assert!(
            broken("id = \"q2\"", "id = \"q1\"")
                .to_string()
                .contains("used twice")
        );
    }

    #[test]
    fn every_mistake_of_a_file_is_named_at_once() {
        let src = GOOD
            .replacen(
                "question = \"q1\"\ncode = 2",
                "question = \"q1\"\ncode = 1",
                1,
            )
            .replacen("to = \"q3\"", "to = \"q9\"", 1)
            .replacen("question = \"q3\"", "question = \"q7\"", 1);
        let e = parse_str(&src).unwrap_err().to_string();
        for want in ["used twice", "unknown question q9", "unknown question q7"] {
            assert!(e.contains(want), "{want} in {e}");
        }
        assert!(e.lines().count() >= 3, "{e}");
        assert!(
            e.lines().all(|l| l.starts_with("templates/t-a.toml:")),
            "{e}"
        );
    }
}

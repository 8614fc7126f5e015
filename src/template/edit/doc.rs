//! Naming a draft template in place: the edits `template edit` makes to the TOML file,
//! through `toml_edit` so that everything else in the file (comments, the question
//! blocks a person wrote, key order) stays as it was.
//!
//! Boxes and fields are addressed by their number in the file (1-based, in file order, as
//! the draft's `# n` comments and `template check`'s numbered overlay count them). The
//! `[[question]]` blocks follow the names: a name no block has yet gets a block of the
//! likely kind in printed order, and a block the edits left without boxes or field is
//! dropped when it holds nothing a person wrote (no text, branching or options).

use crate::template::{FieldShape, Kind, TextFormat};
use serde::Serialize;
use std::path::{Path, PathBuf};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

/// The comment over a question block this page added: only such a block is dropped again
/// when its question loses its boxes (a block a person wrote is theirs to remove).
const ADDED: &str = "added by faxform template edit";

/// Why an edit was refused; the file is left as it was.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EditError {
    #[error("{file}: not TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: there is no box {n} (the file has {count})")]
    NoBox {
        file: String,
        n: usize,
        count: usize,
    },
    #[error("{file}: there is no field {n} (the file has {count})")]
    NoField {
        file: String,
        n: usize,
        count: usize,
    },
    #[error("{file}: there is no question {id:?}")]
    NoQuestion { file: String, id: String },
    #[error("{file}: {what}")]
    Bad { file: String, what: String },
}

/// One `[[box]]` as the page shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BoxItem {
    pub n: usize,
    pub page: usize,
    pub rect: [i64; 4],
    pub question: String,
    pub code: i64,
    pub label: String,
    pub decoy: bool,
    /// Line of its `[[box]]` header, to tie check messages to it.
    pub line: usize,
}

/// One `[[field]]` as the page shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldItem {
    pub n: usize,
    pub page: usize,
    pub rect: [i64; 4],
    pub shape: String,
    pub question: String,
    pub line: usize,
}

/// One `[[question]]` block.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuestionItem {
    pub id: String,
    pub kind: String,
    pub format: String,
    pub text: String,
    /// Line of its `[[question]]` header.
    pub line: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PageItem {
    pub number: usize,
    pub image: String,
    pub width: i64,
    pub height: i64,
}

/// Everything the page draws and lists.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Contents {
    pub id: String,
    pub questionnaire: String,
    pub title: String,
    pub pages: Vec<PageItem>,
    pub boxes: Vec<BoxItem>,
    pub fields: Vec<FieldItem>,
    pub questions: Vec<QuestionItem>,
}

/// A draft template file, read fresh for each edit (a person may also edit it by hand).
pub struct Draft {
    path: PathBuf,
    doc: DocumentMut,
    src: String,
}

fn text_of(t: &Table, key: &str) -> String {
    t.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn int_of(t: &Table, key: &str) -> i64 {
    t.get(key).and_then(|v| v.as_integer()).unwrap_or_default()
}

fn rect_of(t: &Table) -> [i64; 4] {
    let mut r = [0; 4];
    if let Some(a) = t.get("rect").and_then(|v| v.as_array()) {
        for (i, v) in a.iter().take(4).enumerate() {
            r[i] = v.as_integer().unwrap_or_default();
        }
    }
    r
}

/// Lines of the `[[name]]` headers in `src`, in order.
fn header_lines(src: &str, name: &str) -> Vec<usize> {
    let header = format!("[[{name}]]");
    src.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(&header))
        .map(|(i, _)| i + 1)
        .collect()
}

impl Draft {
    pub fn open(path: &Path) -> Result<Draft, EditError> {
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| EditError::Bad {
            file: file.clone(),
            what: e.to_string(),
        })?;
        let doc = src.parse::<DocumentMut>().map_err(|e| EditError::Syntax {
            file,
            message: e.to_string(),
        })?;
        Ok(Draft {
            path: path.to_path_buf(),
            doc,
            src,
        })
    }

    fn file(&self) -> String {
        self.path.display().to_string()
    }

    fn tables(&self, name: &str) -> Vec<&Table> {
        self.doc
            .get(name)
            .and_then(Item::as_array_of_tables)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    fn tables_mut(&mut self, name: &str) -> Option<&mut ArrayOfTables> {
        self.doc
            .get_mut(name)
            .and_then(Item::as_array_of_tables_mut)
    }

    pub fn contents(&self) -> Contents {
        let box_lines = header_lines(&self.src, "box");
        let field_lines = header_lines(&self.src, "field");
        let question_lines = header_lines(&self.src, "question");
        let root = self.doc.as_table();
        Contents {
            id: text_of(root, "id"),
            questionnaire: text_of(root, "questionnaire"),
            title: text_of(root, "title"),
            pages: self
                .tables("page")
                .iter()
                .map(|t| {
                    let size = t.get("size").and_then(|v| v.as_array());
                    let dim = |i: usize| {
                        size.and_then(|a| a.get(i))
                            .and_then(|v| v.as_integer())
                            .unwrap_or_default()
                    };
                    PageItem {
                        number: int_of(t, "number") as usize,
                        image: text_of(t, "image"),
                        width: dim(0),
                        height: dim(1),
                    }
                })
                .collect(),
            boxes: self
                .tables("box")
                .iter()
                .enumerate()
                .map(|(i, t)| BoxItem {
                    n: i + 1,
                    page: int_of(t, "page") as usize,
                    rect: rect_of(t),
                    question: text_of(t, "question"),
                    code: int_of(t, "code"),
                    label: text_of(t, "label"),
                    decoy: t.get("decoy").and_then(|v| v.as_bool()).unwrap_or(false),
                    line: box_lines.get(i).copied().unwrap_or_default(),
                })
                .collect(),
            fields: self
                .tables("field")
                .iter()
                .enumerate()
                .map(|(i, t)| FieldItem {
                    n: i + 1,
                    page: int_of(t, "page") as usize,
                    rect: rect_of(t),
                    shape: text_of(t, "shape"),
                    question: text_of(t, "question"),
                    line: field_lines.get(i).copied().unwrap_or_default(),
                })
                .collect(),
            questions: self
                .tables("question")
                .iter()
                .enumerate()
                .map(|(i, t)| QuestionItem {
                    id: text_of(t, "id"),
                    kind: text_of(t, "kind"),
                    format: text_of(t, "format"),
                    text: text_of(t, "text"),
                    line: question_lines.get(i).copied().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// Writes the file whole or not at all (a new file renamed over the old).
    pub fn save(&mut self) -> Result<(), EditError> {
        let text = self.doc.to_string();
        let tmp = self.path.with_extension("toml.saving");
        std::fs::write(&tmp, &text)
            .and_then(|_| std::fs::rename(&tmp, &self.path))
            .map_err(|e| EditError::Bad {
                file: self.file(),
                what: format!("saving: {e}"),
            })?;
        self.src = text;
        Ok(())
    }

    fn box_mut(&mut self, n: usize) -> Result<&mut Table, EditError> {
        let file = self.file();
        let count = self.tables("box").len();
        self.tables_mut("box")
            .and_then(|a| a.get_mut(n.wrapping_sub(1)))
            .ok_or(EditError::NoBox { file, n, count })
    }

    fn field_mut(&mut self, n: usize) -> Result<&mut Table, EditError> {
        let file = self.file();
        let count = self.tables("field").len();
        self.tables_mut("field")
            .and_then(|a| a.get_mut(n.wrapping_sub(1)))
            .ok_or(EditError::NoField { file, n, count })
    }

    fn check_id(&self, id: &str) -> Result<(), EditError> {
        // As the loader requires of a question id.
        let ok = id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if ok {
            Ok(())
        } else {
            Err(EditError::Bad {
                file: self.file(),
                what: format!(
                    "question id {id:?}: letters, digits and _ only (it becomes a column name)"
                ),
            })
        }
    }

    /// Names box `n` (an empty `question` leaves it unnamed); it stops being a decoy.
    pub fn name_box(
        &mut self,
        n: usize,
        question: &str,
        code: u32,
        label: &str,
    ) -> Result<(), EditError> {
        let question = question.trim();
        self.check_id(question)?;
        let t = self.box_mut(n)?;
        t.remove("decoy");
        t.remove("why");
        t["question"] = value(question);
        t["code"] = value(if question.is_empty() { 0 } else { code as i64 });
        t["label"] = value(label.trim());
        self.sync_questions();
        Ok(())
    }

    /// Makes box `n` a decoy (a printed □ that is not an answer) or, with `false`, an
    /// unnamed box again.
    pub fn set_decoy(&mut self, n: usize, decoy: bool) -> Result<(), EditError> {
        let t = self.box_mut(n)?;
        if decoy {
            t.remove("question");
            t.remove("code");
            t.remove("label");
            t["decoy"] = value(true);
            if !t.contains_key("why") {
                t["why"] = value("marked in template edit");
            }
            self.sync_questions();
            Ok(())
        } else {
            self.name_box(n, "", 0, "")
        }
    }

    /// Names field `n` and sets its printed shape.
    pub fn name_field(
        &mut self,
        n: usize,
        question: &str,
        shape: FieldShape,
    ) -> Result<(), EditError> {
        let question = question.trim();
        self.check_id(question)?;
        let t = self.field_mut(n)?;
        t["question"] = value(question);
        t["shape"] = value(shape_name(shape));
        self.sync_questions();
        Ok(())
    }

    /// Sets a question block's kind, text format and text (a format only for text and
    /// number questions).
    pub fn set_question(
        &mut self,
        id: &str,
        kind: Kind,
        format: Option<TextFormat>,
        text: &str,
    ) -> Result<(), EditError> {
        let file = self.file();
        let blocks = self.tables_mut("question");
        let t = blocks
            .and_then(|a| {
                a.iter_mut()
                    .find(|t| t.get("id").and_then(|v| v.as_str()) == Some(id))
            })
            .ok_or(EditError::NoQuestion {
                file,
                id: id.to_string(),
            })?;
        t["kind"] = value(kind.name());
        match (kind, format) {
            (Kind::Text | Kind::Number, Some(f)) => t["format"] = value(format_name(f)),
            _ => {
                t.remove("format");
            }
        }
        t["text"] = value(text.trim());
        Ok(())
    }

    /// Where each named question first appears in reading order: boxes in file order
    /// (detection writes them in reading order), a field just before the first box on its
    /// page that lies below its top.
    fn first_places(c: &Contents) -> Vec<(String, (usize, f64), bool)> {
        let mut places: Vec<(String, (usize, f64), bool)> = Vec::new();
        let mut note = |id: &str, at: (usize, f64), is_field: bool| {
            if id.is_empty() {
                return;
            }
            match places.iter_mut().find(|(q, _, _)| q == id) {
                Some(p) if at < p.1 => p.1 = at,
                Some(_) => {}
                None => places.push((id.to_string(), at, is_field)),
            }
        };
        for b in &c.boxes {
            if !b.decoy {
                note(&b.question, (b.page, b.n as f64), false);
            }
        }
        for f in &c.fields {
            let below = c
                .boxes
                .iter()
                .filter(|b| b.page == f.page && b.rect[1] > f.rect[1])
                .map(|b| b.n)
                .min()
                .unwrap_or(c.boxes.len() + 1);
            note(&f.question, (f.page, below as f64 - 0.5), true);
        }
        places
    }

    /// Adds a block for every name that has none, in printed order, and drops blocks this
    /// page added that are left without boxes or field and hold nothing a person wrote
    /// since (no text, branching or options).
    fn sync_questions(&mut self) {
        let c = self.contents();
        let places = Self::first_places(&c);
        // Drop bare orphans first.
        if let Some(blocks) = self.tables_mut("question") {
            blocks.retain(|t| {
                let id = t.get("id").and_then(|v| v.as_str()).unwrap_or_default();
                let used = places.iter().any(|(q, _, _)| q == id);
                let ours = t
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .is_some_and(|p| p.contains(ADDED));
                let bare = t.iter().all(|(k, v)| match k {
                    "id" | "kind" | "format" | "attached" => true,
                    "text" => v.as_str().is_some_and(str::is_empty),
                    _ => false,
                });
                used || !(ours && bare)
            });
        }
        let place_of = |id: &str| places.iter().find(|(q, _, _)| q == id).map(|p| p.1);
        for (id, at, is_field) in &places {
            if c.questions.iter().any(|q| &q.id == id) {
                continue;
            }
            let mut t = Table::new();
            t.decor_mut().set_prefix(format!("\n# {ADDED}\n"));
            t["id"] = value(id.as_str());
            let (kind, format) = if !is_field {
                (Kind::Single, None)
            } else if id.ends_with("_count") || id.ends_with("_number") {
                (Kind::Number, None)
            } else {
                (Kind::Text, Some(TextFormat::Free))
            };
            t["kind"] = value(kind.name());
            if let Some(f) = format {
                t["format"] = value(format_name(f));
            }
            t["text"] = value("");
            if let Some((parent, code)) = self.other_option(id) {
                let mut a = toml_edit::InlineTable::new();
                a.insert("question", parent.into());
                a.insert("code", (code as i64).into());
                t["attached"] = value(a);
            }
            let existing: Vec<Option<(usize, f64)>> = self
                .tables("question")
                .iter()
                .map(|q| place_of(q.get("id").and_then(|v| v.as_str()).unwrap_or_default()))
                .collect();
            let index = existing
                .iter()
                .position(|p| p.is_some_and(|p| p > *at))
                .unwrap_or(existing.len());
            match self.tables_mut("question") {
                Some(blocks) => blocks.insert(index, t),
                None => {
                    let mut a = ArrayOfTables::new();
                    a.push(t);
                    self.doc.insert("question", Item::ArrayOfTables(a));
                }
            }
        }
    }

    /// For a field named `<q>_other`: question `q`'s option labelled その他, the option
    /// its text belongs to.
    fn other_option(&self, id: &str) -> Option<(String, u32)> {
        let parent = id.strip_suffix("_other")?;
        self.tables("box")
            .iter()
            .filter(|t| text_of(t, "question") == parent)
            .find(|t| text_of(t, "label").starts_with("その他"))
            .map(|t| (parent.to_string(), int_of(t, "code") as u32))
    }
}

fn shape_name(s: FieldShape) -> &'static str {
    match s {
        FieldShape::Box => "box",
        FieldShape::Underline => "underline",
        FieldShape::Paren => "paren",
    }
}

fn format_name(f: TextFormat) -> &'static str {
    match f {
        TextFormat::Prefecture => "prefecture",
        TextFormat::Digits => "digits",
        TextFormat::Free => "free",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFT: &str = r#"# Draft template written by `faxform template detect` from x.pdf.
id = "x-a"
questionnaire = "x"
title = ""
dpi = 200

[[page]]
number = 1
image = "x-a.p1.png"
size = [1653, 2339]

[[box]] # 1
page = 1
rect = [100, 100, 20, 20]
question = ""
code = 0
label = ""

[[box]] # 2
page = 1
rect = [100, 200, 20, 20]
question = ""
code = 0
label = ""

[[box]] # 3
page = 1
rect = [100, 400, 20, 20]
decoy = true
why = "in running text"

[[field]]
page = 1
rect = [100, 300, 400, 40]
shape = "underline"
question = ""

[[question]] # written by a person
id = "q9"
kind = "multi"
text = "kept"
"#;

    fn draft() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x-a.toml");
        std::fs::write(&p, DRAFT).unwrap();
        (dir, p)
    }

    fn reopen(p: &Path) -> Contents {
        Draft::open(p).unwrap().contents()
    }

    #[test]
    fn naming_a_box_saves_it_and_adds_its_question_in_printed_order() {
        let (_d, p) = draft();
        let mut d = Draft::open(&p).unwrap();
        d.name_box(2, "q2", 1, " はい ").unwrap();
        d.name_box(1, "q1", 1, "いいえ").unwrap();
        d.save().unwrap();
        let c = reopen(&p);
        assert_eq!((c.boxes[1].question.as_str(), c.boxes[1].code), ("q2", 1));
        assert_eq!(c.boxes[1].label, "はい");
        let ids: Vec<&str> = c.questions.iter().map(|q| q.id.as_str()).collect();
        // q1 comes before q2 on paper whatever order they were named in; the block a
        // person wrote stays where it was (it has text).
        assert_eq!(ids, ["q9", "q1", "q2"]);
        assert_eq!(c.questions[1].kind, "single");
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("# Draft template written"), "{text}");
        assert!(text.contains("[[question]] # written by a person"));
        let line = text.lines().nth(c.boxes[1].line - 1).unwrap();
        assert_eq!(line, "[[box]] # 2");
    }

    #[test]
    fn a_field_between_boxes_gets_its_block_between_theirs() {
        let (_d, p) = draft();
        let mut d = Draft::open(&p).unwrap();
        d.name_box(1, "q1", 1, "").unwrap();
        d.name_box(2, "q3", 1, "").unwrap();
        d.name_field(1, "q2_count", FieldShape::Box).unwrap();
        let c = d.contents();
        let ids: Vec<(&str, &str)> = c
            .questions
            .iter()
            .map(|q| (q.id.as_str(), q.kind.as_str()))
            .collect();
        // The field (y 300) lies below box 2 (y 200): its block comes after q3's.
        assert_eq!(
            ids,
            [
                ("q9", "multi"),
                ("q1", "single"),
                ("q3", "single"),
                ("q2_count", "number"),
            ]
        );
        assert_eq!(c.fields[0].shape, "box");
    }

    #[test]
    fn renaming_drops_a_bare_block_but_never_a_written_one() {
        let (_d, p) = draft();
        let mut d = Draft::open(&p).unwrap();
        d.name_box(1, "q1", 1, "").unwrap();
        d.name_box(1, "q2", 1, "").unwrap();
        let ids: Vec<String> = d.contents().questions.into_iter().map(|q| q.id).collect();
        assert_eq!(ids, ["q9", "q2"]);
        d.set_question("q2", Kind::Multi, None, "どれですか")
            .unwrap();
        d.set_decoy(1, true).unwrap();
        let c = d.contents();
        assert!(c.boxes[0].decoy && c.boxes[0].question.is_empty());
        // q2 now has text a person typed: kept, and `check` will say it has no options.
        assert_eq!(c.questions[1].text, "どれですか");
        d.set_decoy(3, false).unwrap();
        assert!(!d.contents().boxes[2].decoy);
    }

    #[test]
    fn a_bare_block_a_person_wrote_stays_and_an_added_attached_one_goes() {
        let (_d, p) = draft();
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(
            &p,
            format!("{text}\n[[question]]\nid = \"q7\"\nkind = \"multi\"\n"),
        )
        .unwrap();
        let mut d = Draft::open(&p).unwrap();
        d.name_box(1, "q1", 1, "はい").unwrap();
        d.name_box(2, "q1", 2, "その他").unwrap();
        d.name_field(1, "q1_other", FieldShape::Paren).unwrap();
        let ids = |d: &Draft| -> Vec<String> {
            d.contents().questions.into_iter().map(|q| q.id).collect()
        };
        assert_eq!(ids(&d), ["q9", "q7", "q1", "q1_other"]);
        d.name_field(1, "q5", FieldShape::Paren).unwrap();
        assert_eq!(ids(&d), ["q9", "q7", "q1", "q5"]);
        d.save().unwrap();
        assert!(std::fs::read_to_string(&p).unwrap().contains(ADDED));
    }

    #[test]
    fn other_field_is_attached_to_its_option() {
        let (_d, p) = draft();
        let mut d = Draft::open(&p).unwrap();
        d.name_box(1, "q1", 1, "はい").unwrap();
        d.name_box(2, "q1", 2, "その他").unwrap();
        d.name_field(1, "q1_other", FieldShape::Paren).unwrap();
        let text = d.doc.to_string();
        assert!(
            text.contains(r#"attached = { question = "q1", code = 2 }"#),
            "{text}"
        );
    }

    #[test]
    fn bad_edits_are_refused_with_the_file_named() {
        let (_d, p) = draft();
        let mut d = Draft::open(&p).unwrap();
        let e = d.name_box(4, "q1", 1, "").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: there is no box 4 (the file has 3)", p.display())
        );
        assert!(d.name_box(1, "q 1", 1, "").is_err());
        assert!(d.set_question("q7", Kind::Single, None, "").is_err());
        std::fs::write(&p, "id = ").unwrap();
        assert!(matches!(Draft::open(&p), Err(EditError::Syntax { .. })));
    }
}

//! End-to-end: `faxform template edit` in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `make setup`), keyboard only. A draft detected
//! `--unnamed` (every box unnamed, as when nothing can be read off a blank) is named from the page until it loads;
//! each keystroke's change is in the TOML file as soon as the server answers. Also: the
//! token is required, and a draft's page image cannot point outside its folder.

use fantoccini::Client;
use fantoccini::key::Key;
use faxform::ingest::{IngestOptions, read_all_pages};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;
use common::browser::{Proc, browser, save_shot, text, type_text};
use common::root;
use common::server::{http, serve};

fn faxform() -> Command {
    Command::new(env!("CARGO_BIN_EXE_faxform"))
}

/// A draft of `tests/data/retyped/joined-boxes.pdf` from its picture alone (no text layer,
/// so nothing is named): 8 boxes (q1 codes 1–6, q2 医科・歯科) and one write-in field.
fn unnamed_draft(dir: &Path) -> PathBuf {
    let pdf = root().join("tests/data/retyped/joined-boxes.pdf");
    let pages = read_all_pages(&pdf, &IngestOptions::at_dpi(200.0)).unwrap();
    let png = dir.join("joined.png");
    pages[0].image.save(&png).unwrap();
    let draft = dir.join("tpl/joined-a.toml");
    let out = faxform()
        .args(["template", "detect", "--unnamed"])
        .arg(&png)
        .arg("--out")
        .arg(&draft)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&draft).unwrap();
    let headers = |h: &str| text.lines().filter(|l| l.starts_with(h)).count();
    assert_eq!(headers("[[box]]"), 8, "{text}");
    assert_eq!(headers("[[field]]"), 1, "{text}");
    assert_eq!(headers("[[question]]"), 0, "{text}");
    draft
}

/// Starts `faxform template edit` and returns it with the address it printed.
fn start_edit(draft: &Path) -> (Proc, String) {
    serve(&["template".as_ref(), "edit".as_ref(), draft.as_os_str()])
}

/// (status, body) of a GET with an optional token header.
fn get(url: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    http("GET", url, token, None)
}

async fn wait_text(c: &Client, id: &str, want: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        let t = text(c, id).await;
        if t.contains(want) {
            return t;
        }
        assert!(
            start.elapsed().as_secs() < 15,
            "#{id} never showed {want:?}; it shows {t:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unnamed_draft_is_named_by_keyboard_until_it_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let draft = unnamed_draft(tmp.path());
    let (_server, url) = start_edit(&draft);
    let (base, token) = url.split_once("/?t=").unwrap();

    // Nothing without the token.
    assert_eq!(get(&format!("{base}/api/draft"), None).0, 403);
    assert_eq!(get(&format!("{base}/image/1"), None).0, 403);
    let (code, png) = get(&format!("{base}/image/1"), Some(token));
    assert_eq!(code, 200);
    assert!(png.starts_with(b"\x89PNG"));

    let (_b, c) = browser(&tmp.path().join("profile")).await;
    c.goto(&url).await.unwrap();
    let status = wait_text(&c, "status", "命名 0/9").await;
    assert!(status.contains("問題 9"), "{status}");
    // Eight boxes and the field drawn with their numbers.
    let tags: Value = c
        .execute(
            "return [...document.querySelectorAll('#pagesvg .tag')].map(t => t.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        tags,
        serde_json::json!(["1", "2", "3", "4", "5", "6", "7", "8", "F1"])
    );

    let tab: char = Key::Tab.into();
    let enter: char = Key::Enter.into();
    let esc: char = Key::Escape.into();
    // Box 1: Enter to name it, "q1", Enter (code 1 is proposed); boxes 2–6 are proposed
    // as q1 codes 2–6: one Enter each.
    type_text(&c, &format!("{enter}q1{enter}")).await;
    for _ in 2..=6 {
        type_text(&c, &enter.to_string()).await;
    }
    // Mid-way, for README: q1 named, box 7 proposed as q1 code 7.
    wait_text(&c, "status", "命名 6/9").await;
    save_shot("template-edit.png", &c.screenshot().await.unwrap());
    // Box 7 starts question q2: its name, code 1 (proposed 7, typed over), its label.
    type_text(&c, &format!("q2{tab}1{tab}医科{enter}")).await;
    // Box 8 is proposed as q2 code 2.
    type_text(&c, &format!("{tab}{tab}歯科{enter}")).await;
    // The field: its question, then stop typing.
    type_text(&c, &format!("q3{enter}{esc}")).await;
    // q1 is a multiple-choice question: go to box 1 and press m.
    type_text(&c, &format!("/1{enter}m")).await;
    wait_text(&c, "status", "読み込めます").await;
    let cols = wait_text(&c, "cols", "q1_6").await;
    assert!(cols.contains("q2, q3"), "{cols}");

    // Every change is already in the file; it loads and check agrees.
    let t = faxform::template::load(&draft).unwrap();
    let ids: Vec<(&str, &str, usize)> = t
        .questions
        .iter()
        .map(|q| (q.id.as_str(), q.kind.name(), q.options.len()))
        .collect();
    assert_eq!(
        ids,
        [("q1", "multi", 6), ("q2", "single", 2), ("q3", "text", 0)]
    );
    let q2 = t.question("q2").unwrap();
    assert_eq!(q2.options[0].label, "医科");
    assert_eq!(q2.options[1].label, "歯科");
    let check = faxform()
        .args(["template", "check"])
        .arg(&draft)
        .arg("--out")
        .arg(tmp.path().join("overlay.png"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // A decoy by one key, and back: the file follows, and check's complaint (q1 loses
    // code 3, a gap) is shown tied to the boxes.
    type_text(&c, &format!("/3{enter}d")).await;
    let status = wait_text(&c, "status", "問題").await;
    assert!(!status.contains("読み込めます"), "{status}");
    assert!(
        std::fs::read_to_string(&draft)
            .unwrap()
            .contains("decoy = true")
    );
    type_text(&c, "d").await;
    wait_text(&c, "status", "命名 8/9").await;
    type_text(&c, &format!("{enter}q1{tab}3{enter}{esc}")).await;
    wait_text(&c, "status", "読み込めます").await;
    assert!(faxform::template::load(&draft).is_ok());
    c.close().await.unwrap();
}

#[test]
fn a_page_image_outside_the_drafts_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let draft = unnamed_draft(tmp.path());
    let text = std::fs::read_to_string(&draft).unwrap();
    std::fs::write(
        &draft,
        text.replace("image = \"joined-a.p1.png\"", "image = \"../joined.png\""),
    )
    .unwrap();
    let (_server, url) = start_edit(&draft);
    let (base, token) = url.split_once("/?t=").unwrap();
    let (code, body) = get(&format!("{base}/image/1"), Some(token));
    assert_eq!(code, 403, "{}", String::from_utf8_lossy(&body));
    let (code, _) = get(&format!("{base}/image/2"), Some(token));
    assert_eq!(code, 404);
}

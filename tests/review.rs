//! End-to-end: `faxform review` in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `make setup`), driven by the keyboard only; the audit
//! trail in the store; a second reviewer's server on the same folder; a killed server;
//! and `faxform export` reflecting the decisions. Also: requests without the token are
//! refused, crop paths cannot leave the output folder, and OCR text holding HTML is shown
//! as text.

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::path::Path;

use crate::common;
use common::browser::{Proc, browser, keys, save_shot, text, type_text, wait_for};
use common::root;
use common::server::{http, serve};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn faxform() -> Command {
    Command::new(env!("CARGO_BIN_EXE_faxform"))
}

/// Starts `faxform review` and returns it with the address it printed.
fn start_review(dir: &Path) -> (Proc, String) {
    serve(&[
        "review".as_ref(),
        dir.as_os_str(),
        "--templates".as_ref(),
        root().join("templates").as_os_str(),
    ])
}

/// (base address, token) of a printed address `http://127.0.0.1:P/?t=TOKEN`.
fn split_url(url: &str) -> (String, String) {
    let (base, token) = url.split_once("/?t=").unwrap();
    (base.to_string(), token.to_string())
}

fn items(base: &str, token: &str) -> Vec<Value> {
    let (status, body) = http("GET", &format!("{base}/api/items"), Some(token), None);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    v["items"].as_array().unwrap().clone()
}

fn item(base: &str, token: &str, id: i64) -> Value {
    items(base, token)
        .into_iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

async fn key(c: &Client, k: impl Into<char>) {
    keys(c, &[k.into()]).await;
}

async fn ctrl(c: &Client, k: char) {
    let ctrl: char = Key::Control.into();
    let a = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: ctrl })
        .then(KeyAction::Down { value: k })
        .then(KeyAction::Up { value: k })
        .then(KeyAction::Up { value: ctrl });
    c.perform_actions(a).await.unwrap();
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Waits until the page shows item `it` in the one-at-a-time view.
async fn wait_shown(c: &Client, it: &Value) {
    let want = format!(
        "{} {}",
        it["response_id"].as_str().unwrap(),
        it["column"].as_str().unwrap()
    );
    let start = Instant::now();
    loop {
        let title = text(c, "qtitle").await;
        let got = format!(
            "{} {}",
            text(c, "rid").await,
            title.split('：').next().unwrap()
        );
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "page shows {got:?}, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Moves to item `target` with the arrow key (the page wraps around).
async fn go_to(c: &Client, all: &[Value], target: i64) {
    for _ in 0..=all.len() {
        let pos = text(c, "pos").await;
        let i: usize = pos.split(' ').next().unwrap().parse::<usize>().unwrap() - 1;
        if all[i]["id"] == target {
            return;
        }
        key(c, Key::Right).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("item {target} not reached with →");
}

/// The key presses that decide `it` and the value they give, by the item's kind.
fn plan(it: &Value) -> (Vec<char>, String) {
    let machine = it["machine"].as_str().unwrap().to_string();
    match it["kind"].as_str().unwrap() {
        "flag" => {
            if machine == "1" {
                (vec!['u'], "0".into())
            } else {
                (vec!['m'], "1".into())
            }
        }
        "single" => {
            let code = it["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["code"].as_u64().unwrap().to_string())
                .find(|c| *c != machine)
                .unwrap();
            (vec![code.chars().next().unwrap()], code)
        }
        _ => (vec![Key::Enter.into()], machine),
    }
}

const HTML: &str = "<img src=x onerror=\"document.title='pwned'\"><b>太字</b> &amp; 続き";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_page_by_keyboard_then_export() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Tesseract reads the samples' comments less surely than PP-OCR, which leaves free
    // text in review for the page to show.
    let st = faxform()
        .args([
            "run",
            "--jobs",
            "2",
            "--ocr-engine",
            "tesseract",
            "--templates",
        ])
        .arg(root().join("templates"))
        .arg(root().join("samples/hodanren"))
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());

    // OCR that read HTML, and crop paths pointing out of the folder, as a damaged or
    // hand-edited store would hold them.
    let db = rusqlite::Connection::open(out.join("faxform.sqlite")).unwrap();
    let (html_id, html_rid, html_col): (i64, String, String) = db
        .query_row(
            "SELECT id, response_id, col FROM review_items WHERE col IN ('q5','q10','q8_text','q6_other','q7_other') ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("the samples have a free-text item in review");
    let cells: String = db
        .query_row(
            "SELECT cells FROM responses WHERE response_id = ?1",
            [&html_rid],
            |r| r.get(0),
        )
        .unwrap();
    let mut cells: Vec<(String, String)> = serde_json::from_str(&cells).unwrap();
    cells.iter_mut().find(|(c, _)| *c == html_col).unwrap().1 = HTML.into();
    db.execute(
        "UPDATE responses SET cells = ?1 WHERE response_id = ?2",
        rusqlite::params![serde_json::to_string(&cells).unwrap(), html_rid],
    )
    .unwrap();
    db.execute(
        "UPDATE review_items SET guess = ?1 WHERE id = ?2",
        rusqlite::params![HTML, html_id],
    )
    .unwrap();
    // A prefecture the recogniser was torn between three names over: the page offers them
    // on keys 1–3.
    let pref_id: i64 = db
        .query_row(
            "SELECT id FROM review_items WHERE col IN ('q5','q10','q8_text','q6_other','q7_other') AND id != ?1 ORDER BY id DESC LIMIT 1",
            [html_id],
            |r| r.get(0),
        )
        .expect("a second text item in review");
    let torn = vec![faxform::reason::Reason::PrefectureUnsure {
        read: "千菜".into(),
        top: vec![
            ("千葉".into(), 0.55),
            ("奈良".into(), 0.30),
            ("秋田".into(), 0.10),
        ],
    }];
    db.execute(
        "UPDATE review_items SET reasons = ?1 WHERE id = ?2",
        rusqlite::params![serde_json::to_string(&torn).unwrap(), pref_id],
    )
    .unwrap();
    std::fs::write(tmp.path().join("outside.png"), b"not for the page").unwrap();
    let escaping: Vec<i64> = db
        .prepare("SELECT id FROM review_items WHERE id NOT IN (?1, ?2) AND image != '' AND col IN ('q5','q10') ORDER BY id DESC LIMIT 2")
        .unwrap()
        .query_map([html_id, pref_id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    db.execute(
        "UPDATE review_items SET image = '../outside.png' WHERE id = ?1",
        [escaping[0]],
    )
    .unwrap();
    db.execute(
        "UPDATE review_items SET image = '/etc/passwd' WHERE id = ?1",
        [escaping[1]],
    )
    .unwrap();
    drop(db);

    let (server, url) = start_review(&out);
    let (base, token) = split_url(&url);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    // Without the token (or with a wrong one) nothing is served and nothing changes.
    assert_eq!(http("GET", &format!("{base}/"), None, None).0, 403);
    assert_eq!(http("GET", &format!("{base}/api/items"), None, None).0, 403);
    assert_eq!(
        http("GET", &format!("{base}/api/items?t=0123"), None, None).0,
        403
    );
    let all = items(&base, &token);
    assert!(all.len() >= 6, "{} items", all.len());
    let forged =
        json!({"id": all[0]["id"], "value": "1", "action": "mark", "reviewer": "x", "version": 0});
    assert_eq!(
        http("POST", &format!("{base}/api/decide"), None, Some(&forged)).0,
        403
    );
    assert_eq!(
        item(&base, &token, all[0]["id"].as_i64().unwrap())["decided"],
        false
    );
    // Crops: served for the item, never a file outside the output folder.
    let good = all
        .iter()
        .find(|i| i["has_image"] == true && !escaping.contains(&i["id"].as_i64().unwrap()))
        .unwrap();
    let (status, png) = http(
        "GET",
        &format!("{base}/crop/{}?t={token}", good["id"]),
        None,
        None,
    );
    assert_eq!(status, 200);
    assert!(png.starts_with(b"\x89PNG"));
    for id in &escaping {
        assert_eq!(
            http("GET", &format!("{base}/crop/{id}?t={token}"), None, None).0,
            404
        );
    }
    assert_ne!(
        http(
            "GET",
            &format!("{base}/crop/..%2F..%2Foutside.png?t={token}"),
            None,
            None
        )
        .0,
        200
    );

    // 鈴木 has the first item on screen (another server, another browser): this page starts
    // on the next one.
    let view = json!({"id": all[0]["id"], "reviewer": "鈴木"});
    assert_eq!(
        http(
            "POST",
            &format!("{base}/api/view"),
            Some(&token),
            Some(&view)
        )
        .0,
        200
    );

    let profile = tmp.path().join("chromium-profile");
    let (_driver, c) = browser(&profile).await;
    c.goto(&url).await.unwrap();
    let total = all.len().to_string();
    wait_for("the items to load", || {
        block_on(text(&c, "total")).filter(|t| *t == total)
    });
    // The reviewer's name first.
    type_text(&c, "佐藤 花子").await;
    key(&c, Key::Enter).await;
    assert_eq!(
        js(&c, "return document.getElementById('start').hidden").await,
        true
    );
    assert_eq!(text(&c, "who").await, "担当: 佐藤 花子");
    wait_shown(&c, &all[1]).await;
    go_to(&c, &all, all[0]["id"].as_i64().unwrap()).await;
    wait_for("the other viewer's note", || {
        block_on(text(&c, "viewer")).filter(|v| v.starts_with("鈴木"))
    });

    // One item of each kind, each decided by its key: a box of a multiple-choice question
    // (M / U), a single-choice question (a digit), a written field (E, typing, Enter).
    let mut decided: Vec<(i64, String)> = Vec::new();
    let mut firsts: Vec<Value> = Vec::new();
    for kind in ["single", "flag", "text", "single"] {
        let next = all.iter().find(|i| {
            i["kind"] == kind
                && i["id"] != html_id
                && i["id"] != pref_id
                && !escaping.contains(&i["id"].as_i64().unwrap())
                && !firsts.iter().any(|f| f["id"] == i["id"])
        });
        firsts.push(
            next.unwrap_or_else(|| panic!("the samples have a {kind} item in review"))
                .clone(),
        );
    }
    let mut shot = Vec::new();
    for it in &firsts {
        go_to(&c, &all, it["id"].as_i64().unwrap()).await;
        wait_shown(&c, it).await;
        if it["kind"] == "flag" {
            // README's picture: a doubtful box, its question and option, before deciding.
            wait_for("the crop to load", || {
                block_on(js(
                    &c,
                    "const i = document.getElementById('crop'); return i.complete && i.naturalWidth > 0",
                ))
                .filter(|v| *v == true)
            });
            shot = c.screenshot().await.unwrap();
        }
        let (ks, want) = if it["kind"] == "text" {
            // Correct the reading: E edits, Ctrl+A selects, typing replaces, Enter saves.
            key(&c, 'e').await;
            ctrl(&c, 'a').await;
            type_text(&c, "東京").await;
            key(&c, Key::Enter).await;
            (vec![], "東京".to_string())
        } else {
            plan(it)
        };
        keys(&c, &ks).await;
        let id = it["id"].as_i64().unwrap();
        wait_for("the decision to be stored", || {
            let now = item(&base, &token, id);
            (now["decided"] == true).then_some(())
        });
        assert_eq!(item(&base, &token, id)["value"], want.as_str(), "{it}");
        decided.push((id, want));
    }
    // The counts follow the store's answer to the last decision: waited for, not read at
    // once (read at once, "done" was once not yet 4 on a loaded machine).
    let open = (all.len() - 4).to_string();
    wait_for("the counts to show four decided", || {
        block_on(async { (text(&c, "done").await, text(&c, "open").await) })
            .filter(|(done, left)| done == "4" && *left == open)
    });

    // Undo reopens the last decision and shows it; deciding again (accept) closes it.
    let (last_id, _) = decided.pop().unwrap();
    key(&c, 'z').await;
    wait_for("undo", || {
        (item(&base, &token, last_id)["decided"] == false).then_some(())
    });
    let last = all.iter().find(|i| i["id"] == last_id).unwrap();
    wait_shown(&c, last).await;
    key(&c, Key::Enter).await;
    wait_for("the accept", || {
        (item(&base, &token, last_id)["decided"] == true).then_some(())
    });
    decided.push((last_id, last["machine"].as_str().unwrap().to_string()));

    // OCR text with HTML in it is shown as the characters it is.
    go_to(&c, &all, html_id).await;
    let html_item = all.iter().find(|i| i["id"] == html_id).unwrap();
    wait_shown(&c, html_item).await;
    assert_eq!(text(&c, "machine").await, HTML);
    assert_eq!(
        js(&c, "return document.getElementById('text').value").await,
        HTML
    );
    assert_eq!(
        js(
            &c,
            "return document.querySelectorAll('#info img, #info b').length"
        )
        .await,
        0
    );
    assert_ne!(c.title().await.unwrap(), "pwned");
    key(&c, Key::Enter).await;
    wait_for("the HTML item's accept", || {
        (item(&base, &token, html_id)["decided"] == true).then_some(())
    });
    decided.push((html_id, HTML.to_string()));

    // The torn prefecture: its three names on keys 1–3; 2 takes the second.
    go_to(&c, &all, pref_id).await;
    wait_shown(&c, all.iter().find(|i| i["id"] == pref_id).unwrap()).await;
    assert_eq!(
        js(
            &c,
            "return [...document.querySelectorAll('#options li')].map((l) => l.textContent).join(' ')"
        )
        .await,
        "1千葉 2奈良 3秋田"
    );
    key(&c, '2').await;
    wait_for("the chosen name", || {
        (item(&base, &token, pref_id)["value"] == "奈良").then_some(())
    });
    decided.push((pref_id, "奈良".to_string()));

    // The grid: every item of one question; Enter accepts the focused tile.
    let q1: Vec<&Value> = all
        .iter()
        .filter(|i| i["column"] == "q1" && i["decided"] == false)
        .filter(|i| !decided.iter().any(|(d, _)| i["id"] == *d))
        .collect();
    if let Some(first_q1) = q1.first() {
        let id = first_q1["id"].as_i64().unwrap();
        go_to(&c, &all, id).await;
        key(&c, 'g').await;
        let group = all
            .iter()
            .filter(|i| i["template"] == first_q1["template"] && i["question"] == "q1")
            .count();
        let tiles = js(&c, "return document.querySelectorAll('#grid .tile').length").await;
        assert_eq!(tiles, group);
        assert_eq!(
            js(
                &c,
                "return document.querySelector('#grid .tile.focus').dataset.id"
            )
            .await,
            id.to_string()
        );
        wait_for("the tiles' crops to load", || {
            block_on(js(
                &c,
                "return [...document.querySelectorAll('#grid img')].every(i => i.complete && i.naturalWidth > 0)",
            ))
            .filter(|v| *v == true)
        });
        save_shot("review-grid.png", &c.screenshot().await.unwrap());
        key(&c, Key::Enter).await;
        wait_for("the grid accept", || {
            (item(&base, &token, id)["decided"] == true).then_some(())
        });
        decided.push((id, first_q1["machine"].as_str().unwrap().to_string()));
        // The focus moved on; → finds an open tile, where E edits its text and saving
        // returns to the grid.
        let focused = async || -> i64 {
            js(
                &c,
                "return document.querySelector('#grid .tile.focus').dataset.id",
            )
            .await
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
        };
        // The page moves the focus after the server has the decision: wait for it.
        wait_for("the focus to move on from the accepted tile", || {
            block_on(focused()).filter(|f| *f != id)
        });
        let mut next_id = focused().await;
        for _ in 0..group {
            if item(&base, &token, next_id)["decided"] == false {
                break;
            }
            key(&c, Key::Right).await;
            next_id = focused().await;
        }
        {
            assert_eq!(item(&base, &token, next_id)["decided"], false);
            key(&c, 'e').await;
            ctrl(&c, 'a').await;
            type_text(&c, "大阪").await;
            key(&c, Key::Enter).await;
            wait_for("the edit from the grid", || {
                (item(&base, &token, next_id)["value"] == "大阪").then_some(())
            });
            wait_for("the grid again", || {
                block_on(text(&c, "modename")).filter(|m| m == "一覧")
            });
            decided.push((next_id, "大阪".into()));
        }
        key(&c, 'g').await;
        assert_eq!(text(&c, "modename").await, "1件ずつ");
    }

    // A second reviewer's server on the same folder: its decision reaches this page, and
    // a decision made on a stale version is refused, not applied over it.
    let (_second, url2) = start_review(&out);
    let (base2, token2) = split_url(&url2);
    let other = items(&base2, &token2)
        .into_iter()
        .find(|i| i["decided"] == false)
        .unwrap();
    let oid = other["id"].as_i64().unwrap();
    let body = json!({"id": oid, "value": other["machine"], "action": "accept", "reviewer": "鈴木", "version": other["version"]});
    assert_eq!(
        http(
            "POST",
            &format!("{base2}/api/decide"),
            Some(&token2),
            Some(&body)
        )
        .0,
        200
    );
    assert_eq!(
        http(
            "POST",
            &format!("{base}/api/decide"),
            Some(&token),
            Some(&body)
        )
        .0,
        409
    );
    decided.push((oid, other["machine"].as_str().unwrap().to_string()));
    let want_done = decided.len().to_string();
    wait_for("the page to show the other reviewer's decision", || {
        block_on(text(&c, "done")).filter(|d| *d == want_done)
    });

    save_shot("review-page.png", &shot);
    c.close().await.unwrap();

    // Killing the server loses nothing: every decision is in the store, with its audit.
    drop(server);
    let store = faxform::store::Store::open(&out.join("faxform.sqlite")).unwrap();
    let now = store.items().unwrap();
    for (id, want) in &decided {
        let it = now.iter().find(|i| i.id == *id).unwrap();
        assert_eq!(it.value(), want, "item {id}");
        assert!(it.decision.is_some());
    }
    let trail = store.audit().unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"undo"), "{actions:?}");
    assert!(
        trail
            .iter()
            .any(|a| a.reviewer == "鈴木" && a.item_id == oid)
    );
    let undone = trail.iter().find(|a| a.undone_by.is_some()).unwrap();
    assert_eq!(undone.item_id, last_id);
    for a in &trail {
        assert!(a.reviewer == "佐藤 花子" || a.reviewer == "鈴木");
        assert!(a.at.ends_with('Z') && a.at.len() >= 20, "{}", a.at);
    }
    let edit = trail.iter().find(|a| a.new_value == "東京");
    if let Some(e) = edit {
        assert_eq!(e.action, "edit");
        assert_ne!(e.old_value, "東京");
    }

    // Export refuses while items are open, naming how many; --allow-open exports.
    let open = now.iter().filter(|i| i.decision.is_none()).count();
    let refused = faxform().arg("export").arg(&out).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&refused.stderr);
    assert!(msg.contains(&format!("{open} review item(s)")), "{msg}");
    let ok = faxform()
        .arg("export")
        .arg(&out)
        .arg("--allow-open")
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bytes = std::fs::read(out.join("final.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    for (id, want) in &decided {
        let it = now.iter().find(|i| i.id == *id).unwrap();
        if it.column.is_empty() {
            continue;
        }
        let row = rows.iter().find(|r| r[0] == it.response_id).unwrap();
        let col = header.iter().position(|h| *h == it.column).unwrap();
        assert_eq!(&row[col], want, "{} {}", it.response_id, it.column);
    }
    for row in &rows {
        let open_here = now
            .iter()
            .any(|i| i.response_id == row[0] && i.decision.is_none());
        assert_eq!(
            row[3],
            if open_here { "review" } else { "ok" },
            "{}",
            row[0]
        );
    }

    // Tally, like export, refuses while items are open; from the folder, the exported CSV
    // and the exported XLSX it prints the same figures, decisions applied.
    let refused = faxform()
        .arg("tally")
        .arg(&out)
        .arg("--out")
        .arg(out.join("tally"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&refused.stderr);
    assert!(msg.contains(&format!("{open} review item(s)")), "{msg}");
    let xlsx = faxform()
        .args(["export", "--allow-open", "--format", "xlsx"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(xlsx.status.success());
    let mut printed = Vec::new();
    for (source, name) in [
        (out.clone(), "tally-dir"),
        (out.join("final.csv"), "tally-csv"),
        (out.join("final.xlsx"), "tally-xlsx"),
    ] {
        let t = faxform()
            .arg("tally")
            .arg(&source)
            .args(["--questionnaire", "hodanren-2024-12", "--allow-open"])
            .arg("--templates")
            .arg(root().join("templates"))
            .arg("--out")
            .arg(out.join(name))
            .output()
            .unwrap();
        assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
        printed.push(std::fs::read_to_string(out.join(name).join("tally.csv")).unwrap());
    }
    assert!(printed[0].lines().count() > 20);
    assert_eq!(printed[0], printed[1], "folder and CSV tally alike");
    assert_eq!(printed[0], printed[2], "folder and XLSX tally alike");
}

/// Runs a future to completion from inside a synchronous polling closure.
fn block_on<F: std::future::Future>(f: F) -> Option<F::Output> {
    Some(tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(f)
    }))
}

//! `faxform tally` against the published reports: response tables are built from the
//! counts a report prints (tests/data/seed-figures.toml, mapped to option codes), and the
//! tally must print the report's own figures, row by option code, to the printed decimals.
//!
//! The tables carry what a report's N must not count: no-answers inside a question's base
//! (so N is "those asked", not "those who answered") and answers where the form said to
//! skip (left out), so a tally that took N from the answers, or ignored the skip logic,
//! fails here.

use crate::common;

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Deserialize)]
struct Figures {
    survey: Vec<Survey>,
    table: Vec<Printed>,
}

#[derive(Deserialize)]
struct Survey {
    seed: String,
    sent: u64,
    replies: u64,
    response_rate: f64,
}

#[derive(Deserialize)]
struct Printed {
    seed: String,
    question: String,
    n: u64,
    base: String,
    decimals: Option<usize>,
    #[serde(default)]
    rows: Vec<PrintedRow>,
    #[serde(default)]
    merged: Vec<PrintedMerge>,
}

#[derive(Deserialize)]
struct PrintedRow {
    code: toml::Value,
    count: Option<u64>,
    percent: Option<f64>,
}

#[derive(Deserialize)]
struct PrintedMerge {
    codes: Vec<u32>,
    count: Option<u64>,
    percent: Option<f64>,
    /// A headline such as 「7割」 (report 002 prints no figure for its merged rows).
    printed_text: Option<String>,
}

fn figures() -> Figures {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed-figures.toml");
    toml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

impl Figures {
    fn count(&self, seed: &str, q: &str, code: u32) -> u64 {
        self.table
            .iter()
            .filter(|t| t.seed == seed && t.question == q)
            .flat_map(|t| &t.rows)
            .find(|r| r.code.as_integer() == Some(code as i64))
            .and_then(|r| r.count)
            .unwrap_or_else(|| panic!("seed {seed} prints no count for {q} code {code}"))
    }

    fn na(&self, seed: &str, q: &str) -> u64 {
        self.table
            .iter()
            .filter(|t| t.seed == seed && t.question == q)
            .flat_map(|t| &t.rows)
            .find(|r| r.code.as_str() == Some("na"))
            .and_then(|r| r.count)
            .unwrap_or(0)
    }

    /// The counts `seed` prints for the options of `q`, by code (the no-answer row left out).
    fn printed_counts(&self, seed: &str, q: &str) -> Vec<(u32, u64)> {
        self.table
            .iter()
            .find(|t| t.seed == seed && t.question == q)
            .unwrap()
            .rows
            .iter()
            .filter_map(|x| x.code.as_integer())
            .map(|c| (c as u32, self.count(seed, q, c as u32)))
            .collect()
    }

    fn survey(&self, seed: &str) -> &Survey {
        self.survey.iter().find(|s| s.seed == seed).unwrap()
    }
}

/// A response table under construction: rows of cells by column.
struct Rows {
    questionnaire: &'static str,
    template: &'static str,
    cells: Vec<BTreeMap<String, String>>,
}

impl Rows {
    fn new(n: u64, questionnaire: &'static str, template: &'static str) -> Rows {
        Rows {
            questionnaire,
            template,
            cells: vec![BTreeMap::new(); n as usize],
        }
    }

    /// Gives `counts[k].1` rows of `among` (in order, from the first not yet answering
    /// `q`) the single-choice code `counts[k].0`.
    fn single(&mut self, q: &str, counts: &[(u32, u64)], among: &[usize]) {
        let free: Vec<usize> = among
            .iter()
            .copied()
            .filter(|&i| !self.cells[i].contains_key(q))
            .collect();
        let mut free = free.into_iter();
        for &(code, n) in counts {
            for _ in 0..n {
                let i = free.next().expect("enough rows");
                self.cells[i].insert(q.into(), code.to_string());
            }
        }
    }

    /// Ticks option `code` of multi-choice `q` on the first `n` rows of `among`.
    fn tick(&mut self, q: &str, code: u32, n: u64, among: &[usize]) {
        assert!(n as usize <= among.len());
        for &i in &among[..n as usize] {
            self.cells[i].insert(format!("{q}_{code}"), "1".into());
        }
    }

    fn with(&self, pred: impl Fn(&BTreeMap<String, String>) -> bool) -> Vec<usize> {
        (0..self.cells.len())
            .filter(|&i| pred(&self.cells[i]))
            .collect()
    }

    fn write_csv(&self, path: &Path) {
        let mut cols: Vec<String> = Vec::new();
        for r in &self.cells {
            for c in r.keys() {
                if c != "status" && !cols.contains(c) {
                    cols.push(c.clone());
                }
            }
        }
        let mut w = csv::Writer::from_path(path).unwrap();
        let mut head = vec!["response_id", "template", "questionnaire", "status"];
        head.extend(cols.iter().map(String::as_str));
        w.write_record(&head).unwrap();
        for (i, r) in self.cells.iter().enumerate() {
            let id = format!("fax{i:05}.tif:1");
            let status = r.get("status").map(String::as_str).unwrap_or("ok");
            let mut rec = vec![id.as_str(), self.template, self.questionnaire, status];
            rec.extend(
                cols.iter()
                    .map(|c| r.get(c).map(String::as_str).unwrap_or("")),
            );
            w.write_record(&rec).unwrap();
        }
        w.flush().unwrap();
    }
}

fn is(q: &str, v: &str) -> impl Fn(&BTreeMap<String, String>) -> bool {
    let (q, v) = (q.to_string(), v.to_string());
    move |r| r.get(&q) == Some(&v)
}

/// tally.csv by (question, table, option code).
type Printout = HashMap<(String, String, String), BTreeMap<String, String>>;

/// `faxform tally CSV --out OUT EXTRA…` with the project's templates.
fn run_tally(csv: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_faxform"))
        .arg("tally")
        .arg(csv)
        .arg("--out")
        .arg(out)
        .args(extra)
        .arg("--templates")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))
        .output()
        .unwrap()
}

fn tally(rows: &Rows, sent: u64) -> (tempfile::TempDir, Printout) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("final.csv");
    rows.write_csv(&csv);
    let out = dir.path().join("tally");
    let st = run_tally(&csv, &out, &["--sent", &sent.to_string()]);
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let mut rd = csv::Reader::from_path(out.join("tally.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    let mut map = Printout::new();
    for r in rd.records() {
        let r = r.unwrap();
        let row: BTreeMap<String, String> = head
            .iter()
            .cloned()
            .zip(r.iter().map(str::to_string))
            .collect();
        map.insert(
            (
                row["question"].clone(),
                row["table"].clone(),
                row["option_code"].clone(),
            ),
            row,
        );
    }
    (dir, map)
}

/// Every printed figure of `seed`'s tables against the tally's.
fn check(figures: &Figures, seed: &str, got: &Printout) {
    let s = figures.survey(seed);
    let summary = &got[&(String::new(), "summary".into(), "replies".into())];
    assert_eq!(
        summary["count"],
        s.replies.to_string(),
        "seed {seed} replies"
    );
    assert_eq!(
        summary["percent"],
        format!("{:.1}", s.response_rate),
        "seed {seed} rate"
    );
    let mut checked = 0;
    for t in figures.table.iter().filter(|t| t.seed == seed) {
        let answered = t.base == "answered";
        let (base_col, pct_col) = if answered {
            ("base_answered", "percent_answered")
        } else {
            ("base", "percent")
        };
        let key = |code: String| (t.question.clone(), "main".to_string(), code);
        // N, from any row of the question.
        let any = got
            .get(&key("na".into()))
            .unwrap_or_else(|| panic!("seed {seed} {}: no table", t.question));
        assert_eq!(
            any[base_col],
            t.n.to_string(),
            "seed {seed} {} N",
            t.question
        );
        checked += 1;
        let mut rows: Vec<(String, Option<u64>, Option<f64>)> = t
            .rows
            .iter()
            .map(|r| {
                let code = match (&r.code.as_integer(), r.code.as_str()) {
                    (Some(c), _) => c.to_string(),
                    (None, Some(s)) => s.to_string(),
                    _ => panic!("bad code {:?}", r.code),
                };
                (code, r.count, r.percent)
            })
            .collect();
        let d = t.decimals.unwrap_or(1);
        for m in &t.merged {
            let Some(text) = &m.printed_text else {
                continue;
            };
            let tenths: f64 = text.trim_end_matches('割').parse().unwrap();
            let code = m
                .codes
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("+");
            let pct: f64 = got[&key(code.clone())][pct_col].parse().unwrap();
            assert_eq!(
                (pct / 10.0).round(),
                tenths,
                "seed {seed} {} {code}: 「{text}」",
                t.question
            );
            checked += 1;
        }
        rows.extend(t.merged.iter().map(|m| {
            let code = m
                .codes
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("+");
            (code, m.count, m.percent)
        }));
        for (code, count, pct) in rows {
            let g = got
                .get(&key(code.clone()))
                .unwrap_or_else(|| panic!("seed {seed} {} code {code}: no row", t.question));
            if let Some(c) = count {
                assert_eq!(
                    g["count"],
                    c.to_string(),
                    "seed {seed} {} code {code} count",
                    t.question
                );
                checked += 1;
            }
            if let Some(p) = pct {
                assert_eq!(
                    g[pct_col],
                    format!("{p:.d$}"),
                    "seed {seed} {} code {code} %",
                    t.question
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "seed {seed}: only {checked} figures checked");
}

#[test]
fn hodanren_report_002_is_reproduced() {
    let f = figures();
    let n = f.survey("002").replies;
    let mut r = Rows::new(n, "hodanren-2024-12", "hodanren-2024-12-a");
    let all: Vec<usize> = (0..n as usize).collect();
    for q in ["q2", "q3", "q4", "q8", "q9"] {
        let counts = f.printed_counts("002", q);
        r.single(q, &counts, &all);
        let answered: u64 = counts.iter().map(|c| c.1).sum();
        assert_eq!(
            answered + f.na("002", q),
            n,
            "{q}: the report's rows add up"
        );
    }
    // 問6: 特にトラブルはない on the last rows, every other option from the first.
    let no_trouble = f.count("002", "q6", 14);
    let last: Vec<usize> = all[(n - no_trouble) as usize..].to_vec();
    r.tick("q6", 14, no_trouble, &last);
    for code in 1..=13 {
        r.tick("q6", code, f.count("002", "q6", code), &all);
    }
    // 問7 among those with trouble; some who ticked "no trouble" answered it anyway, and
    // the report's base leaves them out.
    let with_trouble = r.with(|c| !c.contains_key("q6_14"));
    for code in 1..=8 {
        r.tick("q7", code, f.count("002", "q7", code), &with_trouble);
    }
    r.tick("q7", 1, 25, &last);
    let (_dir, got) = tally(&r, f.survey("002").sent);
    check(&f, "002", &got);
}

#[test]
fn national_chiba_report_001_is_reproduced() {
    let f = figures();
    let n = f.survey("001").replies;
    let mut r = Rows::new(n, "chiba-2023-05", "chiba-2023-05-a");
    let all: Vec<usize> = (0..n as usize).collect();
    let running = f.count("001", "q4", 1);
    // The report prints only 実施している; the rest is spread over 2–4.
    let rest = n - running;
    r.single(
        "q4",
        &[(1, running), (2, rest / 2), (3, rest - rest / 2 - 7)],
        &all,
    );
    let q4_1 = r.with(is("q4", "1"));
    r.single(
        "q5",
        &[(1, f.count("001", "q5", 1)), (2, f.count("001", "q5", 2))],
        &q4_1,
    );
    // Answers where the form said to skip to 問12: left out of every figure.
    let q4_2 = r.with(is("q4", "2"));
    r.single("q5", &[(1, 40)], &q4_2);
    r.tick("q6", 3, 40, &q4_2);
    let trouble =
        r.with(|c| c.get("q4").is_some_and(|v| v == "1") && c.get("q5").is_some_and(|v| v == "1"));
    for code in [1, 2, 3, 4, 5] {
        r.tick("q6", code, f.count("001", "q6", code), &trouble);
    }
    for code in [1, 2, 3, 4] {
        r.tick("q8", code, f.count("001", "q8", code), &trouble);
    }
    let q10: Vec<(u32, u64)> = (1..=4).map(|c| (c, f.count("001", "q10", c))).collect();
    r.single("q10", &q10, &trouble);
    let late = r.with(|c| {
        c.get("q10")
            .is_some_and(|v| ["1", "2", "3"].contains(&v.as_str()))
    });
    for code in [1, 2, 3, 4] {
        r.tick("q11", code, f.count("001", "q11", code), &late);
    }
    // 問11 answered by some who had no late case: left out.
    let none_late = r.with(is("q10", "4"));
    r.tick("q11", 1, 30, &none_late);
    let (_dir, got) = tally(&r, f.survey("001").sent);
    check(&f, "001", &got);
}

#[test]
fn chiba_report_000_is_reproduced() {
    let f = figures();
    let n = f.survey("000").replies;
    let mut r = Rows::new(n, "chiba-2023-05", "chiba-2023-05-a");
    let all: Vec<usize> = (0..n as usize).collect();
    let q3: Vec<(u32, u64)> = (1..=4).map(|c| (c, f.count("000", "q3", c))).collect();
    r.single("q3", &q3, &all);
    // The report prints only the Ns of the branches (256, 204, 128, 49); the answers
    // inside each base are made up, with no-answers inside each so that N is "asked".
    r.single("q4", &[(1, 204), (2, 50)], &all);
    let q4_1 = r.with(is("q4", "1"));
    r.single("q5", &[(1, 128), (2, 70)], &q4_1);
    let q4_2 = r.with(is("q4", "2"));
    r.single("q5", &[(1, 5)], &q4_2);
    let trouble =
        r.with(|c| c.get("q4").is_some_and(|v| v == "1") && c.get("q5").is_some_and(|v| v == "1"));
    r.tick("q6", 4, f.count("000", "q6", 4), &trouble);
    r.tick("q6", 1, 100, &trouble);
    r.tick("q8", 1, 90, &trouble);
    r.single("q9", &[(1, 60), (2, 60)], &trouble);
    r.single("q10", &[(1, 30), (2, 12), (3, 7), (4, 70)], &trouble);
    let late = r.with(|c| {
        c.get("q10")
            .is_some_and(|v| ["1", "2", "3"].contains(&v.as_str()))
    });
    r.tick("q11", 2, 40, &late);
    let (dir, got) = tally(&r, f.survey("000").sent);
    check(&f, "000", &got);
    // A single-prefecture survey's comments name no prefecture; the HTML report says N.
    let html = std::fs::read_to_string(dir.path().join("tally/report.html")).unwrap();
    assert!(
        html.contains("（N＝128）") && html.contains("（N＝49）"),
        "Ns in the report"
    );
    assert!(!html.contains("<script"), "no scripts");
}

/// The report's outputs open: the XLSX has a sheet per choice question with a chart, and
/// the HTML shows the same figures as the table.
#[test]
fn xlsx_and_html_carry_the_tables() {
    use calamine::{Reader, Xlsx, open_workbook};
    let f = figures();
    let n = 200;
    let mut r = Rows::new(n, "hodanren-2024-12", "hodanren-2024-12-a");
    let all: Vec<usize> = (0..n as usize).collect();
    r.single("q2", &[(1, 120), (2, 50), (3, 20)], &all);
    r.single("q3", &[(1, 30), (2, 40), (3, 50), (4, 60)], &all);
    for (i, c) in r.cells.iter_mut().enumerate() {
        c.insert("q1".into(), ["千葉", "神奈川", "北海道"][i % 3].into());
        if i % 7 == 0 {
            c.insert("q5".into(), format!("コメント{i}"));
        }
    }
    let (dir, got) = tally(&r, 1000);
    let _ = f;
    assert_eq!(
        got[&("q3".into(), "main".into(), "1+2+3".into())]["count"],
        "120"
    );
    let out = dir.path().join("tally");
    let mut wb: Xlsx<_> = open_workbook(out.join("tally.xlsx")).unwrap();
    let names = wb.sheet_names();
    for want in [
        "集計概要",
        "問2",
        "問3",
        "問6",
        "問5",
        "問7（数）",
        "自由記載",
        "注記",
    ] {
        assert!(names.iter().any(|s| s == want), "{want} in {names:?}");
    }
    let q3 = wb.worksheet_range("問3").unwrap();
    let cells: Vec<String> = q3
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(cells.iter().any(|c| c == "60"), "{cells:?}");
    // The chart is a native one: a drawing part in the package.
    let zip = std::fs::read(out.join("tally.xlsx")).unwrap();
    assert!(
        zip.windows(b"xl/charts/chart".len())
            .any(|w| w == b"xl/charts/chart"),
        "charts in the package"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("問3　直近のマイナ保険証の利用率（N＝200）"),
        "heading"
    );
    assert!(html.contains("<svg"), "inline charts");
    // Comments are listed by prefecture in JIS order: 北海道 before 千葉 before 神奈川.
    let (h, c, k) = (
        html.find("class=\"who\">北海道").unwrap(),
        html.find("class=\"who\">千葉").unwrap(),
        html.find("class=\"who\">神奈川").unwrap(),
    );
    assert!(h < c && c < k, "JIS order");
    let comments = std::fs::read_to_string(out.join("comments.csv")).unwrap();
    assert_eq!(
        comments.lines().count(),
        1 + 29,
        "one row per written comment"
    );
}

/// A reviewed hodanren table of `n` replies from 千葉, reply i commenting 「意見i」, written
/// as final.csv in a new folder: (the folder, the CSV, where its tally goes).
fn commented(n: u64) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let mut r = Rows::new(n, "hodanren-2024-12", "hodanren-2024-12-a");
    for (i, c) in r.cells.iter_mut().enumerate() {
        c.insert("q1".into(), "千葉".into());
        c.insert("q5".into(), format!("意見{i}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("final.csv");
    r.write_csv(&csv);
    let out = dir.path().join("tally");
    (dir, csv, out)
}

/// Staff's publish/theme/edit columns in comments.csv survive the next tally.
#[test]
fn staff_columns_survive_a_second_tally() {
    let n = 20;
    let (_dir, csv, out) = commented(n);
    let run = || {
        let st = run_tally(&csv, &out, &[]);
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    };
    run();
    let path: PathBuf = out.join("comments.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited: String = text
        .lines()
        .map(|l| {
            if l.contains(",意見3,") {
                l.replacen(",意見3,,,", ",意見3,否,,", 1)
            } else if l.contains(",意見4,") {
                l.replacen(",意見4,,,", ",意見4,,窓口の負担,窓口が大変", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(edited, text.trim_end(), "staff columns were filled");
    std::fs::write(&path, edited).unwrap();
    run();
    let again = std::fs::read_to_string(&path).unwrap();
    assert!(again.contains(",意見3,否,,"), "{again}");
    assert!(again.contains(",意見4,,窓口の負担,窓口が大変"), "{again}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(">意見13<"), "comments are published");
    assert!(
        !html.contains(">意見3<"),
        "a withheld comment is not published"
    );
    assert!(
        html.contains("【窓口の負担】") && html.contains("窓口が大変"),
        "themes and edits"
    );
    // One prefecture only: the comment headings leave it out.
    assert!(
        !html.contains("<div class=\"who\">千葉"),
        "single prefecture left out"
    );
}

/// The HTML report in a real browser (headless Chromium): it renders without external
/// files, its headings and charts are there, and it prints to PDF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_opens_in_the_browser() {
    let f = figures();
    let n = f.survey("002").replies;
    let mut r = Rows::new(n, "hodanren-2024-12", "hodanren-2024-12-a");
    let all: Vec<usize> = (0..n as usize).collect();
    for q in ["q2", "q3", "q4", "q8", "q9"] {
        r.single(q, &f.printed_counts("002", q), &all);
    }
    for code in 1..=14 {
        r.tick("q6", code, f.count("002", "q6", code), &all);
    }
    let prefs = [
        "北海道",
        "宮城",
        "東京",
        "神奈川",
        "愛知",
        "大阪",
        "福岡",
        "沖縄",
    ];
    for (i, c) in r.cells.iter_mut().enumerate() {
        c.insert("q1".into(), prefs[i % prefs.len()].into());
        if i % 1500 == 3 {
            c.insert(
                "q5".into(),
                "窓口での説明に時間がかかり、待ち時間が長くなった".into(),
            );
        }
    }
    let (dir, _) = tally(&r, f.survey("002").sent);
    let report = dir.path().join("tally/report.html");
    let profile = dir.path().join("chromium-profile");
    let (_browser, c) = common::browser::browser(&profile).await;
    c.goto(&format!("file://{}", report.display()))
        .await
        .unwrap();
    let heading: String = c
        .execute(
            "return document.querySelector('#q2 h2').textContent",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(heading, "問2　区分（N＝8,330）");
    let charts = c
        .execute(
            "return [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().height > 50).length",
            vec![],
        )
        .await
        .unwrap();
    assert!(charts.as_i64().unwrap() >= 6, "charts drawn: {charts}");
    // The chart prints the table's figures, and every label fits inside its chart.
    let legend = c
        .execute(
            "return document.querySelector('#q2 svg').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        legend
            .as_str()
            .unwrap()
            .contains("医科診療所　73.3％（6107）"),
        "{legend}"
    );
    let outside = c
        .execute(
            "return [...document.querySelectorAll('svg.chart text')].filter(t => { const b = t.getBBox(); const w = t.ownerSVGElement.viewBox.baseVal.width; return b.x < 0 || b.x + b.width > w; }).map(t => t.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(outside, serde_json::json!([]), "labels cut off");
    // Nothing is fetched from elsewhere: every resource is the page itself.
    let resources = c
        .execute(
            "return performance.getEntriesByType('resource').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(resources.as_i64(), Some(0), "no external resources");
    c.set_window_size(1000, 2400).await.unwrap();
    common::browser::save_shot("tally-report.png", &c.screenshot().await.unwrap());
    c.close().await.unwrap();
}

/// Written answers outside a question's base are left out of its figures and named in
/// the notes, and a written comment is listed however it was asked; an exported table
/// with open items is refused without --allow-open, and says so in the report with it.
#[test]
fn answers_outside_the_base_are_noted_and_open_items_refused() {
    let n = 40;
    let mut r = Rows::new(n, "hodanren-2024-12", "hodanren-2024-12-a");
    for (i, c) in r.cells.iter_mut().enumerate() {
        c.insert("q1".into(), "千葉".into());
        // 問7 いったん10割負担 ticked by the first 10, who wrote 2 cases each; 4 others
        // wrote a count without ticking it (5 each).
        if i < 10 {
            c.insert("q7_7".into(), "1".into());
            c.insert("q7_count".into(), "2".into());
        } else if i < 14 {
            c.insert("q7_count".into(), "５".into());
        }
        // 問8 具体的な内容 belongs to 感じる (code 1): 3 write it after 感じない.
        c.insert("q8".into(), if i < 20 { "1" } else { "2" }.into());
        if (18..23).contains(&i) {
            c.insert("q8_text".into(), format!("内容{i}"));
        }
        if i == 39 {
            c.insert("status".into(), "review".into());
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("final.csv");
    r.write_csv(&csv);
    let out = dir.path().join("tally");
    let refused = run_tally(&csv, &out, &[]);
    assert_eq!(refused.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&refused.stderr);
    assert!(
        msg.contains("1 response(s)") && msg.contains("--allow-open"),
        "{msg}"
    );
    let ok = run_tally(&csv, &out, &["--allow-open"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let rows = common::table(&out.join("tally.csv"));
    let get = |q: &str, code: &str| {
        rows.iter()
            .find(|x| x["question"] == q && x["option_code"] == code)
            .unwrap_or_else(|| panic!("{q} {code}"))
            .clone()
    };
    assert_eq!(get("q7_count", "answered")["count"], "10");
    assert_eq!(get("q7_count", "sum")["count"], "20");
    assert_eq!(
        get("q8_text", "written")["count"],
        "2",
        "written among 感じる only"
    );
    assert_eq!(get("q8_text", "written")["base"], "20");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("「いったん10割負担」を選ばずに記入された 4 件（計 20）"),
        "number note"
    );
    assert!(
        html.contains("「感じる」を選ばずに記入された 3 件"),
        "text note"
    );
    assert!(
        html.contains("機械の読み取りのまま集計"),
        "unreviewed warning"
    );
    let comments = common::table(&out.join("comments.csv"));
    assert_eq!(comments.len(), 5, "every written comment is listed");
}

/// Staff save comments.csv from Excel (cp932); anything in `publish` but a plain yes keeps
/// a comment out of the report.
#[test]
fn staff_columns_from_excel_and_what_withholds_a_comment() {
    let n = 8;
    let (_dir, csv, out) = commented(n);
    assert!(run_tally(&csv, &out, &[]).status.success());
    let path = out.join("comments.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let marks = ["", "可", "不可", "NG", "保留", "○", "×", "掲載しない"];
    let edited: Vec<String> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| {
            for (i, m) in marks.iter().enumerate() {
                let key = format!(",意見{i},,,");
                if l.contains(&key) {
                    return l.replace(&key, &format!(",意見{i},{m},,"));
                }
            }
            l.to_string()
        })
        .collect();
    let joined = edited.join("\r\n");
    let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(&joined);
    assert!(!bad);
    std::fs::write(&path, &sjis).unwrap();
    let again = run_tally(&csv, &out, &[]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for (i, m) in marks.iter().enumerate() {
        let shown = html.contains(&format!(">意見{i}<"));
        let yes = ["", "可", "○"].contains(m);
        assert_eq!(shown, yes, "publish {m:?}");
    }
    let kept = std::fs::read_to_string(&path).unwrap();
    assert!(kept.contains(",意見3,NG,,"), "staff columns kept: {kept}");
}

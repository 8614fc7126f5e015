//! A headless Chromium driven through chromedriver (Debian's `chromium` and
//! `chromium-driver`, installed by `make setup`), for the browser tests.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when the test ends, however it ends.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn wait_for<T>(what: &str, mut ok: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = ok() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Ends chromedriver and every Chromium process of this test's profile, also when the test
/// fails before closing its session (Chromium outlives a killed chromedriver).
pub struct Browser {
    _driver: Proc,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(self.profile.as_os_str())
            .status();
    }
}

/// chromedriver driving Debian's chromium, headless.
pub async fn browser(profile: &Path) -> (Browser, Client) {
    for bin in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is missing: run `make setup` (Debian packages chromium and chromium-driver)"
        );
    }
    let port = free_port();
    let driver = Proc(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("chromedriver to listen", || {
        TcpStream::connect(("127.0.0.1", port)).ok()
    });
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,900", "--lang=ja",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("starting headless chromium through chromedriver");
    (
        Browser {
            _driver: driver,
            profile: profile.to_path_buf(),
        },
        client,
    )
}

/// Keeps a screenshot in the test's scratch folder, and in `$FAXFORM_SCREENSHOTS` when set
/// (`make screenshot` points it at docs/ for README).
pub fn save_shot(name: &str, png: &[u8]) {
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name), png).unwrap();
    if let Ok(dir) = std::env::var("FAXFORM_SCREENSHOTS") {
        std::fs::write(Path::new(&dir).join(name), png).unwrap();
    }
}

/// Presses and releases each key in turn.
pub async fn keys(c: &Client, ks: &[char]) {
    let mut a = KeyActions::new("keyboard".into());
    for &k in ks {
        a = a
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
    }
    c.perform_actions(a).await.unwrap();
}

/// Types `s`, one key per character.
pub async fn type_text(c: &Client, s: &str) {
    keys(c, &s.chars().collect::<Vec<_>>()).await;
}

/// The text of the element with id `id`.
pub async fn text(c: &Client, id: &str) -> String {
    c.execute(
        "return document.getElementById(arguments[0]).textContent",
        vec![json!(id)],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap()
    .to_string()
}

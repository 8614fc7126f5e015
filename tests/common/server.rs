//! The local pages (`faxform review`, `faxform template edit`) from outside: start one and
//! wait for the address it prints, and plain HTTP requests to it.

use super::browser::Proc;
use serde_json::Value;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// Starts `faxform ARGS` (a command that serves a page) and returns it with the address,
/// token included, that it printed.
pub fn serve<S: AsRef<OsStr>>(args: &[S]) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_faxform"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("faxform ended without printing its address")
            .unwrap();
        if let Some(i) = line.find("http://") {
            break line[i..].split_whitespace().next().unwrap().to_string();
        }
    };
    (Proc(child), url)
}

/// A plain HTTP/1.1 request: (status, body).
pub fn http(method: &str, url: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = TcpStream::connect(host).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(t) = token {
        req.push_str(&format!("X-Faxform-Token: {t}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&body);
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let status: u16 = String::from_utf8_lossy(&buf[9..12]).parse().unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    (status, buf[split..].to_vec())
}

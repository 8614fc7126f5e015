//! The local pages' common ground (`faxform review`, `faxform template edit`): a server on
//! the loopback address by default, every route behind a random access token, answers kept
//! out of caches and other sites' frames, and a page that may load nothing from elsewhere.

pub mod token;

use anyhow::{Context, Result};
use axum::{
    Router,
    extract::{Query, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The content security policy of a page: its own inline script and style, images and API
/// calls to this server only.
const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'; connect-src 'self'";

/// A page's HTML with its security policy.
pub fn page(html: &'static str) -> Response {
    ([(header::CONTENT_SECURITY_POLICY, PAGE_CSP)], Html(html)).into_response()
}

#[derive(Deserialize)]
struct TokenQuery {
    t: Option<String>,
}

/// Puts every route of `router` behind `token`: given in the `t` query parameter (the
/// page's address and its images) or the `X-Faxform-Token` header (the page's API calls).
/// `command` names the command that printed the address, for the refusal's message.
pub fn guarded(router: Router, token: Arc<str>, command: &'static str) -> Router {
    router.layer(middleware::from_fn_with_state(
        (token, command),
        require_token,
    ))
}

async fn require_token(
    State((token, command)): State<(Arc<str>, &'static str)>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    let given = headers
        .get("x-faxform-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(q.t);
    match given {
        Some(t) if token::matches(&t, &token) => {
            let mut res = next.run(req).await;
            // Answers are personal data: keep them out of caches and other sites' frames.
            let h = res.headers_mut();
            if !h.contains_key(header::CACHE_CONTROL) {
                h.insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
            }
            h.insert(header::X_FRAME_OPTIONS, "DENY".parse().unwrap());
            h.insert("referrer-policy", "no-referrer".parse().unwrap());
            res
        }
        _ => (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "403: アクセス用のトークンがありません。{command} が表示したアドレスを開いてください。\n\
                 403: this page needs the access token printed by `{command}`.\n"
            ),
        )
            .into_response(),
    }
}

/// A refused or failed API call: its status, and its message as `{"error": …}` (the page
/// shows it).
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl ApiError {
    pub fn bad_request(m: impl Into<String>) -> ApiError {
        ApiError(StatusCode::BAD_REQUEST, m.into())
    }

    pub fn not_found(m: impl Into<String>) -> ApiError {
        ApiError(StatusCode::NOT_FOUND, m.into())
    }

    pub fn internal(m: impl Into<String>) -> ApiError {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, m.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

/// Where a local page listens.
#[derive(clap::Args, Debug, Clone)]
pub struct Listen {
    /// Port to listen on (default: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on. Only the token guards the page: widen this to a network
    /// only when every machine on it may see what the page shows.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
}

/// Serves `router` until Ctrl+C. Once listening, `banner` is given the page's address with
/// the token and prints what the command says at start (on stdout, flushed: tests and
/// scripts wait for that line).
pub fn serve(
    listen: &Listen,
    token: &str,
    router: Router,
    banner: impl FnOnce(&str) -> Result<()>,
) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(listen.bind, listen.port))
            .await
            .with_context(|| format!("listening on {}:{}", listen.bind, listen.port))?;
        let addr = listener.local_addr()?;
        let host = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        banner(&format!("http://{host}:{}/?t={token}", addr.port()))?;
        use std::io::Write;
        std::io::stdout().flush()?;
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

//! `faxform review`: the morning's page where a person clears the review items.
//!
//! A small local web server over the output folder's job store: one item at a time or a
//! grid of one question's items, keyboard first, every decision written to the store at
//! once with an audit entry. The page and its API answer only requests carrying the
//! random token printed at start.

mod api;

mod token;
mod view;

pub use view::{CellKind, Forms, ItemView, OptionView, view};

use anyhow::{Context, Result};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct ReviewArgs {
    /// Output folder of `faxform run`.
    pub dir: PathBuf,
    /// Port to listen on (default: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on. Only the token guards the page: widen this to a network
    /// only when every machine on it may see the answers.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Template folder, for question texts and option labels (default: ./templates, else
    /// the one built in).
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

/// Serves until interrupted. Prints the page's address (with the token) on stdout.
pub fn serve(args: &ReviewArgs) -> Result<()> {
    let store = crate::store::Store::open_existing(&args.dir)?;
    let dir = args
        .dir
        .canonicalize()
        .with_context(|| format!("output folder {}", args.dir.display()))?;
    let templates =
        match crate::template::load_all(&crate::template::dir(args.templates.as_deref())) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("faxform review: {e:#}; questions are shown by column name only");
                vec![]
            }
        };
    let state = api::AppState::new(store, dir.clone(), templates, token::new_token());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
            .await
            .with_context(|| format!("listening on {}:{}", args.bind, args.port))?;
        let addr = listener.local_addr()?;
        let host = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let (open, total) = state.progress()?;
        println!(
            "faxform review: {} — {open} of {total} items open",
            dir.display()
        );
        println!(
            "open http://{host}:{}/?t={} (Ctrl+C stops; every decision is already saved)",
            addr.port(),
            state.token()
        );
        use std::io::Write;
        std::io::stdout().flush()?;
        axum::serve(listener, api::router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

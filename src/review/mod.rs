//! `faxform review`: the morning's page where a person clears the review items.
//!
//! A small local web server over the output folder's job store: one item at a time or a
//! grid of one question's items, keyboard first, every decision written to the store at
//! once with an audit entry. The page and its API answer only requests carrying the
//! random token printed at start.

mod api;
mod view;

pub use view::{CellKind, Forms, ItemView, OptionView, view};

use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct ReviewArgs {
    /// Output folder of `faxform run`.
    pub dir: PathBuf,
    #[command(flatten)]
    pub listen: crate::localweb::Listen,
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
    let state = api::AppState::new(
        store,
        dir.clone(),
        templates,
        crate::localweb::token::new_token(),
    );
    let token = state.token().to_string();
    let (open, total) = state.progress()?;
    crate::localweb::serve(&args.listen, &token, api::router(state), |url| {
        println!(
            "faxform review: {} — {open} of {total} items open",
            dir.display()
        );
        println!("open {url} (Ctrl+C stops; every decision is already saved)");
        Ok(())
    })
}

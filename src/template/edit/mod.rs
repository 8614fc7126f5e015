//! `faxform template edit DRAFT.toml`: a local page to name a draft template.
//!
//! It shows each page's reference image with every box and field drawn by number, and
//! beside it the selected item's names. Keyboard first: move through the boxes, type
//! question, code and label (the next box is proposed as the next code of the same
//! question), mark decoys, set a field's shape and a question's kind. Every change is
//! written to the TOML at once (nothing to save, nothing lost when the page closes) and the
//! page redraws from the file, with every problem `template check` would name, tied to its
//! box, and the column list once the template loads. The same safety as the review page:
//! loopback by default and a random token.

mod api;
pub mod doc;

use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct EditArgs {
    /// The draft (or template) TOML to name; written by `faxform template detect`.
    pub draft: PathBuf,
    #[command(flatten)]
    pub listen: crate::localweb::Listen,
}

/// Serves until interrupted. Prints the page's address (with the token) on stdout.
pub fn serve(args: &EditArgs) -> Result<()> {
    let path = args
        .draft
        .canonicalize()
        .with_context(|| format!("draft {}", args.draft.display()))?;
    // Refuse at start what the page could not show at all.
    let contents = doc::Draft::open(&path)?.contents();
    let token = crate::localweb::token::new_token();
    let state = api::EditState::new(path.clone(), token.clone());
    crate::localweb::serve(&args.listen, &token, api::router(state), |url| {
        println!(
            "faxform template edit: {} — {} box(es), {} field(s) on {} page(s)",
            path.display(),
            contents.boxes.len(),
            contents.fields.len(),
            contents.pages.len()
        );
        println!("open {url} (Ctrl+C stops; every change is already saved)");
        Ok(())
    })
}

//! The end-to-end tests, as one test binary: a clean build (CI, `make test` from a fresh
//! clone) links it once instead of once per file. `cargo test --release --test e2e skew`
//! runs one file's tests.

mod common;

#[path = "damage.rs"]
mod damage;
#[path = "golden.rs"]
mod golden;
#[path = "pairing.rs"]
mod pairing;
#[path = "review.rs"]
mod review;
#[path = "run.rs"]
mod run;
#[path = "scan_variants.rs"]
mod scan_variants;
#[path = "skew.rs"]
mod skew;
#[path = "synth.rs"]
mod synth;
#[path = "tally.rs"]
mod tally;
#[path = "template_detect.rs"]
mod template_detect;
#[path = "template_edit.rs"]
mod template_edit;
#[path = "tiff_variants.rs"]
mod tiff_variants;

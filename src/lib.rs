//! faxform: FAXed questionnaires in, a reviewed table out.
//!
//! The modules follow the pipeline's stages; see README.md for the overview.

pub mod bits;
pub mod chars;
pub mod encode;
pub mod export;
pub mod fonts;
pub mod geometry;
pub mod header;
pub mod identify;
pub mod ingest;
pub mod localweb;
pub mod marks;
pub mod normalise;
pub mod ocr;
pub mod raster;
pub mod reason;
pub mod register;
pub mod review;
pub mod run;
pub mod score;
pub mod store;
pub mod synth;
pub mod tally;
pub mod template;

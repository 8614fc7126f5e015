//! faxform: FAXed questionnaires in, a reviewed table out.
//!
//! The modules follow the pipeline's stages; see README.md for the overview.

pub mod encode;
pub mod fonts;
pub mod geometry;
pub mod ingest;
pub mod normalise;
pub mod raster;
pub mod synth;
pub mod template;

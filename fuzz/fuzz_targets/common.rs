//! Shared by the ingest targets: decode as the night batch does, then normalise every
//! page, with limits small enough that a fuzzed size costs milliseconds, not gigabytes.

use faxform::ingest::{IngestOptions, Limits, read_bytes};

pub fn decode_and_normalise(data: &[u8]) {
    let opts = IngestOptions {
        render_dpi: 100.0,
        limits: Limits {
            max_pages: 8,
            max_page_pixels: 6_000_000,
            ..Limits::default()
        },
    };
    let Ok(pages) = read_bytes(data, &opts) else {
        return;
    };
    for p in pages.into_iter().flatten() {
        let _ = faxform::normalise::normalise(&p, 100.0);
    }
}

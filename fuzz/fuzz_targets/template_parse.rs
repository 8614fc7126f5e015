//! Fuzzes template parsing: any text must load or give a LoadError, never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    // Inside the templates folder, so that reference images named in the text are found.
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../templates/fuzzed.toml"));
    if let Ok(t) = faxform::template::parse(src, path) {
        let _ = t.columns();
    }
});

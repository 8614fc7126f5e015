//! Fuzzes the TIFF path of ingest (and normalise) with the night batch's code.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::decode_and_normalise(data));

#!/usr/bin/env bash
# faxform with Tesseract as the handwriting engine: a BIN for ../shared/tools/corpus-check,
# so that make bench compares the engines on the same corpora.
exec "${FAXFORM:-target/release/faxform}" "$@" --ocr-engine tesseract

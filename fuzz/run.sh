#!/bin/bash
# fuzz/run.sh SECONDS [TARGET...]: runs each cargo-fuzz target for SECONDS (libFuzzer, one
# job each, one after another), seeded from samples/ and templates/. Every crash is copied
# into fuzz/regressions/ (ingest) or fuzz/regressions/templates/ (template parsing), which
# `make test` runs through faxform; commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-300}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(ingest_tiff ingest_pdf ingest_bitmap template_parse)
# cargo-fuzz needs nightly flags (-Z sanitizer); the machine has one stable toolchain.
export RUSTC_BOOTSTRAP=1
seed() {
  local t=$1 dir=corpus/$1; mkdir -p "$dir"
  case $t in
    ingest_tiff) cp -n ../samples/*/*.tif regressions/*.tif "$dir"/ 2>/dev/null || true ;;
    ingest_pdf) cp -n ../samples/*/*.pdf regressions/*.pdf "$dir"/ 2>/dev/null || true ;;
    ingest_bitmap) cp -n ../samples/*/*.png regressions/*.png "$dir"/ 2>/dev/null || true ;;
    template_parse) cp -n ../templates/*.toml regressions/templates/*.toml "$dir"/ 2>/dev/null || true ;;
  esac
}
for t in "${targets[@]}"; do
  seed "$t"
  echo "fuzz: $t for $secs s"
  cargo fuzz run --release "$t" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 -max_len=262144 \
    -print_final_stats=1 2>&1 | tee "corpus/$t.log" | grep -E "^#[0-9]+.*(DONE|pulse)|Done|stat::|SUMMARY|crash-|leak-|timeout-|oom-" || true
  for f in artifacts/"$t"/*; do
    [ -e "$f" ] || continue
    case $t in
      template_parse) mkdir -p regressions/templates; cp "$f" "regressions/templates/$(basename "$f").toml" ;;
      ingest_tiff) cp "$f" "regressions/$(basename "$f").tif" ;;
      ingest_pdf) cp "$f" "regressions/$(basename "$f").pdf" ;;
      ingest_bitmap) cp "$f" "regressions/$(basename "$f").png" ;;
    esac
    echo "fuzz: $t found $(basename "$f"), kept in fuzz/regressions/"
  done
done

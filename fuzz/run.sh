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
# Small TIFFs in every compression, fill order and layout libtiff writes (a big page costs
# the fuzzer ~40 ms a run; these cost ~1 ms), when libtiff's tools are installed.
small_tiffs() {
  command -v tiffcp >/dev/null && command -v ppm2tiff >/dev/null || return 0
  local t; t=$(mktemp -d)
  python3 -c "
import sys
w, h = 96, 64
rows = bytes(((x * 7 + y * 3) % 11 == 0) * 255 for y in range(h) for x in range(w))
sys.stdout.buffer.write(b'P5\n%d %d\n255\n' % (w, h) + rows)" > "$t/g.pgm"
  ppm2tiff "$t/g.pgm" "$t/grey.tif"
  tiffcp -c none "$t/grey.tif" "$1/small-grey.tif"
  python3 -c "
import sys
w, h = 96, 64
bits = bytearray()
for y in range(h):
    for b in range(w // 8):
        bits.append(((y * 37 + b * 11) % 251) & 0xFF)
sys.stdout.buffer.write(b'P4\n%d %d\n' % (w, h) + bytes(bits))" > "$t/b.pbm"
  ppm2tiff "$t/b.pbm" "$t/bw.tif"
  for c in none packbits lzw zip g3 g3:2d g4; do
    n=${c//:/-}
    tiffcp -c "$c" "$t/bw.tif" "$1/small-$n.tif"
    tiffcp -f lsb2msb -c "$c" "$t/bw.tif" "$1/small-$n-fo2.tif"
  done
  tiffcp -c g4 -t -w 32 -l 32 "$t/bw.tif" "$1/small-tiled-g4.tif"
  rm -rf "$t"
}

seed() {
  local t=$1 dir=corpus/$1; mkdir -p "$dir"
  case $t in
    ingest_tiff) cp -n ../samples/*/*.tif regressions/*.tif "$dir"/ 2>/dev/null || true
      small_tiffs "$dir" ;;
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

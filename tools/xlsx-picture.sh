#!/usr/bin/env bash
# README's picture of a tally.xlsx chart sheet, as LibreOffice prints it: a tally of the
# national survey's size (bench/tally.py), converted to PDF by LibreOffice headless, the
# page of 問6 rendered by pdftoppm. Needs libreoffice-calc (not part of make setup: only
# this picture uses it).
set -euo pipefail
BIN=${BIN:-target/release/faxform}
OUT=${1:-docs/tally-xlsx-chart.png}
command -v soffice >/dev/null || { echo "xlsx-picture: soffice not found (apt-get install libreoffice-calc-nogui)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$(dirname "$0")/../bench/tally.py" "$tmp/final.csv" 10026
"$BIN" tally "$tmp/final.csv" --out "$tmp/tally" --sent 66462 >/dev/null
soffice --headless --convert-to pdf --outdir "$tmp" "$tmp/tally/tally.xlsx" >/dev/null 2>&1
pages=$(pdfinfo "$tmp/tally.pdf" | awk '/^Pages:/{print $2}')
for p in $(seq 1 "$pages"); do
  if pdftotext -f "$p" -l "$p" "$tmp/tally.pdf" - | head -1 | grep -q '^問6'; then
    pdftoppm -f "$p" -l "$p" -r 110 -x 60 -y 70 -W 880 -H 340 -png -singlefile "$tmp/tally.pdf" "${OUT%.png}"
    echo "$OUT"
    exit 0
  fi
done
echo "xlsx-picture: no page of 問6 in the PDF" >&2
exit 1

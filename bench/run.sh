#!/usr/bin/env bash
# make bench: accuracy and speed of `faxform run` (checkboxes and OCR of write-in fields)
# on synthetic corpora, the same without OCR for comparison, and peak memory as the batch
# grows. Seeds differ from those used to set the thresholds (101, 102), so these are
# held-out figures.
set -euo pipefail
BIN=${BIN:-target/release/faxform}
OUT=${OUT:-bench-out}
N=${N:-300}
mkdir -p "$OUT"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr)"
for profile in fax harsh; do
  for t in hodanren-2024-12-a chiba-2023-05-a; do
    seed=$([ "$t" = hodanren-2024-12-a ] && echo 2001 || echo 2002)
    corpus="$OUT/$t-$profile"
    [ -f "$corpus/truth.csv" ] || { rm -rf "$corpus"; "$BIN" synth --template "$t" --count "$N" --seed "$seed" --profile "$profile" --out "$corpus" >/dev/null; }
    rm -rf "$corpus.run"
    /usr/bin/time -f "%U %S %M" -o "$corpus.run.time" "$BIN" run "$corpus" --out "$corpus.run" >/dev/null 2>&1
    echo "== $t, profile $profile, $N responses"
    "$BIN" score --truth "$corpus" --out "$corpus.run" --json "$corpus.score.json"
    python3 -c "
import json; r=json.load(open('$corpus.run/report.json'))['seconds']
j=json.load(open('$corpus.run/report.json')); f=j['fields']
print('speed: %.1f pages/s wall, %.1f s in all (%d pages); per page ms: %s' % (r['pages_per_second'], r['wall'], j['this_run']['pages_read'], ', '.join('%s %.1f' % (k, v) for k, v in sorted(r['stages_per_page_ms'].items()))))
print('OCR: %d write-in fields, %d with writing, %d read, %.0f ms per field read' % (f['fields'], f['written'], f['read'], f['ocr_ms_per_read_field']))
u, s, m = open('$corpus.run.time').read().split()
print('CPU: %.4f CPU-s per page (user+sys), peak %d MiB' % ((float(u) + float(s)) / max(1, j['this_run']['pages_read']), int(m) // 1024))
"
    if [ "$profile" = fax ]; then
      rm -rf "$corpus.noocr"
      /usr/bin/time -f "%U %S %M" -o "$corpus.noocr.time" "$BIN" run "$corpus" --out "$corpus.noocr" --no-ocr >/dev/null 2>&1
      python3 -c "
import json; j=json.load(open('$corpus.noocr/report.json')); r=j['seconds']
u, s, m = open('$corpus.noocr.time').read().split()
print('without OCR (--no-ocr): %.1f pages/s wall, %.1f s in all, %.4f CPU-s per page, peak %d MiB' % (r['pages_per_second'], r['wall'], (float(u) + float(s)) / max(1, j['this_run']['pages_read']), int(m) // 1024))
"
    fi
  done
done
# Memory as the batch grows: peak RSS for about 100 and 1000 pages.
for n in 100 1000; do
  corpus="$OUT/mem-$n"
  [ -f "$corpus/truth.csv" ] || { rm -rf "$corpus"; "$BIN" synth --template hodanren-2024-12-a --count "$n" --seed 3000 --out "$corpus" >/dev/null; }
  rm -rf "$corpus.run"
  /usr/bin/time -f "%M" -o "$OUT/mem-$n.rss" "$BIN" run "$corpus" --out "$corpus.run" >/dev/null 2>&1
  pages=$(python3 -c "import json; print(json.load(open('$corpus.run/report.json'))['this_run']['pages_read'])")
  echo "memory: $pages pages, peak RSS $(( $(cat "$OUT/mem-$n.rss") / 1024 )) MiB"
done
bash "$(dirname "$0")/review.sh" "$OUT/mem-1000.run"
# Faxes the project did not make: the independent corpora beside this checkout, when they
# are there (../shared/corpora, scored by ../shared/tools/corpus-check), with the rejected
# pages by reason.
check=../shared/tools/corpus-check
if [ -x "$check" ]; then
  echo "== independent corpora (--no-ocr)"
  CHECK_OUT="$OUT/corpora" BIN="$BIN" "$check" | grep -v '^  wrong:'
  for d in "$OUT"/corpora/*/; do
    python3 - "$d" <<'PY'
import csv, re, sys, collections
d = sys.argv[1]
c = collections.Counter(re.sub(r"[0-9.]+", "N", r["reason"]) for r in csv.DictReader(open(d + "rejected.csv")))
print("rejected in %s: %s" % (d.rstrip("/").split("/")[-1], "; ".join("%d %s" % (n, k) for k, n in c.most_common())))
PY
    name=$(basename "$d")
    if [ -f "../shared/corpora/$name/truth-notes.jsonl" ]; then
      echo "checkbox cells of $name by the truth's mark style:"
      python3 "$(dirname "$0")/by_style.py" "$d" "../shared/corpora/$name"
    fi
  done
  # Which write-in fields have any ink on the fax (the corpora's generator left some
  # responses' writing off the page): text.py prints its figures again on those.
  cargo build --release --example field_dump >/dev/null 2>&1
  for c in ../shared/corpora/*/; do
    name=$(basename "$c"); rm -rf "$OUT/fields-$name"
    for f in "$c"*; do
      case "$f" in *.csv|*.jsonl|*.md) continue ;; esac
      target/release/examples/field_dump "$f" "$OUT/fields-$name" 2>/dev/null | grep -v '^file,' || true
    done >"$OUT/fields-$name.csv"
  done
  # Handwriting and fax headers, by engine: PP-OCR (the default) and Tesseract.
  for engine in ppocr tesseract; do
    bin="$BIN"; [ "$engine" = tesseract ] && bin="$(dirname "$0")/tesseract.sh"
    echo "== independent corpora with OCR ($engine)"
    FAXFORM="$BIN" CHECK_OUT="$OUT/corpora-$engine" BIN="$bin" "$check" --ocr | grep -v '^  wrong:'
    for d in "$OUT/corpora-$engine"/*/; do
      name=$(basename "$d")
      echo "-- $name"
      python3 "$(dirname "$0")/text.py" "$d" "../shared/corpora/$name" "$engine" "$OUT/fields-$name.csv"
      python3 "$(dirname "$0")/headers.py" "$d" "../shared/corpora/$name"
    done
  done
fi
# The report's tables from the national survey's size (10,026 replies, as report 001):
# CPU seconds of `faxform tally`, three runs.
python3 "$(dirname "$0")/tally.py" "$OUT/tally-10026.csv" 10026
for i in 1 2 3; do
  rm -rf "$OUT/tally-10026"
  /usr/bin/time -f "tally of 10,026 replies: %e s wall, %U s user + %S s sys, %M KiB peak" \
    "$BIN" tally "$OUT/tally-10026.csv" --out "$OUT/tally-10026" --sent 66462 >/dev/null
done

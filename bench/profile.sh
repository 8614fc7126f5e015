#!/usr/bin/env bash
# make profile: instruction counts of `faxform run --no-ocr` on a fixed corpus, by
# callgrind (they do not vary with the machine's load, unlike seconds). One worker, so
# that the counts add up per page. Prints the total, per page, the stages and the
# functions that cost most; the full profile stays in $OUT/profile/callgrind.out for
# callgrind_annotate or kcachegrind.
set -euo pipefail
BIN=${BIN:-target/release/faxform}
OUT=${OUT:-bench-out}
N=${N:-10}
command -v valgrind >/dev/null || { echo "profile: valgrind is missing (make setup)"; exit 1; }
# CORPUS=DIR profiles a folder of received faxes instead (e.g. a sample of a corpus).
corpus="${CORPUS:-$OUT/profile-corpus-$N}"
[ -n "${CORPUS:-}" ] || [ -f "$corpus/truth.csv" ] || { rm -rf "$corpus"; "$BIN" synth --template hodanren-2024-12-a --count "$N" --seed 1717 --profile fax --line 1728 --out "$corpus" >/dev/null; }
mkdir -p "$OUT/profile/empty"
# A run of nothing first, so that the template models are in their cache as on any
# night but the first after a change (the profile is of a run, not of building them).
rm -rf "$OUT/profile/run"
"$BIN" run "$OUT/profile/empty" --out "$OUT/profile/run" --no-ocr >/dev/null
rm -rf "$OUT/profile/run"
# OMP_THREAD_LIMIT set: faxform would otherwise re-execute itself to set it, and callgrind
# would measure only the first process.
OMP_THREAD_LIMIT=1 valgrind --tool=callgrind --callgrind-out-file="$OUT/profile/callgrind.out" \
  "$BIN" run "$corpus" --out "$OUT/profile/run" --no-ocr --jobs 1 >/dev/null 2>"$OUT/profile/valgrind.log"
pages=$(python3 -c "import json; print(json.load(open('$OUT/profile/run/report.json'))['this_run']['pages_read'])")
callgrind_annotate --inclusive=yes "$OUT/profile/callgrind.out" 2>/dev/null > "$OUT/profile/inclusive.txt"
callgrind_annotate --inclusive=no "$OUT/profile/callgrind.out" 2>/dev/null > "$OUT/profile/self.txt"
python3 - "$OUT/profile" "$pages" "$BIN" <<'PY'
import re, sys
d, pages, binary = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def rows(name):
    out = []
    for line in open(f"{d}/{name}"):
        m = re.match(r"\s*([\d,]+) \([\s\d.]+%\)\s+(\S+?):(.+?)(?: \[.*)?$", line)
        if m:
            out.append((int(m.group(1).replace(",", "")), m.group(2), m.group(3)))
    return out
total = next(int(l.split()[0].replace(",", "")) for l in open(f"{d}/self.txt") if "PROGRAM TOTALS" in l)
print(f"{binary}: {total/1e9:.3f} G instructions for {pages} pages, {total/pages/1e6:.1f} M per page (callgrind, one worker, --no-ocr)")
stages = [
    ("kit (templates, once a run)", "faxform::run::kit::Kit::load"),
    ("ingest", "faxform::ingest::read_bytes"),
    ("normalise", "faxform::normalise::normalise"),
    ("identify", "faxform::identify::identify"),
    ("register", "faxform::register::register"),
    ("marks", "faxform::marks::measure::measure"),
    ("fields", "faxform::ocr::read_fields"),
]
inc = rows("inclusive.txt")
print("stages (inclusive, whole run):")
for label, fn in stages:
    v = max((n for n, f, name in inc if name == fn), default=0)
    print(f"  {label:<28} {v/1e6:9.1f} M  {100*v/total:5.1f} %")
# Code inlined from other files is listed under each file: summed by function.
by = {}
for n, f, name in rows("self.txt"):
    by[name] = by.get(name, 0) + n
print("functions (self, inlined code included), top 15:")
for name, n in sorted(by.items(), key=lambda x: -x[1])[:15]:
    print(f"  {n/1e6:9.1f} M  {100*n/total:5.1f} %  {name[:110]}")
PY

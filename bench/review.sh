#!/usr/bin/env bash
# make bench (last part): the morning on a night's folder: how long export takes, and how
# fast the review page's API answers (the item list, and one decision written with its
# audit entry), on the ~1000-page run left by run.sh.
set -euo pipefail
BIN=${BIN:-target/release/faxform}
DIR=${1:-bench-out/mem-1000.run}
rm -f "$DIR/bench-final.csv" "$DIR/bench-final.xlsx"
for fmt in csv xlsx; do
  /usr/bin/time -f "%e" -o "$DIR/export.time" "$BIN" export "$DIR" --allow-open --format "$fmt" --out "$DIR/bench-final.$fmt" >/dev/null
  echo "export $fmt: $(cat "$DIR/export.time") s wall ($(python3 -c "import csv; print(sum(1 for _ in csv.reader(open('$DIR/responses.csv', encoding='utf-8')))-1)") responses)"
done
# A copy, so the bench's decisions do not stay in the run folder.
REV=$(mktemp -d)
cp -r "$DIR"/. "$REV"/
"$BIN" review "$REV" > "$REV/review.out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$REV"' EXIT
for _ in $(seq 50); do grep -q http "$REV/review.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$REV/review.out")
python3 - "$url" <<'PY'
import json, sys, time, urllib.request
url = sys.argv[1]
base, token = url.split("/?t=")
def call(path, body=None):
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"X-Faxform-Token": token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())
t = time.perf_counter(); items = call("/api/items")["items"]; t_list = time.perf_counter() - t
open_items = [i for i in items if not i["decided"]][:50]
t = time.perf_counter()
for i in open_items:
    call("/api/decide", {"id": i["id"], "value": i["machine"], "action": "accept", "reviewer": "bench", "version": i["version"]})
t_dec = (time.perf_counter() - t) / max(1, len(open_items))
print("review API: item list of %d items in %.0f ms; one decision (stored, audited) in %.1f ms (mean of %d)"
      % (len(items), t_list * 1000, t_dec * 1000, len(open_items)))
PY

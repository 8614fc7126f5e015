#!/usr/bin/env python3
"""Fax header figures of a run against an independent corpus's truth-notes.jsonl.

headers.py RUN_DIR CORPUS_DIR: per page that carries a header (every form or cover page of
a file whose truth has a `tti` line), whether pages.csv has the sender's number exactly,
and the date and time. The truth's number is taken from its TTI line independently of
faxform's parser: the token of 10 or 11 digits (hyphens allowed) starting with 0."""
import csv, json, os, re, sys

run, corpus = sys.argv[1], sys.argv[2]
truth = {}
for line in open(os.path.join(corpus, "truth-notes.jsonl"), encoding="utf-8"):
    d = json.loads(line)
    rid = d.get("response_id", "#")
    if rid.startswith("#") or not d.get("tti"):
        continue
    f = rid.rsplit(":", 1)[0]
    nums = [re.sub(r"\D", "", t) for t in re.findall(r"\d[\d-]*\d", d["tti"])]
    nums = [n for n in nums if n.startswith("0") and len(n) in (10, 11)]
    for p in d.get("pages", []):
        if p.get("kind") in ("form", "cover"):
            truth[(f, int(p["page"]))] = (nums[0] if nums else None, d["tti"])
got = {}
for r in csv.DictReader(open(os.path.join(run, "pages.csv"), encoding="utf-8")):
    got[(os.path.basename(r["file"]), int(r["page"]))] = r
n = exact = found = wrong = 0
for (f, p), (num, tti) in sorted(truth.items()):
    if num is None:
        continue
    n += 1
    r = got.get((f, p))
    s = r["sender"] if r else ""
    found += bool(r and r["header"])
    exact += s == num
    wrong += bool(s) and s != num
    if s != num and len(sys.argv) > 3:
        print(f"  {f}:{p} truth {num} read {s or '-'} | {r['header'] if r else '(no row)'} | {tti}")
print(f"headers: {n} pages with a sender number in truth; header line found on {found}; "
      f"sender exact {exact} ({100.0 * exact / max(1, n):.1f} %), wrong {wrong} ({100.0 * wrong / max(1, n):.1f} %)")

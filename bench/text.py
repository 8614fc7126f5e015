#!/usr/bin/env python3
"""Write-in field figures of a run against an independent corpus's truth.csv.

text.py RUN_DIR CORPUS_DIR [ENGINE [INK_CSV]]: writing present; prefectures exact and
accepted, in review, accepted wrong, and the right name among those offered (review.csv's
guess lists the likeliest names) for those in review; numbers exact; comment character
error rate overall and over those accepted without review; written-field review items per
response; OCR time per field by kind and pages per second (report.json).

With INK_CSV (`cargo run --release --example field_dump` over the corpus's files: file,
page, column, ink, ...) the figures are printed a second time on the writing the fax shows:
a field the truth says is written but with no ink at all in its window on the page (the
corpora's generator left some responses' writing off the page) counts as blank."""
import csv, json, os, re, sys, unicodedata

run, corpus = sys.argv[1], sys.argv[2]
engine = sys.argv[3] if len(sys.argv) > 3 else "ppocr"
truth = {r["response_id"]: r for r in csv.DictReader(open(os.path.join(corpus, "truth.csv"), encoding="utf-8"))}
resp = {r["response_id"]: r for r in csv.DictReader(open(os.path.join(run, "responses.csv"), encoding="utf-8"))}
review = {(r["response_id"], r["column"]): r for r in csv.DictReader(open(os.path.join(run, "review.csv"), encoding="utf-8"))}


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def pref(s):
    s = norm(s)
    return s if s == "北海道" else re.sub(r"(都|道|府|県)$", "", s)


def edit(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def on_the_page(path):
    """The truth with every written field blanked whose window on the fax has no ink."""
    ink = {}
    for row in csv.reader(open(path, encoding="utf-8")):
        if len(row) >= 4 and row[1].isdigit() and row[3].isdigit():
            ink.setdefault((row[0], row[2]), []).append((int(row[1]), int(row[3])))
    out = {}
    for rid, t in truth.items():
        name, first = rid.rsplit(":", 1)
        t = dict(t)
        for c, v in t.items():
            # The field's page: the first page of the response's file at or after its own.
            pages = sorted(p for p in ink.get((name, c), []) if p[0] >= int(first))
            if v and pages and pages[0][1] == 0:
                t[c] = ""
        out[rid] = t
    return out


cols = list(next(iter(truth.values())).keys())
def kind(c):
    if c == "q1":
        return "pref"
    if c.endswith("_count"):
        return "number"
    vals = [t[c] for t in truth.values()]
    if re.fullmatch(r"q\d+(_\d+)?", c) and all(v == "" or v.isdigit() for v in vals) and max(len(v) for v in vals) <= 2:
        return None
    return None if c in ("response_id", "template", "questionnaire") else "text"

kinds = {c: kind(c) for c in cols}
def figures(truth):
    f = dict(present=0, present_ok=0, pref=0, pref_ok=0, pref_rev=0, pref_wrong=0, pref_rev_top=0,
             num=0, num_ok=0, ed=0, tl=0, ed_acc=0, tl_acc=0, items=0, responses=0)
    for rid, t in truth.items():
        r = resp.get(rid)
        if r is None:
            continue
        f["responses"] += 1
        for c, k in kinds.items():
            if k is None:
                continue
            tv, mv = t[c], r.get(c, "")
            rv = review.get((rid, c))
            f["items"] += rv is not None
            f["present"] += 1
            f["present_ok"] += (bool(norm(tv)) == bool(norm(mv))) or rv is not None
            if not tv:
                continue
            if k == "pref":
                f["pref"] += 1
                ok = pref(tv) == pref(mv)
                if rv is not None:
                    f["pref_rev"] += 1
                    f["pref_rev_top"] += pref(tv) in [pref(x) for x in rv["guess"].split(";")]
                elif ok:
                    f["pref_ok"] += 1
                else:
                    f["pref_wrong"] += 1
            elif k == "number":
                f["num"] += 1
                f["num_ok"] += norm(tv) == norm(mv)
            else:
                e, n = edit(norm(tv), norm(mv)), len(norm(tv))
                f["ed"] += e
                f["tl"] += n
                if rv is None:
                    f["ed_acc"] += e
                    f["tl_acc"] += n
    return f


pct = lambda a, b: 100.0 * a / max(1, b)
rep = json.load(open(os.path.join(run, "report.json"), encoding="utf-8"))
kinds_ms = ", ".join("%s %.0f ms" % (k, v["ms_per_field"]) for k, v in sorted(rep["fields"]["by_kind"].items()) if v["read"])
def line(f, label):
    return (f"{label}: writing present {pct(f['present_ok'], f['present']):.2f} %; "
      f"prefectures {f['pref']}: exact and accepted {pct(f['pref_ok'], f['pref']):.1f} %, in review {pct(f['pref_rev'], f['pref']):.1f} % "
      f"(right name offered {pct(f['pref_rev_top'], f['pref_rev']):.0f} %), accepted wrong {pct(f['pref_wrong'], f['pref']):.1f} %; "
      f"numbers {f['num']}: exact {pct(f['num_ok'], f['num']):.1f} %; comments CER {pct(f['ed'], f['tl']):.1f} % "
      f"({pct(f['ed_acc'], f['tl_acc']):.1f} % on those accepted); written-field review items per response {f['items'] / max(1, f['responses']):.2f}")


print(line(figures(truth), f"text ({engine})"))
if len(sys.argv) > 4:
    print(line(figures(on_the_page(sys.argv[4])), f"text ({engine}), writing on the page"))
print(f"time ({engine}): {kinds_ms}; {rep['seconds']['pages_per_second']:.1f} pages/s wall")

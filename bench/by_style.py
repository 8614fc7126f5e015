#!/usr/bin/env python3
"""Checkbox cells of a run by the truth's mark style: how many, how many to review, how
many wrong without review. For the independent corpora (truth.csv and truth-notes.jsonl,
whose `marks` list `question:code:style`).

usage: by_style.py RUN_DIR CORPUS_DIR
"""
import collections
import csv
import json
import os
import re
import sys


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def main(run, corpus):
    truth = {r["response_id"]: r for r in rows(os.path.join(corpus, "truth.csv"))}
    read = {r["response_id"]: r for r in rows(os.path.join(run, "responses.csv"))}
    review = collections.defaultdict(set)
    for r in rows(os.path.join(run, "review.csv")):
        review[r["response_id"]].add(r["column"])
    styles = {}
    with open(os.path.join(corpus, "truth-notes.jsonl"), encoding="utf-8") as f:
        for line in f:
            j = json.loads(line)
            if "marks" in j:
                styles[j["response_id"]] = [m.split(":") for m in j["marks"]]
    # Checkbox columns: single choice `q<n>` holding codes, multiple choice `q<n>_<code>`.
    counts = collections.defaultdict(lambda: [0, 0, 0])
    for rid, t in truth.items():
        got = read.get(rid)
        if got is None:
            continue
        marks = styles.get(rid, [])
        for col, want in t.items():
            m = re.fullmatch(r"(q\d+)(?:_(\d+))?", col)
            if not m or (m.group(2) is None and want and not want.isdigit()):
                continue
            q, code = m.group(1), m.group(2)
            if code is None:
                if col not in got or (want and not want.isdigit()):
                    continue
                here = [s for (mq, _, s) in marks if mq == q]
            else:
                here = [s for (mq, mc, s) in marks if mq == q and mc == code]
            style = here[0] if here else "unmarked"
            c = counts[style]
            c[0] += 1
            if col in review[rid]:
                c[1] += 1
            elif got.get(col, "") != want:
                c[2] += 1
    print("%-14s %6s %9s %8s" % ("style", "cells", "to review", "wrong"))
    for style, (n, rv, wrong) in sorted(counts.items(), key=lambda kv: -kv[1][0]):
        print("%-14s %6d %8.1f%% %8d" % (style, n, 100.0 * rv / n, wrong))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

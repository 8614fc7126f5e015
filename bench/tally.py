#!/usr/bin/env python3
"""The national survey's size for `faxform tally`: writes a chiba-2023-05 reviewed table of
N rows (default 10,026, as report 001) to PATH, with answers that follow the form's
branching, a few that do not, prefectures, ages, categories and comments.

tally.py PATH [N] [SEED]"""
import csv, random, sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10026
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
prefs = ["北海道", "宮城", "埼玉", "千葉", "東京", "神奈川", "新潟", "愛知", "京都", "大阪",
         "兵庫", "広島", "福岡", "熊本", "沖縄"]
multi = {"q6": 5, "q8": 6, "q11": 5}
cols = ["response_id", "template", "questionnaire", "status", "q1", "q2", "q3", "q4", "q5"]
cols += [f"q6_{c}" for c in range(1, 6)] + ["q7"] + [f"q8_{c}" for c in range(1, 7)]
cols += ["q8_other", "q9", "q10"] + [f"q11_{c}" for c in range(1, 6)] + ["q11_other", "q12"]

def pick(weights):
    """A code by weight; the last weight is the no-answer share."""
    r = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        r -= w
        if r < 0:
            return "" if i == len(weights) - 1 else str(i + 1)
    return ""

with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, cols)
    w.writeheader()
    for i in range(n):
        row = dict.fromkeys(cols, "")
        row.update(response_id=f"fax{i:05}.tif:1", template="chiba-2023-05-a",
                   questionnaire="chiba-2023-05", status="ok")
        row["q1"] = rng.choice(prefs) if rng.random() > 0.02 else ""
        row["q2"] = pick([3, 12, 25, 30, 20, 8, 2])
        row["q3"] = pick([55, 5, 30, 8, 2])
        row["q4"] = pick([84, 8, 4, 3, 1])
        asked5 = row["q4"] == "1" or rng.random() < 0.01  # a few answer past the skip
        if asked5:
            row["q5"] = pick([65, 34, 1])
        if row["q5"] == "1":
            for q, k in multi.items():
                if q == "q11":
                    continue
                for c in range(1, k + 1):
                    row[f"{q}_{c}"] = "1" if rng.random() < 0.3 else "0"
            row["q9"] = pick([30, 30, 20, 15, 5])
            row["q10"] = pick([27, 3, 3, 50, 17])
            if rng.random() < 0.3:
                row["q7"] = "資格確認ができず、窓口で長く待たせてしまった"
        if row["q10"] in ("1", "2", "3"):
            for c in range(1, 6):
                row[f"q11_{c}"] = "1" if rng.random() < 0.3 else "0"
        if rng.random() < 0.15:
            row["q12"] = "保険証の廃止は延期すべき。現場の負担が大きい。"
        w.writerow(row)

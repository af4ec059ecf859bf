#!/usr/bin/env python3
"""Chooses per-category thresholds for the manifest on a labeled ViHSD split.

ViHSD is research-only: it may be used to measure and to pick thresholds, not
to learn lexicon entries or weights. Pick thresholds on the TRAIN split and
report quality on DEV, so the reported figures are not tuned on themselves.

For each category the flag rule is: sum of the weights of the distinct terms
hit >= t (that is what threshold = logistic(t + bias) means). The script runs
`vigil classify` once, then does coordinate ascent over t for the five
categories that ViHSD's labels map to, maximizing 3-class macro-F1, and prints
the manifest thresholds (with the manifest's bias).

Usage: tools/tune_thresholds.py ../shared/data/vihsd/train.csv [LEXICON_DIR]
"""
import csv
import json
import math
import os
import subprocess
import sys

HATE_LIKE = ("hate", "insult", "threat")
OFFENSIVE_LIKE = ("profanity", "sexual")
GRID = [x / 2 for x in range(1, 13)]  # 0.5 .. 6.0


def macro_f1(gold, pred, n):
    f1s = []
    for c in range(n):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0
        rec = tp / (tp + fn) if tp + fn else 0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0)
    return sum(f1s) / n


def predict(sums, t):
    labels = []
    for s in sums:
        flagged = {c for c, v in s.items() if v >= t.get(c, 99) - 1e-9}
        labels.append(2 if flagged & set(HATE_LIKE)
                      else 1 if flagged & set(OFFENSIVE_LIKE) else 0)
    return labels


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lexicons = sys.argv[2] if len(sys.argv) == 3 else os.path.join(root, "lexicons")
    texts, gold = [], []
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            texts.append(row["free_text"])
            gold.append(int(row["label_id"]))
    rows = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                   for i, t in enumerate(texts))
    out = subprocess.run(
        [os.path.join(root, "build", "vigil"), "classify", "--lexicons", lexicons,
         "--input", "-", "--output", "-"],
        input=rows, capture_output=True, text=True, check=True).stdout
    sums = []
    for line in out.splitlines():
        verdict = json.loads(line)
        seen, s = set(), {}
        for m in verdict.get("matches", []):
            key = (m["category"], m["term"])
            if key in seen:
                continue
            seen.add(key)
            s[m["category"]] = s.get(m["category"], 0) + m["weight"]
        sums.append(s)
    t = {c: 2.5 for c in HATE_LIKE + OFFENSIVE_LIKE}
    best = macro_f1(gold, predict(sums, t), 3)
    print(f"start (t=2.5 everywhere): 3-class macro-F1 {best:.4f}")
    for _ in range(3):
        for c in t:
            for v in GRID:
                trial = dict(t, **{c: v})
                f = macro_f1(gold, predict(sums, trial), 3)
                if f > best + 1e-9:
                    best, t = f, trial
    binary = macro_f1([g > 0 for g in gold],
                      [p > 0 for p in predict(sums, t)], 2)
    print(f"tuned: 3-class macro-F1 {best:.4f}, binary {binary:.4f} (on {sys.argv[1]})")
    bias = -2.5
    for c, v in t.items():
        threshold = 1 / (1 + math.exp(-(v + bias))) - 1e-6
        print(f"category\t{c}\t{c}.tsv\t{math.floor(threshold * 10000) / 10000}\t{bias}"
              f"\t# flag at weight sum >= {v}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Chooses per-category thresholds for the manifest on a labeled ViHSD split.

ViHSD is research-only: it may be used to measure and to pick thresholds, not
to learn lexicon entries or weights. Pick thresholds on the TRAIN split and
report quality on DEV, so the reported figures are not tuned on themselves.

For each category the curated flag rule is: sum of the weights of the
distinct curated terms hit >= t (that is what threshold = logistic(t + bias)
means); categories with a learned lexicon are also flagged when their learned
score reaches its own threshold. The script runs `vigil classify` once, then
does coordinate ascent over the curated t of the five categories that ViHSD's
labels map to and over the learned thresholds, maximizing 3-class macro-F1,
and prints the manifest lines.

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
# Curated thresholds stay at or below a weight sum of 3, so that a strong
# curated term (weight 3, "enough alone to flag") always flags its category.
GRID = [x / 2 for x in range(1, 7)]  # 0.5 .. 3.0
LEARNED_GRID = [x / 20 for x in range(2, 20)]  # 0.10 .. 0.95


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


def predict(sums, t, learned=(), lt=None):
    labels = []
    for k, s in enumerate(sums):
        flagged = {c for c, v in s.items() if v >= t.get(c, 99) - 1e-9}
        if learned:
            flagged |= {c for c, v in learned[k].items() if v >= lt[c] - 1e-9}
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
    sums, learned = [], []
    for line in out.splitlines():
        verdict = json.loads(line)
        learned.append(verdict.get("learned_scores", {}))
        seen, s = set(), {}
        for m in verdict.get("matches", []):
            if not m["term"] or m.get("learned"):
                continue
            key = (m["category"], m["term"])
            if key in seen:
                continue
            seen.add(key)
            s[m["category"]] = s.get(m["category"], 0) + m["weight"]
        sums.append(s)
    t = {c: 2.5 for c in HATE_LIKE + OFFENSIVE_LIKE}
    lt = {c: 0.5 for c in (learned[0] if learned else {})}
    score = lambda t, lt: macro_f1(gold, predict(sums, t, learned if lt else (), lt), 3)
    best = score(t, lt)
    print(f"start (t=2.5, learned 0.5): 3-class macro-F1 {best:.4f}")
    def ascend(params, grid, evaluate, best):
        """One coordinate-ascent sweep over `params` (returns best, params)."""
        for c in params:
            for v in grid:
                trial = dict(params, **{c: v})
                f = evaluate(trial)
                if f > best + 1e-9:
                    best, params = f, trial
        return best, params

    for _ in range(3):
        best, t = ascend(t, GRID, lambda trial: score(trial, lt), best)
        best, lt = ascend(lt, LEARNED_GRID, lambda trial: score(t, trial), best)
    binary = macro_f1([g > 0 for g in gold],
                      [p > 0 for p in predict(sums, t, learned if lt else (), lt)], 2)
    print(f"tuned: 3-class macro-F1 {best:.4f}, binary {binary:.4f} (on {sys.argv[1]})")
    bias = -2.5
    for c, v in t.items():
        threshold = 1 / (1 + math.exp(-(v + bias))) - 1e-6
        print(f"category\t{c}\t{c}.tsv\t{math.floor(threshold * 10000) / 10000}\t{bias}"
              f"\t# flag at weight sum >= {v}")
    for c, v in lt.items():
        print(f"learned\t{c}\tlearned/{c}.tsv\t{v}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""What a plain linear text classifier reaches on ViHSD: a yardstick for
vigil's cross-fitted figures, never a shipped model (nothing is written).

Two measurements, binary (toxic vs clean) macro-F1 on ViHSD train+dev:

  permitted   TF-IDF logistic regression trained on what vigil may learn
              from (ViHOS train+dev, thienit84), cross-fitted as `vigil eval
              --crossfit 5` is: folds by a hash of the normalized text, every
              ViHSD row scored by the model of its text's fold, so no row is
              scored by a model that saw its text.
  in-domain   the same features trained on ViHSD itself (5-fold CV): what
              ViHSD's own labels allow a linear model. ViHSD is measuring-only
              data; this throwaway model is a measurement and is never kept.

Features: word 1-3-grams ("w"), plus character 2-5-grams inside word
boundaries ("wc"). The threshold is the best on the scored rows themselves,
so every figure here is optimistic: a ceiling, not a result.

Needs Debian's python3-sklearn (apt-get install python3-sklearn); run from
the repository root with ../shared beside it:
  /usr/bin/python3 tools/quality/linear_ceiling.py permitted wc
"""
import csv
import hashlib
import re
import sys
import unicodedata

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

DATA = "../shared/data/"
FOLDS = 5


def norm(text):
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"\s+", " ", text).strip()


def fold(text):
    return int(hashlib.md5(norm(text).encode()).hexdigest(), 16) % FOLDS


def vectorizers(features):
    vs = [TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True)]
    if "c" in features:
        vs.append(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                  min_df=3, sublinear_tf=True,
                                  max_features=300000))
    return vs


def fit_score(train_x, train_y, test_x, features):
    vs = vectorizers(features)
    x = hstack([v.fit_transform(train_x) for v in vs]).tocsr()
    model = LogisticRegression(C=3, max_iter=2000).fit(x, train_y)
    t = hstack([v.transform(test_x) for v in vs]).tocsr()
    return model.predict_proba(t)[:, 1]


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "permitted"
    features = sys.argv[2] if len(sys.argv) > 2 else "wc"
    rows = []  # ViHSD train+dev: (normalized text, toxic)
    for name in ("vihsd/train.csv", "vihsd/dev.csv"):
        for r in csv.DictReader(open(DATA + name, encoding="utf-8")):
            rows.append((norm(r["free_text"]), int(r["label_id"]) > 0))
    gold = np.array([y for _, y in rows], dtype=int)
    scores = np.zeros(len(rows))
    if mode == "permitted":
        train = []
        for name in ("vihos/train.csv", "vihos/dev.csv"):
            for r in csv.DictReader(open(DATA + name, encoding="utf-8")):
                train.append((norm(r["content"]),
                              r["index_spans"].strip() != "[]"))
        for r in csv.DictReader(open(DATA + "thienit84/dataset.csv",
                                     encoding="utf-8")):
            train.append((norm(r["input_text"].split("</s>")[-1]),
                          r["label"] != "0"))
        train_folds = [fold(t) for t, _ in train]
        row_folds = [fold(t) for t, _ in rows]
        for k in range(FOLDS):
            tx = [t for (t, _), f in zip(train, train_folds) if f != k]
            ty = [int(y) for (_, y), f in zip(train, train_folds) if f != k]
            idx = [i for i, f in enumerate(row_folds) if f == k]
            scores[idx] = fit_score(tx, ty, [rows[i][0] for i in idx],
                                    features)
    elif mode == "in-domain":
        x = np.array([t for t, _ in rows], dtype=object)
        for tr, te in StratifiedKFold(FOLDS, shuffle=True,
                                      random_state=0).split(x, gold):
            scores[te] = fit_score(list(x[tr]), gold[tr], list(x[te]),
                                   features)
    else:
        sys.exit("usage: linear_ceiling.py permitted|in-domain [w|wc]")
    best = max((f1_score(gold, scores >= t, average="macro"), t)
               for t in np.arange(0.1, 0.9, 0.025))
    print(f"{mode} {features}: binary macro-F1 {best[0]:.4f} "
          f"(threshold {best[1]:.3f}, {len(rows)} ViHSD rows)")


if __name__ == "__main__":
    main()

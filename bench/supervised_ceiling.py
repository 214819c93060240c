#!/usr/bin/python3
"""A second opinion on `bench review-effort`'s feature ceiling: how well a supervised classifier that sees 80 % of
all labels separates one class from the rest, on the features `imagecluster embed` wrote.

Benchmark-time only (Debian python3-sklearn). Never used by the product or the tests.

  imagecluster embed DATASET -m MODEL -o FEATURES.npy
  supervised_ceiling.py FEATURES.npy DATASET/labels.csv

For every class: 5-fold cross-validated logistic regression (one class against the rest, balanced class weights) on
the L2-normalised rows; the best Quality Metric 0.3·precision + 0.7·recall of the held-out predictions over the
probability cuts 0.05, 0.10, …, 0.95. Prints one line per class and the mean.
"""
import csv
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict


def main(features, labels_csv):
    paths = [line.rstrip("\n") for line in open(features.removesuffix(".npy") + ".paths.txt", encoding="utf-8")]
    x = np.load(features).astype(np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-12
    with open(labels_csv, newline="", encoding="utf-8") as f:
        label = {row["path"]: row["label"] for row in csv.DictReader(f)}
    y = np.array([label[p] for p in paths])
    best = []
    for cls in sorted(set(y)):
        truth = y == cls
        p = cross_val_predict(LogisticRegression(C=10, max_iter=3000, class_weight="balanced"), x, truth,
                              cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")[:, 1]
        scores = []
        for cut in np.linspace(0.05, 0.95, 19):
            kept = p >= cut
            right = (kept & truth).sum()
            scores.append(0.3 * right / max(kept.sum(), 1) + 0.7 * right / truth.sum())
        best.append(max(scores))
        print(f"{cls}\t{best[-1]:.3f}")
    print(f"mean\t{np.mean(best):.3f}\tclasses >= 0.95: {sum(b >= 0.95 for b in best)} of {len(best)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

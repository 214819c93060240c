#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/silhouette.json with scikit-learn as the oracle.

Test-time only: needs Debian's python3-sklearn; the product never runs it.
Usage: /usr/bin/python3 tools/make_silhouette_fixtures.py
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_samples, silhouette_score

cases = []
x, y = make_blobs(n_samples=240, n_features=12, centers=4, cluster_std=2.5, random_state=7)
x = x.astype(np.float32).round(4).astype(np.float64)  # what the test reads back exactly
rng = np.random.default_rng(7)
noisy = np.where(rng.random(len(y)) < 0.15, rng.integers(0, 4, len(y)), y)
singleton = noisy.copy()
singleton[0] = 9  # a cluster of one: its silhouette is 0
for name, labels in [("blobs_truth", y), ("blobs_noisy_labels", noisy), ("with_singleton", singleton)]:
    for metric in ["euclidean", "cosine"]:
        cases.append({
            "name": f"{name}_{metric}", "metric": metric, "labels": labels.tolist(),
            "mean": float(silhouette_score(x, labels, metric=metric)),
            "samples": [round(v, 12) for v in silhouette_samples(x, labels, metric=metric).tolist()],
        })
path = pathlib.Path(__file__).resolve().parent.parent / "tests/ImageCluster.Tests/Fixtures/silhouette.json"
path.write_text(json.dumps({"sklearn": sklearn.__version__, "x": x.tolist(), "cases": cases}) + "\n")
print(f"wrote {path} ({len(cases)} cases, scikit-learn {sklearn.__version__})")

#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/metrics.json with scikit-learn as the oracle.

Test-time only: needs Debian's python3-sklearn (apt-get install -y python3-sklearn); the product never runs it.
Usage: /usr/bin/python3 tools/make_metric_fixtures.py
"""
import json
import pathlib

import numpy as np
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn import metrics
from sklearn.metrics.cluster import contingency_matrix

rng = np.random.default_rng(2019)
cases = [
    ("identical", [0, 0, 1, 1], [0, 0, 1, 1]),
    ("permuted", [0, 0, 1, 1], [1, 1, 0, 0]),
    ("split", [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]),
    ("merge", [0, 0, 1, 2], [0, 0, 1, 1]),
    ("one_cluster", [0, 1, 2, 3], [0, 0, 0, 0]),
    ("all_singletons", [0, 0, 0, 0], [0, 1, 2, 3]),
    ("with_noise", [0, 0, 1, 1, 2, 2, 2], [-1, 0, 0, 1, 1, -1, 1]),
    ("random_300", rng.integers(0, 5, 300).tolist(), rng.integers(0, 7, 300).tolist()),
    ("noisy_blocks_500", np.repeat(np.arange(10), 50).tolist(),
     np.where(rng.random(500) < 0.8, np.repeat(np.arange(10), 50), rng.integers(0, 12, 500)).tolist()),
]


def hungarian_accuracy(truth, pred):
    table = contingency_matrix(truth, pred)
    rows, cols = linear_sum_assignment(-table)
    return table[rows, cols].sum() / len(truth)


out = []
for name, truth, pred in cases:
    h, c, v = metrics.homogeneity_completeness_v_measure(truth, pred)
    out.append({
        "name": name, "truth": truth, "predicted": pred,
        "rand": metrics.rand_score(truth, pred),
        "adjusted_rand": metrics.adjusted_rand_score(truth, pred),
        "nmi": metrics.normalized_mutual_info_score(truth, pred),
        "ami": metrics.adjusted_mutual_info_score(truth, pred),
        "hungarian_accuracy": float(hungarian_accuracy(truth, pred)),
        "homogeneity": h, "completeness": c, "v_measure": v,
    })
path = pathlib.Path(__file__).resolve().parent.parent / "tests/ImageCluster.Tests/Fixtures/metrics.json"
path.write_text(json.dumps({"sklearn": sklearn.__version__, "cases": out}, indent=1) + "\n")
print(f"wrote {path} ({len(out)} cases, scikit-learn {sklearn.__version__})")

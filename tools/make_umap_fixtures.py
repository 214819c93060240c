#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/umap.json: data to judge UMAP layouts by, and the trustworthiness oracle.

Test-time only: needs Debian's python3-sklearn (1.2.1), whose bundled iris and digits data sets this copies (BSD-3-Clause);
umap-learn is not packaged in Debian, so layouts are judged by trustworthiness (scikit-learn's measure) and by the bar
umap-learn's own test suite sets on iris (trustworthiness >= 0.97 at 10 neighbours, test_umap_on_iris.py).
Usage: /usr/bin/python3 tools/make_umap_fixtures.py

"pca": the digits' first two principal components (numpy SVD of the centred data) and their trustworthiness at 5 and
10 neighbours, computed twice: by scikit-learn's trustworthiness, and by the same formula with a stable sort (ties between
the integer-valued distances of digits broken by index, as the C# measure does) - the test compares with the second.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.datasets import load_digits, load_iris
from sklearn.manifold import trustworthiness

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/ImageCluster.Tests/Fixtures"


def stable_trustworthiness(x, y, k):
    n = x.shape[0]
    sq = (x * x).sum(1)
    d = sq[:, None] + sq[None, :] - 2 * x @ x.T
    np.fill_diagonal(d, np.inf)
    ind_x = np.argsort(d, axis=1, kind="stable")
    rank = np.zeros((n, n), dtype=np.int64)
    rank[np.arange(n)[:, None], ind_x] = np.arange(1, n + 1)[None, :]
    sqy = (y * y).sum(1)
    dy = sqy[:, None] + sqy[None, :] - 2 * y @ y.T
    np.fill_diagonal(dy, np.inf)
    ind_y = np.argsort(dy, axis=1, kind="stable")[:, :k]
    ranks = rank[np.arange(n)[:, None], ind_y] - k
    t = ranks[ranks > 0].sum()
    return 1.0 - t * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))


def main():
    iris, digits = load_iris(), load_digits()
    x = digits.data.astype(np.float64)
    centred = x - x.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    pca = centred @ vt[:2].T
    out = {
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__},
        "iris": {"x": iris.data.tolist(), "y": iris.target.tolist()},
        "digits": {"x": digits.data.astype(int).tolist(), "y": digits.target.tolist()},
        "pca": {"embedding": pca.round(10).tolist(),
                "trustworthiness": {str(k): {"sklearn": trustworthiness(x, pca.round(10), n_neighbors=k),
                                             "stable": stable_trustworthiness(x, pca.round(10), k)} for k in (5, 10)}},
    }
    (FIXTURES / "umap.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

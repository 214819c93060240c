#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/partitioning.json with scikit-learn 1.2.1 as the oracle for
K-Means (Lloyd and Elkan from given initial centres), MiniBatch K-Means (statistics over seeds) and PCA.

Test-time only: needs Debian's python3-sklearn; the product never runs it. Reads the shared data sets from
oracle_data.json (tools/make_oracle_data.py) and writes only partitioning.json. K-Medoids comes from R instead
(tools/make_partitioning_fixtures.R).
Usage: /usr/bin/python3 tools/make_partitioning_fixtures.py
"""
import json
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "tests/ImageCluster.Tests/Fixtures"
SETS = json.loads((FIXTURES / "oracle_data.json").read_text())["sets"]


def data(name):
    return np.array(SETS[name]["x"], dtype=np.float64)


def kmeans_cases():
    """Both algorithms from the same initial rows: "first" = rows 0..k-1, otherwise rows drawn without replacement."""
    cases = []
    for name, k, rows in [("blobs", 4, "chosen"), ("blobs", 4, "first"), ("anisotropic", 3, "chosen"),
                          ("varied_density", 3, "chosen"), ("moons", 2, "first"), ("duplicates", 3, "chosen"),
                          ("one_cluster", 3, "chosen"), ("blobs_8d", 5, "chosen"), ("cnn", 10, "chosen"),
                          ("cnn", 10, "first")]:
        x = data(name)
        if rows == "first":
            init_rows = list(range(k))
        else:
            init_rows = sorted(np.random.default_rng(len(cases)).choice(len(x), k, replace=False).tolist())
        for algorithm in ["lloyd", "elkan"]:
            model = KMeans(n_clusters=k, init=x[init_rows], n_init=1, algorithm=algorithm).fit(x)
            cases.append({
                "set": name, "k": k, "algorithm": algorithm, "init_rows": init_rows,
                "labels": model.labels_.tolist(), "inertia": float(model.inertia_), "n_iter": int(model.n_iter_),
            })
    return cases


def minibatch_cases():
    """Random batches cannot follow numpy's generator, so the tests compare statistics over seeds."""
    cases = []
    for name, k, batch_size in [("blobs", 4, 1024), ("blobs_8d", 5, 1024), ("cnn", 10, 1024),
                                ("blobs_8d", 5, 64), ("cnn", 10, 64)]:
        x = data(name)
        runs = []
        for seed in range(5):
            model = MiniBatchKMeans(n_clusters=k, batch_size=batch_size, n_init=3, random_state=seed).fit(x)
            runs.append({"seed": seed, "labels": model.labels_.tolist(), "inertia": float(model.inertia_),
                         "n_steps": int(model.n_steps_)})
        cases.append({"set": name, "k": k, "batch_size": batch_size, "runs": runs,
                      "mean_inertia": float(np.mean([r["inertia"] for r in runs]))})
    return cases


def pca_cases():
    cases = []
    for name, components in [("blobs_8d", 3), ("blobs_8d", 0.95), ("cnn", 5), ("cnn", 0.95)]:
        x = data(name)
        for whiten in [False, True]:
            model = PCA(n_components=components, whiten=whiten, svd_solver="full").fit(x)
            cases.append({
                "set": name, "components": components, "whiten": whiten, "n_components": int(model.n_components_),
                "explained_variance": model.explained_variance_.tolist(),
                "explained_variance_ratio": model.explained_variance_ratio_.tolist(),
                "transformed": model.transform(x).tolist(),
            })
    return cases


def main():
    warnings.simplefilter("ignore")  # n_init's FutureWarning is about a default we set explicitly anyway
    doc = {"sklearn": sklearn.__version__, "kmeans": kmeans_cases(), "minibatch": minibatch_cases(), "pca": pca_cases()}
    path = FIXTURES / "partitioning.json"
    path.write_text(json.dumps(doc) + "\n")
    print(f"wrote {path}: {len(doc['kmeans'])} K-Means, {len(doc['minibatch'])} MiniBatch, {len(doc['pca'])} PCA cases "
          f"(scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()

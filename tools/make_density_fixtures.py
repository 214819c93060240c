#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/density.json: scikit-learn's DBSCAN and OPTICS on the oracle data sets.

Test-time only: needs Debian's python3-sklearn (1.2.1); the product never runs it. Reads oracle_data.json, writes density.json.
Usage: /usr/bin/python3 tools/make_density_fixtures.py

For every case it records what the C# tests compare: DBSCAN labels and core sample indices; OPTICS ordering, reachability,
core distances, predecessors, labels and (for xi) the cluster hierarchy. Infinite reachability is written as null.

OPTICS runs with exact float64 distances: algorithm="kd_tree" for Euclidean and an exactly summed cosine callable. With the
default brute-force path (16-d "cnn", every cosine case) scikit-learn takes the core distance from one BLAS product and the
distance to the k-th neighbour from another; they are equal in exact arithmetic but their last bits vary from run to run
(memory alignment), and since every core sample's k-th neighbour ties with its core distance, the ordering of
scikit-learn's own output changed between two runs of this script. Exact distances make the oracle reproducible.
"""
import json
import math
import pathlib

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, OPTICS

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/ImageCluster.Tests/Fixtures"

# (eps, min_samples, metric) per data set: eps around the median and the 90th percentile of the 5-NN distance, plus the
# exact grid spacing of "ties" (distance 1 = eps, sklearn counts the boundary as inside) and a cosine case where it means something.
DBSCAN_CASES = {
    "blobs": [(0.3, 5, "euclidean"), (0.5, 5, "euclidean"), (0.8, 10, "euclidean"), (1e-4, 5, "cosine")],
    "anisotropic": [(0.2, 5, "euclidean"), (0.3, 10, "euclidean")],
    "varied_density": [(0.5, 5, "euclidean"), (1.0, 8, "euclidean")],
    "moons": [(0.1, 5, "euclidean"), (0.15, 4, "euclidean"), (0.002, 5, "cosine")],
    "ties": [(1.0, 5, "euclidean"), (1.0, 4, "euclidean"), (1.5, 9, "euclidean"), (1.5, 1, "euclidean")],
    "duplicates": [(0.3, 3, "euclidean"), (0.5, 5, "euclidean"), (0.02, 4, "cosine")],
    "one_cluster": [(1.2, 5, "euclidean"), (0.003, 5, "cosine")],
    "all_noise": [(1.0, 5, "euclidean"), (3.0, 5, "euclidean")],
    "blobs_8d": [(3.5, 5, "euclidean"), (0.02, 5, "cosine")],
    "cnn": [(0.3, 5, "euclidean"), (0.35, 3, "euclidean"), (0.3, 5, "cosine")],
    "contested": [(1.0, 4, "euclidean"), (1.0, 3, "euclidean")],
}

# dict(min_samples, max_eps, metric, cluster_method, xi, eps, min_cluster_size, predecessor_correction) per data set.
def optics_cases(name):
    cases = [dict(min_samples=5), dict(min_samples=10, xi=0.1)]
    finite = {"blobs": 1.0, "anisotropic": 0.5, "varied_density": 2.0, "moons": 0.2, "ties": 1.5, "duplicates": 1.0,
              "one_cluster": 2.0, "all_noise": 4.0, "blobs_8d": 5.0, "cnn": 0.4}[name]
    cases.append(dict(min_samples=5, max_eps=finite, cluster_method="dbscan", eps=round(finite * 0.6, 6)))
    cases.append(dict(min_samples=5, max_eps=finite))
    cases.append(dict(min_samples=5, cluster_method="dbscan", eps=round(finite * 0.8, 6)))
    cases.append(dict(min_samples=4, xi=0.02, min_cluster_size=12, predecessor_correction=False))
    if name in ("blobs_8d", "cnn", "one_cluster"):
        cases.append(dict(min_samples=5, metric="cosine"))
    return cases


def exact_cosine(a, b):
    """1 - cos(a, b) with correctly rounded sums; an all-zero row is at distance 1, as in cosine_distances."""
    na, nb = math.sqrt(math.fsum(a * a)), math.sqrt(math.fsum(b * b))
    if na == 0 or nb == 0:
        return 1.0
    return min(2.0, max(0.0, 1.0 - math.fsum(a * b) / (na * nb)))


def exact_optics(params):
    """The OPTICS arguments with exact distances (see the module docstring); the case keeps scikit-learn's own names."""
    args = dict(params)
    if args.pop("metric", "euclidean") == "cosine":
        args.update(metric=exact_cosine, algorithm="brute")
    else:
        args.update(algorithm="kd_tree")
    return args


def finite_or_none(values):
    # 12 significant digits keep the file small and are far below the tests' 1e-5 tolerance.
    return [None if math.isinf(v) else float(f"{v:.12g}") for v in values]


def contested():
    """Border points within eps of two clusters: sklearn gives each to the cluster whose DFS (started from the lowest-index
    unlabelled core point) reaches it first. Sample 0 lies exactly eps = 1 from a core point of each cluster; the right-hand
    cluster has the lower core indices, the left-hand one is larger, so numbering by size and by discovery disagree."""
    right = [[1.0, 0.0], [1.5, 0.0], [2.0, 0.0], [2.5, 0.0]]
    left = [[-1.0, 0.0], [-1.5, 0.0], [-2.0, 0.0], [-2.5, 0.0], [-3.0, 0.0], [-1.25, 0.5], [-2.25, 0.4]]
    # A second contested border point (0.0, 1.2) is not within eps of any core point: noise.
    return np.array([[0.0, 0.0]] + right + left + [[0.0, 1.2], [1.75, 0.9]], dtype=np.float64)


def main():
    sets = json.loads((FIXTURES / "oracle_data.json").read_text())["sets"]
    sets["contested"] = {"x": contested().tolist()}
    dbscan, optics = [], []
    for name in DBSCAN_CASES:
        x = np.array(sets[name]["x"], dtype=np.float64)
        for eps, min_samples, metric in DBSCAN_CASES[name]:
            model = DBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(x)
            dbscan.append({
                "set": name, "eps": eps, "min_samples": min_samples, "metric": metric,
                "labels": model.labels_.tolist(), "core": model.core_sample_indices_.tolist(),
            })
        for params in optics_cases(name) if name != "contested" else []:
            model = OPTICS(**exact_optics(params)).fit(x)
            optics.append({
                "set": name, "params": params,
                "ordering": model.ordering_.tolist(),
                "reachability": finite_or_none(model.reachability_),
                "core_distances": finite_or_none(model.core_distances_),
                "predecessor": model.predecessor_.tolist(),
                "labels": model.labels_.tolist(),
                "hierarchy": model.cluster_hierarchy_.tolist() if params.get("cluster_method", "xi") == "xi" else None,
            })
    out = FIXTURES / "density.json"
    doc = {"sklearn": sklearn.__version__, "contested": sets["contested"]["x"], "dbscan": dbscan, "optics": optics}
    out.write_text(json.dumps(doc) + "\n")
    print(f"wrote {out}: {len(dbscan)} DBSCAN and {len(optics)} OPTICS cases (scikit-learn {sklearn.__version__})")
    for c in dbscan:
        labels = np.array(c["labels"])
        print(f"  dbscan {c['set']} eps={c['eps']} min_samples={c['min_samples']} {c['metric']}: "
              f"{labels.max() + 1} clusters, {np.sum(labels < 0)} noise, {len(c['core'])} core")
    for c in optics:
        labels = np.array(c["labels"])
        print(f"  optics {c['set']} {c['params']}: {labels.max() + 1} clusters, {np.sum(labels < 0)} noise")


if __name__ == "__main__":
    main()

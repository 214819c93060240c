#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/hierarchy.json: scikit-learn and SciPy answers for Agglomerative and Birch.

Test-time only: needs Debian's python3-sklearn (1.2.1) and python3-scipy (1.10.1); the product never runs it.
Reads tests/ImageCluster.Tests/Fixtures/oracle_data.json (tools/make_oracle_data.py) and writes only hierarchy.json.
Usage: /usr/bin/python3 tools/make_hierarchy_fixtures.py

Contents:
  trees  - merge heights of scipy.cluster.hierarchy.linkage (what AgglomerativeClustering runs) per set, linkage and
           metric; the full linkage matrix Z for a few of them.
  cuts   - AgglomerativeClustering labels for n_clusters and distance_threshold cuts. A cut that falls inside a run of
           (nearly) equal heights depends on tie order; such cases carry "ambiguous" plus the partitions just below
           ("lower") and at ("upper") the tied height, which any valid answer lies between.
  sim    - elcorto/imagecluster's calc.cluster cut: Z = linkage(pdist(X, metric), method), then
           fcluster(Z, t=pdist.max() * (1 - sim), criterion='distance'); clusters smaller than min_csize are not
           reported (label -1 here).
  birch  - Birch(threshold, branching_factor, n_clusters) labels, subcluster centres and subcluster labels.
"""
import json
import pathlib
import warnings

import numpy as np
import scipy
import sklearn
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist
from sklearn.cluster import AgglomerativeClustering, Birch
from sklearn.exceptions import ConvergenceWarning

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests/ImageCluster.Tests/Fixtures"
SETS = ["blobs", "anisotropic", "varied_density", "moons", "ties", "duplicates", "one_cluster", "cnn", "blobs_8d"]
LINKAGES = ["ward", "complete", "average", "single"]
FULL_Z = {("blobs", "ward", "euclidean"), ("duplicates", "average", "euclidean"), ("cnn", "complete", "cosine")}
SIMS = [0.0, 0.5, 0.8, 1.0]
TIE = 1e-6  # relative: closer heights than this may be ordered differently by a float32-input implementation


def digits12(values):
    """12 significant digits: far below every tolerance the tests use, and a smaller fixture."""
    return [float(f"{v:.12g}") for v in np.ravel(values)]


def close(a, b):
    return abs(a - b) <= TIE * max(abs(a), abs(b))


def fcluster_labels(z, t):
    return hierarchy.fcluster(z, t=t, criterion="distance").tolist()


def metrics_for(x, linkage):
    # Cosine is undefined for an all-zero row (the ties grid has one); ward is Euclidean only.
    cosine_ok = linkage != "ward" and np.all(np.linalg.norm(x, axis=1) > 0)
    return ["euclidean", "cosine"] if cosine_ok else ["euclidean"]


def agglomerative_cases(name, x, y, trees, cuts):
    n = len(x)
    k_true = len(set(y))
    for linkage in LINKAGES:
        for metric in metrics_for(x, linkage):
            z = hierarchy.linkage(pdist(x, metric), method=linkage)
            heights = z[:, 2]
            tree = {"set": name, "linkage": linkage, "metric": metric, "heights": digits12(heights)}
            if (name, linkage, metric) in FULL_Z:
                tree["z"] = [digits12(row) for row in z]
            trees.append(tree)
            for k in sorted({1 if k_true == 1 else 2, k_true, 7}):
                model = AgglomerativeClustering(n_clusters=k, linkage=linkage, metric=metric).fit(x)
                case = {"name": f"{name}_{linkage}_{metric}_k{k}", "set": name, "linkage": linkage, "metric": metric,
                        "n_clusters": k, "labels": model.labels_.tolist()}
                # Merges 0..n-k-1 are performed; the cut is ambiguous if the last performed and first undone tie.
                if 1 < k < n and close(heights[n - k - 1], heights[n - k]):
                    h = heights[n - k]
                    case.update(ambiguous=True, lower=fcluster_labels(z, h * (1 - 10 * TIE)),
                                upper=fcluster_labels(z, h * (1 + 10 * TIE)))
                cuts.append(case)
            # A distance threshold in the middle of a clear gap between two consecutive heights.
            for k in range(k_true + 2, n):
                low, high = heights[n - k - 1], heights[n - k]
                if high - low > 1e-3 * high:
                    threshold = float(np.round((low + high) / 2, 6))
                    model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, linkage=linkage,
                                                    metric=metric).fit(x)
                    cuts.append({"name": f"{name}_{linkage}_{metric}_t{threshold}", "set": name, "linkage": linkage,
                                 "metric": metric, "distance_threshold": threshold, "labels": model.labels_.tolist(),
                                 "n_clusters_found": int(model.n_clusters_)})
                    break


def imagecluster_cut(x, sim, method, metric, min_csize):
    """elcorto/imagecluster calc.cluster, returning a label per sample (-1 = in a cluster below min_csize)."""
    dfps = pdist(x, metric)
    z = hierarchy.linkage(dfps, method=method, metric=metric)
    t = dfps.max() * (1.0 - sim)
    cut = hierarchy.fcluster(z, t=t, criterion="distance")
    sizes = {c: int(np.sum(cut == c)) for c in np.unique(cut)}
    labels = [int(c) if sizes[c] >= min_csize else -1 for c in cut]
    # How far the nearest subtree maximum lies from t: below TIE the cut could flip with float32 input.
    max_dist = hierarchy.maxdists(z)
    nonzero = max_dist[max_dist != t]
    margin = float(np.min(np.abs(nonzero - t)) / max(t, 1e-300)) if len(nonzero) else 1.0
    return labels, float(t), margin


def sim_cases(name, x, out):
    combos = [("average", "euclidean", 2), ("ward", "euclidean", 2), ("complete", "euclidean", 2),
              ("single", "euclidean", 1)]
    if "cosine" in metrics_for(x, "average"):
        combos.append(("average", "cosine", 2))
    for method, metric, min_csize in combos:
        for sim in SIMS:
            labels, t, margin = imagecluster_cut(x, sim, method, metric, min_csize)
            out.append({"name": f"{name}_{method}_{metric}_sim{sim}_min{min_csize}", "set": name, "method": method,
                        "metric": metric, "sim": sim, "min_csize": min_csize, "t": t, "margin": margin,
                        "labels": labels})


def birch_cases(name, x, y, out):
    median = float(np.median(pdist(x)))
    combos = [(0.5, 50, 3), (float(np.round(0.05 * median, 4)), 10, len(set(y))),
              (float(np.round(0.15 * median, 4)), 5, None)]
    for threshold, branching, n_clusters in combos:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model = Birch(threshold=threshold, branching_factor=branching, n_clusters=n_clusters).fit(x)
        skipped = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        out.append({"name": f"{name}_t{threshold}_b{branching}_k{n_clusters}", "set": name, "threshold": threshold,
                    "branching_factor": branching, "n_clusters": n_clusters, "skipped": skipped,
                    "labels": model.labels_.tolist(), "subcluster_centers": [digits12(c) for c in model.subcluster_centers_],
                    "subcluster_labels": model.subcluster_labels_.tolist()})


def main():
    sets = json.loads((ROOT / "oracle_data.json").read_text())["sets"]
    trees, cuts, sims, birch = [], [], [], []
    for name in SETS:
        x = np.array(sets[name]["x"], dtype=np.float64)
        y = sets[name]["y"]
        agglomerative_cases(name, x, y, trees, cuts)
        sim_cases(name, x, sims)
        birch_cases(name, x, y, birch)
    doc = {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "trees": trees, "cuts": cuts, "sim": sims,
           "birch": birch}
    path = ROOT / "hierarchy.json"
    path.write_text(json.dumps(doc) + "\n")
    ambiguous = sum(1 for c in cuts if c.get("ambiguous"))
    print(f"wrote {path}: {len(trees)} trees, {len(cuts)} cuts ({ambiguous} ambiguous), {len(sims)} sim cuts, "
          f"{len(birch)} birch fits (scikit-learn {sklearn.__version__}, SciPy {scipy.__version__})")


if __name__ == "__main__":
    main()

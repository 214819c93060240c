#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/graph.json: the fuzzy neighbour graph, Leiden partitions, spectral clustering.

Test-time only: needs Debian's python3-igraph (0.10.2), python3-leidenalg (0.9.1) and python3-sklearn (1.2.1); the
product never runs them.
Reads oracle_data.json, writes graph.json. Usage: /usr/bin/python3 tools/make_graph_fixtures.py

- "karate": Zachary's karate club (igraph's Graph.Famous), unweighted, with the best modularity leidenalg finds over
  100 seeds (the known optimum is 0.4198, four communities).
- For some oracle data sets: exact k-nearest neighbours (float64, ties by index), UMAP's fuzzy simplicial set written
  out here in numpy the way umap-learn 0.5 computes it (smooth_knn_dist with local_connectivity 1, bandwidth 1, then the
  fuzzy union a + b - ab; umap-learn itself is not packaged in Debian), the graph's edges, and leidenalg's
  RBConfigurationVertexPartition (modularity with a resolution) at a few resolutions: the best over 20 seeds, with its
  quality and membership.
- On the same graphs, with k = the data set's number of classes: the k smallest eigenvalues of the normalised Laplacian
  (numpy's dense eigh: exact) and scikit-learn's SpectralClustering(affinity="precomputed", random_state=0) labels.
"""
import json
import math
import pathlib

import igraph as ig
import leidenalg as la
import numpy as np
import sklearn
from scipy.sparse.csgraph import laplacian
from sklearn.cluster import SpectralClustering

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/ImageCluster.Tests/Fixtures"

CASES = {
    "blobs": [(10, "euclidean")],
    "moons": [(10, "euclidean")],
    "varied_density": [(15, "euclidean")],
    "blobs_8d": [(15, "cosine")],
    "cnn": [(15, "cosine"), (5, "euclidean")],
}
RESOLUTIONS = [0.5, 1.0, 2.0]


def knn(x, k, metric):
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1)
        unit = x / np.where(norms == 0, 1, norms)[:, None]
        d = 1 - unit @ unit.T
        d[norms == 0, :] = 1
        d[:, norms == 0] = 1
    else:
        sq = (x * x).sum(1)
        d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0))
    np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(d, order, 1)


def smooth_knn_dist(distances, k):
    target = math.log2(k + 1)
    n = distances.shape[0]
    rho = np.zeros(n)
    sigma = np.zeros(n)
    mean_all = distances.mean()
    for i in range(n):
        row = distances[i]
        nonzero = row[row > 0]
        rho[i] = nonzero[0] if len(nonzero) >= 1 else 0.0
        lo, hi, mid = 0.0, math.inf, 1.0
        for _ in range(64):
            psum = 0.0
            for d in row:
                s = d - rho[i]
                psum += math.exp(-s / mid) if s > 0 else 1.0
            if abs(psum - target) < 1e-5:
                break
            if psum > target:
                hi = mid
                mid = (lo + hi) / 2
            else:
                lo = mid
                mid = mid * 2 if hi == math.inf else (lo + hi) / 2
        sigma[i] = mid
        scale = row.mean() if rho[i] > 0 else mean_all
        sigma[i] = max(sigma[i], 1e-3 * scale)
    return rho, sigma


def fuzzy_graph(x, k, metric):
    idx, dist = knn(x, k, metric)
    rho, sigma = smooth_knn_dist(dist, k)
    n = x.shape[0]
    a = np.zeros((n, n))
    for i in range(n):
        for j in range(k):
            s = dist[i, j] - rho[i]
            a[i, idx[i, j]] = 1.0 if s <= 0 or sigma[i] == 0 else math.exp(-s / sigma[i])
    w = a + a.T - a * a.T
    np.fill_diagonal(w, 0)
    return w


def modularity(w, membership, resolution):
    """Sum over communities of (weight inside, both directions) - resolution * degree sum^2 / 2m, over 2m. Written out:
    python-igraph 0.10.2's Graph.modularity gave the same value whatever its resolution argument."""
    membership = np.array(membership)
    degree = w.sum(1)
    m2 = degree.sum()
    total = 0.0
    for c in set(membership.tolist()):
        inside = membership == c
        total += w[np.ix_(inside, inside)].sum() - resolution * degree[inside].sum() ** 2 / m2
    return total / m2


def best_partition(graph, weights, resolution, seeds):
    best = None
    for seed in range(seeds):
        p = la.find_partition(graph, la.RBConfigurationVertexPartition, weights=weights,
                              resolution_parameter=resolution, n_iterations=-1, seed=seed)
        if best is None or p.quality() > best.quality():
            best = p
    return best


def main():
    sets = json.loads((FIXTURES / "oracle_data.json").read_text())["sets"]
    out = {"versions": {"igraph": ig.__version__, "leidenalg": la.version, "numpy": np.__version__, "sklearn": sklearn.__version__}}

    karate = ig.Graph.Famous("Zachary")
    p = max((la.find_partition(karate, la.ModularityVertexPartition, n_iterations=-1, seed=s) for s in range(100)),
            key=lambda p: p.quality())
    out["karate"] = {"edges": karate.get_edgelist(), "modularity": karate.modularity(p.membership), "membership": p.membership}

    cases = []
    for name, settings in CASES.items():
        x = np.array(sets[name]["x"], dtype=np.float64)
        for k, metric in settings:
            w = fuzzy_graph(x, k, metric)
            rows, cols = np.nonzero(np.triu(w))
            graph = ig.Graph(n=x.shape[0], edges=list(zip(rows.tolist(), cols.tolist())))
            weights = w[rows, cols].tolist()
            partitions = []
            for resolution in RESOLUTIONS:
                p = best_partition(graph, weights, resolution, 20)
                partitions.append({"resolution": resolution, "modularity": modularity(w, p.membership, resolution),
                                   "clusters": len(p), "membership": p.membership})
            classes = len(set(sets[name]["y"]))
            eigenvalues = np.linalg.eigvalsh(laplacian(w, normed=True))[:classes]
            spectral = SpectralClustering(n_clusters=classes, affinity="precomputed", random_state=0).fit(w)
            cases.append({"set": name, "k": k, "metric": metric,
                          "edges": [[int(r), int(c), float(v)] for r, c, v in zip(rows, cols, weights)],
                          "partitions": partitions,
                          "spectral": {"clusters": classes, "eigenvalues": eigenvalues.tolist(), "labels": spectral.labels_.tolist()}})
    out["cases"] = cases
    (FIXTURES / "graph.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/diagnostics.json: scikit-learn / SciPy answers for the diagnostics
(Davies-Bouldin, Calinski-Harabasz, k-distance curves, Hopkins, the Kneedle knee rule) and the supervised baseline
(StratifiedKFold folds, multinomial LogisticRegression and KNeighborsClassifier per fold).

Test-time only: needs Debian's python3-sklearn (1.2.1) and python3-scipy; the product never runs it.
Reads only tests/ImageCluster.Tests/Fixtures/oracle_data.json (the data every oracle shares).
Usage: /usr/bin/python3 tools/make_diagnostics_fixtures.py
"""
import json
import pathlib
import warnings

import numpy as np
import scipy
import sklearn
from scipy.spatial import cKDTree
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/ImageCluster.Tests/Fixtures"
SETS = json.loads((FIXTURES / "oracle_data.json").read_text())["sets"]


def data(name):
    s = SETS[name]
    return np.array(s["x"], dtype=np.float64), np.array(s["y"])


def f32(a):
    """Values the C# side (float32) reads back exactly."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def knee(x, y, decreasing, sensitivity=1.0):
    """The knee rule the C# Kneedle class documents: normalise both axes to [0, 1]; the difference curve is the
    height of the chord above the curve (1 - x - y for a decreasing curve, x - y for an increasing one); the knee is
    its first maximum, reported only when that maximum exceeds sensitivity * mean spacing of the normalised x."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or y.max() == y.min():
        return None  # a flat curve has no knee
    xn = (x - x.min()) / (x.max() - x.min())
    yn = (y - y.min()) / (y.max() - y.min())
    diff = (1 - xn - yn) if decreasing else (xn - yn)
    i = int(np.argmax(diff))
    return i if diff[i] > sensitivity * np.mean(np.diff(xn)) else None


def indices_cases():
    cases = []
    for name in ["blobs", "varied_density", "blobs_8d", "cnn", "duplicates"]:
        x, y = data(name)
        cases.append((name, "truth", y))
    x, y = data("blobs")
    rng = np.random.default_rng(5)
    noisy = np.where(rng.random(len(y)) < 0.1, -1, y)
    cases.append(("blobs", "with_noise", noisy))
    km = KMeans(n_clusters=6, n_init=10, random_state=0).fit(data("cnn")[0]).labels_
    cases.append(("cnn", "kmeans6", km))
    out = []
    for name, label_name, labels in cases:
        x, _ = data(name)
        keep = labels != -1
        out.append({
            "set": name, "labels_name": label_name, "labels": labels.tolist(),
            "davies_bouldin": float(davies_bouldin_score(x, labels)),
            "calinski_harabasz": float(calinski_harabasz_score(x, labels)),
            "davies_bouldin_ignore_noise": float(davies_bouldin_score(x[keep], labels[keep])),
            "calinski_harabasz_ignore_noise": float(calinski_harabasz_score(x[keep], labels[keep])),
        })
    return out


def k_distance_cases():
    out = []
    for name, min_samples in [("blobs", 5), ("duplicates", 4), ("cnn", 10), ("ties", 3), ("moons", 2)]:
        x, _ = data(name)
        dist = NearestNeighbors(n_neighbors=min_samples).fit(x).kneighbors(x)[0][:, -1]
        curve = np.sort(dist)
        i = knee(np.arange(len(curve)), curve, decreasing=False)
        out.append({"set": name, "min_samples": min_samples, "distances": dist.tolist(),
                    "knee_index": i, "eps": None if i is None else float(curve[i])})
    return out


def hopkins_cases():
    out = []
    for name, seed in [("blobs", 1), ("all_noise", 2), ("duplicates", 3), ("cnn", 4), ("one_cluster", 5)]:
        x, _ = data(name)
        n, d = x.shape
        m = min(n, max(10, -(-n // 10)))  # the C# default: ceil(n / 10), at least 10, at most n
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n, m, replace=False))
        uniform = f32(rng.uniform(x.min(axis=0), x.max(axis=0), size=(m, d)))
        tree = cKDTree(x)
        u = tree.query(uniform, k=1)[0]
        w = tree.query(x[sample], k=2)[0][:, 1]  # nearest OTHER point (a duplicate counts, at distance 0)
        case = {"set": name, "m": m, "sample": sample.tolist(), "uniform": uniform.tolist(),
                "u": u.tolist(), "w": w.tolist()}
        for power in sorted({1, d}):
            case[f"h_power_{power}"] = float(np.sum(u ** power) / (np.sum(u ** power) + np.sum(w ** power)))
        out.append(case)
    return out


def knee_cases():
    x, _ = data("blobs")
    ks = list(range(1, 11))
    inertias = [float(KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).inertia_) for k in ks]
    curves = [
        {"name": "blobs_inertia", "x": ks, "y": inertias, "decreasing": True},
        {"name": "line", "x": ks, "y": [10.0 - k for k in ks], "decreasing": True},
        {"name": "hyperbola", "x": ks, "y": [1.0 / k for k in ks], "decreasing": True},
        {"name": "concave", "x": ks, "y": [100.0 - k * k for k in ks], "decreasing": True},
        {"name": "increasing_convex", "x": ks, "y": [float(np.exp(k / 2)) for k in ks], "decreasing": False},
    ]
    for c in curves:
        c["knee_index"] = knee(c["x"], c["y"], c["decreasing"])
    return curves


def supervised_cases():
    out = []
    for name in ["cnn", "blobs_8d"]:
        x, y = data(name)
        folds = []
        for train, test in StratifiedKFold(n_splits=5, shuffle=False).split(x, y):
            lr = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1.0, max_iter=1000).fit(x[train], y[train])
            tight = LogisticRegression(multi_class="multinomial", solver="newton-cg", C=1.0, max_iter=1000,
                                       tol=1e-8).fit(x[train], y[train])  # the optimum itself
            knn = KNeighborsClassifier(n_neighbors=5).fit(x[train], y[train])
            folds.append({
                "test": test.tolist(),
                "lr_coef": lr.coef_.tolist(), "lr_intercept": lr.intercept_.tolist(),
                "lr_tight_coef": tight.coef_.tolist(), "lr_tight_intercept": tight.intercept_.tolist(),
                "lr_predictions": lr.predict(x[test]).tolist(), "lr_accuracy": float(lr.score(x[test], y[test])),
                "knn_algorithm": knn._fit_method,
                "knn_predictions": knn.predict(x[test]).tolist(), "knn_accuracy": float(knn.score(x[test], y[test])),
            })
        out.append({"set": name, "folds": folds})
    return out


def fold_cases():
    """Fold assignment alone, on label vectors whose classes appear out of order and one with a tiny class."""
    out = []
    rng = np.random.default_rng(9)
    for name, y in [("shuffled", rng.integers(0, 4, 53)),
                    ("tiny_class", np.array([2] * 9 + [0] * 12 + [1] * 3 + [2] * 4 + [0] * 2)),
                    ("strings_order", np.array([5, 3, 5, 1, 3, 3, 5, 1, 1, 5, 3, 5, 1, 3, 5, 5]))]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            folds = [test.tolist() for _, test in StratifiedKFold(n_splits=5).split(np.zeros(len(y)), y)]
        out.append({"name": name, "y": y.tolist(), "folds": folds,
                    "warning": next((str(w.message) for w in caught), None)})
    return out


def main():
    doc = {
        "sklearn": sklearn.__version__, "scipy": scipy.__version__,
        "indices": indices_cases(), "k_distance": k_distance_cases(), "hopkins": hopkins_cases(),
        "knee": knee_cases(), "supervised": supervised_cases(), "folds": fold_cases(),
    }
    path = FIXTURES / "diagnostics.json"
    path.write_text(json.dumps(doc) + "\n")
    print(f"wrote {path} (scikit-learn {sklearn.__version__}, SciPy {scipy.__version__})")


if __name__ == "__main__":
    main()

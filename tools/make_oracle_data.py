#!/usr/bin/python3
"""Writes tests/ImageCluster.Tests/Fixtures/oracle_data.json: the small data sets every clustering oracle runs on.

Test-time only (Debian python3-sklearn); the product never runs it. The other make_*_fixtures scripts read this file,
so every oracle (scikit-learn and R) sees exactly the same numbers, and so do the C# tests.

Usage:
  imagecluster embed ../shared/datasets/oxford17_flowers/images --out /tmp/oxford17.features.csv
  /usr/bin/python3 tools/make_oracle_data.py /tmp/oxford17.features.csv ../shared/datasets/oxford17_flowers/labels.csv

Values are rounded to 4 decimals after a float32 round trip, so C# (float32) and the oracles (float64) read the same data.
"""
import csv
import json
import pathlib
import sys

import numpy as np
from sklearn.datasets import make_blobs, make_moons
from sklearn.decomposition import PCA


def exact(x):
    return np.asarray(x, dtype=np.float32).round(4).astype(np.float32).astype(np.float64)


def cnn_features(features_csv, labels_csv, classes=10, per_class=20, dims=16):
    """A few hundred real CNN vectors (MobileNetV2, Oxford 17 flowers), PCA-reduced so the fixture stays small."""
    with open(labels_csv) as f:
        label_of = {row["path"].split("/", 1)[-1]: row["label"] for row in csv.DictReader(f)}
    with open(features_csv) as f:
        reader = csv.reader(f)
        next(reader)
        rows = [(r[0], np.array(r[1:], dtype=np.float64)) for r in reader]
    chosen, y, taken = [], [], {}
    wanted = sorted(set(label_of.values()))[:classes]
    for path, vector in sorted(rows, key=lambda r: r[0]):
        label = label_of.get(path)
        if label in wanted and taken.get(label, 0) < per_class:
            taken[label] = taken.get(label, 0) + 1
            chosen.append(vector)
            y.append(wanted.index(label))
    x = np.array(chosen)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return PCA(n_components=dims, random_state=0).fit_transform(x), np.array(y)


def main():
    sets = {}
    x, y = make_blobs(n_samples=300, n_features=2, centers=4, cluster_std=0.7, random_state=1)
    sets["blobs"] = (x, y)
    x, y = make_blobs(n_samples=300, n_features=2, centers=3, random_state=170)
    sets["anisotropic"] = (x @ np.array([[0.6, -0.6], [-0.4, 0.8]]), y)
    x, y = make_blobs(n_samples=300, n_features=2, centers=3, cluster_std=[0.5, 1.5, 3.0], random_state=170)
    sets["varied_density"] = (x, y)
    x, y = make_moons(n_samples=200, noise=0.06, random_state=3)
    sets["moons"] = (x, y)
    # A grid: many exactly equal distances, so tie-breaking rules matter.
    g = np.array([[i, j] for i in range(8) for j in range(8)], dtype=np.float64)
    sets["ties"] = (g, (g[:, 0] >= 4).astype(int) * 2 + (g[:, 1] >= 4).astype(int))
    base, yb = make_blobs(n_samples=60, n_features=3, centers=3, cluster_std=0.5, random_state=5)
    sets["duplicates"] = (np.vstack([base, base[:30], base[:10]]), np.concatenate([yb, yb[:30], yb[:10]]))
    x, _ = make_blobs(n_samples=80, n_features=4, centers=1, cluster_std=1.0, random_state=11)
    sets["one_cluster"] = (x, np.zeros(80, dtype=int))
    rng = np.random.default_rng(13)
    sets["all_noise"] = (rng.uniform(-10, 10, size=(60, 2)) * np.array([1, 1]), np.zeros(60, dtype=int))
    x, y = make_blobs(n_samples=400, n_features=8, centers=5, cluster_std=1.5, random_state=21)
    sets["blobs_8d"] = (x, y)
    if len(sys.argv) == 3:
        sets["cnn"] = cnn_features(sys.argv[1], sys.argv[2])
    else:
        old = json.loads(OUT.read_text())["sets"]["cnn"]
        sets["cnn"] = (np.array(old["x"]), np.array(old["y"]))
        print("kept the committed cnn set (pass FEATURES_CSV LABELS_CSV to rebuild it)")
    doc = {name: {"x": exact(x).tolist(), "y": [int(v) for v in y]} for name, (x, y) in sets.items()}
    OUT.write_text(json.dumps({"sets": doc}) + "\n")
    print(f"wrote {OUT}: " + ", ".join(f"{k} {len(v['y'])}×{len(v['x'][0])}" for k, v in doc.items()))


OUT = pathlib.Path(__file__).resolve().parent.parent / "tests/ImageCluster.Tests/Fixtures/oracle_data.json"
if __name__ == "__main__":
    main()

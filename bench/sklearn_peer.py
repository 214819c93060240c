#!/usr/bin/python3
"""The scikit-learn side of `ImageCluster.Bench algorithms`: makes the shared data and times scikit-learn on it.

Benchmark-time only (Debian python3-sklearn; install libopenblas0-pthread too, or NumPy runs on the reference BLAS and
the comparison flatters us). Never used by the product or the tests.

  sklearn_peer.py make --n N --d D --centers C --seed S --out FILE      float32 row-major blobs → FILE (+ FILE.labels)
  sklearn_peer.py time CASE --data FILE --n N --d D [--k K] [--eps E] [--min-samples M] [--threshold T] [--repeat R]
prints one JSON line: {"case", "seconds": [...], "blas", "result": {...}}
"""
import argparse
import json
import time

import numpy as np
import threadpoolctl


def load(args):
    return np.fromfile(args.data, dtype=np.float32).reshape(args.n, args.d)


def run_case(case, x, args, truth):
    from sklearn import cluster, metrics
    if case == "kmeans":
        m = cluster.KMeans(n_clusters=args.k, n_init=args.n_init, random_state=0, algorithm="lloyd").fit(x)
        return {"inertia": float(m.inertia_), "iterations": int(m.n_iter_), "labels": m.labels_}
    if case == "kmeans-elkan":
        m = cluster.KMeans(n_clusters=args.k, n_init=args.n_init, random_state=0, algorithm="elkan").fit(x)
        return {"inertia": float(m.inertia_), "iterations": int(m.n_iter_), "labels": m.labels_}
    if case == "minibatch-kmeans":
        m = cluster.MiniBatchKMeans(n_clusters=args.k, n_init=3, random_state=0, batch_size=1024).fit(x)
        return {"inertia": float(m.inertia_), "labels": m.labels_}
    if case == "dbscan":
        m = cluster.DBSCAN(eps=args.eps, min_samples=args.min_samples).fit(x)
        return {"clusters": int(m.labels_.max() + 1), "noise": int((m.labels_ < 0).sum()), "labels": m.labels_}
    if case == "optics":
        m = cluster.OPTICS(min_samples=args.min_samples, max_eps=args.max_eps).fit(x)
        return {"clusters": int(m.labels_.max() + 1), "noise": int((m.labels_ < 0).sum()), "labels": m.labels_}
    if case == "ward":
        m = cluster.AgglomerativeClustering(n_clusters=args.k, linkage="ward").fit(x)
        return {"clusters": int(m.labels_.max() + 1), "labels": m.labels_}
    if case == "birch":
        m = cluster.Birch(n_clusters=args.k, threshold=args.threshold).fit(x)
        return {"clusters": int(m.labels_.max() + 1), "subclusters": len(m.subcluster_centers_), "labels": m.labels_}
    if case == "load":
        return {"rows": len(x)}
    if case == "silhouette":
        return {"silhouette": float(metrics.silhouette_score(x, truth))}
    raise SystemExit(f"unknown case {case}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command")
    p.add_argument("case", nargs="?")
    p.add_argument("--data")
    p.add_argument("--out")
    p.add_argument("--n", type=int)
    p.add_argument("--d", type=int)
    p.add_argument("--centers", type=int, default=20)
    p.add_argument("--std", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--n-init", type=int, default=10)
    p.add_argument("--eps", type=float, default=0.5)
    p.add_argument("--max-eps", type=float, default=np.inf)
    p.add_argument("--min-samples", type=int, default=5)
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--labels-out")
    args = p.parse_args()
    if args.command == "make":
        from sklearn.datasets import make_blobs
        x, y = make_blobs(n_samples=args.n, n_features=args.d, centers=args.centers, cluster_std=args.std, random_state=args.seed)
        x.astype(np.float32).tofile(args.out)
        y.astype(np.int32).tofile(args.out + ".labels")
        return
    x = load(args)
    truth = np.fromfile(args.data + ".labels", dtype=np.int32)
    run_case(args.case, x[:2000], args, truth[:2000])  # warm-up, as the C# side warms its JIT
    seconds, result = [], None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = run_case(args.case, x, args, truth)
        seconds.append(time.perf_counter() - start)
    labels = result.pop("labels", None)
    if labels is not None and args.labels_out:
        np.asarray(labels, dtype=np.int32).tofile(args.labels_out)
    blas = [f"{i['internal_api']} {i.get('version')} {i.get('threading_layer', '')} {i['num_threads']} threads".strip()
            for i in threadpoolctl.threadpool_info()]
    import sklearn
    print(json.dumps({"case": args.case, "seconds": seconds, "sklearn": sklearn.__version__, "blas": blas, "result": result}))


if __name__ == "__main__":
    main()

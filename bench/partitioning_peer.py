#!/usr/bin/python3
"""scikit-learn's side of `ImageCluster.Bench partitioning DIR`: the same K-Means and MiniBatch K-Means runs on the
float32 file that command wrote. Benchmark only (Debian python3-sklearn).
Usage: OMP_NUM_THREADS=2 /usr/bin/python3 bench/partitioning_peer.py DIR
"""
import resource
import sys
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(folder):
    warnings.simplefilter("ignore")
    x = np.fromfile(f"{folder}/blobs_100000x256.f32", dtype=np.float32).reshape(100000, 256)
    runs = [(f"KMeans {a} n_init=1", KMeans(20, n_init=1, algorithm=a, random_state=0)) for a in ("lloyd", "elkan")]
    runs += [(f"MiniBatchKMeans n_init={i}", MiniBatchKMeans(20, n_init=i, random_state=0)) for i in (3, 1)]
    for label, model in runs:
        wall, used = time.time(), cpu()
        model.fit(x)
        steps = getattr(model, "n_steps_", model.n_iter_)
        print(f"scikit-learn {label}: {time.time() - wall:.2f} s wall, {cpu() - used:.2f} s CPU, "
              f"{steps} iterations/steps, inertia {model.inertia_:.6e}")


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/python3
"""Writes the .npy fixtures of NpyFileTests with NumPy itself (Debian's python3-numpy), the oracle for reading and writing.

Test-time only; the product never runs it. Usage, from the repository root: /usr/bin/python3 tools/make_npy_fixtures.py
"""
import json
import os

import numpy as np

out = os.path.join("tests", "ImageCluster.Tests", "Fixtures", "npy")
os.makedirs(out, exist_ok=True)

values = np.array([[0.5, -1.25, 3.0, 1e-3], [2.0, 0.0, -0.75, 7.5], [1.5, 4.25, -2.0, 0.125]])


def save(name, array, **kwargs):
    np.save(os.path.join(out, name + ".npy"), array, **kwargs)


save("float32", values.astype("<f4"))
with open(os.path.join(out, "float32.paths.txt"), "w") as f:
    f.write("a/one.jpg\nb/two.png\nthree.jpg\n")
save("float64", values.astype("<f8"))
save("float16", values.astype("<f2"))
save("bigendian", values.astype(">f4"))
with open(os.path.join(out, "version2.npy"), "wb") as f:
    np.lib.format.write_array(f, values.astype("<f4"), version=(2, 0))
save("fortran", np.asfortranarray(values.astype("<f4")))
save("threed", values.astype("<f4").reshape(3, 2, 2))
save("int32", values.astype("<i4"))
nan = values.astype("<f4")
nan[1, 2] = np.nan
save("nan", nan)
with open(os.path.join(out, "float32.npy"), "rb") as f:
    whole = f.read()
with open(os.path.join(out, "short.npy"), "wb") as f:
    f.write(whole[:-5])
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"values": values.astype("<f4").astype(float).tolist(),
               "float16": values.astype("<f2").astype(float).tolist()}, f, indent=1)

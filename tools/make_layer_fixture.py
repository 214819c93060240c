#!/usr/bin/python3
"""Regenerates tests/ImageCluster.Tests/Fixtures/layer_mobilenetv2_int8.json: an intermediate layer of the default model
(mobilenetv2_12_int8) computed by an independent runtime, OpenCV's dnn module, for one reference image.

Why OpenCV: it has its own int8 kernels for the model's QLinearConv / QLinearAdd nodes (ImageCluster uses ONNX Runtime),
reads the same file, and reproduces the model's `embedding` output (checked below), so agreement means ImageCluster reads
the right tensor with the right dequantization. The layer is 8-bit in the graph; like ImageCluster, this script adds a
DequantizeLinear with the scale and zero point the producing QLinearConv quantized it with, and reads that float output.

The fixture keeps the file small (< 200 KB): the per-channel mean and maximum of the map plus every 97th raw value
(flat index in C,H,W order), not the whole 24x56x56 tensor.

Test-time only, never needed by CI or at run time. Needs Debian's python3-onnx, python3-opencv and python3-numpy
(apt-get install -y python3-onnx python3-opencv python3-numpy) and ../shared beside the checkout.
Usage: /usr/bin/python3 tools/make_layer_fixture.py   (re-runnable; overwrites the fixture)
"""
import hashlib
import json
import pathlib
import tempfile

import cv2
import numpy as np
import onnx
from onnx import helper

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MODEL = SHARED / "models" / "mobilenetv2_12_int8.onnx"
IMAGE = "ref_00.png"  # 224x224: no resizing involved
LAYER = "489_quantized"  # output of Conv_9_quant, the 6th convolution (projection of the 2nd bottleneck, no ReLU)
STEP = 97
OUT = ROOT / "tests" / "ImageCluster.Tests" / "Fixtures" / "layer_mobilenetv2_int8.json"


def with_float_output(model, tensor):
    producer = next(n for n in model.graph.node if tensor in n.output)
    assert producer.op_type == "QLinearConv", producer.op_type
    name = tensor + "_float"
    model.graph.node.append(helper.make_node("DequantizeLinear", [tensor, producer.input[6], producer.input[7]], [name]))
    # OpenCV's importer insists on a shape for every graph output: the quantized tensor's own, from value_info.
    info = next(v for v in model.graph.value_info if v.name == tensor)
    dims = [d.dim_param or d.dim_value for d in info.type.tensor_type.shape.dim]
    model.graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, dims))
    return name, producer.name


def preprocess(path):
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert bgr.shape == (224, 224, 3), bgr.shape
    rgb = bgr[:, :, ::-1].astype(np.float32) / 255.0
    x = (rgb - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None], dtype=np.float32)


def main():
    model = onnx.load(str(MODEL))
    output, node = with_float_output(model, LAYER)
    with tempfile.TemporaryDirectory() as tmp:
        edited = pathlib.Path(tmp) / "model.onnx"
        onnx.save(model, str(edited))
        net = cv2.dnn.readNetFromONNX(str(edited))
    net.setInput(preprocess(SHARED / "models" / "reference" / "images" / IMAGE))
    layer, embedding = net.forward([output, "embedding"])
    layer = layer[0].astype(np.float64)

    # Sanity check of the oracle itself: the model's own embedding against MODELS.md's reference vector.
    with open(SHARED / "models" / "reference" / "embeddings-mobilenetv2_12_int8.csv") as f:
        rows = {r.split(",")[0]: r.strip().split(",")[1:] for r in f.readlines()[1:]}
    reference = np.array(rows[IMAGE], np.float64)
    cosine = float(embedding[0] @ reference / np.linalg.norm(embedding[0]) / np.linalg.norm(reference))
    assert cosine > 0.9999, cosine

    flat = layer.reshape(-1)
    indices = list(range(0, flat.size, STEP))
    fixture = {
        "generator": "tools/make_layer_fixture.py",
        "oracle": f"OpenCV {cv2.__version__} cv2.dnn (onnx {onnx.__version__}, numpy {np.__version__})",
        "model": MODEL.name,
        "modelSha256": hashlib.sha256(MODEL.read_bytes()).hexdigest(),
        "image": IMAGE,
        "layer": LAYER,
        "node": node,
        "convIndex": 6,
        "shape": list(layer.shape),
        "embeddingCosineToModelsMd": round(cosine, 8),
        "avg": [float(v) for v in layer.mean(axis=(1, 2))],
        "max": [float(v) for v in layer.max(axis=(1, 2))],
        "sampleStep": STEP,
        "sampleIndices": indices,
        "sampleValues": [float(flat[i]) for i in indices],
        "absMax": float(np.abs(flat).max()),
    }
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): {LAYER} {layer.shape}, embedding cosine {cosine:.6f}")


if __name__ == "__main__":
    main()

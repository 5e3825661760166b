"""How far onnxruntime's answers are from ``model.predict`` for issue 19's
LeNet-like CNN on real MNIST digits (the ONNX export of the image layers).

    Conv2D(32, 3, relu) → MaxPool2D(2) → Conv2D(64, 3, relu) → MaxPool2D(2)
    → Flatten → Dense(128, relu) → Dense(10, softmax)

trained in float32 (Adam 1e-3, batch 128, seed 0) on the first --train MNIST
training images for --epochs, exported (opset 17), then both run on the first
--test test images (pixels / 255, NHWC (n, 28, 28, 1) float32). Prints the
largest |onnxruntime − predict| over every output, how many predicted classes
agree and each one's accuracy. Needs MNIST on disk (GLASSNET_DATA_DIR) and the
``onnx`` extra:

    GLASSNET_DATA_DIR=../shared/datasets python benchmarks/onnx_conv_check.py
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import glassnet as gn


def lenet(seed: int) -> gn.Sequential:
    return gn.Sequential([
        gn.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        gn.MaxPool2D(2),
        gn.Conv2D(64, 3, activation="relu"), gn.MaxPool2D(2), gn.Flatten(),
        gn.Dense(128, activation="relu"), gn.Dense(10, activation="softmax")],
        seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=int, default=6000, help="training images")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--test", type=int, default=1000, help="test images compared")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import onnx
    import onnxruntime as ort

    xtr, ytr, xte, yte = gn.data.load_mnist(download=False)
    X = xtr[:args.train, ..., None].astype(np.float32) / np.float32(255)
    Xt = xte[:args.test, ..., None].astype(np.float32) / np.float32(255)
    net = lenet(args.seed).compile("categorical_crossentropy", "adam",
                                   learning_rate=1e-3)
    net.fit(X, ytr[:args.train], epochs=args.epochs, batch_size=128, verbose=0,
            seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lenet.onnx")
        net.export_onnx(path)
        size = os.path.getsize(path)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = session.run(None, {"input": Xt})[0]
    want = net.predict(Xt)
    diff = np.abs(got.astype(np.float64) - want)
    same = int((got.argmax(1) == want.argmax(1)).sum())
    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}, opset 17, "
          f"file {size / 1e6:.2f} MB")
    print(f"LeNet trained on {args.train} MNIST images × {args.epochs} epoch(s), "
          f"seed {args.seed}; compared on {len(Xt)} test images")
    print(f"max |onnxruntime − predict| = {diff.max():.2e}   (mean {diff.mean():.1e})")
    print(f"same predicted class: {same}/{len(Xt)}")
    print(f"accuracy: predict {np.mean(want.argmax(1) == yte[:len(Xt)]):.4f}, "
          f"onnxruntime {np.mean(got.argmax(1) == yte[:len(Xt)]):.4f}")


if __name__ == "__main__":
    main()

"""cnn — what a filter detects: an edge filter slid over a digit, with its numbers.

A Conv2D filter is a small grid of weights. At every position of the image it
computes the weighted sum of the pixels under it (and adds its bias):

    z[p, q] = Σ_{i, j} x[p + i, q + j] · K[i, j]

With K = the Sobel filter (left column +, right column −) the sum is "left
minus right": large where a bright stroke ends and the background starts on
its right, negative at the stroke's left edge, ≈ 0 on flat regions. ReLU
keeps the positive side; 2×2 max pooling keeps each square's strongest
response (the first one on ties, as in PyTorch). Training then finds such
filters by itself: the demo trains a small CNN and looks for them among its
first-layer kernels.

The digit is MNIST's first test image when $GLASSNET_DATA_DIR (or the cache)
has MNIST, else a generated outline (``glassnet.data.images``); no download.
"""

from __future__ import annotations

import numpy as np

from glassnet.data import load_mnist
from glassnet.data.images import shapes
from glassnet.errors import DataError
from glassnet.layers import Conv2D, Dense, Flatten, MaxPool2D
from glassnet.model import Sequential

SOBEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # K[i, j]


def _images(fast: bool):
    """(X train, y train, first test image, source): MNIST or shapes."""
    try:
        x, y, xt, _ = load_mnist(download=False)
        n = 2000 if fast else 10_000
        return (x[:n, ..., None].astype(np.float32) / 255, y[:n],
                xt[0, ..., None].astype(np.float32) / 255, "MNIST")
    except DataError:
        X, y = shapes(1000 if fast else 4000, 16, noise=0.05, seed=0)
        return X, y, shapes(8, 16, noise=0.0, seed=1)[0][2], "generated shapes"


def _art(a: np.ndarray, scale: float) -> list[str]:
    """One character per value: '#'/'+' strong/weak positive, '='/'-' negative."""
    def c(v):
        r = v / scale
        return "#" if r > 0.5 else "+" if r > 0.15 else "=" if r < -0.5 else \
            "-" if r < -0.15 else "·"
    return ["".join(c(v) for v in row) for row in a]


def _edge_story(p, image) -> dict:
    H, W, _ = image.shape
    conv = Conv2D(1, 3, input_shape=(H, W, 1))
    net = Sequential([conv, MaxPool2D(2)], dtype="float64")
    net.set_weights([SOBEL[:, :, None, None], np.zeros(1)])   # kernel (3, 3, 1, 1)
    pooled = net.forward(image[None].astype(np.float64))[0, :, :, 0]  # keeps z
    z = conv.z[0, :, :, 0]                                    # the filter's map
    p_, q_ = np.unravel_index(np.argmax(z), z.shape)          # strongest response
    patch = image[p_:p_ + 3, q_:q_ + 3, 0].astype(np.float64)
    terms = patch * SOBEL
    p("A 3×3 vertical-edge filter (Sobel), K[i, j]:")
    for row in SOBEL:
        p("   " + "  ".join(f"{v:+.0f}" for v in row))
    p(f"\nIts strongest response on the digit is at (p, q) = ({p_}, {q_}). The "
      "pixels under it, x[p + i, q + j]:")
    for row in patch:
        p("   " + "  ".join(f"{v:.3f}" for v in row))
    sums = " + ".join(f"{x:.3f}·{w:g}" if w >= 0 else f"{x:.3f}·({w:g})"
                      for x, w in zip(patch.ravel(), SOBEL.ravel(), strict=True))
    p(f"\nz[{p_}, {q_}] = Σ x·K = {sums}\n        = {terms.sum():.4f}   "
      f"(the layer computed {z[p_, q_]:.4f})")
    scale = float(np.abs(z).max())
    p("\nThe whole map z (# strong +, + weak +, - weak −, = strong −): bright on "
      "the left,\ndark on the right is '#'; the other way round is '='.")
    for line in _art(z, scale):
        p("   " + line)
    p(f"\nReLU keeps the '#' side; 2×2 max pooling keeps each square's strongest "
      f"response:\n{z.shape[0]}×{z.shape[1]} → {pooled.shape[0]}×{pooled.shape[1]}"
      f" values, {int((pooled > 0.5 * scale).sum())} of them strong edges.")
    return {"z": float(z[p_, q_]), "weighted_sum": float(terms.sum()),
            "positive_edges": int((z > 0.5 * scale).sum()),
            "negative_edges": int((z < -0.5 * scale).sum())}


def _learned_story(p, X, y, fast: bool) -> dict:
    H, W, _ = X.shape[1:]
    net = Sequential([Conv2D(8, 3, activation="relu", input_shape=(H, W, 1)),
                      MaxPool2D(2), Flatten(), Dense(int(y.max()) + 1, "softmax")],
                     seed=0)
    net.compile(loss="categorical_crossentropy", optimizer="adam",
                learning_rate=3e-3, metrics=["accuracy"])
    epochs = 1 if fast else 3
    p(f"\nNow a CNN learns its own 8 filters: Conv2D(8, 3×3, relu) → MaxPool2D(2) → "
      f"Dense({int(y.max()) + 1}, softmax), {len(X):,} images, {epochs} "
      f"epoch{'s' * (epochs > 1)}.")
    net.fit(X, y, epochs=epochs, batch_size=32, verbose=0, seed=0)
    acc = net.evaluate(X, y)["accuracy"]
    K = net.get_weights()[0][:, :, 0, :]                      # (3, 3, 8)
    out = {"train_accuracy": acc}
    for name, target in (("vertical", SOBEL), ("horizontal", SOBEL.T)):
        flat = K.reshape(9, -1)
        cos = (target.ravel() @ flat) / (np.linalg.norm(target) *
                                         np.linalg.norm(flat, axis=0))
        f = int(np.argmax(np.abs(cos)))
        p(f"\nThe learned filter closest to a {name} edge detector is filter {f} "
          f"(cosine similarity {cos[f]:+.2f}; −1 is the same edge, mirrored):")
        for row in K[:, :, f]:
            p("   " + "  ".join(f"{v:+.2f}" for v in row))
        out[f"{name}_similarity"] = float(cos[f])
    p(f"\nTraining accuracy {acc:.1%}. See every filter with glassnet.plots."
      "plot_filters(net, 'filters.png'), and what each one sees with "
      "plot_feature_maps(net, X[0], 'maps.png').")
    return out


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    X, y, image, source = _images(fast)
    p(f"What a convolution filter detects ({source}).\n")
    result = _edge_story(p, image)
    result.update(_learned_story(p, X, y, fast))
    result["source"] = source
    return result

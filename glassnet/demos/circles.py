"""circles — a straight line cannot separate two rings; one hidden layer can.

A model without a hidden layer draws a linear boundary (seed 000: "100
layers would, in fact, be equivalent to having only one"); the inner ring is
surrounded by the outer one, so any line gets about half of it wrong. Eight
tanh units bend the boundary into a closed curve.
"""

from __future__ import annotations

import numpy as np

from glassnet.data import circles
from glassnet.layers import Dense
from glassnet.model import Sequential


def ascii_map(net, size: int = 21) -> list[str]:
    """The predicted class over [-1.5, 1.5]², '#' inner ring, '·' outer."""
    g = np.linspace(-1.5, 1.5, size)
    xx, yy = np.meshgrid(g, g[::-1])
    cls = net.predict_classes(np.c_[xx.ravel(), yy.ravel()]).reshape(size, size)
    return ["".join("#" if c else "·" for c in row) for row in cls]


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    X, y = circles(n=400, noise=0.08, factor=0.5, seed=0)
    Xt, yt = circles(n=400, noise=0.08, factor=0.5, seed=1)
    epochs = 60 if fast else 200
    models = {
        "linear (no hidden layer)": [Dense(1, "sigmoid", input_dim=2)],
        "one hidden layer of 8 tanh units": [Dense(8, "tanh", input_dim=2),
                                             Dense(1, "sigmoid")],
    }
    p("Two rings of points, one inside the other. A model with no hidden layer "
      "can only\ndraw a straight line between them; one hidden layer can bend "
      f"it into a circle.\n(400 training points, {epochs} epochs each; accuracy "
      "on 400 fresh points.)\n")
    result, maps = {}, []
    for name, layers in models.items():
        net = Sequential(layers, seed=0)
        net.compile(loss="binary_crossentropy", optimizer="adam",
                    learning_rate=0.05, metrics=["accuracy"])
        net.fit(X, y, epochs=epochs, batch_size=32, verbose=0, seed=0)
        acc = float((net.predict_classes(Xt) == yt).mean())
        p(f"{name:<34} test accuracy {acc:.1%}")
        result["linear" if "linear" in name else "hidden"] = acc
        maps.append(ascii_map(net))
    p("\nwhat each model predicts over the plane (# = inner ring):")
    p(f"{'linear':<23}  one hidden layer")
    for left, right in zip(*maps, strict=True):
        p(f"{left}  {right}")
    return {"linear_accuracy": result["linear"], "hidden_accuracy": result["hidden"]}

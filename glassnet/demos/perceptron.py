"""perceptron — one step unit learns AND and OR, and cannot learn XOR.

The perceptron rule (Rosenblatt, 1958) nudges the weights after every
mistake: w ← w + η·(y − ŷ)·x, b ← b + η·(y − ŷ). It stops when an epoch has
no mistakes — which happens exactly when a line separates the classes
(Novikoff, 1962). XOR's classes sit on opposite corners of the square: no
line separates them, so the mistakes never stop. One hidden layer fixes it.
"""

from __future__ import annotations

import numpy as np

from glassnet.data import logic_gate
from glassnet.layers import Dense
from glassnet.model import Sequential
from glassnet.perceptron import Perceptron


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    p("A single perceptron (one step unit, two inputs) learns logic gates with "
      "the\nperceptron rule: after each mistake, w ← w + η·(y − ŷ)·x and "
      "b ← b + η·(y − ŷ).\n")
    result = {}
    for gate in ("and", "or", "xor"):
        X, y = logic_gate(gate)
        unit = Perceptron(2, learning_rate=1.0).fit(X, y, max_epochs=20)
        table = "  ".join(f"{a:.0f}{b:.0f}→{t}" for (a, b), t in zip(X, y,
                                                                     strict=True))
        p(f"{gate.upper():<4} truth table {table}")
        p(f"     mistakes per epoch: {unit.errors_per_epoch}")
        p(f"     {unit.report()}")
        result[gate] = {"converged": unit.converged, "epochs": unit.epochs_run,
                        "w": unit.w.tolist(), "b": unit.b,
                        "predictions": unit.predict(X).tolist()}
    X, y = logic_gate("xor")
    net = Sequential([Dense(4, "tanh", input_dim=2), Dense(1, "sigmoid")],
                        dtype="float64", seed=1)
    net.compile(loss="binary_crossentropy", optimizer="adam", learning_rate=0.05)
    net.fit(X, y, epochs=300 if fast else 1000, batch_size=4, verbose=0, seed=0)
    pred = net.predict_classes(X)
    acc = float((pred == y).mean())
    p(f"\nXOR with one hidden layer of 4 tanh units (2-4-1, trained by "
      f"backpropagation):\n     predictions {pred.tolist()} for targets "
      f"{y.tolist()}: accuracy {acc:.0%}")
    result["xor_hidden_layer_accuracy"] = acc
    result["xor_hidden_layer_outputs"] = np.round(net.predict(X)[:, 0], 4).tolist()
    return result

"""neuron — the weighted sum, the bias and the activation of seed 000.

Seed 000 ("Neural Networks Demystified") draws a 2-2-1 network: inputs
X1 = 1, X2 = 0.5; hidden units a1, a2 with ReLU; one sigmoid output O.
a1 receives (X1·w1) + (X2·w2) + b1 = 1·1 + 0.5·0.5 + 2 = 3.25, a2 receives
−0.3, which ReLU turns into 0; O receives 3.25·2 + 0·(−1.25) = 6.5, and
σ(6.5) ≈ 1. The article gives only a1's weights, so a2's here are chosen to
give its −0.3. (A later figure in the article shows 3.45 and 6.9: the same
computation with b1 = 2.2.)
"""

from __future__ import annotations

import numpy as np

from glassnet.glassbox import Notation, explain
from glassnet.layers import Dense
from glassnet.model import Sequential

X = np.array([[1.0, 0.5]])
NOTATION = Notation(inputs="X", hidden="a", output="O")
#: W[i, j]: from input i to unit j. a1: w1 = 1, w2 = 0.5, b1 = 2;
#: a2: w3 = −1, w4 = −0.6, b2 = 1 (→ −0.3); O: w5 = 2, w6 = −1.25, b3 = 0.
WEIGHTS = [np.array([[1.0, -1.0], [0.5, -0.6]]), np.array([2.0, 1.0]),
           np.array([[2.0], [-1.25]]), np.array([0.0])]


def model() -> Sequential:
    net = Sequential([Dense(2, "relu", input_dim=2), Dense(1, "sigmoid")],
                        dtype="float64", seed=0)
    net.set_weights(WEIGHTS)
    return net


def run(fast: bool = False, print_fn=print) -> dict:
    net = model()
    p = print_fn
    p("One neuron at a time (seed 000): each unit adds its weighted inputs and its")
    p("bias, then applies its activation function.\n")
    receipts = {}
    for key, unit in (("a1", (0, 0)), ("a2", (0, 1)), ("O", (1, 0))):
        r = explain(net, X, neuron=unit, notation=NOTATION)
        receipts[key] = r
        p(r.text() + "\n")
    p("ReLU lets a1's 3.25 through and crushes a2's −0.3 to 0; the sigmoid turns "
      f"O's {receipts['O'].sample_value:g} into {receipts['O'].value:.4f} — "
      "'basically 1'.")
    return {"a1_net": receipts["a1"].sample_value, "a1": receipts["a1"].value,
            "a2_net": receipts["a2"].sample_value, "a2": receipts["a2"].value,
            "O_net": receipts["O"].sample_value, "O": receipts["O"].value,
            "a1_text": receipts["a1"].text()}

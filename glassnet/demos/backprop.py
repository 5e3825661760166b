"""backprop — the 2-2-2 network of the backpropagation seed, number by number.

Matt Mazur's worked example (mattmazur.com/2015/03/17, retold in seed 002):
inputs i1 = 0.05, i2 = 0.10, targets 0.01 and 0.99, sigmoid units, weights
w1…w8 = 0.15, 0.20, …, 0.55, biases 0.35 (hidden) and 0.60 (output),
E_total = Σ ½(target − out)² and gradient descent with η = 0.5.

The seed keeps the biases fixed while training; glassnet trains them too,
so the 10,000-step run is shown both ways. Mazur's published results
(E_total = 0.291027924 after one step; outputs 0.015912196 and 0.984065734
after 10,000) come from code that computes the hidden layer's δ with the
output weights it has just updated; ``train_seed_order`` reproduces them.
"""

from __future__ import annotations

import numpy as np

from glassnet import optimizers
from glassnet.glassbox import Notation, explain
from glassnet.layers import Dense
from glassnet.model import Sequential

X = np.array([[0.05, 0.10]])
Y = np.array([[0.01, 0.99]])
#: glassnet stores W as (n_in, n_out): W[i, j] is the weight from i to unit j.
WEIGHTS = [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([0.35, 0.35]),
           np.array([[0.40, 0.50], [0.45, 0.55]]), np.array([0.60, 0.60])]
NOTATION = Notation(inputs="i", loss="E_total")
#: (name, (layer, "W", i, j)) in the order the seed works through them
WEIGHT_ORDER = [("w5", (1, "W", 0, 0)), ("w6", (1, "W", 1, 0)),
                ("w7", (1, "W", 0, 1)), ("w8", (1, "W", 1, 1)),
                ("w1", (0, "W", 0, 0)), ("w2", (0, "W", 1, 0)),
                ("w3", (0, "W", 0, 1)), ("w4", (0, "W", 1, 1))]
BIASES = [("b1", (0, "b", 0)), ("b2", (0, "b", 1)), ("b3", (1, "b", 0)),
          ("b4", (1, "b", 1))]


def model() -> Sequential:
    net = Sequential([Dense(2, "sigmoid", input_dim=2),
                         Dense(2, "sigmoid")], dtype="float64", seed=0)
    net.set_weights(WEIGHTS)
    net.compile(loss="half_sse", optimizer=optimizers.SGD(learning_rate=0.5))
    return net


def train(net: Sequential, steps: int, fixed_biases: bool) -> float:
    """``steps`` updates on the one sample; returns E_total afterwards.

    With ``fixed_biases`` the bias gradients are zeroed before each update,
    which is what the seed's hand calculation does.
    """
    biases = [layer.db for layer in net.layers]
    for _ in range(steps):
        net.loss_and_grads(X, Y, net.loss)
        if fixed_biases:
            for db in biases:
                db[...] = 0.0
        net.optimizer.step(net.flat_params, net.flat_grads)
    return net.loss_value(X, Y, net.loss)


def train_seed_order(net: Sequential, steps: int) -> float:
    """The seed's own loop: biases fixed, and the hidden δ computed with the
    already-updated output weights (backpropagation proper uses the weights
    of the forward pass, as ``train`` does)."""
    hidden, output = net.layers
    eta = net.optimizer.learning_rate
    for _ in range(steps):
        net.forward(X)
        h, o = hidden.a, output.a                                 # (1, 2) each
        d_out = (o - Y) * o * (1 - o)                             # δ_o
        output.W -= eta * h.T @ d_out
        hidden.W -= eta * X.T @ (d_out @ output.W.T * h * (1 - h))  # new W!
    return net.loss_value(X, Y, net.loss)


def run(fast: bool = False, print_fn=print) -> dict:
    net = model()
    p = print_fn
    p("The 2-2-2 network of the backpropagation seed (Mazur's worked example)")
    p("inputs i1 = 0.05, i2 = 0.10; targets 0.01, 0.99; sigmoid everywhere; η = 0.5\n")
    p("── Forward pass " + "─" * 50)
    for unit in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        p(explain(net, X, neuron=unit, notation=NOTATION).text())
    out = net.predict(X)[0]
    e = 0.5 * (Y[0] - out) ** 2
    p(f"\nE_o1 = ½(0.01 − {out[0]:.9g})² = {e[0]:.9g}")
    p(f"E_o2 = ½(0.99 − {out[1]:.9g})² = {e[1]:.9g}")
    p(f"E_total = E_o1 + E_o2 = {e.sum():.9g}\n")

    p("── Backward pass: every gradient and its update " + "─" * 18)
    grads, updated = {}, {}
    for name, w in WEIGHT_ORDER + BIASES:
        r = explain(net, X, Y, weight=w, update=True, notation=NOTATION)
        grads[name], updated[name] = r.value, r.update["actual"]
        p(r.text() + "\n")
    net.train_step(X, Y)  # all twelve updates at once, as the optimizer does it
    e1 = net.loss_value(X, Y, net.loss)
    p(f"After this one update of all weights and biases: E_total = {e1:.9g} "
      f"(was {e.sum():.9g}).")

    seed_net = model()
    seed_e1 = train(seed_net, 1, fixed_biases=True)
    p(f"With the biases held fixed, as in the seed: E_total = {seed_e1:.9g}.\n")
    e_seed = train(seed_net, 9_999, fixed_biases=True)
    out_seed = seed_net.predict(X)[0]
    p("── 10,000 steps " + "─" * 50)
    p(f"biases fixed (the seed's setting): E_total = {e_seed:.9g}  "
      f"outputs {out_seed[0]:.9g}, {out_seed[1]:.9g} (targets 0.01, 0.99)")
    order_net = model()
    order_e1 = train_seed_order(order_net, 1)
    order_e = train_seed_order(order_net, 9_999)
    out_order = order_net.predict(X)[0]
    p(f"Mazur's post reports E_total = 0.291027924 after one step and outputs "
      "0.015912196, 0.984065734\nafter 10,000. Its code updates w5…w8 before "
      "computing the hidden δ; doing the same here\ngives "
      f"{order_e1:.9g} and outputs {out_order[0]:.9g}, {out_order[1]:.9g} "
      f"(E_total = {order_e:.6g}).\nThe small gap is that ordering, not a "
      "different gradient.")
    result = {"E_total": float(e.sum()), "outputs": out.tolist(),
              "gradients": grads, "updated": updated, "E_after_one_step": e1,
              "E_after_one_step_fixed_biases": seed_e1, "E_10000": e_seed,
              "outputs_10000": out_seed.tolist(),
              "E_10000_seed_order": order_e,
              "outputs_10000_seed_order": out_order.tolist(),
              "E_after_one_step_seed_order": order_e1}
    if not fast:
        full = model()
        e_full = train(full, 10_000, fixed_biases=False)
        p(f"biases trained too (glassnet's default): E_total = {e_full:.9g}")
        result["E_10000_biases_trained"] = e_full
    return result

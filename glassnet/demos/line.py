"""line — fit y = m·x + b by gradient descent, one step at a time.

One linear neuron computes ŷ = m·x + b (its weight is the slope m, its bias
the intercept b). The mean squared error E = (1/n)·Σ(ŷ − y)² has the
gradients ∂E/∂m = (2/n)·Σ(ŷ − y)·x and ∂E/∂b = (2/n)·Σ(ŷ − y); each step
moves m and b a little against them: m ← m − η·∂E/∂m.
"""

from __future__ import annotations

from glassnet import optimizers
from glassnet.data import line
from glassnet.glassbox import explain
from glassnet.layers import Dense
from glassnet.model import Sequential

TRUE_M, TRUE_B = 2.0, 1.0


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    X, y = line(n=20, m=TRUE_M, b=TRUE_B, noise=0.1, seed=0)
    net = Sequential([Dense(1, input_dim=1, kernel_initializer="zeros")],
                        dtype="float64", seed=0)
    net.compile(loss="mse", optimizer=optimizers.SGD(learning_rate=0.3))
    p(f"20 points near y = {TRUE_M:g}x + {TRUE_B:g}; start from m = 0, b = 0; "
      "η = 0.3, every step uses all 20 points.\n")
    p("m is the neuron's weight w1, b its bias b1.\n")
    for step in range(2):
        p(f"── step {step + 1} " + "─" * 40)
        for w in ((0, "W", 0, 0), (0, "b", 0)):  # both from the same m and b
            p(explain(net, X, y, weight=w, update=True).text() + "\n")
        net.train_step(X, y)                    # …then both move at once
    p("── the following steps " + "─" * 30)
    steps = 40 if fast else 60
    history = []
    for step in range(2, steps):
        L = net.train_step(X, y)
        m, b = float(net.layers[0].W[0, 0]), float(net.layers[0].b[0])
        history.append((step + 1, L, m, b))
        if (step + 1) % 10 == 0:
            p(f"step {step + 1:>4}: E = {L:.5f}   m = {m:.4f}   b = {b:.4f}")
    final = net.evaluate(X, y)["loss"]
    m, b = float(net.layers[0].W[0, 0]), float(net.layers[0].b[0])
    p(f"\nlearned y = {m:.3f}x + {b:.3f} (data made with y = {TRUE_M:g}x + "
      f"{TRUE_B:g} plus noise), E = {final:.5f}")
    return {"m": m, "b": b, "loss": final, "steps": steps, "history": history}

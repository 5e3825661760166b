"""overfitting — a big network threads every noisy point and misses the curve.

Eight noisy samples of sin(x). A small network (4 tanh units) can only draw
a smooth curve: its error on new points is close to its training error. A
large one (2 × 64 units, trained long) drives the training error towards
zero by fitting the noise, and its error on fresh points of the same curve
grows: it memorised instead of generalising. An L2 weight penalty
(Ω = λ·Σw²) pulls it back towards smooth curves.
"""

from __future__ import annotations

from glassnet import regularizers
from glassnet.data import noisy_curve
from glassnet.layers import Dense
from glassnet.model import Sequential


def _model(units: list[int], l2: float | None, seed: int = 0):
    reg = regularizers.L2(l2) if l2 else None
    layers = [Dense(units[0], "tanh", input_dim=1, kernel_regularizer=reg)]
    layers += [Dense(u, "tanh", kernel_regularizer=reg) for u in units[1:]]
    layers.append(Dense(1))
    net = Sequential(layers, dtype="float64", seed=seed)
    net.compile(loss="mse", optimizer="adam", learning_rate=0.01)
    return net


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    X, y = noisy_curve(n=8, noise=0.3, seed=0)
    Xt, yt = noisy_curve(n=400, noise=0.0, seed=1)    # the true curve
    epochs = 1000 if fast else 3000
    configs = {"small (4 units)": ([4], None),
               "big (64 + 64 units)": ([64, 64], None),
               "big + L2 penalty": ([64, 64], 1e-2)}
    p(f"8 noisy samples of sin(x); full-batch Adam for {epochs} epochs.\n")
    p(f"{'model':<22}{'params':>8}{'train error':>14}{'error on the curve':>20}")
    result = {}
    for name, (units, l2) in configs.items():
        net = _model(units, l2)
        net.fit(X, y, epochs=epochs, batch_size=8, verbose=0, seed=0)
        train = float(((net.predict(X) - y) ** 2).mean())
        test = float(((net.predict(Xt) - yt) ** 2).mean())
        p(f"{name:<22}{net.count_params():>8,}{train:>14.4f}{test:>20.4f}")
        result[name.split(" (")[0].replace(" + L2 penalty", "_l2")] = {
            "train": train, "test": test, "params": net.count_params()}
    big = result["big"]
    p(f"\nThe big network fits its 8 points almost exactly (error {big['train']:.4f}) "
      f"but misses the curve\nbetween them (error {big['test']:.4f}): it learned "
      "the noise. The L2 penalty keeps it smooth.")
    return result

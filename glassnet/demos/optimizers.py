"""optimizers — an arena: six optimizers, the same start, the same batches.

Every optimizer starts from the same initial weights and sees the same
sequence of mini-batches of the spirals data, so the only difference between
the curves is the update rule (see glassnet.optimizers for each formula):

    SGD        θ ← θ − η·g
    momentum   v ← μv + g,  θ ← θ − η·v
    NAG        v ← μv + g,  θ ← θ − η·(g + μv)
    Adagrad    G ← G + g²,  θ ← θ − η·g/(√G + ε)
    RMSprop    s ← ρs + (1 − ρ)g²,  θ ← θ − η·g/(√s + ε)
    Adam       m, v moving averages of g and g², bias-corrected
"""

from __future__ import annotations

import numpy as np

from glassnet.data import spirals
from glassnet.layers import Dense
from glassnet.model import Sequential
from glassnet.plots.curves import final_level

ARENA = {"SGD": ("sgd", 0.1), "momentum": ("momentum", 0.1),
         "NAG": ("nesterov", 0.1), "Adagrad": ("adagrad", 0.1),
         "RMSprop": ("rmsprop", 0.01), "Adam": ("adam", 0.01)}
_SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values, width: int = 30) -> str:
    v = np.asarray(values, dtype=float)
    idx = np.linspace(0, len(v) - 1, min(width, len(v))).astype(int)
    v = v[idx]
    lo, hi = v.min(), v.max()
    return "".join(_SPARK[int((x - lo) / max(hi - lo, 1e-12) * 7)] for x in v)


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    X, y = spirals(n=300, classes=3, noise=0.2, seed=0)
    steps, batch = (150, 32) if fast else (1500, 32)
    rng = np.random.default_rng(0)
    batches = [rng.choice(len(X), batch, replace=False) for _ in range(steps)]
    start = Sequential([Dense(32, "relu", input_dim=2),
                           Dense(32, "relu"), Dense(3, "softmax")], seed=0)
    init = start.get_weights()
    curves, final = {}, {}
    for label, (name, lr) in ARENA.items():
        net = Sequential.from_config(start.get_config(), seed=0)
        net.set_weights(init)
        net.compile(loss="categorical_crossentropy", optimizer=name,
                    learning_rate=lr)
        curves[label] = [net.train_step(X[b], y[b]) for b in batches]
        acc = float((net.predict_classes(X) == y).mean())
        final[label] = {"loss": net.evaluate(X, y)["loss"], "accuracy": acc,
                        "learning_rate": lr}
    k = final_level(next(iter(curves.values())))[0]
    for label, c in curves.items():
        final[label]["level"] = final_level(c)[1]
    p(f"3-class spirals, network 2-32-32-3, {steps} steps of {batch} samples, "
      "same start and batches for all.\n")
    end = "loss at end" if k == 1 else f"last {k} steps"
    p(f"{'optimizer':<10}{'η':>7}{'loss at start':>15}{end:>15}{'all rows':>10}"
      f"{'accuracy':>10}   loss curve")
    for label, c in curves.items():
        f = final[label]
        p(f"{label:<10}{f['learning_rate']:>7g}{c[0]:>15.4f}{f['level']:>15.4f}"
          f"{f['loss']:>10.4f}{f['accuracy']:>10.1%}   {sparkline(c)}")
    best = min(final, key=lambda n: final[n]["level"])
    p(f"\nlowest loss at the end (mean batch loss of the {end}, what the plot "
      f"shows): {best}. To draw the curves: glassnet demo optimizers --plot "
      "arena.png (in Python: gn.plots.plot_optimizers(result['curves'], "
      "'arena.png')).")
    return {"curves": curves, "final": final, "steps": steps, "best": best}

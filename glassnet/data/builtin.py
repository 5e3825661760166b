"""Named built-in datasets, the ones ``glassnet train NAME`` understands."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet._validation import Seed
from glassnet.data import generated as g
from glassnet.data.dataset import Dataset
from glassnet.errors import ConfigError, expected


def _gate(name: str) -> Callable[[Seed], Dataset]:
    def make(seed: Seed) -> Dataset:
        X, y = g.logic_gate(name)
        return Dataset(X, y, ["x1", "x2"], "y", ["0", "1"], "classification")

    return make


def _classes(fn: Callable, k: int, **kw) -> Callable[[Seed], Dataset]:
    def make(seed: Seed) -> Dataset:
        X, y = fn(seed=seed, **kw)
        names = [f"x{i + 1}" for i in range(X.shape[1])]
        return Dataset(
            X, y, names, "class", [str(c) for c in range(k)], "classification"
        )

    return make


def _seven_segment(seed: Seed) -> Dataset:
    X, y = g.seven_segment(seed=seed)
    return Dataset(
        X,
        y,
        list(g.SEVEN_SEGMENT_NAMES),
        "digit",
        [str(d) for d in range(10)],
        "classification",
    )


def _line(seed: Seed) -> Dataset:
    X, y = g.line(n=100, m=2.0, b=1.0, noise=0.1, seed=seed)
    return Dataset(X, y, ["x"], "y", None, "regression")


def _curve(seed: Seed) -> Dataset:
    X, y = g.noisy_curve(n=30, noise=0.1, seed=seed)
    return Dataset(X, y, ["x"], "y", None, "regression")


def _meal(seed: Seed) -> Dataset:
    X, y = g.meal_prices(n=100, prices=(5.0, 2.0, 1.5), seed=seed)
    return Dataset(X, y, ["burgers", "fries", "sodas"], "price", None, "regression")


#: name -> builder(seed) with the default sizes the CLI and tutorials use.
BUILTIN: dict[str, Callable[[Seed], Dataset]] = {
    **{gate: _gate(gate) for gate in g.LOGIC_GATES},
    "circles": _classes(g.circles, 2, n=200, noise=0.1, factor=0.5),
    "moons": _classes(g.moons, 2, n=200, noise=0.1),
    "spirals": _classes(g.spirals, 3, n=300, classes=3, noise=0.2),
    "blobs": _classes(g.blobs, 3, n=300, centers=3, std=1.0),
    "seven-segment": _seven_segment,
    "line": _line,
    "curve": _curve,
    "meal": _meal,
}


def builtin_names() -> list[str]:
    """The names ``load_builtin`` accepts."""
    return list(BUILTIN)


def load_builtin(name: str, seed: Seed = 0) -> Dataset:
    """Build the named toy dataset (see ``builtin_names()``) with a fixed seed.

    Classification sets give int64 labels and ``class_names``; regression sets
    give y of shape (n, 1). ``seven_segment`` and ``seven segment`` also work.
    """
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    if key not in BUILTIN:
        raise ConfigError(
            expected(
                f"a built-in dataset name in {builtin_names()}",
                repr(name),
                "Use one of those names, or load_csv(path) for your own data.",
            )
        )
    data = BUILTIN[key](seed)
    data.name = key
    data.X = np.ascontiguousarray(data.X)
    return data

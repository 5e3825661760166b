"""Seeded toy datasets generated in memory (no download).

Every function returns ``(X, y)`` with X of dtype float64 and shape (n, F):

- classification: y holds integer class labels, dtype int64, shape (n,)
- regression:     y holds targets, dtype float64, shape (n, 1)

Randomness comes only from the ``seed`` argument (an int, a
``numpy.random.Generator`` or ``None``); nothing touches global state.
Cast with ``X.astype(np.float32)`` for training in float32.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from glassnet._validation import Seed, as_rng, check_non_negative, check_positive_int
from glassnet.errors import ConfigError, expected

LOGIC_GATES: dict[str, tuple[int, int, int, int]] = {
    # outputs for the inputs (0,0), (0,1), (1,0), (1,1)
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
}

#: Seven-segment display, segments in the order a b c d e f g:
#:
#:      aaa        a: top            e: lower left
#:     f   b       b: upper right    f: upper left
#:      ggg        c: lower right    g: middle
#:     e   c       d: bottom
#:      ddd
SEVEN_SEGMENT_NAMES = ("a", "b", "c", "d", "e", "f", "g")
SEVEN_SEGMENT: np.ndarray = np.array(
    [
        # a  b  c  d  e  f  g
        [1, 1, 1, 1, 1, 1, 0],  # 0
        [0, 1, 1, 0, 0, 0, 0],  # 1
        [1, 1, 0, 1, 1, 0, 1],  # 2
        [1, 1, 1, 1, 0, 0, 1],  # 3
        [0, 1, 1, 0, 0, 1, 1],  # 4
        [1, 0, 1, 1, 0, 1, 1],  # 5
        [1, 0, 1, 1, 1, 1, 1],  # 6
        [1, 1, 1, 0, 0, 0, 0],  # 7
        [1, 1, 1, 1, 1, 1, 1],  # 8
        [1, 1, 1, 1, 0, 1, 1],  # 9
    ],
    dtype=np.float64,
)
SEVEN_SEGMENT.flags.writeable = False


def _shuffle(X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(len(X))
    return X[order], y[order]


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four rows of a two-input truth table: X (4, 2), y (4,) in {0, 1}.

    ``name`` is one of "and", "or", "xor", "nand", "nor". XOR is the classic
    problem a single neuron cannot solve (it is not linearly separable).
    """
    key = str(name).lower()
    if key not in LOGIC_GATES:
        raise ConfigError(
            expected(
                f"a gate in {sorted(LOGIC_GATES)}",
                repr(name),
                "Pass e.g. logic_gate('xor').",
            )
        )
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array(LOGIC_GATES[key], dtype=np.int64)


def circles(
    n: int = 200, noise: float = 0.1, factor: float = 0.5, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on radius 1, class 1 on radius ``factor``.

    x = r (cos θ, sin θ) + ε     θ ~ U[0, 2π)   ε ~ N(0, noise²)
    """
    n = check_positive_int(n, "n", minimum=2)
    noise = check_non_negative(noise, "noise")
    if not 0 < factor < 1:
        raise ConfigError(expected("0 < factor < 1", factor, "Pass e.g. factor=0.5."))
    rng = as_rng(seed)
    n_outer = n // 2
    y = np.r_[np.zeros(n_outer, np.int64), np.ones(n - n_outer, np.int64)]
    radius = np.where(y == 0, 1.0, factor)  # (n,)
    theta = rng.uniform(0.0, 2 * np.pi, size=n)  # (n,)
    X = radius[:, None] * np.c_[np.cos(theta), np.sin(theta)]  # (n, 2)
    X += rng.normal(0.0, noise, size=X.shape)
    return _shuffle(X, y, rng)


def moons(
    n: int = 200, noise: float = 0.1, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the two-moons problem).

    class 0: (cos t, sin t)              t ~ U[0, π]
    class 1: (1 − cos t, 0.5 − sin t)    plus N(0, noise²) on both coordinates
    """
    n = check_positive_int(n, "n", minimum=2)
    noise = check_non_negative(noise, "noise")
    rng = as_rng(seed)
    n_upper = n // 2
    y = np.r_[np.zeros(n_upper, np.int64), np.ones(n - n_upper, np.int64)]
    t = rng.uniform(0.0, np.pi, size=n)  # (n,)
    upper = np.c_[np.cos(t), np.sin(t)]  # (n, 2)
    lower = np.c_[1.0 - np.cos(t), 0.5 - np.sin(t)]
    X = np.where(y[:, None] == 0, upper, lower)
    X += rng.normal(0.0, noise, size=X.shape)
    return _shuffle(X, y, rng)


def xor_points(
    n: int = 200, noise: float = 0.0, seed: Seed = None, *, margin: float = 0.06
) -> tuple[np.ndarray, np.ndarray]:
    """XOR as a cloud of points: the label says whether x₁ and x₂ differ in sign.

    x ~ U([-1, 1]²), pushed ``margin`` away from both axes,
    y = 1 if x₁·x₂ < 0 else 0 (the truth table of ``logic_gate('xor')`` on the
    signs), then x + N(0, noise²), so noise can carry points across the axes.
    """
    n = check_positive_int(n, "n", minimum=2)
    noise = check_non_negative(noise, "noise")
    if not 0 <= margin < 1:
        raise ConfigError(expected("0 <= margin < 1", margin, "Pass e.g. margin=0.06."))
    rng = as_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))  # (n, 2)
    X += np.sign(X) * margin * (1.0 - np.abs(X))  # keep clear of the axes
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)  # (n,)
    X += rng.normal(0.0, noise, size=X.shape)
    return X, y


def spirals(
    n: int = 300, classes: int = 3, noise: float = 0.2, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms (CS231n's spiral data), n points in all.

    For arm k and r ∈ [0, 1]:  θ = 2π k / K + 4 r + ε,   x = r (sin θ, cos θ),
    with ε ~ N(0, noise²) jittering the angle.
    """
    n = check_positive_int(n, "n", minimum=2)
    classes = check_positive_int(classes, "classes", minimum=2)
    noise = check_non_negative(noise, "noise")
    rng = as_rng(seed)
    y = np.arange(n, dtype=np.int64) % classes  # (n,) classes as even as possible
    r = rng.uniform(0.0, 1.0, size=n)  # (n,)
    theta = 2 * np.pi * y / classes + 4.0 * r + rng.normal(0.0, noise, size=n)
    X = r[:, None] * np.c_[np.sin(theta), np.cos(theta)]  # (n, 2)
    return _shuffle(X, y, rng)


def blobs(
    n: int = 300,
    centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
    std: float = 1.0,
    seed: Seed = None,
    *,
    n_features: int = 2,
    box: tuple[float, float] = (-10.0, 10.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs: x ~ N(μ_k, std² I) for the center μ_k of class k.

    ``centers`` is a number of classes (centers drawn uniformly in ``box``,
    ``n_features`` dimensions) or an array of centers of shape (K, F).
    """
    n = check_positive_int(n, "n")
    std = check_non_negative(std, "std")
    rng = as_rng(seed)
    if isinstance(centers, int | np.integer):
        k = check_positive_int(centers, "centers")
        f = check_positive_int(n_features, "n_features")
        mu = rng.uniform(box[0], box[1], size=(k, f))  # (K, F)
    else:
        mu = np.asarray(centers, dtype=np.float64)
        if mu.ndim != 2 or len(mu) == 0:
            raise ConfigError(
                expected(
                    "centers of shape (K, F)",
                    mu.shape,
                    "Pass e.g. centers=[[0, 0], [3, 3]].",
                )
            )
    y = np.arange(n, dtype=np.int64) % len(mu)
    X = mu[y] + rng.normal(0.0, std, size=(n, mu.shape[1]))  # (n, F)
    return _shuffle(X, y, rng)


def seven_segment(
    noise: float = 0.0, copies: int = 1, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ten digits 0-9 as lit segments: X (10·copies, 7), y = the digit.

    Inputs follow ``SEVEN_SEGMENT_NAMES`` = a b c d e f g (top, upper right,
    lower right, bottom, lower left, upper left, middle), 1 = lit, 0 = off.
    With noise > 0 each copy gets x + N(0, noise²); rows stay in digit order.
    """
    noise = check_non_negative(noise, "noise")
    copies = check_positive_int(copies, "copies")
    X = np.tile(SEVEN_SEGMENT, (copies, 1))  # (10·copies, 7)
    y = np.tile(np.arange(10, dtype=np.int64), copies)
    if noise > 0:
        X += as_rng(seed).normal(0.0, noise, size=X.shape)
    return X, y


def line(
    n: int = 100,
    m: float = 2.0,
    b: float = 1.0,
    noise: float = 0.1,
    seed: Seed = None,
    *,
    x_range: tuple[float, float] = (-1.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Points near the line y = m·x + b:  x ~ U(x_range),  y = m x + b + N(0, noise²).

    Returns X (n, 1) and y (n, 1); a single linear neuron should recover m, b.
    """
    n = check_positive_int(n, "n")
    noise = check_non_negative(noise, "noise")
    rng = as_rng(seed)
    X = rng.uniform(x_range[0], x_range[1], size=(n, 1))
    y = m * X + b + rng.normal(0.0, noise, size=(n, 1))
    return X, y


def noisy_curve(
    n: int = 30,
    noise: float = 0.1,
    seed: Seed = None,
    fn: Callable[[np.ndarray], np.ndarray] = np.sin,
    *,
    x_range: tuple[float, float] = (-np.pi, np.pi),
) -> tuple[np.ndarray, np.ndarray]:
    """Few noisy samples of a curve, for seeing under- and overfitting.

    x ~ U(x_range) sorted ascending,  y = fn(x) + N(0, noise²);  X, y: (n, 1).
    A tiny network underfits, a huge one threads every noisy point.
    """
    n = check_positive_int(n, "n")
    noise = check_non_negative(noise, "noise")
    rng = as_rng(seed)
    X = np.sort(rng.uniform(x_range[0], x_range[1], size=(n, 1)), axis=0)
    y = np.asarray(fn(X), dtype=np.float64).reshape(n, 1)
    return X, y + rng.normal(0.0, noise, size=(n, 1))


def meal_prices(
    n: int = 100,
    prices: Sequence[float] = (5.0, 2.0, 1.5),
    seed: Seed = None,
    *,
    max_items: int = 4,
    noise: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The meal-price linear neuron of seed 003: item counts -> meal price.

    X[i] = counts of (burgers, fries, sodas) ~ U{0..max_items},
    y = X · prices (+ N(0, noise²)), shape (n, 1). With f(z) = z and weights
    equal to the prices, one linear neuron computes the bill exactly.
    """
    n = check_positive_int(n, "n")
    max_items = check_positive_int(max_items, "max_items")
    noise = check_non_negative(noise, "noise")
    w = np.asarray(prices, dtype=np.float64).reshape(-1)  # (F,)
    if w.size == 0:
        raise ConfigError(
            expected(
                "at least one price", list(prices), "Pass e.g. prices=(5.0, 2.0, 1.5)."
            )
        )
    rng = as_rng(seed)
    X = rng.integers(0, max_items + 1, size=(n, w.size)).astype(np.float64)
    y = (X @ w)[:, None] + rng.normal(0.0, noise, size=(n, 1))  # (n, 1)
    return X, y

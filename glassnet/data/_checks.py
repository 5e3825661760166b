"""Small validation helpers shared by the data modules (not public API)."""

from __future__ import annotations

import numbers

import numpy as np

from glassnet.errors import ConfigError, ShapeError, expected

Seed = int | np.random.Generator | None


def as_generator(seed: Seed) -> np.random.Generator:
    """Turn ``seed`` into a ``numpy.random.Generator`` without global state.

    An ``int`` or ``None`` seeds a fresh PCG64 generator; a Generator is used
    as is, so a caller can thread one generator through several calls.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and seed >= 0):
        return np.random.default_rng(seed)
    raise ConfigError(
        expected(
            "seed to be a non-negative int, a numpy.random.Generator or None",
            repr(seed),
            "Pass e.g. seed=0 or seed=np.random.default_rng(0).",
        )
    )


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(
            expected(
                f"{name} to be an int >= {minimum}",
                repr(value),
                f"Pass a whole number such as {name}={max(minimum, 1)}.",
            )
        )
    if value < minimum:
        raise ConfigError(
            expected(f"{name} >= {minimum}", value, f"Pass {name}={minimum} or more.")
        )
    return int(value)


def check_non_negative(value: object, name: str) -> float:
    """Return ``value`` as a float if it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(
            expected(f"{name} to be a number", repr(value), f"Pass e.g. {name}=0.1.")
        )
    if not np.isfinite(value) or value < 0:
        raise ConfigError(
            expected(f"{name} >= 0 and finite", value, f"Pass e.g. {name}=0.1.")
        )
    return float(value)


def check_same_length(X: np.ndarray, y: np.ndarray | None, name: str = "y") -> None:
    """Raise ShapeError unless ``y`` has one row per row of ``X``."""
    if y is not None and len(y) != len(X):
        raise ShapeError(
            expected(
                f"{name} with {len(X)} rows (one per row of X)",
                len(y),
                f"Pass X and {name} with the same number of samples.",
            )
        )


def class_labels(y: np.ndarray | None) -> np.ndarray | None:
    """Return 1-D class labels if ``y`` looks like classification targets.

    Integer, boolean and string labels of shape (n,) or (n, 1) qualify, and
    so do one-hot rows of shape (n, K) (their argmax is returned). Anything
    else (float regression targets) gives ``None``.
    """
    if y is None:
        return None
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 1 and (y.dtype.kind in "iubUSO"):
        return y
    if y.ndim == 2 and y.shape[1] > 1 and np.isin(y, (0, 1)).all():
        if np.all(y.sum(axis=1) == 1):
            return y.argmax(axis=1)
    return None

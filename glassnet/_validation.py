"""Checks applied where user data enters: one clear error, never a deep trace."""

from __future__ import annotations

import numbers

import numpy as np

from glassnet.errors import ConfigError, ShapeError, expected


def as_rng(seed) -> np.random.Generator:
    """An explicit generator from an int seed, a Generator, or None (fresh)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(
            seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise ConfigError(expected("seed as a non-negative int, a numpy Generator or "
                               "None", repr(seed), "Pass e.g. seed=0."))


def as_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise ConfigError(expected("dtype 'float32' or 'float64'", repr(dtype),
                                   "Pass dtype='float32' (fast) or 'float64'.")) \
            from err
    if dt not in (np.float32, np.float64):
        raise ConfigError(expected("dtype 'float32' or 'float64'", str(dt),
                                   "Pass dtype='float32' (fast) or 'float64'."))
    return dt


def check_X(X, input_shape: tuple[int, ...], dtype, name: str = "X",
            check_finite: bool = True) -> np.ndarray:
    """Convert X once to a (B, *input_shape) array of the model dtype."""
    if isinstance(X, np.ndarray) and X.dtype == dtype:
        arr = X
    else:
        try:
            arr = np.asarray(X, dtype=dtype)
        except (TypeError, ValueError) as err:
            raise ShapeError(expected(f"{name} as a numeric array", type(X).__name__
                                      + (" with non-numeric or ragged entries"),
                                      "Convert your data to a float array first.")) \
                from err
    want = (None, *input_shape)
    if arr.ndim != len(want) or arr.shape[1:] != tuple(input_shape):
        fix = ("Pass a 2-D array, one row per sample (use X.reshape(1, -1) for a "
               "single sample)." if len(input_shape) == 1 and arr.ndim == 1 else
               "Check the model's input_dim and your data's columns.")
        raise ShapeError(expected(f"{name} of shape (n_samples, "
                                  f"{', '.join(map(str, input_shape))})",
                                  f"shape {arr.shape}", fix))
    if arr.shape[0] == 0:
        raise ShapeError(expected(f"at least one sample in {name}", "0 rows",
                                  "Pass a non-empty array."))
    if check_finite and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ShapeError(expected(f"finite values in {name}",
                                  f"NaN or inf at index {tuple(int(i) for i in bad)}",
                                  "Drop or impute missing values before training."))
    return arr


def check_positive_int(value, name: str, fix: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ConfigError(expected(f"{name} as a positive int", repr(value), fix))
    return int(value)


def check_lengths(X: np.ndarray, y, name: str = "y") -> None:
    n = len(y)
    if n != X.shape[0]:
        raise ShapeError(expected(f"{name} with one entry per row of X "
                                  f"({X.shape[0]} rows)", f"{n} entries",
                                  "X and y must have the same number of samples."))

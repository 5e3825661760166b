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
    # None in input_shape: any size on that axis (the time axis of sequences)
    if arr.ndim != len(input_shape) + 1 or any(
            d is not None and n != d
            for n, d in zip(arr.shape[1:], input_shape, strict=True)):
        fix = "Check the model's input_dim and your data's columns."
        if len(input_shape) == 1 and arr.ndim == 1:
            fix = ("Pass a 2-D array, one row per sample (use X.reshape(-1, 1) "
                   "for one feature per sample)." if input_shape[0] == 1 else
                   "Pass a 2-D array, one row per sample (use X.reshape(1, -1) "
                   "for a single sample).")
        dims = ", ".join("n_steps" if d is None else str(d) for d in input_shape)
        raise ShapeError(expected(f"{name} of shape (n_samples, {dims})",
                                  f"shape {arr.shape}", fix))
    if arr.shape[0] == 0:
        raise ShapeError(expected(f"at least one sample in {name}", "0 rows",
                                  "Pass a non-empty array."))
    if check_finite and not _all_finite(arr):
        bad = _first_nonfinite(arr)
        raise ShapeError(expected(f"finite values in {name}",
                                  f"NaN or inf at index {bad}",
                                  "Drop or impute missing values before training."))
    return arr


def _all_finite(arr: np.ndarray, chunk_bytes: int = 64 << 20) -> bool:
    """np.isfinite(arr).all() in row chunks: bounded memory for memory maps."""
    rows = max(1, chunk_bytes // max(1, arr[:1].nbytes))
    return all(np.isfinite(arr[i:i + rows]).all() for i in range(0, len(arr), rows))


def _first_nonfinite(arr: np.ndarray, chunk_bytes: int = 64 << 20) -> tuple:
    rows = max(1, chunk_bytes // max(1, arr[:1].nbytes))
    for i in range(0, len(arr), rows):
        bad = np.argwhere(~np.isfinite(arr[i:i + rows]))
        if len(bad):
            return (int(bad[0][0]) + i, *(int(j) for j in bad[0][1:]))
    return ()


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

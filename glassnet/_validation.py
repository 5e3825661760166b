"""Checks applied where user data enters: one clear error, never a deep trace.

One module for the whole library: the model and the training loop (``check_X``,
``as_dtype``, ``check_lengths``), the data modules (``check_features``,
``check_non_negative``) and everything that takes a seed or a count
(``as_rng``, ``check_positive_int``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from glassnet.errors import ConfigError, ShapeError, expected

#: What every ``seed=`` argument accepts.
Seed = int | np.random.Generator | None


def as_rng(seed: Seed) -> np.random.Generator:
    """An explicit generator from an int seed, a Generator, or None (fresh).

    An ``int`` or ``None`` seeds a fresh PCG64 generator; a Generator is used
    as is, so a caller can thread one generator through several calls. No
    global random state is ever touched.
    """
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
            check_finite: bool = True, cast: bool = True) -> np.ndarray:
    """Convert X once to a (B, *input_shape) array of the model dtype.

    ``cast=False`` (fit): a float ndarray of another float dtype is checked as
    it is and returned unconverted — the training loop casts each batch as it
    gathers it, the same values without a converted copy of the whole array.
    """
    if isinstance(X, np.ndarray) and (X.dtype == dtype or (
            not cast and X.dtype.kind == "f")):
        arr = X
    else:
        refuse_complex(X, name)
        try:
            with np.errstate(over="ignore"):   # overflow is reported below
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
        if len(input_shape) == 3:
            fix = image_fix(arr.shape, input_shape)
        elif len(input_shape) == 1 and arr.ndim == 1:
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
    narrowing = arr.dtype.itemsize > np.dtype(dtype).itemsize    # float64 → float32
    if check_finite and not (_within(arr, np.finfo(dtype).max) if narrowing
                             else _all_finite(arr)):
        bad = _first_nonfinite(arr)
        if not bad:         # finite, but beyond the model dtype's range
            raise ShapeError(expected(
                f"values in {name} that fit {np.dtype(dtype).name} (|x| ≤ "
                f"{np.finfo(dtype).max:.3g})", f"values up to {np.abs(arr).max():.4g}",
                "Rescale it (e.g. standardise, or divide by a power of 10), or "
                "build the model with dtype='float64'."))
        raise ShapeError(overflow_error(X, bad, dtype, name) or expected(
            f"finite values in {name}", f"NaN or inf at index {bad}",
            "Drop or impute missing values before training."))
    return arr


def image_fix(shape: tuple[int, ...], input_shape: tuple[int, ...]) -> str:
    """How to turn an array of ``shape`` into the NHWC images
    (n, height, width, channels) = (n, *input_shape) a model takes."""
    H, W, C = input_shape
    if shape[1:] == (H, W) and C == 1:
        return "Add the channel axis: X[..., None] (grey images are (n, H, W, 1))."
    if len(shape) == 4 and shape[1:] == (C, H, W):
        return ("These look like channels-first (NCHW) images; glassnet takes "
                "channels-last (NHWC): pass X.transpose(0, 2, 3, 1).")
    if len(shape) == 4 and shape[1:3] == (H, W):
        return (f"The model takes {C} channel(s) per pixel, X has {shape[3]}: "
                f"convert the images (e.g. to grey, or RGB) or build the model "
                f"with input_shape=({H}, {W}, {shape[3]}).")
    if len(shape) == 2 and shape[1] == H * W * C:
        return f"Reshape flat rows into images: X.reshape(-1, {H}, {W}, {C})."
    return (f"Pass images of {H}×{W} pixels with {C} channel(s), batch first "
            "and channels last.")


def refuse_complex(X: Any, name: str) -> None:
    """Complex numbers would lose their imaginary part in the cast to float."""
    dtype = getattr(X, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "c":
        raise ShapeError(expected(f"{name} as real numbers", "complex numbers "
                                  f"(dtype {dtype})",
                                  "Pass the real and imaginary parts as separate "
                                  "features (np.real(X), np.imag(X)), or |X|."))


def overflow_error(original: Any, index: tuple, dtype, name: str) -> str | None:
    """The message when a finite value became ±inf in the cast to ``dtype``
    (1e300 in float32), or None when the value was not finite to begin with."""
    try:
        value = float(np.asarray(original)[index])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not math.isfinite(value):
        return None
    top = float(np.finfo(dtype).max)
    return expected(f"values in {name} that fit {np.dtype(dtype).name} (|x| ≤ "
                    f"{top:.3g})", f"{value:.4g} at index {index}",
                    "Rescale it (e.g. standardise, or divide by a power of 10), "
                    "or build the model with dtype='float64'.")


def _within(arr: np.ndarray, limit: float, chunk_bytes: int = 64 << 20) -> bool:
    """−limit ≤ every x ≤ limit (False for NaN), in row chunks: a min and a max
    per chunk, no temporary.

    A float64 chunk is first checked as Σ x² ≤ limit² (one BLAS pass, half
    the time of the min and max on MNIST): every x² is at most the sum, so
    then every |x| ≤ limit. A chunk that fails it (a NaN, an inf, a value
    out of range, or a sum over limit² of values each within it) takes the
    exact min and max.
    """
    rows, limit = max(1, chunk_bytes // max(1, arr[:1].nbytes)), float(limit)
    return all(_within_chunk(arr[i:i + rows], limit) for i in range(0, len(arr), rows))


def _within_chunk(chunk: np.ndarray, limit: float) -> bool:
    if chunk.dtype == np.float64 and chunk.flags.c_contiguous and limit < 1e150:
        flat = chunk.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            total = float(np.dot(flat, flat))               # Σ x²
        if math.isfinite(total) and total <= limit * limit:
            return True
    return bool(-limit <= chunk.min() and chunk.max() <= limit)


def _all_finite(arr: np.ndarray, chunk_bytes: int = 64 << 20) -> bool:
    """np.isfinite(arr).all() in row chunks: bounded memory for memory maps.

    float32 chunks are first checked as x·x (one BLAS pass, no boolean
    temporary: 2–3× faster on MNIST), which is finite only if every xᵢ is; a
    chunk whose x·x is not finite (a NaN, an inf, or an overflow) takes the
    elementwise check.
    """
    rows = max(1, chunk_bytes // max(1, arr[:1].nbytes))
    return all(_finite_chunk(arr[i:i + rows]) for i in range(0, len(arr), rows))


def _finite_chunk(chunk: np.ndarray) -> bool:
    if chunk.dtype == np.float32 and chunk.flags.c_contiguous:
        flat = chunk.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            if math.isfinite(np.dot(flat, flat)):
                return True
    return bool(np.isfinite(chunk).all())


def _first_nonfinite(arr: np.ndarray, chunk_bytes: int = 64 << 20) -> tuple:
    rows = max(1, chunk_bytes // max(1, arr[:1].nbytes))
    for i in range(0, len(arr), rows):
        bad = np.argwhere(~np.isfinite(arr[i:i + rows]))
        if len(bad):
            return (int(bad[0][0]) + i, *(int(j) for j in bad[0][1:]))
    return ()


def check_features(X: Any, n_features: int | None = None, name: str = "X"
                   ) -> np.ndarray:
    """X as a finite numeric 2-D array (n, F), F = ``n_features`` if given."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ShapeError(expected(f"{name} with numbers", f"dtype {X.dtype}",
                                  "Encode text columns first (OneHotEncoder)."))
    if X.ndim != 2 or X.shape[0] == 0:
        raise ShapeError(expected(f"{name} of shape (n_samples, n_features)",
                                  f"shape {X.shape}",
                                  "Use X.reshape(-1, 1) for a single feature."))
    if n_features is not None and X.shape[1] != n_features:
        raise ShapeError(expected(f"{name} with {n_features} features (as in fit)",
                                  f"{X.shape[1]} features",
                                  "Pass the same columns, in the same order."))
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise ShapeError(expected(f"finite values in {name}",
                                  f"{X[row, col]} at row {row}, column {col}",
                                  "Impute or drop missing values first."))
    return X


def not_fitted(obj: object) -> ConfigError:
    """The error for a scaler/encoder used before ``fit``."""
    name = type(obj).__name__
    return ConfigError(expected(
        f"a fitted {name}", "one that was never fitted",
        f"Call {name}.fit(X_train) (or fit_transform) on the training data first."))


def check_positive_int(value: Any, name: str, fix: str | None = None, *,
                       minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum`` (1: a positive int), or ConfigError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < minimum:
        what = "a positive int" if minimum == 1 else f"an int ≥ {minimum}"
        raise ConfigError(expected(f"{name} as {what}", repr(value),
                                   fix or f"Pass e.g. {name}={max(minimum, 1)}."))
    return int(value)


def is_finite_number(value: Any) -> bool:
    """A real number (not a bool) that is finite as a float: ``10**400`` is not
    (it would overflow), so no caller meets an OverflowError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def short_repr(value: Any, width: int = 40) -> str:
    """repr(value), shortened: an int of 400 digits is not a message."""
    if isinstance(value, int) and not isinstance(value, bool) and \
            abs(value) >= 10**width:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def check_non_negative(value: Any, name: str) -> float:
    """``value`` as a float if it is a finite number ≥ 0, or ConfigError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(expected(f"{name} as a number", repr(value),
                                   f"Pass e.g. {name}=0.1."))
    if not is_finite_number(value) or value < 0:
        raise ConfigError(expected(f"{name} ≥ 0 and finite", short_repr(value),
                                   f"Pass e.g. {name}=0.1."))
    return float(value)


def check_lengths(X: np.ndarray, y: Any, name: str = "y") -> None:
    """One entry of ``y`` per row of ``X`` (nothing to check when y is None)."""
    if y is None:
        return
    n = len(y)
    if n != X.shape[0]:
        raise ShapeError(expected(f"{name} with one entry per row of X "
                                  f"({X.shape[0]} rows)", f"{n} entries",
                                  "X and y must have the same number of samples."))

"""Targets, validated once where they enter (host arrays, before any device).

Regression and binary targets become (B, n_out) floats of the model dtype;
categorical targets stay integer labels (B,) or one-hot rows (B, C). For an
output per time step (a recurrent layer with ``return_sequences=True`` last)
they are shaped like the output: (B, T, H) floats, (B, T) labels or
(B, T, C) one-hot rows.
"""

from __future__ import annotations

import numpy as np

from glassnet._validation import overflow_error
from glassnet.errors import ShapeError, expected


def layout(shape) -> tuple[int | None, int, bool]:
    """(steps T or None, units per output, sequence?) of an output shape given
    as the number of outputs (an int) or the model's output shape: (n,), or
    (T, H) for one output per step (T None when any length is allowed)."""
    if isinstance(shape, int | np.integer):
        return None, int(shape), False
    shape = tuple(shape)
    if len(shape) == 2:
        return shape[0], int(shape[1]), True
    return None, int(np.prod(shape)), False


def prepare_float_targets(y, shape, dtype) -> np.ndarray:
    """y as finite (B, n_out) floats — a (B,) vector is accepted for one
    output — or, for an output per step, (B, T, H) ((B, T) when H = 1)."""
    original = y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise ShapeError(expected("real-valued targets", f"dtype {y.dtype}",
                                  "Encode labels as numbers first."))
    with np.errstate(over="ignore"):    # overflow is reported below
        y = y.astype(dtype, copy=False)
    steps, n_out, sequence = layout(shape)
    if sequence:
        y = _step_targets(y, steps, n_out)
    else:
        if y.ndim == 1 and n_out == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_out:
            raise ShapeError(expected(f"targets of shape (n_samples, {n_out}) to "
                                      f"match the output layer's {n_out} units",
                                      f"shape {y.shape}",
                                      "Reshape y or change the last layer's units."))
    if not np.isfinite(y).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(y))[0])
        raise ShapeError(overflow_error(original.reshape(y.shape), index, dtype, "y")
                         or expected("finite targets", "NaN or inf in y",
                                     "Remove or impute the missing targets."))
    return y


def _step_targets(y: np.ndarray, steps: int | None, n_out: int) -> np.ndarray:
    """(B, T, H) targets for an output per step ((B, T) is (B, T, 1))."""
    if y.ndim == 2 and n_out == 1:
        y = y[:, :, None]
    T = "T" if steps is None else str(steps)
    if y.ndim != 3 or y.shape[2] != n_out or (steps is not None
                                               and y.shape[1] != steps):
        raise ShapeError(expected(
            f"targets of shape (n_samples, {T}, {n_out}): one per step, like the "
            "output", f"shape {y.shape}", "Give a target for every step (pad "
            "them like X), or drop return_sequences for one output per sequence."))
    return y


def prepare_class_targets(y, shape, dtype) -> np.ndarray:
    """Integer labels 0..C−1 as int64 (B,), or one-hot / probability rows (B, C);
    per step (B, T) labels or (B, T, C) rows for an output per step."""
    y = np.asarray(y)
    steps, n_out, sequence = layout(shape)
    if n_out < 2:
        raise ShapeError(expected("an output layer with ≥ 2 units for "
                                  "categorical_crossentropy", f"{n_out} unit",
                                  "Use binary_crossentropy with one sigmoid "
                                  "unit, or one unit per class."))
    if sequence:
        if y.ndim == 3 and y.shape[2] == 1:
            y = y[:, :, 0]
        if y.ndim == 2:
            if steps is not None and y.shape[1] != steps:
                raise ShapeError(expected(f"labels of shape (n_samples, {steps})",
                                          f"shape {y.shape}",
                                          "Give one label per step."))
            return _labels(y, n_out)
        rows = prepare_float_targets(y, shape, dtype)
        _check_rows(rows.reshape(-1, n_out))
        return rows
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 1:
        return _labels(y, n_out)
    y = prepare_float_targets(y, n_out, dtype)
    _check_rows(y)
    return y


def _check_rows(y: np.ndarray) -> None:
    sums = y.sum(axis=1)
    if y.size and (y.min() < 0 or np.abs(sums - 1).max() > 1e-3):
        raise ShapeError(expected(
            "one-hot or probability rows (≥ 0, each summing to 1)",
            f"rows summing to {sums.min():.4g} … {sums.max():.4g}, smallest "
            f"entry {y.min():.4g}", "Pass integer labels 0..C-1 or one-hot "
            "rows; for several labels per sample use binary_crossentropy."))


def _labels(y: np.ndarray, n_out: int) -> np.ndarray:
    if y.dtype.kind == "f":
        if not np.isfinite(y).all() or np.any(y != np.round(y)):
            raise ShapeError(expected("integer class labels", "non-integer "
                                      "or non-finite values",
                                      "Pass labels 0..C-1 or one-hot rows."))
    elif y.dtype.kind not in "biu":
        raise ShapeError(expected("integer class labels", f"dtype {y.dtype}",
                                  "Map class names to 0..C-1 first "
                                  "(glassnet.data.LabelEncoder)."))
    labels = y.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        raise ShapeError(expected(
            f"labels in 0..{n_out - 1} (the output layer has {n_out} units)",
            f"labels from {labels.min()} to {labels.max()}",
            "Give the last layer one unit per class, or re-encode labels."))
    return labels

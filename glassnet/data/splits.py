"""Honest splits: seeded, optionally stratified, never overlapping.

Stratified means each class keeps (as nearly as integers allow) its share
of the rows in every split, so a rare class is not left out of the test set.
Index arrays are sorted, so rows keep their original relative order inside
each split; shuffle when batching (``BatchIterator`` does).

k-fold cross-validation (``KFold``, ``StratifiedKFold``, ``cross_validate``)
lives in ``folds.py`` and ``class_labels`` in ``labels.py``; both are
re-exported here.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from glassnet._validation import Seed, as_rng, check_lengths, check_positive_int
from glassnet.data.folds import (  # noqa: F401 - re-exported, moved there
    KFold,
    StratifiedKFold,
    cross_validate,
)
from glassnet.data.labels import class_labels
from glassnet.errors import ConfigError, expected


def _n_test(size: float | int, n: int, name: str) -> int:
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        count = int(size)
    elif isinstance(size, numbers.Real) and 0 < size < 1:
        count = int(round(size * n))
    else:
        raise ConfigError(
            expected(
                f"{name} as a fraction in (0, 1) or a row count",
                repr(size),
                f"Pass e.g. {name}=0.2.",
            )
        )
    if not 1 <= count <= n - 1:
        raise ConfigError(
            expected(
                f"{name} leaving at least 1 row on each side",
                f"{count} of {n} rows",
                f"Pass a smaller {name} or use more data.",
            )
        )
    return count


def _stratify_labels(y: Any, stratify: bool | None) -> np.ndarray | None:
    if stratify is False or y is None:
        if stratify and y is None:
            raise ConfigError(expected("y to stratify by", None, "Pass y."))
        return None
    labels = class_labels(y)
    if labels is None and stratify:
        raise ConfigError(
            expected(
                "class labels to stratify by",
                "float targets",
                "Pass stratify=False for regression.",
            )
        )
    return labels


def _allocate(counts: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` among classes in proportion to ``counts`` (largest
    remainder, ties broken at random): Σ result = total, result ≤ counts."""
    quota = counts * total / counts.sum()  # (K,)
    take = np.floor(quota).astype(np.int64)
    remainder = quota - take + rng.uniform(0, 1e-9, size=len(counts))
    for k in np.argsort(-remainder)[: total - take.sum()]:
        take[k] += 1
    return np.minimum(take, counts)


def split_indices(
    n_samples: int,
    test_size: float | int = 0.2,
    *,
    y: Any = None,
    stratify: bool | None = None,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train_idx, test_idx) for ``n_samples`` rows.

    ``stratify=None`` stratifies when ``y`` holds class labels (ints, strings
    or one-hot rows); True insists, False never does.
    """
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    n_test = _n_test(test_size, n, "test_size")
    rng = as_rng(seed)
    labels = _stratify_labels(y, stratify)
    if labels is None:
        test = rng.permutation(n)[:n_test]
    else:
        check_lengths(np.empty(n), labels)
        classes, codes = np.unique(labels, return_inverse=True)
        members = [np.flatnonzero(codes == k) for k in range(len(classes))]
        take = _allocate(np.array([len(m) for m in members]), n_test, rng)
        test = np.concatenate(
            [rng.permutation(m)[:t] for m, t in zip(members, take, strict=True)]
        )
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def train_test_split(
    X: np.ndarray,
    y: np.ndarray | None = None,
    test_size: float | int = 0.2,
    *,
    stratify: bool | None = None,
    seed: Seed = None,
) -> tuple[np.ndarray, ...]:
    """``X_train, X_test, y_train, y_test`` (scikit-learn's order; without y,
    ``X_train, X_test``). See ``split_indices`` for ``stratify``."""
    X, y = np.asarray(X), None if y is None else np.asarray(y)
    check_lengths(X, y)
    train, test = split_indices(len(X), test_size, y=y, stratify=stratify, seed=seed)
    if y is None:
        return X[train], X[test]
    return X[train], X[test], y[train], y[test]


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray | None = None,
    val_size: float | int = 0.1,
    test_size: float | int = 0.1,
    *,
    stratify: bool | None = None,
    seed: Seed = None,
) -> tuple[np.ndarray, ...]:
    """``X_train, X_val, X_test, y_train, y_val, y_test`` (sizes of the whole).

    The test rows are split off first, then validation rows from the rest,
    both stratified the same way.
    """
    X, y = np.asarray(X), None if y is None else np.asarray(y)
    check_lengths(X, y)
    n = len(X)
    rng = as_rng(seed)
    n_val = _n_test(val_size, n, "val_size")
    rest, test = split_indices(n, test_size, y=y, stratify=stratify, seed=rng)
    sub_y = None if y is None else np.asarray(y)[rest]
    train, val = split_indices(len(rest), n_val, y=sub_y, stratify=stratify, seed=rng)
    train, val = rest[train], rest[val]
    if y is None:
        return X[train], X[val], X[test]
    return X[train], X[val], X[test], y[train], y[val], y[test]

"""Honest splits: seeded, optionally stratified, never overlapping.

Stratified means each class keeps (as nearly as integers allow) its share
of the rows in every split, so a rare class is not left out of the test set.
Index arrays are sorted, so rows keep their original relative order inside
each split; shuffle when batching (``BatchIterator`` does).
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from glassnet._validation import Seed, as_rng, check_lengths, check_positive_int
from glassnet.errors import ConfigError, ShapeError, expected


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


class KFold:
    """k folds of (nearly) equal size; each row is validated exactly once.

    ``split(X)`` yields ``(train_idx, val_idx)`` k times. With ``shuffle``
    the rows are permuted once by the seeded generator before folding.
    """

    def __init__(self, k: int = 5, shuffle: bool = True, seed: Seed = None):
        self.k = check_positive_int(k, "k", minimum=2)
        self.shuffle = shuffle
        self.seed = seed

    def _folds(self, n: int, y: Any) -> list[np.ndarray]:
        order = as_rng(self.seed).permutation(n) if self.shuffle else np.arange(n)
        return np.array_split(order, self.k)

    def split(self, X: Any, y: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n = len(X)
        if n < self.k:
            raise ConfigError(
                expected(
                    f"at least k={self.k} rows", n, "Use fewer folds or more data."
                )
            )
        check_lengths(np.empty(n), y)
        folds = self._folds(n, y)
        for f in range(self.k):
            val = np.sort(folds[f])
            mask = np.ones(n, dtype=bool)
            mask[val] = False
            yield np.flatnonzero(mask), val


class StratifiedKFold(KFold):
    """k folds that each hold every class in (nearly) its overall share.

    Rows of each class are (shuffled and) dealt to the folds in turn, the
    dealing continuing from class to class so fold sizes stay balanced.
    """

    def _folds(self, n: int, y: Any) -> list[np.ndarray]:
        labels = class_labels(y)
        if labels is None:
            raise ShapeError(
                expected(
                    "class labels y (ints, strings or one-hot)",
                    "no y or float targets",
                    "Use KFold for regression targets.",
                )
            )
        rng = as_rng(self.seed)
        fold_of = np.empty(n, dtype=np.int64)
        start = 0
        for cls in np.unique(labels):
            members = np.flatnonzero(labels == cls)
            if self.shuffle:
                members = rng.permutation(members)
            fold_of[members] = (start + np.arange(len(members))) % self.k
            start += len(members)
        return [np.flatnonzero(fold_of == f) for f in range(self.k)]


def _fit_kwargs(model: Any, fit_kwargs: Mapping[str, Any] | None,
                epochs: int | None) -> dict[str, Any]:
    """fit's keyword arguments, with ``epochs`` required where fit takes it."""
    kwargs = dict(fit_kwargs or {})
    if epochs is not None:
        kwargs["epochs"] = check_positive_int(epochs, "epochs")
    try:
        takes_epochs = "epochs" in inspect.signature(model.fit).parameters
    except (TypeError, ValueError):
        takes_epochs = False
    if takes_epochs and "epochs" not in kwargs:
        raise ConfigError(expected(
            "the number of epochs each fold trains for",
            "none (model.fit would train one epoch)",
            "Pass e.g. cross_validate(make_model, X, y, k=5, epochs=50)."))
    return kwargs


def cross_validate(
    model_factory: Callable[[], Any],
    X: np.ndarray,
    y: np.ndarray,
    k: int = 5,
    *,
    stratified: bool | None = None,
    fit_kwargs: Mapping[str, Any] | None = None,
    seed: Seed = 0,
    epochs: int | None = None,
) -> dict[str, Any]:
    """Train a fresh model on k−1 folds, evaluate on the held-out fold, k times.

    ``model_factory()`` must return a new, untrained model with
    ``fit(X, y, **fit_kwargs)`` and ``evaluate(X, y)`` returning a dict of
    metrics (or one float, named "loss"). A model whose ``fit`` takes
    ``epochs`` (a glassnet Sequential) needs them said, as ``epochs=`` or in
    ``fit_kwargs`` — fit's own default is one epoch, too few for any fold.
    ``stratified=None`` stratifies when y holds class labels. Returns::

        {"per_fold": {metric: [k values]}, "mean": {metric: m},
         "std": {metric: s}, "folds": [(train_idx, val_idx), ...]}

    e.g. the mean validation MSE over the folds estimates the test error.
    """
    X, y = np.asarray(X), np.asarray(y)
    check_lengths(X, y)
    if stratified is None:
        stratified = class_labels(y) is not None
    splitter = (StratifiedKFold if stratified else KFold)(k, shuffle=True, seed=seed)
    per_fold: dict[str, list[float]] = {}
    folds: list[tuple[np.ndarray, np.ndarray]] = []
    previous = None
    for train, val in splitter.split(X, y):
        model = model_factory()
        if model is previous:
            raise ConfigError(
                expected(
                    "model_factory to build a new model on every call",
                    "the same object twice",
                    "Write model_factory as a function that constructs the model "
                    "(e.g. lambda: make_model()), so folds do not share weights.",
                )
            )
        previous = model
        kwargs = _fit_kwargs(model, fit_kwargs, epochs)
        model.fit(X[train], y[train], **kwargs)
        scores = model.evaluate(X[val], y[val])
        if not isinstance(scores, Mapping):
            scores = {"loss": scores}
        for name, value in scores.items():
            per_fold.setdefault(name, []).append(float(value))
        folds.append((train, val))
    return {
        "per_fold": per_fold,
        "mean": {name: float(np.mean(v)) for name, v in per_fold.items()},
        "std": {name: float(np.std(v)) for name, v in per_fold.items()},
        "folds": folds,
    }

"""k-fold cross-validation: ``KFold``, ``StratifiedKFold`` and
``cross_validate``, which trains a fresh model per fold.

Each row is validated exactly once; stratified folds keep every class in
(nearly) its overall share. The one-off holdout splits live in ``splits.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from glassnet._validation import Seed, as_rng, check_lengths, check_positive_int
from glassnet.data.labels import class_labels
from glassnet.errors import ConfigError, ShapeError, expected


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

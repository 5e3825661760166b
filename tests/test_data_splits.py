"""Splits and cross-validation."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.data import (
    KFold,
    StratifiedKFold,
    cross_validate,
    split_indices,
    train_test_split,
    train_val_test_split,
)
from glassnet.errors import ConfigError, ShapeError


def labels(n_per_class=(60, 30, 10)) -> np.ndarray:
    return np.repeat(np.arange(len(n_per_class)), n_per_class)


def test_split_indices_partition_and_seed():
    train, test = split_indices(100, 0.25, seed=3)
    assert len(test) == 25 and len(train) == 75
    assert np.array_equal(np.sort(np.r_[train, test]), np.arange(100))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)  # sorted
    again = split_indices(100, 0.25, seed=3)
    assert np.array_equal(again[1], test)
    assert not np.array_equal(split_indices(100, 0.25, seed=4)[1], test)


def test_stratified_split_keeps_class_shares():
    y = labels()
    X = np.arange(len(y), dtype=float)[:, None]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.2, seed=0)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.array_equal(
        X_tr[:, 0].astype(int),
        np.flatnonzero(~np.isin(np.arange(100), X_te[:, 0].astype(int))),
    )
    one_hot = np.eye(3)[y]
    _, test = split_indices(100, 0.2, y=one_hot, seed=0)
    assert np.bincount(y[test]).tolist() == [12, 6, 2]


def test_split_options():
    X = np.zeros((10, 2))
    assert len(train_test_split(X, test_size=3, seed=0)[1]) == 3
    y_float = np.linspace(0, 1, 10)
    assert len(train_test_split(X, y_float, 0.3, seed=0)) == 4  # not stratified
    with pytest.raises(ConfigError):
        train_test_split(X, y_float, 0.3, stratify=True)
    with pytest.raises(ConfigError):
        split_indices(10, 1.5)
    with pytest.raises(ConfigError):
        split_indices(10, 10)
    with pytest.raises(ShapeError):
        train_test_split(X, np.zeros(9))


def test_train_val_test_split():
    y = labels()
    X = np.arange(100)[:, None]
    X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(X, y, 0.1, 0.2, seed=1)
    assert (len(X_tr), len(X_va), len(X_te)) == (70, 10, 20)
    seen = np.concatenate([X_tr[:, 0], X_va[:, 0], X_te[:, 0]])
    assert np.array_equal(np.sort(seen), np.arange(100))
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_va).tolist() == [6, 3, 1]


@pytest.mark.parametrize(
    "splitter", [KFold(5, seed=0), StratifiedKFold(5, seed=0), KFold(4, shuffle=False)]
)
def test_folds_cover_every_row_once(splitter):
    y = labels()
    X = np.zeros((100, 1))
    seen = []
    for train, val in splitter.split(X, y):
        assert np.intersect1d(train, val).size == 0
        assert len(train) + len(val) == 100
        seen.append(val)
    assert np.array_equal(np.sort(np.concatenate(seen)), np.arange(100))


def test_stratified_folds_balance_classes():
    y = labels()
    for _, val in StratifiedKFold(5, seed=0).split(np.zeros(100), y):
        assert np.bincount(y[val], minlength=3).tolist() == [12, 6, 2]
    with pytest.raises(ShapeError):
        next(StratifiedKFold(3).split(np.zeros(4), np.linspace(0, 1, 4)))
    with pytest.raises(ConfigError):
        next(KFold(5).split(np.zeros(3)))


class LeastSquares:
    """A duck-typed model: fit / evaluate, like glassnet's Sequential."""

    def __init__(self):
        self.w = None

    def fit(self, X, y, ridge=0.0):
        A = np.c_[X, np.ones(len(X))]
        self.w = np.linalg.solve(A.T @ A + ridge * np.eye(A.shape[1]), A.T @ y)
        return self

    def evaluate(self, X, y):
        err = np.c_[X, np.ones(len(X))] @ self.w - y
        return {"mse": float(np.mean(err**2)), "mae": float(np.mean(np.abs(err)))}


def test_cross_validate_least_squares():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X @ np.array([[2.0], [-1.0]]) + 0.5 + rng.normal(0, 0.1, size=(60, 1))
    result = cross_validate(LeastSquares, X, y, k=5, fit_kwargs={"ridge": 1e-6})
    assert len(result["per_fold"]["mse"]) == 5
    assert result["mean"]["mse"] == pytest.approx(np.mean(result["per_fold"]["mse"]))
    assert 0.003 < result["mean"]["mse"] < 0.03  # close to the noise variance 0.01
    assert set(result["std"]) == {"mse", "mae"}
    again = cross_validate(LeastSquares, X, y, k=5, fit_kwargs={"ridge": 1e-6})
    assert again["per_fold"] == result["per_fold"]  # seeded


def test_cross_validate_needs_fresh_models_and_stratifies():
    shared = LeastSquares()
    X, y = np.arange(10.0)[:, None], np.arange(10.0)[:, None]
    with pytest.raises(ConfigError, match="new model"):
        cross_validate(lambda: shared, X, y, k=2)

    class Majority:
        def fit(self, X, y):
            self.label = np.bincount(y).argmax()

        def evaluate(self, X, y):
            return float(np.mean(y == self.label))  # one float -> "loss"

    y = labels()
    result = cross_validate(Majority, np.zeros((100, 1)), y, k=5)
    assert result["per_fold"]["loss"] == [0.6] * 5  # stratified: same share per fold


def test_cross_validate_a_glassnet_model_by_mse():
    """The seeds' cross-validation of a model through its MSE, with gn models."""
    import glassnet as gn
    from glassnet.data import line

    X, y = line(90, m=2.0, b=1.0, noise=0.1, seed=0)

    def make():
        net = gn.Sequential([gn.Dense(1, input_dim=1)], dtype="float64", seed=0)
        net.compile("mse", "sgd", learning_rate=0.1, metrics=["mae"])
        return net

    result = cross_validate(make, X, y, k=3,
                            fit_kwargs=dict(epochs=150, batch_size=30, verbose=0))
    assert len(result["per_fold"]["loss"]) == 3 and "mae" in result["mean"]
    assert result["mean"]["loss"] == pytest.approx(np.mean(result["per_fold"]["loss"]))
    assert 0.003 < result["mean"]["loss"] < 0.03        # the noise variance is 0.01
    for train, val in result["folds"]:
        assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == 90


@pytest.mark.parametrize("stratify", [True, False])
def test_split_indices_takes_int64_labels_and_a_generator(stratify):
    """As the training loop calls it for validation_split."""
    y = labels().astype(np.int64)
    train, val = split_indices(len(y), 0.2, y=y, stratify=stratify,
                               seed=np.random.default_rng(5))
    assert np.array_equal(np.sort(np.r_[train, val]), np.arange(len(y)))
    assert len(val) == 20 and np.all(np.diff(val) > 0)
    if stratify:
        assert np.bincount(y[val]).tolist() == [12, 6, 2]
    rng = np.random.default_rng(5)
    again = split_indices(len(y), 0.2, y=y, stratify=stratify, seed=rng)
    assert np.array_equal(again[1], val)
    other = split_indices(len(y), 0.2, y=y, stratify=stratify, seed=rng)
    assert not np.array_equal(other[1], val)  # the generator moved on

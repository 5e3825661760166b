"""Scalers and encoders: formulas, fit-on-train-only, serialisation, sklearn."""

from __future__ import annotations

import json

import numpy as np
import pytest

from glassnet.data import (
    LabelEncoder,
    MinMaxScaler,
    OneHotEncoder,
    StandardScaler,
    preprocessor_from_dict,
    to_categorical,
)
from glassnet.errors import ConfigError, DataError, ShapeError


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return rng.normal(3.0, 2.0, size=(50, 4)) * np.array([1, 10, 0.1, 1])


def round_trip(obj):
    config, arrays = obj.to_dict()
    config = json.loads(json.dumps(config))  # must be JSON-serialisable
    assert all(isinstance(a, np.ndarray) for a in arrays.values())
    return preprocessor_from_dict(config, {k: a.copy() for k, a in arrays.items()})


def test_standard_scaler(X):
    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)
    np.testing.assert_array_equal(round_trip(scaler).transform(X), Z)
    assert scaler.transform(X.astype(np.float32)).dtype == np.float32


def test_min_max_scaler(X):
    scaler = MinMaxScaler((-1, 1)).fit(X)
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z.min(axis=0), -1)
    np.testing.assert_allclose(Z.max(axis=0), 1)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)
    np.testing.assert_array_equal(round_trip(scaler).transform(X), Z)
    with pytest.raises(ConfigError):
        MinMaxScaler((1, 0))


def test_constant_columns_do_not_divide_by_zero():
    X = np.c_[np.full(5, 7.3), np.arange(5.0)]
    with np.errstate(all="raise"):
        assert np.all(StandardScaler().fit_transform(X)[:, 0] == 0)
        assert np.all(MinMaxScaler().fit_transform(X)[:, 0] == 0)


def test_fit_on_train_only(X):
    train, test = X[:40], X[40:]
    scaler = StandardScaler().fit(train)
    np.testing.assert_allclose(
        scaler.transform(test), (test - train.mean(0)) / train.std(0)
    )


@pytest.mark.parametrize(
    "cls", [StandardScaler, MinMaxScaler, LabelEncoder, OneHotEncoder]
)
def test_use_before_fit_is_a_clear_error(cls):
    with pytest.raises(ConfigError, match="fit"):
        cls().transform(np.zeros((2, 1)))
    with pytest.raises(ConfigError, match="fit"):
        cls().to_dict()


def test_input_validation(X):
    scaler = StandardScaler().fit(X)
    with pytest.raises(ShapeError, match="4 features"):
        scaler.transform(X[:, :3])
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ShapeError, match="row 2, column 1"):
        StandardScaler().fit(bad)
    bad[2, 1] = np.inf
    with pytest.raises(ShapeError, match="finite"):
        MinMaxScaler().fit(X).transform(bad)
    with pytest.raises(ShapeError, match="reshape"):
        StandardScaler().fit(X[:, 0])
    with pytest.raises(ShapeError, match="numbers"):
        StandardScaler().fit(np.array([["a"]]))


def test_label_encoder():
    enc = LabelEncoder().fit(["dog", "cat", "dog", "bird"])
    assert enc.classes_.tolist() == ["bird", "cat", "dog"]
    codes = enc.transform(["cat", "dog"])
    assert codes.tolist() == [1, 2] and codes.dtype == np.int64
    assert enc.inverse_transform(codes).tolist() == ["cat", "dog"]
    assert round_trip(enc).transform(["bird"]).tolist() == [0]
    with pytest.raises(DataError, match="'cow'"):
        enc.transform(["cow"])
    with pytest.raises(DataError):
        enc.transform([1])
    with pytest.raises(ShapeError):
        enc.inverse_transform([3])
    numeric = round_trip(LabelEncoder().fit([3, 1, 3]))
    assert numeric.transform([3, 1]).tolist() == [1, 0]


def test_one_hot_encoder():
    enc = OneHotEncoder().fit(np.array([2, 0, 1, 2]))
    Y = enc.transform([0, 2])
    assert Y.tolist() == [[1, 0, 0], [0, 0, 1]] and Y.dtype == np.float32
    assert enc.inverse_transform(Y).tolist() == [0, 2]
    table = np.array([["red", "s"], ["blue", "m"], ["red", "m"]])
    enc2 = OneHotEncoder().fit(table)
    Z = enc2.transform(table)
    assert Z.shape == (3, 4)
    assert enc2.inverse_transform(Z).tolist() == table.tolist()
    np.testing.assert_array_equal(round_trip(enc2).transform(table), Z)
    with pytest.raises(DataError, match="'green'"):
        enc2.transform(np.array([["green", "s"]]))
    ignore = OneHotEncoder(handle_unknown="ignore").fit(table)
    assert ignore.transform(np.array([["green", "s"]])).tolist() == [[0, 0, 0, 1]]


def test_to_categorical():
    assert to_categorical([0, 2], 4).tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]
    with pytest.raises(ShapeError):
        to_categorical([0, 5], 3)
    with pytest.raises(ShapeError):
        to_categorical(["a"])
    with pytest.raises(ShapeError, match="received the label -1"):
        to_categorical([-1, 2])


def test_matches_scikit_learn(X):
    sk = pytest.importorskip("sklearn.preprocessing")
    X = np.c_[X, np.full(len(X), 2.5)]  # with a constant column
    np.testing.assert_allclose(
        StandardScaler().fit(X[:30]).transform(X),
        sk.StandardScaler().fit(X[:30]).transform(X),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        MinMaxScaler((-2, 3)).fit(X[:30]).transform(X),
        sk.MinMaxScaler((-2, 3)).fit(X[:30]).transform(X),
        atol=1e-12,
    )
    y = np.array(["b", "a", "c", "a"])
    assert (
        LabelEncoder().fit_transform(y).tolist()
        == sk.LabelEncoder().fit_transform(y).tolist()
    )
    cats = np.array([["x", "1"], ["y", "2"], ["x", "3"]])
    np.testing.assert_array_equal(
        OneHotEncoder().fit_transform(cats),
        sk.OneHotEncoder(sparse_output=False).fit_transform(cats),
    )

"""Generated toy datasets: shapes, dtypes, formulas, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.data import (
    blobs,
    builtin_names,
    circles,
    line,
    load_builtin,
    logic_gate,
    meal_prices,
    moons,
    noisy_curve,
    seven_segment,
    spirals,
)
from glassnet.errors import ConfigError


def test_logic_gates():
    X, y = logic_gate("xor")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0] and y.dtype == np.int64
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    assert logic_gate("AND")[1].tolist() == (a & b).astype(int).tolist()
    assert logic_gate("or")[1].tolist() == (a | b).astype(int).tolist()
    assert logic_gate("nand")[1].tolist() == (~(a & b)).astype(int).tolist()
    assert logic_gate("nor")[1].tolist() == (~(a | b)).astype(int).tolist()
    with pytest.raises(ConfigError, match="xor"):
        logic_gate("xnor")


@pytest.mark.parametrize(
    "make",
    [
        lambda s: circles(101, seed=s),
        lambda s: moons(101, seed=s),
        lambda s: spirals(101, classes=4, seed=s),
        lambda s: blobs(101, centers=4, seed=s),
    ],
)
def test_classification_sets_are_seeded(make):
    X, y = make(0)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert y.shape == (101,) and np.bincount(y).min() >= 101 // 4 - 1
    X2, y2 = make(0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(make(1)[0], X)
    assert not np.array_equal(make(np.random.default_rng(5))[0], X)


def test_circle_radii_and_factor():
    X, y = circles(400, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    with pytest.raises(ConfigError):
        circles(factor=1.5)


def test_moons_without_noise_follow_the_formula():
    X, y = moons(200, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)


def test_blobs_with_given_centers():
    X, y = blobs(3000, centers=[[0, 0, 0], [10, 10, 10]], std=0.5, seed=0)
    assert X.shape == (3000, 3)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), 10, atol=0.1)
    np.testing.assert_allclose(X[y == 0].std(axis=0), 0.5, atol=0.05)


def test_seven_segment_encoding():
    X, y = seven_segment()
    assert X.shape == (10, 7) and y.tolist() == list(range(10))
    assert X[8].sum() == 7 and X[1].tolist() == [0, 1, 1, 0, 0, 0, 0]
    assert X[0, 6] == 0  # 0 has no middle segment
    assert [int(row.sum()) for row in X] == [6, 2, 5, 5, 4, 5, 6, 3, 7, 6]
    assert len({tuple(row) for row in X}) == 10
    noisy, y3 = seven_segment(noise=0.1, copies=3, seed=0)
    assert noisy.shape == (30, 7) and y3.tolist() == list(range(10)) * 3
    assert 0.05 < np.std(noisy - np.tile(X, (3, 1))) < 0.15


def test_line_recovers_slope_and_intercept():
    X, y = line(500, m=3.0, b=-2.0, noise=0.01, seed=0)
    assert X.shape == y.shape == (500, 1)
    m, b = np.polyfit(X[:, 0], y[:, 0], 1)
    assert m == pytest.approx(3.0, abs=0.01) and b == pytest.approx(-2.0, abs=0.01)


def test_noisy_curve():
    X, y = noisy_curve(40, noise=0.0, seed=0)
    assert np.all(np.diff(X[:, 0]) >= 0)
    np.testing.assert_allclose(y, np.sin(X))
    X2, y2 = noisy_curve(10, noise=0.0, seed=0, fn=lambda x: x**2, x_range=(0, 1))
    np.testing.assert_allclose(y2, X2**2)


def test_meal_prices_are_a_linear_neuron():
    X, y = meal_prices(50, prices=(5.0, 2.0, 1.5), seed=0)
    assert X.shape == (50, 3) and np.all(X == np.round(X))
    np.testing.assert_allclose(y[:, 0], X @ [5.0, 2.0, 1.5])
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(w[:, 0], [5.0, 2.0, 1.5])


@pytest.mark.parametrize("name", builtin_names() + ["seven_segment"])
def test_load_builtin(name):
    data = load_builtin(name)
    assert data.task in ("classification", "regression")
    assert data.X.shape[1] == len(data.feature_names) and data.X.dtype == np.float64
    if data.task == "classification":
        assert data.y.ndim == 1 and data.y.max() < len(data.class_names)
    else:
        assert data.y.shape == (data.n_samples, 1) and data.class_names is None
    assert np.array_equal(load_builtin(name).X, data.X)


def test_load_builtin_names():
    assert {
        "and",
        "or",
        "xor",
        "circles",
        "moons",
        "spirals",
        "blobs",
        "seven-segment",
        "line",
        "curve",
        "meal",
    } <= set(builtin_names())
    with pytest.raises(ConfigError, match="circles"):
        load_builtin("mnist")


@pytest.mark.parametrize("classes", [2, 3, 5, 10])
def test_spirals_any_number_of_classes(classes):
    """Without noise every point lies on its arm: θ − 4r = 2πk/K (mod 2π)."""
    X, y = spirals(10 * classes, classes=classes, noise=0.0, seed=0)
    assert sorted(np.unique(y).tolist()) == list(range(classes))
    assert np.bincount(y).tolist() == [10] * classes
    r = np.hypot(X[:, 0], X[:, 1])
    theta = np.arctan2(X[:, 0], X[:, 1])                 # x = r (sin θ, cos θ)
    offset = np.mod(theta - 4 * r - 2 * np.pi * y / classes + np.pi, 2 * np.pi)
    np.testing.assert_allclose(offset, np.pi, atol=1e-9)
    with pytest.raises(ConfigError):
        spirals(100, classes=1)

"""fit(diagnostics=N) records layer health; diagnose() turns it into warnings."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import spirals
from glassnet.glassbox import diagnose
from glassnet.glassbox.diagnostics import DiagnosticsRecorder


@pytest.fixture(scope="module")
def data():
    X, y = spirals(n=240, classes=3, seed=0)
    return X.astype(np.float32), y


def _fit(layers, X, y, epochs=4, **compile_kw):
    net = gn.Sequential(layers, seed=0)
    net.compile(loss="categorical_crossentropy", **compile_kw)
    return net, net.fit(X, y, epochs=epochs, batch_size=32, verbose=0,
                        diagnostics=5, nan_policy="stop")


def test_records_every_n_steps_with_exact_update_ratio(data):
    X, y = data
    net = gn.Sequential([gn.Dense(8, "relu", input_dim=2), gn.Dense(8, "tanh"),
                         gn.Dense(3, "softmax")], dtype="float64", seed=0)
    net.compile(loss="categorical_crossentropy", optimizer="sgd", learning_rate=0.1)
    with gn.tracing(net, keep=None) as tr:
        hist = net.fit(X, y, epochs=2, batch_size=40, verbose=0, diagnostics=4)
    recs = hist.diagnostics
    assert [r["step"] for r in recs] == [0, 4, 8]          # 12 steps, every 4th
    r = recs[1]
    t = tr.traces[4]                                      # the same step, traced
    W, dW, b, db = (t.layers[0][k] for k in ("W", "dW", "b", "db"))
    layer = r["layers"][0]
    assert layer["grad_norm"] == pytest.approx(
        math.sqrt((dW ** 2).sum() + (db ** 2).sum()), rel=1e-5)
    assert layer["update_ratio"] == pytest.approx(
        0.1 * layer["grad_norm"] / math.sqrt((W ** 2).sum() + (b ** 2).sum()),
        rel=1e-9)
    assert layer["dead"] == pytest.approx(float((t.layers[0]["a"] <= 0).all(0).mean()))
    assert "saturated" in r["layers"][1] and "act_std" in r["layers"][2]
    assert r["loss"] == pytest.approx(t.loss, rel=1e-6)
    assert r["grad_ratio"] == pytest.approx(
        r["layers"][0]["grad_norm"] / r["layers"][2]["grad_norm"])
    with pytest.raises(gn.ConfigError):
        DiagnosticsRecorder(every=0)


def test_healthy_training_has_no_warnings(data):
    X, y = data
    _, hist = _fit([gn.Dense(32, "relu", input_dim=2), gn.Dense(3, "softmax")], X, y,
                   epochs=10, optimizer="adam", learning_rate=0.01)
    rep = diagnose(hist)
    assert rep.ok, rep.text()


def test_diverging_loss_is_blamed_on_the_learning_rate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 3)) * 10
    y = X @ np.array([[1.0], [2.0], [3.0]])
    net = gn.Sequential([gn.Dense(1, input_dim=3)], seed=0)
    net.compile(loss="mse", optimizer="sgd", learning_rate=0.05)
    hist = net.fit(X, y, epochs=5, batch_size=16, verbose=0, diagnostics=2,
                   nan_policy="stop")
    rep = diagnose(hist)
    assert "diverging" in rep.codes()
    assert "learning rate" in rep.text()


def test_dead_relus_and_vanishing_gradients(data):
    X, y = data
    dead = gn.Sequential([gn.Dense(16, "relu", input_dim=2,
                                   bias_initializer=gn.initializers.Constant(-20.0)),
                          gn.Dense(3, "softmax")], seed=0)
    dead.compile(loss="categorical_crossentropy", optimizer="sgd")
    rep = diagnose(dead.fit(X, y, epochs=1, batch_size=32, verbose=0, diagnostics=2))
    assert "dead_relu" in rep.codes() and "leaky_relu" in rep.text()
    deep = [gn.Dense(32, "sigmoid", input_dim=2)]
    deep += [gn.Dense(32, "sigmoid") for _ in range(8)] + [gn.Dense(3, "softmax")]
    _, hist = _fit(deep, X, y, epochs=2, optimizer="sgd", learning_rate=0.01)
    rep = diagnose(hist)
    assert "vanishing_gradients" in rep.codes()
    assert "he_normal" in rep.text()


def test_a_loss_that_does_not_move(data):
    X, y = data
    _, hist = _fit([gn.Dense(16, "tanh", input_dim=2), gn.Dense(3, "softmax")], X, y,
                   epochs=3, optimizer="sgd", learning_rate=1e-6)
    rep = diagnose(hist)
    assert rep.codes() == ["loss_stuck"]
    assert "Raise the learning rate" in rep.text()


def test_warnings_from_records_alone():
    def rec(loss, ratio, sat=0.0, up=1e-3):
        return {"loss": loss, "grad_ratio": ratio,
                "layers": [{"name": "dense", "grad_norm": 1.0, "update_ratio": up,
                            "activation": "tanh", "saturated": sat}]}
    assert "exploding_gradients" in diagnose([rec(1.0 - k / 10, 1e4)
                                              for k in range(6)]).codes()
    assert "saturated" in diagnose([rec(1.0 - k / 10, 1.0, sat=0.9)
                                    for k in range(6)]).codes()
    assert "updates_too_large" in diagnose([rec(1.0 - k / 10, 1.0, up=0.5)
                                            for k in range(6)]).codes()
    nan = diagnose([rec(1.0, 1.0), rec(float("nan"), 1.0)])
    assert nan.codes() == ["diverging"]
    assert diagnose([]).codes() == ["no_records"]
    shown = []
    diagnose([rec(1.0 - k / 10, 1.0) for k in range(6)], print_fn=shown.append)
    assert shown == ["training diagnostics: no problems found in the recorded steps."]


def test_a_confident_sigmoid_output_fused_with_cross_entropy_is_not_saturated():
    """Its gradient is p − y, which does not vanish at the flat ends of σ."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(float)
    net = gn.Sequential([gn.Dense(1, "sigmoid", input_dim=2)], seed=0)
    net.set_weights([np.array([[40.0], [0.0]]), np.array([0.0])])  # σ at 0 or 1
    net.compile("binary_crossentropy", "sgd")
    h = net.fit(X, y, epochs=2, batch_size=50, verbose=0, diagnostics=1, seed=0)
    assert "saturated" not in h.diagnostics[-1]["layers"][-1]
    assert "saturated" not in {f.code for f in gn.diagnose(h).findings}
    net.compile("mse", "sgd")                      # not fused: saturation matters
    h = net.fit(X, y, epochs=1, batch_size=50, verbose=0, diagnostics=1, seed=0)
    assert h.diagnostics[-1]["layers"][-1]["saturated"] > 0.5

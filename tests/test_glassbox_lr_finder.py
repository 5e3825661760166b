"""find_lr: sweeps, suggests, and leaves the model exactly as it was."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import spirals


def test_range_test_suggests_a_rate_and_restores_everything():
    X, y = spirals(n=300, classes=3, seed=0)
    net = gn.Sequential([gn.Dense(32, "relu", input_dim=2), gn.Dense(3, "softmax")],
                        seed=0)
    net.compile(loss="categorical_crossentropy", optimizer="adam")
    net.fit(X, y, epochs=1, batch_size=32, verbose=0)
    weights = net.get_weights()
    state = {k: v.copy() for k, v in net.optimizer.state.items()}
    t, lr, rng_state = net.optimizer.t, net.optimizer.learning_rate, \
        net.rng.bit_generator.state
    res = gn.find_lr(net, X, y, start=1e-5, end=10.0, steps=120)
    assert np.all(np.diff(res.lrs) > 0) and len(res.lrs) == len(res.losses) <= 120
    assert 1e-5 <= res.suggestion <= 1.0
    assert res.diverged_at is not None             # 10 is far too high for Adam
    assert "suggested learning_rate" in res.text()
    for a, b in zip(weights, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for k, v in state.items():
        np.testing.assert_array_equal(v, net.optimizer.state[k])
    assert (net.optimizer.t, net.optimizer.learning_rate) == (t, lr)
    assert net.rng.bit_generator.state == rng_state
    net.compile(loss="categorical_crossentropy", optimizer="adam",
                learning_rate=res.suggestion)
    hist = net.fit(X, y, epochs=5, batch_size=32, verbose=0)
    assert hist["loss"][-1] < hist["loss"][0]


def test_find_lr_checks_its_arguments(errmsg):
    net = gn.Sequential([gn.Dense(1, input_dim=1)])
    X, y = np.zeros((8, 1)), np.zeros((8, 1))
    with pytest.raises(gn.ConfigError):
        gn.find_lr(net, X, y)                      # not compiled
    net.compile(loss="mse")
    with pytest.raises(gn.ConfigError) as e:
        gn.find_lr(net, X, y, start=1.0, end=0.1)
    errmsg(e, "start")
    with pytest.raises(gn.ConfigError):
        gn.find_lr(net, X, y, steps=2)

"""Sequence-to-sequence training (issue 15, item 24): a recurrent layer with
``return_sequences=True`` as the output, targets shaped like it, padded steps
counting for nothing, and a character-level model that learns to write."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main


def _running_sum(n=96, T=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, 2))
    return X, np.cumsum(X[:, :, :1], axis=1)          # y_t = Σ_{s ≤ t} x_s0


@pytest.mark.parametrize("input_dim", [2, (7, 2)], ids=["T unknown", "T known"])
def test_a_sequence_output_trains_on_targets_shaped_like_it(input_dim):
    """Before: with T unknown, output_shape held None and fit/gradients failed
    with TypeError; with T known the targets had to be flattened to (B, T·H)
    (and then did not broadcast against the (B, T, H) output)."""
    X, y = _running_sum()
    net = gn.Sequential([gn.GRU(8, input_dim=input_dim, return_sequences=True),
                         gn.TimeDistributed(gn.Dense(1))], seed=0)
    net.compile("mse", "adam", learning_rate=0.02, metrics=["mae"])
    grads = net.gradients(X[:4], y[:4], loss="mse")
    assert all(np.isfinite(g).all() for g in grads)
    h = net.fit(X, y, epochs=40, batch_size=16, verbose=0, seed=0)
    assert net.predict(X).shape == (96, 7, 1)
    assert h["loss"][-1] < 0.05 * h["loss"][0], h["loss"]   # it learns
    assert net.evaluate(X, y)["mae"] < 0.2


def test_flatten_after_an_unknown_number_of_steps_says_what_it_needs(errmsg):
    """Before: the same TypeError. Flatten needs T: input_dim=(T, F)."""
    with pytest.raises(gn.ShapeError) as info:
        gn.Sequential([gn.GRU(3, input_dim=2, return_sequences=True), gn.Flatten(),
                       gn.Dense(1)])
    errmsg(info, "input_dim=(T, F)", "Flatten")
    gn.Sequential([gn.GRU(3, input_dim=(5, 2), return_sequences=True),
                   gn.Flatten(), gn.Dense(1)])                       # T known


def test_targets_must_have_the_outputs_steps(errmsg):
    X, y = _running_sum()
    net = gn.Sequential([gn.GRU(4, input_dim=(7, 2), return_sequences=True)])
    net.compile("mse", "sgd")
    with pytest.raises(gn.ShapeError) as info:
        net.fit(X, np.zeros((96, 6, 4)), verbose=0)
    errmsg(info, "(n_samples, 7, 4)")


def _padded(seed=0, n=10, T=6, F=2, C=3):
    """Sequences of 2..T real steps, padded with -1 after them."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, T + 1, n)
    X = rng.normal(size=(n, T, F))
    real = np.arange(T)[None, :] < lengths[:, None]              # (n, T)
    X[~real] = -1.0
    y = rng.integers(0, C, (n, T))
    return X, y, real


def _tagger(C=3, seed=0):
    net = gn.Sequential([gn.GRU(5, input_dim=2, return_sequences=True,
                                mask_value=-1.0),
                         gn.TimeDistributed(gn.Dense(C, "softmax"))],
                        dtype="float64", seed=seed)
    net.compile("categorical_crossentropy", "sgd", metrics=["accuracy"])
    return net


def test_padded_steps_add_nothing_to_loss_gradient_or_metrics():
    """Masks respected: the loss is the mean over the real steps only, and the
    targets written at padded steps change nothing."""
    X, y, real = _padded()
    net = _tagger()
    p = net.predict(X)                                             # (n, T, C)
    per_step = -np.log(np.take_along_axis(p, y[..., None], 2)[..., 0])
    by_hand = per_step[real].mean()
    assert net.loss_value(X, y, net.loss) == pytest.approx(by_hand, rel=1e-12)
    result = net.evaluate(X, y)
    assert result["loss"] == pytest.approx(by_hand, rel=1e-12)
    accuracy = (p.argmax(-1) == y)[real].mean()
    assert result["accuracy"] == pytest.approx(accuracy)
    other = y.copy()
    other[~real] = (y[~real] + 1) % 3                             # new padding targets
    for a, b in zip(net.gradients(X, y, net.loss), net.gradients(X, other, net.loss),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    assert net.evaluate(X, other) == result


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "mse"])
def test_sequence_gradients_match_finite_differences(loss):
    """float64 gradient check through the masked, per-step objective (the fused
    softmax + cross-entropy head, and MSE on a linear head)."""
    X, y, real = _padded(seed=1)
    if loss == "mse":
        y = np.random.default_rng(2).normal(size=(*y.shape, 2))
        net = gn.Sequential([gn.LSTM(4, input_dim=2, return_sequences=True,
                                     mask_value=-1.0),
                             gn.TimeDistributed(gn.Dense(2))], dtype="float64",
                            seed=0)
    else:
        net = _tagger(seed=1)
    errors = gn.gradcheck(net, X, y, loss=loss, max_checks=12)
    assert max(errors.values()) < 1e-4, errors        # as the recurrent layers


def test_a_sequence_model_saves_and_loads_bitwise(tmp_path):
    X, y, _ = _padded()
    net = _tagger()
    net.fit(X, y, epochs=2, batch_size=5, verbose=0, seed=0)
    net.save(tmp_path / "tagger.safetensors")
    back = gn.load(tmp_path / "tagger.safetensors")
    assert back.predict(X).tobytes() == net.predict(X).tobytes()
    assert back.predict_classes(X).shape == (10, 6)


def test_the_chars_demo_learns_to_write(capsys):
    """A character-level model on the shipped verses (GRU → TimeDistributed
    softmax, (B, T) next-character targets): after a few epochs it beats the
    letters' frequencies, and it writes with the text's own characters."""
    result = gn.demos.run("chars", fast=True, print_fn=lambda *a: None)
    assert result["loss"][-1] < result["entropy"] < result["uniform"]
    assert result["accuracy"][-1] > 0.25
    assert result["text"].startswith("shall i compare thee")
    assert len(result["text"]) == len("shall i compare thee") + 120
    assert set(result["text"]) <= set(result["vocab"])
    assert main(["demo", "chars", "--fast"]) == 0
    assert "It writes" in capsys.readouterr().out


def test_metrics_take_per_step_outputs_directly():
    """gn.metrics on (B, T, C) outputs and (B, T) labels: one row per step."""
    rng = np.random.default_rng(0)
    p, y = rng.random((4, 5, 3)), rng.integers(0, 3, (4, 5))
    assert gn.metrics.accuracy(y, p) == np.mean(p.argmax(-1) == y)
    assert gn.metrics.f1(y, p) == gn.metrics.f1(y.ravel(), p.reshape(20, 3))
    values = rng.normal(size=(4, 5, 2))
    assert gn.metrics.mse(values, values + 0.5) == pytest.approx(0.25)

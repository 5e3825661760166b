"""What a new user met in the demos and the glass box (issue 15, items 13,
14, 20, 21 and 22)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.demos import rnn


def test_rnn_demo_survives_a_gradient_that_underflowed_to_zero():
    """Item 13: 'glassnet demo rnn' (not --fast, 50 steps) crashed with
    ZeroDivisionError when the SimpleRNN's ‖∂L/∂h_1‖ was exactly 0."""
    lines = []
    norms = {"SimpleRNN": np.array([0.0] * 10 + [1e-3, 0.2]),
             "LSTM": np.array([0.01] * 11 + [0.3])}
    rnn.gradient_story(norms, 12, lines.append)
    text = "\n".join(lines)
    assert "to exactly 0" in text and "30×" in text
    assert rnn.shrink_text(0.5, 5e9) == "1.0e+10×"


def test_find_lr_suggests_the_descent_not_the_start_for_regression():
    """Item 14: for regression the batch noise on the flat start of the sweep
    looked steeper than the real descent: 1.3e-06 was suggested while the
    table showed the loss falling fastest between 1e-2 and 1e-1."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 5))
    y = X @ np.arange(1, 6) + 3
    net = gn.Sequential([gn.Dense(16, "relu", input_dim=5), gn.Dense(1)], seed=0)
    net.compile("mse", "sgd")
    result = gn.find_lr(net, X, y)
    assert 1e-3 <= result.suggestion <= 1e-1, result.text()
    k = int(np.argmin(np.abs(np.log(result.lrs / result.suggestion))))
    assert result.losses[k] < result.losses[0]      # already going down there


def test_arena_summary_and_plot_rank_by_the_same_numbers():
    """Item 20: the terminal summary ranked by the final loss on all rows, the
    plot by the mean of the last batch losses; they could name different
    winners. Now both use ``final_level``; the legend sits beside the axes."""
    pytest.importorskip("matplotlib")
    from glassnet.plots.curves import arena_figure, final_level
    lines = []
    result = gn.demos.run("optimizers", fast=True, print_fn=lines.append)
    levels = {n: final_level(c)[1] for n, c in result["curves"].items()}
    assert result["best"] == min(levels, key=levels.get)
    table = "\n".join(lines)
    for name, level in levels.items():   # the row of each shows its level
        row = next(line for line in lines if line.startswith(name + " "))
        assert f"{level:.4f}" in row, (row, table)
    fig = arena_figure(result["curves"])
    legend = fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert [t for t in texts if "best" in t][0].startswith(result["best"] + " ")
    fig.canvas.draw()
    box = legend.get_window_extent()
    axes = fig.axes[0].get_window_extent()
    assert box.x0 >= axes.x1 - 1, "the legend covers the curves"


def test_print_trace_is_its_summary_and_trace_leaves_the_model_alone():
    """Item 21: gn.trace updated the model by default and print(trace) dumped
    every array."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), np.arange(8) % 2
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=3), gn.Dense(2, "softmax")],
                        seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.1)
    before, state = net.get_weights(), net.rng.bit_generator.state
    t = gn.trace(net, X, y)
    for a, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert net.optimizer.t == 0 and net.rng.bit_generator.state == state
    assert str(t) == t.summary() and "array(" not in str(t)
    assert len(repr(t)) < 200 and "print(trace)" in repr(t)


def test_cross_validate_needs_the_epochs_of_a_glassnet_model():
    """Item 22: gn.cross_validate as the README wrote it trained one epoch per
    fold (fit's default)."""
    X = np.random.default_rng(0).normal(size=(60, 1))
    y = 2 * X + 1

    def make():
        net = gn.Sequential([gn.Dense(1, input_dim=1)], seed=0)
        net.compile("mse", "sgd", learning_rate=0.1)
        return net

    with pytest.raises(gn.ConfigError, match="epochs=50"):
        gn.cross_validate(make, X, y, k=3)
    result = gn.cross_validate(make, X, y, k=3, epochs=60,
                               fit_kwargs={"verbose": 0, "batch_size": 8})
    assert result["mean"]["loss"] < 0.01

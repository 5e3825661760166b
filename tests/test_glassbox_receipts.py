"""Receipts (gn.explain): the printed chain rule equals what backprop computed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.glassbox import Notation, explain
from glassnet.glassbox.formatting import num

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu",
               "silu", "linear"]
SEED = Notation(inputs="i", loss="E_total")


def _all_receipts(model, X, y, loss):
    """(receipt, gradient) for every parameter entry of the model."""
    grads = model.gradients(X, y, loss)
    out = []
    for slot, g in zip(model.slots, grads, strict=True):
        layer, pname, shape = slot.layer, slot.name, slot.shape
        l = model.layers.index(layer)
        for idx in np.ndindex(shape):
            r = explain(model, X, y, weight=(l, pname, *idx), loss=loss,
                        sample=len(X) - 1)
            out.append((r, float(g[idx])))
    return out


def _check(model, X, y, loss, rtol):
    for r, g in _all_receipts(model, X, y, loss):
        assert r.value == pytest.approx(g, rel=rtol, abs=1e-9)
        assert math.prod(v for _, v in r.factors) == pytest.approx(
            r.sample_value, rel=rtol, abs=1e-12)
        paths = sum(math.prod(v for _, v in p) for p in r.paths)
        assert paths == pytest.approx(r.sample_value, rel=rtol * 10, abs=1e-9)
        assert num(r.value, 9 if rtol < 1e-6 else 6) in r.text()


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["mse", "half_sse", "mae", "huber",
                                  "binary_crossentropy"])
def test_receipts_agree_with_gradients_for_every_activation_and_loss(act, loss):
    rng = np.random.default_rng(len(act) * 7 + len(loss))
    net = gn.Sequential([gn.Dense(3, act, input_dim=3), gn.Dense(3, act),
                         gn.Dense(2, "sigmoid")], dtype="float64", seed=1)
    X, y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
    _check(net, X, y, loss, rtol=1e-10)


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 1e-4)])
def test_receipts_softmax_cross_entropy_logits_and_penalties(dtype, rtol):
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    fused = gn.Sequential([gn.Dense(4, "relu", input_dim=3),
                           gn.Dense(3, "softmax")], dtype=dtype, seed=2)
    _check(fused, X, labels, "categorical_crossentropy", rtol)
    _check(fused, X, np.eye(3)[labels], "mse", rtol)       # softmax, not fused
    wide = gn.Sequential([gn.Dense(3, "tanh", input_dim=3), gn.Dense(12, "relu"),
                          gn.Dense(3)], dtype=dtype, seed=3)  # fan-out 12: δ-sum
    _check(wide, X, labels, gn.losses.CategoricalCrossentropy(from_logits=True), rtol)
    reg = gn.Sequential([gn.Dense(3, "tanh", input_dim=3,
                                  kernel_regularizer=gn.regularizers.L1L2(0.01, 0.1)),
                         gn.Dropout(0.5), gn.Dense(1)], dtype=dtype, seed=4)
    _check(reg, X, rng.normal(size=(5, 1)), "mse", rtol)


def test_mazur_w5_is_three_named_factors(mazur):
    net = mazur.model()
    r = explain(net, mazur.X, mazur.y, weight=(1, "W", 0, 0), loss="half_sse",
                notation=SEED)
    names = [n for n, _ in r.factors]
    assert names == ["∂E_total/∂out_o1", "∂out_o1/∂net_o1", "∂net_o1/∂w5"]
    values = [v for _, v in r.factors]
    assert values == pytest.approx([0.74136507, 0.186815602, 0.593269992], abs=1e-8)
    assert math.prod(values) == pytest.approx(net.gradients(mazur.X, mazur.y)[2][0, 0],
                                              rel=1e-12)
    assert r.value == pytest.approx(0.082167041, abs=1e-9)
    text = r.text()
    assert "∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5" in text
    assert "0.74136507 × 0.186815602 × 0.593269992 = 0.0821670406" in text
    assert "✓" in text


def test_mazur_w1_sums_two_paths(mazur):
    net = mazur.model()
    r = explain(net, mazur.X, mazur.y, weight=(0, "W", 0, 0), loss="half_sse",
                notation=SEED)
    assert len(r.paths) == 2 and all(len(p) == 5 for p in r.paths)
    assert sum(math.prod(v for _, v in p) for p in r.paths) == pytest.approx(
        0.000438568, abs=1e-9)
    assert "via o1" in r.text() and "via o2" in r.text()
    assert "0.0363503064" in r.text()   # ∂E_total/∂out_h1 of the seed


def test_sgd_update_receipt_matches_the_seed_and_leaves_the_model(mazur):
    net = mazur.model()
    net.compile(loss="half_sse", optimizer=gn.optimizers.SGD(0.5))
    before = net.get_weights()
    r = explain(net, mazur.X, mazur.y, weight=(1, "W", 0, 0), update=True,
                notation=SEED)
    assert r.update["after"] == pytest.approx(0.35891648, abs=1e-8)
    assert r.update["actual"] == pytest.approx(r.update["after"], rel=1e-14)
    assert "w5 ← w5 − η·g = 0.4 − 0.5 × 0.0821670406 = 0.35891648" in r.text()
    for a, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    explain(net, mazur.X, mazur.y, weight=(1, "W", 0, 0), update=True, apply=True)
    assert net.get_weights()[2][0, 0] == pytest.approx(0.35891648, abs=1e-8)


@pytest.mark.parametrize("opt", [
    gn.optimizers.SGD(0.1), gn.optimizers.Momentum(0.1), gn.optimizers.Nesterov(0.1),
    gn.optimizers.Adagrad(0.1), gn.optimizers.RMSprop(0.01), gn.optimizers.Adam(0.01),
    gn.optimizers.AdamW(0.01, weight_decay=0.1),
    gn.optimizers.Adam(0.01, global_clipnorm=0.01)])
def test_update_receipts_equal_the_real_step_for_every_optimizer(opt):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=3), gn.Dense(2)],
                        dtype="float64", seed=0)
    net.compile(loss="mse", optimizer=opt)
    for _ in range(3):  # non-zero optimizer state
        net.train_step(X, y)
    state = {k: v.copy() for k, v in net.optimizer.state.items()}
    t, before = net.optimizer.t, net.get_weights()
    for w in [(0, "W", 2, 1), (1, "b", 0)]:
        r = explain(net, X, y, weight=w, update=True)
        assert r.update["after"] == pytest.approx(r.update["actual"], rel=1e-12)
        assert r.update["t"] == t + 1
        assert "✓" in r.text().splitlines()[-1]
    assert net.optimizer.t == t
    for k, v in state.items():
        np.testing.assert_array_equal(v, net.optimizer.state[k])
    for a, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    net.train_step(X, y)
    assert net.get_weights()[0][2, 1] == pytest.approx(
        explain(net, X, y, weight=(0, "W", 2, 1), update=True).update["before"])


def test_neuron_receipt_reads_like_seed_000():
    from glassnet.demos.neuron import NOTATION, X, model
    r = explain(model(), X, neuron=(0, 0), notation=NOTATION)
    text = r.text()
    assert "net_a1 = (X1·w1) + (X2·w2) + b1" in text
    assert "= 1·1 + 0.5·0.5 + 2" in text and "= 3.25" in text
    assert "max(0, 3.25) = 3.25" in text
    assert r.value == 3.25 and sum(v for _, v in r.factors) == 3.25
    md = r.markdown()
    assert md.startswith("**a1:") and "```text" in md and md.rstrip().endswith("```")


def test_wide_layers_are_summarised():
    rng = np.random.default_rng(0)
    net = gn.Sequential([gn.Dense(20, "relu", input_dim=40), gn.Dense(3, "softmax")],
                        seed=0)
    X, y = rng.normal(size=(16, 40)), rng.integers(0, 3, 16)
    text = explain(net, X, neuron=(0, 3), sample=2).text()
    assert "the other 35 terms" in text and "sample 3 of 16" in text
    r = explain(net, X, y, weight=(0, "W", 39, 3), loss="categorical_crossentropy")
    assert "layers[0].W[39,3]" in r.title          # too many weights to number
    assert "mean of 16 per-sample values" in r.text()


def test_explain_errors_teach(errmsg, mazur):
    net = mazur.model()
    with pytest.raises(gn.ConfigError) as e:
        explain(net, mazur.X, mazur.y, neuron=(0, 0), weight=(1, "W", 0, 0))
    errmsg(e, "neuron")
    with pytest.raises(gn.ConfigError) as e:
        explain(net, mazur.X, mazur.y, weight=(1, "W", 5, 0), loss="mse")
    errmsg(e, "index")
    with pytest.raises(gn.ConfigError) as e:
        explain(net, mazur.X, mazur.y, weight=(1, "W", 0, 0), loss="mse", sample=3)
    errmsg(e, "sample")
    with pytest.raises(gn.ConfigError):
        explain(net, mazur.X, mazur.y, weight=(1, "W", 0, 0), loss="mse",
                update=True)  # not compiled: no optimizer
    act = gn.Sequential([gn.Dense(2, input_dim=2), gn.Activation("relu")])
    with pytest.raises(gn.ConfigError) as e:
        explain(act, mazur.X, neuron=(0, 0))
    errmsg(e, "Activation")


def test_weight_and_update_receipts_in_markdown_carry_the_same_numbers(mazur):
    net = mazur.model()
    net.compile(loss="half_sse", optimizer=gn.optimizers.Adam(0.5))
    r = explain(net, mazur.X, mazur.y, weight=(0, "W", 0, 0), update=True,
                notation=SEED)
    md, text = r.markdown(), r.text()
    assert md.startswith("**∂E_total/∂w1") and md.count("```text") == 2
    assert "**Update of w1 (Adam" in md
    for line in text.splitlines():                 # every number, in a code block
        if line.strip() and not line.startswith(("∂E_total/∂w1  ", "Update of")):
            assert line.strip() in md, line
    assert "m̂ = m / (1 − β₁ᵗ)" in md and md.count("✓") == 2

"""One finite-difference harness (gn.gradcheck, float64) for every layer,
activation, loss and regulariser.

Each case is a small network, data and a loss; gradcheck compares every
parameter's backprop gradient with central differences
(L(θ + h) − L(θ − h)) / 2h. Layers without parameters (Activation, Dropout,
Flatten) sit between Dense layers, so their backward pass feeds the
gradients of the layers below them.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations as A
from glassnet import losses as L

TOL = 1e-6
RNG = np.random.default_rng(0)
X3 = RNG.normal(size=(6, 3))
Y_REG = RNG.normal(size=(6, 2))
LABELS = np.array([0, 1, 2, 2, 1, 0])
Y_BIN = (RNG.random((6, 3)) > 0.5).astype(float)


def _case(layers, loss, X=X3, y=Y_REG):
    return layers, loss, X, y


def _cases():
    cases = {}
    for name in A.NAMES:
        if name == "step":
            continue
        cases[f"dense-{name}"] = lambda n=name: _case(
            [gn.Dense(4, n, input_dim=3), gn.Dense(2)], "mse")
        cases[f"activation_layer-{name}"] = lambda n=name: _case(
            [gn.Dense(4, input_dim=3), gn.Activation(n), gn.Dense(2)], "mse")
    cases["dense-leaky_relu(0.3)"] = lambda: _case(
        [gn.Dense(4, A.LeakyReLU(0.3), input_dim=3), gn.Dense(2)], "mse")
    cases["dense-elu(0.5)"] = lambda: _case(
        [gn.Dense(4, A.ELU(0.5), input_dim=3), gn.Dense(2)], "mse")
    cases["dense-no_bias"] = lambda: _case(
        [gn.Dense(4, "tanh", use_bias=False, input_dim=3), gn.Dense(2)], "mse")
    cases["dropout-inference"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3), gn.Dropout(0.5), gn.Dense(2)], "mse")
    cases["flatten"] = lambda: _case(
        [gn.Flatten(input_dim=(2, 3)), gn.Dense(3, "tanh"), gn.Dense(2)], "mse",
        X=X3.reshape(6, 1, 3).repeat(2, axis=1) * [[[1.0], [-0.5]]])
    cases["deep-mixed"] = lambda: _case(
        [gn.Dense(5, "gelu", input_dim=3), gn.Dense(4, "silu"),
         gn.Dense(3, "elu"), gn.Dense(2)], "mse")
    # losses
    for name in ["mse", "half_sse", "huber"]:
        cases[f"loss-{name}"] = lambda n=name: _case(
            [gn.Dense(4, "tanh", input_dim=3), gn.Dense(2)], n, y=Y_REG * 3)
    cases["loss-huber(0.1)"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3), gn.Dense(2)], L.Huber(0.1), y=Y_REG * 3)
    # MAE has a kink at ŷ = y: targets far from every output
    cases["loss-mae"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3), gn.Dense(2)], "mae",
        y=np.sign(Y_REG) * 20)
    # binary cross-entropy: fused with sigmoid, from probabilities (an
    # identity layer after the sigmoid stops the fusion), from logits
    cases["bce-fused_sigmoid"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3), gn.Dense(3, "sigmoid")],
        "binary_crossentropy", y=Y_BIN)
    cases["bce-probabilities"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3), gn.Dense(3, "sigmoid"), gn.Dropout(0.0)],
        "binary_crossentropy", y=Y_BIN)
    cases["bce-from_logits"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3), gn.Dense(3)],
        L.BinaryCrossentropy(from_logits=True), y=Y_BIN)
    # categorical cross-entropy
    for tname, tgt in [("int", LABELS), ("onehot", np.eye(3)[LABELS])]:
        cases[f"cce-fused_softmax-{tname}"] = lambda t=tgt: _case(
            [gn.Dense(4, "relu", input_dim=3), gn.Dense(3, "softmax")],
            "categorical_crossentropy", y=t)
        cases[f"cce-probabilities-{tname}"] = lambda t=tgt: _case(
            [gn.Dense(4, "tanh", input_dim=3), gn.Dense(3, "softmax"),
             gn.Dropout(0.0)], "categorical_crossentropy", y=t)
        cases[f"cce-from_logits-{tname}"] = lambda t=tgt: _case(
            [gn.Dense(4, "tanh", input_dim=3), gn.Dense(3)],
            L.CategoricalCrossentropy(from_logits=True), y=t)
    cases["cce-softmax_activation_layer"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3), gn.Dense(3), gn.Activation("softmax")],
        "categorical_crossentropy", y=LABELS)
    # regularisers
    cases["regularizers-l1_l2"] = lambda: _case(
        [gn.Dense(4, "tanh", input_dim=3,
                  kernel_regularizer=gn.regularizers.L1L2(0.05, 0.1),
                  bias_regularizer=gn.regularizers.L2(0.2)),
         gn.Dense(2, kernel_regularizer=gn.regularizers.L1(0.03))], "mse")
    return cases


CASES = _cases()


def _model(layers, dtype="float64"):
    net = gn.Sequential(layers, dtype=dtype, seed=1)
    # nonzero biases, so that every bias gradient path is exercised
    net.set_weights([w if w.ndim > 1 else np.linspace(-0.3, 0.3, w.size)
                     for w in net.get_weights()])
    return net


@pytest.mark.parametrize("case", list(CASES))
def test_gradcheck(case):
    layers, loss, X, y = CASES[case]()
    net = _model(layers)
    report = gn.gradcheck(net, X, y, loss=loss)
    assert len(report) == len(net.get_weights())
    worst = max(report.values())
    assert worst < TOL, report


def test_gradcheck_float32_model_is_checked_on_a_float64_copy():
    net = _model([gn.Dense(4, "tanh", input_dim=3), gn.Dense(2)], dtype="float32")
    before = [w.copy() for w in net.get_weights()]
    report = gn.gradcheck(net, X3, Y_REG, loss="mse")
    assert max(report.values()) < TOL
    for a, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_gradcheck_detects_a_wrong_backward(monkeypatch):
    """The harness can fail: a tanh derivative off by a factor is caught."""
    def wrong(self, z, a, da, out=None):
        return np.multiply(da, 1.1 * (1.0 - a * a), out=out)

    monkeypatch.setattr(A.Tanh, "backward", wrong)
    net = _model([gn.Dense(4, "tanh", input_dim=3), gn.Dense(2)])
    report = gn.gradcheck(net, X3, Y_REG, loss="mse")
    assert report["dense.W"] > 1e-2 and report["dense_1.W"] < TOL


def test_gradcheck_max_checks_limits_probes():
    net = _model([gn.Dense(30, "tanh", input_dim=3), gn.Dense(2)])
    calls = []
    orig = net.loss_value
    net.loss_value = lambda *a, **k: calls.append(1) or orig(*a, **k)
    gn.gradcheck(net, X3, Y_REG, loss="mse", max_checks=5)
    # 5 probes × 2 evaluations for each of W0 (90), b0 (30); all of W1 (60), b1 (2)
    assert len(calls) == 2 * (5 + 5 + 5 + 2)


@pytest.mark.parametrize("kwargs, frag", [
    (dict(eps=0.0), "eps"), (dict(eps=-1e-6), "eps"), (dict(eps=float("nan")), "eps"),
    (dict(max_checks=0), "max_checks"), (dict(max_checks=2.5), "max_checks"),
    (dict(loss="msee"), "msee"),
])
def test_gradcheck_rejects_bad_arguments(kwargs, frag, errmsg):
    """max_checks=0 would probe nothing and report a perfect 0 error."""
    net = _model([gn.Dense(2, "tanh", input_dim=3), gn.Dense(2)])
    with pytest.raises(gn.ConfigError) as ei:
        gn.gradcheck(net, X3, Y_REG, **{"loss": "mse", **kwargs})
    errmsg(ei, frag)

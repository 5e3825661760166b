"""Losses: values and gradients by hand-written formulas, stability, targets."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import losses as L

RNG = np.random.default_rng(0)
YP = RNG.normal(size=(5, 3))                  # predictions ŷ (B=5, n=3)
YT = RNG.normal(size=(5, 3))                  # regression targets
W = np.array([0.5, 1.0, 2.0, 0.0, 1.5])       # sample weights
Zc = RNG.normal(size=(5, 4)) * 3              # logits, 4 classes
LAB = np.array([0, 3, 1, 2, 3])               # integer labels
ONEHOT = np.eye(4)[LAB]
Pb = 1 / (1 + np.exp(-YP))                    # probabilities in (0, 1)
Yb = (RNG.random((5, 3)) > 0.5).astype(float)  # binary targets


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _hand(name):
    """(per-sample loss, dL/dŷ with 1/B) computed loop-free from the formulas."""
    B, n = YP.shape
    r = YP - YT
    if name == "mse":
        return (r**2).mean(1), 2 * r / (B * n)
    if name == "half_sse":
        return 0.5 * (r**2).sum(1), r / B
    if name == "mae":
        return np.abs(r).mean(1), np.sign(r) / (B * n)
    if name == "huber":  # δ = 1
        h = np.where(np.abs(r) <= 1, 0.5 * r**2, np.abs(r) - 0.5)
        return h.mean(1), np.clip(r, -1, 1) / (B * n)
    raise KeyError(name)


@pytest.mark.parametrize("name", ["mse", "half_sse", "mae", "huber"])
def test_regression_losses_match_formulas(name):
    loss = L.get(name)
    per, grad = _hand(name)
    np.testing.assert_allclose(loss.per_sample(YP, YT), per, rtol=1e-13)
    assert loss.forward(YP, YT) == pytest.approx(per.mean(), rel=1e-13)
    np.testing.assert_allclose(loss.backward(YP, YT), grad, rtol=1e-13)
    # sample weights: L = (1/B) Σ wᵢ lᵢ,  rows of the gradient scaled by wᵢ
    assert loss.forward(YP, YT, W) == pytest.approx((W * per).sum() / 5, rel=1e-13)
    np.testing.assert_allclose(loss.backward(YP, YT, W), grad * W[:, None],
                               rtol=1e-13)


def test_huber_delta_switches_regime():
    yp, yt = np.array([[0.1, 3.0]]), np.zeros((1, 2))
    # r = 0.1 (quadratic: ½r²) and r = 3 with δ = 2 (linear: δ(|r| − δ/2))
    assert L.Huber(2.0).forward(yp, yt) == pytest.approx((0.005 + 2 * (3 - 1)) / 2)
    np.testing.assert_allclose(L.Huber(2.0).backward(yp, yt), [[0.1 / 2, 2 / 2]])


def test_bce_from_probabilities_matches_formula():
    bce = L.BinaryCrossentropy()
    per = -(Yb * np.log(Pb) + (1 - Yb) * np.log(1 - Pb)).mean(1)
    np.testing.assert_allclose(bce.per_sample(Pb, Yb), per, rtol=1e-12)
    grad = (Pb - Yb) / (Pb * (1 - Pb)) / Pb.size
    np.testing.assert_allclose(bce.backward(Pb, Yb), grad, rtol=1e-10)


def test_bce_from_logits_equals_bce_of_sigmoid():
    lg = L.BinaryCrossentropy(from_logits=True)
    prob = L.BinaryCrossentropy()
    np.testing.assert_allclose(lg.per_sample(YP, Yb), prob.per_sample(Pb, Yb),
                               rtol=1e-12)
    # dL/dz = (σ(z) − y)/(B·n)
    np.testing.assert_allclose(lg.backward(YP, Yb), (Pb - Yb) / YP.size, rtol=1e-12)
    np.testing.assert_allclose(lg.logits.backward(YP, Yb, W),
                               (Pb - Yb) / YP.size * W[:, None], rtol=1e-12)


@pytest.mark.parametrize("targets", [LAB, ONEHOT], ids=["labels", "onehot"])
def test_cce_from_probabilities(targets):
    cce = L.CategoricalCrossentropy()
    p = _softmax(Zc)
    per = -np.log(p[np.arange(5), LAB])
    y = cce.prepare_targets(targets, 4, np.float64)
    np.testing.assert_allclose(cce.per_sample(p, y), per, rtol=1e-12)
    np.testing.assert_allclose(cce.backward(p, y), -ONEHOT / p / 5, rtol=1e-12)


@pytest.mark.parametrize("targets", [LAB, ONEHOT], ids=["labels", "onehot"])
def test_cce_logits_form(targets):
    cce = L.CategoricalCrossentropy(from_logits=True)
    y = cce.prepare_targets(targets, 4, np.float64)
    z = Zc
    lse = np.log(np.exp(z).sum(1))
    np.testing.assert_allclose(cce.per_sample(z, y), lse - z[np.arange(5), LAB],
                               rtol=1e-12)
    # softmax + CE fuse to dL/dz = (p − y)/B
    np.testing.assert_allclose(cce.backward(z, y), (_softmax(z) - ONEHOT) / 5,
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(cce.logits.backward(z, y, W),
                               (_softmax(z) - ONEHOT) / 5 * W[:, None],
                               rtol=1e-12, atol=1e-15)


def test_labels_and_onehot_agree():
    cce = L.CategoricalCrossentropy(from_logits=True)
    a = cce.prepare_targets(LAB, 4, np.float64)
    b = cce.prepare_targets(ONEHOT, 4, np.float64)
    assert a.ndim == 1 and b.ndim == 2
    assert cce.forward(Zc, a) == pytest.approx(cce.forward(Zc, b), rel=1e-14)
    np.testing.assert_allclose(cce.backward(Zc, a), cce.backward(Zc, b), atol=1e-15)
    # float labels that are whole numbers and a (B, 1) column are labels too
    c = cce.prepare_targets(LAB.astype(float).reshape(-1, 1), 4, np.float64)
    np.testing.assert_array_equal(c, LAB)


LOGITS = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4],
                   [1e4, 1e4, -1e4, 3.0, -1e4]])
Y01 = np.array([[1, 0, 1, 0, 0], [1, 0, 1, 1, 0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["bce_logits", "bce_probs", "cce_logits",
                                  "cce_probs", "mse", "huber", "mae", "half_sse"])
def test_extreme_logits_finite_and_warning_free(case, dtype):
    z = LOGITS.astype(dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise",
                                                invalid="raise"):
        warnings.simplefilter("error")
        if case.startswith("bce"):
            y = Y01.astype(dtype)
            if case == "bce_logits":
                loss, inp = L.BinaryCrossentropy(from_logits=True), z
            else:
                loss = L.BinaryCrossentropy()
                inp = gn.activations.Sigmoid().forward(z)
        elif case.startswith("cce"):
            y = np.array([0, 2])
            if case == "cce_logits":
                loss, inp = L.CategoricalCrossentropy(from_logits=True), z
            else:
                loss = L.CategoricalCrossentropy()
                inp = gn.activations.Softmax().forward(z)
        else:
            loss, inp, y = L.get(case), z, Y01.astype(dtype)
        value = loss.forward(inp, y)
        grad = loss.backward(inp, y)
    assert np.isfinite(value) and np.isfinite(grad).all()
    assert grad.dtype == dtype
    if case == "bce_logits":  # exact: Σ max(z,0) − z·y + ln(1 + e^−|z|)
        zz = LOGITS
        ref = (np.maximum(zz, 0) - zz * Y01 + np.log1p(np.exp(-np.abs(zz)))).mean()
        assert value == pytest.approx(ref, rel=1e-6)
    if case == "cce_logits":  # row 0: lse = 1e4 and z₀ = −1e4; row 1: lse = 1e4 + ln 2
        assert value == pytest.approx((2e4 + 2e4 + np.log(2)) / 2, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("out, loss", [("sigmoid", "binary_crossentropy"),
                                       ("softmax", "categorical_crossentropy")])
def test_model_with_saturated_output_trains_without_warnings(dtype, out, loss):
    """Huge logits through the model's fused path: finite loss and gradient."""
    net = gn.Sequential([gn.Dense(5, out, input_dim=2)], dtype=dtype, seed=0)
    net.set_weights([np.array([[1e4, -1e4, 0, 1e4, -1e4], [0, 0, 1e4, 0, 0]]),
                     np.zeros(5)])
    X = np.array([[1.0, 0.0], [0.0, -1.0], [-1.0, 1.0]])
    y = (np.array([[1, 1, 0, 0, 1], [0, 1, 1, 0, 0], [1, 0, 0, 1, 1]])
         if out == "sigmoid" else np.array([0, 2, 4]))
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise",
                                                invalid="raise"):
        warnings.simplefilter("error")
        grads = net.gradients(X, y, loss)
        value = net.loss_value(*net.prepare(X, y, L.get(loss)), L.get(loss))
    assert np.isfinite(value) and value > 100
    assert all(np.isfinite(g).all() for g in grads)


def test_bce_targets_must_be_in_unit_interval(errmsg):
    with pytest.raises(gn.ShapeError) as ei:
        L.BinaryCrossentropy().prepare_targets(np.array([0, 1, 2]), 1, np.float64)
    errmsg(ei, "[0, 1]")


@pytest.mark.parametrize("labels, frag", [([0, 4, 1], "0..3"), ([-1, 0, 1], "0..3"),
                                          ([0.5, 1, 2], "integer"),
                                          (["a", "b", "c"], "integer")])
def test_cce_bad_labels(labels, frag, errmsg):
    with pytest.raises(gn.ShapeError) as ei:
        L.CategoricalCrossentropy().prepare_targets(np.array(labels), 4, np.float64)
    errmsg(ei, frag)


def test_cce_needs_two_outputs(errmsg):
    with pytest.raises(gn.ShapeError) as ei:
        L.CategoricalCrossentropy().prepare_targets(np.array([0, 1]), 1, np.float64)
    errmsg(ei, "binary_crossentropy")


def test_target_shape_and_nan(errmsg):
    with pytest.raises(gn.ShapeError) as ei:
        L.get("mse").prepare_targets(np.zeros((4, 2)), 3, np.float64)
    errmsg(ei, "(n_samples, 3)", "(4, 2)")
    with pytest.raises(gn.ShapeError) as ei:
        L.get("mse").prepare_targets(np.array([1.0, np.nan]), 1, np.float64)
    errmsg(ei, "finite")


def test_registry_and_config():
    assert isinstance(L.get("bce"), L.BinaryCrossentropy)
    assert isinstance(L.get("sparse_categorical_crossentropy"),
                      L.CategoricalCrossentropy)
    for loss in [L.Huber(0.5), L.BinaryCrossentropy(from_logits=True),
                 L.CategoricalCrossentropy(), L.get("half_sse")]:
        back = L.from_config(loss.get_config())
        assert type(back) is type(loss) and back.get_config() == loss.get_config()


def test_unknown_loss_and_bad_delta(errmsg):
    with pytest.raises(gn.ConfigError) as ei:
        L.get("hinge")
    errmsg(ei, "hinge", "mse")
    with pytest.raises(gn.ConfigError) as ei:
        L.Huber(0.0)
    errmsg(ei, "delta")

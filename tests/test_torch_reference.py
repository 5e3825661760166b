"""Agreement with PyTorch (float64) on random networks: forward outputs, loss
and every parameter gradient, for every activation and every loss.

glassnet stores W as (n_in, n_out) and computes x W + b; torch.nn.Linear
stores weight as (n_out, n_in), so weight = Wᵀ and dW = weight.gradᵀ.
Skipped when torch is not installed.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations as A
from glassnet import losses as L

ACTS = [n for n in A.NAMES if n != "step"]


def _torch_act(torch, act):
    F = torch.nn.functional
    name = act.name
    return {
        "linear": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, getattr(act, "alpha", 0.01)),
        "elu": lambda z: F.elu(z, getattr(act, "alpha", 1.0)),
        "softplus": F.softplus,
        "gelu": lambda z: F.gelu(z, approximate="tanh"),
        "silu": F.silu,
        "softmax": lambda z: torch.softmax(z, dim=-1),
    }[name]


def _torch_loss(torch, loss, out_act, y):
    """Loss on torch outputs; out_act says what the last layer applied."""
    F = torch.nn.functional

    def fn(out, logits):
        yt = torch.as_tensor(y)
        name = loss.name
        if name == "mse":
            return F.mse_loss(out, yt)
        if name == "half_sse":
            return 0.5 * ((out - yt) ** 2).sum() / out.shape[0]
        if name == "mae":
            return F.l1_loss(out, yt)
        if name == "huber":
            return F.huber_loss(out, yt, delta=loss.delta)
        if name == "binary_crossentropy":
            if loss.from_logits:
                return F.binary_cross_entropy_with_logits(out, yt)
            return F.binary_cross_entropy(out, yt)
        if name == "categorical_crossentropy":
            z = out if loss.from_logits else logits
            target = yt if yt.ndim == 2 else yt.long()
            return F.cross_entropy(z, target)
        raise KeyError(name)

    return fn


def _compare(torch, layers, loss, X, y, rtol=1e-10):
    net = gn.Sequential(layers, dtype="float64", seed=0)
    rng = np.random.default_rng(1)
    net.set_weights([w if w.ndim > 1 else rng.normal(scale=0.3, size=w.shape)
                     for w in net.get_weights()])
    loss = L.get(loss)

    # the same network in torch
    x = torch.as_tensor(X)
    linears, acts = [], []
    for layer in net.layers:
        lin = torch.nn.Linear(layer.W.shape[0], layer.W.shape[1], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(layer.W.T))
            lin.bias.copy_(torch.as_tensor(layer.b))
        linears.append(lin)
        acts.append(_torch_act(torch, layer.activation))
    h = x
    for lin, act in zip(linears, acts, strict=True):
        logits = lin(h)
        h = act(logits)
    out_t = h
    L_t = _torch_loss(torch, loss, net.layers[-1].activation.name, y)(out_t, logits)
    L_t.backward()

    np.testing.assert_allclose(net.predict(X), out_t.detach().numpy(), rtol=rtol,
                               atol=1e-13)
    grads = net.gradients(X, y, loss=loss)
    X64, y64 = net.prepare(X, y, loss)
    assert net.loss_value(X64, y64, loss) == pytest.approx(L_t.item(), rel=rtol)
    ref = []
    for lin in linears:
        ref += [lin.weight.grad.numpy().T, lin.bias.grad.numpy()]
    for name_g, g, r in zip([n for n, *_ in net.parameters()], grads, ref,
                            strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-8, atol=1e-12, err_msg=name_g)


RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 4))
Y_REG = RNG.normal(size=(8, 3))
LABELS = RNG.integers(0, 3, size=8)
Y_BIN = (RNG.random((8, 3)) > 0.5).astype(float)


@pytest.mark.parametrize("act", ACTS + ["leaky_relu(0.2)", "elu(0.7)"])
def test_activation_networks_match_torch(torch, act):
    obj = {"leaky_relu(0.2)": lambda: A.LeakyReLU(0.2),
           "elu(0.7)": lambda: A.ELU(0.7)}.get(act, lambda: A.get(act))
    layers = [gn.Dense(6, obj(), input_dim=4), gn.Dense(5, obj()), gn.Dense(3)]
    _compare(torch, layers, "mse", X, Y_REG)


LOSS_CASES = {
    "mse": ("linear", "mse", Y_REG),
    "half_sse": ("sigmoid", "half_sse", Y_REG),
    "mae": ("linear", "mae", Y_REG * 5),
    "huber": ("linear", L.Huber(0.5), Y_REG * 2),
    "bce_sigmoid_fused": ("sigmoid", "binary_crossentropy", Y_BIN),
    "bce_from_logits": ("linear", L.BinaryCrossentropy(from_logits=True), Y_BIN),
    "cce_softmax_labels": ("softmax", "categorical_crossentropy", LABELS),
    "cce_softmax_onehot": ("softmax", "categorical_crossentropy", np.eye(3)[LABELS]),
    "cce_from_logits_labels": ("linear", L.CategoricalCrossentropy(from_logits=True),
                               LABELS),
    "cce_from_logits_onehot": ("linear", L.CategoricalCrossentropy(from_logits=True),
                               np.eye(3)[LABELS]),
}


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_losses_match_torch(torch, case):
    out, loss, y = LOSS_CASES[case]
    layers = [gn.Dense(6, "tanh", input_dim=4), gn.Dense(5, "relu"),
              gn.Dense(3, out)]
    _compare(torch, layers, loss, X, y)


@pytest.mark.parametrize("seed", range(6))
def test_random_architectures_match_torch(torch, seed):
    """Random depth, widths, activations and a loss drawn per seed."""
    rng = np.random.default_rng(100 + seed)
    depth = int(rng.integers(1, 4))
    widths = rng.integers(2, 7, size=depth)
    layers = [gn.Dense(int(widths[0]), str(rng.choice(ACTS)), input_dim=4)]
    layers += [gn.Dense(int(w), str(rng.choice(ACTS))) for w in widths[1:]]
    out, loss, y = LOSS_CASES[list(LOSS_CASES)[(seed * 3) % len(LOSS_CASES)]]
    layers.append(gn.Dense(3, out))
    _compare(torch, layers, loss, X, y)

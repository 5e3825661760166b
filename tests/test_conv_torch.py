"""Conv2D, pooling and batch normalization agree with PyTorch (float64):
outputs and every gradient, for the cases of the finite-difference tests.

Same weights on both sides; the loss is Σ y ⊙ R for a fixed random R, so
∂L/∂y = R goes into our backward and into torch's autograd alike. glassnet is
NHWC with kernels (kh, kw, C, F); torch is NCHW with (F, C, kh, kw). torch
pads symmetrically, so padding="same" is F.pad with Keras's amounts (the
extra row and column at the bottom / right) and then no padding.
"""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
F = torch.nn.functional


def nchw(a):
    return torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2)))


def nhwc(t):
    return t.detach().numpy().transpose(0, 2, 3, 1)


def run_ours(layer, x, R, training=False):
    """(output, dL/dx) of a layer that ``setup`` built, gradients in its views."""
    layer.need_input_grad = True
    return layer.forward(x, training=training).copy(), layer.backward(R.copy()).copy()


def torch_pad(xt, layer, value=0.0):
    (t, b), (l, r) = layer.geo.pads
    return F.pad(xt, (l, r, t, b), value=value)


def setup(layer, in_shape, seed=0):
    net = gn.Sequential([layer], dtype="float64", seed=seed)
    rng = np.random.default_rng(seed)
    for v in layer.params.values():
        v[...] = rng.normal(size=v.shape)
    x = rng.normal(size=(3, *in_shape))
    R = rng.normal(size=(3, *layer.output_shape))
    return net, x, R


@pytest.mark.parametrize("kernel", [1, 3, 5, (3, 2)])
@pytest.mark.parametrize("stride", [1, 2, (2, 1)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_matches_torch(kernel, stride, padding):
    layer = gn.Conv2D(4, kernel, strides=stride, padding=padding,
                      activation="relu", input_shape=(7, 6, 3))
    net, x, R = setup(layer, (7, 6, 3))
    y, dx = run_ours(layer, x, R)
    xt = nchw(x).requires_grad_()
    w = torch.from_numpy(layer.kernel.transpose(3, 2, 0, 1).copy()).requires_grad_()
    b = torch.from_numpy(layer.bias.copy()).requires_grad_()
    yt = F.relu(F.conv2d(torch_pad(xt, layer), w, b, stride=layer.strides))
    (yt * nchw(R)).sum().backward()
    np.testing.assert_allclose(y, nhwc(yt), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, nhwc(xt.grad), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dkernel, w.grad.numpy().transpose(2, 3, 1, 0),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dbias, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def _avg_pool_excluding_padding(xt, layer):
    """Keras's average: padding is not counted. torch's count_include_pad=False
    only knows symmetric padding, so divide sums by the counts of real inputs."""
    k, s = layer.pool_size, layer.strides
    sums = F.avg_pool2d(torch_pad(xt, layer), k, s, divisor_override=1)
    ones = torch.ones_like(xt[:1, :1])
    counts = F.avg_pool2d(torch_pad(ones, layer), k, s, divisor_override=1)
    return sums / counts


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("size,stride", [(2, None), (3, 2), (2, 1), ((3, 1), (1, 2))])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("ties", [False, True])
def test_pooling_matches_torch_ties_included(kind, size, stride, padding, ties):
    cls = gn.MaxPool2D if kind == "max" else gn.AvgPool2D
    layer = cls(size, strides=stride, padding=padding, input_shape=(7, 6, 2))
    net, x, R = setup(layer, (7, 6, 2))
    if ties:  # few values: ties in most windows, as on MNIST's background
        x = np.round(np.clip(x, 0, None))
    y, dx = run_ours(layer, x, R)
    xt = nchw(x).requires_grad_()
    if kind == "max":
        yt = F.max_pool2d(torch_pad(xt, layer, -np.inf), layer.pool_size,
                          layer.strides)
    else:
        yt = _avg_pool_excluding_padding(xt, layer)
    (yt * nchw(R)).sum().backward()
    np.testing.assert_allclose(y, nhwc(yt), rtol=1e-12)
    np.testing.assert_allclose(dx, nhwc(xt.grad), rtol=1e-12, atol=1e-14)


def test_global_average_pooling_matches_torch():
    layer = gn.GlobalAvgPool2D(input_shape=(5, 4, 3))
    net, x, R = setup(layer, (5, 4, 3))
    y, dx = run_ours(layer, x, R)
    xt = nchw(x).requires_grad_()
    yt = F.adaptive_avg_pool2d(xt, 1).flatten(1)
    (yt * torch.from_numpy(R)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, nhwc(xt.grad), rtol=1e-12)


@pytest.mark.parametrize("shape", [(5,), (4, 3, 6)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization_matches_torch(shape, training):
    layer = gn.BatchNormalization(momentum=0.9, epsilon=1e-3, input_dim=shape)
    net, x, R = setup(layer, shape)
    C = shape[-1]
    layer.moving_mean[...] = mm0 = np.linspace(-0.5, 0.5, C)
    layer.moving_variance[...] = mv0 = np.linspace(0.5, 2.0, C)
    y, dx = run_ours(layer, x, R, training=training)
    to_t = nchw if len(shape) == 3 else torch.from_numpy
    xt = to_t(x).requires_grad_()
    g = torch.from_numpy(layer.gamma.copy()).requires_grad_()
    b = torch.from_numpy(layer.beta.copy()).requires_grad_()
    rm, rv = torch.from_numpy(mm0.copy()), torch.from_numpy(mv0.copy())
    # torch's momentum is the weight of the new value: 1 − Keras's
    yt = F.batch_norm(xt, rm, rv, g, b, training=training, momentum=0.1, eps=1e-3)
    (yt * to_t(R)).sum().backward()
    back = nhwc if len(shape) == 3 else (lambda t: t.detach().numpy())
    np.testing.assert_allclose(y, back(yt), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, back(xt.grad), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(layer.dgamma, g.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.dbeta, b.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.moving_mean, rm.numpy(), rtol=1e-12)
    if training:  # torch's running variance takes the unbiased σ²·N/(N − 1),
        N = x.size // C  # Keras's the biased σ² that normalised the batch
        np.testing.assert_allclose(layer.moving_variance - 0.9 * mv0,
                                   (rv.numpy() - 0.9 * mv0) * (N - 1) / N,
                                   rtol=1e-10)
    else:
        np.testing.assert_array_equal(layer.moving_variance, mv0)


def test_a_whole_cnn_matches_torch_outputs_and_all_gradients():
    net = gn.Sequential([
        gn.Conv2D(4, 3, padding="same", activation="relu", input_shape=(10, 9, 2)),
        gn.BatchNormalization(), gn.MaxPool2D(2),
        gn.Conv2D(6, 3, strides=2, activation="tanh"), gn.AvgPool2D(2, padding="same"),
        gn.Flatten(), gn.Dense(5, "relu"), gn.Dense(3, "softmax")],
        dtype="float64", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 10, 9, 2))
    y = np.array([0, 1, 2, 0, 1, 2])
    net.loss_and_grads(*net.prepare(X, y, gn.losses.get("categorical_crossentropy")),
                       gn.losses.get("categorical_crossentropy"), training=True)
    ours = {s.key: np.array(s.of(net.flat_grads)) for s in net.slots}
    conv1, bn, _, conv2, pool2, _, d1, d2 = net.layers
    t = {s.key: torch.from_numpy(np.array(s.of(net.flat_params))).requires_grad_()
         for s in net.slots}
    xt = nchw(X)
    h = F.relu(F.conv2d(torch_pad(xt, conv1), t["conv2d.kernel"].permute(3, 2, 0, 1),
                        t["conv2d.bias"]))
    h = F.batch_norm(h, None, None, t["batch_normalization.gamma"],
                     t["batch_normalization.beta"], training=True, eps=1e-3)
    h = F.max_pool2d(h, 2)
    h = torch.tanh(F.conv2d(h, t["conv2d_1.kernel"].permute(3, 2, 0, 1),
                            t["conv2d_1.bias"], stride=2))
    h = _avg_pool_excluding_padding(h, pool2)
    h = h.permute(0, 2, 3, 1).flatten(1)                 # NHWC row-major, as Flatten
    h = F.relu(h @ t["dense.W"] + t["dense.b"])
    logits = h @ t["dense_1.W"] + t["dense_1.b"]
    F.cross_entropy(logits, torch.from_numpy(y)).backward()
    np.testing.assert_allclose(net.layers[-1].a, torch.softmax(logits, 1).detach(),
                               rtol=1e-10)
    for key, g in ours.items():
        np.testing.assert_allclose(g, t[key].grad.numpy(), rtol=1e-8, atol=1e-12,
                                   err_msg=key)

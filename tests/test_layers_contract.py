"""The layer contract, one harness every layer passes.

For each layer (inside a float64 model, so its parameters are bound views):
output and gradient shapes; the declared kept values present after forward
and backward; dL/dx by finite differences; gradients only ever added
(``+=``: two backward passes give twice the gradient, the model zeroes
them); gradients and parameters stay the same arrays (views of the model's
flat buffers) across steps and fit; infer equals forward, returns fresh
memory and leaves the kept values alone; config round trip.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations as A

B = 5


def _dropout_fixed_mask(layer, x, seed=7):
    """Dropout in training mode with the same mask on every call."""
    layer.rng = np.random.default_rng(seed)
    return layer.forward(x, training=True)


LAYERS = {
    **{f"dense-{n}": (lambda n=n: gn.Dense(4, n, input_dim=3))
       for n in A.NAMES if n != "step"},
    "dense-no_bias": lambda: gn.Dense(4, "relu", use_bias=False, input_dim=3),
    "dense-regularized": lambda: gn.Dense(
        4, "tanh", input_dim=3, kernel_regularizer=gn.regularizers.L2(0.1)),
    **{f"activation-{n}": (lambda n=n: gn.Activation(n, input_dim=3))
       for n in A.NAMES if n != "step"},
    "dropout-inference": lambda: gn.Dropout(0.4, input_dim=3),
    "dropout-training": lambda: gn.Dropout(0.4, input_dim=3),
    "flatten": lambda: gn.Flatten(input_dim=(2, 3)),
    **{f"rnn-{cls.__name__}{'-sequences' * seq}{'-masked' * masked}":
       (lambda cls=cls, seq=seq, masked=masked: cls(
           4, input_dim=(5, 3), return_sequences=seq,
           mask_value=0.0 if masked else None))
       for cls in (gn.SimpleRNN, gn.LSTM, gn.GRU)
       for seq in (False, True) for masked in (False, True)},
    "rnn-LSTM-readable-sequences-masked": lambda: _readable_lstm(),
    "conv-valid": lambda: gn.Conv2D(3, 3, activation="tanh", input_shape=(5, 6, 2)),
    "conv-same-stride2": lambda: gn.Conv2D(3, (3, 2), strides=2, padding="same",
                                           input_shape=(5, 6, 2)),
    "conv-relu-no_bias": lambda: gn.Conv2D(2, 1, activation="relu", use_bias=False,
                                           input_shape=(4, 3, 2)),
    "conv-regularized": lambda: gn.Conv2D(
        2, 2, input_shape=(4, 3, 2), kernel_regularizer=gn.regularizers.L2(0.1)),
    "maxpool": lambda: gn.MaxPool2D(2, input_shape=(5, 6, 2)),
    "maxpool-same-overlapping": lambda: gn.MaxPool2D(3, strides=2, padding="same",
                                                     input_shape=(5, 6, 2)),
    "avgpool-same": lambda: gn.AvgPool2D(2, padding="same", input_shape=(5, 3, 2)),
    "globalavgpool": lambda: gn.GlobalAvgPool2D(input_shape=(3, 4, 2)),
    "reshape": lambda: gn.Reshape((3, 2, 1), input_dim=6),
    "batchnorm-dense-inference": lambda: gn.BatchNormalization(input_dim=3),
    "batchnorm-dense-training": lambda: gn.BatchNormalization(input_dim=3),
    "batchnorm-conv-training": lambda: gn.BatchNormalization(input_dim=(3, 2, 2)),
}


def _readable_lstm():
    layer = gn.LSTM(4, input_dim=(5, 3), return_sequences=True, mask_value=0.0)
    layer.fast = False  # the docstring's equations, not glassnet.fast.lstm
    return layer


def _unpadded(layer, x):
    """Entries of x that are not padding (a masked recurrent layer's input has
    whole steps equal to its mask_value: they get no gradient)."""
    mask_value = getattr(layer, "mask_value", None)
    if mask_value is None:
        return np.ones(x.shape, dtype=bool)
    real = (x != mask_value).any(axis=-1, keepdims=True)
    return np.broadcast_to(real, x.shape)


def _setup(case):
    layer = LAYERS[case]()
    net = gn.Sequential([layer], dtype="float64", seed=0)
    layer.need_input_grad = True  # the contract includes dL/dx
    # nonzero biases so that they matter
    net.set_weights([w if w.ndim > 1 else np.linspace(-0.2, 0.3, w.size)
                     for w in net.get_weights()])
    for v in layer.state.values():  # batch norm's moving statistics: σ² > 0
        v[...] = np.linspace(0.5, 1.5, v.size)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(B, *layer.input_shape))
    x[np.abs(x) < 0.05] += 0.1  # away from the kinks of relu & co.
    if getattr(layer, "mask_value", None) is not None:
        x[0, 3:] = x[1, :2] = x[2, 2] = layer.mask_value   # padded steps
    training = case.endswith("-training")

    def forward(xx):
        if training and isinstance(layer, gn.Dropout):
            return _dropout_fixed_mask(layer, xx)
        return layer.forward(xx, training=training)

    return net, layer, x, forward


@pytest.mark.parametrize("case", list(LAYERS))
def test_shapes_and_dtype(case):
    net, layer, x, forward = _setup(case)
    y = forward(x)
    assert y.shape == (B, *layer.output_shape) and y.dtype == np.float64
    for k in layer.keeps:
        if not (case.startswith("dropout") and not layer.active):
            assert layer.kept()[k] is not None, k
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape
    for k in layer.keeps_grad:
        assert layer.kept()[k] is not None, k
    assert list(layer.params) == list(layer.param_shapes())
    for p, shape in layer.param_shapes().items():
        assert layer.grads[p].shape == layer.params[p].shape == shape
    assert layer.count_params() == sum(v.size for v in layer.params.values()) + \
        sum(v.size for v in layer.state.values())  # batch norm: + moving μ, σ²


@pytest.mark.parametrize("case", list(LAYERS))
def test_input_gradient_by_finite_differences(case):
    net, layer, x, forward = _setup(case)
    R = np.random.default_rng(2).normal(size=(B, *layer.output_shape))
    forward(x)
    dx = layer.backward(R.copy()).copy()
    h, numeric = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        numeric[idx] = ((forward(xp) * R).sum() - (forward(xm) * R).sum()) / (2 * h)
    real = _unpadded(layer, x)
    np.testing.assert_allclose(dx[real], numeric[real], rtol=1e-6, atol=1e-8)
    assert not dx[~real].any()  # padding gets no gradient


@pytest.mark.parametrize("case", [c for c in LAYERS if c.startswith(
    ("dense", "rnn", "conv", "batchnorm"))])
def test_parameter_gradients_are_only_ever_added(case):
    net, layer, x, forward = _setup(case)
    R = np.random.default_rng(3).normal(size=(B, *layer.output_shape))
    ids = {p: id(layer.grads[p]) for p in layer.params}
    net.zero_grad()
    forward(x)
    layer.backward(R.copy())
    once = {p: layer.grads[p].copy() for p in layer.params}
    assert all(np.abs(g).sum() > 0 for g in once.values())
    forward(x)
    layer.backward(R.copy())  # += : now twice the gradient
    for p in layer.params:
        np.testing.assert_allclose(layer.grads[p], 2 * once[p], rtol=1e-14)
    net.zero_grad()
    assert not net.flat_grads.any()
    forward(x)
    layer.backward(R.copy())
    for p in layer.params:
        np.testing.assert_allclose(layer.grads[p], once[p], rtol=1e-14)
        assert id(layer.grads[p]) == ids[p]
        assert getattr(layer, "d" + p) is layer.grads[p]
    if not isinstance(layer, gn.Dense):
        return
    # dW = xᵀ dz, db = Σ_B dz, with dz = R ⊙ f'(z) from the activation
    dz = layer.activation.backward(layer.z, layer.a, R.copy())
    np.testing.assert_allclose(layer.dW, x.T @ dz, rtol=1e-12)
    if layer.use_bias:
        np.testing.assert_allclose(layer.db, dz.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("case", list(LAYERS))
def test_infer_equals_forward_and_is_fresh(case):
    net, layer, x, forward = _setup(case)
    y = layer.forward(x, training=False).copy()
    kept = {k: None if v is None else v.copy() for k, v in layer.kept().items()}
    out = layer.infer(x * 3.0 - 1.0)
    for k, v in layer.kept().items():       # infer leaves the kept values alone
        if v is not None:
            np.testing.assert_array_equal(v, kept[k])
    out = layer.infer(x)
    np.testing.assert_allclose(out, y, rtol=1e-14)
    assert out.shape == y.shape
    if out is not x:  # identity layers may pass x through, never a buffer
        layer.forward(x * 2.0 + 1.0, training=False)
        np.testing.assert_allclose(out, y, rtol=1e-14)


@pytest.mark.parametrize("case", list(LAYERS))
def test_config_round_trip(case):
    net, layer, x, forward = _setup(case)
    cfg = net.get_config()
    clone = gn.Sequential.from_config(cfg, seed=5)
    clone.set_weights(net.get_weights())
    assert clone.get_config() == cfg
    np.testing.assert_allclose(clone.predict(x), net.predict(x), rtol=1e-14)


def test_dropout_mask_scaling_and_inference_identity():
    layer = gn.Dropout(0.25, input_dim=(4000,))
    gn.Sequential([layer], dtype="float64", seed=0)
    x = np.ones((2, 4000))
    y = layer.forward(x, training=True)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75)     # inverted dropout
    assert abs(kept.mean() - 0.75) < 0.03
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


NETS = {
    "mlp": lambda: [gn.Dense(6, "relu", input_dim=4), gn.Dropout(0.2),
                    gn.Dense(5, "tanh"), gn.Activation("sigmoid"),
                    gn.Dense(3, "softmax")],
    "flatten": lambda: [gn.Flatten(input_dim=(2, 2)), gn.Dense(5, "elu"),
                        gn.Dense(3, "softmax")],
    "recurrent": lambda: [gn.LSTM(5, input_dim=(6, 3), return_sequences=True),
                          gn.GRU(4, return_sequences=True), gn.SimpleRNN(4),
                          gn.Dense(3, "softmax")],
    "cnn": lambda: [gn.Conv2D(3, 3, padding="same", activation="relu",
                              input_shape=(6, 5, 2)), gn.BatchNormalization(),
                    gn.MaxPool2D(2), gn.Conv2D(4, 2, strides=2, padding="same"),
                    gn.AvgPool2D(1), gn.Flatten(), gn.BatchNormalization(),
                    gn.Dense(3, "softmax")],
    "cnn-global": lambda: [gn.Reshape((4, 4, 2), input_dim=32),
                           gn.Conv2D(3, 3, activation="elu"), gn.GlobalAvgPool2D(),
                           gn.Dense(3, "softmax")],
}


@pytest.mark.parametrize("net_name", list(NETS))
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_params_and_grads_stay_views_of_flat_buffers(net_name, optimizer):
    net = gn.Sequential(NETS[net_name](), seed=0)
    net.compile("categorical_crossentropy", optimizer, learning_rate=0.01)
    bound = [(s.layer, s.name, s.layer.params[s.name], s.layer.grads[s.name],
              getattr(s.layer, s.name), getattr(s.layer, "d" + s.name))
             for s in net.slots]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, *net.input_shape))
    y = rng.integers(0, 3, size=40)
    y[:3] = [0, 1, 2]
    for _ in range(3):
        net.train_step(X[:8], y[:8])
    net.fit(X, y, epochs=2, batch_size=7, verbose=0,
            validation_split=0.2)
    for lay, p, param, grad, attr, dattr in bound:
        assert lay.params[p] is param and getattr(lay, p) is attr is param
        assert lay.grads[p] is grad and getattr(lay, "d" + p) is dattr is grad
        assert np.shares_memory(param, net.flat_params)
        assert np.shares_memory(grad, net.flat_grads)
    # and they really are the live values: writing the flat buffer shows up
    net.flat_params[...] = 0.5
    assert all((s.layer.params[s.name] == 0.5).all() for s in net.slots)


@pytest.mark.parametrize("net_name", list(NETS))
def test_reused_buffers_across_batch_sizes(net_name):
    """Work buffers keep the largest batch seen; smaller batches use their
    leading rows. Results must not depend on what ran before."""
    rng = np.random.default_rng(1)
    shape = NETS[net_name]()[0].input_dim
    X = rng.normal(size=(40, *shape))
    y = rng.integers(0, 3, size=40)
    fresh = gn.Sequential(NETS[net_name](), dtype="float64", seed=0)
    used = gn.Sequential(NETS[net_name](), dtype="float64", seed=0)
    for n in (40, 3, 17):  # grow, shrink, in between
        used.gradients(X[:n][::-1], y[:n][::-1], "categorical_crossentropy")
    for n in (5, 29):
        g_fresh = gn.Sequential(NETS[net_name](), dtype="float64", seed=0).gradients(
            X[:n], y[:n], "categorical_crossentropy")
        g_used = used.gradients(X[:n], y[:n], "categorical_crossentropy")
        for a, b in zip(g_fresh, g_used, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-13)
        np.testing.assert_allclose(used.predict(X[:n]), fresh.predict(X[:n]),
                                   rtol=1e-13)

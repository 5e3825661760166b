"""Sequential: flat buffers, weights, prediction, description, config."""

import numpy as np
import pytest

import glassnet as gn


def _net(dtype="float32", seed=0):
    return gn.Sequential([gn.Dense(5, "relu", input_dim=3), gn.Dropout(0.3),
                          gn.Dense(4, "softmax")], dtype=dtype, seed=seed)


def test_flat_buffers_hold_every_parameter():
    net = _net()
    assert net.flat_params.dtype == np.float32 and net.flat_params.ndim == 1
    assert net.flat_grads.shape == net.flat_params.shape
    names = [n for n, _, _ in net.parameters()]
    assert names == ["dense.W", "dense.b", "dense_1.W", "dense_1.b"]
    shapes = [v.shape for _, v, _ in net.parameters()]
    assert shapes == [(3, 5), (5,), (5, 4), (4,)]
    # views do not overlap and all lie in the flat buffer
    spans = sorted((s.offset, s.offset + s.size) for s in net.slots)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert spans[-1][1] <= net.flat_params.size
    assert net.count_params() == 3 * 5 + 5 + 5 * 4 + 4


def test_get_weights_are_copies_and_set_weights_copies_in():
    net = _net()
    ws = net.get_weights()
    ws[0][...] = 7.0
    assert not (net.layers[0].W == 7.0).any()
    new = [np.full(w.shape, i + 0.5) for i, w in enumerate(ws)]
    W0 = net.layers[0].W
    net.set_weights(new)
    assert net.layers[0].W is W0  # written in place, still the view
    for a, b in zip(net.get_weights(), new, strict=True):
        np.testing.assert_array_equal(a, b)
    new[0][...] = -1.0
    assert (net.layers[0].W == 0.5).all()


def test_same_seed_same_initial_weights_and_different_seed_differs():
    a, b, c = _net(seed=3), _net(seed=3), _net(seed=4)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_glorot_uniform_default_bounds():
    net = gn.Sequential([gn.Dense(300, input_dim=200)], seed=0)
    W = net.layers[0].W
    limit = np.sqrt(6 / (200 + 300))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.95 * limit
    assert abs(W.var() - 2 / 500) < 0.1 * 2 / 500
    assert (net.layers[0].b == 0).all()


def test_forward_equals_hand_computation_and_predict():
    net = _net(dtype="float64")
    X = np.random.default_rng(0).normal(size=(7, 3))
    W0, b0, W1, b1 = net.get_weights()
    h = np.maximum(X @ W0 + b0, 0)                # dropout is off in predict
    z = h @ W1 + b1
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(net.predict(X), p, rtol=1e-12)
    np.testing.assert_allclose(net.predict_proba(X), p, rtol=1e-12)
    np.testing.assert_array_equal(net.predict_classes(X), p.argmax(1))
    # batching does not change the result; predict is deterministic
    np.testing.assert_allclose(net.predict(X, batch_size=2), p, rtol=1e-12)
    np.testing.assert_array_equal(net.predict(X), net.predict(X))


def test_predict_returns_fresh_arrays():
    net = _net()
    X = np.ones((2, 3), dtype=np.float32)
    a = net.predict(X)
    net.predict(X * 3)
    net.forward(X * 5, training=True)
    np.testing.assert_array_equal(a, net.predict(X))


def test_predict_proba_single_sigmoid_unit():
    net = gn.Sequential([gn.Dense(1, "sigmoid", input_dim=2)], dtype="float64",
                        seed=0)
    net.set_weights([np.array([[2.0], [-1.0]]), np.array([0.5])])
    X = np.array([[0.0, 0.0], [-1.0, 1.0]])
    p1 = 1 / (1 + np.exp(-(X @ [2.0, -1.0] + 0.5)))
    np.testing.assert_allclose(net.predict_proba(X), np.c_[1 - p1, p1])
    np.testing.assert_array_equal(net.predict_classes(X), (p1 >= 0.5).astype(int))


def test_predict_proba_from_logits_model():
    net = gn.Sequential([gn.Dense(3, input_dim=2)], dtype="float64", seed=0)
    net.compile(gn.losses.CategoricalCrossentropy(from_logits=True), "sgd")
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    z = net.predict(X)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(net.predict_proba(X), p, rtol=1e-12)


def test_gradients_leave_weights_unchanged_and_match_hand_backprop():
    net = gn.Sequential([gn.Dense(3, "tanh", input_dim=2), gn.Dense(1)],
                        dtype="float64", seed=0)
    X = np.array([[0.5, -1.0], [2.0, 0.1], [-0.3, 0.7]])
    y = np.array([[1.0], [0.0], [-1.0]])
    before = net.get_weights()
    W0, b0, W1, b1 = before
    # half_sse: L = (1/B) Σ ½(ŷ − y)²
    a = np.tanh(X @ W0 + b0)
    out = a @ W1 + b1
    d_out = (out - y) / 3
    dW1, db1 = a.T @ d_out, d_out.sum(0)
    dz = (d_out @ W1.T) * (1 - a**2)
    dW0, db0 = X.T @ dz, dz.sum(0)
    grads = net.gradients(X, y, loss="half_sse")
    for g, ref in zip(grads, [dW0, db0, dW1, db1], strict=True):
        np.testing.assert_allclose(g, ref, rtol=1e-12)
    for w, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(w, b)


def test_summary_table_lists_every_layer():
    net = _net()
    text = net.summary(print_fn=None)
    assert "dense (Dense)" in text and "dropout (Dropout)" in text
    assert "3×5 + 5 = 20" in text and "5×4 + 4 = 24" in text
    assert "Total params: 44" in text
    assert f"{44 * 4 / 1024:,.2f} KB" in text
    lines = []
    net.summary(print_fn=lines.append)
    assert lines == [text]


def test_summary_reports_float64_memory():
    net = _net(dtype="float64")
    assert f"{44 * 8 / 1024:,.2f} KB" in net.summary(print_fn=None)


def test_config_round_trip_and_repr():
    net = gn.Sequential([gn.Flatten(input_dim=(2, 2)),
                         gn.Dense(3, gn.activations.LeakyReLU(0.2),
                                  kernel_regularizer=gn.regularizers.L2(0.01)),
                         gn.Dropout(0.1), gn.Dense(2, "sigmoid", use_bias=False)],
                        dtype="float64", seed=0)
    cfg = net.get_config()
    clone = gn.Sequential.from_config(cfg)
    clone.set_weights(net.get_weights())
    assert clone.get_config() == cfg
    X = np.random.default_rng(0).normal(size=(3, 2, 2))
    np.testing.assert_array_equal(clone.predict(X), net.predict(X))
    assert "Dense(3" in repr(net)


def test_from_config_rejects_unknown_layer_type(errmsg):
    with pytest.raises(gn.ConfigError) as ei:
        gn.Sequential.from_config({"layers": [{"type": "os.system", "config": {}}]})
    errmsg(ei, "os.system")


def test_layer_names_are_unique():
    net = gn.Sequential([gn.Dense(2, input_dim=2), gn.Dense(2), gn.Dense(2, name="out"),
                         gn.Dense(2)])
    assert [layer.name for layer in net.layers] == ["dense", "dense_1", "out",
                                                    "dense_2"]


def test_epoch_counter_and_history_start_empty():
    net = _net()
    assert net.epoch == 0 and net.history is None and net.loss is None

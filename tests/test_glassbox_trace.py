"""Trace: one step's arrays by name; nothing recorded or allocated when off."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import glassnet as gn


def _net(opt="sgd", **kw):
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=3), gn.Dense(2, "softmax")],
                        dtype="float64", seed=0)
    net.compile(loss="categorical_crossentropy", optimizer=opt, **kw)
    return net


def _data(n=6):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 3)), np.arange(n) % 2


def test_trace_records_forward_backward_and_update():
    X, y = _data()
    net = _net("sgd", learning_rate=0.1)
    W0 = net.get_weights()
    grads = net.gradients(X, y, "categorical_crossentropy")
    L0 = net.loss_value(X, y, net.loss)
    t = gn.trace(net, X, y)
    h, o = t.layers
    np.testing.assert_allclose(h["z"], X @ W0[0] + W0[1])
    np.testing.assert_allclose(h["a"], np.tanh(h["z"]))
    np.testing.assert_allclose(o["x"], h["a"])
    np.testing.assert_allclose(h["dz"], h["da"] * (1 - h["a"] ** 2))
    assert o["da"] is None and t.fused            # softmax + CE start from dL/dz
    np.testing.assert_allclose(o["dz"] * len(X), o["a"] - np.eye(2)[y])
    for d, gW, gb, W, b in [(h, grads[0], grads[1], W0[0], W0[1]),
                            (o, grads[2], grads[3], W0[2], W0[3])]:
        np.testing.assert_allclose(d["dW"], gW)
        np.testing.assert_allclose(d["db"], gb)
        np.testing.assert_array_equal(d["W"], W)
        np.testing.assert_array_equal(d["b"], b)
        np.testing.assert_allclose(d["update_W"], -0.1 * gW)
        np.testing.assert_allclose(d["W_after"], W - 0.1 * gW)
        np.testing.assert_allclose(d["update_b"], -0.1 * gb)
    # issue 15, item 21: looking leaves the model as it was (update=True keeps it)
    np.testing.assert_array_equal(net.get_weights()[0], W0[0])
    assert net.optimizer.t == 0
    assert t.optimizer["name"] == "sgd" and t.step == 1
    kept = gn.trace(net, X, y, update=True)
    np.testing.assert_array_equal(net.get_weights()[0], kept.layers[0]["W_after"])
    assert t.loss == pytest.approx(L0, rel=1e-12)
    assert "layer 0 dense (Dense)" in t.summary()


def test_trace_records_optimizer_state_and_can_restore():
    X, y = _data()
    net = _net("adam", learning_rate=0.01)
    net.train_step(X, y)
    before = net.get_weights()
    m_before = net.optimizer.state["m"].copy()
    t = gn.trace(net, X, y, restore_after=True)
    d = t.layers[0]
    np.testing.assert_array_equal(d["state_W_before"]["m"],
                                  m_before[:12].reshape(3, 4))
    b1 = 0.9
    np.testing.assert_allclose(d["state_W"]["m"],
                               b1 * d["state_W_before"]["m"] + (1 - b1) * d["dW"])
    assert t.optimizer["t"] == 2
    for a, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert net.optimizer.t == 1
    np.testing.assert_array_equal(net.optimizer.state["m"], m_before)


def test_tracing_block_keeps_steps_and_detaches():
    X, y = _data()
    net = _net()
    assert net.tracer is None
    with gn.tracing(net, keep=None) as tr:
        net.train_step(X, y)
        net.fit(X, y, epochs=2, batch_size=3, verbose=0)
    assert net.tracer is None
    assert len(tr.traces) == 5 and [t.step for t in tr.traces] == [1, 2, 3, 4, 5]
    assert tr.layers is tr.last.layers and tr.last.X.shape == (3, 3)
    with gn.tracing(net) as tr2:
        pass
    with pytest.raises(LookupError):
        _ = tr2.last


def test_trace_off_allocates_nothing_per_step():
    """Counted with tracemalloc: untraced steps leave no memory behind and run
    no glass-box code; a traced step keeps copies of every array."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 20)), rng.integers(0, 5, 64)
    net = gn.Sequential([gn.Dense(64, "relu", input_dim=20), gn.Dense(5, "softmax")],
                        seed=0)
    net.compile(loss="categorical_crossentropy", optimizer="adam")
    Xf = X.astype(np.float32)
    yp = net.loss.prepare_targets(y, 5, net.dtype)
    from glassnet.train.step import apply_step
    for _ in range(3):  # warm up: buffers and optimizer state exist
        apply_step(net, Xf, yp)

    tracemalloc.start()
    snap0 = tracemalloc.take_snapshot()
    tracemalloc.reset_peak()
    for _ in range(10):
        apply_step(net, Xf, yp)
    untraced_peak = tracemalloc.get_traced_memory()[1]
    snap1 = tracemalloc.take_snapshot()
    net.tracer = gn.glassbox.Tracer(keep=None)
    for _ in range(10):
        apply_step(net, Xf, yp)
    snap2 = tracemalloc.take_snapshot()
    tracemalloc.stop()
    net.tracer = None

    def glassbox_blocks(diff):
        return sum(s.count_diff for s in diff if s.count_diff > 0
                   and "glassnet/glassbox/" in s.traceback[0].filename)

    off = snap1.compare_to(snap0, "traceback")
    on = snap2.compare_to(snap1, "traceback")
    assert glassbox_blocks(off) == 0                   # no glass-box code ran
    kept_off = sum(s.size_diff for s in off if s.size_diff > 0)
    kept_on = sum(s.size_diff for s in on if s.size_diff > 0)
    params_bytes = net.flat_params.nbytes
    assert kept_off < 4096                             # nothing accumulates
    assert kept_on > 10 * params_bytes                 # the trace is visible
    assert glassbox_blocks(on) > 0
    assert untraced_peak < kept_on / 10



@pytest.mark.parametrize("cls", [gn.SimpleRNN, gn.LSTM, gn.GRU])
def test_trace_of_a_recurrent_layer_has_per_step_gradient_norms(cls):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 7, 2)), 3 + rng.normal(size=(5, 1))
    net = gn.Sequential([cls(4, input_dim=2), gn.Dense(1)], dtype="float64", seed=0)
    net.compile(loss="mse", optimizer="sgd", learning_rate=0.1, global_clipnorm=0.5)
    raw = np.sqrt(sum((g ** 2).sum() for g in net.gradients(X, y)))
    t = gn.trace(net, X, y, restore_after=True)
    d = t.layers[0]
    assert d["h"].shape == d["dh"].shape == (5, 7, 4)
    np.testing.assert_allclose(d["h"][:, -1], net.layers[0].forward(X))  # h_T
    assert d["step_grad_norms"].shape == (7,) and np.all(d["step_grad_norms"] > 0)
    np.testing.assert_allclose(d["step_grad_norms"],
                               np.sqrt((d["dh"] ** 2).sum(axis=(0, 2))))
    # clipping, shown on an RNN: the raw gradient is longer than 0.5, the applied
    # one (what the optimizer used) is exactly 0.5 long
    applied = np.sqrt(sum((layer[k] ** 2).sum() for layer in t.layers
                          for k in layer if k.endswith("_applied")))
    assert raw > 1.0 and applied == pytest.approx(0.5)
    assert "step_grad_norms" in t.summary()

"""The training engine's mechanisms (never its timings): buffers reused across
batches, parameters as views of one flat buffer, Adam's subnormal flush, the
loss taken from the stored softmax, and the single-sample predict fast path."""

import tracemalloc

import numpy as np
import pytest

import glassnet as gn
import glassnet.core.network as model_mod
from glassnet import optimizers as O
from glassnet.core import optim
from glassnet.losses import CategoricalCrossentropy
from glassnet.train.step import apply_step


def _net(seed=0, dtype="float32", width=32):
    net = gn.Sequential([gn.Dense(width, "relu", input_dim=20), gn.Dense(width, "tanh"),
                         gn.Dense(width, "relu"), gn.Dense(5, "softmax")],
                        dtype=dtype, seed=seed)
    net.compile("categorical_crossentropy", "adam", learning_rate=1e-3)
    return net


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 20)).astype(np.float32), rng.integers(0, 5, n)


def _buffers(net):
    """Every work buffer of every layer: {(layer, key): data pointer}."""
    return {(i, k): v.__array_interface__["data"][0]
            for i, layer in enumerate(net.layers)
            for k, v in layer._bufs.items()}


def test_training_step_allocates_nothing_after_the_first_batch():
    net = _net(width=64)
    X, y = _data(1024)
    y = net.loss.prepare_targets(y, 5, net.dtype)
    batches = [(X[i:i + 256], y[i:i + 256]) for i in range(0, 1024, 256)]
    for xb, yb in batches[:2]:                       # warm-up: buffers allocated
        apply_step(net, xb, yb)
    before = _buffers(net)
    hidden = 256 * 64 * 4                            # one hidden activation, bytes
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for i in range(50):
        apply_step(net, *batches[i % 4])
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert current - base < 2048, current - base     # nothing kept per step
    # no temporary as large as an activation (NumPy's own iterator buffer for
    # the broadcast `z += b`, at most 8192 elements, is the largest allocation)
    assert peak - base < hidden * 0.6, peak - base
    assert _buffers(net) == before                   # the same buffers, reused
    assert len(before) == 4 * 4 - 1                  # z, a, dz, dx (no dx for layer 0)


def test_a_smaller_last_batch_reuses_the_leading_rows_of_the_buffers():
    net = _net()
    X, y = _data(100)
    net.fit(X, y, epochs=1, batch_size=64, verbose=0, seed=0)  # 64 then 36 rows
    before = _buffers(net)
    net.fit(X, y, epochs=3, batch_size=64, verbose=0, seed=1)
    assert _buffers(net) == before
    assert net.layers[0].z.shape == (36, 32)
    assert np.shares_memory(net.layers[0].z, net.layers[0]._bufs["z"])


def test_parameters_and_gradients_stay_views_of_the_flat_buffers_after_fit():
    net = _net()
    X, y = _data()
    views = [(s.layer.params[s.name], s.layer.grads[s.name]) for s in net.slots]
    net.fit(X, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0, seed=0)
    net.set_weights(net.get_weights())
    for s, (w0, g0) in zip(net.slots, views, strict=True):
        w, g = getattr(s.layer, s.name), getattr(s.layer, "d" + s.name)
        assert w is w0 and g is g0 and w.shape == s.shape
        assert np.shares_memory(w, net.flat_params)
        assert np.shares_memory(g, net.flat_grads)
        np.testing.assert_array_equal(w.ravel(), s.of(net.flat_params).ravel())
        np.testing.assert_array_equal(g.ravel(), s.of(net.flat_grads).ravel())


def test_adam_flushes_tiny_moment_estimates_to_zero():
    theta = np.zeros(6, dtype=np.float32)
    opt = O.Adam(1e-3)
    opt.build(theta)
    keep = np.array([1e-3, 2e-20, 1e-29], dtype=np.float32)
    tiny = np.array([1e-31, 1e-36, 1e-40], dtype=np.float32)  # 1e-40: subnormal
    assert tiny[2] != 0 and abs(tiny[2]) < np.finfo(np.float32).tiny
    zero = np.zeros(6, dtype=np.float32)
    while (opt.t + 1) % optim._FLUSH_EVERY:           # up to the step before a flush
        opt.step(theta, zero.copy())
    for s in opt.state.values():
        s[:3], s[3:] = keep, tiny
    opt.step(theta, zero.copy())                  # β decay, then the flush
    assert opt.t % optim._FLUSH_EVERY == 0
    for name, s in opt.state.items():
        assert np.all(s[3:] == 0), (name, s)
        assert np.all(s[:3] != 0), (name, s)


def test_adam_state_never_holds_subnormals_when_gradients_stop():
    """A weight whose gradient becomes 0 (an MNIST border pixel): its m decays
    by β₁ each step and would pass through the subnormal range after ~800."""
    theta = np.zeros(3, dtype=np.float32)
    opt = O.Adam(1e-3)
    opt.build(theta)
    opt.step(theta, np.array([0.5, -0.25, 1.0], dtype=np.float32))
    for _ in range(1200):
        opt.step(theta, np.zeros(3, dtype=np.float32))
        if opt.t % optim._FLUSH_EVERY == 0:
            for s in opt.state.values():
                assert not np.any((s != 0) & (np.abs(s) < 1e-30))
    assert np.all(opt.state["m"] == 0)  # flushed, not left to underflow slowly


def test_loss_from_the_stored_softmax_equals_the_logits_form():
    cce = CategoricalCrossentropy()
    rng = np.random.default_rng(0)
    z = rng.normal(size=(64, 7)) * 3
    y = rng.integers(0, 7, 64)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    w = rng.random(64)
    assert cce.logits.forward(z, y, p=p) == pytest.approx(cce.logits.forward(z, y),
                                                          rel=1e-12)
    assert cce.logits.forward(z, y, w, p=p) == pytest.approx(
        cce.logits.forward(z, y, w), rel=1e-12)
    z[0, y[0]] -= 200.0                        # p_y underflows: the lse form is used
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert cce.logits.forward(z, y, p=p) == pytest.approx(cce.logits.forward(z, y),
                                                          rel=1e-12)


@pytest.fixture
def count_check_X(monkeypatch):
    calls = []
    real = model_mod.check_X

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(model_mod, "check_X", counting)
    return calls


def test_single_sample_predict_takes_the_fast_path(count_check_X):
    net = _net()
    X, _ = _data(8)
    x1 = X[3:4]
    out = net.predict(x1)
    assert count_check_X == []                  # no full validation pass
    np.testing.assert_allclose(out, net.predict(X)[3:4], rtol=1e-6)
    assert len(count_check_X) == 1              # (the batch took the full path)
    assert out.shape == (1, 5) and not np.shares_memory(out, x1)
    assert net.predict_classes(x1).shape == (1,)


@pytest.mark.parametrize("make", [
    lambda x: x.astype(np.float64),             # another dtype: converted
    lambda x: x.tolist(),                       # not an array
    lambda x: x[0],                             # 1-D: a helpful error
    lambda x: np.where(np.arange(20) == 7, np.nan, x).astype(np.float32),
    lambda x: np.full_like(x, np.inf),
])
def test_anything_else_takes_the_checked_path(count_check_X, make):
    net = _net()
    x1 = _data(4)[0][:1]
    arg = make(x1)
    try:
        net.predict(arg)
    except gn.ShapeError:
        pass
    assert len(count_check_X) == 1


def test_single_sample_fast_path_still_rejects_bad_values():
    net = _net()
    x1 = _data(4)[0][:1].copy()
    x1[0, 5] = np.nan
    with pytest.raises(gn.ShapeError, match="finite"):
        net.predict(x1)
    huge = np.full((1, 20), 3e30, dtype=np.float32)   # x·x overflows, x is finite
    assert np.isfinite(net.predict(huge)).all()


def test_single_sample_fast_path_still_checks_batch_size():
    net = _net()
    x1 = _data(4)[0][:1]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(gn.ConfigError):
            net.predict(x1, batch_size=bad)
    assert net.predict(x1, batch_size=np.int64(4)).shape == (1, 5)

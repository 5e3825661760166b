"""The kernels that need an optional package (numba; SciPy's BLAS) round
exactly as the NumPy lines they replace, and switching them off changes no
number. The kernels' Python source runs here even without numba (on small
arrays); the compiled kernels run where numba is installed (the ``fast``
extra) and are skipped cleanly where it is not."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.fast import _jit
from glassnet.fast import adam as fast_adam
from glassnet.fast import relu as fast_relu


def _bits(a):
    return np.ascontiguousarray(a).view(np.uint8)


def _same(a, b) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and \
        np.array_equal(_bits(a), _bits(b))


@pytest.fixture
def kernels_off():
    _jit.use_kernels(False)
    yield
    _jit.use_kernels(True)


def _edge_values(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=shape).astype(dtype)
    tiny = np.finfo(dtype).smallest_subnormal
    z.flat[:10] = [-0.0, 0.0, np.nan, -np.nan, np.inf, -np.inf, tiny, -tiny, 1, -1]
    return z


def _numpy_adam(p, g, m, v, t):
    """The NumPy form of glassnet.fast.adam (kernels switched off), in place."""
    tmp = np.empty_like(p)
    _jit.use_kernels(False)
    try:
        fast_adam.adam_update(np, p, g, m, v, tmp, lr=1e-3, beta_1=0.9,
                              beta_2=0.999, epsilon=1e-8, t=t)
    finally:
        _jit.use_kernels(True)


def _adam_inputs(dtype, n=300, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.normal(size=n).astype(dtype)
    m = (rng.normal(size=n) * 1e-3).astype(dtype)
    v = (rng.random(n) * 1e-6).astype(dtype)
    g = (rng.normal(size=n) * 10.0 ** rng.integers(-20, 3, n)).astype(dtype)
    g[:3] = 0.0
    return p, g, m, v


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_kernel_source_is_bitwise_the_numpy_form(dtype):
    """The kernel's loop, run as plain Python on NumPy scalars of the dtype."""
    p, g, m, v = _adam_inputs(dtype)
    want_p, want_m, want_v = p.copy(), m.copy(), v.copy()
    _numpy_adam(want_p, g, want_m, want_v, t=7)
    b1, b2, eps, lr, t = 0.9, 0.999, 1e-8, 1e-3, 7
    bc1, bc2 = 1 - b1**t, 1 - b2**t
    s = [dtype(x) for x in (1 - b1, 1 - b2, eps * np.sqrt(bc2),
                            lr * np.sqrt(bc2) / bc1)]
    with np.errstate(all="ignore"):
        fast_adam._adam_kernel(p, g, m, v, *s)
    for a, b in zip((p, m, v), (want_p, want_m, want_v), strict=True):
        assert _same(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_kernel_sources_are_bitwise_numpy(dtype):
    z = _edge_values(dtype, (5, 9), 1).reshape(-1)
    da = _edge_values(dtype, (5, 9), 2).reshape(-1)
    a = np.empty_like(z)
    fast_relu._forward_kernel(z, a, dtype(0))
    assert _same(a, np.maximum(z, 0))
    dz = np.empty_like(z)
    with np.errstate(all="ignore"):
        fast_relu._backward_kernel(a, da, dz, dtype(0), dtype(1))
        want = np.greater(a, 0).astype(dtype) * da
    assert _same(dz, want)


# -- compiled by numba ------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_adam_is_bitwise_the_numpy_form(dtype):
    pytest.importorskip("numba")
    p, g, m, v = _adam_inputs(dtype, n=5000, seed=3)
    ref = [a.copy() for a in (p, m, v)]
    for t in range(1, 6):
        fast_adam.adam_update(np, p, g, m, v, np.empty_like(p), lr=1e-3, beta_1=0.9,
                              beta_2=0.999, epsilon=1e-8, t=t)
        _numpy_adam(ref[0], g, ref[1], ref[2], t)
    assert _jit.kernel(fast_adam._adam_kernel) is not None
    for a, b in zip((p, m, v), ref, strict=True):
        assert _same(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_relu_is_bitwise_numpy(dtype):
    pytest.importorskip("numba")
    z = _edge_values(dtype, (128, 77), 4)
    da = _edge_values(dtype, (128, 77), 5)
    a = np.empty_like(z)
    assert fast_relu.forward(z, a) is a
    assert _same(a, np.maximum(z, 0))
    dz = np.empty_like(z)
    with np.errstate(all="ignore"):
        assert fast_relu.backward(a, da, dz) is dz
        assert _same(dz, np.greater(a, 0).astype(dtype) * da)
        assert fast_relu.backward(a, da, da) is da       # in place, out is da
    assert _same(da, dz)


def test_kernels_decline_what_they_cannot_take(kernels_off):
    z = np.ones((200, 60), np.float32)
    assert fast_relu.forward(z, np.empty_like(z)) is None          # switched off
    _jit.use_kernels(True)
    assert fast_relu.forward(z[:, ::2], np.empty((200, 30), np.float32)) is None
    assert fast_relu.forward(z, np.empty((200, 60), np.float64)) is None
    assert fast_relu.forward(z.astype(int), np.empty((200, 60), int)) is None
    assert fast_relu.forward(z[:2], np.empty((2, 60), np.float32)) is None  # small


# -- the whole training path --------------------------------------------------
def _train(kernels: bool, dtype="float32"):
    _jit.use_kernels(kernels)
    try:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(200, 20))
        y = rng.integers(0, 4, 200)
        # 64 × 160 values per ReLU: above fast_relu.MIN_SIZE, the kernels run
        net = gn.Sequential([gn.Dense(160, "relu", input_dim=20),
                             gn.Dense(160, "relu"), gn.Dense(4, "softmax")],
                            seed=1, dtype=dtype)
        net.compile("categorical_crossentropy", "adam", learning_rate=0.01)
        net.fit(X, y, epochs=2, batch_size=64, verbose=0, seed=2)
        return net.get_weights(), net.predict(X[:50])
    finally:
        _jit.use_kernels(True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_with_the_kernels_is_bitwise_training_without(dtype):
    (w1, p1), (w0, p0) = _train(True, dtype), _train(False, dtype)
    assert all(_same(a, b) for a, b in zip(w1, w0, strict=True))
    assert _same(p1, p0)


# -- the LSTM's step kernels ----------------------------------------------------
def _lstm_run(mode, monkeypatch, truncate, dtype):
    """Forward + backward of a fused LSTM; mode "off": NumPy lines, "python":
    the kernels' source run as Python, "numba": the compiled kernels."""
    with monkeypatch.context() as mp:
        if mode == "off":
            mp.setattr(_jit, "_state", {**_jit._state, "enabled": False})
        elif mode == "python":
            mp.setattr(_jit, "kernel", lambda fn: fn)
        layer = gn.LSTM(6, input_dim=(5, 3), return_sequences=True, truncate=truncate)
        net = gn.Sequential([layer], seed=0, dtype=dtype)
        layer.need_input_grad = True
        rng = np.random.default_rng(1)
        net.set_weights([w + 0.3 * rng.normal(size=w.shape).astype(w.dtype)
                         for w in net.get_weights()])
        x = rng.normal(size=(4, 5, 3)).astype(dtype)
        net.zero_grad()
        y = layer.forward(x).copy()
        dx = layer.backward(rng.normal(size=y.shape).astype(dtype)).copy()
        assert layer.fused
        return [y, dx, net.flat_grads.copy(), layer.C.copy()]


@pytest.mark.parametrize("truncate", [None, 2])
@pytest.mark.parametrize("mode", ["python", "numba"])
def test_lstm_step_kernels_are_bitwise_the_numpy_lines(mode, truncate, monkeypatch):
    if mode == "numba":
        pytest.importorskip("numba")
    for dtype in (np.float32, np.float64):
        got = _lstm_run(mode, monkeypatch, truncate, dtype)
        want = _lstm_run("off", monkeypatch, truncate, dtype)
        assert all(_same(a, b) for a, b in zip(got, want, strict=True))

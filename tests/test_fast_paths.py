"""Every fast form in ``glassnet.fast`` equals the readable formula it
replaces (to float rounding), and training runs the fast one."""

import numpy as np
import pytest

from glassnet import optimizers as O
from glassnet.fast.colsum import colsum


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("B", [1, 7, 128, 1000])
def test_colsum_equals_the_column_sum(B, dtype):
    """Equal up to the rounding of a sum in another order: a few ulps of Σ|d|."""
    d = np.random.default_rng(B).normal(size=(B, 33)).astype(dtype)
    exact = d.astype(np.float64).sum(axis=0)
    bound = 4 * B * np.finfo(dtype).eps * np.abs(d).astype(np.float64).sum(axis=0)
    assert (np.abs(colsum(d, np) - exact) <= bound).all()
    assert (np.abs(d.sum(axis=0) - exact) <= bound).all()


def _paper_adam(theta, grads, lr, b1, b2, eps, wd=0.0):
    """Kingma & Ba, Algorithm 1, in float64 with fresh arrays (AdamW's decay)."""
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        theta = theta * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return theta


@pytest.mark.parametrize("cls,kw", [(O.Adam, {}), (O.AdamW, {"weight_decay": 0.1})])
def test_in_place_adam_equals_the_papers_lines(cls, kw):
    rng = np.random.default_rng(0)
    theta0 = rng.normal(size=500)
    grads = [rng.normal(size=500) * 10.0 ** rng.integers(-3, 2) for _ in range(40)]
    fast, readable = cls(0.01, **kw), cls(0.01, **kw)
    a, b = theta0.copy(), theta0.copy()
    fast.build(a)
    readable.build(b)
    for g in grads:
        fast.step(a, g.copy())                 # what training runs
        readable.t += 1
        readable.update(b, g.copy())           # the paper's lines, as written
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a, _paper_adam(theta0, grads, 0.01, 0.9, 0.999, 1e-8,
                                              kw.get("weight_decay", 0.0)),
                               rtol=1e-12, atol=1e-14)
    for k in ("m", "v"):
        np.testing.assert_allclose(fast.state[k], readable.state[k], rtol=1e-12)


def test_training_runs_the_fast_adam(monkeypatch):
    calls = []
    import glassnet.core.adam as adam_mod
    real = adam_mod.adam_update
    monkeypatch.setattr(adam_mod, "adam_update",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    opt = O.Adam(0.01)
    theta = np.zeros(4)
    opt.build(theta)
    opt.step(theta, np.ones(4))
    assert calls == [1]


# -- dW += xᵀ dz in one BLAS call (glassnet.fast.gemm, NumPy's own OpenBLAS) ------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("B,n_in,n_out", [(128, 784, 128), (96, 128, 10), (2, 5, 3),
                                          (32, 512, 512)])
def test_accumulating_gemm_equals_the_numpy_line(B, n_in, n_out, dtype):
    from glassnet.fast.gemm import _gemm, add_xt_dz
    if _gemm(np.dtype(dtype).char) is None:
        pytest.skip("NumPy's BLAS is not the OpenBLAS of its wheels here")
    rng = np.random.default_rng(B + n_in)
    x = rng.random((B, n_in)).astype(dtype)
    dz = rng.normal(size=(B, n_out)).astype(dtype)
    dW = np.zeros((n_in, n_out), dtype)
    assert add_xt_dz(dW, x, dz)
    want = np.zeros_like(dW)
    want += x.T @ dz
    assert np.array_equal(dW, want)                 # from zero: bitwise (0 + p = p)
    assert add_xt_dz(dW, x, dz)                     # adding again: to rounding
    bound = 4 * B * np.finfo(dtype).eps * (np.abs(x.T) @ np.abs(dz)) * 2
    assert (np.abs(dW - 2 * want) <= bound).all()


def test_accumulating_gemm_declines_what_it_cannot_take():
    from glassnet.fast.gemm import add_xt_dz
    x, dz = np.ones((4, 6), np.float32), np.ones((4, 3), np.float32)
    assert not add_xt_dz(np.zeros((6, 3), np.float64), x, dz)      # mixed dtypes
    assert not add_xt_dz(np.zeros((6, 3), np.float32), x[::2], dz[::2])  # strided
    assert not add_xt_dz(np.zeros((3, 6), np.float32).T, x, dz)    # dW not C-order
    assert not add_xt_dz(np.zeros((6, 3), np.int64), x.astype(int), dz.astype(int))
    assert not add_xt_dz(np.zeros((6, 1), np.float32), x, dz[:, :1])  # NumPy: gemv
    from glassnet.fast import use_kernels
    use_kernels(False)
    try:
        assert not add_xt_dz(np.zeros((6, 3), np.float32), x, dz)     # switched off
    finally:
        use_kernels(True)


def test_training_runs_the_accumulating_gemm(monkeypatch):
    import glassnet.core.dense as dense_mod
    calls = []
    real = dense_mod.add_xt_dz
    monkeypatch.setattr(dense_mod, "add_xt_dz",
                        lambda *a: calls.append(1) or real(*a))
    import glassnet as gn
    net = gn.Sequential([gn.Dense(3, "relu", input_dim=4), gn.Dense(2)], seed=0)
    net.compile("mse", "adam")
    net.fit(np.ones((8, 4)), np.ones((8, 2)), epochs=1, batch_size=8, verbose=0)
    assert calls == [1, 1]


# -- float64 data into a float32 model: cast batch by batch, not as a whole ---------
def _fit(X, y, **kw):
    import glassnet as gn
    net = gn.Sequential([gn.Dense(8, "relu", input_dim=X.shape[1]),
                         gn.Dense(3, "softmax")], seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.01)
    h = net.fit(X, y, epochs=2, batch_size=16, verbose=0, seed=1, **kw)
    return net.get_weights(), h.history


@pytest.mark.parametrize("kw", [{}, {"validation_split": 0.25}])
def test_float64_data_trains_bitwise_as_its_float32_copy(kw):
    rng = np.random.default_rng(0)
    X64 = rng.random((90, 6)) * 3 - 1
    y = rng.integers(0, 3, 90)
    (w64, h64), (w32, h32) = _fit(X64, y, **kw), _fit(X64.astype(np.float32), y, **kw)
    assert all(np.array_equal(a, b) for a, b in zip(w64, w32, strict=True))
    assert {k: v for k, v in h64.items() if k != "time"} == \
        {k: v for k, v in h32.items() if k != "time"}


def test_float64_data_beyond_float32_range_is_refused_where_it_enters():
    from glassnet.errors import ShapeError
    X = np.ones((40, 6))
    X[5, 2] = 1e39                                   # finite in float64, inf in float32
    with pytest.raises(ShapeError, match="fit float32"):
        _fit(X, np.arange(40) % 3)
    X[5, 2] = np.nan
    with pytest.raises(ShapeError, match=r"NaN or inf at index \(5, 2\)"):
        _fit(X, np.arange(40) % 3)


def test_the_float32_finite_check_catches_what_the_dot_product_hides():
    from glassnet._validation import _all_finite
    X = np.ones((1000, 50), np.float32)
    assert _all_finite(X)
    X[999, 3] = 3e38                           # x·x overflows, yet every xᵢ is finite
    assert _all_finite(X)
    X[10, 0] = -np.inf
    assert not _all_finite(X)


@pytest.mark.parametrize("shape", [(12, 10, 1), (1, 10, 4), (12, 1, 4), (7, 5, 3)])
def test_gemm_accumulate_is_bitwise_numpys_product_for_every_shape(shape):
    """From zero, dW += xᵀ dz equals NumPy's own product bit for bit, including
    the vector-shaped products NumPy computes with gemv."""
    from glassnet.fast.gemm import add_xt_dz
    B, n_in, n_out = shape
    rng = np.random.default_rng(sum(shape))
    for dtype in (np.float32, np.float64):
        x = rng.normal(size=(B, n_in)).astype(dtype)
        dz = rng.normal(size=(B, n_out)).astype(dtype)
        dW = np.zeros((n_in, n_out), dtype)
        if not add_xt_dz(dW, x, dz):
            dW += x.T @ dz
        assert dW.tobytes() == (x.T @ dz).tobytes()

"""Initializers: each formula's spread, explicit generators only, dtypes,
and the model's float32 default / float64 on request."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import initializers as I

FAN_IN, FAN_OUT = 400, 600
SHAPE = (FAN_IN, FAN_OUT)
# name: (expected std, bound of |w| or None), from the papers' formulas
SPREAD = {
    "glorot_uniform": (math.sqrt(2 / (FAN_IN + FAN_OUT)),
                       math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "glorot_normal": (math.sqrt(2 / (FAN_IN + FAN_OUT)), None),
    "he_uniform": (math.sqrt(2 / FAN_IN), math.sqrt(6 / FAN_IN)),
    "he_normal": (math.sqrt(2 / FAN_IN), None),
    "lecun_uniform": (math.sqrt(1 / FAN_IN), math.sqrt(3 / FAN_IN)),
    "lecun_normal": (math.sqrt(1 / FAN_IN), None),
    "uniform": (0.1 / math.sqrt(12), 0.05),     # U(−0.05, 0.05)
    "normal": (0.05, None),
}


@pytest.mark.parametrize("name", list(SPREAD))
def test_spread_matches_the_formula(name):
    std, bound = SPREAD[name]
    W = I.get(name)(SHAPE, np.random.default_rng(0), np.float64)
    assert W.shape == SHAPE
    assert abs(W.mean()) < 0.01 * std
    assert W.std() == pytest.approx(std, rel=0.02)
    if bound is not None:
        assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound


def test_zeros_and_constant():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert (I.get("zeros")((3, 2), rng) == 0).all()
    assert (I.Constant(0.25)((3, 2), rng, np.float64) == 0.25).all()
    assert rng.bit_generator.state == state  # nothing drawn


@pytest.mark.parametrize("name", list(SPREAD))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_drawn_from_the_given_generator_only(name, dtype):
    init = I.get(name)
    rng = np.random.default_rng(7)
    np.random.seed(1)
    a = init((5, 4), rng, dtype)
    assert rng.bit_generator.state != np.random.default_rng(7).bit_generator.state
    np.random.seed(2)  # the global NumPy state plays no part
    b = init((5, 4), np.random.default_rng(7), dtype)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == dtype
    assert not np.array_equal(a, init((5, 4), np.random.default_rng(8), dtype))


def test_model_seed_or_generator_feeds_every_layer():
    def make(seed):
        return gn.Sequential([gn.Dense(6, "relu", kernel_initializer="he_normal",
                                       input_dim=3),
                              gn.Dense(2, kernel_initializer=I.LeCunUniform())],
                             seed=seed)

    a, b = make(3), make(np.random.default_rng(3))
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], make(4).get_weights()[0])
    assert np.abs(a.get_weights()[2]).max() <= math.sqrt(3 / 6)


@pytest.mark.parametrize("make", [
    lambda: I.Constant(float("nan")), lambda: I.Constant("0.1"),
    lambda: I.RandomUniform(0.1, -0.1), lambda: I.RandomUniform(0, float("inf")),
    lambda: I.RandomNormal(std=0.0), lambda: I.RandomNormal(std=float("inf")),
    lambda: I.get("kaiming"),
])
def test_bad_initializer_arguments(make, errmsg):
    with pytest.raises(gn.ConfigError) as ei:
        make()
    errmsg(ei)


# -- dtype: float32 by default, float64 on request, converted at the boundary --

@pytest.mark.parametrize("dtype, want", [(None, np.float32), ("float32", np.float32),
                                          ("float64", np.float64),
                                          (np.float64, np.float64)])
def test_model_dtype_everywhere(dtype, want):
    kw = {} if dtype is None else {"dtype": dtype}
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=3), gn.Dense(2)], seed=0, **kw)
    assert net.dtype == want and net.flat_params.dtype == want
    assert all(w.dtype == want for w in net.get_weights())
    X_int = [[1, 2, 3], [0, -1, 2]]                      # a list of ints
    assert net.predict(X_int).dtype == want
    X_other = np.ones((2, 3), dtype=np.float64 if want == np.float32 else np.float32)
    assert net.predict(X_other).dtype == want
    grads = net.gradients(X_int, np.zeros((2, 2)), loss="mse")
    assert all(g.dtype == want for g in grads)
    net.compile("mse", "sgd")
    net.fit(np.ones((4, 3), dtype=np.int64), np.zeros((4, 2)), epochs=1, batch_size=2,
            verbose=0)
    assert net.layers[0].x.dtype == want and net.flat_params.dtype == want

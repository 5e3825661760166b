"""Activations: values by formula, derivatives, stability, names.

Gradient checks through whole layers live in test_gradcheck.py; PyTorch
agreement in test_torch_reference.py.
"""

import math
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations as A

Z = np.array([[-6.0, -2.5, -1.0, -0.3, 0.2, 0.7, 1.5, 4.0]])


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# Reference formulas written out again here, independent of the library.
REFERENCE = {
    "linear": lambda z: z,
    "sigmoid": _sig,
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1.0),
    "softplus": lambda z: np.log(1.0 + np.exp(z)),
    "gelu": lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi)
                                             * (z + 0.044715 * z**3))),
    "silu": lambda z: z * _sig(z),
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
    "step": lambda z: (z >= 0).astype(float),
}
SMOOTH = [n for n in A.NAMES if n != "step"]


@pytest.mark.parametrize("name", A.NAMES)
def test_forward_matches_formula(name):
    a = A.get(name).forward(Z.copy())
    np.testing.assert_allclose(a, REFERENCE[name](Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", [n for n in SMOOTH if n != "softmax"])
def test_derivative_matches_central_difference(name):
    act, h = A.get(name), 1e-6
    numeric = (REFERENCE[name](Z + h) - REFERENCE[name](Z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", SMOOTH)
def test_backward_is_vector_jacobian_product(name):
    """backward(z, a, da) = Jᵀ da, Jacobian taken by central differences."""
    rng = np.random.default_rng(1)
    z = rng.normal(size=(3, 5)) * 2
    z[np.abs(z) < 0.05] += 0.2  # keep away from the kinks of relu & co.
    da = rng.normal(size=z.shape)
    act, h = A.get(name), 1e-6
    dz = act.backward(z, act.forward(z.copy()), da.copy())
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += h
        zm[idx] -= h
        numeric[idx] = ((act.forward(zp) - act.forward(zm)) * da).sum() / (2 * h)
    np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", SMOOTH)
def test_backward_in_place_into_da(name):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(4, 3))
    act = A.get(name)
    a = act.forward(z.copy())
    da = rng.normal(size=z.shape)
    expected = act.backward(z, a, da.copy())
    buf = da.copy()
    out = act.backward(z, a, buf, out=buf)
    assert out is buf
    np.testing.assert_allclose(buf, expected, rtol=1e-14)


@pytest.mark.parametrize("name", A.NAMES)
def test_forward_writes_into_out_and_keeps_dtype(name):
    z = Z.astype(np.float32)
    out = np.empty_like(z)
    res = A.get(name).forward(z, out=out)
    assert res is out and out.dtype == np.float32
    np.testing.assert_allclose(out, REFERENCE[name](Z), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", A.NAMES)
def test_extreme_inputs_finite_and_warning_free(name, dtype):
    z = np.array([[-1e4, -88.0, -1.0, 0.0, 1.0, 88.0, 1e4]], dtype=dtype)
    act = A.get(name)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise",
                                                invalid="raise"):
        warnings.simplefilter("error")
        a = act.forward(z.copy())
        assert np.isfinite(a).all() and a.dtype == dtype
        if name != "step":
            dz = act.backward(z, a, np.ones_like(z))
            assert np.isfinite(dz).all()
    if name in ("sigmoid", "softmax"):
        assert (a >= 0).all() and (a <= 1).all()


def test_softmax_rows_sum_to_one_and_shift_invariant():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 4)) * 50
    p = A.Softmax().forward(z.copy())
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(A.Softmax().forward(z + 1000.0), p, rtol=1e-10)


def test_leaky_relu_and_elu_parameters():
    z = np.array([-2.0, 3.0])
    np.testing.assert_allclose(A.LeakyReLU(0.2).forward(z.copy()), [-0.4, 3.0])
    np.testing.assert_allclose(A.LeakyReLU(0.2).derivative(z), [0.2, 1.0])
    np.testing.assert_allclose(A.ELU(0.5).forward(z.copy()),
                               [0.5 * (math.exp(-2) - 1), 3.0])
    np.testing.assert_allclose(A.ELU(0.5).derivative(z), [0.5 * math.exp(-2), 1.0])


def test_step_forward_and_no_gradient():
    step = A.get("step")
    np.testing.assert_array_equal(step.forward(np.array([-1.0, 0.0, 2.0])),
                                  [0, 1, 1])
    np.testing.assert_array_equal(step.derivative(np.array([-1.0, 2.0])), [0, 0])
    with pytest.raises(gn.TrainingError, match="Perceptron"):
        step.backward(np.zeros(2), np.zeros(2), np.ones(2))


def test_registry_aliases_and_objects():
    assert isinstance(A.get("ReLU"), A.ReLU)
    assert isinstance(A.get("swish"), A.SiLU)
    assert isinstance(A.get("leaky-relu"), A.LeakyReLU)
    assert isinstance(A.get(None), A.Identity)
    obj = A.LeakyReLU(0.3)
    assert A.get(obj) is obj
    # a fresh object per name: layers never share mutable activation state
    assert A.get("relu") is not A.get("relu")


@pytest.mark.parametrize("name", A.NAMES)
def test_config_round_trip(name):
    act = A.get(name)
    back = A.from_config(act.get_config())
    assert type(back) is type(act) and back.get_config() == act.get_config()


def test_config_round_trip_keeps_alpha():
    back = A.from_config(A.ELU(0.3).get_config())
    assert back.alpha == 0.3


def test_unknown_name_and_type(errmsg):
    with pytest.raises(gn.ConfigError) as ei:
        A.get("relu6")
    errmsg(ei, "relu6", "sigmoid")
    with pytest.raises(TypeError) as ei:
        A.get(3)
    errmsg(ei, "int")


@pytest.mark.parametrize("cls", [A.LeakyReLU, A.ELU])
@pytest.mark.parametrize("alpha", [-0.1, float("nan"), float("inf"), "0.1"])
def test_bad_alpha(cls, alpha, errmsg):
    with pytest.raises(gn.ConfigError) as ei:
        cls(alpha)
    errmsg(ei, "alpha")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_whole_finite_range_without_overflow(dtype):
    """σ(z) for z up to ± the largest finite float: in [0, 1], monotone, no warning."""
    big = np.finfo(dtype).max
    z = np.array([[-big, -1e30, -745.0, -88.8, -1.0, 0.0, 1.0, 88.8, 745.0, 1e30,
                   big]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise",
                                                invalid="raise"):
        warnings.simplefilter("error")
        a = A.get("sigmoid").forward(z)
        dz = A.get("sigmoid").backward(z, a, np.ones_like(z))
    assert a.dtype == dtype and ((a >= 0) & (a <= 1)).all()
    assert (np.diff(a[0]) >= 0).all() and a[0, 5] == 0.5
    assert a[0, 0] == 0 and a[0, -1] == 1 and np.isfinite(dz).all()

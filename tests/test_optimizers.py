"""Optimizers: golden steps by hand, torch.optim agreement, learning,
state allocated once, no allocation per step, clipping."""

import math
import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet import optimizers as O

THETA = np.array([0.5, -1.0, 2.0, 0.0, -0.3])
G1 = np.array([0.1, -0.2, 0.3, 1.5, 0.0])
G2 = np.array([-0.4, 0.1, 0.2, -1.0, 0.05])


def _run(opt, grads, theta=THETA):
    theta = theta.copy()
    opt.build(theta)
    for g in grads:
        opt.step(theta, g.copy())
    return theta


def _hand(name, lr, grads):
    """θ after the given gradients, every formula written out here."""
    th = THETA.copy()
    state = {k: np.zeros_like(th) for k in ("v", "G", "s", "m")}
    for t, g in enumerate(grads, start=1):
        if name == "sgd":
            th = th - lr * g
        elif name == "momentum":
            state["v"] = 0.9 * state["v"] + g
            th = th - lr * state["v"]
        elif name == "nesterov":
            state["v"] = 0.9 * state["v"] + g
            th = th - lr * (g + 0.9 * state["v"])
        elif name == "adagrad":
            state["G"] = state["G"] + g * g
            th = th - lr * g / (np.sqrt(state["G"]) + 1e-10)
        elif name == "rmsprop":
            state["s"] = 0.9 * state["s"] + 0.1 * g * g
            th = th - lr * g / (np.sqrt(state["s"]) + 1e-8)
        elif name in ("adam", "adamw"):
            if name == "adamw":
                th = th - lr * 0.01 * th
            state["m"] = 0.9 * state["m"] + 0.1 * g
            state["v"] = 0.999 * state["v"] + 0.001 * g * g
            m_hat = state["m"] / (1 - 0.9**t)
            v_hat = state["v"] / (1 - 0.999**t)
            th = th - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return th


@pytest.mark.parametrize("name", O.NAMES)
def test_golden_steps(name):
    lr = 0.1
    opt = O.get(name, learning_rate=lr)
    np.testing.assert_allclose(_run(opt, [G1]), _hand(name, lr, [G1]), rtol=1e-14,
                               atol=1e-15)
    opt = O.get(name, learning_rate=lr)
    np.testing.assert_allclose(_run(opt, [G1, G2]), _hand(name, lr, [G1, G2]),
                               rtol=1e-14, atol=1e-15)
    assert opt.t == 2


def test_golden_first_adam_step_is_lr_times_sign():
    """With m̂ = g and v̂ = g², the first Adam step is η·g/(|g| + ε)."""
    th = _run(O.Adam(0.01), [G1])
    expect = THETA - 0.01 * G1 / (np.abs(G1) + 1e-8)
    np.testing.assert_allclose(th, expect, rtol=1e-12)


TORCH_MAP = {
    "sgd": (lambda: O.SGD(0.05), lambda t, p: t.optim.SGD(p, lr=0.05)),
    "momentum": (lambda: O.Momentum(0.05, momentum=0.8),
                 lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0)),
    "nesterov": (lambda: O.Nesterov(0.05, momentum=0.9),
                 lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0,
                                          nesterov=True)),
    "adagrad": (lambda: O.Adagrad(0.3, epsilon=1e-10),
                lambda t, p: t.optim.Adagrad(p, lr=0.3, initial_accumulator_value=0,
                                             eps=1e-10)),
    "rmsprop": (lambda: O.RMSprop(0.02, rho=0.85, epsilon=1e-7),
                lambda t, p: t.optim.RMSprop(p, lr=0.02, alpha=0.85, eps=1e-7)),
    "adam": (lambda: O.Adam(0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-7),
             lambda t, p: t.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-7)),
    "adamw": (lambda: O.AdamW(0.05, weight_decay=0.1),
              lambda t, p: t.optim.AdamW(p, lr=0.05, weight_decay=0.1,
                                         betas=(0.9, 0.999), eps=1e-8)),
}


@pytest.mark.parametrize("name", list(TORCH_MAP))
def test_twenty_steps_match_torch_optim(torch, name):
    """Closed loop on f(θ) = ½θᵀAθ − bᵀθ + Σθ⁴/4: gradients depend on θ."""
    rng = np.random.default_rng(0)
    M = rng.normal(size=(6, 6))
    A, b = M @ M.T / 6 + np.eye(6), rng.normal(size=6)
    th0 = rng.normal(size=6)
    ours_opt, torch_opt = TORCH_MAP[name]
    th = th0.copy()
    opt = ours_opt()
    opt.build(th)
    p = torch.tensor(th0.copy(), requires_grad=True)
    topt = torch_opt(torch, [p])
    At, bt = torch.as_tensor(A), torch.as_tensor(b)
    for _ in range(20):
        opt.step(th, A @ th - b + th**3)
        topt.zero_grad()
        (0.5 * p @ At @ p - bt @ p + (p**4).sum() / 4).backward()
        topt.step()
        np.testing.assert_allclose(th, p.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert not np.allclose(th, th0)


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(64, 3))
    y = np.tanh(X @ np.array([[1.0], [-2.0], [0.5]])) + 0.3
    return X, y


@pytest.mark.parametrize("name", O.NAMES)
def test_every_optimizer_reduces_the_loss(name):
    X, y = _problem()
    lr = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.1}.get(
        name, 0.01)
    net = gn.Sequential([gn.Dense(8, "tanh", input_dim=3), gn.Dense(1)], seed=0)
    net.compile("mse", name, learning_rate=lr)
    start = net.evaluate(X, y)["loss"]
    net.fit(X, y, epochs=15, batch_size=16, verbose=0, seed=0)
    end = net.evaluate(X, y)["loss"]
    assert end < 0.5 * start, (start, end)


@pytest.mark.parametrize("name", O.NAMES)
def test_state_allocated_once_and_step_allocates_nothing(name):
    n = 200_000
    rng = np.random.default_rng(0)
    theta = rng.normal(size=n).astype(np.float32)
    grads = [rng.normal(size=n).astype(np.float32) for _ in range(2)]
    opt = O.get(name, learning_rate=1e-3, global_clipnorm=1.0)
    opt.build(theta)
    state = dict(opt.state)
    tmp = opt._tmp
    ptrs = {k: v.__array_interface__["data"][0] for k, v in state.items()}
    assert all(v.shape == theta.shape and v.dtype == np.float32
               for v in state.values())
    opt.step(theta, grads[0].copy())  # warm-up
    g = grads[1].copy()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for i in range(20):
        g[...] = grads[i % 2]
        opt.step(theta, g)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert current - base < 4096            # nothing kept
    assert peak - base < theta.nbytes // 4  # and no parameter-sized temporary
    for _ in range(130):                    # past the periodic subnormal flush
        opt.step(theta, grads[0].copy())
    assert opt.state.keys() == state.keys()
    for k, v in opt.state.items():
        assert v is state[k] and v.__array_interface__["data"][0] == ptrs[k]
    assert opt._tmp is tmp and opt.t == 151


def test_model_optimizer_state_is_flat_and_params_are_views():
    net = gn.Sequential([gn.Dense(4, "relu", input_dim=3), gn.Dense(2)], seed=0)
    net.compile("mse", "adam", learning_rate=0.01)
    opt = net.optimizer
    assert set(opt.state) == {"m", "v"}
    assert all(s.shape == net.flat_params.shape for s in opt.state.values())
    X, y = _problem()[0], np.ones((64, 2))
    W = net.layers[0].W
    before = W.copy()
    net.train_step(X, y)
    assert net.layers[0].W is W and np.shares_memory(W, net.flat_params)
    assert not np.array_equal(W, before)
    # the state of one parameter is a slice of the flat state at its offset
    m_W = net.slots[0].of(opt.state["m"])
    g_W = net.layers[0].dW  # Adam's first m = (1 − β₁) g
    np.testing.assert_allclose(m_W, 0.1 * g_W, rtol=1e-6)


def test_clip_by_global_norm_golden():
    g = np.array([3.0, 4.0, 0.0, 12.0])          # ‖g‖ = 13
    th = _run(O.SGD(1.0, global_clipnorm=6.5), [g], theta=np.zeros(4))
    np.testing.assert_allclose(th, -g * 6.5 / 13, rtol=1e-14)
    th = _run(O.SGD(1.0, global_clipnorm=20.0), [g], theta=np.zeros(4))
    np.testing.assert_allclose(th, -g)           # below the norm: unchanged


def test_clip_by_value_golden():
    g = np.array([3.0, -4.0, 0.5, -0.2])
    th = _run(O.SGD(1.0, clipvalue=1.0), [g], theta=np.zeros(4))
    np.testing.assert_allclose(th, -np.array([1.0, -1.0, 0.5, -0.2]))


def test_clipping_in_training_bounds_the_update():
    X, y = _problem()
    net = gn.Sequential([gn.Dense(1, input_dim=3)], dtype="float64", seed=0)
    net.compile("mse", gn.optimizers.SGD(1.0, global_clipnorm=0.01))
    before = net.flat_params.copy()
    net.train_step(X, y * 100)
    step = net.flat_params - before
    assert math.sqrt(float(step @ step)) == pytest.approx(0.01, rel=1e-9)


@pytest.mark.parametrize("name", O.NAMES)
def test_config_round_trip(name):
    opt = O.get(name, learning_rate=0.123, clipvalue=2.0)
    back = O.from_config(opt.get_config())
    assert type(back) is type(opt) and back.get_config() == opt.get_config()
    assert repr(opt).startswith(type(opt).__name__)

"""The seed texts' numbers: forward passes, parameter counts, the perceptron.

- 002: Mazur's 2-2-2 sigmoid network (inputs 0.05, 0.10; targets 0.01, 0.99)
- 000: the two-input ReLU/sigmoid example (output net 6.5)
- 001: the 784-15-10 MNIST network (11,935 parameters)
- 000: the 7-segment network 7-4-10 (82 parameters)
"""

import math

import numpy as np
import pytest

import glassnet as gn


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_mazur_forward_pass_by_hand(mazur):
    """Every number of the forward pass, first by hand, then by the library."""
    w, (i1, i2), (t1, t2) = mazur.w, mazur.X[0], mazur.y[0]
    net_h1 = w["w1"] * i1 + w["w2"] * i2 + 0.35
    net_h2 = w["w3"] * i1 + w["w4"] * i2 + 0.35
    h1, h2 = _sigmoid(net_h1), _sigmoid(net_h2)
    o1 = _sigmoid(w["w5"] * h1 + w["w6"] * h2 + 0.60)
    o2 = _sigmoid(w["w7"] * h1 + w["w8"] * h2 + 0.60)
    E = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
    assert net_h1 == pytest.approx(0.3775, abs=1e-15)

    net = mazur.model()
    out = net.predict(mazur.X)
    np.testing.assert_allclose(out, [[o1, o2]], rtol=1e-14)
    np.testing.assert_allclose(net.layers[0].infer(mazur.X), [[h1, h2]], rtol=1e-14)
    loss = gn.losses.get("half_sse")
    E_lib = net.loss_value(*net.prepare(mazur.X, mazur.y, loss), loss)
    assert E_lib == pytest.approx(E, rel=1e-14)


def test_mazur_printed_digits(mazur):
    net = mazur.model()
    o1, o2 = net.predict(mazur.X)[0]
    assert round(o1, 8) == 0.75136507
    assert round(o2, 9) == 0.772928465
    net.compile("half_sse", "sgd", learning_rate=0.5)
    E_total = net.evaluate(mazur.X, mazur.y)["loss"]
    assert round(E_total, 9) == 0.298371109


def test_mazur_float32_agrees_to_print_precision(mazur):
    net = gn.Sequential([gn.Dense(2, "sigmoid", input_dim=2),
                         gn.Dense(2, "sigmoid")], seed=0)
    net.set_weights(mazur.weights(mazur.w))
    np.testing.assert_allclose(net.predict(mazur.X), [[0.75136507, 0.772928465]],
                               atol=2e-7)


def test_seed000_two_input_example():
    """X1 = 1, X2 = 0.5; a1 = ReLU(1·1 + 0.5·0.5 + 2) = 3.25.

    The seed gives a2's net input (−0.3) but not its weights; our choice:
    w3 = −1, w4 = 0.4, b2 = 0.5  →  −1 + 0.2 + 0.5 = −0.3, ReLU → 0.
    Output: 2·3.25 − 1.25·0 + 0 = 6.5, sigmoid(6.5) ≈ 0.998499.
    """
    net = gn.Sequential([gn.Dense(2, "relu", input_dim=2), gn.Dense(1, "sigmoid")],
                        dtype="float64", seed=0)
    net.set_weights([np.array([[1.0, -1.0], [0.5, 0.4]]), np.array([2.0, 0.5]),
                     np.array([[2.0], [-1.25]]), np.array([0.0])])
    X = np.array([[1.0, 0.5]])
    out = net.forward(X)
    np.testing.assert_allclose(net.layers[0].z, [[3.25, -0.3]], atol=1e-15)
    np.testing.assert_allclose(net.layers[0].a, [[3.25, 0.0]], atol=1e-15)
    np.testing.assert_allclose(net.layers[1].z, [[6.5]], atol=1e-15)
    assert out[0, 0] == pytest.approx(1 / (1 + math.exp(-6.5)), rel=1e-15)
    assert round(float(out[0, 0]), 6) == 0.998499
    np.testing.assert_allclose(net.predict(X), out)


def test_784_15_10_parameter_count_and_summary():
    net = gn.Sequential([gn.Dense(15, "sigmoid", input_dim=784),
                         gn.Dense(10, "sigmoid")], seed=0)
    # 784×15 (input → hidden) + 15×10 (hidden → output) weights + 15 + 10 biases
    assert net.count_params() == 784 * 15 + 15 * 10 + 15 + 10 == 11935
    text = net.summary(print_fn=None)
    assert "784×15 + 15 = 11,775" in text
    assert "15×10 + 10 = 160" in text
    assert "11,935" in text
    assert "46.62 KB" in text           # 11,935 × 4 bytes / 1024
    assert "(None, 15)" in text and "(None, 10)" in text


def test_seven_segment_network_has_82_parameters():
    net = gn.Sequential([gn.Dense(4, "relu", input_dim=7), gn.Dense(10)], seed=0)
    assert net.count_params() == 7 * 4 + 4 + 4 * 10 + 10 == 82
    assert "7×4 + 4 = 32" in net.summary(print_fn=None)


def _gate(name):
    try:
        from glassnet.data import logic_gate
    except ImportError:  # pragma: no cover - data package not there yet
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        table = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}
        return X, np.array(table[name])
    return logic_gate(name)


@pytest.mark.parametrize("gate", ["and", "or"])
def test_perceptron_learns_and_or(gate):
    X, y = _gate(gate)
    p = gn.Perceptron(2, learning_rate=1.0).fit(X, y, max_epochs=100)
    assert p.converged and p.errors_per_epoch[-1] == 0
    np.testing.assert_array_equal(p.predict(X), y)
    # a separating line: step(x·w + b) with the learned w, b
    np.testing.assert_array_equal((X @ p.w + p.b >= 0).astype(int), y)
    assert "converged" in p.report()


def test_perceptron_reports_non_convergence_on_xor():
    X, y = _gate("xor")
    p = gn.Perceptron(2, seed=0, init="random").fit(X, y, max_epochs=50)
    assert not p.converged
    assert p.epochs_run == 50 and min(p.errors_per_epoch) > 0
    assert (p.predict(X) != y).any()
    report = p.report()
    assert "did not converge" in report and "linearly separable" in report


def test_perceptron_rule_single_update_by_hand():
    """w ← w + η(y − ŷ)x, b ← b + η(y − ŷ) on the first misclassified sample."""
    p = gn.Perceptron(2, learning_rate=0.5)
    X, y = np.array([[2.0, -1.0]]), np.array([0])
    p.fit(X, y, max_epochs=1)
    # start w = 0, b = 0: ŷ = step(0) = 1, y − ŷ = −1
    np.testing.assert_allclose(p.w, [-1.0, 0.5])
    assert p.b == -0.5 and p.errors_per_epoch == [1]

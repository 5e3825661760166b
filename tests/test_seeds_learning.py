"""The seed texts' learning examples, end to end with fixed seeds.

- 002: Mazur's 2-2-2 network, one SGD step by the chain rule, then 10,000
- XOR needs a hidden layer; circles need one too
- 003: y = m·x + b and the meal-price linear neuron
- 000: the 7-segment digit recogniser (7-4-10, ReLU)
- under- and overfitting on a few noisy samples of a curve
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import data as gd


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _mazur_gradients(w, i, t):
    """∂E/∂w1..w8 by the chain rule, E = ½Σ(t − o)², biases 0.35 and 0.60."""
    h1 = _sig(w["w1"] * i[0] + w["w2"] * i[1] + 0.35)
    h2 = _sig(w["w3"] * i[0] + w["w4"] * i[1] + 0.35)
    o1 = _sig(w["w5"] * h1 + w["w6"] * h2 + 0.60)
    o2 = _sig(w["w7"] * h1 + w["w8"] * h2 + 0.60)
    # output deltas: ∂E/∂net_o = ∂E/∂out_o · ∂out_o/∂net_o = (o − t) · o(1 − o)
    d_o1 = (o1 - t[0]) * o1 * (1 - o1)
    d_o2 = (o2 - t[1]) * o2 * (1 - o2)
    # hidden deltas: the error reaching h from both outputs, times σ'
    d_h1 = (d_o1 * w["w5"] + d_o2 * w["w7"]) * h1 * (1 - h1)
    d_h2 = (d_o1 * w["w6"] + d_o2 * w["w8"]) * h2 * (1 - h2)
    return dict(w1=d_h1 * i[0], w2=d_h1 * i[1], w3=d_h2 * i[0], w4=d_h2 * i[1],
                w5=d_o1 * h1, w6=d_o1 * h2, w7=d_o2 * h1, w8=d_o2 * h2)


def test_mazur_one_sgd_step_is_the_chain_rule(mazur):
    net = mazur.model()
    net.compile("half_sse", "sgd", learning_rate=0.5)
    E = net.train_step(mazur.X, mazur.y)
    assert round(E, 9) == 0.298371109
    grads = _mazur_gradients(mazur.w, mazur.X[0], mazur.y[0])
    new = mazur.named(net.get_weights())
    for k in mazur.w:
        assert new[k] == pytest.approx(mazur.w[k] - 0.5 * grads[k], abs=1e-9), k
        assert new[k] != mazur.w[k]
    # the updated weights Mazur publishes for this step
    assert round(new["w5"], 8) == 0.35891648
    assert round(new["w1"], 9) == 0.149780716
    assert round(new["w8"], 9) == 0.561370121


def test_mazur_ten_thousand_steps(mazur):
    net = mazur.model()
    net.compile("half_sse", "sgd", learning_rate=0.5)
    for _ in range(10_000):
        E = net.train_step(mazur.X, mazur.y)
    assert E < 1e-4
    E_end = net.evaluate(mazur.X, mazur.y)["loss"]
    assert E_end < 1e-4
    o1, o2 = net.predict(mazur.X)[0]
    assert abs(o1 - 0.01) < 0.01 and abs(o2 - 0.99) < 0.01


def test_xor_learned_with_a_hidden_layer():
    X, y = gd.logic_gate("xor")
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=2), gn.Dense(1, "sigmoid")],
                        seed=0)
    net.compile("binary_crossentropy", "adam", learning_rate=0.05,
                metrics=["accuracy"])
    h = net.fit(X, y, epochs=300, batch_size=4, verbose=0, seed=0)
    np.testing.assert_array_equal(net.predict_classes(X), y)
    assert h["accuracy"][-1] == 1.0 and h["loss"][-1] < 0.1


def test_xor_learned_by_2_2_1_sigmoid_sgd():
    X, y = gd.logic_gate("xor")
    net = gn.Sequential([gn.Dense(2, "sigmoid", input_dim=2),
                         gn.Dense(1, "sigmoid")], seed=0)
    net.compile("mse", "sgd", learning_rate=2.0)
    net.fit(X, y, epochs=2000, batch_size=4, verbose=0, seed=0)
    np.testing.assert_array_equal(net.predict_classes(X), y)


@pytest.mark.parametrize("seed", range(4))
def test_xor_without_hidden_layer_cannot_exceed_75_percent(seed):
    X, y = gd.logic_gate("xor")
    net = gn.Sequential([gn.Dense(1, "sigmoid", input_dim=2)], seed=seed)
    net.compile("binary_crossentropy", "adam", learning_rate=0.1)
    net.fit(X, y, epochs=200, batch_size=4, verbose=0, seed=seed)
    assert np.mean(net.predict_classes(X) == y) <= 0.75


def test_circles_need_a_hidden_layer():
    X, y = gd.circles(400, noise=0.08, factor=0.5, seed=0)
    net = gn.Sequential([gn.Dense(16, "relu", input_dim=2), gn.Dense(2, "softmax")],
                        seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.03)
    net.fit(X, y, epochs=60, batch_size=32, verbose=0, seed=0)
    assert np.mean(net.predict_classes(X) == y) >= 0.99
    linear = gn.Sequential([gn.Dense(2, "softmax", input_dim=2)], seed=0)
    linear.compile("categorical_crossentropy", "adam", learning_rate=0.03)
    linear.fit(X, y, epochs=60, batch_size=32, verbose=0, seed=0)
    assert abs(np.mean(linear.predict_classes(X) == y) - 0.5) < 0.1


def test_line_recovered_by_one_linear_neuron():
    m, b = 2.5, -1.0
    X, y = gd.line(100, m=m, b=b, noise=0.05, seed=0)
    net = gn.Sequential([gn.Dense(1, input_dim=1)], dtype="float64", seed=0)
    net.compile("mse", "sgd", learning_rate=0.1)
    h = net.fit(X, y, epochs=200, batch_size=100, verbose=0)   # full-batch GD
    (m_hat,), b_hat = net.get_weights()[0][0], net.get_weights()[1][0]
    assert m_hat == pytest.approx(m, rel=0.01)
    assert b_hat == pytest.approx(b, rel=0.01)
    assert h["loss"][-1] < 0.05**2 * 1.5  # down to the noise level


def test_meal_prices_recovered():
    prices = np.array([5.0, 2.0, 1.5])  # burgers, fries, sodas
    X, y = gd.meal_prices(100, prices=prices, seed=0)
    net = gn.Sequential([gn.Dense(1, input_dim=3)], dtype="float64", seed=0)
    net.compile("mse", "sgd", learning_rate=0.02)
    net.fit(X, y, epochs=300, batch_size=10, verbose=0, seed=0)
    W, b = net.get_weights()
    np.testing.assert_allclose(W[:, 0], prices, rtol=1e-3)
    assert abs(b[0]) < 1e-2
    # 2 burgers, 1 fries, 3 sodas
    assert net.predict([[2, 1, 3]])[0, 0] == pytest.approx(16.5, rel=1e-3)


def test_seven_segment_digits():
    X, y = gd.seven_segment()
    for seed in range(5):  # a 4-unit ReLU layer can die: restart if needed
        net = gn.Sequential([gn.Dense(4, "relu", input_dim=7),
                             gn.Dense(10, "softmax")], seed=seed)
        assert net.count_params() == 82
        net.compile("categorical_crossentropy", "adam", learning_rate=0.05)
        net.fit(X, y, epochs=500, batch_size=10, verbose=0, seed=0)
        if (net.predict_classes(X) == y).all():
            break
    np.testing.assert_array_equal(net.predict_classes(X), np.arange(10))
    # six lit segments a c d e f g is a 6
    assert net.predict_classes([[1, 0, 1, 1, 1, 1, 1]])[0] == 6


class _KeepBest(gn.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.best, self.weights, self.epoch = np.inf, None, None

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_loss"] < self.best:
            self.best, self.epoch = logs["val_loss"], epoch
            self.weights = self.model.flat_params.copy()


def _curve():
    X, y = gd.noisy_curve(20, noise=0.3, seed=0)
    Xv, yv = gd.noisy_curve(200, noise=0.3, seed=1)
    return X, y, (Xv, yv)


def test_underfitting_small_network():
    X, y, val = _curve()
    noise_var = 0.3**2
    small = gn.Sequential([gn.Dense(1, input_dim=1)], seed=0)
    small.compile("mse", "adam", learning_rate=0.05)
    h = small.fit(X, y, epochs=300, batch_size=20, validation_data=val, verbose=0)
    # converged (the loss stopped falling), yet far above the noise level
    assert abs(h["loss"][-1] - h["loss"][-50]) < 1e-3
    assert h["loss"][-1] > 2 * noise_var and h["val_loss"][-1] > 3 * noise_var


def test_overfitting_large_network_and_early_stopping():
    X, y, val = _curve()
    noise_var = 0.3**2

    def big():
        net = gn.Sequential([gn.Dense(64, "tanh", input_dim=1), gn.Dense(64, "tanh"),
                             gn.Dense(1)], seed=0)
        net.compile("mse", "adam", learning_rate=0.01)
        return net

    net = big()
    h = net.fit(X, y, epochs=1500, batch_size=20, validation_data=val, verbose=0)
    vl = np.array(h["val_loss"])
    best = int(vl.argmin())
    assert h["loss"][-1] < 0.3 * noise_var          # threads the noisy points
    assert 50 < best < 1000 and vl[-1] > 1.3 * vl[best]   # val loss turned up
    assert vl[best] < 1.5 * noise_var

    net = big()
    keep = _KeepBest()
    es = gn.callbacks.EarlyStopping(patience=100)
    h = net.fit(X, y, epochs=1500, batch_size=20, validation_data=val, verbose=0,
                callbacks=[keep, es])
    assert len(h) == keep.epoch + 101 and es.best_epoch == keep.epoch
    np.testing.assert_array_equal(net.flat_params, keep.weights)
    assert net.evaluate(*val)["loss"] == pytest.approx(keep.best, rel=1e-6)

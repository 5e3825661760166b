"""fit / train_step / evaluate: History, validation split, weights,
non-finite handling, Ctrl-C, regularisation, dropout, class and sample weights."""

import os
import signal
import warnings

import numpy as np
import pytest

import glassnet as gn


def _data(n=60, seed=0, classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])).astype(int) % classes
    return X, y


def _clf(dtype="float64", seed=0, optimizer="sgd", lr=0.1, metrics=("accuracy",)):
    net = gn.Sequential([gn.Dense(6, "tanh", input_dim=2), gn.Dense(3, "softmax")],
                        dtype=dtype, seed=seed)
    net.compile("categorical_crossentropy", optimizer, learning_rate=lr,
                metrics=list(metrics))
    return net


def test_history_records_every_epoch():
    X, y = _data()
    net = _clf()
    h = net.fit(X, y, epochs=4, batch_size=8, validation_split=0.2, verbose=0,
                seed=0)
    assert isinstance(h, gn.History) and net.history is h
    assert h.epoch == [0, 1, 2, 3] and len(h) == 4
    for key in ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]:
        assert len(h[key]) == 4 and np.isfinite(h[key]).all(), key
    assert h["lr"] == [0.1] * 4
    assert h["loss"][-1] < h["loss"][0]
    assert h.params["n_train"] + h.params["n_val"] == 60
    # val values are evaluate() on the held-out rows with the final weights
    ev = net.evaluate(X[h.validation_indices], y[h.validation_indices])
    assert ev["loss"] == pytest.approx(h["val_loss"][-1], rel=1e-12)
    assert ev["accuracy"] == pytest.approx(h["val_accuracy"][-1], rel=1e-12)


def test_fit_without_shuffle_equals_train_steps():
    """One epoch of fit = train_step on consecutive batches; loss = their mean."""
    X, y = _data(n=20)
    a, b = _clf(), _clf()
    h = a.fit(X, y, epochs=1, batch_size=6, shuffle=False, verbose=0)
    losses = [b.train_step(X[i:i + 6], y[i:i + 6]) for i in range(0, 20, 6)]
    np.testing.assert_array_equal(a.flat_params, b.flat_params)
    sizes = np.array([6, 6, 6, 2])
    assert h["loss"][0] == pytest.approx((np.array(losses) * sizes).sum() / 20,
                                         rel=1e-12)


def test_train_step_returns_loss_before_the_update():
    X, y = _data(n=10)
    net = _clf()
    before = net.evaluate(X, y)["loss"]
    L = net.train_step(X, y)
    assert isinstance(L, float) and L == pytest.approx(before, rel=1e-12)
    assert net.evaluate(X, y)["loss"] < before


def test_evaluate_returns_loss_and_metrics_by_hand():
    X, y = _data(n=30)
    net = _clf(metrics=["accuracy", "f1"])
    res = net.evaluate(X, y, batch_size=7)
    assert set(res) == {"loss", "accuracy", "f1"}
    p = net.predict(X)
    assert res["loss"] == pytest.approx(-np.log(p[np.arange(30), y]).mean(),
                                        rel=1e-10)
    assert res["accuracy"] == pytest.approx(np.mean(p.argmax(1) == y))


def test_validation_split_is_stratified_random_and_recorded():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = np.r_[np.zeros(80, int), np.ones(20, int)]   # class 1 only in the last rows
    net = gn.Sequential([gn.Dense(2, "softmax", input_dim=2)], seed=0)
    net.compile("categorical_crossentropy", "sgd")
    h = net.fit(X, y, epochs=1, batch_size=10, validation_split=0.25, verbose=0,
                seed=1)
    val, train = h.validation_indices, h.train_indices
    assert len(val) == 25 and len(train) == 75
    assert np.intersect1d(val, train).size == 0
    np.testing.assert_array_equal(np.sort(np.r_[val, train]), np.arange(100))
    assert np.bincount(y[val]).tolist() == [20, 5]     # 25% of each class
    assert not np.array_equal(val, np.arange(75, 100))  # not the last rows
    h2 = net.fit(X, y, epochs=1, batch_size=10, validation_split=0.25, verbose=0,
                 seed=2)
    assert not np.array_equal(h2.validation_indices, val)  # random per seed


def test_validation_split_regression_is_random():
    X = np.linspace(0, 1, 40).reshape(-1, 1)
    net = gn.Sequential([gn.Dense(1, input_dim=1)], seed=0)
    net.compile("mse", "sgd")
    h = net.fit(X, 2 * X, epochs=1, batch_size=5, validation_split=0.2, verbose=0,
                seed=0)
    assert len(h.validation_indices) == 8
    assert not np.array_equal(h.validation_indices, np.arange(32, 40))


def test_fit_again_continues_the_epoch_counter():
    X, y = _data()
    net = _clf()
    net.fit(X, y, epochs=3, batch_size=10, verbose=0)
    h = net.fit(X, y, epochs=2, batch_size=10, verbose=0)
    assert h.epoch == [3, 4] and net.epoch == 5


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_int_labels_and_one_hot_train_identically(dtype):
    X, y = _data()
    a, b = _clf(dtype), _clf(dtype)
    ha = a.fit(X, y, epochs=3, batch_size=8, verbose=0, seed=3)
    hb = b.fit(X, np.eye(3)[y], epochs=3, batch_size=8, verbose=0, seed=3)
    np.testing.assert_allclose(a.flat_params, b.flat_params, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ha["loss"], hb["loss"], rtol=1e-6)
    np.testing.assert_allclose(ha["accuracy"], hb["accuracy"])


def test_predict_family_after_training():
    X, y = _data()
    net = _clf(optimizer="adam", lr=0.05)
    net.fit(X, y, epochs=30, batch_size=10, verbose=0, seed=0)
    p = net.predict_proba(X)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(net.predict_classes(X), p.argmax(1))
    assert np.mean(net.predict_classes(X) == y) > 0.9


def test_binary_sigmoid_classifier_predict_classes():
    X, y = _data(classes=2)
    y = (X[:, 0] > 0).astype(int)
    net = gn.Sequential([gn.Dense(1, "sigmoid", input_dim=2)], seed=0)
    net.compile("binary_crossentropy", "adam", learning_rate=0.1,
                metrics=["accuracy"])
    h = net.fit(X, y, epochs=40, batch_size=10, verbose=0, seed=0)
    assert h["accuracy"][-1] > 0.95
    p = net.predict_proba(X)
    assert p.shape == (60, 2)
    np.testing.assert_array_equal(net.predict_classes(X), (p[:, 1] >= 0.5))


def test_metrics_of_a_from_logits_binary_classifier():
    """A linear unit with BCE(from_logits=True): accuracy thresholds σ(z)
    at 0.5 (z at 0), like predict_classes."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] - X[:, 1] > 0.3).astype(int)
    net = gn.Sequential([gn.Dense(1, input_dim=2)], seed=0)
    net.compile(gn.losses.BinaryCrossentropy(from_logits=True), "adam",
                learning_rate=0.05, metrics=["accuracy"])
    h = net.fit(X, y, epochs=30, batch_size=16, validation_data=(X, y), verbose=0)
    acc = np.mean(net.predict_classes(X) == y)
    assert acc > 0.9
    assert net.evaluate(X, y)["accuracy"] == pytest.approx(acc)
    assert h["val_accuracy"][-1] == pytest.approx(acc)
    assert h["accuracy"][-1] > 0.85


# -- non-finite values ------------------------------------------------------

class _Recorder(gn.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.snapshots = [self.model.flat_params.copy()]

    def on_batch_end(self, batch, logs=None):
        self.snapshots.append(self.model.flat_params.copy())


def _exploding():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 10
    y = X @ np.array([[1.0], [2.0], [3.0]])
    net = gn.Sequential([gn.Dense(8, "relu", input_dim=3), gn.Dense(1)], seed=0)
    net.compile("mse", "sgd", learning_rate=10.0)
    return net, X, y


def test_nan_policy_raise_names_epoch_batch_layer_and_keeps_finite_weights():
    net, X, y = _exploding()
    rec = _Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the TrainingError is the only report
        with pytest.raises(gn.TrainingError) as ei:
            net.fit(X, y, epochs=5, batch_size=8, verbose=0, callbacks=[rec])
    msg = str(ei.value)
    assert "non-finite" in msg and "epoch 1" in msg and "batch" in msg
    assert "layer 'dense" in msg and "learning rate" in msg
    assert np.isfinite(net.flat_params).all()
    # the weights from before the step that diverged, not the ones it wrote
    # (issue 15, item 4: those were finite but huge)
    assert any(np.array_equal(net.flat_params, s) for s in rec.snapshots[:-1])
    assert len(rec.snapshots) >= 2  # some updates happened before it blew up


def test_nan_policy_stop():
    net, X, y = _exploding()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = net.fit(X, y, epochs=5, batch_size=8, verbose=0, nan_policy="stop")
    assert len(h) == 1 and "non-finite" in h.stopped_reason
    assert np.isfinite(net.flat_params).all()


def test_nan_policy_warn_skips_updates_and_goes_on():
    net, X, y = _exploding()
    with pytest.warns(RuntimeWarning, match="Skipped this update"):
        h = net.fit(X, y, epochs=3, batch_size=8, verbose=0, nan_policy="warn")
    assert len(h) == 3 and np.isfinite(net.flat_params).all()


# -- Ctrl-C -------------------------------------------------------------------

class _CtrlC(gn.callbacks.Callback):
    """Sends SIGINT to this process after a given batch of a given epoch."""

    def __init__(self, epoch, batch):
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_mid_epoch_stops_cleanly_then_raises():
    """Issue 15, item 17: after the clean stop fit raises KeyboardInterrupt (as
    Keras does), so a script does not carry on; the History is complete."""
    X, y = _data()
    net = _clf()
    handler = signal.getsignal(signal.SIGINT)
    batches = []
    cb = gn.callbacks.LambdaCallback(on_batch_end=lambda b, logs: batches.append(b))
    with pytest.raises(KeyboardInterrupt, match="epoch 2"):
        net.fit(X, y, epochs=10, batch_size=6, verbose=0,
                callbacks=[_CtrlC(1, 2), cb])
    h = net.history
    assert h.interrupted and "interrupted" in h.stopped_reason
    assert h.epoch == [0, 1] and net.epoch == 2
    assert len(batches) == 10 + 3  # all of epoch 0, batches 0..2 of epoch 1
    assert signal.getsignal(signal.SIGINT) is handler  # handler restored
    # the model is usable: predict, evaluate and train again
    assert net.predict(X).shape == (60, 3)
    assert np.isfinite(net.evaluate(X, y)["loss"])
    h2 = net.fit(X, y, epochs=1, batch_size=6, verbose=0)
    assert not h2.interrupted and h2.epoch == [2]


# -- regularisation -----------------------------------------------------------

def test_l1_l2_penalties_are_added_to_the_loss():
    X, y = _data(n=20)
    reg = gn.Sequential([gn.Dense(4, "tanh", input_dim=2,
                                  kernel_regularizer=gn.regularizers.L1L2(0.01, 0.02),
                                  bias_regularizer=gn.regularizers.L1(0.5)),
                         gn.Dense(3, "softmax",
                                  kernel_regularizer=gn.regularizers.L2(0.03))],
                        dtype="float64", seed=0)
    reg.set_weights([w + 0.1 for w in reg.get_weights()])
    plain = gn.Sequential([gn.Dense(4, "tanh", input_dim=2), gn.Dense(3, "softmax")],
                          dtype="float64", seed=0)
    plain.set_weights(reg.get_weights())
    for net in (reg, plain):
        net.compile("categorical_crossentropy", "sgd")
    W0, b0, W1, _ = reg.get_weights()
    penalty = (0.01 * np.abs(W0).sum() + 0.02 * (W0**2).sum()
               + 0.5 * np.abs(b0).sum() + 0.03 * (W1**2).sum())
    diff = reg.evaluate(X, y)["loss"] - plain.evaluate(X, y)["loss"]
    assert diff == pytest.approx(penalty, rel=1e-10)
    # and the gradient carries λ·sign(w) + 2λ·w
    g_reg, g_plain = reg.gradients(X, y, None), plain.gradients(X, y, None)
    np.testing.assert_allclose(g_reg[0] - g_plain[0],
                               0.01 * np.sign(W0) + 0.04 * W0, rtol=1e-10)
    np.testing.assert_allclose(g_reg[1] - g_plain[1], 0.5 * np.sign(b0), rtol=1e-10)


def test_l2_shrinks_weights():
    X, y = _data()
    norms = []
    for reg in (None, gn.regularizers.L2(0.05)):
        net = gn.Sequential([gn.Dense(8, "tanh", input_dim=2, kernel_regularizer=reg),
                             gn.Dense(3, "softmax")], seed=0)
        net.compile("categorical_crossentropy", "adam", learning_rate=0.05)
        net.fit(X, y, epochs=20, batch_size=10, verbose=0, seed=0)
        norms.append(np.linalg.norm(net.layers[0].W))
    assert norms[1] < 0.7 * norms[0]


def test_dropout_only_in_training():
    X, y = _data()
    net = gn.Sequential([gn.Dense(32, "relu", input_dim=2), gn.Dropout(0.5),
                         gn.Dense(3, "softmax")], seed=0)
    net.compile("categorical_crossentropy", "sgd")
    np.testing.assert_array_equal(net.predict(X), net.predict(X))
    e1, e2 = net.evaluate(X, y), net.evaluate(X, y)
    assert e1 == e2
    t1 = net.forward(X.astype(np.float32), training=True).copy()
    t2 = net.forward(X.astype(np.float32), training=True).copy()
    assert not np.allclose(t1, t2)
    np.testing.assert_allclose(net.forward(X.astype(np.float32)), net.predict(X),
                               rtol=1e-6)


# -- class and sample weights -------------------------------------------------

def _first_loss(net, X, y, **kw):
    """fit's epoch loss for one full batch = the weighted loss before the step."""
    h = net.fit(X, y, epochs=1, batch_size=len(X), shuffle=False, verbose=0, **kw)
    return h["loss"][0]


def test_class_weight_dict_and_balanced():
    X, y = _data(n=30)
    y[:3] = [0, 1, 2]
    p = _clf().predict(X)
    nll = -np.log(p[np.arange(30), y])
    counts = np.bincount(y, minlength=3)
    # {class: weight}
    cw = {0: 2.0, 2: 0.5}
    w = np.array([cw.get(c, 1.0) for c in y])
    assert _first_loss(_clf(), X, y, class_weight=cw) == pytest.approx(
        (w * nll).sum() / 30, rel=1e-10)
    # balanced: w_c = n / (K · n_c)
    w = 30 / (3 * counts[y])
    assert _first_loss(_clf(), X, y, class_weight="balanced") == pytest.approx(
        (w * nll).sum() / 30, rel=1e-10)


def test_sample_weight_and_combination():
    X, y = _data(n=30)
    sw = np.linspace(0.0, 2.0, 30)
    p = _clf().predict(X)
    nll = -np.log(p[np.arange(30), y])
    assert _first_loss(_clf(), X, y, sample_weight=sw) == pytest.approx(
        (sw * nll).sum() / 30, rel=1e-10)
    w = sw * np.where(y == 1, 3.0, 1.0)
    assert _first_loss(_clf(), X, y, sample_weight=sw,
                       class_weight={1: 3.0}) == pytest.approx((w * nll).sum() / 30,
                                                               rel=1e-10)
    assert _clf().evaluate(X, y, sample_weight=sw)["loss"] == pytest.approx(
        (sw * nll).sum() / 30, rel=1e-10)


def test_zero_sample_weight_rows_do_not_move_the_weights():
    X, y = _data(n=20)
    a, b = _clf(), _clf()
    sw = np.r_[np.ones(10), np.zeros(10)]
    a.train_step(X, y, sample_weight=sw)
    # the same step from the first ten rows with their loss scaled by 10/20
    b.optimizer.learning_rate = 0.1 * 10 / 20
    b.train_step(X[:10], y[:10])
    np.testing.assert_allclose(a.flat_params, b.flat_params, rtol=1e-12)

"""Callbacks and learning-rate schedules."""

import csv
import math
import os
import signal

import numpy as np
import pytest

import glassnet as gn
from glassnet import callbacks as C
from glassnet import schedules as S


def _net(seed=0, lr=0.1, optimizer="sgd"):
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=2), gn.Dense(1)],
                        dtype="float64", seed=seed)
    net.compile("mse", optimizer, learning_rate=lr)
    return net


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, np.sin(X[:, :1]) + 0.1 * rng.normal(size=(n, 1))


def _drive(cb, values, key="val_loss"):
    """Feed scripted monitor values; returns the epoch at which it stopped."""
    net = _net()
    cb.set_model(net)
    cb.on_train_begin()
    for epoch, v in enumerate(values):
        net.flat_params[...] = epoch  # weights tell the epochs apart
        cb.on_epoch_end(epoch, {key: v})
        if net.stop_training:
            return net, epoch
    return net, None


# -- EarlyStopping ------------------------------------------------------------

def test_early_stopping_patience_counts_epochs_without_improvement():
    # best at epoch 1; epochs 2 and 3 do not improve -> stop after epoch 3
    es = C.EarlyStopping(patience=2)
    net, stopped = _drive(es, [1.0, 0.9, 0.95, 0.91, 0.5])
    assert stopped == 3 and es.best_epoch == 1 and es.best == 0.9
    assert "did not improve" in net.stop_reason
    es.on_train_end()
    assert (net.flat_params == 1).all()  # the best epoch's weights


def test_early_stopping_patience_zero_and_improvement_resets():
    assert _drive(C.EarlyStopping(patience=0), [1.0, 0.9, 0.95])[1] == 2
    assert _drive(C.EarlyStopping(patience=1), [1.0, 1.1, 0.9])[1] == 1
    assert _drive(C.EarlyStopping(patience=2), [1.0, 1.1, 0.9, 1.0, 0.8])[1] is None


def test_early_stopping_min_delta():
    es = C.EarlyStopping(patience=1, min_delta=0.1)
    # 0.95 and 0.92 are better, but not by 0.1
    assert _drive(es, [1.0, 0.95, 0.92])[1] == 1 and es.best == 1.0
    es = C.EarlyStopping(patience=1, min_delta=0.1)
    assert _drive(es, [1.0, 0.85, 0.7, 0.65])[1] == 3 and es.best == 0.7


def test_early_stopping_max_mode_for_accuracy():
    es = C.EarlyStopping(monitor="val_accuracy", patience=1)
    assert es.mode == "max"
    _, stopped = _drive(es, [0.5, 0.7, 0.6, 0.8], key="val_accuracy")
    assert stopped == 2 and es.best == 0.7


def test_early_stopping_warns_without_the_monitored_value():
    es = C.EarlyStopping(monitor="val_loss")
    with pytest.warns(UserWarning, match="val_loss"):
        _drive(es, [1.0], key="loss")


def test_early_stopping_in_fit_restores_the_best_epoch():
    """Overfit noisy data with a wide net: val_loss turns up, training stops
    and the weights are those recorded at the best epoch."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(30, 1))
    y = np.sin(X) + 0.3 * rng.normal(size=X.shape)
    net = gn.Sequential([gn.Dense(64, "tanh", input_dim=1), gn.Dense(64, "tanh"),
                         gn.Dense(1)], dtype="float64", seed=0)
    net.compile("mse", "adam", learning_rate=0.02)
    snaps = {}
    rec = C.LambdaCallback(
        on_epoch_end=lambda e, logs: snaps.__setitem__(e, net.flat_params.copy()))
    es = C.EarlyStopping(patience=10)
    h = net.fit(X, y, epochs=400, batch_size=10, validation_split=0.3, verbose=0,
                seed=0, callbacks=[rec, es])
    assert len(h) < 400 and "early stopping" in h.stopped_reason
    best_epoch, best_val = h.best("val_loss")
    assert es.best_epoch == best_epoch and len(h) == best_epoch + 1 + 10
    np.testing.assert_array_equal(net.flat_params, snaps[best_epoch])
    ev = net.evaluate(X[h.validation_indices], y[h.validation_indices])
    assert ev["loss"] == pytest.approx(best_val, rel=1e-12)


class _Boom(C.Callback):
    def __init__(self, epoch):
        self.epoch, self.at = None, epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if self.epoch == self.at and batch == 1:
            raise RuntimeError("user callback failed")


def _val_loss_snapshots(net):
    snaps = {}
    return snaps, C.LambdaCallback(
        on_epoch_end=lambda e, logs: snaps.__setitem__(e, (logs["val_loss"],
                                                           net.flat_params.copy())))


def test_early_stopping_restores_best_weights_when_a_callback_raises():
    X, y = _data()
    net = _net(lr=0.05)
    snaps, rec = _val_loss_snapshots(net)
    es = C.EarlyStopping(patience=100)
    with pytest.raises(RuntimeError, match="user callback failed"):
        net.fit(X, y, epochs=50, batch_size=8, validation_split=0.25, verbose=0,
                callbacks=[rec, es, _Boom(6)])
    assert sorted(snaps) == list(range(6))
    best = min(snaps, key=lambda e: snaps[e][0])
    assert es.best_epoch == best
    np.testing.assert_array_equal(net.flat_params, snaps[best][1])


class _CtrlC(C.Callback):
    def __init__(self, epoch):
        self.epoch, self.at = None, epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if self.epoch == self.at and batch == 1:
            os.kill(os.getpid(), signal.SIGINT)


def test_early_stopping_restores_best_weights_after_ctrl_c():
    X, y = _data()
    net = _net(lr=0.05)
    snaps, rec = _val_loss_snapshots(net)
    es = C.EarlyStopping(patience=100)
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=50, batch_size=8, validation_split=0.25, verbose=0,
                callbacks=[rec, es, _CtrlC(4)])
    h = net.history
    assert h.interrupted and len(h) == 5
    best = min(snaps, key=lambda e: snaps[e][0])
    np.testing.assert_array_equal(net.flat_params, snaps[best][1])


def test_early_stopping_without_restore_keeps_last_weights():
    X, y = _data()
    net = _net(lr=0.05)
    snaps, rec = _val_loss_snapshots(net)
    es = C.EarlyStopping(patience=1, restore_best_weights=False)
    net.fit(X, y, epochs=5, batch_size=8, validation_split=0.25, verbose=0,
            callbacks=[rec, es])
    np.testing.assert_array_equal(net.flat_params, snaps[max(snaps)][1])


# -- ReduceLROnPlateau, LearningRateScheduler, CSVLogger, ModelCheckpoint -----

def test_reduce_lr_on_plateau_scripted():
    cb = C.ReduceLROnPlateau(factor=0.5, patience=2, min_delta=0.0, min_lr=0.02)
    net = _net(lr=0.1)
    cb.set_model(net)
    lrs = []
    for epoch, v in enumerate([1.0, 0.9, 0.95, 0.92, 0.93, 0.94, 0.99, 0.98]):
        cb.on_epoch_end(epoch, {"val_loss": v})
        lrs.append(net.optimizer.learning_rate)
    # plateau after epoch 1: reduced after epochs 3 and 5, then floored at min_lr
    assert lrs == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02]


def test_reduce_lr_on_plateau_in_fit_is_recorded():
    X, y = _data()
    net = _net(lr=0.1)
    # monitor a value that never improves after the first epoch
    cb = C.ReduceLROnPlateau(monitor="const", factor=0.1, patience=1)
    const = C.LambdaCallback(on_epoch_end=lambda e, logs: logs.update(const=1.0))
    h = net.fit(X, y, epochs=4, batch_size=8, verbose=0, callbacks=[const, cb])
    np.testing.assert_allclose(h["lr"], [0.1, 0.1, 0.01, 0.001])


def test_learning_rate_scheduler_sets_and_records_lr():
    X, y = _data()
    net = _net(lr=0.5)
    seen = []
    spy = C.LambdaCallback(on_batch_end=lambda b, logs: seen.append(
        net.optimizer.learning_rate))
    sched = C.LearningRateScheduler(lambda e: 0.1 / (e + 1))
    h = net.fit(X, y, epochs=3, batch_size=20, verbose=0, callbacks=[sched, spy])
    np.testing.assert_allclose(h["lr"], [0.1, 0.05, 0.1 / 3])
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.05, 0.05, 0.1 / 3, 0.1 / 3])
    bad = C.LearningRateScheduler(lambda e: -1.0)
    with pytest.raises(gn.ConfigError, match="positive"):
        net.fit(X, y, epochs=1, batch_size=20, verbose=0, callbacks=[bad])


def test_csv_logger_writes_the_history(tmp_path):
    X, y = _data()
    net = _net()
    path = tmp_path / "log.csv"
    h = net.fit(X, y, epochs=3, batch_size=8, validation_split=0.2, verbose=0,
                callbacks=[C.CSVLogger(path)])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]   # files count from 1
    for key in ("loss", "val_loss", "lr"):
        np.testing.assert_array_equal([float(r[key]) for r in rows], h[key])


def test_model_checkpoint_saves_best_only(tmp_path):
    io = pytest.importorskip("glassnet.io")
    if not hasattr(io, "save_model"):
        pytest.skip("glassnet.io has no save_model")
    X, y = _data()
    net = _net(lr=0.05)
    snaps, rec = _val_loss_snapshots(net)
    every = C.ModelCheckpoint(tmp_path / "e{epoch}.safetensors")
    best = C.ModelCheckpoint(tmp_path / "best.safetensors", save_best_only=True)
    net.fit(X, y, epochs=4, batch_size=8, validation_split=0.25, verbose=0,
            callbacks=[rec, every, best])
    assert sorted(p.name for p in tmp_path.glob("e*")) == [   # from 1, as Keras
        f"e{i}.safetensors" for i in range(1, 5)]
    if hasattr(io, "load_model"):
        best_epoch = min(snaps, key=lambda e: snaps[e][0])
        loaded = io.load_model(tmp_path / "best.safetensors")
        np.testing.assert_array_equal(
            np.concatenate([w.ravel() for w in loaded.get_weights()]),
            np.concatenate([w.ravel() for w in _weights_at(net, snaps[best_epoch][1])]))
        last = io.load_model(tmp_path / "e4.safetensors")
        for a, b in zip(last.get_weights(), _weights_at(net, snaps[3][1]),
                        strict=True):
            np.testing.assert_array_equal(a, b)


def _weights_at(net, flat):
    keep = net.flat_params.copy()
    net.flat_params[...] = flat
    ws = net.get_weights()
    net.flat_params[...] = keep
    return ws


def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(gn.ConfigError, match="on_epch_end"):
        C.LambdaCallback(on_epch_end=print)


# -- schedules ----------------------------------------------------------------

SCHEDULES = {
    "constant": (S.Constant(0.3), lambda e: 0.3),
    "step": (S.StepDecay(0.4, step=3, gamma=0.5), lambda e: 0.4 * 0.5 ** (e // 3)),
    "exponential": (S.ExponentialDecay(0.2, gamma=0.9), lambda e: 0.2 * 0.9**e),
    "inverse_time": (S.InverseTimeDecay(0.5, decay=0.25),
                     lambda e: 0.5 / (1 + 0.25 * e)),
    "cosine": (S.CosineDecay(0.1, total_epochs=10, warmup=0, minimum=0.01),
               lambda e: 0.01 + 0.045 * (1 + math.cos(math.pi * min(e / 10, 1)))),
    "cosine_warmup": (S.CosineDecay(0.1, total_epochs=10, warmup=3),
                      lambda e: 0.1 * (e + 1) / 3 if e < 3 else
                      0.05 * (1 + math.cos(math.pi * min((e - 3) / 7, 1)))),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_values_by_formula(name):
    sched, formula = SCHEDULES[name]
    for e in range(14):
        assert sched(e) == pytest.approx(formula(e), rel=1e-12), e


def test_cosine_warmup_shape():
    s = S.CosineDecay(1.0, total_epochs=8, warmup=2)
    assert [s(0), s(1), s(2)] == [0.5, 1.0, 1.0]
    assert s(8) == pytest.approx(0.0, abs=1e-15) and s(20) == pytest.approx(0.0)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_fit_records_scheduled_lr(name):
    sched, formula = SCHEDULES[name]
    X, y = _data(n=8)
    net = _net()
    h = net.fit(X, y, epochs=6, batch_size=8, verbose=0, lr_schedule=sched)
    np.testing.assert_allclose(h["lr"], [formula(e) for e in range(6)], rtol=1e-12)
    h = net.fit(X, y, epochs=2, batch_size=8, verbose=0, lr_schedule=sched)
    np.testing.assert_allclose(h["lr"], [formula(6), formula(7)], rtol=1e-12)


def test_schedule_as_optimizer_learning_rate():
    """A schedule passed as the optimizer's learning_rate drives fit too."""
    X, y = _data(n=8)
    sched = S.StepDecay(0.2, step=2, gamma=0.1)
    net = gn.Sequential([gn.Dense(1, input_dim=2)], seed=0)
    net.compile("mse", gn.optimizers.Adam(learning_rate=sched))
    assert net.optimizer.learning_rate == pytest.approx(0.2)
    h = net.fit(X, y, epochs=5, batch_size=8, verbose=0)
    np.testing.assert_allclose(h["lr"], [0.2, 0.2, 0.02, 0.02, 0.002], rtol=1e-6)


@pytest.mark.parametrize("schedule,expected", [
    (lambda e: 0.1, [0.1, 0.1, 0.05, 0.025, 0.0125]),
    (lambda e: 0.1 / (1 + e), [0.1, 0.05, 0.1 / 3 * 0.5, 0.025 * 0.25,
                               0.02 * 0.125]),
])
def test_reduce_lr_on_plateau_is_kept_under_a_schedule(schedule, expected):
    """A learning-rate schedule resets η every epoch; the plateau's reductions
    so far multiply it instead of being overwritten (the bug this fixes)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    net = gn.Sequential([gn.Dense(1, input_dim=3)], seed=0)
    net.compile("mse", gn.optimizers.SGD(0.1))
    # min_delta so large that nothing after the first epoch counts as progress
    plateau = C.ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5,
                                  min_delta=1e9)
    hist = net.fit(X, y, epochs=5, batch_size=32, verbose=0, callbacks=[plateau],
                   lr_schedule=schedule)
    np.testing.assert_allclose(hist.history["lr"], expected, rtol=1e-12)

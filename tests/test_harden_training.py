"""The training loop when things go wrong (issue 15, items 4, 5, 6, 7, 16,
17, 18 and 20): diverging runs, skipped epochs, resumes, killed saves,
Ctrl-C, epoch numbers, metrics that are not means of batches."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.io import read_checkpoint


def _exploding(lr=10.0):
    """Plain SGD at η = 10 on unscaled regression: one huge but finite update,
    then an overflowing loss."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 10
    y = X @ np.array([[1.0], [2.0], [3.0]])
    net = gn.Sequential([gn.Dense(8, "relu", input_dim=3), gn.Dense(1)], seed=0)
    net.compile("mse", "sgd", learning_rate=lr)
    return net, X, y


class _Weights(gn.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.after = [self.model.flat_params.copy()]

    def on_batch_end(self, batch, logs=None):
        self.after.append(self.model.flat_params.copy())


# -- item 4 ---------------------------------------------------------------------

def test_a_diverged_run_keeps_the_weights_from_before_the_bad_step():
    """Item 4: the weights kept were the bad update's result — finite but huge
    — and predict/evaluate then returned NaN without a word."""
    net, X, y = _exploding()
    rec = _Weights()
    h = net.fit(X, y, epochs=3, batch_size=8, verbose=0, nan_policy="stop",
                callbacks=[rec])
    assert "restored to their values before epoch 1, batch" in h.stopped_reason
    huge = max(np.abs(w).max() for w in rec.after)
    kept = np.abs(net.flat_params).max()
    assert kept < huge / 1e3, (kept, huge)
    assert any(np.array_equal(net.flat_params, w) for w in rec.after[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(net.predict(X)).all()


def test_predict_and_evaluate_warn_about_non_finite_outputs():
    """Item 4: never a silent NaN from predict or evaluate."""
    net = gn.Sequential([gn.Dense(4, "relu", input_dim=2), gn.Dense(1)], seed=0)
    net.compile("mse", "sgd")
    w = net.get_weights()
    w[0][...] = 3e38
    net.set_weights(w)
    X = np.ones((3, 2)) * 10
    with pytest.warns(RuntimeWarning, match="NaN or inf.*largest \\|weight\\| is 3e"):
        net.predict(X)
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        net.predict(X[:1].astype(np.float32))          # the one-row fast path
    with pytest.warns(RuntimeWarning, match="evaluate: the loss is not finite"):
        net.evaluate(X, np.zeros(3))


# -- item 5 ---------------------------------------------------------------------

def test_an_epoch_without_updates_records_nan_and_the_skipped_batches():
    """Item 5: nan_policy='warn' recorded a loss of 0.0 for an epoch in which
    every update was skipped."""
    X = np.full((64, 3), 1e30, dtype=np.float32)     # (x W)² overflows: every
    y = np.zeros((64, 1))                             # batch's loss is inf
    net = gn.Sequential([gn.Dense(8, "relu", input_dim=3), gn.Dense(1)], seed=0)
    net.compile("mse", "sgd")
    with pytest.warns(RuntimeWarning, match="Skipped this update"):
        h = net.fit(X, y, epochs=2, batch_size=8, verbose=0, nan_policy="warn")
    assert h["skipped_batches"] == [8, 8]
    assert np.isnan(h["loss"]).all()


# -- item 6 ---------------------------------------------------------------------

def _clf_data(n=120):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _clf():
    net = gn.Sequential([gn.Dense(6, "tanh", input_dim=2), gn.Dense(2, "softmax")])
    net.compile("categorical_crossentropy", "adam", learning_rate=0.01)
    return net


class _Stop(gn.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            self.model.request_stop("test")


def test_resume_without_a_seed_keeps_the_validation_split(tmp_path):
    """Item 6: without a seed the resumed fit drew a new split, so rows moved
    between training and validation across the kill."""
    X, y = _clf_data()
    path = tmp_path / "run.ckpt"
    first = _clf()
    h1 = first.fit(X, y, epochs=4, batch_size=16, validation_split=0.25,
                   verbose=0, checkpoint=path, callbacks=[_Stop()])
    again = _clf()                       # another seed: another split drawn
    h2 = again.fit(X, y, epochs=4, batch_size=16, validation_split=0.25,
                   verbose=0, checkpoint=path, resume=True)
    assert np.array_equal(h2.validation_indices, h1.validation_indices)
    assert np.array_equal(h2.train_indices, h1.train_indices)
    assert h2.epoch == [0, 1, 2, 3]


def test_resume_refuses_other_data(tmp_path):
    """Item 6: resume must refuse data that does not match the checkpoint."""
    X, y = _clf_data()
    path = tmp_path / "run.ckpt"
    _clf().fit(X, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
               checkpoint=path, callbacks=[_Stop()])
    X2 = X.copy()
    X2[7, 1] += 1.0
    with pytest.raises(gn.ModelFileError, match="other data"):
        _clf().fit(X2, y, epochs=4, batch_size=16, validation_split=0.25,
                   verbose=0, checkpoint=path, resume=True)


# -- item 7 ---------------------------------------------------------------------

_KILLED_SAVE = """
import os, signal, numpy as np
import glassnet.files.atomic as atomic
def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)
atomic.os.fsync = die          # killed in the middle of writing the checkpoint
import glassnet as gn
net = gn.Sequential([gn.Dense(2, input_dim=2)], seed=0)
net.compile("mse", "sgd")
net.fit(np.ones((8, 2)), np.ones((8, 2)), epochs=1, batch_size=8, verbose=0,
        checkpoint={path!r})
"""


def test_temporary_files_of_a_killed_save_are_removed_by_the_next(tmp_path):
    """Item 7: a SIGKILL mid-save left '.run.ckpt.tmp-…' behind for good."""
    from glassnet.files.atomic import remove_stale_temps
    path = tmp_path / "run.ckpt"
    r = subprocess.run([sys.executable, "-c", _KILLED_SAVE.format(path=str(path))],
                       capture_output=True, timeout=120)
    assert r.returncode == -signal.SIGKILL
    stale = [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    assert len(stale) == 1 and not path.exists()
    mine = tmp_path / f".run.ckpt.tmp-{os.getpid()}-0123456789ab"
    mine.write_bytes(b"a save of this process, in progress")
    net = gn.Sequential([gn.Dense(2, input_dim=2)], seed=0)
    net.compile("mse", "sgd")
    net.fit(np.ones((8, 2)), np.ones((8, 2)), epochs=1, batch_size=8, verbose=0,
            checkpoint=path)
    assert sorted(os.listdir(tmp_path)) == sorted(["run.ckpt", mine.name])
    assert remove_stale_temps(path) == []        # live writers are left alone


# -- item 16 --------------------------------------------------------------------

def test_a_finite_but_exploding_loss_is_warned_about():
    """Item 16: learning rate 1000 trained on silently with a loss of 4.4
    million."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([1.0, -1.0, 0.5, 2.0]) + 0.1 * rng.normal(size=200)
    net = gn.Sequential([gn.Dense(8, "tanh", input_dim=4), gn.Dense(1)], seed=0)
    net.compile("mse", "adam", learning_rate=1000.0)
    with pytest.warns(RuntimeWarning, match="diverging.*learning rate") as record:
        h = net.fit(X, y, epochs=5, batch_size=20, verbose=0)
    assert np.isfinite(h["loss"]).all() and max(h["loss"]) > 1e4
    assert len([w for w in record if "diverging" in str(w.message)]) == 1
    healthy = gn.Sequential([gn.Dense(8, "tanh", input_dim=4), gn.Dense(1)], seed=0)
    healthy.compile("mse", "adam", learning_rate=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        healthy.fit(X, y, epochs=5, batch_size=20, verbose=0)


# -- item 17 --------------------------------------------------------------------

class _CtrlC(gn.callbacks.Callback):
    def on_batch_end(self, batch, logs=None):
        if self.model.epoch == 1 and batch == 1:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_ends_the_script_not_just_the_fit(tmp_path):
    """Item 17: three Ctrl-C's ended three fits of a loop and the script went
    on. Now fit stops cleanly, keeps History and checkpoint, then raises."""
    X, y = _clf_data()
    done = []
    with pytest.raises(KeyboardInterrupt, match="model.history"):
        for seed in range(3):
            net = _clf()
            net.fit(X, y, epochs=5, batch_size=16, verbose=0, seed=seed,
                    checkpoint=tmp_path / f"{seed}.ckpt", callbacks=[_CtrlC()])
            done.append(seed)
    assert done == []
    assert net.history.interrupted and len(net.history.epoch) == 2
    assert read_checkpoint(tmp_path / "0.ckpt")["position"]["batch"] == 2
    assert np.isfinite(net.predict(X)).all()


def test_the_cli_exits_130_after_saving_the_run(tmp_path):
    """Item 17: the command saves what was trained, then exits 130."""
    script = ("import os, signal, glassnet.train.monitors as m\n"
              "from glassnet.cli import main\n"
              "class Hit(m.EarlyStopping):\n"
              "    def on_epoch_end(self, epoch, logs=None):\n"
              "        if epoch == 1: os.kill(os.getpid(), signal.SIGINT)\n"
              "m.EarlyStopping = Hit\n"
              "import glassnet.cli.train as t; t.EarlyStopping = Hit\n"
              "raise SystemExit(main(['train', 'circles', '--epochs', '6', "
              "'--early-stopping', '9', '--quiet', '--no-plots', '--output', "
              f"{str(tmp_path / 'run')!r}]))\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 130, r.stderr
    assert "interrupted after" in r.stdout
    rows = list(csv.DictReader(open(tmp_path / "run" / "history.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert (tmp_path / "run" / "model.safetensors").is_file()


# -- item 18 --------------------------------------------------------------------

def test_epochs_are_counted_from_1_in_messages_and_files(tmp_path):
    """Item 18: the progress line said epoch 1, early stopping, the NaN error
    and history.csv said epoch 0 for the same epoch."""
    X, y = _clf_data()
    net = _clf()
    stop = gn.callbacks.EarlyStopping("loss", patience=1, min_delta=10.0)
    h = net.fit(X, y, epochs=5, batch_size=16, verbose=0, callbacks=[stop])
    assert "best" in h.stopped_reason and "at epoch 1)" in h.stopped_reason
    h.to_csv(tmp_path / "h.csv")
    h.to_json(tmp_path / "h.json")
    assert [r["epoch"] for r in csv.DictReader(open(tmp_path / "h.csv"))] == \
        ["1", "2"]
    assert json.loads((tmp_path / "h.json").read_text())["epoch"] == [1, 2]
    assert gn.History.from_dict(json.loads((tmp_path / "h.json").read_text())
                                ).epoch == h.epoch == [0, 1]     # Python: indices
    net, X, y = _exploding()
    with pytest.raises(gn.TrainingError, match="at epoch 1, batch 3"):
        net.fit(X, y, epochs=3, batch_size=8, verbose=0)


# -- item 20 --------------------------------------------------------------------

def test_f1_is_reported_for_training_too():
    """Item 20: metrics=['acc', 'f1'] reported f1 only as val_f1."""
    X, y = _clf_data()
    net = gn.Sequential([gn.Dense(6, "tanh", input_dim=2), gn.Dense(2, "softmax")],
                        seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.05,
                metrics=["acc", "f1"])
    h = net.fit(X, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                seed=0)
    assert {"accuracy", "f1", "val_accuracy", "val_f1"} <= set(h.history)
    rows = h.train_indices
    f1 = gn.metrics.f1(y[rows], net.predict_classes(X[rows]))
    assert h["f1"][-1] == pytest.approx(f1)

"""Progress while training: a tqdm bar on a terminal, stable lines otherwise."""

from __future__ import annotations

import io

import numpy as np
import pytest

import glassnet as gn
from glassnet.train.progress import EpochProgress, log_line, use_bar

X = np.random.default_rng(0).standard_normal((30, 2))
Y = (X[:, 0] > 0).astype(np.int64)


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def net():
    model = gn.Sequential([gn.Dense(2, "softmax", input_dim=2)], seed=0)
    model.compile("categorical_crossentropy", "sgd", metrics=["accuracy"])
    return model


def test_not_a_terminal_gives_one_stable_line_per_epoch(capsys):
    net().fit(X, Y, epochs=3, batch_size=8, verbose=1, validation_split=0.2, seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split("  ")[0] for ln in lines] == ["epoch 1/3", "epoch 2/3",
                                                   "epoch 3/3"]
    assert all("loss " in ln and "val_accuracy " in ln for ln in lines)


def test_verbose_0_prints_nothing(capsys):
    net().fit(X, Y, epochs=2, batch_size=8, verbose=0)
    assert capsys.readouterr().out == ""


def test_log_line_format():
    line = log_line(4, 40, {"loss": 0.5, "accuracy": 0.75, "lr": 0.01, "time": 1.5})
    assert line == "epoch  5/40  loss 0.5000  accuracy 0.7500  lr 0.01  1.50s"


def test_bar_on_a_terminal_shows_progress_eta_and_metrics():
    pytest.importorskip("tqdm")
    stream = FakeTTY()
    assert use_bar(1, stream) and not use_bar(2, stream)
    assert not use_bar(1, io.StringIO())
    progress = EpochProgress(1, n_batches=4, end_epoch=2, stream=stream)
    progress.begin(0)
    for seen in range(1, 5):
        progress.batch({"loss": 0.7 * seen, "accuracy": 0.5 * seen}, seen)
    progress.end(0, {"loss": 0.6, "accuracy": 0.8, "val_loss": 0.65, "lr": 0.1,
                     "time": 0.1})
    text = stream.getvalue()
    assert "epoch 1/2" in text and "100%" in text and "4/4" in text
    assert "<" in text  # elapsed<remaining: the ETA
    assert "loss=0.6000" in text and "acc=0.8000" in text and "val_loss=" in text


def test_bar_resumed_mid_epoch_starts_at_the_batch():
    pytest.importorskip("tqdm")
    stream = FakeTTY()
    progress = EpochProgress(1, n_batches=10, end_epoch=3, stream=stream)
    progress.begin(1, first_batch=6)
    progress.batch({"loss": 1.0}, 1)
    progress.close()
    assert "7/10" in stream.getvalue()

"""Files written by an older glassnet still load and give the same numbers.

The files in tests/fixtures/compat/ were written once by
``tests/fixtures/compat/make_fixtures.py`` with the code of the commit named
in ``manifest.json``; they are never regenerated. Every prediction must be
bitwise equal to the one recorded then, and the old mid-epoch checkpoint must
resume to the weights of the run that was never interrupted.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.io import read_model_file, read_safetensors

HERE = Path(__file__).resolve().parent / "fixtures" / "compat"
MODELS = ["dense_f32", "dense_f64", "simple_rnn", "lstm", "gru"]


def _bitwise(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name", MODELS)
def test_old_model_files_predict_bitwise_the_same(name):
    path = HERE / f"{name}.safetensors"
    X, want = np.load(HERE / f"{name}.x.npy"), np.load(HERE / f"{name}.y.npy")
    assert _bitwise(gn.load(path).predict(X), want)
    assert _bitwise(gn.io.load_model(path).predict(X), want)
    saved = read_model_file(path)
    assert _bitwise(saved.model.predict(X), want)
    assert _bitwise(saved.predict(X), want)


def test_float64_file_stays_float64():
    net = gn.load(HERE / "dense_f64.safetensors")
    assert all(w.dtype == np.float64 for w in net.get_weights())


def test_old_preprocessed_file_applies_its_scaler():
    path = HERE / "scaled" / "model.safetensors"
    x_raw, want = np.load(HERE / "scaled" / "x_raw.npy"), \
        np.load(HERE / "scaled" / "proba.npy")
    saved = read_model_file(path)
    assert [type(s).__name__ for s in saved.preprocessing] == ["StandardScaler"]
    assert _bitwise(saved.predict(x_raw), want)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # load_model warns: scaler not applied
        net = gn.load(path)
    assert _bitwise(net.predict(saved.transform(x_raw)), want)


def test_old_preprocessed_file_through_glassnet_predict(capsys, monkeypatch):
    monkeypatch.chdir(HERE / "scaled")
    assert main(["predict", "model.safetensors", "new.csv"]) == 0
    assert capsys.readouterr().out == (HERE / "scaled" / "predict.csv").read_text()


def test_old_checkpoint_resumes_to_the_uninterrupted_weights(tmp_path):
    recipe = json.loads((HERE / "checkpoint.json").read_text())
    data = np.load(HERE / "checkpoint.data.npz")
    final = np.load(HERE / "checkpoint.final.npz")
    path = tmp_path / "run.ckpt"
    shutil.copy(HERE / "checkpoint.safetensors", path)
    _, meta = read_safetensors(path)
    assert json.loads(meta["glassnet.checkpoint"])["position"]["batch"] > 0
    m, c = recipe["model"], recipe["compile"]
    # Another seed: only what the checkpoint restores can reach the final weights.
    net = gn.Sequential([gn.Dense(m["units"], m["activation"], input_dim=m["n_in"]),
                         gn.Dense(m["n_classes"], "softmax")], seed=m["seed"] + 1)
    net.compile(c["loss"], c["optimizer"], learning_rate=c["learning_rate"])
    net.fit(data["X"], data["y"], **recipe["fit"], checkpoint=path,
            checkpoint_every=1, resume=True)
    weights = net.get_weights()
    assert len(weights) == len(final.files)
    for i, w in enumerate(weights):
        assert _bitwise(w, final[f"w{i}"]), f"weight {i}"

"""Model files an attacker crafted (issue 15, items 1 and 8): a valid checksum
proves nothing about the description, so loading must check the claimed
architecture against the stored tensors before allocating anything, and
every field of the description before any command reads it."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.files.model_format import MODEL_KEY, describe
from glassnet.files.safetensors import read_safetensors, write_safetensors


def _rewrite(path, edit_info=None, edit_tensors=None, raw_text=None):
    """Re-save ``path`` with its description or tensors changed: the writer
    computes a fresh, valid checksum, as an attacker's tool would."""
    tensors, meta = read_safetensors(path)
    info = json.loads(meta[MODEL_KEY])
    if edit_info is not None:
        edit_info(info)
    if edit_tensors is not None:
        edit_tensors(tensors)
    text = raw_text(info) if raw_text else json.dumps(info)
    write_safetensors(path, tensors, {MODEL_KEY: text})
    return path


def test_a_small_file_claiming_a_big_network_costs_what_the_file_holds(tmp_path):
    """Item 1: ~1 KB whose architecture claims 2 million float64 weights.
    Before: the network was built and randomly initialised (tens of MB) before
    the comparison with the stored tensors; now the shapes are compared first."""
    arch = {"name": "s", "dtype": "float64", "layers": [
        {"type": "Dense", "config": {"units": 1000, "input_dim": [2000]}}]}
    path = tmp_path / "claim.safetensors"
    write_safetensors(path, {"param.0": np.zeros((2, 1)),
                             "param.1": np.zeros(1)}, {MODEL_KEY: describe(arch)})
    assert path.stat().st_size < 1000
    tracemalloc.start()
    try:
        with pytest.raises(gn.ModelFileError, match="param|shape|weight"):
            gn.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"peak {peak:,} bytes for a {path.stat().st_size} B file"


def test_a_matching_file_is_loaded_without_drawing_random_weights(tmp_path):
    """Item 1: the stored tensors are the initial values (no initializer runs),
    and predictions after loading stay bitwise identical."""
    net = gn.Sequential([gn.LSTM(5, input_dim=3), gn.Dense(2)], seed=0)
    net.save(tmp_path / "m.safetensors")
    X = np.random.default_rng(0).normal(size=(4, 6, 3)).astype(np.float32)
    loaded = gn.load(tmp_path / "m.safetensors")
    assert np.array_equal(loaded.predict(X), net.predict(X))
    with pytest.raises(gn.ShapeError, match="layer 0 .*W"):
        gn.Sequential.from_config(net.get_config(),
                                  weights=[np.zeros((2, 20))] + net.get_weights()[1:])


@pytest.fixture
def cli_model(tmp_path):
    """A model trained by the command line (features, scaler, training info)."""
    data = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    data.write_text("a,b,label\n" + "".join(
        f"{a:.3f},{b:.3f},{int(a + b > 0)}\n" for a, b in X))
    assert main(["train", str(data), "--epochs", "1", "--quiet", "--no-plots",
                 "--output", str(tmp_path / "run")]) == 0
    return tmp_path / "run" / "model.safetensors", data


def _set(path_keys, value):
    def edit(info):
        d = info
        for k in path_keys[:-1]:
            d = d[k]
        d[path_keys[-1]] = value
    return edit


@pytest.mark.parametrize("edit, raw, fragment", [
    (_set(["class_names"], 5), None, "class_names"),
    (_set(["feature_spec", "columns"], "a,b"), None, "feature_spec.columns"),
    (_set(["training"], "fast"), None, "training"),
    (_set(["data"], "somewhere"), None, "data"),
    (_set(["training", "results", "training", "loss"], "low"), None,
     "training.results.training.loss"),
    (None, lambda info: json.dumps(info)[:-1] + ',"deep":' + "[" * 600 + "]" * 600
     + "}", "deep"),
    (None, lambda info: json.dumps(info).replace(
        '"learning_rate":', '"learning_rate":1' + "0" * 400 + ',"was":'),
     "learning_rate"),
])
def test_crafted_descriptions_exit_2_with_one_line(cli_model, capsys, edit, raw,
                                                    fragment):
    """Item 8: before, these gave TypeError/RecursionError/OverflowError and
    the CLI's 'internal error', exit 1."""
    path, data = cli_model
    _rewrite(path, edit_info=edit, raw_text=raw)
    for command in (["predict", str(path), str(data)], ["summary", str(path)],
                    ["evaluate", str(path), str(data)]):
        assert main(command) == 2, command
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "internal error" not in err
        assert fragment in err, err


def test_preprocessing_arrays_of_the_wrong_shape_exit_2(cli_model, capsys):
    """Item 8: a scaler mean of 3 values for 2 features crashed predict with a
    raw broadcasting ValueError."""
    path, data = cli_model

    def widen(tensors):
        tensors["preprocessing.0.mean"] = np.zeros(3)
        tensors["preprocessing.0.scale"] = np.ones(3)
    _rewrite(path, edit_tensors=widen)
    assert main(["predict", str(path), str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "mean" in err and "3" in err


def test_preprocessing_widths_must_chain_to_the_model(cli_model, capsys):
    """Item 8: consistent arrays, but one more feature than the model takes."""
    path, data = cli_model

    def widen(info):
        info["preprocessing"]["steps"][0]["config"]["n_features"] = 3
    _rewrite(path, edit_info=widen, edit_tensors=lambda t: t.update({
        "preprocessing.0.mean": np.zeros(3), "preprocessing.0.scale": np.ones(3)}))
    assert main(["predict", str(path), str(data)]) == 2
    assert "takes 3 features" in capsys.readouterr().err

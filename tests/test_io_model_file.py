"""save_model / load_model: exact round trips and refusal of tampered files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from glassnet.errors import ConfigError, ModelFileError
from glassnet.files.model_format import MODEL_KEY
from glassnet.io import load_model, read_model_file, save_model, write_safetensors


@pytest.fixture
def core():
    """(Sequential, Dense) from the core, or skip while it does not exist yet."""
    model = pytest.importorskip("glassnet.model")
    layers = pytest.importorskip("glassnet.layers")
    if not hasattr(model, "Sequential") or not hasattr(layers, "Dense"):
        pytest.skip("glassnet.model.Sequential / glassnet.layers.Dense not there yet")
    return model.Sequential, layers.Dense


def _net(core, seed: int = 0):
    sequential, dense = core
    return sequential([dense(5, "relu", input_dim=3), dense(2)], seed=seed)


def _write_model(path: Path, info, tensors) -> Path:
    text = info if isinstance(info, str) else json.dumps(info)
    write_safetensors(path, tensors, {MODEL_KEY: text})
    return path


def _tampered(tmp_path: Path, model, edit) -> Path:
    """A correctly checksummed file whose architecture or weights were edited."""
    info = {"format": "glassnet-model", "format_version": 1}
    info["architecture"] = model.get_config()
    tensors = {f"param.{i}": w for i, w in enumerate(model.get_weights())}
    edit(info, tensors)
    return _write_model(tmp_path / "tampered.safetensors", info, tensors)


# ------------------------------------------------------------- with the core


def test_save_load_predict_bitwise_identical(tmp_path, core):
    model = _net(core)
    path = tmp_path / "m.safetensors"
    save_model(model, path)
    loaded = load_model(path)
    X = np.random.default_rng(1).standard_normal((7, 3)).astype(np.float32)
    assert model.predict(X).tobytes() == loaded.predict(X).tobytes()
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert loaded.get_config() == model.get_config()


def test_extra_metadata_and_tensors_round_trip(tmp_path, core):
    path = tmp_path / "m.safetensors"
    mean = np.array([0.5, 1.0, 2.0], np.float32)
    save_model(
        _net(core),
        path,
        extra_metadata={"class_names": ["cat", "dog"], "training": {"epochs": 3}},
        extra_tensors={"preprocessing.mean": mean},
    )
    saved = read_model_file(path)
    assert saved.info["class_names"] == ["cat", "dog"]
    assert saved.info["training"] == {"epochs": 3}
    assert saved.info["format"] == "glassnet-model"
    np.testing.assert_array_equal(saved.extra_tensors["preprocessing.mean"], mean)


def test_unknown_layer_type_rejected(tmp_path, core):
    def edit(info, tensors):
        info["architecture"]["layers"][0]["type"] = "os.system"

    path = _tampered(tmp_path, _net(core), edit)
    with pytest.raises(ModelFileError, match="unknown type 'os.system'"):
        load_model(path)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda i, t: t.update({"param.0": np.zeros((3, 4), np.float32)}), "param.0"),
        (lambda i, t: t.update({"param.1": np.zeros(5, np.float64)}), "float64"),
        (lambda i, t: t.pop("param.3"), "weight arrays"),
        (lambda i, t: t.update({"param.9": np.zeros(1, np.float32)}), "weight arr"),
    ],
)
def test_weight_mismatch_rejected(tmp_path, core, edit, match):
    path = _tampered(tmp_path, _net(core), edit)
    with pytest.raises(ModelFileError, match=match):
        load_model(path)


@pytest.mark.parametrize("units", ["five", -5, None, [5], 1.5])
def test_bad_config_values_are_wrapped(tmp_path, core, units):
    def edit(info, tensors):
        info["architecture"]["layers"][0]["config"]["units"] = units

    path = _tampered(tmp_path, _net(core), edit)
    with pytest.raises(ModelFileError, match="tampered.safetensors"):
        load_model(path)


def test_save_rejects_bad_extras(tmp_path, core):
    model, path = _net(core), tmp_path / "m.safetensors"
    with pytest.raises(ConfigError):
        save_model(model, path, extra_metadata={"architecture": {}})
    with pytest.raises(ConfigError):
        save_model(model, path, extra_metadata={"x": float("nan")})
    with pytest.raises(ConfigError):
        save_model(model, path, extra_tensors={"param.0": np.zeros(2)})
    assert not path.exists()


# ---------------------------------------------- file checks before the core


@pytest.mark.parametrize(
    ("info", "match"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "glassnet-model", "format": "x"}', "duplicate"),
        ("[1]", "format"),
        ({"format": "keras", "format_version": 1, "architecture": {}}, "format"),
        ({"format": "glassnet-model", "format_version": 2}, "format_version"),
        ({"format": "glassnet-model", "format_version": True}, "format_version"),
        ({"format": "glassnet-model", "format_version": 1}, "architecture"),
    ],
)
def test_bad_model_description_rejected(tmp_path, info, match):
    path = _write_model(tmp_path / "m.safetensors", info, {})
    with pytest.raises(ModelFileError, match=match):
        load_model(path)


def test_plain_tensor_file_is_not_a_model(tmp_path):
    path = tmp_path / "t.safetensors"
    write_safetensors(path, {"x": np.zeros(2)})
    with pytest.raises(ModelFileError, match="read_safetensors"):
        load_model(path)


def test_corrupted_model_file_rejected(tmp_path):
    path = _write_model(
        tmp_path / "m.safetensors",
        {"format": "glassnet-model", "format_version": 1, "architecture": {}},
        {"param.0": np.ones(3, np.float32)},
    )
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(path)


# ------------------------------------------- every layer type, hostile files


def _every_layer_type():
    import glassnet as gn

    flat = gn.Sequential([gn.Flatten(input_dim=(2, 3)), gn.Dense(4, "relu"),
                          gn.Dropout(0.3), gn.Activation("tanh"), gn.Dense(2),
                          gn.Rescale([10.0, -3.0], [2.5, 0.5])], seed=0)
    rec = gn.Sequential([gn.SimpleRNN(3, input_dim=2, return_sequences=True),
                         gn.LSTM(3, return_sequences=True),
                         gn.GRU(3, return_sequences=True),
                         gn.TimeDistributed(gn.Dense(2))], seed=0)
    cnn = gn.Sequential([gn.Reshape((5, 4, 1), input_dim=20),
                         gn.Conv2D(3, 3, padding="same", activation="relu"),
                         gn.BatchNormalization(), gn.MaxPool2D(2),
                         gn.AvgPool2D(1), gn.Conv2D(2, 1), gn.GlobalAvgPool2D(),
                         gn.Dense(2)], seed=0)
    rng = np.random.default_rng(0)
    cnn.set_weights([np.abs(w + rng.normal(size=w.shape)) for w in cnn.get_weights()])
    return [(flat, rng.normal(size=(5, 2, 3)).astype(np.float32)),
            (rec, rng.normal(size=(4, 6, 2)).astype(np.float32)),
            (cnn, rng.normal(size=(3, 20)).astype(np.float32))]


def test_every_layer_type_round_trips_bitwise(tmp_path, core):
    from glassnet.layers import LAYER_TYPES

    seen = set()
    for k, (model, X) in enumerate(_every_layer_type()):
        seen |= {type(layer).__name__ for layer in model.layers}
        path = tmp_path / f"m{k}.safetensors"
        save_model(model, path)
        loaded = load_model(path)
        assert loaded.predict(X).tobytes() == model.predict(X).tobytes()
        for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert seen == set(LAYER_TYPES)


def test_damaged_model_files_raise_only_model_file_error(tmp_path, core):
    """Through load_model (what gn.load calls): every truncation, 1,000 random
    single-byte flips, a pickle and a zip named like a model."""
    path = tmp_path / "m.safetensors"
    save_model(_net(core), path)
    raw = path.read_bytes()
    bad = tmp_path / "bad.safetensors"
    for length in range(len(raw)):
        bad.write_bytes(raw[:length])
        with pytest.raises(ModelFileError, match="bad.safetensors"):
            load_model(bad)
    rng = np.random.default_rng(7)
    for position, mask in zip(rng.integers(0, len(raw), 1000),
                              rng.integers(1, 256, 1000), strict=True):
        data = bytearray(raw)
        data[position] ^= int(mask)
        bad.write_bytes(bytes(data))
        with pytest.raises(ModelFileError, match="bad.safetensors"):
            load_model(bad)
    import pickle
    import zipfile

    bad.write_bytes(pickle.dumps({"param.0": np.zeros((3, 5), np.float32)}))
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(bad)
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps([1, 2, 3]))
    with pytest.raises(ModelFileError, match="zip"):
        load_model(bad)


# ------------------------------------------------- preprocessing with the model


def _scaled_model(core):
    import glassnet as gn

    rng = np.random.default_rng(3)
    X_raw = rng.normal(size=(20, 3)) * [100.0, 1.0, 0.01] + [500.0, 0.0, 2.0]
    steps = [gn.StandardScaler().fit(X_raw[:15]),
             gn.MinMaxScaler((-1, 1)).fit(X_raw[:15])]
    return _net(core), steps, X_raw


def test_save_with_preprocessing_and_predict_applies_it(tmp_path, core):
    net, steps, X_raw = _scaled_model(core)
    path = tmp_path / "m.safetensors"
    net.save(path, preprocessing=steps)
    saved = read_model_file(path)
    assert [type(s).__name__ for s in saved.preprocessing] == [
        "StandardScaler", "MinMaxScaler"]
    by_hand = steps[1].transform(steps[0].transform(X_raw))
    np.testing.assert_array_equal(saved.transform(X_raw), by_hand)
    expect = net.predict(by_hand)
    assert saved.predict(X_raw).tobytes() == expect.tobytes()
    assert not np.allclose(saved.predict(X_raw), net.predict(X_raw))
    np.testing.assert_array_equal(saved.predict_classes(X_raw),
                                  net.predict_classes(by_hand))
    # the command line reads the same layout: glassnet predict applies it too
    from glassnet.cli.saved import open_model

    np.testing.assert_array_equal(open_model(path).predict_proba(X_raw),
                                  net.predict_proba(by_hand))


def test_loaded_model_saved_again_keeps_its_preprocessing(tmp_path, core):
    net, steps, X_raw = _scaled_model(core)
    net.save(tmp_path / "a.safetensors", preprocessing=steps[0])
    again = read_model_file(tmp_path / "a.safetensors").model
    again.save(tmp_path / "b.safetensors")           # from model.meta
    saved = read_model_file(tmp_path / "b.safetensors")
    np.testing.assert_array_equal(saved.transform(X_raw), steps[0].transform(X_raw))
    # a model whose meta holds the fitted scaler carries it as well
    net.meta["preprocessing"] = [steps[1]]
    net.save(tmp_path / "c.safetensors")
    np.testing.assert_array_equal(
        read_model_file(tmp_path / "c.safetensors").transform(X_raw),
        steps[1].transform(X_raw))


def test_files_save_model_is_what_model_save_writes(tmp_path, core):
    """Sequential.save(path, **kw) is glassnet.files.model_format.save_model(
    model, path, **kw): the model's meta (what it was loaded with) is kept."""
    from glassnet.files import model_format

    net, steps, X_raw = _scaled_model(core)
    net.save(tmp_path / "a.safetensors", preprocessing=steps,
             extra_metadata={"class_names": ["a", "b"]})
    loaded = read_model_file(tmp_path / "a.safetensors").model
    loaded.save(tmp_path / "b.safetensors")
    model_format.save_model(loaded, tmp_path / "c.safetensors")
    assert (tmp_path / "b.safetensors").read_bytes() == \
        (tmp_path / "c.safetensors").read_bytes()
    again = read_model_file(tmp_path / "c.safetensors")
    assert again.info["class_names"] == ["a", "b"]
    assert again.predict(X_raw).tobytes() == \
        read_model_file(tmp_path / "a.safetensors").predict(X_raw).tobytes()


def test_preprocessing_bad_object_and_malformed_file(tmp_path, core):
    net, steps, _ = _scaled_model(core)
    with pytest.raises(ConfigError, match="position 1.*preprocessing=\\[scaler\\]"):
        net.save(tmp_path / "x.safetensors", preprocessing=[steps[0], "scale"])
    info = {"format": "glassnet-model", "format_version": 1,
            "architecture": net.get_config(),
            "preprocessing": {"steps": [{"config": {"class": "StandardScaler",
                                                    "n_features": 3},
                                         "tensors": {"mean": "preprocessing.0.mean",
                                                     "scale": "preprocessing.0.sc"}}]}}
    tensors = {f"param.{i}": w for i, w in enumerate(net.get_weights())}
    tensors["preprocessing.0.mean"] = np.zeros(3)
    path = _write_model(tmp_path / "bad.safetensors", info, tensors)
    with pytest.raises(ModelFileError, match="preprocessing is malformed"):
        read_model_file(path)


def test_load_model_warns_that_saved_preprocessing_is_not_applied(tmp_path):
    import glassnet as gn

    rng = np.random.default_rng(0)
    X = rng.normal(50.0, 10.0, size=(40, 3))
    scaler = gn.StandardScaler().fit(X)
    net = gn.Sequential([gn.Dense(2, input_dim=3)], seed=0)
    path = tmp_path / "scaled.safetensors"
    net.save(path, preprocessing=[scaler])
    with pytest.warns(UserWarning, match="read_model_file"):
        loaded = gn.load(path)
    saved = gn.io.read_model_file(path)
    np.testing.assert_array_equal(saved.predict(X), loaded.predict(scaler.transform(X)))


def test_load_model_without_preprocessing_does_not_warn(tmp_path):
    import warnings

    import glassnet as gn

    net = gn.Sequential([gn.Dense(2, input_dim=3)], seed=0)
    path = tmp_path / "plain.safetensors"
    net.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.load(path)


# ------------------------------------------ ModelFile: the model and its data


def test_model_file_carries_spec_class_names_and_path(tmp_path, core):
    import glassnet as gn
    from glassnet.io import ModelFile

    net = gn.Sequential([gn.Dense(3, "relu", input_dim=2),
                         gn.Dense(2, "softmax")], seed=0)
    path = tmp_path / "m.safetensors"
    net.save(path)
    saved = read_model_file(path)
    assert saved.path == str(path)
    assert saved.spec.feature_names == ["x1", "x2"]       # saved from Python
    assert saved.class_names == ["0", "1"] and saved.task == "classification"

    X = np.random.default_rng(0).normal(size=(6, 2)) * 10 + 5
    scaler = gn.StandardScaler().fit(X)
    spec = gn.data.FeatureSpec([gn.data.ColumnSpec("a", "numeric"),
                                gn.data.ColumnSpec("b", "numeric")], ["a", "b", "y"],
                               "y", "classification", ["no", "yes"])
    ModelFile(net, preprocessing=[scaler], spec=spec).save(
        tmp_path / "s.safetensors", {"training": {"epochs": 1}})
    again = read_model_file(tmp_path / "s.safetensors")
    assert again.spec == spec and again.class_names == ["no", "yes"]
    assert again.info["training"] == {"epochs": 1}
    assert again.predict_proba(X).tobytes() == \
        net.predict_proba(scaler.transform(X)).tobytes()


def test_sequence_model_file_has_no_column_spec(tmp_path, core):
    import glassnet as gn

    net = gn.Sequential([gn.LSTM(3, input_dim=2), gn.Dense(1)], seed=0)
    net.save(tmp_path / "r.safetensors")
    saved = read_model_file(tmp_path / "r.safetensors")
    assert saved.spec is None and saved.task == "regression"
    X = np.random.default_rng(1).normal(size=(4, 5, 2)).astype(np.float32)
    assert saved.predict(X).tobytes() == net.predict(X).tobytes()

"""The playground's learning side, without a server: data, controls, steps,
receipts and the doctor's hints, all with fixed seeds."""

import base64
import json
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import generated
from glassnet.playground import data, frames
from glassnet.playground.lab import Lab
from glassnet.playground.settings import DATASETS, Settings, apply_changes


# -- data ------------------------------------------------------------------------
@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_is_two_balanced_classes_in_view_and_seeded(name):
    X, y = data.generate(name, noise=0.2, seed=3)
    assert X.shape == (data.N_POINTS, 2) and set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.05
    assert np.abs(X).max() < 1.5 * data.VIEW
    X2, y2 = data.generate(name, noise=0.2, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, data.generate(name, noise=0.2, seed=4)[0])


def test_xor_points_label_the_quadrants_and_noise_moves_points():
    X, y = generated.xor_points(500, noise=0.0, seed=0)
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert np.abs(X).min() >= 0.06 - 1e-12           # kept off the axes
    Xn, yn = generated.xor_points(500, noise=0.3, seed=0)
    assert np.array_equal(y, yn) and not np.allclose(X, Xn)


def test_features_are_the_formulas_and_the_grid_reads_like_a_canvas():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = data.features(X, ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"))
    assert np.allclose(F[1], [-0.5, 3.0, 0.25, 9.0, -1.5, np.sin(-0.5), np.sin(3.0)])
    G = data.grid((-1.0, 1.0, -2.0, 2.0), 4)
    assert G.shape == (16, 2)
    assert np.allclose(G[0], [-0.75, 1.5]) and np.allclose(G[3], [0.75, 1.5])
    assert np.allclose(G[-1], [0.75, -1.5])           # bottom right last


def test_upload_reads_two_features_and_two_classes():
    X, y, names = data.read_upload(b"a,b,label\n0,1,cat\n1,0,dog\n2,2,cat\n3,1,dog\n")
    assert X.shape == (4, 2) and names == ["cat", "dog"] and list(y) == [0, 1, 0, 1]


@pytest.mark.parametrize("raw, words", [
    (b"a,b,c,label\n" + b"1,2,3,0\n2,3,4,1\n" * 3, ["2 feature columns", "3"]),
    (b"a,b,label\n" + b"1,2,0\n2,3,1\n3,4,2\n" * 2, ["2 classes", "3"]),
    (b"a,b,label\n1,2,0\n2,x,1\n", ["line 3"]),
    (b"a,b,label\n1,2,0\n", ["at least 2 classes"]),
    (b"x" * (data.MAX_UPLOAD_BYTES + 1), ["at most 256 KB"]),
    (b"a,b,label\n1e300,2,0\n2,3,1\n3,4,0\n5,5,1\n", ["within ±1e+06"]),
])
def test_upload_refuses_what_it_cannot_show_and_says_why(raw, words):
    with pytest.raises(gn.DataError) as err:
        data.read_upload(raw)
    for w in words:
        assert w in str(err.value)


def test_split_keeps_the_ratio_and_both_classes_in_both_parts():
    X, y = data.generate("moons", 0.1, 0)
    p = data.split(X, y, 0.3, 0, ["0", "1"], fixed_view=True)
    assert len(p.X_train) == round(0.3 * len(X)) and len(p.X_test) == len(X) - 120
    assert set(p.y_train) == set(p.y_test) == {0, 1}


# -- controls ------------------------------------------------------------------------
@pytest.mark.parametrize("change, words", [
    ({"learning_rate": "fast"}, ["learning_rate", "'fast'"]),
    ({"learning_rate": float("nan")}, ["learning_rate"]),
    ({"layers": [4, 99]}, ["1 to 8 neurons"]),
    ({"layers": [1] * 7}, ["up to 6 hidden layers"]),
    ({"features": []}, ["non-empty list"]),
    ({"features": ["x3"]}, ["x1^2"]),
    ({"activation": "step"}, ["tanh"]),
    ({"batch_size": True}, ["batch_size"]),
    ({"dataset": "csv"}, ["Upload a CSV"]),
    ({"colour": "red"}, ["a control in"]),
])
def test_bad_control_values_are_refused_with_the_fix(change, words):
    with pytest.raises(gn.ConfigError) as err:
        apply_changes(Settings(), change)
    for w in words:
        assert w in str(err.value)
    assert "expected" in str(err.value)


def test_live_changes_keep_the_weights_and_structural_ones_start_over():
    lab = Lab(Settings(layers=(3,)))
    lab.run(epochs=2)
    w = lab.model.get_weights()[0].copy()
    lab.change({"learning_rate": 0.3, "batch_size": 7, "regularization": "l2",
                "reg_rate": 0.01, "optimizer": "adam"})
    assert lab.epoch == 2 and np.array_equal(lab.model.get_weights()[0], w)
    opt = lab.model.optimizer
    assert opt.name == "adam" and opt.learning_rate == 0.3
    assert lab.model.layers[0].kernel_regularizer.l2 == 0.01
    assert len(lab.next_batch()) == 7
    lab.change({"layers": [5, 2], "features": ["x1", "x2", "x1x2"]})
    assert lab.epoch == 0 and [lay.W.shape for lay in lab.model.layers] == \
        [(3, 5), (5, 2), (2, 1)]
    version = lab.data_version
    lab.change({"noise": 0.3})
    assert lab.data_version == version + 1 and lab.epoch == 0


# -- learning ----------------------------------------------------------------------
def test_it_learns_xor_with_the_product_feature():
    lab = Lab(Settings(dataset="xor", features=("x1", "x2", "x1x2"), layers=(4,),
                       optimizer="adam", learning_rate=0.03))
    before = lab.losses()
    lab.run(epochs=15)
    train, test = lab.losses()
    assert train < 0.25 * before[0] and test < 0.35
    f = lab.frame()
    p = np.frombuffer(base64.b64decode(f["output"]), np.uint8).reshape(50, 50) / 255
    # top-left quadrant (x1 < 0, x2 > 0) is class 1, top-right class 0
    assert p[5:20, 5:20].mean() > 0.8 and p[5:20, 30:45].mean() < 0.2


def test_one_step_is_one_update_on_the_batch_announced():
    lab = Lab()
    idx = lab.next_batch().copy()
    expected = gn.Sequential.from_config(lab.model.get_config())
    expected.set_weights(lab.model.get_weights())
    expected.compile(loss="binary_crossentropy",
                     optimizer=gn.optimizers.SGD(learning_rate=0.03))
    expected.train_step(lab.X[idx], lab.y[idx])
    lab.step()
    for a, b in zip(lab.model.get_weights(), expected.get_weights(), strict=True):
        assert np.allclose(a, b, rtol=0, atol=1e-15)
    assert lab.steps == 1 and lab.cursor == len(idx)


def test_the_step_receipt_shows_the_update_the_next_step_applies():
    lab = Lab(Settings(optimizer="momentum", learning_rate=0.1))
    lab.run(epochs=1)
    r = lab.explain_weight(1, 2, 0, step_mode=True)
    assert r["update"] is not None and r["batch"] == 10
    assert math.isclose(r["value"], r["backprop"], rel_tol=1e-9, abs_tol=1e-15)
    assert "w ←" in r["text"] or "←" in r["text"]
    before = float(lab.model.layers[1].W[2, 0])
    assert r["update"]["before"] == before                  # explain changed nothing
    lab.step()
    assert float(lab.model.layers[1].W[2, 0]) == r["update"]["actual"]
    assert math.isclose(r["update"]["after"], r["update"]["actual"], rel_tol=1e-12)


def test_the_neuron_receipt_is_the_weighted_sum_at_the_point():
    lab = Lab(Settings(features=("x1", "x2", "sin_x1")))
    lab.run(epochs=1)
    r = lab.explain_neuron(0, 3, [1.5, -2.0])
    x = np.array([1.5, -2.0, np.sin(1.5)])
    layer = lab.model.layers[0]
    z = x @ layer.W[:, 3] + layer.b[3]
    assert math.isclose(r["value"], np.tanh(z), rel_tol=1e-12)
    assert "net_h1.4 =" in r["text"] and "x3 = sin x₁" in r["text"]


@pytest.mark.parametrize("settings, code", [
    (Settings(activation="linear", learning_rate=10.0), "diverging"),
    (Settings(activation="relu", learning_rate=10.0), "dead_relu"),
    (Settings(activation="sigmoid", layers=(8,) * 6), "vanishing_gradients"),
])
def test_the_doctor_speaks_when_training_goes_wrong(settings, code):
    lab = Lab(settings)
    for _ in range(12):
        lab.run(epochs=0.25)
        lab.frame()
    assert code in [h["code"] for h in lab.hints()]


def test_the_doctor_is_quiet_while_learning_goes_well():
    lab = Lab(Settings(dataset="gauss", optimizer="adam", learning_rate=0.01))
    for _ in range(12):
        lab.run(epochs=0.25)
        lab.frame()
    assert lab.hints() == []


def test_a_diverged_lab_stops_and_its_frame_is_plain_json():
    lab = Lab(Settings(activation="linear", learning_rate=10.0))
    lab.run(epochs=5)
    assert lab.diverged
    f = frames.finite(lab.frame())
    json.dumps(f, allow_nan=False)                   # no NaN or inf left in it
    assert f["train_loss"] is None or math.isfinite(f["train_loss"])


# -- frames ---------------------------------------------------------------------------
def test_heat_maps_travel_as_bytes_of_the_value_range():
    v = np.array([-2.0, 0.0, 1.0, 2.0])
    h = frames.heat(v)
    q = np.frombuffer(base64.b64decode(h["bytes"]), np.uint8)
    assert h["scale"] == 2.0 and list(q) == [0, 128, 191, 255]
    assert frames.thin(list(range(1000)), 10)[-1] == 999
    assert frames.finite({"a": [1.0, float("inf")], "b": float("nan")}) == \
        {"a": [1.0, None], "b": None}


def test_a_frame_has_one_map_per_hidden_neuron_and_all_weights():
    lab = Lab(Settings(layers=(3, 2)))
    f = lab.frame()
    assert [len(layer) for layer in f["neurons"]] == [3, 2]
    assert [np.array(w).shape for w in f["weights"]] == [(2, 3), (3, 2), (2, 1)]
    assert len(base64.b64decode(f["output"])) == frames.GRID ** 2
    d = frames.data_event(lab)
    assert len(d["points"]["train"]) == 200 and set(d["features"]) == set(
        data.FEATURE_FORMULAS)


def test_no_hidden_layer_is_logistic_regression_and_still_explains():
    lab = Lab(Settings(dataset="gauss", layers=(), learning_rate=0.1))
    lab.run(epochs=5)
    f = lab.frame()
    assert f["neurons"] == [] and np.array(f["weights"][0]).shape == (2, 1)
    assert f["train_loss"] < 0.2
    assert "∂E/∂w1" in lab.explain_weight(0, 0, 0, step_mode=False)["text"]
    assert "out_o = σ(net_o)" in lab.explain_neuron(0, 0, [0.0, 1.0])["text"]

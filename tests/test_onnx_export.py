"""ONNX export: every layer type's graph passes onnx's full check and
onnxruntime's outputs equal ``model.predict`` to 1e-5 in float32, with every
weight random (so a wrong gate order or bias placement cannot hide behind
zeros); what ONNX cannot express is refused by name."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import glassnet as gn  # noqa: E402
from glassnet.cli import main  # noqa: E402
from glassnet.core.activations import NAMES  # noqa: E402
from glassnet.data import MinMaxScaler, StandardScaler  # noqa: E402
from glassnet.export import CONVERTERS  # noqa: E402

TOL = 1e-5
#: largest |onnxruntime − predict| per case, printed at the end (for the report)
LARGEST: dict[str, float] = {}


def randomized(net: gn.Sequential, seed: int = 1) -> gn.Sequential:
    """Every weight drawn at random, biases included."""
    rng = np.random.default_rng(seed)
    net.set_weights([rng.normal(0, 0.5, w.shape) for w in net.get_weights()])
    return net


def onnx_matches(net, X, tmp_path, case: str, preprocessing=None, raw=None):
    path = tmp_path / f"{case}.onnx"
    net.export_onnx(path, preprocessing=preprocessing)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feed = (X if raw is None else raw).astype(np.float32)
    got = session.run(None, {"input": feed})[0]
    want = net.predict(X)
    assert got.shape == want.shape
    diff = float(np.abs(got - want).max())
    LARGEST[case] = diff
    assert diff <= TOL, (case, diff)
    return diff


@pytest.mark.parametrize("act", NAMES)
def test_dense_every_activation(act, tmp_path):
    net = randomized(gn.Sequential([gn.Dense(6, activation=act, input_dim=4),
                                    gn.Dense(3, activation=act)], seed=0))
    X = np.random.default_rng(2).normal(0, 2, (16, 4))
    onnx_matches(net, X, tmp_path, f"Dense({act})")


def test_dropout_flatten_and_activation_layers(tmp_path):
    net = randomized(gn.Sequential([gn.Flatten(input_dim=(3, 4)), gn.Dense(8),
                                    gn.Activation("elu"), gn.Dropout(0.5),
                                    gn.Dense(2, activation="softmax")], seed=0))
    X = np.random.default_rng(3).normal(size=(9, 3, 4))
    onnx_matches(net, X, tmp_path, "Flatten+Activation+Dropout")


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("sequences", [False, True])
def test_recurrent_layers(kind, sequences, tmp_path):
    cls = getattr(gn, kind)
    head = [gn.TimeDistributed(gn.Dense(2, activation="tanh")), gn.Flatten()] \
        if sequences else [gn.Dense(2)]
    net = randomized(gn.Sequential([cls(5, input_dim=(7, 3),
                                        return_sequences=sequences), *head], seed=0))
    X = np.random.default_rng(4).normal(size=(6, 7, 3))
    onnx_matches(net, X, tmp_path, f"{kind}(return_sequences={sequences})")


def test_open_sequence_length_is_a_dynamic_axis(tmp_path):
    net = randomized(gn.Sequential([gn.GRU(4, input_dim=3, return_sequences=True),
                                    gn.LSTM(3)], seed=0))
    path = tmp_path / "any_length.onnx"
    net.export_onnx(path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for T in (2, 9):
        X = np.random.default_rng(T).normal(size=(3, T, 3)).astype(np.float32)
        got = session.run(None, {"input": X})[0]
        np.testing.assert_allclose(got, net.predict(X), atol=TOL)


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler((-1, 1))])
def test_saved_scaler_folds_into_the_graph(scaler, tmp_path):
    rng = np.random.default_rng(5)
    raw = rng.normal(10, 3, (20, 4))
    scaler.fit(raw)
    net = randomized(gn.Sequential([gn.Dense(5, "relu", input_dim=4),
                                    gn.Dense(1, "sigmoid")], seed=0))
    onnx_matches(net, scaler.transform(raw), tmp_path,
                 f"Dense+{type(scaler).__name__}", preprocessing=[scaler], raw=raw)


def test_cli_exports_a_run_directory_with_its_scaler(tmp_path, capsys):
    rng = np.random.default_rng(6)
    X = rng.normal(5, 2, (60, 3))
    y = (X[:, 0] > 5).astype(int)
    csv = tmp_path / "data.csv"
    csv.write_text("a,b,c,label\n" + "\n".join(
        f"{r[0]},{r[1]},{r[2]},{t}" for r, t in zip(X, y, strict=True)))
    run = tmp_path / "run"
    assert main(["train", str(csv), "--target", "label", "--layers", "4",
                 "--epochs", "2", "--standardize", "--quiet", "--no-plots",
                 "--output", str(run)]) == 0
    out = tmp_path / "model.onnx"
    assert main(["export", str(run), str(out), "--fold-scaler"]) == 0
    assert "StandardScaler" in capsys.readouterr().out
    saved = gn.io.read_model_file(run / "model.safetensors")
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input": X.astype(np.float32)})[0]
    np.testing.assert_allclose(got, saved.predict(X), atol=TOL)


def test_rescale_exports_predictions_in_the_targets_units(tmp_path):
    y = np.random.default_rng(7).normal([300.0, -2.0], [50.0, 0.1], (40, 2))
    net = gn.Sequential([gn.Dense(5, "tanh", input_dim=3), gn.Dense(2),
                         gn.Rescale.fit(y)], seed=0)
    *params, mean, scale = net.get_weights()           # μ, σ: the state, last
    net.set_weights([*randomized(net).get_weights()[:len(params)], mean, scale])
    X = np.random.default_rng(8).normal(size=(12, 3))
    onnx_matches(net, X, tmp_path, "Rescale")
    assert np.abs(net.predict(X)[:, 0]).max() > 50     # really in the units of y


def test_cli_exports_a_regression_run_with_standardised_targets(tmp_path, capsys):
    rng = np.random.default_rng(9)
    X = rng.normal(size=(50, 2))
    y = 1000 + 200 * X[:, 0] - 50 * X[:, 1]
    csv = tmp_path / "prices.csv"
    csv.write_text("a,b,price\n" + "\n".join(
        f"{r[0]},{r[1]},{t}" for r, t in zip(X, y, strict=True)))
    run = tmp_path / "run"
    assert main(["train", str(csv), "--layers", "4", "--epochs", "2", "--quiet",
                 "--no-plots", "--output", str(run)]) == 0
    saved = gn.io.read_model_file(run / "model.safetensors")
    assert type(saved.model.layers[-1]).__name__ == "Rescale"
    out = tmp_path / "model.onnx"
    assert main(["export", str(run), str(out), "--fold-scaler"]) == 0
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input": X.astype(np.float32)})[0]
    np.testing.assert_allclose(got, saved.predict(X), rtol=1e-5, atol=1e-3)


def test_what_onnx_cannot_express_is_refused_by_name(tmp_path):
    masked = gn.Sequential([gn.LSTM(3, input_dim=(4, 2), mask_value=0.0)], seed=0)
    with pytest.raises(gn.ConfigError, match=r"layer 'lstm' \(LSTM with mask_value"):
        masked.export_onnx(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    td = gn.Sequential([gn.GRU(3, input_dim=(4, 2), return_sequences=True),
                        gn.TimeDistributed(gn.Flatten())], seed=0)
    with pytest.raises(gn.ConfigError, match=r"TimeDistributed\(Flatten\)"):
        td.export_onnx(tmp_path / "t.onnx")
    net = gn.Sequential([gn.Dense(2, input_dim=2)], seed=0)
    with pytest.raises(gn.ConfigError, match="opset in"):
        net.export_onnx(tmp_path / "o.onnx", opset=9)


def test_an_unknown_layer_type_is_named(tmp_path):
    class Mystery(gn.layers.Layer):
        def forward(self, x, training=False):
            return x

    net = gn.Sequential([gn.Dense(2, input_dim=2), Mystery()], seed=0)
    with pytest.raises(gn.ConfigError, match=r"layer 1 'mystery' of type Mystery"):
        net.export_onnx(tmp_path / "x.onnx")
    assert "Mystery" not in CONVERTERS


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path), str(tmp_path / "x.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "model.safetensors" in err


def test_zz_report_largest_differences():
    # `pytest -s tests/test_onnx_export.py` prints the table the README cites
    for case, diff in sorted(LARGEST.items()):
        print(f"{case:<40} {diff:.2e}")
    assert all(d <= TOL for d in LARGEST.values())

"""Regression that works with the defaults (issue 15, item 15): targets
standardised by default and undone at predict time (``Rescale``, saved with
the model), and a doctor that flags unscaled targets and features."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.data import split_indices


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory):
    """scikit-learn's diabetes data with raw features (no download needed)."""
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_diabetes(scaled=False)
    path = tmp_path_factory.mktemp("diabetes") / "diabetes.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*d.feature_names, "target"])
        for row, t in zip(d.data, d.target, strict=True):
            w.writerow([repr(float(v)) for v in row] + [f"{t:g}"])
    return path


def test_cli_defaults_reach_scikit_learns_r2_on_diabetes(diabetes, tmp_path, capsys):
    """Before: R² 0.24 on these validation rows (0.107 in the issue's run):
    the target (mean 152, std 77) was learnt raw in 20 epochs. Now the model
    trains on (y − μ)/σ and ends in Rescale(μ, σ)."""
    from sklearn.linear_model import LinearRegression
    run = tmp_path / "run"
    assert main(["train", str(diabetes), "--target", "target", "--quiet",
                 "--no-plots", "--output", str(run)]) == 0
    out = capsys.readouterr().out
    assert "r2" in out and "σ + μ" in out
    data = gn.load_csv(diabetes, target="target")
    train, val = split_indices(len(data.X), 0.2, seed=0)     # the CLI's split
    saved = gn.io.read_model_file(run / "model.safetensors")
    ours = gn.metrics.r2(data.y[val], saved.predict(data.X[val]))
    ref = LinearRegression().fit(data.X[train], data.y[train])
    theirs = gn.metrics.r2(data.y[val], ref.predict(data.X[val]))
    assert ours > 0.45 and ours > theirs - 0.06, (ours, theirs)
    # the numbers docs/how-to/bad-input.md states, measured on this project's machine
    assert ours == pytest.approx(0.49, abs=0.03)
    assert theirs == pytest.approx(0.52, abs=0.01)


def test_predictions_come_back_in_the_targets_units(diabetes, tmp_path, capsys):
    """glassnet predict, read_model_file(...).predict and gn.load(...).predict
    (on standardised inputs) give the same answers, in the target's units."""
    run = tmp_path / "run"
    assert main(["train", str(diabetes), "--target", "target", "--epochs", "3",
                 "--quiet", "--no-plots", "--output", str(run)]) == 0
    capsys.readouterr()
    assert main(["predict", str(run), str(diabetes)]) == 0
    printed = np.array([float(r["prediction"]) for r in
                        csv.DictReader(capsys.readouterr().out.splitlines())])
    data = gn.load_csv(diabetes, target="target")
    saved = gn.io.read_model_file(run / "model.safetensors")
    np.testing.assert_allclose(printed, saved.predict(data.X)[:, 0], rtol=1e-6)
    with pytest.warns(UserWarning, match="preprocessing"):
        bare = gn.load(run / "model.safetensors")
    np.testing.assert_array_equal(bare.predict(saved.transform(data.X)),
                                  saved.predict(data.X))
    assert 100 < printed.mean() < 200                    # y: mean 152, std 77


def test_no_standardize_target_trains_on_the_raw_target(diabetes, tmp_path):
    run = tmp_path / "raw"
    assert main(["train", str(diabetes), "--target", "target", "--epochs", "1",
                 "--no-standardize-target", "--quiet", "--no-plots",
                 "--output", str(run)]) == 0
    model = gn.io.read_model_file(run / "model.safetensors").model
    assert not any(isinstance(layer, gn.Rescale) for layer in model.layers)


def test_rescale_trains_on_standardised_targets_and_predicts_in_units():
    """ŷ = z σ + μ; the loss is MSE(z, (y − μ)/σ) and its gradient is exact."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = 1000 + 250 * (X @ [1.0, -2.0, 0.5])[:, None]
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=3), gn.Dense(1),
                         gn.Rescale.fit(y)], dtype="float64", seed=0)
    rescale = net.layers[-1]
    assert rescale.mean == pytest.approx([y.mean()]) and \
        rescale.scale == pytest.approx([y.std()])
    z = net.layers[1].infer(net.layers[0].infer(X))
    np.testing.assert_allclose(net.predict(X), z * y.std() + y.mean())
    standardised = ((z - (y - y.mean()) / y.std()) ** 2).mean()
    assert net.loss_value(X, y, gn.losses.get("mse")) == pytest.approx(standardised)
    assert max(gn.gradcheck(net, X, y, loss="mse").values()) < 1e-6
    net.compile("mse", "sgd", learning_rate=0.1)         # a rate for standard units
    h = net.fit(X, y, epochs=60, batch_size=10, verbose=0, seed=0)
    assert h["loss"][-1] < 0.05 and np.isfinite(h["loss"]).all()
    assert gn.metrics.r2(y, net.predict(X)) > 0.95


def test_doctor_flags_an_unscaled_target_and_features():
    """Before: 'data doctor: … look ready to train on' for the diabetes data."""
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(48, 13, 300), rng.normal(189, 34, 300), rng.normal(0, 1, 300)]
    y = 152 + 77 * rng.normal(size=300)
    report = gn.doctor(X, y)
    assert report.codes() == ["unscaled_features", "unscaled_target"]
    assert "columns [0, 1]" in report.text() and "gn.Rescale.fit" in report.text()
    Z = (X - X.mean(0)) / X.std(0)
    assert gn.doctor(Z, (y - y.mean()) / y.std()).ok


def test_receipts_explain_a_rescaled_regression(diabetes, tmp_path, capsys):
    """The glass box keeps working on the CLI's regression models: the loss
    sits on the Dense output below Rescale, with standardised targets."""
    run = tmp_path / "run"
    assert main(["train", str(diabetes), "--target", "target", "--epochs", "2",
                 "--quiet", "--no-plots", "--output", str(run)]) == 0
    capsys.readouterr()
    assert main(["explain", str(run), str(diabetes), "--row", "3", "--weight",
                 "1,W,2,0", "--update"]) == 0
    out = capsys.readouterr().out
    assert "ends in Rescale" in out and "the optimizer wrote" in out
    stored = float(out.split("backprop stored layers[1].dW[2, 0] = ")[1].split()[0])
    product = re.search(r"∂E/∂layers\[1\]\.W\[2,0\] = [^\n]*×[^\n]*= (\S+)\n", out)
    chained = float(product.group(1))
    assert chained == pytest.approx(stored, rel=1e-5)      # float32 rounding apart

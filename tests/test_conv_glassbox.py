"""The glass box for convolutions: kernel-weight receipts checked against
backprop, feature maps in the trace, filter and feature-map plots, the
``cnn`` demo and the command line (``--conv``, plots in the run's report)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import demos, plots
from glassnet.cli import main
from glassnet.data.images import shapes


@pytest.fixture
def cnn():
    X, y = shapes(24, 12, seed=0)
    net = gn.Sequential([
        gn.Conv2D(4, 3, strides=2, padding="same", activation="relu",
                  input_shape=(12, 12, 1)),
        gn.MaxPool2D(2), gn.Conv2D(3, 2, activation="tanh"), gn.Flatten(),
        gn.Dense(4, "softmax")], dtype="float64", seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.01)
    return net, X, y


@pytest.mark.parametrize("weight", [(0, "kernel", 1, 2, 0, 3),
                                    (0, "kernel", 0, 0, 0, 1),
                                    (2, "kernel", 1, 0, 2, 2), (2, "bias", 1)])
def test_kernel_receipt_sums_to_the_gradient_backprop_stored(cnn, weight):
    net, X, y = cnn
    grads = dict(zip([s.key for s in net.slots],
                     net.gradients(X, y, "categorical_crossentropy"), strict=True))
    r = gn.explain(net, X, y, weight=weight)
    layer = net.layers[weight[0]]
    stored = grads[f"{layer.name}.{weight[1]}"][weight[2:]]
    assert r.value == pytest.approx(stored, rel=1e-12, abs=1e-15)
    assert r.backprop == stored
    assert "✓" in r.text() and f"= {len(X)} sample" not in r.text()
    Ho, Wo = layer.output_shape[:2]
    assert r.n_terms == len(X) * Ho * Wo
    products = [t[-1] for t in r.terms]
    assert products == sorted(products, key=abs, reverse=True)
    if weight[1] == "kernel":   # each shown term is input × ∂E/∂z, from the layer
        for b, p, q, inp, dz, prod in r.terms:
            assert prod == pytest.approx(inp * dz, rel=1e-12)
            assert dz == layer.dz[b, p, q, weight[-1]]


def test_kernel_receipt_update_and_bad_indices(cnn):
    net, X, y = cnn
    before = net.get_weights()[0][1, 2, 0, 3]
    r = gn.explain(net, X, y, weight=(0, "kernel", 1, 2, 0, 3), update=True)
    assert "Update of K[1,2,0,3] (Adam" in r.text() and r.update is not None
    assert net.get_weights()[0][1, 2, 0, 3] == before          # restored
    with pytest.raises(gn.ConfigError, match=r"kernel.*\(3, 3, 1, 4\)"):
        gn.explain(net, X, y, weight=(0, "kernel", 3, 0, 0, 0))
    with pytest.raises(gn.ConfigError, match="targets y"):
        gn.explain(net, X, None, weight=(0, "bias", 0))


def test_trace_records_the_feature_maps(cnn):
    net, X, y = cnn
    t = gn.trace(net, X, y)
    conv, pool = t.layers[0], t.layers[1]
    assert conv["x"].shape == (24, 12, 12, 1)
    assert conv["a"].shape == (24, 6, 6, 4) and conv["z"].shape == (24, 6, 6, 4)
    assert conv["dz"].shape == (24, 6, 6, 4) and conv["dkernel"].shape == (3, 3, 1, 4)
    np.testing.assert_array_equal(conv["a"], np.maximum(conv["z"], 0))
    assert pool["a"].shape == (24, 3, 3, 4) and pool["argmax"].max() <= 3
    assert "update_kernel" in conv


def test_filter_and_feature_map_plots(cnn, tmp_path):
    pytest.importorskip("matplotlib")
    net, X, _ = cnn
    maps = plots.feature_maps(net, X[0])
    assert [label for label, _ in maps] == ["input", "conv2d (relu)", "conv2d_1 (tanh)"]
    assert maps[1][1].shape == (6, 6, 4)
    np.testing.assert_allclose(maps[1][1], net.layers[0].infer(X[:1])[0])
    for path in (plots.plot_filters(net, tmp_path / "f.png"),
                 plots.plot_feature_maps(net, X[0], tmp_path / "m.png")):
        assert path.read_bytes()[:4] == b"\x89PNG"
    for fig in (plots.plot_filters(net), plots.plot_feature_maps(net, X[0])):
        assert fig._repr_png_()[:4] == b"\x89PNG"     # no path: the figure, inline
    with pytest.raises(gn.ShapeError, match="Conv2D"):
        plots.plot_filters(gn.Sequential([gn.Dense(2, input_dim=2)]), tmp_path / "x")


def test_cnn_demo_tells_the_edge_story():
    lines: list[str] = []
    r = demos.run("cnn", fast=True, print_fn=lines.append)
    text = "\n".join(lines)
    assert r["weighted_sum"] == pytest.approx(r["z"], abs=1e-9)
    assert r["positive_edges"] > 0 and r["negative_edges"] > 0
    assert abs(r["vertical_similarity"]) > 0.3 and r["train_accuracy"] > 0.5
    assert "Sobel" in text and "the layer computed" in text


def test_cli_trains_a_cnn_and_its_report_shows_filters_and_maps(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "run"
    assert main(["train", "shapes", "--conv", "4", "--layers", "none", "--epochs",
                 "1", "--batch-size", "64", "--lr", "0.003", "--quiet", "--output",
                 str(out)]) == 0
    printed = capsys.readouterr().out
    assert "256 → 16×16×1 → Conv2D 4×3×3 relu → 7×7×4 → Flatten → 4 softmax" in printed
    report = (out / "report.md").read_text()
    assert "plots/filters.png" in report and "plots/feature_maps.png" in report
    assert "--conv 4" in report and "3×3×1×4 + 4 = 40" in report
    assert main(["explain", str(out / "model.safetensors"), "--weight",
                 "1,kernel,0,1,0,2"]) == 0
    assert "backprop stored layers[1].dkernel[0, 1, 0, 2]" in capsys.readouterr().out
    assert main(["train", "circles", "--conv", "8", "--output", str(tmp_path / "c")]
                ) == 2
    assert "--conv needs image data" in capsys.readouterr().err
    assert main(["explain", str(out / "model.safetensors")]) == 2
    assert "--weight 1,kernel" in capsys.readouterr().err

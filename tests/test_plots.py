"""Every plot is drawn headless and written as a real, non-empty PNG."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import glassnet as gn

pytest.importorskip("matplotlib")
from glassnet import plots  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 2000, path
    return struct.unpack(">II", data[16:24])  # IHDR width, height


def has_ink(path) -> bool:
    """More than one colour: something was drawn, not a blank canvas."""
    from matplotlib.image import imread
    img = imread(path)
    return bool(np.ptp(img[..., :3].reshape(-1, 3), axis=0).max() > 0.3)


@pytest.fixture(scope="module")
def trained():
    data = gn.load_builtin("spirals")
    net = gn.Sequential([gn.Dense(12, "tanh", input_dim=2), gn.Dense(3, "softmax")],
                        seed=0)
    net.compile("categorical_crossentropy", "adam", metrics=["accuracy"],
                learning_rate=0.02)
    history = net.fit(data.X, data.y, epochs=4, batch_size=32, seed=0,
                      validation_split=0.2, verbose=0)
    return net, history, data


def test_history_curves(tmp_path, trained):
    _, history, _ = trained
    path = plots.plot_history(history, tmp_path / "h.png", title="spirals")
    w, h = png_size(path)
    assert w > 400 and h > 300 and has_ink(path)


def test_decision_boundary_two_and_three_classes(tmp_path, trained):
    net, _, data = trained
    path = plots.plot_decision_boundary(net, data.X, data.y, tmp_path / "b.png",
                                        data.class_names, resolution=60)
    assert has_ink(path)
    circles = gn.load_builtin("circles")
    two = gn.Sequential([gn.Dense(2, "softmax", input_dim=2)], seed=0)
    scaler = gn.StandardScaler().fit(circles.X)
    path = plots.plot_decision_boundary(two, circles.X, circles.y,
                                        tmp_path / "b2.png", transform=scaler.transform,
                                        resolution=40)
    assert has_ink(path)
    with pytest.raises(gn.ShapeError, match="2 features"):
        plots.plot_decision_boundary(net, np.zeros((4, 3)), np.zeros(4),
                                     tmp_path / "x.png")


def test_confusion_matrix(tmp_path):
    cm = np.array([[5, 1, 0], [0, 7, 2], [1, 0, 9]])
    assert has_ink(plots.plot_confusion_matrix(cm, tmp_path / "c.png",
                                               ["a", "b", "c"]))
    with pytest.raises(gn.ShapeError, match="square"):
        plots.plot_confusion_matrix(np.zeros((2, 3)), tmp_path / "x.png")


def test_weight_and_gradient_histograms(tmp_path, trained):
    net, _, data = trained
    path = plots.plot_weight_histograms(net, tmp_path / "w.png", X=data.X[:50],
                                        y=data.y[:50])
    w, h = png_size(path)
    assert w > 600 and h > 400  # two columns (weights, gradients), four rows


def test_activations_with_derivatives(tmp_path):
    path = plots.plot_activations(tmp_path / "a.png")  # all, softmax included
    w, h = png_size(path)
    assert w > 1000 and h > 600 and has_ink(path)


def test_network_drawing_large_layers_are_elided(tmp_path):
    net = gn.Sequential([gn.Flatten(input_dim=(28, 28)), gn.Dense(40, "relu"),
                         gn.Dense(10, "softmax")], seed=0)
    path = plots.plot_network(net, tmp_path / "n.png",
                              output_names=[str(i) for i in range(10)])
    assert has_ink(path)


def test_optimizer_arena(tmp_path):
    curves = {"sgd": np.linspace(1, 0.3, 30), "adam": np.geomspace(1, 0.01, 30)}
    assert has_ink(plots.plot_optimizers(curves, tmp_path / "o.png"))
    with pytest.raises(gn.ConfigError):
        plots.plot_optimizers({}, tmp_path / "x.png")

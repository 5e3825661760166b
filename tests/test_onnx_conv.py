"""ONNX export of the image layers (issues 13 and 19): Conv2D, MaxPool2D,
AvgPool2D, GlobalAvgPool2D, BatchNormalization and Reshape. onnxruntime's
outputs equal ``model.predict`` to float32 rounding for every kernel size,
stride, padding and activation, with every weight random; whole networks
(issue 19's LeNet, a BatchNormalization + Dropout one, a CLI-trained one)
export end to end with a dynamic batch axis."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import glassnet as gn  # noqa: E402
from glassnet.cli import main  # noqa: E402
from glassnet.core.activations import NAMES  # noqa: E402
from glassnet.data.images import shapes  # noqa: E402

#: float32 rounding of sums of up to ~30 products of size ~1: the largest
#: difference measured over every case below is 1.4e-06 (Conv2D with random
#: weights, outputs up to ~10; onnx 1.23.2, onnxruntime 1.32.0); `pytest -s`
#: prints each case's
TOL = 1e-5
LARGEST: dict[str, float] = {}
RNG = np.random.default_rng


def randomized(net: gn.Sequential, seed: int = 1) -> gn.Sequential:
    """Every weight random (biases, γ, β, moving means included); moving
    variances positive, as training leaves them."""
    rng = RNG(seed)
    names = [n for layer in net.layers for n in (*layer.param_shapes(),
                                                  *layer.state_shapes())]
    weights = [rng.uniform(0.5, 2.0, w.shape) if name == "moving_variance"
               else rng.normal(0, 0.5, w.shape)
               for name, w in zip(names, net.get_weights(), strict=True)]
    net.set_weights(weights)
    return net


def session(net: gn.Sequential, tmp_path, case: str, opset: int = 17):
    """Export (checked by onnx.checker in full), reload from disk, open."""
    path = tmp_path / f"{case.replace(' ', '_')}.onnx"
    net.export_onnx(path, opset=opset)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def onnx_matches(net, X, tmp_path, case: str, opset: int = 17) -> np.ndarray:
    """onnxruntime's output on X (float32) equals net.predict(X) within TOL."""
    X = np.asarray(X, dtype=np.float32)
    got = session(net, tmp_path, case, opset).run(None, {"input": X})[0]
    want = net.predict(X)
    assert got.shape == want.shape, (case, got.shape, want.shape)
    diff = float(np.abs(got - want).max())
    LARGEST[case] = max(diff, LARGEST.get(case, 0.0))
    assert diff <= TOL, (case, diff)
    return got


def images(n: int, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return RNG(seed).normal(0, 1, (n, *shape)).astype(np.float32)


# -- one layer at a time ------------------------------------------------------
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides", [1, 2, (2, 1)])
@pytest.mark.parametrize("kernel", [1, 3, (2, 5)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_conv2d_geometry(padding, strides, kernel, use_bias, tmp_path):
    net = randomized(gn.Sequential([gn.Conv2D(
        4, kernel, strides=strides, padding=padding, use_bias=use_bias,
        input_shape=(7, 9, 3))], seed=0))
    onnx_matches(net, images(5, (7, 9, 3)), tmp_path, "Conv2D")


@pytest.mark.parametrize("act", NAMES)
def test_conv2d_every_activation(act, tmp_path):
    net = randomized(gn.Sequential([gn.Conv2D(3, 3, padding="same", activation=act,
                                              input_shape=(6, 5, 2))], seed=0))
    onnx_matches(net, images(4, (6, 5, 2), seed=1), tmp_path, f"Conv2D({act})")


@pytest.mark.parametrize("kind", ["MaxPool2D", "AvgPool2D"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool, strides", [(2, None), (3, 1), (3, 2), ((2, 3), 2)])
def test_pooling(kind, padding, pool, strides, tmp_path):
    net = gn.Sequential([getattr(gn, kind)(pool, strides=strides, padding=padding,
                                           input_shape=(7, 8, 3))], seed=0)
    X = images(5, (7, 8, 3), seed=2)
    X[:, :3, :3] = 0.5                        # ties inside windows (max pooling)
    onnx_matches(net, X, tmp_path, kind)


def test_avg_pool_same_leaves_the_asymmetric_padding_out_of_the_mean(tmp_path):
    # 7 rows, window 2, stride 2, "same": 4 outputs, one row of padding, all of
    # it at the bottom (Keras); likewise the right column
    net = gn.Sequential([gn.AvgPool2D(2, padding="same", input_shape=(7, 7, 2))],
                        seed=0)
    assert net.layers[0].geo.pads == ((0, 1), (0, 1))
    X = images(3, (7, 7, 2), seed=3)
    got = onnx_matches(net, X, tmp_path, "AvgPool2D same, asymmetric")
    np.testing.assert_allclose(got[:, 0, 0], X[:, :2, :2].mean(axis=(1, 2)),
                               atol=1e-6)               # a full window
    np.testing.assert_allclose(got[:, 3, 0], X[:, 6, :2].mean(axis=1),
                               atol=1e-6)               # 2 real inputs, not 4
    np.testing.assert_allclose(got[:, 3, 3], X[:, 6, 6], atol=1e-6)   # 1 input


def test_global_avg_pool(tmp_path):
    net = randomized(gn.Sequential([gn.Conv2D(5, 3, input_shape=(6, 7, 2)),
                                    gn.GlobalAvgPool2D(), gn.Dense(3)], seed=0))
    onnx_matches(net, images(4, (6, 7, 2), seed=4), tmp_path, "GlobalAvgPool2D")


@pytest.mark.parametrize("after", ["Dense", "Conv2D"])
def test_batch_normalization_inference_form(after, tmp_path):
    first, shape = ((gn.Dense(6, input_dim=5), (5,)) if after == "Dense" else
                    (gn.Conv2D(6, 3, input_shape=(5, 5, 2)), (5, 5, 2)))
    net = randomized(gn.Sequential([first, gn.BatchNormalization(epsilon=0.01)],
                                   seed=0))
    bn = net.layers[1]
    assert not np.allclose(bn.moving_mean, 0) and not np.allclose(bn.gamma, 1)
    onnx_matches(net, images(6, shape, seed=5), tmp_path,
                 f"BatchNormalization after {after}")


def test_reshape_rows_into_images(tmp_path):
    net = randomized(gn.Sequential([gn.Reshape((6, 5, 2), input_dim=60),
                                    gn.Conv2D(3, 3, activation="tanh"),
                                    gn.Flatten(), gn.Dense(2)], seed=0))
    onnx_matches(net, images(4, (60,), seed=6), tmp_path, "Reshape")


# -- whole networks -----------------------------------------------------------
def lenet(seed: int = 0) -> gn.Sequential:
    """Issue 19's network on 28×28 grey images."""
    return gn.Sequential([
        gn.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        gn.MaxPool2D(2),
        gn.Conv2D(64, 3, activation="relu"), gn.MaxPool2D(2), gn.Flatten(),
        gn.Dense(128, activation="relu"), gn.Dense(10, activation="softmax")],
        seed=seed)


@pytest.fixture(scope="module")
def trained_lenet():
    X, y = shapes(96, 28, seed=0)
    net = lenet()
    net.compile("categorical_crossentropy", "adam", learning_rate=1e-3)
    net.fit(X, y, epochs=1, batch_size=32, verbose=0, seed=0)
    return net


def test_lenet_exports_end_to_end_with_a_dynamic_batch(trained_lenet, tmp_path):
    net = trained_lenet
    X, _ = shapes(40, 28, seed=1)
    got = onnx_matches(net, X, tmp_path, "LeNet (trained on 96 shapes)")
    assert (got.argmax(axis=1) == net.predict(X).argmax(axis=1)).all()
    run = session(net, tmp_path, "LeNet batches")
    for n in (1, 3, 17):                                   # the batch axis is open
        out = run.run(None, {"input": X[:n]})[0]
        assert out.shape == (n, 10)
        np.testing.assert_allclose(out, net.predict(X[:n]), atol=TOL)


@pytest.mark.parametrize("opset", [13, 18, "newest"])
def test_lenet_exports_at_other_opsets(opset, trained_lenet, tmp_path):
    opset = onnx.defs.onnx_opset_version() if opset == "newest" else opset
    X, _ = shapes(8, 28, seed=2)
    onnx_matches(trained_lenet, X, tmp_path, f"LeNet opset {opset}", opset=opset)


def test_batchnorm_dropout_network_after_training(tmp_path):
    X, y = shapes(64, 16, seed=3)
    net = gn.Sequential([
        gn.Conv2D(8, 3, padding="same", use_bias=False, input_shape=(16, 16, 1)),
        gn.BatchNormalization(momentum=0.5), gn.Activation("relu"),
        gn.MaxPool2D(2), gn.Dropout(0.25),
        gn.Conv2D(8, 3, strides=2, activation="elu"), gn.AvgPool2D(2, padding="same"),
        gn.Flatten(), gn.Dense(16), gn.BatchNormalization(momentum=0.5),
        gn.Activation("relu"), gn.Dropout(0.5), gn.Dense(4, activation="softmax")],
        seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=1e-2)
    net.fit(X, y, epochs=2, batch_size=16, verbose=0, seed=0)
    bn = net.layers[1]
    assert not np.allclose(bn.moving_variance, 1)        # statistics were learned
    onnx_matches(net, X, tmp_path, "BatchNormalization + Dropout network")


def test_cli_trains_a_cnn_and_exports_it(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "shapes", "--conv", "8", "--layers", "16", "--epochs",
                 "1", "--quiet", "--no-plots", "--output", str(run)]) == 0
    out = tmp_path / "cnn.onnx"
    assert main(["export", str(run), str(out)]) == 0
    assert "(batch, 256)" in capsys.readouterr().out      # rows of 16×16 pixels
    saved = gn.io.read_model_file(run / "model.safetensors")
    assert [type(layer).__name__ for layer in saved.model.layers][:3] == \
        ["Reshape", "Conv2D", "MaxPool2D"]
    X, _ = shapes(30, 16, seed=9)
    rows = X.reshape(len(X), -1)
    onnx.checker.check_model(onnx.load(str(out)), full_check=True)
    got = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(
        None, {"input": rows})[0]
    assert got.shape == (30, 4)
    np.testing.assert_allclose(got, saved.model.predict(rows), atol=TOL)


def test_zz_report_largest_differences():
    # `pytest -s tests/test_onnx_conv.py` prints the table docs/how-to/onnx.md cites
    for case, diff in sorted(LARGEST.items()):
        print(f"{case:<45} {diff:.2e}")
    assert all(d <= TOL for d in LARGEST.values())

"""Convolution, pooling and batch normalization: gradients by finite
differences (float64) for every case the issue lists, max pooling's routing
to the first maximum, shapes, the summary's arithmetic and bad input."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.core.image import geometry
from glassnet.fast.im2col import as_windows, im2col_by_offset


def fd_check(layer, in_shape, training=False, B=2, seed=0, h=1e-6):
    """dL/dx and dL/dθ of one layer against central differences, for
    L = Σ (layer(x) ⊙ R) with a fixed random R; returns the largest errors."""
    net = gn.Sequential([layer], dtype="float64", seed=0)
    layer.need_input_grad = True
    rng = np.random.default_rng(seed)
    for v in layer.params.values():
        v[...] = rng.normal(size=v.shape)
    x = rng.normal(size=(B, *in_shape))
    R = rng.normal(size=(B, *layer.output_shape))

    def L(xx):
        return float((layer.forward(xx, training=training) * R).sum())

    net.zero_grad()
    L(x)
    dx = layer.backward(R.copy()).copy()
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        numeric[idx] = (L(xp) - L(xm)) / (2 * h)
    errors = {"x": np.abs(dx - numeric).max() / max(np.abs(numeric).max(), 1.0)}
    for name, p in layer.params.items():
        g, num = layer.grads[name].copy(), np.zeros(p.shape)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            lp = L(x)
            p[idx] = old - h
            lm = L(x)
            p[idx] = old
            num[idx] = (lp - lm) / (2 * h)
        errors[name] = np.abs(g - num).max() / max(np.abs(num).max(), 1.0)
    return errors


CONV_CASES = [(k, s, p) for k in (1, 3, 5) for s in (1, 2) for p in ("valid", "same")]


@pytest.mark.parametrize("kernel,stride,padding", CONV_CASES)
def test_conv2d_gradients_by_finite_differences(kernel, stride, padding):
    layer = gn.Conv2D(3, kernel, strides=stride, padding=padding, activation="tanh",
                      input_shape=(7, 6, 2))           # non-square input
    errors = fd_check(layer, (7, 6, 2))
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kernel,stride", [((3, 2), (2, 1)), ((1, 4), (1, 3)),
                                           ((2, 2), 2)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_non_square_kernels_and_strides(kernel, stride, padding):
    layer = gn.Conv2D(2, kernel, strides=stride, padding=padding,
                      input_shape=(5, 8, 3))
    assert max(fd_check(layer, (5, 8, 3)).values()) < 1e-7


POOL_CASES = [(cls, size, stride, padding) for cls in (gn.MaxPool2D, gn.AvgPool2D)
              for size, stride in ((2, None), (3, 2), (2, 1), ((3, 1), (1, 2)))
              for padding in ("valid", "same")]


@pytest.mark.parametrize("cls,size,stride,padding", POOL_CASES)
def test_pooling_gradients_by_finite_differences(cls, size, stride, padding):
    layer = cls(size, strides=stride, padding=padding, input_shape=(7, 6, 2))
    assert max(fd_check(layer, (7, 6, 2)).values()) < 1e-7


def test_global_average_pooling_gradient():
    layer = gn.GlobalAvgPool2D(input_shape=(5, 3, 4))
    assert max(fd_check(layer, (5, 3, 4)).values()) < 1e-8
    assert layer.output_shape == (4,)


@pytest.mark.parametrize("shape", [(4,), (3, 5, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization_gradients_in_both_modes(shape, training):
    layer = gn.BatchNormalization(input_dim=shape)
    gn.Sequential([layer], dtype="float64")
    layer.moving_mean[...] = np.linspace(-0.5, 0.5, shape[-1])
    layer.moving_variance[...] = np.linspace(0.5, 2.0, shape[-1])
    errors = fd_check(layer, shape, training=training, B=4)
    assert max(errors.values()) < 1e-7, errors


def test_batch_normalization_statistics_and_moving_averages():
    layer = gn.BatchNormalization(momentum=0.9, epsilon=1e-3, input_dim=(2, 2, 3))
    gn.Sequential([layer], dtype="float64")
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(8, 2, 2, 3))
    a = layer.forward(x, training=True)
    flat = x.reshape(-1, 3)
    mu, var = flat.mean(axis=0), flat.var(axis=0)        # biased, as Keras
    np.testing.assert_allclose(a.reshape(-1, 3), (flat - mu) / np.sqrt(var + 1e-3),
                               rtol=1e-12)
    np.testing.assert_allclose(layer.moving_mean, 0.1 * mu, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, 0.9 + 0.1 * var, rtol=1e-12)
    inference = layer.forward(x, training=False)          # moving statistics
    expect = (x - layer.moving_mean) / np.sqrt(layer.moving_variance + 1e-3)
    np.testing.assert_allclose(inference, expect, rtol=1e-12)
    names = [k for k, *_ in gn.Sequential([gn.BatchNormalization(input_dim=3)])
             ._weights()]
    assert names == ["batch_normalization.gamma", "batch_normalization.beta",
                     "batch_normalization.moving_mean",
                     "batch_normalization.moving_variance"]


def test_only_gamma_and_beta_are_trained():
    net = gn.Sequential([gn.Dense(4, input_dim=3), gn.BatchNormalization(),
                         gn.Dense(2, "softmax")], seed=0)
    assert [s.key for s in net.slots] == ["dense.W", "dense.b",
                                          "batch_normalization.gamma",
                                          "batch_normalization.beta",
                                          "dense_1.W", "dense_1.b"]
    assert [w.shape for w in net.get_weights()] == [(3, 4), (4,), (4,), (4,), (4,),
                                                     (4,), (4, 2), (2,)]
    net.compile("categorical_crossentropy", "adam", learning_rate=0.1)
    X = np.random.default_rng(0).normal(size=(32, 3))
    before = net.get_weights()
    net.fit(X, np.arange(32) % 2, epochs=2, batch_size=8, verbose=0)
    after = net.get_weights()
    moved = [not np.array_equal(a, b) for a, b in zip(before, after, strict=True)]
    assert all(moved)          # γ, β by the optimizer; moving μ, σ² by forward


# -- max pooling sends each window's gradient to its FIRST maximum ----------------
def test_max_pool_ties_go_to_the_first_maximum_in_row_major_order():
    layer = gn.MaxPool2D(2, input_shape=(4, 4, 1))
    gn.Sequential([layer], dtype="float64")
    layer.need_input_grad = True
    x = np.zeros((1, 4, 4, 1))
    x[0, 0, 1] = x[0, 1, 0] = x[0, 1, 1] = 1.0   # window (0, 0): three tied maxima
    x[0, 2:, 2:] = 0.5                           # window (1, 1): all four tied
    layer.forward(x)
    dx = layer.backward(np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1))
    expect = np.zeros((4, 4))
    expect[0, 1] = 1.0      # not also (1, 0) and (1, 1)
    expect[0, 2] = 2.0      # window (0, 1): all zero, its first input
    expect[2, 0] = 3.0
    expect[2, 2] = 4.0
    np.testing.assert_array_equal(dx[0, :, :, 0], expect)
    np.testing.assert_array_equal(layer.argmax[0, :, :, 0], [[1, 0], [0, 0]])


@pytest.mark.parametrize("size,stride", [(2, None), (3, 1), (3, 2)])
def test_max_pool_sends_each_window_gradient_to_one_input(size, stride):
    """A blank image is all ties: the gradient still sums to Σ da, one input
    per window (a mask of "equal to the max" would multiply it)."""
    layer = gn.MaxPool2D(size, strides=stride, input_shape=(9, 9, 2))
    gn.Sequential([layer], dtype="float64")
    layer.need_input_grad = True
    x = np.zeros((3, 9, 9, 2))
    x[:, 3:6, 4] = 1.0                                    # one stroke
    da = np.random.default_rng(0).random((3, *layer.output_shape))
    layer.forward(x)
    dx = layer.backward(da)
    np.testing.assert_allclose(dx.sum(), da.sum(), rtol=1e-12)
    if stride is None:  # non-overlapping windows: exactly one input each
        assert np.count_nonzero(dx) == da.size


# -- shapes, layouts, summary -------------------------------------------------
@pytest.mark.parametrize("n,k,s,padding,out,pads", [
    (28, 3, 1, "valid", 26, (0, 0)), (28, 3, 1, "same", 28, (1, 1)),
    (28, 3, 2, "same", 14, (0, 1)), (7, 2, 2, "same", 4, (0, 1)),
    (6, 5, 2, "same", 3, (1, 2)), (7, 5, 2, "valid", 2, (0, 0)),
    (5, 1, 3, "same", 2, (0, 0))])
def test_geometry_matches_keras_same_padding(n, k, s, padding, out, pads):
    g = geometry((n, n), (k, k), (s, s), padding, "Conv2D")
    assert g.out_hw == (out, out) and g.pads == (pads, pads)


def test_conv_forward_is_the_definition_and_kernel_layout_is_keras():
    layer = gn.Conv2D(2, (2, 3), strides=(1, 2), input_shape=(4, 7, 3))
    gn.Sequential([layer], dtype="float64", seed=0)
    assert layer.kernel.shape == (2, 3, 3, 2) and layer.bias.shape == (2,)
    x = np.random.default_rng(0).normal(size=(2, 4, 7, 3))
    z = layer.forward(x)
    K, b = layer.kernel, layer.bias
    for p in range(z.shape[1]):
        for q in range(z.shape[2]):
            patch = x[:, p:p + 2, 2 * q:2 * q + 3, :]
            np.testing.assert_allclose(z[:, p, q], np.einsum("bijc,ijcf->bf", patch, K)
                                       + b, rtol=1e-12)


def test_single_channel_windows_equal_the_sliding_window_copy():
    for stride, padding in ((1, "valid"), (2, "same")):
        fast = gn.Conv2D(4, 3, strides=stride, padding=padding,
                         input_shape=(9, 8, 1))
        readable = gn.Conv2D(4, 3, strides=stride, padding=padding,
                             input_shape=(9, 8, 1))
        readable.fast = False
        for layer in (fast, readable):
            gn.Sequential([layer], seed=0)
        x = np.random.default_rng(1).random((3, 9, 8, 1), dtype=np.float32)
        np.testing.assert_array_equal(fast.im2col(x), readable.im2col(x))
        np.testing.assert_array_equal(fast.forward(x), readable.forward(x))
        dz = np.random.default_rng(2).random(fast.z.shape, dtype=np.float32)
        np.testing.assert_array_equal(fast.backward_z(dz), readable.backward_z(dz))
        np.testing.assert_array_equal(fast.dkernel, readable.dkernel)


def test_im2col_by_offset_equals_windows_for_any_channel_count():
    x = np.random.default_rng(0).random((2, 6, 7, 3))
    cols = as_windows(im2col_by_offset(x, np.empty((3, 2, 2, 2, 3, 3)), (2, 2)))
    assert cols.shape == (2, 2, 3, 3, 2, 3)
    for p in range(2):
        for q in range(3):
            np.testing.assert_array_equal(cols[:, p, q], x[:, 2 * p:2 * p + 3,
                                                           2 * q:2 * q + 2])


def test_flatten_after_conv_is_row_major_nhwc():
    net = gn.Sequential([gn.Conv2D(2, 1, input_shape=(2, 3, 1)), gn.Flatten()],
                        dtype="float64")
    x = np.random.default_rng(0).normal(size=(1, 2, 3, 1))
    maps = net.layers[0].forward(x).copy()
    np.testing.assert_array_equal(net.predict(x)[0], maps.reshape(-1))
    assert net.predict(x)[0][1] == maps[0, 0, 0, 1]   # channels vary fastest


LENET = [gn.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
         gn.MaxPool2D(2), gn.Conv2D(64, 3, activation="relu"), gn.MaxPool2D(2),
         gn.Flatten(), gn.Dense(128, "relu"), gn.Dense(10, "softmax")]


def test_summary_shows_shapes_and_the_arithmetic():
    net = gn.Sequential([gn.Conv2D(32, 3, activation="relu",
                                   input_shape=(28, 28, 1)),
                         gn.MaxPool2D(2), gn.Conv2D(64, 3, activation="relu"),
                         gn.BatchNormalization(), gn.MaxPool2D(2), gn.Flatten(),
                         gn.Dense(128, "relu"), gn.Dense(10, "softmax")])
    text = net.summary(print_fn=None)
    for piece in ("(None, 26, 26, 32)", "3×3×1×32 + 32 = 320", "(None, 13, 13, 32)",
                  "3×3×32×64 + 64 = 18,496", "(None, 5, 5, 64)", "(None, 1600)",
                  "2×64 (γ, β) + 2×64 (moving μ, σ², not trained) = 256",
                  "1600×128 + 128 = 204,928", "Total params: 225,290",
                  "Trainable params: 225,162", "Non-trainable params: 128"):
        assert piece in text, piece


# -- bad input: what was expected, and how to fix it ---------------------------
@pytest.fixture
def cnn():
    return gn.Sequential([gn.Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)),
                          gn.Flatten(), gn.Dense(2, "softmax")], seed=0)


@pytest.mark.parametrize("shape,fix", [
    ((5, 8, 8), "X[..., None]"), ((5, 1, 8, 8), "X.transpose(0, 2, 3, 1)"),
    ((5, 8, 8, 3), "The model takes 1 channel(s) per pixel, X has 3"),
    ((5, 64), "X.reshape(-1, 8, 8, 1)")])
def test_image_shape_errors_say_how_to_fix(cnn, shape, fix):
    y = np.zeros(5, int)
    for call in (lambda X: cnn.predict(X),
                 lambda X: cnn.gradients(X, y, "categorical_crossentropy")):
        with pytest.raises(gn.ShapeError, match="expected X of shape") as err:
            call(np.zeros(shape))
        assert fix in str(err.value)


def test_nchw_rgb_images_are_recognised():
    net = gn.Sequential([gn.Conv2D(4, 3, input_shape=(16, 16, 3))])
    with pytest.raises(gn.ShapeError, match=r"channels-first \(NCHW\)"):
        net.predict(np.zeros((2, 3, 16, 16)))


@pytest.mark.parametrize("layers,match", [
    (lambda: [gn.Conv2D(4, 5, input_shape=(3, 3, 1))], "no larger than its 3×3"),
    (lambda: [gn.Conv2D(4, 3, input_shape=(8, 8, 1)), gn.MaxPool2D(2),
              gn.MaxPool2D(2), gn.Conv2D(4, 3)], "no larger than its 1×1"),
    (lambda: [gn.Dense(4, input_dim=3), gn.Conv2D(2, 1)], "images"),
    (lambda: [gn.Conv2D(4, 3, input_shape=(28, 28))], "images"),
])
def test_layers_that_cannot_fit_say_why(layers, match):
    with pytest.raises(gn.ShapeError, match=match):
        gn.Sequential(layers())


@pytest.mark.parametrize("make", [
    lambda: gn.Conv2D(0, 3), lambda: gn.Conv2D(-2, 3), lambda: gn.Conv2D(8, 0),
    lambda: gn.Conv2D(8, (3, -1)), lambda: gn.Conv2D(8, 3, strides=0),
    lambda: gn.Conv2D(8, 3, strides=(1, -2)), lambda: gn.Conv2D(8, 3, padding="full"),
    lambda: gn.Conv2D(8, 3.5), lambda: gn.MaxPool2D(0), lambda: gn.MaxPool2D(2, -1),
    lambda: gn.AvgPool2D((2, 0)), lambda: gn.BatchNormalization(momentum=1.0),
    lambda: gn.BatchNormalization(epsilon=0), lambda: gn.Reshape((0, 2)),
])
def test_zero_or_negative_sizes_are_refused(make):
    with pytest.raises(gn.ConfigError, match="expected .* received .*Pass"):
        make()

"""Pooling on NHWC images: max, average, global average."""

from __future__ import annotations

from glassnet.core.image import (
    at_offset,
    check_image_shape,
    check_padding,
    geometry,
    pad,
    pair,
    unpad,
)
from glassnet.core.layer import Layer


class _Pool2D(Layer):
    """What MaxPool2D and AvgPool2D share: the window and its geometry."""

    keeps = ("x", "a")

    def __init__(self, pool_size: int | tuple[int, int] = 2,
                 strides: int | tuple[int, int] | None = None,
                 padding: str = "valid", input_shape=None, name=None,
                 input_dim=None):
        super().__init__(input_dim=input_shape if input_dim is None else input_dim,
                         name=name)
        self.pool_size = pair(pool_size, "pool_size", "pool_size=2")
        self.strides = self.pool_size if strides is None else \
            pair(strides, "strides", "strides=2 (default: the pool size)")
        self.padding = check_padding(padding)
        self.x = self.a = None

    def build(self, input_shape):
        H, W, C = check_image_shape(input_shape, type(self).__name__)
        self.geo = geometry((H, W), self.pool_size, self.strides, self.padding,
                            type(self).__name__)
        self.input_shape = (H, W, C)
        self.output_shape = (*self.geo.out_hw, C)
        return self.output_shape

    def _padded(self, x, value: float, key: str = "x_padded"):
        B, C = x.shape[0], x.shape[3]
        return pad(x, self.geo, self._buffer(key, (B, *self.geo.padded_hw, C)), value)

    def _dx_padded(self, dy):
        B, C = dy.shape[0], dy.shape[3]
        dxp = self._buffer("dx_padded", (B, *self.geo.padded_hw, C))
        dxp.fill(0)
        return dxp

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}

    def __repr__(self):
        return (f"{type(self).__name__}({self.pool_size}, strides={self.strides}, "
                f"padding={self.padding!r})")


class MaxPool2D(_Pool2D):
    """Max pooling: each output is the largest input of its window.

    forward:   a[b, p, q, c] = max_{i, j} x̃[b, p·s_h + i, q·s_w + j, c]
               argmax[b, p, q, c] = the offset k = i·pw + j of the FIRST maximum
               in row-major order (padding="same" pads with −∞)
    backward:  dx̃[b, p·s_h + i, q·s_w + j, c] += da[b, p, q, c]  for (i, j) = argmax
               only: one input per window gets the gradient, as in PyTorch and
               TensorFlow — a mask of "inputs equal to the max" would hand it to
               every tied input (and MNIST's blank background ties everywhere)
    """

    keeps = ("x", "a", "argmax")

    def __init__(self, pool_size=2, strides=None, padding="valid", input_shape=None,
                 name=None, input_dim=None):
        super().__init__(pool_size, strides, padding, input_shape, name, input_dim)
        self.argmax = None

    def forward(self, x, training=False):
        xp, geo = self.xp, self.geo
        x_pad = self._padded(x, -xp.inf)
        shape = (x.shape[0], *self.output_shape)
        a = self._buffer("a", shape)
        k = self._buffer("argmax", shape, dtype=xp.uint8 if len(geo.offsets) < 256
                         else xp.int32)
        greater = self._buffer("greater", shape, dtype=bool)
        step = self._buffer("step", shape, dtype=k.dtype)
        a[...] = at_offset(x_pad, geo, 0, 0)               # the max so far
        k.fill(0)                                          # … and where it is
        for n, (i, j) in enumerate(geo.offsets[1:], 1):
            v = at_offset(x_pad, geo, i, j)
            xp.greater(v, a, out=greater)                  # strictly: ties keep
            xp.maximum(a, v, out=a)                        #   the first maximum
            xp.subtract(n, k, out=step)                    # k ← n where greater:
            step *= greater                                #   k += (n − k)·[v > a]
            k += step
        self.x, self.a, self.argmax = x, a, k
        return a

    def infer(self, x):
        """The maxima alone (no argmax: nothing will go backward)."""
        x_pad = self._padded(x, -self.xp.inf, "x_padded_infer")
        a = self.xp.array(at_offset(x_pad, self.geo, 0, 0))   # a fresh array
        for i, j in self.geo.offsets[1:]:
            self.xp.maximum(a, at_offset(x_pad, self.geo, i, j), out=a)
        return a

    def backward(self, da):
        xp, geo = self.xp, self.geo
        dxp = self._dx_padded(da)
        hit = self._buffer("hit", da.shape, dtype=bool)
        part = self._buffer("part", da.shape)
        overlap = any(s < k for s, k in zip(geo.strides, geo.size, strict=True))
        for n, (i, j) in enumerate(geo.offsets):
            xp.equal(self.argmax, n, out=hit)              # windows whose max is here
            if overlap:                                    # an input in several windows
                xp.multiply(da, hit, out=part)
                at_offset(dxp, geo, i, j)[...] += part     # dx̃ += da at the argmax
            else:                                          # each input in one window:
                xp.multiply(da, hit, out=at_offset(dxp, geo, i, j))   # written once
        return unpad(dxp, geo)


class AvgPool2D(_Pool2D):
    """Average pooling: each output is the mean of its window.

    forward:   a[b, p, q, c] = (1/n_pq) Σ_{i, j} x̃[b, p·s_h + i, q·s_w + j, c]
               n_pq = the number of real (not padding) inputs in the window:
               kh·kw with padding="valid"; fewer at the borders with "same"
               (padding is left out of the mean, as in Keras and TensorFlow)
    backward:  dx̃[b, p·s_h + i, q·s_w + j, c] += da[b, p, q, c] / n_pq
    """

    def build(self, input_shape):
        out = super().build(input_shape)
        ones = self.xp.ones((1, *self.geo.in_hw, 1), dtype=self.dtype)
        count = self.xp.zeros((1, *self.geo.out_hw, 1), dtype=self.dtype)
        x_pad = pad(ones, self.geo, self.xp.empty((1, *self.geo.padded_hw, 1),
                                                  dtype=self.dtype))
        for i, j in self.geo.offsets:
            count += at_offset(x_pad, self.geo, i, j)
        self.inv_count = 1.0 / count                       # 1/n_pq  (1, H', W', 1)
        return out

    def forward(self, x, training=False):
        x_pad = self._padded(x, 0.0)
        a = self._buffer("a", (x.shape[0], *self.output_shape))
        a.fill(0)
        for i, j in self.geo.offsets:
            a += at_offset(x_pad, self.geo, i, j)          # Σ over the window
        a *= self.inv_count                                # / n_pq
        self.x, self.a = x, a
        return a

    def backward(self, da):
        dxp = self._dx_padded(da)
        share = self.xp.multiply(da, self.inv_count, out=self._buffer("share",
                                                                      da.shape))
        for i, j in self.geo.offsets:
            at_offset(dxp, self.geo, i, j)[...] += share   # dx̃ += da / n_pq
        return unpad(dxp, self.geo)


class GlobalAvgPool2D(Layer):
    """The mean of each feature map:  a[b, c] = (1/(H·W)) Σ_{h, w} x[b, h, w, c],
    backward dx[b, h, w, c] = da[b, c] / (H·W).   (B, H, W, C) → (B, C)."""

    keeps = ("x", "a")

    def __init__(self, input_shape=None, name=None, input_dim=None):
        super().__init__(input_dim=input_shape if input_dim is None else input_dim,
                         name=name)
        self.x = self.a = None

    def build(self, input_shape):
        H, W, C = check_image_shape(input_shape, "GlobalAvgPool2D")
        self.input_shape, self.output_shape = (H, W, C), (C,)
        return self.output_shape

    def forward(self, x, training=False):
        a = self._buffer("a", (x.shape[0], self.output_shape[0]))
        self.xp.mean(x, axis=(1, 2), out=a)
        self.x, self.a = x, a
        return a

    def backward(self, da):
        H, W, _ = self.input_shape
        dx = self._buffer("dx", (da.shape[0], *self.input_shape))
        dx[...] = (da / (H * W))[:, None, None, :]
        return dx


MaxPooling2D = MaxPool2D
AveragePooling2D = AvgPool2D
GlobalAveragePooling2D = GlobalAvgPool2D

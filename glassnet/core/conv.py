"""2-D convolution on NHWC images, as one matrix product."""

from __future__ import annotations

import numbers

from glassnet.core import activations as act_mod
from glassnet.core import init, regularizers
from glassnet.core.image import (
    at_offset,
    check_image_shape,
    check_padding,
    geometry,
    pad,
    pair,
    unpad,
    windows,
)
from glassnet.core.weighted import WeightedLayer
from glassnet.errors import ConfigError, expected
from glassnet.fast.colsum import colsum
from glassnet.fast.im2col import as_windows, im2col_by_offset


class Conv2D(WeightedLayer):
    """2-D convolution (a cross-correlation, as in every deep-learning library).

    x: (B, H, W, C) images; K: (kh, kw, C, F) the kernel (Keras's layout);
    x̃ the input padded for padding="same" (glassnet.core.image); s the strides.

    forward:   z[b, p, q, f] = Σ_{i, j, c} x̃[b, p·s_h + i, q·s_w + j, c] · K[i, j, c, f]
                               + bias[f]                        z: (B, H', W', F)
               a = f(z)
               as one matrix product:
                   cols = every window of x̃                     (B, H', W', kh, kw, C)
                   z = cols K        (B·H'·W', kh·kw·C) · (kh·kw·C, F)
    backward:  dz = da ⊙ f'(z)
               dK += colsᵀ dz                      dbias += Σ_{b, p, q} dz
               dx̃[:, p·s_h + i, q·s_w + j, :] += dz[:, p, q, :] K[i, j]ᵀ
                                               for each kernel offset (i, j)
               dx = dx̃ without its padding

    Keeps x, z (pre-activation feature maps) and a (feature maps) after
    forward, da and dz after backward.
    """

    keeps = ("x", "z", "a")
    keeps_grad = ("da", "dz")
    penalized = ("kernel", "bias")     # what kernel_/bias_regularizer penalize
    #: copy the windows of 1-channel images with glassnet.fast.im2col (False:
    #: always the sliding-window view)
    fast = True

    def __init__(self, filters: int, kernel_size: int | tuple[int, int],
                 strides: int | tuple[int, int] = 1, padding: str = "valid",
                 activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 input_shape: tuple[int, int, int] | None = None,
                 name: str | None = None, input_dim=None):
        if input_shape is not None and input_dim is not None:
            raise ConfigError("give input_shape or input_dim, not both (they are "
                              "the same: (height, width, channels)).")
        super().__init__(input_dim=input_shape if input_dim is None else input_dim,
                         name=name)
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) \
                or filters <= 0:
            raise ConfigError(expected("filters as a positive int", repr(filters),
                                       "Pass the number of feature maps, e.g. "
                                       "Conv2D(32, 3)."))
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size", "kernel_size=3")
        self.strides = pair(strides, "strides", "strides=1 or strides=(2, 2)")
        self.padding = check_padding(padding)
        self.activation = act_mod.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = init.get(kernel_initializer)
        self.bias_initializer = init.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.x = self.z = self.a = self.da = self.dz = self.cols = self.cols_t = None

    # -- construction ------------------------------------------------------
    def build(self, input_shape):
        H, W, C = check_image_shape(input_shape, "Conv2D")
        self.geo = geometry((H, W), self.kernel_size, self.strides, self.padding,
                            "Conv2D")
        self.input_shape = (H, W, C)
        self.output_shape = (*self.geo.out_hw, self.filters)
        self.activation.xp = self.xp
        return self.output_shape

    def param_shapes(self):
        shapes = {"kernel": (*self.kernel_size, self.input_shape[2], self.filters)}
        if self.use_bias:
            shapes["bias"] = (self.filters,)
        return shapes

    def init_params(self, rng, dtype):
        vals = {"kernel": self.kernel_initializer(self.param_shapes()["kernel"], rng,
                                                  dtype)}
        if self.use_bias:
            vals["bias"] = self.bias_initializer((self.filters,), rng, dtype)
        return vals

    def bind(self, params, grads, state):
        super().bind(params, grads, state)
        self.kernel, self.dkernel = params["kernel"], grads["kernel"]  # (kh,kw,C,F)
        self.bias, self.dbias = params.get("bias"), grads.get("bias")  # (F,) | None

    # -- forward / backward, side by side ----------------------------------
    def forward(self, x, training=False):
        B, F = x.shape[0], self.filters
        self.x = x                                         # (B, H, W, C)
        self.cols = self.im2col(x)                         # (B, H', W', kh, kw, C)
        z = self._buffer("z", (B, *self.output_shape))     # (B, H', W', F)
        self.xp.matmul(self._cols_matrix(), self.kernel.reshape(-1, F),
                       out=z.reshape(-1, F))               # z = cols K
        if self.use_bias:
            z += self.bias                                 #   + bias
        self.z = z
        self.a = self.activation.forward(z, out=self._buffer("a", z.shape))
        return self.a                                      # a = f(z)

    def backward(self, da):
        dz = self.activation.backward(self.z, self.a, da,  # dz = da ⊙ f'(z)
                                      out=self._buffer("dz", da.shape))
        dx = self.backward_z(dz)
        self.da = da
        return dx

    def backward_z(self, dz):
        """Backward from dL/dz (also where a fused loss would start)."""
        self.da, self.dz = None, dz                        # (B, H', W', F)
        F, xp = self.filters, self.xp
        dz2 = dz.reshape(-1, F)                            # (B·H'·W', F)
        cols2 = self._cols_matrix()                        # (B·H'·W', kh·kw·C)
        self.dkernel += (cols2.T @ dz2).reshape(self.kernel.shape)  # dK += colsᵀ dz
        if self.use_bias:
            self.dbias += colsum(dz2, xp)                  # dbias += Σ dz
        if not self.need_input_grad:
            return None
        B, C = dz.shape[0], self.input_shape[2]
        dxp = self._buffer("dx_padded", (B, *self.geo.padded_hw, C))
        dxp.fill(0)
        part = self._buffer("dx_part", (B, *self.geo.out_hw, C))
        for i, j in self.geo.offsets:                      # one GEMM per offset
            xp.matmul(dz2, self.kernel[i, j].T, out=part.reshape(-1, C))
            at_offset(dxp, self.geo, i, j)[...] += part    # dx̃ += dz K[i, j]ᵀ
        return unpad(dxp, self.geo)                        # (B, H, W, C)

    def im2col(self, x):
        """cols[b, p, q, i, j, c] = x̃[b, p·s_h + i, q·s_w + j, c]: the windows
        of the padded input copied into one contiguous (reused) buffer."""
        B, C = x.shape[0], self.input_shape[2]
        x_pad = pad(x, self.geo, self._buffer("x_padded", (B, *self.geo.padded_hw, C)))
        if self.fast and C == 1:                           # grey images: a view
            self.cols_t = im2col_by_offset(x_pad, self._offset_major(B), self.strides)
            return as_windows(self.cols_t)
        self.cols_t = None
        cols = self._buffer("cols", (B, *self.geo.out_hw, *self.kernel_size, C))
        self.xp.copyto(cols, windows(self.xp, x_pad, self.geo))
        return cols

    def _offset_major(self, B: int):
        """A reused (kh, kw, B, H', W', 1) buffer: the first B·H'·W' columns of
        the largest (kh, kw, N) one seen, so any batch is a view of it."""
        kh, kw = self.kernel_size
        n = B * self.geo.out_hw[0] * self.geo.out_hw[1]
        buf = self._bufs.get("cols_t")
        if buf is None or buf.shape[2] < n or buf.dtype != self.dtype:
            buf = self._bufs["cols_t"] = self.xp.empty((kh, kw, n), dtype=self.dtype)
        return buf[:, :, :n].reshape(kh, kw, B, *self.geo.out_hw, 1)

    def _cols_matrix(self):
        """The windows as the (B·H'·W', kh·kw·C) matrix of the GEMMs, without a
        copy: a reshape of the window-order buffer, or for grey images the
        transpose of the offset-major one, (kh·kw, B·H'·W')ᵀ."""
        n = self.cols.shape[0] * self.cols.shape[1] * self.cols.shape[2]
        if self.cols_t is None:
            return self.cols.reshape(n, -1)
        return self.cols_t.reshape(-1, n).T                # offset-major (C = 1)

    def infer(self, x):
        cols, cols_t = self.cols, self.cols_t              # backward's windows
        try:
            return super().infer(x)
        finally:
            self.cols, self.cols_t = cols, cols_t

    # -- the glass box -----------------------------------------------------
    def inputs_at(self, x, i: int, j: int):
        """The inputs that meet K[i, j, :, :] at each output position:
        x̃[:, p·s_h + i, q·s_w + j, :] for all (p, q) — (B, H', W', C).
        ∂L/∂K[i, j, c, f] = Σ_{b, p, q} inputs_at(x, i, j)[..., c] · dz[..., f]."""
        x_pad = pad(x, self.geo, self.xp.empty((x.shape[0], *self.geo.padded_hw,
                                                x.shape[3]), dtype=x.dtype))
        return at_offset(x_pad, self.geo, i, j)

    # -- description -------------------------------------------------------
    def param_arithmetic(self):
        kh, kw = self.kernel_size
        text = f"{kh}×{kw}×{self.input_shape[2]}×{self.filters}"
        if self.use_bias:
            text += f" + {self.filters}"
        return f"{text} = {self.count_params():,}"

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, **self._weights_config()}

    def __repr__(self):
        return (f"Conv2D({self.filters}, {self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, activation={self.activation.name!r})")

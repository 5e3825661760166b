"""Fully connected layer with an optional fused activation."""

from __future__ import annotations

import numpy as np

from glassnet import activations as act_mod
from glassnet import initializers, regularizers
from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.layers.base import Layer


class Dense(Layer):
    """Fully connected layer: every input feeds every unit.

    forward:   z  = x W + b         x: (B, n_in)  W: (n_in, n_out)  b: (n_out,)
               a  = f(z)            f: the activation (identity by default)
    backward:  dz = da ⊙ f'(z)
               dW = xᵀ dz           db = Σ_B dz        dx = dz Wᵀ
    """

    param_names = ("W", "b")

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 input_dim: int | None = None, name: str | None = None):
        super().__init__(input_dim=input_dim, name=name)
        if isinstance(units, bool) or not isinstance(units, int | np.integer) \
                or units <= 0:
            raise ConfigError(expected("units as a positive int", repr(units),
                                       "Pass the number of neurons, e.g. Dense(64)."))
        self.units = int(units)
        self.activation = act_mod.get(activation)
        self.use_bias = bool(use_bias)
        if not self.use_bias:
            self.param_names = ("W",)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape):
        if len(input_shape) != 1:
            raise ShapeError(expected("a flat input (n_features,) for Dense",
                                      f"input shape {tuple(input_shape)}",
                                      "Put gn.Flatten() before this Dense layer."))
        self.input_shape = tuple(input_shape)
        self.output_shape = (self.units,)
        return self.output_shape

    def param_shapes(self):
        shapes = {"W": (self.input_shape[0], self.units)}
        if self.use_bias:
            shapes["b"] = (self.units,)
        return shapes

    def init_params(self, rng, dtype):
        vals = {"W": self.kernel_initializer(self.param_shapes()["W"], rng, dtype)}
        if self.use_bias:
            vals["b"] = self.bias_initializer((self.units,), rng, dtype)
        return vals

    # -- forward / backward, side by side ----------------------------------
    def forward(self, x, training=False):
        B = x.shape[0]
        self.x = x                                         # (B, n_in)
        z = self._buffer("z", (B, self.units))
        np.matmul(x, self.W, out=z)                        # z = x W   (B, n_out)
        if self.use_bias:
            z += self.b                                    #   + b
        self.z = z
        self.a = self.activation.forward(z, out=self._buffer("a", z.shape))
        return self.a                                      # a = f(z)  (B, n_out)

    def backward(self, da, accumulate=True):
        self.da = da                                       # (B, n_out)
        dz = self.activation.backward(self.z, self.a, da,
                                      out=self._buffer("dz", da.shape))
        return self.backward_z(dz, accumulate)

    def backward_z(self, dz, accumulate=True):
        """Backward from dL/dz (used directly when the loss fuses with f)."""
        self.dz = dz                                       # (B, n_out)
        # Σ_B dz is written 1ᵀ dz: a matrix-vector product runs ~3× faster
        # than NumPy's column sum over a (B, n) array.
        if accumulate:
            self.dW += self.x.T @ dz                       # dW += xᵀ dz
            if self.use_bias:
                self.db += self._ones(dz) @ dz             # db += Σ_B dz
        else:
            np.matmul(self.x.T, dz, out=self.dW)
            if self.use_bias:
                np.matmul(self._ones(dz), dz, out=self.db)
        if not self.need_input_grad:
            return None
        dx = self._buffer("dx", self.x.shape)
        return np.matmul(dz, self.W.T, out=dx)             # dx = dz Wᵀ (B, n_in)

    def _ones(self, dz):
        """A reusable (B,) vector of ones (the leading B of the longest seen)."""
        ones = self.__dict__.get("_ones_B")
        if ones is None or ones.shape[0] < dz.shape[0] or ones.dtype != dz.dtype:
            ones = self._ones_B = np.ones(dz.shape[0], dtype=dz.dtype)
        return ones[: dz.shape[0]]

    def infer(self, x):
        z = x @ self.W
        if self.use_bias:
            z += self.b
        return self.activation.forward(z, out=z)

    # -- regularisation ----------------------------------------------------
    def penalty(self):
        total = 0.0
        if self.kernel_regularizer:
            total += self.kernel_regularizer.penalty(self.W)
        if self.bias_regularizer and self.use_bias:
            total += self.bias_regularizer.penalty(self.b)
        return total

    def add_penalty_grads(self):
        if self.kernel_regularizer:
            self.kernel_regularizer.add_grad(self.W, self.dW)
        if self.bias_regularizer and self.use_bias:
            self.bias_regularizer.add_grad(self.b, self.db)

    # -- description -------------------------------------------------------
    def param_arithmetic(self):
        n_in = self.input_shape[0]
        if self.use_bias:
            return f"{n_in}×{self.units} + {self.units} = {self.count_params():,}"
        return f"{n_in}×{self.units} = {self.count_params():,}"

    def get_config(self):
        cfg = {"name": self.name, "units": self.units,
               "activation": self.activation.get_config(),
               "use_bias": self.use_bias,
               "kernel_initializer": self.kernel_initializer.get_config(),
               "bias_initializer": self.bias_initializer.get_config()}
        if self.kernel_regularizer:
            cfg["kernel_regularizer"] = self.kernel_regularizer.get_config()
        if self.bias_regularizer:
            cfg["bias_regularizer"] = self.bias_regularizer.get_config()
        if self.input_dim is not None:
            cfg["input_dim"] = list(self.input_dim)
        return cfg

    @classmethod
    def from_config(cls, cfg: dict) -> Dense:
        return cls(units=cfg["units"],
                   activation=act_mod.from_config(cfg.get("activation",
                                                          {"name": "linear"})),
                   use_bias=bool(cfg.get("use_bias", True)),
                   kernel_initializer=initializers.from_config(
                       cfg.get("kernel_initializer", {"name": "glorot_uniform"})),
                   bias_initializer=initializers.from_config(
                       cfg.get("bias_initializer", {"name": "zeros"})),
                   kernel_regularizer=cfg.get("kernel_regularizer"),
                   bias_regularizer=cfg.get("bias_regularizer"),
                   input_dim=_dim(cfg.get("input_dim")), name=cfg.get("name"))

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r})"


def _dim(v):
    if v is None:
        return None
    return tuple(v) if isinstance(v, list) else v

"""Fully connected layer with an optional fused activation."""

from __future__ import annotations

import numbers

from glassnet.core import activations as act_mod
from glassnet.core import init, regularizers
from glassnet.core.weighted import WeightedLayer
from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.fast.colsum import colsum
from glassnet.fast.gemm import add_xt_dz


class Dense(WeightedLayer):
    """Fully connected layer: every input feeds every unit.

    forward:   z  = x W + b         x: (B, n_in)  W: (n_in, n_out)  b: (n_out,)
               a  = f(z)            f: the activation (identity by default)
    backward:  dz = da ⊙ f'(z)      (or dz straight from a fused loss)
               dW += xᵀ dz          db += Σ_B dz        dx = dz Wᵀ

    Keeps x, z, a after forward and da, dz after backward (``keeps``).
    """

    keeps = ("x", "z", "a")
    keeps_grad = ("da", "dz")
    penalized = ("W", "b")             # what kernel_/bias_regularizer penalize

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 input_dim: int | None = None, name: str | None = None):
        super().__init__(input_dim=input_dim, name=name)
        if isinstance(units, bool) or not isinstance(units, numbers.Integral) \
                or units <= 0:
            raise ConfigError(expected("units as a positive int", repr(units),
                                       "Pass the number of neurons, e.g. Dense(64)."))
        self.units = int(units)
        self.activation = act_mod.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = init.get(kernel_initializer)
        self.bias_initializer = init.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.x = self.z = self.a = self.da = self.dz = None

    # -- construction ------------------------------------------------------
    def build(self, input_shape):
        if len(input_shape) != 1:
            raise ShapeError(expected("a flat input (n_features,) for Dense",
                                      f"input shape {tuple(input_shape)}",
                                      "Put gn.Flatten() before this Dense layer."))
        self.input_shape = tuple(input_shape)
        self.output_shape = (self.units,)
        self.activation.xp = self.xp
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

    def bind(self, params, grads, state):
        super().bind(params, grads, state)
        self.W, self.dW = params["W"], grads["W"]          # (n_in, n_out)
        self.b = params.get("b")                           # (n_out,) or None
        self.db = grads.get("b")

    # -- forward / backward, side by side ----------------------------------
    def forward(self, x, training=False):
        xp, B = self.xp, x.shape[0]
        self.x = x                                         # (B, n_in)
        z = self._buffer("z", (B, self.units))
        xp.matmul(x, self.W, out=z)                        # z = x W   (B, n_out)
        if self.use_bias:
            z += self.b                                    #   + b
        self.z = z
        self.a = self.activation.forward(z, out=self._buffer("a", z.shape))
        return self.a                                      # a = f(z)  (B, n_out)

    def backward(self, da):
        dz = self.activation.backward(self.z, self.a, da,  # dz = da ⊙ f'(z)
                                      out=self._buffer("dz", da.shape))
        dx = self.backward_z(dz)
        self.da = da                                       # (B, n_out)
        return dx

    def backward_z(self, dz):
        """Backward from dL/dz: a fused softmax/sigmoid + cross-entropy starts
        here (``glassnet.core.objective``), below the activation."""
        self.da, self.dz = None, dz                        # (B, n_out)
        if not add_xt_dz(self.dW, self.x, dz):             # (one BLAS call, β = 1)
            self.dW += self.x.T @ dz                       # dW += xᵀ dz
        if self.use_bias:
            self.db += colsum(dz, self.xp)                 # db += Σ_B dz
        if not self.need_input_grad:
            return None
        dx = self._buffer("dx", self.x.shape)
        return self.xp.matmul(dz, self.W.T, out=dx)        # dx = dz Wᵀ (B, n_in)

    def infer(self, x):
        z = x @ self.W                                     # a fresh z: nothing kept
        if self.use_bias:
            z += self.b
        return self.activation.forward(z, out=z)

    # -- description -------------------------------------------------------
    def param_arithmetic(self):
        n_in = self.input_shape[0]
        if self.use_bias:
            return f"{n_in}×{self.units} + {self.units} = {self.count_params():,}"
        return f"{n_in}×{self.units} = {self.count_params():,}"

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                **self._weights_config()}

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r})"

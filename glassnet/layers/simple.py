"""Parameter-free layers: Activation, Dropout, Flatten."""

from __future__ import annotations

import math

import numpy as np

from glassnet import activations as act_mod
from glassnet.errors import ConfigError, expected
from glassnet.layers.base import Layer


class Activation(Layer):
    """Applies an activation on its own: a = f(z), dz = da ⊙ f'(z)."""

    def __init__(self, activation, input_dim=None, name=None):
        super().__init__(input_dim=input_dim, name=name)
        self.activation = act_mod.get(activation)

    def forward(self, x, training=False):
        self.z = x
        self.a = self.activation.forward(x, out=self._buffer("a", x.shape))
        return self.a

    def backward(self, da, accumulate=True):
        self.da = da
        self.dz = self.activation.backward(self.z, self.a, da,
                                           out=self._buffer("dz", da.shape))
        return self.dz

    def backward_z(self, dz, accumulate=True):
        self.dz = dz
        return dz

    def infer(self, x):
        return self.activation.forward(x, out=np.empty_like(x))

    def get_config(self):
        cfg = {"name": self.name, "activation": self.activation.get_config()}
        if self.input_dim is not None:
            cfg["input_dim"] = list(self.input_dim)
        return cfg

    @classmethod
    def from_config(cls, cfg):
        return cls(act_mod.from_config(cfg["activation"]),
                   input_dim=_dim(cfg.get("input_dim")), name=cfg.get("name"))

    def __repr__(self):
        return f"Activation({self.activation.name!r})"


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014), active only in training.

    forward (training):  m ~ Bernoulli(1 − p),  y = x ⊙ m / (1 − p)
    forward (inference): y = x
    backward:            dx = dy ⊙ m / (1 − p)
    """

    def __init__(self, rate: float, input_dim=None, name=None):
        super().__init__(input_dim=input_dim, name=name)
        if isinstance(rate, bool) or not isinstance(rate, int | float) \
                or not math.isfinite(rate) or not 0 <= rate < 1:
            raise ConfigError(expected("a dropout rate in [0, 1)", repr(rate),
                                       "Pass the fraction of units to drop, "
                                       "e.g. Dropout(0.2)."))
        self.rate = float(rate)
        self.active = False

    def forward(self, x, training=False):
        self.active = training and self.rate > 0
        if not self.active:
            return x
        u = self._buffer("u", x.shape)
        self.rng.random(out=u, dtype=u.dtype)             # u ~ U[0, 1)
        mask = self._buffer("mask", x.shape)
        np.greater_equal(u, self.rate, out=mask, casting="unsafe")
        mask *= 1.0 / (1.0 - self.rate)                    # m / (1 − p)
        self.mask = mask
        return np.multiply(x, mask, out=self._buffer("y", x.shape))

    def backward(self, dy, accumulate=True):
        if not self.active:
            return dy
        return np.multiply(dy, self.mask, out=self._buffer("dx", dy.shape))

    def infer(self, x):
        return x

    def get_config(self):
        cfg = {"name": self.name, "rate": self.rate}
        if self.input_dim is not None:
            cfg["input_dim"] = list(self.input_dim)
        return cfg

    @classmethod
    def from_config(cls, cfg):
        return cls(float(cfg["rate"]), input_dim=_dim(cfg.get("input_dim")),
                   name=cfg.get("name"))


class Flatten(Layer):
    """Reshape (B, d1, d2, …) → (B, d1·d2·…); backward reshapes back."""

    def build(self, input_shape):
        self.input_shape = tuple(input_shape)
        self.output_shape = (int(np.prod(input_shape)),)
        return self.output_shape

    def forward(self, x, training=False):
        return x.reshape(x.shape[0], -1)

    def backward(self, dy, accumulate=True):
        return dy.reshape((dy.shape[0],) + self.input_shape)

    def infer(self, x):
        return x.reshape(x.shape[0], -1)

    def get_config(self):
        cfg = {"name": self.name}
        if self.input_dim is not None:
            cfg["input_dim"] = list(self.input_dim)
        return cfg

    @classmethod
    def from_config(cls, cfg):
        return cls(input_dim=_dim(cfg.get("input_dim")), name=cfg.get("name"))


def _dim(v):
    if v is None:
        return None
    return tuple(v) if isinstance(v, list) else v

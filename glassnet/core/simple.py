"""Layers without weights: Activation, Dropout, Flatten, Reshape."""

from __future__ import annotations

import math

from glassnet._validation import is_finite_number, short_repr
from glassnet.core import activations as act_mod
from glassnet.core.layer import Layer
from glassnet.errors import ConfigError, ShapeError, expected


class Activation(Layer):
    """An activation on its own:  a = f(z),   dz = da ⊙ f'(z)."""

    keeps = ("z", "a")
    keeps_grad = ("da", "dz")

    def __init__(self, activation, input_dim=None, name=None):
        super().__init__(input_dim=input_dim, name=name)
        self.activation = act_mod.get(activation)
        self.z = self.a = self.da = self.dz = None

    def build(self, input_shape):
        self.activation.xp = self.xp
        return super().build(input_shape)

    def forward(self, x, training=False):
        self.z = x
        self.a = self.activation.forward(x, out=self._buffer("a", x.shape))
        return self.a

    def backward(self, da):
        self.dz = self.activation.backward(self.z, self.a, da,
                                           out=self._buffer("dz", da.shape))
        self.da = da
        return self.dz

    def backward_z(self, dz):
        """Backward from dL/dz (a fused loss): nothing to undo, pass it on."""
        self.da, self.dz = None, dz
        return dz

    def get_config(self):
        return {**super().get_config(), "activation": self.activation.get_config()}

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        cfg["activation"] = act_mod.from_config(cfg.get("activation"))
        return super().from_config(cfg)

    def __repr__(self):
        return f"Activation({self.activation.name!r})"


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014), active only in training.

    forward (training):  m ~ Bernoulli(1 − p),  y = x ⊙ m / (1 − p)
    forward (inference): y = x
    backward:            dx = dy ⊙ m / (1 − p)

    u comes from the model's generator: drawn by it on the CPU, computed on a
    GPU from one key it draws (``Backend.uniform``), so masks are reproducible
    from the seed and a resumed run draws the same ones.
    """

    keeps = ("mask",)

    def __init__(self, rate: float, input_dim=None, name=None):
        super().__init__(input_dim=input_dim, name=name)
        if not is_finite_number(rate) or not 0 <= rate < 1:
            raise ConfigError(expected("a dropout rate in [0, 1)", short_repr(rate),
                                       "Pass the fraction of units to drop, "
                                       "e.g. Dropout(0.2)."))
        self.rate = float(rate)
        self.active = False
        self.mask = None

    def forward(self, x, training=False):
        self.active = training and self.rate > 0
        if not self.active:
            return x
        u = self._buffer("u", x.shape)
        self.backend.uniform(self.rng, u)                  # u ~ U[0, 1)
        mask = self._buffer("mask", x.shape)
        self.xp.greater_equal(u, self.rate, out=mask, casting="unsafe")
        mask *= 1.0 / (1.0 - self.rate)                    # m / (1 − p)
        self.mask = mask
        return self.xp.multiply(x, mask, out=self._buffer("y", x.shape))

    def backward(self, dy):
        if not self.active:
            return dy
        return self.xp.multiply(dy, self.mask, out=self._buffer("dx", dy.shape))

    def infer(self, x):
        return x

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


class Flatten(Layer):
    """Reshape (B, d1, d2, …) → (B, d1·d2·…), row-major; backward reshapes back."""

    def build(self, input_shape):
        if None in tuple(input_shape):
            raise ShapeError(expected(
                "an input of known size for Flatten",
                f"input shape {tuple(input_shape)} (the number of steps is not "
                "known)", "Pass input_dim=(T, F) to the recurrent layer (e.g. "
                "GRU(3, input_dim=(20, 2), return_sequences=True)) so Flatten knows "
                "T, or keep the time axis: TimeDistributed(Dense(…)) as the output."))
        self.input_shape = tuple(input_shape)
        self.output_shape = (math.prod(input_shape),)
        return self.output_shape

    def forward(self, x, training=False):
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape((dy.shape[0], *self.input_shape))

    def infer(self, x):
        return x.reshape(x.shape[0], -1)


class Reshape(Layer):
    """Reshape (B, d1, d2, …) → (B, *target_shape), row-major, the same number of
    values; backward reshapes back. ``Reshape((28, 28, 1), input_dim=784)``
    turns rows of 784 pixels into images for Conv2D."""

    def __init__(self, target_shape: tuple[int, ...], input_dim=None, name=None):
        super().__init__(input_dim=input_dim, name=name)
        shape = (target_shape,) if isinstance(target_shape, int) else target_shape
        if not isinstance(shape, tuple | list) or not shape or any(
                isinstance(d, bool) or not isinstance(d, int) or d <= 0
                for d in shape):
            raise ConfigError(expected("target_shape as a tuple of positive ints",
                                       repr(target_shape),
                                       "Pass e.g. Reshape((28, 28, 1))."))
        self.target_shape = tuple(int(d) for d in shape)

    def build(self, input_shape):
        if math.prod(input_shape) != math.prod(self.target_shape):
            raise ConfigError(expected(
                f"a target shape with {math.prod(input_shape)} values (the input "
                f"{tuple(input_shape)})", f"{self.target_shape} "
                f"({math.prod(self.target_shape)} values)",
                "Make the sizes multiply to the same number."))
        self.input_shape, self.output_shape = tuple(input_shape), self.target_shape
        return self.output_shape

    def forward(self, x, training=False):
        return x.reshape(x.shape[0], *self.target_shape)

    def backward(self, dy):
        return dy.reshape((dy.shape[0], *self.input_shape))

    def infer(self, x):
        return x.reshape(x.shape[0], *self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        if isinstance(cfg.get("target_shape"), list):
            cfg["target_shape"] = tuple(cfg["target_shape"])
        return super().from_config(cfg)

"""Rescale: the last layer of a regression model trained on standardised
targets — predictions come back in the targets' own units.

    forward:   ŷ = z ⊙ σ + μ         z: (B, n)   σ, μ: (n,), fixed (not trained)
    backward:  dz = dŷ ⊙ σ

σ and μ are the standard deviation and mean of the training targets
(``Rescale.fit(y_train)``). They are saved with the model (as its state, after
the parameters in ``get_weights``), so a loaded model — ``gn.load``,
``read_model_file``, ``glassnet predict`` — answers in the original units.
During training the objective (``core/objective.py``) compares z with the
standardised targets (y − μ)/σ, so the loss and its gradient have the scale
of standardised data: the same learning rate suits a price in dollars and
one in cents.
"""

from __future__ import annotations

import numpy as np

from glassnet._validation import is_finite_number
from glassnet.core.layer import Layer
from glassnet.errors import ConfigError, ShapeError, expected


class Rescale(Layer):
    """ŷ = z ⊙ σ + μ with σ, μ fixed: the inverse of standardising the targets."""

    keeps = ("z", "a")
    #: the objective trains the layer below on (y − μ)/σ
    scales_targets = True

    def __init__(self, mean=0.0, scale=1.0, input_dim=None, name=None):
        super().__init__(input_dim=input_dim, name=name)
        self.mean = _numbers(mean, "mean")
        self.scale = _numbers(scale, "scale")
        if any(s <= 0 for s in self.scale):
            raise ConfigError(expected("scale σ > 0", self.scale,
                                       "Use Rescale.fit(y_train)."))
        self.z = self.a = None

    @classmethod
    def fit(cls, y) -> Rescale:
        """μ and σ of the training targets y (n,) or (n, n_out); σ = 1 where y
        is constant."""
        y = np.asarray(y, dtype=np.float64)
        y = y.reshape(len(y), -1) if y.ndim > 1 else y.reshape(-1, 1)
        if not np.isfinite(y).all():
            raise ShapeError(expected("finite targets", "NaN or inf in y",
                                      "Remove or impute the missing targets."))
        mean, std = y.mean(axis=0), y.std(axis=0)
        std = np.where(std > 1e-12 * np.maximum(np.abs(mean), 1.0), std, 1.0)
        return cls(mean.tolist(), std.tolist())

    def build(self, input_shape):
        self.input_shape = self.output_shape = tuple(input_shape)
        n = self.input_shape[-1]
        for name, values in (("mean", self.mean), ("scale", self.scale)):
            if len(values) not in (1, n):
                raise ShapeError(expected(f"{name} of 1 or {n} values (one per "
                                          "output)", f"{len(values)} values",
                                          "Fit it on targets with as many "
                                          "columns as the model has outputs."))
        return self.output_shape

    def state_shapes(self):
        n = self.input_shape[-1]
        return {"mean": (n,), "scale": (n,)}

    def init_state(self, dtype):
        n = self.input_shape[-1]
        return {"mean": np.broadcast_to(np.asarray(self.mean, dtype), (n,)).copy(),
                "scale": np.broadcast_to(np.asarray(self.scale, dtype), (n,)).copy()}

    # -- forward / backward, side by side ----------------------------------
    def forward(self, x, training=False):
        self.z = x                                              # (B, n)
        a = self.xp.multiply(x, self.state["scale"], out=self._buffer("a", x.shape))
        a += self.state["mean"]                                 # ŷ = z σ + μ
        self.a = a
        return a

    def backward(self, dy):
        return self.xp.multiply(dy, self.state["scale"],       # dz = dŷ σ
                                out=self._buffer("dz", dy.shape))

    def backward_z(self, dz):
        """The objective already gave dL/dz (standardised targets): pass it on."""
        return dz

    def standardize(self, y):
        """(y − μ) / σ: the targets in the units the layer below learns."""
        return (y - self.state["mean"]) / self.state["scale"]

    def param_arithmetic(self):
        return f"0 trained (μ, σ: 2×{self.input_shape[-1]} fixed)"

    def get_config(self):
        """μ and σ as they are now (set_weights may have changed them)."""
        state = self.state
        mean = state["mean"].tolist() if "mean" in state else list(self.mean)
        scale = state["scale"].tolist() if "scale" in state else list(self.scale)
        return {**super().get_config(), "mean": mean, "scale": scale}


def _numbers(value, name: str) -> list[float]:
    values = list(np.ravel(value)) if not isinstance(value, int | float) else [value]
    if not values or not all(is_finite_number(v) for v in values):
        raise ConfigError(expected(f"{name} as finite numbers", repr(value)[:40],
                                   "Use Rescale.fit(y_train)."))
    return [float(v) for v in values]

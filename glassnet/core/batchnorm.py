"""Batch normalization (Ioffe & Szegedy, 2015, Algorithm 1), after Dense or
Conv2D layers."""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassnet.core.layer import Layer
from glassnet.errors import ConfigError, expected
from glassnet.fast.colsum import colsum


class BatchNormalization(Layer):
    """Normalize each feature (the last axis) over the batch, then scale and shift.

    The statistics run over every axis but the last: N = B rows after Dense
    (B, n), N = B·H·W positions after Conv2D (B, H, W, C).

    training:   μ = (1/N) Σ x            σ² = (1/N) Σ (x − μ)²
                x̂ = (x − μ) / √(σ² + ε)          a = γ ⊙ x̂ + β
                moving_mean     ← m·moving_mean     + (1 − m)·μ       (m = momentum,
                moving_variance ← m·moving_variance + (1 − m)·σ²       Keras's rule)
    inference:  x̂ = (x − moving_mean) / √(moving_variance + ε),  a = γ ⊙ x̂ + β
    backward:   dγ += Σ da ⊙ x̂        dβ += Σ da
                training (μ and σ² depend on x):
                    dx = γ/√(σ² + ε) ⊙ (da − (1/N) Σ da − x̂ ⊙ (1/N) Σ (da ⊙ x̂))
                inference:  dx = γ/√(moving_variance + ε) ⊙ da

    get_weights() order: gamma, beta (trained), moving_mean, moving_variance
    (state, not trained). Keeps x, x_hat and a; da after backward.
    """

    keeps = ("x", "x_hat", "a")
    keeps_grad = ("da",)

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3,
                 input_dim=None, input_shape=None, name: str | None = None):
        super().__init__(input_dim=input_shape if input_dim is None else input_dim,
                         name=name)
        if not _real(momentum) or not 0 <= momentum < 1:
            raise ConfigError(expected("momentum in [0, 1)", repr(momentum),
                                       "Pass e.g. momentum=0.99 (Keras's default)."))
        if not _real(epsilon) or not epsilon > 0:
            raise ConfigError(expected("epsilon > 0", repr(epsilon),
                                       "Pass e.g. epsilon=1e-3."))
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.x = self.x_hat = self.a = self.da = None
        self.inv_std = None                    # 1/√(σ² + ε) of the last forward
        self.batch_stats = False               # did the last forward use μ, σ²?

    # -- construction ------------------------------------------------------
    def build(self, input_shape):
        self.input_shape = self.output_shape = tuple(input_shape)
        return self.output_shape

    @property
    def features(self) -> int:
        return int(self.input_shape[-1])

    def param_shapes(self):
        return {"gamma": (self.features,), "beta": (self.features,)}

    def state_shapes(self):
        return {"moving_mean": (self.features,), "moving_variance": (self.features,)}

    def init_params(self, rng, dtype):
        return {"gamma": np.ones(self.features, dtype), "beta":
                np.zeros(self.features, dtype)}

    def init_state(self, dtype):
        return {"moving_mean": np.zeros(self.features, dtype),
                "moving_variance": np.ones(self.features, dtype)}

    def bind(self, params, grads, state):
        super().bind(params, grads, state)
        self.gamma, self.dgamma = params["gamma"], grads["gamma"]      # (C,)
        self.beta, self.dbeta = params["beta"], grads["beta"]          # (C,)
        self.moving_mean = state["moving_mean"]                        # (C,)
        self.moving_variance = state["moving_variance"]                # (C,)

    # -- forward / backward, side by side ----------------------------------
    def forward(self, x, training=False):
        xp, C = self.xp, self.features
        x2 = x.reshape(-1, C)                                  # (N, C)
        x_hat = self._buffer("x_hat", x2.shape)
        if training:
            mu = colsum(x2, xp) / x2.shape[0]                  # μ
            xp.subtract(x2, mu, out=x_hat)                     # x − μ
            sq = xp.multiply(x_hat, x_hat, out=self._buffer("sq", x2.shape))
            var = colsum(sq, xp) / x2.shape[0]                 # σ²
            m = self.momentum
            self.moving_mean *= m
            self.moving_mean += (1 - m) * mu
            self.moving_variance *= m
            self.moving_variance += (1 - m) * var
        else:
            xp.subtract(x2, self.moving_mean, out=x_hat)
            var = self.moving_variance
        self.inv_std = 1.0 / xp.sqrt(var + self.epsilon)        # 1/√(σ² + ε)
        x_hat *= self.inv_std                                  # x̂
        a = xp.multiply(x_hat, self.gamma, out=self._buffer("a", x2.shape))
        a += self.beta                                         # a = γ x̂ + β
        self.batch_stats = training
        self.x, self.x_hat, self.a = x, x_hat.reshape(x.shape), a.reshape(x.shape)
        return self.a

    def backward(self, da):
        xp, C = self.xp, self.features
        da2, x_hat = da.reshape(-1, C), self.x_hat.reshape(-1, C)
        da_xhat = xp.multiply(da2, x_hat, out=self._buffer("da_xhat", da2.shape))
        sum_da, sum_da_xhat = colsum(da2, xp), colsum(da_xhat, xp)
        self.dgamma += sum_da_xhat                             # dγ += Σ da ⊙ x̂
        self.dbeta += sum_da                                   # dβ += Σ da
        self.da = da
        if not self.need_input_grad:
            return None
        dx = self._buffer("dx", da2.shape)
        if self.batch_stats:
            N = da2.shape[0]
            xp.multiply(x_hat, sum_da_xhat / N, out=dx)        # x̂ ⊙ (1/N) Σ da ⊙ x̂
            xp.subtract(da2, dx, out=dx)
            dx -= sum_da / N                                   # da − mean da − …
        else:
            dx[...] = da2
        dx *= self.gamma * self.inv_std                        # γ/√(σ² + ε) ⊙ …
        return dx.reshape(da.shape)

    def infer(self, x):
        inv_std = 1.0 / self.xp.sqrt(self.moving_variance + self.epsilon)
        a = (x - self.moving_mean) * inv_std                   # a fresh array:
        a *= self.gamma                                        #   forward's steps,
        a += self.beta                                         #   nothing kept
        return a

    # -- description -------------------------------------------------------
    def param_arithmetic(self):
        C = self.features
        return f"2×{C} (γ, β) + 2×{C} (moving μ, σ², not trained) = " \
               f"{self.count_params():,}"

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "epsilon": self.epsilon}


def _real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)

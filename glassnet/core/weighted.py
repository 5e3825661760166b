"""What Dense and Conv2D share: a kernel and a bias with their initializers,
weight penalties and an activation, and the config fields these make.

The weight penalty Ω(θ) of each regularized weight is added to the loss and
its gradient into the weight's gradient view:

    L ← L + Ω(K) + Ω(b)       dK += ∂Ω/∂K       db += ∂Ω/∂b

Each layer declares its two weights in ``penalized`` (Dense: ("W", "b"),
Conv2D: ("kernel", "bias")); the gradient of weight ``w`` is ``d`` + w.
"""

from __future__ import annotations

from glassnet.core import activations as act_mod
from glassnet.core import init
from glassnet.core.layer import Layer


class WeightedLayer(Layer):
    """Base of Dense and Conv2D: penalties and config of the kernel and bias."""

    #: (kernel, bias): the attribute names of the weights that
    #: ``kernel_regularizer`` and ``bias_regularizer`` penalize
    penalized: tuple[str, str]

    # -- regularisation ----------------------------------------------------
    def _regularized(self) -> list[tuple[object, str]]:
        """[(regularizer, weight name)] of the weights that have a penalty."""
        kernel, bias = self.penalized
        out = []
        if self.kernel_regularizer:
            out.append((self.kernel_regularizer, kernel))
        if self.bias_regularizer and self.use_bias:
            out.append((self.bias_regularizer, bias))
        return out

    def penalty(self):
        total = 0.0
        for reg, w in self._regularized():
            total += reg.penalty(getattr(self, w))
        return total

    def add_penalty_grads(self):
        for reg, w in self._regularized():
            reg.add_grad(getattr(self, w), getattr(self, "d" + w), self.xp)

    # -- description -------------------------------------------------------
    def _weights_config(self) -> dict:
        """The config fields of the activation, the kernel and the bias."""
        cfg = {"activation": self.activation.get_config(),
               "use_bias": self.use_bias,
               "kernel_initializer": self.kernel_initializer.get_config(),
               "bias_initializer": self.bias_initializer.get_config()}
        for k in ("kernel_regularizer", "bias_regularizer"):
            if getattr(self, k):
                cfg[k] = getattr(self, k).get_config()
        return cfg

    @classmethod
    def from_config(cls, cfg: dict):
        cfg = dict(cfg)
        cfg["activation"] = act_mod.from_config(cfg.get("activation",
                                                        {"name": "linear"}))
        for k, default in (("kernel_initializer", "glorot_uniform"),
                           ("bias_initializer", "zeros")):
            cfg[k] = init.from_config(cfg.get(k, {"name": default}))
        return super().from_config(cfg)

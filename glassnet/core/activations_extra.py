"""More activations: leaky ReLU, ELU, softplus, GELU, SiLU (the classics are
in ``glassnet.core.activations``)."""

from __future__ import annotations

import math

from glassnet.core.activation import Activation, check_slope, stable_sigmoid
from glassnet.core.text import factor, num


class LeakyReLU(Activation):
    """leaky ReLU: f(z) = z if z > 0 else α·z,  f'(z) = 1 if z > 0 else α."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        self.alpha = check_slope("alpha", alpha, "LeakyReLU(alpha=0.01)")

    def forward(self, z, out=None):
        xp, out = self.xp, self._out(z, out)
        xp.multiply(z, xp.where(z > 0, 1.0, self.alpha).astype(z.dtype), out=out)
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        xp.multiply(da, xp.where(z > 0, 1.0, self.alpha).astype(da.dtype), out=out)
        return out

    def explain(self, z, digits=6, row=None):
        zt = num(z, digits)
        return f"{zt} if {zt} > 0 else {num(self.alpha, digits)}·{factor(z, digits)}"

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return (f"1 if {z_name} > 0 else α ({z_name} = {num(z, digits)}, "
                f"α = {num(self.alpha, 4)})", "")

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha}


class ELU(Activation):
    """ELU: f(z) = z if z > 0 else α(e^z − 1),  f'(z) = 1 if z > 0 else f(z) + α."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = check_slope("alpha", alpha, "ELU(alpha=1.0)")

    def forward(self, z, out=None):
        xp, out = self.xp, self._out(z, out)
        neg = self.alpha * xp.expm1(xp.minimum(z, 0))
        xp.copyto(out, xp.where(z > 0, z, neg))
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        xp.multiply(da, xp.where(z > 0, 1.0, a + self.alpha), out=out)
        return out

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return (f"1 if {z_name} > 0 else {a_name} + α ({z_name} = "
                f"{num(z, digits)})", "")

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha}


class Softplus(Activation):
    """softplus: f(z) = ln(1 + e^z),  f'(z) = σ(z)."""

    name = "softplus"

    def forward(self, z, out=None):
        xp, out = self.xp, self._out(z, out)
        # ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|)): finite for every finite z.
        xp.copyto(out, xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z))))
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        xp.multiply(da, stable_sigmoid(self.xp, z), out=out)
        return out

    def explain(self, z, digits=6, row=None):
        return f"ln(1 + e^({num(z, digits)}))"

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"σ({z_name})", f"σ({num(z, digits)})"


_GELU_C = math.sqrt(2.0 / math.pi)


class GELU(Activation):
    """GELU (tanh form): f(z) = ½z(1 + tanh(√(2/π)(z + 0.044715z³))).

    f'(z) = ½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3·0.044715z²),  t = tanh(…).
    Matches PyTorch's ``GELU(approximate="tanh")`` (Hendrycks & Gimpel, 2016).
    """

    name = "gelu"

    def forward(self, z, out=None):
        xp, out = self.xp, self._out(z, out)
        t = xp.tanh(_GELU_C * (z + 0.044715 * z**3))
        xp.multiply(0.5 * z, 1.0 + t, out=out)
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        t = xp.tanh(_GELU_C * (z + 0.044715 * z**3))
        d = 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (
            1.0 + 3 * 0.044715 * z * z)
        xp.multiply(da, d, out=out)
        return out

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"GELU′({z_name})", f"GELU′({num(z, digits)})"


class SiLU(Activation):
    """SiLU / swish: f(z) = z·σ(z),  f'(z) = σ(z)·(1 + z(1 − σ(z)))."""

    name = "silu"

    def forward(self, z, out=None):
        xp, out = self.xp, self._out(z, out)
        xp.multiply(z, stable_sigmoid(xp, z), out=out)
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        s = stable_sigmoid(xp, z)
        xp.multiply(da, s * (1.0 + z * (1.0 - s)), out=out)
        return out

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"σ({z_name})·(1 + {z_name}·(1 − σ({z_name})))", ""

"""Activation functions by name: the classics of the seeds here (identity,
step, sigmoid, tanh, ReLU, softmax), the others in ``activations_extra``;
the base class and the contract in ``glassnet.core.activation``.

Use them by name (``activation="relu"``) or as objects (``LeakyReLU(0.2)``).
"""

from __future__ import annotations

import numpy as np

from glassnet.core.activation import Activation
from glassnet.core.activations_extra import ELU, GELU, LeakyReLU, SiLU, Softplus
from glassnet.core.text import factor, num
from glassnet.errors import ConfigError, TrainingError, expected
from glassnet.fast import relu as fast_relu


class Identity(Activation):
    """identity: f(z) = z,  f'(z) = 1."""

    name = "linear"
    symbol = ""

    def forward(self, z, out=None):
        out = self._out(z, out)
        if out is not z:
            self.xp.copyto(out, z)
        return out

    def backward(self, z, a, da, out=None):
        out = self._out(da, out)
        if out is not da:
            self.xp.copyto(out, da)
        return out

    def explain(self, z, digits=6, row=None):
        return num(z, digits)

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return "1", ""


class Step(Activation):
    """step (Heaviside): f(z) = 1 if z ≥ 0 else 0,  f'(z) = 0 almost everywhere.

    The step has no useful derivative: it is 0 wherever it exists and undefined
    at 0, so gradient descent receives no signal through it. Train step units
    with the perceptron learning rule (``glassnet.Perceptron``) instead, or use
    ``sigmoid`` as a smooth stand-in for gradient-based training.
    """

    name = "step"

    def forward(self, z, out=None):
        out = self._out(z, out)
        self.xp.greater_equal(z, 0, out=out, casting="unsafe")
        return out

    def backward(self, z, a, da, out=None):
        raise TrainingError(
            "the step activation has no useful derivative (0 everywhere, undefined "
            "at 0), so backpropagation cannot train through it. Use "
            "glassnet.Perceptron (the perceptron learning rule) for step units, "
            "or activation='sigmoid' for gradient-based training.")

    def derivative(self, z):
        return np.zeros_like(np.asarray(z, dtype=np.float64))

    def explain(self, z, digits=6, row=None):
        return f"1 if {num(z, digits)} ≥ 0 else 0"


class Sigmoid(Activation):
    """sigmoid: σ(z) = 1 / (1 + e^(−z)),  σ'(z) = σ(z)·(1 − σ(z)).

    Evaluated as e^(−|z|) based halves so no finite z overflows.
    """

    name = "sigmoid"
    symbol = "σ"

    def forward(self, z, out=None):
        xp, out = self.xp, self._out(z, out)
        # σ(z) = 1/(1+e^-z) for z ≥ 0 and e^z/(1+e^z) for z < 0, via e = e^(−|z|).
        e = xp.exp(-xp.abs(z))
        xp.divide(xp.where(z >= 0, 1.0, e), 1.0 + e, out=out)
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        if out is da:
            return xp.multiply(da, a * (1.0 - a), out=out)  # dz = da · a(1 − a)
        xp.subtract(1.0, a, out=out)         # the same without temporaries:
        out *= a                             #   σ'(z) = a(1 − a)
        out *= da                            #   dz = da · a(1 − a)
        return out

    def explain(self, z, digits=6, row=None):
        return f"σ({num(z, digits)}) = 1 / (1 + e^({num(-z, digits)}))"

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        at = num(a, digits)
        return f"{a_name}·(1 − {a_name})", f"{at} × (1 − {at})"


class Tanh(Activation):
    """tanh: f(z) = tanh(z),  f'(z) = 1 − tanh²(z)."""

    name = "tanh"
    symbol = "tanh"

    def forward(self, z, out=None):
        return self.xp.tanh(z, out=self._out(z, out))

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        if out is da:
            return xp.multiply(da, 1.0 - a * a, out=out)    # dz = da · (1 − a²)
        xp.multiply(a, a, out=out)           # the same without temporaries:
        xp.subtract(1.0, out, out=out)       #   f'(z) = 1 − a²
        out *= da                            #   dz = da · (1 − a²)
        return out

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"1 − {a_name}²", f"1 − {factor(a, digits)}²"


class ReLU(Activation):
    """ReLU: f(z) = max(0, z),  f'(z) = 1 if z > 0 else 0."""

    name = "relu"
    symbol = "ReLU"

    def forward(self, z, out=None):
        out = self._out(z, out)
        if fast_relu.forward(z, out) is not None:          # (one numba loop)
            return out
        return self.xp.maximum(z, 0, out=out)              # a = max(0, z)

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        if fast_relu.backward(a, da, out) is not None:     # (one numba loop)
            return out
        if out is da:
            return xp.multiply(da, a > 0, out=out)          # dz = da · 1[z > 0]
        xp.greater(a, 0, out=out)            # the same without a bool temporary:
        out *= da                            #   f'(z) = 1[z > 0], dz = da · f'(z)
        return out

    def explain(self, z, digits=6, row=None):
        return f"max(0, {num(z, digits)})"

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"1 if {z_name} > 0 else 0 ({z_name} = {num(z, digits)})", ""


class Softmax(Activation):
    """softmax over the last axis: pᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z).

    Jacobian ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ), so dz = p ⊙ (da − Σⱼ daⱼ pⱼ).
    With categorical cross-entropy the pair fuses to dz = (p − y)/B
    (``glassnet.core.objective``).
    """

    name = "softmax"
    symbol = "softmax"

    def forward(self, z, out=None):
        xp, out = self.xp, self._out(z, out)
        # (the ufuncs' own reduce where the module has it: z.max / z.sum add a
        # Python layer that costs more than the work itself on a row of 10
        # classes; CuPy reduces only with add and multiply)
        zmax = xp.maximum.reduce(z, axis=-1, keepdims=True) if xp.__name__ == \
            "numpy" else z.max(axis=-1, keepdims=True)
        xp.subtract(z, zmax, out=out)
        xp.exp(out, out=out)                                # e^(zᵢ − max z)
        out /= xp.add.reduce(out, axis=-1, keepdims=True)   # ÷ Σⱼ e^(zⱼ − max z)
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        s = (da * a).sum(axis=-1, keepdims=True)            # Σⱼ daⱼ pⱼ
        xp.subtract(da, s, out=out)
        out *= a                                            # p ⊙ (da − Σ)
        return out

    def derivative(self, z):
        """Diagonal of the Jacobian, pᵢ(1 − pᵢ) (for plots)."""
        z = np.asarray(z, dtype=np.float64)
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
        return p * (1.0 - p)

    def explain(self, z, digits=6, row=None):
        zt = num(z, digits)
        if row is not None and len(row) <= 10:
            den = " + ".join(f"e^({num(v, digits)})" for v in row)
            return f"e^({zt}) / ({den})"
        n = "" if row is None else f"  ({len(row)} outputs)"
        return f"e^({zt}) / Σₖ e^(net_k){n}"


_REGISTRY: dict[str, type[Activation]] = {
    "linear": Identity, "identity": Identity, "none": Identity,
    "step": Step, "heaviside": Step,
    "sigmoid": Sigmoid, "logistic": Sigmoid,
    "tanh": Tanh, "relu": ReLU,
    "leaky_relu": LeakyReLU, "leakyrelu": LeakyReLU,
    "elu": ELU, "softplus": Softplus, "gelu": GELU,
    "silu": SiLU, "swish": SiLU, "softmax": Softmax,
}

#: Canonical names, one per activation (for demos, docs and tests).
NAMES = ["linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
         "softplus", "gelu", "silu", "softmax"]


def get(activation: str | Activation | None) -> Activation:
    """Resolve ``"relu"`` / ``ReLU()`` / ``None`` (identity) to an object."""
    if activation is None:
        return Identity()
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        key = activation.strip().lower().replace("-", "_")
        if key in _REGISTRY:
            return _REGISTRY[key]()
        raise ConfigError(expected(f"an activation name, one of {NAMES}",
                                   repr(activation),
                                   "Check the spelling or pass an Activation object."))
    raise TypeError(expected("an activation name (str), an Activation object or None",
                             type(activation).__name__,
                             "Pass e.g. activation='relu'."))


def from_config(config: dict) -> Activation:
    """Rebuild an activation from ``get_config()`` (closed registry, no imports)."""
    name = config.get("name") if isinstance(config, dict) else None
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ConfigError(expected("a known activation name", repr(name),
                                   f"Use one of {NAMES}."))
    cls = _REGISTRY[name]
    if cls in (LeakyReLU, ELU):
        return cls(alpha=config.get("alpha", 0.01 if cls is LeakyReLU else 1.0))
    return cls()

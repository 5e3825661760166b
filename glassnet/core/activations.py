"""Activation functions: each with its derivative beside it, and its own words.

Every activation maps a pre-activation ``z`` to an output ``a = f(z)`` and,
in ``backward``, turns dL/da into dL/dz = dL/da · f'(z). Both work in place
on preallocated buffers: ``forward(z, out)`` writes ``a`` into ``out`` and
``backward(z, a, da, out)`` writes dL/dz into ``out`` (``out`` may be ``da``).
Shapes: z, a, da, dz are all (B, n) — batch first.

Each one also explains itself for the glass box, from the same class:
``explain(z)`` is f(z) with the number substituted ("σ(0.3775) = 1 / (1 +
e^(-0.3775))") and ``explain_derivative(...)`` is f'(z) written in the
receipt's names and then with the numbers ("out·(1 − out)", "0.75 × (1 −
0.75)"). The values in receipts always come from the arrays; these strings
only describe them.

Use them by name (``activation="relu"``) or as objects (``LeakyReLU(0.2)``).
"""

from __future__ import annotations

import copy
import math

import numpy as np

from glassnet.core.text import factor, num
from glassnet.errors import ConfigError, TrainingError, expected


class Activation:
    """Base class: ``forward`` computes a = f(z); ``backward`` dz = da · f'(z)."""

    name = "activation"
    xp = np              # the model's array module (set by the owning layer)

    @property
    def symbol(self) -> str:
        """How receipts write f: "σ", "tanh", "ReLU" ("" for the identity)."""
        return self.name

    def forward(self, z, out=None):
        raise NotImplementedError

    def backward(self, z, a, da, out=None):
        raise NotImplementedError

    def derivative(self, z) -> np.ndarray:
        """f'(z) elementwise, in float64 on the host (for plots and receipts)."""
        host = copy.copy(self)
        host.xp = np
        z = np.asarray(z, dtype=np.float64)
        return host.backward(z, host.forward(z.copy()), np.ones_like(z))

    def formula(self) -> str:
        """The function and its derivative in plain Unicode (the docstring's
        first line)."""
        return self.__doc__.strip().splitlines()[0] if self.__doc__ else self.name

    def explain(self, z: float, digits: int = 6, row=None) -> str:
        """f(z) with the number substituted (``row``: the layer's whole z row)."""
        return f"{self.symbol}({num(z, digits)})"

    def explain_derivative(self, a_name: str, z_name: str, z: float, a: float,
                           digits: int = 6) -> tuple[str, str]:
        """(f'(z) in the receipt's names, the same with numbers or "")."""
        return f"{self.name}′({z_name})", ""

    def get_config(self) -> dict:
        return {"name": self.name}

    def _out(self, like, out):
        return self.xp.empty_like(like) if out is None else out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items()
                         if k != "name")
        return f"{type(self).__name__}({args})"


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
        if out is da or out is a:
            xp.multiply(da, a * (1.0 - a), out=out)  # dz = da · a(1 − a)
            return out
        xp.subtract(1.0, a, out=out)                 # the same, with no temporary:
        out *= a                                     #   a(1 − a)
        out *= da                                    #   dz = da · a(1 − a)
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
        if out is da or out is a:
            xp.multiply(da, 1.0 - a * a, out=out)  # dz = da · (1 − a²)
            return out
        xp.multiply(a, a, out=out)                 # the same, with no temporary:
        xp.subtract(1.0, out, out=out)             #   1 − a²
        out *= da                                  #   dz = da · (1 − a²)
        return out

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"1 − {a_name}²", f"1 − {factor(a, digits)}²"


class ReLU(Activation):
    """ReLU: f(z) = max(0, z),  f'(z) = 1 if z > 0 else 0."""

    name = "relu"
    symbol = "ReLU"

    def forward(self, z, out=None):
        return self.xp.maximum(z, 0, out=self._out(z, out))

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        if out is da:
            xp.multiply(da, a > 0, out=out)  # dz = da · 1[z > 0]
            return out
        # The same product without a bool temporary: the mask is written as
        # 0.0/1.0 straight into out, then a float-by-float multiply (~2× faster).
        xp.greater(a, 0, out=out)            # 1[z > 0]
        out *= da                            # dz = da · 1[z > 0]
        return out

    def explain(self, z, digits=6, row=None):
        return f"max(0, {num(z, digits)})"

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"1 if {z_name} > 0 else 0 ({z_name} = {num(z, digits)})", ""


class LeakyReLU(Activation):
    """leaky ReLU: f(z) = z if z > 0 else α·z,  f'(z) = 1 if z > 0 else α."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        self.alpha = _slope("alpha", alpha, "LeakyReLU(alpha=0.01)")

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
        self.alpha = _slope("alpha", alpha, "ELU(alpha=1.0)")

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
        xp.multiply(da, _sigmoid(self.xp, z), out=out)
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
        xp.multiply(z, _sigmoid(xp, z), out=out)
        return out

    def backward(self, z, a, da, out=None):
        xp, out = self.xp, self._out(da, out)
        s = _sigmoid(xp, z)
        xp.multiply(da, s * (1.0 + z * (1.0 - s)), out=out)
        return out

    def explain_derivative(self, a_name, z_name, z, a, digits=6):
        return f"σ({z_name})·(1 + {z_name}·(1 − σ({z_name})))", ""


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
        # (the ufuncs' own reduce: z.max / z.sum add a Python layer that costs
        # more than the work itself on a row of 10 classes)
        xp.subtract(z, xp.maximum.reduce(z, axis=-1, keepdims=True), out=out)
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


def _sigmoid(xp, z):
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1.0, e) / (1.0 + e)


def _slope(name: str, value, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or value < 0:
        raise ConfigError(expected(f"a finite {name} ≥ 0", repr(value),
                                   f"Pass e.g. {example}."))
    return float(value)


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

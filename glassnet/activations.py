"""Activation functions, each with its derivative written beside it.

Every activation maps a pre-activation ``z`` to an output ``a = f(z)`` and,
in ``backward``, turns dL/da into dL/dz = dL/da · f'(z). Both work in place
on preallocated buffers: ``forward(z, out)`` writes ``a`` into ``out`` and
``backward(z, a, da, out)`` writes dL/dz into ``out`` (``out`` may be ``da``).

Shapes: z, a, da, dz are all (B, n) — batch first.
Use them by name (``activation="relu"``) or as objects (``LeakyReLU(0.2)``).
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.errors import ConfigError, TrainingError, expected


class Activation:
    """Base class: ``forward`` computes a = f(z); ``backward`` dz = da · f'(z)."""

    name = "activation"
    #: True when f'(z) can be written from the output a alone.
    derivative_from_output = False

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray,
                 out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """f'(z) elementwise (for plots and receipts; not the training path)."""
        z = np.asarray(z, dtype=np.float64)
        a = self.forward(z.copy())
        return self.backward(z, a, np.ones_like(z))

    def formula(self) -> str:
        """The function and its derivative in plain Unicode, for receipts."""
        return self.__doc__.strip().splitlines()[0] if self.__doc__ else self.name

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items()
                         if k != "name")
        return f"{type(self).__name__}({args})"


def _out(z: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    return np.empty_like(z) if out is None else out


class Identity(Activation):
    """identity: f(z) = z,  f'(z) = 1."""

    name = "linear"
    derivative_from_output = True

    def forward(self, z, out=None):
        out = _out(z, out)
        if out is not z:
            np.copyto(out, z)
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        if out is not da:
            np.copyto(out, da)
        return out


class Step(Activation):
    """step (Heaviside): f(z) = 1 if z ≥ 0 else 0,  f'(z) = 0 almost everywhere.

    The step has no useful derivative: it is 0 wherever it exists and undefined
    at 0, so gradient descent receives no signal through it. Train step units
    with the perceptron learning rule (``glassnet.Perceptron``) instead, or use
    ``sigmoid`` as a smooth stand-in for gradient-based training.
    """

    name = "step"

    def forward(self, z, out=None):
        out = _out(z, out)
        np.greater_equal(z, 0, out=out, casting="unsafe")
        return out

    def backward(self, z, a, da, out=None):
        raise TrainingError(
            "the step activation has no useful derivative (0 everywhere, undefined "
            "at 0), so backpropagation cannot train through it. Use "
            "glassnet.Perceptron (the perceptron learning rule) for step units, "
            "or activation='sigmoid' for gradient-based training."
        )

    def derivative(self, z):
        return np.zeros_like(np.asarray(z, dtype=np.float64))


class Sigmoid(Activation):
    """sigmoid: σ(z) = 1 / (1 + e^(−z)),  σ'(z) = σ(z)·(1 − σ(z)).

    Evaluated as e^(−|z|) based halves so no finite z overflows.
    """

    name = "sigmoid"
    derivative_from_output = True

    def forward(self, z, out=None):
        out = _out(z, out)
        # σ(z) = 1/(1+e^-z) for z ≥ 0 and e^z/(1+e^z) for z < 0, via e = e^(−|z|).
        e = np.exp(-np.abs(z))
        np.divide(np.where(z >= 0, 1.0, e), 1.0 + e, out=out)
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        if out is da or out is a:
            np.multiply(da, a * (1.0 - a), out=out)  # dz = da · a(1 − a)
            return out
        np.subtract(1.0, a, out=out)                 # the same, with no temporary:
        out *= a                                     #   a(1 − a)
        out *= da                                    #   dz = da · a(1 − a)
        return out


class Tanh(Activation):
    """tanh: f(z) = tanh(z),  f'(z) = 1 − tanh²(z)."""

    name = "tanh"
    derivative_from_output = True

    def forward(self, z, out=None):
        return np.tanh(z, out=_out(z, out))

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        if out is da or out is a:
            np.multiply(da, 1.0 - a * a, out=out)  # dz = da · (1 − a²)
            return out
        np.multiply(a, a, out=out)                 # the same, with no temporary:
        np.subtract(1.0, out, out=out)             #   1 − a²
        out *= da                                  #   dz = da · (1 − a²)
        return out


class ReLU(Activation):
    """ReLU: f(z) = max(0, z),  f'(z) = 1 if z > 0 else 0."""

    name = "relu"
    derivative_from_output = True

    def forward(self, z, out=None):
        if z.size < 4096:
            return np.maximum(z, 0, out=_out(z, out))
        # The same max(z, 0) taken against an array of zeros: NumPy's SIMD loop
        # needs two arrays, and with the scalar 0 it runs ~3× slower.
        return np.maximum(z, self._zeros(z), out=_out(z, out))

    def _zeros(self, z):
        zeros = self.__dict__.get("_zeros_flat")  # the largest seen, reused
        if zeros is None or zeros.size < z.size or zeros.dtype != z.dtype:
            zeros = self._zeros_flat = np.zeros(z.size, dtype=z.dtype)
        return zeros[: z.size].reshape(z.shape)

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        if out is da:
            np.multiply(da, a > 0, out=out)  # dz = da · 1[z > 0]
            return out
        # The same product without a bool temporary: the mask is written as
        # 0.0/1.0 straight into out, then a float-by-float multiply (~2× faster).
        np.greater(a, 0, out=out)            # 1[z > 0]
        out *= da                            # dz = da · 1[z > 0]
        return out


class LeakyReLU(Activation):
    """leaky ReLU: f(z) = z if z > 0 else α·z,  f'(z) = 1 if z > 0 else α."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        if not isinstance(alpha, int | float) or not math.isfinite(alpha) or alpha < 0:
            raise ConfigError(expected("a finite slope alpha ≥ 0", repr(alpha),
                                       "Pass e.g. LeakyReLU(alpha=0.01)."))
        self.alpha = float(alpha)

    def forward(self, z, out=None):
        out = _out(z, out)
        np.multiply(z, np.where(z > 0, 1.0, self.alpha).astype(z.dtype), out=out)
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        np.multiply(da, np.where(z > 0, 1.0, self.alpha).astype(da.dtype), out=out)
        return out

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha}


class ELU(Activation):
    """ELU: f(z) = z if z > 0 else α(e^z − 1),  f'(z) = 1 if z > 0 else f(z) + α."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        if not isinstance(alpha, int | float) or not math.isfinite(alpha) or alpha < 0:
            raise ConfigError(expected("a finite alpha ≥ 0", repr(alpha),
                                       "Pass e.g. ELU(alpha=1.0)."))
        self.alpha = float(alpha)

    def forward(self, z, out=None):
        out = _out(z, out)
        neg = self.alpha * np.expm1(np.minimum(z, 0))
        np.copyto(out, np.where(z > 0, z, neg))
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        np.multiply(da, np.where(z > 0, 1.0, a + self.alpha), out=out)
        return out

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha}


class Softplus(Activation):
    """softplus: f(z) = ln(1 + e^z),  f'(z) = σ(z)."""

    name = "softplus"

    def forward(self, z, out=None):
        out = _out(z, out)
        # ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|)): finite for every finite z.
        np.copyto(out, np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))))
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        np.multiply(da, Sigmoid().forward(z), out=out)
        return out


_GELU_C = math.sqrt(2.0 / math.pi)


class GELU(Activation):
    """GELU (tanh form): f(z) = ½z(1 + tanh(√(2/π)(z + 0.044715z³))).

    f'(z) = ½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3·0.044715z²),  t = tanh(…).
    Matches PyTorch's ``GELU(approximate="tanh")`` (Hendrycks & Gimpel, 2016).
    """

    name = "gelu"

    def forward(self, z, out=None):
        out = _out(z, out)
        t = np.tanh(_GELU_C * (z + 0.044715 * z**3))
        np.multiply(0.5 * z, 1.0 + t, out=out)
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        t = np.tanh(_GELU_C * (z + 0.044715 * z**3))
        d = 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (
            1.0 + 3 * 0.044715 * z * z)
        np.multiply(da, d, out=out)
        return out


class SiLU(Activation):
    """SiLU / swish: f(z) = z·σ(z),  f'(z) = σ(z)·(1 + z(1 − σ(z)))."""

    name = "silu"

    def forward(self, z, out=None):
        out = _out(z, out)
        np.multiply(z, Sigmoid().forward(z), out=out)
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        s = Sigmoid().forward(z)
        np.multiply(da, s * (1.0 + z * (1.0 - s)), out=out)
        return out


class Softmax(Activation):
    """softmax over the last axis: pᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z).

    Jacobian ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ), so dz = p ⊙ (da − Σⱼ daⱼ pⱼ).
    With categorical cross-entropy the pair fuses to dz = (p − y)/B.
    """

    name = "softmax"
    derivative_from_output = True

    def forward(self, z, out=None):
        # (the ufuncs' own reduce: z.max / z.sum add a Python layer that costs
        # more than the work itself on a row of 10 classes)
        out = _out(z, out)
        np.subtract(z, np.maximum.reduce(z, axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)                                # e^(zᵢ − max z)
        out /= np.add.reduce(out, axis=-1, keepdims=True)   # ÷ Σⱼ e^(zⱼ − max z)
        return out

    def backward(self, z, a, da, out=None):
        out = _out(da, out)
        s = (da * a).sum(axis=-1, keepdims=True)
        np.subtract(da, s, out=out)
        out *= a
        return out

    def derivative(self, z):
        """Diagonal of the Jacobian, pᵢ(1 − pᵢ) (for plots)."""
        p = self.forward(np.asarray(z, dtype=np.float64))
        return p * (1.0 - p)


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
    """Resolve ``"relu"`` / ``ReLU()`` / ``None`` (identity) to a fresh object."""
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
    name = config.get("name")
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ConfigError(expected("a known activation name", repr(name),
                                   f"Use one of {NAMES}."))
    cls = _REGISTRY[name]
    if cls in (LeakyReLU, ELU):
        return cls(alpha=config.get("alpha", 0.01 if cls is LeakyReLU else 1.0))
    return cls()

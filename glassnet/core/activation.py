"""The activation base class: f(z) forward, f'(z) backward, and its own words.

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
"""

from __future__ import annotations

import copy

import numpy as np

from glassnet._validation import is_finite_number, short_repr
from glassnet.core.text import num
from glassnet.errors import ConfigError, expected


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


def stable_sigmoid(xp, z):
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1.0, e) / (1.0 + e)


def check_slope(name: str, value, example: str) -> float:
    if not is_finite_number(value) or value < 0:
        raise ConfigError(expected(f"a finite {name} ≥ 0", short_repr(value),
                                   f"Pass e.g. {example}."))
    return float(value)

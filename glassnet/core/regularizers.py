"""Weight penalties added to the loss (Keras conventions).

    L1:  Ω(w) = λ Σ|w|,   ∂Ω/∂w = λ·sign(w)
    L2:  Ω(w) = λ Σ w²,   ∂Ω/∂w = 2λ·w
"""

from __future__ import annotations

import numpy as np

from glassnet._validation import is_finite_number, short_repr
from glassnet.errors import ConfigError, expected


class Regularizer:
    """Ω(w) = l1·Σ|w| + l2·Σw²."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        for name, v in (("l1", l1), ("l2", l2)):
            if not is_finite_number(v) or v < 0:
                raise ConfigError(expected(f"{name} ≥ 0", short_repr(v),
                                           "Pass a small non-negative factor, "
                                           "e.g. L2(1e-4)."))
        self.l1, self.l2 = float(l1), float(l2)

    def penalty(self, w) -> float:
        """Ω(w) = l1·Σ|w| + l2·Σw²."""
        total = 0.0
        if self.l1:
            total += self.l1 * float(abs(w).sum())
        if self.l2:
            total += self.l2 * float((w * w).sum())
        return total

    def add_grad(self, w, grad, xp=np) -> None:
        """grad += ∂Ω/∂w = l1·sign(w) + 2·l2·w, in place (xp: the array module)."""
        if self.l1:
            grad += self.l1 * xp.sign(w)
        if self.l2:
            grad += (2.0 * self.l2) * w

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"Regularizer(l1={self.l1}, l2={self.l2})"


def L1(l1: float = 0.01) -> Regularizer:  # noqa: N802 - Keras name
    return Regularizer(l1=l1)


def L2(l2: float = 0.01) -> Regularizer:  # noqa: N802 - Keras name
    return Regularizer(l2=l2)


def L1L2(l1: float = 0.01, l2: float = 0.01) -> Regularizer:  # noqa: N802
    return Regularizer(l1=l1, l2=l2)


def get(reg) -> Regularizer | None:
    if reg is None or isinstance(reg, Regularizer):
        return reg
    if isinstance(reg, dict):
        return Regularizer(**reg)
    raise TypeError(expected("a Regularizer (gn.regularizers.L2(1e-4)) or None",
                             type(reg).__name__, "Use gn.regularizers.L1/L2/L1L2."))

"""The loss base class and the batch mean every loss shares.

Every loss gives the per-sample loss ``lᵢ`` and the batch loss
L = (1/B) Σᵢ wᵢ·lᵢ (wᵢ = 1 without sample weights). ``backward`` returns
dL/dŷ with the 1/B already applied, shape (B, n_out). ``explain_grad``
writes dlᵢ/dŷ for one output in a receipt's names, then with its numbers.
"""

from __future__ import annotations

import numpy as np

from glassnet.core.targets import prepare_float_targets


def weighted_mean(per_sample, w=None) -> float:
    """L = (1/B) Σᵢ wᵢ lᵢ  (the plain mean without weights)."""
    if w is None:
        return float(per_sample.sum()) / per_sample.size
    return float((per_sample * w).sum() / per_sample.shape[0])


def scale_rows(g, w):
    """g ← g · wᵢ row by row (sample weights), in place."""
    if w is not None:
        g *= w[:, None]
    return g


class Loss:
    """Base class. Subclasses define ``per_sample``, ``backward`` and their
    ``explain_grad``."""

    name = "loss"
    #: the output activation this loss fuses with (its logits form), if any
    fuses_with: str | None = None
    from_logits = False
    logits = None        # the fused form on the logits z (cross-entropies)
    xp = np              # the model's array module (set by compile)

    def prepare_targets(self, y, n_out: int, dtype) -> np.ndarray:
        """Validate y once at the boundary and convert it to (B, n_out) floats."""
        return prepare_float_targets(y, n_out, dtype)

    def per_sample(self, y_pred, y):
        raise NotImplementedError

    def forward(self, y_pred, y, w=None) -> float:
        """L = (1/B) Σᵢ wᵢ lᵢ."""
        return weighted_mean(self.per_sample(y_pred, y), w)

    def backward(self, y_pred, y, w=None, out=None):
        raise NotImplementedError

    def on_device(self, xp) -> Loss:
        """Do the math with ``xp``, the model's array module."""
        self.xp = xp
        if self.logits is not None:
            self.logits.xp = xp
        return self

    def explain_grad(self, out_name: str, y_name: str, out: float, target: float,
                     n_out: int, digits: int = 6) -> tuple[str, str]:
        """(dlᵢ/dŷⱼ in the receipt's names, the same with the numbers)."""
        return f"∂{self.name}/∂{out_name}", ""

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}()"


def per_output(n_out: int) -> str:
    return f"/{n_out}" if n_out > 1 else ""   # the mean over the outputs

"""∂L/∂U[i, j] of a recurrent layer written as its sum over time steps (BPTT).

    ∂L/∂U[i, j] = Σ_t Σ_B h_{t−1}[:, i] · δ_t[:, j]

with δ_t the gradient of step t's recurrent pre-activation (``dZ_rec``) and
h_{t−1} the state entering step t (``Hs``), both kept by the layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.core.backend import to_host
from glassnet.errors import ConfigError, expected


@dataclass
class RecurrentReceipt:
    """∂L/∂U[i, j] as the sum of its per-time-step contributions."""

    layer: str
    i: int
    j: int
    gate: str
    unit: int
    contributions: list[float]
    total: float
    gradient: float

    def text(self, max_steps: int | None = None) -> str:
        """Plain-text receipt; ``max_steps`` keeps the first and last steps only."""
        lines = [f"receipt for {self.layer}.U[{self.i}, {self.j}]  (gate "
                 f"'{self.gate}', unit {self.unit}; from h_{{t−1}}[{self.i}])",
                 f"∂L/∂U[{self.i},{self.j}] = Σ_t Σ_batch h_{{t−1}}[:, {self.i}] · "
                 f"δ_t[:, {self.j}]"]
        width = len(str(len(self.contributions)))
        steps = list(enumerate(self.contributions))
        if max_steps is not None and len(steps) > max_steps:
            half = max(max_steps // 2, 1)
            steps = steps[:half] + [None] + steps[-half:]
        lines += ["  …" if s is None else f"  t = {s[0]:>{width}}   {s[1]:+.6e}"
                  for s in steps]
        rel = abs(self.total - self.gradient) / max(abs(self.total) +
                                                    abs(self.gradient), 1e-30)
        lines += [f"  sum {'':>{width}}   {self.total:+.6e}",
                  f"  dU  {'':>{width}}   {self.gradient:+.6e}   (backprop; "
                  f"relative difference {rel:.1e})"]
        return "\n".join(lines)

    __str__ = text


def weight_receipt(layer, i: int, j: int) -> RecurrentReceipt:
    """The receipt for ``layer.U[i, j]`` from the states and deltas that the
    layer stored in its last forward / backward (``Hs`` and ``dZ_rec``)."""
    if getattr(layer, "dZ_rec", None) is None:
        raise ConfigError("no backward pass yet: call model.gradients(X, y) (or "
                          "train a step) before asking for a receipt.")
    H, cols = layer.units, layer.U.shape[1]
    if not (0 <= i < H and 0 <= j < cols):
        raise ConfigError(expected(f"0 ≤ i < {H} and 0 ≤ j < {cols}",
                                   f"i={i}, j={j}", "Index inside U."))
    if layer.Hs.shape[:2] != (layer.dZ_rec.shape[0] + 1, layer.dZ_rec.shape[1]):
        raise ConfigError("a forward pass replaced the states of the last backward "
                          "pass: ask for the receipt right after "
                          "model.gradients(X, y).")
    h_prev = to_host(layer.Hs[:-1, :, i]).astype(np.float64)    # (T, B)
    delta = to_host(layer.dZ_rec[:, :, j]).astype(np.float64)   # (T, B)
    terms = np.einsum("tb,tb->t", h_prev, delta)        # one term per step
    return RecurrentReceipt(layer.name, i, j, layer.gates[j // H], j % H,
                            [float(v) for v in terms], float(terms.sum()),
                            float(to_host(layer.dU)[i, j]))

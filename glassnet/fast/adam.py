"""Adam's update in place, rearranged so that it allocates nothing.

The paper's lines (``glassnet.core.adam.Adam.update``)

    m ← β₁m + (1 − β₁)g        v ← β₂v + (1 − β₂)g²
    θ ← θ − η · m̂ / (√v̂ + ε)   with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)

are computed here as

    m += (1 − β₁)(g − m)       v += (1 − β₂)(g² − v)
    θ −= (η √bc₂ / bc₁) · m / (√v + ε √bc₂)      bc₁ = 1 − β₁ᵗ, bc₂ = 1 − β₂ᵗ

so that both bias corrections become two scalars (a pass over every
parameter saved) and every pass writes into the one scratch buffer. Equal
to the paper's form to float rounding (``tests/test_fast.py``).
"""

from __future__ import annotations

import math


def adam_update(xp, params, grads, m, v, tmp, *, lr: float, beta_1: float,
                beta_2: float, epsilon: float, t: int) -> None:
    """One Adam step over flat buffers, in place (tmp: scratch like params)."""
    xp.subtract(grads, m, out=tmp)
    tmp *= 1.0 - beta_1
    m += tmp                                       # m ← β₁m + (1 − β₁)g
    xp.square(grads, out=tmp)
    tmp -= v
    tmp *= 1.0 - beta_2
    v += tmp                                       # v ← β₂v + (1 − β₂)g²
    bc1, bc2 = 1.0 - beta_1**t, 1.0 - beta_2**t
    xp.sqrt(v, out=tmp)
    tmp += epsilon * math.sqrt(bc2)                # √v + ε√bc₂
    xp.divide(m, tmp, out=tmp)
    tmp *= lr * math.sqrt(bc2) / bc1
    params -= tmp                                  # θ ← θ − η m̂/(√v̂ + ε)

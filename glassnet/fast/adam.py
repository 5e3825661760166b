"""Adam's update in place, rearranged so that it allocates nothing.

The paper's lines (``glassnet.core.adam.Adam.update``)

    m ← β₁m + (1 − β₁)g        v ← β₂v + (1 − β₂)g²
    θ ← θ − η · m̂ / (√v̂ + ε)   with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)

are computed here as

    m += (1 − β₁)(g − m)       v += (1 − β₂)(g² − v)
    θ −= (η √bc₂ / bc₁) · m / (√v + ε √bc₂)      bc₁ = 1 − β₁ᵗ, bc₂ = 1 − β₂ᵗ

so that both bias corrections become two scalars (a pass over every
parameter saved) and every pass writes into the one scratch buffer. Equal
to the paper's form to float rounding (``tests/test_fast_paths.py``).

With numba (the ``fast`` extra) the same twelve operations run as one loop
over the parameters, each value read and written once instead of twelve
times (``_adam_kernel``: the same float operations in the same order, so
bitwise equal to the NumPy form, ``tests/test_fast_numba.py``).
"""

from __future__ import annotations

import math

from glassnet.fast import _jit


def adam_update(xp, params, grads, m, v, tmp, *, lr: float, beta_1: float,
                beta_2: float, epsilon: float, t: int) -> None:
    """One Adam step over flat buffers, in place (tmp: scratch like params)."""
    bc1, bc2 = 1.0 - beta_1**t, 1.0 - beta_2**t
    scalars = (1.0 - beta_1, 1.0 - beta_2, epsilon * math.sqrt(bc2),
               lr * math.sqrt(bc2) / bc1)
    if _jit.suits(params, grads, m, v):
        fused = _jit.kernel(_adam_kernel)
        if fused is not None:
            fused(*(a.reshape(-1) for a in (params, grads, m, v)),
                  *(params.dtype.type(s) for s in scalars))
            return
    a1, a2, eps_c, step_c = scalars
    xp.subtract(grads, m, out=tmp)
    tmp *= a1
    m += tmp                                       # m ← β₁m + (1 − β₁)g
    xp.square(grads, out=tmp)
    tmp -= v
    tmp *= a2
    v += tmp                                       # v ← β₂v + (1 − β₂)g²
    xp.sqrt(v, out=tmp)
    tmp += eps_c                                   # √v + ε√bc₂
    xp.divide(m, tmp, out=tmp)
    tmp *= step_c
    params -= tmp                                  # θ ← θ − η m̂/(√v̂ + ε)


def _adam_kernel(params, grads, m, v, a1, a2, eps_c, step_c):
    """The NumPy form above, one parameter at a time (compiled by numba)."""
    for i in range(params.size):
        g = grads[i]
        mi = m[i] + (g - m[i]) * a1                # m ← m + (1 − β₁)(g − m)
        vi = v[i] + (g * g - v[i]) * a2            # v ← v + (1 − β₂)(g² − v)
        m[i] = mi
        v[i] = vi
        params[i] -= mi / (math.sqrt(vi) + eps_c) * step_c

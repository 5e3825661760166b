"""The LSTM's elementwise work of one step as one loop (numba, ``fast`` extra).

``glassnet.fast.lstm`` runs a step as NumPy calls over (B, H) blocks: after
the one tanh over the four gates, five more passes in forward (σ = ½ + ½·tanh
for three gates, c_t = f ⊙ c_{t−1} + i ⊙ g) and about fourteen in backward
(the gate derivatives, dc_t, the four ∂L/∂gate products, dz, dc_{t−1}).
These kernels make each of those one pass, with the same float operations
in the same order, so they are bitwise equal to the NumPy lines
(``tests/test_fast_numba.py``). The tanh calls and the matrix products stay
NumPy's. Used for unmasked sequences (no ``mask_value`` padding); a masked
batch runs the NumPy lines.

    forward (z: the four tanh'ed gate blocks [i, f, o, g], in place):
        i, f, o ← ½ + ½·z          c_t = f ⊙ c_{t−1} + i ⊙ g
    backward (a = [i, f, o, g] of step t; dc holds ∂L/∂c_t from step t+1):
        dc_t = dc + dh ⊙ (o − h_t ⊙ tanh c_t)          (o − o·tanh²c)
        dz_i = (dc_t ⊙ g) ⊙ (1 − i)i        dz_f = (dc_t ⊙ c_{t−1}) ⊙ (1 − f)f
        dz_g = (dc_t ⊙ i) ⊙ (1 − g)(1 + g)   dz_o = (dh ⊙ tanh c_t) ⊙ (1 − o)o
        dc ← dc_t ⊙ f   (0 where the truncation cuts)
"""

from __future__ import annotations

from glassnet.fast import _jit


def forward_step(z, c_prev, c):
    """Gates σ'd in place and c (B, H) = c_t written, or None (NumPy runs)."""
    if not _jit.suits(z, c_prev, c):
        return None
    fn = _jit.kernel(_forward_kernel)
    if fn is None:
        return None
    fn(z, c_prev, c, z.dtype.type(0.5))
    return c


def backward_step(a, dh, tc, h, c_prev, dc, dz, cut: bool):
    """dz (B, 4H) and dc ← dc_t ⊙ f written, or None (NumPy runs)."""
    if not _jit.suits(a, dh, tc, h, c_prev, dc, dz):
        return None
    fn = _jit.kernel(_backward_kernel)
    if fn is None:
        return None
    fn(a, dh, tc, h, c_prev, dc, dz, cut, a.dtype.type(1), a.dtype.type(0))
    return dz


def _forward_kernel(z, c_prev, c, half):
    B, H = c.shape
    for b in range(B):
        for j in range(H):
            i = z[0, b, j] * half + half                   # σ = ½ + ½ tanh(z/2)
            f = z[1, b, j] * half + half
            z[0, b, j] = i
            z[1, b, j] = f
            z[2, b, j] = z[2, b, j] * half + half
            c[b, j] = f * c_prev[b, j] + i * z[3, b, j]    # c_t = f c_{t−1} + i g


def _backward_kernel(a, dh, tc, h, c_prev, dc, dz, cut, one, zero):
    B, H = dc.shape
    for b in range(B):
        for j in range(H):
            i, f, o, g = a[0, b, j], a[1, b, j], a[2, b, j], a[3, b, j]
            dhv, tcv = dh[b, j], tc[b, j]
            d = dc[b, j] + (o - h[b, j] * tcv) * dhv          # dc_t
            dz[b, j] = (d * g) * ((one - i) * i)              # dz_i
            dz[b, H + j] = (d * c_prev[b, j]) * ((one - f) * f)   # dz_f
            dz[b, 2 * H + j] = (d * i) * ((one - g) * (one + g))  # dz_g
            dz[b, 3 * H + j] = (dhv * tcv) * ((one - o) * o)      # dz_o
            dc[b, j] = zero if cut else d * f                 # dc_{t−1}

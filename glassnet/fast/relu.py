"""ReLU forward and backward as one loop each (numba, the ``fast`` extra).

    forward:   a  = max(0, z)                    z, a: (B, n)
    backward:  dz = da · 1[a > 0]

NumPy's ``maximum(z, 0)`` against the scalar 0 takes a slower path than
against an array, and the backward pass makes two passes (1[a > 0] written
as 0/1 floats, then · da). Here each is one pass over the arrays, written so
that it rounds exactly as NumPy does: max(0, z) keeps a NaN and gives +0 for
−0; dz multiplies da by 1 or 0 (so 0 · NaN stays NaN). Bitwise equal to the
NumPy lines of ``glassnet.core.activations.ReLU`` (``tests/test_fast_numba.py``).

Each function returns None when it does not apply (no numba, another array
module or dtype, a non-contiguous view, or fewer than ``MIN_SIZE`` values:
numba's call costs 2–5 µs, more than NumPy's whole pass on a small array);
the caller then runs its NumPy line.
"""

from __future__ import annotations

from glassnet.fast import _jit

#: arrays smaller than this stay with NumPy (measured crossover ≈ 4,096–16,384)
MIN_SIZE = 8192


def forward(z, out):
    """out = max(0, z) in one pass, or None."""
    if z.size < MIN_SIZE or z.shape != out.shape or not _jit.suits(z, out):
        return None
    fn = _jit.kernel(_forward_kernel)
    if fn is None:
        return None
    fn(z.reshape(-1), out.reshape(-1), z.dtype.type(0))
    return out


def backward(a, da, out):
    """out = da · 1[a > 0] in one pass (out may be da), or None."""
    if a.size < MIN_SIZE or not a.shape == da.shape == out.shape \
            or not _jit.suits(a, da, out):
        return None
    fn = _jit.kernel(_backward_kernel)
    if fn is None:
        return None
    fn(a.reshape(-1), da.reshape(-1), out.reshape(-1), a.dtype.type(0),
       a.dtype.type(1))
    return out


def _forward_kernel(z, out, zero):
    for i in range(z.size):
        zi = z[i]
        out[i] = zero if zi <= zero else zi        # max(0, z): NaN stays NaN


def _backward_kernel(a, da, out, zero, one):
    for i in range(a.size):
        out[i] = da[i] * (one if a[i] > zero else zero)   # da · 1[a > 0]

"""Fused elementwise kernels: the GPU counterparts of the CPU fast paths.

On a GPU every array operation is a kernel launch, and for the small arrays
of a training step the launches cost more than the arithmetic. Where a
formula is a chain of elementwise operations over one buffer, one kernel
does it all:

- ``adam``: the Adam update of ``glassnet.core.adam`` (m, v and θ in one
  pass over the flat buffers instead of ten), in the rearranged form of
  ``glassnet.fast.adam``:

      m += (1 − β₁)(g − m)      v += (1 − β₂)(g² − v)
      θ −= (η √bc₂ / bc₁) · m / (√v + ε √bc₂)    bc₁ = 1 − β₁ᵗ, bc₂ = 1 − β₂ᵗ

- ``uniform``: SplitMix64 from one key (``glassnet.gpu.random``), for
  dropout masks drawn on the device.

``build(cupy)`` compiles nothing yet: CuPy compiles each kernel on its first
call. Both are tested equal to their formulas (``tests/test_gpu.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ADAM = r"""
m += c1 * (g - m);                    // m ← β₁m + (1 − β₁)g
v += c2 * (g * g - v);                // v ← β₂v + (1 − β₂)g²
p -= step * m / (sqrt(v) + eps_hat);  // θ ← θ − η m̂/(√v̂ + ε)
"""

UNIFORM = r"""
unsigned long long s = key + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL;
unsigned long long z = (s ^ (s >> 30)) * 0xBF58476D1CE4E5B9ULL;
z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
z ^= z >> 31;
u = sizeof(T) == 4 ? (T)((double)(z >> 40) * 5.9604644775390625e-08)   // ·2⁻²⁴
                   : (T)((double)(z >> 11) * 1.1102230246251565e-16);  // ·2⁻⁵³
"""


@dataclass(frozen=True)
class Kernels:
    adam: object
    uniform: object


def build(cupy) -> Kernels:
    """The kernels as functions of device arrays (CuPy compiles on first call)."""
    adam_kernel = cupy.ElementwiseKernel(
        "T g, T c1, T c2, T step, T eps_hat", "T p, T m, T v", ADAM,
        "glassnet_adam")
    uniform_kernel = cupy.ElementwiseKernel(
        "uint64 key", "T u", UNIFORM, "glassnet_splitmix_uniform")

    def adam(params, grads, m, v, *, lr: float, beta_1: float, beta_2: float,
             epsilon: float, t: int) -> None:
        """One Adam step over flat buffers, in one kernel launch."""
        bc1, bc2 = 1.0 - beta_1**t, 1.0 - beta_2**t
        adam_kernel(grads, 1.0 - beta_1, 1.0 - beta_2,
                    lr * math.sqrt(bc2) / bc1, epsilon * math.sqrt(bc2),
                    params, m, v)

    def uniform(key: int, out):
        """u ~ U[0, 1) into ``out`` from ``key`` (SplitMix64, row-major)."""
        uniform_kernel(cupy.uint64(key), out)
        return out

    return Kernels(adam=adam, uniform=uniform)

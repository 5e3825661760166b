"""Uniform numbers on a device from one key: SplitMix64, counter-based.

Dropout needs u ~ U[0, 1) for every unit of every batch, on the device, and
reproducible from the model's explicit generator. The device draws them
from a key k (63 bits, one draw from ``model.rng`` per dropout pass) with
SplitMix64 (Steele, Lea & Flood, 2014), whose i-th output is a pure
function of k and i, so every element is computed independently:

    s_i = k + (i + 1)·γ            γ = 0x9E3779B97F4A7C15   (mod 2⁶⁴)
    z   = (s_i ⊕ (s_i ≫ 30))·0xBF58476D1CE4E5B9
    z   = (z ⊕ (z ≫ 27))·0x94D049BB133111EB
    z   = z ⊕ (z ≫ 31)
    u_i = (z ≫ 40)·2⁻²⁴  (float32)     or   (z ≫ 11)·2⁻⁵³  (float64)

Nothing is stored between passes: the generator state is ``model.rng``,
already saved by checkpoints, so a resumed run draws the same masks.
``uniform`` here is the NumPy form; ``glassnet.gpu.kernels`` computes the
same numbers on the GPU (tested equal bit for bit).
"""

from __future__ import annotations

import numpy as np

GAMMA = 0x9E3779B97F4A7C15
MIX_1 = 0xBF58476D1CE4E5B9
MIX_2 = 0x94D049BB133111EB


def uniform(key: int, shape: tuple[int, ...], dtype) -> np.ndarray:
    """u ~ U[0, 1) of ``shape`` from ``key``: the outputs 1, 2, … of
    SplitMix64 seeded with ``key``, in row-major order."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    s = np.uint64(key) + (np.arange(1, n + 1, dtype=np.uint64)   # s_i = k + (i+1)γ
                          * np.uint64(GAMMA))
    z = (s ^ (s >> np.uint64(30))) * np.uint64(MIX_1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX_2)
    z ^= z >> np.uint64(31)
    if dtype == np.float32:
        u = (z >> np.uint64(40)).astype(np.float64) * 2.0**-24
    else:
        u = (z >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return u.astype(dtype).reshape(shape)

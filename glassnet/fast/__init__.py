"""Faster forms of core formulas, each tested equal to the readable one.

NumPy-only forms (``colsum``, ``adam``'s in-place update, ``lstm``'s fused
gates) always run. Kernels that need an optional package run when it is
installed — numba (``pip install "glassnet[fast]"``: ``adam``'s fused loop,
``relu``) and SciPy's BLAS (``gemm``: dW += xᵀ dz with β = 1) — and round
exactly as the NumPy lines they replace; ``use_kernels(False)`` switches
them off.
"""

from glassnet.fast._jit import use_kernels

__all__ = ["use_kernels"]

"""Faster forms of core formulas, each tested equal to the readable one.

NumPy-only forms (``colsum``, ``adam``'s in-place update, ``lstm``'s fused
gates) always run. ``gemm`` (dW += xᵀ dz as one BLAS call with β = 1) runs
where NumPy's own OpenBLAS is found; the numba kernels (``pip install
"glassnet[fast]"``: ``adam``'s fused loop, ``relu``, ``lstm_kernels``) where
numba is installed. Both round exactly as the NumPy lines they replace;
``use_kernels(False)`` switches them off.
"""

from glassnet.fast._jit import use_kernels

__all__ = ["use_kernels"]

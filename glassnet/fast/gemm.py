"""dW += xᵀ dz as one BLAS call that adds into dW (β = 1).

    dW += xᵀ dz          x: (B, n_in)   dz: (B, n_out)   dW: (n_in, n_out)

NumPy has no "multiply and add into": ``dW += x.T @ dz`` writes the product
into a fresh (n_in, n_out) array (a new allocation, its pages faulted in on
every step) and adds it to dW in a second pass. BLAS's gemm computes
C ← α·A·B + β·C, so with α = β = 1 the product goes straight into dW. SciPy's
BLAS wrappers (``scipy.linalg.blas``, imported on first use) reach it; dW's
memory, C-ordered (n_in, n_out), is the Fortran-ordered (n_out, n_in) matrix
dWᵀ, so the call computes dWᵀ += dzᵀ x with every operand in place.

Equal to ``dW += x.T @ dz`` to float rounding; bitwise when dW holds zeros
(every training step: the model zeroes the gradients first; 0 + p = p), as
``tests/test_fast_paths.py`` checks. Without SciPy, for arrays it cannot
take (another device, another dtype, non-contiguous) ``add_xt_dz`` returns
False and the caller runs its NumPy line.
"""

from __future__ import annotations

import importlib

import numpy as np

from glassnet.fast import _jit

_blas: dict = {}


def add_xt_dz(dW, x, dz) -> bool:
    """dW += xᵀ dz in one gemm call with β = 1; False when it does not apply."""
    gemm = _gemm(dW.dtype)
    if gemm is None or not (isinstance(x, np.ndarray) and isinstance(dz, np.ndarray)
                            and isinstance(dW, np.ndarray)
                            and x.dtype == dz.dtype == dW.dtype
                            and x.flags.c_contiguous and dz.flags.c_contiguous
                            and dW.flags.c_contiguous):
        return False
    c = dW.T                                           # (n_out, n_in), Fortran order
    r = gemm(1.0, dz.T, x.T, 1.0, c, 0, 1, 1)          # dWᵀ ← 1·dzᵀ x + 1·dWᵀ
    if r is not c:                                     # (a copy: never for these
        dW[...] = r.T                                  #  layouts, but stay right)
    return True


def _gemm(dtype):
    """scipy.linalg.blas.sgemm / dgemm for float32 / float64, or None."""
    key = np.dtype(dtype).char
    if key not in "fd" or not _jit.enabled():
        return None
    if "module" not in _blas:
        try:
            _blas["module"] = importlib.import_module("scipy.linalg.blas")
        except ImportError:
            _blas["module"] = None
    mod = _blas["module"]
    return None if mod is None else (mod.sgemm if key == "f" else mod.dgemm)

"""dW += xᵀ dz as one BLAS call that adds into dW (β = 1).

    dW += xᵀ dz          x: (B, n_in)   dz: (B, n_out)   dW: (n_in, n_out)

NumPy has no "multiply and add into": ``dW += x.T @ dz`` writes the product
into a fresh (n_in, n_out) array and adds it to dW in a second pass. BLAS's
gemm computes C ← α·op(A)·op(B) + β·C, so with α = β = 1 the product goes
straight into dW, in one pass.

The call goes to the BLAS that NumPy itself uses — the OpenBLAS that NumPy's
wheels ship (``numpy.libs/libscipy_openblas64_*``), found once and called
through ctypes — so it runs the same kernels as NumPy's own ``x.T @ dz``, in
the same thread pool (``OPENBLAS_NUM_THREADS`` and threadpoolctl's limits
apply to it as to NumPy). SciPy's BLAS wrappers would reach gemm too, but
through SciPy's own copy of OpenBLAS: a second thread pool, loaded after a
user's thread limits were set (it ran with 2 threads where NumPy ran with
one, 100× slower on a busy machine) and possibly another OpenBLAS version.

Equal to ``dW += x.T @ dz`` to float rounding; bitwise when dW holds zeros
(every training step: the model zeroes the gradients first; 0 + p = p), as
``tests/test_fast_paths.py`` checks. A product with a dimension of 1 is left
to NumPy, which computes it with gemv or a dot product (another order).
Where NumPy's BLAS is not found (another build: MKL, Accelerate), for
arrays it cannot take (another device or dtype, non-contiguous) or with
``use_kernels(False)``, ``add_xt_dz`` returns False and the caller runs its
NumPy line.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

from glassnet.fast import _jit

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_found: dict = {}


def add_xt_dz(dW, x, dz) -> bool:
    """dW += xᵀ dz in one gemm call with β = 1; False when it does not apply."""
    if not (_jit.enabled() and isinstance(dW, np.ndarray) and isinstance(x, np.ndarray)
            and isinstance(dz, np.ndarray) and x.dtype == dz.dtype == dW.dtype
            and x.flags.c_contiguous and dz.flags.c_contiguous
            and dW.flags.c_contiguous and x.ndim == dz.ndim == dW.ndim == 2):
        return False
    (B, n_in), n_out = x.shape, dz.shape[1]
    if min(B, n_in, n_out) == 1:   # NumPy's matmul takes gemv or a dot product
        return False               # there: another summation order
    gemm = _gemm(dW.dtype.char)
    if gemm is None:
        return False
    # row-major C (n_in, n_out) = 1 · Aᵀ · B + 1 · C with A = x (B, n_in), B = dz
    gemm(_ROW_MAJOR, _TRANS, _NO_TRANS, n_in, n_out, B, 1.0, _address(x), n_in,
         _address(dz), n_out, 1.0, _address(dW), n_out)
    return True


def _address(a: np.ndarray) -> int:
    """The data pointer (``a.ctypes`` would keep a ctypes object alive per
    view: memory that grows with every step)."""
    return a.__array_interface__["data"][0]


def _gemm(char: str):
    """cblas_sgemm / cblas_dgemm of NumPy's own OpenBLAS, or None."""
    if char not in _found:
        _found[char] = _load(char) if char in "fd" else None
    return _found[char]


def _load(char: str):
    here = os.path.dirname(np.__file__)
    paths = glob.glob(os.path.join(here + ".libs", "libscipy_openblas64_*")) + \
        glob.glob(os.path.join(here, ".dylibs", "libscipy_openblas64_*"))
    for path in paths:
        try:
            fn = getattr(ctypes.CDLL(path), f"scipy_cblas_{'s' if char == 'f' else 'd'}"
                         "gemm64_")
        except (OSError, AttributeError):
            continue
        i64, ptr = ctypes.c_int64, ctypes.c_void_p
        real = ctypes.c_float if char == "f" else ctypes.c_double
        fn.restype = None
        fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, i64, i64, i64, real,
                       ptr, i64, ptr, i64, real, ptr, i64]
        return fn
    return None

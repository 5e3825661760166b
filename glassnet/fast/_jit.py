"""numba, imported on first use: the optional ``fast`` extra.

    pip install "glassnet[fast]"          # brings numba (it needs numpy < 2.6)

Without numba nothing here is imported and every formula runs in its NumPy
form. With it, the kernels of ``glassnet.fast`` are compiled the first time
they are needed (issue 16 measured ~0.3 s to import numba and ~0.5 s to
compile a kernel; ``cache=True`` keeps the machine code in ``__pycache__``
for later runs) with

- ``error_model="numpy"``: a division by zero gives inf/NaN as in NumPy;
  numba's default ("python") checks every division and raises, which made
  the same kernel 3× slower than NumPy (issue 16's measurement);
- no ``fastmath``: no reordering and no fused multiply-add, so a kernel
  rounds exactly as the NumPy lines it replaces. Its scalars come in as
  arguments of the array's dtype (a Python float literal inside a float32
  kernel would promote the arithmetic to float64 — slower).

Each kernel is tested bitwise equal to its NumPy form (``tests/test_fast_numba.py``),
so switching them off (``glassnet.fast.use_kernels(False)``, which also
switches off the BLAS call of ``glassnet.fast.gemm``) changes the time a
step takes, never its numbers.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import numpy as np

_state = {"enabled": True, "found": None, "numba": None}
_compiled: dict[Callable, Callable] = {}


def use_kernels(on: bool = True) -> None:
    """Switch the numba kernels and the β = 1 gemm call on (the default where
    numba / NumPy's OpenBLAS are found) or off."""
    _state["enabled"] = bool(on)


def enabled() -> bool:
    return _state["enabled"]


def available() -> bool:
    """True when numba is installed and switched on (does not import it)."""
    if _state["found"] is None:
        _state["found"] = importlib.util.find_spec("numba") is not None
    return _state["enabled"] and _state["found"]


def kernel(py_func: Callable) -> Callable | None:
    """numba's compiled ``py_func`` (compiled once), or None without numba."""
    if not available():
        return None
    fn = _compiled.get(py_func)
    if fn is None:
        if _state["numba"] is None:
            _state["numba"] = importlib.import_module("numba")
        fn = _state["numba"].njit(py_func, error_model="numpy", cache=True,
                                  nogil=True)
        _compiled[py_func] = fn
    return fn


def suits(*arrays) -> bool:
    """The kernels take C-contiguous NumPy arrays of one float dtype."""
    a0 = arrays[0]
    return a0.dtype.kind == "f" and all(
        isinstance(a, np.ndarray) and a.dtype == a0.dtype and a.flags.c_contiguous
        for a in arrays)

"""``device="cuda"``: CuPy as the array module, on the current CUDA GPU.

``load()`` runs the first time a model asks for the device. It imports
``cupy`` (from whichever wheel installed it), checks that a GPU answers, and
builds the Backend: CuPy as ``xp``, its free memory (for putting a whole
training set on the device when it fits), the fused kernels of
``glassnet.gpu.kernels`` and the dropout generator. Without CuPy, or without
a GPU, it raises a ConfigError saying which is missing and how to fix it.
"""

from __future__ import annotations

import importlib

from glassnet.core.backend import Backend
from glassnet.errors import ConfigError, expected
from glassnet.gpu import kernels

INSTALL = ("Install CuPy for your CUDA version with the GPU extra: pip install "
           "'glassnet[gpu-cuda12]' (CUDA 12.x) or 'glassnet[gpu-cuda13]' (CUDA "
           "13.x) — nvidia-smi shows the version — or train with device='cpu'.")


def load() -> Backend:
    """The CUDA backend (raises ConfigError without CuPy or without a GPU)."""
    cupy = import_cupy()
    check_gpu(cupy)
    fused = kernels.build(cupy)
    return Backend("cuda", cupy, fill_uniform=fused.uniform,
                   kernels={"adam": fused.adam},
                   free_bytes=lambda: int(cupy.cuda.runtime.memGetInfo()[0]),
                   synchronize=lambda: cupy.cuda.Device().synchronize(),
                   ufunc_where=False)


def import_cupy():
    """The ``cupy`` module, whichever wheel provides it."""
    try:
        return importlib.import_module("cupy")
    except Exception as exc:  # ImportError, or a broken install's own error
        raise ConfigError(expected("the CuPy package for device='cuda'",
                                   f"no importable cupy ({exc})", INSTALL)) from None


def check_gpu(cupy) -> int:
    """The number of CUDA devices CuPy sees (raises ConfigError when none)."""
    try:
        count, why = int(cupy.cuda.runtime.getDeviceCount()), "0 devices"
    except Exception as exc:  # CUDARuntimeError: no driver, no device
        count, why = 0, str(exc)
    if count < 1:
        version = getattr(cupy, "__version__", "?")
        raise ConfigError(expected(
            "a CUDA GPU for device='cuda'", f"CuPy {version} but no usable GPU "
            f"({why})", "Check that nvidia-smi lists a GPU and that the CUDA "
            "driver supports the cupy-cuda wheel installed (or install the "
            "matching extra, gpu-cuda12 / gpu-cuda13), or train with "
            "device='cpu'."))
    return count

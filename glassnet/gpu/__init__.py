"""The GPU: ``device="cuda"`` through CuPy.

Importing this package makes ``device="cuda"`` known to
``glassnet.core.backend``; CuPy itself is imported only when a model first
asks for the device (``glassnet.gpu.cuda.load``), so the core keeps needing
NumPy only. Whichever wheel provides ``cupy`` (``cupy-cuda12x``,
``cupy-cuda13x``, …) is used: ``pip install 'glassnet[gpu-cuda12]'`` or
``'glassnet[gpu-cuda13]'``.

- ``cuda`` — the backend: CuPy as ``xp``, its memory, its kernels.
- ``kernels`` — fused elementwise kernels, the GPU counterparts of the CPU
  fast paths (the Adam update; the dropout generator), each tested equal to
  the formula it replaces (``tests/test_gpu.py``).
- ``random`` — the counter-based generator behind dropout masks on a device,
  in NumPy: the reference the GPU kernel is tested against bit for bit.
"""

from glassnet.core import backend
from glassnet.gpu.cuda import load

backend.register_loader("cuda", load)

__all__ = ["load"]

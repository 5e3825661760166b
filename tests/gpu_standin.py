"""A pytest plugin that runs ``tests/test_gpu.py`` without a GPU.

``python -m pytest -p gpu_standin tests/test_gpu.py`` (with ``tests`` on
``sys.path``) puts a stand-in ``cupy`` module in place (the checking device's
``asarray``, ``empty``, ``ndarray``) and registers the checking device of
``checkxp`` as ``device="cuda"``, so the GPU suite's own logic runs on every
machine (``tests/test_device.py``) and cannot rot between GPU runs. Only the
real CUDA kernels are left for a real GPU.
"""

import sys
import types
from dataclasses import replace

import checkxp
import numpy as np

from glassnet.core import backend

cupy = types.ModuleType("cupy")
cupy.asarray, cupy.empty = checkxp.XP.asarray, checkxp.XP.empty
cupy.ndarray, cupy.uint64 = checkxp.DeviceArray, np.uint64
sys.modules["cupy"] = cupy
backend.register(replace(checkxp.CHECK, name="cuda"))

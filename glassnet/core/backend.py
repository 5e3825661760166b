"""The array-module seam: which library does the layer math.

Layer, loss, activation and optimizer code never calls ``numpy`` for its
math: it calls ``self.xp``, the model's array module. On the CPU that is
NumPy; a GPU backend swaps in a module with the same API (CuPy), and none of
the formulas change. The model owns the choice and hands it to everything it
builds (``Sequential(..., device=...)`` → layers, activations, loss,
optimizer).

Only two operations cross the seam, both here: ``to_device`` (user arrays,
always NumPy, onto the model's device) and ``to_host`` (results back to
NumPy for the user, files, receipts and plots).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from glassnet.errors import ConfigError, expected


@dataclass(frozen=True)
class Backend:
    """A device and its array module."""

    name: str            # "cpu"
    xp: ModuleType       # numpy, or a module with numpy's API

    def to_device(self, a: Any, dtype=None) -> Any:
        """A host array (or anything array-like) as an array of this device."""
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a: Any) -> np.ndarray:
        """An array of this device as a NumPy array (no copy on the CPU)."""
        return to_host(a)


CPU = Backend("cpu", np)
_BACKENDS: dict[str, Backend] = {"cpu": CPU}


def to_host(a: Any) -> np.ndarray:
    """NumPy view of ``a``: itself for NumPy arrays, ``a.get()`` for device
    arrays that offer it (CuPy's explicit device → host copy)."""
    if isinstance(a, np.ndarray):
        return a
    get = getattr(a, "get", None)
    return np.asarray(get() if callable(get) else a)


def register(backend: Backend) -> None:
    """Make ``device=backend.name`` available (the GPU module calls this)."""
    _BACKENDS[backend.name] = backend


def get(device: str | Backend = "cpu") -> Backend:
    """Resolve ``"cpu"`` (or a registered device name) to its Backend."""
    if isinstance(device, Backend):
        return device
    if isinstance(device, str) and device.lower() in _BACKENDS:
        return _BACKENDS[device.lower()]
    raise ConfigError(expected(f"device in {sorted(_BACKENDS)}", repr(device),
                               "Pass device='cpu'."))

"""The array-module seam: which library does the layer math.

Layer, loss, activation and optimizer code never calls ``numpy`` for its
math: it calls ``self.xp``, the model's array module. On the CPU that is
NumPy; the GPU backend (``glassnet.gpu``) swaps in CuPy, a module with the
same API, and none of the formulas change. The model owns the choice and
hands it to everything it builds (``Sequential(..., device=...)`` → layers,
activations, loss, optimizer; ``model.to(device)`` moves it all).

Only two operations cross the seam, both here: ``to_device`` (user arrays,
always NumPy, onto the model's device) and ``to_host`` (results back to
NumPy for the user, files, receipts and plots). A backend may also offer:

    fill_uniform(key, out)   u ~ U[0, 1) into a device array, from a 63-bit key
                             drawn from the model's generator (dropout masks);
                             None: the host generator fills ``out`` itself
    kernels                  fused forms of formulas, by name ({"adam": …}),
                             each tested equal to the formula it replaces
    free_bytes()             free device memory (None: the host; data stays put)
    ufunc_where              whether its ufuncs take ``where=`` (CuPy's do not)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from glassnet.errors import ConfigError, expected


@dataclass(frozen=True)
class Backend:
    """A device and its array module."""

    name: str            # "cpu", "cuda"
    xp: ModuleType       # numpy, or a module with numpy's API
    fill_uniform: Callable[[int, Any], Any] | None = None
    kernels: Mapping[str, Callable] = field(default_factory=dict)
    free_bytes: Callable[[], int] | None = None
    synchronize: Callable[[], None] = lambda: None
    ufunc_where: bool = True

    @property
    def is_host(self) -> bool:
        """True when device arrays are host arrays (the CPU)."""
        return self.free_bytes is None

    def to_device(self, a: Any, dtype=None) -> Any:
        """A host array (or anything array-like) as an array of this device."""
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a: Any) -> np.ndarray:
        """An array of this device as a NumPy array (no copy on the CPU)."""
        return to_host(a)

    def uniform(self, rng: np.random.Generator, out):
        """u ~ U[0, 1) into ``out`` (a device array), reproducibly from ``rng``,
        the model's generator: on the host ``rng`` draws u itself; a device
        draws one key from ``rng`` and computes u from it (``fill_uniform``)."""
        if self.fill_uniform is None:
            return rng.random(out=out, dtype=out.dtype)
        return self.fill_uniform(int(rng.integers(2**63)), out)

    def __repr__(self) -> str:
        return f"Backend({self.name!r})"


CPU = Backend("cpu", np)
_BACKENDS: dict[str, Backend] = {"cpu": CPU}
#: devices whose backend is built on first use (CuPy is imported only then)
_LOADERS: dict[str, Callable[[], Backend]] = {}


def to_host(a: Any) -> np.ndarray:
    """NumPy view of ``a``: itself for NumPy arrays, ``a.get()`` for device
    arrays that offer it (CuPy's explicit device → host copy)."""
    if isinstance(a, np.ndarray):
        return a
    get = getattr(a, "get", None)
    return np.asarray(get() if callable(get) else a)


def register(backend: Backend) -> None:
    """Make ``device=backend.name`` available."""
    _BACKENDS[backend.name] = backend


def register_loader(name: str, load: Callable[[], Backend]) -> None:
    """Make ``device=name`` available, built by ``load()`` on first use;
    ``load`` raises a ConfigError saying what is missing when it cannot."""
    _LOADERS[name] = load


def get(device: str | Backend = "cpu") -> Backend:
    """Resolve ``"cpu"`` / ``"cuda"`` (or a registered name) to its Backend."""
    if isinstance(device, Backend):
        return device
    key = device.lower() if isinstance(device, str) else None
    if key in _BACKENDS:
        return _BACKENDS[key]
    if key in _LOADERS:
        backend = _LOADERS[key]()
        _BACKENDS[key] = backend
        return backend
    raise ConfigError(expected(f"device in {sorted({*_BACKENDS, *_LOADERS})}",
                               repr(device), "Pass device='cpu' or device='cuda'."))

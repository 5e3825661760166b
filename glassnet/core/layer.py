"""The layer contract: what every layer declares, and the two passes it runs.

A layer is built once, when the model is constructed, from its input shape
(batch axis excluded). It declares

    param_shapes()  {name: shape} of its trainable parameters, in
                    get_weights() order — Dense: W (n_in, n_out), b (n_out,)
    state_shapes()  {name: shape} of arrays it keeps but does not train
                    (batch normalization's moving statistics); saved after
                    the parameters in get_weights()
    keeps           names of the forward values it keeps, for backward and
                    for the glass box — Dense: ("x", "z", "a")
    keeps_grad      names of the backward values it keeps — Dense: ("da", "dz")

and the model binds, once, ``params`` and ``grads`` ({name: view into the
model's flat parameter / gradient buffer}) and ``state``. Then, per batch:

    forward(x, training) -> y    keeps the ``keeps`` values as attributes
    backward(dy) -> dx           ADDS (+=) dL/dθ into ``grads`` and returns
                                 dL/dx (None for the first layer)

Gradients are only ever accumulated; the model zeroes its flat gradient
buffer once per step, so the line a reader finds (``dW += xᵀ dz``) is the
line that runs. Layers do their math with ``self.xp`` (the model's array
module, NumPy on the CPU, CuPy on a GPU) and never reach for ``numpy``
directly; ``self.backend`` is the device itself (``use(backend)`` sets both).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

from glassnet.core.backend import CPU, Backend
from glassnet.errors import ConfigError, expected

Shape = tuple[int, ...]


class Layer:
    """Base class of all layers (see the module docstring for the contract)."""

    #: forward values kept for backward and the glass box (attribute names)
    keeps: tuple[str, ...] = ()
    #: backward values kept for the glass box (attribute names)
    keeps_grad: tuple[str, ...] = ()

    def __init__(self, input_dim: int | tuple[int, ...] | None = None,
                 name: str | None = None):
        self.input_dim = _check_input_dim(input_dim)
        if name is not None and not isinstance(name, str):
            raise TypeError(expected("a str name", type(name).__name__, "Pass a str."))
        self.name = name
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None
        self.params: dict[str, Any] = {}
        self.grads: dict[str, Any] = {}
        self.state: dict[str, Any] = {}
        # set by the model before build():
        self.dtype = np.dtype(np.float32)
        self.backend: Backend = CPU
        self.xp: ModuleType = np
        self.rng: np.random.Generator | None = None
        #: False for the first layer: nobody needs dL/dx of the inputs
        self.need_input_grad = True
        self._bufs: dict[str, Any] = {}

    # -- construction ------------------------------------------------------
    def use(self, backend: Backend) -> None:
        """Do the math on ``backend``'s device (the model calls this before
        build and on ``model.to(device)``). Work buffers and the values kept
        from the last pass are dropped: the next forward makes them anew."""
        self.backend, self.xp = backend, backend.xp
        activation = getattr(self, "activation", None)
        if activation is not None:
            activation.xp = backend.xp
        self._bufs = {}
        self.__dict__.pop("_infer_bufs", None)
        for k in (*self.keeps, *self.keeps_grad, *getattr(self, "tape", ())):
            if k in self.__dict__:        # the last pass's values, on the old device
                self.__dict__[k] = None

    def build(self, input_shape: Shape) -> Shape:
        """Record the input shape; return the output shape (no batch axis)."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.input_shape
        return self.output_shape

    def param_shapes(self) -> dict[str, Shape]:
        return {}

    def state_shapes(self) -> dict[str, Shape]:
        return {}

    def init_params(self, rng: np.random.Generator, dtype) -> dict[str, np.ndarray]:
        """Initial values (host arrays) of every parameter, drawn from ``rng``."""
        return {}

    def init_state(self, dtype) -> dict[str, np.ndarray]:
        """Initial values (host arrays) of every state array."""
        return {}

    def bind(self, params: dict, grads: dict, state: dict) -> None:
        """Take the views the model allocated. Layers with parameters extend
        this to name them (``self.W, self.dW = params["W"], grads["W"]``)."""
        self.params, self.grads, self.state = params, grads, state

    # -- computation -------------------------------------------------------
    def forward(self, x, training: bool = False):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def infer(self, x):
        """Forward for prediction: a fresh output; the kept values (and the
        buffers behind them) are left as the last training pass set them."""
        kept = {k: self.__dict__[k] for k in self.keeps + self.keeps_grad
                if k in self.__dict__}
        bufs = self._bufs
        self._bufs = self.__dict__.setdefault("_infer_bufs", {})
        try:
            return self.forward(x, training=False).copy()
        finally:
            self._bufs = bufs
            self.__dict__.update(kept)

    def kept(self) -> dict[str, Any]:
        """The declared forward and backward values of the last pass."""
        return {k: self.__dict__.get(k) for k in self.keeps + self.keeps_grad}

    # -- regularisation ----------------------------------------------------
    def penalty(self) -> float:
        """Ω(θ) this layer adds to the loss (weight penalties); 0 by default."""
        return 0.0

    def add_penalty_grads(self) -> None:
        """grads += ∂Ω/∂θ."""

    # -- description -------------------------------------------------------
    def count_params(self) -> int:
        shapes = {**self.param_shapes(), **self.state_shapes()}
        return sum(math.prod(s) for s in shapes.values())

    def param_arithmetic(self) -> str:
        """How count_params() is computed, e.g. '784×15 + 15 = 11,775'."""
        return "0"

    def get_config(self) -> dict:
        """The constructor arguments; subclasses add theirs to these."""
        cfg: dict = {"name": self.name}
        if self.input_dim is not None:
            cfg["input_dim"] = list(self.input_dim)
        return cfg

    @classmethod
    def from_config(cls, cfg: dict) -> Layer:
        """Rebuild from get_config() (plain values only)."""
        cfg = dict(cfg)
        if isinstance(cfg.get("input_dim"), list):
            cfg["input_dim"] = tuple(cfg["input_dim"])
        try:
            return cls(**cfg)
        except TypeError as exc:
            raise ConfigError(expected(f"the arguments of {cls.__name__}",
                                       sorted(cfg), str(exc))) from None

    # -- work buffers ------------------------------------------------------
    def _buffer(self, key: str, shape: Shape, dtype=None):
        """A reusable work buffer: the leading rows of the largest one seen.

        Reallocated only when a batch is larger than any before (or the
        trailing shape changes), so full and partial batches share memory.
        """
        dtype = self.dtype if dtype is None else dtype
        buf = self._bufs.get(key)
        if (buf is None or buf.shape[1:] != tuple(shape[1:])
                or buf.shape[0] < shape[0] or buf.dtype != dtype):
            buf = self.xp.empty(shape, dtype=dtype)
            self._bufs[key] = buf
        return buf[: shape[0]]

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


def _check_input_dim(input_dim) -> Shape | None:
    if input_dim is None:
        return None
    dims = (input_dim,) if isinstance(input_dim, int | np.integer) else \
        tuple(input_dim) if isinstance(input_dim, tuple | list) else ()
    if not dims or any(not isinstance(d, int | np.integer) or isinstance(d, bool)
                       or d <= 0 for d in dims):
        raise ConfigError(expected("input_dim as a positive int or tuple of "
                                   "positive ints", repr(input_dim),
                                   "Pass e.g. input_dim=784."))
    return tuple(int(d) for d in dims)

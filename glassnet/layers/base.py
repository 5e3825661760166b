"""The layer contract every glassnet layer follows.

A layer is built once, at model construction, from its input shape
(batch axis excluded) and declares its parameters; the model allocates them
as views into one flat buffer and hands them back through ``bind``.

    forward(x, training)  -> y      stores exactly what backward needs
    backward(dy, accumulate=True) -> dx
                                    adds (+=) dL/dθ into the bound gradient
                                    views (or writes them when accumulate is
                                    False) and returns dL/dx
"""

from __future__ import annotations

import numpy as np

from glassnet.errors import ConfigError, expected


class Layer:
    """Base class of all layers."""

    #: names of the trainable parameters, in get_weights() order
    param_names: tuple[str, ...] = ()

    def __init__(self, input_dim: int | tuple[int, ...] | None = None,
                 name: str | None = None):
        if input_dim is not None:
            dims = (input_dim,) if isinstance(input_dim, int | np.integer) else \
                tuple(input_dim)
            if not dims or any(not isinstance(d, int | np.integer) or isinstance(
                    d, bool) or d <= 0 for d in dims):
                raise ConfigError(expected("input_dim as a positive int or tuple of "
                                           "positive ints", repr(input_dim),
                                           "Pass e.g. input_dim=784."))
            input_dim = tuple(int(d) for d in dims)
        if name is not None and not isinstance(name, str):
            raise TypeError(expected("a str name", type(name).__name__, "Pass a str."))
        self.input_dim = input_dim
        self.name = name
        self.input_shape: tuple[int, ...] | None = None
        self.output_shape: tuple[int, ...] | None = None
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        #: set False by the model for the first layer (dL/dx is not needed)
        self.need_input_grad = True
        self.rng: np.random.Generator | None = None
        self.dtype = np.dtype(np.float32)

    # -- construction ------------------------------------------------------
    def build(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Record the input shape and return the output shape (no batch axis)."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.input_shape
        return self.output_shape

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {}

    def init_params(self, rng: np.random.Generator, dtype) -> dict[str, np.ndarray]:
        """Initial values of every parameter (drawn from ``rng``)."""
        return {}

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]):
        """Take views into the model's flat parameter and gradient buffers."""
        self.params, self.grads = params, grads
        for k in self.param_names:
            setattr(self, k, params[k])
            setattr(self, "d" + k, grads[k])

    # -- computation -------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray, accumulate: bool = True) -> np.ndarray:
        raise NotImplementedError

    def infer(self, x: np.ndarray) -> np.ndarray:
        """Forward for prediction: no stored state, fresh output."""
        return self.forward(x, training=False).copy()

    # -- regularisation ----------------------------------------------------
    def penalty(self) -> float:
        return 0.0

    def add_penalty_grads(self) -> None:
        pass

    # -- description -------------------------------------------------------
    def count_params(self) -> int:
        return int(sum(np.prod(s) for s in self.param_shapes().values()))

    def param_arithmetic(self) -> str:
        """How count_params() is computed, e.g. '784×15 + 15 = 11,775'."""
        return "0"

    def get_config(self) -> dict:
        return {"name": self.name}

    def _buffer(self, key: str, shape: tuple[int, ...]) -> np.ndarray:
        """A reusable work buffer: the leading rows of the largest one seen.

        Reallocated only when a batch is larger than any before (or the trailing
        shape changes), so alternating full and partial batches reuse memory.
        """
        buf = self.__dict__.get("_buf_" + key)
        if (buf is None or buf.shape[1:] != shape[1:] or buf.shape[0] < shape[0]
                or buf.dtype != self.dtype):
            buf = np.empty(shape, dtype=self.dtype)
            self.__dict__["_buf_" + key] = buf
        return buf[: shape[0]]

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"

"""Where every parameter lives: the flat buffers' layout and the weights list.

A model's parameters and gradients are two contiguous arrays (``flat_params``,
``flat_grads``); ``layout`` gives each parameter a ``Slot`` in them, each
view starting on a 64-byte boundary. ``get_weights()`` lists every layer's
parameters, then its state (``weight_entries``); ``checked_weights`` checks
a list given to ``set_weights`` against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from glassnet.core.layer import Layer
from glassnet.errors import ShapeError, expected

_ALIGN = 16  # elements: each parameter view starts on a 64-byte boundary


@dataclass(frozen=True)
class Slot:
    """Where one parameter lives in the flat buffers (and in optimizer state)."""

    layer: Layer
    name: str                  # "W"
    shape: tuple[int, ...]
    offset: int
    size: int

    @property
    def key(self) -> str:      # "dense_1.W"
        return f"{self.layer.name}.{self.name}"

    def of(self, flat):
        """This parameter's part of any flat buffer (θ, g, Adam's m, …)."""
        return flat[self.offset:self.offset + self.size].reshape(self.shape)


def layout(layers: list[Layer]) -> tuple[list[Slot], int]:
    """A Slot for every parameter of every layer, in order; the buffer length."""
    slots, offset = [], 0
    for layer in layers:
        for pname, pshape in layer.param_shapes().items():
            size = math.prod(pshape)
            slots.append(Slot(layer, pname, tuple(pshape), offset, size))
            offset += -(-size // _ALIGN) * _ALIGN
    return slots, offset


def weight_entries(layers: list[Layer]) -> list[tuple[str, dict, str, tuple]]:
    """(key, dict holding it, name, shape) in get_weights() order: each
    layer's parameters, then its state."""
    out = []
    for layer in layers:
        for d, shapes in ((layer.params, layer.param_shapes()),
                          (layer.state, layer.state_shapes())):
            out += [(f"{layer.name}.{k}", d, k, tuple(s))
                    for k, s in shapes.items()]
    return out


def checked_weights(slots: list[tuple[str, dict, str, tuple]], weights,
                    dtype) -> list[np.ndarray]:
    """``weights`` (get_weights() order) as arrays of ``dtype``, each checked
    for its shape and for finite values against ``slots`` (weight_entries)."""
    if not isinstance(weights, list | tuple) or len(weights) != len(slots):
        got = len(weights) if isinstance(weights, list | tuple) else \
            type(weights).__name__
        raise ShapeError(expected(f"a list of {len(slots)} arrays "
                                  f"{[s for *_, s in slots]}", got,
                                  "Pass get_weights()-ordered arrays."))
    arrays = []
    for (key, _, _, shape), w in zip(slots, weights, strict=True):
        arr = np.asarray(w, dtype=dtype)
        if arr.shape != shape:
            raise ShapeError(expected(f"{key} of shape {shape}",
                                      f"shape {arr.shape}",
                                      "W is (n_in, n_out) and b is (n_out,)."))
        if not np.isfinite(arr).all():
            raise ShapeError(expected(f"finite values for {key}", "NaN or inf",
                                      "Check the weights."))
        arrays.append(arr)
    return arrays

"""The graph being exported: nodes and weights, named once, made into ONNX
objects by the ``onnx`` module that the exporter's entry function imports.

Converters (``converters.py``, ``recurrent.py``) only ever call

    g.op("MatMul", [x, w])          → the output name of a new node
    g.const("W", array)             → the name of a new float32 (or int64) weight

so none of them imports ``onnx``, which is an optional extra.
"""

from __future__ import annotations

import numpy as np

from glassnet.core.backend import to_host
from glassnet.errors import ConfigError, expected


class Graph:
    """Nodes (in order) and initializers of one ONNX graph."""

    def __init__(self, onnx_module, prefix: str = ""):
        self.onnx = onnx_module
        self.nodes: list = []
        self.initializers: list = []
        self.prefix = prefix          # the current layer's name, for readable names
        self._used: dict[str, int] = {}

    def name(self, base: str) -> str:
        """A name not used before in this graph: 'dense/MatMul', 'dense/MatMul_1'."""
        base = f"{self.prefix}/{base}" if self.prefix else base
        n = self._used.get(base, 0)
        self._used[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def const(self, base: str, value) -> str:
        """A weight: floats become float32, integers int64."""
        arr = to_host(value) if not isinstance(value, int | float | list) \
            else np.asarray(value)
        arr = arr.astype(np.int64 if arr.dtype.kind in "iub" else np.float32)
        name = self.name(base)
        self.initializers.append(self.onnx.numpy_helper.from_array(arr, name))
        return name

    def op(self, op_type: str, inputs: list[str], n_out: int = 1,
           output: str | None = None, **attrs):
        """Add one node; its output name (a list of names when n_out > 1).
        ``output`` names the (single) output, e.g. the graph's "output"."""
        name = self.name(op_type)
        outputs = [output or name] if n_out == 1 else \
            [f"{name}:{i}" for i in range(n_out)]
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, outputs,
                                                     name=name, **attrs))
        return outputs[0] if n_out == 1 else outputs


def unsupported(layer, what: str, fix: str) -> ConfigError:
    """The error for a layer (or a setting of one) ONNX cannot express here."""
    return ConfigError(expected("a layer the ONNX exporter can express",
                                f"layer '{layer.name}' ({what})", fix))

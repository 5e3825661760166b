"""The activations f(z) as ONNX ops: ``activation(g, act, z)`` adds the ops of
``act`` (a glassnet activation object) after ``z`` and returns the output name.
Dense, Activation and Conv2D converters share it (``converters.py``,
``images.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet.errors import ConfigError, expected
from glassnet.export.graph import Graph


def _gelu(g: Graph, act, z: str) -> str:
    """GELU, tanh form (as glassnet computes it; ONNX's Gelu op needs opset 20):
    0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))."""
    z3 = g.op("Mul", [g.op("Mul", [z, z]), z])
    inner = g.op("Add", [z, g.op("Mul", [z3, g.const("k", 0.044715)])])
    t = g.op("Tanh", [g.op("Mul", [inner, g.const("c", np.sqrt(2 / np.pi))])])
    half_z = g.op("Mul", [z, g.const("half", 0.5)])
    return g.op("Mul", [half_z, g.op("Add", [t, g.const("one", 1.0)])])


ACTIVATIONS: dict[str, Callable[[Graph, object, str], str]] = {
    "linear": lambda g, a, z: z,
    "step": lambda g, a, z: g.op("Cast", [g.op("GreaterOrEqual",
                                               [z, g.const("zero", 0.0)])], to=1),
    "sigmoid": lambda g, a, z: g.op("Sigmoid", [z]),
    "tanh": lambda g, a, z: g.op("Tanh", [z]),
    "relu": lambda g, a, z: g.op("Relu", [z]),
    "leaky_relu": lambda g, a, z: g.op("LeakyRelu", [z], alpha=float(a.alpha)),
    "elu": lambda g, a, z: g.op("Elu", [z], alpha=float(a.alpha)),
    "softplus": lambda g, a, z: g.op("Softplus", [z]),
    "gelu": _gelu,
    "silu": lambda g, a, z: g.op("Mul", [z, g.op("Sigmoid", [z])]),   # z·σ(z)
    "softmax": lambda g, a, z: g.op("Softmax", [z], axis=-1),
}


def activation(g: Graph, act, z: str) -> str:
    convert = ACTIVATIONS.get(act.name)
    if convert is None:
        raise ConfigError(expected(f"an activation in {sorted(ACTIVATIONS)}",
                                   repr(act.name), "The ONNX exporter cannot "
                                   "express this activation."))
    return convert(g, act, z)

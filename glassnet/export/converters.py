"""One small converter per layer type: ``CONVERTERS[type name](g, layer, x)``
adds the layer's inference computation to the graph ``g`` and returns the
name of its output. A layer type missing here cannot be exported (the
exporter says which layer, never writes a wrong graph).

Tensors keep glassnet's layout in the graph: batch first, (B, F) for Dense,
(B, T, F) for sequences and (B, H, W, C) for images. ONNX's Conv and pooling
ops want (B, C, H, W): their converters wrap the op in ``to_nchw`` /
``to_nhwc``. A new layer type plugs in by adding its converter here (the
recurrent ones are in ``recurrent.py``, registered below).

For the image layers (not exported yet — they land on another branch; each
needs its converter and a test against onnxruntime like
``tests/test_onnx_export.py``'s):

    Conv2D     kernel (kh, kw, c_in, filters) → ONNX W (filters, c_in, kh, kw)
               = kernel.transpose(3, 2, 0, 1); to_nchw → Conv(strides, pads)
               → Add bias (reshaped (1, filters, 1, 1)) → to_nhwc → activation
    MaxPool2D / AvgPool2D   to_nchw → MaxPool / AveragePool → to_nhwc
    GlobalAvgPool2D         ReduceMean over axes (1, 2) of the NHWC tensor
    BatchNormalization      inference: y = γ (x − μ) / √(σ² + ε) + β on the
               last axis: Mul/Add with per-channel constants, no transpose
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet.errors import ConfigError, expected
from glassnet.export.graph import Graph, unsupported
from glassnet.export.recurrent import gru, lstm, simple_rnn


def dense(g: Graph, layer, x: str) -> str:
    """z = x W + b, a = f(z): MatMul, Add, the activation (x may carry extra
    leading axes, (B, T, F) in TimeDistributed)."""
    z = g.op("MatMul", [x, g.const("W", layer.W)])                 # x W
    if layer.use_bias:
        z = g.op("Add", [z, g.const("b", layer.b)])                # + b
    return activation(g, layer.activation, z)


def activation_layer(g: Graph, layer, x: str) -> str:
    return activation(g, layer.activation, x)


def identity(g: Graph, layer, x: str) -> str:
    """Dropout at inference: y = x (no node needed)."""
    return x


def flatten(g: Graph, layer, x: str) -> str:
    """(B, d1, d2, …) → (B, d1·d2·…), row-major as NumPy's reshape."""
    return g.op("Flatten", [x], axis=1)


def time_distributed(g: Graph, layer, x: str) -> str:
    """The wrapped layer on (B, T, F): Dense, Activation and Dropout need no
    reshape (MatMul and the activations broadcast over T)."""
    inner = type(layer.layer).__name__
    if inner not in ("Dense", "Activation", "Dropout"):
        raise unsupported(layer, f"TimeDistributed({inner})",
                          "TimeDistributed exports around Dense, Activation or "
                          "Dropout only.")
    return CONVERTERS[inner](g, layer.layer, x)


# -- activations: f(z) as ONNX ops ------------------------------------------
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


# -- layout helpers for the image layers (Conv2D, pooling) -------------------
def to_nchw(g: Graph, x: str) -> str:
    """(B, H, W, C) → (B, C, H, W), the layout of ONNX's Conv and pooling."""
    return g.op("Transpose", [x], perm=[0, 3, 1, 2])


def to_nhwc(g: Graph, x: str) -> str:
    """(B, C, H, W) → (B, H, W, C), back to glassnet's layout."""
    return g.op("Transpose", [x], perm=[0, 2, 3, 1])


CONVERTERS: dict[str, Callable[[Graph, object, str], str]] = {
    "Dense": dense,
    "Activation": activation_layer,
    "Dropout": identity,
    "Flatten": flatten,
    "TimeDistributed": time_distributed,
    "SimpleRNN": simple_rnn,
    "LSTM": lstm,
    "GRU": gru,
}

"""One small converter per layer type: ``CONVERTERS[type name](g, layer, x)``
adds the layer's inference computation to the graph ``g`` and returns the
name of its output. A layer type missing here cannot be exported (the
exporter says which layer, never writes a wrong graph).

Tensors keep glassnet's layout in the graph: batch first, (B, F) for Dense,
(B, T, F) for sequences and (B, H, W, C) for images. A new layer type plugs in
by adding its converter here; the recurrent ones are in ``recurrent.py``, the
image ones (Conv2D, pooling: NCHW ops wrapped in transposes) in ``images.py``,
the activations in ``activations.py``, all registered below.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet.core.backend import to_host
from glassnet.export.activations import ACTIVATIONS, activation
from glassnet.export.graph import Graph, unsupported
from glassnet.export.images import avg_pool, conv2d, global_avg_pool, max_pool
from glassnet.export.recurrent import gru, lstm, simple_rnn

__all__ = ["ACTIVATIONS", "CONVERTERS"]


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


def reshape(g: Graph, layer, x: str) -> str:
    """(B, d1, d2, …) → (B, *target_shape), row-major as NumPy's reshape (the
    0 keeps the batch axis: ONNX's Reshape copies a 0 from the input)."""
    return g.op("Reshape", [x, g.const("shape", [0, *layer.target_shape])])


def batch_normalization(g: Graph, layer, x: str) -> str:
    """Inference form on the last axis, as glassnet's ``infer``:
    a = (x − moving_mean) · s + β,  s = γ / √(moving_variance + ε)   (C,) each,
    broadcast over (B, C) after Dense and (B, H, W, C) after Conv2D."""
    gamma, var = _host(layer.gamma), _host(layer.moving_variance)
    s = gamma / np.sqrt(var + layer.epsilon)                       # γ / √(σ² + ε)
    centred = g.op("Sub", [x, g.const("moving_mean", layer.moving_mean)])
    scaled = g.op("Mul", [centred, g.const("scale", s)])
    return g.op("Add", [scaled, g.const("beta", layer.beta)])


def rescale(g: Graph, layer, x: str) -> str:
    """ŷ = z ⊙ σ + μ: a regression's predictions back in the targets' units
    (σ, μ (n,), the standardisation of the training targets)."""
    scaled = g.op("Mul", [x, g.const("scale", layer.state["scale"])])   # z σ
    return g.op("Add", [scaled, g.const("mean", layer.state["mean"])])  # + μ


def time_distributed(g: Graph, layer, x: str) -> str:
    """The wrapped layer on (B, T, F): Dense, Activation and Dropout need no
    reshape (MatMul and the activations broadcast over T)."""
    inner = type(layer.layer).__name__
    if inner not in ("Dense", "Activation", "Dropout"):
        raise unsupported(layer, f"TimeDistributed({inner})",
                          "TimeDistributed exports around Dense, Activation or "
                          "Dropout only.")
    return CONVERTERS[inner](g, layer.layer, x)


CONVERTERS: dict[str, Callable[[Graph, object, str], str]] = {
    "Dense": dense,
    "Activation": activation_layer,
    "Dropout": identity,
    "Flatten": flatten,
    "TimeDistributed": time_distributed,
    "Reshape": reshape,
    "Conv2D": conv2d,
    "MaxPool2D": max_pool,
    "AvgPool2D": avg_pool,
    "GlobalAvgPool2D": global_avg_pool,
    "BatchNormalization": batch_normalization,
    "Rescale": rescale,
    "SimpleRNN": simple_rnn,
    "LSTM": lstm,
    "GRU": gru,
}


def _host(a) -> np.ndarray:
    return np.asarray(to_host(a), dtype=np.float64)

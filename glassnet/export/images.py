"""Conv2D and the pooling layers as ONNX's Conv, MaxPool, AveragePool and
GlobalAveragePool.

The graph keeps glassnet's NHWC layout (B, H, W, C) between layers; ONNX's
image ops want NCHW (B, C, H, W), so each converter wraps its op in
``to_nchw`` / ``to_nhwc``. Padding is written out as numbers, the same
((top, bottom), (left, right)) that ``glassnet.core.image.geometry`` chose —
for padding="same" the extra row / column at the bottom / right, as Keras —
so ONNX never guesses it (ONNX ``pads`` = [top, left, bottom, right]).
"""

from __future__ import annotations

import numpy as np

from glassnet.core.backend import to_host
from glassnet.export.activations import activation
from glassnet.export.graph import Graph


def conv2d(g: Graph, layer, x: str) -> str:
    """z = x̃ ∗ K + bias, a = f(z): Conv with W = Kᵀ, then the activation.

    glassnet K (kh, kw, C, F) → ONNX W (F, C, kh, kw) = K.transpose(3, 2, 0, 1);
    both compute the cross-correlation z[b, p, q, f] =
    Σ_{i, j, c} x̃[b, p·s_h + i, q·s_w + j, c] · K[i, j, c, f] + bias[f]."""
    W = np.asarray(to_host(layer.kernel)).transpose(3, 2, 0, 1)   # (F, C, kh, kw)
    inputs = [to_nchw(g, x), g.const("W", W)]
    if layer.use_bias:
        inputs.append(g.const("B", layer.bias))                    # (F,)
    z = g.op("Conv", inputs, kernel_shape=list(layer.kernel_size),
             strides=list(layer.strides), pads=_pads(layer.geo))   # (B, F, H', W')
    return activation(g, layer.activation, to_nhwc(g, z))          # (B, H', W', F)


def max_pool(g: Graph, layer, x: str) -> str:
    """a[b, p, q, c] = max_{i, j} x̃[b, p·s_h + i, q·s_w + j, c]; ONNX's MaxPool
    leaves padding out of the max, as glassnet's −∞ border does."""
    a = g.op("MaxPool", [to_nchw(g, x)], kernel_shape=list(layer.pool_size),
             strides=list(layer.strides), pads=_pads(layer.geo))
    return to_nhwc(g, a)


def avg_pool(g: Graph, layer, x: str) -> str:
    """a[b, p, q, c] = (1/n_pq) Σ_{i, j} x̃[b, p·s_h + i, q·s_w + j, c], n_pq the
    real (not padding) inputs of the window: AveragePool count_include_pad=0."""
    a = g.op("AveragePool", [to_nchw(g, x)], kernel_shape=list(layer.pool_size),
             strides=list(layer.strides), pads=_pads(layer.geo),
             count_include_pad=0)
    return to_nhwc(g, a)


def global_avg_pool(g: Graph, layer, x: str) -> str:
    """a[b, c] = (1/(H·W)) Σ_{h, w} x[b, h, w, c]: GlobalAveragePool (B, C, 1, 1)
    then Flatten to (B, C) — ops that read the same in every opset (ReduceMean
    moved its axes to an input in opset 18)."""
    a = g.op("GlobalAveragePool", [to_nchw(g, x)])                 # (B, C, 1, 1)
    return g.op("Flatten", [a], axis=1)                            # (B, C)


def to_nchw(g: Graph, x: str) -> str:
    """(B, H, W, C) → (B, C, H, W), the layout of ONNX's Conv and pooling."""
    return g.op("Transpose", [x], perm=[0, 3, 1, 2])


def to_nhwc(g: Graph, x: str) -> str:
    """(B, C, H, W) → (B, H, W, C), back to glassnet's layout."""
    return g.op("Transpose", [x], perm=[0, 2, 3, 1])


def _pads(geo) -> list[int]:
    """glassnet ((top, bottom), (left, right)) → ONNX [top, left, bottom, right]."""
    (top, bottom), (left, right) = geo.pads
    return [top, left, bottom, right]

"""SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops.

glassnet is batch-first (B, T, F) with W (F, k·H), U (H, k·H); ONNX wants
time-major X (T, B, F) (onnxruntime's CPU kernels refuse ``layout=1``), and
per direction W (k·H, F) = Wᵀ, R (k·H, H) = Uᵀ, B = [W_b | R_b] (2·k·H). The
gate blocks are reordered:

    LSTM  glassnet (i, f, g, o)  →  ONNX (i, o, f, c)
    GRU   glassnet (r, z, n)     →  ONNX (z, r, h), linear_before_reset=1:
          glassnet's n = tanh(x W_n + b_in,n + r ⊙ (h U_n + b_rec,n)), the
          reset applied after the recurrent product (PyTorch's form)

Outputs: Y (T, 1, B, H) → every h_t as (B, T, H) with return_sequences,
else Y_h (1, B, H) → h_T as (B, H).
"""

from __future__ import annotations

import numpy as np

from glassnet.core.backend import to_host
from glassnet.export.graph import Graph, unsupported

LSTM_ORDER = (0, 3, 1, 2)        # ONNX block j holds glassnet block LSTM_ORDER[j]
GRU_ORDER = (1, 0, 2)


def simple_rnn(g: Graph, layer, x: str) -> str:
    """h_t = tanh(x_t W + h_{t−1} U + b)  as ONNX RNN (activation Tanh)."""
    b = _host(layer.b)
    return _recurrent(g, layer, x, "RNN", _host(layer.W), _host(layer.U),
                      np.concatenate([b, np.zeros_like(b)]), (0,),
                      activations=["Tanh"])


def lstm(g: Graph, layer, x: str) -> str:
    """The four gates reordered (i, f, g, o) → (i, o, f, c); one bias."""
    b = _blocks(_host(layer.b), LSTM_ORDER)
    return _recurrent(g, layer, x, "LSTM", _host(layer.W), _host(layer.U),
                      np.concatenate([b, np.zeros_like(b)]), LSTM_ORDER)


def gru(g: Graph, layer, x: str) -> str:
    """Gates reordered (r, z, n) → (z, r, h); both biases; linear_before_reset."""
    B = np.concatenate([_blocks(_host(layer.b_input), GRU_ORDER),
                        _blocks(_host(layer.b_recurrent), GRU_ORDER)])
    return _recurrent(g, layer, x, "GRU", _host(layer.W), _host(layer.U), B,
                      GRU_ORDER, linear_before_reset=1)


def _recurrent(g: Graph, layer, x: str, op: str, W, U, B, order, **attrs) -> str:
    _check(layer)
    H = layer.units
    w = g.const("W", _blocks(W, order).T[None])              # (1, k·H, F)
    r = g.const("R", _blocks(U, order).T[None])              # (1, k·H, H)
    xt = g.op("Transpose", [x], perm=[1, 0, 2])              # (B, T, F) → (T, B, F)
    Y, Y_h = g.op(op, [xt, w, r, g.const("B", B[None])], n_out=2,
                  hidden_size=H, **attrs)
    if layer.return_sequences:
        y = g.op("Squeeze", [Y, g.const("axes", [1])])       # (T, B, H)
        return g.op("Transpose", [y], perm=[1, 0, 2])        # (B, T, H)
    return g.op("Squeeze", [Y_h, g.const("axes", [0])])      # h_T  (B, H)


def _blocks(a: np.ndarray, order) -> np.ndarray:
    """The k gate blocks of the last axis, in ``order``."""
    parts = np.split(a, len(order), axis=-1)
    return np.concatenate([parts[i] for i in order], axis=-1)


def _host(a) -> np.ndarray:
    return np.asarray(to_host(a), dtype=np.float64)


def _check(layer) -> None:
    """What the ONNX ops cannot say: masked steps, a set initial state."""
    kind = type(layer).__name__
    if layer.mask_value is not None:
        raise unsupported(layer, f"{kind} with mask_value={layer.mask_value}",
                          "ONNX's recurrent ops have no masking: export a model "
                          "trained without mask_value (pad to full length).")
    if layer.initial_state is not None or getattr(layer, "initial_cell", None) \
            is not None:
        raise unsupported(layer, f"{kind} with an initial_state set",
                          "Clear layer.initial_state (zeros) before exporting.")

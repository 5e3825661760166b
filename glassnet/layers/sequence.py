"""Sequence utilities: padding with masks, a per-step wrapper, BPTT receipts.

- ``pad_sequences``: variable-length sequences → one (N, T, F) array + mask.
- ``TimeDistributed``: apply a layer (e.g. Dense) to every time step — the
  output head of a many-to-many network.
- ``RecurrentReceipt``: ∂L/∂U[i, j] written as its sum over time steps.
- ``orthogonal``: the recurrent-weight initializer.
"""


from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from glassnet import initializers
from glassnet.core.layer import Layer
from glassnet.errors import ConfigError, ShapeError, expected


def orthogonal(shape: tuple[int, int], rng: np.random.Generator, dtype) -> np.ndarray:
    """(H, k·H) with every (H, H) gate block orthogonal (Saxe et al., 2014).

    Gram–Schmidt on Gaussian columns (each pass run twice, for round-off):
    the Q of a QR decomposition with diag(R) > 0, so uniformly distributed.
    Written out rather than np.linalg.qr, whose threaded LAPACK can take a
    second for a 128 × 128 matrix on a busy machine.
    """
    n, m = shape
    blocks = []
    for _ in range(m // n):
        a = rng.standard_normal((n, n))
        q = np.zeros_like(a)
        for k in range(n):
            v = a[:, k]
            for _ in range(2):
                v = v - q[:, :k] @ (q[:, :k].T @ v)    # remove earlier directions
            q[:, k] = v / np.sqrt(v @ v)
        blocks.append(q)
    return np.concatenate(blocks, axis=1).astype(dtype)


def init_from_config(cfg):
    if isinstance(cfg, dict) and cfg.get("name") == "orthogonal":
        return "orthogonal"
    return initializers.from_config(cfg)


def sequence_dim(input_dim, owner: str):
    """input_dim=F means (any number of steps, F); (T, F) fixes T (T may be None)."""
    if input_dim is None:
        return None
    dims = (input_dim,) if isinstance(input_dim, numbers.Integral) else \
        tuple(input_dim) if isinstance(input_dim, tuple | list) else None
    if dims is not None and len(dims) == 1:
        dims = (None, dims[0])

    def ok(d, allow_none):
        return (d is None and allow_none) or (isinstance(d, numbers.Integral) and
                                              not isinstance(d, bool) and d > 0)
    if dims is None or len(dims) != 2 or not ok(dims[0], True) \
            or not ok(dims[1], False):
        raise ConfigError(expected(f"input_dim for {owner} as the features per step "
                                   "(an int) or (n_steps, n_features)",
                                   repr(input_dim), "Pass e.g. input_dim=28 for "
                                   "MNIST rows (28 features per step)."))
    return (None if dims[0] is None else int(dims[0]), int(dims[1]))


@dataclass
class RecurrentReceipt:
    """∂L/∂U[i, j] as the sum of its per-time-step contributions."""

    layer: str
    i: int
    j: int
    gate: str
    unit: int
    contributions: list[float]
    total: float
    gradient: float

    def text(self, max_steps: int | None = None) -> str:
        """Plain-text receipt; ``max_steps`` keeps the first and last steps only."""
        lines = [f"receipt for {self.layer}.U[{self.i}, {self.j}]  (gate "
                 f"'{self.gate}', unit {self.unit}; from h_{{t−1}}[{self.i}])",
                 f"∂L/∂U[{self.i},{self.j}] = Σ_t Σ_batch h_{{t−1}}[:, {self.i}] · "
                 f"δ_t[:, {self.j}]"]
        width = len(str(len(self.contributions)))
        steps = list(enumerate(self.contributions))
        if max_steps is not None and len(steps) > max_steps:
            half = max(max_steps // 2, 1)
            steps = steps[:half] + [None] + steps[-half:]
        lines += ["  …" if s is None else f"  t = {s[0]:>{width}}   {s[1]:+.6e}"
                  for s in steps]
        rel = abs(self.total - self.gradient) / max(abs(self.total) +
                                                    abs(self.gradient), 1e-30)
        lines += [f"  sum {'':>{width}}   {self.total:+.6e}",
                  f"  dU  {'':>{width}}   {self.gradient:+.6e}   (backprop; "
                  f"relative difference {rel:.1e})"]
        return "\n".join(lines)

    __str__ = text


def weight_receipt(layer, i: int, j: int) -> RecurrentReceipt:
    """The receipt for ``layer.U[i, j]`` from the states and deltas that the
    layer stored in its last forward / backward (``Hs`` and ``dZ_rec``)."""
    if getattr(layer, "dZ_rec", None) is None:
        raise ConfigError("no backward pass yet: call model.gradients(X, y) (or "
                          "train a step) before asking for a receipt.")
    H, cols = layer.units, layer.U.shape[1]
    if not (0 <= i < H and 0 <= j < cols):
        raise ConfigError(expected(f"0 ≤ i < {H} and 0 ≤ j < {cols}",
                                   f"i={i}, j={j}", "Index inside U."))
    if layer.Hs.shape[:2] != (layer.dZ_rec.shape[0] + 1, layer.dZ_rec.shape[1]):
        raise ConfigError("a forward pass replaced the states of the last backward "
                          "pass: ask for the receipt right after "
                          "model.gradients(X, y).")
    h_prev = layer.Hs[:-1, :, i].astype(np.float64)     # (T, B)
    delta = layer.dZ_rec[:, :, j].astype(np.float64)    # (T, B)
    terms = np.einsum("tb,tb->t", h_prev, delta)        # one term per step
    return RecurrentReceipt(layer.name, i, j, layer.gates[j // H], j % H,
                            [float(v) for v in terms], float(terms.sum()),
                            float(layer.dU[i, j]))


def pad_sequences(sequences, maxlen: int | None = None, value: float = 0.0,
                  padding: str = "post", truncating: str = "post",
                  dtype="float32") -> tuple[np.ndarray, np.ndarray]:
    """Stack variable-length sequences into X (N, T, F) and a mask (N, T).

    Each sequence is (T_i, F) or (T_i,) (one feature). Shorter ones are filled
    with ``value`` after the data (``padding="post"``) or before it ("pre");
    longer ones lose their end ("post") or start ("pre"). mask[n, t] is True on
    real steps. Give the recurrent layer ``mask_value=value`` so that padded
    steps change neither its state nor its gradients.
    """
    if not isinstance(sequences, list | tuple) or not sequences:
        raise ShapeError(expected("a non-empty list of sequences",
                                  repr(sequences)[:60], "Pass e.g. "
                                  "[np.ones((5, 2)), np.ones((3, 2))]."))
    for k, v in (("padding", padding), ("truncating", truncating)):
        if v not in ("pre", "post"):
            raise ConfigError(expected(f"{k} 'pre' or 'post'", repr(v), "Pick one."))
    seqs = []
    for n, s in enumerate(sequences):
        a = np.asarray(s, dtype=dtype)
        a = a[:, None] if a.ndim == 1 else a
        if a.ndim != 2 or not np.isfinite(a).all():
            raise ShapeError(expected(f"sequence {n} as finite (T_i, F) values",
                                      f"shape {a.shape}", "One row per time step."))
        seqs.append(a)
    F = seqs[0].shape[1]
    if any(a.shape[1] != F for a in seqs):
        raise ShapeError(expected(f"{F} features per step in every sequence",
                                  sorted({a.shape[1] for a in seqs}),
                                  "Make every sequence's rows the same width."))
    T = max(len(a) for a in seqs) if maxlen is None else int(maxlen)
    X = np.full((len(seqs), T, F), value, dtype=dtype)
    mask = np.zeros((len(seqs), T), dtype=bool)
    for n, a in enumerate(seqs):
        a = (a[:T] if truncating == "post" else a[max(len(a) - T, 0):])
        rows = slice(0, len(a)) if padding == "post" else slice(T - len(a), T)
        X[n, rows], mask[n, rows] = a, True
        if len(a) and (a == value).all(axis=1).any():
            warnings.warn(f"sequence {n} has a real step whose features all equal the "
                          f"padding value {value}; with mask_value={value} it would "
                          "be treated as padding. Pass a value that does not occur "
                          "in the data (e.g. value=-1.0).", RuntimeWarning,
                          stacklevel=2)
    return X, mask


class TimeDistributed(Layer):
    """Apply one layer to every time step, with the same weights at every step.

    forward:   y_t = layer(x_t)       x: (B, T, F) is seen by the layer as (B·T, F)
    backward:  the layer's backward on (B·T, ·); its dW is thereby Σ_t Σ_B.
    The head of a many-to-many network, e.g.
    [LSTM(32, input_dim=(50, 1), return_sequences=True),
     TimeDistributed(Dense(1)), Flatten()]  →  one prediction per step (B, 50).
    """

    def __init__(self, layer: Layer, name: str | None = None):
        super().__init__(input_dim=None, name=name)
        if not isinstance(layer, Layer):
            raise TypeError(expected("a glassnet Layer to wrap", type(layer).__name__,
                                     "Pass e.g. TimeDistributed(gn.Dense(1))."))
        self.layer = layer
        self.param_names = layer.param_names

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ShapeError(expected("a sequence input (n_steps, n_features) for "
                                      "TimeDistributed", f"input shape "
                                      f"{tuple(input_shape)}", "Put it after a "
                                      "recurrent layer with return_sequences=True."))
        self.layer.dtype = self.dtype
        out = self.layer.build(tuple(input_shape[1:]))
        self.input_shape = tuple(input_shape)
        self.output_shape = (input_shape[0], *out)
        return self.output_shape

    def param_shapes(self):
        return self.layer.param_shapes()

    def init_params(self, rng, dtype):
        return self.layer.init_params(rng, dtype)

    def bind(self, params, grads):
        super().bind(params, grads)
        self.layer.bind(params, grads)

    def forward(self, x, training=False):
        B, T = x.shape[:2]
        self.layer.rng = self.rng
        y = self.layer.forward(x.reshape(B * T, *x.shape[2:]), training)
        return y.reshape(B, T, *y.shape[1:])

    def backward(self, dy, accumulate=True):
        B, T = dy.shape[:2]
        self.layer.need_input_grad = self.need_input_grad
        dx = self.layer.backward(dy.reshape(B * T, *dy.shape[2:]), accumulate)
        return None if dx is None else dx.reshape(B, T, *dx.shape[1:])

    def infer(self, x):
        B, T = x.shape[:2]
        y = self.layer.infer(x.reshape(B * T, *x.shape[2:]))
        return y.reshape(B, T, *y.shape[1:])

    def penalty(self):
        return self.layer.penalty()

    def add_penalty_grads(self):
        self.layer.add_penalty_grads()

    def count_params(self):
        return self.layer.count_params()

    def param_arithmetic(self):
        return self.layer.param_arithmetic() + " (shared by every step)"

    def get_config(self):
        return {"name": self.name, "layer": {"type": type(self.layer).__name__,
                                             "config": self.layer.get_config()}}

    @classmethod
    def from_config(cls, cfg):
        from glassnet.layers import LAYER_TYPES
        inner = cfg.get("layer") if isinstance(cfg.get("layer"), dict) else {}
        kind = inner.get("type")
        if kind not in LAYER_TYPES:
            raise ConfigError(expected(f"a wrapped layer type in {sorted(LAYER_TYPES)}",
                                       repr(kind), "Use get_config()."))
        return cls(LAYER_TYPES[kind].from_config(inner.get("config", {})),
                   name=cfg.get("name"))

    def __repr__(self):
        return f"TimeDistributed({self.layer!r})"

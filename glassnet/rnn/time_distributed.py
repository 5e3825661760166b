"""Sequence helpers: padding with masks, and a per-step wrapper.

- ``pad_sequences``: variable-length sequences → one (N, T, F) array + mask.
- ``TimeDistributed``: apply a layer (e.g. Dense) to every time step — the
  output head of a many-to-many network.
"""

from __future__ import annotations

import warnings

import numpy as np

from glassnet.core.layer import Layer
from glassnet.errors import ConfigError, ShapeError, expected


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
    backward:  the layer's backward on (B·T, ·); its dW += is thereby Σ_t Σ_B.
    The head of a many-to-many network, e.g.
    [LSTM(32, input_dim=(50, 1), return_sequences=True),
     TimeDistributed(Dense(1)), Flatten()]  →  one prediction per step (B, 50).

    Its parameters, gradients and kept values are the wrapped layer's (kept
    values on the (B·T, ·) rows).
    """

    def __init__(self, layer: Layer, name: str | None = None):
        super().__init__(input_dim=None, name=name)
        if not isinstance(layer, Layer):
            raise TypeError(expected("a glassnet Layer to wrap", type(layer).__name__,
                                     "Pass e.g. TimeDistributed(gn.Dense(1))."))
        self.layer = layer
        self.keeps, self.keeps_grad = layer.keeps, layer.keeps_grad

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ShapeError(expected("a sequence input (n_steps, n_features) for "
                                      "TimeDistributed", f"input shape "
                                      f"{tuple(input_shape)}", "Put it after a "
                                      "recurrent layer with return_sequences=True."))
        inner = self.layer
        inner.dtype, inner.rng = self.dtype, self.rng
        inner.use(self.backend)
        out = inner.build(tuple(input_shape[1:]))
        self.input_shape = tuple(input_shape)
        self.output_shape = (input_shape[0], *out)
        return self.output_shape

    def use(self, backend):
        super().use(backend)
        self.layer.use(backend)

    def param_shapes(self):
        return self.layer.param_shapes()

    def state_shapes(self):
        return self.layer.state_shapes()

    def init_params(self, rng, dtype):
        return self.layer.init_params(rng, dtype)

    def init_state(self, dtype):
        return self.layer.init_state(dtype)

    def bind(self, params, grads, state):
        super().bind(params, grads, state)
        self.layer.bind(params, grads, state)

    def kept(self):
        return self.layer.kept()

    @property
    def activation(self):
        """The wrapped layer's activation (a softmax head fuses with its loss)."""
        return getattr(self.layer, "activation", None)

    @property
    def z(self):
        """The wrapped layer's pre-activations, one row per (sample, step)."""
        return getattr(self.layer, "z", None)

    def backward_z(self, dz):
        """Backward from dL/dz (B, T, ·) of a fused loss, step by step."""
        B, T = dz.shape[:2]
        self.layer.need_input_grad = self.need_input_grad
        dx = self.layer.backward_z(dz.reshape(B * T, *dz.shape[2:]))
        return None if dx is None else dx.reshape(B, T, *dx.shape[1:])

    def forward(self, x, training=False):
        B, T = x.shape[:2]
        self.layer.rng = self.rng
        y = self.layer.forward(x.reshape(B * T, *x.shape[2:]), training)
        return y.reshape(B, T, *y.shape[1:])               # (B, T, ·)

    def backward(self, dy):
        B, T = dy.shape[:2]
        self.layer.need_input_grad = self.need_input_grad
        dx = self.layer.backward(dy.reshape(B * T, *dy.shape[2:]))
        return None if dx is None else dx.reshape(B, T, *dx.shape[1:])

    def infer(self, x):
        B, T = x.shape[:2]
        y = self.layer.infer(x.reshape(B * T, *x.shape[2:]))
        return y.reshape(B, T, *y.shape[1:])

    def penalty(self):
        return self.layer.penalty()

    def add_penalty_grads(self):
        self.layer.add_penalty_grads()

    def param_arithmetic(self):
        return self.layer.param_arithmetic() + " (shared by every step)"

    def get_config(self):
        return {**super().get_config(),
                "layer": {"type": type(self.layer).__name__,
                          "config": self.layer.get_config()}}

    @classmethod
    def from_config(cls, cfg):
        """``cfg["layer"]`` is the wrapped layer, already rebuilt by
        ``glassnet.layers.layer_from_config`` (the closed registry)."""
        if not isinstance(cfg.get("layer"), Layer):
            raise ConfigError(expected("the wrapped layer rebuilt from the registry",
                                       type(cfg.get("layer")).__name__,
                                       "Rebuild it with glassnet.layers."
                                       "layer_from_config."))
        return cls(cfg["layer"], name=cfg.get("name"))

    def __repr__(self):
        return f"TimeDistributed({self.layer!r})"

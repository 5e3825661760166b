"""Recurrent layers: the shared ``Recurrent`` base, and SimpleRNN (Elman, 1990).

What every recurrent layer shares: sequences in, masks, BPTT bookkeeping.

Inputs are batch-first ``(B, T, F)``; inside a layer everything is time-major
``(T, B, ·)`` so that step t is one contiguous block. A layer keeps, after
forward, the states it went through (``Hs[0]`` the initial state, ``Hs[t+1]``
= h_t) and, after backward, the gradient of the loss w.r.t. every state
(``DH[t]`` = ∂L/∂h_t) and w.r.t. the recurrent pre-activations (``dZ_rec[t]``),
so that

    ∂L/∂U = Σ_t h_{t−1}ᵀ δ_t          (backpropagation through time)

can be shown term by term (``recurrent_weight_receipt``) and the size of
∂L/∂h_t over time can be plotted (``step_grad_norms``).

Masking (padding of variable-length sequences): a step whose features all
equal ``mask_value`` is padding. With m_t ∈ {0, 1} per sample,

    h_t = m_t · cell(x_t, h_{t−1}) + (1 − m_t) · h_{t−1}    (state copied forward)
    y_t = m_t · h_t                                         (padded outputs are 0)

so a padded step changes no state, and in backward it passes ∂L/∂h_t straight
to h_{t−1} and adds nothing to ∂L/∂W, ∂L/∂U, ∂L/∂b or ∂L/∂x_t.

Truncated BPTT (``truncate=k``): the state entering steps k, 2k, 3k, … is
treated as a constant in backward — exactly what feeding the sequence in
chunks of k steps with a detached carried state computes.
"""

from __future__ import annotations

import numbers

import numpy as np

from glassnet import initializers
from glassnet.core.layer import Layer
from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.layers.sequence import (
    RecurrentReceipt,
    init_from_config,
    orthogonal,
    sequence_dim,
    weight_receipt,
)


class Recurrent(Layer):
    """Base of SimpleRNN, LSTM and GRU (not used on its own).

    Subclasses set ``gates`` (names of the column blocks of W and U) and write
    ``forward`` / ``backward`` with the cell's equations; this class handles
    shapes, masks, the initial state, the parameter gradients that are one
    matrix product over all time steps, and the glass-box records.

    Initial state: ``forward(x, training, initial_state=h0)`` or the attribute
    ``layer.initial_state`` (None = zeros, (H,) or (B, H); the LSTM takes a
    pair (h0, c0) / ``initial_cell``). After backward: ``d_initial_state``
    (∂L/∂h₀, or None when no initial state was given; the LSTM's is
    (∂L/∂h₀, ∂L/∂c₀)), ``step_grad_norms`` (T,) =
    ‖∂L/∂h_t‖ over the batch, and ``recurrent_weight_receipt(i, j)``.
    """

    gates: tuple[str, ...] = ("h",)
    param_names = ("W", "U", "b")

    def __init__(self, units: int, return_sequences: bool = False,
                 mask_value: float | None = None, truncate: int | None = None,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 input_dim: int | tuple | None = None, name: str | None = None):
        super().__init__(input_dim=None, name=name)
        if isinstance(units, bool) or not isinstance(units, numbers.Integral) \
                or units <= 0:
            raise ConfigError(expected("units as a positive int", repr(units),
                                       f"Pass the state size, e.g. "
                                       f"{type(self).__name__}(64)."))
        if truncate is not None and (isinstance(truncate, bool) or not isinstance(
                truncate, numbers.Integral) or truncate <= 0):
            raise ConfigError(expected("truncate as a positive int or None",
                                       repr(truncate), "Pass e.g. truncate=20."))
        if mask_value is not None and (isinstance(mask_value, bool) or
                                       not isinstance(mask_value, numbers.Real)
                                       or not np.isfinite(mask_value)):
            raise ConfigError(expected("mask_value as a finite number or None",
                                       repr(mask_value), "Pass e.g. mask_value=0.0."))
        self.input_dim = sequence_dim(input_dim, type(self).__name__)
        self.units = int(units)
        self.return_sequences = bool(return_sequences)
        self.mask_value = None if mask_value is None else float(mask_value)
        self.truncate = None if truncate is None else int(truncate)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = recurrent_initializer if \
            recurrent_initializer == "orthogonal" else \
            initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        #: h₀ used when forward() gets no initial_state: None (zeros), (H,) or (B, H)
        self.initial_state = None
        self.step_grad_norms: np.ndarray | None = None
        self._work_bufs: dict[str, np.ndarray] = {}

    # -- construction ------------------------------------------------------
    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ShapeError(expected(
                f"a sequence input (n_steps, n_features) for {type(self).__name__}",
                f"input shape {tuple(input_shape)}",
                "Feed (batch, time, features) arrays; pass input_dim=n_features."))
        self.input_shape = tuple(input_shape)
        T = input_shape[0]
        self.output_shape = (T, self.units) if self.return_sequences else \
            (self.units,)
        return self.output_shape

    @property
    def n_features(self) -> int:
        return int(self.input_shape[1])

    def param_shapes(self):
        F, H, k = self.n_features, self.units, len(self.gates)
        return {"W": (F, k * H), "U": (H, k * H), "b": (k * H,)}

    def init_params(self, rng, dtype):
        shapes = self.param_shapes()
        U = orthogonal(shapes["U"], rng, dtype) \
            if self.recurrent_initializer == "orthogonal" else \
            self.recurrent_initializer(shapes["U"], rng, dtype)
        vals = {"W": self.kernel_initializer(shapes["W"], rng, dtype), "U": U}
        for k in self.param_names[2:]:
            vals[k] = self.bias_initializer(shapes[k], rng, dtype)
        return vals

    def get_weights(self) -> list[np.ndarray]:
        """Copies of this layer's parameters in ``param_names`` order (see the
        class docstring for the layout and the mapping to PyTorch)."""
        return [self.params[k].copy() for k in self.param_names]

    def set_weights(self, weights: list) -> None:
        """Copy arrays in ``param_names`` order into the bound parameters."""
        shapes = self.param_shapes()
        if not isinstance(weights, list | tuple) or len(weights) != len(shapes):
            raise ShapeError(expected(f"{len(shapes)} arrays {list(shapes.values())}",
                                      repr(type(weights).__name__), "Pass "
                                      f"[{', '.join(self.param_names)}]."))
        arrays = [np.asarray(w, dtype=self.dtype) for w in weights]
        for k, a in zip(self.param_names, arrays, strict=True):
            if a.shape != shapes[k] or not np.isfinite(a).all():
                raise ShapeError(expected(f"{k} of shape {shapes[k]}, finite",
                                          f"shape {a.shape}", "W is (n_in, k·H), "
                                          "U is (H, k·H); transpose PyTorch's."))
        for k, a in zip(self.param_names, arrays, strict=True):
            self.params[k][...] = a

    # -- helpers for forward / backward ------------------------------------
    def _work(self, key: str, shape: tuple[int, ...]) -> np.ndarray:
        """A reusable buffer of exactly ``shape``: a prefix of the largest seen."""
        n = int(np.prod(shape))
        buf = self._work_bufs.get(key)
        if buf is None or buf.size < n or buf.dtype != self.dtype:
            buf = np.empty(n, dtype=self.dtype)
            self._work_bufs[key] = buf
        return buf[:n].reshape(shape)

    def _begin(self, x: np.ndarray) -> np.ndarray:
        """Store x time-major, the mask and the sizes; return Xt (T, B, F)."""
        if x.ndim != 3 or x.shape[2] != self.n_features:
            raise ShapeError(expected(f"input (batch, time, {self.n_features})",
                                      f"shape {x.shape}", "Check the features per "
                                      "step (input_dim)."))
        B, T, F = x.shape
        self.B, self.T = B, T
        xt = self._work("x", (T, B, F))
        xt[...] = x.transpose(1, 0, 2)                     # (T, B, F)
        self.xt = xt
        self.keep = self.skip = None
        if self.mask_value is not None:
            keep = (xt != self.mask_value).any(axis=2, keepdims=True)  # (T, B, 1)
            if not keep.all():
                self.keep, self.skip = keep, ~keep
        return xt

    def _state0(self, state, key: str) -> np.ndarray:
        """h₀ (or c₀) as a (B, H) buffer: zeros, or broadcast from (H,) / (B, H)."""
        h0 = self._work(key, (self.B, self.units))
        if state is None:
            h0[...] = 0.0
            return h0
        s = np.asarray(state, dtype=self.dtype)
        if s.shape not in ((self.units,), (self.B, self.units)):
            raise ShapeError(expected(f"an initial state of shape ({self.units},) or "
                                      f"({self.B}, {self.units})", f"shape {s.shape}",
                                      "Pass one state per sample, or one for all."))
        h0[...] = s
        return h0

    def _outputs(self, Hs: np.ndarray) -> np.ndarray:
        """y: the last state (B, H), or every state (B, T, H) with padding zeroed."""
        if not self.return_sequences:
            return Hs[self.T]
        if self.keep is None:
            return Hs[1:].transpose(1, 0, 2)
        Y = self._work("y", (self.T, self.B, self.units))
        np.multiply(Hs[1:], self.keep, out=Y)              # y_t = m_t h_t
        return Y.transpose(1, 0, 2)

    def _seed_dh(self, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """DH (T, B, H) with DH[T−1] = ∂L/∂h_{T−1} from the output; and dY (T, B, H)."""
        DH = self._work("dh", (self.T, self.B, self.units))
        if not self.return_sequences:
            DH[-1] = dy
            return DH, None
        dY = dy.transpose(1, 0, 2)                         # (T, B, H)
        if self.keep is not None:                          # padded y_t are constants
            dY = np.multiply(dY, self.keep, out=self._work("dy", dY.shape))
        DH[-1] = dY[-1]
        return DH, dY

    def _cut(self, t: int) -> bool:
        """No gradient to the state entering step t: truncated BPTT cuts there,
        or t = 0 and no initial state was given (∂L/∂h₀ would go nowhere)."""
        if t == 0:
            return self.h0_zero
        return self.truncate is not None and t % self.truncate == 0

    def _carry(self, t: int, dh: np.ndarray, target: np.ndarray) -> None:
        """Padded samples pass ∂L/∂h_t straight back: target += (1 − m_t) dh."""
        if self.skip is not None:
            target += np.multiply(dh, self.skip[t], out=self._work("tmp_c", dh.shape))

    def _param_grads(self, dA: np.ndarray, dR: np.ndarray, accumulate: bool,
                     bias_names=("b",)) -> np.ndarray | None:
        """All time steps at once (one matmul each):

            dW = Σ_t x_tᵀ dA_t      dU = Σ_t h_{t−1}ᵀ dR_t      dx_t = dA_t Wᵀ
            db = Σ_t Σ_B dA_t   (and db_recurrent = Σ_t Σ_B dR_t for the GRU)
        """
        T, B, F, H = self.T, self.B, self.n_features, self.units
        dA2 = dA.reshape(T * B, -1)                        # (T·B, k·H)
        dR2 = dR.reshape(T * B, -1)
        X2 = self.xt.reshape(T * B, F)
        s = 1 if self.h0_zero else 0                       # h_{−1} = 0 adds nothing
        Hp = self.Hs[s:-1].reshape((T - s) * B, H)         # h_{t−1} for every t
        self.dZ_rec = dR
        sums = [(self.dW, X2.T, dA2), (self.dU, Hp.T, dR2[s * B:])]
        if accumulate:
            for g, a, d in sums:
                g += a @ d
            for name, d in zip(bias_names, (dA2, dR2), strict=False):
                getattr(self, "d" + name)[...] += d.sum(axis=0)
        else:
            for g, a, d in sums:
                np.matmul(a, d, out=g)
            for name, d in zip(bias_names, (dA2, dR2), strict=False):
                np.sum(d, axis=0, out=getattr(self, "d" + name))
        return self._norms_and_dx(dA2)

    def _norms_and_dx(self, dA2: np.ndarray) -> np.ndarray | None:
        """Record ‖∂L/∂h_t‖ per step; return dx_t = dA_t Wᵀ (B, T, F) if needed."""
        T, B, F, H = self.T, self.B, self.n_features, self.units
        DH = self.DH.reshape(T, B * H)
        self.step_grad_norms = np.sqrt(np.einsum("tk,tk->t", DH, DH)).astype(
            np.float64)
        if not self.need_input_grad:
            return None
        dx = self._work("dx", (T, B, F))
        np.matmul(dA2, self.W.T, out=dx.reshape(T * B, F))  # dx_t = dA_t Wᵀ
        return dx.transpose(1, 0, 2)                       # (B, T, F)

    #: what forward stores for backward and the receipts; infer leaves it alone
    _STORED = ("xt", "keep", "skip", "B", "T", "Hs", "C", "TC", "G", "R")

    def infer(self, x):
        """Forward in separate buffers: predicting between a backward pass and
        a receipt does not replace the stored states."""
        stored = {k: self.__dict__[k] for k in self._STORED if k in self.__dict__}
        train_bufs = self._work_bufs
        self._work_bufs = self.__dict__.setdefault("_infer_bufs", {})
        try:
            return self.forward(x, training=False).copy()
        finally:
            self._work_bufs = train_bufs
            self.__dict__.update(stored)

    # -- glass box ---------------------------------------------------------
    def recurrent_weight_receipt(self, i: int, j: int) -> RecurrentReceipt:
        """∂L/∂U[i, j] = Σ_t Σ_B h_{t−1}[:, i] · δ_t[:, j], one term per step.

        Call after a backward pass (e.g. ``model.gradients(X, y)``).
        """
        return weight_receipt(self, i, j)

    # -- description -------------------------------------------------------
    def param_arithmetic(self):
        F, kH = self.n_features, len(self.gates) * self.units
        biases = " + ".join([str(kH)] * (len(self.param_names) - 2))
        return f"{F}×{kH} + {self.units}×{kH} + {biases} = {self.count_params():,}"

    def get_config(self):
        rec = self.recurrent_initializer
        cfg = {"name": self.name, "units": self.units,
               "return_sequences": self.return_sequences,
               "mask_value": self.mask_value, "truncate": self.truncate,
               "kernel_initializer": self.kernel_initializer.get_config(),
               "recurrent_initializer": {"name": "orthogonal"} if rec == "orthogonal"
               else rec.get_config(),
               "bias_initializer": self.bias_initializer.get_config()}
        if self.input_dim is not None:
            cfg["input_dim"] = list(self.input_dim)
        return cfg

    @classmethod
    def from_config(cls, cfg: dict):
        kw = {k: v for k, v in cfg.items() if k not in (
            "kernel_initializer", "recurrent_initializer", "bias_initializer",
            "input_dim")}
        for k, default in (("kernel_initializer", "glorot_uniform"),
                           ("bias_initializer", "zeros")):
            kw[k] = initializers.from_config(cfg.get(k, {"name": default}))
        kw["recurrent_initializer"] = init_from_config(
            cfg.get("recurrent_initializer", {"name": "orthogonal"}))
        dim = cfg.get("input_dim")
        kw["input_dim"] = tuple(dim) if isinstance(dim, list) else dim
        return cls(**kw)

    def __repr__(self):
        return (f"{type(self).__name__}({self.units}, "
                f"return_sequences={self.return_sequences})")


class SimpleRNN(Recurrent):
    """Elman recurrent layer: one tanh state carried from step to step.

    forward, for t = 0 … T−1 (h_{−1} is the initial state, zeros by default):
        a_t = x_t W + h_{t−1} U + b         x_t: (B, F)  W: (F, H)  U: (H, H)
        h_t = tanh(a_t)                      h_t: (B, H)
        y   = h_{T−1}  (B, H),   or every h_t  (B, T, H) with return_sequences
    backward through time, t = T−1 … 0 (dh_{T} = 0):
        dh_t = ∂L/∂y_t + dh_{t+1}^rec       (from the output and from step t+1)
        δ_t  = dh_t ⊙ (1 − h_t²)            (tanh' from the stored output)
        dh_t^rec for step t−1:  δ_t Uᵀ
        dW = Σ_t x_tᵀ δ_t   dU = Σ_t h_{t−1}ᵀ δ_t   db = Σ_t Σ_B δ_t   dx_t = δ_t Wᵀ
    The product Uᵀ repeated T times is why ‖dh_t‖ shrinks (or explodes) with
    distance from the loss: see ``step_grad_norms`` after backward.

    Layout (get_weights order): W (F, H), U (H, H), b (H,).
    PyTorch nn.RNN: weight_ih_l0 = Wᵀ, weight_hh_l0 = Uᵀ, bias_ih_l0 + bias_hh_l0 = b.
    Init: W Glorot uniform, U orthogonal, b zeros.
    """

    gates = ("h",)

    def forward(self, x, training=False, initial_state=None):
        xt = self._begin(x)                                # (T, B, F)
        T, B, H = self.T, self.B, self.units
        XW = self._work("xw", (T, B, H))
        np.matmul(xt.reshape(T * B, -1), self.W, out=XW.reshape(T * B, H))
        XW += self.b                                       # x_t W + b, all t at once
        Hs = self._work("h", (T + 1, B, H))                # Hs[t+1] = h_t
        h0 = initial_state if initial_state is not None else self.initial_state
        Hs[0], self.h0_zero = self._state0(h0, "h0"), h0 is None
        for t in range(T):
            h = Hs[t + 1]
            if t == 0 and self.h0_zero:
                h[...] = XW[0]                             # h_{−1} = 0: no h U term
            else:
                np.matmul(Hs[t], self.U, out=h)            # h_{t−1} U
                h += XW[t]                                 #   + x_t W + b
            np.tanh(h, out=h)                              # h_t = tanh(a_t)
            if self.skip is not None:                      # padding: h_t = h_{t−1}
                np.copyto(h, Hs[t], where=self.skip[t])
        self.Hs = Hs
        return self._outputs(Hs)

    def backward(self, dy, accumulate=True):
        T, B, H = self.T, self.B, self.units
        DH, dY = self._seed_dh(dy)                         # DH[t] = ∂L/∂h_t
        D = self._work("deriv", (T, B, H))                 # tanh'(a_t) = 1 − h_t²
        np.square(self.Hs[1:], out=D)
        np.subtract(1.0, D, out=D)
        if self.keep is not None:
            D *= self.keep                                 # padded steps: δ_t = 0
        dZ = self._work("dz", (T, B, H))
        dh0 = self._work("dh_init", (B, H))
        Ut = self.U.T
        for t in range(T - 1, -1, -1):
            dh = DH[t]
            np.multiply(dh, D[t], out=dZ[t])               # δ_t = dh_t ⊙ (1 − h_t²)
            prev = DH[t - 1] if t > 0 else dh0             # ∂L/∂h_{t−1} from step t
            if self._cut(t):
                prev[...] = 0.0
            else:
                np.matmul(dZ[t], Ut, out=prev)             # δ_t Uᵀ
                self._carry(t, dh, prev)
            if t > 0 and dY is not None:
                prev += dY[t - 1]                          # + ∂L/∂y_{t−1}
        self.DH, self.d_initial_state = DH, None if self.h0_zero else dh0
        return self._param_grads(dZ, dZ, accumulate)

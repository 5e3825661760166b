"""What SimpleRNN, LSTM and GRU share: the ``Recurrent`` base layer.

Inputs are batch-first ``(B, T, F)``. The parameters hold the k gates'
column blocks side by side: W (F, k·H), U (H, k·H), b (k·H,). This module
holds construction, the parameters, the glass-box entry point and the
config; the time-major buffers, masks and BPTT sums every cell runs on
are ``glassnet.rnn.tape`` (``RecurrentTape``, this class's base).
"""

from __future__ import annotations

import numpy as np

from glassnet.core import init
from glassnet.core.backend import to_host
from glassnet.errors import ShapeError, expected
from glassnet.rnn.checks import check_input_shape, check_options, sequence_dim
from glassnet.rnn.receipts import RecurrentReceipt, weight_receipt
from glassnet.rnn.tape import RecurrentTape


def sigmoid(xp, z, out):
    """σ(z) = 1 / (1 + e^(−z)) into ``out``, evaluated as ½ + ½·tanh(z/2):
    the same function, and no e^(−z) to overflow for large negative z."""
    xp.multiply(z, 0.5, out=out)
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


class Recurrent(RecurrentTape):
    """Base of SimpleRNN, LSTM and GRU (not used on its own).

    Subclasses set ``gates`` (names of the column blocks of W and U) and write
    ``forward`` / ``backward`` with the cell's equations; this class handles
    shapes, masks, the initial state, the parameter gradients (one matrix
    product over all time steps) and the glass-box records.

    Keeps (batch-first views): ``x`` (B, T, F), ``h`` (B, T, H) = h_1 … h_T;
    after backward ``dh`` (B, T, H) = ∂L/∂h_t and ``step_grad_norms`` (T,).

    Initial state: ``forward(x, training, initial_state=h0)`` or the attribute
    ``layer.initial_state`` (None = zeros, (H,) or (B, H); the LSTM takes a
    pair (h0, c0) / ``initial_cell``). After backward: ``d_initial_state``
    (∂L/∂h₀, or None when no initial state was given; the LSTM's is
    (∂L/∂h₀, ∂L/∂c₀)) and ``recurrent_weight_receipt(i, j)``.
    """

    gates: tuple[str, ...] = ("h",)
    keeps = ("x", "h")
    keeps_grad = ("dh", "step_grad_norms")

    def __init__(self, units: int, return_sequences: bool = False,
                 mask_value: float | None = None, truncate: int | None = None,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 input_dim: int | tuple | None = None, name: str | None = None):
        super().__init__(input_dim=None, name=name)
        check_options(type(self).__name__, units, truncate, mask_value)
        self.input_dim = sequence_dim(input_dim, type(self).__name__)
        self.units = int(units)
        self.return_sequences = bool(return_sequences)
        self.mask_value = None if mask_value is None else float(mask_value)
        self.truncate = None if truncate is None else int(truncate)
        self.kernel_initializer = init.get(kernel_initializer)
        self.recurrent_initializer = init.get(recurrent_initializer)
        self.bias_initializer = init.get(bias_initializer)
        #: h₀ used when forward() gets no initial_state: None (zeros), (H,) or (B, H)
        self.initial_state = None
        self.x = self.h = self.dh = self.step_grad_norms = None
        self.Hs = self.DH = self.dZ_rec = self.d_initial_state = None

    # -- construction ------------------------------------------------------
    def build(self, input_shape):
        self.input_shape = check_input_shape(input_shape, type(self).__name__)
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
        U = self.recurrent_initializer(shapes["U"], rng, dtype)   # drawn first
        vals = {"W": self.kernel_initializer(shapes["W"], rng, dtype), "U": U}
        for k in list(shapes)[2:]:
            vals[k] = self.bias_initializer(shapes[k], rng, dtype)
        return vals

    def bind(self, params, grads, state):
        super().bind(params, grads, state)
        self.W, self.dW = params["W"], grads["W"]          # (F, k·H)
        self.U, self.dU = params["U"], grads["U"]          # (H, k·H)
        if "b" in params:
            self.b, self.db = params["b"], grads["b"]      # (k·H,)

    def get_weights(self) -> list[np.ndarray]:
        """Host copies of this layer's parameters in param_shapes() order
        (see the class docstring for the layout and the mapping to PyTorch)."""
        return [np.array(to_host(self.params[k]), copy=True)
                for k in self.param_shapes()]

    def set_weights(self, weights: list) -> None:
        """Copy arrays in param_shapes() order into the bound parameters."""
        shapes = self.param_shapes()
        arrays = [np.asarray(w, dtype=self.dtype) for w in weights] \
            if isinstance(weights, list | tuple) else []
        if [a.shape for a in arrays] != list(shapes.values()) \
                or not all(np.isfinite(a).all() for a in arrays):
            raise ShapeError(expected(
                f"[{', '.join(shapes)}] of shapes {list(shapes.values())}, finite",
                [a.shape for a in arrays] or type(weights).__name__,
                "W is (n_in, k·H), U is (H, k·H); transpose PyTorch's."))
        for k, a in zip(shapes, arrays, strict=True):
            self.params[k][...] = self.xp.asarray(a)

    # -- glass box ---------------------------------------------------------
    def recurrent_weight_receipt(self, i: int, j: int) -> RecurrentReceipt:
        """∂L/∂U[i, j] = Σ_t Σ_B h_{t−1}[:, i] · δ_t[:, j], one term per step.

        Call after a backward pass (e.g. ``model.gradients(X, y)``).
        """
        return weight_receipt(self, i, j)

    # -- description -------------------------------------------------------
    def param_arithmetic(self):
        F, kH = self.n_features, len(self.gates) * self.units
        biases = " + ".join([str(kH)] * (len(self.param_shapes()) - 2))
        return f"{F}×{kH} + {self.units}×{kH} + {biases} = {self.count_params():,}"

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "return_sequences": self.return_sequences,
                "mask_value": self.mask_value, "truncate": self.truncate,
                "kernel_initializer": self.kernel_initializer.get_config(),
                "recurrent_initializer": self.recurrent_initializer.get_config(),
                "bias_initializer": self.bias_initializer.get_config()}

    @classmethod
    def from_config(cls, cfg: dict):
        cfg = dict(cfg)
        for k, default in (("kernel_initializer", "glorot_uniform"),
                           ("recurrent_initializer", "orthogonal"),
                           ("bias_initializer", "zeros")):
            cfg[k] = init.from_config(cfg.get(k, {"name": default}))
        return super().from_config(cfg)

    def __repr__(self):
        return (f"{type(self).__name__}({self.units}, "
                f"return_sequences={self.return_sequences})")


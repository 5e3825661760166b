"""A stack of layers with all parameters in one flat buffer: the engine.

Parameters and gradients live in two contiguous arrays (``flat_params``,
``flat_grads``); each layer's W, b, … are views into them (``slots`` says
where), so an optimizer updates every parameter in a few vectorized
operations. One training pass, in the order ``glassnet.train.loop`` runs it:

    zero_grad()                 g ← 0                    (once per step)
    out = forward(X, training)  ŷ = f_L(… f_1(X))        each layer keeps x, z, a
    L = objective.value(out, y) the loss (fused with a softmax/sigmoid output)
    backward(objective.grad(…)) g += ∂L/∂θ, layer by layer, last to first

``glassnet.model.Sequential`` adds the Keras-style API (compile, fit, …).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np

from glassnet import gpu  # noqa: F401 - makes device="cuda" known
from glassnet._validation import (
    as_dtype,
    as_rng,
    check_lengths,
    check_positive_int,
    check_X,
)
from glassnet.core import backend as backend_mod
from glassnet.core.layer import Layer
from glassnet.core.objective import Objective
from glassnet.core.outputs import nonfinite_outputs
from glassnet.core.slots import (  # noqa: F401 - Slot re-exported
    Slot,
    checked_weights,
    layout,
    weight_entries,
)
from glassnet.errors import ConfigError, ShapeError, expected


class Network:
    """Layers, their parameters in flat buffers, forward and backward."""

    def __init__(self, layers: list[Layer], dtype="float32", seed=None,
                 name: str = "sequential", device: str = "cpu", weights=None):
        _check_layers(layers)
        self.layers = list(layers)
        self.dtype = as_dtype(dtype)
        self.rng = as_rng(seed)
        self.backend = backend_mod.get(device)
        self.xp = self.backend.xp
        self.name = name
        self._build(weights)

    # -- construction ------------------------------------------------------
    def _build(self, weights=None) -> None:
        shape = self.layers[0].input_dim
        self.input_shape = tuple(shape)
        used: dict[str, int] = {}
        for i, layer in enumerate(self.layers):
            if i > 0 and layer.input_dim is not None \
                    and tuple(layer.input_dim) != tuple(shape):
                raise ShapeError(expected(
                    f"input_dim={shape} for layer {i} (the previous layer's output)",
                    f"input_dim={layer.input_dim}",
                    "Drop input_dim from later layers or make the sizes agree."))
            layer.dtype, layer.rng = self.dtype, self.rng
            layer.use(self.backend)
            layer.need_input_grad = i > 0
            shape = layer.build(shape)
            base = layer.name or _snake(type(layer).__name__)
            n = used.get(base, 0)
            used[base] = n + 1
            layer.name = base if n == 0 else f"{base}_{n}"
        self.output_shape = tuple(shape)
        self._allocate(weights)

    def _allocate(self, weights=None) -> None:
        """Flat buffers, each layer bound to its views; the initial values are
        ``weights`` (get_weights() order) or drawn by each layer's initializers."""
        slots, offset = layout(self.layers)
        xp = self.xp
        self.flat_params = xp.zeros(max(offset, 1), dtype=self.dtype)
        self.flat_grads = xp.zeros_like(self.flat_params)
        self.slots = slots
        for layer in self.layers:
            init = {} if weights is not None else \
                layer.init_params(self.rng, self.dtype)
            params, grads = {}, {}
            for s in slots:
                if s.layer is layer:
                    params[s.name], grads[s.name] = s.of(self.flat_params), \
                        s.of(self.flat_grads)
                    if s.name in init:
                        params[s.name][...] = self.backend.to_device(init[s.name])
            state = {k: self.backend.to_device(v, self.dtype)
                     for k, v in layer.init_state(self.dtype).items()}
            layer.bind(params, grads, state)
        if weights is not None:
            self.set_weights(weights)

    def to(self, device: str | backend_mod.Backend) -> Network:
        """Move the model to ``device`` ("cpu" or "cuda"): the flat parameter
        and gradient buffers, every layer's state and views into them, and
        the layers' array module. Returns the model."""
        new, old = backend_mod.get(device), self.backend
        if new is old:
            return self
        self.flat_params = new.to_device(old.to_host(self.flat_params))
        self.flat_grads = new.to_device(old.to_host(self.flat_grads))
        self.backend, self.xp = new, new.xp
        for layer in self.layers:
            state = {k: new.to_device(old.to_host(v)) for k, v in layer.state.items()}
            mine = [s for s in self.slots if s.layer is layer]
            layer.use(new)
            layer.bind({s.name: s.of(self.flat_params) for s in mine},
                       {s.name: s.of(self.flat_grads) for s in mine}, state)
        return self

    @property
    def n_outputs(self) -> int:
        """Outputs per sample; per step for outputs over an unknown time T."""
        if None in self.output_shape:
            return self.output_shape[-1]
        return math.prod(self.output_shape)

    def parameters(self) -> list[tuple[str, object, object]]:
        """[(name, value view, gradient view)] of every trainable parameter."""
        return [(s.key, s.layer.params[s.name], s.layer.grads[s.name])
                for s in self.slots]

    # -- weights -----------------------------------------------------------
    def _weights(self) -> list[tuple[str, dict, str, tuple]]:
        """(key, dict holding it, name, shape) in get_weights() order: each
        layer's parameters, then its state."""
        return weight_entries(self.layers)

    def get_weights(self) -> list[np.ndarray]:
        """Host copies of every weight: [W0, b0, W1, b1, …], W as (n_in, n_out)."""
        return [np.array(self.backend.to_host(d[k]), copy=True)
                for _, d, k, _ in self._weights()]

    def set_weights(self, weights: list) -> None:
        """Set every weight from a list in get_weights() order (copied in)."""
        slots = self._weights()
        arrays = checked_weights(slots, weights, self.dtype)
        for (_, d, k, _), arr in zip(slots, arrays, strict=True):
            d[k][...] = self.backend.to_device(arr)

    def assign_flat_params(self, flat) -> None:
        """θ ← ``flat``, a copy of ``flat_params`` taken earlier (on the device
        or on the host)."""
        self.xp.copyto(self.flat_params, self.backend.to_device(flat))

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    # -- one pass: forward, loss, backward ---------------------------------
    def zero_grad(self) -> None:
        """g ← 0: every layer then only adds (+=) into its gradient views."""
        self.flat_grads.fill(0)

    def forward(self, X, training: bool = False):
        """ŷ = f_L(… f_1(X)); each layer keeps what its backward needs."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def backward(self, grad, logits: bool = False):
        """Push ``grad`` = dL/dŷ back through every layer (g += ∂L/∂θ). With
        ``logits``, ``grad`` is dL/dz of the last layer (a fused objective):
        the last activation is skipped."""
        layers = self.layers
        if logits:
            grad = layers[-1].backward_z(grad)
            layers = layers[:-1]
        for layer in reversed(layers):
            grad = layer.backward(grad)
        return grad

    def penalty(self) -> float:
        """Ω(θ) of every layer's weight penalties; adds ∂Ω/∂θ into g."""
        total = 0.0
        for layer in self.layers:
            total += layer.penalty()
            layer.add_penalty_grads()
        return total

    def objective(self, loss) -> Objective:
        """The loss as this model's output layer sees it (fused or not)."""
        return Objective(loss, self.layers)

    def loss_and_grads(self, X, y, loss, w=None, training: bool = False) -> float:
        """zero_grad → forward → loss → backward on prepared arrays; returns L
        (with penalties) and leaves ∂L/∂θ in ``flat_grads``."""
        head = self.objective(loss)
        self.zero_grad()
        out = self.forward(X, training)                        # ŷ
        L = head.value(out, y, w) + self.penalty()             # L(ŷ, y) + Ω(θ)
        self.backward(head.grad(out, y, w), logits=head.fused)  # g += ∂L/∂θ
        return float(L)

    def loss_value(self, X, y, loss, w=None) -> float:
        """L(X, y) with penalties, no gradients (for gradcheck)."""
        out = self.forward(X, training=False)
        penalty = sum(layer.penalty() for layer in self.layers)
        return float(self.objective(loss).value(out, y, w) + penalty)

    def prepare(self, X, y, loss):
        """Validate (X, y) where they enter; return them on the model's device."""
        X = check_X(X, self.input_shape, self.dtype)
        if y is None:
            raise ShapeError(expected("targets y", "None",
                                      "Pass y with one row per sample."))
        check_lengths(X, y)
        y = loss.prepare_targets(y, self.output_shape, self.dtype)
        return self.backend.to_device(X), self.backend.to_device(y)

    # -- prediction --------------------------------------------------------
    def predict(self, X, batch_size: int = 1024) -> np.ndarray:
        """Outputs for X, shape (B, n_out): a fresh NumPy array. Outputs that
        are not finite come with a warning that names the cause."""
        if type(batch_size) is int and batch_size > 0 and self._one_clean_row(X):
            return self._finite(self._infer(X))  # a single sample, checked in O(1)
        X = check_X(X, self.input_shape, self.dtype)
        check_positive_int(batch_size, "batch_size", "Pass e.g. batch_size=1024.")
        if X.shape[0] <= batch_size:
            return self._finite(self._infer(X))
        return self._finite(np.concatenate([self._infer(X[i:i + batch_size])
                                            for i in range(0, X.shape[0],
                                                           batch_size)]))

    def _finite(self, out: np.ndarray) -> np.ndarray:
        """``out``, with a warning when some of it is NaN or inf (never silent)."""
        if not math.isfinite(float(out.sum(dtype=np.float64))) and \
                not np.isfinite(out).all():
            warnings.warn(nonfinite_outputs(self, out), RuntimeWarning,
                          stacklevel=3)
        return out

    def _one_clean_row(self, X) -> bool:
        """One sample already in the model's form: an ndarray of the model dtype,
        shape (1, *input_shape), finite. x·x is finite only if every xᵢ is (NaN
        or ±inf make it NaN or inf); a row whose x·x overflows merely takes the
        full check_X path."""
        return (type(X) is np.ndarray and X.dtype == self.dtype
                and X.shape == (1, *self.input_shape)
                and math.isfinite(np.vdot(X, X)))

    def _infer(self, X) -> np.ndarray:
        x = out = self.backend.to_device(X)
        for layer in self.layers:
            out = layer.infer(out)
        out = self.backend.to_host(out)
        return out.copy() if out is X or out is x else out

    def output_activation(self):
        return getattr(self.layers[-1], "activation", None)

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([{inner}], dtype={str(self.dtype)!r})"


def _check_layers(layers) -> None:
    if not isinstance(layers, list | tuple) or not layers:
        raise ConfigError(expected("a non-empty list of layers", repr(layers),
                                   "Pass e.g. [gn.Dense(4, input_dim=2), "
                                   "gn.Dense(1)]."))
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(expected(f"a glassnet Layer at position {i}",
                                     type(layer).__name__,
                                     "Use gn.Dense, gn.Dropout, gn.Flatten, …"))
    if layers[0].input_dim is None:
        raise ConfigError(expected("input_dim on the first layer", "None",
                                   "Pass e.g. gn.Dense(15, input_dim=784)."))
    if len({id(layer) for layer in layers}) != len(layers):
        raise ConfigError("the same layer object appears twice; create a new "
                          "layer for each position.")


def _snake(name: str) -> str:
    """SimpleRNN → simple_rnn, MaxPool2D → max_pool2d, Dense → dense."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()

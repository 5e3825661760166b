"""Trace: every array of one forward / backward / update pass, by name.

Tracing is opt-in. ``model.tracer`` is None by default and
``train.step.optimizer_step`` then skips the two hook calls entirely, so a
model that is not traced pays nothing. With a tracer attached, each step
records, per layer, what the layer declares it keeps (``layer.keeps``,
``layer.keeps_grad``) and its parameters (host copies, so later steps cannot
overwrite them) — for a Dense layer:

    x        the layer's input                              (B, n_in)
    z        pre-activation  z = x W + b                    (B, n_out)
    a        activation      a = f(z)                       (B, n_out)
    da       dL/da  (None on a softmax/sigmoid output fused with its loss)
    dz       dL/dz = dL/da ⊙ f'(z)
    W, b     parameter values before the update
    dW, db   dL/dW = xᵀ dz,  dL/db = Σ_B dz
    W_after, update_W        values after the step and Δ = after − before
    state_W / state_W_before the optimizer's state (m, v, …) for W after and
                             before the step, sliced from its flat buffers

Recurrent layers (SimpleRNN, LSTM, GRU) add, for backpropagation through time:

    h                hidden states h_1 … h_T                (B, T, H)
    dh               ∂L/∂h_t                                (B, T, H)
    step_grad_norms  ‖∂L/∂h_t‖ per time step: vanishing over time shows as
                     values shrinking from t = T−1 back to t = 0   (T,)

Convolutional layers keep their feature maps (Conv2D: x, z, a, dz with a
the maps (B, H', W', filters); pooling layers x and a, MaxPool2D also the
argmax it routes gradients by; BatchNormalization x, x̂ and a).

    >>> t = gn.trace(model, X, y)            # one real train step, recorded
    >>> t.layers[0]["z"], t.layers[1]["update_W"]
    >>> with gn.tracing(model) as tr:        # or attach around any steps
    ...     model.train_step(X, y)
    >>> tr.last.loss
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from glassnet.core.backend import to_host
from glassnet.glassbox.html import trace_html


@dataclass
class Trace:
    """One recorded step. ``layers[i]`` is a dict of named arrays for layer i."""

    loss: float
    X: np.ndarray
    y: np.ndarray
    layers: list[dict]
    fused: bool                     # output activation fused with the loss
    optimizer: dict = field(default_factory=dict)   # name, learning_rate, t, …
    step: int = 0

    def __getitem__(self, i: int) -> dict:
        return self.layers[i]

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (f"<Trace step {self.step}: loss {self.loss:.6g}, {len(self.layers)} "
                "layers; print(trace) for the summary, trace.layers[i] for the "
                "arrays>")

    def summary(self) -> str:
        """One line per layer and array: shape, mean and range."""
        out = [f"step {self.step}: loss {self.loss:.6g} "
               f"({self.optimizer.get('name', '?')}, "
               f"lr {self.optimizer.get('learning_rate', float('nan')):.3g})"]
        for i, d in enumerate(self.layers):
            out.append(f"layer {i} {d['name']} ({d['type']})")
            for k, v in d.items():
                if isinstance(v, np.ndarray) and v.size:
                    out.append(f"  {k:<10} {str(v.shape):<12} mean {v.mean():+.4g}  "
                               f"min {v.min():+.4g}  max {v.max():+.4g}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        """Jupyter: one table per layer (values written out when few)."""
        return trace_html(self)


def _host(v):
    return None if v is None else np.array(to_host(v), copy=True)


def capture(model, X, y, L: float, loss=None) -> Trace:
    """Copy every declared array of the pass that just ran (forward + backward):
    each layer's kept values, parameters, gradients and optimizer state."""
    loss = model.loss if loss is None else loss
    fused = loss is not None and model.objective(loss).fused
    state = getattr(model.optimizer, "state", {}) if model.optimizer else {}
    layers = []
    for i, layer in enumerate(model.layers):
        d: dict = {"name": layer.name, "type": type(layer).__name__}
        act = getattr(layer, "activation", None)
        if act is not None:
            d["activation"] = act.name
        d.update({k: _host(v) for k, v in layer.kept().items()})
        if fused and i == len(model.layers) - 1:
            d["da"] = None  # backward started from dL/dz, dL/da was never formed
        for s in _slots(model, layer):
            d[s.name] = _host(s.of(model.flat_params))
            d["d" + s.name] = _host(s.of(model.flat_grads))
            d["state_" + s.name + "_before"] = {k: _host(s.of(v))
                                                for k, v in state.items()}
        layers.append(d)
    return Trace(loss=float(L), X=_host(X), y=_host(y), layers=layers, fused=fused)


def _slots(model, layer):
    return [s for s in model.slots if s.layer is layer]


def complete(model, trace: Trace) -> None:
    """Add the after-update values, the applied Δ and the optimizer's state."""
    opt = model.optimizer
    trace.optimizer = {**opt.get_config(), "t": opt.t}
    trace.step = opt.t
    clips = opt.global_clipnorm is not None or opt.clipvalue is not None
    for layer, d in zip(model.layers, trace.layers, strict=True):
        for s in _slots(model, layer):
            p = s.name
            d[p + "_after"] = _host(s.of(model.flat_params))
            d["update_" + p] = d[p + "_after"] - d[p]
            d["state_" + p] = {k: _host(s.of(v)) for k, v in opt.state.items()}
            if clips:  # clip() rewrote the gradient in place before the update
                d["d" + p + "_applied"] = _host(s.of(model.flat_grads))


class Tracer:
    """Attach as ``model.tracer``; keeps the last ``keep`` traces (None: all)."""

    def __init__(self, keep: int | None = 1):
        self.keep = keep
        self.traces: list[Trace] = []
        self._open: Trace | None = None

    def before_update(self, model, xb, yb, L) -> None:
        self._open = capture(model, xb, yb, L)

    def after_update(self, model) -> None:
        if self._open is None:
            return
        complete(model, self._open)
        self.traces.append(self._open)
        self._open = None
        if self.keep is not None and len(self.traces) > self.keep:
            del self.traces[: len(self.traces) - self.keep]

    @property
    def last(self) -> Trace:
        if not self.traces:
            raise LookupError("no step was traced yet: run model.train_step(X, y) "
                              "(or fit) inside the tracing block.")
        return self.traces[-1]

    @property
    def layers(self) -> list[dict]:
        """The last trace's layers (``with gn.tracing(m) as t: …; t.layers``)."""
        return self.last.layers


@contextmanager
def tracing(model, keep: int | None = 1):
    """Record the steps taken inside the block; the old tracer comes back after."""
    old, tracer = model.tracer, Tracer(keep)
    model.tracer = tracer
    try:
        yield tracer
    finally:
        model.tracer = old


def snapshot(model) -> dict:
    """Weights, optimizer state and step count, for an exact restore."""
    opt = model.optimizer
    return {"params": model.flat_params.copy(),
            "state": {k: v.copy() for k, v in getattr(opt, "state", {}).items()},
            "t": getattr(opt, "t", 0),
            "lr": getattr(opt, "learning_rate", None),
            "rng": model.rng.bit_generator.state}


def restore(model, snap: dict) -> None:
    """Undo everything since ``snapshot``: weights, optimizer state, t, lr, rng."""
    model.assign_flat_params(snap["params"])
    opt = model.optimizer
    if opt is not None:
        if snap["state"]:
            for k, v in snap["state"].items():
                opt.state[k][...] = v
        else:
            opt.state = {}  # unbuilt before: the next step builds it afresh
        opt.t = snap["t"]
        opt.learning_rate = snap["lr"]
    model.rng.bit_generator.state = snap["rng"]


def trace(model, X, y, sample_weight=None, update: bool = False,
          restore_after: bool | None = None) -> Trace:
    """Run one real training step on (X, y) with a tracer attached; return it.

    Looking does not change the model: weights, optimizer state and the
    random generator are put back afterwards, unless ``update=True`` keeps the
    step (as ``model.train_step`` would). ``restore_after`` is the older
    spelling of ``not update``.
    """
    if restore_after is not None:
        update = not restore_after
    snap = snapshot(model) if not update and model.optimizer is not None else None
    with tracing(model) as tracer:
        model.train_step(X, y, sample_weight)
    if snap is not None:
        restore(model, snap)
    return tracer.last

"""The optimizer base class: state allocated once, then clip → count → update.

θ and g below are the whole model's parameters and gradients
(``model.flat_params``, ``model.flat_grads``). State (m, v, …) is allocated
once in ``build``; ``step`` is a handful of in-place operations with no
allocation, so its cost does not depend on the number of layers. The
updates themselves are in ``glassnet.core.optim`` (SGD, momentum, Nesterov,
Adagrad, RMSprop) and ``glassnet.core.adam`` (Adam, AdamW).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from glassnet._validation import is_finite_number, short_repr
from glassnet.core.backend import CPU, Backend, to_host
from glassnet.errors import ConfigError, expected

#: moment estimates below this are flushed to 0: subnormal floats (from
#: gradients that are almost always 0, e.g. MNIST's border pixels) make every
#: later elementwise pass ~40× slower on some x86 CPUs, and NumPy cannot
#: flush them itself.
_TINY = 1e-30
_FLUSH_EVERY = 64


def check_hyper(name: str, value, low=0.0, high=None, open_low=True) -> float:
    """A finite float in (low, high) (or [low, high) when not open_low)."""
    ok = isinstance(value, int | float) and is_finite_number(value)
    if ok:
        ok = value > low if open_low else value >= low
        if high is not None:
            ok = ok and value < high
    if not ok:
        rng = f"{'(' if open_low else '['}{low}, {high if high is not None else '∞'})"
        raise ConfigError(expected(f"{name} in {rng}", short_repr(value),
                                   f"Pass a valid {name}."))
    return float(value)


class Optimizer:
    """Base class: ``build(θ)`` once, then ``step(θ, g)`` per batch.

    Gradient clipping (applied to g before the update):
      global_clipnorm c:  g ← g · min(1, c / ‖g‖₂)   (‖g‖ over all parameters)
      clipvalue c:        g ← clip(g, −c, c)
    """

    name = "optimizer"
    state_names: tuple[str, ...] = ()
    backend: Backend = CPU   # the model's device (set by compile / model.to)
    xp = np                  # its array module

    def __init__(self, learning_rate: float | Callable[[int], float] = 0.01,
                 global_clipnorm=None, clipvalue=None):
        #: a schedule passed as learning_rate (a gn.schedules.Schedule or any
        #: function of the epoch): fit sets η = schedule(epoch) every epoch
        self.schedule = learning_rate if callable(learning_rate) else None
        self.learning_rate = check_hyper("learning_rate", float(learning_rate(0))
                                         if self.schedule else learning_rate)
        self.global_clipnorm = None if global_clipnorm is None else \
            check_hyper("global_clipnorm", global_clipnorm)
        self.clipvalue = None if clipvalue is None else \
            check_hyper("clipvalue", clipvalue)
        self.t = 0
        self.state: dict = {}

    def on_device(self, backend: Backend) -> Optimizer:
        """Update with ``backend``'s array module; the state moves with it."""
        self.backend, self.xp = backend, backend.xp
        self.state = {k: backend.to_device(to_host(v)) for k, v in self.state.items()}
        if hasattr(self, "_tmp"):
            self._tmp = backend.xp.empty(self._tmp.shape, dtype=self._tmp.dtype)
        return self

    def build(self, params) -> None:
        """Allocate state and scratch once, shaped like the flat buffer."""
        xp = self.xp
        self.state = {k: xp.zeros_like(params) for k in self.state_names}
        self._tmp = xp.empty_like(params)
        self.t = 0

    def clip(self, grads) -> None:
        if self.clipvalue is not None:
            self.xp.clip(grads, -self.clipvalue, self.clipvalue, out=grads)
        if self.global_clipnorm is not None:
            norm = math.sqrt(float(grads @ grads))
            if norm > self.global_clipnorm:
                grads *= self.global_clipnorm / norm

    def step(self, params, grads) -> None:
        """θ ← update(θ, g): clip g, count the step, update in place."""
        if not hasattr(self, "_tmp") or self._tmp.shape != params.shape:
            self.build(params)
        self.clip(grads)
        self.t += 1
        self.update_in_place(params, grads)
        if self.state_names and self.t % _FLUSH_EVERY == 0:
            self._flush_subnormals()

    def update(self, params, grads) -> None:
        """The paper's update, line by line (subclasses)."""
        raise NotImplementedError

    def update_in_place(self, params, grads) -> None:
        """What ``step`` runs: ``update`` itself unless a subclass has a
        faster form (``glassnet.fast``), tested equal to it."""
        self.update(params, grads)

    def _flush_subnormals(self) -> None:
        for s in self.state.values():
            self.xp.abs(s, out=self._tmp)
            self.xp.copyto(s, 0, where=self._tmp < _TINY)  # |s| < 1e-30 → 0

    def explain(self, w: float, g: float, state: dict, t: int,
                digits: int = 6) -> tuple[str, list[str], float]:
        """(heading, the update's lines for one weight with its numbers, the
        new value computed in float64). ``state``: this weight's optimizer
        state before the step; ``t``: the step count after it. Lines use the
        placeholders {w} and {g} for the weight's and gradient's names."""
        raise NotImplementedError

    def get_config(self) -> dict:
        cfg = {"name": self.name, "learning_rate": self.learning_rate}
        for k in ("global_clipnorm", "clipvalue"):
            if getattr(self, k) is not None:
                cfg[k] = getattr(self, k)
        return cfg

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items()
                         if k != "name")
        return f"{type(self).__name__}({args})"

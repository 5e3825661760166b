"""Optimizers that update every parameter of a model as one flat buffer.

θ and g below are the whole model's parameters and gradients
(``model.flat_params``, ``model.flat_grads``). State (m, v, …) is allocated
once in ``build``; ``step`` is a handful of in-place operations with no
allocation, so its cost does not depend on the number of layers.

Each optimizer writes its update as its paper does (``update``) and explains
it for one weight with that weight's numbers (``explain``), both in its own
class. Conventions follow the papers and match ``torch.optim`` step for step.
Adam and AdamW live in ``glassnet.core.adam``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from glassnet._validation import is_finite_number, short_repr
from glassnet.core.backend import CPU, Backend, to_host
from glassnet.core.text import factor, num
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


class SGD(Optimizer):
    """Gradient descent (Robbins & Monro, 1951):  θ ← θ − η·g.

    With ``momentum`` μ > 0 (Polyak, 1964; torch's form):
        v ← μ·v + g,   θ ← θ − η·v
    With ``nesterov=True`` (Sutskever et al., 2013):
        v ← μ·v + g,   θ ← θ − η·(g + μ·v)
    Defaults: η = 0.01, μ = 0 (plain gradient descent).
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_hyper("momentum", momentum, 0.0, 1.0, open_low=False)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ConfigError(expected("momentum > 0 with nesterov=True", "0",
                                       "Pass e.g. momentum=0.9."))
        self.state_names = ("v",) if self.momentum else ()

    def update(self, params, grads):
        eta, mu, tmp = self.learning_rate, self.momentum, self._tmp
        if not mu:
            self.xp.multiply(grads, eta, out=tmp)
            params -= tmp                              # θ ← θ − η g
            return
        v = self.state["v"]
        v *= mu
        v += grads                                     # v ← μ v + g
        if self.nesterov:
            self.xp.multiply(v, mu, out=tmp)
            tmp += grads                               #     g + μ v
            tmp *= eta
        else:
            self.xp.multiply(v, eta, out=tmp)
        params -= tmp                                  # θ ← θ − η v  (or η(g + μv))

    def explain(self, w, g, state, t, digits=6):
        n, f = (lambda x: num(x, digits)), (lambda x: factor(x, digits))
        eta, mu = self.learning_rate, self.momentum
        if not mu:
            new = w - eta * g
            return (f"SGD, η = {n(eta)}",
                    [f"{{w}} ← {{w}} − η·g = {n(w)} − {n(eta)} × {f(g)} = {n(new)}"],
                    new)
        v0 = float(state["v"])
        v = mu * v0 + g
        lines = [f"v ← μ·v + g = {n(mu)} × {f(v0)} + {f(g)} = {n(v)}"]
        if self.nesterov:
            new = w - eta * (g + mu * v)
            lines.append(f"{{w}} ← {{w}} − η·(g + μ·v) = {n(w)} − {n(eta)} × "
                         f"({f(g)} + {n(mu)} × {f(v)}) = {n(new)}")
            return f"Nesterov momentum, η = {n(eta)}, μ = {n(mu)}", lines, new
        new = w - eta * v
        lines.append(f"{{w}} ← {{w}} − η·v = {n(w)} − {n(eta)} × {f(v)} = {n(new)}")
        return f"momentum, η = {n(eta)}, μ = {n(mu)}", lines, new

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "nesterov": self.nesterov}


class Momentum(SGD):
    """SGD with (heavy-ball) momentum (Polyak, 1964); defaults η = 0.01, μ = 0.9."""

    name = "momentum"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, **kw):
        super().__init__(learning_rate, momentum=momentum, nesterov=False, **kw)


class Nesterov(SGD):
    """Nesterov accelerated gradient (Nesterov, 1983; Sutskever et al., 2013).

    Defaults η = 0.01, μ = 0.9; the update is SGD's with ``nesterov=True``.
    """

    name = "nesterov"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, **kw):
        super().__init__(learning_rate, momentum=momentum, nesterov=True, **kw)


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011):

        G ← G + g²,   θ ← θ − η·g / (√G + ε)       η = 0.01, ε = 1e-10
    """

    name = "adagrad"
    state_names = ("G",)

    def __init__(self, learning_rate: float = 0.01, epsilon: float = 1e-10, **kw):
        super().__init__(learning_rate, **kw)
        self.epsilon = check_hyper("epsilon", epsilon)

    def update(self, params, grads):
        xp, G, tmp = self.xp, self.state["G"], self._tmp
        xp.square(grads, out=tmp)
        G += tmp                                       # G ← G + g²
        xp.sqrt(G, out=tmp)
        tmp += self.epsilon                            #     √G + ε
        xp.divide(grads, tmp, out=tmp)
        tmp *= self.learning_rate
        params -= tmp                                  # θ ← θ − η g/(√G + ε)

    def explain(self, w, g, state, t, digits=6):
        n, f = (lambda x: num(x, digits)), (lambda x: factor(x, digits))
        eta, eps, G0 = self.learning_rate, self.epsilon, float(state["G"])
        G = G0 + g * g
        new = w - eta * g / (math.sqrt(G) + eps)
        return (f"Adagrad, η = {n(eta)}, ε = {n(eps)}",
                [f"G ← G + g² = {n(G0)} + {f(g)}² = {n(G)}",
                 f"{{w}} ← {{w}} − η·g/(√G + ε) = {n(w)} − {n(eta)} × {f(g)} / "
                 f"(√{n(G)} + {n(eps)}) = {n(new)}"], new)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """RMSprop (Hinton, Coursera lecture 6e, 2012):

        s ← ρ·s + (1 − ρ)·g²,   θ ← θ − η·g / (√s + ε)
        η = 0.001, ρ = 0.9, ε = 1e-8 (the lecture's suggestions)
    """

    name = "rmsprop"
    state_names = ("s",)

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9,
                 epsilon: float = 1e-8, **kw):
        super().__init__(learning_rate, **kw)
        self.rho = check_hyper("rho", rho, 0.0, 1.0, open_low=False)
        self.epsilon = check_hyper("epsilon", epsilon)

    def update(self, params, grads):
        xp, s, tmp, rho = self.xp, self.state["s"], self._tmp, self.rho
        xp.square(grads, out=tmp)
        tmp *= 1.0 - rho
        s *= rho
        s += tmp                                       # s ← ρ s + (1 − ρ) g²
        xp.sqrt(s, out=tmp)
        tmp += self.epsilon                            #     √s + ε
        xp.divide(grads, tmp, out=tmp)
        tmp *= self.learning_rate
        params -= tmp                                  # θ ← θ − η g/(√s + ε)

    def explain(self, w, g, state, t, digits=6):
        n, f = (lambda x: num(x, digits)), (lambda x: factor(x, digits))
        eta, rho, eps, s0 = self.learning_rate, self.rho, self.epsilon, \
            float(state["s"])
        s = rho * s0 + (1 - rho) * g * g
        new = w - eta * g / (math.sqrt(s) + eps)
        return (f"RMSprop, η = {n(eta)}, ρ = {n(rho)}, ε = {n(eps)}",
                [f"s ← ρ·s + (1 − ρ)·g² = {n(rho)} × {n(s0)} + {n(1 - rho)} × "
                 f"{f(g)}² = {n(s)}",
                 f"{{w}} ← {{w}} − η·g/(√s + ε) = {n(w)} − {n(eta)} × {f(g)} / "
                 f"(√{n(s)} + {n(eps)}) = {n(new)}"], new)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}

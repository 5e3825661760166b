"""Optimizers that update every parameter of a model as one flat buffer.

θ and g below are the whole model's parameters and gradients
(``model.flat_params``, ``model.flat_grads``). State (m, v, …) is allocated
once in ``build``; ``step`` is a handful of in-place operations with no
allocation, so its cost does not depend on the number of layers.

Each optimizer writes its update as its paper does (``update``) and explains
it for one weight with that weight's numbers (``explain``), both in its own
class. Conventions follow the papers and match ``torch.optim`` step for step.
The base class ``Optimizer`` (build, clip, step) lives in
``glassnet.core.optimizer``; Adam and AdamW live in ``glassnet.core.adam``.
"""

from __future__ import annotations

import math

from glassnet.core.optimizer import (  # noqa: F401 - re-exported
    _FLUSH_EVERY,
    _TINY,
    Optimizer,
    check_hyper,
)
from glassnet.core.text import factor, num
from glassnet.errors import ConfigError, expected


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


def _root_scaled_step(xp, params, grads, acc, eps: float, eta: float,
                      tmp) -> None:
    """θ ← θ − η·g / (√a + ε) in place, the step Adagrad and RMSprop share:
    ``acc`` = a, their running sum / average of g² (G, s); ``tmp`` the scratch."""
    xp.sqrt(acc, out=tmp)
    tmp += eps                                         #     √a + ε
    xp.divide(grads, tmp, out=tmp)
    tmp *= eta
    params -= tmp                                      # θ ← θ − η g/(√a + ε)


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
        _root_scaled_step(xp, params, grads, G, self.epsilon, self.learning_rate,
                          tmp)                         # θ ← θ − η g/(√G + ε)

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
        _root_scaled_step(xp, params, grads, s, self.epsilon, self.learning_rate,
                          tmp)                         # θ ← θ − η g/(√s + ε)

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

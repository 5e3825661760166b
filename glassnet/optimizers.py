"""Optimizers that update every parameter of a model as one flat buffer.

θ and g below are the whole model's parameters and gradients
(``model.flat_params``, ``model.flat_grads``). State (m, v, …) is allocated
once in ``build``; ``step`` is a handful of in-place ufunc calls with no
allocation, so its cost does not depend on the number of layers.

Conventions follow the papers and match ``torch.optim`` step for step.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from glassnet.errors import ConfigError, expected

#: moment estimates below this are flushed to 0: subnormal floats (from
#: gradients that are almost always 0, e.g. MNIST's border pixels) make every
#: later elementwise pass ~40× slower on x86 and NumPy cannot flush them itself.
_TINY = 1e-30
_FLUSH_EVERY = 64


def _check(name: str, value, low=0.0, high=None, open_low=True) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)
    if ok:
        ok = value > low if open_low else value >= low
        if high is not None:
            ok = ok and value < high
    if not ok:
        rng = f"{'(' if open_low else '['}{low}, {high if high is not None else '∞'})"
        raise ConfigError(expected(f"{name} in {rng}", repr(value),
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

    def __init__(self, learning_rate: float | Callable[[int], float] = 0.01,
                 global_clipnorm=None, clipvalue=None):
        #: a schedule passed as learning_rate (a gn.schedules.Schedule or any
        #: function of the epoch): fit sets η = schedule(epoch) every epoch
        self.schedule = learning_rate if callable(learning_rate) else None
        self.learning_rate = _check("learning_rate", float(learning_rate(0)) if
                                    self.schedule else learning_rate)
        self.global_clipnorm = None if global_clipnorm is None else \
            _check("global_clipnorm", global_clipnorm)
        self.clipvalue = None if clipvalue is None else _check("clipvalue", clipvalue)
        self.t = 0
        self.state: dict[str, np.ndarray] = {}
        self.last_grad_norm = float("nan")

    def build(self, params: np.ndarray) -> None:
        """Allocate state and scratch once, shaped like the flat buffer."""
        self.state = {k: np.zeros_like(params) for k in self.state_names}
        self._tmp = np.empty_like(params)
        self._tiny = np.empty(params.shape, dtype=bool)  # the flush's mask
        self.t = 0

    def clip(self, grads: np.ndarray) -> None:
        if self.clipvalue is not None:
            np.clip(grads, -self.clipvalue, self.clipvalue, out=grads)
        if self.global_clipnorm is not None:
            norm = math.sqrt(float(np.dot(grads, grads)))
            self.last_grad_norm = norm
            if norm > self.global_clipnorm:
                grads *= self.global_clipnorm / norm

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        if self.state.keys() != set(self.state_names) or (
                self.state_names and self.state[self.state_names[0]].shape
                != params.shape) or not hasattr(self, "_tmp"):
            self.build(params)
        self.clip(grads)
        self.t += 1
        self._update(params, grads)
        if self.state_names and self.t % _FLUSH_EVERY == 0:
            for s in self.state.values():
                np.abs(s, out=self._tmp)
                np.less(self._tmp, _TINY, out=self._tiny)
                np.copyto(s, 0, where=self._tiny)       # |s| < 1e-30 → 0

    def _update(self, params, grads):
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
        self.momentum = _check("momentum", momentum, 0.0, 1.0, open_low=False)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ConfigError(expected("momentum > 0 with nesterov=True", "0",
                                       "Pass e.g. momentum=0.9."))
        self.state_names = ("v",) if self.momentum else ()

    def _update(self, params, grads):
        eta, mu = self.learning_rate, self.momentum
        if not mu:
            np.multiply(grads, eta, out=self._tmp)
            params -= self._tmp                        # θ ← θ − η g
            return
        v = self.state["v"]
        v *= mu
        v += grads                                     # v ← μ v + g
        if self.nesterov:
            np.multiply(v, mu, out=self._tmp)
            self._tmp += grads                         # g + μ v
            self._tmp *= eta
        else:
            np.multiply(v, eta, out=self._tmp)
        params -= self._tmp

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
        self.epsilon = _check("epsilon", epsilon)

    def _update(self, params, grads):
        G, tmp = self.state["G"], self._tmp
        np.square(grads, out=tmp)
        G += tmp                                       # G ← G + g²
        np.sqrt(G, out=tmp)
        tmp += self.epsilon
        np.divide(grads, tmp, out=tmp)
        tmp *= self.learning_rate
        params -= tmp                                  # θ ← θ − η g/(√G + ε)

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
        self.rho = _check("rho", rho, 0.0, 1.0, open_low=False)
        self.epsilon = _check("epsilon", epsilon)

    def _update(self, params, grads):
        s, tmp = self.state["s"], self._tmp
        np.square(grads, out=tmp)
        tmp -= s
        tmp *= 1.0 - self.rho
        s += tmp                                       # s ← ρ s + (1 − ρ) g²
        np.sqrt(s, out=tmp)
        tmp += self.epsilon
        np.divide(grads, tmp, out=tmp)
        tmp *= self.learning_rate
        params -= tmp                                  # θ ← θ − η g/(√s + ε)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015, Algorithm 1):

        m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
        m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
        θ ← θ − η·m̂ / (√v̂ + ε)
        η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8
    """

    name = "adam"
    state_names = ("m", "v")

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, **kw):
        super().__init__(learning_rate, **kw)
        self.beta_1 = _check("beta_1", beta_1, 0.0, 1.0, open_low=False)
        self.beta_2 = _check("beta_2", beta_2, 0.0, 1.0, open_low=False)
        self.epsilon = _check("epsilon", epsilon)

    def _decay(self, params):
        pass

    def _update(self, params, grads):
        m, v, tmp = self.state["m"], self.state["v"], self._tmp
        b1, b2, t = self.beta_1, self.beta_2, self.t
        self._decay(params)
        np.subtract(grads, m, out=tmp)
        tmp *= 1.0 - b1
        m += tmp                                       # m ← β₁m + (1 − β₁)g
        np.square(grads, out=tmp)
        tmp -= v
        tmp *= 1.0 - b2
        v += tmp                                       # v ← β₂v + (1 − β₂)g²
        bc1, bc2 = 1.0 - b1**t, 1.0 - b2**t
        # η m̂/(√v̂ + ε) = (η √bc2 / bc1) · m/(√v + ε √bc2): the bias
        # corrections become two scalars, saving a pass over every parameter.
        np.sqrt(v, out=tmp)
        tmp += self.epsilon * math.sqrt(bc2)           # √v + ε√bc2
        np.divide(m, tmp, out=tmp)
        tmp *= self.learning_rate * math.sqrt(bc2) / bc1
        params -= tmp                                  # θ ← θ − η m̂/(√v̂ + ε)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): decoupled weight decay λ = 0.01,

        θ ← θ − η·λ·θ,  then the Adam step.
        η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 as in Adam
    """

    name = "adamw"

    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.01,
                 **kw):
        super().__init__(learning_rate, **kw)
        self.weight_decay = _check("weight_decay", weight_decay, open_low=False)

    def _decay(self, params):
        if self.weight_decay:
            params *= 1.0 - self.learning_rate * self.weight_decay

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


_REGISTRY: dict[str, type[Optimizer]] = {
    "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "nag": Nesterov,
    "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW,
}
NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


def get(optimizer, **kwargs) -> Optimizer:
    """Resolve ``"adam"`` or an Optimizer object (kwargs go to the constructor)."""
    if isinstance(optimizer, Optimizer):
        if kwargs:
            raise ConfigError(expected(
                "hyperparameters inside the optimizer object", f"{sorted(kwargs)} "
                f"beside {optimizer!r}", "Pass them to the constructor, e.g. "
                "gn.optimizers.Adam(learning_rate=0.01), or name it: "
                "compile(optimizer='adam', learning_rate=0.01)."))
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in _REGISTRY:
        return _REGISTRY[optimizer.lower()](**kwargs)
    raise ConfigError(expected(f"an optimizer name, one of {NAMES}", repr(optimizer),
                               "Check the spelling or pass gn.optimizers.Adam(...)."))


def from_config(config: dict) -> Optimizer:
    name = config.get("name")
    if name not in _REGISTRY:
        raise ConfigError(expected("a known optimizer", repr(name), f"Use {NAMES}."))
    kwargs = {k: v for k, v in config.items() if k != "name"}
    if name in ("momentum", "nesterov"):
        kwargs.pop("nesterov", None)
    return _REGISTRY[name](**kwargs)

"""Learning-rate schedules: η as a function of the epoch (0-based).

Pass one as ``optimizer.learning_rate`` or to ``fit(lr_schedule=...)``;
fit sets the optimizer's rate at the start of every epoch and records it
in ``history["lr"]``.
"""

from __future__ import annotations

import math

from glassnet._validation import check_positive_int, is_finite_number, short_repr
from glassnet.errors import ConfigError, expected


class Schedule:
    """η(epoch)."""

    name = "schedule"

    def __call__(self, epoch: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, **{k: v for k, v in vars(self).items()}}


def _pos(name, v):
    if not is_finite_number(v) or v <= 0:
        raise ConfigError(expected(f"{name} > 0", short_repr(v),
                                   f"Pass a positive {name}."))
    return float(v)


class Constant(Schedule):
    """η(e) = η₀."""

    name = "constant"

    def __init__(self, initial: float):
        self.initial = _pos("initial", initial)

    def __call__(self, epoch):
        return self.initial


class StepDecay(Schedule):
    """η(e) = η₀ · γ^⌊e / step⌋."""

    name = "step"

    def __init__(self, initial: float, step: int = 10, gamma: float = 0.1):
        self.initial, self.gamma = _pos("initial", initial), _pos("gamma", gamma)
        self.step = check_positive_int(step, "step", "Pass e.g. step=10 (epochs).")

    def __call__(self, epoch):
        return self.initial * self.gamma ** (epoch // self.step)


class ExponentialDecay(Schedule):
    """η(e) = η₀ · γ^e."""

    name = "exponential"

    def __init__(self, initial: float, gamma: float = 0.95):
        self.initial, self.gamma = _pos("initial", initial), _pos("gamma", gamma)

    def __call__(self, epoch):
        return self.initial * self.gamma ** epoch


class InverseTimeDecay(Schedule):
    """η(e) = η₀ / (1 + k·e)."""

    name = "inverse_time"

    def __init__(self, initial: float, decay: float = 0.1):
        self.initial, self.decay = _pos("initial", initial), _pos("decay", decay)

    def __call__(self, epoch):
        return self.initial / (1.0 + self.decay * epoch)


class CosineDecay(Schedule):
    """Linear warm-up for w epochs, then cosine (Loshchilov & Hutter, 2017):

        η(e) = η₀·(e + 1)/w                                  for e < w
        η(e) = η_min + ½(η₀ − η_min)(1 + cos(π·(e − w)/(T − w)))  otherwise
    """

    name = "cosine"

    def __init__(self, initial: float, total_epochs: int, warmup: int = 0,
                 minimum: float = 0.0):
        self.initial = _pos("initial", initial)
        self.total_epochs = check_positive_int(total_epochs, "total_epochs",
                                               "Pass the number of epochs, e.g. 50.")
        if not 0 <= warmup < self.total_epochs:
            raise ConfigError(expected("0 ≤ warmup < total_epochs", warmup,
                                       "Shorten the warm-up."))
        self.warmup, self.minimum = int(warmup), float(minimum)

    def __call__(self, epoch):
        if epoch < self.warmup:
            return self.initial * (epoch + 1) / self.warmup
        span = max(self.total_epochs - self.warmup, 1)
        frac = min((epoch - self.warmup) / span, 1.0)
        return self.minimum + 0.5 * (self.initial - self.minimum) * (
            1 + math.cos(math.pi * frac))

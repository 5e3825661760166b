"""Losses by name: the regression losses here; the cross-entropies (and
their fused softmax/sigmoid forms) in ``glassnet.core.crossentropy``; the
base class in ``glassnet.core.loss``.
"""

from __future__ import annotations

from glassnet.core.crossentropy import BinaryCrossentropy, CategoricalCrossentropy
from glassnet.core.loss import Loss, per_output, scale_rows
from glassnet.core.text import factor, num
from glassnet.errors import ConfigError, expected


class MeanSquaredError(Loss):
    """MSE: lᵢ = (1/n) Σⱼ (ŷᵢⱼ − yᵢⱼ)²,  dL/dŷ = 2(ŷ − y)/(B·n)."""

    name = "mse"

    def per_sample(self, y_pred, y):
        return ((y_pred - y) ** 2).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        out = self.xp.subtract(y_pred, y, out=out)
        out *= 2.0 / y_pred.size
        return scale_rows(out, w)

    def explain_grad(self, out_name, y_name, out, target, n_out, digits=6):
        per, o, t = per_output(n_out), num(out, digits), factor(target, digits)
        return f"2·({out_name} − {y_name}){per}", f"2 × ({o} − {t}){per}"


class HalfSumSquaredError(Loss):
    """½·SSE (the seeds' E_total): lᵢ = ½ Σⱼ (yᵢⱼ − ŷᵢⱼ)²,  dL/dŷ = (ŷ − y)/B."""

    name = "half_sse"

    def per_sample(self, y_pred, y):
        return 0.5 * ((y - y_pred) ** 2).sum(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        out = self.xp.subtract(y_pred, y, out=out)
        out *= 1.0 / y_pred.shape[0]
        return scale_rows(out, w)

    def explain_grad(self, out_name, y_name, out, target, n_out, digits=6):
        return (f"{out_name} − {y_name}",
                f"{num(out, digits)} − {factor(target, digits)}")


class MeanAbsoluteError(Loss):
    """MAE: lᵢ = (1/n) Σⱼ |ŷᵢⱼ − yᵢⱼ|,  dL/dŷ = sign(ŷ − y)/(B·n)."""

    name = "mae"

    def per_sample(self, y_pred, y):
        return self.xp.abs(y_pred - y).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        xp = self.xp
        out = xp.sign(xp.subtract(y_pred, y, out=out), out=out)
        out *= 1.0 / y_pred.size
        return scale_rows(out, w)

    def explain_grad(self, out_name, y_name, out, target, n_out, digits=6):
        per, o, t = per_output(n_out), num(out, digits), factor(target, digits)
        return f"sign({out_name} − {y_name}){per}", f"sign({o} − {t}){per}"


class Huber(Loss):
    """Huber: h(r) = ½r² if |r| ≤ δ else δ(|r| − ½δ), r = ŷ − y; mean over outputs.

    dL/dŷ = clip(r, −δ, δ)/(B·n)  (Huber, 1964).
    """

    name = "huber"

    def __init__(self, delta: float = 1.0):
        if isinstance(delta, bool) or not isinstance(delta, int | float) \
                or not 0 < delta < float("inf"):
            raise ConfigError(expected("delta > 0", repr(delta),
                                       "Pass e.g. Huber(1.0)."))
        self.delta = float(delta)

    def per_sample(self, y_pred, y):
        xp, d = self.xp, self.delta
        r = xp.abs(y_pred - y)
        return xp.where(r <= d, 0.5 * r * r, d * (r - 0.5 * d)).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        out = self.xp.subtract(y_pred, y, out=out)
        self.xp.clip(out, -self.delta, self.delta, out=out)
        out *= 1.0 / y_pred.size
        return scale_rows(out, w)

    def explain_grad(self, out_name, y_name, out, target, n_out, digits=6):
        per, o, t, d = per_output(n_out), num(out, digits), factor(target, digits), \
            num(self.delta, 4)
        return (f"clip({out_name} − {y_name}, −δ, δ){per}",
                f"clip({o} − {t}, −{d}, {d}){per}")

    def get_config(self):
        return {"name": self.name, "delta": self.delta}


_REGISTRY: dict[str, type[Loss]] = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "half_sse": HalfSumSquaredError, "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError, "huber": Huber,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": CategoricalCrossentropy,
    "cross_entropy": CategoricalCrossentropy,
}
NAMES = ["mse", "half_sse", "mae", "huber", "binary_crossentropy",
         "categorical_crossentropy"]


def get(loss: str | Loss) -> Loss:
    """Resolve a loss name or object."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str) and loss.lower() in _REGISTRY:
        return _REGISTRY[loss.lower()]()
    raise ConfigError(expected(f"a loss name, one of {NAMES}", repr(loss),
                               "Check the spelling or pass a Loss object."))


def from_config(config: dict) -> Loss:
    name = config.get("name") if isinstance(config, dict) else None
    if name not in _REGISTRY:
        raise ConfigError(expected("a known loss", repr(name), f"Use {NAMES}."))
    kwargs = {k: v for k, v in config.items() if k != "name"}
    try:
        return _REGISTRY[name](**kwargs)
    except TypeError as exc:
        raise ConfigError(expected(f"the arguments of the {name} loss",
                                   sorted(kwargs), str(exc))) from None

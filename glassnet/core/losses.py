"""Loss functions L(ŷ, y), averaged over the batch, with their gradients.

Every loss gives the per-sample loss ``lᵢ`` and the batch loss
L = (1/B) Σᵢ wᵢ·lᵢ (wᵢ = 1 without sample weights). ``backward`` returns
dL/dŷ with the 1/B already applied, shape (B, n_out). ``explain_grad``
writes dlᵢ/dŷ for one output in a receipt's names, then with its numbers.

The cross-entropies also have a form on the logits z, paired with their
output activation (``glassnet.core.objective``): softmax + categorical
cross-entropy gives dL/dz = (p − y)/B, sigmoid + binary cross-entropy
(σ(z) − y)/(B·n). ``from_logits=True`` uses that form on a linear output.
"""

from __future__ import annotations

import numpy as np

from glassnet.core.objective import (
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
    scale_rows,
    weighted_mean,
)
from glassnet.core.targets import prepare_class_targets, prepare_float_targets
from glassnet.core.text import factor, num
from glassnet.errors import ConfigError, ShapeError, expected

_EPS = 1e-12


class Loss:
    """Base class. Subclasses define ``per_sample``, ``backward`` and their
    ``explain_grad``."""

    name = "loss"
    #: the output activation this loss fuses with (its logits form), if any
    fuses_with: str | None = None
    from_logits = False
    logits = None        # the fused form on the logits z (cross-entropies)
    xp = np              # the model's array module (set by compile)

    def prepare_targets(self, y, n_out: int, dtype) -> np.ndarray:
        """Validate y once at the boundary and convert it to (B, n_out) floats."""
        return prepare_float_targets(y, n_out, dtype)

    def per_sample(self, y_pred, y):
        raise NotImplementedError

    def forward(self, y_pred, y, w=None) -> float:
        """L = (1/B) Σᵢ wᵢ lᵢ."""
        return weighted_mean(self.per_sample(y_pred, y), w)

    def backward(self, y_pred, y, w=None, out=None):
        raise NotImplementedError

    def on_device(self, xp) -> Loss:
        """Do the math with ``xp``, the model's array module."""
        self.xp = xp
        if self.logits is not None:
            self.logits.xp = xp
        return self

    def explain_grad(self, out_name: str, y_name: str, out: float, target: float,
                     n_out: int, digits: int = 6) -> tuple[str, str]:
        """(dlᵢ/dŷⱼ in the receipt's names, the same with the numbers)."""
        return f"∂{self.name}/∂{out_name}", ""

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}()"


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
        per, o, t = _per(n_out), num(out, digits), factor(target, digits)
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
        per, o, t = _per(n_out), num(out, digits), factor(target, digits)
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
        per, o, t, d = _per(n_out), num(out, digits), factor(target, digits), \
            num(self.delta, 4)
        return (f"clip({out_name} − {y_name}, −δ, δ){per}",
                f"clip({o} − {t}, −{d}, {d}){per}")

    def get_config(self):
        return {"name": self.name, "delta": self.delta}


class BinaryCrossentropy(Loss):
    """Binary cross-entropy: lᵢ = −(1/n) Σⱼ [y ln p + (1 − y) ln(1 − p)].

    From probabilities p: dL/dp = (p − y)/(p(1 − p))/(B·n)  (p clipped to
    [1e-12, 1 − 1e-12], in float32 [1e-12, 1 − 2⁻²⁴]). With a sigmoid output
    or ``from_logits=True``: the fused ``SigmoidCrossEntropy`` on z.
    """

    name = "binary_crossentropy"
    fuses_with = "sigmoid"

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)
        self.logits = SigmoidCrossEntropy()

    def prepare_targets(self, y, n_out, dtype):
        y = super().prepare_targets(y, n_out, dtype)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ShapeError(expected("binary targets in [0, 1]",
                                      f"values in [{y.min()}, {y.max()}]",
                                      "Use 0/1 labels, or categorical_crossentropy "
                                      "for more than two classes."))
        return y

    def per_sample(self, y_pred, y):
        if self.from_logits:
            return self.logits.per_sample(y_pred, y)
        xp = self.xp
        p = _clip_prob(xp, y_pred)
        return -(y * xp.log(p) + (1.0 - y) * xp.log1p(-p)).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        if self.from_logits:
            return self.logits.backward(y_pred, y, w, out)
        p = _clip_prob(self.xp, y_pred)
        out = self.xp.divide(p - y, p * (1.0 - p), out=out)
        out *= 1.0 / y_pred.size
        return scale_rows(out, w)

    def explain_grad(self, out_name, y_name, out, target, n_out, digits=6):
        per, o, t = _per(n_out), num(out, digits), factor(target, digits)
        if self.from_logits:
            return f"(σ({out_name}) − {y_name}){per}", f"(σ({o}) − {t}){per}"
        return (f"({out_name} − {y_name}) / ({out_name}·(1 − {out_name})){per}",
                f"({o} − {t}) / ({o} × (1 − {o})){per}")

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}


class CategoricalCrossentropy(Loss):
    """Categorical cross-entropy: lᵢ = −Σⱼ yᵢⱼ ln pᵢⱼ  (y one-hot or labels).

    Targets may be integer class labels (B,) or one-hot / probability rows
    (B, C). With a softmax output or ``from_logits=True``: the fused
    ``SoftmaxCrossEntropy`` on z, dL/dz = (p − y)/B.
    """

    name = "categorical_crossentropy"
    fuses_with = "softmax"

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)
        self.logits = SoftmaxCrossEntropy()

    def prepare_targets(self, y, n_out, dtype):
        return prepare_class_targets(y, n_out, dtype)

    def per_sample(self, y_pred, y):
        if self.from_logits:
            return self.logits.per_sample(y_pred, y)
        xp = self.xp
        logp = xp.log(xp.clip(y_pred, _EPS, 1.0))
        if y.ndim == 1:
            return -logp[xp.arange(len(y)), y]
        return -(y * logp).sum(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        if self.from_logits:
            return self.logits.backward(y_pred, y, w, out)
        xp = self.xp
        p = xp.clip(y_pred, _EPS, 1.0)
        out = xp.divide(-_dense(xp, y, y_pred), p, out=out)   # −y / p
        out *= 1.0 / y_pred.shape[0]
        return scale_rows(out, w)

    def explain_grad(self, out_name, y_name, out, target, n_out, digits=6):
        if self.from_logits:
            return f"softmax(out){out_name[3:]} − {y_name}", ""
        return f"−{y_name} / {out_name}", f"−{factor(target, digits)} / " \
                                          f"{num(out, digits)}"

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}


def _per(n_out: int) -> str:
    return f"/{n_out}" if n_out > 1 else ""   # the mean over the outputs


def _clip_prob(xp, p):
    """p clipped to [ε, 1 − ε] so ln p and ln(1 − p) stay finite. The upper
    bound must exist in p's dtype: 1 − 1e-12 rounds to 1.0 in float32."""
    hi = min(1.0 - _EPS, 1.0 - float(np.finfo(p.dtype).epsneg))
    return xp.clip(p, _EPS, hi)


def _dense(xp, y, like):
    """One-hot rows from integer labels (rows are returned as they are)."""
    if y.ndim == 2:
        return y
    onehot = xp.zeros_like(like)
    onehot[xp.arange(len(y)), y] = 1.0
    return onehot


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

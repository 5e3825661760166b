"""Cross-entropy losses, and their fused forms on the logits.

    softmax + categorical cross-entropy:  lᵢ = lse(zᵢ) − z_{i,yᵢ}
                                          dL/dz = (p − y)/B
    sigmoid + binary cross-entropy:       lᵢⱼ = max(z,0) − z·y + ln(1+e^(−|z|))
                                          dL/dz = (σ(z) − y)/(B·n)

The fused forms work on the logits z of the last layer (the stable and
cheap form, finite for any z); ``glassnet.core.objective`` decides when
they apply. ``from_logits=True`` uses them on a linear output.
"""

from __future__ import annotations

import numpy as np

from glassnet.core.loss import Loss, per_output, scale_rows, weighted_mean
from glassnet.core.targets import prepare_class_targets
from glassnet.core.text import factor, num
from glassnet.errors import ShapeError, expected

_EPS = 1e-12
_TINY_P = 1e-30  # below this, −ln p is taken from the logits instead


class SoftmaxCrossEntropy:
    """softmax + categorical cross-entropy on the logits z (B, C).

        lᵢ = lse(zᵢ) − Σⱼ yᵢⱼ zᵢⱼ,   lse(z) = max z + ln Σ e^(z − max z)
        dL/dz = (p − y)/B,             p = softmax(z)
    y: integer labels (B,) or one-hot / probability rows (B, C).
    """

    name = "softmax_crossentropy"
    xp = np

    def per_sample(self, z, y):
        xp = self.xp
        m = z.max(axis=1)
        lse = m + xp.log(xp.exp(z - m[:, None]).sum(axis=1))
        if y.ndim == 1:
            return lse - z[xp.arange(len(y)), y]
        return lse * y.sum(axis=1) - (y * z).sum(axis=1)

    def forward(self, z, y, w=None, p=None) -> float:
        # In training p = softmax(z) is already computed, so for labels
        # lᵢ = −ln p_{i,yᵢ} costs B logs instead of a second max/exp/sum over z.
        # If some p_{i,yᵢ} is too small for its log to be accurate (≤ 1e-30,
        # a loss above 69) the lse form is used instead.
        if p is not None and y.ndim == 1:
            p_y = p[self.xp.arange(len(y)), y]                    # (B,)
            if float(p_y.min()) > _TINY_P:
                return weighted_mean(-self.xp.log(p_y), w)
        return weighted_mean(self.per_sample(z, y), w)

    def backward(self, z, y, w=None, out=None, p=None):
        xp = self.xp
        if p is None:
            p = xp.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
        if out is None:
            out = xp.empty_like(z)
        if y.ndim == 1:
            xp.copyto(out, p)
            out[xp.arange(len(y)), y] -= 1.0     # dz = p − onehot(y)
        else:
            xp.subtract(p, y, out=out)           # dz = p − y
        out *= 1.0 / z.shape[0]                  #    / B
        return scale_rows(out, w)

    def explain_grad(self, p_name, y_name, p, target, n_out, digits=6):
        """(dlᵢ/dzⱼ in the receipt's names, the same with the numbers)."""
        return f"{p_name} − {y_name}", f"{num(p, digits)} − {factor(target, digits)}"


class SigmoidCrossEntropy:
    """sigmoid + binary cross-entropy on the logits z (B, n).

        lᵢ = (1/n) Σⱼ [max(zᵢⱼ, 0) − zᵢⱼ·yᵢⱼ + ln(1 + e^(−|zᵢⱼ|))]
        dL/dz = (σ(z) − y)/(B·n)
    """

    name = "sigmoid_crossentropy"
    xp = np

    def per_sample(self, z, y):
        xp = self.xp
        return (xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z)))).mean(axis=1)

    def forward(self, z, y, w=None, p=None) -> float:
        return weighted_mean(self.per_sample(z, y), w)

    def backward(self, z, y, w=None, out=None, p=None):
        xp = self.xp
        if p is None:
            e = xp.exp(-xp.abs(z))
            p = xp.where(z >= 0, 1.0, e) / (1.0 + e)      # σ(z)
        out = xp.subtract(p, y, out=out)                 # dz = σ(z) − y
        out *= 1.0 / z.size                              #    / (B·n)
        return scale_rows(out, w)

    def explain_grad(self, p_name, y_name, p, target, n_out, digits=6):
        o, t = num(p, digits), factor(target, digits)
        if n_out == 1:
            return f"{p_name} − {y_name}", f"{o} − {t}"
        return f"({p_name} − {y_name})/{n_out}", f"({o} − {t})/{n_out}"


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
        per, o, t = per_output(n_out), num(out, digits), factor(target, digits)
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

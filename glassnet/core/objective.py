"""What training minimises, seen from the output layer — one object for all.

Most losses take the network's output ŷ = a of the last layer and return
dL/dŷ, which backward then pushes through that layer's activation. Two
pairs fuse instead, and are then computed from the logits z of the last
layer (the stable and cheap form, finite for any z):

    softmax + categorical cross-entropy:  lᵢ = lse(zᵢ) − z_{i,yᵢ}
                                          dL/dz = (p − y)/B
    sigmoid + binary cross-entropy:       lᵢⱼ = max(z,0) − z·y + ln(1+e^(−|z|))
                                          dL/dz = (σ(z) − y)/(B·n)

(scikit-learn's ``_backprop`` relies on the same identity:
``deltas[last] = activations[-1] - y`` for these output/loss pairs.)

``Objective(loss, last_layer)`` decides once which form applies; the
training loop, ``evaluate``, ``gradients``, the trace and the receipts all
ask it for the loss and its gradient, so the fused logic lives here only.
"""

from __future__ import annotations

import numpy as np

from glassnet.core.text import factor, num

_TINY_P = 1e-30  # below this, −ln p is taken from the logits instead


def weighted_mean(per_sample, w=None) -> float:
    """L = (1/B) Σᵢ wᵢ lᵢ  (the plain mean without weights)."""
    if w is None:
        return float(per_sample.sum()) / per_sample.size
    return float((per_sample * w).sum() / per_sample.shape[0])


def scale_rows(g, w):
    """g ← g · wᵢ row by row (sample weights), in place."""
    if w is not None:
        g *= w[:, None]
    return g


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


class Objective:
    """The loss of a model, fused with its output activation when they pair.

    value(out, y, w)   L                     (out: the last layer's output a)
    grad(out, y, w)    dL/dŷ, or dL/dz of the last layer when ``fused`` —
                       then backward starts below the last activation
                       (``model.backward(g, logits=True)``)
    per_sample(out, y) lᵢ (B,)
    """

    def __init__(self, loss, last_layer):
        self.loss, self.layer = loss, last_layer
        act = getattr(last_layer, "activation", None)
        self.fused = (loss.logits is not None and not loss.from_logits
                      and act is not None and act.name == loss.fuses_with
                      and hasattr(last_layer, "backward_z"))
        self.form = loss.logits if self.fused else loss

    def value(self, out, y, w=None) -> float:
        if self.fused:
            return self.form.forward(self.layer.z, y, w, p=out)
        return self.loss.forward(out, y, w)

    def grad(self, out, y, w=None):
        if self.fused:
            dz = self.layer._buffer("dz", out.shape)
            return self.form.backward(self.layer.z, y, w, out=dz, p=out)
        return self.loss.backward(out, y, w)

    def per_sample(self, out, y):
        if self.fused:
            return self.form.per_sample(self.layer.z, y)
        return self.loss.per_sample(out, y)

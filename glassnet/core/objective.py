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
``deltas[last] = activations[-1] - y`` for these output/loss pairs.) The
fused forms themselves are ``glassnet.core.crossentropy``'s
``SoftmaxCrossEntropy`` and ``SigmoidCrossEntropy``.

A regression model ending in ``Rescale`` (ŷ = z·σ + μ, ``core/rescale.py``)
is trained on standardised targets: the loss compares z with (y − μ)/σ and
gives dL/dz, so the loss and its gradient have the scale of standardised
data while predict answers in the targets' units.

Outputs with a time axis (B, T, H) are flattened to one row per step, with
padded steps weighted 0 (``core/steps.py``).

``Objective(loss, layers)`` decides once which form applies; the training
loop, ``evaluate``, ``gradients``, the trace and the receipts all ask it for
the loss and its gradient, so the fused logic lives here only.
"""

from __future__ import annotations

from glassnet.core import steps


class Objective:
    """The loss of a model, fused with its output activation when they pair.

    value(out, y, w)   L                     (out: the last layer's output a)
    grad(out, y, w)    dL/dŷ, or dL/dz of the last layer when ``fused`` —
                       then backward starts below the last activation
                       (``model.backward(g, logits=True)``)
    per_sample(out, y) lᵢ (B,), or per step (B, T) with padded steps 0
    mask()             the real steps (B, T) of the last forward, or None
    """

    def __init__(self, loss, layers):
        layers = layers if isinstance(layers, list | tuple) else (layers,)
        self.loss, self.layer = loss, layers[-1]
        act = getattr(self.layer, "activation", None)
        #: a Rescale output: train on standardised targets (y − μ)/σ
        self.scaled = getattr(self.layer, "scales_targets", False) \
            and loss.logits is None
        self.fused = self.scaled or (
            loss.logits is not None and not loss.from_logits and act is not None
            and act.name == loss.fuses_with and hasattr(self.layer, "backward_z"))
        self.form = loss.logits if self.fused and not self.scaled else loss
        self.source = steps.mask_source(layers)

    def mask(self):
        return steps.step_mask(self.source)

    def _inputs(self, out, y, w):
        """(what the loss compares, the targets, the row weights): the output
        or the logits z, over one row per step, targets standardised for a
        Rescale output."""
        z = self.layer.z if self.fused else out
        if self.scaled:
            y = self.layer.standardize(y)                  # (y − μ) / σ
        if out.ndim > 2:
            steps.check_steps(out, y)
            z = z.reshape(out.shape)
            out, _, _ = steps.rows(self.loss.xp, out, y, None, None)
            z, y, w = steps.rows(self.loss.xp, z, y, w, self.mask())
        return out, z, y, w

    def value(self, out, y, w=None) -> float:
        out, z, y, w = self._inputs(out, y, w)
        if self.fused and not self.scaled:
            return self.form.forward(z, y, w, p=out)
        return self.form.forward(z, y, w)

    def grad(self, out, y, w=None):
        shape = out.shape
        out, z, y, w = self._inputs(out, y, w)
        if self.fused and not self.scaled:
            dz = self.layer._buffer("dz", out.shape)
            g = self.form.backward(z, y, w, out=dz, p=out)
        else:
            g = self.form.backward(z, y, w)
        return g if g.shape == shape else g.reshape(shape)

    def per_sample(self, out, y):
        shape = out.shape
        _, z, y, _ = self._inputs(out, y, None)
        per = self.form.per_sample(z, y)
        if len(shape) <= 2:
            return per
        per = per.reshape(shape[:2])                       # (B, T)
        mask = self.mask()
        return per if mask is None else per * mask

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

``Objective(loss, last_layer)`` decides once which form applies; the
training loop, ``evaluate``, ``gradients``, the trace and the receipts all
ask it for the loss and its gradient, so the fused logic lives here only.
"""

from __future__ import annotations


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

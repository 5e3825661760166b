"""Chain-rule receipts: every number of a neuron, a gradient or an update.

    gn.explain(model, X, y, neuron=(layer, unit), sample=0)
        net = (x1·w1) + (x2·w2) + b1 = 1·1 + 0.5·0.5 + 2 = 3.25, then f(net)
    gn.explain(model, X, y, weight=(layer, "W", i, j))
        ∂E/∂w as the product of named chain-rule factors, summed over the
        paths from the loss to the weight, averaged over the batch
    gn.explain(model, X, y, weight=..., update=True)
        … then the optimizer's formula with this weight's numbers

This module holds ``explain`` and the neuron receipt; the gradient receipt
(with its chain-rule formulas) is ``glassnet.glassbox.gradient_receipt``,
the ``Receipt`` type ``glassnet.glassbox.receipt_base``, a Conv2D weight's
receipt ``glassnet.glassbox.conv_receipt``.
"""

from __future__ import annotations

import numpy as np

from glassnet.core import losses as loss_mod
from glassnet.core.backend import to_host
from glassnet.errors import ConfigError, expected
from glassnet.glassbox.conv_receipt import explain_conv, is_conv_weight
from glassnet.glassbox.formatting import Line, default_digits, num
from glassnet.glassbox.gradient_receipt import (
    add_update,
    check_weight,
    gradient_receipt,
)
from glassnet.glassbox.notation import Names, Notation
from glassnet.glassbox.receipt_base import Receipt, check_model_X, check_sample
from glassnet.glassbox.trace import capture, complete, restore, snapshot

_MAX_TERMS = 12      # fan-in up to which a weighted sum is written term by term


def explain(model, X, y=None, *, neuron: tuple | None = None,
            weight: tuple | None = None, update: bool = False, sample: int = 0,
            loss=None, notation: Notation | None = None, digits: int | None = None,
            apply: bool = False) -> Receipt:
    """Explain one number of ``model`` on the batch (X, y) with a receipt.

    neuron=(layer, unit): the unit's weighted sum and activation for ``sample``.
    weight=(layer, "W", i, j) or (layer, "b", j): ∂E/∂w with its chain rule;
        for a Conv2D layer (layer, "kernel", i, j, c, f) or (layer, "bias", f):
        ∂E/∂K as its sum over the batch and output positions (conv_receipt).
    update=True: also the optimizer step for that weight (needs compile()).
    The model's weights are left as they were unless ``apply=True``; like
    ``model.gradients()`` the call overwrites the stored gradients.
    """
    if (neuron is None) == (weight is None):
        raise ConfigError(expected("exactly one of neuron=(layer, unit) or "
                                   "weight=(layer, 'W', i, j)",
                                   f"neuron={neuron!r}, weight={weight!r}",
                                   "Pick the number to explain."))
    digits = default_digits(model.dtype) if digits is None else int(digits)
    if weight is not None and is_conv_weight(model, weight):   # a Conv2D weight
        return explain_conv(model, X, y, weight, _gradient_loss(model, y, loss),
                            update, digits=digits, apply=apply)
    names = Names(model, notation)
    if neuron is not None:
        return _neuron(model, X, names, neuron, sample, digits)
    loss = _gradient_loss(model, y, loss)
    Xp, yp = model.prepare(X, y, loss)
    if update and model.optimizer is None:
        raise ConfigError("update=True needs the model's optimizer: call "
                          "model.compile(loss=..., optimizer=...) first.")
    L = model.loss_and_grads(Xp, yp, loss, training=False)
    tr = capture(model, Xp, yp, L, loss)
    scaled = model.objective(loss).scaled
    if scaled:  # the Dense below Rescale is the output; targets standardised
        tr.fused, tr.y = False, np.asarray(to_host(model.layers[-1].standardize(yp)))
    l, pname, idx = check_weight(model, names, weight)
    receipt = gradient_receipt(model, tr, names, loss, l, pname, idx, sample, digits)
    if scaled:
        receipt.lines.insert(1, _rescale_note(model.layers[-1], names, digits))
    if update:
        snap = snapshot(model)
        model.optimizer.step(model.flat_params, model.flat_grads)  # the real update
        complete(model, tr)
        if not apply:
            restore(model, snap)
        add_update(receipt, model.optimizer, tr, names, l, pname, idx, digits)
    return receipt


def _gradient_loss(model, y, loss):
    """The loss a gradient receipt differentiates (``loss``, or the compiled
    one); the gradient depends on it, so targets y are needed."""
    if y is None:
        raise ConfigError(expected("targets y for a gradient receipt", "None",
                                   "Pass y: the gradient depends on the loss."))
    return loss_mod.get(loss).on_device(model.xp) if loss is not None \
        else model.compiled_loss()


def _rescale_note(rescale, names: Names, digits: int) -> Line:
    """What the loss compares when the model ends in Rescale."""
    return Line("note", (
        f"The model ends in Rescale (ŷ = out·σ + μ, μ = "
        f"{num(float(rescale.state['mean'][0]), digits)}, σ = "
        f"{num(float(rescale.state['scale'][0]), digits)}): the loss compares "
        f"out with the standardised target (y − μ)/σ, written {names.target(0)} "
        "below."))


# -- neuron ---------------------------------------------------------------
def _neuron(model, X, names: Names, neuron, sample: int, digits: int) -> Receipt:
    if not (isinstance(neuron, tuple | list) and len(neuron) == 2):
        raise ConfigError(expected("neuron=(layer, unit)", repr(neuron),
                                   "Pass e.g. neuron=(0, 1)."))
    l, j = int(neuron[0]), int(neuron[1])
    if l not in names.pos:
        raise ConfigError(expected(f"a Dense layer index in {names.dense}", l,
                                   "Count layers from 0 as in model.layers."))
    layer = model.layers[l]
    if not 0 <= j < layer.units:
        raise ConfigError(expected(f"a unit in 0..{layer.units - 1}", j,
                                   f"layers[{l}] has {layer.units} units."))
    Xp = check_model_X(model, X)
    s = check_sample(sample, Xp.shape[0])
    model.forward(model.backend.to_device(Xp), training=False)
    x = to_host(layer.x[s]).astype(np.float64)
    W = to_host(layer.W[:, j]).astype(np.float64)
    b = float(layer.b[j]) if layer.use_bias else None
    z, a = float(layer.z[s, j]), float(layer.a[s, j])
    n = lambda v: num(v, digits)   # noqa: E731
    syms = [f"({names.source(l, i)}·{names.weight(l, i, j)})" for i in range(len(x))]
    nums = [f"{n(xi)}·{_par(wi, digits)}" for xi, wi in zip(x, W, strict=True)]
    terms = [(f"{names.source(l, i)}·{names.weight(l, i, j)}", float(x[i] * W[i]))
             for i in range(len(x))]
    if len(x) > _MAX_TERMS:
        syms, nums = _top_terms(x, W, names, l, j, digits)
    if b is not None:
        syms.append(names.bias(l, j))
        nums.append(_par(b, digits))
        terms.append((names.bias(l, j), float(b)))
    net, out, act = names.net(l, j), names.out(l, j), layer.activation
    sym = act.symbol
    B = Xp.shape[0]
    lines = [Line("title", f"{names.unit(l, j)}: unit {j} of layers[{l}] "
                           f"({act.name}), sample {s + 1} of {B}"),
             Line("eq", f"{net} = " + " + ".join(syms)),
             Line("eq", " " * len(net) + " = " + " + ".join(nums)),
             Line("eq", " " * len(net) + f" = {n(z)}"),
             Line("eq", f"{out} = {sym}({net}) = "
                  + act.explain(z, digits, row=to_host(layer.z[s]))
                  + f" = {n(a)}" if sym else f"{out} = {net} = {n(a)}")]
    return Receipt("neuron", lines[0].text, lines, a, factors=terms,
                   sample_value=z)


def _top_terms(x, W, names: Names, l: int, j: int, digits: int):
    prods = x * W
    top = np.argsort(-np.abs(prods), kind="stable")[:5]
    rest = np.setdiff1d(np.arange(len(x)), top)
    syms = [f"({names.source(l, i)}·{names.weight(l, i, j)})" for i in top]
    nums = [f"{num(x[i], digits)}·{_par(W[i], digits)}" for i in top]
    syms.append(f"(the other {len(rest)} terms)")
    nums.append(_par(float(prods[rest].sum()), digits))
    return syms, nums


def _par(v: float, digits: int) -> str:
    t = num(v, digits)
    return f"({t})" if t.startswith("-") else t

"""Chain-rule receipts: every number of a neuron, a gradient or an update.

    gn.explain(model, X, y, neuron=(layer, unit), sample=0)
        net = (x1·w1) + (x2·w2) + b1 = 1·1 + 0.5·0.5 + 2 = 3.25, then f(net)
    gn.explain(model, X, y, weight=(layer, "W", i, j))
        ∂E/∂w as the product of named chain-rule factors, summed over the
        paths from the loss to the weight, averaged over the batch
    gn.explain(model, X, y, weight=..., update=True)
        … then the optimizer's formula with this weight's numbers

For a weight w = W[i, j] of a Dense layer (unit j, fed by source i) and one
sample, backpropagation computes (Rumelhart, Hinton & Williams, 1986)

    ∂E/∂w = ∂E/∂out_j · ∂out_j/∂net_j · ∂net_j/∂w          ∂net_j/∂w = out_i
    ∂E/∂out_j = Σ_k ∂E/∂net_k · w_jk     (k: the units that out_j feeds)

and over a batch E is the mean of the per-sample losses, so ∂E/∂w is the
mean of the per-sample gradients. Every factor printed is read from the
model's own forward/backward arrays (or ``activation.derivative``), so the
receipt shows the numbers the model really used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from glassnet._validation import check_X
from glassnet.core import losses as loss_mod
from glassnet.core.backend import to_host
from glassnet.errors import ConfigError, expected
from glassnet.glassbox.chain import chain as chain_of
from glassnet.glassbox.chain import sample_value
from glassnet.glassbox.conv_receipt import explain_conv, is_conv_weight
from glassnet.glassbox.formatting import (
    Line,
    default_digits,
    num,
    product,
    signed_sum,
)
from glassnet.glassbox.formulas import Factor
from glassnet.glassbox.latex import Rendered
from glassnet.glassbox.notation import Names, Notation
from glassnet.glassbox.trace import capture, complete, restore, snapshot
from glassnet.glassbox.updates import update_lines

_MAX_TERMS = 12      # fan-in up to which a weighted sum is written term by term
_MAX_LISTED = 8      # batch size up to which every per-sample value is listed


@dataclass
class Receipt(Rendered):
    """A worked computation: ``text()`` for the terminal, ``markdown()``,
    ``html()`` and ``latex()`` for notebooks and documents (``Rendered``).

    value:    the receipt's result (the neuron's output, the batch gradient
              computed from the factors, or the new weight after an update)
    factors:  [(name, value)] of the chain for the chosen sample, whose
              product is that sample's gradient (the weighted-sum terms for
              a neuron)
    paths:    [[(name, value), …], …] one fully expanded chain per path
    """

    kind: str
    title: str
    lines: list[Line]
    value: float
    factors: list[tuple[str, float]] = field(default_factory=list)
    paths: list[list[tuple[str, float]]] = field(default_factory=list)
    sample_value: float | None = None
    backprop: float | None = None      # the model's own number, for comparison
    update: dict | None = None



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
        if y is None:
            raise ConfigError(expected("targets y for a gradient receipt", "None",
                                       "Pass y: the gradient depends on the loss."))
        loss = loss_mod.get(loss).on_device(model.xp) if loss is not None \
            else model.compiled_loss()
        return explain_conv(model, X, y, weight, loss, update, digits=digits,
                            apply=apply)
    names = Names(model, notation)
    if neuron is not None:
        return _neuron(model, X, names, neuron, sample, digits)
    if y is None:
        raise ConfigError(expected("targets y for a gradient receipt", "None",
                                   "Pass y: the gradient depends on the loss."))
    loss = loss_mod.get(loss).on_device(model.xp) if loss is not None \
        else model.compiled_loss()
    Xp, yp = model.prepare(X, y, loss)
    if update and model.optimizer is None:
        raise ConfigError("update=True needs the model's optimizer: call "
                          "model.compile(loss=..., optimizer=...) first.")
    L = model.loss_and_grads(Xp, yp, loss, training=False)
    tr = capture(model, Xp, yp, L, loss)
    scaled = model.objective(loss).scaled
    if scaled:  # the Dense below Rescale is the output; targets standardised
        tr.fused, tr.y = False, np.asarray(to_host(model.layers[-1].standardize(yp)))
    l, pname, idx = _check_weight(model, names, weight)
    receipt = _gradient(model, tr, names, loss, l, pname, idx, sample, digits)
    if scaled:
        rescale = model.layers[-1]
        receipt.lines.insert(1, Line("note", (
            f"The model ends in Rescale (ŷ = out·σ + μ, μ = "
            f"{num(float(rescale.state['mean'][0]), digits)}, σ = "
            f"{num(float(rescale.state['scale'][0]), digits)}): the loss compares "
            f"out with the standardised target (y − μ)/σ, written {names.target(0)} "
            "below.")))
    if update:
        snap = snapshot(model)
        model.optimizer.step(model.flat_params, model.flat_grads)  # the real update
        complete(model, tr)
        if not apply:
            restore(model, snap)
        _add_update(receipt, model.optimizer, tr, names, l, pname, idx, digits)
    return receipt


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
    Xp = _check_X(model, X)
    s = _check_sample(sample, Xp.shape[0])
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


# -- gradient -----------------------------------------------------------------
def _check_weight(model, names: Names, weight) -> tuple[int, str, tuple]:
    ok = isinstance(weight, tuple | list) and len(weight) >= 3
    if ok:
        l, pname, idx = int(weight[0]), weight[1], tuple(int(v) for v in weight[2:])
        ok = l in names.pos and pname in ("W", "b")
    if not ok:
        raise ConfigError(expected("weight=(layer, 'W', i, j) or (layer, 'b', j) "
                                   f"with layer in {names.dense}", repr(weight),
                                   "Pass e.g. weight=(1, 'W', 0, 0)."))
    shape = model.layers[l].params[pname].shape if pname in model.layers[l].params \
        else ()
    if len(idx) != len(shape) or any(not 0 <= v < d for v, d in zip(idx, shape,
                                                                   strict=True)):
        raise ConfigError(expected(f"an index into layers[{l}].{pname} of shape "
                                   f"{shape}", idx, "W is (n_in, n_out), b (n_out,)."))
    return l, pname, idx


def _gradient(model, tr, names: Names, loss, l: int, pname: str, idx: tuple,
              sample: int, digits: int) -> Receipt:
    d = tr.layers[l]
    B = d["x"].shape[0]
    s = _check_sample(sample, B)
    j = idx[-1]
    w_name = names.weight(l, *idx) if pname == "W" else names.bias(l, j)
    E = names.E
    # per-sample gradients, from the model's own dz: g_s = B·x_si·dz_sj
    x_col = d["x"][:, idx[0]].astype(np.float64) if pname == "W" else np.ones(B)
    chain, prefix_lines, paths = chain_of(model, tr, names, loss, l, j, s, digits)
    src = Factor(f"∂{names.net(l, j)}/∂{w_name}",
                 names.source(l, idx[0]) if pname == "W" else "1", float(x_col[s]))
    chain = chain + [src]
    paths = [p + [src] for p in paths]
    per_sample = np.array([sample_value(tr, names, l, j, t) * x_col[t]
                           for t in range(B)])
    g_s = math.prod(f.value for f in chain)
    value = float(per_sample.mean())
    where = (f"{names.source(l, idx[0])} → {names.net(l, j)}" if pname == "W"
             else f"bias of {names.net(l, j)}")
    at = f"layers[{l}].{pname}[{', '.join(map(str, idx))}]"
    at = f"{w_name} = {at}" if names.numbered else at
    lines = [Line("title", f"∂{E}/∂{w_name}  ({at}: {where}; sample {s + 1} of {B})")]
    lines.append(Line("eq", f"∂{E}/∂{w_name} = " + " · ".join(f.name for f in chain)))
    width = max(len(f.name) for f in chain)
    if prefix_lines:  # the first factor is a sum over paths, written out above
        lines += prefix_lines
        lines += [Line("eq", f.line(width, digits)) for f in chain[1:]]
    else:
        lines += [Line("eq", f.line(width, digits)) for f in chain]
    values = product([f.value for f in chain], digits)
    lines.append(Line("eq", f"∂{E}/∂{w_name} = {values} = {num(g_s, digits)}"))
    if tr.fused:
        per = "/B" if loss.name == "categorical_crossentropy" else "/(B·n)"
        lines.append(Line("note", f"The {model.layers[names.dense[-1]].activation.name}"
                                  f" output and {loss.name} fuse: for the whole batch "
                                  f"∂{E}/∂net = (p − y){per}, so the chain starts at "
                                  "∂E/∂net (no separate ∂E/∂out · ∂out/∂net)."))
    if B > 1:
        lines += _batch_lines(E, w_name, per_sample, s, digits)
    penalty = _penalty(model.layers[l], pname, idx)
    if penalty is not None:
        value += penalty[1]
        lines.append(Line("eq", f"+ ∂Ω/∂{w_name} = {penalty[0]} = "
                                f"{num(penalty[1], digits)}   (weight penalty)"))
        lines.append(Line("eq", f"∂{E}/∂{w_name} = {num(value, digits)}"))
    backprop = float(d["d" + pname][idx])
    agree = num(backprop, digits) == num(value, digits)
    lines.append(Line("note", f"backprop stored layers[{l}].d{pname}"
                              f"[{', '.join(map(str, idx))}] = {num(backprop, digits)}"
                              + (" ✓" if agree else " (float rounding)")))
    return Receipt("weight", lines[0].text, lines, value,
                   factors=[(f.name, f.value) for f in chain],
                   paths=[[(f.name, f.value) for f in p] for p in paths],
                   sample_value=g_s, backprop=backprop)


def _batch_lines(E, w_name, per_sample, s, digits) -> list[Line]:
    B = len(per_sample)
    mean = float(per_sample.mean())
    if B <= _MAX_LISTED:
        listed = signed_sum(per_sample, digits)
        return [Line("note", f"Over the batch, {E} is the mean of the {B} per-sample "
                             "losses, so the gradient is the mean of the per-sample "
                             "gradients:"),
                Line("eq", f"∂{E}/∂{w_name} = (1/{B})·({listed}) = "
                           f"{num(mean, digits)}")]
    return [Line("note", f"Over the batch, {E} is the mean of the {B} per-sample "
                         f"losses (sample {s + 1} above contributes "
                         f"{num(per_sample[s], digits)}):"),
            Line("eq", f"∂{E}/∂{w_name} = mean of {B} per-sample values "
                       f"= {num(mean, digits)}")]


def _penalty(layer, pname: str, idx: tuple):
    reg = layer.kernel_regularizer if pname == "W" else layer.bias_regularizer
    if not reg:
        return None
    w = float(to_host(layer.params[pname])[idx])
    g = reg.l1 * float(np.sign(w)) + 2.0 * reg.l2 * w
    form = " + ".join(p for p in (f"λ₁·sign(w) [λ₁={reg.l1:g}]" if reg.l1 else "",
                                  f"2λ₂·w [λ₂={reg.l2:g}]" if reg.l2 else "") if p)
    return form, g


def _add_update(receipt: Receipt, optimizer, tr, names, l, pname, idx,
                digits) -> None:
    d = tr.layers[l]
    w_name = receipt.title.split()[0][len("∂" + names.E + "/∂"):]
    g_raw = float(d["d" + pname][idx])
    g = float(d.get("d" + pname + "_applied", d["d" + pname])[idx])
    before = {k: float(v[idx]) for k, v in d["state_" + pname + "_before"].items()}
    after = {k: float(v[idx]) for k, v in d["state_" + pname].items()}
    lines, info = update_lines(optimizer, w_name, f"∂{names.E}/∂{w_name}",
                               float(d[pname][idx]), g_raw, g, before, after,
                               float(d[pname + "_after"][idx]), tr.optimizer["t"],
                               digits)
    receipt.lines += lines
    receipt.update = info


def _check_sample(sample, B: int) -> int:
    if isinstance(sample, bool) or not isinstance(sample, int | np.integer) \
            or not 0 <= sample < B:
        raise ConfigError(expected(f"sample in 0..{B - 1}", repr(sample),
                                   "Pass the row of X to explain."))
    return int(sample)


def _check_X(model, X):
    return check_X(X, model.input_shape, model.dtype)

"""The receipt of a Dense weight's gradient: ∂E/∂w as its chain rule.

For a weight w = W[i, j] of a Dense layer (unit j, fed by source i) and one
sample, backpropagation computes (Rumelhart, Hinton & Williams, 1986)

    ∂E/∂w = ∂E/∂out_j · ∂out_j/∂net_j · ∂net_j/∂w          ∂net_j/∂w = out_i
    ∂E/∂out_j = Σ_k ∂E/∂net_k · w_jk     (k: the units that out_j feeds)

and over a batch E is the mean of the per-sample losses, so ∂E/∂w is the
mean of the per-sample gradients. Every factor printed is read from the
model's own forward/backward arrays (or ``activation.derivative``), so the
receipt shows the numbers the model really used. With ``update=True`` the
optimizer's formula follows with this weight's numbers (``add_update``).
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.core.backend import to_host
from glassnet.errors import ConfigError, expected
from glassnet.glassbox.chain import chain as chain_of
from glassnet.glassbox.chain import sample_value
from glassnet.glassbox.formatting import Line, num, product, signed_sum
from glassnet.glassbox.formulas import Factor
from glassnet.glassbox.notation import Names
from glassnet.glassbox.receipt_base import Receipt, check_sample
from glassnet.glassbox.updates import update_lines

_MAX_LISTED = 8      # batch size up to which every per-sample value is listed


def check_weight(model, names: Names, weight) -> tuple[int, str, tuple]:
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


def gradient_receipt(model, tr, names: Names, loss, l: int, pname: str, idx: tuple,
              sample: int, digits: int) -> Receipt:
    d = tr.layers[l]
    B = d["x"].shape[0]
    s = check_sample(sample, B)
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


def add_update(receipt: Receipt, optimizer, tr, names, l, pname, idx,
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

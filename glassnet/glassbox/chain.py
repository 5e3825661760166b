"""The chain of a weight's gradient: ∂E/∂net of a unit, factor by factor.

For unit j of a Dense layer and one sample, backpropagation computes

    ∂E/∂net_j = ∂E/∂out_j · ∂out_j/∂net_j
    ∂E/∂out_j = Σ_k ∂E/∂net_k · w_jk     (k: the units that out_j feeds)

and on the output layer ∂E/∂out comes from the loss (or ∂E/∂net directly,
when the output activation fuses with it). Every value is read from the
model's own arrays in the trace; the formula text comes from the
activation and loss objects (``formulas.py``).
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.core.text import num, product, signed_sum
from glassnet.glassbox.formatting import Line
from glassnet.glassbox.formulas import Factor, derivative_factor, loss_factor
from glassnet.glassbox.notation import Names

_MAX_PATHS = 10      # fan-out up to which each path is written out


def sample_value(tr, names, l, j, t) -> float:
    """B·dz_tj: sample t's ∂E_t/∂net_j (dz holds the batch mean's 1/B)."""
    dz = tr.layers[l]["dz"]
    return float(dz[t, j]) * dz.shape[0]


def chain(model, tr, names: Names, loss, l: int, j: int, s: int, digits: int):
    """Factors of ∂E/∂net_j for sample s (without the last ∂net/∂w).

    Returns (chain factors, lines that collect a sum over paths, paths).
    """
    d = tr.layers[l]
    B = d["x"].shape[0]
    act = model.layers[l].activation
    net, out = names.net(l, j), names.out(l, j)
    E = names.E
    if names.is_output(l):
        n_out = d["z"].shape[1]
        y = _target(tr.y, s, j, d["z"].dtype)
        if tr.fused:
            f = loss_factor(loss, E, out, net, names.target(j), float(d["a"][s, j]),
                            y, B * float(d["dz"][s, j]), n_out, True, digits)
            return [f], [], [[f]]
        if act.name == "softmax":
            return _softmax_paths(tr, names, loss, l, j, s, digits)
        f1 = loss_factor(loss, E, out, net, names.target(j), float(d["a"][s, j]), y,
                         B * float(d["da"][s, j]), n_out, False, digits)
        f2 = _act_factor(act, out, net, d, s, j, digits)
        return [f1, f2], [], [[f1, f2]]
    if act.name == "softmax":  # a hidden softmax: not elementwise, give δ itself
        f = Factor(f"∂{E}/∂{net}", "Σₖ ∂E/∂out_k · ∂out_k/∂net (softmax Jacobian)",
                   B * float(d["dz"][s, j]))
        return [f], [], [[f]]
    nl = names.next_dense(l)
    nd = tr.layers[nl]
    K = nd["z"].shape[1]
    da = Factor(f"∂{E}/∂{out}", f"Σₖ ∂{E}/∂net_k · w({out[4:]}→k)",
                B * float(d["da"][s, j]))
    fa = _act_factor(act, out, net, d, s, j, digits)
    if K > _MAX_PATHS:
        note = Line("eq", f"{da.name} = Σ over the {K} units that {out} feeds "
                          f"(δ-sum, ∂{E}/∂net_k · w) = {num(da.value, digits)}")
        return [da, fa], [note], [[da, fa]]
    lines = [Line("eq", f"{da.name} collects the {K} path{'s' if K > 1 else ''} from "
                        f"{E} through " + ", ".join(names.unit(nl, k) for k in range(K))
                        + ":")]
    paths, sums = [], []
    for k in range(K):
        head = _delta_factors(model, tr, names, loss, nl, k, s, digits)
        wk = Factor(f"∂{names.net(nl, k)}/∂{out}", names.weight(nl, j, k),
                    float(tr.layers[nl]["W"][j, k]))
        seg = head + [wk]
        val = math.prod(f.value for f in seg)
        sums.append(val)
        lines.append(Line("eq", f"  via {names.unit(nl, k)}: "
                                + " · ".join(f.name for f in seg)
                                + f" = {product([f.value for f in seg], digits)}"
                                + f" = {num(val, digits)}"))
        paths.append(seg + [fa])
    if K > 1:
        lines.append(Line("eq", f"{da.name} = {signed_sum(sums, digits)} = "
                                f"{num(da.value, digits)}"))
    return [da, fa], lines, paths


def _delta_factors(model, tr, names, loss, l: int, k: int, s: int, digits: int):
    """∂E/∂net_k of a later layer: expanded on an elementwise output layer."""
    d = tr.layers[l]
    B = d["x"].shape[0]
    act = model.layers[l].activation
    if names.is_output(l) and (tr.fused or act.name != "softmax"):
        return chain(model, tr, names, loss, l, k, s, digits)[0]
    return [Factor(f"∂{names.E}/∂{names.net(l, k)}", "δ", B * float(d["dz"][s, k]))]


def _softmax_paths(tr, names, loss, l, j, s, digits):
    """Softmax output without a fused loss: ∂E/∂net_j = Σₖ ∂E/∂out_k·p_k(δ_kj − p_j)."""
    d = tr.layers[l]
    B, K = d["z"].shape
    E, net = names.E, names.net(l, j)
    p = d["a"][s].astype(np.float64)
    delta = Factor(f"∂{E}/∂{net}", f"Σₖ ∂{E}/∂out_k · ∂out_k/∂{net}",
                   B * float(d["dz"][s, j]))
    lines = [Line("eq", f"{delta.name} collects the {K} softmax outputs "
                        f"(∂out_k/∂{net} = p_k·(δ_kj − p_j)):")]
    paths, sums = [], []
    for k in range(K):
        out_k = names.out(l, k)
        f1 = loss_factor(loss, E, out_k, names.net(l, k), names.target(k), p[k],
                         _target(tr.y, s, k, d["z"].dtype), B * float(d["da"][s, k]),
                         K, False, digits)
        f2 = Factor(f"∂{out_k}/∂{net}", "", p[k] * ((k == j) - p[j]))
        val = f1.value * f2.value
        sums.append(val)
        if K <= _MAX_PATHS:
            lines.append(Line("eq", f"  via {names.unit(l, k)}: {f1.name} · {f2.name}"
                                    f" = {product([f1.value, f2.value], digits)}"
                                    f" = {num(val, digits)}"))
        paths.append([f1, f2])
    lines.append(Line("eq", f"{delta.name} = {num(sum(sums), digits)}"))
    return [delta], lines, paths


def _act_factor(act, out, net, d, s, j, digits) -> Factor:
    z = float(d["z"][s, j])
    value = float(act.derivative(np.array([z]))[0])
    return derivative_factor(act, out, net, z, float(d["a"][s, j]), value, digits)


def _target(y, s: int, j: int, dtype) -> float:
    if y.ndim == 1:  # integer class labels
        return 1.0 if int(y[s]) == j else 0.0
    return float(y[s, j])

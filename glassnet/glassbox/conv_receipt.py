"""∂L/∂K[i, j, c, f] of a Conv2D kernel weight as its sum over the batch and
the output positions.

The weight K[i, j, c, f] meets, at every output position (p, q) of every
sample b, the input x̃[b, p·s_h + i, q·s_w + j, c] (x̃: the padded input):

    z[b, p, q, f] = … + x̃[b, p·s_h + i, q·s_w + j, c] · K[i, j, c, f] + …
    ∂L/∂K[i, j, c, f] = Σ_b Σ_{p, q} x̃[b, p·s_h + i, q·s_w + j, c] · ∂L/∂z[b, p, q, f]

one term per (b, p, q). The receipt reads the layer's kept input x and
gradient dz (``Conv2D.keeps``), the inputs each offset meets from the layer
itself (``Conv2D.inputs_at``), shows the largest terms with their numbers,
adds all of them in float64 and sets the total beside the dK that backprop
stored. ∂L/∂bias[f] = Σ_b Σ_{p, q} ∂L/∂z[b, p, q, f] is read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassnet.core.backend import to_host
from glassnet.core.conv import Conv2D
from glassnet.errors import ConfigError, expected
from glassnet.glassbox.formatting import Line, num, render_markdown, render_text
from glassnet.glassbox.trace import capture, complete, restore, snapshot
from glassnet.glassbox.updates import update_lines


@dataclass
class KernelReceipt:
    """A conv weight's gradient as a sum of terms. ``text()`` / ``markdown()``.

    terms:  [(b, p, q, input, dz, product)] the largest |products| shown
    value:  Σ of all B·H'·W' products (float64); backprop: the stored dK
    """

    title: str
    name: str                   # "K[1,2,0,5]" or "bias[5]"
    lines: list[Line]
    value: float
    backprop: float
    n_terms: int
    terms: list[tuple] = field(default_factory=list)
    update: dict | None = None

    def text(self) -> str:
        return render_text(self.lines)

    def markdown(self) -> str:
        return render_markdown(self.lines)

    def _repr_markdown_(self) -> str:
        """Jupyter shows the receipt with its numbers, not the dataclass."""
        return self.markdown()

    def __str__(self) -> str:
        return self.text()


def is_conv_weight(model, weight) -> bool:
    """Does ``weight`` = (layer, name, …) point into a Conv2D layer?"""
    return (isinstance(weight, tuple | list) and len(weight) >= 2
            and isinstance(weight[0], int) and 0 <= weight[0] < len(model.layers)
            and isinstance(model.layers[weight[0]], Conv2D))


def explain_conv(model, X, y, weight, loss, update: bool = False, top: int = 5,
                 digits: int = 6, apply: bool = False) -> KernelReceipt:
    """The receipt of weight = (layer, "kernel", i, j, c, f) or (layer,
    "bias", f) on the batch (X, y); with ``update`` the optimizer's step too."""
    l, pname, idx = _check(model, weight)
    Xp, yp = model.prepare(X, y, loss)
    L = model.loss_and_grads(Xp, yp, loss, training=False)
    receipt = kernel_receipt(model.layers[l], l, pname, idx, top, digits)
    if update:
        if model.optimizer is None:
            raise ConfigError("update=True needs the model's optimizer: call "
                              "model.compile(loss=..., optimizer=...) first.")
        tr = capture(model, Xp, yp, L, loss)
        snap = snapshot(model)
        model.optimizer.step(model.flat_params, model.flat_grads)   # the real step
        complete(model, tr)
        if not apply:
            restore(model, snap)
        d = tr.layers[l]
        lines, info = update_lines(
            model.optimizer, receipt.name, f"∂E/∂{receipt.name}",
            float(d[pname][idx]), float(d["d" + pname][idx]),
            float(d.get("d" + pname + "_applied", d["d" + pname])[idx]),
            {k: float(v[idx]) for k, v in d["state_" + pname + "_before"].items()},
            {k: float(v[idx]) for k, v in d["state_" + pname].items()},
            float(d[pname + "_after"][idx]), tr.optimizer["t"], digits)
        receipt.lines += lines
        receipt.update = info
    return receipt


def kernel_receipt(layer: Conv2D, l: int, pname: str, idx: tuple, top: int = 5,
                   digits: int = 6) -> KernelReceipt:
    """The receipt from the values the layer kept in its last forward/backward."""
    x, dz = layer.kept()["x"], layer.kept()["dz"]
    if dz is None:
        raise ConfigError("no backward pass yet: call model.gradients(X, y) (or "
                          "train a step) before asking for a receipt.")
    f = idx[-1]
    g = to_host(dz[..., f]).astype(np.float64)                  # (B, H', W')
    if pname == "kernel":
        i, j, c, _ = idx
        inputs = to_host(layer.inputs_at(x, i, j)[..., c]).astype(np.float64)
        name, w = f"K[{i},{j},{c},{f}]", f"x̃[b, p·{layer.strides[0]} + {i}, " \
                                          f"q·{layer.strides[1]} + {j}, {c}]"
    else:
        inputs, name, w = np.ones_like(g), f"bias[{f}]", "1"
    products = inputs * g                                        # one term each
    total = float(products.sum())
    stored = float(to_host(layer.grads[pname])[idx])
    B, Ho, Wo = g.shape
    at = f"layers[{l}].{pname}[{', '.join(map(str, idx))}]"
    what = (f"input channel {idx[2]} → filter {f}, kernel offset ({idx[0]}, "
            f"{idx[1]})") if pname == "kernel" else f"filter {f}"
    lines = [Line("title", f"∂E/∂{name}  ({at}: {what})"),
             Line("eq", f"∂E/∂{name} = Σ_b Σ_(p,q) {w} · ∂E/∂z[b, p, q, {f}]"),
             Line("note", f"{B} sample{'s' * (B > 1)} × {Ho}×{Wo} output "
                          "positions = "
                          f"{products.size:,} terms; the {min(top, products.size)} "
                          "largest:")]
    if pname == "kernel" and layer.geo.padded:
        (t, _), (left, _) = layer.geo.pads
        lines.insert(2, Line("note", f"x̃ is x padded with zeros (padding='same'): "
                                     f"x̃[b, r, s] = x[b, r − {t}, s − {left}]"))
    order = np.argsort(-np.abs(products), axis=None, kind="stable")[:top]
    terms = []
    for flat in order:
        b, p, q = (int(v) for v in np.unravel_index(flat, products.shape))
        v, d, prod = inputs[b, p, q], g[b, p, q], products[b, p, q]
        terms.append((b, p, q, float(v), float(d), float(prod)))
        src = f"x̃[{b}, {p * layer.strides[0] + idx[0]}, " \
              f"{q * layer.strides[1] + idx[1]}, {idx[2]}] · " if pname == "kernel" \
            else ""
        lines.append(Line("eq", f"{src}∂E/∂z[{b}, {p}, {q}, {f}] = "
                                + (f"{num(v, digits)} × {_par(d, digits)} = "
                                   if pname == "kernel" else "")
                                + num(prod, digits)))
    rest = total - sum(t[-1] for t in terms)
    if products.size > len(terms):
        lines.append(Line("eq", f"the other {products.size - len(terms):,} terms: "
                                f"{num(rest, digits)}"))
    rel = abs(total - stored) / max(abs(total) + abs(stored), 1e-30)
    lines += [Line("eq", f"∂E/∂{name} = {num(total, digits)}"),
              Line("note", f"backprop stored layers[{l}].d{pname}"
                           f"[{', '.join(map(str, idx))}] = {num(stored, digits)} "
                           + ("✓" if rel < 1e-4 else "✗")
                           + f" (relative difference {rel:.1e})")]
    return KernelReceipt(lines[0].text, name, lines, total, stored, products.size,
                         terms)


def _par(v: float, digits: int) -> str:
    t = num(v, digits)
    return f"({t})" if t.startswith("-") else t


def _check(model, weight) -> tuple[int, str, tuple]:
    l, pname, idx = weight[0], weight[1], tuple(weight[2:])
    layer = model.layers[l]
    shape = layer.param_shapes().get(pname)
    if shape is None or len(idx) != len(shape) or any(
            not isinstance(v, int | np.integer) or not 0 <= v < d
            for v, d in zip(idx, shape, strict=True)):
        shapes = layer.param_shapes()
        raise ConfigError(expected(
            f"weight=({l}, 'kernel', i, j, c, f) with i, j, c, f inside "
            f"{shapes['kernel']}" + (f" or ({l}, 'bias', f)" if "bias" in shapes
                                      else ""), repr(tuple(weight)),
            "The kernel is (kh, kw, in channels, filters); count from 0."))
    return l, pname, tuple(int(v) for v in idx)

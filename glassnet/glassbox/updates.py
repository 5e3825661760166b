"""The update receipt: the optimizer's formula with the numbers of one weight.

The formulas are those of ``glassnet.optimizers`` (each class cites its
paper). The receipt recomputes the new value in float64 from the state the
optimizer had before the step, and prints it next to the value the real
optimizer wrote, so any disagreement would show.
"""

from __future__ import annotations

import math

from glassnet.glassbox.formatting import Line, factor, num


def update_lines(opt: dict, w_name: str, g_name: str, w: float, g_raw: float,
                 g: float, before: dict, after: dict, actual: float,
                 digits: int) -> tuple[list[Line], dict]:
    """Lines of the update receipt and its numbers.

    opt: the optimizer's config plus ``t`` (the step count after this step);
    g_raw / g: the gradient before / after clipping; before / after: this
    weight's optimizer state (m, v, …) around the step; actual: the new value.
    """
    n = lambda x: num(x, digits)          # noqa: E731
    f = lambda x: factor(x, digits)       # noqa: E731
    name, eta, t = opt["name"], opt["learning_rate"], opt["t"]
    eqs: list[str] = []
    if g != g_raw:
        eqs.append(f"g = {g_name} clipped: {n(g_raw)} → {n(g)}")
    else:
        eqs.append(f"g = {g_name} = {n(g)}")
    mu = opt.get("momentum", 0.0)
    if name in ("sgd", "momentum", "nesterov") and not mu:
        new = w - eta * g
        eqs.append(f"{w_name} ← {w_name} − η·g = {n(w)} − {n(eta)} × {f(g)} "
                   f"= {n(new)}")
        head = f"SGD, η = {n(eta)}"
    elif name in ("sgd", "momentum", "nesterov"):
        v0 = float(before["v"])
        v = mu * v0 + g
        eqs.append(f"v ← μ·v + g = {n(mu)} × {f(v0)} + {f(g)} = {n(v)}")
        if opt.get("nesterov"):
            step = eta * (g + mu * v)
            eqs.append(f"{w_name} ← {w_name} − η·(g + μ·v) = {n(w)} − {n(eta)} × "
                       f"({f(g)} + {n(mu)} × {f(v)}) = {n(w - step)}")
            head = f"Nesterov momentum, η = {n(eta)}, μ = {n(mu)}"
        else:
            step = eta * v
            eqs.append(f"{w_name} ← {w_name} − η·v = {n(w)} − {n(eta)} × {f(v)} "
                       f"= {n(w - step)}")
            head = f"momentum, η = {n(eta)}, μ = {n(mu)}"
        new = w - step
    elif name == "adagrad":
        G0, eps = float(before["G"]), opt["epsilon"]
        G = G0 + g * g
        new = w - eta * g / (math.sqrt(G) + eps)
        eqs.append(f"G ← G + g² = {n(G0)} + {f(g)}² = {n(G)}")
        eqs.append(f"{w_name} ← {w_name} − η·g/(√G + ε) = {n(w)} − {n(eta)} × "
                   f"{f(g)} / (√{n(G)} + {n(eps)}) = {n(new)}")
        head = f"Adagrad, η = {n(eta)}, ε = {n(eps)}"
    elif name == "rmsprop":
        s0, rho, eps = float(before["s"]), opt["rho"], opt["epsilon"]
        s = rho * s0 + (1 - rho) * g * g
        new = w - eta * g / (math.sqrt(s) + eps)
        eqs.append(f"s ← ρ·s + (1 − ρ)·g² = {n(rho)} × {n(s0)} + {n(1 - rho)} × "
                   f"{f(g)}² = {n(s)}")
        eqs.append(f"{w_name} ← {w_name} − η·g/(√s + ε) = {n(w)} − {n(eta)} × "
                   f"{f(g)} / (√{n(s)} + {n(eps)}) = {n(new)}")
        head = f"RMSprop, η = {n(eta)}, ρ = {n(rho)}, ε = {n(eps)}"
    elif name in ("adam", "adamw"):
        b1, b2, eps = opt["beta_1"], opt["beta_2"], opt["epsilon"]
        m0, v0 = float(before["m"]), float(before["v"])
        wd = opt.get("weight_decay", 0.0) if name == "adamw" else 0.0
        m = b1 * m0 + (1 - b1) * g
        v = b2 * v0 + (1 - b2) * g * g
        mh, vh = m / (1 - b1**t), v / (1 - b2**t)
        step = eta * mh / (math.sqrt(vh) + eps)
        w_dec = w * (1 - eta * wd)
        new = w_dec - step
        if wd:
            eqs.append(f"{w_name} ← {w_name}·(1 − η·λ) = {n(w)} × (1 − {n(eta)} × "
                       f"{n(wd)}) = {n(w_dec)}   (decoupled weight decay)")
        eqs += [
            f"m ← β₁·m + (1 − β₁)·g  = {n(b1)} × {f(m0)} + {n(1 - b1)} × {f(g)} "
            f"= {n(m)}",
            f"v ← β₂·v + (1 − β₂)·g² = {n(b2)} × {n(v0)} + {n(1 - b2)} × {f(g)}² "
            f"= {n(v)}",
            f"m̂ = m / (1 − β₁ᵗ) = {f(m)} / (1 − {n(b1)}^{t}) = {n(mh)}",
            f"v̂ = v / (1 − β₂ᵗ) = {n(v)} / (1 − {n(b2)}^{t}) = {n(vh)}",
            f"step = η·m̂ / (√v̂ + ε) = {n(eta)} × {f(mh)} / (√{n(vh)} + {n(eps)}) "
            f"= {n(step)}",
            f"{w_name} ← {w_name} − step = {n(w_dec)} − {f(step)} = {n(new)}",
        ]
        head = (f"{'AdamW' if wd else 'Adam'}, step t = {t}: η = {n(eta)}, "
                f"β₁ = {n(b1)}, β₂ = {n(b2)}, ε = {n(eps)}")
    else:
        new = actual
        eqs.append(f"{w_name} ← {n(w)} + Δ = {n(actual)}  ({name}: no written "
                   "formula for this optimizer)")
        head = name
    agree = num(new, digits) == num(actual, digits)
    eqs.append(f"the optimizer wrote {w_name} = {n(actual)}"
               + (" ✓" if agree else f"  (formula in float64: {n(new)})"))
    lines = [Line("title", f"Update of {w_name} ({head})")]
    lines += [Line("eq", e) for e in eqs]
    info = {"optimizer": name, "learning_rate": eta, "t": t, "before": w,
            "gradient": g, "after": new, "actual": actual,
            "state_before": before, "state_after": after}
    return lines, info

"""Each activation's and loss's formula as text, evaluated with real numbers.

A receipt factor is (name, formula, evaluation, value): the evaluation
substitutes the numbers into the formula, so a reader can redo the
arithmetic by hand — ``out_o1·(1 − out_o1) = 0.751365 × (1 − 0.751365)``.
The values themselves always come from the model's own arrays or from the
activation's ``derivative``; the strings only describe them.
"""

from __future__ import annotations

from dataclasses import dataclass

from glassnet.glassbox.formatting import factor, num


@dataclass
class Factor:
    name: str           # ∂out_o1/∂net_o1
    formula: str        # out_o1·(1 − out_o1)
    value: float
    evaluation: str = ""  # 0.751365 × (1 − 0.751365)

    def line(self, width: int, digits: int) -> str:
        parts = [f"{self.name:<{width}} = {self.formula}"]
        if self.evaluation and self.evaluation != self.formula:
            parts.append(self.evaluation)
        shown = num(self.value, digits)
        if (self.evaluation or self.formula) != shown:
            parts.append(shown)
        return " = ".join(parts)


# -- activations --------------------------------------------------------------
def activation_value(act, z: float, out: float, digits: int,
                     z_all=None, j: int = 0) -> str:
    """f(net) with the number substituted: 'σ(0.3775) = 1 / (1 + e^(-0.3775))'."""
    zt = num(z, digits)
    name = act.name
    if name == "sigmoid":
        return f"σ({zt}) = 1 / (1 + e^({num(-z, digits)}))"
    if name == "relu":
        return f"max(0, {zt})"
    if name == "tanh":
        return f"tanh({zt})"
    if name == "linear":
        return zt
    if name == "step":
        return f"1 if {zt} ≥ 0 else 0"
    if name == "leaky_relu":
        return f"{zt} if {zt} > 0 else {num(act.alpha, digits)}·{factor(z, digits)}"
    if name == "softplus":
        return f"ln(1 + e^({zt}))"
    if name == "softmax" and z_all is not None and len(z_all) <= 10:
        den = " + ".join(f"e^({num(v, digits)})" for v in z_all)
        return f"e^({zt}) / ({den})"
    if name == "softmax":
        return f"e^({zt}) / Σₖ e^(net_k)  ({len(z_all)} outputs)"
    return f"{name}({zt})"


def activation_symbol(act) -> str:
    return {"sigmoid": "σ", "relu": "ReLU", "tanh": "tanh", "linear": "",
            "softmax": "softmax"}.get(act.name, act.name)


def derivative_factor(act, out_name: str, net_name: str, z: float, a: float,
                      value: float, digits: int) -> Factor:
    """∂out/∂net = f'(net) for an elementwise activation."""
    name = f"∂{out_name}/∂{net_name}"
    at, zt = num(a, digits), num(z, digits)
    forms = {
        "sigmoid": (f"{out_name}·(1 − {out_name})", f"{at} × (1 − {at})"),
        "tanh": (f"1 − {out_name}²", f"1 − {factor(a, digits)}²"),
        "relu": (f"1 if {net_name} > 0 else 0", f"({net_name} = {zt})"),
        "linear": ("1", ""),
        "leaky_relu": (f"1 if {net_name} > 0 else α",
                       f"({net_name} = {zt}, α = {num(getattr(act, 'alpha', 0), 4)})"),
        "elu": (f"1 if {net_name} > 0 else {out_name} + α", f"({net_name} = {zt})"),
        "softplus": (f"σ({net_name})", f"σ({zt})"),
        "silu": (f"σ({net_name})·(1 + {net_name}·(1 − σ({net_name})))", ""),
        "gelu": (f"GELU′({net_name})", f"GELU′({zt})"),
    }
    formula, ev = forms.get(act.name, (f"{act.name}′({net_name})", ""))
    if ev.startswith("("):  # a condition, not an evaluation: keep it aside
        formula, ev = f"{formula} {ev}", ""
    return Factor(name, formula, value, ev)


# -- losses -----------------------------------------------------------------
def loss_factor(loss, E: str, out_name: str, net_name: str, y_name: str,
                out: float, target: float, value: float, n_out: int,
                fused: bool, digits: int) -> Factor:
    """The first factor of every chain: ∂E/∂out (or ∂E/∂net when fused).

    Per sample (the batch mean's 1/B is applied when samples are averaged).
    """
    o, t = num(out, digits), factor(target, digits)
    lname = loss.name
    if fused:
        n = "" if lname == "categorical_crossentropy" or n_out == 1 else f"/{n_out}"
        p = "p" + net_name[3:]  # p_o1: the softmax / sigmoid output
        paren = (lambda s: f"({s})") if n else (lambda s: s)
        return Factor(f"∂{E}/∂{net_name}", paren(f"{p} − {y_name}") + n, value,
                      paren(f"{o} − {t}") + n)
    logits = getattr(loss, "from_logits", False)
    per = f"/{n_out}" if n_out > 1 else ""  # the mean over the outputs
    forms = {
        "half_sse": (f"{out_name} − {y_name}", f"{o} − {t}"),
        "mse": (f"2·({out_name} − {y_name}){per}", f"2 × ({o} − {t}){per}"),
        "mae": (f"sign({out_name} − {y_name}){per}",
                f"sign({o} − {t}){per}"),
        "huber": (f"clip({out_name} − {y_name}, −δ, δ){per}",
                  f"clip({o} − {t}, −{num(getattr(loss, 'delta', 1), 4)}, "
                  f"{num(getattr(loss, 'delta', 1), 4)}){per}"),
        "binary_crossentropy": (
            (f"(σ({out_name}) − {y_name}){per}", f"(σ({o}) − {t}){per}")
            if logits else
            (f"({out_name} − {y_name}) / ({out_name}·(1 − {out_name})){per}",
             f"({o} − {t}) / ({o} × (1 − {o})){per}")),
        "categorical_crossentropy": (
            (f"softmax(out){out_name[3:]} − {y_name}", "") if logits else
            (f"−{y_name} / {out_name}", f"−{t} / {o}")),
    }
    formula, ev = forms.get(lname, (f"∂{lname}/∂{out_name}", ""))
    return Factor(f"∂{E}/∂{out_name}", formula, value, ev)

"""Receipt factors: one named step of the chain rule, with its numbers.

A factor is (name, formula, evaluation, value): the evaluation substitutes
the numbers into the formula, so a reader can redo the arithmetic by hand —
``out_o1·(1 − out_o1) = 0.751365 × (1 − 0.751365)``. The formula text comes
from the activation or loss object itself (``explain_derivative``,
``explain_grad``); the values always come from the model's own arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

from glassnet.core.text import num


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


def derivative_factor(act, out_name: str, net_name: str, z: float, a: float,
                      value: float, digits: int) -> Factor:
    """∂out/∂net = f'(net) for an elementwise activation."""
    formula, ev = act.explain_derivative(out_name, net_name, z, a, digits)
    return Factor(f"∂{out_name}/∂{net_name}", formula, value, ev)


def loss_factor(loss, E: str, out_name: str, net_name: str, y_name: str,
                out: float, target: float, value: float, n_out: int,
                fused: bool, digits: int) -> Factor:
    """The first factor of every chain: ∂E/∂out (or ∂E/∂net when the output
    activation fuses with the loss). Per sample: the batch mean's 1/B is
    applied when samples are averaged."""
    if fused:
        p = "p" + net_name[3:]  # p_o1: the softmax / sigmoid output
        formula, ev = loss.logits.explain_grad(p, y_name, out, target, n_out, digits)
        return Factor(f"∂{E}/∂{net_name}", formula, value, ev)
    formula, ev = loss.explain_grad(out_name, y_name, out, target, n_out, digits)
    return Factor(f"∂{E}/∂{out_name}", formula, value, ev)

"""Numbers as text, for the explanations objects give of their own math.

A receipt prints a formula, then the same formula with the real numbers
substituted, then the value. Numbers are printed with a fixed count of
significant digits so that a receipt and ``model.gradients()`` line up.
"""

from __future__ import annotations

import math


def num(x: float, digits: int = 6) -> str:
    """``x`` with ``digits`` significant digits: 0.0821670407, 3.25, 1.2e-07."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}e{int(exp)}"
    return text


def factor(x: float, digits: int = 6) -> str:
    """A number as a factor in a product: negatives in parentheses."""
    text = num(x, digits)
    return f"({text})" if text.startswith("-") else text


def product(values, digits: int = 6, sep: str = " × ") -> str:
    """``0.741365 × 0.186816 × 0.59327``."""
    return sep.join(factor(v, digits) for v in values)


def signed_sum(values, digits: int = 6) -> str:
    """``a + b - c``: each term after the first with its own sign."""
    out = []
    for k, v in enumerate(values):
        text = num(v, digits)
        if k == 0:
            out.append(text)
        elif text.startswith("-"):
            out.append(f"- {text[1:]}")
        else:
            out.append(f"+ {text}")
    return " ".join(out)

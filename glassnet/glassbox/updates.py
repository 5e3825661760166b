"""The update receipt: the optimizer's formula with the numbers of one weight.

The lines come from the optimizer itself (``Optimizer.explain``, next to its
``update`` in ``glassnet.core.optim`` / ``glassnet.core.adam``). The receipt
recomputes the new value in float64 from the state the optimizer had before
the step and prints it next to the value the real optimizer wrote, so any
disagreement would show.
"""

from __future__ import annotations

from glassnet.core.text import num
from glassnet.glassbox.formatting import Line


def update_lines(optimizer, w_name: str, g_name: str, w: float, g_raw: float,
                 g: float, before: dict, after: dict, actual: float, t: int,
                 digits: int) -> tuple[list[Line], dict]:
    """Lines of the update receipt and its numbers.

    g_raw / g: the gradient before / after clipping; before / after: this
    weight's optimizer state (m, v, …) around the step; actual: the new
    value the optimizer wrote; t: the step count after this step.
    """
    if g != g_raw:
        eqs = [f"g = {g_name} clipped: {num(g_raw, digits)} → {num(g, digits)}"]
    else:
        eqs = [f"g = {g_name} = {num(g, digits)}"]
    try:
        head, lines, new = optimizer.explain(w, g, before, t, digits)
        eqs += [line.format(w=w_name) for line in lines]
    except NotImplementedError:
        head, new = optimizer.name, actual
        eqs.append(f"{w_name} ← {num(w, digits)} + Δ = {num(actual, digits)}  "
                   f"({optimizer.name}: no written formula for this optimizer)")
    agree = num(new, digits) == num(actual, digits)
    eqs.append(f"the optimizer wrote {w_name} = {num(actual, digits)}"
               + (" ✓" if agree else f"  (formula in float64: {num(new, digits)})"))
    lines = [Line("title", f"Update of {w_name} ({head})")]
    lines += [Line("eq", e) for e in eqs]
    info = {"optimizer": optimizer.name, "learning_rate": optimizer.learning_rate,
            "t": t, "before": w, "gradient": g, "after": new, "actual": actual,
            "state_before": before, "state_after": after}
    return lines, info

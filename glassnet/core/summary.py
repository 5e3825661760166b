"""The model summary: Keras's table, with the arithmetic behind each count.

The same rows are written twice: as text for the terminal (``summary_table``)
and as an HTML table for Jupyter (``summary_html``, ``Sequential._repr_html_``).
"""

from __future__ import annotations

from html import escape

import numpy as np

_HEAD = ("Layer (type)", "Output shape", "Param #", "Arithmetic")


def _rows(model) -> list[tuple[str, str, str, str]]:
    """(name (type), output shape, parameter count, its arithmetic) per layer."""
    rows = []
    for layer in model.layers:
        shape = "(None, " + ", ".join(map(str, layer.output_shape)) + ")"
        rows.append((f"{layer.name} ({type(layer).__name__})", shape,
                     f"{layer.count_params():,}", layer.param_arithmetic()))
    return rows


def _head(model) -> str:
    return (f'Model: "{model.name}"  input (None, '
            f'{", ".join(map(str, model.input_shape))})')


def _totals(model) -> list[str]:
    total = model.count_params()
    out = [f"Total params: {total:,} ({total * 4 / 1024:,.2f} KB as float32)"]
    trained = sum(s.size for s in model.slots)
    if trained != total:  # state such as batch norm's moving statistics
        out.append(f"Trainable params: {trained:,}  Non-trainable params: "
                   f"{total - trained:,}")
    if model.dtype != np.float32:
        out.append(f"Model dtype {model.dtype}: "
                   f"{total * model.dtype.itemsize / 1024:,.2f} KB")
    return out


def summary_table(model) -> str:
    """One row per layer: name (type), output shape, parameters, arithmetic."""
    rows = [_HEAD, *_rows(model)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    line = "─" * (sum(widths) + 6)

    def fmt(r):
        return "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))

    out = [_head(model), line, fmt(rows[0]), line]
    out += [fmt(r) for r in rows[1:]]
    return "\n".join([*out, line, *_totals(model)])


def summary_html(model) -> str:
    """The same table as HTML, for Jupyter (counts right-aligned)."""
    th = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in _HEAD)
    keep = "white-space:nowrap"
    body = "".join(
        f"<tr><td><code>{escape(name)}</code></td>"
        f"<td style='{keep}'>{escape(shape)}</td>"
        f"<td style='text-align:right;{keep}'>{escape(count)}</td>"
        f"<td style='{keep}'>{escape(arith)}</td></tr>"
        for name, shape, count, arith in _rows(model))
    totals = "<br>".join(f"<b>{escape(t)}</b>" for t in _totals(model))
    return (f"<div class='glassnet-summary'><p>{escape(_head(model))}</p>"
            f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>{totals}</p></div>")

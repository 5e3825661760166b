"""HTML tables for Jupyter: a trace as one table per layer.

Each recorded array is one row: its name, its shape, what it is, and either
its values (small arrays, written out) or its mean, minimum and maximum, so a
trace of a 784-128-10 network reads as a page, not as a dump of arrays.
"""

from __future__ import annotations

from html import escape

import numpy as np

from glassnet.glassbox.formatting import num

_LISTED = 8  # arrays with at most this many values are written out in full

_MEANING = {
    "x": "input", "z": "z = x W + b", "a": "a = f(z)", "da": "∂L/∂a",
    "dz": "∂L/∂z", "h": "hidden states", "c": "cell states",
    "dh": "∂L/∂h_t", "step_grad_norms": "‖∂L/∂h_t‖ per step",
}


def _describe(name: str) -> str:
    if name in _MEANING:
        return _MEANING[name]
    if name.endswith("_applied"):
        return f"∂L/∂{name[1:-8]} after clipping (what the update used)"
    if name.startswith("update_"):
        return "Δ = after − before"
    if name.endswith("_after"):
        return "after the update"
    if name.startswith("state_"):
        return "optimizer state" + (" before" if name.endswith("_before") else "")
    if name.startswith("d"):
        return f"∂L/∂{name[1:]}"
    return "parameter, before the update"


def _values(v: np.ndarray) -> str:
    """Table cells: the values themselves (few), else mean, min and max."""
    flat = np.asarray(v, dtype=np.float64).ravel()
    if flat.size <= _LISTED:
        listed = "[" + ", ".join(num(x, 4) for x in flat) + "]"
        return f"<td colspan='3'>{escape(listed)}</td>"
    return "".join(f"<td>{escape(num(x, 4))}</td>"
                   for x in (flat.mean(), flat.min(), flat.max()))


def _rows(d: dict):
    """(name, shape, meaning, values) for each recorded array of one layer."""
    for k, v in d.items():
        if isinstance(v, dict):
            for s, arr in v.items():
                if isinstance(arr, np.ndarray):
                    yield f"{k}.{s}", str(arr.shape), _describe(k), _values(arr)
        elif v is None and k == "da":
            yield k, "—", "not formed: the output fuses with the loss", \
                "<td colspan='3'></td>"
        elif isinstance(v, np.ndarray) and v.size:
            yield k, str(v.shape), _describe(k), _values(v)


def trace_html(trace) -> str:
    """The trace as HTML: a heading line, then one table per layer."""
    opt = trace.optimizer
    head = (f"step {trace.step}: loss {num(trace.loss, 6)} "
            f"({opt.get('name', '?')}, learning rate "
            f"{num(opt.get('learning_rate', float('nan')), 3)})")
    parts = [f"<p><b>{escape(head)}</b></p>"]
    for i, d in enumerate(trace.layers):
        title = f"layers[{i}] {d['name']} ({d['type']}"
        title += f", {d['activation']})" if "activation" in d else ")"
        rows = "".join(f"<tr><td><code>{escape(n)}</code></td><td>{escape(s)}</td>"
                       f"<td>{escape(m)}</td>{cells}</tr>"
                       for n, s, m, cells in _rows(d))
        parts.append(f"<details open><summary>{escape(title)}</summary><table>"
                     "<thead><tr><th>array</th><th>shape</th><th>meaning</th>"
                     "<th>mean</th><th>min</th><th>max</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table></details>")
    return "<div class='glassnet-trace'>" + "".join(parts) + "</div>"

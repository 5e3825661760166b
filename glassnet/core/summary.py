"""The model summary: Keras's table, with the arithmetic behind each count."""

from __future__ import annotations

import numpy as np


def summary_table(model) -> str:
    """One row per layer: name (type), output shape, parameters, arithmetic."""
    rows = [("Layer (type)", "Output shape", "Param #", "Arithmetic")]
    for layer in model.layers:
        shape = "(None, " + ", ".join(map(str, layer.output_shape)) + ")"
        rows.append((f"{layer.name} ({type(layer).__name__})", shape,
                     f"{layer.count_params():,}", layer.param_arithmetic()))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    line = "─" * (sum(widths) + 6)

    def fmt(r):
        return "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))

    total = model.count_params()
    out = [f'Model: "{model.name}"  input (None, '
           f'{", ".join(map(str, model.input_shape))})', line, fmt(rows[0]), line]
    out += [fmt(r) for r in rows[1:]]
    out += [line, f"Total params: {total:,} ({total * 4 / 1024:,.2f} KB as float32)"]
    trained = sum(s.size for s in model.slots)
    if trained != total:  # state such as batch norm's moving statistics
        out.append(f"Trainable params: {trained:,}  Non-trainable params: "
                   f"{total - trained:,}")
    if model.dtype != np.float32:
        out.append(f"Model dtype {model.dtype}: "
                   f"{total * model.dtype.itemsize / 1024:,.2f} KB")
    return "\n".join(out)

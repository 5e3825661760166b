"""Outputs with a time axis: sequence-to-sequence losses and metrics.

A recurrent layer with ``return_sequences=True`` (and ``TimeDistributed``
after it) gives one output per step, (B, T, H), and the targets are shaped
like it: (B, T, H) values, or (B, T) class labels. The loss treats every
step as a row:

    rows:   ŷ (B, T, H) → (B·T, H)        y → (B·T, H) or labels (B·T,)
    mask:   m_bt = 0 on padded steps (the recurrent layer's ``mask_value``)
    loss:   L = Σ_bt w_b m_bt l_bt / Σ_bt m_bt      (w_b: sample weights)

so a padded step adds nothing to the loss, to its gradient or to the
metrics, and the loss is the mean over the real steps. In the code this is a
row weight  w_bt = w_b · m_bt · (B·T / Σ m): the losses' own weighted mean
(1/rows) Σ w l then equals L above.
"""

from __future__ import annotations

import numpy as np

from glassnet.errors import ShapeError, expected


def mask_source(layers):
    """The recurrent layer whose padding mask applies to the model's output:
    walking back from the output through layers that keep the time axis, the
    first with ``mask_value`` and ``return_sequences``; None if there is none."""
    for layer in reversed(layers):
        if getattr(layer, "return_sequences", False) and \
                getattr(layer, "mask_value", None) is not None:
            return layer
        out, inp = layer.output_shape, layer.input_shape
        if not (out and inp and len(out) >= 2 and len(inp) >= 2
                and out[0] == inp[0]):
            return None
    return None


def step_mask(source):
    """m (B, T) of the last forward pass (True on real steps), or None when
    nothing was padded."""
    real = None if source is None else getattr(source, "real", None)
    return None if real is None else real[:, :, 0].T


def check_steps(out, y) -> None:
    """Targets with the output's batch and time axes."""
    if y.shape[:2] != out.shape[:2]:
        raise ShapeError(expected(
            f"targets with {out.shape[1]} steps, like the output {out.shape}",
            f"shape {y.shape}", "Give one target per step: (batch, time, units) "
            "values or (batch, time) class labels, for the same steps as X."))


def rows(xp, out, y, w, mask):
    """(out, y, w) with steps as rows: (B·T, H), (B·T, ·) and the row weights
    w_bt = w_b · m_bt · (B·T / Σ m) (None without weights or padding)."""
    B, T = out.shape[:2]
    out2 = out.reshape(B * T, -1)
    y2 = y.reshape(B * T) if y.ndim == 2 else y.reshape(B * T, -1)
    if w is None and mask is None:
        return out2, y2, None
    w2 = xp.ones(B * T, dtype=out.dtype) if w is None else \
        xp.repeat(xp.asarray(w, dtype=out.dtype), T)
    if mask is not None:
        m = mask.reshape(B * T)
        w2 = w2 * m
        w2 *= (B * T) / max(float(m.sum()), 1.0)
    return out2, y2, w2


def metric_rows(y, out, mask):
    """(y, out) for the metrics: one row per real step (padded steps left out);
    other outputs as they are."""
    if np.ndim(out) <= 2:
        return y, out
    B, T = out.shape[:2]
    out2 = out.reshape(B * T, -1)
    y2 = y.reshape(B * T) if y.ndim == 2 else y.reshape(B * T, -1)
    if mask is None:
        return y2, out2
    keep = np.asarray(mask).reshape(B * T)
    return y2[keep], out2[keep]

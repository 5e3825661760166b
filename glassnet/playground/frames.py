"""What a ``Lab`` sends to the page: frames (after updates) and data events.

Heat maps travel as bytes, not numbers: a value v in [lo, hi] becomes
round(255·(v − lo)/(hi − lo)), base64-encoded, with lo and hi sent beside it,
so a 50×50 map is 3.4 KB of text. The page only turns bytes into colours.

    frame:  epoch, step, losses, loss history, output map, one map per
            hidden neuron, weights and biases, the doctor's hints
    data:   train and test points, the view's extent, one map per feature
"""

from __future__ import annotations

import base64
import math

import numpy as np

from glassnet.core.backend import to_host
from glassnet.playground import data

GRID = 50              # the decision region: GRID × GRID cells
THUMB_STRIDE = 2       # neuron thumbnails keep every 2nd row and column
MAX_HISTORY = 300      # points of each loss curve sent to the page


def encode(values: np.ndarray, lo: float, hi: float) -> str:
    """Values in [lo, hi] as base64 bytes 0…255 (clipped outside)."""
    span = hi - lo if hi > lo else 1.0
    q = np.clip(np.rint((values - lo) * (255.0 / span)), 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def heat(values: np.ndarray) -> dict:
    """A map of values of either sign, symmetric around 0: {scale, bytes}."""
    scale = float(np.max(np.abs(values))) if values.size else 0.0
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    return {"scale": scale, "bytes": encode(values, -scale, scale)}


def thin(values: list, n: int = MAX_HISTORY) -> list:
    """At most n evenly spaced entries of values, always with the last one."""
    if len(values) <= n:
        return list(values)
    idx = np.linspace(0, len(values) - 1, n).round().astype(int)
    return [values[i] for i in idx]


def finite(value):
    """``value`` with every NaN or infinity replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def _round(a: np.ndarray) -> list:
    return np.round(to_host(a).astype(np.float64), 5).tolist()


def frame(lab, train_loss: float, test_loss: float) -> dict:
    """The state of ``lab`` after its last update, ready for JSON."""
    model = lab.model
    model.forward(lab.G, training=False)               # every layer keeps its a
    side = GRID // THUMB_STRIDE
    neurons = []
    for layer in model.layers[:-1]:
        a = to_host(layer.a).reshape(GRID, GRID, -1)   # (G, G, units)
        a = a[::THUMB_STRIDE, ::THUMB_STRIDE]          # (G/2, G/2, units)
        neurons.append([heat(a[:, :, j].ravel()) for j in range(layer.units)])
    p = to_host(model.layers[-1].a).ravel()            # (G·G,) p(class 1)
    h = lab.history
    return {
        "epoch": lab.epoch, "progress": lab.progress(), "step": lab.steps,
        "train_loss": train_loss, "test_loss": test_loss,
        "diverged": lab.diverged,
        "history": {k: thin(v) for k, v in h.items()},
        "grid": GRID, "thumb": side,
        "output": encode(p, 0.0, 1.0), "neurons": neurons,
        "weights": [_round(layer.W) for layer in model.layers],
        "biases": [_round(layer.b) for layer in model.layers],
        "layers": list(lab.settings.layers), "features": list(lab.settings.features),
        "hints": lab.hints(), "settings": lab.settings.to_dict(),
        "data_version": lab.data_version,
    }


def data_event(lab) -> dict:
    """The points and what each input feature looks like over the view."""
    side = GRID // THUMB_STRIDE
    maps = {}
    for name in data.FEATURE_FORMULAS:                  # on the neurons' cells
        f = data.features(lab.grid, (name,)).reshape(GRID, GRID)
        maps[name] = heat(f[::THUMB_STRIDE, ::THUMB_STRIDE].ravel())
    return {"points": lab.points.to_dict(), "features": maps, "thumb": side,
            "data_version": lab.data_version}

"""Pictures of a convolutional network: its first-layer filters and the
feature maps one image produces."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from glassnet.core.backend import to_host
from glassnet.core.conv import Conv2D
from glassnet.errors import ShapeError, expected
from glassnet.plots._figure import finish, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def conv_layers(model) -> list[int]:
    """Model indices of the Conv2D layers."""
    return [i for i, layer in enumerate(model.layers) if isinstance(layer, Conv2D)]


def _first_conv(model) -> int:
    found = conv_layers(model)
    if not found:
        raise ShapeError(expected("a model with a Conv2D layer", repr(model),
                                  "Filters and feature maps belong to Conv2D layers."))
    return found[0]


def plot_filters(model, path: str | os.PathLike[str] | None = None,
                 layer: int | None = None,
                 cols: int = 8) -> Path | Figure:
    """Each filter K[:, :, :, f] of a Conv2D layer (default: the first) as a
    small image. One input channel: blue > 0, red < 0, white 0, on one scale
    for all filters, so an edge detector shows as a blue band beside a red
    one. Three channels: the filter as a colour image (scaled to [0, 1]).
    Without a path, returns the figure (a notebook draws it inline)."""
    l = _first_conv(model) if layer is None else int(layer)
    K = to_host(model.layers[l].kernel).astype(np.float64)      # (kh, kw, C, F)
    F, C = K.shape[3], K.shape[2]
    rows = -(-F // cols)
    fig = new_figure(1.1 * min(cols, F) + 0.8, 1.15 * rows + 0.6)
    lim = float(np.abs(K).max()) or 1.0
    for f in range(F):
        ax = fig.add_subplot(rows, min(cols, F), f + 1)
        if C == 3:
            k = K[:, :, :, f]
            ax.imshow((k - k.min()) / max(float(np.ptp(k)), 1e-12),
                      interpolation="nearest")
        else:  # the mean over input channels (the filter itself for grey input)
            im = ax.imshow(K[:, :, :, f].mean(axis=2), cmap="RdBu", vmin=-lim,
                           vmax=lim, interpolation="nearest")
        ax.set_title(f"filter {f}", fontsize="x-small")
        ax.set_axis_off()
    if C != 3:
        fig.colorbar(im, ax=fig.axes, shrink=0.6, label="weight")
    kh, kw = K.shape[:2]
    fig.suptitle(f"{model.layers[l].name}: {F} filters of {kh}×{kw}×{C}"
                 + (" (mean over input channels)" if C not in (1, 3) else ""),
                 fontsize="small")
    return finish(fig, path)


def feature_maps(model, image) -> list[tuple[str, np.ndarray]]:
    """[(label, maps (H, W, channels))]: the image as the first Conv2D layer
    receives it, then each Conv2D layer's output a = f(z) for that image.
    Runs ``infer``, so the model's kept values are left alone."""
    first = _first_conv(model)
    x = model.backend.to_device(np.asarray(image, dtype=model.dtype)[None])
    if x.shape[1:] != tuple(model.input_shape):
        raise ShapeError(expected(f"one image of shape {model.input_shape}",
                                  f"shape {x.shape[1:]}", "Pass X[i], not X."))
    out = []
    for i, layer in enumerate(model.layers):
        if i == first:
            out.append(("input", to_host(x)[0]))
        x = layer.infer(x)
        if isinstance(layer, Conv2D):
            out.append((f"{layer.name} ({layer.activation.name})", to_host(x)[0]))
    return out


def plot_feature_maps(model, image, path: str | os.PathLike[str] | None = None,
                      max_maps: int = 16, cols: int = 8) -> Path | Figure:
    """The feature maps of one image: the input, then up to ``max_maps`` maps
    of every Conv2D layer (bright = strong response). Without a path,
    returns the figure (a notebook draws it inline)."""
    maps = feature_maps(model, image)
    blocks = [(label, a, min(a.shape[2], 1 if label == "input" else max_maps))
              for label, a in maps]
    rows = sum(-(-n // cols) for *_, n in blocks)
    fig = new_figure(1.0 * cols + 0.5, 1.1 * rows + 0.8)
    grid = fig.add_gridspec(rows, cols)
    r = 0
    for label, a, n in blocks:
        for k in range(n):
            ax = fig.add_subplot(grid[r + k // cols, k % cols])
            shown = a[:, :, :3] if label == "input" and a.shape[2] == 3 else a[:, :, k]
            ax.imshow(shown, cmap="gray" if label == "input" else "viridis",
                      interpolation="nearest")
            title = label if label == "input" else f"map {k}"
            ax.set_title(f"{label}\n{title}" if k == 0 and label != "input" else
                         title, fontsize="x-small")
            ax.set_axis_off()
        r += -(-n // cols)
    fig.suptitle("feature maps of one image", fontsize="small")
    return finish(fig, path)

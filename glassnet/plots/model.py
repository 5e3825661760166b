"""Pictures of a model: its decision regions, its weights, its wiring."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from glassnet.core.backend import to_host
from glassnet.core.dense import Dense
from glassnet.errors import ShapeError, expected
from glassnet.plots._figure import NEGATIVE, POSITIVE, finish, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_decision_boundary(model, X, y, path: str | os.PathLike[str] | None = None,
                           class_names: Sequence[str] | None = None,
                           transform: Callable | None = None,
                           feature_names: Sequence[str] | None = None,
                           resolution: int = 200, title: str = "") -> Path | Figure:
    """Class regions of a 2-feature classifier, with the points it saw.

    X: (n, 2) in the coordinates to draw; ``transform`` maps them to the
    model's inputs (e.g. a fitted StandardScaler's ``transform``). Two classes:
    colour = p(class 1) and the p = 0.5 contour is the boundary. More classes:
    colour = argmax class, shade = its probability.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ShapeError(expected("X with 2 features (a decision boundary is drawn "
                                  "in the plane)", f"shape {X.shape}",
                                  "Plot another view, e.g. plot_history."))
    y = np.asarray(y).ravel()
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    g0 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g1 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    G0, G1 = np.meshgrid(g0, g1)                       # (R, R) each
    grid = np.column_stack([G0.ravel(), G1.ravel()])   # (R², 2)
    P = model.predict_proba(grid if transform is None else transform(grid))
    k = P.shape[1]
    fig = new_figure(6.0, 5.0)
    ax = fig.add_subplot()
    cmap = "RdBu" if k == 2 else "tab10"
    if k == 2:
        p1 = P[:, 1].reshape(G0.shape)
        cs = ax.contourf(G0, G1, p1, levels=np.linspace(0, 1, 11), cmap="RdBu",
                         alpha=0.6)
        ax.contour(G0, G1, p1, levels=[0.5], colors="k", linewidths=1.5)
        fig.colorbar(cs, ax=ax, label=f"p({_name(class_names, 1)})")
        colors = np.where(y == 1, "#2166ac", "#b2182b")
    else:
        cls = P.argmax(axis=1).reshape(G0.shape)
        conf = P.max(axis=1).reshape(G0.shape)
        ax.imshow(cls, origin="lower", extent=(g0[0], g0[-1], g1[0], g1[-1]),
                  cmap=cmap, vmin=0, vmax=9, alpha=0.25, aspect="auto",
                  interpolation="nearest")
        ax.contour(G0, G1, conf, levels=[0.5, 0.9], colors="0.4", linewidths=0.6)
        colors = None
    for c in np.unique(y):
        rows = y == c
        ax.scatter(X[rows, 0], X[rows, 1], s=18, edgecolors="k", linewidths=0.5,
                   c=colors[rows] if colors is not None else [f"C{int(c) % 10}"],
                   label=_name(class_names, int(c)))
    ax.legend(fontsize="small", loc="best")
    names = list(feature_names) if feature_names is not None else ["x1", "x2"]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title or "decision boundary")
    return finish(fig, path)


def _name(class_names, i: int) -> str:
    return str(class_names[i]) if class_names is not None and i < len(class_names) \
        else f"class {i}"


def plot_weight_histograms(model, path: str | os.PathLike[str] | None = None,
                           X=None, y=None,
                           gradients: list[np.ndarray] | None = None,
                           bins: int = 40) -> Path | Figure:
    """Per parameter, a histogram of its values and (if known) its gradients.

    Gradients are ``gradients`` (get_weights() order) or dL/dθ on (X, y) with
    the compiled loss. Healthy nets have weights spread around 0 and gradients
    that are neither all ≈ 0 (vanishing) nor huge (exploding).
    """
    if gradients is None and X is not None:
        gradients = model.gradients(X, y, loss=None)
    params = model.parameters()
    if not params:
        raise ShapeError(expected("a model with parameters", "none",
                                  "Add a Dense layer."))
    cols = 2 if gradients is not None else 1
    fig = new_figure(4.2 * cols, 2.2 * len(params) + 0.5)
    for r, (name, value, _) in enumerate(params):
        _hist(fig.add_subplot(len(params), cols, r * cols + 1), to_host(value), bins,
              f"{name}  {tuple(value.shape)}", POSITIVE)
        if gradients is not None:
            _hist(fig.add_subplot(len(params), cols, r * cols + 2), gradients[r],
                  bins, f"∂L/∂{name}", NEGATIVE)
    return finish(fig, path)


def _hist(ax, values, bins: int, title: str, color: str) -> None:
    from matplotlib.ticker import MaxNLocator

    v = np.asarray(values, dtype=np.float64).ravel()
    ax.hist(v, bins=bins if v.size > 1 else 1, color=color, alpha=0.8)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_title(f"{title}\nmean {v.mean():.3g}  std {v.std():.3g}",
                 fontsize="small")
    ax.tick_params(labelsize="x-small")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # tiny gradients: long labels
    ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))


def plot_network(model, path: str | os.PathLike[str] | None = None,
                 input_names: Sequence[str] | None = None,
                 output_names: Sequence[str] | None = None,
                 max_units: int = 16) -> Path | Figure:
    """The network as neurons and connections.

    Line colour = weight sign (blue +, red −); width and opacity = |w| relative
    to the layer's largest weight. Layers wider than ``max_units`` show their
    first and last units with "⋮" between.
    """
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    if not dense:
        raise ShapeError(expected("a model with Dense layers", repr(model),
                                  "plot_network draws weight matrices."))
    sizes = [dense[0].params["W"].shape[0]] + [d.params["W"].shape[1] for d in dense]
    shown = [_visible(n, max_units) for n in sizes]
    fig = new_figure(2.4 * len(sizes) + 1.5, 0.45 * max(map(len, shown)) + 2.0)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ys = [_positions(len(s), len(s) < n) for s, n in zip(shown, sizes, strict=True)]
    top = max(max(p) for p in ys)
    for li, layer in enumerate(dense):
        W = to_host(layer.params["W"])                     # (n_in, n_out)
        sub = W[np.ix_(shown[li], shown[li + 1])]
        scale = max(float(np.abs(W).max()), 1e-12)
        for a, ya in enumerate(ys[li]):
            for b, yb in enumerate(ys[li + 1]):
                w = float(sub[a, b]) / scale
                ax.plot([li, li + 1], [ya, yb], color=POSITIVE if w >= 0 else
                        NEGATIVE, lw=0.3 + 2.7 * abs(w), alpha=0.15 + 0.8 * abs(w),
                        zorder=1)
    for li, (units, pos) in enumerate(zip(shown, ys, strict=True)):
        ax.scatter([li] * len(pos), pos, s=160, c="white", edgecolors="k", zorder=3)
        if len(units) < sizes[li]:
            gap = (pos[len(pos) // 2 - 1] + pos[len(pos) // 2]) / 2
            ax.text(li, gap, "⋮", ha="center", va="center", fontsize=16, zorder=4,
                    bbox={"fc": "white", "ec": "none", "pad": 0.5})
        names = input_names if li == 0 else output_names if li == len(sizes) - 1 \
            else None
        if names is not None:
            side = -0.12 if li == 0 else 0.12
            for u, p in zip(units, pos, strict=True):
                if u < len(names):
                    ax.text(li + side, p, str(names[u]), ha="right" if li == 0 else
                            "left", va="center", fontsize="small")
        label = "input" if li == 0 else dense[li - 1].name
        act = getattr(dense[li - 1], "activation", None) if li else None
        extra = f"\n{act.name}" if act is not None else ""
        ax.text(li, top + 0.8, f"{label}\n{sizes[li]} units{extra}",
                ha="center", va="bottom", fontsize="small")
    ax.set_xlim(-0.8, len(sizes) - 0.2)
    ax.set_ylim(min(min(p) for p in ys) - 0.8, top + 2.6)
    ax.set_title("network  (blue: w > 0, red: w < 0, width ∝ |w|)", fontsize="small")
    return finish(fig, path)


def _visible(n: int, max_units: int) -> list[int]:
    if n <= max_units:
        return list(range(n))
    half = max_units // 2
    return list(range(half)) + list(range(n - (max_units - half), n))


def _positions(k: int, gap: bool = False) -> np.ndarray:
    """Centred y positions, top to bottom; ``gap`` leaves a slot for "⋮"."""
    slots = np.arange(k + gap, dtype=np.float64)
    if gap:
        slots = np.delete(slots, k // 2)
    return (k + gap - 1) / 2.0 - slots

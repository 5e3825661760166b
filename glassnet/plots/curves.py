"""Curves over time: training history, the optimizer arena, confusion matrix."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.plots._figure import (
    TRAIN,
    VALID,
    finish,
    grid,
    new_figure,
    shown_inline,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_NOT_CURVES = ("lr", "time")


def _as_dict(history) -> tuple[list[int], dict[str, list[float]]]:
    if hasattr(history, "history") and hasattr(history, "epoch"):
        return list(history.epoch), dict(history.history)
    if isinstance(history, Mapping):
        values = dict(history)
        n = max((len(v) for v in values.values()), default=0)
        return list(range(n)), values
    raise ConfigError(expected("a History or a dict name -> values per epoch",
                               type(history).__name__, "Pass net.fit(...)'s result."))


def plot_history(history, path: str | os.PathLike[str] | None = None,
                 title: str = "") -> Path | Figure:
    """Loss and each metric per epoch, training (solid) beside validation (dashed).

    One panel per quantity; a learning-rate panel is added when it changed.
    """
    return finish(history_figure(history, title), path)


def history_figure(history, title: str = ""):
    """The figure ``plot_history`` saves; it displays inline in Jupyter."""
    epochs, values = _as_dict(history)
    if not epochs:
        raise ShapeError(expected("a history with at least one epoch", "none",
                                  "Train first: history = net.fit(...)."))
    names = [k for k in values if not k.startswith("val_") and k not in _NOT_CURVES]
    names += [k[4:] for k in values if k.startswith("val_") and k[4:] not in names]
    lr = values.get("lr", [])
    if len({round(v, 12) for v in lr if math.isfinite(v)}) > 1:
        names.append("lr")
    rows, cols = grid(len(names), 2)
    fig = new_figure(5.0 * cols, 3.6 * rows)
    x = np.asarray(epochs) + 1  # people count epochs from 1
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        if name in values:
            label = "learning rate" if name == "lr" else "training"
            ax.plot(x, values[name], color=TRAIN, marker=".", label=label)
        if "val_" + name in values:
            ax.plot(x, values["val_" + name], color=VALID, ls="--", marker=".",
                    label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(name)
        if name in ("loss", "lr") and all(v > 0 for v in values[name]
                                          if math.isfinite(v)):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return shown_inline(fig)


def final_level(losses) -> tuple[int, float]:
    """(k, the mean of the last k losses), k = len/50: where a noisy
    mini-batch curve ends. The arena's summary and its plot both rank the
    optimizers by this one number, so they agree on the winner."""
    y = np.asarray(losses, dtype=np.float64).ravel()
    k = max(1, y.size // 50)
    return k, float(np.mean(y[-k:]))


def plot_optimizers(curves: Mapping[str, Sequence[float]],
                    path: str | os.PathLike[str] | None = None,
                    title: str = "optimizer arena",
                    xlabel: str = "step") -> Path | Figure:
    """One loss curve per optimizer (``{"sgd": [...], "adam": [...]}``), log y;
    see ``arena_figure``."""
    return finish(arena_figure(curves, title, xlabel), path)


def arena_figure(curves: Mapping[str, Sequence[float]],
                 title: str = "optimizer arena", xlabel: str = "step"):
    """The arena's Figure. Curves longer than 100 steps are drawn faint, with
    their moving mean over len/50 steps on top, so the trend shows through the
    mini-batch noise; each label gives ``final_level`` and the lowest is marked
    best. The legend sits beside the axes, never over the curves."""
    if not isinstance(curves, Mapping) or not curves:
        raise ConfigError(expected("a non-empty dict name -> list of losses",
                                   type(curves).__name__, "Pass e.g. "
                                   "{'sgd': [1.0, 0.5], 'adam': [1.0, 0.2]}."))
    levels = {}
    for name, losses in curves.items():
        if np.asarray(losses).size == 0:
            raise ShapeError(expected(f"losses for {name!r}", "an empty list",
                                      "Record at least one loss per optimizer."))
        levels[name] = final_level(losses)
    best = min(levels, key=lambda n: levels[n][1])
    fig = new_figure(9.0, 4.5)
    ax = fig.add_subplot()
    positive, lows = True, []
    for name, losses in curves.items():
        y = np.asarray(losses, dtype=np.float64).ravel()
        positive &= bool(np.all(y[np.isfinite(y)] > 0))
        x = np.arange(1, y.size + 1)
        k, level = levels[name]
        what = "final" if k == 1 else f"last {k} steps"
        label = f"{name} ({what}: {level:.3g})" + ("  ← best" if name == best else "")
        if k < 2:
            ax.plot(x, y, label=label)
            lows.append(float(np.nanmin(y)))
            continue
        smooth = np.convolve(y, np.ones(k) / k, mode="valid")  # moving mean of k
        (line,) = ax.plot(x[k - 1:], smooth, label=label)
        ax.plot(x, y, color=line.get_color(), alpha=0.15, lw=0.6)
        lows.append(float(np.nanmin(smooth)))
    if positive:
        ax.set_yscale("log")
        if lows:                        # frame the trends, not the noise's dips
            ax.set_ylim(bottom=min(lows) / 3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
              fontsize="small")
    return fig


def plot_confusion_matrix(cm, path: str | os.PathLike[str] | None = None,
                          class_names: Sequence[str] | None = None,
                          title: str = "confusion matrix") -> Path | Figure:
    """C[i, j] = samples of true class i predicted as j; colour = row share."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ShapeError(expected("a square confusion matrix (K, K)",
                                  f"shape {cm.shape}",
                                  "Use gn.metrics.confusion_matrix(y, y_pred)."))
    k = cm.shape[0]
    names = [str(c) for c in class_names] if class_names is not None else \
        [str(i) for i in range(k)]
    share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)  # recall per cell
    size = min(3.0 + 0.5 * k, 14.0)
    fig = new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    im = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(im, ax=ax, label="share of the true class")
    if k <= 30:
        for i in range(k):
            for j in range(k):
                ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center",
                        fontsize="small" if k > 10 else "medium",
                        color="white" if share[i, j] > 0.5 else "black")
    ticks = np.arange(k)
    ax.set_xticks(ticks, names, rotation=45 if k > 6 else 0, ha="right" if k > 6
                  else "center")
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(cm) / max(cm.sum(), 1)
    ax.set_title(f"{title}\naccuracy {accuracy:.3f}")
    return finish(fig, path)

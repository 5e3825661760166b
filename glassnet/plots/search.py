"""A hyperparameter search at a glance: the score against each searched option."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from glassnet.errors import ShapeError, expected
from glassnet.plots._figure import TRAIN, VALID, grid, new_figure, save


def plot_search(params: Mapping[str, Sequence[str]], means: Sequence[float],
                stds: Sequence[float], path: str | os.PathLike[str],
                metric: str = "score", higher_is_better: bool = True,
                title: str = "") -> Path:
    """One panel per option: every configuration's mean score over the folds
    (± one standard deviation) at its value of that option, and a line through
    the best score each value reached. Failed configurations (NaN) are left out.

    params: {option: [value text of configuration 0, 1, …]}; means, stds: per
    configuration.
    """
    means, stds = np.asarray(means, float), np.asarray(stds, float)  # (C,)
    if not params or any(len(v) != len(means) for v in params.values()):
        raise ShapeError(expected("one value per configuration for each option",
                                  {k: len(v) for k, v in params.items()},
                                  f"Pass lists of {len(means)} values."))
    rows, cols = grid(len(params), 3)
    fig = new_figure(4.2 * cols, 3.4 * rows)
    pick = np.nanmax if higher_is_better else np.nanmin
    for i, (name, values) in enumerate(params.items()):
        ax = fig.add_subplot(rows, cols, i + 1)
        levels = list(dict.fromkeys(values))          # value texts, grid order
        x = np.array([levels.index(v) for v in values], float)
        ok = np.isfinite(means)
        jitter = _jitter(x, ok)
        ax.errorbar(x[ok] + jitter[ok], means[ok], yerr=stds[ok], fmt="o",
                    color=TRAIN, alpha=0.6, ms=4, capsize=2, label="configuration")
        tops = [pick(means[ok & (x == j)]) if np.any(ok & (x == j)) else math.nan
                for j in range(len(levels))]
        ax.plot(range(len(levels)), tops, color=VALID, marker="s",
                label="best at this value")
        ax.set_xticks(range(len(levels)), levels,
                      rotation=30 if len(levels) > 4 else 0)
        ax.set_xlim(-0.5, len(levels) - 0.5)
        ax.set_xlabel(name.replace("_", "-"))
        ax.set_ylabel(f"mean {metric} over the folds")
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend(fontsize="small")
    better = "higher" if higher_is_better else "lower"
    fig.suptitle(title or f"{metric} against each option ({better} is better)")
    return save(fig, path)


def _jitter(x: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Spread the configurations that share a value a little apart: (C,)."""
    out = np.zeros_like(x)
    for level in np.unique(x[ok]):
        idx = np.flatnonzero(ok & (x == level))
        if len(idx) > 1:
            out[idx] = np.linspace(-0.12, 0.12, len(idx))
    return out

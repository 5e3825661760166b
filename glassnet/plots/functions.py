"""Activation functions f(z) drawn beside their derivatives f'(z)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from glassnet import activations as act_mod
from glassnet.plots._figure import NEGATIVE, POSITIVE, finish, grid, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_activations(path: str | os.PathLike[str] | None = None,
                     names: Sequence[str] | None = None,
                     z_range: tuple[float, float] = (-4.0, 4.0)) -> Path | Figure:
    """One panel per activation: f(z) solid, f'(z) dashed.

    Softmax is drawn as its two-class form p₁ = softmax([z, 0])₁ = σ(z), whose
    derivative is the Jacobian's diagonal p₁(1 − p₁).
    """
    if names is None:
        names = [n for n in act_mod.NAMES]
    acts = [act_mod.get(n) for n in dict.fromkeys(names)]  # unique, in order
    z = np.linspace(*z_range, 401)
    rows, cols = grid(len(acts), 4)
    fig = new_figure(3.2 * cols, 2.7 * rows)
    for i, act in enumerate(acts):
        ax = fig.add_subplot(rows, cols, i + 1)
        if act.name == "softmax":
            zz = np.stack([z, np.zeros_like(z)], axis=1)  # (401, 2)
            a = act.forward(zz)[:, 0]
            da = a * (1.0 - a)
        else:
            a = act.forward(z.copy())
            da = act.derivative(z)
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axvline(0, color="0.7", lw=0.8)
        ax.plot(z, a, color=POSITIVE, label="f(z)")
        ax.plot(z, da, color=NEGATIVE, ls="--", label="f′(z)")
        ax.set_title("softmax([z, 0])₁" if act.name == "softmax" else act.name)
        ax.set_xlabel("z")
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend(fontsize="small")
    return finish(fig, path)

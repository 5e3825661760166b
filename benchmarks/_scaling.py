"""Epoch time against hidden width and against batch size, glassnet vs PyTorch.

Slow cells (small batches, wide layers) train on the first ``n`` rows only,
where ``n`` is chosen from a short pilot run so that each timing takes about
``budget_s``; the epoch time is then extrapolated linearly to 60,000 samples
(marked * in the table). A shorter pass over a smaller slice of the data is
cache-friendlier, so extrapolated cells are slightly optimistic for both
libraries alike.
"""

from __future__ import annotations

import numpy as np
from _common import (
    TorchMLP,
    glassnet_epoch,
    glassnet_model,
    import_torch,
    interleave,
    median,
    timed,
)

WIDTHS = [64, 128, 256, 512, 1024, 2048]
BATCHES = [1, 4, 16, 32, 64, 128, 256, 512, 1024]


def _cell(X, y, Xt, yt, torch, width: int, bs: int, reps: int, budget_s: float):
    N = len(X)
    net = glassnet_model((width,))
    pilot = min(N, max(4 * bs, 256))
    glassnet_epoch(net, X[:pilot], y[:pilot], bs, 0)  # warm-up
    per_sample = timed(lambda: glassnet_epoch(net, X[:pilot], y[:pilot], bs, 0)) \
        / pilot
    fns = {}
    if torch is not None:
        tm = TorchMLP(torch, (width,))
        tm.epoch(Xt[:pilot], yt[:pilot], bs)
        per_sample = max(per_sample, timed(
            lambda: tm.epoch(Xt[:pilot], yt[:pilot], bs)) / pilot)
    n = int(budget_s / max(per_sample, 1e-9))
    n = max(min(N, n // bs * bs), min(N, 8 * bs))
    Xn, yn = X[:n], y[:n]
    fns["glassnet"] = lambda: glassnet_epoch(net, Xn, yn, bs, None)
    if torch is not None:
        Xtn, ytn = Xt[:n], yt[:n]
        fns["torch"] = lambda: tm.epoch(Xtn, ytn, bs)
    times = interleave(fns, reps)
    scale = N / n
    return {"width": width, "batch": bs, "n": n, "extrapolated": n < N,
            "epoch_s": {k: median(v) * scale for k, v in times.items()}}


def scaling(data, reps: int, budget_s: float, widths=None, batches=None) -> dict:
    X, y = data[0], data[1]
    torch = import_torch()
    Xt = yt = None
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    out = {"width": [], "batch": []}
    for w in widths or WIDTHS:
        out["width"].append(_cell(X, y, Xt, yt, torch, w, 128, reps, budget_s))
        print(f"  scaling width {w}: {_fmt(out['width'][-1])}", flush=True)
    for bs in batches or BATCHES:
        out["batch"].append(_cell(X, y, Xt, yt, torch, 128, bs, reps, budget_s))
        print(f"  scaling batch {bs}: {_fmt(out['batch'][-1])}", flush=True)
    return out


def _fmt(cell) -> str:
    star = "*" if cell["extrapolated"] else ""
    return ", ".join(f"{k} {v:.2f}s{star}" for k, v in cell["epoch_s"].items())


def plot(result: dict, path, note: str = "") -> bool:
    """Two panels of epoch time (log-log) plus the glassnet/torch ratio."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex="col",
                             gridspec_kw={"height_ratios": [3, 1.4]})
    panels = (("width", "hidden width (784-w-10, batch 128)"),
              ("batch", "batch size (784-128-10)"))
    for col, (key, label) in enumerate(panels):
        cells = result[key]
        xs = [c[key] for c in cells]
        ax, axr = axes[0][col], axes[1][col]
        for lib, style, color in (("glassnet", "o-", "C0"), ("torch", "s--", "C1")):
            ys = [c["epoch_s"].get(lib, np.nan) for c in cells]
            ax.plot(xs, ys, style, color=color, label=lib)
            ext = [(x, v) for x, v, c in zip(xs, ys, cells, strict=True)
                   if c["extrapolated"]]
            if ext:  # hollow markers: timed on part of an epoch, extrapolated
                ax.plot(*zip(*ext, strict=True), style[0], color=color,
                        markerfacecolor="white", linestyle="none")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_ylabel("seconds per MNIST epoch")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        ratio = [c["epoch_s"].get("glassnet", np.nan)
                 / c["epoch_s"].get("torch", np.nan) for c in cells]
        axr.plot(xs, ratio, "o-", color="C2")
        axr.axhline(1.0, color="0.4", lw=1)
        axr.set_ylabel("glassnet / torch")
        axr.set_xlabel(label)
        axr.set_ylim(0, max(1.5, np.nanmax(ratio) * 1.1))
        axr.grid(True, alpha=0.3)
    fig.suptitle("Training time per MNIST epoch (Adam, float32, CPU): lower is "
                 "better; ratio < 1: glassnet faster.\nHollow markers: timed on "
                 "part of an epoch and extrapolated" + (f". {note}" if note else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True

"""Learning-rate range test (Smith, "Cyclical Learning Rates", 2017, §3.3).

Train for a few hundred batches while the learning rate grows geometrically
from ``start`` to ``end``:  ηₖ = start · (end/start)^(k/(n−1)).  The loss
first does nothing (η too small), then falls, then blows up (η too large).
The suggestion is the rate where the smoothed loss falls fastest, capped at
a tenth of the rate with the lowest loss. Weights, optimizer state and the
model's random generator are restored afterwards: the sweep changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from glassnet._validation import as_rng, check_lengths, check_X
from glassnet.errors import ConfigError, expected
from glassnet.glassbox.trace import restore, snapshot
from glassnet.train.step import apply_step, require_compiled


@dataclass
class LRFinderResult:
    lrs: np.ndarray           # the learning rate of each step
    losses: np.ndarray        # the smoothed batch loss after each step
    raw_losses: np.ndarray
    suggestion: float
    diverged_at: float | None

    def text(self, width: int = 40) -> str:
        """The curve as a small text chart, one row per ~10th of the sweep."""
        rows = [f"learning-rate range test: suggested learning_rate = "
                f"{self.suggestion:.3g}"]
        lo, hi = np.nanmin(self.losses), np.nanmax(self.losses)
        for k in np.linspace(0, len(self.lrs) - 1, min(12, len(self.lrs))).astype(int):
            bar = int(round(width * (self.losses[k] - lo) / max(hi - lo, 1e-12)))
            rows.append(f"  lr {self.lrs[k]:9.2e}  loss {self.losses[k]:9.4g}  "
                        + "█" * bar)
        if self.diverged_at is not None:
            rows.append(f"  stopped at lr {self.diverged_at:.2e}: the loss exploded")
        return "\n".join(rows)

    def plot(self, ax=None):
        """Loss against learning rate on a log axis (needs matplotlib)."""
        import matplotlib.pyplot as plt
        ax = ax or plt.gca()
        ax.plot(self.lrs, self.losses)
        ax.axvline(self.suggestion, ls="--", color="gray")
        ax.set(xscale="log", xlabel="learning rate", ylabel="loss (smoothed)")
        return ax

    def __str__(self):
        return self.text()


def find_lr(model, X, y, start: float = 1e-6, end: float = 10.0, steps: int = 200,
            batch_size: int = 32, smoothing: float = 0.9, diverge: float = 4.0,
            seed=0) -> LRFinderResult:
    """Sweep the learning rate over ``steps`` batches; return curve + suggestion."""
    require_compiled(model)
    if not (0 < start < end and math.isfinite(end)):
        raise ConfigError(expected("0 < start < end", f"start={start}, end={end}",
                                   "Pass e.g. start=1e-6, end=10."))
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 5:
        raise ConfigError(expected("steps as an int ≥ 5", repr(steps),
                                   "Pass e.g. steps=200."))
    X = check_X(X, model.input_shape, model.dtype)
    check_lengths(X, y)
    y = model.loss.prepare_targets(y, model.output_shape, model.dtype)
    rng = as_rng(seed)
    bs = min(batch_size, X.shape[0])
    lrs = start * (end / start) ** (np.arange(steps) / (steps - 1))
    snap = snapshot(model)
    raw, smooth, avg, best, diverged = [], [], 0.0, math.inf, None
    try:
        order = rng.permutation(X.shape[0])
        pos = 0
        for k, lr in enumerate(lrs):
            if pos + bs > X.shape[0]:
                order, pos = rng.permutation(X.shape[0]), 0
            idx = order[pos:pos + bs]
            pos += bs
            model.optimizer.learning_rate = float(lr)
            to_device = model.backend.to_device
            L = apply_step(model, to_device(X[idx]), to_device(y[idx]),
                           nan_policy="stop")
            if L is None or not math.isfinite(L):
                diverged = float(lr)
                break
            avg = smoothing * avg + (1 - smoothing) * L
            s = avg / (1 - smoothing ** (k + 1))       # bias-corrected running mean
            raw.append(L)
            smooth.append(s)
            best = min(best, s)
            if s > diverge * best:
                diverged = float(lr)
                break
    finally:
        restore(model, snap)
    n = len(smooth)
    lrs, smooth = lrs[:n], np.array(smooth)
    return LRFinderResult(lrs, smooth, np.array(raw), _suggest(lrs, smooth), diverged)


#: the slope of the loss is measured over this many decades of η (±half)
SLOPE_DECADES = 0.5


def _suggest(lrs: np.ndarray, losses: np.ndarray) -> float:
    """The rate where the smoothed loss falls fastest — its slope measured over
    half a decade of η, so that batch-to-batch noise on the flat start of the
    sweep cannot look steeper than the real descent — capped at a tenth of
    the rate with the lowest loss."""
    n = len(losses)
    if n < 3:
        return float(lrs[0]) if n else float("nan")
    i_min = int(np.argmin(losses))
    log_lr = np.log10(lrs)
    step = (log_lr[-1] - log_lr[0]) / (n - 1)
    half = max(1, int(round(SLOPE_DECADES / 2 / step)))
    lo = np.maximum(np.arange(n) - half, 0)
    hi = np.minimum(np.arange(n) + half, n - 1)
    slope = (losses[hi] - losses[lo]) / (log_lr[hi] - log_lr[lo])   # Δ loss / Δ log η
    i_steep = int(np.argmin(slope[: max(i_min, 1) + 1]))
    return float(min(lrs[i_steep], lrs[i_min] / 10 if i_min > 0 else lrs[i_steep]))

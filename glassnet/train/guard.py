"""The guard against a run that diverges: what fit keeps, and says, when the
loss stops being a number or grows by orders of magnitude.

Per batch, after backward and before the update:

    what = guard.check(model, L)      "loss" / "gradient" when not finite;
                                      also ‖g‖², which the check needs anyway
    guard.keep(model, epoch, b)       θ copied before the first step of each
                                      epoch and before any step whose gradient
                                      is 10× the running norm (a spike: the
                                      step that makes plain SGD blow up)
    guard.restore(model)              on a NaN/inf: θ back to that copy, so the
                                      weights kept are not the huge ones the
                                      diverging step wrote

Per epoch, ``end_epoch`` records NaN (never 0.0) for an epoch whose every
update was skipped, counts the skipped batches, and warns once when the
loss has grown a hundredfold over its value at the start. Copying θ at a few
steps only keeps the guard's cost out of the training step.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

#: ‖g‖² above this many times its running mean: a spike, θ is copied first
SPIKE = 100.0
#: the epoch loss this many times its starting value: "diverging"
GROWTH = 100.0
_HUGE = float(np.finfo(np.float64).max) / 10   # ‖g‖² that overflowed


class Guard:
    """Non-finite and diverging losses during one fit() call."""

    def __init__(self, nan_policy: str):
        self.nan_policy = nan_policy
        self.saved = None            # θ before (epoch, batch) = self.saved_at
        self.saved_at: tuple[int, int] | None = None
        self.gg = 0.0                # ‖g‖² of the last batch
        self.mean_gg = 0.0           # its running mean
        self.skipped = 0             # batches skipped this epoch (nan_policy="warn")
        self.start_loss: float | None = None
        self.warned = False

    def check(self, model, L: float) -> str | None:
        """"loss" or "gradient" when the batch gave a NaN/inf, else None.

        ‖g‖² = g·g is finite only if every gᵢ is (or it overflowed: then a
        full isfinite pass decides, and the step counts as a spike)."""
        if not math.isfinite(L):
            return "loss"
        if self.start_loss is None:
            self.start_loss = L
        g = model.flat_grads
        with np.errstate(over="ignore", invalid="ignore"):
            gg = float(g @ g)
        if not math.isfinite(gg):
            if not bool(model.xp.isfinite(g).all()):
                return "gradient"
            gg = _HUGE
        self.gg = gg
        return None

    def keep(self, model, epoch: int, batch: int, first: bool) -> None:
        """Copy θ before the first step of an epoch and before a spike."""
        spike = self.mean_gg > 0 and self.gg > SPIKE * self.mean_gg
        if first or spike or self.saved is None:
            if self.saved is None:
                self.saved = model.flat_params.copy()
            else:
                model.xp.copyto(self.saved, model.flat_params)
            self.saved_at = (epoch, batch)
        self.mean_gg = self.gg if self.mean_gg == 0 else \
            0.9 * self.mean_gg + 0.1 * self.gg

    def restore(self, model) -> str:
        """θ ← the copy; returns where it came from, for the message."""
        self.warned = True   # the NaN/inf message says it all: no second warning
        if self.saved is None:
            return "The weights were not changed by this batch."
        model.assign_flat_params(self.saved)
        epoch, batch = self.saved_at
        return (f"The weights were restored to their values before epoch "
                f"{epoch + 1}, batch {batch + 1} (the last copy taken before the "
                "run diverged), so predict and evaluate give finite answers.")

    def skip(self) -> None:
        self.skipped += 1

    def end_epoch(self, logs: dict, epoch: int, seen: int) -> None:
        """NaN for an epoch without a single update; skipped batches counted;
        a warning when the loss grows by orders of magnitude."""
        if seen == 0:
            logs["loss"] = float("nan")
        if self.nan_policy == "warn":
            logs["skipped_batches"] = self.skipped
        self.skipped = 0
        loss, start = logs["loss"], self.start_loss
        if self.warned or start is None or not math.isfinite(loss) \
                or loss <= GROWTH * max(start, 1e-8):
            return
        self.warned = True
        warnings.warn(
            f"the loss is diverging: {loss:.4g} at epoch {epoch + 1}, "
            f"{loss / start:,.0f}× its value at the first batch ({start:.4g}). "
            "Usual causes: a learning rate too high (try 10× smaller), unscaled "
            "inputs or targets (standardise them), or no gradient clipping "
            "(global_clipnorm=1.0).", RuntimeWarning, stacklevel=4)

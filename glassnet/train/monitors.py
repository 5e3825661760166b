"""Callbacks that watch a logged value: EarlyStopping and ReduceLROnPlateau.

Both count epochs without an improvement of ``monitor`` by ``min_delta``
(``mode``: 'min' for losses, 'max' for accuracies, 'auto' decides by name)
and act after ``patience`` of them. Their counters are part of a checkpoint
(``get_state`` / ``set_state``), so a resumed run goes on where it was.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from glassnet.core.backend import to_host
from glassnet.errors import ConfigError, expected
from glassnet.train.callbacks import Callback, monitor_mode


class _Monitor(Callback):
    def __init__(self, monitor, min_delta, patience, mode):
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ConfigError(expected("patience as an int ≥ 0", repr(patience),
                                       "Pass e.g. patience=5."))
        if not isinstance(min_delta, int | float) or min_delta < 0:
            raise ConfigError(expected("min_delta ≥ 0", repr(min_delta),
                                       "Pass e.g. min_delta=1e-4."))
        self.monitor, self.patience = monitor, patience
        self.min_delta = float(min_delta)
        self.mode = monitor_mode(monitor, mode)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def get_state(self) -> dict:
        # best is ±inf until a finite value improves on it; JSON has no inf.
        return {"wait": self.wait,
                "best": self.best if math.isfinite(self.best) else None}

    def set_state(self, state: dict) -> None:
        wait, best = state["wait"], state["best"]
        if isinstance(wait, bool) or not isinstance(wait, int) or wait < 0:
            raise ValueError(f"wait must be an int ≥ 0, found {wait!r}")
        if best is not None and (isinstance(best, bool) or not isinstance(
                best, int | float) or not math.isfinite(best)):
            raise ValueError(f"best must be a finite number or null, found {best!r}")
        self.wait = wait
        self.best = (math.inf if self.mode == "min" else -math.inf) \
            if best is None else float(best)

    def _value(self, logs):
        if logs is None or self.monitor not in logs:
            warnings.warn(f"{type(self).__name__}: '{self.monitor}' is not in the "
                          f"logs (have {sorted(logs or {})}); pass validation data "
                          "or monitor='loss'.", stacklevel=3)
            return None
        return float(logs[self.monitor])


class EarlyStopping(_Monitor):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience``
    epochs. With ``restore_best_weights`` the best epoch's weights are put back
    whenever training ends — normally, early, by error or by Ctrl-C. The best
    weights are kept as one flat copy on the model's device (a host copy goes
    into checkpoints)."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5,
                 min_delta: float = 0.0, mode: str = "auto",
                 restore_best_weights: bool = True):
        super().__init__(monitor, min_delta, patience, mode)
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = None
        self.stopped_epoch = None

    def on_train_begin(self, logs=None):
        self.wait, self.best_weights, self.best_epoch = 0, None, None
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        value = self._value(logs)
        if value is None or not math.isfinite(value):
            return
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.flat_params.copy()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.request_stop(
                    f"early stopping: {self.monitor} did not improve for "
                    f"{self.wait} epochs (best {self.best:.6g} at epoch "
                    f"{self.best_epoch + 1})")

    def get_state(self) -> dict:
        state = {**super().get_state(), "best_epoch": self.best_epoch,
                 "stopped_epoch": self.stopped_epoch}
        if self.best_weights is not None:     # a host copy for the checkpoint
            state["best_weights"] = np.array(to_host(self.best_weights), copy=True)
        return state

    def set_state(self, state: dict) -> None:
        for key in ("best_epoch", "stopped_epoch"):
            v = state[key]
            if v is not None and (isinstance(v, bool) or not isinstance(v, int)
                                  or v < 0):
                raise ValueError(f"{key} must be an int ≥ 0 or null, found {v!r}")
        weights = state.get("best_weights")
        if weights is not None:
            flat = self.model.flat_params
            if not isinstance(weights, np.ndarray) or weights.shape != flat.shape \
                    or weights.dtype != flat.dtype or not np.isfinite(weights).all():
                raise ValueError(f"best_weights must be finite {flat.dtype} of shape "
                                 f"{flat.shape}")
        super().set_state(state)
        self.best_epoch = state["best_epoch"]
        self.stopped_epoch = state["stopped_epoch"]
        self.best_weights = None if weights is None or not self.restore_best_weights \
            else weights.copy()

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.assign_flat_params(self.best_weights)


class ReduceLROnPlateau(_Monitor):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs
    without improvement, down to ``min_lr``.

    With a learning-rate schedule also active (``fit(lr_schedule=…)``, a
    schedule as the optimizer's rate, or a LearningRateScheduler placed
    before this callback), the reductions so far multiply each epoch's
    scheduled rate: η = max(schedule(epoch) · scale, min_lr).
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1,
                 patience: int = 5, min_delta: float = 1e-4, mode: str = "auto",
                 min_lr: float = 0.0):
        super().__init__(monitor, min_delta, patience, mode)
        if not 0 < factor < 1:
            raise ConfigError(expected("factor in (0, 1)", factor, "Pass e.g. 0.5."))
        self.factor, self.min_lr = float(factor), float(min_lr)
        self.scale = 1.0          # product of the reductions made so far
        self.lr_set = None        # the rate this callback left in force

    def on_train_begin(self, logs=None):
        self.scale, self.lr_set = 1.0, None

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        if self.scale != 1.0 and opt.learning_rate != self.lr_set:
            # a schedule set a new rate since our last reduction: scale it too
            opt.learning_rate = max(opt.learning_rate * self.scale, self.min_lr)
            self.lr_set = opt.learning_rate

    def on_epoch_end(self, epoch, logs=None):
        opt = self.model.optimizer
        value = self._value(logs)
        if value is not None and math.isfinite(value):
            if self._improved(value):
                self.best, self.wait = value, 0
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    opt.learning_rate = max(opt.learning_rate * self.factor,
                                            self.min_lr)
                    self.scale *= self.factor
                    self.wait = 0
        self.lr_set = opt.learning_rate

    def get_state(self) -> dict:
        return {**super().get_state(), "scale": self.scale, "lr_set": self.lr_set}

    def set_state(self, state: dict) -> None:
        super().set_state(state)
        scale, lr_set = state.get("scale", 1.0), state.get("lr_set")
        if isinstance(scale, bool) or not isinstance(scale, int | float) \
                or not 0 < scale <= 1:
            raise ValueError(f"scale must be in (0, 1], found {scale!r}")
        if lr_set is not None and (isinstance(lr_set, bool) or not isinstance(
                lr_set, int | float) or not math.isfinite(lr_set)):
            raise ValueError(f"lr_set must be a finite number or null, found "
                             f"{lr_set!r}")
        self.scale, self.lr_set = float(scale), lr_set

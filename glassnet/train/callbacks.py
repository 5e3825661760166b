"""Callbacks: small objects fit() calls at fixed points.

The protocol (every method optional; subclass ``Callback``):

    set_model(model)
    on_train_begin(logs) / on_train_end(logs)      on_train_end runs on any exit
    on_epoch_begin(epoch, logs) / on_epoch_end(epoch, logs)
    on_batch_end(batch, logs)                      logs = {"loss": …}

Call ``model.request_stop(reason)`` (or set ``model.stop_training = True``) to
stop after the current epoch.

Checkpoint state (for ``fit(..., checkpoint=PATH, resume=True)``):

    get_state() -> dict      what a resumed run needs; default {}. Values must
                             be JSON-able, except that top-level NumPy arrays
                             are allowed (they are stored as checkpoint tensors)
    set_state(state)         put such a dict back; default: ignore it. Raise
                             ValueError/TypeError/KeyError on a malformed state
                             (the checkpoint is then refused as damaged).

fit() saves every callback's state with each checkpoint and, on resume, gives
each callback the state saved for the callback at the same position in the
list with the same class name; callbacks that do not match are left fresh.
set_state is called after on_train_begin, so on_train_begin may reset freely.
"""

from __future__ import annotations

import math
import os

from glassnet.errors import ConfigError, expected


class Callback:
    model = None

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def get_state(self) -> dict:
        return {}

    def set_state(self, state: dict) -> None:
        pass


def _path(value, name: str) -> str:
    if not isinstance(value, str | os.PathLike) or not os.fspath(value):
        raise TypeError(expected(f"{name} as a file path (str or Path)",
                                 repr(value), f"Pass e.g. {name}='run/model.st'."))
    return os.fspath(value)


def monitor_mode(monitor: str, mode: str) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise ConfigError(expected("monitor as the name of a logged value",
                                   repr(monitor), "Pass e.g. monitor='val_loss'."))
    if mode == "auto":
        return "max" if any(k in monitor for k in ("acc", "f1", "precision", "recall",
                                                    "r2")) else "min"
    if mode not in ("min", "max"):
        raise ConfigError(expected("mode 'min', 'max' or 'auto'", repr(mode),
                                   "Pass mode='min' for losses."))
    return mode


class LearningRateScheduler(Callback):
    """Set η = schedule(epoch) at the start of each epoch (a Schedule or any
    function of the epoch)."""

    def __init__(self, schedule):
        if not callable(schedule):
            raise TypeError(expected("a callable schedule(epoch) -> lr",
                                     type(schedule).__name__,
                                     "Pass e.g. gn.schedules.StepDecay(0.1)."))
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.schedule(epoch))
        if not math.isfinite(lr) or lr <= 0:
            raise ConfigError(expected("a positive finite learning rate from the "
                                       "schedule", lr, "Check the schedule."))
        self.model.optimizer.learning_rate = lr


class ModelCheckpoint(Callback):
    """Save the model (atomically) after each epoch, or only when ``monitor``
    improves with ``save_best_only``. ``filepath`` may contain ``{epoch}``,
    counted from 1 as in every file name and message (Keras does the same)."""

    def __init__(self, filepath: str, monitor: str = "val_loss",
                 save_best_only: bool = False, mode: str = "auto"):
        self.filepath, self.monitor = _path(filepath, "filepath"), monitor
        self.save_best_only = save_best_only
        self.mode = monitor_mode(monitor, mode)
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            value = (logs or {}).get(self.monitor)
            if value is None or not math.isfinite(value):
                return
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                return
            self.best = value
        self.model.save(self.filepath.format(epoch=epoch + 1))


class CSVLogger(Callback):
    """Write the History to a CSV file (atomically) after every epoch."""

    def __init__(self, filename: str):
        self.filename = _path(filename, "filename")

    def on_epoch_end(self, epoch, logs=None):
        self.model.history.to_csv(self.filename)


class LambdaCallback(Callback):
    """Callback from plain functions: LambdaCallback(on_epoch_end=f)."""

    HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_batch_end")

    def __init__(self, **fns):
        for name, fn in fns.items():
            if name not in self.HOOKS or not callable(fn):
                raise ConfigError(expected(f"hooks from {self.HOOKS} set to "
                                           "functions", f"{name}={fn!r}",
                                           "Check the hook's spelling."))
            setattr(self, name, fn)

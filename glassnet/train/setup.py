"""Everything fit() settles before the first batch, as one ``Run``.

Arguments are validated before any work; validation rows are split off
(stratified for classifiers, with ``glassnet.data.splits``) and recorded in
the History; class and sample weights become one weight per row; callbacks
are checked; a checkpoint, if asked to resume, puts the model back where it
was. The loop in ``glassnet.train.loop`` then only trains.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from glassnet import metrics as metric_mod
from glassnet._validation import (
    as_rng,
    check_lengths,
    check_X,
    is_finite_number,
    short_repr,
)
from glassnet.data.splits import split_indices
from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.glassbox.diagnostics import DiagnosticsRecorder
from glassnet.train import callbacks as cb_mod
from glassnet.train.checkpoint import Checkpointer
from glassnet.train.guard import Guard
from glassnet.train.history import History
from glassnet.train.step import NAN_POLICIES, check_sample_weight, require_compiled


@dataclass
class Run:
    """The prepared state of one fit() call."""

    X: np.ndarray                      # (n, …) training inputs (any float dtype:
                                       #   each batch is cast as it is gathered)
    y: np.ndarray                      # prepared targets
    w: np.ndarray | None               # one weight per row, or None
    rows: np.ndarray                   # the training rows of X
    val: tuple | None                  # (X_val, y_val) or None
    rng: np.random.Generator           # draws each epoch's row order
    history: History
    callbacks: list
    batch_size: int
    shuffle: bool
    nan_policy: str
    schedule: object = None            # η(epoch), or None
    checkpoint: Checkpointer | None = None
    start_epoch: int = 0
    end_epoch: int = 1
    resumed: dict | None = None        # position and sums from a checkpoint
    batch_metrics: list = field(default_factory=list)
    feed: object = None                # the batches on the device (train.feed)
    epoch_metrics: list = field(default_factory=list)   # f1, r2: over the rows
    guard: Guard | None = None         # NaN/inf and divergence

    @property
    def n_batches(self) -> int:
        return -(-len(self.rows) // self.batch_size)

    def call(self, hook: str, *args) -> None:
        """Call ``hook`` on every callback."""
        for c in self.callbacks:
            getattr(c, hook)(*args)


def prepare(model, X, y, *, epochs, batch_size, validation_split, validation_data,
            shuffle, callbacks, verbose, seed, class_weight, sample_weight,
            nan_policy, lr_schedule, diagnostics, checkpoint, checkpoint_every,
            resume) -> Run:
    """Validate every argument and build the Run (nothing trained yet)."""
    require_compiled(model)
    X = check_X(X, model.input_shape, model.dtype, cast=False)  # batches cast
    check_lengths(X, y)
    y = model.loss.prepare_targets(y, model.output_shape, model.dtype)
    check_args(epochs, batch_size, X.shape[0], validation_split, validation_data,
               nan_policy, verbose)
    labels = class_labels(model.loss, y) if len(model.output_shape) == 1 else None
    if labels is not None and len(np.unique(labels)) < 2:
        raise ShapeError(expected("at least two classes in y for a classifier",
                                  f"only class {int(labels[0])}",
                                  "Check the labels, or use a regression loss."))
    rng = as_rng(seed) if seed is not None else np.random.default_rng(
        model.rng.integers(2**63))
    history = History()
    checkpointer = None if checkpoint is None else \
        Checkpointer(checkpoint, every=checkpoint_every)
    saved = checkpointer.read(X, y) if checkpointer is not None and resume else None
    rows, val = validation_rows(model, X, y, labels, validation_split,
                                validation_data, rng, history,
                                split=None if saved is None else saved["split"])
    if len(rows) < batch_size:
        raise ConfigError(expected(f"batch_size ≤ the {len(rows)} training rows left "
                                   "after the validation split", batch_size,
                                   "Lower batch_size or validation_split."))
    run = Run(X, y, row_weights(model, labels, class_weight, sample_weight, len(X)),
              rows, val, rng, history, check_callbacks(model, callbacks, diagnostics),
              int(batch_size), bool(shuffle), nan_policy,
              schedule=resolve_schedule(lr_schedule, model.optimizer),
              batch_metrics=[(n, f) for n, f in model.metrics
                             if n in metric_mod.BATCHWISE],
              epoch_metrics=[(n, f) for n, f in model.metrics
                             if n not in metric_mod.BATCHWISE],
              guard=Guard(nan_policy))
    history.params = {"epochs": epochs, "batch_size": batch_size,
                      "n_train": len(rows), "n_val": 0 if val is None else len(val[0])}
    run.start_epoch = model.epoch
    if checkpointer is not None:
        run.checkpoint = checkpointer
        checkpointer.describe_data(X, y, history)
        if saved is not None:
            run.resumed = checkpointer.restore(model, rng, history, saved,
                                               callbacks=run.callbacks)
    if run.resumed is not None:
        run.start_epoch, run.end_epoch = run.resumed["epoch"], \
            run.resumed["end_epoch"]
    else:
        run.end_epoch = run.start_epoch + epochs
    return run


def check_args(epochs, batch_size, n, validation_split, validation_data, nan_policy,
               verbose) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) \
            or epochs <= 0:
        raise ConfigError(expected("epochs as a positive int", repr(epochs),
                                   "Pass e.g. epochs=10."))
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or batch_size <= 0:
        raise ConfigError(expected("batch_size as a positive int", repr(batch_size),
                                   "Pass e.g. batch_size=32."))
    if batch_size > n:
        raise ConfigError(expected(f"batch_size ≤ the {n} training samples",
                                   batch_size, f"Use batch_size={n} (full batch) or "
                                   "smaller."))
    if validation_split is not None:
        if isinstance(validation_split, bool) or not isinstance(
                validation_split, numbers.Real) or not 0 < validation_split < 1:
            raise ConfigError(expected("validation_split in (0, 1)",
                                       repr(validation_split),
                                       "Pass e.g. validation_split=0.1."))
        if validation_data is not None:
            raise ConfigError("pass validation_split or validation_data, not both.")
    if nan_policy not in NAN_POLICIES:
        raise ConfigError(expected(f"nan_policy in {NAN_POLICIES}", repr(nan_policy),
                                   "Use 'raise' (default), 'stop' or 'warn'."))
    if verbose not in (0, 1, 2, True, False):
        raise ConfigError(expected("verbose 0, 1 or 2", repr(verbose), "Pass 0/1/2."))


def class_labels(loss, y: np.ndarray) -> np.ndarray | None:
    """Integer class per row for classifiers, None for regression."""
    if loss.name == "categorical_crossentropy":
        return y if y.ndim == 1 else y.argmax(axis=1)
    if loss.name == "binary_crossentropy" and y.shape[1] == 1:
        return (y[:, 0] >= 0.5).astype(np.int64)
    return None


def validation_rows(model, X, y, labels, validation_split, validation_data, rng,
                    history, split=None) -> tuple[np.ndarray, tuple | None]:
    """(training rows, (X_val, y_val) or None); the split is recorded.
    ``split``: (training rows, validation rows) of a checkpoint resumed."""
    if validation_split is not None:
        rows, val_rows = split if split is not None else split_indices(
            len(X), validation_split, y=labels, stratify=labels is not None,
            seed=rng)
        history.train_indices, history.validation_indices = rows, val_rows
        return rows, (X[val_rows].astype(model.dtype, copy=False), y[val_rows])
    rows = np.arange(len(X))
    if validation_data is None:
        return rows, None
    if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
        raise ConfigError(expected("validation_data=(X_val, y_val)",
                                   type(validation_data).__name__,
                                   "Pass a tuple of two arrays."))
    Xv = check_X(validation_data[0], model.input_shape, model.dtype, "X_val")
    check_lengths(Xv, validation_data[1], "y_val")
    yv = model.loss.prepare_targets(validation_data[1], model.output_shape,
                                    model.dtype)
    return rows, (Xv, yv)


def class_weights(labels, class_weight, n_classes: int) -> np.ndarray:
    """Per-row weights from {class: weight} or 'balanced' (n / (K·n_c))."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ConfigError(expected("class_weight 'balanced' or a dict",
                                       repr(class_weight), "Pass 'balanced'."))
        present = counts > 0
        table = np.zeros(n_classes)
        table[present] = len(labels) / (present.sum() * counts[present])
    elif isinstance(class_weight, dict):
        table = np.ones(n_classes)
        for k, v in class_weight.items():
            if not isinstance(k, numbers.Integral) or not 0 <= k < n_classes:
                raise ConfigError(expected(f"class_weight keys in 0..{n_classes - 1}",
                                           repr(k), "Use integer class indices."))
            if not is_finite_number(v) or v < 0:
                raise ConfigError(expected("class weights ≥ 0", short_repr(v),
                                           "Use non-negative numbers."))
            table[int(k)] = float(v)
    else:
        raise ConfigError(expected("class_weight 'balanced' or a dict",
                                   type(class_weight).__name__, "Pass 'balanced'."))
    return table[labels]


def row_weights(model, labels, class_weight, sample_weight, n) -> np.ndarray | None:
    """One weight per row: class weight × sample weight (None if neither)."""
    w = None
    if class_weight is not None:
        if labels is None:
            raise ConfigError("class_weight needs a classification loss; use "
                              "sample_weight for regression.")
        w = class_weights(labels, class_weight, max(model.n_outputs, 2))
    if sample_weight is not None:
        sw = check_sample_weight(sample_weight, n, np.float64)
        w = sw if w is None else w * sw
    return None if w is None else w.astype(model.dtype)


def check_callbacks(model, callbacks, diagnostics) -> list:
    cbs = list(callbacks or [])
    for c in cbs:
        if not isinstance(c, cb_mod.Callback):
            raise TypeError(expected("glassnet Callback objects", type(c).__name__,
                                     "Subclass gn.callbacks.Callback."))
    if diagnostics:
        cbs.append(DiagnosticsRecorder(every=int(diagnostics)))
    for c in cbs:
        c.set_model(model)
    return cbs


def resolve_schedule(lr_schedule, optimizer):
    """fit's lr_schedule, else a schedule passed as the learning rate."""
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(expected("lr_schedule as a function of the epoch",
                                 type(lr_schedule).__name__,
                                 "Pass e.g. gn.schedules.StepDecay(0.1), or set "
                                 "the optimizer's learning_rate for a constant."))
    if lr_schedule is None and callable(getattr(optimizer, "schedule", None)):
        return optimizer.schedule
    return lr_schedule

"""The training loop: epochs of shuffled mini-batches, validation, callbacks.

Reads top to bottom like a lab notebook:
  1. validate every argument before any work;
  2. split off validation rows (stratified for classifiers) and record them;
  3. for each epoch: shuffle the row order, gather each batch into a reused
     buffer, take one optimizer step, record the loss; then validate, log and
     let callbacks react;
  4. on any exit (end, early stop, error, Ctrl-C) run on_train_end, which
     restores the best weights when early stopping asks for it.
"""

from __future__ import annotations

import math
import numbers
import signal
import threading
import time

import numpy as np

from glassnet import callbacks as cb_mod
from glassnet import metrics as metric_mod
from glassnet._validation import as_rng, check_lengths, check_X
from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.history import History
from glassnet.progress import EpochProgress
from glassnet.training import (
    NAN_POLICIES,
    apply_step,
    check_sample_weight,
    evaluate_prepared,
    metric_outputs,
    require_compiled,
)


def _check_args(epochs, batch_size, n, validation_split, validation_data, nan_policy,
                verbose):
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


def class_labels(model, y: np.ndarray) -> np.ndarray | None:
    """Integer class per row for classifiers, None for regression."""
    name = model.loss.name
    if name == "categorical_crossentropy":
        return y if y.ndim == 1 else y.argmax(axis=1)
    if name == "binary_crossentropy" and y.shape[1] == 1:
        return (y[:, 0] >= 0.5).astype(np.int64)
    return None


def stratified_split(labels, n: int, frac: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """(train_rows, val_rows): a random ``frac`` of each class held out."""
    if labels is None:
        perm = rng.permutation(n)
        k = max(1, int(round(frac * n)))
        return np.sort(perm[k:]), np.sort(perm[:k])
    val = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        rows = rows[rng.permutation(len(rows))]
        val.append(rows[: int(round(frac * len(rows)))])
    val_rows = np.sort(np.concatenate(val))
    if len(val_rows) == 0:
        raise ConfigError(f"validation_split={frac} of {n} samples leaves no "
                          "validation rows; use a larger split.")
    mask = np.ones(n, dtype=bool)
    mask[val_rows] = False
    return np.flatnonzero(mask), val_rows


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
            if not isinstance(v, numbers.Real) or not math.isfinite(v) or v < 0:
                raise ConfigError(expected("class weights ≥ 0", repr(v),
                                           "Use non-negative numbers."))
            table[int(k)] = float(v)
    else:
        raise ConfigError(expected("class_weight 'balanced' or a dict",
                                   type(class_weight).__name__, "Pass 'balanced'."))
    return table[labels]


class _Interrupt:
    """Ctrl-C during fit: finish the current batch, then stop cleanly."""

    def __init__(self):
        self.hit = False
        self._old = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._old = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame):
        if self.hit:  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.hit = True

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False


def fit(model, X, y, epochs: int = 1, batch_size: int = 32, validation_split=None,
        validation_data=None, shuffle: bool = True, callbacks=None, verbose=1,
        seed=None, class_weight=None, sample_weight=None, nan_policy: str = "raise",
        lr_schedule=None, diagnostics=None, checkpoint=None, checkpoint_every=None,
        resume: bool = False) -> History:
    """Train for ``epochs`` passes over (X, y); returns the History of this call.

    Calling fit again continues training: epoch numbers carry on.
    """
    require_compiled(model)
    X = check_X(X, model.input_shape, model.dtype)
    check_lengths(X, y)
    y = model.loss.prepare_targets(y, model.n_outputs, model.dtype)
    _check_args(epochs, batch_size, X.shape[0], validation_split, validation_data,
                nan_policy, verbose)
    labels = class_labels(model, y)
    if labels is not None and len(np.unique(labels)) < 2:
        raise ShapeError(expected("at least two classes in y for a classifier",
                                  f"only class {int(labels[0])}",
                                  "Check the labels, or use a regression loss."))
    rng = as_rng(seed) if seed is not None else np.random.default_rng(
        model.rng.integers(2**63))
    history = History()
    rows = np.arange(X.shape[0])
    if validation_split is not None:
        rows, val_rows = stratified_split(labels, X.shape[0], validation_split, rng)
        history.train_indices, history.validation_indices = rows, val_rows
        Xv, yv = X[val_rows], y[val_rows]
    elif validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise ConfigError(expected("validation_data=(X_val, y_val)",
                                       type(validation_data).__name__,
                                       "Pass a tuple of two arrays."))
        Xv = check_X(validation_data[0], model.input_shape, model.dtype, "X_val")
        check_lengths(Xv, validation_data[1], "y_val")
        yv = model.loss.prepare_targets(validation_data[1], model.n_outputs,
                                        model.dtype)
    else:
        Xv = yv = None
    if len(rows) < batch_size:
        raise ConfigError(expected(f"batch_size ≤ the {len(rows)} training rows left "
                                   "after the validation split", batch_size,
                                   "Lower batch_size or validation_split."))
    w = None
    if class_weight is not None:
        if labels is None:
            raise ConfigError("class_weight needs a classification loss; use "
                              "sample_weight for regression.")
        w = class_weights(labels, class_weight, max(model.n_outputs, 2))
    if sample_weight is not None:
        sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        w = sw if w is None else w * sw
    if w is not None:
        w = w.astype(model.dtype)

    cbs = list(callbacks or [])
    for c in cbs:
        if not isinstance(c, cb_mod.Callback):
            raise TypeError(expected("glassnet Callback objects", type(c).__name__,
                                     "Subclass gn.callbacks.Callback."))
    if diagnostics:
        from glassnet.glassbox.diagnostics import DiagnosticsRecorder
        cbs.append(DiagnosticsRecorder(every=int(diagnostics)))
    for c in cbs:
        c.set_model(model)

    batch_metrics = [(n, f) for n, f in model.metrics if n in metric_mod.BATCHWISE]
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(expected("lr_schedule as a function of the epoch",
                                 type(lr_schedule).__name__,
                                 "Pass e.g. gn.schedules.StepDecay(0.1), or set "
                                 "the optimizer's learning_rate for a constant."))
    schedule = lr_schedule
    if schedule is None and callable(getattr(model.optimizer, "schedule", None)):
        schedule = model.optimizer.schedule
    history.params = {"epochs": epochs, "batch_size": batch_size,
                      "n_train": len(rows), "n_val": 0 if Xv is None else len(Xv)}
    ckpt = None
    start_epoch, start_batch, resumed = model.epoch, 0, None
    if checkpoint is not None:
        from glassnet.train.checkpoint import Checkpointer
        ckpt = Checkpointer(checkpoint, every=checkpoint_every)
        if resume:
            resumed = ckpt.restore(model, rng, history, callbacks=cbs)
            if resumed is not None:
                start_epoch, start_batch = resumed["epoch"], resumed["batch"]
    end_epoch = start_epoch + epochs if resumed is None else resumed["end_epoch"]
    model.history, model.stop_training, model.stop_reason = history, False, None
    model._nonfinite = None
    n_batches = -(-len(rows) // batch_size)
    xbuf = np.empty((batch_size, *X.shape[1:]), dtype=model.dtype)
    ybuf = np.empty((batch_size, *y.shape[1:]), dtype=y.dtype)
    wbuf = None if w is None else np.empty(batch_size, dtype=w.dtype)
    progress = EpochProgress(verbose, n_batches, end_epoch)

    logs: dict = {}
    with _Interrupt() as interrupt:
        try:
            for c in cbs:
                c.on_train_begin()
            # After on_train_begin, which resets e.g. EarlyStopping's counters.
            for c, state in (resumed or {}).get("callbacks", []):
                c.set_state(state)
            for epoch in range(start_epoch, end_epoch):
                if schedule is not None:
                    model.optimizer.learning_rate = float(schedule(epoch))
                for c in cbs:
                    c.on_epoch_begin(epoch)
                epoch_state = rng.bit_generator.state
                order = rng.permutation(rows) if shuffle else rows
                sums = {"loss": 0.0, **{n: 0.0 for n, _ in batch_metrics}}
                seen = 0
                first = start_batch if epoch == start_epoch else 0
                if first and resumed is not None:
                    sums, seen = resumed["sums"], resumed["seen"]
                progress.begin(epoch, first)
                t0 = time.perf_counter()
                done = first
                for b in range(first, n_batches):
                    idx = order[b * batch_size:(b + 1) * batch_size]
                    nb = len(idx)
                    # mode="clip": idx is a permutation of valid rows, and the
                    # default mode="raise" first gathers into a hidden buffer.
                    xb = np.take(X, idx, axis=0, out=xbuf[:nb], mode="clip")
                    yb = np.take(y, idx, axis=0, out=ybuf[:nb], mode="clip")
                    wb = None if w is None else np.take(w, idx, out=wbuf[:nb],
                                                        mode="clip")
                    L = apply_step(model, xb, yb, wb, f" at epoch {epoch}, batch {b}",
                                   nan_policy)
                    if L is None:
                        if nan_policy == "stop":
                            model.stop_training = True
                            model.stop_reason = model._nonfinite
                            break
                        continue
                    sums["loss"] += L * nb
                    if batch_metrics:
                        out = metric_outputs(model, model.layers[-1].a)
                        for name, fn in batch_metrics:
                            sums[name] += fn(yb, out) * nb
                    seen += nb
                    done = b + 1
                    progress.batch(sums, seen)
                    for c in cbs:
                        c.on_batch_end(b, {"loss": L})
                    # Ctrl-C mid-epoch: checkpoint the exact position, so a
                    # resume finishes this epoch instead of skipping its rest.
                    if ckpt is not None and (ckpt.due_batch(b, n_batches) or (
                            interrupt.hit and done < n_batches)):
                        ckpt.save(model, rng, history, epoch=epoch, batch=b + 1,
                                  end_epoch=end_epoch, epoch_state=epoch_state,
                                  sums=sums, seen=seen, callbacks=cbs)
                    if interrupt.hit:
                        break
                logs = {k: v / max(seen, 1) for k, v in sums.items()}
                logs["lr"] = model.optimizer.learning_rate
                if Xv is not None:
                    val = evaluate_prepared(model, Xv, yv)
                    logs.update({"val_" + k: v for k, v in val.items()})
                logs["time"] = time.perf_counter() - t0
                history.append(epoch, logs)
                model.epoch = epoch + 1
                for c in cbs:
                    c.on_epoch_end(epoch, logs)
                progress.end(epoch, logs)
                if ckpt is not None and not (interrupt.hit and done < n_batches):
                    ckpt.save(model, rng, history, epoch=epoch + 1, batch=0,
                              end_epoch=end_epoch, epoch_state=None, sums=None, seen=0,
                              callbacks=cbs)
                if interrupt.hit:
                    history.interrupted = True
                    model.stop_reason = (f"interrupted (Ctrl-C) during epoch {epoch}")
                    break
                if model.stop_training:
                    break
        finally:
            progress.close()
            for c in cbs:
                c.on_train_end(logs)
    history.stopped_reason = model.stop_reason
    if verbose and model.stop_reason:
        print(f"stopped: {model.stop_reason}")
    return history


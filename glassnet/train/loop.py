"""The training loop: epochs of shuffled mini-batches.

    for each epoch:
        draw a new order of the training rows
        for each batch (xb, yb):
            zero the gradients; forward; loss; backward; optimizer step
        validate, log, let the callbacks react, checkpoint

Everything settled before the first batch (argument checks, the validation
split, class weights, resuming) is in ``glassnet.train.setup``; one update
and its guards are in ``glassnet.train.step``.
"""

from __future__ import annotations

import signal
import threading
import time

import numpy as np

from glassnet.core.steps import metric_rows
from glassnet.train.feed import feed_for
from glassnet.train.history import History
from glassnet.train.progress import EpochProgress
from glassnet.train.setup import Run, prepare
from glassnet.train.step import (
    evaluate_prepared,
    handle_nonfinite,
    metric_outputs,
    metrics_on_rows,
    nonfinite_message,
    optimizer_step,
)


def fit(model, X, y, **options) -> History:
    """Train ``model`` (see ``Sequential.fit`` for the options)."""
    run = prepare(model, X, y, **options)
    model.begin_fit(run.history)
    progress = EpochProgress(options["verbose"], run.n_batches, run.end_epoch)
    logs: dict = {}
    with _Interrupt() as ctrl_c:
        try:
            run.call("on_train_begin")
            # After on_train_begin, which resets e.g. EarlyStopping's counters.
            for c, state in (run.resumed or {}).get("callbacks", []):
                c.set_state(state)
            for epoch in range(run.start_epoch, run.end_epoch):
                logs = train_epoch(model, run, epoch, progress, ctrl_c)
                if ctrl_c.hit:
                    run.history.interrupted = True
                    model.request_stop(f"interrupted (Ctrl-C) during epoch "
                                       f"{epoch + 1}")
                if model.stop_training:
                    break
        finally:
            progress.close()
            run.call("on_train_end", logs)
    run.history.stopped_reason = model.stop_reason
    if options["verbose"] and model.stop_reason:
        print(f"stopped: {model.stop_reason}")
    if ctrl_c.hit:  # as Keras: the script stops too; model.history is complete
        saved = "" if run.checkpoint is None else \
            f"; checkpoint {run.checkpoint.path} saved"
        raise KeyboardInterrupt(f"{model.stop_reason}: the model is usable and "
                                f"model.history holds the epochs done{saved}")
    return run.history


def train_epoch(model, run: Run, epoch: int, progress, ctrl_c) -> dict:
    """One pass over the training rows; returns the epoch's logs."""
    if run.schedule is not None:
        model.optimizer.learning_rate = float(run.schedule(epoch))
    run.call("on_epoch_begin", epoch)
    head = model.objective(model.loss)
    epoch_state = run.rng.bit_generator.state
    order = run.rng.permutation(run.rows) if run.shuffle else run.rows
    first, sums, seen = 0, {"loss": 0.0, **{n: 0.0 for n, _ in run.batch_metrics}}, 0
    if epoch == run.start_epoch and run.resumed and run.resumed["batch"]:
        first, sums, seen = run.resumed["batch"], run.resumed["sums"], \
            run.resumed["seen"]
    progress.begin(epoch, first)
    t0, done = time.perf_counter(), first
    guard = run.guard
    for b, xb, yb, wb in batches(model, run, order, first):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            model.zero_grad()                                    # g ← 0
            out = model.forward(xb, training=True)               # forward   ŷ
            L = head.value(out, yb, wb)                          # loss      L(ŷ, y)
            model.backward(head.grad(out, yb, wb), head.fused)   # backward  g += ∂L/∂θ
            L += model.penalty()                                 #  + Ω(θ),  g += ∂Ω/∂θ
        what = guard.check(model, L)
        if what is not None:                                     # NaN/inf: no update
            msg = nonfinite_message(model, what, L, f" at epoch {epoch + 1}, batch "
                                    f"{b + 1}", guard.restore(model))
            guard.skip()
            handle_nonfinite(msg, run.nan_policy)
            if run.nan_policy == "stop":
                model.request_stop(msg)
                break
            continue
        guard.keep(model, epoch, b, first=b == first)            # θ, before a spike
        optimizer_step(model, xb, yb, L)                         # update    θ ← θ − η·…
        seen, done = seen + len(xb), b + 1
        record_batch(run, sums, L, out, yb, model, head)
        progress.batch(sums, seen)
        run.call("on_batch_end", b, {"loss": L})
        # Ctrl-C mid-epoch: checkpoint the exact position, so a resume
        # finishes this epoch instead of skipping its rest.
        if run.checkpoint is not None and (run.checkpoint.due_batch(b, run.n_batches)
                                           or (ctrl_c.hit and done < run.n_batches)):
            run.checkpoint.save(model, run.rng, run.history, epoch=epoch,
                                batch=b + 1, end_epoch=run.end_epoch,
                                epoch_state=epoch_state, sums=sums, seen=seen,
                                callbacks=run.callbacks)
        if ctrl_c.hit:
            break
    logs = end_epoch(model, run, epoch, sums, seen, t0)
    progress.end(epoch, logs)
    if run.checkpoint is not None and not (ctrl_c.hit and done < run.n_batches):
        run.checkpoint.save(model, run.rng, run.history, epoch=epoch + 1, batch=0,
                            end_epoch=run.end_epoch, epoch_state=None, sums=None,
                            seen=0, callbacks=run.callbacks)
    return logs


def batches(model, run: Run, order, first: int):
    """(b, xb, yb, wb) for batches first… of ``order``, gathered into buffers
    allocated once (the last batch is a leading slice, X cast to the model's
    dtype as it is gathered) on the model's device (``glassnet.train.feed``:
    the whole training set lives there when it fits)."""
    if run.feed is None:
        run.feed = feed_for(model.backend, (run.X, run.y, run.w), run.batch_size,
                            model.dtype)
    yield from run.feed.batches(order, first, run.n_batches)


def record_batch(run: Run, sums: dict, L: float, out, yb, model, head) -> None:
    """Add the batch's loss and batchwise metrics, weighted by its size
    (metrics over one row per real step for outputs per step)."""
    nb = len(yb)
    sums["loss"] += L * nb
    if run.batch_metrics:
        to_host = model.backend.to_host               # metrics are NumPy code
        mask = head.mask()
        y_rows, shown = metric_rows(to_host(yb), metric_outputs(model, to_host(out)),
                                    None if mask is None else to_host(mask))
        for name, fn in run.batch_metrics:
            sums[name] += fn(y_rows, shown) * nb


def end_epoch(model, run: Run, epoch: int, sums: dict, seen: int, t0: float) -> dict:
    """The epoch's logs (means, lr, validation, time), recorded and announced."""
    logs = {k: v / max(seen, 1) for k, v in sums.items()}
    run.guard.end_epoch(logs, epoch, seen)
    if run.epoch_metrics:       # not means of batches (f1, r2): over the rows
        logs.update(metrics_on_rows(model, run.X, run.y, run.rows,
                                    run.epoch_metrics))
    logs["lr"] = model.optimizer.learning_rate
    if run.val is not None:
        val = evaluate_prepared(model, *run.val)
        logs.update({"val_" + k: v for k, v in val.items()})
    logs["time"] = time.perf_counter() - t0
    run.history.append(epoch, logs)
    model.end_epoch(epoch)
    run.call("on_epoch_end", epoch, logs)
    return logs


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

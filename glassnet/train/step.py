"""One update and one measurement: compile, the optimizer step, train_step,
evaluate, and the guard against non-finite losses.

The loop that repeats them is ``glassnet.train.loop``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from glassnet import metrics as metric_mod
from glassnet._validation import check_lengths, check_positive_int, check_X
from glassnet.core import losses as loss_mod
from glassnet.core.activations import Sigmoid, Step
from glassnet.core.outputs import nonfinite_outputs
from glassnet.core.steps import metric_rows
from glassnet.errors import ConfigError, ShapeError, TrainingError, expected
from glassnet.optimizers import get as get_optimizer

NAN_POLICIES = ("raise", "stop", "warn")


def compile(model, loss="mse", optimizer="sgd", metrics=None, **opt_kwargs):
    """Choose the loss, the optimizer and the metrics reported during fit.

    Raises before any training if the pieces cannot work together (a step
    activation, cross-entropy on an output that is not a probability).
    """
    loss = loss_mod.get(loss)
    optimizer = get_optimizer(optimizer, **opt_kwargs)
    for layer in model.layers:
        if isinstance(getattr(layer, "activation", None), Step):
            raise TrainingError(
                f"layer '{layer.name}' uses the step activation, which has no useful "
                "derivative, so gradient descent cannot train it. Use "
                "glassnet.Perceptron (the perceptron learning rule) for step units, "
                "or activation='sigmoid' instead.")
    act = model.output_activation()
    act_name = act.name if act is not None else "linear"
    if loss.fuses_with and not loss.from_logits and act_name != loss.fuses_with:
        raise ConfigError(expected(
            f"a '{loss.fuses_with}' output layer for {loss.name}",
            f"'{act_name}' output",
            f"Use activation='{loss.fuses_with}' on the last layer, or "
            f"loss=gn.losses.{type(loss).__name__}(from_logits=True) with a linear "
            "output."))
    names = metrics if metrics is not None else []
    if isinstance(names, str):
        names = [names]
    metrics = [metric_mod.get(m) for m in names]
    loss.on_device(model.xp)
    optimizer.on_device(model.backend)
    optimizer.build(model.flat_params)
    model.set_training_setup(loss, optimizer, metrics)
    return model


def require_compiled(model) -> None:
    if model.loss is None or model.optimizer is None:
        raise ConfigError("the model is not compiled: call model.compile(loss=..., "
                          "optimizer=...) before training or evaluating.")


def metric_outputs(model, out):
    """What metrics see: the outputs, with a from-logits binary loss's logits
    z turned into σ(z) so that a single unit is thresholded at p = 0.5."""
    loss = model.loss
    if loss.from_logits and loss.fuses_with == "sigmoid":
        return Sigmoid().forward(out)
    return out


# -- the update ---------------------------------------------------------------
def optimizer_step(model, xb, yb, L: float) -> None:
    """θ ← the optimizer's update from g; a glass-box tracer, when attached,
    records the arrays just before and just after it."""
    tracer = model.tracer
    if tracer is not None:
        tracer.before_update(model, xb, yb, L)
    model.optimizer.step(model.flat_params, model.flat_grads)
    if tracer is not None:
        tracer.after_update(model)


def nonfinite(model, L: float) -> str | None:
    """"loss" or "gradient" when the batch gave a NaN/inf, else None."""
    if not math.isfinite(L):
        return "loss"
    g = model.flat_grads
    with np.errstate(over="ignore", invalid="ignore"):
        gg = float(g @ g)            # finite only if every gᵢ is (or it overflowed)
    if math.isfinite(gg) or bool(model.xp.isfinite(g).all()):
        return None
    return "gradient"


def nonfinite_message(model, what: str, L: float, where: str,
                      kept: str = "The weights were not changed by this batch."
                      ) -> str:
    """Where the NaN/inf appeared, what became of the weights, what to try."""
    return (f"non-finite {what} ({L!r}){where}: first appeared in "
            f"{_first_nonfinite_layer(model)}. {kept} Usual causes: a learning "
            "rate too high (try 10× smaller), unscaled inputs (standardise X), or "
            "extreme targets. fit(nan_policy='stop'|'warn') chooses another "
            "reaction.")


def handle_nonfinite(msg: str, nan_policy: str) -> None:
    """'raise': TrainingError; 'warn': a warning (the update is skipped)."""
    if nan_policy == "raise":
        raise TrainingError(msg)
    if nan_policy == "warn":
        warnings.warn(msg + " Skipped this update.", RuntimeWarning, stacklevel=3)


def _first_nonfinite_layer(model) -> str:
    """Name the layer where a NaN/inf first appears: forward outputs, then grads."""
    xp = model.xp
    for layer in model.layers:
        a = layer.kept().get("a")
        if a is not None and not bool(xp.isfinite(a).all()):
            return f"layer '{layer.name}' output"
    for layer in reversed(model.layers):
        for pname, g in layer.grads.items():
            if not bool(xp.isfinite(g).all()):
                return f"layer '{layer.name}' gradient d{pname}"
    a = model.layers[-1].kept().get("a")
    if a is None or not a.size:
        return "the loss"
    return (f"the loss on layer '{model.layers[-1].name}' output (largest |output| "
            f"{float(abs(a).max()):.3g})")


def apply_step(model, xb, yb, wb=None, nan_policy: str = "raise") -> float | None:
    """forward → loss → backward → update on one prepared batch; returns the
    loss, or None when it (or a gradient) was not finite and the policy
    ('stop', 'warn') skipped the update."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        L = model.loss_and_grads(xb, yb, model.loss, wb, training=True)
    what = nonfinite(model, L)
    if what is not None:
        handle_nonfinite(nonfinite_message(model, what, L, ""), nan_policy)
        return None
    optimizer_step(model, xb, yb, L)
    return L


def train_step(model, X, y, sample_weight=None) -> float:
    """One update on one batch (X, y); returns the batch loss before the update."""
    require_compiled(model)
    X, y = model.prepare(X, y, model.loss)
    w = None if sample_weight is None else model.backend.to_device(
        check_sample_weight(sample_weight, X.shape[0], model.dtype))
    return apply_step(model, X, y, w)


def check_sample_weight(sample_weight, n: int, dtype) -> np.ndarray:
    try:
        w = np.asarray(sample_weight, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ShapeError(expected("numeric sample_weight", type(sample_weight)
                                  .__name__, "Pass one weight per sample.")) from err
    if w.shape != (n,):
        raise ShapeError(expected(f"sample_weight of shape ({n},)", f"shape {w.shape}",
                                  "Pass one weight per sample."))
    if not np.isfinite(w).all() or (w < 0).any():
        raise ShapeError(expected("sample weights finite and ≥ 0",
                                  f"values from {w.min()} to {w.max()}",
                                  "Pass non-negative finite weights."))
    return w


# -- measurement ---------------------------------------------------------------
def evaluate(model, X, y, batch_size: int = 1024, sample_weight=None) -> dict:
    """{"loss": …, <metric>: …} over the whole of (X, y), in inference mode."""
    require_compiled(model)
    X = check_X(X, model.input_shape, model.dtype)
    check_lengths(X, y)
    check_positive_int(batch_size, "batch_size", "Pass e.g. batch_size=1024.")
    y = model.loss.prepare_targets(y, model.output_shape, model.dtype)
    w = None if sample_weight is None else check_sample_weight(
        sample_weight, X.shape[0], model.dtype)
    return evaluate_prepared(model, X, y, w, batch_size)


def metrics_on_rows(model, X, y, rows, metrics, batch_size: int = 1024) -> dict:
    """{name: value} of ``metrics`` over X[rows], y[rows], in inference mode:
    the training value of metrics that are not means of batches (f1, r2)."""
    to_device, to_host = model.backend.to_device, model.backend.to_host
    head = model.objective(model.loss)
    targets, outputs = [], []
    for i in range(0, len(rows), batch_size):
        idx = rows[i:i + batch_size]
        out = to_host(model.forward(to_device(X[idx]), training=False))
        yr, orow = metric_rows(y[idx], np.array(out, copy=True),
                               _host_mask(model, head))
        targets.append(yr)
        outputs.append(orow)
    out = metric_outputs(model, np.concatenate(outputs))
    return {name: float(fn(np.concatenate(targets), out)) for name, fn in metrics}


def _host_mask(model, head):
    mask = head.mask()
    return None if mask is None else np.asarray(model.backend.to_host(mask))


def evaluate_prepared(model, X, y, w=None, batch_size: int = 1024) -> dict:
    """evaluate() on already-validated host arrays (fit's validation too)."""
    head = model.objective(model.loss)
    to_device, to_host = model.backend.to_device, model.backend.to_host
    per_sample, counts, targets, outputs = [], [], [], []
    for i in range(0, X.shape[0], batch_size):
        xb, yb = to_device(X[i:i + batch_size]), to_device(y[i:i + batch_size])
        out = model.forward(xb, training=False)
        ps = np.asarray(to_host(head.per_sample(out, yb)), dtype=np.float64)
        mask = _host_mask(model, head)
        per_sample.append(ps)   # (B,), or per step (B, T): padded steps 0
        counts.append(ps.size if mask is None else float(mask.sum()))
        yr, orow = metric_rows(y[i:i + batch_size],
                               np.array(to_host(out), copy=True), mask)
        targets.append(yr)
        outputs.append(orow)
    ps = np.concatenate(per_sample)
    if w is not None:
        ps = ps * w.reshape(-1, *[1] * (ps.ndim - 1))
    L = float(ps.sum() / max(sum(counts), 1))   # mean over samples (real steps)
    L += sum(layer.penalty() for layer in model.layers)
    result = {"loss": L}
    out = metric_outputs(model, np.concatenate(outputs))
    y_rows = np.concatenate(targets)
    for name, fn in model.metrics:
        result[name] = float(fn(y_rows, out))
    if not math.isfinite(L):
        warnings.warn("evaluate: the loss is not finite. " + nonfinite_outputs(
            model, out) if not np.isfinite(out).all() else "evaluate: the loss "
            f"is {L}: the outputs are finite but the loss overflowed (extreme "
            "outputs or targets).", RuntimeWarning, stacklevel=3)
    return result

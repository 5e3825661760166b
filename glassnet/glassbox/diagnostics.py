"""Training diagnostics: health numbers recorded during fit, and what they mean.

``model.fit(..., diagnostics=N)`` records, every N optimizer steps, one dict
into ``history.diagnostics``:

    {"step", "epoch", "batch", "loss", "grad_ratio", "layers": [per layer]}

with, for each layer that has parameters or an activation,

    grad_norm      ‖∂L/∂θ‖₂ over the layer's parameters (as applied)
    update_ratio   ‖Δθ‖₂ / ‖θ‖₂ (θ before the step); about 1e-3 is healthy
                   (Karpathy, CS231n notes, "ratio of updates to weights")
    dead           ReLU units that output 0 for every sample of the batch
    saturated      sigmoid outputs outside (0.01, 0.99) or |tanh| > 0.99:
                   their derivative is < 0.01, so almost no gradient passes
    act_mean, act_std   mean and spread of the layer's output a

``grad_ratio`` is the first layer's grad_norm over the last layer's: far below 1
means vanishing gradients, far above 1 exploding ones.
``diagnose(history)`` turns these records into warnings with fixes.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.errors import ConfigError, expected
from glassnet.glassbox.formatting import Finding, Report
from glassnet.train.callbacks import Callback

# thresholds of the warnings (rules of thumb, printed in the messages)
DEAD_FRACTION = 0.5
SATURATED_FRACTION = 0.5
VANISHING_RATIO = 1e-2
EXPLODING_RATIO = 1e2
STUCK_CHANGE = 0.01
DIVERGE_FACTOR = 2.0


class DiagnosticsRecorder(Callback):
    """Callback that records layer health every ``every`` optimizer steps."""

    def __init__(self, every: int = 1):
        if isinstance(every, bool) or not isinstance(every, int) or every <= 0:
            raise ConfigError(expected("diagnostics as a positive int (record every "
                                       "N steps)", repr(every), "Pass e.g. "
                                       "diagnostics=10."))
        self.every = every
        self.step = 0
        self.epoch = 0
        self._prev = None

    def on_train_begin(self, logs=None):
        # Δθ needs θ before the recorded step: keep one copy, on the device.
        self._prev = self.model.flat_params.copy()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        model = self.model
        if self.step % self.every == 0:
            rec = record(model, self._prev, step=self.step, epoch=self.epoch,
                         batch=batch, loss=(logs or {}).get("loss", float("nan")))
            if model.history is not None:
                model.history.diagnostics.append(rec)
        self.step += 1
        if self.step % self.every == 0:
            model.xp.copyto(self._prev, model.flat_params)


def record(model, prev_params: np.ndarray | None, **info) -> dict:
    """The health numbers of every layer right after a step (see module doc)."""
    layers = []
    with np.errstate(over="ignore", invalid="ignore"):  # huge norms read as inf
        for lay in model.layers:
            layers.append(_layer_record(model, lay, prev_params))
    if model.loss is not None and model.objective(model.loss).fused:
        # a sigmoid output fused with cross-entropy passes p − y back, which
        # does not shrink at the flat ends: a confident output is not stuck
        layers[-1].pop("saturated", None)
    norms = [d["grad_norm"] for d, lay in zip(layers, model.layers, strict=True)
             if "grad_norm" in d and {"W", "kernel"} & set(lay.param_shapes())]
    ratio = norms[0] / norms[-1] if len(norms) > 1 and norms[-1] > 0 else float("nan")
    return {**info, "grad_ratio": ratio, "layers": layers}


def _layer_record(model, lay, prev_params) -> dict:
    d: dict = {"name": lay.name}
    slots = [s for s in model.slots if s.layer is lay]
    if slots:
        g2 = p2 = u2 = 0.0
        for s in slots:
            g = s.of(model.flat_grads).reshape(-1)
            p = s.of(model.flat_params).reshape(-1)
            g2 += float(g @ g)                                 # (on the device:
            if prev_params is not None:                        #  one number back)
                before = s.of(prev_params).reshape(-1)
                delta = p - before                             # Δθ of this step
                u2 += float(delta @ delta)
                p2 += float(before @ before)
            else:
                p2 += float(p @ p)
        d["grad_norm"] = math.sqrt(g2)
        d["weight_norm"] = math.sqrt(p2)
        d["update_ratio"] = math.sqrt(u2) / max(math.sqrt(p2), 1e-12)
    act = getattr(lay, "activation", None)
    a = lay.kept().get("a")
    if act is not None and a is not None:
        d["activation"] = act.name
        d["act_mean"] = float(a.mean())
        d["act_std"] = float(a.std())
        if act.name == "relu":
            d["dead"] = float((a <= 0).all(axis=0).mean())   # off for the whole batch
        elif act.name == "sigmoid":
            d["saturated"] = float(((a < 0.01) | (a > 0.99)).mean())
        elif act.name == "tanh":
            d["saturated"] = float((abs(a) > 0.99).mean())
    return d


# -- from records to warnings -------------------------------------------------
def diagnose(history, print_fn=None) -> Report:
    """Warnings, each with its fix, from a History recorded with diagnostics=N.

    Looks for: a diverging loss (learning rate too high), a loss that does not
    move, dead ReLUs, saturated sigmoid/tanh units, vanishing or exploding
    gradients (the first- to last-layer gradient-norm ratio) and update sizes
    far from ~1e-3 of the weights.
    """
    recs = history if isinstance(history, list) else history.diagnostics
    findings: list[Finding] = []
    if not recs:
        findings.append(Finding("no_records", "no diagnostics were recorded.",
                                "Train with model.fit(..., diagnostics=10) to record "
                                "every 10 steps."))
        return _report(findings, print_fn)
    losses = np.array([r.get("loss", np.nan) for r in recs], dtype=float)
    stopped = getattr(history, "stopped_reason", None) or ""
    epochs = getattr(history, "history", {}).get("loss", [])
    findings += _loss_findings(losses, stopped, np.array(epochs, dtype=float))
    tail = recs[-max(1, len(recs) // 4):]  # the last quarter: the current state
    findings += _layer_findings(tail)
    return _report(findings, print_fn)


def _report(findings, print_fn) -> Report:
    rep = Report("training diagnostics", findings, "no problems found in the "
                 "recorded steps.")
    if print_fn is not None:
        print_fn(rep.text())
    return rep


def _loss_findings(losses: np.ndarray, stopped: str,
                   epochs: np.ndarray) -> list[Finding]:
    """Diverging from the recorded batch losses; stuck from the epoch means
    when there are three or more (batch-to-batch noise would hide it)."""
    out = []
    finite = losses[np.isfinite(losses)]
    if "non-finite" in stopped or len(finite) < len(losses):
        out.append(Finding("diverging", "the loss became NaN or infinite: training "
                           "diverged.", "Lower the learning rate (try 10× smaller, or "
                           "gn.find_lr), standardise the inputs, or set "
                           "global_clipnorm=1.0 in compile()."))
        return out
    if len(finite) < 3:
        return out
    k = max(1, len(finite) // 5)
    first, last, best = finite[:k].mean(), finite[-k:].mean(), finite.min()
    if last > first and last > DIVERGE_FACTOR * max(best, 1e-12):
        out.append(Finding("diverging", f"the loss went up from {first:.4g} to "
                           f"{last:.4g} (best {best:.4g}): training is diverging.",
                           "Lower the learning rate (try 10× smaller, or run "
                           "gn.find_lr to pick one).",
                           {"first": first, "last": last, "best": best}))
        return out
    if len(epochs) >= 3 and np.isfinite(epochs).all():
        first, last = epochs[0], epochs[-1]
        span = f"over {len(epochs)} epochs"
    else:
        span = "over the recorded steps"
    if len(finite) >= 5 and abs(first - last) < STUCK_CHANGE * abs(first) \
            and last > 1e-3:
        out.append(Finding("loss_stuck", f"the loss barely moved ({first:.4g} → "
                           f"{last:.4g}, under {STUCK_CHANGE:.0%}) {span}.",
                           "Raise the learning rate (gn.find_lr), check "
                           "that the labels match the inputs, standardise X, or "
                           "give the model more units.",
                           {"first": first, "last": last}))
    return out


def _layer_findings(tail: list[dict]) -> list[Finding]:
    out = []
    names = [d["name"] for d in tail[-1]["layers"]]

    def mean_of(i, key):
        vals = [r["layers"][i].get(key) for r in tail]
        vals = [v for v in vals if v is not None and math.isfinite(v)]
        return float(np.mean(vals)) if vals else None

    for i, name in enumerate(names):
        dead = mean_of(i, "dead")
        if dead is not None and dead >= DEAD_FRACTION:
            out.append(Finding("dead_relu", f"{dead:.0%} of the ReLU units of layer "
                               f"'{name}' output 0 for every sample: they get no "
                               "gradient and have stopped learning.",
                               "Lower the learning rate, use "
                               "kernel_initializer='he_normal', or "
                               "activation='leaky_relu'.", {"layer": name,
                                                            "fraction": dead}))
        sat = mean_of(i, "saturated")
        if sat is not None and sat >= SATURATED_FRACTION:
            out.append(Finding("saturated", f"{sat:.0%} of the outputs of layer "
                               f"'{name}' sit on the flat ends of the "
                               f"{tail[-1]['layers'][i].get('activation')} "
                               "(derivative < 0.01): little gradient passes.",
                               "Standardise the inputs, keep glorot initialisation, "
                               "lower the learning rate, or use relu in hidden "
                               "layers.", {"layer": name, "fraction": sat}))
    ratios = [r["grad_ratio"] for r in tail if math.isfinite(r.get("grad_ratio",
                                                                   math.nan))]
    if ratios:
        ratio = float(np.median(ratios))
        if ratio < VANISHING_RATIO:
            size = (f"is {1 / ratio:,.0f}× smaller than the last layer's" if ratio
                    else "is zero while the last layer's is not")
            out.append(Finding("vanishing_gradients", f"the first layer's gradient "
                               f"norm {size}: early layers barely learn (vanishing "
                               "gradients).", "Use activation='relu' with "
                               "kernel_initializer='he_normal' in hidden layers, "
                               "fewer layers, or standardised inputs.",
                               {"ratio": ratio}))
        elif ratio > EXPLODING_RATIO:
            out.append(Finding("exploding_gradients", f"the first layer's gradient "
                               f"norm is {ratio:,.0f}× larger than the last layer's "
                               "(exploding gradients).", "Lower the learning rate, "
                               "set global_clipnorm=1.0 in compile(), and use "
                               "glorot/he initialisation.", {"ratio": ratio}))
    ups = [d.get("update_ratio") for r in tail for d in r["layers"]
           if d.get("update_ratio") is not None]
    if ups:
        up = float(np.median(ups))
        if up > 1e-1:
            out.append(Finding("updates_too_large", f"each step changes the weights "
                               f"by {up:.1%} of their size (healthy: about 0.1%).",
                               "Lower the learning rate.", {"update_ratio": up}))
    return out

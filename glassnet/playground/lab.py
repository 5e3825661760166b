"""One network learning one dataset: everything a playground page shows.

A ``Lab`` owns the points, the ``Sequential`` model and its optimizer, and
trains it one batch at a time (``step``) so that the page can pause between
any two updates and ask what the next one will do. It knows nothing of
threads or HTTP (``session.py`` runs it, ``server.py`` serves it).

    lab = Lab(Settings(dataset="xor", layers=(4,)))
    lab.run(epochs=5)                          # five passes over the points
    lab.frame()                                # losses, heat maps, weights
    lab.explain_weight(0, 1, 2, step_mode=True)  # ∂L/∂w and the next update
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import replace

import numpy as np

from glassnet.core.dense import Dense
from glassnet.core.regularizers import Regularizer
from glassnet.glassbox.diagnostics import diagnose, record
from glassnet.glassbox.formatting import Line, render_text
from glassnet.glassbox.receipts import Receipt, explain
from glassnet.model import Sequential
from glassnet.optimizers import get as get_optimizer
from glassnet.playground import data, frames
from glassnet.playground.settings import (
    FEATURE_LABELS,
    REBUILDS_DATA,
    REBUILDS_NETWORK,
    Settings,
    apply_changes,
)
from glassnet.train.step import apply_step

LOSS = "binary_crossentropy"   # one sigmoid output: p(class 1)
RECORDS = 40                   # diagnostics kept for the doctor (one per frame)
DIGITS = 6                     # significant digits in receipts


class Lab:
    """The learning state behind one page (see the module docstring)."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.upload: tuple | None = None   # (X, y, class names) of a CSV
        self.net_seed = 0                  # the next network's initial weights
        self.data_version = 0
        self.new_data()

    # -- data → network ---------------------------------------------------------
    def new_data(self) -> None:
        """Draw (or re-split) the points, then start a fresh network."""
        s = self.settings
        if s.dataset == "csv":
            X, y, names = self.upload
        else:
            X, y = data.generate(s.dataset, s.noise, s.data_seed)
            names = ["0", "1"]
        self.points = data.split(X, y, s.train_ratio, s.data_seed, names,
                                 fixed_view=s.dataset != "csv")
        self.grid = data.grid(self.points.extent, frames.GRID)   # (G·G, 2)
        self.data_version += 1
        self.new_network()

    def new_network(self) -> None:
        """A network with fresh weights for the current settings; epoch 0."""
        s = self.settings
        n_in = len(s.features)
        layers, width = [], n_in
        for units in s.layers:
            layers.append(Dense(units, activation=s.activation, input_dim=width))
            width = units
        layers.append(Dense(1, activation="sigmoid", input_dim=width))
        self.model = Sequential(layers, dtype="float64", seed=self.net_seed)
        self.net_seed += 1
        self.model.compile(loss=LOSS, optimizer=self._optimizer())
        self._regularize()
        loss = self.model.loss
        self.X, self.y = self.model.prepare(self._inputs(self.points.X_train),
                                            self.points.y_train, loss)
        self.X_test, self.y_test = self.model.prepare(
            self._inputs(self.points.X_test), self.points.y_test, loss)
        self.G = self._inputs(self.grid)                        # (G·G, F)
        self.rng = np.random.default_rng(s.data_seed)           # batch order
        self.order = self.rng.permutation(len(self.X))
        self.cursor = self.epoch = self.steps = 0
        self.last_batch: np.ndarray | None = None
        self.diverged = False
        self.history: dict[str, list] = {"epoch": [], "train": [], "test": []}
        self.records: deque = deque(maxlen=RECORDS)
        self._prev = self.model.flat_params.copy()   # θ before the last step
        self._recorded_at = -1

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        return data.features(X, self.settings.features)

    def _optimizer(self):
        s = self.settings
        return get_optimizer(s.optimizer, learning_rate=s.learning_rate)

    def _regularize(self) -> None:
        """Ω = λ·Σ|w| (L1) or λ·Σw² (L2) on every weight matrix, or none."""
        s = self.settings
        reg = None
        if s.regularization != "none" and s.reg_rate > 0:
            reg = Regularizer(**{s.regularization: s.reg_rate})
        for layer in self.model.layers:
            layer.kernel_regularizer = reg

    # -- controls ---------------------------------------------------------------
    def change(self, changes: dict) -> None:
        """Apply checked control changes: new data, a new network, or a live
        change to the network that is training (rate, optimizer, batch, Ω)."""
        old = self.settings
        self.settings = apply_changes(old, changes)
        changed = {k for k in changes if getattr(old, k) != getattr(self.settings, k)}
        if changed & REBUILDS_DATA:
            self.new_data()
        elif changed & REBUILDS_NETWORK:
            self.new_network()
        else:
            if "optimizer" in changed:   # fresh optimizer state, same weights
                self.model.compile(loss=LOSS, optimizer=self._optimizer())
            self.model.optimizer.learning_rate = self.settings.learning_rate
            self._regularize()

    def use_upload(self, X: np.ndarray, y: np.ndarray, names: list[str]) -> None:
        self.upload = (X, y, names)
        self.settings = replace(self.settings, dataset="csv")
        self.new_data()

    def reset(self) -> None:
        self.new_network()

    # -- training ---------------------------------------------------------------
    def next_batch(self) -> np.ndarray:
        """Row indices of the batch the next step will train on."""
        return self.order[self.cursor:self.cursor + self.settings.batch_size]

    def step(self) -> float | None:
        """One update θ ← θ − η·∂L/∂θ on the next batch; its loss, or None when
        the loss or a gradient was not finite (the update is then skipped)."""
        idx = self.next_batch()
        np.copyto(self._prev, self.model.flat_params)
        L = apply_step(self.model, self.X[idx], self.y[idx], nan_policy="stop")
        if L is None:
            self.diverged = True
            self.records.append({"loss": math.nan, "grad_ratio": math.nan,
                                 "layers": []})
            return None
        self.last_batch = idx
        self.steps += 1
        self.cursor += len(idx)
        if self.cursor >= len(self.order):   # an epoch is one pass over the points
            self.epoch += 1
            self.cursor = 0
            self.order = self.rng.permutation(len(self.X))
        return L

    def run(self, epochs: float = 1.0, budget_s: float = math.inf) -> int:
        """Steps until ``epochs`` more passes are done or ``budget_s`` seconds
        have gone; returns the number of steps."""
        goal = self.progress() + epochs
        end = time.perf_counter() + budget_s
        done = 0
        while self.progress() < goal - 1e-9 and time.perf_counter() < end:
            if self.step() is None:
                break
            done += 1
        return done

    def progress(self) -> float:
        """Epochs done, with the fraction of the current one."""
        return self.epoch + self.cursor / len(self.order)

    # -- what the page draws ------------------------------------------------------
    def losses(self) -> tuple[float, float]:
        """Mean binary cross-entropy on the training and the test points."""
        head = self.model.objective(self.model.loss)
        out = []
        for X, y in ((self.X, self.y), (self.X_test, self.y_test)):
            p = self.model.forward(X, training=False)
            out.append(float(head.per_sample(p, y).mean()))
        return out[0], out[1]

    def frame(self) -> dict:
        """Everything the page redraws after a change (see ``frames.py``).
        A diverged network's overflows are shown as "not finite", not warned."""
        with np.errstate(all="ignore"):
            return self._frame()

    def _frame(self) -> dict:
        train, test = self.losses()
        h = self.history
        if not h["epoch"] or h["epoch"][-1] != self.progress():
            h["epoch"].append(self.progress())
            h["train"].append(train)
            h["test"].append(test)
        if self.steps and self._recorded_at != self.steps:
            self.records.append(record(self.model, self._prev, step=self.steps,
                                       epoch=self.epoch, batch=self.cursor,
                                       loss=train))
            self._recorded_at = self.steps
        return frames.frame(self, train, test)

    def hints(self) -> list[dict]:
        """The training doctor's findings, each with its fix."""
        if len(self.records) < 3 and not self.diverged:
            return []
        found = diagnose(list(self.records))
        output = self.model.layers[-1].name
        names = {f"'{layer.name}'": f"hidden layer {k + 1}"
                 for k, layer in enumerate(self.model.layers[:-1])}
        names[f"'{output}'"] = "the output layer"
        return [{"code": f.code, "message": _rename(f.message, names), "fix": f.fix}
                for f in found.findings
                if _shown(f, self.history["train"], output)]

    # -- receipts -------------------------------------------------------------------
    def explain_weight(self, layer: int, i: int, j: int, step_mode: bool) -> dict:
        """∂L/∂w for w = layers[layer].W[i, j] on the current batch: the batch
        just trained on, or in step mode the next one, with the update the
        next step will apply."""
        idx = self.next_batch() if step_mode or self.last_batch is None \
            else self.last_batch
        r = explain(self.model, self.X[idx], self.y[idx],
                    weight=(layer, "W", i, j), update=step_mode, digits=DIGITS)
        return _receipt(r, self._legend(layer), {"batch": len(idx),
                                                 "step_mode": step_mode})

    def explain_neuron(self, layer: int, unit: int, point: list[float]) -> dict:
        """Σ wᵢxᵢ + b and the activation of one unit for the point (x₁, x₂)."""
        X = self._inputs(np.array([point], dtype=np.float64))    # (1, F)
        r = explain(self.model, X, neuron=(layer, unit), digits=DIGITS)
        return _receipt(r, self._legend(layer), {"point": list(point)})

    def _legend(self, layer: int) -> Line | None:
        if layer != 0:
            return None
        names = ", ".join(f"x{k + 1} = {FEATURE_LABELS[f]}"
                          for k, f in enumerate(self.settings.features))
        return Line("note", f"inputs: {names}")


def _receipt(r: Receipt, legend: Line | None, extra: dict) -> dict:
    lines = list(r.lines)
    if legend is not None:
        lines.insert(1, legend)
    return {"kind": r.kind, "title": r.title, "value": r.value,
            "backprop": r.backprop, "update": r.update, "text": render_text(lines),
            "lines": [{"kind": ln.kind, "text": ln.text} for ln in lines], **extra}


STUCK_SHOWN_ABOVE = 0.25   # "the loss barely moved" is news only while it is high


def _shown(finding, train_losses: list[float], output: str) -> bool:
    """Whether a finding is news on this page: a confident sigmoid output is
    saturated by design (with cross-entropy its gradient is p − y, which σ′
    does not shrink), and a flat loss is only a problem while it is high."""
    if finding.code == "loss_stuck":
        return bool(train_losses) and train_losses[-1] > STUCK_SHOWN_ABOVE
    if finding.code == "saturated":
        return finding.details.get("layer") != output
    return finding.code != "no_records"


def _rename(message: str, names: dict[str, str]) -> str:
    """Layer names as the page shows them: 'dense_1' → hidden layer 2."""
    for name, label in names.items():
        message = message.replace(f"layer {name}", label).replace(name, label)
    return message

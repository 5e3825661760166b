"""One task = one (configuration, fold): train on the other folds, score this one.

A task trains exactly as ``glassnet train`` does (``cli.train.prepare`` and
``fit_rows``: the scaler fitted on the task's training rows only, the same
network, the same seed), so its score depends on nothing but the task itself
— the configuration, the fold's rows and the seed — and is the same in this
process, in a joblib worker or on a Dask worker on another machine.

    score = accuracy on the held-out fold      (classification, higher is better)
          = mean squared error on it           (regression, lower is better)
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from glassnet import metrics
from glassnet.cli import train as train_mod
from glassnet.cli.config import TrainConfig
from glassnet.data import Dataset, KFold, StratifiedKFold

#: task → (score name, True if higher is better)
SCORES = {"classification": ("accuracy", True), "regression": ("mse", False)}


@dataclass(frozen=True)
class Task:
    config: int                 # index of the configuration in grid order
    fold: int                   # index of the held-out fold, 0..k-1
    cfg: TrainConfig
    train_rows: np.ndarray      # (n_train,) rows the model trains on
    val_rows: np.ndarray        # (n_val,) rows it is scored on

    @property
    def name(self) -> str:
        return f"configuration {self.config + 1}, fold {self.fold + 1}"


@dataclass(frozen=True)
class Result:
    config: int
    fold: int
    score: float                # NaN when the task failed
    seconds: float              # time to fit (and score) the model
    error: str = ""             # why it failed: "TrainingError: the loss is nan…"

    @property
    def ok(self) -> bool:
        return not self.error


def folds(data: Dataset, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k (train rows, held-out rows) pairs, stratified for classification."""
    kind = StratifiedKFold if data.task == "classification" else KFold
    return list(kind(k, shuffle=True, seed=seed).split(data.X, data.y))


def make_tasks(configs: list[TrainConfig], splits: list[tuple[np.ndarray, np.ndarray]]
               ) -> list[Task]:
    """Every (configuration, fold), configuration-major."""
    return [Task(c, f, cfg, tr, va) for c, cfg in enumerate(configs)
            for f, (tr, va) in enumerate(splits)]


def run_task(task: Task, data: Dataset) -> Result:
    """Train on ``task.train_rows``, score on ``task.val_rows``; a configuration
    that fails (diverges, errors) gives a Result with the reason, not an
    exception, so the search goes on."""
    t0 = time.perf_counter()
    try:
        value = _train_and_score(task, data)
    except Exception as exc:  # any failure is this configuration's result
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        return Result(task.config, task.fold, float("nan"),
                      time.perf_counter() - t0, reason)
    seconds = time.perf_counter() - t0
    if not np.isfinite(value):
        return Result(task.config, task.fold, float("nan"), seconds,
                      f"the score is {value} (the model's outputs are not finite)")
    return Result(task.config, task.fold, value, seconds)


def _train_and_score(task: Task, data: Dataset) -> float:
    cfg = dataclasses.replace(task.cfg, layers=list(task.cfg.layers))
    part = _rows(data, task.train_rows)
    saved, _, train_rows, val_rows = train_mod.prepare(cfg, part)
    train_mod.fit_rows(saved, cfg, part, train_rows, val_rows)
    X_val, y_val = data.X[task.val_rows], data.y[task.val_rows]  # (n_val, F)
    if data.task == "classification":
        return metrics.accuracy(y_val, saved.predict_classes(X_val))
    return metrics.mse(y_val, saved.predict(X_val))


def _rows(data: Dataset, rows: np.ndarray) -> Dataset:
    """The dataset restricted to ``rows`` (names, classes and spec kept)."""
    return dataclasses.replace(data, X=data.X[rows], y=data.y[rows])

"""Metrics computed from targets and model outputs (NumPy only).

Classification metrics take integer labels ``y_true`` (or one-hot rows) and
either predicted labels or output scores (argmax taken; one sigmoid unit is
thresholded at 0.5). Outputs per time step, (B, T, C) with targets (B, T) or
(B, T, C), count every step as a row.
"""

from __future__ import annotations

import numpy as np

from glassnet.errors import ConfigError, expected


def _labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    if y.ndim == 2:
        y = y[:, 0]
    if y.dtype.kind == "f" and y.size and (y.min() >= 0) and (y.max() <= 1) \
            and np.any(y != np.round(y)):
        return (y >= 0.5).astype(np.int64)
    return y.astype(np.int64)


def _steps_as_rows(y_true, y_pred):
    """(B, T, C) outputs and their targets as one row per step."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim < 3:
        return y_true, y_pred
    rows = y_pred.shape[0] * y_pred.shape[1]
    y_true = y_true.reshape(rows) if y_true.ndim == 2 else y_true.reshape(rows, -1)
    return y_true, y_pred.reshape(rows, -1)


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted class equals the true class."""
    y_true, y_pred = _steps_as_rows(y_true, y_pred)
    return float(np.mean(_labels(y_true) == _labels(y_pred)))


def top_k_accuracy(y_true, y_score, k: int = 5) -> float:
    """Fraction of samples whose true class is among the k highest scores."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ConfigError(expected("k as a positive int", repr(k),
                                   "Pass e.g. k=5 (k=1 is plain accuracy)."))
    y_true, y_score = _steps_as_rows(y_true, y_score)
    k = min(int(k), y_score.shape[1])
    top = np.argpartition(-y_score, k - 1, axis=1)[:, :k]
    return float(np.mean((top == _labels(y_true)[:, None]).any(axis=1)))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """C[i, j] = number of samples of true class i predicted as class j."""
    y_true, y_pred = _steps_as_rows(y_true, y_pred)
    t, p = _labels(y_true), _labels(y_pred)
    n = n_classes or int(max(t.max(initial=0), p.max(initial=0))) + 1
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def precision_recall_f1(y_true, y_pred, n_classes: int | None = None) -> dict:
    """Per-class and macro precision = TP/(TP+FP), recall = TP/(TP+FN),
    F1 = 2PR/(P+R) (0 where undefined). Macro averages run over the classes
    that occur in y_true or y_pred, as scikit-learn's do."""
    cm = confusion_matrix(y_true, y_pred, n_classes).astype(np.float64)
    tp = np.diag(cm)
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(cm.sum(0) > 0, tp / cm.sum(0), 0.0)
        rec = np.where(cm.sum(1) > 0, tp / cm.sum(1), 0.0)
        f1 = np.where(prec + rec > 0, 2 * prec * rec / (prec + rec), 0.0)
    seen = (cm.sum(0) + cm.sum(1)) > 0
    return {"precision": prec, "recall": rec, "f1": f1,
            "macro_precision": float(prec[seen].mean()),
            "macro_recall": float(rec[seen].mean()),
            "macro_f1": float(f1[seen].mean())}


def precision(y_true, y_pred) -> float:
    return precision_recall_f1(y_true, y_pred)["macro_precision"]


def recall(y_true, y_pred) -> float:
    return precision_recall_f1(y_true, y_pred)["macro_recall"]


def f1(y_true, y_pred) -> float:
    return precision_recall_f1(y_true, y_pred)["macro_f1"]


def _reg(y_true, y_pred):
    y_true, y_pred = _steps_as_rows(y_true, y_pred)
    yt = np.asarray(y_true, dtype=np.float64)
    yp = np.asarray(y_pred, dtype=np.float64)
    if yt.ndim == 1 and yp.ndim == 2 and yp.shape[1] > 1 and len(yt) == len(yp):
        # integer class labels against per-class outputs: compare with one-hot rows
        onehot = np.zeros_like(yp)
        onehot[np.arange(len(yt)), yt.astype(np.int64)] = 1.0
        return onehot, yp
    return yt.reshape(yp.shape) if yt.size == yp.size else yt, yp


def mse(y_true, y_pred) -> float:
    """(1/(B·n)) Σ (ŷ − y)²."""
    yt, yp = _reg(y_true, y_pred)
    return float(np.mean((yp - yt) ** 2))


def mae(y_true, y_pred) -> float:
    """(1/(B·n)) Σ |ŷ − y|."""
    yt, yp = _reg(y_true, y_pred)
    return float(np.mean(np.abs(yp - yt)))


def r2(y_true, y_pred) -> float:
    """R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (averaged over outputs)."""
    yt, yp = _reg(y_true, y_pred)
    yt = yt.reshape(len(yt), -1)
    yp = yp.reshape(len(yp), -1)
    ss_res = ((yt - yp) ** 2).sum(0)
    ss_tot = ((yt - yt.mean(0)) ** 2).sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(ss_tot > 0, 1 - ss_res / ss_tot, 0.0)
    return float(score.mean())


_REGISTRY = {"accuracy": accuracy, "acc": accuracy, "top_k_accuracy": top_k_accuracy,
             "top5": top_k_accuracy, "precision": precision, "recall": recall,
             "f1": f1, "mse": mse, "mae": mae, "r2": r2}
NAMES = ["accuracy", "top_k_accuracy", "precision", "recall", "f1", "mse", "mae",
         "r2"]
#: metrics whose batch averages equal the epoch value (computed on the fly)
BATCHWISE = {"accuracy", "top_k_accuracy", "mse", "mae"}


def get(name: str):
    """Resolve a metric name to (canonical name, function)."""
    if callable(name) and not isinstance(name, str):
        return getattr(name, "__name__", "metric"), name
    if isinstance(name, str) and name.lower() in _REGISTRY:
        fn = _REGISTRY[name.lower()]
        return fn.__name__, fn
    raise ConfigError(expected(f"a metric name, one of {NAMES}", repr(name),
                               "Check the spelling or pass a function "
                               "f(y_true, y_pred) -> float."))

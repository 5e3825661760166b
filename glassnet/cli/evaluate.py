"""``glassnet evaluate MODEL DATA``: loss, metrics, confusion matrix."""

from __future__ import annotations

import numpy as np

from glassnet import metrics
from glassnet.cli.artifacts import confusion
from glassnet.cli.datasets import load_data_like
from glassnet.cli.saved import open_model
from glassnet.errors import DataError
from glassnet.plots import plot_confusion_matrix


def run(args) -> int:
    saved = open_model(args.model)
    data = load_data_like(saved, args.data, args.target, args.seed)
    if data.y is None:
        raise DataError(f"{args.data} has no target column "
                        f"{saved.spec.target or ''!r}, so there is nothing to "
                        "compare with. Pass --target COLUMN, or use glassnet predict.")
    result = saved.model.evaluate(saved.transform(data.X), data.y)
    if not saved.class_names:   # regression: R², in the target's own units
        result["r2"] = metrics.r2(data.y, saved.predict(data.X))
    print(f"{args.model} on {args.data} ({data.n_samples} rows)")
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"  {k:<{width}}  {v:.4f}")
    if saved.class_names:
        cm = confusion(saved, data.X, data.y)
        print("\n" + format_confusion(cm, saved.class_names))
        predicted = saved.predict_proba(data.X).argmax(axis=1)
        prf = metrics.precision_recall_f1(data.y, predicted, len(saved.class_names))
        print("\n" + _per_class(prf, saved.class_names))
        if args.plot:
            path = plot_confusion_matrix(cm, args.plot, saved.class_names)
            print(f"\nwrote {path}")
    return 0


def format_confusion(cm: np.ndarray, names: list[str]) -> str:
    """The confusion matrix as aligned text: rows true, columns predicted."""
    labels = [str(n) for n in names]
    w = max(max(map(len, labels)), len(str(int(cm.max()))), 4)
    lines = ["confusion matrix (rows: true class, columns: predicted class)",
             " " * (w + 2) + " ".join(f"{n:>{w}}" for n in labels)]
    for name, row in zip(labels, cm, strict=True):
        lines.append(f"{name:>{w}}  " + " ".join(f"{int(c):>{w}}" for c in row))
    return "\n".join(lines)


def _per_class(prf: dict, names: list[str]) -> str:
    keys = ("precision", "recall", "f1")
    w = max(max(len(str(n)) for n in names), 5)
    lines = [f"{'class':<{w}}  " + "  ".join(f"{k:>9}" for k in keys)]
    for i, name in enumerate(names):
        lines.append(f"{str(name):<{w}}  " + "  ".join(f"{prf[k][i]:>9.4f}"
                                                     for k in keys))
    return "\n".join(lines)

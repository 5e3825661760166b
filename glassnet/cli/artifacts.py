"""The plots a run leaves behind, drawn from a saved model and its data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from glassnet import metrics as metric_mod
from glassnet import plots
from glassnet.errors import GlassnetError
from glassnet.io import ModelFile


def confusion(saved: ModelFile, X_raw: np.ndarray, y: np.ndarray) -> np.ndarray:
    """C[i, j] on raw features X (the saved preprocessing applied first)."""
    pred = saved.predict_proba(X_raw).argmax(axis=1)
    return metric_mod.confusion_matrix(y, pred, len(saved.class_names))


def make_plots(saved: ModelFile, outdir: Path, history=None, X=None, y=None,
               X_eval=None, y_eval=None, label: str = "",
               eval_rows: str = "validation rows") -> dict[str, Path]:
    """Draw every plot the inputs allow; return {title: path}.

    X, y: raw training rows (decision boundary, gradients); X_eval, y_eval: the
    rows for the confusion matrix (validation rows when there are any).
    """
    model, names = saved.model, saved.spec.feature_names
    classes = saved.class_names
    done: dict[str, Path] = {}
    if history is not None and len(history.epoch):
        done["loss and metrics per epoch"] = plots.plot_history(
            history, outdir / "history.png", title=label)
    if classes and X_eval is not None and y_eval is not None:
        done["confusion matrix"] = plots.plot_confusion_matrix(
            confusion(saved, X_eval, y_eval), outdir / "confusion_matrix.png",
            classes, title=f"confusion matrix: {label + ', ' if label else ''}"
            f"{eval_rows}")
    if classes and X is not None and y is not None and X.shape[1] == 2:
        done["decision boundary"] = plots.plot_decision_boundary(
            model, X, y, outdir / "decision_boundary.png", classes,
            transform=saved.transform, feature_names=names)
    if plots.conv_layers(model):  # a CNN: its filters and what they see
        done["first-layer filters"] = plots.plot_filters(model,
                                                         outdir / "filters.png")
        if X is not None:
            done["feature maps of one image"] = plots.plot_feature_maps(
                model, saved.transform(X[:1])[0], outdir / "feature_maps.png")
    else:
        done["network"] = plots.plot_network(model, outdir / "network.png",
                                             input_names=names, output_names=classes)
    grads = None
    if X is not None and y is not None:
        rows = slice(0, min(len(X), 512))
        try:
            grads = model.gradients(saved.transform(X[rows]), y[rows], loss=None)
        except GlassnetError:
            grads = None  # e.g. a step output: show the weights alone
    done["weight and gradient histograms"] = plots.plot_weight_histograms(
        model, outdir / "weights.png", gradients=grads)
    used = [getattr(layer, "activation", None) for layer in model.layers]
    act_names = list(dict.fromkeys(a.name for a in used if a is not None))
    if act_names:
        done["activations used, with derivatives"] = plots.plot_activations(
            outdir / "activations.png", act_names)
    return done

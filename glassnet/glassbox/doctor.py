"""The data doctor: problems in a dataset that training would hide.

    report = gn.doctor(X_train, y_train, X_test, y_test, task="classification")
    print(report)            # each problem with the numbers and the fix

Checks: missing or infinite values, constant columns, features on very
different scales (gradient descent then zig-zags along the large ones) or
simply not standardised, regression targets far from mean 0 and spread 1,
class imbalance, rows shared by the training and test sets (the test score
then measures memory), and continuous-looking targets given to a classifier.
"""

from __future__ import annotations

import numpy as np

from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.glassbox.formatting import Finding, Report

SCALE_RATIO = 100.0     # largest / smallest feature spread that is flagged
LARGE_VALUE = 1e3       # |x| above which unscaled inputs saturate units
IMBALANCE_RATIO = 3.0   # largest / smallest class count that is flagged
#: a column (or target) counts as standardised when |mean| ≤ 3·std and
#: std is within [1/10, 10]
OFFSET, SPREAD = 3.0, 10.0
TASKS = ("classification", "regression", None)


def doctor(X, y=None, X_test=None, y_test=None, task: str | None = None,
           model=None, print_fn=None) -> Report:
    """Examine (X, y) and an optional test set; return a Report of findings.

    ``task`` is "classification" or "regression"; by default it is read from
    ``model``'s compiled loss, else guessed from y (integers → classes).
    """
    X = _as_2d(X, "X")
    task = _task(task, model, y)
    findings = _feature_findings(X)
    if y is not None:
        y = np.asarray(y)
        if len(y) != X.shape[0]:
            raise ShapeError(expected(f"y with one entry per row of X ({X.shape[0]})",
                                      f"{len(y)} entries", "Pass matching X and y."))
        if task == "classification":
            findings += _label_findings(y)
        elif task == "regression":
            findings += _target_findings(y)
    if X_test is not None:
        Xt = _as_2d(X_test, "X_test")
        if Xt.shape[1] != X.shape[1]:
            findings.append(Finding("test_columns", f"X_test has {Xt.shape[1]} "
                                    f"columns but X has {X.shape[1]}.",
                                    "Apply the same feature preparation to both."))
        else:
            findings += _leak_findings(X, Xt)
    rep = Report("data doctor", findings, f"{X.shape[0]} rows × {X.shape[1]} "
                 "features look ready to train on.")
    if print_fn is not None:
        print_fn(rep.text())
    return rep


def _as_2d(X, name: str) -> np.ndarray:
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ShapeError(expected(f"{name} as a numeric array", type(X).__name__,
                                  "Encode text columns as numbers first.")) from err
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim > 2:
        arr = arr.reshape(arr.shape[0], -1)
    if arr.shape[0] == 0:
        raise ShapeError(expected(f"rows in {name}", "0 rows", "Pass some data."))
    return arr


def _task(task, model, y) -> str | None:
    if task not in TASKS:
        raise ConfigError(expected(f"task in {TASKS}", repr(task),
                                   "Pass task='classification' or 'regression'."))
    if task is not None:
        return task
    loss = getattr(model, "loss", None)
    if loss is not None:
        return ("classification" if loss.name in ("categorical_crossentropy",
                                                  "binary_crossentropy")
                else "regression")
    if y is None:
        return None
    y = np.asarray(y)
    if y.dtype.kind in "biu" or (y.ndim == 2 and y.shape[1] > 1):
        return "classification"
    return "regression"


def _feature_findings(X: np.ndarray) -> list[Finding]:
    out = []
    bad = ~np.isfinite(X)
    if bad.any():
        cols = np.flatnonzero(bad.any(axis=0))
        out.append(Finding("missing_values", f"{int(bad.sum())} missing or infinite "
                           f"values in columns {_cols(cols)}.",
                           "Drop those rows or impute the values (e.g. the column "
                           "median) before training.", {"columns": cols.tolist()}))
        X = np.where(bad, np.nan, X)
    with np.errstate(invalid="ignore"):
        std = np.nanstd(X, axis=0)
        big = np.nanmax(np.abs(X), axis=0)
    const = np.flatnonzero(std == 0)
    if len(const):
        out.append(Finding("constant_columns", f"columns {_cols(const)} have the same "
                           "value in every row: they carry no information.",
                           "Drop them (X = np.delete(X, cols, axis=1)).",
                           {"columns": const.tolist()}))
    live = np.flatnonzero(std > 0)
    if len(live) >= 2:
        hi, lo = live[np.argmax(std[live])], live[np.argmin(std[live])]
        ratio = std[hi] / std[lo]
        if ratio > SCALE_RATIO:
            out.append(Finding("feature_scales", f"features are on very different "
                               f"scales: column {hi} spreads {ratio:,.0f}× more than "
                               f"column {lo} (std {std[hi]:.4g} vs {std[lo]:.4g}); "
                               "gradient descent zig-zags along the large one.",
                               "Standardise: scaler = gn.data.StandardScaler()"
                               ".fit(X_train), then scaler.transform(X_train) and "
                               "scaler.transform(X_test).",
                               {"ratio": float(ratio), "largest": int(hi),
                                "smallest": int(lo)}))
    large = np.flatnonzero(big > LARGE_VALUE)
    if len(large) and not any(f.code == "feature_scales" for f in out):
        out.append(Finding("large_values", f"columns {_cols(large)} hold values up to "
                           f"{big[large].max():.4g}: unscaled inputs saturate sigmoid "
                           "and tanh units and make gradients huge.",
                           "Standardise the features (gn.data.StandardScaler).",
                           {"columns": large.tolist()}))
    if not out or all(f.code in ("missing_values", "constant_columns") for f in out):
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(X, axis=0)
        off = np.flatnonzero(_unscaled(mean, std))
        if len(off):
            out.append(Finding(
                "unscaled_features", f"columns {_cols(off)} are not standardised "
                f"(means {_range(mean[off])}, spreads {_range(std[off])}): "
                "weights start around ±1/√n for inputs near 0 ± 1, so training "
                "first spends its steps undoing the offsets and scales.",
                "Standardise: scaler = gn.data.StandardScaler().fit(X_train), then "
                "transform X_train and X_test with it (glassnet train does this "
                "for CSV files).", {"columns": off.tolist()}))
    return out


def _unscaled(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Columns far from mean 0 and spread 1 (constant ones excluded)."""
    live = std > 0
    return live & ((np.abs(mean) > OFFSET * np.where(live, std, 1.0))
                   | (std > SPREAD) | (std < 1 / SPREAD))


def _range(v: np.ndarray) -> str:
    lo, hi = float(np.min(v)), float(np.max(v))
    return f"{lo:.3g}" if lo == hi else f"{lo:.3g} … {hi:.3g}"


def _target_findings(y: np.ndarray) -> list[Finding]:
    """A regression target far from mean 0 and spread 1."""
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    y = y[np.isfinite(y).all(axis=1)]
    if not len(y):
        return []
    mean, std = y.mean(axis=0), y.std(axis=0)
    if not _unscaled(mean, std).any():
        return []
    return [Finding("unscaled_target", f"the regression target is not "
                    f"standardised (mean {_range(mean)}, spread {_range(std)}): "
                    "the output starts near 0, so the first steps only learn the "
                    "offset, and the gradients grow with y's spread.",
                    "Train on (y − μ)/σ and answer in y's units: end the model "
                    "with gn.Rescale.fit(y_train) (glassnet train does this for "
                    "regressions).", {"mean": mean.tolist(), "std": std.tolist()})]


def _label_findings(y: np.ndarray) -> list[Finding]:
    out = []
    if y.ndim == 2 and y.shape[1] > 1:
        labels = y.argmax(axis=1)          # one-hot rows
    else:
        flat = y.reshape(-1)
        if flat.dtype.kind == "f":
            values = np.unique(flat[np.isfinite(flat)])
            fractional = np.any(values != np.round(values))
            if fractional or (len(values) > 20 and len(values) > 0.5 * len(flat)):
                out.append(Finding("continuous_labels", f"y has {len(values):,} "
                                   "distinct values" + (" with fractions" if
                                                        fractional else "")
                                   + ": it looks like a continuous target, given to a "
                                   "classifier.", "Use regression: a linear output "
                                   "layer with loss='mse'; or bin y into classes "
                                   "first.", {"distinct": len(values)}))
                return out
        labels = flat.astype(np.int64)
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) >= 2 and counts.max() / counts.min() > IMBALANCE_RATIO:
        small, large = classes[np.argmin(counts)], classes[np.argmax(counts)]
        out.append(Finding("class_imbalance", f"class {small} has {counts.min()} rows "
                           f"and class {large} {counts.max()} "
                           f"({counts.max() / counts.min():.1f}×): accuracy rewards "
                           "always predicting the big class.",
                           "Train with fit(..., class_weight='balanced') and judge "
                           "by per-class recall or F1, not accuracy.",
                           {"counts": dict(zip(classes.tolist(), counts.tolist(),
                                               strict=True))}))
    return out


def _leak_findings(X: np.ndarray, Xt: np.ndarray) -> list[Finding]:
    train = {row.tobytes() for row in np.ascontiguousarray(X)}
    shared = sum(row.tobytes() in train for row in np.ascontiguousarray(Xt))
    if not shared:
        return []
    return [Finding("train_test_overlap", f"{shared} of the {len(Xt)} test rows also "
                    "appear in the training set: the test score partly measures "
                    "memory, not generalisation.", "Remove duplicate rows "
                    "(np.unique(X, axis=0, return_index=True)) before splitting.",
                    {"shared_rows": int(shared)})]


def _cols(cols) -> str:
    cols = list(map(int, cols))
    return str(cols) if len(cols) <= 8 else f"{cols[:8]} … ({len(cols)} in all)"
